#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "db/cascade.hpp"

namespace dbtool {

// What a seed run or undo did, as values the CLI reports (text or JSON).

// What one table entry of a seed did.
struct TableCounts {
    std::string table;  // schema.name
    int64_t inserted = 0;
    int64_t updated = 0;
    int64_t skipped = 0;
    int64_t deleted = 0;                // undo: rows of the seed deleted
    int64_t kept = 0;                   // undo: rows with the seed's keys changed since, kept
    std::vector<std::string> keptKeys;  // undo: the first few of them
    std::string note;                   // undo: "dropped since the seed ran; nothing deleted"
};

struct SeedOutcome {
    enum class Action { Ran, Rerun, AlreadyApplied, ChangedNotRerun, Undone, Reloaded };
    std::string name;
    Action action = Action::Ran;
    bool dryRun = false;  // done in a transaction that was rolled back
    std::vector<TableCounts> tables;
    int64_t ms = 0;
    int64_t deleted = 0;      // undo, and the undo of the previous run before a rerun
    int64_t notRestored = 0;  // undo: rows the seed updated, which stay as they are
    int64_t kept = 0;         // undo: rows changed since the seed, kept
    std::string reason;       // reloaded: why the seed was stale
    // Rows of other tables that deleting the seed's rows reached through foreign keys
    // (only with --cascade: otherwise the run refuses).
    std::vector<db::CascadedRows> cascaded;
    // Loaded in one pass over the file (see seed/one_pass) rather than planned, then loaded.
    bool onePass = false;
};

}  // namespace dbtool
