// Repeatable migrations (R__NAME.sql) through the real binary, against a fresh database per
// test: applied after the versioned ones, again whenever they change, never half-applied.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "support/database.hpp"

namespace dbtool::test {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

class Repeatable : public DatabaseTest {
  protected:
    void write(const std::string& file, const std::string& content) const {
        dir().write("migrations/" + file, content);
    }
    void usersAndView(const std::string& viewFilter = "active") const {
        write("20240101000000_users.sql",
              "-- migrate:up\nCREATE TABLE users (id int PRIMARY KEY, active bool, admin bool);\n"
              "-- migrate:down\nDROP TABLE users;\n");
        write("R__active_users.sql",
              "CREATE OR REPLACE VIEW active_users AS\n"
              "  SELECT id FROM users WHERE " +
                  viewFilter + ";\n");
    }
    std::string viewDefinition() const {
        return scalar("SELECT pg_get_viewdef('active_users'::regclass)");
    }
    std::string recorded(const std::string& column) const {
        return scalar("SELECT " + column +
                      "::text FROM schema_repeatable_migrations WHERE name = 'active_users'");
    }
    json statusJson() const {
        auto r = dbtool({"--format", "json", "migrate", "status"});
        EXPECT_EQ(r.exitCode, 0) << r.err;
        return json::parse(r.out);
    }
};

TEST_F(Repeatable, AppliedAfterTheVersionedOnesThenOnlyWhenTheFileChanges) {
    usersAndView();
    auto first = dbtool({"migrate", "up"});
    ASSERT_EQ(first.exitCode, 0) << first.err;
    // In order: the view needs the table.
    EXPECT_LT(first.out.find("20240101000000  users"), first.out.find("R__active_users"));
    EXPECT_THAT(viewDefinition(), HasSubstr("active"));
    const std::string checksum = recorded("checksum");
    EXPECT_EQ(checksum.size(), 64u);
    // schema_migrations keeps one row per version, as other tools expect.
    EXPECT_EQ(scalar("SELECT count(*) FROM schema_migrations"), "1");

    const std::string appliedAt = recorded("applied_at");
    auto again = dbtool({"migrate", "up"});
    ASSERT_EQ(again.exitCode, 0) << again.err;
    EXPECT_THAT(again.out, HasSubstr("Nothing to do"));
    EXPECT_EQ(recorded("applied_at"), appliedAt);
    EXPECT_EQ(dbtool({"migrate", "status", "--exit-code"}).exitCode, 0);

    write("R__active_users.sql",
          "CREATE OR REPLACE VIEW active_users AS\n  SELECT id FROM users WHERE active AND NOT "
          "admin;\n");
    auto status = dbtool({"migrate", "status", "--exit-code"});
    EXPECT_EQ(status.exitCode, 8);
    EXPECT_THAT(status.out, HasSubstr("outdated"));
    auto changed = dbtool({"migrate", "up"});
    ASSERT_EQ(changed.exitCode, 0) << changed.err;
    EXPECT_THAT(changed.out, HasSubstr("R__active_users"));
    EXPECT_THAT(viewDefinition(), HasSubstr("admin"));
    EXPECT_NE(recorded("checksum"), checksum);
    EXPECT_EQ(dbtool({"migrate", "status", "--exit-code"}).exitCode, 0);
}

TEST_F(Repeatable, StatusListsPendingAppliedOutdatedAndMissing) {
    usersAndView();
    write("R__b_counts.sql", "CREATE OR REPLACE VIEW user_count AS SELECT count(*) FROM users;\n");
    auto pending = statusJson();
    ASSERT_EQ(pending["repeatable_migrations"].size(), 2u);
    EXPECT_EQ(pending["repeatable_migrations"][0]["name"], "active_users");
    EXPECT_EQ(pending["repeatable_migrations"][0]["state"], "pending");
    EXPECT_EQ(pending["repeatable_summary"]["pending"], 2);
    EXPECT_EQ(dbtool({"migrate", "status", "--exit-code"}).exitCode, 8);

    ASSERT_EQ(dbtool({"migrate", "up"}).exitCode, 0);
    auto applied = statusJson();
    EXPECT_EQ(applied["repeatable_migrations"][1]["state"], "applied");
    EXPECT_FALSE(applied["repeatable_migrations"][1]["applied_at"].is_null());
    EXPECT_EQ(applied["repeatable_summary"]["applied"], 2);

    write("R__b_counts.sql",
          "CREATE OR REPLACE VIEW user_count AS SELECT count(*) FROM users WHERE active;\n");
    std::filesystem::remove(dir().path() / "migrations/R__active_users.sql");
    auto later = statusJson();
    EXPECT_EQ(later["repeatable_migrations"][0]["state"], "missing");
    EXPECT_TRUE(later["repeatable_migrations"][0]["file"].is_null());
    EXPECT_EQ(later["repeatable_migrations"][1]["state"], "outdated");
    auto text = dbtool({"migrate", "status"});
    EXPECT_THAT(text.out, HasSubstr("repeatable: 1 outdated, 1 missing."));
    // A missing one is shown, not counted: its objects stay until a migration drops them.
    ASSERT_EQ(dbtool({"migrate", "up"}).exitCode, 0);
    EXPECT_EQ(dbtool({"migrate", "status", "--exit-code"}).exitCode, 0);
    EXPECT_EQ(scalar("SELECT count(*) FROM pg_views WHERE viewname = 'active_users'"), "1");
}

TEST_F(Repeatable, AFailureLeavesThePreviousVersionInPlaceAndSaysWhere) {
    usersAndView();
    ASSERT_EQ(dbtool({"migrate", "up"}).exitCode, 0);
    const std::string before = viewDefinition();
    const std::string checksum = recorded("checksum");
    write("20240102000000_more.sql",
          "-- migrate:up\nALTER TABLE users ADD COLUMN name text;\n"
          "-- migrate:down\nALTER TABLE users DROP COLUMN name;\n");
    write("R__active_users.sql",
          "-- a comment\nCREATE OR REPLACE VIEW active_users AS\n  SELECT id FROM users WHERE "
          "no_such_column;\n");
    auto r = dbtool({"--format", "json", "migrate", "up"});
    EXPECT_EQ(r.exitCode, 6) << r.err;
    const auto doc = json::parse(r.out);
    const auto& error = doc["error"];
    EXPECT_THAT(error["message"].get<std::string>(), HasSubstr("R__active_users"));
    EXPECT_THAT(error["file"].get<std::string>(), HasSubstr("R__active_users.sql"));
    EXPECT_EQ(error["line"], 3);
    // The versioned migration before it stays applied; the view and its row are as before.
    EXPECT_EQ(error["applied_in_this_run"][0]["version"], "20240102000000");
    EXPECT_EQ(scalar("SELECT count(*) FROM schema_migrations"), "2");
    EXPECT_EQ(viewDefinition(), before);
    EXPECT_EQ(recorded("checksum"), checksum);
    EXPECT_EQ(statusJson()["repeatable_migrations"][0]["state"], "outdated");
}

TEST_F(Repeatable, WaitWhileVersionedMigrationsArePendingAndShowInADryRun) {
    usersAndView();
    write("20240102000000_more.sql", "-- migrate:up\nALTER TABLE users ADD COLUMN name text;\n");
    auto partial = dbtool({"migrate", "up", "--step", "1"});
    ASSERT_EQ(partial.exitCode, 0) << partial.err;
    EXPECT_THAT(partial.err, HasSubstr("1 repeatable migration not applied"));
    EXPECT_THAT(partial.out, Not(HasSubstr("R__active_users")));
    EXPECT_FALSE(tableExists("schema_repeatable_migrations"));

    auto dry = dbtool({"migrate", "up", "--dry-run"});
    ASSERT_EQ(dry.exitCode, 0) << dry.err;
    EXPECT_THAT(dry.out, HasSubstr("would apply      R__active_users"));
    EXPECT_EQ(scalar("SELECT count(*) FROM pg_views WHERE viewname = 'active_users'"), "0");

    auto rest = dbtool({"--format", "json", "migrate", "up"});
    ASSERT_EQ(rest.exitCode, 0) << rest.err;
    const auto steps = json::parse(rest.out)["steps"];
    ASSERT_EQ(steps.size(), 2u);
    EXPECT_EQ(steps[1]["name"], "active_users");
    EXPECT_EQ(steps[0]["kind"], "versioned");
    EXPECT_EQ(steps[1]["kind"], "repeatable");
    EXPECT_TRUE(steps[1]["version"].is_null());
}

TEST_F(Repeatable, ARollbackMakesThemDueAgain) {
    usersAndView();
    write("20240102000000_posts.sql",
          "-- migrate:up\nCREATE TABLE posts (id int);\n-- migrate:down\nDROP TABLE posts;\n");
    ASSERT_EQ(dbtool({"migrate", "up"}).exitCode, 0);
    auto redo = dbtool({"migrate", "redo"});
    ASSERT_EQ(redo.exitCode, 0) << redo.err;
    EXPECT_THAT(redo.out, HasSubstr("R__active_users"));
    EXPECT_EQ(dbtool({"migrate", "status", "--exit-code"}).exitCode, 0);

    // The down of users drops the view with the table (CASCADE): the next up must make it.
    write("20240101000000_users.sql",
          "-- migrate:up\nCREATE TABLE users (id int PRIMARY KEY, active bool, admin bool);\n"
          "-- migrate:down\nDROP TABLE users CASCADE;\n");
    ASSERT_EQ(dbtool({"migrate", "down", "--all"}).exitCode, 0);
    EXPECT_EQ(statusJson()["repeatable_migrations"][0]["state"], "pending");
    ASSERT_EQ(dbtool({"migrate", "up"}).exitCode, 0);
    EXPECT_THAT(viewDefinition(), HasSubstr("active"));
}

TEST_F(Repeatable, SingleTransactionIncludesThem) {
    usersAndView();
    write("R__z_broken.sql", "SELECT 1;\nSELECT nope;\n");
    auto r = dbtool({"migrate", "up", "--single-transaction"});
    EXPECT_EQ(r.exitCode, 6) << r.err;
    EXPECT_THAT(r.err, HasSubstr("R__z_broken.sql:2"));
    EXPECT_FALSE(tableExists("users"));  // all or nothing
    EXPECT_FALSE(tableExists("schema_repeatable_migrations"));
}

TEST_F(Repeatable, BadFilesAreRefusedWithFileAndLine) {
    write("R__with_down.sql", "CREATE VIEW v AS SELECT 1;\n-- migrate:down\nDROP VIEW v;\n");
    auto down = dbtool({"migrate", "up"});
    EXPECT_EQ(down.exitCode, 5);
    EXPECT_THAT(down.err, HasSubstr("R__with_down.sql:2"));
    EXPECT_THAT(down.err, HasSubstr("no down section"));
    std::filesystem::remove(dir().path() / "migrations/R__with_down.sql");

    write("R__concurrently.sql",
          "-- migrate:up transaction:false\nREFRESH MATERIALIZED VIEW CONCURRENTLY m;\n");
    auto notx = dbtool({"migrate", "up"});
    EXPECT_EQ(notx.exitCode, 5);
    EXPECT_THAT(notx.err, HasSubstr("R__concurrently.sql:1"));
    EXPECT_THAT(notx.err, HasSubstr("versioned migration"));
    std::filesystem::remove(dir().path() / "migrations/R__concurrently.sql");

    write("R__.sql", "SELECT 1;\n");
    write("R__x.down.sql", "SELECT 1;\n");
    auto names = dbtool({"migrate", "status"});
    EXPECT_EQ(names.exitCode, 5);
    EXPECT_THAT(names.err, HasSubstr("malformed repeatable migration file name 'R__.sql'"));
    EXPECT_THAT(names.err, HasSubstr("R__x.down.sql"));  // every problem, not just the first
    EXPECT_FALSE(tableExists("schema_migrations"));
}

}  // namespace
}  // namespace dbtool::test

