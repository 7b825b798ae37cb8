#include "cli/fleet_commands.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <map>

#include "base/duration.hpp"
#include "base/text.hpp"
#include "db/interrupt.hpp"

namespace dbtool::cli {

namespace {

using fleet::TargetOutcome;
using fleet::TargetState;
using nlohmann::json;

std::string versionText(const std::string& v) {
    return v.empty() ? "-" : v;
}

// "error: what (file:line:col)" on one line, for a table cell or a group's list.
std::string oneLineError(const Error& e) {
    const std::string text = oneLine(e.what());
    return e.where().empty() ? text : report::shownLocation(e.where()).str() + ": " + text;
}

// The progress line on a terminal: "migrate up over 1,000 targets (12 s): 412 done, 1 failed,
// 4 running, 583 pending". Without one (a CI log) a log line at every tenth of the targets
// once the run has lasted a second, and each failure as it happens.
class FleetProgress : public fleet::FleetObserver {
  public:
    FleetProgress(report::ProgressLine& line, std::string command, size_t total)
        : line_(line),
          command_(std::move(command)),
          total_(total),
          step_(std::max<size_t>(1, (total + 9) / 10)),
          nextLog_(step_) {
        line_.start(command_ + " over " + report::groupThousands(static_cast<int64_t>(total)) +
                    " targets");
    }
    void started(const fleet::FleetTarget& target, const fleet::FleetCounts& counts) override {
        spdlog::debug("{}: started", target.name);
        line_.detail(countsText(counts));
    }
    void finished(const TargetOutcome& o, const fleet::FleetCounts& counts) override {
        spdlog::debug("{}: {} in {}", o.target->name, fleet::targetStateName(o.state),
                      formatDurationMs(o.ms));
        if (o.state == TargetState::Failed)
            spdlog::warn("{}: {}", o.target->name, oneLineError(*o.error));
        line_.detail(countsText(counts));
        const size_t ended = counts.done + counts.failed + counts.interrupted;
        // A run shorter than a second says nothing, as the terminal's line is not drawn then.
        if (!line_.enabled() && ended >= nextLog_ &&
            std::chrono::steady_clock::now() - start_ >= std::chrono::seconds(1)) {
            spdlog::info("{}: {} of {} targets ended ({})", command_, ended, total_,
                         countsText(counts));
            nextLog_ = (ended / step_ + 1) * step_;
        }
    }

