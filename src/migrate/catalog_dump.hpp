// A schema dump without pg_dump: plain SQL generated from the system catalogs with
// PostgreSQL's own pg_get_*def functions, whatever pg_dump is (or is not) installed.
#pragma once

#include <string>

#include "db/session.hpp"

namespace dbtool {

// The user schema of the connected database as SQL that `schema load` (or psql) replays into
// an empty database: schemas, extensions (with their versions), enum, domain and composite
// types, functions and procedures (bodies checked when called, SQL-standard bodies after the
// tables), sequences, tables (columns with types, collations, defaults, identity, generated
// columns, partitioning), partitions, sequence ownership, views in dependency order,
// constraints, materialized views (created empty), indexes, foreign keys, triggers, rules,
// row security and policies, comments. Objects of extensions and of PostgreSQL itself are
// left out; names are schema-qualified; the order is by name within each kind, so the text
// only changes when the schema does. Owners and privileges are not dumped (as pg_dump
// --no-owner --no-privileges).
std::string dumpSchemaFromCatalog(db::Session& session);

}  // namespace dbtool
