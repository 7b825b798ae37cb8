#include "db/seed_table.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "base/text.hpp"

namespace dbtool::db {

namespace {

// A primary key of one smallint, integer or bigint column: its keys are kept as ranges.
bool integerKey(const TableInfo& info) {
    if (info.primaryKey.size() != 1) {
        return false;
    }
    const ColumnInfo* c = info.column(info.primaryKey[0]);
    return c != nullptr && !c->isArray &&
           (c->baseType == "int2" || c->baseType == "int4" || c->baseType == "int8");
}

}  // namespace

std::vector<SeededTableCounts> AppliedSeed::tableCounts() const {
    std::vector<SeededTableCounts> out;
    const auto counts = nlohmann::json::parse(rowCountsJson.empty() ? "{}" : rowCountsJson);
    for (const auto& [table, c] : counts.items()) {
        SeededTableCounts t;
        t.table = table;
        t.inserted = c.value("inserted", int64_t{0});
        t.updated = c.value("updated", int64_t{0});
        t.skipped = c.value("skipped", int64_t{0});
        t.undoable = c.value("undoable", true);
        if (c.contains("oid"))
            t.oid = std::to_string(c["oid"].get<int64_t>());
        out.push_back(std::move(t));
    }
    return out;
}

SeedTable::SeedTable(Session& session, std::string schema)
    : session_(session), schema_(std::move(schema)) {}

std::string SeedTable::seeds() const {
    return session_.qualified(schema_, "schema_seeds");
}
std::string SeedTable::keys() const {
    return session_.qualified(schema_, "schema_seed_keys");
}
std::string SeedTable::labels() const {
    return session_.qualified(schema_, "schema_seed_labels");
}
std::string SeedTable::writers() const {
    return session_.qualified(schema_, "schema_seed_writers");
}

bool SeedTable::exists() {
    return session_.relationExists(seeds());
}

bool SeedTable::hasIdentityColumns() {
    if (!identityColumns_) {
        auto r = session_.execParams(
            "SELECT count(*) FROM pg_attribute WHERE NOT attisdropped AND ((attrelid = "
            "to_regclass($1) AND attname = 'xids') OR (attrelid = to_regclass($2) AND attname = "
            "'table_oid') OR (attrelid = to_regclass($3) AND attname = 'xid'))",
            {seeds(), labels(), writers()});
        identityColumns_ = std::string(PQgetvalue(r.get(), 0, 0)) == "3";
    }
    return *identityColumns_;
}

std::string SeedTable::writersTable() const {
    return "CREATE TABLE IF NOT EXISTS " + writers() +
           " (\n"
           "  xid xid NOT NULL,\n"
           "  seed text NOT NULL,\n"
           "  recorded_at timestamptz NOT NULL DEFAULT clock_timestamp()\n"
           ");\n";
}

void SeedTable::ensure() {
    if (exists()) {
        if (!hasIdentityColumns()) {
            // Tables of dbtool 0.1: their rows keep NULL (identity unknown), see undoSeed.
            session_.runScript("ALTER TABLE " + seeds() +
                               " ADD COLUMN IF NOT EXISTS xids xid[];\n" + "ALTER TABLE " +
                               labels() + " ADD COLUMN IF NOT EXISTS table_oid oid;\n" +
                               writersTable());
            identityColumns_ = true;
        }
        return;
    }
    identityColumns_ = true;
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
                       "  row_counts jsonb NOT NULL DEFAULT '{}',\n"
                       "  xids xid[]\n"
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
                       "  table_oid oid,\n"
                       "  PRIMARY KEY (table_name, label)\n"
                       ");\n" +
                       writersTable());
}