  private:
    static std::string countsText(const fleet::FleetCounts& c) {
        std::string text = report::groupThousands(static_cast<int64_t>(c.done)) + " done";
        if (c.failed > 0)
            text += ", " + std::to_string(c.failed) + " failed";
        if (c.interrupted > 0)
            text += ", " + std::to_string(c.interrupted) + " interrupted";
        return text + ", " + std::to_string(c.running) + " running, " +
               report::groupThousands(static_cast<int64_t>(c.notRun())) + " pending";
    }
    report::ProgressLine& line_;
    std::string command_;
    size_t total_;
    size_t step_;
    size_t nextLog_;
    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

// Moves the result's detail into the document (built once, at the end: not kept twice).
json outcomeJson(TargetOutcome& o) {
    const auto& t = *o.target;
    json item = {{"target", t.name},
                 {"database", t.database.redacted()},
                 {"schema", t.schema.empty() ? json(nullptr) : json(t.schema)},
                 {"state", fleet::targetStateName(o.state)},
                 {"duration_ms", o.ms},
                 {"error", o.error ? report::errorToJson(*o.error)["error"] : json(nullptr)}};
    if (o.state == TargetState::Done) {
        item["before"] = o.result.before;
        item["after"] = o.result.after;
        item["changed"] = o.result.changed;
        item["result"] = std::move(o.result.detail);
        if (!o.result.state.empty())
            item["summary"] = o.result.state;
    }
    return item;
}

// Names of a group in text: all of them up to 10, else the first 10 and how many more.
std::string nameList(const std::vector<std::string>& names) {
    std::string text;
    const size_t shown = names.size() <= 10 ? names.size() : 10;
    for (size_t i = 0; i < shown; ++i)
        text += (i == 0 ? "" : ", ") + names[i];
    if (shown < names.size())
        text += " and " + std::to_string(names.size() - shown) + " more";
    return text;
}

std::string upper(std::string text) {
    for (char& c : text)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return text;
}

void printChanges(Context& ctx, const FleetCommand& command,
                  const std::vector<TargetOutcome>& outcomes) {
    auto& out = ctx.out();
    std::vector<std::vector<std::string>> rows;
    for (const auto& o : outcomes) {
        const std::string state = fleet::targetStateName(o.state);
        const std::string painted = o.state == TargetState::Done     ? out.green(state)
                                    : o.state == TargetState::NotRun ? out.dim(state)
                                                                     : out.red(state);
        const bool done = o.state == TargetState::Done;
        rows.push_back({o.target->name, painted, done ? versionText(o.result.before) : "",
                        done ? versionText(o.result.after) : "",
                        done ? std::to_string(o.result.changed) : "",
                        o.state == TargetState::NotRun ? "" : formatDurationMs(o.ms),
                        o.error ? oneLineError(*o.error) : ""});
    }
    std::string table = report::renderTable(
        {out.bold("TARGET"), out.bold("RESULT"), out.bold("FROM"), out.bold("TO"),
         out.bold(upper(command.changedWord)), out.bold("TIME"), out.bold("ERROR")},
        rows);
    table.pop_back();
    out.line(table);
}

// Targets grouped by what they read: "998  at 2024..., up to date" then the names of the
// smaller groups; failures last, one line each.
void printStates(Context& ctx, const std::vector<TargetOutcome>& outcomes) {
    auto& out = ctx.out();
    std::map<std::string, std::vector<std::string>> groups;
    std::vector<std::string> order;
    for (const auto& o : outcomes) {
        if (o.state != TargetState::Done)
            continue;
        auto& names = groups[o.result.state];
        if (names.empty())
            order.push_back(o.result.state);
        names.push_back(o.target->name);
    }
    std::stable_sort(order.begin(), order.end(), [&](const auto& a, const auto& b) {
        return groups[a].size() > groups[b].size();
    });
    for (size_t i = 0; i < order.size(); ++i) {
        const auto& names = groups[order[i]];
        std::string line = std::to_string(names.size()) + "  " + order[i];
        if (i > 0)  // the largest group is "the rest"; the others are named
            line += ": " + nameList(names);
        out.line("  " + line);
    }
    for (const auto& o : outcomes) {
        if (o.state == TargetState::Failed || o.state == TargetState::Interrupted)
            out.line("  " + out.red(std::string(fleet::targetStateName(o.state))) + "  " +
                     o.target->name + ": " + oneLineError(*o.error));
    }
}

}  // namespace

void addFleetOptions(CLI::App& command, FleetArgs& args) {
    const char* group = "Fleet (dbtool.yaml targets:)";
    auto* targets = command
                        .add_option("--targets", args.group,
                                    "Run over the target group NAME of dbtool.yaml's targets: "
                                    "(tenant schemas, databases) instead of one database")
                        ->group(group);
    command
        .add_option("--target", args.only,
                    "Only this target of the group (a name, or a LIKE pattern with %); "
                    "repeatable")
        ->needs(targets)
        ->group(group);
    command.add_option("--parallel", args.parallel, "Targets at a time (default 1)")
        ->check(atLeast(1))
        ->check(CLI::Range(1, 64).description(""))
        ->needs(targets)
        ->group(group);
    command
        .add_flag("--fail-fast", args.failFast,
                  "Start no further target after the first failure (default: run them all "
                  "and report)")
        ->needs(targets)
        ->group(group);
}

std::string trackingSchemaOf(Context& ctx, const fleet::FleetTarget& target) {
    return target.schema.empty() ? ctx.settings().trackingSchema : target.schema;
}

int runFleetCommand(Context& ctx, const FleetArgs& args, const FleetCommand& command) {
    const Settings& settings = ctx.settings();
    const auto found = settings.targets.find(*args.group);
    if (found == settings.targets.end()) {
        std::vector<std::string> names;
        for (const auto& [name, g] : settings.targets)
            names.push_back(name);
        throw Error(
            ExitCode::Config,
            "no target group '" + *args.group + "' in environment '" + settings.environment + "'" +
                didYouMean(*args.group, names),
            settings.configFile ? SourceLocation{settings.configFile->string()} : SourceLocation{},
            names.empty() ? "define one in dbtool.yaml, e.g. targets: {tenants: "
                            "[{schemas: \"tenant_%\"}]} (README \"Fleets\")"
                          : "defined groups: " + nameList(names));
    }
    const auto targets = fleet::selectTargets(
        fleet::resolveTargets(found->second, settings.target, ctx.connectOptions()), args.only);
    fleet::FleetOptions options;
    options.parallel = args.parallel;
    options.failFast = args.failFast;
    options.keepDetail = ctx.out().json();
    options.connect = ctx.connectOptions();
    const auto start = std::chrono::steady_clock::now();
    std::vector<TargetOutcome> outcomes;
    {
        FleetProgress progress(ctx.progress(), command.name, targets.size());
        outcomes = fleet::runFleet(targets, options, command.work, progress);
    }
    ctx.endProgress();
    const int64_t ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::steady_clock::now() - start)
                           .count();
    const ExitCode code = fleet::fleetExitCode(outcomes);