namespace dbtool::test {
namespace {

class Callbacks : public Repeatable {
  protected:
    void logCallbacks() const {
        write("beforeMigrate.sql",
              "CREATE TABLE IF NOT EXISTS callback_log (id serial, what text);\n"
              "INSERT INTO callback_log (what) VALUES ('before');\n");
        write("hooks/afterMigrate.sql", "INSERT INTO callback_log (what) VALUES ('after');\n");
    }
    std::vector<std::string> log() const {
        return rows("SELECT what FROM callback_log ORDER BY id");
    }
};

TEST_F(Callbacks, RunAroundEveryUpInOrderAndAreNotRecorded) {
    usersAndView();
    logCallbacks();
    auto up = dbtool({"migrate", "up"});
    ASSERT_EQ(up.exitCode, 0) << up.err;
    const auto before = up.out.find("ran          beforeMigrate.sql");
    const auto versioned = up.out.find("applied      20240101000000  users");
    const auto repeatable = up.out.find("applied      R__active_users");
    const auto after = up.out.find("ran          afterMigrate.sql");
    ASSERT_NE(before, std::string::npos) << up.out;
    EXPECT_LT(before, versioned);
    EXPECT_LT(versioned, repeatable);
    EXPECT_LT(repeatable, after);
    EXPECT_THAT(up.out, HasSubstr("Applied 2 migrations"));  // callbacks are not migrations
    EXPECT_EQ(log(), (std::vector<std::string>{"before", "after"}));
    EXPECT_EQ(scalar("SELECT count(*) FROM schema_migrations"), "1");

    // Every up, also with nothing to apply (grants, refreshed materialized views stay right).
    auto again = dbtool({"--format", "json", "migrate", "up"});
    ASSERT_EQ(again.exitCode, 0) << again.err;
    const auto steps = json::parse(again.out)["steps"];
    ASSERT_EQ(steps.size(), 2u);
    EXPECT_EQ(steps[0]["kind"], "callback");
    EXPECT_EQ(steps[0]["name"], "beforeMigrate");
    EXPECT_TRUE(steps[0]["version"].is_null());
    EXPECT_EQ(log(), (std::vector<std::string>{"before", "after", "before", "after"}));
    EXPECT_THAT(dbtool({"migrate", "up"}).out, HasSubstr("Nothing to do"));
    EXPECT_EQ(dbtool({"migrate", "status", "--exit-code"}).exitCode, 0);

    auto dry = dbtool({"migrate", "up", "--dry-run"});
    ASSERT_EQ(dry.exitCode, 0) << dry.err;
    EXPECT_THAT(dry.out, HasSubstr("would run        afterMigrate.sql"));
    EXPECT_EQ(log().size(), 6u);  // the dry run's were rolled back
    // down and redo leave them alone.
    write("20240101000000_users.sql",
          "-- migrate:up\nCREATE TABLE users (id int PRIMARY KEY, active bool, admin bool);\n"
          "-- migrate:down\nDROP TABLE users CASCADE;\n");
    ASSERT_EQ(dbtool({"migrate", "down"}).exitCode, 0);
    EXPECT_EQ(log().size(), 6u);
}

TEST_F(Callbacks, AFailingBeforeMigrateStopsTheRunAFailingAfterMigrateKeepsIt) {
    usersAndView();
    write("beforeMigrate.sql", "SET LOCAL lock_timeout = '5s';\nSELECT no_such_function();\n");
    auto before = dbtool({"migrate", "up"});
    EXPECT_EQ(before.exitCode, 6);
    EXPECT_THAT(before.err, HasSubstr("callback beforeMigrate.sql failed"));
    EXPECT_THAT(before.err, HasSubstr("beforeMigrate.sql:2"));
    EXPECT_THAT(before.err, HasSubstr("no migration was run"));
    EXPECT_FALSE(tableExists("users"));

    std::filesystem::remove(dir().path() / "migrations/beforeMigrate.sql");
    write("afterMigrate.sql", "REFRESH MATERIALIZED VIEW no_such_view;\n");
    auto after = dbtool({"migrate", "up"});
    EXPECT_EQ(after.exitCode, 6);
    EXPECT_THAT(after.err, HasSubstr("callback afterMigrate.sql failed"));
    EXPECT_THAT(after.err, HasSubstr("the migrations applied before it stay applied"));
    EXPECT_THAT(after.err, HasSubstr("applied in this run: 20240101000000 users, R__active_users"));
    EXPECT_TRUE(tableExists("users"));
    EXPECT_EQ(dbtool({"migrate", "status", "--exit-code"}).exitCode, 0);
}

TEST_F(Callbacks, BadCallbackFilesAreRefused) {
    write("beforeMigrate.sql", "SELECT 1;\n");
    write("2024/beforeMigrate.sql", "SELECT 2;\n");
    write("afterMigrate.sql", "SELECT 1;\n-- migrate:down\nSELECT 2;\n");
    auto r = dbtool({"migrate", "up"});
    EXPECT_EQ(r.exitCode, 5);
    EXPECT_THAT(r.err, HasSubstr("two beforeMigrate.sql callbacks"));
    EXPECT_THAT(r.err, HasSubstr("afterMigrate.sql:2"));
    EXPECT_THAT(r.err, HasSubstr("a '-- migrate:down' marker inside a callback"));
}

}  // namespace
}  // namespace dbtool::test
