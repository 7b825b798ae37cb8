// The tracking table contract, in one place for every table dbtool adopts: a table dbtool
// created, and those of dbmate, Rails and golang-migrate. Each must read as the same applied
// versions, take dbtool's columns without losing rows or extra columns, and record and
// unrecord migrations afterwards.
#include "db/migration_table.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/database.hpp"
#include "support/expect_error.hpp"

namespace dbtool::test {
namespace {

using ::testing::HasSubstr;

struct Adoptee {
    std::string tool;
    std::string setup;  // creates its table with versions 1 and 2 applied
    bool keepsExtraColumn;
};

void PrintTo(const Adoptee& a, std::ostream* os) {
    *os << a.tool;
}

const std::vector<db::KnownMigration> kFiles = {{"1", "users"}, {"2", "posts"}, {"3", "tags"}};

class TrackingTableConformance : public DatabaseTest,
                                 public ::testing::WithParamInterface<Adoptee> {
  protected:
    std::vector<std::string> versions(db::MigrationTable& table) {
        std::vector<std::string> out;
        for (const auto& row : table.read(kFiles))
            out.push_back(row.version);
        std::sort(out.begin(), out.end());
        return out;
    }
};

TEST_P(TrackingTableConformance, ReadsAdoptsRecordsAndUnrecords) {
    exec(GetParam().setup);
    auto session = connect();
    db::MigrationTable table(*session, "public");
    ASSERT_TRUE(table.exists());
    // Before adoption: the applied versions read as they are.
    EXPECT_EQ(versions(table), (std::vector<std::string>{"1", "2"}));

    // Adoption keeps the rows (and a project's extra columns) and adds dbtool's columns.
    const auto note = table.ensure(kFiles);
    if (GetParam().tool != "dbtool") {
        ASSERT_TRUE(note.has_value());
        EXPECT_THAT(*note, HasSubstr("adopted"));
    } else {
        EXPECT_FALSE(note.has_value());
    }
    EXPECT_FALSE(table.ensure(kFiles).has_value()) << "adopting twice";
    EXPECT_EQ(versions(table), (std::vector<std::string>{"1", "2"}));
    for (const auto& row : table.read(kFiles)) {
        EXPECT_FALSE(row.checksum.has_value() && GetParam().tool != "dbtool") << row.version;
        // When another tool applied it is not known: no invented time (e.g. the takeover's).
        EXPECT_EQ(row.appliedAt.empty(), GetParam().tool != "dbtool") << row.version;
    }
    if (GetParam().keepsExtraColumn) {
        EXPECT_EQ(scalar("SELECT count(extra) FROM schema_migrations"), "2");
    }

    // Then dbtool records and unrecords like in its own table.
    {
        pqxx::work tx(session->conn());
        table.insert("3", "tags", "abc", 12);
        tx.commit();
    }
    EXPECT_EQ(versions(table), (std::vector<std::string>{"1", "2", "3"}));
    const auto rows = table.read(kFiles);
    const auto third =
        std::find_if(rows.begin(), rows.end(), [](auto& r) { return r.version == "3"; });
    ASSERT_NE(third, rows.end());
    EXPECT_EQ(third->name, "tags");
    EXPECT_EQ(third->checksum, "abc");
    EXPECT_EQ(third->executionMs, 12);
    EXPECT_FALSE(third->appliedAt.empty());
    // The one-round-trip form records the same row, with the time since BEGIN.
    const auto recorded = session->pipeline({{"BEGIN", {}},
                                             {"SELECT pg_sleep(0.02)", {}},
                                             table.insertStep("4", "more", "def"),
                                             {"COMMIT", {}}});
    ASSERT_EQ(PQntuples(recorded[2].get()), 1);
    EXPECT_GE(std::stoll(PQgetvalue(recorded[2].get(), 0, 0)), 20);
    const std::vector<db::KnownMigration> more = {
        {"1", "users"}, {"2", "posts"}, {"3", "tags"}, {"4", "more"}};
    const auto after = table.read(more);
    const auto fourth =
        std::find_if(after.begin(), after.end(), [](auto& r) { return r.version == "4"; });
    ASSERT_NE(fourth, after.end());
    EXPECT_EQ(fourth->name, "more");
    EXPECT_EQ(fourth->checksum, "def");
    EXPECT_GE(fourth->executionMs.value_or(0), 20);
    EXPECT_EQ(after.size(), 4u);
    table.remove("4");
    table.remove("0002");  // numerically equal spellings match
    EXPECT_EQ(versions(table), (std::vector<std::string>{"1", "3"}));
    const Error e = errorFrom([&] { table.remove("7"); });
    EXPECT_EQ(e.code(), ExitCode::Check);
}

INSTANTIATE_TEST_SUITE_P(
    Adoptees, TrackingTableConformance,
    ::testing::Values(
        Adoptee{"dbtool",
                "CREATE TABLE schema_migrations (version varchar(128) PRIMARY KEY, name text, "
                "checksum text, applied_at timestamptz DEFAULT clock_timestamp(), execution_ms "
                "bigint); INSERT INTO schema_migrations (version, name, checksum) VALUES ('1', "
                "'users', 'x'), ('2', 'posts', 'y')",
                false},
        Adoptee{"dbmate",
                "CREATE TABLE schema_migrations (version varchar(128) PRIMARY KEY, extra text "
                "DEFAULT 'e'); INSERT INTO schema_migrations (version) VALUES ('1'), ('2')",
                true},
        Adoptee{"rails",
                "CREATE TABLE schema_migrations (version character varying NOT NULL PRIMARY "
                "KEY, extra text DEFAULT 'e'); CREATE TABLE ar_internal_metadata (key "
                "character varying PRIMARY KEY, value character varying); INSERT INTO "
                "schema_migrations (version) VALUES ('1'), ('2')",
                true},
        Adoptee{"golang_migrate",
                "CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty "
                "boolean NOT NULL); INSERT INTO schema_migrations VALUES (2, false)",
                false}),
    [](const auto& info) { return info.param.tool; });

class MigrationTable : public DatabaseTest {};

TEST_F(MigrationTable, ADirtyGolangMigrateTableIsRefusedUntilRepaired) {
    exec(
        "CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean "
        "NOT NULL); INSERT INTO schema_migrations VALUES (2, true)");
    auto session = connect();
    db::MigrationTable table(*session, "public");
    Error e = errorFrom([&] { table.read(kFiles); });
    EXPECT_EQ(e.code(), ExitCode::Check);
    EXPECT_THAT(e.what(), HasSubstr("marked version 2 dirty"));
    e = errorFrom([&] { table.ensure(kFiles); });
    EXPECT_EQ(e.code(), ExitCode::Check);
    EXPECT_EQ(scalar("SELECT count(*) FROM information_schema.columns WHERE table_name = "
                     "'schema_migrations'"),
              "2");  // nothing added
}

TEST_F(MigrationTable, NoTrackingTableReadsAsNothingApplied) {
    auto session = connect();
    db::MigrationTable table(*session, "public");
    EXPECT_FALSE(table.exists());
    EXPECT_TRUE(table.read(kFiles).empty());
    table.ensure(kFiles);
    EXPECT_TRUE(table.exists());
    EXPECT_TRUE(table.read(kFiles).empty());
}

}  // namespace
}  // namespace dbtool::test