    std::map<std::string, size_t> counts;
    json items = json::array();
    for (auto& o : outcomes) {
        counts[fleet::targetStateName(o.state)]++;
        if (ctx.out().json())
            items.push_back(outcomeJson(o));
    }
    auto& out = ctx.out();
    if (!out.json()) {
        const std::string heading = command.name + " of " +
                                    plural(static_cast<int64_t>(outcomes.size()), "target") +
                                    " (group " + *args.group + ") in " + formatDurationMs(ms);
        if (command.report == FleetReport::Changes) {
            printChanges(ctx, command, outcomes);
            // Each failure whole (where, detail, hint) below the table's one-line form.
            for (const auto& o : outcomes) {
                if (!o.error || o.state != TargetState::Failed)
                    continue;
                std::string text = report::renderError(*o.error, ctx.color());
                text.pop_back();
                out.line("\n" + out.bold(o.target->name) + ": " + text);
            }
        } else {
            out.line(heading + ":");
            printStates(ctx, outcomes);
        }
        std::string summary;
        for (const char* s : {"done", "failed", "interrupted", "not_run"}) {
            if (counts[s] > 0 || std::string(s) == "done")
                summary += (summary.empty() ? "" : ", ") + std::to_string(counts[s]) + " " +
                           (std::string(s) == "not_run" ? "not run" : s);
        }
        if (counts["not_run"] > 0)
            summary += db::interrupted() ? "; interrupted: run it again for the rest"
                                         : "; stopped by --fail-fast: run it again for the rest";
        const bool bad = counts["failed"] + counts["interrupted"] + counts["not_run"] > 0;
        if (command.report == FleetReport::Changes)
            out.line("\n" + (bad ? out.red(heading + ": " + summary + ".")
                                 : out.bold(heading + ": " + summary + ".")));
        else if (bad)
            out.line(out.red(summary + "."));
    }
    // The result is on stdout; stderr, where a CI log's errors are looked for, says it too.
    std::vector<std::string> unfinished;
    for (const auto& o : outcomes) {
        if (o.state == TargetState::Failed || o.state == TargetState::Interrupted)
            unfinished.push_back(o.target->name);
    }
    if (!unfinished.empty()) {
        spdlog::error("{} failed on {} of {}: {}", command.name, unfinished.size(),
                      plural(static_cast<int64_t>(outcomes.size()), "target"),
                      nameList(unfinished));
    }
    out.document({{"command", command.name},
                  {"group", *args.group},
                  {"targets", items},
                  {"summary",
                   {{"total", outcomes.size()},
                    {"done", counts["done"]},
                    {"failed", counts["failed"]},
                    {"interrupted", counts["interrupted"]},
                    {"not_run", counts["not_run"]}}},
                  {"duration_ms", ms},
                  {"exit_code", static_cast<int>(code)}});
    return static_cast<int>(code);
}

}  // namespace dbtool::cli
