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
    std::vector<ColumnInfo> columns;
    std::vector<std::string> primaryKey;
    std::vector<std::set<std::string>> uniqueKeys;  // column sets of non-partial unique indexes
    std::set<std::string> referencedTables;         // qualified names this table's FKs point to

    const ColumnInfo* column(const std::string& name) const;
    std::vector<std::string> columnNames() const;
    // "schema.name", unquoted: how dbtool names a table in its tracking rows.
    std::string id() const { return schema + "." + name; }
};

// Reads table definitions from the system catalogs (cached per name).
class Catalog {
  public:
    explicit Catalog(Session& session) : session_(session) {}
    // `name` as written in a seed: "users" (found through search_path) or "app.users".
    std::optional<TableInfo> find(const std::string& name);
    // Tables visible in search_path, for did-you-mean suggestions.
    std::vector<std::string> visibleTables();

  private:
    Session& session_;
    std::map<std::string, std::optional<TableInfo>> cache_;
};

}  // namespace dbtool::db
