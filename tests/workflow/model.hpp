#pragma once

// The workflow checker's model: what the database should hold after any sequence of dbtool
// commands and application writes, predicted from the README's promises alone (no dbtool
// code is used). The world (world.hpp) runs the same steps for real; the checker compares.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace dbtool::workflow {

// One step of a workflow. `arg` picks a seed, a row, a number of jobs or a delay; steps stay
// meaningful when replayed without the steps before them (a pick wraps around the rows there
// are; a write to a table that does not exist is skipped).
struct Step {
    enum class Kind {
        MigrateUp,
        MigrateUpStep,
        MigrateUpTo,
        MigrateDown,
        MigrateDownStep2,
        MigrateDownAll,
        MigrateRedo,
        SeedRun,
        SeedRunNamed,
        SeedRunForce,
        SeedRunForceNamed,
        SeedUndo,
        SeedUndoNamed,
        SeedUndoAll,
        SeedUndoAllCascade,
        SeedRunForceCascade,
        EditSeed,
        AppInsertUser,
        AppInsertTag,
        AppInsertPost,
        AppUpdateUser,
        AppUpdateTag,
        AppDeleteUser,
        AppDeleteTag,
        AppDeletePost,
        AppTruncateTags,
        ParallelMigrateUp,
        ParallelSeedRun,
        KillMigrateUp,
        KillSeedRun,
        InterruptSeedRun,
    };
    Kind kind;
    int arg = 0;
    int serial = 0;  // makes application rows unique: app-<serial>
};

// A dbtool command line (without the binary) for a step, or empty for application writes.
std::vector<std::string> commandOf(const Step& step);
// The step as a line of a reproduction script.
std::string describe(const Step& step);

constexpr int kMigrations = 4;  // 1 users, 2 tags, 3 posts, 4 an index built CONCURRENTLY
constexpr int kSeeds = 4;       // 001_users, 002_tags, 003_posts, 004_more_users
const char* seedName(int seed);
// The file content of `seed` in `version` (0 or 1: editing a seed switches its version).
std::string seedFile(int seed, int version);
// Migration files: name -> content.
std::map<std::string, std::string> migrationFiles();

// A row as the comparison sees it: table, natural key (email, code, post title) and value
// (name, label, the post author's email).
struct RowImage {
    std::string table;
    std::string key;
    std::string value;
    bool operator<(const RowImage& o) const;
    bool operator==(const RowImage& o) const = default;
};

// What the checker compares after every step.
struct Snapshot {
    int migrationLevel = 0;
    std::vector<RowImage> rows;                    // sorted
    std::map<std::string, std::string> seedState;  // name -> applied/stale/pending/changed
    // The repeatable migration R__user_emails (a view on users): its state in `migrate
    // status` and whether the view exists.
    std::string repeatable;
    bool view = false;
};

class Model {
  public:
    Model();
    // Applies `step` to the model; returns the exit code the command must end with (0 for
    // application writes; a write that finds nothing to do changes nothing). `pick` helpers
    // resolve the same row as the world does: the world calls resolve() first.
    int apply(const Step& step);
    // The natural key of the row an application step acts on, or nullopt when there is none.
    std::optional<std::string> resolve(const Step& step) const;
    Snapshot snapshot() const;

  private:
    struct Row {
        std::string table;
        std::string key;
        std::string value;
        int owner = -1;        // the seed whose tracking records it; -1: none
        bool changed = false;  // written by the application since the seed inserted it
    };
    struct Recorded {
        int version = 0;
        std::map<std::string, int> incarnation;  // the seed's tables, as they were
        bool inserted = false;
        int order = 0;  // when it was applied: undo goes newest first
    };
    struct State {
        int level = 0;
        std::map<std::string, int> incarnation;  // table -> generation; absent: no table
        std::vector<Row> rows;
        std::map<int, Recorded> recorded;
        int version[kSeeds] = {0, 0, 0, 0};
        int nextIncarnation = 1;
        bool repeatableApplied = false;  // R__user_emails recorded with its checksum
        bool view = false;               // the view it makes exists
        int applied = 0;                 // seeds applied so far (orders them)
    };

    static int required(const std::string& table);  // the migration creating it
    static std::string tableOf(int seed);
    void migrateTo(int level);
    void redo();
    // After an up or a redo: the repeatable migration runs once nothing versioned is pending.
    void repeatablesAfterUp();
    bool stale(const State& s, int seed) const;
    int seedRun(std::optional<int> only, bool force, bool cascade = false);
    // Undoes `seed` in `s`; returns an exit code (0, or 8 when posts refer to its users and
    // `cascade` is not set: ON DELETE CASCADE would take them).
    int undo(State& s, int seed, bool cascade) const;
    int load(State& s, int seed) const;
    int seedUndo(const Step& step);
    std::vector<const Row*> rowsOf(const std::string& table) const;
    std::vector<const Row*> deletableUsers() const;

    State s_;
};

}  // namespace dbtool::workflow
