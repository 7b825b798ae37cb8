#include "cli/context.hpp"

#include <spdlog/spdlog.h>

#include <unistd.h>
#include <cmath>
#include <cstdlib>
#include <regex>

#include "base/parallel.hpp"
#include "base/redact.hpp"

namespace dbtool::cli {

const Settings& Context::settings() {
    if (!settings_) {
        const auto cwd = std::filesystem::current_path();
        Environment env = Environment::fromProcess(cwd / ".env");
        // libpq reads PGPASSWORD, PGHOST, ... from the real environment; give it the .env
        // values too, never overriding what is already set.
        for (const auto& [name, value] : env.dotenvOnly()) {
            setenv(name.c_str(), value.c_str(), 0);
        }
        if (auto pw = env.get("PGPASSWORD")) {
            SecretRegistry::instance().add(pw->value);
        }
        settings_ = resolveSettings(options_.settings, env, cwd);
        SecretRegistry::instance().add(settings_->target.password());
        std::string vars;
        for (const auto& [name, v] : settings_->vars) {
            if (v.secret) {
                SecretRegistry::instance().add(v.value);
            }
            vars += (vars.empty() ? "" : ", ") + name + " (from " + v.origin +
                    (v.secret ? ", secret" : "") + ")";
        }
        spdlog::debug("environment: {} (from {})", settings_->environment,
                      settings_->environmentOrigin);
        if (settings_->configFile) {
            spdlog::debug("configuration file: {}", settings_->configFile->string());
        }
        spdlog::debug("database: {} (from {})", settings_->target.redacted(),
                      settings_->target.origin());
        spdlog::debug("migrations: {} (from {})", settings_->migrationsDir.string(),
                      settings_->migrationsDirOrigin);
        spdlog::debug("seeds: {} (from {})", settings_->seedsDir.string(),
                      settings_->seedsDirOrigin);
        if (!vars.empty()) {
            spdlog::debug("SQL variables: {}", vars);  // names only, never values
        }
    }
    return *settings_;
}

bool Context::color() const {
    return report::useColor(stdout, options_.noColor);
}

report::Output& Context::out() {
    if (!out_) {
        if (options_.format == "csv" && !csvAllowed_) {
            throw Error(ExitCode::Usage, "--format csv is for `dbtool data list`", {},
                        "use --format text or json here");
        }
        const auto format = options_.format == "json"  ? report::Format::Json
                            : options_.format == "csv" ? report::Format::Csv
                                                       : report::Format::Text;
        out_ = std::make_unique<report::Output>(format, color(), options_.quiet);
    }
    return *out_;
}

report::ProgressLine& Context::progress() {
    if (!progress_) {
        progress_ = std::make_unique<report::ProgressLine>(
            options_.format == "text" && !options_.quiet && isatty(STDERR_FILENO) != 0);
    }
    return *progress_;
}

nlohmann::json Context::failureDocument(const Error& error) const {
    nlohmann::json doc = report::errorToJson(error);
    if (out_) {
        for (const auto& [key, value] : out_->doneSoFar().items())
            doc[key] = value;
    }
    return doc;
}

db::ConnectOptions Context::connectOptions() {
    const Settings& s = settings();
    db::ConnectOptions o;
    o.waitMs =
        options_.waitSeconds ? static_cast<int64_t>(std::llround(*options_.waitSeconds * 1000)) : 0;
    o.lockTimeoutMs = s.lockTimeoutMs;
    o.statementTimeoutMs = s.statementTimeoutMs;
    o.lockMode = s.lockMode;
    o.lockTtlMs = s.lockTtlMs;
    return o;
}

void requireFileName(const std::string& kind, const std::string& name, const std::string& example) {
    static const std::regex valid(R"(^[A-Za-z0-9][A-Za-z0-9_-]*$)");
    if (!std::regex_match(name, valid)) {
        throw Error(ExitCode::Usage, "invalid " + kind + " name '" + name + "'", {},
                    "use letters, digits, '_' and '-' (no spaces, dots or path separators), e.g. " +
                        example);
    }
}

CLI::Validator atLeast(long long minimum, bool whole) {
    return CLI::Validator(
        [minimum, whole](std::string& text) -> std::string {
            double value = 0;
            long long integer = 0;
            if (whole ? !CLI::detail::lexical_cast(text, integer)
                      : !CLI::detail::lexical_cast(text, value)) {
                return "'" + text + "' is not a " + (whole ? "whole number" : "number");
            }
            if ((whole ? static_cast<double>(integer) : value) < static_cast<double>(minimum)) {
                return "must be at least " + std::to_string(minimum) + " (got " + text + ")";
            }
            return {};
        },
        whole ? "INT>=" + std::to_string(minimum) : "NUMBER>=" + std::to_string(minimum));
}

std::string utcTimestamp(std::time_t t) {
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y%m%d%H%M%S", &tm);
    return buf;
}

MigrationSet Context::loadMigrations(bool runsSql) {
    LoadOptions options;
    options.vars = runsSql ? &settings().vars : nullptr;
    return loadMigrationSet(settings().migrationsDir, options);
}

std::unique_ptr<db::Session> Context::connect() {
    return db::Session::connect(settings().target, connectOptions());
}

std::unique_ptr<db::Session> Context::connectWhile(const std::function<void()>& work) {
    const auto options = connectOptions();
    return runBeside<std::unique_ptr<db::Session>>(
        [target = settings().target, options] { return db::Session::connect(target, options); },
        work, options.waitMs > 0);
}

}  // namespace dbtool::cli
