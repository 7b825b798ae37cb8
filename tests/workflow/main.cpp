// The randomized workflow checker: drives random sequences of real dbtool commands and
// application writes against a real server (migrations up and down, seeds run, re-run,
// undone and edited, tables dropped and recreated, rows changed and deleted by the
// application, parallel runs, kill -9 and Ctrl-C mid-run) and after every step compares the
// database and dbtool's status output with a model of what the README promises.
//
//   dbtool_workflow --seed 42 --steps 300      # reproducible: same seed, same steps
//   dbtool_workflow --seed random --steps 20000
//   DBTOOL_WORKFLOW_STEPS=100 overrides --steps (CI's sanitized build uses it)
//
// On a disagreement it prints the seed and the smallest sequence of steps it could find that
// still disagrees, and exits 1.
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <map>
#include <random>
#include <string>

#include "workflow/model.hpp"
#include "workflow/world.hpp"

namespace dbtool::workflow {
namespace {

using K = Step::Kind;

// How often each kind of step comes up: application writes and seed commands most.
const std::vector<std::pair<K, int>> kWeights = {
    {K::MigrateUp, 6},         {K::MigrateUpStep, 3},     {K::MigrateUpTo, 2},
    {K::MigrateDown, 3},       {K::MigrateDownStep2, 2},  {K::MigrateDownAll, 1},
    {K::MigrateRedo, 2},       {K::SeedRun, 8},           {K::SeedRunNamed, 3},
    {K::SeedRunForce, 3},      {K::SeedRunForceNamed, 2}, {K::SeedUndo, 4},
    {K::SeedUndoNamed, 3},     {K::SeedUndoAll, 2},       {K::EditSeed, 3},
    {K::AppInsertUser, 4},     {K::AppInsertTag, 3},      {K::AppInsertPost, 4},
    {K::AppUpdateUser, 4},     {K::AppUpdateTag, 3},      {K::AppDeleteUser, 3},
    {K::AppDeleteTag, 2},      {K::AppDeletePost, 4},     {K::AppTruncateTags, 1},
    {K::ParallelMigrateUp, 1}, {K::ParallelSeedRun, 1},   {K::KillMigrateUp, 1},
    {K::KillSeedRun, 1},       {K::InterruptSeedRun, 1},
};

Step randomStep(std::mt19937_64& rng, int serial) {
    int total = 0;
    for (const auto& [kind, weight] : kWeights)
        total += weight;
    int roll = static_cast<int>(rng() % static_cast<uint64_t>(total));
    Step step{K::SeedRun, static_cast<int>(rng() % 1000), serial};
    for (const auto& [kind, weight] : kWeights) {
        if (roll < weight) {
            step.kind = kind;
            break;
        }
        roll -= weight;
    }
    return step;
}

std::string show(const Snapshot& s) {
    std::string out = "  migrations applied: " + std::to_string(s.migrationLevel) +
                      "\n  R__user_emails: " + s.repeatable +
                      (s.view ? ", view exists" : ", no view") + "\n  seeds:";
    for (const auto& [name, state] : s.seedState)
        out += " " + name + "=" + state;
    out += "\n  rows:";
    for (const auto& r : s.rows)
        out += "\n    " + r.table + " " + r.key + " " + r.value;
    return out + "\n";
}

// How many dbtool commands of the main run ended with each exit code (what was exercised).
std::map<int, int> exitCodes;

// Runs `steps` on a fresh world and model; the first disagreement, or "" when none.
std::string check(const std::vector<Step>& steps, bool verbose, size_t* failedAt = nullptr) {
    World world;
    Model model;
    for (size_t i = 0; i < steps.size(); ++i) {
        const Step& step = steps[i];
        const auto target = model.resolve(step);
        const World::Outcome outcome = world.run(step, target);
        const int expected = model.apply(step);
        if (verbose && !commandOf(step).empty())
            ++exitCodes[outcome.exitCode];
        std::string problems;
        if (outcome.exitCode != expected)
            problems += "exit code " + std::to_string(outcome.exitCode) + ", expected " +
                        std::to_string(expected) + "\n" + outcome.output;
        const Snapshot actual = world.snapshot(problems);
        const Snapshot wanted = model.snapshot();
        if (actual.migrationLevel != wanted.migrationLevel || actual.rows != wanted.rows ||
            actual.seedState != wanted.seedState || actual.repeatable != wanted.repeatable ||
            actual.view != wanted.view)
            problems += "the database differs from the model\n database:\n" + show(actual) +
                        " model:\n" + show(wanted);
        if (!problems.empty()) {
            if (failedAt != nullptr)
                *failedAt = i;
            return "step " + std::to_string(i + 1) + ": " + describe(step) + "\n" + problems;
        }
        if (verbose && (i + 1) % 500 == 0)
            std::cerr << "  " << (i + 1) << " steps ok" << std::endl;
    }
    return "";
}

// Delta debugging: drops chunks of steps while the sequence still disagrees somewhere.
std::vector<Step> shrink(std::vector<Step> steps) {
    size_t chunks = 2;
    while (steps.size() >= 2) {
        const size_t size = (steps.size() + chunks - 1) / chunks;
        bool reduced = false;
        for (size_t start = 0; start < steps.size(); start += size) {
            std::vector<Step> candidate(steps.begin(), steps.begin() + static_cast<long>(start));
            candidate.insert(
                candidate.end(),
                steps.begin() + static_cast<long>(std::min(start + size, steps.size())),
                steps.end());
            if (!candidate.empty() && !check(candidate, false).empty()) {
                steps = candidate;
                chunks = std::max<size_t>(chunks - 1, 2);
                reduced = true;
                break;
            }
        }
        if (!reduced) {
            if (chunks >= steps.size())
                break;
            chunks = std::min(chunks * 2, steps.size());
        }
    }
    return steps;
}

int main(int argc, char** argv) {
    uint64_t seed = 1;
    bool randomSeed = false;
    int count = 300;
    bool shrinkFailures = true;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--seed" && i + 1 < argc) {
            const std::string value = argv[++i];
            randomSeed = value == "random";
            seed = randomSeed ? std::random_device{}() : std::stoull(value);
        } else if (arg == "--steps" && i + 1 < argc) {
            count = std::stoi(argv[++i]);
        } else if (arg == "--no-shrink") {
            shrinkFailures = false;
        } else {
            std::cerr << "usage: dbtool_workflow [--seed N|random] [--steps N] [--no-shrink]\n";
            return 2;
        }
    }
    // CI budgets (the sanitized build runs fewer steps) override --steps.
    if (const char* steps = std::getenv("DBTOOL_WORKFLOW_STEPS"); steps != nullptr && *steps)
        count = std::stoi(steps);
    // Both lock modes: DBTOOL_LOCK_MODE when set, else the seed's parity (even: a lock row,
    // with a short time to live so a killed run's row is taken over quickly).
    const char* givenMode = std::getenv("DBTOOL_LOCK_MODE");
    const std::string lockMode =
        givenMode != nullptr && *givenMode ? givenMode : (seed % 2 == 0 ? "table" : "advisory");
    setenv("DBTOOL_LOCK_MODE", lockMode.c_str(), 1);
    if (lockMode == "table")
        setenv("DBTOOL_LOCK_TTL", "1s", 0);
    std::cerr << "workflow checker: seed " << seed << (randomSeed ? " (random)" : "") << ", "
              << count << " steps, lock mode " << lockMode << " (repeat with --seed " << seed
              << " --steps " << count << ")" << std::endl;
    std::mt19937_64 rng(seed);
    std::vector<Step> steps;
    for (int i = 0; i < count; ++i)
        steps.push_back(randomStep(rng, i + 1));

