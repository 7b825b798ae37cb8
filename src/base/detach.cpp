#include "base/detach.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

namespace dbtool {

bool runDetached(const std::function<void()>& work) {
    std::fflush(nullptr);  // nothing buffered may be written twice
    const pid_t child = fork();
    if (child < 0) {
        return false;
    }
    if (child == 0) {
        // The child starts a session and the grandchild, then ends: the grandchild is then
        // nobody's child to wait for (init adopts it), and cannot regain a terminal.
        setsid();
        const pid_t grandchild = fork();
        if (grandchild != 0) {
            _exit(grandchild < 0 ? 1 : 0);
        }
        const int null = open("/dev/null", O_RDWR);
        if (null >= 0) {
            dup2(null, STDIN_FILENO);
            dup2(null, STDOUT_FILENO);
            dup2(null, STDERR_FILENO);
        }
        // Nothing else of this process's stays open in it (sockets, a caller's pipes).
        close_range(STDERR_FILENO + 1, ~0U, 0);
        try {
            work();
        } catch (...) {
        }
        _exit(0);
    }
    int status = 0;
    pid_t waited = -1;
    do {
        waited = waitpid(child, &status, 0);
    } while (waited < 0 && errno == EINTR);
    // ECHILD: SIGCHLD is ignored here, and the child was reaped by the kernel.
    return waited < 0 || (WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

}  // namespace dbtool
