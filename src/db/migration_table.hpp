#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "db/session.hpp"

namespace dbtool::db {

// A row of the tracking table.
struct AppliedMigration {
    std::string version;
    std::string name;                     // empty for rows adopted from other tools
    std::optional<std::string> checksum;  // nullopt: not recorded (adopted rows)
    std::string appliedAt;                // ISO 8601, empty when unknown
    std::optional<int64_t> executionMs;
    // applied_at to the microsecond as text that sorts in time order ("" when unknown): the
    // order `migrate down` rolls back in.
    std::string appliedOrder;
};

// A migration file as the tracking table needs to know it: adopting golang-migrate's
// one-row table turns its version into a row per file up to that version.
struct KnownMigration {
    std::string version;
    std::string name;
};

// A migration section that ran without a transaction and whose run stopped (kill -9, the
// server or the machine gone) before it finished and was recorded: what it did is not
// known for sure, so dbtool refuses to go on until the user says where it stands.
struct InterruptedMigration {
    std::string version;
    std::string name;
    std::string direction;  // "up" or "down"
    int committed = 0;      // statements known to have committed
    int statements = 0;
    std::string startedAt;
};

// The tracking table schema_migrations: one row per applied migration (version, name,
// checksum, applied_at, execution_ms). Extra columns added by a project are left alone.
class MigrationTable {
  public:
    static constexpr const char* kName = "schema_migrations";

    MigrationTable(Session& session, std::string schema);

    const std::string& schema() const { return schema_; }
    std::string qualifiedName() const;

    // Creates the table, or adopts one made by dbmate, Rails or golang-migrate (adds the
    // missing columns, keeps the rows). Returns a note for the user when it adopted one.
    // Call it while holding the advisory lock.
    std::optional<std::string> ensure(const std::vector<KnownMigration>& files);

    bool exists() { return shape().exists; }

    // The applied rows; none when the table does not exist. A golang-migrate table (one row
    // holding the current version) reads as every file up to that version.
    std::vector<AppliedMigration> read(const std::vector<KnownMigration>& files);

    // Records a migration as applied now; executionMs is nullopt when it was not run by dbtool
    // (mark-applied).
    void insert(const std::string& version, const std::string& name, const std::string& checksum,
                std::optional<int64_t> executionMs);
    void remove(const std::string& version);

    // insert() as a step of a pipeline (Session::pipeline) that runs a migration in one round
    // trip, between BEGIN and COMMIT: it records the time since BEGIN as execution_ms and
    // returns it. Prepared once a session (a plan for every migration after the first).
    Session::PipelineStep insertStep(const std::string& version, const std::string& name,
                                     const std::string& checksum) const;

    // schema_migrations_running: a row for each transaction:false section while it runs,
    // committed before its first statement and updated after each one. The row is removed
    // in the transaction that records the migration, or when its failure is reported; one
    // left behind means the run stopped in the middle.
    void startUnrecorded(const std::string& version, const std::string& name,
                         const std::string& direction, int statements);
    void committedStatements(const std::string& version, int committed);
    // Removes the row (call in the recording transaction, or after reporting a failure).
    void finishUnrecorded(const std::string& version);
    std::vector<InterruptedMigration> interrupted();

  private:
    struct Shape {
        bool exists = false;
        bool hasName = false;
        bool hasChecksum = false;
        bool hasAppliedAt = false;
        bool hasExecutionMs = false;
        bool hasDirty = false;
    };
    Shape shape();
    std::string runningName() const;
    // golang-migrate keeps one row: the current version and whether it failed halfway.
    std::optional<std::pair<std::string, bool>> golangMigrateVersion();

    Session& session_;
    std::string schema_;
};

// The schema dbtool tracks in: the configured one, else the connection's current schema.
std::string resolveTrackingSchema(Session& session, const std::string& configured);

}  // namespace dbtool::db
