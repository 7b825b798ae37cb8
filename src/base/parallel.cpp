#include "base/parallel.hpp"

#include <algorithm>
#include <exception>
#include <thread>
#include <vector>

namespace dbtool {

void forEachInParallel(size_t count, const std::function<void(size_t)>& work, size_t maxThreads,
                       size_t perThread) {
    const size_t threads =
        std::min({static_cast<size_t>(std::max(1u, std::thread::hardware_concurrency())),
                  std::max<size_t>(1, maxThreads), count / std::max<size_t>(1, perThread) + 1});
    std::vector<std::exception_ptr> failures(count);
    auto run = [&](size_t first) {
        for (size_t i = first; i < count; i += threads) {
            try {
                work(i);
            } catch (...) {
                failures[i] = std::current_exception();
            }
        }
    };
    std::vector<std::thread> helpers;
    for (size_t t = 1; t < threads; ++t) {
        helpers.emplace_back(run, t);
    }
    run(0);
    for (auto& h : helpers) {
        h.join();
    }
    for (const auto& failure : failures) {
        if (failure) {
            std::rethrow_exception(failure);
        }
    }
}

}  // namespace dbtool
