#include "lint/statement_rules.hpp"

#include "lint/parse_tree.hpp"

#include <algorithm>
#include <array>

namespace dbtool::lint {

using nlohmann::json;
using namespace tree;

void NewObjects::add(const RelationName& relation) {
    relations_.insert({relation.schema, relation.name});
}

void NewObjects::remove(const RelationName& relation) {
    relations_.erase({relation.schema, relation.name});
}

bool NewObjects::contains(const RelationName& relation) const {
    return std::any_of(relations_.begin(), relations_.end(), [&](const auto& known) {
        return known.second == relation.name &&
               (known.first.empty() || relation.schema.empty() || known.first == relation.schema);
    });
}

namespace {

const char* kConcurrentHelp =
    "build it with CREATE INDEX CONCURRENTLY in a migration of its own marked transaction:false "
    "(`-- migrate:up transaction:false`)";
const char* kNotValidHelp =
    "add the constraint with NOT VALID (only new rows are checked, the lock is brief), then "
    "VALIDATE CONSTRAINT in a later migration: validating takes a lock that lets reads and "
    "writes go on";

class Checker {
  public:
    Checker(NewObjects& created, MigrationScope& scope, const DatabaseFacts& database)
        : created_(created), scope_(scope), database_(database) {}

    StatementResult run(const json& statement) {
        if (!statement.is_object() || statement.empty()) {
            return std::move(result_);
        }
        const std::string kind = statement.begin().key();
        const json& node = statement.begin().value();
        if (kind == "CreateStmt") {
            createTable(node);
        } else if (kind == "CreateTableAsStmt") {
            created_.add(relation(node.value("into", json::object()).value("rel", json::object())));
        } else if (kind == "IndexStmt") {
            createIndex(node);
        } else if (kind == "DropStmt") {
            drop(node);
        } else if (kind == "DropdbStmt") {
            report("ban-drop-database", 0, "dropping database " + text(node, "dbname"),
                   "drop databases by hand (or with `dbtool db drop`), not from a migration");
        } else if (kind == "AlterTableStmt" && text(node, "objtype") == "OBJECT_TABLE") {
            alterTable(node);
        } else if (kind == "RenameStmt") {
            rename(node);
        } else if (kind == "TransactionStmt") {
            transaction(node);
        } else if (kind == "VariableSetStmt" && text(node, "name") == "lock_timeout") {
            scope_.lockTimeoutSet = true;
        } else {
            otherLocks(kind, node);
        }
        return std::move(result_);
    }

  private:
    void report(const char* rule, size_t offset, std::string message, std::string help,
                std::optional<RelationName> table = std::nullopt) {
        result_.findings.push_back(
            {rule, offset, std::move(message), std::move(help), std::move(table)});
    }

    void locks(const RelationName& table) {
        if (!result_.locksExisting) {
            result_.locksExisting = table;
        }
    }

    void lockIfExisting(const RelationName& table) {
        if (!table.name.empty() && !created_.contains(table)) {
            locks(table);
        }
    }

    // Statements no rule reports that still take a lock blocking reads or writes of an
    // existing table: the first one needs a lock_timeout as much as an ALTER TABLE does.
    void otherLocks(const std::string& kind, const json& node) {
        if (kind == "CreateTrigStmt" || kind == "ClusterStmt" || kind == "RuleStmt") {
            lockIfExisting(relation(node.value("relation", json::object())));
        } else if (kind == "CreatePolicyStmt" || kind == "AlterPolicyStmt") {
            lockIfExisting(relation(node.value("table", json::object())));
        } else if (kind == "TruncateStmt" || kind == "LockStmt") {
            for (const auto& r : node.value("relations", json::array())) {
                lockIfExisting(relation(r.value("RangeVar", json::object())));
            }
        } else if (kind == "ReindexStmt") {
            bool concurrently = false;
            for (const auto& p : node.value("params", json::array())) {
                concurrently = concurrently || text(p.value("DefElem", json::object()),
                                                    "defname") == "concurrently";
            }
            if (!concurrently) {
                lockIfExisting(relation(node.value("relation", json::object())));
            }
        } else if (kind == "VacuumStmt") {
            bool full = false;
            for (const auto& o : node.value("options", json::array())) {
                full = full || text(o.value("DefElem", json::object()), "defname") == "full";
            }
            for (const auto& r : node.value("rels", json::array())) {
                if (full) {
                    lockIfExisting(relation(r.value("VacuumRelation", json::object())
                                                .value("relation", json::object())));
                }
            }
        }
    }

