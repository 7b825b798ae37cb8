#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "db/run_lock.hpp"
#include "db/session.hpp"

namespace dbtool::db {

// The run lock as a row of `<schema>.dbtool_lock`, for engines and poolers without session
// advisory locks (lock_mode: table): the row names its owner and is kept alive by a heartbeat
// on a connection of its own, every third of the lock's time to live; a row whose heartbeat
// stopped longer ago than that (a killed run) is taken over. Every statement is a transaction
// of its own: nothing is held open while waiting, on any engine.
//
// A heartbeat that finds the row gone or owned by another run (it stalled past the expiry and
// was taken over) marks the lock lost: LockedRun rolls back a transaction it still holds open
// and starts no further unit. The tracking tables' primary keys stand behind it: a migration or
// seed recorded twice fails its second commit.
class TableLock : public RunLock {
  public:
    TableLock(Session& session, const std::string& schema,
              const std::function<void(const std::string&)>& onWait);
    ~TableLock() override;
    TableLock(const TableLock&) = delete;
    TableLock& operator=(const TableLock&) = delete;

    std::string lost() const override;

    static constexpr const char* kTable = "dbtool_lock";

  private:
    void createTable();
    bool tryTake();
    std::string describeHolder();
    void heartbeat();

    Session& session_;
    std::string schema_;
    std::string table_;  // qualified
    std::string owner_;  // this run's token
    int64_t ttlMs_;
    std::unique_ptr<Session> beatSession_;
    std::thread beat_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::atomic<bool> lost_{false};
};

}  // namespace dbtool::db
