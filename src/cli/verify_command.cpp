#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>

#include "base/duration.hpp"
#include "base/text.hpp"
#include "cli/context.hpp"
#include "db/scratch_database.hpp"
#include "migrate/verifier.hpp"
#include "seed/seed_verifier.hpp"

namespace dbtool::cli {

namespace {

using nlohmann::json;

// A verdict's name as a JSON value: "no down" -> "no_down".
std::string jsonWord(std::string name) {
    std::replace(name.begin(), name.end(), ' ', '_');
    return name;
}

json verdictJson(const MigrationVerdict& v) {
    json differences = json::array();
    for (const auto& d : v.differences) {
        differences.push_back({{"object", d.key},
                               {"before", d.before ? json(*d.before) : json(nullptr)},
                               {"after", d.after ? json(*d.after) : json(nullptr)},
                               {"message", describeDifference(d)}});
    }
    return {{"version", v.migration->version},
            {"name", v.migration->name},
            {"result", jsonWord(verdictName(v.verdict))},
            {"differences", differences},
            {"error", v.failure ? json(std::string(v.failure->what())) : json(nullptr)},
            {"error_at", v.failure && !v.failure->where().empty() ? json(v.failure->where().str())
                                                                  : json(nullptr)},
            {"duration_ms", v.ms}};
}

class PrintingVerifyObserver : public VerifyObserver {
  public:
    PrintingVerifyObserver(report::Output& out, report::ProgressLine& progress)
        : out_(out), progress_(progress) {
        out_.doneSoFar()["migrations"] = json::array();
    }
    void planned(size_t migrations) override {
        total_ = migrations;
        next();
    }
    void verified(const MigrationVerdict& v) override {
        progress_.finish();
        out_.doneSoFar()["migrations"].push_back(verdictJson(v));
        const Migration& m = *v.migration;
        std::string word;
        switch (v.verdict) {
            case VerifyVerdict::Ok:
                word = out_.green("ok         ");
                break;
            case VerifyVerdict::NoDown:
                word = out_.yellow("no down    ");
                break;
            default:
                word =
                    out_.red(v.verdict == VerifyVerdict::Differs ? "differs    " : "down failed");
        }
        out_.line(word + "  " + m.version + "  " + m.name + "  " +
                  out_.dim("(" + formatDurationMs(v.ms) + ")"));
        for (const auto& line : summarizeDifferences(v.differences)) {
            out_.line("             down of " + m.label() + " " + line);
        }
        if (v.failure) {
            out_.line("             " + v.failure->where().str() + ": " + v.failure->what());
        }
        ++done_;
        next();
    }

