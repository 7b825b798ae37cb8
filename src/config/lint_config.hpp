#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include <yaml-cpp/yaml.h>

#include "base/errors.hpp"

namespace dbtool {

// dbtool.yaml's top-level `lint:` section (one for the project, beside the environments):
//
//   lint:
//     rules: {prefer-bigint-over-int: warning, ban-drop-column: off}
//     small_table_rows: 10000
//     large_table_rows: 1000000
//     max_lock_timeout: 10s
//
// Rule names and severities are checked by the linter, which knows them; this keeps where
// each was written so its errors can point there.
struct LintConfig {
    struct RuleSetting {
        std::string severity;
        SourceLocation where;
    };
    std::map<std::string, RuleSetting> rules;
    std::optional<int64_t> smallTableRows;
    std::optional<int64_t> largeTableRows;
    std::optional<int64_t> maxLockTimeoutMs;
};

// Throws Error(ExitCode::Config) at the offending node for a malformed section.
LintConfig readLintConfig(const std::string& file, const YAML::Node& section);

}  // namespace dbtool
