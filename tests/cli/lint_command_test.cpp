// migrate lint and migrate up --lint through the real binary, against a fresh database.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/database.hpp"

namespace dbtool::test {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

class LintCommand : public DatabaseTest {
  protected:
    void SetUp() override {
        DatabaseTest::SetUp();
        dir().write("migrations/1_users.sql",
                    "-- migrate:up\nCREATE TABLE users (id int PRIMARY KEY, email text);\n"
                    "-- migrate:down\nDROP TABLE users;\n");
        dir().write("migrations/2_index.sql",
                    "-- migrate:up\nCREATE INDEX users_email_idx ON users (email);\n"
                    "-- migrate:down\nDROP INDEX users_email_idx;\n");
    }
};

TEST_F(LintCommand, OnlyPendingMigrationsAreLintedAndTablesTheyCreateAreNew) {
    // Both pending: the index is on a table the same run creates.
    auto r = dbtool({"migrate", "lint"});
    EXPECT_EQ(r.exitCode, 0) << r.out << r.err;
    EXPECT_THAT(r.out, HasSubstr("no findings in 2 pending migrations (2 statements)"));
    // Once the table exists, building the index locks it.
    ASSERT_EQ(dbtool({"migrate", "up", "--to", "1"}).exitCode, 0);
    exec("INSERT INTO users SELECT g, 'u' || g FROM generate_series(1, 20) g");
    exec("ANALYZE users");
    r = dbtool({"migrate", "lint"});
    EXPECT_EQ(r.exitCode, 0) << r.out << r.err;  // 20 rows: a note, not an error
    EXPECT_THAT(r.out,
                HasSubstr("migrations/2_index.sql:2:1: note[require-concurrent-index-creation]: "
                          "CREATE INDEX on existing table users blocks writes"));
    EXPECT_THAT(r.out, HasSubstr("(public.users: ~20 rows, "));
    EXPECT_THAT(r.out, HasSubstr(" 2 | CREATE INDEX users_email_idx ON users (email);\n   | ^\n"));
    EXPECT_THAT(r.out, HasSubstr("help: build it with CREATE INDEX CONCURRENTLY"));
    EXPECT_THAT(r.out,
                HasSubstr("in 1 pending migration (1 statement); table sizes from the database."));
    // --all lints applied ones too, as one run from the first.
    r = dbtool({"migrate", "lint", "--all"});
    EXPECT_THAT(r.out, HasSubstr("no findings in 2 migrations"));
}

TEST_F(LintCommand, TheLintSectionOfDbtoolYamlSetsSizesAndSeverities) {
    ASSERT_EQ(dbtool({"migrate", "up", "--to", "1"}).exitCode, 0);
    exec("INSERT INTO users SELECT g, 'u' || g FROM generate_series(1, 20) g");
    exec("ANALYZE users");
    dir().write("dbtool.yaml",
                "development:\n  url: ${DATABASE_URL}\n"
                "lint:\n  small_table_rows: 5\n  large_table_rows: 10\n"
                "  rules:\n    require-timeout-settings: off\n");
    auto r = dbtool({"migrate", "lint", "--format", "json"});
    EXPECT_EQ(r.exitCode, 8) << r.out << r.err;
    const json doc = json::parse(r.out);
    ASSERT_EQ(doc["findings"].size(), 1u) << r.out;
    const json& f = doc["findings"][0];
    EXPECT_EQ(f["file"], "migrations/2_index.sql");
    EXPECT_EQ(f["line"], 2);
    EXPECT_EQ(f["column"], 1);
    EXPECT_EQ(f["rule"], "require-concurrent-index-creation");
    EXPECT_EQ(f["severity"], "error");
    EXPECT_EQ(f["table"], "public.users");
    EXPECT_EQ(f["estimated_rows"], 20);
    EXPECT_TRUE(f["estimated_bytes"].is_number());
    EXPECT_THAT(f["help"].get<std::string>(), HasSubstr("CONCURRENTLY"));
    EXPECT_EQ(doc["summary"]["errors"], 1);
    EXPECT_EQ(doc["summary"]["migrations"], 1);
    EXPECT_EQ(doc["summary"]["sizes_from_database"], true);

    // A misspelt rule is a configuration error pointing into the file.
    dir().write("dbtool.yaml",
                "development:\n  url: ${DATABASE_URL}\nlint:\n  rules:\n    ban-drop-colum: off\n");
    r = dbtool({"migrate", "lint"});
    EXPECT_EQ(r.exitCode, 4) << r.err;
    EXPECT_THAT(r.err, HasSubstr("unknown lint rule 'ban-drop-colum'"));
    EXPECT_THAT(r.err, HasSubstr("did you mean 'ban-drop-column'"));
    EXPECT_THAT(r.err, HasSubstr("dbtool.yaml:5:21"));
    dir().write(
        "dbtool.yaml",
        "development:\n  url: ${DATABASE_URL}\nlint:\n  rules:\n    ban-drop-column: loud\n");
    r = dbtool({"migrate", "lint"});
    EXPECT_EQ(r.exitCode, 4) << r.err;
    EXPECT_THAT(r.err, HasSubstr("'loud' is not a severity"));
    dir().write("dbtool.yaml",
                "development:\n  url: ${DATABASE_URL}\nlint:\n  smal_table_rows: 3\n");
    r = dbtool({"migrate", "lint"});
    EXPECT_EQ(r.exitCode, 4) << r.err;
    EXPECT_THAT(r.err, HasSubstr("unknown key 'smal_table_rows' in lint"));
}

TEST_F(LintCommand, UpWithLintRefusesBeforeApplyingAnything) {
    ASSERT_EQ(dbtool({"migrate", "up", "--to", "1"}).exitCode, 0);
    dir().write("migrations/3_drop.sql", "-- migrate:up\nALTER TABLE users DROP COLUMN email;\n");
    auto r = dbtool({"migrate", "up", "--lint"});
    EXPECT_EQ(r.exitCode, 8) << r.out << r.err;
    // The index on the empty table is only a note; dropping a column breaks clients at any size.
    EXPECT_THAT(r.err, HasSubstr("1 lint error in the pending migrations; nothing was applied"));
    EXPECT_THAT(r.err, HasSubstr("error[ban-drop-column]"));
    EXPECT_THAT(
        r.err,
        HasSubstr("lint: migrations/2_index.sql:2:1: note[require-concurrent-index-creation]"));
    EXPECT_EQ(scalar("SELECT count(*) FROM schema_migrations"), "1");
    EXPECT_EQ(scalar("SELECT count(*) FROM pg_indexes WHERE indexname = 'users_email_idx'"), "0");

    r = dbtool({"migrate", "up", "--lint", "--format", "json"});
    EXPECT_EQ(r.exitCode, 8);
    const json doc = json::parse(r.out);
    ASSERT_EQ(doc["error"]["findings"].size(), 1u) << r.out;
    EXPECT_EQ(doc["error"]["findings"][0]["file"], "migrations/3_drop.sql");
    EXPECT_EQ(doc["error"]["findings"][0]["line"], 2);
    EXPECT_EQ(doc["error"]["findings"][0]["rule"], "ban-drop-column");

    // Accepted with a reason, and the table is small: the run goes ahead.
    dir().write("migrations/2_index.sql",
                "-- migrate:up\n-- dbtool:lint-ignore require-concurrent-index-creation a new "
                "table, empty until the release\nCREATE INDEX users_email_idx ON users (email);\n");
    dir().write("migrations/3_drop.sql",
                "-- migrate:up\n-- dbtool:lint-ignore ban-drop-column unused since v4 (#881)\n"
                "ALTER TABLE users DROP COLUMN email;\n");
    r = dbtool({"migrate", "up", "--lint"});
    EXPECT_EQ(r.exitCode, 0) << r.out << r.err;
    EXPECT_EQ(scalar("SELECT count(*) FROM schema_migrations"), "3");
}

TEST_F(LintCommand, WithoutADatabaseItLintsEveryMigrationOffline) {
    auto r = dbtool({"migrate", "lint"}, withEnv({{"DATABASE_URL", "postgres://u@127.0.0.1:1/x"}}));
    EXPECT_EQ(r.exitCode, 0) << r.err;
    EXPECT_THAT(r.err, HasSubstr("no database reachable"));
    EXPECT_THAT(r.out, HasSubstr("no findings in 2 migrations (2 statements); offline (no database "
                                 "reachable): no table sizes."));
    r = dbtool({"migrate", "lint", "--offline", "migrations/2_index.sql"});
    EXPECT_EQ(r.exitCode, 8) << r.out;
    EXPECT_THAT(r.out, HasSubstr("error[require-concurrent-index-creation]"));
    EXPECT_THAT(r.out, Not(HasSubstr("rows")));
}

TEST_F(LintCommand, BadInputIsReportedNotCrashedOn) {
    ProcessResult r_ = dbtool({"migrate", "lint", "--offline", "migrations/nope.sql"});
    EXPECT_EQ(r_.exitCode, 2) << r_.err;
    EXPECT_THAT(r_.err, HasSubstr("migrations/nope.sql is not a migration file of"));
    // A migration up would refuse (exit 5) is a finding here, with the rule that names it.
    dir().write(
        "migrations/3_bad.sql",
        "-- migrate:up\nCREATE INDEX CONCURRENTLY i ON users (email);\nSELECT FROM FROM;\n");
    r_ = dbtool({"migrate", "lint", "--offline", "migrations/3_bad.sql"});
    EXPECT_EQ(r_.exitCode, 8) << r_.out << r_.err;
    EXPECT_THAT(r_.out,
                HasSubstr("3_bad.sql:2:1: error[ban-concurrent-index-creation-in-transaction]"));
    EXPECT_THAT(r_.out,
                HasSubstr("3_bad.sql:3:13: error[syntax-error]: syntax error at or near \"FROM\""));
    auto rules = dbtool({"migrate", "lint", "--rules", "--format", "json"});
    EXPECT_EQ(rules.exitCode, 0);
    EXPECT_GE(json::parse(rules.out)["rules"].size(), 24u);
}

}  // namespace
}  // namespace dbtool::test
