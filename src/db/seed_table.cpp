#include "db/seed_table.hpp"

#include <libpq-fe.h>

namespace dbtool::db {

SeedTable::SeedTable(Session& session, std::string schema)
    : session_(session), schema_(std::move(schema)) {}

bool SeedTable::exists() {
    auto r = session_.execParams("SELECT to_regclass($1) IS NOT NULL", {seeds()});
    return PQgetvalue(r.get(), 0, 0)[0] == 't';
}

void SeedTable::ensure() {
    if (exists()) {
        return;
    }
    // Keys and labels are written before their seed's row in the same transaction, hence the
    // deferred foreign keys; deleting a seed's row removes its keys and labels with it.
    // One multi-statement query: atomic on its own, or part of the caller's transaction.
    session_.runScript("CREATE SCHEMA IF NOT EXISTS " + session_.quoteIdent(schema_) + ";\n" +
                       "CREATE TABLE IF NOT EXISTS " + seeds() +
                       " (\n"
                       "  name text PRIMARY KEY,\n"
                       "  checksum text NOT NULL,\n"
                       "  environment text,\n"
                       "  applied_at timestamptz NOT NULL DEFAULT clock_timestamp(),\n"
                       "  execution_ms bigint,\n"
                       "  random_seed bigint,\n"
                       "  rows_inserted bigint NOT NULL DEFAULT 0,\n"
                       "  rows_updated bigint NOT NULL DEFAULT 0,\n"
                       "  row_counts jsonb NOT NULL DEFAULT '{}'\n"
                       ");\n"
                       "CREATE TABLE IF NOT EXISTS " +
                       keys() +
                       " (\n"
                       "  id bigserial PRIMARY KEY,\n"
                       "  seed text NOT NULL REFERENCES " +
                       seeds() +
                       " (name) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,\n"
                       "  table_name text NOT NULL,\n"
                       "  keys jsonb NOT NULL\n"
                       ");\n"
                       "CREATE INDEX IF NOT EXISTS schema_seed_keys_seed_idx ON " +
                       keys() + " (seed);\n" + "CREATE TABLE IF NOT EXISTS " + labels() +
                       " (\n"
                       "  table_name text NOT NULL,\n"
                       "  label text NOT NULL,\n"
                       "  seed text NOT NULL REFERENCES " +
                       seeds() +
                       " (name) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,\n"
                       "  key jsonb NOT NULL,\n"
                       "  PRIMARY KEY (table_name, label)\n"
                       ");\n");
}

std::vector<AppliedSeed> SeedTable::read() {
    if (!exists()) {
        return {};
    }
    auto r = session_.execParams(
        "SELECT name, checksum, coalesce(environment, ''), "
        "to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
        "coalesce(execution_ms, 0), rows_inserted, rows_updated, row_counts::text FROM " +
        seeds() + " ORDER BY name");
    std::vector<AppliedSeed> out;
    for (int i = 0; i < PQntuples(r.get()); ++i) {
        AppliedSeed s;
        s.name = PQgetvalue(r.get(), i, 0);
        s.checksum = PQgetvalue(r.get(), i, 1);
        s.environment = PQgetvalue(r.get(), i, 2);
        s.appliedAt = PQgetvalue(r.get(), i, 3);
        s.executionMs = std::stoll(PQgetvalue(r.get(), i, 4));
        s.rowsInserted = std::stoll(PQgetvalue(r.get(), i, 5));
        s.rowsUpdated = std::stoll(PQgetvalue(r.get(), i, 6));
        s.rowCountsJson = PQgetvalue(r.get(), i, 7);
        out.push_back(std::move(s));
    }
    return out;
}

void SeedTable::record(const AppliedSeed& s, int64_t randomSeed) {
    session_.execParams("INSERT INTO " + seeds() +
                            " (name, checksum, environment, execution_ms, random_seed, "
                            "rows_inserted, rows_updated, row_counts) "
                            "VALUES ($1, $2, NULLIF($3, ''), $4, $5, $6, $7, $8::jsonb)",
                        {s.name, s.checksum, s.environment, std::to_string(s.executionMs),
                         std::to_string(randomSeed), std::to_string(s.rowsInserted),
                         std::to_string(s.rowsUpdated), s.rowCountsJson});
}

std::optional<std::string> SeedTable::labelKey(const std::string& tableId,
                                               const std::string& label) {
    auto r = session_.execParams(
        "SELECT key::text FROM " + labels() + " WHERE table_name = $1 AND label = $2",
        {tableId, label});
    if (PQntuples(r.get()) == 0) {
        return std::nullopt;
    }
    return std::string(PQgetvalue(r.get(), 0, 0));
}

void SeedTable::recordLabel(const std::string& seed, const std::string& tableId,
                            const std::string& label, const std::string& keyJson) {
    session_.execParams("INSERT INTO " + labels() +
                            " (table_name, label, seed, key) VALUES ($1, $2, $3, $4::jsonb)",
                        {tableId, label, seed, keyJson});
}

std::vector<std::string> SeedTable::tablesOf(const std::string& seed) {
    auto r = session_.execParams("SELECT table_name FROM " + keys() +
                                     " WHERE seed = $1 GROUP BY table_name ORDER BY min(id)",
                                 {seed});
    std::vector<std::string> out;
    for (int i = 0; i < PQntuples(r.get()); ++i) {
        out.push_back(PQgetvalue(r.get(), i, 0));
    }
    return out;
}

void SeedTable::forget(const std::string& seed) {
    session_.execParams("DELETE FROM " + seeds() + " WHERE name = $1", {seed});
}

}  // namespace dbtool::db
