#include "lint/parse_tree.hpp"

#include <algorithm>
#include <array>

namespace dbtool::lint::tree {

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

namespace {

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

}  // namespace

// The first volatile function an expression calls ("" when none): every FuncCall node at
// any depth, judged by the known list, then by the database when one answers.
std::string volatileCall(const json& expr, const DatabaseFacts& database) {
    if (expr.is_object()) {
        if (const auto call = expr.find("FuncCall"); call != expr.end()) {
            const auto parts = names(call->value("funcname", json::array()));
            const std::string name = parts.empty() ? "" : parts.back();
            if (!knownNonVolatile(name)) {
                const auto v = database.volatility ? database.volatility(name) : std::nullopt;
                if (!v || *v == 'v') {
                    return name + "()";
                }
            }
        }
        for (const auto& [key, value] : expr.items()) {
            if (auto found = volatileCall(value, database); !found.empty()) {
                return found;
            }
        }
    } else if (expr.is_array()) {
        for (const auto& value : expr) {
            if (auto found = volatileCall(value, database); !found.empty()) {
                return found;
            }
        }
    }
    return "";
}

}  // namespace dbtool::lint::tree
