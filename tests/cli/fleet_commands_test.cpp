// Fleet runs through the real binary: `--targets GROUP` over tenant schemas, databases, URLs
// and a control query, in parallel, with failures, Ctrl-C and kill -9 mid-fleet.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <csignal>
#include <thread>

#include "support/database.hpp"

namespace dbtool::test {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

class Fleet : public DatabaseTest {
  protected:
    void SetUp() override {
        DatabaseTest::SetUp();
        exec(
            "CREATE SCHEMA tenant_1; CREATE SCHEMA tenant_2; CREATE SCHEMA tenant_3; "
            "CREATE SCHEMA tenant_template; CREATE SCHEMA billing; "
            "CREATE TABLE public.slow_tenants (name text, seconds int)");
        dir().write("migrations/1_items.sql",
                    "-- migrate:up\nCREATE TABLE items (id int PRIMARY KEY, note text);\n"
                    "-- migrate:down\nDROP TABLE items;\n");
        // Sleeps in the tenants public.slow_tenants names (so a test can catch one mid-run).
        dir().write("migrations/2_rows.sql",
                    "-- migrate:up\nINSERT INTO items VALUES (1, current_schema());\n"
                    "DO $$ DECLARE s int; BEGIN SELECT seconds INTO s FROM public.slow_tenants "
                    "WHERE name = current_schema(); IF s IS NOT NULL THEN PERFORM pg_sleep(s); "
                    "END IF; END $$;\n-- migrate:down\nDELETE FROM items;\n");
        writeConfig("");
    }
    void TearDown() override {
        for (const auto& name : extraDatabases_) {
            auto admin = db::Session::connect(serverTarget(), {});
            admin->runScript("DROP DATABASE IF EXISTS " + admin->quoteIdent(name) +
                             " WITH (FORCE)");
        }
        DatabaseTest::TearDown();
    }
    // dbtool.yaml with the group `tenants` (tenant_% but tenant_template) and `more`.
    void writeConfig(const std::string& more) const {
        dir().write("dbtool.yaml", "development:\n  url: " + url() +
                                       "\n  targets:\n    tenants:\n      - schemas: \"tenant_%\"\n"
                                       "        exclude: tenant_template\n" +
                                       more);
    }
    // A URL of another database of the test server, created now and dropped after the test.
    std::string createDatabase(const std::string& suffix) {
        const std::string name = databaseName() + suffix;
        auto admin = db::Session::connect(serverTarget(), {});
        admin->runScript("CREATE DATABASE " + admin->quoteIdent(name));
        extraDatabases_.push_back(name);
        const std::string created = url().substr(0, url().rfind('/') + 1) + name;
        inDatabase(created, "CREATE TABLE public.slow_tenants (name text, seconds int)");
        return created;
    }
    std::string inDatabase(const std::string& databaseUrl, const std::string& sql) const {
        auto s = db::Session::connect(ConnectionTarget::parse(databaseUrl, "test"), {});
        auto r = s->execParams(sql);
        return PQntuples(r.get()) == 0 ? "" : PQgetvalue(r.get(), 0, 0);
    }
    ProcessResult run(std::vector<std::string> args, ProcessOptions options = {}) const {
        return dbtool(std::move(args), std::move(options));
    }
    static json parse(const ProcessResult& r) {
        try {
            return json::parse(r.out);
        } catch (const std::exception&) {
            ADD_FAILURE() << "not JSON: " << r.out << r.err;
            return json::object();
        }
    }
    static std::string stateOf(const json& doc, const std::string& target) {
        for (const auto& t : doc["targets"])
            if (t["target"] == target)
                return t["state"];
        return "(absent)";
    }
    // Waits (up to 10 s) until a session sleeps in `schema`'s migration.
    bool sleepingIn(const std::string& schema) const {
        for (int i = 0; i < 200; ++i) {
            if (scalar("SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep' AND "
                       "datname = current_database()") == "1" &&
                scalar("SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                       "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '" +
                       schema + "' AND c.relname = 'items' AND l.pid <> pg_backend_pid()") != "0")
                return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        return false;
    }
    ProcessOptions child() const {
        ProcessOptions o = withEnv({{"DATABASE_URL", url()}});
        o.cwd = dir().path();
        return o;
    }

    std::vector<std::string> extraDatabases_;
};

TEST_F(Fleet, UpAppliesEveryMigrationInEachTenantSchemaWithItsOwnTrackingTable) {
    auto dry = run({"migrate", "up", "--targets", "tenants", "--dry-run"});
    ASSERT_EQ(dry.exitCode, 0) << dry.out << dry.err;
    EXPECT_THAT(dry.out, testing::ContainsRegex("TARGET +RESULT +FROM +TO +WOULD APPLY"));
    EXPECT_EQ(scalar("SELECT count(*) FROM pg_tables WHERE tablename = 'items'"), "0");
    auto r = run({"migrate", "up", "--targets", "tenants", "--parallel", "2"});
    ASSERT_EQ(r.exitCode, 0) << r.out << r.err;
    for (const std::string t : {"tenant_1", "tenant_2", "tenant_3"}) {
        EXPECT_EQ(scalar("SELECT note FROM " + t + ".items"), t);
        EXPECT_EQ(scalar("SELECT string_agg(version, ',' ORDER BY version) FROM " + t +
                         ".schema_migrations"),
                  "1,2");
        EXPECT_THAT(r.out, testing::ContainsRegex(t + " +done +- +2 +2"));
    }
    // Excluded and unmatched schemas, and the database's own search_path, are untouched.
    EXPECT_FALSE(tableExists("items"));
    EXPECT_EQ(scalar("SELECT count(*) FROM pg_tables WHERE schemaname IN ('tenant_template', "
                     "'billing', 'public') AND tablename <> 'slow_tenants'"),
              "0");
    EXPECT_THAT(r.out, HasSubstr("migrate up of 3 targets (group tenants) in "));
    EXPECT_THAT(r.out, HasSubstr(": 3 done."));

    // Again: nothing left to apply anywhere.
    auto again = run({"migrate", "up", "--targets", "tenants", "--format", "json"});
    ASSERT_EQ(again.exitCode, 0) << again.err;
    const json doc = parse(again);
    ASSERT_EQ(doc["targets"].size(), 3u);
    for (const auto& t : doc["targets"]) {
        EXPECT_EQ(t["state"], "done");
        EXPECT_EQ(t["changed"], 0);
        EXPECT_EQ(t["before"], "2");
        EXPECT_EQ(t["after"], "2");
    }
    EXPECT_EQ(doc["summary"]["done"], 3);
    EXPECT_EQ(doc["exit_code"], 0);
    for (const char* key : {"command", "group", "targets", "summary", "duration_ms", "exit_code"})
        EXPECT_TRUE(doc.contains(key)) << key;
    for (const char* key : {"target", "database", "schema", "state", "duration_ms", "error",
                            "before", "after", "changed", "result"})
        EXPECT_TRUE(doc["targets"][0].contains(key)) << key;

    // Down rolls back the newest migration of each.
    auto down = run({"migrate", "down", "--targets", "tenants"});
    ASSERT_EQ(down.exitCode, 0) << down.err;
    EXPECT_THAT(down.out, testing::ContainsRegex("tenant_2 +done +2 +1 +1"));
    EXPECT_EQ(scalar("SELECT count(*) FROM tenant_2.items"), "0");
}

// One connection serves every tenant of a database: what a tenant's migration leaves in the
// session (a temporary table, a session setting) does not reach the next tenant.
TEST_F(Fleet, TheNextTenantOnAConnectionStartsFromACleanSession) {
    dir().write("migrations/3_session.sql",
                "-- migrate:up\nCREATE TEMP TABLE IF NOT EXISTS leftover (s text);\n"
                "INSERT INTO leftover VALUES (current_schema());\n"
                "INSERT INTO items SELECT 100 + count(*), 'leftover' FROM leftover;\n"
                "INSERT INTO items SELECT 200, current_setting('work_mem');\n"
                "SET work_mem = '1234kB';\n");
    auto r = run({"migrate", "up", "--targets", "tenants", "--parallel", "1"});
    ASSERT_EQ(r.exitCode, 0) << r.out << r.err;
    for (const std::string t : {"tenant_1", "tenant_2", "tenant_3"}) {
        EXPECT_EQ(scalar("SELECT string_agg(id::text, ',' ORDER BY id) FROM " + t +
                         ".items WHERE id > 1"),
                  "101,200")
            << t;
        EXPECT_EQ(scalar("SELECT note FROM " + t + ".items WHERE id = 200"),
                  scalar("SELECT current_setting('work_mem')"));
    }
}

TEST_F(Fleet, OneTenantsFailingMigrationLeavesTheOthersAppliedAndTheExitCodeSaysSo) {
    exec("CREATE TABLE tenant_2.items (id int PRIMARY KEY)");  // 1_items fails there
    auto r = run({"migrate", "up", "--targets", "tenants", "--parallel", "3"});
    EXPECT_EQ(r.exitCode, 6) << r.out << r.err;
    EXPECT_THAT(r.out, testing::ContainsRegex("tenant_2 +failed .*migrations/1_items.sql:2:1"));
    EXPECT_THAT(r.out, HasSubstr("relation \"items\" already exists"));
    EXPECT_THAT(r.out, HasSubstr(": 2 done, 1 failed."));
    EXPECT_THAT(r.err, HasSubstr("error: migrate up failed on 1 of 3 targets: tenant_2"));
    // Without a terminal (a CI log): each failure as it happens, and how far the run is.
    EXPECT_THAT(r.err, HasSubstr("warning: tenant_2: migrations/1_items.sql:2:1: migration 1 "
                                 "items failed (up)"));
    EXPECT_THAT(r.err, Not(HasSubstr("targets ended")));  // a run under a second
    for (const std::string t : {"tenant_1", "tenant_3"})
        EXPECT_EQ(scalar("SELECT count(*) FROM " + t + ".schema_migrations"), "2");
    // The failed tenant's transaction rolled back: no tracking table, its own table as it was.
    EXPECT_EQ(scalar("SELECT to_regclass('tenant_2.schema_migrations') IS NULL"), "t");

    auto json = run({"migrate", "up", "--targets", "tenants", "--format", "json"});
    EXPECT_EQ(json.exitCode, 6);
    const auto doc = parse(json);
    EXPECT_EQ(stateOf(doc, "tenant_2"), "failed");
    EXPECT_EQ(stateOf(doc, "tenant_1"), "done");
    for (const auto& t : doc["targets"]) {
        if (t["target"] == "tenant_2") {
            EXPECT_EQ(t["error"]["exit_code"], 6);
            EXPECT_EQ(t["error"]["file"], "migrations/1_items.sql");
            EXPECT_EQ(t["error"]["line"], 2);
        }
    }
    EXPECT_EQ(doc["exit_code"], 6);
}

TEST_F(Fleet, ATargetThatCannotBeReachedFailsAloneWithTheConnectionExitCode) {
    const std::string missing = url().substr(0, url().rfind('/') + 1) + databaseName() + "_gone";
    writeConfig(
        "    withgone:\n      - schemas: \"tenant_%\"\n        exclude: tenant_template\n"
        "      - url: " +
        missing + "\n");
    auto r = run({"migrate", "up", "--targets", "withgone", "--parallel", "2"});
    EXPECT_EQ(r.exitCode, 3) << r.out << r.err;
    EXPECT_THAT(r.out, testing::ContainsRegex(databaseName() + "_gone +failed .*does not exist"));
    for (const std::string t : {"tenant_1", "tenant_2", "tenant_3"})
        EXPECT_EQ(scalar("SELECT count(*) FROM " + t + ".items"), "1") << t;
    auto status = run({"migrate", "status", "--targets", "withgone"});
    EXPECT_EQ(status.exitCode, 3);
    EXPECT_THAT(status.out, HasSubstr("  3  at 2, up to date\n"));
    EXPECT_THAT(status.out, HasSubstr("  failed  " + databaseName() + "_gone: "));
    EXPECT_THAT(status.out, HasSubstr("3 done, 1 failed."));
}

TEST_F(Fleet, FailFastStartsNoFurtherTargetAfterTheFirstFailure) {
    exec("CREATE TABLE tenant_1.items (id int PRIMARY KEY)");
    auto r = run({"migrate", "up", "--targets", "tenants", "--fail-fast", "--format", "json"});
    EXPECT_EQ(r.exitCode, 6) << r.err;
    const auto doc = parse(r);
    EXPECT_EQ(stateOf(doc, "tenant_1"), "failed");
    EXPECT_EQ(stateOf(doc, "tenant_2"), "not_run");
    EXPECT_EQ(stateOf(doc, "tenant_3"), "not_run");
    EXPECT_EQ(scalar("SELECT to_regclass('tenant_3.items') IS NULL"), "t");
    auto text = run({"migrate", "up", "--targets", "tenants", "--fail-fast"});
    EXPECT_THAT(text.out, HasSubstr("1 failed, 2 not run; stopped by --fail-fast"));
}

TEST_F(Fleet, CtrlCMidFleetRollsBackTheRunningTargetAndReportsWhatWasDone) {
    exec("INSERT INTO public.slow_tenants VALUES ('tenant_2', 30)");
    ChildProcess c({"migrate", "up", "--targets", "tenants", "--format", "json"}, child());
    ASSERT_TRUE(sleepingIn("tenant_2")) << serverActivity();
    c.signal(SIGINT);
    auto r = c.wait(30);
    EXPECT_EQ(r.exitCode, 130) << r.err;
    const auto doc = parse(r);
    EXPECT_EQ(stateOf(doc, "tenant_1"), "done");
    EXPECT_EQ(stateOf(doc, "tenant_2"), "interrupted");
    EXPECT_EQ(stateOf(doc, "tenant_3"), "not_run");
    EXPECT_EQ(doc["summary"]["not_run"], 1);
    EXPECT_EQ(scalar("SELECT count(*) FROM tenant_1.items"), "1");
    // tenant_2's second migration rolled back whole; its first stays applied.
    EXPECT_EQ(scalar("SELECT string_agg(version, ',') FROM tenant_2.schema_migrations"), "1");
    EXPECT_EQ(scalar("SELECT count(*) FROM tenant_2.items"), "0");
    EXPECT_EQ(scalar("SELECT to_regclass('tenant_3.items') IS NULL"), "t");

    exec("DELETE FROM public.slow_tenants");
    auto rerun = run({"migrate", "up", "--targets", "tenants"});
    ASSERT_EQ(rerun.exitCode, 0) << rerun.err;
    for (const std::string t : {"tenant_1", "tenant_2", "tenant_3"})
        EXPECT_EQ(scalar("SELECT count(*) FROM " + t + ".items"), "1") << t;
}

TEST_F(Fleet, OnATerminalAProgressLineCountsTheTargets) {
    exec("INSERT INTO public.slow_tenants VALUES ('tenant_2', 2)");
    ProcessOptions o = child();
    o.terminal = true;
    o.terminalColumns = 200;
    auto r = runDbtool({"migrate", "up", "--targets", "tenants"}, o);
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_THAT(r.err, HasSubstr("migrate up over 3 targets ("));
    EXPECT_THAT(r.err, HasSubstr("1 done, 1 running, 1 pending"));
    EXPECT_THAT(r.err, Not(HasSubstr("targets ended")));

    // Without a terminal (a CI log): a line at every tenth of the targets once the run has
    // lasted a second (tenant_1 ends before that).
    exec(
        "DROP SCHEMA tenant_1 CASCADE; DROP SCHEMA tenant_2 CASCADE; DROP SCHEMA tenant_3 "
        "CASCADE; CREATE SCHEMA tenant_1; CREATE SCHEMA tenant_2; CREATE SCHEMA tenant_3");
    auto log = runDbtool({"migrate", "up", "--targets", "tenants"}, child());
    ASSERT_EQ(log.exitCode, 0) << log.err;
    EXPECT_THAT(log.err, Not(HasSubstr("1 of 3 targets ended")));
    EXPECT_THAT(log.err, HasSubstr("info: migrate up: 2 of 3 targets ended (2 done, 0 running, "
                                   "1 pending)"));
    EXPECT_THAT(log.err, HasSubstr("info: migrate up: 3 of 3 targets ended (3 done, 0 running, "
                                   "0 pending)"));
}

TEST_F(Fleet, KillMidFleetThenTheRerunFinishesTheRestApplyingNothingTwice) {
    exec("INSERT INTO public.slow_tenants VALUES ('tenant_2', 2)");
    ChildProcess c({"migrate", "up", "--targets", "tenants", "--parallel", "2"}, child());
    ASSERT_TRUE(sleepingIn("tenant_2")) << serverActivity();
    c.signal(SIGKILL);
    c.wait(30);
    exec("DELETE FROM public.slow_tenants");
    // The killed run's server session ends its sleep, sees its client gone and rolls back;
    // the rerun waits for tenant_2's lock meanwhile.
    auto rerun = run({"migrate", "up", "--targets", "tenants", "--parallel", "2"});
    ASSERT_EQ(rerun.exitCode, 0) << rerun.out << rerun.err;
    for (const std::string t : {"tenant_1", "tenant_2", "tenant_3"}) {
        EXPECT_EQ(scalar("SELECT count(*) FROM " + t + ".items"), "1") << t;
        EXPECT_EQ(scalar("SELECT count(*) FROM " + t + ".schema_migrations"), "2") << t;
    }
}

TEST_F(Fleet, TwoFleetRunsAtOnceApplyEachMigrationOnceInEachTenant) {
    ChildProcess a({"migrate", "up", "--targets", "tenants", "--parallel", "2"}, child());
    ChildProcess b({"migrate", "up", "--targets", "tenants", "--parallel", "3"}, child());
    auto ra = a.wait(60);
    auto rb = b.wait(60);
    EXPECT_EQ(ra.exitCode, 0) << ra.out << ra.err;
    EXPECT_EQ(rb.exitCode, 0) << rb.out << rb.err;
    for (const std::string t : {"tenant_1", "tenant_2", "tenant_3"})
        EXPECT_EQ(scalar("SELECT count(*) FROM " + t + ".items"), "1") << t;
}

TEST_F(Fleet, AGroupMixesSchemasDatabasesUrlsAndAControlQuery) {
    const std::string shardA = createDatabase("_shard_a");
    const std::string shardB = createDatabase("_shard_b");
    inDatabase(shardA, "CREATE SCHEMA tenant_1");
    exec("CREATE TABLE public.fleet (url text, schema text); INSERT INTO public.fleet VALUES ('" +
         shardB + "', NULL), (NULL, 'billing')");
    writeConfig(
        "    mixed:\n"
        "      - schemas: \"tenant_%\"\n        exclude: \"tenant\\\\_t%\"\n"
        "      - schemas: tenant_1\n        database: " +
        shardA + "\n      - databases: \"" + databaseName() + "\\\\_shard\\\\_a\"\n      - url: " +
        url() + "\n      - query: SELECT url, schema FROM public.fleet\n");
    auto r = run({"migrate", "up", "--targets", "mixed", "--parallel", "4", "--format", "json"});
    ASSERT_EQ(r.exitCode, 0) << r.out << r.err;
    const auto doc = parse(r);
    std::vector<std::string> names;
    for (const auto& t : doc["targets"])
        names.push_back(t["target"]);
    // Two tenant_1 schemas: named with their databases. shard_b comes from the query (its URL
    // without a schema), billing from the query's schema in the environment's database.
    EXPECT_THAT(names, testing::ElementsAre(databaseName() + "/tenant_1", "tenant_2", "tenant_3",
                                            databaseName() + "_shard_a/tenant_1",
                                            databaseName() + "_shard_a", databaseName(),
                                            databaseName() + "_shard_b", "billing"));
    EXPECT_EQ(scalar("SELECT count(*) FROM public.items"), "1");
    EXPECT_EQ(scalar("SELECT count(*) FROM billing.items"), "1");
    EXPECT_EQ(inDatabase(shardA, "SELECT count(*) FROM tenant_1.items"), "1");
    EXPECT_EQ(inDatabase(shardA, "SELECT count(*) FROM public.schema_migrations"), "2");
    EXPECT_EQ(inDatabase(shardB, "SELECT count(*) FROM public.items"), "1");
    // The URLs of the config and of the query's rows are shown with their password masked.
    const std::string password = target().password();
    ASSERT_FALSE(password.empty());
    EXPECT_THAT(r.out + r.err, Not(HasSubstr(password)));
    EXPECT_THAT(doc["targets"][6]["database"].get<std::string>(), HasSubstr(":****@"));

    // --target narrows the group: by name, or by a LIKE pattern.
    auto one = run({"migrate", "status", "--targets", "mixed", "--target", "billing", "--target",
                    "%shard%", "--format", "json"});
    ASSERT_EQ(one.exitCode, 0) << one.err;
    EXPECT_EQ(parse(one)["targets"].size(), 4u);
    auto none = run({"migrate", "status", "--targets", "mixed", "--target", "tenant_9"});
    EXPECT_EQ(none.exitCode, 2);
    EXPECT_THAT(none.err, HasSubstr("--target tenant_9 matches no target"));
}

TEST_F(Fleet, StatusGroupsTargetsByStateAndNamesTheOddOnes) {
    ASSERT_EQ(run({"migrate", "up", "--targets", "tenants", "--target", "tenant_1", "--target",
                   "tenant_2"})
                  .exitCode,
              0);
    ASSERT_EQ(run({"migrate", "up", "--targets", "tenants", "--target", "tenant_3", "--to", "1"})
                  .exitCode,
              0);
    auto r = run({"migrate", "status", "--targets", "tenants"});
    EXPECT_EQ(r.exitCode, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("migrate status of 3 targets (group tenants) in "));
    EXPECT_THAT(r.out, HasSubstr("  2  at 2, up to date\n"));
    EXPECT_THAT(r.out, HasSubstr("  1  at 1, 1 pending (2): tenant_3\n"));
    auto gate = run({"migrate", "status", "--targets", "tenants", "--exit-code"});
    EXPECT_EQ(gate.exitCode, 8);

    dir().write("migrations/1_items.sql", "-- migrate:up\nCREATE TABLE items (id bigint);\n");
    auto validate = run({"migrate", "validate", "--targets", "tenants"});
    EXPECT_EQ(validate.exitCode, 8) << validate.out << validate.err;
    EXPECT_THAT(validate.out, HasSubstr("  3  invalid, 1 changed (1)"));
}

TEST_F(Fleet, SeedRunAndStatusLoadEachTenantsOwnTables) {
    ASSERT_EQ(run({"migrate", "up", "--targets", "tenants"}).exitCode, 0);
    dir().write("seeds/001_items.yaml", "items:\n  - {id: 10, note: seeded}\n  - {id: 11}\n");
    auto r = run({"seed", "run", "--targets", "tenants", "--parallel", "3"});
    ASSERT_EQ(r.exitCode, 0) << r.out << r.err;
    EXPECT_THAT(r.out, testing::ContainsRegex("tenant_3 +done +0 seeds applied +1 seed applied"));
    for (const std::string t : {"tenant_1", "tenant_2", "tenant_3"}) {
        EXPECT_EQ(scalar("SELECT count(*) FROM " + t + ".items"), "3") << t;
        EXPECT_EQ(scalar("SELECT count(*) FROM " + t + ".schema_seeds"), "1") << t;
    }
    exec("DROP TABLE tenant_2.schema_seeds CASCADE");
    auto status = run({"seed", "status", "--targets", "tenants", "--exit-code"});
    EXPECT_EQ(status.exitCode, 8) << status.out << status.err;
    EXPECT_THAT(status.out, HasSubstr("  2  1 applied\n"));
    EXPECT_THAT(status.out, HasSubstr("  1  1 pending (001_items): tenant_2\n"));
}

TEST_F(Fleet, TheTableLockModeKeepsALockRowInEachTenant) {
    ProcessOptions o;
    o.env["DBTOOL_LOCK_MODE"] = "table";
    auto r = run({"migrate", "up", "--targets", "tenants", "--parallel", "2"}, o);
    ASSERT_EQ(r.exitCode, 0) << r.out << r.err;
    for (const std::string t : {"tenant_1", "tenant_2", "tenant_3"}) {
        EXPECT_EQ(scalar("SELECT count(*) FROM " + t + ".dbtool_lock"), "0") << t;
        EXPECT_EQ(scalar("SELECT count(*) FROM " + t + ".items"), "1") << t;
    }
}

TEST_F(Fleet, ConfigurationAndCommandLineMistakesAreClearErrors) {
    auto unknown = run({"migrate", "up", "--targets", "tenant"});
    EXPECT_EQ(unknown.exitCode, 4);
    EXPECT_THAT(unknown.err, HasSubstr("no target group 'tenant' in environment 'development'"));
    EXPECT_THAT(unknown.err, HasSubstr("did you mean 'tenants'"));

    auto noGroup = run({"migrate", "up", "--target", "tenant_1"});
    EXPECT_EQ(noGroup.exitCode, 2);
    EXPECT_THAT(noGroup.err, HasSubstr("--targets"));

    writeConfig("    empty:\n      - schemas: \"nothing_%\"\n");
    auto empty = run({"migrate", "status", "--targets", "empty"});
    EXPECT_EQ(empty.exitCode, 4);
    EXPECT_THAT(empty.err, HasSubstr("target group 'empty' lists no targets"));

    writeConfig("    bad:\n      - schema: \"tenant_%\"\n");
    auto bad = run({"migrate", "status", "--targets", "tenants"});
    EXPECT_EQ(bad.exitCode, 4);
    EXPECT_THAT(bad.err, HasSubstr("unknown key 'schema' in target group 'bad'"));
    EXPECT_THAT(bad.err, HasSubstr("did you mean 'schemas'"));
    EXPECT_THAT(bad.err, HasSubstr("dbtool.yaml:8:9"));

    writeConfig("    q:\n      - query: SELECT 1 AS n, 2 AS m\n");
    auto query = run({"migrate", "status", "--targets", "q"});
    EXPECT_EQ(query.exitCode, 4);
    EXPECT_THAT(query.err, HasSubstr("neither a url nor a schema column"));

    writeConfig("    broken:\n      - query: SELECT url FROM no_such_table\n");
    auto failing = run({"migrate", "status", "--targets", "broken"});
    EXPECT_EQ(failing.exitCode, 6);
    EXPECT_THAT(failing.err, HasSubstr("the target query failed"));
    EXPECT_THAT(failing.err, HasSubstr("no_such_table"));
    EXPECT_THAT(failing.err, HasSubstr("--> dbtool.yaml:8:9"));

    writeConfig("");
    auto lint = run({"migrate", "up", "--targets", "tenants", "--lint"});
    EXPECT_EQ(lint.exitCode, 2);
    EXPECT_THAT(lint.err, HasSubstr("--lint is for one database"));
}

}  // namespace
}  // namespace dbtool::test
