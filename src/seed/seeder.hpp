#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "db/locked_run.hpp"
#include "db/seed_table.hpp"
#include "db/session.hpp"
#include "seed/outcome.hpp"
#include "seed/seed_files.hpp"
#include "seed/undo.hpp"

namespace dbtool {

// Stale: applied, but its tables were dropped or recreated, or none of its rows is left.
enum class SeedState { Applied, Pending, Changed, Missing, Stale };
const char* seedStateName(SeedState state);

struct SeedStatus {
    std::string name;
    SeedState state = SeedState::Pending;
    const SeedFile* file = nullptr;
    std::optional<db::AppliedSeed> applied;
    std::string reason;       // stale: why
    int64_t rowsPresent = 0;  // applied: how many of the rows it inserted are still there
};

// What the seeder tells its caller while it works (the CLI prints it; tests record it).
class SeedObserver {
  public:
    virtual ~SeedObserver() = default;
    virtual void waitingForLock(const std::string& /*holder*/) {}
    virtual void note(const std::string& /*text*/) {}
    // Something the user should know that does not stop the run (e.g. a reference cycle).
    virtual void warning(const std::string& /*text*/) {}
    // A seed file starts loading; then, as it goes, the rows of each table sent so far
    // (`fraction` of the table's rows or bytes, in [0, 1], or < 0 when not known).
    virtual void starting(const std::string& /*seed*/) {}
    virtual void rows(const std::string& /*table*/, int64_t /*rows*/, double /*fraction*/) {}
    virtual void done(const SeedOutcome& /*outcome*/) {}
};

struct SeedRunOptions {
    std::vector<std::string> names;  // empty = every pending seed
    bool dryRun = false;
    bool force = false;    // re-run changed (and named, applied) seeds: undo, then run again
    bool cascade = false;  // undoing a previous run may reach other rows (see undoSeed)
    uint64_t randomSeed = 1;
};

// Loads seed files: each in one transaction together with its tracking rows, under the
// advisory lock of the tracking schema. The pipeline of one file: plan (seed/plan: validate
// against the catalog, load order), then load (seed/loader: COPY or batched inserts, keys
// recorded through db/seed_table), then record; undo (seed/undo) deletes the recorded keys.
class Seeder {
  public:
    Seeder(db::Session& session, std::vector<SeedFile> files, const std::string& trackingSchema,
           std::string environment, SeedObserver& observer);

    std::vector<SeedStatus> status();
    std::vector<SeedOutcome> run(const SeedRunOptions& options);
    // Undoes `name`, or the newest applied seed, or (all) every applied seed newest first.
    // `options`: see undoSeed (`what` is set here).
    std::vector<SeedOutcome> undo(const std::optional<std::string>& name, bool all,
                                  const UndoOptions& options = {});

  private:
    void checkNamesExist(const std::vector<std::string>& names) const;
    // Runs one seed in its own transaction (after undoing its previous run when re-run).
    SeedOutcome runOne(db::LockedRun& run, const SeedFile& file, const db::AppliedSeed* previous,
                       bool named, const SeedRunOptions& options, db::SeedTable& table);
    // One attempt at runOne's transaction, in one pass or in two (see seed/one_pass).
    void runOneTransaction(db::LockedRun& run, const SeedFile& file,
                           const db::AppliedSeed* previous, bool named,
                           const SeedRunOptions& options, db::SeedTable& table, bool tryOnePass,
                           SeedOutcome& outcome);

    db::Session& session_;
    std::vector<SeedFile> files_;
    std::string schema_;
    std::string environment_;
    SeedObserver& observer_;
};

}  // namespace dbtool
