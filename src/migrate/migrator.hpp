#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "db/locked_run.hpp"
#include "db/migration_table.hpp"
#include "db/session.hpp"
#include "migrate/migration.hpp"
#include "migrate/migration_plan.hpp"

namespace dbtool {

enum class Direction { Up, Down };

// What the migrator tells its caller while it works (the CLI prints it; tests record it).
class MigrationObserver {
  public:
    virtual ~MigrationObserver() = default;
    virtual void waitingForLock(const std::string& /*holder*/) {}
    virtual void note(const std::string& /*text*/) {}
    // `steps` more migrations are about to run (a redo announces its downs, then its ups).
    virtual void planned(size_t /*steps*/) {}
    virtual void starting(const Migration& /*m*/, Direction /*d*/) {}
    virtual void finished(const Migration& /*m*/, Direction /*d*/, int64_t /*ms*/) {}
};

struct MigrationStep {
    const Migration* migration = nullptr;
    Direction direction = Direction::Up;
    int64_t ms = 0;
    // Dry run: why this step was not run in the rolled-back transaction ("" = it was).
    std::string notChecked;
};

struct RunResult {
    std::vector<MigrationStep> steps;  // done (or, for a dry run, planned)
    bool dryRun = false;
    std::string versionBefore;
    std::string versionAfter;
    int64_t totalMs = 0;
};

struct RunOptions {
    bool dryRun = false;
    bool singleTransaction = false;  // up only: all or nothing
};

// Applies and rolls back migrations. Every change runs in a transaction together with its
// tracking row; the whole run holds the advisory lock of the tracking schema.
class Migrator {
  public:
    // `repeatables`: the R__NAME.sql migrations, which `up` applies after the versioned ones.
    Migrator(db::Session& session, std::vector<Migration> files, const std::string& trackingSchema,
             MigrationObserver& observer, std::vector<Migration> repeatables = {});
    // With the callbacks too: beforeMigrate.sql and afterMigrate.sql run around every `up`.
    Migrator(db::Session& session, MigrationSet set, const std::string& trackingSchema,
             MigrationObserver& observer);

    const std::vector<Migration>& files() const { return files_; }
    const std::vector<Migration>& repeatables() const { return repeatables_; }
    const std::string& schema() const { return schema_; }

    // Read-only: never creates or adopts the tracking table, takes no lock.
    std::vector<MigrationStatus> status();
    // transaction:false sections whose run stopped in the middle (see MigrationTable); up,
    // down and redo refuse to run until mark-applied or mark-pending settles each.
    std::vector<db::InterruptedMigration> interrupted();
    // What `migrate status` shows, from one read of the tracking table: every migration's
    // state and the rows dbtool cannot trust (see trackingTableProblems; up, down and redo
    // refuse to run while there are any).
    struct Report {
        std::vector<MigrationStatus> status;
        std::vector<std::string> trackingProblems;
        std::vector<RepeatableStatus> repeatables;
    };
    Report report();
    // The error those runs stop with, naming the statement whose outcome is unknown.
    Error interruptedError(const db::InterruptedMigration& m) const;

    RunResult up(const UpOptions& plan, const RunOptions& run);
    RunResult down(const DownOptions& plan, const RunOptions& run);
    // Rolls back the newest `step` migrations, then applies them again.
    RunResult redo(int step, bool ignoreChecksums, const RunOptions& run);

    // Record / unrecord a migration without running it.
    const Migration& markApplied(const std::string& version);
    MigrationStatus markPending(const std::string& version);

  private:
    using LockedBody =
        std::function<void(db::LockedRun&, const std::vector<MigrationStatus>&, RunResult&)>;
    // Holds the advisory lock, reads the applied state under it, runs `body`, records the
    // versions before and after. `createTable` creates (or adopts) the tracking table first.
    // `completedField` names the completed migrations in failures ("applied in this run").
    RunResult locked(bool createTable, const LockedBody& body,
                     const std::string& completedField = "applied in this run");
    using Steps = std::vector<std::pair<const Migration*, Direction>>;
    using PlanSteps = std::function<Steps(const std::vector<MigrationStatus>&)>;
    // A dry run of the steps `plan` chooses from the applied state read under the lock.
    RunResult dryRun(const PlanSteps& plan);
    // A dry run: the planned steps run for real, under the lock, in one transaction that is
    // rolled back; a failing step throws as in a real run (the steps before it are listed as
    // checked). A transaction:false step and the steps after it are not run (notChecked).
    void checkInRolledBackTransaction(
        db::LockedRun& run, const std::vector<std::pair<const Migration*, Direction>>& steps,
        RunResult& result);
    std::function<void(const std::string&)> lockWaitReporter();
    std::vector<AppliedMigration> readApplied();
    // `tagDirection`: list completed steps as "<label> (down)" / "(up)" (redo mixes both).
    void apply(db::LockedRun& run, const std::vector<const Migration*>& plan, Direction direction,
               RunResult& result, bool tagDirection = false);
    void applyAllInOneTransaction(db::LockedRun& run, const std::vector<const Migration*>& plan,
                                  const std::vector<const Migration*>& repeatables,
                                  RunResult& result);
    // The repeatable migrations an `up` with this plan applies after its versioned ones: the
    // pending and outdated ones, once no versioned migration is left pending (they may use
    // the newest schema); none (with a note) while --to or --step leave some pending.
    std::vector<const Migration*> repeatablesAfter(const std::vector<MigrationStatus>& status,
                                                   const std::vector<const Migration*>& plan);
    // Each in its own transaction with its row in schema_repeatable_migrations.
    void applyRepeatables(db::LockedRun& run, const std::vector<const Migration*>& plan,
                          RunResult& result);
    // A callback (when present) in its own transaction; a failure names it and says what
    // stands (`consequence`).
    void runCallback(db::LockedRun& run, const std::optional<Migration>& callback,
                     RunResult& result, const std::string& consequence);
    // Creates the tracking table when a run needs it and it does not exist yet: called inside
    // the first migration's transaction, so a run that applies nothing leaves no trace.
    void createTableIfPending(db::MigrationTable& table);

    bool createPending_ = false;

    db::Session& session_;
    std::vector<Migration> files_;
    std::vector<Migration> repeatables_;
    std::optional<Migration> beforeMigrate_;
    std::optional<Migration> afterMigrate_;
    std::vector<db::KnownMigration> known_;  // files_ as the tracking table knows them
    std::string schema_;
    MigrationObserver& observer_;
};

}  // namespace dbtool