  private:
    void next() {
        if (done_ < total_) {
            progress_.start("verifying migration " + std::to_string(done_ + 1) + " of " +
                            std::to_string(total_));
        }
    }
    report::Output& out_;
    report::ProgressLine& progress_;
    size_t total_ = 0;
    size_t done_ = 0;
};

struct VerifyArgs {
    std::optional<std::string> to;
    bool owners = false;
    bool seeds = false;
};

json seedVerdictJson(const SeedVerdict& v) {
    return {{"name", v.seed},
            {"result", jsonWord(seedVerdictName(v.result))},
            {"differences", v.differences},
            {"error", v.failure ? json(std::string(v.failure->what())) : json(nullptr)},
            {"duration_ms", v.ms}};
}

// --seeds: after the migrations, every seed of the environment loaded and undone.
std::vector<SeedVerdict> verifySeedsOf(Context& ctx, db::Session& work) {
    const Settings& s = ctx.settings();
    SeedObserver quiet;
    const auto verdicts = verifySeeds(work, findSeedFiles(s.seedsDir, s.environment),
                                      s.trackingSchema, s.environment, quiet);
    auto& out = ctx.out();
    for (const auto& v : verdicts) {
        const std::string word =
            v.result == SeedVerdict::Result::Ok
                ? out.green("seed ok    ")
                : out.red(v.result == SeedVerdict::Result::Differs ? "seed differs"
                                                                   : "undo failed");
        out.line(word + "  " + v.seed + "  " + out.dim("(" + formatDurationMs(v.ms) + ")"));
        for (const auto& d : v.differences) {
            out.line("             " + d);
        }
        if (v.failure) {
            out.line("             " + v.failure->where().str() + ": " + v.failure->what());
        }
    }
    return verdicts;
}

int runVerify(Context& ctx, const VerifyArgs& a) {
    LoadOptions load;
    load.vars = &ctx.settings().vars;
    const auto migrations = loadMigrations(ctx.settings().migrationsDir, load);
    VerifyOptions options;
    options.to = a.to;
    options.snapshot.owners = a.owners;
    // Declared first, dropped last: after both sessions have closed.
    db::ScratchDatabase scratch(ctx.settings().target, ctx.connectOptions(), "verify");
    spdlog::info("verifying in scratch database {}", scratch.name());
    auto work = scratch.connect();  // connected last: Ctrl-C cancels its statement
    PrintingVerifyObserver printer(ctx.out(), ctx.progress());
    const VerifyResult result = verifyMigrations(*work, migrations, options, printer);
    ctx.endProgress();
    const bool stopped = !result.verdicts.empty() && result.verdicts.back().stopsTheRun;
    std::vector<SeedVerdict> seeds;
    if (a.seeds && !stopped) {
        seeds = verifySeedsOf(ctx, *work);
    }
    int seedProblems = 0;
    json seedItems = json::array();
    for (const auto& v : seeds) {
        seedProblems += v.result != SeedVerdict::Result::Ok || v.failure ? 1 : 0;
        seedItems.push_back(seedVerdictJson(v));
    }

    auto& out = ctx.out();
    json verdicts = json::array();
    for (const auto& v : result.verdicts) {
        verdicts.push_back(verdictJson(v));
    }
    const int ok = result.count(VerifyVerdict::Ok);
    const int noDown = result.count(VerifyVerdict::NoDown);
    const int differs = result.count(VerifyVerdict::Differs);
    const int failed = result.count(VerifyVerdict::DownFailed);
    std::string summary = plural(ok, "down") + (ok == 1 ? " undoes its up" : " undo their up");
    if (differs > 0) {
        summary += ", " + std::to_string(differs) + " " + (differs == 1 ? "leaves" : "leave") +
                   " differences";
    }
    if (failed > 0) {
        summary += ", " + std::to_string(failed) + " failed";
    }
    if (noDown > 0) {
        summary += "; " + plural(noDown, "migration") + " without a down";
    }
    if (stopped) {
        summary += "; stopped after " + result.verdicts.back().migration->label() +
                   ": its up fails after its down, so later migrations cannot be checked";
    }
    if (a.seeds) {
        summary += "; " + plural(static_cast<int64_t>(seeds.size()), "seed") +
                   " loaded and undone, " + std::to_string(seedProblems) +
                   " leaving the data changed";
    }
    out.line("\n" + summary + " (" +
             plural(static_cast<int64_t>(result.verdicts.size()), "migration") + " in " +
             formatDurationMs(result.totalMs) + ", in a scratch database, dropped).");
    out.document({{"migrations", verdicts},
                  {"seeds", seedItems},
                  {"summary",
                   {{"ok", ok},
                    {"no_down", noDown},
                    {"differs", differs},
                    {"down_failed", failed},
                    {"stopped", stopped},
                    {"seeds_checked", seeds.size()},
                    {"seeds_with_differences", seedProblems},
                    {"duration_ms", result.totalMs}}}});
    return differs + failed + seedProblems > 0 || stopped ? static_cast<int>(ExitCode::Check) : 0;
}

}  // namespace

void addVerifyCommand(CLI::App& migrate, Action& action) {
    auto args = std::make_shared<VerifyArgs>();
    auto* cmd = migrate.add_subcommand("verify",
                                       "Prove in a scratch database that every down undoes its up");
    cmd->add_option("--to", args->to, "Verify up to and including VERSION");
    cmd->add_flag("--owners", args->owners, "Also compare owners and grants");
    cmd->add_flag("--seeds", args->seeds,
                  "Then load and undo every seed, checking the data is as before");
    cmd->callback([&action, args] { action = [args](Context& c) { return runVerify(c, *args); }; });
}

}  // namespace dbtool::cli
