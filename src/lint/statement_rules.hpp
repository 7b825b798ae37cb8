#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace dbtool::lint {

// A table (or index) as a statement names it: schema "" when unqualified.
struct RelationName {
    std::string schema;
    std::string name;
    // As a message shows it: name or schema.name.
    std::string shown() const { return schema.empty() ? name : schema + "." + name; }
};

// The relations created by earlier statements of the run being linted: locking, rewriting or
// dropping them harms nobody, because no client uses them yet.
class NewObjects {
  public:
    void add(const RelationName& relation);
    void remove(const RelationName& relation);
    // Unqualified names match any schema's: the linter cannot know search_path offline.
    bool contains(const RelationName& relation) const;

    // CHECK (col IS NOT NULL) constraints added NOT VALID (name -> "table.col") and the
    // columns such a check, once validated, proves NOT NULL: SET NOT NULL then skips its scan.
    std::map<std::string, std::string> notNullChecks;
    std::set<std::string> provenNotNull;

  private:
    std::set<std::pair<std::string, std::string>> relations_;
};

// What one migration's earlier statements did that later ones depend on.
struct MigrationScope {
    bool transactional = true;
    bool lockTimeoutSet = false;  // SET [LOCAL] lock_timeout ran earlier in the migration
    std::set<std::string> notValidConstraints;  // added NOT VALID earlier in this migration
};

// A hazard found in one statement, before ignores and severities are applied.
struct StatementFinding {
    std::string rule;
    size_t offset = 0;  // into the statement's text
    std::string message;
    std::string help;
    std::optional<RelationName> table;  // the existing table it touches, when one
};

// What a live database answers; both empty offline.
struct DatabaseFacts {
    // "Is this function volatile?" ('v', 's' or 'i'); nullopt when unknown.
    std::function<std::optional<char>(const std::string& function)> volatility;
    // Does a validated CHECK (column IS NOT NULL) constraint exist on the table already?
    std::function<bool(const RelationName& table, const std::string& column)> provenNotNull;
};

struct StatementResult {
    std::vector<StatementFinding> findings;
    // The statement takes a lock on an existing table that blocks its readers or writers
    // (the require-timeout-settings rule asks for a lock_timeout before the first one).
    std::optional<RelationName> locksExisting;
};

// Applies every rule to one parsed statement (a node of pg_query's parse tree) and records in
// `created` / `scope` what later statements need to know.
StatementResult checkStatement(const nlohmann::json& statement, NewObjects& created,
                               MigrationScope& scope, const DatabaseFacts& database);

}  // namespace dbtool::lint
