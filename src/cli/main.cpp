// dbtool: the command-line front end. It parses options, runs one command from the core and
// is the only place that turns an error into a message and an exit status.
#include <spdlog/spdlog.h>

#include <iostream>

#include "base/errors.hpp"
#include "base/redact.hpp"
#include "cli/context.hpp"
#include "db/interrupt.hpp"
#include "dbtool_version.hpp"

namespace {

using dbtool::Error;
using dbtool::ExitCode;

void addGlobalOptions(CLI::App& app, dbtool::cli::GlobalOptions& o) {
    auto& s = o.settings;
    const char* group = "Global options";
    app.add_option("--database-url", s.databaseUrl, "Database URL or conninfo (env DATABASE_URL)")
        ->group(group);
    app.add_option("--config", s.configFile,
                   "Configuration file (env DBTOOL_CONFIG; default ./dbtool.yaml when present)")
        ->group(group);
    app.add_option("--env", s.env,
                   "Environment section of the configuration (env DBTOOL_ENV; default development)")
        ->group(group);
    app.add_option("--migrations-dir", s.migrationsDir,
                   "Migrations directory (env DBTOOL_MIGRATIONS_DIR; default migrations)")
        ->group(group);
    app.add_option("--seeds-dir", s.seedsDir,
                   "Seeds directory (env DBTOOL_SEEDS_DIR; default seeds)")
        ->group(group);
    app.add_option("--tracking-schema", s.trackingSchema,
                   "Schema of dbtool's tracking tables (env DBTOOL_TRACKING_SCHEMA; default: the "
                   "current schema)")
        ->group(group);
    app.add_option("--format", o.format, "Output format: text or json (csv for data list)")
        ->check(CLI::IsMember({"text", "json", "csv"}))
        ->group(group);
    app.add_flag("-v,--verbose", o.verbosity, "Log what dbtool does (to stderr)")->group(group);
    app.add_flag("-q,--quiet", o.quiet, "Only errors on stderr")->group(group);
    app.add_flag("--no-color", o.noColor, "No colours (also env NO_COLOR)")->group(group);
    app.add_option("--wait", o.waitSeconds,
                   "Keep retrying the connection for up to SECONDS while the server starts")
        ->check(dbtool::cli::atLeast(0, false))
        ->group(group);
    app.add_option("--lock-timeout", s.lockTimeout,
                   "Longest wait for any lock, e.g. 30s, 5min; 0 = forever (env "
                   "DBTOOL_LOCK_TIMEOUT; default 5min)")
        ->group(group);
    app.add_option("--lock-mode", s.lockMode,
                   "How runs keep each other out: advisory (PostgreSQL's session advisory lock) "
                   "or table (a lock row with a heartbeat, for engines and poolers without "
                   "advisory locks); env DBTOOL_LOCK_MODE, default advisory")
        ->check(CLI::IsMember({"advisory", "table"}))
        ->group(group);
    app.add_option("--statement-timeout", s.statementTimeout,
                   "Cancel any statement running longer, e.g. 10min; 0 = no limit (env "
                   "DBTOOL_STATEMENT_TIMEOUT)")
        ->group(group);
    app.add_option("--var", s.vars,
                   "NAME=VALUE for :NAME, :'NAME' and :\"NAME\" in SQL files marked "
                   "`-- dbtool:vars` (repeatable; env DBTOOL_VAR_NAME; vars: in dbtool.yaml)")
        ->allow_extra_args(false)
        ->group(group);
}

int reportError(const Error& e, dbtool::cli::Context& ctx) {
    ctx.endProgress();
    const bool json = ctx.options().format == "json";
    std::cerr << dbtool::report::renderError(
                     e, dbtool::report::useColor(stderr, ctx.options().noColor))
              << std::flush;
    if (json) {
        std::cout << dbtool::redact(ctx.failureDocument(e).dump(2)) << std::endl;
    }
    return static_cast<int>(e.code());
}

}  // namespace

// The option `name` ("--env", "-v") of `app` or of a command above it.
const CLI::Option* findOption(const CLI::App* app, const std::string& name) {
    for (; app != nullptr; app = app->get_parent()) {
        if (const CLI::Option* o = app->get_option_no_throw(name)) {
            return o;
        }
    }
    return nullptr;
}

