#pragma once

#include <CLI/CLI.hpp>

#include <ctime>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "db/session.hpp"
#include "migrate/migration.hpp"
#include "report/output.hpp"
#include "report/progress.hpp"

namespace dbtool::cli {

// Global options, shared by every command.
struct GlobalOptions {
    CommandLineSettings settings;
    std::string format = "text";
    int verbosity = 0;
    bool quiet = false;
    bool noColor = false;
    std::optional<double> waitSeconds;
};

// What a command handler gets: the options, the resolved settings (on first use) and the
// output. Handlers return an exit code or throw dbtool::Error.
class Context {
  public:
    explicit Context(GlobalOptions& options) : options_(options) {}

    const GlobalOptions& options() const { return options_; }
    // Resolves flags > environment > .env > dbtool.yaml > libpq defaults, once.
    const Settings& settings();
    report::Output& out();
    // The progress line of long work: on stderr, only when it is a terminal and the output is
    // text (not --quiet).
    report::ProgressLine& progress();
    // Stops and erases the progress line (before an error is printed).
    void endProgress() { progress_.reset(); }
    // The JSON document of a failure: {"error": ...} and what completed before it.
    nlohmann::json failureDocument(const Error& error) const;
    // Commands that can write CSV (data list) call this before out(); others refuse csv.
    void allowCsv() { csvAllowed_ = true; }
    bool color() const;

    db::ConnectOptions connectOptions();
    std::unique_ptr<db::Session> connect();
    // The migration files, read and checked (before connecting: a broken file never touches
    // the database). `runsSql`: the command runs migrations, so files that opt into SQL
    // variables get their values (an undefined one is an error); status and the like read
    // names and checksums only.
    MigrationSet loadMigrations(bool runsSql);
    // connect() on another thread while `work` runs (runBeside: an error of `work` comes
    // first; with --wait the two run in turn).
    std::unique_ptr<db::Session> connectWhile(const std::function<void()>& work);

  private:
    GlobalOptions& options_;
    std::optional<Settings> settings_;
    std::unique_ptr<report::Output> out_;
    std::unique_ptr<report::ProgressLine> progress_;
    bool csvAllowed_ = false;
};

using Action = std::function<int(Context&)>;

// For `migrate create` / `seed create`: throws a usage error unless `name` is letters, digits,
// '_' and '-' (so it can never leave the target directory).
void requireFileName(const std::string& kind, const std::string& name, const std::string& example);
// A number option's lower bound, said as "must be at least N" (CLI11's own range validators
// print the largest double). `whole`: integers only.
CLI::Validator atLeast(long long minimum, bool whole = true);
// "YYYYMMDDHHMMSS" in UTC.
std::string utcTimestamp(std::time_t t);

// Each command group registers its subcommands; the chosen one stores its action.
void addInitCommand(CLI::App& app, Action& action);
void addDbCommands(CLI::App& app, Action& action);
void addMigrateCommands(CLI::App& app, Action& action);
// Subcommands of `migrate` in files of their own (lint_command.cpp, verify_command.cpp).
void addLintCommand(CLI::App& migrate, Action& action);
void addVerifyCommand(CLI::App& migrate, Action& action);
// Subcommands of `db` in a file of their own (template_commands.cpp): template, clone.
void addTemplateCommands(CLI::App& db, Action& action);
void addSeedCommands(CLI::App& app, Action& action);
void addModelCommands(CLI::App& app, Action& action);
void addDataCommands(CLI::App& app, Action& action);
void addSchemaCommands(CLI::App& app, Action& action);

// migrate create NAME [--dir SUB].
int runMigrateCreate(Context& ctx, const std::string& name, const std::string& sub);

// Schema drift of the connected database (schema diff, migrate status --drift): text lines to
// print and the JSON to add.
struct DriftOutcome {
    bool drift = false;
    std::vector<std::string> lines;
    nlohmann::json document;
};
DriftOutcome checkDrift(Context& ctx, db::Session& live, bool owners);

}  // namespace dbtool::cli
