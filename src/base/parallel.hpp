// Running independent pieces of work (reading and hashing files) on a few threads.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <future>
#include <memory>
#include <thread>

namespace dbtool {

// Calls work(i) for every i in [0, count) on up to `maxThreads` threads (the calling thread
// included), one thread per `perThread` items so small inputs stay on the caller. Returns when
// all are done; if any call threw, rethrows the exception of the lowest index.
void forEachInParallel(size_t count, const std::function<void(size_t)>& work, size_t maxThreads = 4,
                       size_t perThread = 64);

// Runs `beside` on another thread while `work` runs on this one (a connection made while
// files are read: each takes milliseconds and neither needs the other) and returns what
// `beside` returned, or throws what it threw. An exception of `work` wins, as if it had run
// alone: `beside`'s result is then dropped, or left to finish on its own thread when it has
// not within 200 ms (an unresponsive host). With `inTurn` (`beside` may take long by design)
// the two run one after the other, work first.
template <class T>
T runBeside(std::function<T()> beside, const std::function<void()>& work, bool inTurn) {
    if (inTurn) {
        work();
        return beside();
    }
    // Shared with the thread, which may outlive this call.
    auto task = std::make_shared<std::packaged_task<T()>>(std::move(beside));
    auto result = task->get_future();
    std::thread thread([task] { (*task)(); });
    try {
        work();
    } catch (...) {
        if (result.wait_for(std::chrono::milliseconds(200)) == std::future_status::ready) {
            thread.join();
        } else {
            thread.detach();
        }
        throw;
    }
    thread.join();
    return result.get();
}

}  // namespace dbtool
