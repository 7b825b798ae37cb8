#include "config/config.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "base/duration.hpp"
#include "base/errors.hpp"
#include "base/redact.hpp"
#include "config/yaml_location.hpp"

extern char** environ;

namespace dbtool {

namespace fs = std::filesystem;

Environment Environment::fromProcess(const fs::path& dotenvFile) {
    Environment env;
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
        const std::string entry = *e;
        const size_t eq = entry.find('=');
        if (eq != std::string::npos) {
            env.setProcessVariable(entry.substr(0, eq), entry.substr(eq + 1));
        }
    }
    env.addDotenv(readDotenvFile(dotenvFile), dotenvFile.filename().string());
    return env;
}

void Environment::setProcessVariable(const std::string& name, const std::string& value) {
    vars_[name] = Value{value, "environment"};
}

void Environment::addDotenv(const std::vector<DotenvEntry>& entries, const std::string& file) {
    for (const auto& entry : entries) {
        auto it = vars_.find(entry.key);
        if (it == vars_.end() || it->second.origin != "environment") {
            // Within the file, the last definition wins, as in a shell script.
            vars_[entry.key] = Value{entry.value, file + ":" + std::to_string(entry.line)};
        }
    }
}

std::optional<Environment::Value> Environment::get(const std::string& name) const {
    auto it = vars_.find(name);
    if (it == vars_.end()) {
        return std::nullopt;
    }
    return it->second;
}

std::map<std::string, std::string> Environment::dotenvOnly() const {
    std::map<std::string, std::string> out;
    for (const auto& [name, value] : vars_) {
        if (value.origin != "environment") {
            out[name] = value.value;
        }
    }
    return out;
}

std::map<std::string, Environment::Value> Environment::withPrefix(const std::string& prefix) const {
    std::map<std::string, Value> out;
    for (auto it = vars_.lower_bound(prefix); it != vars_.end() && it->first.starts_with(prefix);
         ++it) {
        out.insert(*it);
    }
    return out;
}

bool secretLookingName(const std::string& name) {
    std::string lower;
    for (char c : name) {
        lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
    for (const char* word :
         {"password", "passwd", "pwd", "secret", "token", "key", "credential", "auth", "private"}) {
        if (lower.find(word) != std::string::npos) {
            return true;
        }
    }
    return false;
}

std::string expandVariables(const std::string& text, const Environment& env,
                            const SourceLocation& where) {
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '$') {
            out += text[i];
            continue;
        }
        if (i + 1 < text.size() && text[i + 1] == '$') {
            out += '$';
            ++i;
            continue;
        }
        if (i + 1 >= text.size() || text[i + 1] != '{') {
            out += '$';
            continue;
        }
        const size_t close = text.find('}', i + 2);
        if (close == std::string::npos) {
            throw Error(ExitCode::Config, "unterminated ${...} in '" + text + "'", where,
                        "write ${NAME} or ${NAME:-default}; use $$ for a literal $");
        }
        const std::string inner = text.substr(i + 2, close - i - 2);
        const size_t dflt = inner.find(":-");
        const std::string name = inner.substr(0, dflt);
        const bool validName =
            !name.empty() &&
            (std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_') &&
            std::all_of(name.begin(), name.end(), [](char c) {
                return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
            });
        if (!validName) {
            throw Error(ExitCode::Config, "invalid variable reference ${" + inner + "}", where,
                        "write ${NAME} or ${NAME:-default}");
        }
        auto value = env.get(name);
        if (value && !(dflt != std::string::npos && value->value.empty())) {
            out += value->value;
        } else if (dflt != std::string::npos) {
            out += inner.substr(dflt + 2);
        } else {
            throw Error(ExitCode::Config, "environment variable " + name + " is not set", where,
                        "set " + name + " (in the environment or .env), or give a default: ${" +
                            name + ":-value}");
        }
        i = close;
    }
    return out;
}

const std::vector<std::string>& configKeys() {
    static const std::vector<std::string> keys = {"url",
                                                  "host",
                                                  "port",
                                                  "database",
                                                  "user",
                                                  "password",
                                                  "sslmode",
                                                  "migrations_dir",
                                                  "seeds_dir",
                                                  "tracking_schema",
                                                  "lock_timeout",
                                                  "lock_mode",
                                                  "lock_ttl",
                                                  "statement_timeout",
                                                  "connect_timeout",
                                                  "application_name",
                                                  "vars",
                                                  "targets"};
    return keys;
}

