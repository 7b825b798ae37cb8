#include "config/lint_config.hpp"

#include <algorithm>
#include <vector>

#include "base/duration.hpp"
#include "config/yaml_location.hpp"

namespace dbtool {

namespace {

int64_t rowCount(const std::string& file, const std::string& key, const YAML::Node& value) {
    const std::string text = value.IsScalar() ? value.Scalar() : "";
    const bool digits =
        !text.empty() && text.size() <= 15 &&
        std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!digits) {
        throw Error(ExitCode::Config, "lint " + key + " must be a whole number of rows",
                    yamlLocation(file, value), "e.g. " + key + ": 10000");
    }
    return std::stoll(text);
}

}  // namespace

LintConfig readLintConfig(const std::string& file, const YAML::Node& section) {
    LintConfig config;
    if (section.IsNull()) {
        return config;
    }
    const char* example = "e.g. lint: {rules: {ban-drop-column: warning}, small_table_rows: 10000}";
    if (!section.IsMap()) {
        throw Error(ExitCode::Config, "lint must be a mapping", yamlLocation(file, section),
                    example);
    }
    static const std::vector<std::string> keys = {"rules", "small_table_rows", "large_table_rows",
                                                  "max_lock_timeout"};
    for (const auto& item : section) {
        const std::string key = item.first.IsScalar() ? item.first.Scalar() : "";
        const YAML::Node& value = item.second;
        if (key == "rules") {
            if (!value.IsMap()) {
                throw Error(ExitCode::Config, "lint rules must map rule names to severities",
                            yamlLocation(file, value), "e.g. rules: {prefer-text-field: warning}");
            }
            for (const auto& rule : value) {
                if (!rule.first.IsScalar() || !rule.second.IsScalar()) {
                    throw Error(ExitCode::Config, "each lint rule takes one severity",
                                yamlLocation(file, rule.first), "off, note, warning or error");
                }
                config.rules[rule.first.Scalar()] = {rule.second.Scalar(),
                                                     yamlLocation(file, rule.second)};
            }
        } else if (key == "small_table_rows") {
            config.smallTableRows = rowCount(file, key, value);
        } else if (key == "large_table_rows") {
            config.largeTableRows = rowCount(file, key, value);
        } else if (key == "max_lock_timeout") {
            try {
                config.maxLockTimeoutMs = parseDurationMs(value.IsScalar() ? value.Scalar() : "",
                                                          "lint max_lock_timeout");
            } catch (const Error& e) {
                throw Error(ExitCode::Config, e.what(), yamlLocation(file, value), e.hint());
            }
        } else {
            throw Error(ExitCode::Config,
                        "unknown key '" + key + "' in lint" + didYouMean(key, keys),
                        yamlLocation(file, item.first),
                        "lint reads: rules, small_table_rows, large_table_rows, "
                        "max_lock_timeout");
        }
    }
    if (config.smallTableRows && config.largeTableRows &&
        *config.smallTableRows > *config.largeTableRows) {
        throw Error(ExitCode::Config, "lint small_table_rows is larger than large_table_rows",
                    yamlLocation(file, section["small_table_rows"]),
                    "a small table has fewer rows than a large one");
    }
    return config;
}

}  // namespace dbtool
