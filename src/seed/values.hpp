#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "db/session.hpp"
#include "seed/yaml_stream.hpp"

namespace dbtool {

// A value on its way into a column: text for a bound parameter or a COPY field.
struct Cell {
    enum class Kind { Value, Null, Default } kind = Kind::Default;
    std::string text;
};

// A YAML list as a PostgreSQL array literal ({"a","b"}); `ref` resolves !ref elements and
// `jsonElements` writes each element as JSON (arrays of json/jsonb).
std::string pgArray(const YamlValue& v, const std::function<std::string(const YamlValue&)>& ref,
                    bool jsonElements);

// One row in COPY's text format: the cells, then `fill` copies of `now` (timestamps), and a
// newline. COPY's text format is the only one dbtool writes, so this is its only escaper:
// \N is NULL; backslash, tab, newline and carriage return are escaped.
void appendCopyLine(std::string& out, const std::vector<Cell>& cells, size_t fill,
                    const std::string& now);

// The line of COPY's data a server error names ("COPY t, line N[, column c]"), if any.
std::optional<int64_t> copyLine(const db::SqlError& e);

}  // namespace dbtool
