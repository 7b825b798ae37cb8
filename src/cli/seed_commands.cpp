#include <spdlog/spdlog.h>

#include <ctime>
#include <fstream>
#include <regex>

#include "base/duration.hpp"
#include "base/text.hpp"
#include "cli/context.hpp"
#include "cli/fleet_commands.hpp"
#include "seed/seeder.hpp"

namespace dbtool::cli {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// "; also through foreign keys: public.comments: 1 deleted (keys 17)"
std::string cascadedText(const SeedOutcome& o) {
    std::string out;
    for (const auto& c : o.cascaded) {
        out += (out.empty() ? "" : "; ") + c.table + ": " + std::to_string(c.rows) + " " +
               c.action + (c.keys.empty() ? "" : " (keys " + firstFew(c.keys, c.rows) + ")");
    }
    return out.empty() ? out : "; also through foreign keys: " + out;
}

std::string countsText(const SeedOutcome& o) {
    std::string out;
    for (const auto& t : o.tables) {
        std::string part = t.table + ":";
        if (o.action == SeedOutcome::Action::Undone) {
            if (!t.note.empty()) {
                part += " " + t.note;
            } else {
                part += " " + std::to_string(t.deleted) + " deleted";
            }
            if (t.kept > 0) {
                part += ", " + std::to_string(t.kept) +
                        " kept (changed since the seed wrote them; keys " +
                        firstFew(t.keptKeys, t.kept) + ")";
            }
        } else {
            part += " " + std::to_string(t.inserted) + " inserted";
            if (t.updated > 0)
                part += ", " + std::to_string(t.updated) + " updated";
            if (t.skipped > 0)
                part += ", " + std::to_string(t.skipped) + " skipped";
        }
        out += (out.empty() ? "" : "; ") + part;
    }
    return (out.empty() ? "no rows" : out) + cascadedText(o);
}

json outcomeJson(const SeedOutcome& o) {
    static const char* actions[] = {"ran",    "rerun",   "already_applied", "changed_not_rerun",
                                    "undone", "reloaded"};
    json tables = json::array();
    for (const auto& t : o.tables) {
        json entry = {{"table", t.table}};
        if (o.action == SeedOutcome::Action::Undone) {
            entry["deleted"] = t.deleted;
            entry["kept"] = t.kept;
            entry["kept_keys"] = t.keptKeys;
            entry["note"] = t.note.empty() ? json(nullptr) : json(t.note);
        } else {
            entry["inserted"] = t.inserted;
            entry["updated"] = t.updated;
            entry["skipped"] = t.skipped;
        }
        tables.push_back(entry);
    }
    json out = {{"name", o.name},       {"action", actions[static_cast<int>(o.action)]},
                {"tables", tables},     {"duration_ms", o.ms},
                {"deleted", o.deleted}, {"not_restored", o.notRestored}};
    if (o.action == SeedOutcome::Action::Undone)
        out["kept"] = o.kept;
    json cascaded = json::array();
    for (const auto& c : o.cascaded)
        cascaded.push_back(
            {{"table", c.table}, {"action", c.action}, {"rows", c.rows}, {"keys", c.keys}});
    out["cascaded"] = cascaded;
    if (o.action == SeedOutcome::Action::Reloaded)
        out["stale_because"] = o.reason;
    return out;
}

class PrintingSeedObserver : public SeedObserver {
  public:
    PrintingSeedObserver(report::Output& out, report::ProgressLine& progress)
        : out_(out), progress_(progress) {
        out_.doneSoFar()["seeds"] = json::array();
    }
    void starting(const std::string& seed) override { progress_.start("seed " + seed); }
    void rows(const std::string& table, int64_t rows, double fraction) override {
        progress_.rows(table, rows, fraction);
    }
    void waitingForLock(const std::string& holder) override {
        spdlog::info("waiting for the lock ({})", holder);
    }
    void note(const std::string& text) override { spdlog::info("{}", text); }
    void warning(const std::string& text) override { spdlog::warn("{}", text); }
    void done(const SeedOutcome& o) override {
        progress_.finish();
        if (o.action == SeedOutcome::Action::Ran || o.action == SeedOutcome::Action::Rerun ||
            o.action == SeedOutcome::Action::Reloaded) {
            spdlog::debug("{}: {}", o.name,
                          o.onePass ? "read and loaded in one pass"
                                    : "read twice: planned (labels, references, load order, "
                                      "generate, csv or upserts), then loaded");
        }
        out_.doneSoFar()["seeds"].push_back(outcomeJson(o));
        using A = SeedOutcome::Action;
        switch (o.action) {
            case A::Ran:
                out_.line(out_.green(o.dryRun ? "would seed " : "seeded     ") + "  " + o.name +
                          "  " + countsText(o) + "  " +
                          out_.dim("(" + formatDurationMs(o.ms) + ")"));
                break;
            case A::Rerun:
                out_.line(out_.green(o.dryRun ? "would re-seed" : "re-seeded  ") + "  " + o.name +
                          "  " + countsText(o) + " (" + plural(o.deleted, "row") +
                          " of the previous run deleted)  " +
                          out_.dim("(" + formatDurationMs(o.ms) + ")"));
                break;
            case A::Reloaded:
                out_.line(out_.green(o.dryRun ? "would reload" : "reloaded   ") + "  " + o.name +
                          "  " + countsText(o) + " (it was stale: " + o.reason +
                          (o.deleted > 0 ? "; " + plural(o.deleted, "row") +
                                               " left of the previous run deleted"
                                         : "") +
                          ")  " + out_.dim("(" + formatDurationMs(o.ms) + ")"));
                break;
            case A::AlreadyApplied:
                // One summary line says it; the per-seed lines are for -v.
                spdlog::debug("{} already applied; skipped", o.name);
                break;
            case A::ChangedNotRerun:
                out_.line(out_.yellow("changed    ") + "  " + o.name +
                          "  changed since it ran; not re-run (--force re-runs it)");
                break;
            case A::Undone:
                out_.line(out_.yellow("undone     ") + "  " + o.name + "  " + countsText(o) +
                          (o.notRestored > 0
                               ? "; " + plural(o.notRestored, "row") + " it updated not restored"
                               : "") +
                          "  " + out_.dim("(" + formatDurationMs(o.ms) + ")"));
                break;
        }
    }

