#include "db/run_lock.hpp"

#include <algorithm>
#include <chrono>
#include <thread>

#include "db/advisory_lock.hpp"
#include "db/interrupt.hpp"
#include "db/table_lock.hpp"

namespace dbtool::db {

void pollForLock(Session& session, const std::string& what, const std::function<bool()>& tryTake,
                 const std::function<Error()>& timedOut) {
    using Clock = std::chrono::steady_clock;
    const int64_t timeoutMs = session.lockTimeoutMs();
    const auto deadline = Clock::now() + std::chrono::milliseconds(timeoutMs);
    auto pause = std::chrono::milliseconds(5);
    for (;;) {
        auto sleep = pause;
        if (timeoutMs > 0) {
            const auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
            sleep = std::max(std::chrono::milliseconds(0), std::min(pause, left));
        }
        std::this_thread::sleep_for(sleep);
        throwIfInterrupted(("waiting for the lock on " + what).c_str());
        if (tryTake())
            return;
        if (timeoutMs > 0 && Clock::now() >= deadline)
            throw timedOut();
        pause = std::min(pause * 2, std::chrono::milliseconds(200));
    }
}

std::unique_ptr<RunLock> takeRunLock(Session& session, const std::string& schema,
                                     const std::function<void(const std::string&)>& onWait) {
    if (session.options().lockMode == LockMode::Table)
        return std::make_unique<TableLock>(session, schema, onWait);
    return std::make_unique<AdvisoryLock>(session, schema, onWait);
}

}  // namespace dbtool::db
