// Running independent pieces of work (reading and hashing files) on a few threads.
#pragma once

#include <cstddef>
#include <functional>

namespace dbtool {

// Calls work(i) for every i in [0, count) on up to `maxThreads` threads (the calling thread
// included), one thread per `perThread` items so small inputs stay on the caller. Returns when
// all are done; if any call threw, rethrows the exception of the lowest index.
void forEachInParallel(size_t count, const std::function<void(size_t)>& work, size_t maxThreads = 4,
                       size_t perThread = 64);

}  // namespace dbtool
