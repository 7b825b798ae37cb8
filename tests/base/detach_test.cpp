// runDetached: the work runs in a process of its own that outlives the call, in a session of
// its own, with nothing of the caller's open (its output on /dev/null).
#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "base/detach.hpp"

namespace dbtool {
namespace {

std::string readWhenThere(const std::filesystem::path& path) {
    for (int i = 0; i < 500; ++i) {  // up to 10 s
        std::ifstream in(path);
        std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (text.find("end") != std::string::npos)
            return text;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return "";
}

TEST(RunDetached, TheWorkOutlivesTheCallInASessionOfItsOwnWithNothingOfTheCallersOpen) {
    const auto dir =
        std::filesystem::temp_directory_path() / ("dbtool_detach_" + std::to_string(getpid()));
    std::filesystem::create_directories(dir);
    const auto report = dir / "report";
    const auto release = dir / "release";
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);  // a descriptor of the caller's the work must not hold
    const pid_t caller = getpid();
    const pid_t callerSession = getsid(0);
    ASSERT_TRUE(runDetached([&] {
        // Waits for the test to let it finish: the call has returned long before.
        while (!std::filesystem::exists(release))
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        char out[256] = {};
        const ssize_t n = readlink("/proc/self/fd/1", out, sizeof out - 1);
        std::ofstream(report) << "pid " << (getpid() != caller) << " session "
                              << (getsid(0) != callerSession) << " leader "
                              << (getsid(0) == getpid()) << " parent " << (getppid() != caller)
                              << " stdout " << std::string(out, n > 0 ? size_t(n) : 0) << " pipe "
                              << fcntl(fds[1], F_GETFD) << " end";
    }));
    std::ofstream(release) << "go";
    const std::string text = readWhenThere(report);
    close(fds[0]);
    close(fds[1]);
    std::filesystem::remove_all(dir);
    EXPECT_EQ(text, "pid 1 session 1 leader 0 parent 1 stdout /dev/null pipe -1 end");
}

TEST(RunDetached, AWorkThatThrowsEndsItsProcessQuietly) {
    EXPECT_TRUE(runDetached([] { throw std::runtime_error("nobody hears this"); }));
}

}  // namespace
}  // namespace dbtool