    void styleOfColumn(const json& column, const std::string& name = "") {
        const std::string type = typeName(column);
        const size_t at = location(column.value("typeName", json::object()));
        const std::string col = name.empty() ? text(column, "colname") : name;
        if (type == "varchar" && hasTypmods(column)) {
            report("prefer-text-field", at, "column " + col + " is varchar(n)",
                   "use text with a CHECK (length(" + col + ") <= n) constraint");
        }
        if (type == "int4" || type == "serial" || type == "serial4") {
            report("prefer-bigint-over-int", at, "column " + col + " is a 32-bit " + type,
                   "use bigint (or bigint GENERATED BY DEFAULT AS IDENTITY)");
        }
        if (type == "int2" || type == "smallserial" || type == "serial2") {
            report("prefer-bigint-over-smallint", at, "column " + col + " is a 16-bit " + type,
                   "use bigint (or integer where 2 billion is certainly enough)");
        }
        if (isSerial(type)) {
            report("prefer-identity", at, "column " + col + " is a " + type,
                   "use bigint GENERATED BY DEFAULT AS IDENTITY");
        }
        if (type == "timestamp") {
            report("prefer-timestamptz", at, "column " + col + " is timestamp without time zone",
                   "use timestamptz");
        }
        if (type == "bpchar") {
            report("ban-char-field", at, "column " + col + " is char(n)", "use text");
        }
    }

    void createTable(const json& node) {
        // A foreign key locks the table it references against writes while it is added; a
        // partition locks its parent.
        const auto referenced = [&](const json& c) {
            if (text(c, "contype") == "CONSTR_FOREIGN") {
                lockIfExisting(relation(c.value("pktable", json::object())));
            }
        };
        for (const auto& element : node.value("tableElts", json::array())) {
            if (element.contains("ColumnDef")) {
                styleOfColumn(element["ColumnDef"]);
                for (const json& c : constraintsOf(element["ColumnDef"])) {
                    referenced(c);
                }
            } else if (element.contains("Constraint")) {
                referenced(element["Constraint"]);
            }
        }
        for (const auto& parent : node.value("inhRelations", json::array())) {
            lockIfExisting(relation(parent.value("RangeVar", json::object())));
        }
        created_.add(relation(node.value("relation", json::object())));
    }

    void createIndex(const json& node) {
        const RelationName table = relation(node.value("relation", json::object()));
        const bool concurrent = flag(node, "concurrent");
        if (concurrent && scope_.transactional) {
            report("ban-concurrent-index-creation-in-transaction", 0,
                   "CREATE INDEX CONCURRENTLY cannot run inside a transaction block, and dbtool "
                   "runs this migration in one",
                   "mark the migration transaction:false (`-- migrate:up transaction:false`) and "
                   "keep the statement in a migration of its own");
        } else if (!concurrent && !created_.contains(table)) {
            report("require-concurrent-index-creation", 0,
                   "CREATE INDEX on existing table " + table.shown() +
                       " blocks writes to it until the index is built",
                   kConcurrentHelp, table);
            locks(table);
        }
        if (const std::string index = text(node, "idxname"); !index.empty()) {
            created_.add({table.schema, index});
        }
    }

