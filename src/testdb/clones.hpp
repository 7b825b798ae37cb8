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

// Auto: FILE_COPY on a server running with fsync=off (a throwaway test server: its two
// checkpoints cost nothing) or from kFileCopyFromBytes on; WAL_LOG, PostgreSQL's default,
// for a smaller template on a durable server, where forced checkpoints would flush everyone's
// dirty buffers. Measured with fsync=off (bench/RESULTS.md): FILE_COPY 9 ms against WAL_LOG
// 20 ms for an 8 MB template, 125 ms against 250 ms for 75 MB.
inline constexpr int64_t kFileCopyFromBytes = 64LL << 20;
CloneStrategy pickStrategy(CloneStrategy wanted, int64_t templateBytes, bool fsyncOff);
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
// is how dropClones knows them), after `made` (clones already made by this run, e.g. a spare
// taken). Throws at the first failure, saying which were created.
std::vector<Clone> createClones(db::Session& maintenance, const std::string& templateName,
                                const std::vector<std::string>& names, CloneStrategy strategy,
                                std::vector<Clone> made = {});

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

// Spares. `db clone` leaves one more copy of the template being made after it has printed its
// URLs (a process of its own finishes it while the tests run), named spareName(template);
// the next clone of that template takes it with a rename instead of a copy. One at most per
// template: a second copy started while one exists fails on the name and is gone.

// Takes `templateName`'s spare as `name`, renamed and commented as a clone in one
// transaction. False when no spare is ready (none was made, it is still being copied, another
// process took it first) or it cannot be named `name` (taken: the caller's CREATE DATABASE
// then says so as usual).
bool claimSpare(db::Session& maintenance, const std::string& templateName, const std::string& name);

// The statement that copies `templateName` into its spare.
std::string spareStatement(db::Session& maintenance, const std::string& templateName,
                           CloneStrategy strategy);

// The spares of `database`'s templates on the server, and of templates since dropped. Copies
// still running are waited for first (up to `waitMs`), so that none appears after the caller
// dropped the rest.
std::vector<std::string> listSpares(db::Session& maintenance, const std::string& database,
                                    int64_t waitMs);

// Drops each of `names` (spares: nobody is connected to them).
void dropSpares(db::Session& maintenance, const std::vector<std::string>& names);

}  // namespace dbtool::testdb
