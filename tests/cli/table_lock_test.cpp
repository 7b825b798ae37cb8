// lock_mode: table through the real binary: a lock row with a heartbeat instead of an advisory
// lock. (Concurrent runs in both modes: Migrate.EightConcurrentRuns..., ParallelRuns...; kills:
// FaultInjection.KillDuringMigrateUpWithTheTableLock.)
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <thread>

#include "support/database.hpp"

namespace dbtool::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class TableLock : public DatabaseTest {
  protected:
    void SetUp() override {
        DatabaseTest::SetUp();
        options_ = withEnv(
            {{"DATABASE_URL", url()}, {"DBTOOL_LOCK_MODE", "table"}, {"DBTOOL_LOCK_TTL", "1s"}});
        options_.cwd = dir().path();
        dir().write("migrations/1_slow.sql", "-- migrate:up\nSELECT pg_sleep(30);\n");
        dir().write("migrations/2_items.sql", "-- migrate:up\nCREATE TABLE items (id int);\n");
    }
    ProcessResult run(const std::vector<std::string>& args) const {
        return runDbtool(args, options_);
    }
    // Waits (up to 10 s) until `sql` returns "1".
    bool waitFor(const std::string& sql) const {
        for (int i = 0; i < 200; ++i) {
            if (tableExists("dbtool_lock") && scalar(sql) == "1")
                return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        return false;
    }
    bool slowMigrationRunning(const std::string& sleep = "pg_sleep(30)") const {
        return waitFor("SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%" + sleep +
                       "%' AND pid <> pg_backend_pid() AND datname = current_database()");
    }

    ProcessOptions options_;
};

TEST_F(TableLock, TheRowNamesItsHolderWhoseRunOthersWaitForOrGiveUpOn) {
    ChildProcess holder({"migrate", "up"}, options_);
    ASSERT_TRUE(slowMigrationRunning());
    EXPECT_THAT(scalar("SELECT owner FROM dbtool_lock WHERE name = 'run'"),
                HasSubstr("dbtool pid " + std::to_string(holder.pid())));
    // No advisory lock in this mode (in this test's database: tests run side by side).
    EXPECT_EQ(scalar("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database = "
                     "(SELECT oid FROM pg_database WHERE datname = current_database())"),
              "0");
    auto waiting = run({"migrate", "up", "--lock-timeout", "1s"});
    EXPECT_EQ(waiting.exitCode, 7) << waiting.err;
    EXPECT_THAT(waiting.err, HasSubstr("another dbtool holds the lock on schema 'public'"));
    EXPECT_THAT(waiting.err, HasSubstr("held by dbtool pid " + std::to_string(holder.pid())));
    EXPECT_THAT(waiting.err, HasSubstr("last heartbeat"));
    holder.signal(SIGINT);
    auto stopped = holder.wait();
    EXPECT_EQ(stopped.exitCode, 130) << stopped.err;
    // Released on the way out, Ctrl-C included.
    EXPECT_EQ(scalar("SELECT count(*) FROM dbtool_lock"), "0");
}

TEST_F(TableLock, AKilledRunsLockIsTakenOverOnceItsHeartbeatStops) {
    dir().write("migrations/1_slow.sql", "-- migrate:up\nSELECT pg_sleep(3);\n");
    ChildProcess killed({"migrate", "up"}, options_);
    ASSERT_TRUE(slowMigrationRunning("pg_sleep(3)"));
    killed.signal(SIGKILL);
    killed.wait();
    // The row stays behind; the next run waits for it to expire (lock_ttl 1s), takes it over
    // and says whose it was. (The killed run's server session still runs its statement, then
    // notices its client is gone and rolls back: the next run waits for that on the tracking
    // table, as it would for the advisory lock.)
    EXPECT_EQ(scalar("SELECT count(*) FROM dbtool_lock"), "1");
    dir().write("migrations/1_slow.sql", "-- migrate:up\nSELECT 1;\n");
    const auto start = std::chrono::steady_clock::now();
    auto next = run({"migrate", "up", "--lock-timeout", "20s"});
    ASSERT_EQ(next.exitCode, 0) << next.err;
    EXPECT_THAT(next.err, HasSubstr("took over the lock on schema 'public' from dbtool pid " +
                                    std::to_string(killed.pid())));
    EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 10);
    EXPECT_EQ(rows("SELECT version FROM schema_migrations ORDER BY version"),
              (std::vector<std::string>{"1", "2"}));
    EXPECT_EQ(scalar("SELECT count(*) FROM dbtool_lock"), "0");
}

