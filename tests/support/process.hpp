#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace dbtool::test {

struct ProcessResult {
    int exitCode = -1;  // -1 when killed by a signal
    int signal = 0;
    bool timedOut = false;  // killed by wait() when the timeout passed
    std::string out;
    std::string err;
};

struct ProcessOptions {
    std::filesystem::path cwd;
    // Variables to set; a nullopt value removes the variable.
    std::map<std::string, std::optional<std::string>> env;
    std::string input;  // written to stdin (then closed)
    // Run with stdout and stderr on terminals (pseudo-terminals of `terminalColumns`
    // columns, raw: no "\r\n"), for what dbtool does only on a terminal.
    bool terminal = false;
    unsigned short terminalColumns = 60;
    double timeoutSeconds = 120;
    // Called when the timeout passes, before the child is killed; what it returns is appended
    // to the result's err (e.g. what the server sessions were doing), so a hang explains itself.
    std::function<std::string()> onTimeout;
};

// Options that only set (or, with nullopt, remove) environment variables.
inline ProcessOptions withEnv(std::map<std::string, std::optional<std::string>> env) {
    ProcessOptions o;
    o.env = std::move(env);
    return o;
}

// Runs the dbtool binary with `args`, capturing stdout and stderr. The child starts from this
// process's environment without DATABASE_URL, PG* and DBTOOL_* variables (so the developer's
// shell cannot leak in), plus options.env.
ProcessResult runDbtool(const std::vector<std::string>& args, const ProcessOptions& options = {});

// A started child process, for tests that signal or kill it mid-run.
class ChildProcess {
  public:
    ChildProcess(const std::vector<std::string>& args, const ProcessOptions& options);
    ~ChildProcess();
    int pid() const { return pid_; }
    void signal(int sig);
    // Waits, collecting output; kills the child when the timeout passes (after calling
    // onTimeout when given).
    ProcessResult wait(double timeoutSeconds = 120,
                       const std::function<std::string()>& onTimeout = {});

  private:
    int pid_ = -1;
    int outFd_ = -1;
    int errFd_ = -1;
    bool done_ = false;
};

}  // namespace dbtool::test
