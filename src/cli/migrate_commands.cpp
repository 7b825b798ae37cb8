#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <fstream>
#include <regex>
#include <set>

#include "base/duration.hpp"
#include "base/text.hpp"
#include "cli/context.hpp"
#include "cli/fleet_commands.hpp"
#include "cli/lint_report.hpp"
#include "migrate/migrator.hpp"
#include "migrate/schema_dump.hpp"

namespace dbtool::cli {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

json stepJson(const Migration& m, Direction d, int64_t ms) {
    return {{"version", m.versioned() ? json(m.version) : json(nullptr)},
            {"name", m.name},
            {"kind", m.repeatable          ? "repeatable"
                     : !m.callback.empty() ? "callback"
                                           : "versioned"},
            {"direction", d == Direction::Up ? "up" : "down"},
            {"duration_ms", ms}};
}

// "VERSION  NAME" in run output; a repeatable migration or a callback has its file name
// (R__NAME, beforeMigrate.sql) instead.
std::string shownName(const Migration& m) {
    return m.versioned() ? m.version + "  " + m.name : m.label();
}

json stepJson(const MigrationStep& s, bool dryRun) {
    json step = stepJson(*s.migration, s.direction, s.ms);
    if (dryRun) {
        step["checked"] = s.notChecked.empty();
        step["not_checked_because"] = s.notChecked.empty() ? json(nullptr) : json(s.notChecked);
    }
    return step;
}

// Prints a line per migration as it completes, so a CI log shows progress as it happens.
class PrintingObserver : public MigrationObserver {
  public:
    PrintingObserver(report::Output& out, report::ProgressLine& progress)
        : out_(out), progress_(progress) {
        out_.doneSoFar()["steps"] = json::array();
    }
    void planned(size_t steps) override { total_ += steps; }
    void waitingForLock(const std::string& holder) override {
        spdlog::info("waiting for the migration lock ({})", holder);
    }
    void note(const std::string& text) override { spdlog::info("{}", text); }
    void starting(const Migration& m, Direction d) override {
        const std::string verb = d == Direction::Up ? "applying" : "rolling back";
        spdlog::debug("{} {}", verb, m.label());
        ++started_;
        progress_.start(verb + " migration " + std::to_string(started_) + " of " +
                        std::to_string(std::max(total_, started_)) + ": " + m.label());
    }
    void finished(const Migration& m, Direction d, int64_t ms) override {
        progress_.finish();
        out_.doneSoFar()["steps"].push_back(stepJson(m, d, ms));
        const std::string verb = !m.callback.empty()  ? out_.green("ran        ")
                                 : d == Direction::Up ? out_.green("applied    ")
                                                      : out_.yellow("rolled back");
        out_.line(verb + "  " + shownName(m) + "  " + out_.dim("(" + formatDurationMs(ms) + ")"));
    }

