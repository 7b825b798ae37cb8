// `db template` and `db clone`: fast test databases copied from a migrated and seeded template.
#include <spdlog/spdlog.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <set>

#include "base/detach.hpp"
#include "base/duration.hpp"
#include "base/parallel.hpp"
#include "base/text.hpp"
#include "base/versions.hpp"
#include "cli/context.hpp"
#include "data/admin.hpp"
#include "migrate/migrator.hpp"
#include "seed/plan.hpp"
#include "seed/seed_files.hpp"
#include "seed/seeder.hpp"
#include "testdb/clones.hpp"
#include "testdb/template_key.hpp"
#include "testdb/templates.hpp"

namespace dbtool::cli {

namespace {

using nlohmann::json;
namespace fs = std::filesystem;

struct TemplateArgs {
    bool dropAll = false;
    int keep = 2;
    bool noSeeds = false;
    uint64_t randomSeed = 1;
};

// What goes into a template. The key comes from the files' bytes (migrations are not parsed:
// a template found by its key was built from exactly these files); they are loaded and
// checked only when the template has to be built.
struct Contents {
    std::vector<SeedFile> seeds;
    int migrations = 0;  // distinct versions among the files
    std::string key;
};

Contents readContents(Context& ctx, const TemplateArgs& a) {
    const Settings& s = ctx.settings();
    Contents c;
    std::vector<std::string> lines = {"tracking-schema " + s.trackingSchema};
    std::set<std::string> versions;
    for (const auto& f : migrationFileDigests(s.migrationsDir)) {
        lines.push_back("migration-file " + f.fileName + " " + f.sha256);
        if (!f.version.empty()) {
            versions.insert(canonicalVersion(f.version));
        }
    }
    c.migrations = static_cast<int>(versions.size());
    // SQL variables change what the migrations do without changing their files (the values'
    // digests: the key is printed, the values never are).
    for (const auto& [name, v] : s.vars) {
        lines.push_back("var " + name + " " + sha256Hex(v.value));
    }
    std::error_code ec;
    if (!a.noSeeds && fs::is_directory(s.seedsDir, ec)) {
        c.seeds = findSeedFiles(s.seedsDir, s.environment);
    }
    if (a.noSeeds) {
        lines.emplace_back("no-seeds");
    } else {
        lines.push_back("environment " + s.environment);
        lines.push_back("random-seed " + std::to_string(a.randomSeed));
        for (const auto& f : c.seeds) {
            // The checksum seed tracking records: the YAML and the CSV files it loads.
            lines.push_back("seed " + f.name + " " +
                            seedChecksum(f, planSeed(f, nullptr, {}).csvFiles));
        }
    }
    c.key = testdb::templateKey(lines);
    return c;
}

// The template's contents and a connection to the maintenance database, the connection made
// on another thread while the files are read and hashed: each takes a few milliseconds, and
// both come before a clone's CREATE DATABASE. A problem with the files is reported first.
struct Started {
    Contents contents;
    std::unique_ptr<db::Session> admin;
};

Started readContentsAndConnect(Context& ctx, const TemplateArgs& a) {
    Started s;
    const auto options = ctx.connectOptions();
    s.admin = runBeside<std::unique_ptr<db::Session>>(
        [target = ctx.settings().target, options] { return connectMaintenance(target, options); },
        [&] { s.contents = readContents(ctx, a); }, options.waitMs > 0);
    return s;
}

class TemplateProgress : public MigrationObserver, public SeedObserver {
  public:
    explicit TemplateProgress(report::ProgressLine& progress) : progress_(progress) {}
    void planned(size_t steps) override { total_ = steps; }
    void starting(const Migration& m, Direction /*d*/) override {
        progress_.start("template: migration " + std::to_string(++done_) + " of " +
                        std::to_string(total_) + ": " + m.label());
    }
    void starting(const std::string& seed) override { progress_.start("template: seed " + seed); }
    void rows(const std::string& table, int64_t rows, double fraction) override {
        progress_.rows(table, rows, fraction);
    }

