#pragma once

#include <filesystem>
#include <string>

#include "config/connection_target.hpp"
#include "db/session.hpp"

namespace dbtool {

// The pg_dump to run: $DBTOOL_PG_DUMP, else pg_dump on PATH, else the newest
// /usr/lib/postgresql/*/bin/pg_dump. Throws Error(ExitCode::Failure) saying how to install it.
std::string findPgDump();

// How `schema dump` reads the schema: pg_dump when it is installed and of the server's major
// version (Auto), pg_dump whatever its version (PgDump), or the catalogs (Catalog).
enum class DumpMethod { Auto, PgDump, Catalog };

struct SchemaDumpResult {
    std::string sql;
    std::string method;  // "pg_dump" or "catalog"
    std::string note;    // why Auto chose the catalogs ("" otherwise)
};

// The schema of the target database (pg_dump --schema-only --no-owner --no-privileges, or
// dumpSchemaFromCatalog), followed by the applied versions of schema_migrations (and the
// applied repeatable migrations) as INSERT statements, so loading the file gives a database
// that `migrate status` reports as up to date.
SchemaDumpResult dumpSchema(const ConnectionTarget& target, db::Session& session,
                            const std::string& trackingSchema,
                            DumpMethod method = DumpMethod::Auto);

// Writes `content` to `path` atomically (a temporary file renamed over it).
void writeFileAtomically(const std::filesystem::path& path, const std::string& content);

}  // namespace dbtool
