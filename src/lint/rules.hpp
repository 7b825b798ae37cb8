#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dbtool::lint {

enum class Severity { Off, Note, Warning, Error };
const char* severityName(Severity severity);
std::optional<Severity> parseSeverity(std::string_view name);

// How a finding's severity follows the size of the table it touches (when a database says).
enum class SizeEffect {
    None,   // the hazard does not depend on size (a rename breaks clients at any size)
    Scaled  // a rewrite, scan or index build: a note on a small table, an error on a big one
};

// One lint rule. Names are squawk's, so a team can map one tool's findings to the other's.
struct Rule {
    std::string name;
    Severity severity;  // by default; Off for the style rules
    SizeEffect size;
    std::string summary;  // one line, for `migrate lint --rules` and the README
};

// Every rule dbtool knows, safety rules first, then the style rules (off by default).
const std::vector<Rule>& allRules();
const Rule* findRule(std::string_view name);

}  // namespace dbtool::lint
