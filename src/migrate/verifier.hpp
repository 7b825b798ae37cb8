#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/errors.hpp"
#include "db/schema_snapshot.hpp"
#include "db/session.hpp"
#include "migrate/migration.hpp"

namespace dbtool {

enum class VerifyVerdict {
    Ok,          // the down left the schema exactly as it was before the up
    NoDown,      // nothing to check: the migration has no down section (or an empty one)
    Differs,     // the down left differences
    DownFailed,  // the down section failed on the server
};
const char* verdictName(VerifyVerdict verdict);

struct MigrationVerdict {
    const Migration* migration = nullptr;
    VerifyVerdict verdict = VerifyVerdict::Ok;
    // Before the up -> after the down, one entry per object that differs.
    std::vector<db::SchemaDifference> differences;
    // DownFailed: the server's error at file:line. With stopsTheRun: why the run could not
    // go on (the up of a transaction:false migration failed when run again after its down).
    std::optional<Error> failure;
    bool stopsTheRun = false;
    int64_t ms = 0;
};

struct VerifyOptions {
    std::optional<std::string> to;  // verify up to and including this version
    db::SnapshotOptions snapshot;
};

class VerifyObserver {
  public:
    virtual ~VerifyObserver() = default;
    virtual void planned(size_t /*migrations*/) {}
    virtual void verified(const MigrationVerdict& /*verdict*/) {}
};

struct VerifyResult {
    std::vector<MigrationVerdict> verdicts;
    int64_t totalMs = 0;
    int count(VerifyVerdict verdict) const;
};

// Proves that every down undoes its up, in a scratch database (`work`: a session to it, which
// must be empty): for each migration in version order, the up runs, then the down, and the
// schema after the down must equal the schema before the up. Then the migration stays applied
// and the next one is checked.
//
// A transactional migration is checked without applying it twice: the up and the down run in
// one transaction, and only the objects they touched (what it locked or wrote, see
// db::touchedObjects) are read and compared with the schema as it stood before; then the
// transaction rolls back to just after the up and commits. A transaction:false migration
// compares whole snapshots and applies its up a second time. Cost: about one up and one down
// per migration plus two small prepared catalog queries, whatever the size of the schema.
//
// Throws Error(ExitCode::Database) at file:line when an up fails (nothing after it can be
// checked), Error(ExitCode::Usage) for an unknown `to`.
VerifyResult verifyMigrations(db::Session& work, const std::vector<Migration>& migrations,
                              const VerifyOptions& options, VerifyObserver& report);

// "left index public.comments_created_at_idx", "dropped table public.users", "changed column
// public.users.email: text -> character varying(100)": what a difference means for a down.
std::string describeDifference(const db::SchemaDifference& difference);
// One line per difference, except that a table (view, function, ...) left or dropped whole is
// one line counting its parts: "dropped table public.users, which existed before the up (with
// its 3 columns, 1 constraint, 2 indexes)".
std::vector<std::string> summarizeDifferences(const std::vector<db::SchemaDifference>& diffs);

}  // namespace dbtool
