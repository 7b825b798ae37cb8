#include "lint/statement_rules.hpp"

#include <algorithm>
#include <array>

namespace dbtool::lint {

using nlohmann::json;

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

std::string text(const json& node, const char* key) {
    const auto it = node.find(key);
    return it != node.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool flag(const json& node, const char* key) {
    const auto it = node.find(key);
    return it != node.end() && it->is_boolean() && it->get<bool>();
}

size_t location(const json& node) {
    const auto it = node.find("location");
    return it != node.end() && it->is_number_integer() && it->get<int64_t>() >= 0
               ? static_cast<size_t>(it->get<int64_t>())
               : 0;
}

RelationName relation(const json& rangeVar) {
    return {text(rangeVar, "schemaname"), text(rangeVar, "relname")};
}

// The names of a List of String nodes: DROP's objects, a function's qualified name.
std::vector<std::string> names(const json& list) {
    std::vector<std::string> out;
    const json& items = list.contains("List") ? list["List"]["items"] : list;
    if (!items.is_array()) {
        return out;
    }
    for (const auto& item : items) {
        if (item.contains("String")) {
            out.push_back(text(item["String"], "sval"));
        }
    }
    return out;
}

RelationName qualified(const std::vector<std::string>& parts) {
    if (parts.empty()) {
        return {};
    }
    return {parts.size() > 1 ? parts[parts.size() - 2] : "", parts.back()};
}

// The type's own name, without pg_catalog: "int4", "varchar", "serial".
std::string typeName(const json& column) {
    const auto parts = names(column.value("typeName", json::object()).value("names", json()));
    return parts.empty() ? "" : parts.back();
}

bool hasTypmods(const json& column) {
    const json& type = column.value("typeName", json::object());
    return type.contains("typmods") && !type["typmods"].empty();
}

std::vector<json> constraintsOf(const json& column) {
    std::vector<json> out;
    for (const auto& c : column.value("constraints", json::array())) {
        if (c.contains("Constraint")) {
            out.push_back(c["Constraint"]);
        }
    }
    return out;
}

bool isSerial(const std::string& type) {
    return type == "serial" || type == "bigserial" || type == "smallserial" || type == "serial4" ||
           type == "serial8" || type == "serial2";
}

// Functions a default may call without forcing a rewrite: PostgreSQL 11+ evaluates a
// non-volatile default once and stores it in the catalog.
bool knownNonVolatile(const std::string& function) {
    static const std::array<const char*, 16> names = {"now",
                                                      "statement_timestamp",
                                                      "transaction_timestamp",
                                                      "current_setting",
                                                      "lower",
                                                      "upper",
                                                      "concat",
                                                      "jsonb_build_object",
                                                      "json_build_object",
                                                      "to_jsonb",
                                                      "array_fill",
                                                      "make_date",
                                                      "make_timestamptz",
                                                      "coalesce",
                                                      "md5",
                                                      "length"};
    return std::find(names.begin(), names.end(), function) != names.end();
}

// The first volatile function an expression calls ("" when none): every FuncCall node at
// any depth, judged by the known list, then by the database when one answers.
std::string volatileCall(const json& expr, const VolatilityLookup& volatility) {
    if (expr.is_object()) {
        if (const auto call = expr.find("FuncCall"); call != expr.end()) {
            const auto parts = names(call->value("funcname", json::array()));
            const std::string name = parts.empty() ? "" : parts.back();
            if (!knownNonVolatile(name)) {
                const auto v = volatility ? volatility(name) : std::nullopt;
                if (!v || *v == 'v') {
                    return name + "()";
                }
            }
        }
        for (const auto& [key, value] : expr.items()) {
            if (auto found = volatileCall(value, volatility); !found.empty()) {
                return found;
            }
        }
    } else if (expr.is_array()) {
        for (const auto& value : expr) {
            if (auto found = volatileCall(value, volatility); !found.empty()) {
                return found;
            }
        }
    }
    return "";
}

class Checker {
  public:
    Checker(NewObjects& created, MigrationScope& scope, const VolatilityLookup& volatility)
        : created_(created), scope_(scope), volatility_(volatility) {}

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

    void styleOfColumn(const json& column) {
        const std::string type = typeName(column);
        const size_t at = location(column.value("typeName", json::object()));
        const std::string col = text(column, "colname");
        if (type == "varchar" && hasTypmods(column)) {
            report("prefer-text-field", at, "column " + col + " is varchar(n)",
                   "use text with a CHECK (length(" + col + ") <= n) constraint");
        }
        if (type == "int4" || type == "int2" || type == "serial" || type == "serial4" ||
            type == "smallserial" || type == "serial2") {
            report("prefer-bigint-over-int", at, "column " + col + " is a " + type,
                   "use bigint (or bigint GENERATED BY DEFAULT AS IDENTITY)");
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
        for (const auto& element : node.value("tableElts", json::array())) {
            if (element.contains("ColumnDef")) {
                styleOfColumn(element["ColumnDef"]);
            }
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
                if (const auto call = volatileCall(c.value("raw_expr", json()), volatility_);
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
            if (contype == "CONSTR_PRIMARY") {
                report("adding-serial-primary-key-field", location(c),
                       "adding primary key column " + col +
                           " builds its index under an ACCESS EXCLUSIVE lock",
                       "add the column, CREATE UNIQUE INDEX CONCURRENTLY on it, then ADD "
                       "CONSTRAINT ... PRIMARY KEY USING INDEX",
                       table);
            }
            if (contype == "CONSTR_UNIQUE") {
                report("disallowed-unique-constraint", location(c),
                       "adding unique column " + col +
                           " builds its index under an ACCESS EXCLUSIVE lock",
                       "add the column, CREATE UNIQUE INDEX CONCURRENTLY on it, then ADD "
                       "CONSTRAINT ... UNIQUE USING INDEX",
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
        } else if (contype == "CONSTR_UNIQUE" && text(c, "indexname").empty()) {
            report("disallowed-unique-constraint", location(c),
                   "ADD UNIQUE on " + table.shown() +
                       " builds its index under an ACCESS EXCLUSIVE lock: reads and writes wait",
                   "CREATE UNIQUE INDEX CONCURRENTLY (transaction:false migration), then ADD "
                   "CONSTRAINT ... UNIQUE USING INDEX",
                   table);
        } else if (contype == "CONSTR_PRIMARY" && text(c, "indexname").empty()) {
            report("adding-serial-primary-key-field", location(c),
                   "ADD PRIMARY KEY on " + table.shown() +
                       " builds its index under an ACCESS EXCLUSIVE lock: reads and writes wait",
                   "CREATE UNIQUE INDEX CONCURRENTLY (transaction:false migration), then ADD "
                   "CONSTRAINT ... PRIMARY KEY USING INDEX",
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
            } else if (isNew) {
                continue;
            } else if (subtype == "AT_AlterColumnType") {
                report("changing-column-type", location(def.value("ColumnDef", json::object())),
                       "changing the type of " + col +
                           " rewrites the table and rebuilds its indexes under an ACCESS "
                           "EXCLUSIVE lock",
                       "add a column of the new type, backfill it in batches, move the clients, "
                       "then drop the old column (varchar(n) to text or to a larger n needs no "
                       "rewrite)",
                       table);
            } else if (subtype == "AT_SetNotNull") {
                if (created_.provenNotNull.count(col) == 0) {
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
    const VolatilityLookup& volatility_;
    StatementResult result_;
};

}  // namespace

StatementResult checkStatement(const json& statement, NewObjects& created, MigrationScope& scope,
                               const VolatilityLookup& volatility) {
    return Checker(created, scope, volatility).run(statement);
}

}  // namespace dbtool::lint
