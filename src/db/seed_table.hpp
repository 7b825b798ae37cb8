#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

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
};

// One applied seed, as recorded in schema_seeds.
struct AppliedSeed {
    std::string name;
    std::string checksum;
    std::string environment;
    std::string appliedAt;
    int64_t executionMs = 0;
    int64_t rowsInserted = 0;
    int64_t rowsUpdated = 0;
    std::string rowCountsJson;  // {"public.users": {"inserted": 3, "updated": 0, "skipped": 0}}

    std::vector<SeededTableCounts> tableCounts() const;
};

// dbtool's seed tracking tables in the tracking schema, and every statement that reads or
// writes them. The format of recorded keys is known here and nowhere else:
//   schema_seeds        one row per applied seed (name, checksum, counts, ...)
//   schema_seed_keys    the primary keys of the rows each seed inserted, so undo removes
//                       exactly those rows: a jsonb array per tracking row (at most 10,000
//                       elements) of [k1, k2, ...] arrays (a key's columns as text), or, for a
//                       single integer key, {"from": lo, "to": hi} ranges of consecutive keys
//   schema_seed_labels  labelled rows' keys (["k"]), for !ref across seed files
class SeedTable {
  public:
    SeedTable(Session& session, std::string schema);

    // Creates the tables if missing (call under the advisory lock; inside a transaction, they
    // exist only if it commits).
    void ensure();
    bool exists();
    std::vector<AppliedSeed> read();

    // `counts` holds the per-table counts of the run (SeededTableCounts).
    void record(const AppliedSeed& seed, const std::vector<SeededTableCounts>& counts,
                int64_t randomSeed);
    void forget(const std::string& seed);  // its row, keys and labels

    // The key text of a labelled row from an earlier seed; nullopt when unknown.
    std::optional<std::string> labelKey(const std::string& tableId, const std::string& label);
    void recordLabel(const std::string& seed, const std::string& tableId, const std::string& label,
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
    // Deletes the rows of `table` whose keys `seed` recorded; returns how many.
    int64_t deleteRecordedRows(const std::string& seed, const TableInfo& table);

  private:
    std::string seeds() const;
    std::string keys() const;
    std::string labels() const;

    Session& session_;
    std::string schema_;
};

}  // namespace dbtool::db
