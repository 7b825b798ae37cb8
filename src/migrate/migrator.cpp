#include "migrate/migrator.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "base/duration.hpp"
#include "base/text.hpp"
#include "db/interrupt.hpp"
#include "db/locked_run.hpp"
#include "db/migration_table.hpp"
#include "db/repeatable_table.hpp"
#include "migrate/section_runner.hpp"
#include "migrate/sql_lexer.hpp"

namespace dbtool {

namespace {

using Clock = std::chrono::steady_clock;

const MigrationSection& sectionOf(const Migration& m, Direction d) {
    return d == Direction::Up ? m.up : m.down;
}

}  // namespace

Migrator::Migrator(db::Session& session, std::vector<Migration> files,
                   const std::string& trackingSchema, MigrationObserver& observer,
                   std::vector<Migration> repeatables)
    : session_(session),
      files_(std::move(files)),
      repeatables_(std::move(repeatables)),
      schema_(db::resolveTrackingSchema(session, trackingSchema)),
      observer_(observer) {
    for (const auto& m : files_) {
        known_.push_back({m.version, m.name});
    }
}

Migrator::Migrator(db::Session& session, MigrationSet set, const std::string& trackingSchema,
                   MigrationObserver& observer)
    : Migrator(session, std::move(set.versioned), trackingSchema, observer,
               std::move(set.repeatable)) {
    beforeMigrate_ = std::move(set.beforeMigrate);
    afterMigrate_ = std::move(set.afterMigrate);
}

std::vector<AppliedMigration> Migrator::readApplied() {
    return db::MigrationTable(session_, schema_).read(known_);
}

std::vector<MigrationStatus> Migrator::status() {
    return computeStatus(files_, readApplied());
}

Migrator::Report Migrator::report() {
    const auto applied = readApplied();
    std::vector<RepeatableStatus> repeatables;
    if (!repeatables_.empty() || db::MigrationTable(session_, schema_).exists()) {
        repeatables =
            computeRepeatableStatus(repeatables_, db::RepeatableTable(session_, schema_).read());
    }
    return {computeStatus(files_, applied), trackingTableProblems(applied), repeatables};
}

std::vector<db::InterruptedMigration> Migrator::interrupted() {
    return db::MigrationTable(session_, schema_).interrupted();
}

Error Migrator::interruptedError(const db::InterruptedMigration& i) const {
    const bool up = i.direction == "up";
    std::string where;
    SourceLocation location;
    for (const auto& m : files_) {
        if (compareVersions(m.version, i.version) != 0)
            continue;
        const MigrationSection& section = up ? m.up : m.down;
        const auto statements = lexSql(section.sql).statements;
        if (static_cast<size_t>(i.committed) < statements.size())
            location = section.locate(statements[static_cast<size_t>(i.committed)].begin);
    }
    const std::string label = i.version + (i.name.empty() ? "" : " " + i.name);
    return Error(
        ExitCode::Check,
        "migration " + label + " (" + i.direction +
            ", transaction:false) was interrupted: its run stopped at " + i.startedAt + " after " +
            std::to_string(i.committed) + " of its " + std::to_string(i.statements) +
            " statements committed; whether the next one took effect is not known",
        location,
        "check the database, then tell dbtool where it stands: `dbtool migrate " +
            std::string(up ? "mark-applied " : "mark-pending ") + i.version + "` if the " +
            i.direction + " section completed, or undo what it did and " + "`dbtool migrate " +
            (up ? "mark-pending " : "mark-applied ") + i.version + "` to run it again");
}

RunResult Migrator::locked(bool createTable, const LockedBody& body,
                           const std::string& completedField) {
    const auto start = Clock::now();
    RunResult result;
    db::LockedRun run(session_, schema_, lockWaitReporter(), completedField);
    db::MigrationTable table(session_, schema_);
    createPending_ = false;
    if (createTable) {
        if (table.exists()) {
            if (auto note = table.ensure(known_)) {  // adopts another tool's table
                observer_.note(*note);
            }
        } else {
            createPending_ = true;  // with the first migration, in its transaction
        }
    }
    for (const auto& i : table.interrupted())
        throw interruptedError(i);
    // Read what is applied only now, under the lock: another process may just have finished.
    const auto applied = table.read(known_);
    if (const auto problems = trackingTableProblems(applied); !problems.empty()) {
        std::string list;
        for (const auto& p : problems)
            list += (list.empty() ? "" : "; ") + p;
        throw Error(ExitCode::Check,
                    "the tracking table " + table.qualifiedName() +
                        " has rows dbtool cannot "
                        "trust: " +
                        list,
                    {}, "repair them by hand (`dbtool migrate status` lists them), then run again");
    }
    const auto status = computeStatus(files_, applied);
    result.versionBefore = currentVersion(status);
    body(run, status, result);
    result.versionAfter = currentVersion(computeStatus(files_, table.read(known_)));
    result.totalMs = msSince(start);
    return result;
}

std::function<void(const std::string&)> Migrator::lockWaitReporter() {
    return [this](const std::string& holder) { observer_.waitingForLock(holder); };
}

namespace {
std::vector<std::pair<const Migration*, Direction>> steps(const std::vector<const Migration*>& plan,
                                                          Direction direction) {
    std::vector<std::pair<const Migration*, Direction>> out;
    for (const Migration* m : plan) {
        out.emplace_back(m, direction);
    }
    return out;
}
}  // namespace

std::vector<const Migration*> Migrator::repeatablesAfter(
    const std::vector<MigrationStatus>& status, const std::vector<const Migration*>& plan) {
    if (repeatables_.empty()) {
        return {};
    }
    const auto pending = static_cast<size_t>(
        std::count_if(status.begin(), status.end(),
                      [](const MigrationStatus& s) { return s.file != nullptr && !s.applied; }));
    auto repeatables = planRepeatables(
        computeRepeatableStatus(repeatables_, db::RepeatableTable(session_, schema_).read()));
    if (pending > plan.size() && !repeatables.empty()) {
        observer_.note(plural(static_cast<int64_t>(repeatables.size()), "repeatable migration") +
                       " not applied: they run once no versioned migration is pending");
        return {};
    }
    return repeatables;
}

RunResult Migrator::up(const UpOptions& planOptions, const RunOptions& run) {
    if (run.dryRun) {
        return dryRun([&](const auto& status) {
            const auto plan = planUp(status, planOptions);
            Steps planned;
            if (beforeMigrate_) {
                planned.emplace_back(&*beforeMigrate_, Direction::Up);
            }
            for (const Migration* m : plan) {
                planned.emplace_back(m, Direction::Up);
            }
            for (const Migration* r : repeatablesAfter(status, plan)) {
                planned.emplace_back(r, Direction::Up);
            }
            if (afterMigrate_) {
                planned.emplace_back(&*afterMigrate_, Direction::Up);
            }
            return planned;
        });
    }
    return locked(true, [&](db::LockedRun& locked, const std::vector<MigrationStatus>& status,
                            RunResult& result) {
        const auto plan = planUp(status, planOptions);
        const auto repeatables = repeatablesAfter(status, plan);
        runCallback(locked, beforeMigrate_, result, "it was rolled back; no migration was run");
        const std::string after =
            "it was rolled back; the migrations applied before it stay applied";
        if (!run.singleTransaction) {
            apply(locked, plan, Direction::Up, result);
            applyRepeatables(locked, repeatables, result);
            runCallback(locked, afterMigrate_, result, after);
            return;
        }
        for (const Migration* m : plan) {
            if (!m->up.transaction) {
                throw Error(
                    ExitCode::Usage,
                    "--single-transaction cannot include " + m->label() +
                        ", which is marked transaction:false",
                    {m->up.file.string(), m->up.firstLine - 1, 0},
                    "apply it on its own first (--to), or run without --single-transaction");
            }
        }
        applyAllInOneTransaction(locked, plan, repeatables, result);
        runCallback(locked, afterMigrate_, result, after);
    });
}

RunResult Migrator::down(const DownOptions& planOptions, const RunOptions& run) {
    if (run.dryRun) {
        return dryRun([&](const auto& status) {
            return steps(planDown(status, planOptions), Direction::Down);
        });
    }
    return locked(
        false,
        [&](db::LockedRun& locked, const std::vector<MigrationStatus>& status, RunResult& result) {
            apply(locked, planDown(status, planOptions), Direction::Down, result);
        },
        "rolled back in this run");
}

RunResult Migrator::redo(int step, bool ignoreChecksums, const RunOptions& run) {
    DownOptions downOptions;
    downOptions.step = step;
    downOptions.ignoreChecksums = ignoreChecksums;
    if (run.dryRun) {
        return dryRun([&](const auto& status) {
            const auto plan = planDown(status, downOptions);
            auto planned = steps(plan, Direction::Down);
            for (auto it = plan.rbegin(); it != plan.rend(); ++it)
                planned.emplace_back(*it, Direction::Up);
            return planned;
        });
    }
    return locked(
        false,
        [&](db::LockedRun& locked, const std::vector<MigrationStatus>& status, RunResult& result) {
            const auto plan = planDown(status, downOptions);
            apply(locked, plan, Direction::Down, result, true);
            const std::vector<const Migration*> ups(plan.rbegin(), plan.rend());
            apply(locked, ups, Direction::Up, result, true);
            // The downs made every repeatable migration due again.
            applyRepeatables(locked, repeatablesAfter(status, {}), result);
        },
        "completed in this run");
}

namespace {
// The version as schema_migrations_running spells it, when `version` was interrupted.
std::optional<std::string> interruptedVersion(db::MigrationTable& table,
                                              const std::string& version) {
    for (const auto& i : table.interrupted())
        if (compareVersions(i.version, version) == 0)
            return i.version;
    return std::nullopt;
}
}  // namespace

const Migration& Migrator::markApplied(const std::string& version) {
    db::LockedRun run(session_, schema_, lockWaitReporter());
    db::MigrationTable table(session_, schema_);
    if (auto note = table.ensure(known_)) {
        observer_.note(*note);
    }
    const auto stopped = interruptedVersion(table, version);
    for (const auto& s : computeStatus(files_, table.read(known_))) {
        if (compareVersions(s.version, version) != 0 || !s.file) {
            continue;
        }
        if (s.applied && !stopped) {
            throw Error(ExitCode::Check, "migration " + s.version + " " + s.name +
                                             " is already recorded as applied");
        }
        run.inTransaction({"migration", s.file->label(), ""}, [&] {
            if (!s.applied)
                table.insert(s.file->version, s.file->name, s.file->checksum, std::nullopt);
            if (stopped)
                table.finishUnrecorded(*stopped);
        });
        return *s.file;
    }
    throw Error(ExitCode::Usage, "no migration file has version " + version, {},
                "`dbtool migrate status` lists the versions");
}

MigrationStatus Migrator::markPending(const std::string& version) {
    db::LockedRun run(session_, schema_, lockWaitReporter());
    db::MigrationTable table(session_, schema_);
    const auto stopped = interruptedVersion(table, version);
    for (const auto& s : computeStatus(files_, table.read(known_))) {
        if (compareVersions(s.version, version) != 0) {
            continue;
        }
        if (!s.applied && !stopped) {
            throw Error(ExitCode::Check,
                        "migration " + s.version + " " + s.name + " is not recorded as applied", {},
                        "`dbtool migrate status` lists the applied versions");
        }
        run.inTransaction({"migration", s.version + " " + s.name, ""}, [&] {
            if (s.applied)
                table.remove(s.applied->version);
            if (stopped)
                table.finishUnrecorded(*stopped);
        });
        return s;
    }
    // The same words and exit code as mark-applied: an unknown version is a usage error.
    throw Error(ExitCode::Usage, "no migration has version " + version, {},
                "`dbtool migrate status` lists the versions");
}

namespace {

// A completed migration as a failure lists it: "V name" ("(down)" when the run goes both
// ways) and, in JSON, the same facts as a step of a successful run.
Error::ListItem completedItem(const Migration& m, Direction direction, bool tagDirection) {
    const std::string dir = direction == Direction::Up ? "up" : "down";
    if (!m.versioned()) {
        return {m.label(),
                {{"name", m.name},
                 {"kind", m.repeatable ? "repeatable" : "callback"},
                 {"direction", dir}}};
    }
    return {m.label() + (tagDirection ? " (" + dir + ")" : ""),
            {{"version", m.version}, {"name", m.name}, {"direction", dir}}};
}

[[noreturn]] void fail(const Migration& m, Direction direction, const db::SqlError& e,
                       const MigrationSection& section, const SectionFailure& f,
                       const db::LockedRun& run, const std::string& consequence,
                       const std::string& failed = "failed") {
    const bool interruptedRun = e.code() == ExitCode::Interrupted;
    const std::string verb = direction == Direction::Up ? "applying" : "rolling back";
    const std::string what = m.callback.empty() ? "migration " : "callback ";
    std::string message =
        interruptedRun
            ? "interrupted while " + (m.callback.empty() ? verb : std::string("running")) + " " +
                  what + m.label()
            : what + m.label() + " " + failed +
                  (m.callback.empty()
                       ? std::string(" (") + (direction == Direction::Up ? "up" : "down") + ")"
                       : std::string()) +
                  ": " + e.what();
    Error error = db::describeSqlError(e, message, errorLocation(section, f));
    error.withList(run.completedField(), run.completedUnits()).withField("outcome", consequence);
    throw error;
}

}  // namespace

void Migrator::apply(db::LockedRun& run, const std::vector<const Migration*>& plan,
                     Direction direction, RunResult& result, bool tagDirection) {
    db::MigrationTable table(session_, schema_);
    observer_.planned(plan.size());
    for (const Migration* m : plan) {
        run.checkInterrupted("migration " + m->label());
        observer_.starting(*m, direction);
        const MigrationSection& section = sectionOf(*m, direction);
        const db::UnitOfWork unit{"migration", m->label(), ""};
        int64_t ms = 0;
        auto record = [&] {
            if (direction == Direction::Up) {
                table.insert(m->version, m->name, m->checksum, ms);
            } else {
                table.remove(m->version);
                db::RepeatableTable(session_, schema_).forgetAll();
            }
        };
        try {
            std::optional<int64_t> oneRoundTrip;
            if (section.transaction && direction == Direction::Up && !createPending_ &&
                !run.rollsBackAtEnd()) {
                run.selfContained(unit,
                                  [&] { oneRoundTrip = applyInOneRoundTrip(session_, *m, table); });
            }
            if (oneRoundTrip) {
                ms = *oneRoundTrip;
            } else if (section.transaction) {
                // The change and its tracking row commit together or not at all.
                run.inTransaction(unit, [&] {
                    createTableIfPending(table);
                    ms = runSection(session_, *m, sectionOf(*m, direction));
                    record();
                });
            } else {
                if (createPending_) {
                    run.inTransaction(unit, [&] { createTableIfPending(table); });
                }
                // Marked as running first: a kill between its statements and its record
                // leaves the mark, and the next run stops at it instead of guessing.
                table.startUnrecorded(m->version, m->name,
                                      direction == Direction::Up ? "up" : "down",
                                      static_cast<int>(lexSql(section.sql).statements.size()));
                ms = runSection(session_, *m, sectionOf(*m, direction), [&](size_t done) {
                    table.committedStatements(m->version, static_cast<int>(done));
                });
                run.inTransaction(unit, [&] {
                    record();
                    table.finishUnrecorded(m->version);
                });
            }
            createPending_ = false;
        } catch (SectionFailure& f) {
            std::string consequence;
            if (f.partial && f.error.code() != ExitCode::Connection) {
                // The server said the statement failed: what ran is known and reported.
                table.finishUnrecorded(m->version);
            }
            if (f.partial) {
                consequence = "it ran without a transaction: " + std::to_string(f.partial->first) +
                              " of its " + std::to_string(f.partial->second) +
                              " statements were committed before the failing one, and it is "
                              "not recorded; repair by hand (IF NOT EXISTS helps), then re-run";
            } else {
                consequence = "it was rolled back: nothing of it remains";
            }
            fail(*m, direction, f.error, section, f, run, consequence);
        }
        result.steps.push_back({m, direction, ms, {}});
        run.completed(completedItem(*m, direction, tagDirection));
        observer_.finished(*m, direction, ms);
    }
}

RunResult Migrator::dryRun(const PlanSteps& plan) {
    return locked(
        false,
        [&](db::LockedRun& run, const std::vector<MigrationStatus>& status, RunResult& result) {
            checkInRolledBackTransaction(run, plan(status), result);
        },
        "checked in this dry run");
}

void Migrator::checkInRolledBackTransaction(
    db::LockedRun& run, const std::vector<std::pair<const Migration*, Direction>>& planned,
    RunResult& result) {
    result.dryRun = true;
    const bool tagDirection = std::any_of(planned.begin(), planned.end(), [&](const auto& p) {
        return p.second != planned.front().second;
    });
    pqxx::work tx(session_.conn());  // never committed: aborted when it goes out of scope
    std::string skipped;
    for (const auto& [m, direction] : planned) {
        const MigrationSection& section = sectionOf(*m, direction);
        MigrationStep step{m, direction, 0, {}};
        if (!skipped.empty()) {
            step.notChecked = "comes after " + skipped + ", which could not be run";
        } else if (!section.transaction) {
            step.notChecked = "transaction:false: it cannot run inside the dry run's transaction";
            skipped = m->label();
        } else {
            run.checkInterrupted("migration " + m->label());
            try {
                step.ms = runSection(session_, *m, sectionOf(*m, direction));
            } catch (SectionFailure& f) {
                fail(*m, direction, f.error, section, f, run,
                     "dry run: the steps before it ran without error; everything was rolled "
                     "back, nothing was changed",
                     "would fail");
            }
            run.completed(completedItem(*m, direction, tagDirection));
        }
        result.steps.push_back(step);
    }
}

void Migrator::applyAllInOneTransaction(db::LockedRun& run,
                                        const std::vector<const Migration*>& versioned,
                                        const std::vector<const Migration*>& repeatables,
                                        RunResult& result) {
    db::MigrationTable table(session_, schema_);
    db::RepeatableTable repeatableTable(session_, schema_);
    std::vector<const Migration*> plan = versioned;
    plan.insert(plan.end(), repeatables.begin(), repeatables.end());
    std::vector<MigrationStep> steps;
    observer_.planned(plan.size());
    run.inTransaction({"", "committing the run", ""}, [&] {
        createTableIfPending(table);
        if (!repeatables.empty()) {
            repeatableTable.ensure();
        }
        for (const Migration* m : plan) {
            observer_.starting(*m, Direction::Up);
            try {
                const int64_t ms = runSection(session_, *m, m->up);
                m->repeatable ? repeatableTable.record(m->name, m->checksum, ms)
                              : table.insert(m->version, m->name, m->checksum, ms);
                steps.push_back({m, Direction::Up, ms, {}});
            } catch (SectionFailure& f) {
                fail(*m, Direction::Up, f.error, m->up, f, run,
                     "--single-transaction: the whole run was rolled back; no migration of it "
                     "was applied");
            }
        }
    });
    createPending_ = false;
    for (const auto& step : steps) {
        result.steps.push_back(step);
        run.completed(completedItem(*step.migration, Direction::Up, false));
        observer_.finished(*step.migration, Direction::Up, step.ms);
    }
}

void Migrator::applyRepeatables(db::LockedRun& run, const std::vector<const Migration*>& plan,
                                RunResult& result) {
    db::RepeatableTable table(session_, schema_);
    observer_.planned(plan.size());
    for (const Migration* m : plan) {
        run.checkInterrupted("repeatable migration " + m->label());
        observer_.starting(*m, Direction::Up);
        int64_t ms = 0;
        try {
            // Applied again with its new checksum, or not at all: a failure leaves the
            // version applied before in place.
            run.inTransaction({"migration", m->label(), ""}, [&] {
                table.ensure();
                ms = runSection(session_, *m, m->up);
                table.record(m->name, m->checksum, ms);
            });
        } catch (SectionFailure& f) {
            fail(*m, Direction::Up, f.error, m->up, f, run,
                 "it was rolled back: the version applied before (if any) is still in place");
        }
        result.steps.push_back({m, Direction::Up, ms, {}});
        run.completed(completedItem(*m, Direction::Up, false));
        observer_.finished(*m, Direction::Up, ms);
    }
}

void Migrator::runCallback(db::LockedRun& run, const std::optional<Migration>& callback,
                           RunResult& result, const std::string& consequence) {
    if (!callback) {
        return;
    }
    const Migration& m = *callback;
    run.checkInterrupted("callback " + m.label());
    observer_.starting(m, Direction::Up);
    int64_t ms = 0;
    try {
        run.inTransaction({"callback", m.label(), ""}, [&] { ms = runSection(session_, m, m.up); });
    } catch (SectionFailure& f) {
        fail(m, Direction::Up, f.error, m.up, f, run, consequence);
    }
    result.steps.push_back({&m, Direction::Up, ms, {}});
    observer_.finished(m, Direction::Up, ms);
}

void Migrator::createTableIfPending(db::MigrationTable& table) {
    if (createPending_) {
        if (auto note = table.ensure(known_)) {
            observer_.note(*note);
        }
    }
}

}  // namespace dbtool
