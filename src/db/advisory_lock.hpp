#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "db/run_lock.hpp"
#include "db/session.hpp"

namespace dbtool::db {

// A session-level PostgreSQL advisory lock held for a whole run, so concurrent dbtool
// processes (parallel CI jobs, app replicas) apply each migration and seed exactly once. It
// waits up to the session's lock_timeout; when the process dies, the server releases it with
// the connection.
//
// While it waits it holds no snapshot and no transaction: it polls pg_try_advisory_lock
// between sleeps instead of blocking in pg_advisory_lock, a statement whose snapshot the lock
// holder's CREATE INDEX CONCURRENTLY (REINDEX/DROP INDEX CONCURRENTLY, DETACH PARTITION
// CONCURRENTLY) would wait for: a deadlock the server breaks by killing one of them.
class AdvisoryLock : public RunLock {
  public:
    // `scope` names what is locked (the tracking schema). `onWait` is told who holds the lock
    // when dbtool has to wait for it. `what` says it in messages (default: "schema '<scope>'").
    AdvisoryLock(Session& session, const std::string& scope,
                 const std::function<void(const std::string&)>& onWait = {},
                 const std::string& what = {});
    ~AdvisoryLock() override;
    AdvisoryLock(const AdvisoryLock&) = delete;
    AdvisoryLock& operator=(const AdvisoryLock&) = delete;

    static int64_t keyFor(const std::string& scope);

  private:
    std::string describeHolder();
    bool tryLock();

    Session& session_;
    int64_t key_;
};

}  // namespace dbtool::db
