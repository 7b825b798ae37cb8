#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cli/context.hpp"
#include "fleet/fleet_run.hpp"
#include "migrate/migrator.hpp"
#include "seed/seeder.hpp"

namespace dbtool::cli {

// --targets GROUP [--target NAME...] [--parallel N] [--fail-fast]: the command runs over a
// fleet of databases and schemas (dbtool.yaml `targets:`) instead of one database.
struct FleetArgs {
    std::optional<std::string> group;
    std::vector<std::string> only;
    size_t parallel = 1;
    bool failFast = false;
    bool requested() const { return group.has_value(); }
};
void addFleetOptions(CLI::App& command, FleetArgs& args);

// How the end of a fleet run reads: a table of what each target did (up, down, seed run), or
// targets grouped by the state they are in (status, validate).
enum class FleetReport { Changes, States };

struct FleetCommand {
    std::string name;  // "migrate up"
    FleetReport report = FleetReport::Changes;
    std::string changedWord;  // the CHANGED column: "applied", "rolled back", "seeds run"
    fleet::TargetWork work;
};

// Resolves the group, runs `command` over it, prints the progress, the per-target table (or
// the grouped states) and the JSON document; returns the fleet's exit code.
int runFleetCommand(Context& ctx, const FleetArgs& args, const FleetCommand& command);

// The tracking schema of a target: its own schema, else the environment's.
std::string trackingSchemaOf(Context& ctx, const fleet::FleetTarget& target);

// The fleet forms of the commands (fleet_work.cpp): files are read and checked once, before
// any target is connected; each target then runs exactly what the one-database command runs.
int runFleetUp(Context& ctx, const FleetArgs& args, const UpOptions& plan, const RunOptions& run);
int runFleetDown(Context& ctx, const FleetArgs& args, const DownOptions& plan,
                 const RunOptions& run);
int runFleetMigrateStatus(Context& ctx, const FleetArgs& args, bool exitCode);
int runFleetValidate(Context& ctx, const FleetArgs& args);
int runFleetSeedRun(Context& ctx, const FleetArgs& args, const SeedRunOptions& options);
int runFleetSeedStatus(Context& ctx, const FleetArgs& args, bool exitCode);

}  // namespace dbtool::cli
