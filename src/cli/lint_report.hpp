#pragma once

#include <vector>

#include "cli/context.hpp"
#include "lint/linter.hpp"

namespace dbtool::cli {

// The linter's options from the settings: dbtool.yaml's lint: section (rule names and
// severities checked here, errors pointing into the file) and the run's --lock-timeout.
lint::LintOptions lintOptions(const Settings& settings);

// Lints `migrations` as one run; sizes and volatility come from `session` when given.
lint::LintReport lintRun(const Settings& settings, const std::vector<const Migration*>& migrations,
                         db::Session* session);

// `file:line:col: severity[rule]: message`, the source line and the help, for one finding.
std::string findingText(report::Output& out, const lint::Finding& finding);
nlohmann::json findingJson(const lint::Finding& finding);

}  // namespace dbtool::cli
