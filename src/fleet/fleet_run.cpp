#include "fleet/fleet_run.hpp"

#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <thread>

#include "db/interrupt.hpp"

namespace dbtool::fleet {

namespace {

using Clock = std::chrono::steady_clock;

// Position in the documented order of severity; higher is more severe.
int severity(ExitCode code) {
    switch (code) {
        case ExitCode::Ok:
            return 0;
        case ExitCode::Check:
            return 1;
        case ExitCode::InvalidInput:
            return 2;
        case ExitCode::Config:
            return 3;
        case ExitCode::Connection:
            return 4;
        case ExitCode::Lock:
            return 5;
        case ExitCode::Database:
            return 6;
        case ExitCode::Usage:
        case ExitCode::Failure:
            return 7;
        case ExitCode::Interrupted:
            return 8;
    }
    return 7;
}

class Runner {
  public:
    Runner(const std::vector<FleetTarget>& targets, const FleetOptions& options,
           const TargetWork& work, FleetObserver& observer)
        : targets_(targets), options_(options), work_(work), observer_(observer) {
        outcomes_.resize(targets.size());
        for (size_t i = 0; i < targets.size(); ++i)
            outcomes_[i].target = &targets[i];
        counts_.total = targets.size();
    }

    std::vector<TargetOutcome> run() {
        const size_t workers = std::max<size_t>(1, std::min(options_.parallel, targets_.size()));
        std::vector<std::thread> threads;
        for (size_t w = 1; w < workers; ++w)
            threads.emplace_back([this] { worker(); });
        worker();  // the calling thread is one of them
        for (auto& t : threads)
            t.join();
        return std::move(outcomes_);
    }

  private:
    void worker() {
        std::unique_ptr<db::Session> session;
        std::string sessionKey;
        while (!stop_.load() && !db::interrupted()) {
            const size_t i = next_.fetch_add(1);
            if (i >= targets_.size())
                break;
            const FleetTarget& target = targets_[i];
            {
                std::lock_guard<std::mutex> lock(mutex_);
                ++counts_.running;
                observer_.started(target, counts_);
            }
            TargetOutcome outcome;
            outcome.target = &target;
            const auto start = Clock::now();
            try {
                if (!session || sessionKey != target.databaseKey()) {
                    session.reset();  // one connection per worker: close before opening
                    session = db::Session::connect(target.database, options_.connect);
                    sessionKey = target.databaseKey();
                }
                session->switchTarget(target.schema);
                outcome.result = work_(*session, target);
                outcome.state = TargetState::Done;
                if (!options_.keepDetail)
                    outcome.result.detail = nullptr;
            } catch (const Error& e) {
                outcome.error = e;
            } catch (const std::exception& e) {
                outcome.error = Error(ExitCode::Failure, e.what());
            } catch (...) {  // nothing may leave a worker thread: it would end the process
                outcome.error = Error(ExitCode::Failure, "an unknown exception (a bug)");
            }
            if (outcome.error) {
                const bool stopped =
                    outcome.error->code() == ExitCode::Interrupted || db::interrupted();
                outcome.state = stopped ? TargetState::Interrupted : TargetState::Failed;
                // A failed target's connection may be broken or mid-transaction: the next
                // target gets a fresh one.
                session.reset();
                if (options_.failFast)
                    stop_.store(true);
                spdlog::debug("{}: {}", target.name, outcome.error->what());
            }
            outcome.ms =
                std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
            std::lock_guard<std::mutex> lock(mutex_);
            --counts_.running;
            (outcome.state == TargetState::Done     ? counts_.done
             : outcome.state == TargetState::Failed ? counts_.failed
                                                    : counts_.interrupted)++;
            outcomes_[i] = std::move(outcome);
            observer_.finished(outcomes_[i], counts_);
        }
    }

    const std::vector<FleetTarget>& targets_;
    const FleetOptions& options_;
    const TargetWork& work_;
    FleetObserver& observer_;
    std::vector<TargetOutcome> outcomes_;
    std::atomic<size_t> next_{0};
    std::atomic<bool> stop_{false};
    std::mutex mutex_;
    FleetCounts counts_;
};

}  // namespace

const char* targetStateName(TargetState state) {
    switch (state) {
        case TargetState::Done:
            return "done";
        case TargetState::Failed:
            return "failed";
        case TargetState::Interrupted:
            return "interrupted";
        case TargetState::NotRun:
            break;
    }
    return "not_run";
}

std::vector<TargetOutcome> runFleet(const std::vector<FleetTarget>& targets,
                                    const FleetOptions& options, const TargetWork& work,
                                    FleetObserver& observer) {
    return Runner(targets, options, work, observer).run();
}

ExitCode fleetExitCode(const std::vector<TargetOutcome>& outcomes) {
    ExitCode worst = ExitCode::Ok;
    auto consider = [&worst](ExitCode code) {
        if (severity(code) > severity(worst))
            worst = code;
    };
    bool notRun = false;
    for (const auto& o : outcomes) {
        if (o.state == TargetState::Interrupted)
            consider(ExitCode::Interrupted);
        else if (o.error)
            consider(o.error->code());
        else if (o.state == TargetState::Done)
            consider(o.result.code);
        else
            notRun = true;
    }
    // Targets never started because of Ctrl-C: the run was interrupted even when no running
    // target was (it stopped between two).
    if (notRun && db::interrupted())
        consider(ExitCode::Interrupted);
    return worst;
}

}  // namespace dbtool::fleet