  private:
    report::Output& out_;
    report::ProgressLine& progress_;
};

struct Loaded {
    std::unique_ptr<db::Session> session;
    std::unique_ptr<PrintingSeedObserver> observer;
    std::unique_ptr<Seeder> seeder;
};

Loaded load(Context& ctx) {
    Loaded l;
    const Settings& s = ctx.settings();
    auto files = findSeedFiles(s.seedsDir, s.environment);
    l.session = ctx.connect();
    l.observer = std::make_unique<PrintingSeedObserver>(ctx.out(), ctx.progress());
    l.seeder = std::make_unique<Seeder>(*l.session, std::move(files), s.trackingSchema,
                                        s.environment, *l.observer);
    return l;
}

struct RunArgs {
    std::vector<std::string> names;
    bool dryRun = false;
    bool force = false;
    bool cascade = false;
    uint64_t randomSeed = 1;
    FleetArgs fleet;
};

int runRun(Context& ctx, const RunArgs& a) {
    SeedRunOptions o;
    o.names = a.names;
    o.dryRun = a.dryRun;
    o.force = a.force;
    o.cascade = a.cascade;
    o.randomSeed = a.randomSeed;
    if (a.fleet.requested())
        return runFleetSeedRun(ctx, a.fleet, o);
    auto l = load(ctx);
    const auto outcomes = l.seeder->run(o);
    int ran = 0, changed = 0;
    int64_t rows = 0;
    json items = json::array();
    for (const auto& oc : outcomes) {
        if (oc.action == SeedOutcome::Action::Ran || oc.action == SeedOutcome::Action::Rerun ||
            oc.action == SeedOutcome::Action::Reloaded) {
            ++ran;
            for (const auto& t : oc.tables)
                rows += t.inserted;
        }
        if (oc.action == SeedOutcome::Action::ChangedNotRerun)
            ++changed;
        items.push_back(outcomeJson(oc));
    }
    auto& out = ctx.out();
    const std::string changedText = changed > 0 ? " " + plural(changed, "changed seed") +
                                                      " not re-run (see `dbtool seed status`)."
                                                : "";
    if (a.dryRun) {
        out.line(out.bold("Dry run: " + plural(ran, "seed") + " would load " + plural(rows, "row") +
                          "; loaded without error in a transaction that was rolled back, "
                          "nothing was changed." +
                          changedText));
    } else if (ran == 0 && changed == 0) {
        out.line("Nothing to seed; " +
                 (outcomes.empty() ? std::string("there are no seed files in ") +
                                         ctx.settings().seedsDir.string() + "."
                  : outcomes.size() == 1
                      ? std::string("the seed is applied.")
                      : "all " + std::to_string(outcomes.size()) + " seeds are applied."));
    } else {
        out.line(out.bold("Ran " + plural(ran, "seed") + ", " + plural(rows, "row") + " inserted." +
                          changedText));
    }
    out.document({{"dry_run", a.dryRun}, {"seeds", items}, {"rows_inserted", rows}});
    return 0;
}

int runStatus(Context& ctx, bool exitCode, const FleetArgs& fleet) {
    if (fleet.requested())
        return runFleetSeedStatus(ctx, fleet, exitCode);
    auto l = load(ctx);
    const auto status = l.seeder->status();
    auto& out = ctx.out();
    std::vector<std::vector<std::string>> rows;
    json items = json::array();
    std::map<std::string, int> counts;
    for (const auto& s : status) {
        const std::string state = seedStateName(s.state);
        counts[state]++;
        const std::string colored = s.state == SeedState::Applied   ? out.green(state)
                                    : s.state == SeedState::Pending ? out.yellow(state)
                                                                    : out.red(state);
        // "300", or "202 of 300" when the application deleted some of them.
        std::string rowsText;
        if (s.applied) {
            rowsText = std::to_string(s.applied->rowsInserted);
            if (s.rowsPresent != s.applied->rowsInserted)
                rowsText = std::to_string(s.rowsPresent) + " of " + rowsText;
        }
        rows.push_back({s.name, colored, s.applied ? s.applied->appliedAt : "", rowsText,
                        s.reason.empty() ? "" : out.dim(s.reason)});
        items.push_back(
            {{"name", s.name},
             {"state", state},
             {"applied_at", s.applied ? json(s.applied->appliedAt) : json(nullptr)},
             {"rows_inserted", s.applied ? json(s.applied->rowsInserted) : json(nullptr)},
             {"rows_present", s.applied ? json(s.rowsPresent) : json(nullptr)},
             {"rows_updated", s.applied ? json(s.applied->rowsUpdated) : json(nullptr)},
             {"row_counts", s.applied ? json::parse(s.applied->rowCountsJson) : json(nullptr)},
             {"file", s.file ? json(s.file->path.string()) : json(nullptr)},
             {"stale_because", s.reason.empty() ? json(nullptr) : json(s.reason)}});
    }
    if (!out.json()) {
        if (rows.empty()) {
            out.line("No seed files in " + ctx.settings().seedsDir.string() + ".");
        } else {
            std::string table = report::renderTable(
                {out.bold("SEED"), out.bold("STATE"), out.bold("APPLIED AT"), out.bold("ROWS"), ""},
                rows);
            table.pop_back();
            out.line(table);
        }
        std::string summary;
        for (const char* st : {"applied", "stale", "pending", "changed", "missing"}) {
            if (counts[st] > 0)
                summary += (summary.empty() ? "" : ", ") + std::to_string(counts[st]) + " " + st;
        }
        out.line("\n" + (summary.empty() ? std::string("nothing") : summary) + ".");
    }
    out.document({{"seeds", items},
                  {"summary",
                   {{"applied", counts["applied"]},
                    {"stale", counts["stale"]},
                    {"pending", counts["pending"]},
                    {"changed", counts["changed"]},
                    {"missing", counts["missing"]}}},
                  {"environment", ctx.settings().environment}});
    const bool differs =
        counts["pending"] + counts["changed"] + counts["missing"] + counts["stale"] > 0;
    return exitCode && differs ? static_cast<int>(ExitCode::Check) : 0;
}

int runUndo(Context& ctx, const std::optional<std::string>& name, bool all,
            const UndoOptions& options) {
    auto l = load(ctx);
    const auto outcomes = l.seeder->undo(name, all, options);
    int64_t deleted = 0;
    json items = json::array();
    for (const auto& o : outcomes) {
        deleted += o.deleted;
        items.push_back(outcomeJson(o));
    }
    ctx.out().line(outcomes.empty()
                       ? "Nothing to undo; no seed is applied."
                       : ctx.out().bold("Undid " +
                                        plural(static_cast<int64_t>(outcomes.size()), "seed") +
                                        ", " + plural(deleted, "row") + " deleted."));
    ctx.out().document({{"seeds", items}, {"rows_deleted", deleted}});
    return 0;
}

int runCreate(Context& ctx, const std::string& name, const std::string& table) {
    requireFileName("seed", name, "demo_users");
    const fs::path dir = ctx.settings().seedsDir;
    fs::create_directories(dir);
    const fs::path path = dir / (utcTimestamp(std::time(nullptr)) + "_" + name + ".yaml");
    if (fs::exists(path)) {
        throw Error(ExitCode::Usage, "refusing to overwrite " + path.string(), {path.string()});
    }
    std::ofstream f(path, std::ios::binary);
    f << seedTemplate(table);
    if (!f) {
        throw Error(ExitCode::Failure, "cannot write " + path.string(), {path.string()});
    }
    ctx.out().line(path.string());
    ctx.out().document({{"file", path.string()}});
    return 0;
}

}  // namespace

