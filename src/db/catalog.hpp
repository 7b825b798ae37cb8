#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "db/session.hpp"

namespace dbtool::db {

struct ColumnInfo {
    std::string name;
    std::string type;      // format_type(), e.g. "timestamp with time zone", "text[]"
    std::string baseType;  // type name, the element's for arrays ("text", "jsonb", "int4")
    bool isArray = false;
    bool isJson = false;  // json or jsonb (arrays of json are arrays)
    bool notNull = false;
    bool hasDefault = false;
    char identity = '\0';  // 'a' GENERATED ALWAYS, 'd' BY DEFAULT, '\0' none
    bool generated = false;
    std::string sequence;  // serial/identity sequence, qualified and quoted; "" when none
};

struct TableInfo {
    std::string schema;
    std::string name;
    std::string qualified;  // "schema"."name", quoted
    std::string oid;        // pg_class.oid as text: a dropped and recreated table gets a new one
    std::vector<ColumnInfo> columns;
    std::vector<std::string> primaryKey;
    std::vector<std::set<std::string>> uniqueKeys;  // column sets of non-partial unique indexes
    std::set<std::string> referencedTables;         // ids (schema.name) this table's FKs point to

    const ColumnInfo* column(const std::string& name) const;
    std::vector<std::string> columnNames() const;
    // "schema.name", unquoted: how dbtool names a table in its tracking rows.
    std::string id() const { return schema + "." + name; }
};

// Column names a catalog query joined with chr(31) (array_to_string(..., chr(31))): names
// may hold commas and spaces, never that control character. "" is no names.
std::vector<std::string> splitNames(const std::string& joined);

// What the seed planner asks about tables. The catalog answers from the server; tests answer
// from a fixed set (tests/support/fake_tables.hpp), so planning is tested without a server.
class TableLookup {
  public:
    virtual ~TableLookup() = default;
    // `name` as written in a seed: "users" (found through search_path) or "app.users".
    // nullopt when there is no such table. Throws SqlError when the server fails.
    virtual std::optional<TableInfo> find(const std::string& name) = 0;
    // Tables visible in search_path, for did-you-mean suggestions.
    virtual std::vector<std::string> visibleTables() = 0;
};

// Reads table definitions from the system catalogs (cached per name).
class Catalog : public TableLookup {
  public:
    explicit Catalog(Session& session) : session_(session) {}
    std::optional<TableInfo> find(const std::string& name) override;
    std::vector<std::string> visibleTables() override;

  private:
    Session& session_;
    std::map<std::string, std::optional<TableInfo>> cache_;
};

// The planner's idea of a relation's size (pg_class estimates, no scan): what a lock or a
// rewrite of it would cost.
struct RelationSize {
    std::string schema;
    std::string name;
    // pg_class.reltuples; nullopt when the table was never analyzed or vacuumed and has pages.
    std::optional<int64_t> rows;
    int64_t bytes = 0;  // pg_total_relation_size: heap, indexes and TOAST
};

// `schema` "" resolves `name` through search_path. nullopt when there is no such table, index
// or materialized view (an index's size is its table's: building or dropping it locks that).
std::optional<RelationSize> relationSize(Session& session, const std::string& schema,
                                         const std::string& name);

// True when the table has a validated CHECK constraint that is exactly (column IS NOT NULL):
// PostgreSQL 12+ then sets NOT NULL without scanning the table.
bool hasValidatedNotNullCheck(Session& session, const std::string& schema, const std::string& table,
                              const std::string& column);

// The data of every user table (not PostgreSQL's, extensions' or dbtool's tracking tables):
// row count and an md5 of its rows as text, sorted. Equal fingerprints, equal data.
struct TableData {
    int64_t rows = 0;
    std::string md5;
};
std::map<std::string, TableData> tableFingerprints(Session& session);

// The strictest volatility of the functions called `name` visible in search_path ('v', 's'
// or 'i'); nullopt when there is none.
std::optional<char> functionVolatility(Session& session, const std::string& name);

}  // namespace dbtool::db
