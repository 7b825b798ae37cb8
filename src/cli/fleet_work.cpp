// What each command does on one target of a fleet (cli/fleet_commands.hpp).
#include <spdlog/spdlog.h>

#include <functional>
#include <map>

#include "base/text.hpp"
#include "cli/fleet_commands.hpp"

namespace dbtool::cli {

namespace {

using fleet::FleetTarget;
using fleet::TargetResult;
using nlohmann::json;

// The migrator's and seeder's notes, said with the target's name (the terminal shows the
// fleet's progress, not each migration).
class TargetNotes : public MigrationObserver, public SeedObserver {
  public:
    explicit TargetNotes(const std::string& target) : target_(target) {}
    void waitingForLock(const std::string& holder) override {
        spdlog::info("{}: waiting for the lock ({})", target_, holder);
    }
    void note(const std::string& text) override { spdlog::info("{}: {}", target_, text); }
    void warning(const std::string& text) override { spdlog::warn("{}: {}", target_, text); }
    void starting(const Migration& m, Direction d) override {
        spdlog::debug("{}: {} {}", target_, d == Direction::Up ? "applying" : "rolling back",
                      m.label());
    }
    void starting(const std::string& seed) override {
        spdlog::debug("{}: loading seed {}", target_, seed);
    }

  private:
    std::string target_;
};

TargetResult fromRun(const RunResult& r) {
    TargetResult out;
    out.before = r.versionBefore;
    out.after = r.versionAfter;
    json steps = json::array();
    for (const auto& s : r.steps) {
        if (!s.migration->callback.empty())
            continue;
        ++out.changed;
        steps.push_back(
            {{"version", s.migration->versioned() ? json(s.migration->version) : json(nullptr)},
             {"name", s.migration->name},
             {"direction", s.direction == Direction::Up ? "up" : "down"},
             {"duration_ms", s.ms}});
    }
    out.detail = {{"steps", steps}, {"dry_run", r.dryRun}};
    return out;
}

// "2 pending (20240101090400, 20240101090500)", at most three versions named.
std::string listed(const std::string& what, const std::vector<std::string>& items) {
    const std::vector<std::string> shown(items.begin(),
                                         items.begin() + std::min<size_t>(items.size(), 3));
    return std::to_string(items.size()) + " " + what + " (" +
           firstFew(shown, static_cast<int64_t>(items.size())) + ")";
}

}  // namespace

namespace {
// up and down: a Migrator per target; its run is the target's result.
int runMigrations(Context& ctx, const FleetArgs& args, FleetCommand command,
                  const std::function<RunResult(Migrator&)>& run) {
    const MigrationSet files = ctx.loadMigrations(true);
    command.work = [&](db::Session& session, const FleetTarget& t) {
        TargetNotes notes(t.name);
        Migrator migrator(session, files, trackingSchemaOf(ctx, t), notes);
        return fromRun(run(migrator));
    };
    return runFleetCommand(ctx, args, command);
}
}  // namespace

int runFleetUp(Context& ctx, const FleetArgs& args, const UpOptions& plan, const RunOptions& run) {
    return runMigrations(
        ctx, args, {"migrate up", FleetReport::Changes, run.dryRun ? "would apply" : "applied", {}},
        [&](Migrator& m) { return m.up(plan, run); });
}

int runFleetDown(Context& ctx, const FleetArgs& args, const DownOptions& plan,
                 const RunOptions& run) {
    return runMigrations(
        ctx, args,
        {"migrate down", FleetReport::Changes, run.dryRun ? "would roll back" : "rolled back", {}},
        [&](Migrator& m) { return m.down(plan, run); });
}

int runFleetMigrateStatus(Context& ctx, const FleetArgs& args, bool exitCode) {
    const MigrationSet files = ctx.loadMigrations(false);
    FleetCommand command{"migrate status", FleetReport::States, "", {}};
    command.work = [&](db::Session& session, const FleetTarget& t) {
        TargetNotes notes(t.name);
        Migrator migrator(session, files, trackingSchemaOf(ctx, t), notes);
        const auto report = migrator.report();
        const auto interrupted = migrator.interrupted();
        std::map<std::string, std::vector<std::string>> byState;
        for (const auto& s : report.status) {
            if (s.state != MigrationState::Applied)
                byState[stateName(s.state)].push_back(s.version);
        }
        for (const auto& r : report.repeatables) {
            if (r.state == RepeatableState::Pending || r.state == RepeatableState::Outdated)
                byState[std::string("repeatable ") + stateName(r.state)].push_back("R__" + r.name);
        }
        TargetResult out;
        out.before = out.after = currentVersion(report.status);
        out.state = out.after.empty() ? std::string("no migration applied") : "at " + out.after;
        json detail = {{"current_version", out.after}};
        std::string problems;
        static const std::pair<const char*, const char*> kStates[] = {
            {"pending", "pending"},
            {"changed", "changed"},
            {"missing", "missing"},
            {"out_of_order", "out_of_order"},
            {"repeatable pending", "repeatable_pending"},
            {"repeatable outdated", "repeatable_outdated"}};
        for (const auto& [state, key] : kStates) {
            const auto& items = byState[state];
            detail[key] = items;
            if (!items.empty())
                problems += ", " + listed(state, items);
        }
        if (!interrupted.empty())
            problems +=
                ", " + plural(static_cast<int64_t>(interrupted.size()), "interrupted migration");
        if (!report.trackingProblems.empty())
            problems += ", " + plural(static_cast<int64_t>(report.trackingProblems.size()),
                                      "tracking-table problem");
        detail["interrupted"] = interrupted.size();
        detail["tracking_problems"] = report.trackingProblems;
        out.state += problems.empty() ? ", up to date" : problems;
        out.code = exitCode && !problems.empty() ? ExitCode::Check : ExitCode::Ok;
        out.detail = detail;
        return out;
    };
    return runFleetCommand(ctx, args, command);
}

int runFleetValidate(Context& ctx, const FleetArgs& args) {
    const MigrationSet files = ctx.loadMigrations(false);
    FleetCommand command{"migrate validate", FleetReport::States, "", {}};
    command.work = [&](db::Session& session, const FleetTarget& t) {
        TargetNotes notes(t.name);
        Migrator migrator(session, files, trackingSchemaOf(ctx, t), notes);
        std::vector<std::string> changed, missing;
        int64_t applied = 0;
        for (const auto& s : migrator.status()) {
            if (s.state == MigrationState::Changed)
                changed.push_back(s.version);
            else if (s.state == MigrationState::Missing)
                missing.push_back(s.version);
            else if (s.applied)
                ++applied;
        }
        TargetResult out;
        out.state = "valid: " + plural(applied, "applied migration") + " matching its file";
        if (!changed.empty() || !missing.empty()) {
            out.state = "invalid";
            if (!changed.empty())
                out.state += ", " + listed("changed", changed);
            if (!missing.empty())
                out.state += ", " + listed("missing", missing);
            out.code = ExitCode::Check;
        }
        out.detail = {{"valid", out.code == ExitCode::Ok},
                      {"applied", applied},
                      {"changed", changed},
                      {"missing", missing}};
        return out;
    };
    return runFleetCommand(ctx, args, command);
}

int runFleetSeedRun(Context& ctx, const FleetArgs& args, const SeedRunOptions& options) {
    const Settings& s = ctx.settings();
    const auto files = findSeedFiles(s.seedsDir, s.environment);
    FleetCommand command{
        "seed run", FleetReport::Changes, options.dryRun ? "seeds would run" : "seeds run", {}};
    command.work = [&](db::Session& session, const FleetTarget& t) {
        TargetNotes notes(t.name);
        Seeder seeder(session, files, trackingSchemaOf(ctx, t), s.environment, notes);
        const auto outcomes = seeder.run(options);
        TargetResult out;
        int64_t appliedBefore = 0, rows = 0;
        json seeds = json::array();
        for (const auto& o : outcomes) {
            using A = SeedOutcome::Action;
            if (o.action == A::AlreadyApplied || o.action == A::ChangedNotRerun)
                ++appliedBefore;
            if (o.action == A::Ran || o.action == A::Rerun || o.action == A::Reloaded) {
                ++out.changed;
                for (const auto& table : o.tables)
                    rows += table.inserted;
                seeds.push_back(o.name);
            }
        }
        out.before = plural(appliedBefore, "seed") + " applied";
        out.after = plural(appliedBefore + (options.dryRun ? 0 : out.changed), "seed") + " applied";
        out.detail = {{"seeds_run", seeds}, {"rows_inserted", rows}, {"dry_run", options.dryRun}};
        return out;
    };
    return runFleetCommand(ctx, args, command);
}

int runFleetSeedStatus(Context& ctx, const FleetArgs& args, bool exitCode) {
    const Settings& s = ctx.settings();
    const auto files = findSeedFiles(s.seedsDir, s.environment);
    FleetCommand command{"seed status", FleetReport::States, "", {}};
    command.work = [&](db::Session& session, const FleetTarget& t) {
        TargetNotes notes(t.name);
        Seeder seeder(session, files, trackingSchemaOf(ctx, t), s.environment, notes);
        std::map<std::string, std::vector<std::string>> byState;
        for (const auto& st : seeder.status())
            byState[seedStateName(st.state)].push_back(st.name);
        TargetResult out;
        json detail = json::object();
        bool differs = false;
        for (const char* state : {"applied", "stale", "pending", "changed", "missing"}) {
            const auto& names = byState[state];
            detail[state] = names;
            if (names.empty())
                continue;
            out.state +=
                (out.state.empty() ? "" : ", ") + (std::string(state) == "applied"
                                                       ? std::to_string(names.size()) + " applied"
                                                       : listed(state, names));
            differs = differs || std::string(state) != "applied";
        }
        if (out.state.empty())
            out.state = "no seeds";
        out.code = exitCode && differs ? ExitCode::Check : ExitCode::Ok;
        out.detail = detail;
        return out;
    };
    return runFleetCommand(ctx, args, command);
}

}  // namespace dbtool::cli
