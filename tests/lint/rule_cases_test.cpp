// One small migration per rule under tests/lint/cases, in both directions: every statement
// marked `-- expect: RULE` must draw that rule's finding on its line, and no other statement
// of the file may (the safe forms, objects created earlier in the run, ignores).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <vector>

#include "base/text.hpp"
#include "lint/linter.hpp"

namespace dbtool::lint {
namespace {

namespace fs = std::filesystem;

const fs::path kCases = fs::path(DBTOOL_SOURCE_DIR) / "tests" / "lint" / "cases";

// Every rule on at its default severity, the style rules as warnings.
LintOptions everyRule() {
    LintOptions options;
    for (const auto& rule : allRules()) {
        if (rule.severity == Severity::Off) {
            options.severities[rule.name] = Severity::Warning;
        }
    }
    return options;
}

std::set<int> expectedLines(const std::string& content, const std::string& rule) {
    std::set<int> lines;
    int number = 0;
    size_t start = 0;
    while (start < content.size()) {
        const size_t end = std::min(content.find('\n', start), content.size());
        ++number;
        if (content.substr(start, end - start).find("-- expect: " + rule) != std::string::npos) {
            lines.insert(number);
        }
        start = end + 1;
    }
    return lines;
}

TEST(LintRuleCases, EveryCaseFileFlagsExactlyTheMarkedStatements) {
    int files = 0;
    for (const auto& entry : fs::directory_iterator(kCases)) {
        const std::string filename = entry.path().filename().string();
        const std::string rule = filename.substr(0, filename.find('.'));
        SCOPED_TRACE(filename);
        ASSERT_NE(findRule(rule), nullptr) << "a case file for an unknown rule";
        const std::string content = readFile(entry.path());
        LoadOptions load;
        load.transactionChecks = false;
        const Migration m = parseMigration(entry.path(), content, "1", "case", load);
        const auto report = lintMigrations({&m}, everyRule(), nullptr);
        std::set<int> found;
        for (const auto& f : report.findings) {
            EXPECT_NE(f.rule, "syntax-error") << f.where.str() << ": " << f.message;
            if (f.rule == rule) {
                found.insert(f.where.line);
            }
        }
        EXPECT_EQ(found, expectedLines(content, rule));
        ++files;
    }
    EXPECT_GE(files, static_cast<int>(allRules().size()));
}

TEST(LintRuleCases, EveryRuleHasACaseThatFlagsIt) {
    for (const auto& rule : allRules()) {
        const fs::path file = kCases / (rule.name + ".sql");
        ASSERT_TRUE(fs::exists(file)) << rule.name;
        EXPECT_FALSE(expectedLines(readFile(file), rule.name).empty()) << rule.name;
    }
}

// The corpus of tests/lint/corpus (bench/squawk-compare.sh compares it with squawk): every
// statement parses, and linted as one run, objects the run created are not hazards: what is
// left is what no earlier migration can excuse.
TEST(LintCorpus, ParsesAndAsOneRunOnlyTheMigrationsThatCannotRunRemain) {
    LoadOptions load;
    load.transactionChecks = false;
    const auto corpus =
        loadMigrations(fs::path(DBTOOL_SOURCE_DIR) / "tests" / "lint" / "corpus", load);
    ASSERT_GE(corpus.size(), 100u);
    std::vector<const Migration*> all;
    size_t oneByOne = 0;
    for (const auto& m : corpus) {
        all.push_back(&m);
        oneByOne += lintMigrations({&m}, {}, nullptr).findings.size();
    }
    const auto run = lintMigrations(all, {}, nullptr);
    std::multiset<std::string> rules;
    for (const auto& f : run.findings) {
        rules.insert(f.rule);
    }
    EXPECT_EQ(rules,
              (std::multiset<std::string>{"ban-concurrent-index-creation-in-transaction",
                                          "ban-drop-database", "must-run-outside-transaction",
                                          "transaction-nesting", "transaction-nesting"}));
    EXPECT_EQ(oneByOne, 149u);  // each file alone, as squawk sees it (default rules)
}

}  // namespace
}  // namespace dbtool::lint
