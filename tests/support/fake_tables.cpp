#include "support/fake_tables.hpp"

#include "base/text.hpp"

namespace dbtool::test {

std::string FakeTables::id(const std::string& name) {
    return name.find('.') == std::string::npos ? "public." + name : name;
}

FakeTables& FakeTables::table(const std::string& name, std::vector<Column> columns,
                              std::vector<std::string> primaryKey,
                              std::vector<std::vector<std::string>> uniqueKeys,
                              std::vector<std::string> references) {
    db::TableInfo t;
    const std::string full = id(name);
    t.schema = full.substr(0, full.find('.'));
    t.name = full.substr(full.find('.') + 1);
    t.qualified = quoteIdentifier(t.schema) + "." + quoteIdentifier(t.name);
    for (const auto& c : columns) {
        db::ColumnInfo info;
        info.name = c.name;
        info.type = c.type;
        info.isArray = c.type.ends_with("[]");
        info.baseType = info.isArray ? c.type.substr(0, c.type.size() - 2) : c.type;
        info.isJson = !info.isArray && (info.baseType == "json" || info.baseType == "jsonb");
        info.generated = c.generated;
        t.columns.push_back(info);
    }
    t.primaryKey = primaryKey;
    if (!primaryKey.empty()) {
        t.uniqueKeys.emplace_back(primaryKey.begin(), primaryKey.end());
    }
    for (const auto& k : uniqueKeys) {
        t.uniqueKeys.emplace_back(k.begin(), k.end());
    }
    for (const auto& r : references) {
        t.referencedTables.insert(id(r));
    }
    tables_[full] = std::move(t);
    return *this;
}

std::optional<db::TableInfo> FakeTables::find(const std::string& name) {
    lookups_.push_back(name);
    auto it = tables_.find(id(name));
    if (it == tables_.end()) {
        return std::nullopt;
    }
    return it->second;
}

std::vector<std::string> FakeTables::visibleTables() {
    std::vector<std::string> out;
    for (const auto& [key, t] : tables_) {
        if (t.schema == "public") {
            out.push_back(t.name);
        }
    }
    return out;
}

}  // namespace dbtool::test
