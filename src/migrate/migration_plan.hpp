#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "db/migration_table.hpp"
#include "db/repeatable_table.hpp"
#include "migrate/migration.hpp"

namespace dbtool {

using db::AppliedMigration;

enum class MigrationState {
    Applied,     // recorded, file present and unchanged
    Pending,     // file present, not recorded
    Changed,     // recorded, but the up section's checksum differs
    Missing,     // recorded, no file
    OutOfOrder,  // pending, yet older than the newest applied migration
};
const char* stateName(MigrationState state);

struct MigrationStatus {
    std::string version;
    std::string name;
    MigrationState state = MigrationState::Pending;
    const Migration* file = nullptr;  // null when Missing
    std::optional<AppliedMigration> applied;
};

// Every migration known from files or the table, in version order.
// Rows of the tracking table that no migration file can stand for, as messages: versions
// that are not all digits (hand-edited: '20240101090200 ') and one version recorded twice
// under different spellings ('020240101090300' and '20240101090300'). computeStatus would
// otherwise take them for other versions or merge them silently.
std::vector<std::string> trackingTableProblems(const std::vector<AppliedMigration>& applied);

std::vector<MigrationStatus> computeStatus(const std::vector<Migration>& files,
                                           const std::vector<AppliedMigration>& applied);

struct UpOptions {
    std::optional<std::string> to;  // apply up to and including this version
    std::optional<int> step;        // at most this many
    bool allowOutOfOrder = false;
    bool ignoreChecksums = false;
    bool ignoreMissing = false;
    bool allowEmpty = false;  // apply (and record) a migration whose up section has no SQL
};

// The migrations `up` applies, in order. Throws Error(ExitCode::Check) when a changed or
// missing applied migration or an out-of-order pending one stands in the way,
// Error(ExitCode::Usage) for an unknown --to version and Error(ExitCode::InvalidInput) for a
// planned migration without SQL (unless allowEmpty).
std::vector<const Migration*> planUp(const std::vector<MigrationStatus>& status,
                                     const UpOptions& options);

struct DownOptions {
    std::optional<int> step;        // default 1
    std::optional<std::string> to;  // roll back every migration newer than this one
    bool all = false;
    bool ignoreChecksums = false;
};

// The migrations `down` rolls back, the most recently applied first (by applied_at, then
// version; --to keeps every version up to it). Throws before anything runs when one of
// them has no file, no down section, or (unless ignored) a changed checksum.
std::vector<const Migration*> planDown(const std::vector<MigrationStatus>& status,
                                       const DownOptions& options);

enum class RepeatableState {
    Applied,   // recorded with the file's current checksum
    Pending,   // file present, never applied
    Outdated,  // applied, but the file changed since: applied again by the next `up`
    Missing,   // recorded, no file (shown; nothing is undone)
};
const char* stateName(RepeatableState state);

struct RepeatableStatus {
    std::string name;
    RepeatableState state = RepeatableState::Pending;
    const Migration* file = nullptr;  // null when Missing
    std::optional<db::AppliedRepeatable> applied;
};

// Every repeatable migration known from files or the table, in name order.
std::vector<RepeatableStatus> computeRepeatableStatus(
    const std::vector<Migration>& files, const std::vector<db::AppliedRepeatable>& applied);

// The repeatable migrations `up` applies (pending and outdated), in name order.
std::vector<const Migration*> planRepeatables(const std::vector<RepeatableStatus>& status);

// The newest applied version ("" when none).
std::string currentVersion(const std::vector<MigrationStatus>& status);

}  // namespace dbtool
