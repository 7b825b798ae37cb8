#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace dbtool::testdb {

// The format of what a template holds (tracking tables included). Raise it when dbtool
// writes its tracking tables differently: every template built before then is rebuilt.
inline constexpr int kTemplateFormat = 1;

// The longest database name PostgreSQL keeps, in bytes (NAMEDATALEN - 1).
inline constexpr size_t kMaxDatabaseName = 63;

// What a template database is made of, line by line: "migration <version> <name> <checksum>",
// "seed <name> <checksum>", "random-seed 1", ... The order is the caller's; the key is
// SHA-256 over kTemplateFormat and every line.
std::string templateKey(const std::vector<std::string>& contents);

// The name of the template of `database` with `key`: "<database>_tpl_<16 hex digits>",
// the database name shortened (never split inside a UTF-8 character) to keep the whole
// within PostgreSQL's 63 bytes.
std::string templateName(const std::string& database, const std::string& key);

// True when `name` is a template name of `database` (any key).
bool isTemplateOf(const std::string& name, const std::string& database);

// The name of a template's spare (clones.hpp): "_spr_" for its "_tpl_", the same length.
std::string spareName(const std::string& templateName);
// The template whose spare `name` would be, when it has a spare's form; else "".
std::string templateOfSpare(const std::string& name);

}  // namespace dbtool::testdb
