#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "db/seed_table.hpp"
#include "db/session.hpp"

namespace dbtool {

// A seed file: <order>_<name>.yaml in the seeds directory (every environment) or in
// seeds/<env>/ (that environment only).
struct SeedFile {
    std::string name;  // "001_users", or "development/010_demo_posts"
    std::filesystem::path path;
    std::string order;
    std::string environment;  // "" = every environment
};

// The seed files for `environment`, in order (by the order number, then the name).
std::vector<SeedFile> findSeedFiles(const std::filesystem::path& dir,
                                    const std::string& environment);

// The template `seed create` writes.
std::string seedTemplate(const std::string& table);

// Reads a seed file the way the first pass of `seed run` does, without a database: the YAML,
// the shape of every table entry, options, generate templates and labels (not table or column
// names). Throws Error(ExitCode::InvalidInput) for what is wrong. (The fuzz target's entry.)
void checkSeedFileOffline(const std::filesystem::path& path);

enum class SeedState { Applied, Pending, Changed, Missing };
const char* seedStateName(SeedState state);

struct SeedStatus {
    std::string name;
    SeedState state = SeedState::Pending;
    const SeedFile* file = nullptr;
    std::optional<db::AppliedSeed> applied;
};

struct TableCounts {
    std::string table;  // schema.name
    int64_t inserted = 0;
    int64_t updated = 0;
    int64_t skipped = 0;
    int64_t planned = -1;  // dry run: rows to load (-1 unknown, e.g. CSV)
};

struct SeedOutcome {
    enum class Action { Ran, Rerun, AlreadyApplied, ChangedNotRerun, Planned, Undone };
    std::string name;
    Action action = Action::Ran;
    std::vector<TableCounts> tables;
    int64_t ms = 0;
    int64_t deleted = 0;      // undo
    int64_t notRestored = 0;  // undo: rows the seed updated, which stay as they are
};

class SeedObserver {
  public:
    virtual ~SeedObserver() = default;
    virtual void waitingForLock(const std::string& /*holder*/) {}
    virtual void note(const std::string& /*text*/) {}
    virtual void done(const SeedOutcome& /*outcome*/) {}
};

struct SeedRunOptions {
    std::vector<std::string> names;  // empty = every pending seed
    bool dryRun = false;
    bool force = false;  // re-run changed (and named, applied) seeds: undo, then run again
    uint64_t randomSeed = 1;
};

// Loads seed files: each in one transaction together with its tracking rows, under the
// advisory lock of the tracking schema.
class Seeder {
  public:
    Seeder(db::Session& session, std::vector<SeedFile> files, const std::string& trackingSchema,
           std::string environment, SeedObserver& observer);

    std::vector<SeedStatus> status();
    std::vector<SeedOutcome> run(const SeedRunOptions& options);
    // Undoes `name`, or the newest applied seed, or (all) every applied seed newest first.
    std::vector<SeedOutcome> undo(const std::optional<std::string>& name, bool all);

  private:
    db::Session& session_;
    std::vector<SeedFile> files_;
    std::string schema_;
    std::string environment_;
    SeedObserver& observer_;
};

}  // namespace dbtool
