#include "cli/context.hpp"

namespace dbtool::cli {

void addMigrateCommands(CLI::App& app, Action& /*action*/) {
    auto* migrate = app.add_subcommand(
        "migrate", "Versioned SQL migrations: up, down, redo, status, validate, create");
    migrate->require_subcommand(1);
}

}  // namespace dbtool::cli
