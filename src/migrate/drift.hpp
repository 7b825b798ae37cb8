// Schema drift: what differs between a live database and the schema its applied migrations
// produce (built in a scratch database from the same files).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "db/schema_snapshot.hpp"
#include "db/session.hpp"
#include "migrate/migration.hpp"

namespace dbtool {

struct DriftEntry {
    enum class Kind {
        Added,    // in the database, not made by the migrations (added by hand)
        Missing,  // made by the migrations, not in the database (dropped by hand)
        Altered,  // in both, defined differently
    };
    Kind kind = Kind::Altered;
    std::string object;                   // "table public.audit_log", "column public.users.email"
    std::optional<std::string> expected;  // as the migrations define it
    std::optional<std::string> actual;    // as the database has it
    // Parts of an added or missing table (columns, indexes, ...) folded into it, by kind.
    std::map<std::string, int> parts;
};
const char* driftKindName(DriftEntry::Kind kind);

struct DriftReport {
    std::vector<DriftEntry> entries;
    int migrationsApplied = 0;   // versioned migrations rebuilt in the scratch database
    int repeatablesApplied = 0;  // repeatable ones
    // Versions recorded in the database whose files are gone: their objects show as added.
    std::vector<std::string> withoutFile;
};

// Applies to `scratch` (an empty database) exactly the versioned migrations `live` records as
// applied, the repeatable migrations it records and the callbacks, then compares the two
// schemas (db::takeSchemaSnapshot: dbtool's tracking tables left out). Throws as `migrate up`
// does when a migration fails in the scratch database.
DriftReport findDrift(db::Session& live, db::Session& scratch, MigrationSet files,
                      const std::string& trackingSchema, const db::SnapshotOptions& options);

}  // namespace dbtool