namespace {

struct ConfigValue {
    std::string value;
    SourceLocation where;
};
using ConfigSection = std::map<std::string, ConfigValue>;

// Reads the selected environment's section of dbtool.yaml, with ${VAR} expanded.
// The project-wide `lint:` section lands in `lint`.
// A SQL variable's name as psql has them (a letter or '_', then letters, digits, '_').
bool validVariableName(const std::string& name) {
    auto start = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    };
    return !name.empty() && start(name[0]) && std::all_of(name.begin(), name.end(), [&](char c) {
        return start(c) || (c >= '0' && c <= '9');
    });
}

// An environment's `vars:` mapping: NAME: value, or NAME: {value: ..., secret: true}.
void readConfigVariables(const std::string& file, const YAML::Node& node, const Environment& env,
                         SqlVariables& vars) {
    if (!node.IsMap()) {
        throw Error(ExitCode::Config, "vars must be a mapping of variable names to values",
                    yamlLocation(file, node), "e.g. vars: {app_role: app_rw}");
    }
    for (const auto& item : node) {
        const SourceLocation where = yamlLocation(file, item.first);
        const std::string name = item.first.IsScalar() ? item.first.Scalar() : "";
        if (!validVariableName(name)) {
            throw Error(ExitCode::Config, "invalid variable name '" + name + "'", where,
                        "a letter or '_', then letters, digits and '_', as in psql");
        }
        SqlVariable v;
        v.origin = where.str();
        YAML::Node value = item.second;
        if (value.IsMap()) {
            for (const auto& option : value) {
                const std::string key = option.first.Scalar();
                if (key != "value" && key != "secret") {
                    throw Error(ExitCode::Config,
                                "unknown key '" + key + "' of variable " + name +
                                    didYouMean(key, {"value", "secret"}),
                                yamlLocation(file, option.first),
                                "a variable takes value and secret");
                }
            }
            if (value["secret"]) {
                const std::string flag = value["secret"].Scalar();
                if (flag != "true" && flag != "false") {
                    throw Error(ExitCode::Config, "secret is true or false, not '" + flag + "'",
                                yamlLocation(file, value["secret"]), "e.g. secret: true");
                }
                v.secret = flag == "true";
            }
            value = value["value"];
            if (!value) {
                throw Error(ExitCode::Config, "variable " + name + " has no value",
                            yamlLocation(file, item.second),
                            "e.g. " + name + ": {value: ..., secret: true}");
            }
        }
        if (!value.IsScalar()) {
            throw Error(ExitCode::Config, "variable " + name + " must be a single value",
                        yamlLocation(file, value), "quote it to give text");
        }
        v.value = expandVariables(value.Scalar(), env, where);
        v.secret = v.secret || secretLookingName(name);
        vars[name] = std::move(v);
    }
}

