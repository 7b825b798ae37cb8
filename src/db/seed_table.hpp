#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "db/cascade.hpp"
#include "db/catalog.hpp"
#include "db/session.hpp"

namespace dbtool::db {

// What one seed did to one table, as schema_seeds.row_counts keeps it.
struct SeededTableCounts {
    std::string table;  // schema.name
    int64_t inserted = 0;
    int64_t updated = 0;
    int64_t skipped = 0;
    // False when the table has no primary key: its inserted rows cannot be told apart later.
    bool undoable = true;
    // The table's pg_class oid when the seed ran; "" when recorded by dbtool 0.1, which did
    // not keep it. Another oid under the same name means the table was dropped and recreated.
    std::string oid;
};

// One applied seed, as recorded in schema_seeds.
struct AppliedSeed {
    std::string name;
    std::string checksum;
    std::string environment;
    std::string appliedAt;
    int64_t appliedAtMicros = 0;  // the same, to order seeds by when they were applied
    int64_t executionMs = 0;
    int64_t rowsInserted = 0;
    int64_t rowsUpdated = 0;
    std::string rowCountsJson;  // {"public.users": {"inserted": 3, "updated": 0, "skipped": 0}}
    // The transaction ids the seed wrote its rows with (its transaction and its savepoints),
    // as a PostgreSQL xid[] literal ("{731,732}"). A row the seed inserted still has one of
    // them as its xmin until something updates it. nullopt for seeds recorded by dbtool 0.1.
    std::optional<std::string> xids;

    std::vector<SeededTableCounts> tableCounts() const;
};

// A label recorded by an earlier seed.
struct StoredLabel {
    std::string key;       // the labelled row's key, as text
    std::string seed;      // the seed that recorded it
    std::string tableOid;  // the table's oid then; "" when recorded by dbtool 0.1
};

// What deleting a seed's recorded rows from one table did.
struct RecordedRowsDeleted {
    int64_t deleted = 0;
    // Rows with a recorded key that something changed since the seed wrote them (an update,
    // or a delete and a new row with the same key): not the seed's any more, so kept.
    int64_t kept = 0;
    std::vector<std::string> keptKeys;  // the first few kept keys, "7" or "(a, en)"
    // Rows of other tables the delete reached through ON DELETE CASCADE / SET NULL / SET
    // DEFAULT (as the probes found them, before the delete).
    std::vector<CascadedRows> cascaded;
};

// dbtool's seed tracking tables in the tracking schema, and every statement that reads or
// writes them. The format of recorded keys is known here and nowhere else:
//   schema_seeds        one row per applied seed (name, checksum, counts with each table's
//                       oid, the xids its rows were written with, ...)
//   schema_seed_keys    the primary keys of the rows each seed inserted, so undo removes
//                       exactly those rows: a jsonb array per tracking row (at most 10,000
//                       elements) of [k1, k2, ...] arrays (a key's columns as text), or, for a
//                       single integer key, {"from": lo, "to": hi} ranges of consecutive keys
//   schema_seed_labels  labelled rows' keys (["k"]) and their table's oid, for !ref across
//                       seed files
//   schema_seed_writers every xid a seed run wrote with (kept when the seed is undone)
class SeedTable {
  public:
    SeedTable(Session& session, std::string schema);

    // Creates the tables if missing, and adds the columns dbtool 0.1's tables lack (call under
    // the advisory lock; inside a transaction, they exist only if it commits).
    void ensure();
    bool exists();
    std::vector<AppliedSeed> read();

    // `counts` holds the per-table counts of the run (SeededTableCounts, with oids);
    // `savepointXids` the xmin of rows written inside savepoints (the transaction's own id is
    // added here).
    void record(const AppliedSeed& seed, const std::vector<SeededTableCounts>& counts,
                int64_t randomSeed, const std::set<std::string>& savepointXids = {});
    void forget(const std::string& seed);  // its row, keys and labels
    // Every xid a seed run wrote with, undone seeds' too, as an xid[] literal: rows with one
    // of them as xmin were last written by a seed (its own insert, or a later seed's upsert or
    // trigger), not by the application.
    std::string seedXids();

    // A labelled row from an earlier seed; nullopt when unknown.
    std::optional<StoredLabel> label(const std::string& tableId, const std::string& label);
    void recordLabel(const std::string& seed, const TableInfo& table, const std::string& label,
                     const std::string& key);

    // A CTE to append to "WITH ins AS (INSERT ... RETURNING <k> AS k, <inserted> AS inserted)":
    // it records the keys of the rows `ins` inserted (k is jsonb_build_array of the key's
    // columns as text, see keyArray) for the seed and table bound as $seedParam / $tableParam.
    std::string keyRecordingCte(int seedParam, int tableParam) const;
    // The SQL expression for a row's key as keyRecordingCte wants it ("" without a key).
    static std::string keyArray(const TableInfo& table);
    // Records the keys of every row this transaction created in `table`: after a COPY, when
    // no row of the table came another way. Ranges when the key is one integer column.
    void recordKeysCreatedInThisTransaction(const std::string& seed, const TableInfo& table);
    // The tables a seed inserted into, in insertion order.
    std::vector<std::string> tablesOf(const std::string& seed);
    // Deletes the rows of `table` whose keys `seed` recorded and that are still the rows it
    // wrote (xmin among `xids`); with `xids` nullopt (asked for explicitly), every row with a
    // recorded key. `expected` rows were recorded: when fewer are deleted, the kept ones are
    // counted. `probes` (cascadeProbes over the source "d") find the rows the delete reaches
    // through foreign keys.
    RecordedRowsDeleted deleteRecordedRows(const std::string& seed, const TableInfo& table,
                                           const std::optional<std::string>& xids, int64_t expected,
                                           const std::vector<CascadeProbe>& probes = {});
    // Whether any row with a key `seed` recorded is still in `table`; how many are.
    bool anyRecordedRowExists(const std::string& seed, const TableInfo& table);
    int64_t countRecordedRows(const std::string& seed, const TableInfo& table);

  private:
    // False for dbtool 0.1's tables until ensure() upgrades them.
    bool hasIdentityColumns();
    // The rows of `table` (aliased t) with a key `seed` ($1) recorded for it ($2), as
    // (join, condition) pairs to put after "FROM <table> t": keys recorded one by one, then,
    // for a single integer key, ranges (joined as r).
    std::vector<std::pair<std::string, std::string>> recordedRows(const TableInfo& table) const;
    std::string seeds() const;
    std::string keys() const;
    std::string labels() const;
    std::string writers() const;
    std::string writersTable() const;  // its CREATE TABLE IF NOT EXISTS

    Session& session_;
    std::string schema_;
    std::optional<bool> identityColumns_;
};

}  // namespace dbtool::db
