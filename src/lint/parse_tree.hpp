#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>
#include <vector>

#include "lint/statement_rules.hpp"

// Reading pg_query's parse tree (its JSON form): small accessors that never throw on a missing
// or differently typed field, since the tree leaves out fields at their default.
namespace dbtool::lint::tree {

using nlohmann::json;

std::string text(const json& node, const char* key);  // "" when absent
bool flag(const json& node, const char* key);         // false when absent
size_t location(const json& node);                    // 0 when absent or -1
RelationName relation(const json& rangeVar);
// The strings of a List node (DROP's objects, a function's or type's qualified name).
std::vector<std::string> names(const json& list);
// ["schema", "name"] or ["name"] as a relation name.
RelationName qualified(const std::vector<std::string>& parts);
// A ColumnDef's type without pg_catalog: "int4", "varchar", "serial".
std::string typeName(const json& column);
bool hasTypmods(const json& column);
std::vector<json> constraintsOf(const json& column);
bool isSerial(const std::string& type);
// The first volatile function an expression calls ("name()"), "" when none: every FuncCall at
// any depth, judged by a list of functions known not to be volatile, then by the database.
std::string volatileCall(const json& expr, const DatabaseFacts& database);

}  // namespace dbtool::lint::tree
