#include "db/repeatable_table.hpp"

#include <libpq-fe.h>

namespace dbtool::db {

RepeatableTable::RepeatableTable(Session& session, std::string schema)
    : session_(session), schema_(std::move(schema)) {}

std::string RepeatableTable::qualifiedName() const {
    return session_.qualified(schema_, kName);
}

std::vector<AppliedRepeatable> RepeatableTable::read() {
    if (!session_.relationExists(qualifiedName())) {
        return {};
    }
    auto r = session_.execParams(
        "SELECT name, checksum, to_char(applied_at AT TIME ZONE 'UTC', "
        "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), execution_ms FROM " +
        qualifiedName() + " ORDER BY name");
    std::vector<AppliedRepeatable> rows;
    for (int i = 0; i < PQntuples(r.get()); ++i) {
        AppliedRepeatable a;
        a.name = PQgetvalue(r.get(), i, 0);
        a.checksum = PQgetvalue(r.get(), i, 1);
        a.appliedAt = PQgetvalue(r.get(), i, 2);
        if (!PQgetisnull(r.get(), i, 3)) {
            a.executionMs = std::stoll(PQgetvalue(r.get(), i, 3));
        }
        rows.push_back(std::move(a));
    }
    return rows;
}

void RepeatableTable::ensure() {
    session_.runScript("CREATE SCHEMA IF NOT EXISTS " + session_.quoteIdent(schema_) + ";\n" +
                       "CREATE TABLE IF NOT EXISTS " + qualifiedName() +
                       " (\n"
                       "  name text PRIMARY KEY,\n"
                       "  checksum text NOT NULL,\n"
                       "  applied_at timestamptz NOT NULL DEFAULT clock_timestamp(),\n"
                       "  execution_ms bigint\n"
                       ")");
}

void RepeatableTable::forgetAll() {
    if (session_.relationExists(qualifiedName())) {
        session_.execParams("DELETE FROM " + qualifiedName());
    }
}

void RepeatableTable::record(const std::string& name, const std::string& checksum,
                             int64_t executionMs) {
    session_.execParams("INSERT INTO " + qualifiedName() +
                            " (name, checksum, applied_at, execution_ms) "
                            "VALUES ($1, $2, clock_timestamp(), $3) ON CONFLICT (name) DO UPDATE "
                            "SET checksum = EXCLUDED.checksum, applied_at = EXCLUDED.applied_at, "
                            "execution_ms = EXCLUDED.execution_ms",
                        {name, checksum, std::to_string(executionMs)});
}

}  // namespace dbtool::db
