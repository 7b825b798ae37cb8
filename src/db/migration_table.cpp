#include "db/migration_table.hpp"

#include <libpq-fe.h>

#include <cstring>

#include "base/versions.hpp"

namespace dbtool::db {

std::string resolveTrackingSchema(Session& session, const std::string& configured) {
    if (!configured.empty()) {
        return configured;
    }
    auto r = session.execParams("SELECT current_schema()");
    if (PQgetisnull(r.get(), 0, 0)) {
        throw Error(ExitCode::Config, "the connection has no current schema (empty search_path)",
                    {}, "set --tracking-schema (or tracking_schema in dbtool.yaml)");
    }
    return PQgetvalue(r.get(), 0, 0);
}

MigrationTable::MigrationTable(Session& session, std::string schema)
    : session_(session), schema_(std::move(schema)) {}

std::string MigrationTable::qualifiedName() const {
    return session_.qualified(schema_, kName);
}

MigrationTable::Shape MigrationTable::shape() {
    // The catalog, not information_schema.columns: that view took about 4 ms a call, more
    // than the rest of `migrate status` on the server.
    auto r = session_.execParams(
        "SELECT attname::text FROM pg_catalog.pg_attribute "
        "WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped",
        {qualifiedName()});
    Shape s;
    s.exists = PQntuples(r.get()) > 0;
    for (int i = 0; i < PQntuples(r.get()); ++i) {
        const std::string column = PQgetvalue(r.get(), i, 0);
        s.hasName |= column == "name";
        s.hasChecksum |= column == "checksum";
        s.hasAppliedAt |= column == "applied_at";
        s.hasExecutionMs |= column == "execution_ms";
        s.hasDirty |= column == "dirty";
    }
    return s;
}

std::optional<std::pair<std::string, bool>> MigrationTable::golangMigrateVersion() {
    auto r = session_.execParams("SELECT version::text, dirty FROM " + qualifiedName() +
                                 " ORDER BY version DESC LIMIT 1");
    if (PQntuples(r.get()) == 0) {
        return std::nullopt;
    }
    return std::make_pair(std::string(PQgetvalue(r.get(), 0, 0)),
                          std::strcmp(PQgetvalue(r.get(), 0, 1), "t") == 0);
}

namespace {
[[noreturn]] void dirtyGolangMigrate(const std::string& version) {
    throw Error(ExitCode::Check,
                "schema_migrations comes from golang-migrate, which marked version " + version +
                    " dirty: that migration failed halfway",
                {},
                "repair the schema by hand, then clear the flag (UPDATE schema_migrations SET "
                "dirty = false) so dbtool can adopt the table");
}
}  // namespace

std::optional<std::string> MigrationTable::ensure(const std::vector<KnownMigration>& files) {
    const Shape s = shape();
    const std::string table = qualifiedName();
    if (!s.exists) {
        session_.runScript("CREATE SCHEMA IF NOT EXISTS " + session_.quoteIdent(schema_) + ";\n" +
                           "CREATE TABLE IF NOT EXISTS " + table +
                           " (\n"
                           "  version varchar(128) PRIMARY KEY,\n"
                           "  name text,\n"
                           "  checksum text,\n"
                           "  applied_at timestamptz DEFAULT clock_timestamp(),\n"
                           "  execution_ms bigint\n"
                           ")");
        return std::nullopt;
    }
    if (s.hasChecksum && s.hasName && s.hasAppliedAt && s.hasExecutionMs) {
        return std::nullopt;
    }
    // Adopt: add what is missing; rows already there stay (their checksum unknown, NULL).
    // Everything happens in one transaction so a failure leaves the table as it was.
    pqxx::work tx(session_.conn());
    std::optional<std::pair<std::string, bool>> golang;
    if (s.hasDirty && !s.hasChecksum) {
        golang = golangMigrateVersion();
        if (golang && golang->second) {
            dirtyGolangMigrate(golang->first);
        }
    }
    session_.runScript("ALTER TABLE " + table +
                       " ADD COLUMN IF NOT EXISTS name text,"
                       " ADD COLUMN IF NOT EXISTS checksum text,"
                       " ADD COLUMN IF NOT EXISTS applied_at timestamptz,"
                       " ADD COLUMN IF NOT EXISTS execution_ms bigint;"
                       " ALTER TABLE " +
                       table + " ALTER COLUMN applied_at SET DEFAULT clock_timestamp()" +
                       (s.hasDirty ? ", ALTER COLUMN dirty SET DEFAULT false" : ""));
    std::string note = "adopted the existing " + table + " (added dbtool's columns";
    if (golang) {
        // golang-migrate records only the newest version; every file up to it is applied.
        // When is not known: applied_at stays NULL, as for the newest version's row.
        int added = 0;
        for (const auto& m : files) {
            if (compareVersions(m.version, golang->first) > 0) {
                continue;
            }
            if (compareVersions(m.version, golang->first) == 0) {
                session_.execParams("UPDATE " + table + " SET name = $2 WHERE version::text = $1",
                                    {golang->first, m.name});
                continue;
            }
            session_.execParams(
                "INSERT INTO " + table +
                    " (version, name, dirty, applied_at) VALUES ($1, $2, false, NULL)",
                {m.version, m.name});
            ++added;
        }
        note += "; golang-migrate's version " + golang->first + " became " +
                std::to_string(added + 1) + " rows, one per applied migration";
    }
    note += "; rows already there have no checksum, so they are not checked for changes)";
    tx.commit();
    return note;
}

std::vector<AppliedMigration> MigrationTable::read(const std::vector<KnownMigration>& files) {
    const Shape s = shape();
    if (!s.exists) {
        return {};
    }
    std::vector<AppliedMigration> rows;
    if (s.hasDirty && !s.hasChecksum) {
        auto golang = golangMigrateVersion();
        if (!golang) {
            return {};
        }
        if (golang->second) {
            dirtyGolangMigrate(golang->first);
        }
        for (const auto& m : files) {
            if (compareVersions(m.version, golang->first) <= 0) {
                rows.push_back({m.version, m.name, std::nullopt, "", std::nullopt, ""});
            }
        }
        return rows;
    }
    const std::string sql = std::string("SELECT version::text, ") +
                            (s.hasName ? "coalesce(name, '')" : "''") + ", " +
                            (s.hasChecksum ? "checksum" : "NULL::text") + ", " +
                            (s.hasAppliedAt ? "coalesce(to_char(applied_at AT TIME ZONE 'UTC', "
                                              "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), '')"
                                            : "''") +
                            ", " + (s.hasExecutionMs ? "execution_ms" : "NULL::bigint") + ", " +
                            (s.hasAppliedAt ? "coalesce(to_char(applied_at AT TIME ZONE 'UTC', "
                                              "'YYYYMMDDHH24MISSUS'), '')"
                                            : "''") +
                            " FROM " + qualifiedName();
    auto r = session_.execParams(sql);
    for (int i = 0; i < PQntuples(r.get()); ++i) {
        AppliedMigration a;
        a.version = PQgetvalue(r.get(), i, 0);
        a.name = PQgetvalue(r.get(), i, 1);
        if (!PQgetisnull(r.get(), i, 2)) {
            a.checksum = PQgetvalue(r.get(), i, 2);
        }
        a.appliedAt = PQgetvalue(r.get(), i, 3);
        if (!PQgetisnull(r.get(), i, 4)) {
            a.executionMs = std::stoll(PQgetvalue(r.get(), i, 4));
        }
        a.appliedOrder = PQgetvalue(r.get(), i, 5);
        rows.push_back(std::move(a));
    }
    return rows;
}

void MigrationTable::insert(const std::string& version, const std::string& name,
                            const std::string& checksum, std::optional<int64_t> executionMs) {
    session_.execParams(
        "INSERT INTO " + qualifiedName() +
            " (version, name, checksum, applied_at, execution_ms) "
            "VALUES ($1, $2, $3, clock_timestamp(), $4)",
        {version, name, checksum,
         executionMs ? std::optional<std::string>(std::to_string(*executionMs)) : std::nullopt});
}

Session::PipelineStep MigrationTable::insertStep(const std::string& version,
                                                 const std::string& name,
                                                 const std::string& checksum) const {
    return {"INSERT INTO " + qualifiedName() +
                " (version, name, checksum, applied_at, execution_ms) "
                "VALUES ($1, $2, $3, clock_timestamp(), "
                "(extract(epoch FROM clock_timestamp() - now()) * 1000)::bigint) "
                "RETURNING execution_ms",
            {version, name, checksum},
            true};
}

void MigrationTable::remove(const std::string& version) {
    // Match numerically-equal spellings ("001" vs "1") as the planner does.
    auto r = session_.execParams(
        "DELETE FROM " + qualifiedName() + " WHERE ltrim(version::text, '0') = ltrim($1, '0')",
        {version});
    if (std::strcmp(PQcmdTuples(r.get()), "0") == 0) {
        throw Error(ExitCode::Check, "version " + version + " is not recorded as applied");
    }
}

std::string MigrationTable::runningName() const {
    return session_.qualified(schema_, "schema_migrations_running");
}

void MigrationTable::startUnrecorded(const std::string& version, const std::string& name,
                                     const std::string& direction, int statements) {
    session_.runScript("CREATE TABLE IF NOT EXISTS " + runningName() +
                       " (version text PRIMARY KEY, name text, direction text NOT NULL, "
                       "statements_committed int NOT NULL DEFAULT 0, statements int NOT NULL, "
                       "started_at timestamptz NOT NULL DEFAULT clock_timestamp())");
    session_.execParams("INSERT INTO " + runningName() +
                            " (version, name, direction, statements) VALUES ($1, $2, $3, $4)",
                        {version, name, direction, std::to_string(statements)});
}

void MigrationTable::committedStatements(const std::string& version, int committed) {
    session_.execParams(
        "UPDATE " + runningName() + " SET statements_committed = $2 WHERE version = $1",
        {version, std::to_string(committed)});
}

void MigrationTable::finishUnrecorded(const std::string& version) {
    if (session_.relationExists(runningName())) {
        session_.execParams("DELETE FROM " + runningName() + " WHERE version = $1", {version});
    }
}

std::vector<InterruptedMigration> MigrationTable::interrupted() {
    if (!session_.relationExists(runningName())) {
        return {};
    }
    auto r = session_.execParams(
        "SELECT version, coalesce(name, ''), direction, statements_committed, statements, "
        "to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM " +
        runningName() + " ORDER BY version");
    std::vector<InterruptedMigration> out;
    for (int i = 0; i < PQntuples(r.get()); ++i) {
        out.push_back({PQgetvalue(r.get(), i, 0), PQgetvalue(r.get(), i, 1),
                       PQgetvalue(r.get(), i, 2), std::stoi(PQgetvalue(r.get(), i, 3)),
                       std::stoi(PQgetvalue(r.get(), i, 4)), PQgetvalue(r.get(), i, 5)});
    }
    return out;
}

}  // namespace dbtool::db
