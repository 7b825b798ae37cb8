#include "lint/live_database.hpp"

#include "db/catalog.hpp"

namespace dbtool::lint {

std::optional<LintDatabase::TableSize> LiveDatabase::tableSize(const RelationName& relation) {
    const auto size = db::relationSize(session_, relation.schema, relation.name);
    if (!size) {
        return std::nullopt;
    }
    return TableSize{size->schema + "." + size->name, size->rows, size->bytes};
}

std::optional<char> LiveDatabase::volatility(const std::string& function) {
    return db::functionVolatility(session_, function);
}

bool LiveDatabase::provenNotNull(const RelationName& table, const std::string& column) {
    return db::hasValidatedNotNullCheck(session_, table.schema, table.name, column);
}

}  // namespace dbtool::lint
