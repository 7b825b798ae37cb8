#include <unistd.h>

#include <iostream>

#include "cli/context.hpp"
#include "data/admin.hpp"

namespace dbtool::cli {

namespace {

int runPing(Context& ctx) {
    const PingResult r = ping(ctx.settings().target, ctx.connectOptions());
    ctx.out().line("ok: " + r.target + " — PostgreSQL " + r.serverVersion + ", user " + r.user +
                   ", database " + r.database + " (" + std::to_string(r.elapsedMs) + " ms)");
    ctx.out().document({{"ok", true},
                        {"target", r.target},
                        {"server_version", r.serverVersion},
                        {"user", r.user},
                        {"database", r.database},
                        {"elapsed_ms", r.elapsedMs}});
    return 0;
}

int runWait(Context& ctx, double timeoutSeconds) {
    db::ConnectOptions options = ctx.connectOptions();
    options.waitMs = static_cast<int64_t>(timeoutSeconds * 1000);
    const PingResult r = ping(ctx.settings().target, options);
    ctx.out().line("ready: " + r.target + " — PostgreSQL " + r.serverVersion + " (" +
                   std::to_string(r.elapsedMs) + " ms)");
    ctx.out().document({{"ready", true},
                        {"target", r.target},
                        {"server_version", r.serverVersion},
                        {"elapsed_ms", r.elapsedMs}});
    return 0;
}

int runCreate(Context& ctx) {
    const auto& target = ctx.settings().target;
    const auto outcome = createDatabase(target, ctx.connectOptions());
    const bool created = outcome == CreateOutcome::Created;
    ctx.out().line(created ? "created database " + target.database()
                           : "database " + target.database() + " already exists; nothing to do");
    ctx.out().document({{"database", target.database()}, {"created", created}});
    return 0;
}

int runDrop(Context& ctx, bool force) {
    const auto& target = ctx.settings().target;
    if (!force) {
        if (isatty(STDIN_FILENO) == 0) {
            throw Error(
                ExitCode::Usage,
                "refusing to drop database '" + target.database() + "' without confirmation", {},
                "pass --force to drop it from a script");
        }
        std::cerr << "Drop database '" << target.database() << "' on " << target.redacted()
                  << "? Every table and row in it is lost.\nType the database name to confirm: "
                  << std::flush;
        std::string answer;
        std::getline(std::cin, answer);
        if (answer != target.database()) {
            throw Error(ExitCode::Usage,
                        "not confirmed; database '" + target.database() + "' was not dropped");
        }
    }
    const auto outcome = dropDatabase(target, ctx.connectOptions());
    const bool dropped = outcome == DropOutcome::Dropped;
    ctx.out().line(dropped ? "dropped database " + target.database()
                           : "database " + target.database() + " does not exist; nothing to do");
    ctx.out().document({{"database", target.database()}, {"dropped", dropped}});
    return 0;
}

}  // namespace

void addDbCommands(CLI::App& app, Action& action) {
    auto* db = app.add_subcommand(
        "db", "Database server commands: ping, wait, create, drop, template, clone");
    db->require_subcommand(1);

    db->add_subcommand("ping", "Connect and print the server version and the (redacted) target")
        ->callback([&action] { action = runPing; });

    auto* wait = db->add_subcommand("wait", "Wait until the server accepts connections");
    auto timeout = std::make_shared<double>(30);
    wait->add_option("--timeout", *timeout, "Seconds to keep trying (default 30)")
        ->check(atLeast(0, false));
    wait->callback(
        [&action, timeout] { action = [timeout](Context& c) { return runWait(c, *timeout); }; });

    db->add_subcommand("create", "Create the configured database (no-op when it exists)")
        ->callback([&action] { action = runCreate; });

    auto* drop = db->add_subcommand("drop", "Drop the configured database");
    auto force = std::make_shared<bool>(false);
    drop->add_flag("--force", *force, "Do not ask for confirmation");
    drop->callback(
        [&action, force] { action = [force](Context& c) { return runDrop(c, *force); }; });

    addTemplateCommands(*db, action);
}

}  // namespace dbtool::cli
