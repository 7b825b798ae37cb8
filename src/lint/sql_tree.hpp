#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <variant>

namespace dbtool::lint {

// Why PostgreSQL's grammar refused a statement, and where (byte offset into it).
struct ParseFailure {
    std::string message;
    size_t offset = 0;
};

// One statement parsed by PostgreSQL's own parser (libpg_query, the server's grammar of
// PostgreSQL 15): the node of its raw parse tree, e.g. {"IndexStmt": {...}}. Node "location"
// fields are byte offsets into `sql`. A text holding several statements gives the first.
std::variant<nlohmann::json, ParseFailure> parseStatement(std::string_view sql);

}  // namespace dbtool::lint