    void drop(const json& node) {
        const std::string type = text(node, "removeType");
        for (const auto& object : node.value("objects", json::array())) {
            const RelationName name = qualified(names(object));
            const bool isNew = created_.contains(name);
            if (type == "OBJECT_INDEX") {
                if (flag(node, "concurrent") && scope_.transactional) {
                    report("ban-concurrent-index-creation-in-transaction", 0,
                           "DROP INDEX CONCURRENTLY cannot run inside a transaction block, and "
                           "dbtool runs this migration in one",
                           "mark the migration transaction:false and keep the statement in a "
                           "migration of its own");
                } else if (!flag(node, "concurrent") && !isNew) {
                    report("require-concurrent-index-deletion", 0,
                           "DROP INDEX " + name.shown() +
                               " takes an ACCESS EXCLUSIVE lock on its table: reads and writes "
                               "queue behind it",
                           "use DROP INDEX CONCURRENTLY in a migration of its own marked "
                           "transaction:false");
                    locks(name);
                }
            } else if (type == "OBJECT_TRIGGER" || type == "OBJECT_POLICY" ||
                       type == "OBJECT_RULE") {
                auto parts = names(object);
                if (!parts.empty()) {
                    parts.pop_back();  // the trigger's own name; the rest names its table
                    lockIfExisting(qualified(parts));
                }
            } else if (type == "OBJECT_TABLE" && !isNew) {
                report("ban-drop-table", 0, "dropping table " + name.shown() + " loses its data",
                       "make sure nothing uses it any more and its data is not needed; then "
                       "say so with `-- dbtool:lint-ignore ban-drop-table REASON`");
                locks(name);
            }
            if (type == "OBJECT_TABLE" || type == "OBJECT_INDEX") {
                created_.remove(name);
            }
        }
    }

    void rename(const json& node) {
        const std::string type = text(node, "renameType");
        const RelationName table = relation(node.value("relation", json::object()));
        const std::string to = text(node, "newname");
        const bool isNew = created_.contains(table);
        if (type == "OBJECT_COLUMN" && text(node, "relationType") == "OBJECT_TABLE" && !isNew) {
            report("renaming-column", 0,
                   "renaming column " + table.shown() + "." + text(node, "subname") + " to " + to +
                       " breaks running clients that still use the old name",
                   "add the new column, write to both, move the readers, then drop the old one "
                   "(or keep the name)",
                   table);
            locks(table);
        } else if (type == "OBJECT_TABLE") {
            if (!isNew) {
                report("renaming-table", 0,
                       "renaming table " + table.shown() + " to " + to +
                           " breaks running clients that still use the old name",
                       "keep the old name as a view while the clients move (or keep the name)",
                       table);
                locks(table);
            } else {
                created_.remove(table);
                created_.add({table.schema, to});
            }
        } else if (type == "OBJECT_INDEX" && isNew) {
            created_.remove(table);
            created_.add({table.schema, to});
        }
    }

    void transaction(const json& node) {
        if (!scope_.transactional) {
            return;
        }
        const std::string kind = text(node, "kind");
        if (kind == "TRANS_STMT_BEGIN" || kind == "TRANS_STMT_START" ||
            kind == "TRANS_STMT_COMMIT" || kind == "TRANS_STMT_ROLLBACK") {
            report("transaction-nesting", 0,
                   "a transaction statement inside a migration that dbtool runs in a "
                   "transaction of its own, together with its tracking row",
                   "remove it (dbtool commits the migration), or mark the migration "
                   "transaction:false if it must control transactions itself");
        }
    }

