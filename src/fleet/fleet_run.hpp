#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/errors.hpp"
#include "db/session.hpp"
#include "fleet/targets.hpp"

namespace dbtool::fleet {

// What a command did on one target (the command's work returns it).
struct TargetResult {
    std::string before;   // version (or state) before the command
    std::string after;    // and after it
    int64_t changed = 0;  // migrations applied or rolled back, seeds loaded
    // In words, for grouping targets that read the same in a status report ("at 2024..., up
    // to date", "at 2024..., 2 pending: 2024... add_x, 2024... add_y").
    std::string state;
    // ExitCode::Check when a status or validate found differences; else Ok.
    ExitCode code = ExitCode::Ok;
    nlohmann::json detail = nlohmann::json::object();  // the command's own facts, for JSON
};

enum class TargetState { NotRun, Done, Failed, Interrupted };
const char* targetStateName(TargetState state);

struct TargetOutcome {
    const FleetTarget* target = nullptr;
    TargetState state = TargetState::NotRun;
    TargetResult result;
    std::optional<Error> error;  // Failed, Interrupted
    int64_t ms = 0;
};

struct FleetCounts {
    size_t total = 0;
    size_t done = 0;
    size_t failed = 0;
    size_t interrupted = 0;
    size_t running = 0;
    size_t notRun() const { return total - done - failed - interrupted - running; }
};

// What the runner tells its caller while it works; called under the runner's mutex, from
// the workers' threads, one call at a time.
class FleetObserver {
  public:
    virtual ~FleetObserver() = default;
    virtual void started(const FleetTarget& /*target*/, const FleetCounts& /*counts*/) {}
    virtual void finished(const TargetOutcome& /*outcome*/, const FleetCounts& /*counts*/) {}
};

struct FleetOptions {
    size_t parallel = 1;
    // Hand out no further target after the first failure (the running ones finish).
    bool failFast = false;
    // Keep each result's detail (for a JSON document); without it the detail is dropped as
    // each target ends, so a run's memory stays flat in the number of targets.
    bool keepDetail = true;
    db::ConnectOptions connect;
};

// The command's work on one target, on a session that is connected to the target's database
// with search_path set for it (Session::switchTarget). It throws Error as the command would
// for one database; whatever it changes, it changes in its own transactions and under its
// own lock, as for one database.
using TargetWork = std::function<TargetResult(db::Session&, const FleetTarget&)>;

// Runs `work` on every target with up to options.parallel workers, each holding one
// connection that it reuses for the next target in the same database. A failing target does
// not stop the others unless failFast. Ctrl-C (db::interrupted()) stops handing out targets;
// the signal cancels the running statements, whose transactions roll back. Returns an outcome
// per target, in the targets' order.
std::vector<TargetOutcome> runFleet(const std::vector<FleetTarget>& targets,
                                    const FleetOptions& options, const TargetWork& work,
                                    FleetObserver& observer);

// The exit code of a fleet run: 0 when every target is done and fine, else the most severe
// code seen (README "Exit codes": 130, 1, 6, 7, 3, 4, 5, 8, from most to least severe). A
// target left not run by --fail-fast adds nothing; the failure that stopped the run is there.
ExitCode fleetExitCode(const std::vector<TargetOutcome>& outcomes);

}  // namespace dbtool::fleet