TEST_F(TableLock, ARunThatLosesItsLockCommitsNothingMore) {
    dir().write("migrations/1_slow.sql",
                "-- migrate:up\nCREATE TABLE a (id int);\nSELECT pg_sleep(2);\n");
    ChildProcess run({"migrate", "up"}, options_);
    ASSERT_TRUE(slowMigrationRunning("pg_sleep(2)"));
    // Another run took the row over (as if this one had stalled past its expiry).
    exec("UPDATE dbtool_lock SET owner = 'dbtool pid 1 on elsewhere (0)'");
    auto r = run.wait();
    EXPECT_EQ(r.exitCode, 7) << r.err;
    EXPECT_THAT(r.err, HasSubstr("this run lost its lock"));
    EXPECT_THAT(r.err, HasSubstr("applied in this run: none"));
    EXPECT_FALSE(tableExists("a"));  // the migration that was running was rolled back
    EXPECT_FALSE(tableExists("items"));
    // The other run's row is not released by this one.
    EXPECT_EQ(scalar("SELECT owner FROM dbtool_lock"), "dbtool pid 1 on elsewhere (0)");
}

TEST_F(TableLock, AHeartbeatWhoseConnectionDropsConnectsAgainAndKeepsTheLock) {
    dir().write("migrations/1_slow.sql", "-- migrate:up\nSELECT pg_sleep(2);\n");
    ChildProcess run({"migrate", "up"}, options_);
    ASSERT_TRUE(slowMigrationRunning("pg_sleep(2)"));
    // The heartbeat's connection is the one that last wrote the lock row.
    ASSERT_TRUE(waitFor(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE query LIKE "
        "'UPDATE%dbtool_lock%' AND pid <> pg_backend_pid() AND datname = current_database()"));
    auto r = run.wait();
    EXPECT_EQ(r.exitCode, 0) << r.err;
    EXPECT_THAT(r.err, Not(HasSubstr("lost its lock")));
    EXPECT_EQ(rows("SELECT version FROM schema_migrations ORDER BY version"),
              (std::vector<std::string>{"1", "2"}));
    EXPECT_EQ(scalar("SELECT count(*) FROM dbtool_lock"), "0");
}

TEST_F(TableLock, SeedsTakeTheSameLock) {
    dir().write("migrations/1_slow.sql",
                "-- migrate:up\nCREATE TABLE tags (code text PRIMARY KEY);\n");
    dir().write("migrations/2_items.sql", "-- migrate:up\nSELECT 1;\n");
    ASSERT_EQ(run({"migrate", "up"}).exitCode, 0);
    dir().write("seeds/001_tags.yaml", "tags:\n  - {code: a}\n  - {code: b}\n");
    exec(
        "INSERT INTO dbtool_lock VALUES ('run', 'someone else', now(), now(), now() + interval "
        "'1 hour')");
    auto blocked = run({"seed", "run", "--lock-timeout", "500ms"});
    EXPECT_EQ(blocked.exitCode, 7) << blocked.err;
    EXPECT_THAT(blocked.err, HasSubstr("held by someone else"));
    exec("DELETE FROM dbtool_lock");
    auto seeded = run({"seed", "run"});
    ASSERT_EQ(seeded.exitCode, 0) << seeded.err;
    EXPECT_EQ(scalar("SELECT count(*) FROM tags"), "2");
}

TEST_F(TableLock, TheSettingsAreChecked) {
    auto mode = runDbtool({"migrate", "up"}, [&] {
        ProcessOptions o = options_;
        o.env["DBTOOL_LOCK_MODE"] = "rows";
        return o;
    }());
    EXPECT_EQ(mode.exitCode, 4) << mode.err;
    EXPECT_THAT(mode.err, HasSubstr("lock_mode is advisory or table, not 'rows'"));
    auto flag = run({"migrate", "up", "--lock-mode", "rows"});
    EXPECT_EQ(flag.exitCode, 2) << flag.err;
    auto ttl = runDbtool({"migrate", "up"}, [&] {
        ProcessOptions o = options_;
        o.env["DBTOOL_LOCK_TTL"] = "200ms";
        return o;
    }());
    EXPECT_EQ(ttl.exitCode, 4) << ttl.err;
    EXPECT_THAT(ttl.err, HasSubstr("lock_ttl is at least 1s"));
    EXPECT_FALSE(tableExists("dbtool_lock"));
}

}  // namespace
}  // namespace dbtool::test
