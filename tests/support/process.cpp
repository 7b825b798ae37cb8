#include "support/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <stdexcept>

extern char** environ;

namespace dbtool::test {

namespace {
bool scrubbed(const std::string& name) {
    return name == "DATABASE_URL" || name.starts_with("PG") || name.starts_with("DBTOOL_") ||
           name == "NO_COLOR";
}
}  // namespace

ChildProcess::ChildProcess(const std::vector<std::string>& args, const ProcessOptions& options) {
    std::map<std::string, std::string> env;
    for (char** e = environ; *e != nullptr; ++e) {
        std::string entry = *e;
        const size_t eq = entry.find('=');
        if (eq != std::string::npos && !scrubbed(entry.substr(0, eq))) {
            env[entry.substr(0, eq)] = entry.substr(eq + 1);
        }
    }
    for (const auto& [k, v] : options.env) {
        if (v) {
            env[k] = *v;
        } else {
            env.erase(k);
        }
    }
    std::vector<std::string> envStrings;
    for (const auto& [k, v] : env) {
        envStrings.push_back(k + "=" + v);
    }
    std::vector<std::string> argv = {DBTOOL_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());

    int inPipe[2], outPipe[2], errPipe[2];
    // Close-on-exec: a child started while another one's pipes are open (tests that start
    // several at once) must not hold their write ends, or that one's EOF never comes.
    if (pipe2(inPipe, O_CLOEXEC) != 0) {
        throw std::runtime_error("pipe failed");
    }
    if (options.terminal) {
        // [0] the side the test reads, [1] the child's terminal, as with a pipe.
        for (int* fds : {outPipe, errPipe}) {
            termios raw{};
            cfmakeraw(&raw);
            winsize size{};
            size.ws_row = 40;
            size.ws_col = options.terminalColumns;
            if (openpty(&fds[0], &fds[1], nullptr, &raw, &size) != 0) {
                throw std::runtime_error("openpty failed");
            }
            fcntl(fds[0], F_SETFD, FD_CLOEXEC);
            fcntl(fds[1], F_SETFD, FD_CLOEXEC);
        }
    } else if (pipe2(outPipe, O_CLOEXEC) != 0 || pipe2(errPipe, O_CLOEXEC) != 0) {
        throw std::runtime_error("pipe failed");
    }
    pid_ = fork();
    if (pid_ < 0) {
        throw std::runtime_error("fork failed");
    }
    if (pid_ == 0) {
        dup2(inPipe[0], 0);
        dup2(outPipe[1], 1);
        dup2(errPipe[1], 2);
        for (int fd : {inPipe[0], inPipe[1], outPipe[0], outPipe[1], errPipe[0], errPipe[1]}) {
            ::close(fd);
        }
        if (!options.cwd.empty() && chdir(options.cwd.c_str()) != 0) {
            _exit(126);
        }
        std::vector<char*> cargv, cenv;
        for (auto& a : argv)
            cargv.push_back(a.data());
        cargv.push_back(nullptr);
        for (auto& e : envStrings)
            cenv.push_back(e.data());
        cenv.push_back(nullptr);
        execve(cargv[0], cargv.data(), cenv.data());
        _exit(127);
    }
    ::close(inPipe[0]);
    ::close(outPipe[1]);
    ::close(errPipe[1]);
    if (!options.input.empty()) {
        // Inputs in tests are small: they fit in the pipe buffer.
        [[maybe_unused]] auto n = ::write(inPipe[1], options.input.data(), options.input.size());
    }
    ::close(inPipe[1]);
    outFd_ = outPipe[0];
    errFd_ = errPipe[0];
}

ChildProcess::~ChildProcess() {
    if (!done_ && pid_ > 0) {
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
    }
    if (outFd_ >= 0)
        ::close(outFd_);
    if (errFd_ >= 0)
        ::close(errFd_);
}

void ChildProcess::signal(int sig) {
    kill(pid_, sig);
}

ProcessResult ChildProcess::wait(double timeoutSeconds,
                                 const std::function<std::string()>& onTimeout) {
    ProcessResult result;
    const auto deadline = std::chrono::steady_clock::now() +
                          std::chrono::milliseconds(static_cast<int64_t>(timeoutSeconds * 1000));
    bool outOpen = true, errOpen = true, killed = false;
    char buf[65536];
    while (outOpen || errOpen) {
        pollfd fds[2] = {{outOpen ? outFd_ : -1, POLLIN, 0}, {errOpen ? errFd_ : -1, POLLIN, 0}};
        poll(fds, 2, 200);
        for (int i = 0; i < 2; ++i) {
            if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) {
                ssize_t n = ::read(i == 0 ? outFd_ : errFd_, buf, sizeof buf);
                if (n <= 0) {
                    (i == 0 ? outOpen : errOpen) = false;
                } else {
                    (i == 0 ? result.out : result.err).append(buf, static_cast<size_t>(n));
                }
            }
        }
        if (!killed && std::chrono::steady_clock::now() > deadline) {
            if (onTimeout) {
                result.err += "\n[test harness] still running after " +
                              std::to_string(timeoutSeconds) + " s, killed; " + onTimeout();
            }
            kill(pid_, SIGKILL);
            killed = true;
            result.timedOut = true;
        }
    }
    int status = 0;
    waitpid(pid_, &status, 0);
    done_ = true;
    if (WIFEXITED(status)) {
        result.exitCode = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        result.signal = WTERMSIG(status);
    }
    return result;
}

ProcessResult runDbtool(const std::vector<std::string>& args, const ProcessOptions& options) {
    ChildProcess child(args, options);
    return child.wait(options.timeoutSeconds, options.onTimeout);
}

}  // namespace dbtool::test
