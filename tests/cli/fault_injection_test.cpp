// Fault injection: dbtool killed with SIGKILL at random moments, its server connection
// terminated mid-run. Afterwards every migration and seed file must be either applied and
// recorded or absent, the advisory lock free, and a re-run must complete.
//
// The kill points come from a seeded RNG; a failing trial prints the seed and the delay, so
// DBTOOL_FAULT_SEED=<seed> reproduces the whole sequence.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <random>
#include <thread>

#include "support/database.hpp"

namespace dbtool::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// 25 kills per test; DBTOOL_FAULT_TRIALS changes it (the sanitizer run of CI uses fewer: it
// looks for memory errors on the same paths, at several times the cost per process).
const int kTrials = [] {
    const char* s = std::getenv("DBTOOL_FAULT_TRIALS");
    return s != nullptr && std::atoi(s) > 0 ? std::atoi(s) : 25;
}();
constexpr int kMigrations = 8;
constexpr int kSeeds = 5;
constexpr int kMigrationRows = 8000;  // per migration
// Per seed file: COPY loads rows several times faster than a migration's INSERT ... SELECT and
// index build, so the files are bigger for the kills to land mid-run as often; the second file's
// labelled rows are inserted in batches, several times slower than COPY, so it has fewer.
constexpr int kSeedRows = 30000;
constexpr int kLabelledSeedRows = 8000;
int seedRows(int i) {
    return i == 2 ? kLabelledSeedRows : kSeedRows;
}

uint64_t faultSeed() {
    if (const char* s = std::getenv("DBTOOL_FAULT_SEED")) {
        return std::strtoull(s, nullptr, 10);
    }
    return static_cast<uint64_t>(std::random_device{}());
}

class FaultInjection : public DatabaseTest {
  protected:
    void SetUp() override {
        DatabaseTest::SetUp();
        options_ = withEnv({{"DATABASE_URL", url()}});
        options_.cwd = dir().path();
    }

    // Migrations long enough that kills land mid-statement: each fills a table and indexes it.
    void writeMigrations() const {
        for (int i = 1; i <= kMigrations; ++i) {
            const std::string t = "t" + std::to_string(i);
            dir().write("migrations/" + std::to_string(1000 + i) + "_create_" + t + ".sql",
                        "-- migrate:up\nCREATE TABLE " + t +
                            " (id int PRIMARY KEY, v text);\nINSERT INTO " + t +
                            " SELECT g, md5(g::text) FROM generate_series(1, " +
                            std::to_string(kMigrationRows) + ") g;\nCREATE INDEX ON " + t +
                            " (v);\n-- migrate:down\nDROP TABLE " + t + ";\n");
        }
    }

    void writeSeeds() const {
        exec(
            "CREATE TABLE items (id serial PRIMARY KEY, seed text NOT NULL, name text NOT NULL, "
            "n int NOT NULL)");
        for (int i = 1; i <= kSeeds; ++i) {
            const std::string name = "00" + std::to_string(i) + "_items";
            // An inline row and generated rows through COPY (keys kept as ranges); in the
            // second file the generated rows are labelled, so they are inserted in batches and
            // their keys recorded one by one: both loading paths and both kinds of keys.
            dir().write("seeds/" + name + ".yaml",
                        "items:\n"
                        "  rows:\n"
                        "    - {seed: " +
                            name +
                            ", name: first, n: 0}\n"
                            "  generate:\n"
                            "    count: " +
                            std::to_string(seedRows(i)) + "\n" +
                            (i == 2 ? "    label: \"r{{seq}}\"\n" : "") + "    row: {seed: " +
                            name + ", name: \"{{name}}\", n: \"{{int 1 9}}\"}\n");
        }
    }