    void addColumn(const RelationName& table, const json& column) {
        styleOfColumn(column);
        const std::string col = table.shown() + "." + text(column, "colname");
        const std::string type = typeName(column);
        const size_t at = location(column);
        bool notNull = false;
        bool hasDefault = false;
        bool filled = isSerial(type);  // every existing row gets a value from a sequence
        for (const json& c : constraintsOf(column)) {
            const std::string contype = text(c, "contype");
            if (contype == "CONSTR_NOTNULL" || contype == "CONSTR_PRIMARY") {
                notNull = true;
            }
            if (contype == "CONSTR_DEFAULT") {
                hasDefault = true;
                if (const auto call = volatileCall(c.value("raw_expr", json()), database_);
                    !call.empty()) {
                    report("adding-field-with-default", location(c),
                           "the default of " + col + " calls volatile " + call +
                               ": adding the column rewrites the table under an ACCESS "
                               "EXCLUSIVE lock",
                           "add the column without a default (or with a constant one), backfill "
                           "it in batches, then SET DEFAULT",
                           table);
                }
            }
            if (contype == "CONSTR_GENERATED") {
                report("adding-field-with-default", location(c),
                       "stored generated column " + col +
                           ": adding it computes every row and rewrites the table under an ACCESS "
                           "EXCLUSIVE lock",
                       "add a plain column, fill it with a trigger and a batched backfill", table);
                hasDefault = true;
            }
            if (contype == "CONSTR_IDENTITY") {
                filled = true;
            }
            if (contype == "CONSTR_PRIMARY" || contype == "CONSTR_UNIQUE") {
                const bool primary = contype == "CONSTR_PRIMARY";
                report(primary ? "adding-serial-primary-key-field" : "disallowed-unique-constraint",
                       location(c),
                       std::string("adding ") + (primary ? "primary key" : "unique") + " column " +
                           col + " builds its index under an ACCESS EXCLUSIVE lock",
                       std::string("add the column, CREATE UNIQUE INDEX CONCURRENTLY on it, then "
                                   "ADD CONSTRAINT ... ") +
                           (primary ? "PRIMARY KEY" : "UNIQUE") + " USING INDEX",
                       table);
            }
            if (contype == "CONSTR_FOREIGN" && !flag(c, "skip_validation")) {
                report("adding-foreign-key-constraint", location(c),
                       "the foreign key of " + col + " locks " + table.shown() + " and " +
                           relation(c.value("pktable", json::object())).shown() +
                           " while it is added",
                       "add the column first, then ADD CONSTRAINT ... FOREIGN KEY ... NOT VALID "
                       "and VALIDATE CONSTRAINT in a later migration",
                       table);
            }
        }
        if (filled) {
            report("adding-field-with-default", at,
                   "column " + col +
                       " is filled from a sequence: adding it rewrites the table under an "
                       "ACCESS EXCLUSIVE lock",
                   "add a nullable bigint column, backfill it in batches, then attach the "
                   "sequence or identity",
                   table);
        } else if (notNull && !hasDefault) {
            report("adding-required-field", at,
                   "adding NOT NULL column " + col +
                       " without a default fails as soon as the table has a row",
                   "give it a constant DEFAULT, or add it nullable, backfill it, then SET NOT NULL",
                   table);
        }
    }

    void addConstraint(const RelationName& table, const json& c) {
        const std::string contype = text(c, "contype");
        const std::string name = text(c, "conname");
        const bool notValid = flag(c, "skip_validation");
        if (notValid && !name.empty()) {
            scope_.notValidConstraints.insert(name);
            const json& test = c.value("raw_expr", json::object());
            if (test.contains("NullTest") &&
                text(test["NullTest"], "nulltesttype") == "IS_NOT_NULL") {
                const auto col = names(test["NullTest"]
                                           .value("arg", json::object())
                                           .value("ColumnRef", json::object())
                                           .value("fields", json::array()));
                if (!col.empty()) {
                    created_.notNullChecks[name] = table.shown() + "." + col.back();
                }
            }
        }
        if (contype == "CONSTR_FOREIGN" && !notValid) {
            report("adding-foreign-key-constraint", location(c),
                   "adding foreign key " + (name.empty() ? "" : name + " ") + "to " +
                       table.shown() + " checks every row while " + table.shown() + " and " +
                       relation(c.value("pktable", json::object())).shown() + " are locked",
                   kNotValidHelp, table);
        } else if (contype == "CONSTR_CHECK" && !notValid) {
            report("constraint-missing-not-valid", location(c),
                   "adding CHECK constraint " + (name.empty() ? "" : name + " ") + "to " +
                       table.shown() + " scans every row under an ACCESS EXCLUSIVE lock",
                   kNotValidHelp, table);
        } else if ((contype == "CONSTR_UNIQUE" || contype == "CONSTR_PRIMARY") &&
                   text(c, "indexname").empty()) {
            const std::string what = contype == "CONSTR_PRIMARY" ? "PRIMARY KEY" : "UNIQUE";
            report(contype == "CONSTR_PRIMARY" ? "adding-serial-primary-key-field"
                                               : "disallowed-unique-constraint",
                   location(c),
                   "ADD " + what + " on " + table.shown() +
                       " builds its index under an ACCESS EXCLUSIVE lock: reads and writes wait",
                   "CREATE UNIQUE INDEX CONCURRENTLY (transaction:false migration), then ADD "
                   "CONSTRAINT ... " +
                       what + " USING INDEX",
                   table);
        }
    }

