#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "db/catalog.hpp"

namespace dbtool::test {

// A db::TableLookup over tables declared in the test, so the seed planner runs without a
// server. Tables live in schema "public"; a name with a dot names another schema.
class FakeTables : public db::TableLookup {
  public:
    struct Column {
        std::string name;
        std::string type;  // "int8", "text", "text[]", "jsonb", ...
        bool generated = false;
    };

    // Declares a table. `primaryKey` is also a unique key; `uniqueKeys` adds others;
    // `references` are the tables (as declared) its foreign keys point to.
    FakeTables& table(const std::string& name, std::vector<Column> columns,
                      std::vector<std::string> primaryKey = {"id"},
                      std::vector<std::vector<std::string>> uniqueKeys = {},
                      std::vector<std::string> references = {});

    std::optional<db::TableInfo> find(const std::string& name) override;
    std::vector<std::string> visibleTables() override;

    // Names find() was asked for, in order (to check what the planner looks up).
    const std::vector<std::string>& lookups() const { return lookups_; }

  private:
    static std::string id(const std::string& name);
    std::map<std::string, db::TableInfo> tables_;  // by id
    std::vector<std::string> lookups_;
};

}  // namespace dbtool::test
