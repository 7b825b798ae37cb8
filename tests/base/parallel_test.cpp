#include "base/parallel.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace dbtool {
namespace {

TEST(ForEachInParallel, CallsEveryIndexOnceOnSeveralThreads) {
    const size_t count = 1000;
    std::vector<std::atomic<int>> calls(count);
    std::mutex m;
    std::set<std::thread::id> threads;
    forEachInParallel(
        count,
        [&](size_t i) {
            calls[i]++;
            std::lock_guard lock(m);
            threads.insert(std::this_thread::get_id());
        },
        4, 64);
    for (size_t i = 0; i < count; ++i) {
        EXPECT_EQ(calls[i].load(), 1) << i;
    }
    if (std::thread::hardware_concurrency() > 1) {
        EXPECT_GT(threads.size(), 1u);
    }
}

TEST(ForEachInParallel, SmallInputsStayOnTheCallingThread) {
    std::set<std::thread::id> threads;
    forEachInParallel(
        10, [&](size_t) { threads.insert(std::this_thread::get_id()); }, 4, 64);
    EXPECT_EQ(threads, std::set<std::thread::id>{std::this_thread::get_id()});
    forEachInParallel(0, [&](size_t) { FAIL() << "called for an empty range"; });
}

TEST(ForEachInParallel, RethrowsTheFailureOfTheLowestIndexAfterFinishingTheRest) {
    std::atomic<int> done = 0;
    try {
        forEachInParallel(
            500,
            [&](size_t i) {
                if (i == 77 || i == 300 || i == 499) {
                    throw std::runtime_error("item " + std::to_string(i));
                }
                done++;
            },
            4, 16);
        FAIL() << "no exception";
    } catch (const std::runtime_error& e) {
        EXPECT_STREQ(e.what(), "item 77");
    }
    EXPECT_EQ(done.load(), 497);
}

}  // namespace
}  // namespace dbtool