ConfigSection loadConfigSection(const fs::path& path, const std::string& envName,
                                const std::string& envOrigin, const Environment& env,
                                LintConfig& lint, SqlVariables& vars, TargetGroups& targets) {
    const std::string file = path.string();
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw Error(ExitCode::Config, "cannot read configuration file " + file, {file},
                    "check the path given with --config or DBTOOL_CONFIG");
    }
    std::stringstream text;
    text << in.rdbuf();
    YAML::Node root;
    try {
        root = YAML::Load(text.str());
    } catch (const YAML::Exception& e) {
        throw Error(ExitCode::Config, "YAML syntax error: " + e.msg,
                    {file, e.mark.line + 1, e.mark.column + 1},
                    "fix the YAML syntax of the configuration file");
    }
    if (root.IsNull()) {
        throw Error(ExitCode::Config, "the configuration file is empty", {file},
                    "add a section per environment, e.g. development: {url: postgres://...}");
    }
    if (!root.IsMap()) {
        throw Error(ExitCode::Config, "the configuration file must be a mapping of environments",
                    yamlLocation(file, root),
                    "add a section per environment, e.g. development: {url: postgres://...}");
    }
    std::vector<std::string> defined;
    YAML::Node section;
    bool found = false;
    for (const auto& item : root) {
        if (!item.first.IsScalar()) {
            throw Error(ExitCode::Config, "an environment name must be a plain string",
                        yamlLocation(file, item.first), "e.g. development:");
        }
        const std::string name = item.first.Scalar();
        if (name == "lint") {
            lint = readLintConfig(file, item.second);
            continue;
        }
        defined.push_back(name);
        if (name == envName) {
            section = item.second;
            found = true;
        }
    }
    if (!found) {
        std::string list;
        for (const auto& d : defined) {
            list += (list.empty() ? "" : ", ") + d;
        }
        throw Error(ExitCode::Config,
                    "environment '" + envName + "' (" + envOrigin + ") is not defined in " + file +
                        didYouMean(envName, defined),
                    {file},
                    "defined environments: " + list + "; choose one with --env or DBTOOL_ENV");
    }
    if (section.IsNull()) {
        return {};
    }
    if (!section.IsMap()) {
        throw Error(ExitCode::Config, "environment '" + envName + "' must be a mapping of settings",
                    yamlLocation(file, section), "e.g. " + envName + ": {url: postgres://...}");
    }
    ConfigSection out;
    for (const auto& item : section) {
        if (!item.first.IsScalar()) {
            throw Error(ExitCode::Config, "a setting name must be a plain string",
                        yamlLocation(file, item.first), "e.g. url: postgres://...");
        }
        const std::string key = item.first.Scalar();
        const SourceLocation where = yamlLocation(file, item.first);
        if (key == "vars") {
            readConfigVariables(file, item.second, env, vars);
            continue;
        }
        if (key == "targets") {
            targets = readTargetGroups(file, item.second,
                                       [&env](const std::string& text, const SourceLocation& at) {
                                           return expandVariables(text, env, at);
                                       });
            continue;
        }
        const auto& keys = configKeys();
        if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
            throw Error(ExitCode::Config,
                        "unknown key '" + key + "' in environment '" + envName + "'" +
                            didYouMean(key, keys),
                        where, "see README \"Configuration\" for the keys dbtool reads");
        }
        if (!item.second.IsScalar()) {
            throw Error(ExitCode::Config, "'" + key + "' must be a single value",
                        yamlLocation(file, item.second), {});
        }
        out[key] = ConfigValue{expandVariables(item.second.Scalar(), env, where),
                               yamlLocation(file, item.second)};
    }
    if (auto port = out.find("port"); port != out.end()) {
        const std::string& v = port->second.value;
        const bool digits =
            !v.empty() && v.size() <= 5 &&
            std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; });
        if (!digits || std::stoi(v) < 1 || std::stoi(v) > 65535) {
            throw Error(ExitCode::Config, "port must be a number from 1 to 65535, not '" + v + "'",
                        port->second.where, "e.g. port: 5432");
        }
    }
    if (out.count("url") != 0) {
        for (const char* discrete : {"host", "port", "database", "user", "password", "sslmode"}) {
            if (out.count(discrete) != 0) {
                throw Error(
                    ExitCode::Config,
                    std::string("environment '") + envName + "' sets both url and " + discrete,
                    out[discrete].where,
                    "use either url: or the discrete keys (host, port, database, ...)");
            }
        }
    }
    return out;
}

struct Layered {
    std::string value;
    std::string origin;
    bool fromConfigFile = false;
};

// The first of: flag, environment variable, config key. Empty optional when none is set.
std::optional<Layered> pick(const std::optional<std::string>& flag, const std::string& flagName,
                            const Environment& env, const std::string& envName,
                            const ConfigSection& section, const std::string& key,
                            const std::string& sectionName) {
    if (flag) {
        return Layered{*flag, flagName};
    }
    if (!envName.empty()) {
        if (auto v = env.get(envName); v && !v->value.empty()) {
            return Layered{v->value, envName + " (" + v->origin + ")"};
        }
    }
    if (auto it = section.find(key); it != section.end()) {
        return Layered{it->second.value,
                       sectionName + " " + key + " (" + it->second.where.str() + ")", true};
    }
    return std::nullopt;
}

// Paths in dbtool.yaml are relative to the file; flags and variables to the working directory.
fs::path resolvePath(const Layered& layered, const fs::path& workingDir,
                     const fs::path& configBase) {
    fs::path p(layered.value);
    return p.is_absolute() ? p : (layered.fromConfigFile ? configBase : workingDir) / p;
}

