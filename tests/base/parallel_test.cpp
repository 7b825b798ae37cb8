#include "base/parallel.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
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

// runBeside: both run at once; work's error comes first, and a slow `beside` does not hold it
// back; `beside`'s own error comes out when work succeeds; inTurn runs work first.
TEST(RunBeside, BothRunAtOnceAndTheWorksErrorComesFirst) {
    std::atomic<bool> besideRunning = false;
    const int got = runBeside<int>(
        [&] {
            besideRunning = true;
            return 42;
        },
        [&] {
            for (int i = 0; i < 1000 && !besideRunning; ++i)
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
        },
        false);
    EXPECT_EQ(got, 42);
    EXPECT_TRUE(besideRunning);

    try {
        runBeside<int>([]() -> int { throw std::runtime_error("beside"); }, [] {}, false);
        FAIL() << "no exception";
    } catch (const std::runtime_error& e) {
        EXPECT_STREQ(e.what(), "beside");
    }
    try {
        runBeside<int>([]() -> int { throw std::runtime_error("beside"); },
                       [] { throw std::runtime_error("work"); }, false);
        FAIL() << "no exception";
    } catch (const std::runtime_error& e) {
        EXPECT_STREQ(e.what(), "work");
    }

    // A `beside` that takes 1.5 s: work's error is out long before (its thread goes on alone,
    // waited for below so it does not outlive the test).
    auto finished = std::make_shared<std::atomic<bool>>(false);
    const auto start = std::chrono::steady_clock::now();
    try {
        runBeside<int>(
            [finished] {
                std::this_thread::sleep_for(std::chrono::milliseconds(1500));
                *finished = true;
                return 1;
            },
            [] { throw std::runtime_error("work"); }, false);
        FAIL() << "no exception";
    } catch (const std::runtime_error& e) {
        EXPECT_STREQ(e.what(), "work");
    }
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(1000));
    for (int i = 0; i < 500 && !*finished; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_TRUE(*finished);

    // In turn: work first, beside after it, not started when work throws.
    std::vector<std::string> order;
    runBeside<int>(
        [&] {
            order.push_back("beside");
            return 0;
        },
        [&] { order.push_back("work"); }, true);
    EXPECT_EQ(order, (std::vector<std::string>{"work", "beside"}));
    bool started = false;
    EXPECT_THROW(runBeside<int>(
                     [&] {
                         started = true;
                         return 0;
                     },
                     [] { throw std::runtime_error("work"); }, true),
                 std::runtime_error);
    EXPECT_FALSE(started);
}

}  // namespace
}  // namespace dbtool
