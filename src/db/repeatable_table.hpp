#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "db/session.hpp"

namespace dbtool::db {

// The last run of a repeatable migration (R__name.sql), as schema_repeatable_migrations
// keeps it.
struct AppliedRepeatable {
    std::string name;
    std::string checksum;
    std::string appliedAt;  // ISO 8601
    std::optional<int64_t> executionMs;
};

// schema_repeatable_migrations, beside schema_migrations in the tracking schema: one row per
// repeatable migration with the checksum of the SQL it last applied. A table of its own so
// schema_migrations keeps one row per version, as dbmate, Rails and golang-migrate expect.
class RepeatableTable {
  public:
    static constexpr const char* kName = "schema_repeatable_migrations";

    RepeatableTable(Session& session, std::string schema);
    std::string qualifiedName() const;

    // Every row; none when the table does not exist yet.
    std::vector<AppliedRepeatable> read();
    // Creates the table (and schema) if needed; call under the migration lock, inside the
    // transaction that applies the first repeatable migration.
    void ensure();
    // Records `name` as applied now with `checksum`, replacing its previous row.
    void record(const std::string& name, const std::string& checksum, int64_t executionMs);

    // Deletes every row, so the next `migrate up` applies each repeatable migration again:
    // called in the transaction of each rolled-back migration (what they were built on
    // changed, and a down's CASCADE may have dropped them). Nothing when the table is absent.
    void forgetAll();

  private:
    Session& session_;
    std::string schema_;
};

}  // namespace dbtool::db