    const auto start = std::chrono::steady_clock::now();
    size_t failedAt = 0;
    const std::string failure = check(steps, true, &failedAt);
    const auto seconds =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - start)
            .count();
    if (failure.empty()) {
        std::string codes;
        for (const auto& [code, n] : exitCodes)
            codes += (codes.empty() ? "" : ", ") + std::to_string(n) + " x " + std::to_string(code);
        std::cerr << "workflow checker: " << count << " steps agree with the model (" << seconds
                  << " s; dbtool exit codes: " << codes << ")" << std::endl;
        return 0;
    }
    std::cerr << "workflow checker: DISAGREEMENT with seed " << seed << " at " << failure;
    if (shrinkFailures) {
        std::vector<Step> prefix(steps.begin(), steps.begin() + static_cast<long>(failedAt) + 1);
        std::cerr << "shrinking the " << prefix.size() << " steps..." << std::endl;
        const auto minimal = shrink(prefix);
        std::cerr << "smallest sequence found (" << minimal.size() << " steps, from a fresh "
                  << "database):\n";
        for (const auto& step : minimal)
            std::cerr << "  " << describe(step) << "\n";
        std::cerr << "which ends with:\n" << check(minimal, false);
    }
    return 1;
}

}  // namespace
}  // namespace dbtool::workflow

int main(int argc, char** argv) {
    try {
        return dbtool::workflow::main(argc, argv);
    } catch (const std::exception& e) {
        std::cerr << "workflow checker: " << e.what() << "\n";
        return 1;
    }
}
