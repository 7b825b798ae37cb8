#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "db/session.hpp"

namespace dbtool::db {

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
};

// dbtool's seed tracking tables in the tracking schema:
//   schema_seeds        one row per applied seed (name, checksum, counts, ...)
//   schema_seed_keys    the primary keys of the rows each seed inserted (jsonb arrays), so
//                       undo removes exactly those rows
//   schema_seed_labels  labelled rows' keys, for !ref across seed files
class SeedTable {
  public:
    SeedTable(Session& session, std::string schema);

    // Creates the tables if missing (call under the advisory lock; inside a transaction, they
    // exist only if it commits).
    void ensure();
    bool exists();
    std::vector<AppliedSeed> read();

    std::string seeds() const { return session_.qualified(schema_, "schema_seeds"); }
    std::string keys() const { return session_.qualified(schema_, "schema_seed_keys"); }
    std::string labels() const { return session_.qualified(schema_, "schema_seed_labels"); }

    void record(const AppliedSeed& seed, int64_t randomSeed);
    // Key (JSON array text) of a label from an earlier seed; nullopt when unknown.
    std::optional<std::string> labelKey(const std::string& tableId, const std::string& label);
    void recordLabel(const std::string& seed, const std::string& tableId, const std::string& label,
                     const std::string& keyJson);
    // The tables a seed inserted into, in insertion order.
    std::vector<std::string> tablesOf(const std::string& seed);
    void forget(const std::string& seed);  // its row, keys and labels

  private:
    Session& session_;
    std::string schema_;
};

}  // namespace dbtool::db