fs::path resolvePath(const std::string& value, const fs::path& base) {
    fs::path p(value);
    return p.is_absolute() ? p : base / p;
}

int64_t durationSetting(const std::optional<Layered>& layered, int64_t fallback) {
    if (!layered) {
        return fallback;
    }
    try {
        return parseDurationMs(layered->value, layered->origin);
    } catch (Error& e) {
        throw Error(ExitCode::Config, e.what(), {}, e.hint());
    }
}

}  // namespace

Settings resolveSettings(const CommandLineSettings& flags, const Environment& env,
                         const fs::path& workingDir) {
    Settings s;
    if (flags.env) {
        s.environment = *flags.env;
        s.environmentOrigin = "--env";
    } else if (auto v = env.get("DBTOOL_ENV"); v && !v->value.empty()) {
        s.environment = v->value;
        s.environmentOrigin = "DBTOOL_ENV (" + v->origin + ")";
    }

    if (flags.configFile) {
        s.configFile = resolvePath(*flags.configFile, workingDir);
    } else if (auto v = env.get("DBTOOL_CONFIG"); v && !v->value.empty()) {
        s.configFile = resolvePath(v->value, workingDir);
    } else if (fs::exists(workingDir / "dbtool.yaml")) {
        s.configFile = workingDir / "dbtool.yaml";
    }

    ConfigSection section;
    fs::path configBase = workingDir;
    std::string sectionName;
    if (s.configFile) {
        section = loadConfigSection(*s.configFile, s.environment, s.environmentOrigin, env, s.lint,
                                    s.vars, s.targets);
        configBase = s.configFile->parent_path();
        sectionName = s.configFile->filename().string() + " [" + s.environment + "]";
    }

    // The connection target comes whole from the highest layer that names one; fields it
    // leaves out fall to libpq's defaults, never to a lower layer.
    if (flags.databaseUrl) {
        s.target = ConnectionTarget::parse(*flags.databaseUrl, "--database-url");
    } else if (auto v = env.get("DATABASE_URL"); v && !v->value.empty()) {
        s.target = ConnectionTarget::parse(v->value, "DATABASE_URL (" + v->origin + ")");
    } else if (auto it = section.find("url"); it != section.end()) {
        s.target = ConnectionTarget::parse(it->second.value,
                                           sectionName + " url (" + it->second.where.str() + ")");
    } else {
        std::vector<std::pair<std::string, std::string>> params;
        static const std::vector<std::pair<std::string, std::string>> keywordOf = {
            {"host", "host"},
            {"port", "port"},
            {"database", "dbname"},
            {"user", "user"},
            {"password", "password"},
            {"sslmode", "sslmode"},
            {"connect_timeout", "connect_timeout"},
            {"application_name", "application_name"}};
        for (const auto& [key, keyword] : keywordOf) {
            if (auto it = section.find(key); it != section.end()) {
                params.emplace_back(keyword, it->second.value);
            }
        }
        s.target = ConnectionTarget::fromParams(
            params,
            params.empty() ? std::string("libpq defaults (PGHOST, PGUSER, ...)") : sectionName);
    }
    if (s.target.get("application_name").empty()) {
        s.target = s.target.with("application_name", "dbtool");
    }
    if (s.target.get("connect_timeout").empty()) {
        s.target = s.target.with("connect_timeout", "10");
    }

    if (auto v = pick(flags.migrationsDir, "--migrations-dir", env, "DBTOOL_MIGRATIONS_DIR",
                      section, "migrations_dir", sectionName)) {
        s.migrationsDir = resolvePath(*v, workingDir, configBase);
        s.migrationsDirOrigin = v->origin;
    } else if (auto d = env.get("DBMATE_MIGRATIONS_DIR"); d && !d->value.empty()) {
        // A dbmate project works unchanged: dbmate's own setting, below dbtool's.
        s.migrationsDir = resolvePath(d->value, workingDir);
        s.migrationsDirOrigin = "DBMATE_MIGRATIONS_DIR (" + d->origin + "), as dbmate reads it";
    } else if (!fs::exists(workingDir / "migrations") &&
               fs::is_directory(workingDir / "db" / "migrations")) {
        s.migrationsDir = workingDir / "db" / "migrations";
        s.migrationsDirOrigin = "dbmate's default folder; ./migrations does not exist";
    } else {
        s.migrationsDir = workingDir / "migrations";
    }
    if (auto v = pick(flags.seedsDir, "--seeds-dir", env, "DBTOOL_SEEDS_DIR", section, "seeds_dir",
                      sectionName)) {
        s.seedsDir = resolvePath(*v, workingDir, configBase);
        s.seedsDirOrigin = v->origin;
    } else {
        s.seedsDir = workingDir / "seeds";
    }
    if (auto v = pick(flags.trackingSchema, "--tracking-schema", env, "DBTOOL_TRACKING_SCHEMA",
                      section, "tracking_schema", sectionName)) {
        s.trackingSchema = v->value;
    }
    s.lockTimeoutMs =
        durationSetting(pick(flags.lockTimeout, "--lock-timeout", env, "DBTOOL_LOCK_TIMEOUT",
                             section, "lock_timeout", sectionName),
                        s.lockTimeoutMs);
    if (auto v = pick(flags.lockMode, "--lock-mode", env, "DBTOOL_LOCK_MODE", section, "lock_mode",
                      sectionName)) {
        if (v->value != "advisory" && v->value != "table") {
            throw Error(ExitCode::Config,
                        v->origin + ": lock_mode is advisory or table, not '" + v->value + "'", {},
                        "table is for engines and poolers without session advisory locks");
        }
        s.lockMode = v->value == "table" ? LockMode::Table : LockMode::Advisory;
    }
    if (auto v = pick(std::nullopt, "", env, "DBTOOL_LOCK_TTL", section, "lock_ttl", sectionName)) {
        s.lockTtlMs = durationSetting(v, s.lockTtlMs);
        if (s.lockTtlMs < 1000) {
            throw Error(ExitCode::Config,
                        v->origin + ": lock_ttl is at least 1s, not '" + v->value + "'", {},
                        "a killed run's lock is taken over this long after its last heartbeat");
        }
    }
    s.statementTimeoutMs =
        durationSetting(pick(flags.statementTimeout, "--statement-timeout", env,
                             "DBTOOL_STATEMENT_TIMEOUT", section, "statement_timeout", sectionName),
                        s.statementTimeoutMs);
    if (auto v = pick(std::nullopt, "", env, "DBTOOL_SCHEMA_FILE", section, "schema_file",
                      sectionName)) {
        s.schemaFile = resolvePath(*v, workingDir, configBase);
    } else {
        s.schemaFile = workingDir / "schema.sql";
    }
    if (auto v = pick(std::nullopt, "", env, "DBTOOL_DUMP_SCHEMA", section, "dump_schema",
                      sectionName)) {
        if (v->value != "true" && v->value != "false") {
            throw Error(ExitCode::Config,
                        v->origin + ": dump_schema is true or false, not '" + v->value + "'");
        }
        s.dumpSchema = v->value == "true";
    }
    // SQL variables, highest last: dbtool.yaml (read above), DBTOOL_VAR_NAME, --var NAME=VALUE.
    for (const auto& [variable, v] : env.withPrefix("DBTOOL_VAR_")) {
        const std::string name = variable.substr(std::strlen("DBTOOL_VAR_"));
        if (!validVariableName(name)) {
            throw Error(ExitCode::Config, "invalid variable name '" + name + "' in " + variable, {},
                        "a letter or '_', then letters, digits and '_', as in psql");
        }
        s.vars[name] = {v.value, variable + " (" + v.origin + ")", secretLookingName(name)};
    }
    for (const auto& assignment : flags.vars) {
        const size_t eq = assignment.find('=');
        const std::string name = assignment.substr(0, eq);
        if (eq == std::string::npos || !validVariableName(name)) {
            throw Error(ExitCode::Usage, "--var takes NAME=VALUE, not '" + redact(assignment) + "'",
                        {},
                        "e.g. --var app_role=app_rw (a letter or '_', then letters, digits, '_')");
        }
        s.vars[name] = {assignment.substr(eq + 1), "--var", secretLookingName(name)};
    }
    return s;
}

}  // namespace dbtool