    // Waits until no session other than ours is connected to the database (a killed client's
    // backend finishes its statement, notices the lost client and rolls back).
    void waitForOrphanedBackends() const {
        for (int i = 0; i < 300; ++i) {
            if (scalar("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                       "AND pid <> pg_backend_pid()") == "0") {
                return;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        FAIL() << "a killed dbtool's server session did not end within 15 s";
    }

    void expectLockFree() const {
        EXPECT_EQ(scalar("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database = "
                         "(SELECT oid FROM pg_database WHERE datname = current_database())"),
                  "0");
    }

    // Every migration is applied and recorded, or neither; applied ones are complete.
    int expectMigrationsConsistent() const {
        int applied = 0;
        const bool tracking = tableExists("schema_migrations");
        for (int i = 1; i <= kMigrations; ++i) {
            const std::string t = "t" + std::to_string(i);
            const bool recorded =
                tracking && scalar("SELECT count(*) FROM schema_migrations WHERE version = '" +
                                   std::to_string(1000 + i) + "'") == "1";
            const bool exists = tableExists(t);
            EXPECT_EQ(recorded, exists) << "migration " << 1000 + i;
            if (exists) {
                ++applied;
                EXPECT_EQ(scalar("SELECT count(*) FROM " + t), std::to_string(kMigrationRows));
                EXPECT_EQ(scalar("SELECT count(*) FROM pg_indexes WHERE tablename = '" + t + "'"),
                          "2");
            }
        }
        return applied;
    }

    // Every seed file is fully loaded and recorded, or absent.
    int expectSeedsConsistent() const {
        int applied = 0;
        const bool tracking = tableExists("schema_seeds");
        for (int i = 1; i <= kSeeds; ++i) {
            const std::string name = "00" + std::to_string(i) + "_items";
            const bool recorded =
                tracking &&
                scalar("SELECT count(*) FROM schema_seeds WHERE name = '" + name + "'") == "1";
            const std::string rows =
                scalar("SELECT count(*) FROM items WHERE seed = '" + name + "'");
            EXPECT_EQ(rows, recorded ? std::to_string(seedRows(i) + 1) : "0") << name;
            applied += recorded ? 1 : 0;
        }
        return applied;
    }

    // How long an uninterrupted run takes, so the kill points spread over all of it.
    double timedRun(const std::vector<std::string>& args) const {
        const auto start = std::chrono::steady_clock::now();
        auto r = dbtool(args, options_);
        EXPECT_EQ(r.exitCode, 0) << r.err;
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }

    void killAfter(const std::vector<std::string>& args, double seconds) const {
        ChildProcess child(args, options_);
        std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
        child.signal(SIGKILL);
        child.wait();
    }

    // kTrials times: `reset` the database, run `args` and kill it after a random delay, then
    // `check` (returns how many steps are applied, expecting each whole or absent), re-run,
    // expect all `steps` applied, and run `afterRerun`.
    void killTrials(const std::vector<std::string>& args, int steps,
                    const std::function<void()>& reset, const std::function<int()>& check,
                    const std::function<void()>& afterRerun, int trials = kTrials) {
        const double full = timedRun(args);
        const uint64_t seed = faultSeed();
        std::mt19937_64 rng(seed);
        std::uniform_real_distribution<double> when(0.0, full * 1.1);
        int partial = 0;
        // Under load (ctest -j, sanitizers) a run can take longer than the timed one, and kills
        // land before the first step more often: keep going, up to 3 times the trials, until a
        // third of them have landed mid-run. Every trial checks consistency all the same.
        int trial = 1;
        for (; trial <= trials || (partial < trials / 3 && trial <= 3 * trials); ++trial) {
            reset();
            const double delay = when(rng);
            SCOPED_TRACE("DBTOOL_FAULT_SEED=" + std::to_string(seed) + ", trial " +
                         std::to_string(trial) + ", killed after " + std::to_string(delay) + " s");
            killAfter(args, delay);
            waitForOrphanedBackends();
            expectLockFree();
            const int applied = check();
            partial += (applied > 0 && applied < steps) ? 1 : 0;
            auto rerun = dbtool(args, options_);
            ASSERT_EQ(rerun.exitCode, 0) << rerun.err;
            EXPECT_EQ(check(), steps);
            afterRerun();
            if (HasFailure())
                return;
        }
        // The kills must have landed mid-run, not only before the start or after the end.
        EXPECT_GE(partial, trials / 3) << "seed " << seed << ", full run " << full << " s";
        std::fprintf(stderr, "%d of %d kills landed mid-run (full run %.2f s)\n", partial,
                     trial - 1, full);
    }

    // Terminates (server side) the session of this database whose query is LIKE `pattern`,
    // once `ready` says so; polls for up to 30 s.
    bool terminateSessionRunning(const std::string& pattern,
                                 const std::function<bool()>& ready) const {
        for (int i = 0; i < 600; ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
            if (ready() &&
                scalar("SELECT bool_or(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE "
                       "datname = current_database() AND query LIKE '" +
                       pattern + "' AND pid <> pg_backend_pid()") == "t")
                return true;
        }
        return false;
    }

    ProcessOptions options_;
};

TEST_F(FaultInjection, KillDuringMigrateUpLeavesEachMigrationWholeOrAbsent) {
    writeMigrations();
    killTrials(
        {"migrate", "up"}, kMigrations,
        [&] { exec("DROP SCHEMA public CASCADE; CREATE SCHEMA public"); },
        [&] { return expectMigrationsConsistent(); }, [] {});
}

// The same with lock_mode: table: a killed run's lock row stays until lock_ttl (1 s here) has
// passed since its last heartbeat, and the re-run takes it over. Fewer trials: each re-run
// waits for the expiry.
TEST_F(FaultInjection, KillDuringMigrateUpWithTheTableLock) {
    options_.env["DBTOOL_LOCK_MODE"] = "table";
    options_.env["DBTOOL_LOCK_TTL"] = "1s";
    writeMigrations();
    killTrials(
        {"migrate", "up"}, kMigrations,
        [&] { exec("DROP SCHEMA public CASCADE; CREATE SCHEMA public"); },
        [&] { return expectMigrationsConsistent(); },
        [&] { EXPECT_EQ(scalar("SELECT count(*) FROM dbtool_lock"), "0"); },
        std::max(3, kTrials / 5));
}

TEST_F(FaultInjection, KillDuringSeedRunLeavesEachSeedWholeOrAbsent) {
    writeSeeds();
    killTrials(
        {"seed", "run"}, kSeeds,
        [&] {
            exec(
                "TRUNCATE items; DROP TABLE IF EXISTS schema_seeds, schema_seed_keys, "
                "schema_seed_labels");
        },
        [&] { return expectSeedsConsistent(); },
        [&] {
            // Undo still removes exactly what the seeds inserted.
            exec("INSERT INTO items (seed, name, n) VALUES ('app', 'kept', 1)");
            auto undo = dbtool({"seed", "undo", "--all"});
            ASSERT_EQ(undo.exitCode, 0) << undo.err;
            EXPECT_EQ(scalar("SELECT string_agg(seed, ',') FROM items"), "app");
        });
}

// The server ends dbtool's session (an administrator, a failover, an idle-killer) while a
// migration runs: a clear connection error, and the same consistency afterwards.
TEST_F(FaultInjection, TerminatedServerSessionDuringMigrateUp) {
    writeMigrations();
    dir().write("migrations/1050_slow.sql", "-- migrate:up\nSELECT pg_sleep(30);\n");
    ChildProcess child({"migrate", "up"}, options_);
    ASSERT_TRUE(terminateSessionRunning("%pg_sleep(30)%", [] { return true; }));
    auto r = child.wait();
    EXPECT_EQ(r.exitCode, 3) << r.err;
    EXPECT_THAT(r.err, HasSubstr("1050_slow"));
    EXPECT_THAT(r.err, HasSubstr("terminat"));
    EXPECT_THAT(r.err, Not(HasSubstr(target().password())));
    waitForOrphanedBackends();
    expectLockFree();
    EXPECT_EQ(expectMigrationsConsistent(), kMigrations);  // all ran before the slow one
    EXPECT_EQ(scalar("SELECT count(*) FROM schema_migrations WHERE version = '1050'"), "0");
    dir().write("migrations/1050_slow.sql", "-- migrate:up\nSELECT 1;\n");
    auto rerun = dbtool({"migrate", "up"});
    EXPECT_EQ(rerun.exitCode, 0) << rerun.err;
    EXPECT_EQ(expectMigrationsConsistent(), kMigrations);
}

TEST_F(FaultInjection, TerminatedServerSessionDuringSeedRun) {
    writeSeeds();
    dir().write("seeds/004_items.yaml",
                "items:\n"
                "  generate:\n"
                "    count: 30000000\n"
                "    row: {seed: 004_items, name: \"{{sentence 8}}\", n: \"{{int 1 9}}\"}\n");
    ChildProcess child({"seed", "run"}, options_);
    // Once 003 is committed, the COPY running is 004's.
    ASSERT_TRUE(terminateSessionRunning("COPY%", [&] {
        return tableExists("schema_seeds") &&
               scalar("SELECT count(*) FROM schema_seeds WHERE name = '003_items'") == "1";
    }));
    const auto terminated = std::chrono::steady_clock::now();
    auto r = child.wait();
    // It stops generating rows when the connection goes, not after all 30 million of them.
    EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - terminated).count(),
              15);
    EXPECT_EQ(r.exitCode, 3) << r.err;
    EXPECT_THAT(r.err, HasSubstr("004_items"));
    waitForOrphanedBackends();
    expectLockFree();
    EXPECT_EQ(scalar("SELECT count(*) FROM items WHERE seed = '004_items'"), "0");
    EXPECT_EQ(scalar("SELECT count(*) FROM schema_seeds"), "3");
}

}  // namespace
}  // namespace dbtool::test
