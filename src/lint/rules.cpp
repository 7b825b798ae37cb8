#include "lint/rules.hpp"

#include <algorithm>

namespace dbtool::lint {

const char* severityName(Severity severity) {
    switch (severity) {
        case Severity::Off:
            return "off";
        case Severity::Note:
            return "note";
        case Severity::Warning:
            return "warning";
        case Severity::Error:
            return "error";
    }
    return "?";
}

std::optional<Severity> parseSeverity(std::string_view name) {
    for (Severity s : {Severity::Off, Severity::Note, Severity::Warning, Severity::Error}) {
        if (name == severityName(s)) {
            return s;
        }
    }
    return std::nullopt;
}

const std::vector<Rule>& allRules() {
    using enum Severity;
    using enum SizeEffect;
    static const std::vector<Rule> rules = {
        {"require-concurrent-index-creation", Error, Scaled,
         "CREATE INDEX without CONCURRENTLY blocks writes to the table while the index builds"},
        {"require-concurrent-index-deletion", Error, None,
         "DROP INDEX without CONCURRENTLY blocks reads and writes while it waits for its lock"},
        {"ban-concurrent-index-creation-in-transaction", Error, None,
         "CREATE/DROP INDEX CONCURRENTLY fails inside a transaction: the migration needs "
         "transaction:false"},
        {"changing-column-type", Error, Scaled,
         "ALTER COLUMN ... TYPE rewrites the table and its indexes under an ACCESS EXCLUSIVE lock"},
        {"adding-not-nullable-field", Error, Scaled,
         "SET NOT NULL scans the whole table under an ACCESS EXCLUSIVE lock"},
        {"adding-required-field", Error, None,
         "ADD COLUMN ... NOT NULL without a default fails on a table that has rows"},
        {"adding-field-with-default", Error, Scaled,
         "ADD COLUMN with a volatile default or a stored generated column rewrites the table"},
        {"adding-foreign-key-constraint", Error, Scaled,
         "a foreign key added without NOT VALID scans the table while both tables are locked"},
        {"constraint-missing-not-valid", Error, Scaled,
         "a CHECK constraint added without NOT VALID (or validated in the same transaction) "
         "scans the table under lock"},
        {"disallowed-unique-constraint", Error, Scaled,
         "ADD UNIQUE builds its index under an ACCESS EXCLUSIVE lock"},
        {"adding-serial-primary-key-field", Error, Scaled,
         "ADD PRIMARY KEY builds its index under an ACCESS EXCLUSIVE lock"},
        {"renaming-column", Error, None,
         "renaming a column breaks every running client that still uses the old name"},
        {"renaming-table", Error, None,
         "renaming a table breaks every running client that still uses the old name"},
        {"ban-drop-column", Error, None,
         "dropping a column breaks running clients that still select it, and loses its data"},
        {"ban-drop-table", Error, None, "dropping a table loses its data for good"},
        {"ban-drop-database", Error, None, "dropping a database from a migration"},
        {"ban-drop-not-null", Error, None,
         "dropping NOT NULL lets NULLs in where running clients do not expect them"},
        {"require-timeout-settings", Warning, None,
         "a lock-taking statement without a short lock_timeout queues every other query behind "
         "it while it waits"},
        {"transaction-nesting", Error, None,
         "BEGIN/COMMIT inside a migration that dbtool already runs in a transaction"},
        {"prefer-text-field", Off, None,
         "varchar(n): changing n later takes an ACCESS EXCLUSIVE lock; text with a CHECK does not"},
        {"prefer-bigint-over-int", Off, None, "32-bit integer columns can run out"},
        {"prefer-bigint-over-smallint", Off, None, "16-bit integer columns run out sooner"},
        {"prefer-identity", Off, None,
         "serial types: identity columns keep the sequence, ownership and grants together"},
        {"prefer-timestamptz", Off, None,
         "timestamp without time zone stores wall-clock times that mean nothing across zones"},
        {"ban-char-field", Off, None, "char(n) pads with blanks and is never faster than text"},
    };
    return rules;
}

const Rule* findRule(std::string_view name) {
    const auto& rules = allRules();
    const auto it =
        std::find_if(rules.begin(), rules.end(), [&](const Rule& r) { return r.name == name; });
    return it == rules.end() ? nullptr : &*it;
}

}  // namespace dbtool::lint
