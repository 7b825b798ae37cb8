#include "cli/context.hpp"
#include "config/project_init.hpp"

namespace dbtool::cli {

namespace {

int runInit(Context& ctx) {
    const auto here = std::filesystem::current_path();
    const auto created = initProject(here, appNameFromFolder(here.filename().string()));
    auto& out = ctx.out();
    nlohmann::json files = nlohmann::json::array();
    for (const auto& path : created) {
        const bool folder = std::filesystem::is_directory(here / path);
        out.line("created  " + path.string() + (folder ? "/" : ""));
        files.push_back(path.string());
    }
    const std::vector<std::pair<std::string, std::string>> next = {
        {"cp .env.example .env", "then set DATABASE_URL in .env"},
        {"dbtool db create", "create the development database"},
        {"dbtool migrate create create_users", "write your first migration"},
        {"dbtool migrate up", "apply it"}};
    out.line("\nNext:");
    nlohmann::json commands = nlohmann::json::array();
    for (const auto& [command, what] : next) {
        out.line("  " + command + std::string(38 - std::min<size_t>(command.size(), 37), ' ') +
                 out.dim("# " + what));
        commands.push_back(command);
    }
    out.document({{"created", files}, {"next", commands}});
    return 0;
}

}  // namespace

void addInitCommand(CLI::App& app, Action& action) {
    app.add_subcommand("init",
                       "Start a project here: dbtool.yaml, migrations/, seeds/, .env.example")
        ->callback([&action] { action = runInit; });
}

}  // namespace dbtool::cli