std::vector<AppliedSeed> SeedTable::read() {
    if (!exists()) {
        return {};
    }
    auto r = session_.execParams(
        "SELECT name, checksum, coalesce(environment, ''), "
        "to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
        "coalesce(execution_ms, 0), rows_inserted, rows_updated, row_counts::text, " +
        std::string(hasIdentityColumns() ? "xids::text" : "NULL") +
        ", (extract(epoch FROM applied_at) * 1000000)::bigint FROM " + seeds() + " ORDER BY name");
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
        if (PQgetisnull(r.get(), i, 8) == 0)
            s.xids = PQgetvalue(r.get(), i, 8);
        s.appliedAtMicros = std::stoll(PQgetvalue(r.get(), i, 9));
        out.push_back(std::move(s));
    }
    return out;
}

void SeedTable::record(const AppliedSeed& s, const std::vector<SeededTableCounts>& counts,
                       int64_t randomSeed, const std::set<std::string>& savepointXids) {
    nlohmann::json rowCounts = nlohmann::json::object();
    for (const auto& c : counts) {
        rowCounts[c.table] = {{"inserted", c.inserted},
                              {"updated", c.updated},
                              {"skipped", c.skipped},
                              {"undoable", c.undoable}};
        if (!c.oid.empty())
            rowCounts[c.table]["oid"] = std::stoll(c.oid);
    }
    std::string xids;
    for (const auto& x : savepointXids)
        xids += (xids.empty() ? "" : ",") + x;
    session_.execParams("WITH s AS (INSERT INTO " + seeds() +
                            " (name, checksum, environment, execution_ms, random_seed, "
                            "rows_inserted, rows_updated, row_counts, xids) "
                            "VALUES ($1, $2, NULLIF($3, ''), $4, $5, $6, $7, $8::jsonb, "
                            "$9::xid[] || pg_current_xact_id()::xid) RETURNING xids) "
                            "INSERT INTO " +
                            writers() + " (xid, seed) SELECT x, $1 FROM s, unnest(s.xids) x",
                        {s.name, s.checksum, s.environment, std::to_string(s.executionMs),
                         std::to_string(randomSeed), std::to_string(s.rowsInserted),
                         std::to_string(s.rowsUpdated), rowCounts.dump(), "{" + xids + "}"});
}

std::optional<StoredLabel> SeedTable::label(const std::string& tableId, const std::string& label) {
    auto r = session_.execParams(
        "SELECT key::text, seed, " +
            std::string(hasIdentityColumns() ? "coalesce(table_oid::text, '')" : "''") + " FROM " +
            labels() + " WHERE table_name = $1 AND label = $2",
        {tableId, label});
    if (PQntuples(r.get()) == 0) {
        return std::nullopt;
    }
    return StoredLabel{nlohmann::json::parse(PQgetvalue(r.get(), 0, 0)).at(0).get<std::string>(),
                       PQgetvalue(r.get(), 0, 1), PQgetvalue(r.get(), 0, 2)};
}

void SeedTable::recordLabel(const std::string& seed, const TableInfo& table,
                            const std::string& label, const std::string& key) {
    session_.execParams(
        "INSERT INTO " + labels() +
            " (table_name, label, seed, key, table_oid) VALUES ($1, $2, $3, $4::jsonb, $5::oid)",
        {table.id(), label, seed, nlohmann::json::array({key}).dump(), table.oid});
}

std::string SeedTable::keyArray(const TableInfo& table) {
    std::string out;
    for (const auto& k : table.primaryKey) {
        out += (out.empty() ? "" : ", ") + quoteIdentifier(k) + "::text";
    }
    return out.empty() ? out : "jsonb_build_array(" + out + ")";
}

std::string SeedTable::keyRecordingCte(int seedParam, int tableParam) const {
    // 10,000 keys to a tracking row; a batch of inserted rows usually makes one.
    return "rec AS (INSERT INTO " + keys() + " (seed, table_name, keys) SELECT $" +
           std::to_string(seedParam) + ", $" + std::to_string(tableParam) +
           ", jsonb_agg(k) FROM (SELECT k, (row_number() OVER ()) / 10000 AS g FROM ins WHERE "
           "inserted) s GROUP BY g)";
}

