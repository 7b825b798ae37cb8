// The migrations engine through the real binary, against a fresh database per test.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "support/database.hpp"

namespace dbtool::test {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

class Migrate : public DatabaseTest {
  protected:
    void migration(const std::string& file, const std::string& content) {
        dir().write("migrations/" + file, content);
    }
    void threeMigrations() {
        migration(
            "20240101000000_users.sql",
            "-- migrate:up\nCREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL);\n"
            "-- migrate:down\nDROP TABLE users;\n");
        migration("20240102000000_posts.sql",
                  "-- migrate:up\nCREATE TABLE posts (id serial PRIMARY KEY, user_id int "
                  "REFERENCES users);\n"
                  "-- migrate:down\nDROP TABLE posts;\n");
        migration("20240103000000_comments.sql",
                  "-- migrate:up\nCREATE TABLE comments (id serial PRIMARY KEY, post_id int "
                  "REFERENCES posts);\n"
                  "-- migrate:down\nDROP TABLE comments;\n");
    }
    // Starts `jobs` `migrate up` processes at once and waits for all; each must exit 0.
    // Returns how many printed `applied` (the runs that did the work).
    int concurrentMigrateUps(int jobs, const std::string& applied) const {
        ProcessOptions o = withEnv({{"DATABASE_URL", url()}, {"DBTOOL_LOCK_MODE", lockMode_}});
        o.cwd = dir().path();
        std::vector<std::unique_ptr<ChildProcess>> children;
        for (int i = 0; i < jobs; ++i) {
            children.push_back(
                std::make_unique<ChildProcess>(std::vector<std::string>{"migrate", "up"}, o));
        }
        int applying = 0;
        for (auto& c : children) {
            auto r = c->wait();
            EXPECT_EQ(r.exitCode, 0) << r.err;
            applying += r.out.find(applied) != std::string::npos ? 1 : 0;
        }
        return applying;
    }
    // Waits (up to 10 s) until another session runs a migration's SELECT pg_sleep(30).
    void waitForTheSlowStatement() const {
        for (int i = 0; i < 100; ++i) {
            if (scalar("SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(30)%' "
                       "AND pid <> pg_backend_pid() AND datname = current_database()") == "1") {
                return;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    }
    void eightConcurrentRuns();
    void parallelConcurrentIndexBuilds(int rounds);
    std::string lockMode_ = "advisory";  // DBTOOL_LOCK_MODE of concurrentMigrateUps
    // The recorded versions; none when no run has created the tracking table yet (a run
    // that applies nothing leaves no table behind).
    std::vector<std::string> applied() const {
        if (!tableExists("schema_migrations"))
            return {};
        return rows("SELECT version FROM schema_migrations ORDER BY version");
    }
};

TEST_F(Migrate, UpAppliesEverythingRecordsItAndIsIdempotent) {
    threeMigrations();
    auto r = dbtool({"migrate", "up"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("applied      20240101000000  users"));
    EXPECT_THAT(r.out, HasSubstr("Applied 3 migrations"));
    EXPECT_TRUE(tableExists("comments"));
    EXPECT_EQ(applied(),
              (std::vector<std::string>{"20240101000000", "20240102000000", "20240103000000"}));
    EXPECT_EQ(scalar("SELECT count(*) FROM schema_migrations WHERE name IS NOT NULL AND "
                     "length(checksum) = 64 AND applied_at IS NOT NULL AND execution_ms >= 0"),
              "3");
    auto again = dbtool({"migrate", "up"});
    ASSERT_EQ(again.exitCode, 0);
    EXPECT_THAT(again.out, HasSubstr("Nothing to do; the database is at version 20240103000000"));
}

TEST_F(Migrate, ToStepAndDryRun) {
    threeMigrations();
    auto dry = dbtool({"migrate", "up", "--dry-run"});
    ASSERT_EQ(dry.exitCode, 0) << dry.err;
    EXPECT_THAT(dry.out, HasSubstr("would apply      20240102000000  posts"));
    EXPECT_FALSE(tableExists("schema_migrations"));
    EXPECT_FALSE(tableExists("users"));

    ASSERT_EQ(dbtool({"migrate", "up", "--step", "1"}).exitCode, 0);
    EXPECT_EQ(applied().size(), 1u);
    ASSERT_EQ(dbtool({"migrate", "up", "--to", "20240102000000"}).exitCode, 0);
    EXPECT_EQ(applied().size(), 2u);
    auto badTo = dbtool({"migrate", "up", "--to", "42"});
    EXPECT_EQ(badTo.exitCode, 2);
    EXPECT_THAT(badTo.err, HasSubstr("no migration has this version"));
}

TEST_F(Migrate, DownRedoAndTheirOptions) {
    threeMigrations();
    ASSERT_EQ(dbtool({"migrate", "up"}).exitCode, 0);
    auto down = dbtool({"migrate", "down"});
    ASSERT_EQ(down.exitCode, 0) << down.err;
    EXPECT_THAT(down.out, HasSubstr("rolled back  20240103000000  comments"));
    EXPECT_FALSE(tableExists("comments"));
    EXPECT_EQ(applied().size(), 2u);

    ASSERT_EQ(dbtool({"migrate", "up"}).exitCode, 0);
    ASSERT_EQ(dbtool({"migrate", "down", "--to", "20240101000000"}).exitCode, 0);
    EXPECT_EQ(applied(), std::vector<std::string>{"20240101000000"});
    ASSERT_EQ(dbtool({"migrate", "up"}).exitCode, 0);
    ASSERT_EQ(dbtool({"migrate", "down", "--step", "2"}).exitCode, 0);
    EXPECT_EQ(applied(), std::vector<std::string>{"20240101000000"});

    exec("INSERT INTO users (email) VALUES ('kept@example.com')");
    ASSERT_EQ(dbtool({"migrate", "up"}).exitCode, 0);
    auto redo = dbtool({"migrate", "redo", "--step", "2"});
    ASSERT_EQ(redo.exitCode, 0) << redo.err;
    EXPECT_THAT(redo.out, HasSubstr("Rolled back 2 and applied 2"));
    EXPECT_EQ(applied().size(), 3u);
    EXPECT_EQ(scalar("SELECT email FROM users"), "kept@example.com");

    auto all = dbtool({"migrate", "down", "--all"});
    ASSERT_EQ(all.exitCode, 0) << all.err;
    EXPECT_TRUE(applied().empty());
    EXPECT_FALSE(tableExists("users"));
    EXPECT_EQ(dbtool({"migrate", "down", "--all", "--step", "1"}).exitCode, 2);
}

TEST_F(Migrate, DownWithoutDownSectionStopsBeforeAnythingRuns) {
    threeMigrations();
    migration("20240102000000_posts.sql",
              "-- migrate:up\nCREATE TABLE posts (id serial PRIMARY KEY, user_id int REFERENCES "
              "users);\n");
    ASSERT_EQ(dbtool({"migrate", "up"}).exitCode, 0);
    auto r = dbtool({"migrate", "down", "--all"});
    EXPECT_EQ(r.exitCode, 5);
    EXPECT_THAT(r.err, HasSubstr("cannot roll back 20240102000000 posts"));
    EXPECT_EQ(applied().size(), 3u);  // not even comments was rolled back
    EXPECT_TRUE(tableExists("comments"));
}

TEST_F(Migrate, FailureInTheMiddleKeepsEarlierOnesAndLeavesNoTrace) {
    threeMigrations();
    migration("20240102000000_posts.sql",
              "-- migrate:up\n"
              "CREATE TABLE posts (id serial PRIMARY KEY);\n"
              "INSERT INTO posts DEFAULT VALUES;\n"
              "\n"
              "SELECT * FROM no_such_table;\n"
              "-- migrate:down\nDROP TABLE posts;\n");
    auto r = dbtool({"migrate", "up"});
    EXPECT_EQ(r.exitCode, 6);
    EXPECT_THAT(r.out, HasSubstr("applied      20240101000000  users"));
    EXPECT_THAT(r.err, HasSubstr("migration 20240102000000 posts failed (up): relation "
                                 "\"no_such_table\" does not exist"));
    EXPECT_THAT(r.err, HasSubstr("20240102000000_posts.sql:5:15"));
    EXPECT_THAT(r.err, HasSubstr("sqlstate: 42P01"));
    EXPECT_THAT(r.err, HasSubstr("applied in this run: 20240101000000 users"));
    EXPECT_THAT(r.err, HasSubstr("rolled back: nothing of it remains"));
    EXPECT_EQ(applied(), std::vector<std::string>{"20240101000000"});
    EXPECT_TRUE(tableExists("users"));
    EXPECT_FALSE(tableExists("posts"));
    EXPECT_FALSE(tableExists("comments"));
}

TEST_F(Migrate, ErrorsWithoutAPositionPointAtTheFailingStatement) {
    migration("1_dup.sql",
              "-- migrate:up\n"
              "CREATE TABLE t (a int PRIMARY KEY);\n"
              "INSERT INTO t VALUES (1);\n"
              "INSERT INTO t\n  VALUES (1);\n");
    auto r = dbtool({"migrate", "up", "--format", "json"});
    EXPECT_EQ(r.exitCode, 6);
    EXPECT_THAT(r.err, HasSubstr("1_dup.sql:4:1"));
    auto doc = json::parse(r.out);
    EXPECT_EQ(doc["error"]["sqlstate"], "23505");
    EXPECT_EQ(doc["error"]["constraint"], "t_pkey");
    EXPECT_EQ(doc["error"]["line"], 4);
    EXPECT_THAT(doc["error"]["detail"].get<std::string>(), HasSubstr("Key (a)=(1) already exists"));
}

// After the first migration, each one travels with BEGIN, its tracking row and COMMIT in one
// round trip: errors still point at the statement, and the time recorded is the migration's.
TEST_F(Migrate, LaterMigrationsInOneRoundTripKeepPositionsAndTimes) {
    migration("1_first.sql", "-- migrate:up\nCREATE TABLE first (id int);\n");
    migration("2_slow.sql", "-- migrate:up\nSELECT pg_sleep(0.05);\nCREATE TABLE slow (id int);\n");
    migration("3_dup.sql",
              "-- migrate:up\n"
              "CREATE TABLE t (a int PRIMARY KEY);\n"
              "INSERT INTO t VALUES (1);\n"
              "INSERT INTO t\n  VALUES (1);\n");
    auto r = dbtool({"migrate", "up"});
    EXPECT_EQ(r.exitCode, 6);
    EXPECT_THAT(r.err, HasSubstr("3_dup.sql:4:1"));
    EXPECT_THAT(r.err, HasSubstr("applied in this run: 1 first, 2 slow"));
    EXPECT_FALSE(tableExists("t"));
    EXPECT_EQ(applied(), (std::vector<std::string>{"1", "2"}));
    const int ms =
        std::stoi(scalar("SELECT execution_ms FROM schema_migrations WHERE version = '2'"));
    EXPECT_GE(ms, 50);
    EXPECT_LT(ms, 5000);
    // The session is usable after the failed pipeline: a fixed file applies in the same way.
    migration("3_dup.sql", "-- migrate:up\nCREATE TABLE t (a int PRIMARY KEY);\n");
    EXPECT_EQ(dbtool({"migrate", "up"}).exitCode, 0);
    EXPECT_EQ(applied(), (std::vector<std::string>{"1", "2", "3"}));
    // A section too large for one pipeline (over 32 KiB) takes the ordinary path, with the
    // same positions.
    std::string big = "-- migrate:up\nCREATE TABLE big (v text);\n";
    for (int i = 0; i < 800; ++i) {
        big += "INSERT INTO big VALUES ('" + std::string(40, 'x') + "');\n";
    }
    big += "INSERT INTO big VALUES (1/0);\n";
    migration("4_big.sql", big);
    r = dbtool({"migrate", "up"});
    EXPECT_EQ(r.exitCode, 6);
    EXPECT_THAT(r.err, HasSubstr("4_big.sql:803:1"));
    EXPECT_FALSE(tableExists("big"));
    big.erase(big.rfind("INSERT INTO big VALUES (1/0);"));
    migration("4_big.sql", big);
    EXPECT_EQ(dbtool({"migrate", "up"}).exitCode, 0);
    EXPECT_EQ(scalar("SELECT count(*) FROM big"), "800");
    EXPECT_NE(scalar("SELECT execution_ms FROM schema_migrations WHERE version = '4'"), "<null>");
}

// The tracking insert is a statement prepared once a session; a migration that deallocates
// (here in the pipeline and from a DO block) must not take it away from the next ones.
TEST_F(Migrate, MigrationsThatDeallocateKeepTheTrackingWorking) {
    migration("1_a.sql",
              "-- migrate:up\nCREATE TABLE a (id int);\n-- migrate:down\nDROP TABLE a;\n");
    migration("2_b.sql",
              "-- migrate:up\nCREATE TABLE b (id int);\n-- migrate:down\nDROP TABLE b;\n");
    migration("3_c.sql",
              "-- migrate:up\nDEALLOCATE ALL;\nCREATE TABLE c (id int);\n"
              "-- migrate:down\nDROP TABLE c;\n");
    migration("4_d.sql",
              "-- migrate:up\nCREATE TABLE d (id int);\n-- migrate:down\nDROP TABLE d;\n");
    migration("5_e.sql",
              "-- migrate:up\nDO $$ BEGIN EXECUTE 'deallocate all'; END $$;\n"
              "CREATE TABLE e (id int);\n-- migrate:down\nDROP TABLE e;\n");
    migration("6_f.sql",
              "-- migrate:up\nCREATE TABLE f (id int);\n-- migrate:down\nDROP TABLE f;\n");
    auto v = dbtool({"migrate", "verify"});
    EXPECT_EQ(v.exitCode, 0) << v.err;
    auto r = dbtool({"migrate", "up"});
    EXPECT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(applied(), (std::vector<std::string>{"1", "2", "3", "4", "5", "6"}));
}

TEST_F(Migrate, SingleTransactionIsAllOrNothing) {
    threeMigrations();
    migration("20240104000000_broken.sql", "-- migrate:up\nSELECT 1/0;\n");
    auto r = dbtool({"migrate", "up", "--single-transaction"});
    EXPECT_EQ(r.exitCode, 6);
    EXPECT_THAT(r.err, HasSubstr("division by zero"));
    EXPECT_THAT(r.err, HasSubstr("no migration of it was applied"));
    EXPECT_FALSE(tableExists("users"));
    EXPECT_TRUE(applied().empty());

    migration("20240104000000_broken.sql",
              "-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY i ON users (email);\n");
    auto refused = dbtool({"migrate", "up", "--single-transaction"});
    EXPECT_EQ(refused.exitCode, 2);
    EXPECT_THAT(refused.err, HasSubstr("transaction:false"));
}

TEST_F(Migrate, TransactionFalseRunsConcurrentIndexBuilds) {
    threeMigrations();
    migration("20240104000000_index.sql",
              "-- migrate:up transaction:false\n"
              "CREATE INDEX CONCURRENTLY users_email_idx ON users (email);\n"
              "CREATE INDEX CONCURRENTLY posts_user_idx ON posts (user_id);\n"
              "-- migrate:down transaction:false\n"
              "DROP INDEX CONCURRENTLY users_email_idx;\n"
              "DROP INDEX CONCURRENTLY posts_user_idx;\n");
    auto r = dbtool({"migrate", "up"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(scalar("SELECT count(*) FROM pg_indexes WHERE indexname IN ('users_email_idx', "
                     "'posts_user_idx')"),
              "2");
    ASSERT_EQ(dbtool({"migrate", "down"}).exitCode, 0);
    EXPECT_EQ(scalar("SELECT count(*) FROM pg_indexes WHERE indexname = 'users_email_idx'"), "0");

    // A failure part-way says what was committed and records nothing.
    migration("20240104000000_index.sql",
              "-- migrate:up transaction:false\n"
              "CREATE INDEX CONCURRENTLY users_email_idx ON users (email);\n"
              "CREATE INDEX CONCURRENTLY bad_idx ON nowhere (x);\n");
    auto partial = dbtool({"migrate", "up"});
    EXPECT_EQ(partial.exitCode, 6);
    EXPECT_THAT(partial.err, HasSubstr("1 of its 2 statements were committed"));
    EXPECT_THAT(partial.err, HasSubstr("20240104000000_index.sql:3:"));
    EXPECT_EQ(applied().size(), 3u);
}

TEST_F(Migrate, StatusValidateAndExitCodes) {
    threeMigrations();
    ASSERT_EQ(dbtool({"migrate", "up", "--step", "2"}).exitCode, 0);
    auto status = dbtool({"migrate", "status"});
    ASSERT_EQ(status.exitCode, 0) << status.err;
    EXPECT_THAT(status.out, HasSubstr("20240103000000  comments  pending"));
    EXPECT_THAT(status.out, HasSubstr("2 applied, 1 pending; current version 20240102000000"));
    EXPECT_EQ(dbtool({"migrate", "status", "--exit-code"}).exitCode, 8);

    auto js = dbtool({"migrate", "status", "--format", "json"});
    auto doc = json::parse(js.out);
    EXPECT_EQ(doc["summary"]["applied"], 2);
    EXPECT_EQ(doc["summary"]["pending"], 1);
    EXPECT_EQ(doc["migrations"][2]["state"], "pending");
    EXPECT_EQ(doc["migrations"][0]["state"], "applied");
    EXPECT_TRUE(doc["migrations"][0]["execution_ms"].is_number());
    EXPECT_EQ(doc["current_version"], "20240102000000");

    ASSERT_EQ(dbtool({"migrate", "up"}).exitCode, 0);
    EXPECT_EQ(dbtool({"migrate", "status", "--exit-code"}).exitCode, 0);
    EXPECT_EQ(dbtool({"migrate", "validate"}).exitCode, 0);

    // A changed file: reported by status and validate, refused by up.
    migration("20240101000000_users.sql",
              "-- migrate:up\nCREATE TABLE users (id bigserial PRIMARY KEY, email text);\n"
              "-- migrate:down\nDROP TABLE users;\n");
    migration("20240105000000_more.sql", "-- migrate:up\nSELECT 1;\n");
    EXPECT_THAT(dbtool({"migrate", "status"}).out, HasSubstr("users     changed"));
    auto validate = dbtool({"migrate", "validate"});
    EXPECT_EQ(validate.exitCode, 8);
    EXPECT_THAT(validate.out, HasSubstr("changed  20240101000000  users"));
    auto up = dbtool({"migrate", "up"});
    EXPECT_EQ(up.exitCode, 8);
    EXPECT_THAT(up.err, HasSubstr("was changed after it was applied"));
    EXPECT_EQ(applied().size(), 3u);
    ASSERT_EQ(dbtool({"migrate", "up", "--ignore-checksums"}).exitCode, 0);
    EXPECT_EQ(applied().size(), 4u);

    // A missing file.
    std::filesystem::remove(dir().path() / "migrations/20240105000000_more.sql");
    EXPECT_THAT(dbtool({"migrate", "status"}).out, HasSubstr("missing"));
    EXPECT_EQ(dbtool({"migrate", "validate"}).exitCode, 8);
    EXPECT_EQ(dbtool({"migrate", "up"}).exitCode, 8);
    EXPECT_EQ(dbtool({"migrate", "up", "--ignore-missing", "--ignore-checksums"}).exitCode, 0);
}

TEST_F(Migrate, OutOfOrderIsRefusedUnlessAllowed) {
    threeMigrations();
    std::filesystem::rename(dir().path() / "migrations/20240102000000_posts.sql",
                            dir().path() / "posts.sql.away");
    migration("20240102000000_placeholder.sql", "-- migrate:up\nSELECT 1;\n");
    std::filesystem::remove(dir().path() / "migrations/20240102000000_placeholder.sql");
    ASSERT_EQ(dbtool({"migrate", "up", "--to", "20240101000000"}).exitCode, 0);
    migration("20240103000000_comments.sql", "-- migrate:up\nCREATE TABLE comments (id int);\n");
    ASSERT_EQ(dbtool({"migrate", "up"}).exitCode, 0);
    std::filesystem::rename(dir().path() / "posts.sql.away",
                            dir().path() / "migrations/20240102000000_posts.sql");
    EXPECT_THAT(dbtool({"migrate", "status"}).out, HasSubstr("out_of_order"));
    auto refused = dbtool({"migrate", "up"});
    EXPECT_EQ(refused.exitCode, 8);
    EXPECT_THAT(refused.err, HasSubstr("--allow-out-of-order"));
    ASSERT_EQ(dbtool({"migrate", "up", "--allow-out-of-order"}).exitCode, 0);
    EXPECT_TRUE(tableExists("posts"));
    // down rolls back the most recently applied migration, not the highest version.
    auto down = dbtool({"migrate", "down"});
    ASSERT_EQ(down.exitCode, 0) << down.err;
    EXPECT_THAT(down.out, HasSubstr("20240102000000"));
    EXPECT_FALSE(tableExists("posts"));
    EXPECT_TRUE(tableExists("comments"));
    EXPECT_EQ(applied(), (std::vector<std::string>{"20240101000000", "20240103000000"}));
}

TEST_F(Migrate, GolangMigratePairsWork) {
    migration("1_users.up.sql", "CREATE TABLE users (id int);\n");
    migration("1_users.down.sql", "DROP TABLE users;\n");
    migration("2_index.up.sql",
              "-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY ui ON users (id);\n");
    migration("2_index.down.sql", "DROP INDEX ui;\n");
    ASSERT_EQ(dbtool({"migrate", "up"}).exitCode, 0);
    EXPECT_EQ(applied(), (std::vector<std::string>{"1", "2"}));
    ASSERT_EQ(dbtool({"migrate", "down", "--all"}).exitCode, 0);
    EXPECT_FALSE(tableExists("users"));
}

TEST_F(Migrate, AdoptsAGolangMigrateTable) {
    migration("1_users.up.sql", "CREATE TABLE users (id int);\n");
    migration("1_users.down.sql", "DROP TABLE users;\n");
    migration("2_posts.up.sql", "CREATE TABLE posts (id int);\n");
    migration("2_posts.down.sql", "DROP TABLE posts;\n");
    migration("3_tags.up.sql", "CREATE TABLE tags (id int);\n");
    migration("3_tags.down.sql", "DROP TABLE tags;\n");
    exec(
        "CREATE TABLE users (id int); CREATE TABLE posts (id int);"
        "CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT "
        "NULL);"
        "INSERT INTO schema_migrations VALUES (2, true)");
    auto dirty = dbtool({"migrate", "up"});
    EXPECT_EQ(dirty.exitCode, 8);
    EXPECT_THAT(dirty.err, HasSubstr("dirty"));
    exec("UPDATE schema_migrations SET dirty = false");

    auto status = dbtool({"migrate", "status", "--format", "json"});
    ASSERT_EQ(status.exitCode, 0) << status.err;
    EXPECT_EQ(json::parse(status.out)["summary"]["applied"], 2);

    auto up = dbtool({"migrate", "up"});
    ASSERT_EQ(up.exitCode, 0) << up.err;
    EXPECT_THAT(up.err, HasSubstr("adopted"));
    EXPECT_THAT(up.out, HasSubstr("applied      3  tags"));
    EXPECT_EQ(
        rows("SELECT version || ':' || coalesce(name, '') FROM schema_migrations ORDER BY version"),
        (std::vector<std::string>{"1:users", "2:posts", "3:tags"}));
    // When golang-migrate applied 1 and 2 is unknown: NULL, shown as "-", never invented.
    EXPECT_EQ(rows("SELECT version || ':' || (applied_at IS NULL) FROM schema_migrations ORDER "
                   "BY version"),
              (std::vector<std::string>{"1:true", "2:true", "3:false"}));
    auto text = dbtool({"migrate", "status"});
    EXPECT_THAT(text.out, HasSubstr("\n1        users  applied  -\n"));
    EXPECT_EQ(
        json::parse(
            dbtool({"migrate", "status", "--format", "json"}).out)["migrations"][0]["applied_at"],
        nullptr);
    ASSERT_EQ(dbtool({"migrate", "down", "--step", "2"}).exitCode, 0);
    EXPECT_FALSE(tableExists("posts"));
}

TEST_F(Migrate, AFailingDownSaysWhatWasRolledBackInThisRun) {
    threeMigrations();
    ASSERT_EQ(dbtool({"migrate", "up"}).exitCode, 0);
    exec("CREATE TABLE keeps_users (user_id int REFERENCES users)");
    migration("20240102000000_posts.sql",
              "-- migrate:up\nCREATE TABLE posts (id serial PRIMARY KEY);\n"
              "-- migrate:down\nDROP TABLE posts;\nDROP TABLE users;\n");
    auto r = dbtool({"migrate", "down", "--step", "2", "--ignore-checksums"});
    EXPECT_EQ(r.exitCode, 6) << r.err;
    EXPECT_THAT(r.err, HasSubstr("rolled back in this run: 20240103000000 comments"));
    EXPECT_THAT(r.err, Not(HasSubstr("applied in this run")));
    EXPECT_EQ(applied().size(), 2u);

    auto redo = dbtool({"migrate", "redo", "--step", "2", "--ignore-checksums"});
    EXPECT_EQ(redo.exitCode, 6) << redo.err;
    EXPECT_THAT(redo.err, HasSubstr("completed in this run: none"));
}

TEST_F(Migrate, AdoptsADbmateTableAndKeepsExtraColumns) {
    threeMigrations();
    exec(
        "CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL);"
        "CREATE TABLE schema_migrations (version varchar(128) PRIMARY KEY);"
        "INSERT INTO schema_migrations VALUES ('20240101000000')");
    auto up = dbtool({"migrate", "up"});
    ASSERT_EQ(up.exitCode, 0) << up.err;
    EXPECT_EQ(applied().size(), 3u);
    EXPECT_EQ(scalar("SELECT checksum FROM schema_migrations WHERE version = '20240101000000'"),
              "<null>");
    EXPECT_EQ(dbtool({"migrate", "validate"}).exitCode, 0);  // no checksum: nothing to compare
}

TEST_F(Migrate, AMigrationMayAlterTheTrackingTableItself) {
    migration("1_first.sql",
              "-- migrate:up\nCREATE TABLE a (id int);\n-- migrate:down\nDROP TABLE a;\n");
    migration("2_audit.sql",
              "-- migrate:up\nALTER TABLE schema_migrations ADD COLUMN applied_by text NOT NULL "
              "DEFAULT current_user;\n"
              "-- migrate:down\nALTER TABLE schema_migrations DROP COLUMN applied_by;\n");
    migration("3_third.sql",
              "-- migrate:up\nCREATE TABLE c (id int);\n-- migrate:down\nDROP TABLE c;\n");
    ASSERT_EQ(dbtool({"migrate", "up"}).exitCode, 0);
    EXPECT_EQ(scalar("SELECT count(applied_by) FROM schema_migrations"), "3");
    ASSERT_EQ(dbtool({"migrate", "status", "--exit-code"}).exitCode, 0);
    ASSERT_EQ(dbtool({"migrate", "down", "--all"}).exitCode, 0);
    EXPECT_TRUE(applied().empty());
}

TEST_F(Migrate, CreateWritesATemplateAndRefusesBadNames) {
    auto r = dbtool({"migrate", "create", "add_users"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const std::string path = r.out.substr(0, r.out.find('\n'));
    EXPECT_THAT(path, ::testing::MatchesRegex(".*/migrations/[0-9]{14}_add_users\\.sql"));
    auto second = dbtool({"migrate", "create", "add_posts", "--format", "json"});
    ASSERT_EQ(second.exitCode, 0);
    auto doc = json::parse(second.out);
    EXPECT_NE(doc["version"], path.substr(path.rfind('/') + 1, 14));  // never the same version
    EXPECT_EQ(dbtool({"migrate", "create", "../evil"}).exitCode, 2);
    EXPECT_EQ(dbtool({"migrate", "create", "has space"}).exitCode, 2);
    // The template is a valid, empty migration: refused until written, unless allowed.
    EXPECT_EQ(dbtool({"migrate", "up"}).exitCode, 5);
    EXPECT_EQ(dbtool({"migrate", "up", "--allow-empty"}).exitCode, 0);
    EXPECT_EQ(applied().size(), 2u);
}

TEST_F(Migrate, SubfoldersHoldOneTreeOfUniqueVersions) {
    migration("2025/20250101000000_posts.sql",
              "-- migrate:up\nCREATE TABLE posts (id int REFERENCES users);\n"
              "-- migrate:down\nDROP TABLE posts;\n");
    migration("2024/q1/20240101000000_users.sql",
              "-- migrate:up\nCREATE TABLE users (id int PRIMARY KEY);\n"
              "-- migrate:down\nDROP TABLE users;\n");
    migration("views/R__user_ids.sql",
              "CREATE OR REPLACE VIEW user_ids AS SELECT id FROM users;\n");
    migration(".archive/20230101000000_old.sql", "-- migrate:up\nSELECT broken(;\n");
    migration("2025/.draft.sql", "not SQL at all");
    auto up = dbtool({"migrate", "up"});
    ASSERT_EQ(up.exitCode, 0) << up.err;
    // Version order across folders; hidden files and folders are not migrations.
    EXPECT_LT(up.out.find("20240101000000"), up.out.find("20250101000000"));
    EXPECT_EQ(applied(), (std::vector<std::string>{"20240101000000", "20250101000000"}));
    EXPECT_EQ(scalar("SELECT count(*) FROM user_ids"), "0");
    auto status = json::parse(dbtool({"migrate", "status", "--format", "json"}).out);
    EXPECT_THAT(status["migrations"][0]["file"].get<std::string>(),
                HasSubstr("migrations/2024/q1/20240101000000_users.sql"));

    // A version is unique across the tree.
    migration("2025/20240101000000_again.sql", "-- migrate:up\nSELECT 1;\n");
    auto duplicate = dbtool({"migrate", "status"});
    EXPECT_EQ(duplicate.exitCode, 5);
    EXPECT_THAT(duplicate.err, HasSubstr("duplicate migration version 20240101000000"));
    EXPECT_THAT(duplicate.err, HasSubstr("2024/q1/20240101000000_users.sql"));
    std::filesystem::remove(dir().path() / "migrations/2025/20240101000000_again.sql");
    migration("R__user_ids.sql", "SELECT 1;\n");
    auto twice = dbtool({"migrate", "status"});
    EXPECT_EQ(twice.exitCode, 5);
    EXPECT_THAT(twice.err, HasSubstr("duplicate repeatable migration R__user_ids.sql"));
    std::filesystem::remove(dir().path() / "migrations/R__user_ids.sql");

    // create --dir writes into a subfolder, with a version newer than every folder's.
    auto created = dbtool({"migrate", "create", "add_email", "--dir", "2026/jan"});
    ASSERT_EQ(created.exitCode, 0) << created.err;
    EXPECT_THAT(created.out,
                ::testing::MatchesRegex(".*/migrations/2026/jan/[0-9]{14}_add_email\\.sql\n"));
    EXPECT_EQ(dbtool({"migrate", "create", "x", "--dir", "../outside"}).exitCode, 2);
    EXPECT_EQ(dbtool({"migrate", "create", "x", "--dir", "/tmp"}).exitCode, 2);
    EXPECT_FALSE(std::filesystem::exists(dir().path() / "outside"));
}

TEST_F(Migrate, MarkAppliedAndMarkPending) {
    threeMigrations();
    exec("CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL)");
    auto mark = dbtool({"migrate", "mark-applied", "20240101000000"});
    ASSERT_EQ(mark.exitCode, 0) << mark.err;
    EXPECT_THAT(mark.out,
                HasSubstr("marked 20240101000000 users as applied (its SQL was not run)"));
    EXPECT_EQ(dbtool({"migrate", "mark-applied", "20240101000000"}).exitCode, 8);
    EXPECT_EQ(dbtool({"migrate", "mark-applied", "999"}).exitCode, 2);
    ASSERT_EQ(dbtool({"migrate", "up"}).exitCode, 0);
    auto pending = dbtool({"migrate", "mark-pending", "20240103000000"});
    ASSERT_EQ(pending.exitCode, 0) << pending.err;
    EXPECT_THAT(pending.out, HasSubstr("as pending"));
    EXPECT_TRUE(tableExists("comments"));
    EXPECT_EQ(applied().size(), 2u);
    EXPECT_EQ(dbtool({"migrate", "mark-pending", "20240103000000"}).exitCode, 8);
}

TEST_F(Migrate, BadFilesFailBeforeTheDatabaseIsTouched) {
    threeMigrations();
    migration("20240104000000_bad.sql", "-- migrate:up\n\\copy users from 'x.csv'\n");
    auto r = dbtool({"migrate", "up"});
    EXPECT_EQ(r.exitCode, 5);
    EXPECT_THAT(r.err, HasSubstr("20240104000000_bad.sql:2:1"));
    EXPECT_THAT(r.err, HasSubstr("psql meta-command \\copy"));
    EXPECT_FALSE(tableExists("schema_migrations"));
    EXPECT_FALSE(tableExists("users"));
}

TEST_F(Migrate, TrackingSchemaIsConfigurable) {
    threeMigrations();
    ASSERT_EQ(dbtool({"migrate", "up", "--tracking-schema", "dbtool meta"}).exitCode, 0);
    EXPECT_EQ(scalar("SELECT count(*) FROM \"dbtool meta\".schema_migrations"), "3");
    EXPECT_FALSE(tableExists("public.schema_migrations"));
}

TEST_F(Migrate, LockHeldElsewhereTimesOutWithAClearMessage) {
    threeMigrations();
    // A first dbtool holds the migration lock while a slow migration runs.
    migration("20240104000000_slow.sql", "-- migrate:up\nSELECT pg_sleep(3);\n");
    ChildProcess slow({"migrate", "up"}, [&] {
        ProcessOptions o = withEnv({{"DATABASE_URL", url()}});
        o.cwd = dir().path();
        return o;
    }());
    std::this_thread::sleep_for(std::chrono::milliseconds(700));
    auto blocked = dbtool({"migrate", "up", "--lock-timeout", "500ms"});
    EXPECT_EQ(blocked.exitCode, 7) << blocked.err;
    EXPECT_THAT(blocked.err, HasSubstr("another dbtool holds the lock"));
    EXPECT_THAT(blocked.err, HasSubstr("held by pid"));
    auto done = slow.wait();
    EXPECT_EQ(done.exitCode, 0) << done.err;
    EXPECT_EQ(applied().size(), 4u);
}

TEST_F(Migrate, LockTimeoutOnApplicationLocksSaysWhatItWaitedFor) {
    migration("1_t.sql", "-- migrate:up\nCREATE TABLE t (a int);\n");
    migration("2_alter.sql", "-- migrate:up\nALTER TABLE t ADD COLUMN b int;\n");
    ASSERT_EQ(dbtool({"migrate", "up", "--to", "1"}).exitCode, 0);
    auto app = connect();
    app->runScript("BEGIN; LOCK TABLE t IN ACCESS SHARE MODE;");
    auto r = dbtool({"migrate", "up", "--lock-timeout", "300ms"});
    EXPECT_EQ(r.exitCode, 7);
    EXPECT_THAT(r.err, HasSubstr("lock timeout"));
    EXPECT_THAT(r.err, HasSubstr("2_alter.sql"));
    app->runScript("ROLLBACK");
    EXPECT_EQ(applied().size(), 1u);
}

TEST_F(Migrate, StatementTimeoutCancelsAndRollsBack) {
    migration("1_slow.sql", "-- migrate:up\nCREATE TABLE t (a int);\nSELECT pg_sleep(5);\n");
    auto r = dbtool({"migrate", "up", "--statement-timeout", "200ms"});
    EXPECT_EQ(r.exitCode, 6);
    EXPECT_THAT(r.err, HasSubstr("statement timeout"));
    EXPECT_FALSE(tableExists("t"));
}

TEST_F(Migrate, EightConcurrentRunsApplyEachMigrationExactlyOnce) {
    for (const std::string mode : {"advisory", "table"}) {
        SCOPED_TRACE("lock mode " + mode);
        lockMode_ = mode;
        exec("DROP SCHEMA public CASCADE; CREATE SCHEMA public");
        eightConcurrentRuns();
    }
    // The lock row is gone with the last run.
    EXPECT_EQ(scalar("SELECT count(*) FROM dbtool_lock"), "0");
}

void Migrate::eightConcurrentRuns() {
    for (int i = 1; i <= 12; ++i) {
        const std::string v = std::to_string(1000 + i);
        migration(v + "_m.sql", "-- migrate:up\nCREATE TABLE t" + v + " (id int);\nINSERT INTO t" +
                                    v + " VALUES (1);\nSELECT pg_sleep(0.05);\n");
    }
    exec("CREATE TABLE runs (n int)");
    EXPECT_EQ(concurrentMigrateUps(8, "Applied 12"), 1);
    EXPECT_EQ(scalar("SELECT count(*) FROM schema_migrations"), "12");
    for (int i = 1; i <= 12; ++i) {
        EXPECT_EQ(scalar("SELECT count(*) FROM t" + std::to_string(1000 + i)), "1");
    }
}

// Runners waiting for the lock must hold no snapshot: CREATE INDEX CONCURRENTLY (and the
// other statements that wait for older snapshots) in the lock holder would wait for them
// while they wait for it, and the server would break the deadlock by killing one (40P01).
TEST_F(Migrate, ParallelRunsNeverDeadlockOnConcurrentIndexBuilds) {
    parallelConcurrentIndexBuilds(20);
}

// A run waiting for the lock row polls with statements of their own: no snapshot either.
TEST_F(Migrate, ParallelRunsNeverDeadlockOnConcurrentIndexBuildsWithTheTableLock) {
    lockMode_ = "table";
    parallelConcurrentIndexBuilds(5);
}

void Migrate::parallelConcurrentIndexBuilds(int rounds) {
    migration("1_items.sql",
              "-- migrate:up\nCREATE TABLE items (id int PRIMARY KEY, v text);\nINSERT INTO items "
              "SELECT g, md5(g::text) FROM generate_series(1, 2000) g;\n");
    migration("2_index.sql",
              "-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY "
              "items_v_idx ON items (v);\n");
    migration("3_more.sql", "-- migrate:up\nALTER TABLE items ADD COLUMN w int;\n");
    migration("4_reindex.sql",
              "-- migrate:up transaction:false\nREINDEX INDEX CONCURRENTLY "
              "items_v_idx;\nDROP INDEX CONCURRENTLY items_v_idx;\n");
    migration("5_vacuum.sql", "-- migrate:up transaction:false\nVACUUM items;\n");
    for (int round = 1; round <= rounds; ++round) {
        SCOPED_TRACE("round " + std::to_string(round));
        exec("DROP SCHEMA public CASCADE; CREATE SCHEMA public");
        EXPECT_EQ(concurrentMigrateUps(8, "Applied 5"), 1);
        EXPECT_EQ(scalar("SELECT count(*) FROM schema_migrations"), "5");
        if (HasFailure())
            return;
    }
}

TEST_F(Migrate, SigintWhileWaitingForTheLockStopsAtOnceHoldingNothing) {
    migration("1_slow.sql", "-- migrate:up\nSELECT pg_sleep(30);\n");
    ProcessOptions o = withEnv({{"DATABASE_URL", url()}});
    o.cwd = dir().path();
    ChildProcess holder({"migrate", "up"}, o);
    waitForTheSlowStatement();
    ChildProcess waiter({"migrate", "up"}, o);
    std::this_thread::sleep_for(std::chrono::milliseconds(700));
    // The waiter polls between sleeps: no statement of its session is waiting, and it holds
    // no snapshot a CREATE INDEX CONCURRENTLY of the holder would have to wait for.
    EXPECT_EQ(scalar("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                     "AND pid <> pg_backend_pid() AND query NOT LIKE '%pg_sleep(30)%' AND "
                     "(wait_event_type = 'Lock' OR backend_xmin IS NOT NULL)"),
              "0");
    const auto start = std::chrono::steady_clock::now();
    waiter.signal(SIGINT);
    auto r = waiter.wait(20);
    EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 2);
    EXPECT_EQ(r.exitCode, 130) << r.err;
    EXPECT_THAT(r.err, HasSubstr("waiting for the lock"));
    holder.signal(SIGINT);
    EXPECT_EQ(holder.wait(20).exitCode, 130);
}

TEST_F(Migrate, SigintDuringALongStatementLeavesNothingHalfApplied) {
    migration("1_fast.sql", "-- migrate:up\nCREATE TABLE fast (id int);\n");
    migration("2_slow.sql",
              "-- migrate:up\nCREATE TABLE slow (id int);\nINSERT INTO slow VALUES (1);\nSELECT "
              "pg_sleep(30);\n");
    ProcessOptions o = withEnv({{"DATABASE_URL", url()}});
    o.cwd = dir().path();
    ChildProcess child({"migrate", "up"}, o);
    waitForTheSlowStatement();
    const auto start = std::chrono::steady_clock::now();
    child.signal(SIGINT);
    auto r = child.wait(20);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_EQ(r.exitCode, 130) << r.err;
    EXPECT_LT(seconds, 10);
    EXPECT_THAT(r.err, HasSubstr("interrupted while applying migration 2 slow"));
    EXPECT_THAT(r.err, HasSubstr("applied in this run: 1 fast"));
    EXPECT_TRUE(tableExists("fast"));
    EXPECT_FALSE(tableExists("slow"));
    EXPECT_EQ(applied(), std::vector<std::string>{"1"});
    // The lock was released: a new run completes the remaining migration.
    migration("2_slow.sql", "-- migrate:up\nCREATE TABLE slow (id int);\n");
    EXPECT_EQ(dbtool({"migrate", "up"}).exitCode, 0);
}

// A transaction:false section cannot be rolled back: when its run is killed between its
// statements and its record, the next run must not guess what happened.
TEST_F(Migrate, AKillInsideATransactionFalseMigrationStopsLaterRunsUntilTheUserSettlesIt) {
    migration("1_users.sql", "-- migrate:up\nCREATE TABLE users (id int, email text);\n");
    migration("2_index.sql",
              "-- migrate:up transaction:false\n"
              "CREATE INDEX CONCURRENTLY users_email_idx ON users (email);\n"
              "SELECT pg_sleep(30);\n"
              "-- migrate:down transaction:false\nDROP INDEX CONCURRENTLY users_email_idx;\n");
    ProcessOptions o = withEnv({{"DATABASE_URL", url()}});
    o.cwd = dir().path();
    ChildProcess child({"migrate", "up"}, o);
    waitForTheSlowStatement();
    child.signal(SIGKILL);
    child.wait(20);
    exec(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = "
        "current_database() AND query LIKE "
        "'%pg_sleep(30)%' AND pid <> pg_backend_pid()");

    auto up = dbtool({"migrate", "up"});
    EXPECT_EQ(up.exitCode, 8) << up.err;
    EXPECT_THAT(up.err, HasSubstr("migration 2 index (up, transaction:false) was interrupted"));
    EXPECT_THAT(up.err, HasSubstr("after 1 of its 2 statements committed"));
    EXPECT_THAT(up.err, HasSubstr("2_index.sql:3:1"));  // the statement of unknown outcome
    EXPECT_THAT(up.err, HasSubstr("dbtool migrate mark-applied 2"));
    EXPECT_EQ(applied(), std::vector<std::string>{"1"});
    EXPECT_EQ(dbtool({"migrate", "down"}).exitCode, 8);  // nothing runs until it is settled
    auto status = dbtool({"migrate", "status", "--exit-code", "--format", "json"});
    EXPECT_EQ(status.exitCode, 8);
    const auto doc = json::parse(status.out);
    EXPECT_EQ(doc["interrupted"][0]["version"], "2");
    EXPECT_EQ(doc["interrupted"][0]["statements_committed"], 1);

    // The index exists: the user records the migration as applied.
    auto mark = dbtool({"migrate", "mark-applied", "2"});
    ASSERT_EQ(mark.exitCode, 0) << mark.err;
    EXPECT_EQ(dbtool({"migrate", "status", "--exit-code"}).exitCode, 0);
    EXPECT_EQ(applied(), (std::vector<std::string>{"1", "2"}));
    auto down = dbtool({"migrate", "down"});
    ASSERT_EQ(down.exitCode, 0) << down.err;
    EXPECT_EQ(scalar("SELECT count(*) FROM schema_migrations_running"), "0");
}

TEST_F(Migrate, AFailingTransactionFalseMigrationLeavesNoInterruptedMark) {
    migration("1_users.sql",
              "-- migrate:up transaction:false\nCREATE TABLE users (id int);\n"
              "SELECT no_such_function();\n");
    auto r = dbtool({"migrate", "up"});
    EXPECT_EQ(r.exitCode, 6);
    EXPECT_THAT(r.err, HasSubstr("1 of its 2 statements were committed"));
    EXPECT_EQ(scalar("SELECT count(*) FROM schema_migrations_running"), "0");
    // Repaired by hand, it runs again; the mark never stood in the way.
    migration("1_users.sql",
              "-- migrate:up transaction:false\nCREATE TABLE IF NOT EXISTS users (id int);\n");
    EXPECT_EQ(dbtool({"migrate", "up"}).exitCode, 0);
}

// Hand-edited tracking rows are reported as what they are, never read as other versions.
TEST_F(Migrate, MalformedAndDuplicateTrackingRowsAreReportedNotMerged) {
    threeMigrations();
    ASSERT_EQ(dbtool({"migrate", "up"}).exitCode, 0);
    exec(
        "UPDATE schema_migrations SET version = '20240102000000 ' WHERE version = "
        "'20240102000000';"
        "INSERT INTO schema_migrations (version) VALUES ('020240103000000')");
    auto status = dbtool({"migrate", "status", "--exit-code"});
    EXPECT_EQ(status.exitCode, 8);
    EXPECT_THAT(status.out, HasSubstr("version '20240102000000 ' is not a version"));
    EXPECT_THAT(status.out, HasSubstr("versions '020240103000000' and '20240103000000' are one "
                                      "migration recorded twice"));
    const auto doc = json::parse(dbtool({"migrate", "status", "--format", "json"}).out);
    EXPECT_EQ(doc["tracking_problems"].size(), 2u);
    auto up = dbtool({"migrate", "up"});
    EXPECT_EQ(up.exitCode, 8);
    EXPECT_THAT(up.err, HasSubstr("has rows dbtool cannot trust"));
    EXPECT_EQ(dbtool({"migrate", "down"}).exitCode, 8);
}

TEST_F(Migrate, JsonOutputParsesForEveryCommand) {
    threeMigrations();
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"migrate", "up", "--dry-run"},
          {"migrate", "up"},
          {"migrate", "status"},
          {"migrate", "validate"},
          {"migrate", "redo"},
          {"migrate", "down"},
          {"migrate", "mark-applied", "20240103000000"},
          {"migrate", "mark-pending", "20240103000000"}}) {
        auto withJson = args;
        withJson.push_back("--format");
        withJson.push_back("json");
        auto r = dbtool(withJson);
        EXPECT_EQ(r.exitCode, 0) << args[1] << ": " << r.err;
        EXPECT_NO_THROW(json::parse(r.out).is_object()) << args[1] << ": " << r.out;
    }
}

TEST_F(Migrate, PasswordNeverAppearsInAnyMigrateOutput) {
    threeMigrations();
    migration("20240104000000_bad.sql", "-- migrate:up\nSELECT 1/0;\n");
    const std::string password = target().password();
    for (const std::vector<std::string>& args : {std::vector<std::string>{"migrate", "up", "-v"},
                                                 {"migrate", "status", "-v", "--format", "json"},
                                                 {"migrate", "down", "-v"},
                                                 {"migrate", "validate", "-v"}}) {
        auto r = dbtool(args);
        EXPECT_THAT(r.out + r.err, Not(HasSubstr(password))) << args[1];
    }
}

}  // namespace
}  // namespace dbtool::test
