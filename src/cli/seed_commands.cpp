#include "cli/context.hpp"

namespace dbtool::cli {

void addSeedCommands(CLI::App& app, Action& /*action*/) {
    auto* seed = app.add_subcommand("seed", "YAML seed files: run, status, undo, create");
    seed->require_subcommand(1);
}

}  // namespace dbtool::cli
