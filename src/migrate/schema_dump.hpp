#pragma once

#include <filesystem>
#include <string>

#include "config/connection_target.hpp"
#include "db/session.hpp"

namespace dbtool {

// The pg_dump to run: $DBTOOL_PG_DUMP, else pg_dump on PATH, else the newest
// /usr/lib/postgresql/*/bin/pg_dump. Throws Error(ExitCode::Failure) saying how to install it.
std::string findPgDump();

// The schema of the target database (pg_dump --schema-only, no owners or privileges),
// followed by the applied versions of schema_migrations as INSERT statements, so loading the
// file gives a database that `migrate status` reports as up to date.
std::string dumpSchema(const ConnectionTarget& target, db::Session& session,
                       const std::string& trackingSchema);

// Writes `content` to `path` atomically (a temporary file renamed over it).
void writeFileAtomically(const std::filesystem::path& path, const std::string& content);

}  // namespace dbtool
