#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "db/session.hpp"

namespace dbtool::db {

// A session-level PostgreSQL advisory lock held for a whole run, so concurrent dbtool
// processes (parallel CI jobs, app replicas) apply each migration and seed exactly once. It
// waits up to the session's lock_timeout; when the process dies, the server releases it with
// the connection.
class AdvisoryLock {
  public:
    // `scope` names what is locked (the tracking schema). `onWait` is told who holds the lock
    // when dbtool has to wait for it.
    AdvisoryLock(Session& session, const std::string& scope,
                 const std::function<void(const std::string&)>& onWait = {});
    ~AdvisoryLock();
    AdvisoryLock(const AdvisoryLock&) = delete;
    AdvisoryLock& operator=(const AdvisoryLock&) = delete;

    static int64_t keyFor(const std::string& scope);

  private:
    std::string describeHolder();

    Session& session_;
    int64_t key_;
};

}  // namespace dbtool::db