  private:
    report::Output& out_;
    report::ProgressLine& progress_;
    size_t total_ = 0;
    size_t started_ = 0;
};

json stepsJson(const RunResult& r) {
    json steps = json::array();
    for (const auto& s : r.steps) {
        steps.push_back(stepJson(s, r.dryRun));
    }
    return steps;
}

std::string versionText(const std::string& v) {
    return v.empty() ? "(none applied)" : v;
}

int printRun(Context& ctx, const std::string& command, const RunResult& r) {
    auto& out = ctx.out();
    if (r.dryRun) {
        size_t unchecked = 0;
        for (const auto& s : r.steps) {
            unchecked += s.notChecked.empty() ? 0 : 1;
            out.line(std::string(!s.migration->callback.empty() ? "would run        "
                                 : s.direction == Direction::Up ? "would apply      "
                                                                : "would roll back  ") +
                     shownName(*s.migration) + "  " +
                     (s.notChecked.empty() ? out.dim("(ran, " + formatDurationMs(s.ms) + ")")
                                           : out.yellow("not checked: " + s.notChecked)));
        }
        std::string summary =
            "Dry run: " + plural(static_cast<int64_t>(r.steps.size()), "step") + " planned";
        if (!r.steps.empty())
            summary += ", " + std::to_string(r.steps.size() - unchecked) +
                       " ran without error in a transaction that was rolled back";
        if (unchecked > 0)
            summary += ", " + std::to_string(unchecked) + " not checked";
        out.line(summary +
                 "; nothing was changed. Current version: " + versionText(r.versionBefore) + ".");
    } else if (std::all_of(r.steps.begin(), r.steps.end(),
                           [](const auto& s) { return !s.migration->callback.empty(); })) {
        out.line("Nothing to do; the database is at version " + versionText(r.versionAfter) + ".");
    } else {
        size_t ups = 0, downs = 0;
        for (const auto& s : r.steps) {
            if (s.migration->callback.empty()) {
                (s.direction == Direction::Up ? ups : downs)++;
            }
        }
        std::string what;
        if (downs > 0 && ups > 0) {  // redo
            what = "rolled back " + std::to_string(downs) + " and applied " +
                   plural(static_cast<int64_t>(ups), "migration");
        } else {
            what = (downs > 0 ? "rolled back " : "applied ") +
                   plural(static_cast<int64_t>(downs + ups), "migration");
        }
        what[0] = static_cast<char>(std::toupper(what[0]));
        out.line(out.bold(what + " in " + formatDurationMs(r.totalMs) + "; now at version " +
                          versionText(r.versionAfter) + "."));
    }
    out.document({{"command", command},
                  {"dry_run", r.dryRun},
                  {"steps", stepsJson(r)},
                  {"version_before", r.versionBefore},
                  {"version_after", r.versionAfter},
                  {"duration_ms", r.totalMs}});
    return 0;
}

struct Loaded {
    std::unique_ptr<db::Session> session;
    std::unique_ptr<PrintingObserver> observer;
    std::unique_ptr<Migrator> migrator;
};

// `runsSql`: see Context::loadMigrations.
Loaded load(Context& ctx, bool runsSql = false) {
    Loaded l;
    MigrationSet files;
    l.session = ctx.connectWhile([&] { files = ctx.loadMigrations(runsSql); });
    l.observer = std::make_unique<PrintingObserver>(ctx.out(), ctx.progress());
    l.migrator = std::make_unique<Migrator>(*l.session, std::move(files),
                                            ctx.settings().trackingSchema, *l.observer);
    return l;
}

struct UpArgs {
    std::optional<std::string> to;
    std::optional<int> step;
    bool dryRun = false;
    bool singleTransaction = false;
    bool allowOutOfOrder = false;
    bool ignoreChecksums = false;
    bool ignoreMissing = false;
    bool allowEmpty = false;
    bool dumpSchema = false;
    bool lint = false;
    FleetArgs fleet;
};

// migrate up --lint: the planned migrations are linted as one run against the live database
// first; an error-severity finding refuses the whole run before anything is applied.
void lintBeforeUp(Context& ctx, Loaded& l, const UpOptions& plan) {
    const auto planned = planUp(l.migrator->status(), plan);
    const auto report = lintRun(ctx.settings(), planned, l.session.get());
    std::vector<Error::ListItem> errors;
    for (const auto& f : report.findings) {
        if (f.severity != lint::Severity::Error) {
            spdlog::warn("lint: {}", findingText(ctx.out(), f));
            continue;
        }
        const auto where = report::shownLocation(f.where);
        errors.push_back({findingText(ctx.out(), f),
                          {{"file", where.file},
                           {"line", int64_t{where.line}},
                           {"column", int64_t{where.column}},
                           {"rule", f.rule},
                           {"message", f.message},
                           {"help", f.help}}});
    }
    if (!errors.empty()) {
        Error e(ExitCode::Check,
                "migrate up --lint: " + plural(static_cast<int64_t>(errors.size()), "lint error") +
                    " in the pending migrations; nothing was applied",
                {},
                "make the statements safe (each finding's help says how), or accept one with "
                "`-- dbtool:lint-ignore RULE REASON` above it");
        e.withList("findings", std::move(errors), true);
        throw e;
    }
}

int runUp(Context& ctx, const UpArgs& a) {
    UpOptions plan;
    plan.to = a.to;
    plan.step = a.step;
    plan.allowOutOfOrder = a.allowOutOfOrder;
    plan.ignoreChecksums = a.ignoreChecksums;
    plan.ignoreMissing = a.ignoreMissing;
    plan.allowEmpty = a.allowEmpty;
    RunOptions run;
    run.dryRun = a.dryRun;
    run.singleTransaction = a.singleTransaction;
    if (a.fleet.requested()) {
        if (a.lint || a.dumpSchema) {
            throw Error(ExitCode::Usage,
                        std::string(a.lint ? "--lint" : "--dump-schema") +
                            " is for one database, not --targets",
                        {},
                        a.lint ? "lint first with `dbtool migrate lint`, then run up --targets"
                               : "dump the schema of one target with `dbtool schema dump`");
        }
        return runFleetUp(ctx, a.fleet, plan, run);
    }
    auto l = load(ctx, true);
    if (a.lint) {
        lintBeforeUp(ctx, l, plan);
    }
    const int code = printRun(ctx, "up", l.migrator->up(plan, run));
    const Settings& s = ctx.settings();
    if (!a.dryRun && (a.dumpSchema || s.dumpSchema)) {
        // Refreshed after every successful run, so the committed file follows the migrations.
        writeFileAtomically(s.schemaFile, dumpSchema(s.target, *l.session, s.trackingSchema).sql);
        spdlog::info("schema written to {}", s.schemaFile.string());
    }
    return code;
}

struct DownArgs {
    std::optional<int> step;
    std::optional<std::string> to;
    bool all = false;
    bool dryRun = false;
    bool ignoreChecksums = false;
    FleetArgs fleet;
};

int runDown(Context& ctx, const DownArgs& a) {
    DownOptions plan;
    plan.step = a.step;
    plan.to = a.to;
    plan.all = a.all;
    plan.ignoreChecksums = a.ignoreChecksums;
    RunOptions run;
    run.dryRun = a.dryRun;
    if (a.fleet.requested())
        return runFleetDown(ctx, a.fleet, plan, run);
    auto l = load(ctx, true);
    return printRun(ctx, "down", l.migrator->down(plan, run));
}

int runRedo(Context& ctx, int step, bool dryRun, bool ignoreChecksums) {
    auto l = load(ctx, true);
    RunOptions run;
    run.dryRun = dryRun;
    return printRun(ctx, "redo", l.migrator->redo(step, ignoreChecksums, run));
}

std::string stateCell(report::Output& out, MigrationState state) {
    const std::string name = stateName(state);
    switch (state) {
        case MigrationState::Applied:
            return out.green(name);
        case MigrationState::Pending:
            return out.yellow(name);
        default:
            return out.red(name);
    }
}

int runStatus(Context& ctx, bool exitCode, bool drift, const FleetArgs& fleet) {
    if (fleet.requested()) {
        if (drift) {
            throw Error(ExitCode::Usage, "--drift is for one database, not --targets", {},
                        "compare one target's schema with `dbtool schema diff`");
        }
        return runFleetMigrateStatus(ctx, fleet, exitCode);
    }
    auto l = load(ctx);
    const auto [status, tracking, repeatables] = l.migrator->report();
    auto& out = ctx.out();
    std::map<std::string, int> counts;
    std::vector<std::vector<std::string>> rows;
    json items = json::array();
    for (const auto& s : status) {
        counts[stateName(s.state)]++;
        const std::string appliedAt = s.applied ? s.applied->appliedAt : "";
        // Not recorded for adopted rows and mark-applied.
        const bool timed = s.applied && s.applied->executionMs;
        const int64_t ms = timed ? *s.applied->executionMs : 0;
        // "-": applied at a time nobody recorded (rows adopted from golang-migrate).
        rows.push_back({s.version, s.name, stateCell(out, s.state),
                        s.applied && appliedAt.empty() ? "-" : appliedAt,
                        timed ? formatDurationMs(ms) : ""});
        if (!out.json()) {
            continue;  // the document is only built for --format json: it was 6 % of status
        }
        items.push_back({{"version", s.version},
                         {"name", s.name},
                         {"state", stateName(s.state)},
                         {"applied_at", appliedAt.empty() ? json(nullptr) : json(appliedAt)},
                         {"execution_ms", timed ? json(ms) : json(nullptr)},
                         {"file", s.file ? json(s.file->up.file.string()) : json(nullptr)}});
    }
    std::map<std::string, int> repeatableCounts;
    std::vector<std::vector<std::string>> repeatableRows;
    json repeatableItems = json::array();
    for (const auto& r : repeatables) {
        repeatableCounts[stateName(r.state)]++;
        const std::string appliedAt = r.applied ? r.applied->appliedAt : "";
        const bool timed = r.applied && r.applied->executionMs;
        const int64_t ms = timed ? *r.applied->executionMs : 0;
        const std::string state = stateName(r.state);
        repeatableRows.push_back({"R__" + r.name,
                                  r.state == RepeatableState::Applied   ? out.green(state)
                                  : r.state == RepeatableState::Missing ? out.dim(state)
                                                                        : out.yellow(state),
                                  appliedAt, timed ? formatDurationMs(ms) : ""});
        repeatableItems.push_back(
            {{"name", r.name},
             {"state", state},
             {"applied_at", appliedAt.empty() ? json(nullptr) : json(appliedAt)},
             {"execution_ms", timed ? json(ms) : json(nullptr)},
             {"file", r.file ? json(r.file->up.file.string()) : json(nullptr)}});
    }
    const auto interrupted = l.migrator->interrupted();
    json stopped = json::array();
    for (const auto& i : interrupted) {
        stopped.push_back({{"version", i.version},
                           {"name", i.name},
                           {"direction", i.direction},
                           {"statements_committed", i.committed},
                           {"statements", i.statements},
                           {"started_at", i.startedAt}});
    }
    const int problems = counts["pending"] + counts["changed"] + counts["missing"] +
                         counts["out_of_order"] + static_cast<int>(interrupted.size()) +
                         static_cast<int>(tracking.size()) + repeatableCounts["pending"] +
                         repeatableCounts["outdated"];
    if (!out.json()) {
        if (rows.empty()) {
            out.line("No migrations in " + ctx.settings().migrationsDir.string() + ".");
        } else {
            std::string table =
                report::renderTable({out.bold("VERSION"), out.bold("NAME"), out.bold("STATE"),
                                     out.bold("APPLIED AT"), out.bold("DURATION")},
                                    rows);
            table.pop_back();
            out.line(table);
        }
        std::string summary;
        for (const char* state : {"applied", "pending", "changed", "missing", "out_of_order"}) {
            if (counts[state] > 0) {
                summary +=
                    (summary.empty() ? "" : ", ") + std::to_string(counts[state]) + " " + state;
            }
        }
        out.line("\n" + (summary.empty() ? std::string("nothing") : summary) +
                 "; current version " + versionText(currentVersion(status)) + ".");
        if (!repeatableRows.empty()) {
            std::string table = report::renderTable({out.bold("REPEATABLE"), out.bold("STATE"),
                                                     out.bold("APPLIED AT"), out.bold("DURATION")},
                                                    repeatableRows);
            table.pop_back();
            std::string rsummary;
            for (const char* state : {"applied", "pending", "outdated", "missing"}) {
                if (repeatableCounts[state] > 0) {
                    rsummary += (rsummary.empty() ? "" : ", ") +
                                std::to_string(repeatableCounts[state]) + " " + state;
                }
            }
            out.line("\n" + table + "\n\nrepeatable: " + rsummary + ".");
        }
        for (const auto& t : tracking)
            out.line(out.red("tracking table: ") + t);
        for (const auto& i : interrupted) {
            const Error e = l.migrator->interruptedError(i);
            out.line(out.red("interrupted: ") + e.what() + "\n  " + e.hint());
        }
    }
    // --drift: also compare the schema with what the applied migrations make.
    std::optional<DriftOutcome> drifted;
    if (drift) {
        drifted = checkDrift(ctx, *l.session, false);
        for (const auto& line : drifted->lines) {
            out.line(line);
        }
    }
    json doc = {{"migrations", items},
                {"summary",
                 {{"applied", counts["applied"]},
                  {"pending", counts["pending"]},
                  {"changed", counts["changed"]},
                  {"missing", counts["missing"]},
                  {"out_of_order", counts["out_of_order"]}}},
                {"current_version", currentVersion(status)},
                {"repeatable_migrations", repeatableItems},
                {"repeatable_summary",
                 {{"applied", repeatableCounts["applied"]},
                  {"pending", repeatableCounts["pending"]},
                  {"outdated", repeatableCounts["outdated"]},
                  {"missing", repeatableCounts["missing"]}}},
                {"interrupted", stopped},
                {"tracking_problems", tracking},
                {"tracking_table", l.migrator->schema() + ".schema_migrations"}};
    if (drifted) {
        doc["drift"] = drifted->document;
    }
    out.document(doc);
    if (drifted && drifted->drift) {
        return static_cast<int>(ExitCode::Check);
    }
    return exitCode && problems > 0 ? static_cast<int>(ExitCode::Check) : 0;
}

int runValidate(Context& ctx, const FleetArgs& fleet) {
    if (fleet.requested())
        return runFleetValidate(ctx, fleet);
    auto l = load(ctx);
    auto& out = ctx.out();
    json problems = json::array();
    int applied = 0;
    for (const auto& s : l.migrator->status()) {
        if (s.state == MigrationState::Changed || s.state == MigrationState::Missing) {
            const std::string what = s.state == MigrationState::Changed
                                         ? "changed since it was applied (checksum differs)"
                                         : "recorded as applied, but its file is missing";
            out.line(out.red(stateName(s.state)) + "  " + s.version + "  " + s.name + ": " + what);
            problems.push_back({{"version", s.version},
                                {"name", s.name},
                                {"state", stateName(s.state)},
                                {"problem", what}});
        } else if (s.applied) {
            ++applied;
        }
    }
    if (problems.empty()) {
        out.line("ok: " + plural(applied, "applied migration") +
                 (applied == 1 ? " matches its file." : " match their files."));
    }
    out.document({{"valid", problems.empty()}, {"problems", problems}, {"applied", applied}});
    return problems.empty() ? 0 : static_cast<int>(ExitCode::Check);
}

int runMarkApplied(Context& ctx, const std::string& version) {
    auto l = load(ctx);
    const Migration& m = l.migrator->markApplied(version);
    ctx.out().line("marked " + m.label() + " as applied (its SQL was not run)");
    ctx.out().document({{"version", m.version}, {"name", m.name}, {"state", "applied"}});
    return 0;
}

int runMarkPending(Context& ctx, const std::string& version) {
    auto l = load(ctx);
    const MigrationStatus s = l.migrator->markPending(version);
    ctx.out().line("marked " + s.version + " " + s.name +
                   " as pending (its down section was not run)");
    ctx.out().document({{"version", s.version}, {"name", s.name}, {"state", "pending"}});
    return 0;
}

}  // namespace

