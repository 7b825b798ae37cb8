#include <spdlog/spdlog.h>

#include "base/duration.hpp"
#include "base/text.hpp"
#include "cli/context.hpp"
#include "db/scratch_database.hpp"
#include "migrate/drift.hpp"
#include "migrate/migrator.hpp"
#include "migrate/schema_dump.hpp"
#include "migrate/schema_load.hpp"

namespace dbtool::cli {

using nlohmann::json;

DriftOutcome checkDrift(Context& ctx, db::Session& live, bool owners) {
    const Settings& s = ctx.settings();
    LoadOptions load;
    load.vars = &s.vars;
    auto files = loadMigrationSet(s.migrationsDir, load);
    db::SnapshotOptions options;
    options.owners = owners;
    db::ScratchDatabase scratch(s.target, ctx.connectOptions(), "drift");
    spdlog::info("building the migrations' schema in scratch database {}", scratch.name());
    auto work = scratch.connect();
    const DriftReport report = findDrift(live, *work, std::move(files), s.trackingSchema, options);

    DriftOutcome outcome;
    outcome.drift = !report.entries.empty();
    auto& out = ctx.out();
    json items = json::array();
    std::vector<std::vector<std::string>> rows;
    for (const auto& e : report.entries) {
        std::string what = e.object;
        if (!e.parts.empty()) {
            what += " (with its " + db::partsText(e.parts) + ")";
        }
        if (e.kind == DriftEntry::Kind::Altered && e.expected && e.actual &&
            e.expected->size() + e.actual->size() < 160 &&
            e.expected->find('\n') == std::string::npos &&
            e.actual->find('\n') == std::string::npos) {
            what += ": " + *e.expected + " -> " + *e.actual;
        }
        const std::string kind = driftKindName(e.kind);
        rows.push_back(
            {e.kind == DriftEntry::Kind::Altered ? out.yellow(kind) : out.red(kind), what});
        json parts = json::object();
        for (const auto& [k, n] : e.parts) {
            parts[k] = n;
        }
        items.push_back({{"object", e.object},
                         {"kind", kind},
                         {"expected", e.expected ? json(*e.expected) : json(nullptr)},
                         {"actual", e.actual ? json(*e.actual) : json(nullptr)},
                         {"parts", parts}});
    }
    const std::string built = plural(report.migrationsApplied, "applied migration") +
                              (report.repeatablesApplied > 0
                                   ? " and " + plural(report.repeatablesApplied, "repeatable one")
                                   : "");
    if (rows.empty()) {
        outcome.lines.push_back(out.green("no drift") + ": the schema is what its " + built +
                                " make");
    } else {
        outcome.lines.push_back(
            out.bold("drift: " + plural(static_cast<int64_t>(rows.size()), "difference") +
                     " from what its " + built + " make"));
        std::string table = report::renderTable({out.bold("DRIFT"), out.bold("OBJECT")}, rows);
        table.pop_back();
        outcome.lines.push_back(table);
        outcome.lines.push_back(
            "added: in the database, not made by the migrations; missing: made by them, not in "
            "the database; altered: defined differently (migrations -> database)");
    }
    for (const auto& v : report.withoutFile) {
        outcome.lines.push_back(out.yellow("note: ") + "applied migration " + v +
                                " has no file: what it made shows as added");
    }
    outcome.document = {{"drift", outcome.drift},
                        {"differences", items},
                        {"migrations_applied", report.migrationsApplied},
                        {"repeatable_applied", report.repeatablesApplied},
                        {"without_file", report.withoutFile}};
    return outcome;
}

namespace {

MigrationObserver& quiet() {
    static MigrationObserver nothing;
    return nothing;
}

int runLoad(Context& ctx, const std::optional<std::string>& file, bool force) {
    const Settings& s = ctx.settings();
    const std::filesystem::path path = file ? std::filesystem::absolute(*file) : s.schemaFile;
    auto session = ctx.connect();
    const SchemaLoad loaded = loadSchema(*session, path, force);
    // What `migrate status` will say: the tracking rows came with the file.
    Migrator migrator(*session, loadMigrationSet(s.migrationsDir), s.trackingSchema, quiet());
    const auto report = migrator.report();
    int applied = 0;
    for (const auto& st : report.status) {
        applied += st.applied ? 1 : 0;
    }
    const std::string version = currentVersion(report.status);
    ctx.out().line("loaded " + path.string() + " into " + s.target.database() + ": " +
                   plural(static_cast<int64_t>(loaded.statements), "statement") + " in " +
                   formatDurationMs(loaded.ms) + "; " + plural(applied, "migration") +
                   " recorded as applied" +
                   (version.empty() ? "" : " (current version " + version + ")"));
    ctx.out().document({{"file", path.string()},
                        {"statements", loaded.statements},
                        {"duration_ms", loaded.ms},
                        {"migrations_applied", applied},
                        {"current_version", version.empty() ? json(nullptr) : json(version)}});
    return 0;
}

int runDiff(Context& ctx, bool owners) {
    auto live = ctx.connect();
    const DriftOutcome outcome = checkDrift(ctx, *live, owners);
    for (const auto& line : outcome.lines) {
        ctx.out().line(line);
    }
    ctx.out().document(outcome.document);
    return outcome.drift ? static_cast<int>(ExitCode::Check) : 0;
}

DumpMethod dumpMethod(const std::string& name) {
    return name == "pg_dump"   ? DumpMethod::PgDump
           : name == "catalog" ? DumpMethod::Catalog
                               : DumpMethod::Auto;
}

int runDump(Context& ctx, const std::optional<std::string>& file, const std::string& method) {
    const Settings& s = ctx.settings();
    auto session = ctx.connect();
    const SchemaDumpResult dump =
        dumpSchema(s.target, *session, s.trackingSchema, dumpMethod(method));
    if (!dump.note.empty()) {
        spdlog::info("schema read from the catalogs: {}", dump.note);
    }
    if (file && *file == "-") {
        ctx.out().raw(dump.sql);
        return 0;
    }
    const std::filesystem::path path = file ? std::filesystem::absolute(*file) : s.schemaFile;
    writeFileAtomically(path, dump.sql);
    ctx.out().line("wrote " + path.string() + " (" + dump.method + ")");
    ctx.out().document(
        {{"file", path.string()}, {"bytes", dump.sql.size()}, {"method", dump.method}});
    return 0;
}

}  // namespace

void addSchemaCommands(CLI::App& app, Action& action) {
    auto* schema = app.add_subcommand("schema", "The database schema: dump, load, diff");
    schema->require_subcommand(1);
    auto file = std::make_shared<std::optional<std::string>>();
    auto* dump = schema->add_subcommand(
        "dump", "Write the schema (pg_dump --schema-only) plus the applied migration versions");
    dump->add_option(
        "--file", *file,
        "Where to write (default: schema_file from dbtool.yaml, else ./schema.sql; - for stdout)");
    auto method = std::make_shared<std::string>("auto");
    dump->add_option("--method", *method,
                     "auto: pg_dump when it matches the server's major version, else the "
                     "catalogs; pg_dump; catalog (no pg_dump needed)")
        ->check(CLI::IsMember({"auto", "pg_dump", "catalog"}));
    dump->callback([&action, file, method] {
        action = [file, method](Context& c) { return runDump(c, *file, *method); };
    });

    auto loadFile = std::make_shared<std::optional<std::string>>();
    auto force = std::make_shared<bool>(false);
    auto* load = schema->add_subcommand(
        "load", "Load a dumped schema (with its tracking rows) into an empty database");
    load->add_option("--file", *loadFile,
                     "The schema file (default: schema_file from dbtool.yaml, else ./schema.sql)");
    load->add_flag("--force", *force, "Load into a database that is not empty");
    load->callback([&action, loadFile, force] {
        action = [loadFile, force](Context& c) { return runLoad(c, *loadFile, *force); };
    });

    auto owners = std::make_shared<bool>(false);
    auto* diff = schema->add_subcommand(
        "diff",
        "Compare the database's schema with what its applied migrations make (built in a "
        "scratch database); exit 8 on drift");
    diff->add_flag("--owners", *owners, "Also compare owners and privileges");
    diff->callback(
        [&action, owners] { action = [owners](Context& c) { return runDiff(c, *owners); }; });
}

}  // namespace dbtool::cli
