#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/errors.hpp"
#include "lint/rules.hpp"
#include "lint/statement_rules.hpp"
#include "migrate/migration.hpp"

namespace dbtool::lint {

// What the linter asks a live database. Without one (offline), findings keep their rule's
// severity and say nothing of sizes.
class LintDatabase {
  public:
    virtual ~LintDatabase() = default;
    struct TableSize {
        std::string shown;  // schema.name as the database resolved it
        std::optional<int64_t> rows;
        int64_t bytes = 0;
    };
    // nullopt when the database has no such table (or index, standing for its table).
    virtual std::optional<TableSize> tableSize(const RelationName& relation) = 0;
    virtual std::optional<char> volatility(const std::string& function) = 0;
    // A validated CHECK (column IS NOT NULL) on the table: SET NOT NULL then skips its scan.
    virtual bool provenNotNull(const RelationName& table, const std::string& column) = 0;
};

struct LintOptions {
    std::map<std::string, Severity> severities;  // per rule, over the rule's default
    // A finding of a size-scaled rule on a table below smallTableRows rows is a note, at or
    // above largeTableRows an error, in between a warning. Tables the planner has no row
    // estimate for are judged by bytes (below 1 MiB small, from 1 GiB large).
    int64_t smallTableRows = 10'000;
    int64_t largeTableRows = 1'000'000;
    // The lock_timeout dbtool sets for migrations (0 = none), and the longest that
    // require-timeout-settings accepts without a SET lock_timeout in the migration.
    int64_t lockTimeoutMs = 0;
    int64_t maxLockTimeoutMs = 10'000;
};

struct Finding {
    SourceLocation where;
    std::string migration;  // "VERSION NAME"
    std::string rule;
    Severity severity = Severity::Error;
    std::string message;
    std::string help;
    std::string sourceLine;  // the line of `where`, as written
    std::string table;       // the existing table it touches ("" when none)
    std::optional<int64_t> estimatedRows;
    std::optional<int64_t> estimatedBytes;
};

struct LintReport {
    std::vector<Finding> findings;
    int migrations = 0;
    int statements = 0;
    int ignored = 0;  // findings silenced by a dbtool:lint-ignore comment
    bool sizesKnown = false;
    int count(Severity severity) const;
};

// Lints the up sections of `migrations` as one run, in order: an object created earlier in
// the run is new, and no rule reports locking it. Findings come in file order.
LintReport lintMigrations(const std::vector<const Migration*>& migrations,
                          const LintOptions& options, LintDatabase* database);

}  // namespace dbtool::lint
