#pragma once

#include <functional>
#include <memory>
#include <string>

#include "db/session.hpp"

namespace dbtool::db {

// The lock a run that changes the database holds for its whole length (LockedRun), so
// concurrent dbtool processes apply each migration and seed exactly once: a session advisory
// lock (AdvisoryLock) or a lock row (TableLock), as the session's lock mode says.
class RunLock {
  public:
    virtual ~RunLock() = default;
    // Empty while the lock is held; else why it was lost (only a table lock can be: its
    // heartbeat could not be written before the row expired).
    virtual std::string lost() const { return {}; }
};

// The wait of both kinds of lock: polls `tryTake` between short sleeps (5 ms, doubling to
// 200 ms: the holder is often about to finish) holding no transaction and no snapshot, until it
// returns true, Ctrl-C (Error(ExitCode::Interrupted) "interrupted while waiting for the lock on
// <what>") or the session's lock_timeout (throws `timedOut()`).
void pollForLock(Session& session, const std::string& what, const std::function<bool()>& tryTake,
                 const std::function<Error()>& timedOut);

// Takes the run lock of tracking schema `schema`, waiting up to the session's lock_timeout;
// `onWait` is told who holds it when it has to wait. Throws Error(ExitCode::Lock).
std::unique_ptr<RunLock> takeRunLock(Session& session, const std::string& schema,
                                     const std::function<void(const std::string&)>& onWait);

}  // namespace dbtool::db
