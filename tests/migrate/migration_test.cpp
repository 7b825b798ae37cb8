#include "migrate/migration.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/text.hpp"
#include "support/database.hpp"
#include "support/expect_error.hpp"

namespace dbtool {
namespace {

using test::TempDir;
using ::testing::HasSubstr;

Error parseError(const std::string& content, const std::string& file = "1_x.sql") {
    return test::errorFrom([&] { parseMigration(file, content, "1", "x"); });
}

Error loadError(const TempDir& dir) {
    return test::errorFrom([&] { loadMigrations(dir.path()); });
}

TEST(Migration, ParsesSectionsOptionsAndLines) {
    const auto m = parseMigration("f.sql",
                                  "-- a leading comment\n"
                                  "\n"
                                  "-- migrate:up transaction:false\n"
                                  "CREATE INDEX CONCURRENTLY i ON t (a);\n"
                                  "-- migrate:down\n"
                                  "DROP INDEX i;\n",
                                  "20240101000000", "add_index");
    EXPECT_TRUE(m.up.present);
    EXPECT_FALSE(m.up.transaction);
    EXPECT_EQ(m.up.firstLine, 4);
    EXPECT_EQ(m.up.sql, "CREATE INDEX CONCURRENTLY i ON t (a);\n");
    EXPECT_TRUE(m.down.present);
    EXPECT_TRUE(m.down.transaction);
    EXPECT_EQ(m.down.firstLine, 6);
    EXPECT_EQ(m.down.sql, "DROP INDEX i;\n");
    EXPECT_EQ(m.checksum, sha256Hex(m.up.sql));
    EXPECT_EQ(m.up.locate(7).str(), "f.sql:4:8");
}

TEST(Migration, StatementsThatCannotRunInATransactionAreFoundBeforeAnythingRuns) {
    Error index = parseError(
        "-- migrate:up\nCREATE TABLE t (a int);\n  CREATE UNIQUE INDEX /* c */ CONCURRENTLY i "
        "ON t (a);\n");
    EXPECT_EQ(index.code(), ExitCode::InvalidInput);
    EXPECT_THAT(index.what(), HasSubstr("CREATE INDEX CONCURRENTLY in the up section"));
    EXPECT_EQ(index.where().str(), "1_x.sql:3:3");
    EXPECT_THAT(index.hint(), HasSubstr("write `-- migrate:up transaction:false` as its marker"));
    for (const char* sql : {"DROP INDEX CONCURRENTLY i", "REINDEX (VERBOSE) INDEX CONCURRENTLY i",
                            "VACUUM t", "CREATE DATABASE d", "ALTER SYSTEM SET work_mem = '1MB'",
                            "ALTER TABLE p DETACH PARTITION p1 CONCURRENTLY"}) {
        EXPECT_THAT(
            parseError("-- migrate:up\nSELECT 1;\n-- migrate:down\n" + std::string(sql) + ";\n")
                .what(),
            HasSubstr("in the down section: PostgreSQL cannot run it inside a "
                      "transaction block"))
            << sql;
    }
    // A golang-migrate file has no marker to edit: the hint says which line to add.
    TempDir dir;
    dir.write("000001_x.up.sql", "CREATE INDEX CONCURRENTLY i ON t (a);\n");
    const Error pair = loadError(dir);
    EXPECT_EQ(pair.where().str(), (dir.path() / "000001_x.up.sql").string() + ":1:1");
    EXPECT_THAT(pair.hint(), HasSubstr("make the file's first line `-- migrate:up "
                                       "transaction:false`"));
    // These run in a transaction, or are words inside other statements.
    for (const char* sql :
         {"REFRESH MATERIALIZED VIEW CONCURRENTLY v", "SELECT 'VACUUM'",
          "CREATE TABLE concurrently (a int)", "COMMENT ON TABLE t IS 'VACUUM'"}) {
        EXPECT_NO_THROW(parseMigration("f", "-- migrate:up\n" + std::string(sql) + ";\n", "1", "x"))
            << sql;
    }
    EXPECT_NO_THROW(parseMigration(
        "f", "-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY i ON t (a);\n", "1", "x"));
}

TEST(Migration, CrlfAndBomAreAcceptedAndDoNotChangeTheChecksum) {
    const auto unix = parseMigration("a.sql", "-- migrate:up\nSELECT 1;\n", "1", "a");
    const auto dos =
        parseMigration("a.sql", "\xEF\xBB\xBF-- migrate:up\r\nSELECT 1;\r\n", "1", "a");
    EXPECT_EQ(unix.checksum, dos.checksum);
    EXPECT_EQ(dos.up.sql, "SELECT 1;\n");
}

TEST(Migration, ErrorsNameTheLine) {
    Error noUp = parseError("CREATE TABLE t (a int);\n", "1_x.sql");
    EXPECT_EQ(noUp.code(), ExitCode::InvalidInput);
    EXPECT_THAT(noUp.what(), HasSubstr("before the '-- migrate:up' marker"));
    EXPECT_EQ(noUp.where().str(), "1_x.sql:1:1");

    EXPECT_THAT(parseError("-- just a comment\n").what(), HasSubstr("no '-- migrate:up' section"));
    EXPECT_THAT(parseError("").what(), HasSubstr("no '-- migrate:up' section"));

    Error option = parseError("-- migrate:up transacton:false\nSELECT 1;\n");
    EXPECT_THAT(option.what(), HasSubstr("unknown marker option 'transacton:false'"));
    EXPECT_THAT(option.what(), HasSubstr("did you mean 'transaction'"));
    EXPECT_EQ(option.where().line, 1);
    EXPECT_EQ(option.where().column, 15);

    Error value = parseError("-- migrate:up transaction:no\n");
    EXPECT_THAT(value.what(), HasSubstr("true or false"));

    Error marker = parseError("-- migrate:up\nSELECT 1;\n-- migrate:dwon\nSELECT 2;\n");
    EXPECT_THAT(marker.what(), HasSubstr("unknown marker '-- migrate:dwon'"));
    EXPECT_EQ(marker.where().line, 3);

    Error twice = parseError("-- migrate:up\nSELECT 1;\n-- migrate:up\n");
    EXPECT_THAT(twice.what(), HasSubstr("first is on line 1"));
    EXPECT_EQ(twice.where().line, 3);

    Error meta = parseError("-- migrate:up\nSELECT 1;\n\\i other.sql\n");
    EXPECT_THAT(meta.what(), HasSubstr("psql meta-command \\i"));
    EXPECT_EQ(meta.where().line, 3);

    Error commit = parseError("-- migrate:up\nCREATE TABLE t (a int);\nCOMMIT;\n");
    EXPECT_THAT(commit.what(), HasSubstr("COMMIT in the up section"));
    EXPECT_EQ(commit.where().line, 3);
    // ...but allowed when the section runs without dbtool's transaction
    EXPECT_NO_THROW(parseMigration(
        "f", "-- migrate:up transaction:false\nBEGIN; SELECT 1; COMMIT;\n", "1", "x"));

    Error open = parseError("-- migrate:up\nSELECT 1;\nSELECT 'never closed;\n-- migrate:down\n");
    EXPECT_THAT(open.what(), HasSubstr("unterminated string literal"));
    EXPECT_EQ(open.where().line, 3);
    EXPECT_EQ(open.where().column, 8);

    Error utf8 = parseError("-- migrate:up\nSELECT 'caf\xE9';\n");
    EXPECT_THAT(utf8.what(), HasSubstr("not valid UTF-8"));
    EXPECT_EQ(utf8.where().line, 2);
    EXPECT_EQ(utf8.where().column, 12);
}

TEST(Migration, LoadsBothLayoutsInNumericOrder) {
    TempDir dir;
    dir.write("10_ten.sql", "-- migrate:up\nSELECT 10;\n");
    dir.write("9_nine.up.sql", "SELECT 9;\n");
    dir.write("9_nine.down.sql", "-- migrate:down transaction:false\nSELECT -9;\n");
    dir.write("0100_hundred.sql", "-- migrate:up\nSELECT 100;\n");
    dir.write("README.md", "not a migration");
    dir.write(".hidden.sql", "ignored");
    const auto ms = loadMigrations(dir.path());
    ASSERT_EQ(ms.size(), 3u);
    EXPECT_EQ(ms[0].version, "9");
    EXPECT_TRUE(ms[0].pairLayout);
    EXPECT_EQ(ms[0].up.sql, "SELECT 9;\n");
    EXPECT_FALSE(ms[0].down.transaction);
    EXPECT_EQ(ms[0].down.sql, "SELECT -9;\n");
    EXPECT_EQ(ms[0].down.firstLine, 2);
    EXPECT_EQ(ms[0].checksum, sha256Hex("SELECT 9;\n"));
    EXPECT_EQ(ms[1].version, "10");
    EXPECT_EQ(ms[2].version, "0100");
    EXPECT_LT(compareVersions("9", "10"), 0);
    EXPECT_EQ(compareVersions("001", "1"), 0);
}

TEST(Migration, LoaderRejectsBadNamesDuplicatesAndOrphans) {
    {
        TempDir dir;
        dir.write("create_users.sql", "-- migrate:up\n");
        Error e = loadError(dir);
        EXPECT_THAT(e.what(), HasSubstr("malformed migration file name 'create_users.sql'"));
    }
    {
        TempDir dir;
        dir.write("1_a.sql", "-- migrate:up\n");
        dir.write("001_b.sql", "-- migrate:up\n");
        Error e = loadError(dir);
        EXPECT_THAT(e.what(), HasSubstr("duplicate migration version"));
        EXPECT_THAT(e.what(), HasSubstr("001_b.sql"));
        EXPECT_THAT(e.what(), HasSubstr("1_a.sql"));
    }
    {
        TempDir dir;
        dir.write("1_a.down.sql", "SELECT 1;\n");
        EXPECT_THAT(loadError(dir).what(), HasSubstr("no .up.sql file"));
    }
    {
        TempDir dir;
        dir.write("1_a.up.sql", "-- migrate:down\nSELECT 1;\n");
        EXPECT_THAT(loadError(dir).what(), HasSubstr("'-- migrate:down' marker in a .up.sql"));
    }
    {
        // Every problem is reported, not just the first.
        TempDir dir;
        dir.write("1_a.sql", "SELECT 1;\n");
        dir.write("2_b.sql", "-- migrate:up\n\\set x 1\n");
        Error e = loadError(dir);
        EXPECT_EQ(e.where().file, (dir.path() / "1_a.sql").string());
        EXPECT_THAT(test::listText(e, "also"), HasSubstr("2_b.sql:2:1"));
    }
    {
        TempDir dir;
        Error e = test::errorFrom([&] { loadMigrations(dir.path() / "nope"); });
        EXPECT_EQ(e.code(), ExitCode::InvalidInput);
        EXPECT_THAT(e.what(), HasSubstr("does not exist"));
    }
}

}  // namespace
}  // namespace dbtool