// The rows this transaction created in the table are found by xmin, server-side, without a
// round trip per row. A single integer key is stored as ranges of consecutive values
// ({"from": 1, "to": 1000000} for a fresh serial table), any other key one by one.
void SeedTable::recordKeysCreatedInThisTransaction(const std::string& seed,
                                                   const TableInfo& table) {
    const std::string key = keyArray(table);
    if (key.empty()) {
        return;
    }
    const std::string mine = "FROM " + table.qualified + " WHERE xmin = pg_current_xact_id()::xid";
    std::string elements;
    if (integerKey(table)) {
        const std::string k = quoteIdentifier(table.primaryKey[0]);
        // The usual case, fresh values of a sequence: one range, found without a sort.
        auto span = session_.execParams("SELECT min(" + k + "), max(" + k + "), count(*) " + mine);
        if (PQgetisnull(span.get(), 0, 0) != 0) {
            return;  // nothing copied
        }
        const int64_t lo = std::stoll(PQgetvalue(span.get(), 0, 0));
        const int64_t hi = std::stoll(PQgetvalue(span.get(), 0, 1));
        if (hi - lo + 1 == std::stoll(PQgetvalue(span.get(), 0, 2))) {
            session_.execParams("INSERT INTO " + keys() +
                                    " (seed, table_name, keys) VALUES ($1, $2, jsonb_build_array("
                                    "jsonb_build_object('from', $3::bigint, 'to', $4::bigint)))",
                                {seed, table.id(), std::to_string(lo), std::to_string(hi)});
            return;
        }
        elements = "SELECT jsonb_build_object('from', min(k), 'to', max(k)) AS e FROM (SELECT " +
                   k + " AS k, " + k + " - row_number() OVER (ORDER BY " + k + ") AS island " +
                   mine + ") s GROUP BY island";
    } else {
        elements = "SELECT " + key + " AS e " + mine;
    }
    session_.execParams("INSERT INTO " + keys() +
                            " (seed, table_name, keys) SELECT $1, $2, jsonb_agg(e) FROM "
                            "(SELECT e, (row_number() OVER ()) / 10000 AS g FROM (" +
                            elements + ") r) s GROUP BY g",
                        {seed, table.id()});
}

std::vector<std::pair<std::string, std::string>> SeedTable::recordedRows(
    const TableInfo& table) const {
    std::string columns, values;
    for (size_t i = 0; i < table.primaryKey.size(); ++i) {
        const ColumnInfo* c = table.column(table.primaryKey[i]);
        columns += (i ? ", " : "") + std::string("t.") + quoteIdentifier(c->name);
        values += (i ? ", " : "") + std::string("(e ->> ") + std::to_string(i) + ")::" + c->type;
    }
    std::vector<std::pair<std::string, std::string>> out{
        {"", "(" + columns + ") IN (SELECT " + values + " FROM " + keys() +
                 " k, jsonb_array_elements(k.keys) e WHERE k.seed = $1 AND k.table_name = $2 AND "
                 "jsonb_typeof(e) = 'array')"}};
    if (integerKey(table)) {
        out.emplace_back(
            ", (SELECT (e ->> 'from')::bigint AS lo, (e ->> 'to')::bigint AS hi "
            "FROM " +
                keys() +
                " k, jsonb_array_elements(k.keys) e WHERE k.seed = $1 AND "
                "k.table_name = $2 AND jsonb_typeof(e) = 'object') r",
            "t." + quoteIdentifier(table.primaryKey[0]) + " BETWEEN r.lo AND r.hi");
    }
    return out;
}

