// psql-style variables in SQL files that opt in with a `-- dbtool:vars` line: :name (the raw
// value), :'name' (a quoted literal) and :"name" (a quoted identifier).
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/errors.hpp"
#include "config/config.hpp"

namespace dbtool {

// True when `text` (a whole file) opts in: a line reading `-- dbtool:vars` among the blank,
// comment and marker lines before its first statement. Files without it are never touched,
// whatever `$`, `${` or `:` they hold.
bool optsIntoVariables(std::string_view text);

// One substituted reference: `at` and `written` in the text as written, `sent` the length of
// what replaced it.
struct SqlReplacement {
    size_t at = 0;
    size_t written = 0;
    size_t sent = 0;
};

struct SubstitutedSql {
    std::string sql;
    std::vector<SqlReplacement> replacements;
};

// Replaces every reference in `sql` (as lexSql finds them: never inside literals, quoted
// identifiers, dollar quotes or comments; `::` is a cast). Throws Error(InvalidInput) at
// locate(offset) for an undefined variable or a value holding a NUL byte. A literal is quoted
// as PQescapeLiteral does (E'...' when the value holds a backslash), an identifier as
// quote_ident does.
SubstitutedSql substituteVariables(std::string_view sql, const SqlVariables& vars,
                                   const std::function<SourceLocation(size_t)>& locate);

// The offset in the text as written of `offset` in the substituted text (the start of a
// reference for an offset inside its value).
size_t writtenOffset(const std::vector<SqlReplacement>& replacements, size_t offset);

}  // namespace dbtool
