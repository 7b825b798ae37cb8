#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "db/session.hpp"

namespace dbtool::testdb {

// How CREATE DATABASE copies the template (PostgreSQL 15): WAL_LOG copies block by block
// through the write-ahead log; FILE_COPY copies the files and checkpoints twice.
enum class CloneStrategy { Auto, WalLog, FileCopy };

// Auto: FILE_COPY from kFileCopyFromBytes on, WAL_LOG below (bench/RESULTS.md has the
// measurements behind the threshold).
inline constexpr int64_t kFileCopyFromBytes = 0;
CloneStrategy pickStrategy(CloneStrategy wanted, int64_t templateBytes);
std::string strategyName(CloneStrategy strategy);  // "wal_log", "file_copy"
std::optional<CloneStrategy> parseStrategy(const std::string& text);

// The names of `count` new clones: `name` itself for one, name_1 .. name_N for more;
// without a name, <database>_clone_<random> each. Throws Error(Usage) for a name too long
// for PostgreSQL.
std::vector<std::string> cloneNames(const std::string& database,
                                    const std::optional<std::string>& name, int count);

struct Clone {
    std::string name;
    std::string strategy;
    int64_t ms = 0;
};

// Creates each of `names` from `templateName` (commented "dbtool clone of <template>", which
// is how dropClones knows them). Throws at the first failure, saying which were created.
std::vector<Clone> createClones(db::Session& maintenance, const std::string& templateName,
                                const std::vector<std::string>& names, CloneStrategy strategy);

// The clones of `database`'s templates on the server, oldest first.
std::vector<std::string> listClones(db::Session& maintenance, const std::string& database);

// Drops the named clones (WITH (FORCE): test workers may still be connected). A database
// that is not a clone made by dbtool is refused before anything is dropped; names that do
// not exist are returned in `missing`.
struct DropResult {
    std::vector<std::string> dropped;
    std::vector<std::string> missing;
};
DropResult dropClones(db::Session& maintenance, const std::vector<std::string>& names);

}  // namespace dbtool::testdb