    void alterTable(const json& node) {
        const RelationName table = relation(node.value("relation", json::object()));
        const bool isNew = created_.contains(table);
        for (const auto& item : node.value("cmds", json::array())) {
            const json& cmd = item.value("AlterTableCmd", json::object());
            const std::string subtype = text(cmd, "subtype");
            const std::string col = table.shown() + "." + text(cmd, "name");
            const json& def = cmd.value("def", json::object());
            if (subtype == "AT_AddColumn" && def.contains("ColumnDef")) {
                if (isNew) {
                    styleOfColumn(def["ColumnDef"]);
                } else {
                    addColumn(table, def["ColumnDef"]);
                }
            } else if (subtype == "AT_AlterColumnType" && def.contains("ColumnDef")) {
                styleOfColumn(def["ColumnDef"], text(cmd, "name"));
            }
            if (isNew && subtype == "AT_AddConstraint" &&
                text(def.value("Constraint", json::object()), "contype") == "CONSTR_FOREIGN") {
                // Harmless for the new table, but the referenced one is locked against writes.
                lockIfExisting(relation(def["Constraint"].value("pktable", json::object())));
            }
            if (subtype == "AT_AddColumn" || isNew) {
                continue;
            }
            if (subtype == "AT_AlterColumnType") {
                report("changing-column-type", location(def.value("ColumnDef", json::object())),
                       "changing the type of " + col +
                           " rewrites the table and rebuilds its indexes under an ACCESS "
                           "EXCLUSIVE lock",
                       "add a column of the new type, backfill it in batches, move the clients, "
                       "then drop the old column (varchar(n) to text or to a larger n needs no "
                       "rewrite)",
                       table);
            } else if (subtype == "AT_SetNotNull") {
                const bool proven =
                    created_.provenNotNull.count(col) != 0 ||
                    (database_.provenNotNull && database_.provenNotNull(table, text(cmd, "name")));
                if (!proven) {
                    report("adding-not-nullable-field", 0,
                           "SET NOT NULL on " + col +
                               " scans every row under an ACCESS EXCLUSIVE lock",
                           "ADD CONSTRAINT ... CHECK (" + text(cmd, "name") +
                               " IS NOT NULL) NOT VALID, VALIDATE it in a later migration, then "
                               "SET NOT NULL (PostgreSQL 12+ trusts the check and skips the scan)",
                           table);
                }
            } else if (subtype == "AT_DropNotNull") {
                report("ban-drop-not-null", 0,
                       "dropping NOT NULL on " + col +
                           " lets NULLs reach clients that do not expect them",
                       "make sure every reader handles NULL first; then say so with "
                       "`-- dbtool:lint-ignore ban-drop-not-null REASON`",
                       table);
            } else if (subtype == "AT_DropColumn") {
                report("ban-drop-column", 0,
                       "dropping column " + col +
                           " breaks running clients that still select it, and loses its data",
                       "stop using the column in the application and deploy that first; then "
                       "drop it and say so with `-- dbtool:lint-ignore ban-drop-column REASON`",
                       table);
            } else if (subtype == "AT_AddConstraint" && def.contains("Constraint")) {
                addConstraint(table, def["Constraint"]);
            } else if (subtype == "AT_ValidateConstraint") {
                validate(table, text(cmd, "name"));
            }
        }
        if (!isNew) {
            locks(table);
        }
    }

    void validate(const RelationName& table, const std::string& name) {
        if (const auto it = created_.notNullChecks.find(name); it != created_.notNullChecks.end()) {
            created_.provenNotNull.insert(it->second);
        }
        if (scope_.transactional && scope_.notValidConstraints.count(name) != 0) {
            report("constraint-missing-not-valid", 0,
                   "VALIDATE CONSTRAINT " + name +
                       " in the migration that added it NOT VALID: the transaction still holds "
                       "the ADD's ACCESS EXCLUSIVE lock on " +
                       table.shown() + " while every row is checked",
                   "validate it in a later migration", table);
        }
    }

    NewObjects& created_;
    MigrationScope& scope_;
    const DatabaseFacts& database_;
    StatementResult result_;
};

}  // namespace

StatementResult checkStatement(const json& statement, NewObjects& created, MigrationScope& scope,
                               const DatabaseFacts& database) {
    return Checker(created, scope, database).run(statement);
}

}  // namespace dbtool::lint
