#include "lint/sql_tree.hpp"

#include <pg_query.h>

#include <memory>

#include "base/text.hpp"

namespace dbtool::lint {

std::variant<nlohmann::json, ParseFailure> parseStatement(std::string_view sql) {
    const std::string text(sql);  // the parser wants a NUL-terminated string
    PgQueryParseResult result = pg_query_parse(text.c_str());
    // Freed however this function leaves (the JSON parse below can throw).
    std::unique_ptr<PgQueryParseResult, void (*)(PgQueryParseResult*)> guard(
        &result, [](PgQueryParseResult* r) { pg_query_free_parse_result(*r); });
    if (result.error != nullptr) {
        // cursorpos counts characters from 1, as the server's error positions do; 0 = none.
        const int pos = result.error->cursorpos;
        const size_t offset = pos > 0 ? byteOffsetOfCharacter(text, pos) : 0;
        return ParseFailure{result.error->message, offset};
    }
    nlohmann::json tree = nlohmann::json::parse(result.parse_tree);
    const auto& stmts = tree["stmts"];
    if (!stmts.is_array() || stmts.empty()) {
        return nlohmann::json::object();
    }
    return stmts[0]["stmt"];
}

}  // namespace dbtool::lint
