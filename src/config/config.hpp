#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/errors.hpp"
#include "config/connection_target.hpp"
#include "config/dotenv.hpp"
#include "config/fleet_config.hpp"
#include "config/lint_config.hpp"
#include "config/lock_mode.hpp"

namespace dbtool {

// Values given as command-line flags; an unset optional means "not given".
struct CommandLineSettings {
    std::optional<std::string> databaseUrl;
    std::optional<std::string> configFile;
    std::optional<std::string> env;
    std::optional<std::string> migrationsDir;
    std::optional<std::string> seedsDir;
    std::optional<std::string> trackingSchema;
    std::optional<std::string> lockTimeout;
    std::optional<std::string> lockMode;
    std::optional<std::string> statementTimeout;
    std::vector<std::string> vars;  // --var NAME=VALUE, in order
};

// A variable for SQL files that opt in (`-- dbtool:vars`): from --var, DBTOOL_VAR_NAME or
// the environment's `vars:` in dbtool.yaml.
struct SqlVariable {
    std::string value;
    std::string origin;   // "--var", "DBTOOL_VAR_x (environment)", "dbtool.yaml:7:5"
    bool secret = false;  // marked `secret: true`, or a name like *password*, *token*, ...
};
using SqlVariables = std::map<std::string, SqlVariable>;

// True for names whose values are secrets whatever the configuration says (password, secret,
// token, key, credential, ... anywhere in the name, any case).
bool secretLookingName(const std::string& name);

// The variables dbtool sees: the process environment first, then a .env file, which never
// overrides a variable that is already set.
class Environment {
  public:
    struct Value {
        std::string value;
        std::string origin;  // "environment" or ".env:LINE"
    };

    Environment() = default;
    // The process environment plus `dotenvFile` (when it exists).
    static Environment fromProcess(const std::filesystem::path& dotenvFile);

    void setProcessVariable(const std::string& name, const std::string& value);
    void addDotenv(const std::vector<DotenvEntry>& entries, const std::string& file);
    std::optional<Value> get(const std::string& name) const;
    // The .env entries that the process environment did not already define (to export them
    // to libpq, which reads PGPASSWORD and friends from the real environment).
    std::map<std::string, std::string> dotenvOnly() const;
    // Every variable whose name starts with `prefix`.
    std::map<std::string, Value> withPrefix(const std::string& prefix) const;

  private:
    std::map<std::string, Value> vars_;
};

// Expands ${VAR} and ${VAR:-default} from `env`; "$$" is a literal '$'. Throws Error
// (ExitCode::Config) at `where` for an unset variable without default or a malformed reference.
std::string expandVariables(const std::string& text, const Environment& env,
                            const SourceLocation& where);

// Everything a command needs to know, resolved from (highest first): flags, environment
// variables, .env, the selected dbtool.yaml environment, then libpq's defaults.
struct Settings {
    std::string environment = "development";
    std::string environmentOrigin = "default";
    std::optional<std::filesystem::path> configFile;

    ConnectionTarget target;

    std::filesystem::path migrationsDir = "migrations";
    std::string migrationsDirOrigin = "default";
    std::filesystem::path seedsDir = "seeds";
    std::string seedsDirOrigin = "default";
    // Schema of schema_migrations / schema_seeds; empty = the connection's current_schema().
    std::string trackingSchema;
    // 0 = no limit. The lock timeout bounds every lock wait: dbtool's own advisory lock and the
    // locks a migration's statements need.
    int64_t lockTimeoutMs = 5 * 60 * 1000;
    LockMode lockMode = LockMode::Advisory;
    // Table lock mode: a lock row whose heartbeat stopped this long ago (a killed run) may be
    // taken over; the heartbeat writes it every third of this.
    int64_t lockTtlMs = 30 * 1000;
    int64_t statementTimeoutMs = 0;
    // `schema dump` writes here; `migrate up` refreshes it when dumpSchema is set.
    std::filesystem::path schemaFile = "schema.sql";
    bool dumpSchema = false;
    LintConfig lint;  // dbtool.yaml's project-wide lint: section
    SqlVariables vars;
    // The environment's `targets:` groups, for --targets NAME (fleet runs).
    TargetGroups targets;
};

Settings resolveSettings(const CommandLineSettings& flags, const Environment& env,
                         const std::filesystem::path& workingDir);

// The keys a dbtool.yaml environment section may hold (for docs and did-you-mean).
const std::vector<std::string>& configKeys();

}  // namespace dbtool
