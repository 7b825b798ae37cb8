// `schema load`: a dumped schema (schema dump, or pg_dump --schema-only) into an empty
// database in one transaction.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "db/session.hpp"

namespace dbtool {

// Up to `limit` user objects of the connected database ("table public.users", "function
// public.f(integer)", "schema app", "extension citext"), and how many there are in all.
struct DatabaseObjects {
    std::vector<std::string> first;
    int64_t count = 0;
};
DatabaseObjects userObjects(db::Session& session, int limit = 5);

struct SchemaLoad {
    size_t statements = 0;
    int64_t ms = 0;
};

// Runs `file` in one transaction. Refuses (ExitCode::Check, naming objects) a database that
// holds any user object unless `force`. psql's \restrict and \unrestrict lines (newer pg_dump
// releases) are skipped; any other meta-command is refused with its line. A failing
// statement rolls everything back and is reported at its file:line.
SchemaLoad loadSchema(db::Session& session, const std::filesystem::path& file, bool force);

}  // namespace dbtool