// CLI11's parse error, said for a person: an unknown command is named, with the choices.
Error usageError(const CLI::App& app, const std::vector<std::string>& args,
                 const CLI::ParseError& e) {
    const CLI::App* current = &app;
    std::string path = "dbtool";
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& token = args[i];
        if (token.rfind('-', 0) == 0) {
            // An option: skip its value when it takes one and it is not written --name=value.
            const std::string name = token.substr(0, token.find('='));
            const CLI::Option* o = findOption(current, name);
            if (o == nullptr && token != "--" && name != "--help" && name != "-h" &&
                name != "--help-all" && name != "--version") {
                std::vector<std::string> known;
                for (const CLI::App* a = current; a != nullptr; a = a->get_parent()) {
                    for (const CLI::Option* option : a->get_options()) {
                        for (const auto& l : option->get_lnames())
                            known.push_back("--" + l);
                    }
                }
                std::string hint = dbtool::didYouMean(name, known);
                return Error(ExitCode::Usage,
                             "unknown option '" + name + "' for `" + path + "`" + hint, {},
                             "see `" + path + " --help`");
            }
            if (o != nullptr && o->get_items_expected_min() > 0 &&
                token.find('=') == std::string::npos)
                ++i;
            continue;
        }
        const auto commands = current->get_subcommands([](const CLI::App*) { return true; });
        if (commands.empty()) {
            break;  // a positional argument of a command
        }
        const CLI::App* next = nullptr;
        std::string choices;
        for (const CLI::App* c : commands) {
            choices += (choices.empty() ? "" : ", ") + c->get_name();
            if (c->check_name(token))
                next = c;
        }
        if (next == nullptr) {
            std::vector<std::string> names;
            for (const CLI::App* c : commands)
                names.push_back(c->get_name());
            return Error(ExitCode::Usage,
                         "unknown command '" + token + "' for `" + path + "`" +
                             dbtool::didYouMean(token, names),
                         {}, "the commands are: " + choices + " (see `" + path + " --help`)");
        }
        current = next;
        path += " " + next->get_name();
    }
    return Error(ExitCode::Usage, e.what(), {}, "see `dbtool --help` (or COMMAND --help)");
}

int main(int argc, char** argv) {
    CLI::App app{"dbtool: versioned SQL migrations and YAML seeds for PostgreSQL", "dbtool"};
    app.set_version_flag("--version", std::string("dbtool ") + dbtool::kVersion);
    // Global options may stand before or after the command: dbtool migrate up --format json.
    app.fallthrough();
    app.require_subcommand(1);
    app.footer(
        "Exit codes: 0 ok, 1 failure, 2 usage, 3 cannot connect, 4 configuration, "
        "5 invalid input files, 6 database error, 7 lock timeout, 8 check failed, "
        "130 interrupted. See README.");

    dbtool::cli::GlobalOptions options;
    addGlobalOptions(app, options);
    dbtool::cli::Action action;
    dbtool::cli::addInitCommand(app, action);
    dbtool::cli::addMigrateCommands(app, action);
    dbtool::cli::addSeedCommands(app, action);
    dbtool::cli::addModelCommands(app, action);
    dbtool::cli::addDataCommands(app, action);
    dbtool::cli::addSchemaCommands(app, action);
    dbtool::cli::addDbCommands(app, action);

    dbtool::cli::Context ctx(options);
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        return reportError(usageError(app, std::vector<std::string>(argv + 1, argv + argc), e),
                           ctx);
    }

    dbtool::report::setUpLogging(options.quiet ? -1 : options.verbosity,
                                 dbtool::report::useColor(stderr, options.noColor));
    dbtool::db::installInterruptHandlers();
    try {
        // Only data list writes CSV; refuse it elsewhere before anything runs.
        if (options.format == "csv") {
            if (!app.got_subcommand("data")) {
                throw Error(ExitCode::Usage, "--format csv is for `dbtool data list`", {},
                            "use --format text or json here");
            }
            ctx.allowCsv();
        }
        if (!action) {
            throw Error(ExitCode::Usage, "no command given", {}, "see `dbtool --help`");
        }
        return action(ctx);
    } catch (const Error& e) {
        return reportError(e, ctx);
    } catch (const std::exception& e) {
        // Not expected: every known failure is an Error. Say so without internals.
        Error internal(ExitCode::Failure, std::string("unexpected failure: ") + e.what(), {},
                       "please report this with the command you ran (and -v output)");
        return reportError(internal, ctx);
    }
}