RecordedRowsDeleted SeedTable::deleteRecordedRows(const std::string& seed, const TableInfo& table,
                                                  const std::optional<std::string>& xids,
                                                  int64_t expected,
                                                  const std::vector<CascadeProbe>& probes) {
    const auto forms = recordedRows(table);
    const std::vector<std::optional<std::string>> params{seed, table.id(), xids.value_or("{}")};
    const std::string mine = xids ? " AND t.xmin = ANY($3::xid[])" : " AND $3::text IS NOT NULL";
    RecordedRowsDeleted out;
    for (const auto& [join, where] : forms) {
        const std::string del = "DELETE FROM " + table.qualified + " t" +
                                (join.empty() ? "" : " USING" + join.substr(1)) + " WHERE " +
                                where + mine;
        if (probes.empty()) {
            auto r = session_.execParams(del, params);
            out.deleted += std::stoll(PQcmdTuples(r.get()));
            continue;
        }
        // The probes read the snapshot of the statement: the rows the cascade will reach.
        std::string sql = "WITH d AS (" + del + " RETURNING t.*) SELECT (SELECT count(*) FROM d)";
        for (const auto& p : probes)
            sql += ", " + p.sql;
        auto r = session_.execParams(sql, params);
        out.deleted += std::stoll(PQgetvalue(r.get(), 0, 0));
        for (size_t i = 0; i < probes.size(); ++i) {
            auto found =
                CascadedRows::parse(probes[i], PQgetvalue(r.get(), 0, static_cast<int>(i) + 1));
            if (found.rows == 0)
                continue;
            auto same = std::find_if(out.cascaded.begin(), out.cascaded.end(), [&](const auto& c) {
                return c.table == found.table && c.action == found.action;
            });
            if (same == out.cascaded.end()) {
                out.cascaded.push_back(found);
            } else {
                same->rows += found.rows;
                same->keys.insert(same->keys.end(), found.keys.begin(), found.keys.end());
            }
        }
    }
    if (!xids || out.deleted >= expected) {
        return out;
    }
    std::string key;
    for (const auto& k : table.primaryKey)
        key += (key.empty() ? "t." : ", t.") + quoteIdentifier(k) + "::text";
    for (const auto& [join, where] : forms) {
        auto r =
            session_.execParams("SELECT count(*) OVER (), jsonb_build_array(" + key +
                                    ")::text FROM " + table.qualified + " t" + join + " WHERE " +
                                    where + " AND NOT t.xmin = ANY($3::xid[]) LIMIT 5",
                                params);
        if (PQntuples(r.get()) == 0)
            continue;
        out.kept += std::stoll(PQgetvalue(r.get(), 0, 0));
        for (int i = 0; i < PQntuples(r.get()); ++i) {
            std::string text;
            const auto parts = nlohmann::json::parse(PQgetvalue(r.get(), i, 1));
            for (const auto& p : parts)
                text += (text.empty() ? "" : ", ") + p.get<std::string>();
            out.keptKeys.push_back(parts.size() > 1 ? "(" + text + ")" : text);
        }
    }
    return out;
}

bool SeedTable::anyRecordedRowExists(const std::string& seed, const TableInfo& table) {
    std::string sql;
    for (const auto& [join, where] : recordedRows(table))
        sql += (sql.empty() ? "SELECT " : " OR ") + std::string("EXISTS (SELECT 1 FROM ") +
               table.qualified + " t" + join + " WHERE " + where + ")";
    auto r = session_.execParams(sql, {seed, table.id()});
    return PQgetvalue(r.get(), 0, 0)[0] == 't';
}

int64_t SeedTable::countRecordedRows(const std::string& seed, const TableInfo& table) {
    std::string sql;
    for (const auto& [join, where] : recordedRows(table))
        sql += (sql.empty() ? "SELECT " : " + ") + std::string("(SELECT count(*) FROM ") +
               table.qualified + " t" + join + " WHERE " + where + ")";
    auto r = session_.execParams(sql, {seed, table.id()});
    return std::stoll(PQgetvalue(r.get(), 0, 0));
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

std::string SeedTable::seedXids() {
    if (!exists() || !hasIdentityColumns())
        return "{}";
    auto r = session_.execParams(
        "SELECT coalesce(array_agg(DISTINCT xid::text::bigint), '{}')::text "
        "FROM " +
        writers());
    return PQgetvalue(r.get(), 0, 0);
}

void SeedTable::forget(const std::string& seed) {
    session_.execParams("DELETE FROM " + seeds() + " WHERE name = $1", {seed});
}

}  // namespace dbtool::db