  private:
    report::ProgressLine& progress_;
    size_t total_ = 0;
    size_t done_ = 0;
};

testdb::TemplateResult ensureTemplate(Context& ctx, db::Session& admin, const TemplateArgs& a,
                                      Contents& c) {
    const Settings& s = ctx.settings();
    testdb::TemplateRequest request;
    request.target = s.target;
    request.options = ctx.connectOptions();
    request.key = c.key;
    request.keep = a.keep;
    request.onWait = [](const std::string& holder) {
        spdlog::warn("another process is building the same template ({}); waiting for it", holder);
    };
    request.populate = [&](db::Session& session) {
        TemplateProgress progress(ctx.progress());
        LoadOptions options;
        options.vars = &s.vars;
        Migrator migrator(session, loadMigrationSet(s.migrationsDir, options), s.trackingSchema,
                          progress);
        migrator.up(UpOptions{}, RunOptions{});
        if (!c.seeds.empty()) {
            Seeder seeder(session, c.seeds, s.trackingSchema, s.environment, progress);
            SeedRunOptions options;
            options.randomSeed = a.randomSeed;
            seeder.run(options);
        }
    };
    auto result = testdb::ensureTemplate(admin, request);
    ctx.endProgress();
    return result;
}

// The template's size, for display and the choice of a copy strategy; -1 when not measured.
json templateJson(const testdb::TemplateResult& t, const Contents& c, int64_t bytes) {
    return {{"name", t.name},
            {"key", c.key},
            {"built", t.built},
            {"duration_ms", t.ms},
            {"bytes", bytes < 0 ? json(nullptr) : json(bytes)},
            {"migrations", c.migrations},
            {"seeds", c.seeds.size()},
            {"removed", t.removed}};
}

std::string templateLine(const testdb::TemplateResult& t, const Contents& c, int64_t bytes) {
    const std::string size =
        bytes < 0 ? "" : ", " + std::to_string((bytes + (1 << 19)) >> 20) + " MB";
    std::string line =
        "template " + t.name + ": " +
        (t.built ? "built in " + formatDurationMs(t.ms) + " (" + plural(c.migrations, "migration") +
                       ", " + plural(static_cast<int64_t>(c.seeds.size()), "seed") + size + ")"
                 : "up to date (found in " + formatDurationMs(t.ms) + size + ")");
    for (const auto& r : t.removed) {
        line += "; removed " + r;
    }
    return line;
}

// db template --drop-all: every template of the database (clones are databases of their
// own and stay).
int runDropTemplates(Context& ctx) {
    const auto& target = ctx.settings().target;
    auto admin = connectMaintenance(target, ctx.connectOptions());
    const auto removed = testdb::pruneTemplates(*admin, target.database(), 0, "");
    for (const auto& n : removed) {
        ctx.out().line("dropped " + n);
    }
    if (removed.empty()) {
        ctx.out().line("no templates of " + target.database() + "; nothing to do");
    }
    ctx.out().document({{"dropped", removed}});
    return 0;
}

int runTemplate(Context& ctx, const TemplateArgs& a) {
    if (a.dropAll) {
        return runDropTemplates(ctx);
    }
    auto [c, admin] = readContentsAndConnect(ctx, a);
    const auto t = ensureTemplate(ctx, *admin, a, c);
    const int64_t bytes = testdb::databaseBytes(*admin, t.name);
    ctx.out().line(templateLine(t, c, bytes));
    ctx.out().document(templateJson(t, c, bytes));
    return 0;
}

struct CloneArgs {
    TemplateArgs templ;
    std::optional<std::string> name;
    int count = 1;
    std::string strategy = "auto";
    std::vector<std::string> drop;
    bool dropAll = false;
    bool noSpare = false;
};

int runDrop(Context& ctx, const CloneArgs& a) {
    const auto& target = ctx.settings().target;
    auto admin = connectMaintenance(target, ctx.connectOptions());
    const auto names = a.dropAll ? testdb::listClones(*admin, target.database()) : a.drop;
    auto result = testdb::dropClones(*admin, names);
    if (a.dropAll) {  // the spares too: clones made ahead
        const auto spares =
            testdb::listSpares(*admin, target.database(), ctx.connectOptions().lockTimeoutMs);
        testdb::dropSpares(*admin, spares);
        result.dropped.insert(result.dropped.end(), spares.begin(), spares.end());
    }
    for (const auto& n : result.dropped) {
        ctx.out().line("dropped " + n);
    }
    for (const auto& n : result.missing) {
        ctx.out().line("no database " + n + "; nothing to do");
    }
    if (a.dropAll && result.dropped.empty()) {
        ctx.out().line("no clones of " + target.database() + "'s templates; nothing to do");
    }
    ctx.out().document({{"dropped", result.dropped}, {"missing", result.missing}});
    return 0;
}

// Leaves the template's spare being made for the next clone, in a process of its own that
// finishes the copy after this one has exited (testdb/clones.hpp). Its connection has no
// statement timeout: a large template's copy may take longer than the configured one.
void startSpare(Context& ctx, const std::string& templateName, testdb::CloneStrategy strategy) {
    auto options = ctx.connectOptions();
    options.waitMs = 0;
    options.statementTimeoutMs = 0;
    const auto& target = ctx.settings().target;
    if (!runDetached([&] {
            auto session = connectMaintenance(target, options);
            session->runScript(testdb::spareStatement(*session, templateName, strategy));
        })) {
        spdlog::debug("could not start the copy of {}'s spare", templateName);
    }
}

int runClone(Context& ctx, const CloneArgs& a) {
    if (a.dropAll || !a.drop.empty()) {
        return runDrop(ctx, a);
    }
    const auto wanted = testdb::parseStrategy(a.strategy);
    const auto& target = ctx.settings().target;
    const auto names = testdb::cloneNames(target.database(), a.name, a.count);
    auto [c, admin] = readContentsAndConnect(ctx, a.templ);
    const auto t = ensureTemplate(ctx, *admin, a.templ, c);
    const auto choice = wanted.value_or(testdb::CloneStrategy::Auto);
    auto fsync = admin->execParams("SELECT current_setting('fsync')");
    const bool fsyncOff = std::string(PQgetvalue(fsync.get(), 0, 0)) == "off";
    // The size only matters to the automatic choice on a durable server.
    const int64_t bytes = choice == testdb::CloneStrategy::Auto && !fsyncOff
                              ? testdb::databaseBytes(*admin, t.name)
                              : -1;
    spdlog::info("{}", templateLine(t, c, bytes));
    const auto strategy = testdb::pickStrategy(choice, bytes, fsyncOff);
    std::vector<testdb::Clone> taken;
    if (!a.noSpare) {
        const auto start = std::chrono::steady_clock::now();
        if (testdb::claimSpare(*admin, t.name, names.front())) {
            taken.push_back({names.front(), "spare", msSince(start)});
        }
    }
    const auto clones = testdb::createClones(
        *admin, t.name, {names.begin() + static_cast<std::ptrdiff_t>(taken.size()), names.end()},
        strategy, taken);
    json items = json::array();
    for (const auto& clone : clones) {
        const std::string url = target.with("dbname", clone.name).withoutPassword();
        ctx.out().line(url);
        items.push_back({{"database", clone.name},
                         {"url", url},
                         {"strategy", clone.strategy},
                         {"duration_ms", clone.ms}});
    }
    ctx.out().document({{"template", templateJson(t, c, bytes)}, {"clones", items}});
    if (!a.noSpare) {
        startSpare(ctx, t.name, strategy);
    }
    return 0;
}

void addTemplateOptions(CLI::App* cmd, TemplateArgs& a) {
    cmd->add_option("--keep", a.keep,
                    "Templates of this database to keep, the current one included (default 2)")
        ->check(atLeast(1));
    cmd->add_flag("--no-seeds", a.noSeeds, "Migrations only: load no seeds into the template");
    cmd->add_option("--random-seed", a.randomSeed,
                    "Seed of the random values of generate: seeds (default 1)");
}

}  // namespace

void addTemplateCommands(CLI::App& db, Action& action) {
    auto templ = std::make_shared<TemplateArgs>();
    auto* t = db.add_subcommand(
        "template", "Build (or find) the template database of the current migrations and seeds");
    addTemplateOptions(t, *templ);
    t->add_flag("--drop-all", templ->dropAll,
                "Drop every template of this database instead (clones stay)");
    t->callback(
        [&action, templ] { action = [templ](Context& c) { return runTemplate(c, *templ); }; });

    auto clone = std::make_shared<CloneArgs>();
    auto* c = db.add_subcommand(
        "clone", "Create migrated and seeded databases from the template and print their URLs");
    c->add_option("NAME", clone->name, "Name of the new database (with --count: NAME_1 ...)");
    c->add_option("--count", clone->count, "How many databases to create (default 1)")
        ->check(atLeast(1));
    c->add_option("--strategy", clone->strategy,
                  "How to copy the template: auto (by its size), wal_log or file_copy")
        ->check(CLI::IsMember({"auto", "wal_log", "file_copy"}));
    addTemplateOptions(c, clone->templ);
    auto* drop = c->add_option("--drop", clone->drop, "Drop these clones instead")->expected(1, -1);
    auto* dropAll = c->add_flag("--drop-all", clone->dropAll,
                                "Drop every clone of this database's templates instead");
    drop->excludes(dropAll);
    c->add_flag("--no-spare", clone->noSpare,
                "Neither take the copy made ahead by the last clone nor leave one for the next");
    c->callback(
        [&action, clone] { action = [clone](Context& ctx) { return runClone(ctx, *clone); }; });
}

}  // namespace dbtool::cli