void addSeedCommands(CLI::App& app, Action& action) {
    auto* seed = app.add_subcommand("seed", "YAML seed files: run, status, undo, create");
    seed->require_subcommand(1);

    auto run = std::make_shared<RunArgs>();
    auto* runCmd =
        seed->add_subcommand("run", "Load the seeds not yet applied, each in a transaction");
    runCmd->add_option("NAME", run->names, "Only these seeds (001_users, users, or env/name)");
    runCmd->add_flag("--dry-run", run->dryRun,
                     "Validate and show what would be loaded; change nothing");
    runCmd->add_flag("--force", run->force,
                     "Re-run changed (and named) seeds: undo their rows, then load again");
    runCmd->add_flag("--cascade", run->cascade,
                     "Let deleting a re-run or stale seed's previous rows reach other rows "
                     "through ON DELETE CASCADE / SET NULL / SET DEFAULT, and report them");
    runCmd->add_option("--random-seed", run->randomSeed,
                       "Randomness of generated rows (same seed, same data; default 1)");
    addFleetOptions(*runCmd, run->fleet);
    runCmd->callback([&action, run] { action = [run](Context& c) { return runRun(c, *run); }; });

    auto exitCode = std::make_shared<bool>(false);
    auto* status =
        seed->add_subcommand("status", "List seeds: applied, stale, pending, changed, missing");
    status->add_flag("--exit-code", *exitCode,
                     "Exit 8 when anything is stale, pending, changed or missing");
    auto statusFleet = std::make_shared<FleetArgs>();
    addFleetOptions(*status, *statusFleet);
    status->callback([&action, exitCode, statusFleet] {
        action = [exitCode, statusFleet](Context& c) {
            return runStatus(c, *exitCode, *statusFleet);
        };
    });

    auto undoName = std::make_shared<std::optional<std::string>>();
    auto undoAll = std::make_shared<bool>(false);
    auto* undo = seed->add_subcommand(
        "undo",
        "Delete exactly the rows a seed inserted (default: the newest seed) and unrecord it");
    auto* nameOpt = undo->add_option("NAME", *undoName, "The seed to undo");
    undo->add_flag("--all", *undoAll, "Undo every applied seed, newest first")->excludes(nameOpt);
    auto undoOptions = std::make_shared<UndoOptions>();
    undo->add_flag("--include-changed", undoOptions->includeChanged,
                   "Also delete rows with the seed's keys that were changed since it wrote them "
                   "(kept by default)");
    undo->add_flag("--cascade", undoOptions->cascade,
                   "Let the delete reach other rows through ON DELETE CASCADE / SET NULL / SET "
                   "DEFAULT (refused by default), and report them");
    undo->callback([&action, undoName, undoAll, undoOptions] {
        action = [undoName, undoAll, undoOptions](Context& c) {
            return runUndo(c, *undoName, *undoAll, *undoOptions);
        };
    });

    auto createName = std::make_shared<std::string>();
    auto createTable = std::make_shared<std::string>();
    auto* create = seed->add_subcommand("create", "Write a new, timestamped seed file");
    create->add_option("NAME", *createName, "What the seed holds, e.g. demo_users")->required();
    create->add_option("--table", *createTable, "Table for the template (default: NAME)");
    create->callback([&action, createName, createTable] {
        action = [createName, createTable](Context& c) {
            return runCreate(c, *createName, *createTable);
        };
    });
}

}  // namespace dbtool::cli