void addMigrateCommands(CLI::App& app, Action& action) {
    auto* migrate = app.add_subcommand(
        "migrate",
        "Versioned SQL migrations: up, down, redo, status, validate, lint, verify, create");
    migrate->require_subcommand(1);

    auto up = std::make_shared<UpArgs>();
    auto* upCmd = migrate->add_subcommand("up", "Apply pending migrations, each in a transaction");
    upCmd->add_option("--to", up->to, "Apply up to and including VERSION");
    upCmd->add_option("--step", up->step, "Apply at most N migrations")->check(atLeast(1));
    upCmd->add_flag("--dry-run", up->dryRun, "Show what would be applied; change nothing");
    upCmd->add_flag("--single-transaction", up->singleTransaction,
                    "Apply the whole run in one transaction (all or nothing)");
    upCmd->add_flag("--allow-out-of-order", up->allowOutOfOrder,
                    "Apply pending migrations older than the newest applied one");
    upCmd->add_flag("--ignore-checksums", up->ignoreChecksums,
                    "Run even though applied migrations changed");
    upCmd->add_flag("--ignore-missing", up->ignoreMissing,
                    "Run even though applied migrations have no file");
    upCmd->add_flag("--allow-empty", up->allowEmpty,
                    "Apply and record migrations whose up section has no SQL");
    upCmd->add_flag("--dump-schema", up->dumpSchema,
                    "Afterwards, write the schema to schema_file (as `schema dump`)");
    upCmd->add_flag("--lint", up->lint,
                    "Lint the pending migrations first; refuse to apply on a lint error");
    addFleetOptions(*upCmd, up->fleet);
    upCmd->callback([&action, up] { action = [up](Context& c) { return runUp(c, *up); }; });

    addLintCommand(*migrate, action);
    addVerifyCommand(*migrate, action);

    auto down = std::make_shared<DownArgs>();
    auto* downCmd =
        migrate->add_subcommand("down", "Roll back migrations (default: the newest one)");
    auto* stepOpt =
        downCmd->add_option("--step", down->step, "Roll back N migrations")->check(atLeast(1));
    auto* toOpt =
        downCmd->add_option("--to", down->to, "Roll back every migration newer than VERSION");
    auto* allOpt = downCmd->add_flag("--all", down->all, "Roll back every applied migration");
    stepOpt->excludes(toOpt)->excludes(allOpt);
    toOpt->excludes(allOpt);
    downCmd->add_flag("--dry-run", down->dryRun, "Show what would be rolled back; change nothing");
    downCmd->add_flag("--ignore-checksums", down->ignoreChecksums,
                      "Roll back even migrations whose file changed");
    addFleetOptions(*downCmd, down->fleet);
    downCmd->callback(
        [&action, down] { action = [down](Context& c) { return runDown(c, *down); }; });

    auto redoStep = std::make_shared<int>(1);
    auto redoDry = std::make_shared<bool>(false);
    auto redoIgnore = std::make_shared<bool>(false);
    auto* redo =
        migrate->add_subcommand("redo", "Roll back the newest migration(s), then apply again");
    redo->add_option("--step", *redoStep, "How many (default 1)")->check(atLeast(1));
    redo->add_flag("--dry-run", *redoDry, "Show the plan; change nothing");
    redo->add_flag("--ignore-checksums", *redoIgnore, "Redo even migrations whose file changed");
    redo->callback([&action, redoStep, redoDry, redoIgnore] {
        action = [=](Context& c) { return runRedo(c, *redoStep, *redoDry, *redoIgnore); };
    });

    auto exitCode = std::make_shared<bool>(false);
    auto drift = std::make_shared<bool>(false);
    auto* status = migrate->add_subcommand(
        "status", "List every migration: applied, pending, changed, missing, out of order");
    status->add_flag("--exit-code", *exitCode,
                     "Exit 8 when anything is pending, changed, missing or out of order");
    status->add_flag("--drift", *drift,
                     "Also compare the schema with what the applied migrations make (as `schema "
                     "diff`); exit 8 on drift");
    auto statusFleet = std::make_shared<FleetArgs>();
    addFleetOptions(*status, *statusFleet);
    status->callback([&action, exitCode, drift, statusFleet] {
        action = [=](Context& c) { return runStatus(c, *exitCode, *drift, *statusFleet); };
    });

    auto validateFleet = std::make_shared<FleetArgs>();
    auto* validate = migrate->add_subcommand(
        "validate", "Check applied migrations against their files (exit 8 on a difference)");
    addFleetOptions(*validate, *validateFleet);
    validate->callback([&action, validateFleet] {
        action = [validateFleet](Context& c) { return runValidate(c, *validateFleet); };
    });

    auto name = std::make_shared<std::string>();
    auto* create =
        migrate->add_subcommand("create", "Write a new migration file and print its path");
    create->add_option("NAME", *name, "What the migration does, e.g. create_users")->required();
    auto createDir = std::make_shared<std::string>();
    create->add_option("--dir", *createDir,
                       "Write it into this subfolder of the migrations folder (made if needed)");
    create->callback([&action, name, createDir] {
        action = [name, createDir](Context& c) { return runMigrateCreate(c, *name, *createDir); };
    });

    auto markVersion = std::make_shared<std::string>();
    auto* markApplied =
        migrate->add_subcommand("mark-applied", "Record VERSION as applied without running it");
    markApplied->add_option("VERSION", *markVersion, "The migration's version")->required();
    markApplied->callback([&action, markVersion] {
        action = [markVersion](Context& c) { return runMarkApplied(c, *markVersion); };
    });
    auto pendingVersion = std::make_shared<std::string>();
    auto* markPending = migrate->add_subcommand(
        "mark-pending", "Unrecord VERSION without running its down section");
    markPending->add_option("VERSION", *pendingVersion, "The migration's version")->required();
    markPending->callback([&action, pendingVersion] {
        action = [pendingVersion](Context& c) { return runMarkPending(c, *pendingVersion); };
    });
}

}  // namespace dbtool::cli
