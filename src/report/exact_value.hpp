#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace dbtool::report {

// A column value, as PostgreSQL's text output gives it, for a JSON document: typed (a JSON
// number, boolean, object or array) only where the JSON value says exactly what the text
// says, else the text itself as a JSON string. So NULL is null and nothing else is; float
// Infinity/NaN, -0, numbers a double cannot hold (1e400, 0.1 as numeric) and json text a
// parser would change (duplicate keys, key order, escapes) stay strings, exactly as written,
// and so do a json null and a json string (typed, they would read as SQL NULL and as text).
// `typeOid` is the column's type (pg_type.oid): bool, int2/4/8, float4/8, json and jsonb are
// typed; everything else (numeric included) is text.
nlohmann::json exactJsonValue(const std::optional<std::string>& text, unsigned typeOid);

// `json` text without the whitespace between its tokens (strings untouched).
std::string compactJson(const std::string& text);

}  // namespace dbtool::report
