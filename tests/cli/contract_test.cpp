// What scripts depend on (README "Exit codes" and "JSON output"): every documented exit code
// through a real command, one JSON error document with snake_case keys and arrays, the same
// words for Ctrl-C in text and JSON, and dry runs that find what the real run would hit.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "support/database.hpp"

namespace dbtool::test {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

class Contract : public DatabaseTest {
  protected:
    void migration(const std::string& file, const std::string& content) const {
        dir().write("migrations/" + file, content);
    }
    void seed(const std::string& file, const std::string& content) const {
        dir().write("seeds/" + file, content);
    }
    ProcessOptions inDir() const {
        ProcessOptions o = withEnv({{"DATABASE_URL", url()}});
        o.cwd = dir().path();
        return o;
    }
    void waitForSleeper() const {
        for (int i = 0; i < 100; ++i) {
            if (scalar("SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep' AND "
                       "datname = current_database()") == "1")
                return;
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        FAIL() << "the slow statement never started";
    }
    // Runs `args` in the background until a pg_sleep of it runs, then sends SIGINT.
    ProcessResult interrupted(std::vector<std::string> args) const {
        ChildProcess child(args, inDir());
        waitForSleeper();
        child.signal(SIGINT);
        return child.wait(20);
    }
};

// Every key of a JSON document, at every depth, is snake_case: a jq user writes .a_b.c.
// Objects keyed by data (row_counts by table name, data list rows by column name) are not
// schema keys and are skipped.
void expectSnakeCaseKeys(const json& doc, const std::string& path = "") {
    if (path.ends_with(".row_counts") || path == ".rows[]")
        return;
    if (doc.is_object()) {
        for (const auto& [key, value] : doc.items()) {
            EXPECT_THAT(key, ::testing::MatchesRegex("[a-z][a-z0-9_]*")) << path << "." << key;
            expectSnakeCaseKeys(value, path + "." + key);
        }
    } else if (doc.is_array()) {
        for (const auto& item : doc)
            expectSnakeCaseKeys(item, path + "[]");
    }
}

TEST_F(Contract, EveryDocumentedExitCodeComesFromTheCommandThatShouldGiveIt) {
    migration("1_a.sql",
              "-- migrate:up\nCREATE TABLE a (id int PRIMARY KEY);\n"
              "-- migrate:down\nDROP TABLE a;\n");
    EXPECT_EQ(dbtool({"migrate", "up"}).exitCode, 0);
    // 1: an I/O error (the schema dump cannot be written there).
    auto io = dbtool({"schema", "dump", "--file", "migrations/1_a.sql/schema.sql"});
    EXPECT_EQ(io.exitCode, 1) << io.err;
    // 2: usage — an unknown option, an unknown version (the same for both mark commands), a
    // --after key of the wrong type.
    EXPECT_EQ(dbtool({"migrate", "up", "--stepp", "1"}).exitCode, 2);
    for (const char* command : {"mark-applied", "mark-pending"}) {
        auto r = dbtool({"migrate", command, "99999"});
        EXPECT_EQ(r.exitCode, 2) << command << ": " << r.err;
        EXPECT_THAT(r.err, HasSubstr("has version 99999")) << command;
    }
    exec("INSERT INTO a SELECT generate_series(1, 30)");
    auto after = dbtool({"data", "list", "a", "--after", "[\"abc\"]"});
    EXPECT_EQ(after.exitCode, 2) << after.err;
    EXPECT_THAT(after.err,
                HasSubstr("--after: value \"abc\" for column id is not of type integer"));
    EXPECT_THAT(after.err, Not(HasSubstr("sqlstate")));
    // 3: nothing listens there.
    auto down = dbtool({"db", "ping"}, withEnv({{"DATABASE_URL", "postgres://u@127.0.0.1:1/x"}}));
    EXPECT_EQ(down.exitCode, 3) << down.err;
    // 4: a URL whose options libpq refuses is a configuration error, not "cannot connect".
    for (const std::string& bad :
         {url() + "?sslmode=bogus", std::string("postgres://u@host:notaport/db"),
          std::string("postgres://u@localhost:99999/db")}) {
        auto r = dbtool({"db", "ping", "--database-url", bad});
        EXPECT_EQ(r.exitCode, 4) << bad << ": " << r.err;
        EXPECT_THAT(r.err, HasSubstr("invalid database URL from --database-url")) << bad;
        EXPECT_THAT(r.err, Not(HasSubstr("is the server running"))) << bad;
    }
    // 5: an invalid migration file, found before anything runs.
    migration("2_b.sql", "-- migrate:sideways\n");
    EXPECT_EQ(dbtool({"migrate", "up"}).exitCode, 5);
    // 6: a statement fails.
    migration("2_b.sql", "-- migrate:up\nSELECT 1/0;\n");
    EXPECT_EQ(dbtool({"migrate", "up"}).exitCode, 6);
    // 7: another dbtool holds the lock longer than --lock-timeout.
    migration("2_b.sql", "-- migrate:up\nSELECT pg_sleep(30);\n");
    {
        ChildProcess holder({"migrate", "up"}, inDir());
        waitForSleeper();
        auto waiter = dbtool({"migrate", "up", "--lock-timeout", "200ms"});
        EXPECT_EQ(waiter.exitCode, 7) << waiter.err;
        // 130: interrupted; the running migration is rolled back.
        holder.signal(SIGINT);
        EXPECT_EQ(holder.wait(20).exitCode, 130);
    }
    // 8: a check found a difference (pending migration).
    EXPECT_EQ(dbtool({"migrate", "status", "--exit-code"}).exitCode, 8);
}

// Every command's success document has the keys README "JSON output" lists, in snake_case.
TEST_F(Contract, EveryCommandsJsonHasTheDocumentedKeys) {
    migration("1_users.sql",
              "-- migrate:up\nCREATE TABLE users (id int PRIMARY KEY, email text);\n"
              "-- migrate:down\nDROP TABLE users;\n");
    seed("001_users.yaml", "users:\n  - {id: 1, email: a@x}\n");
    const std::vector<std::pair<std::vector<std::string>, std::vector<std::string>>> cases = {
        {{"db", "ping"}, {"ok", "target", "server_version", "user", "database", "elapsed_ms"}},
        {{"db", "wait"}, {"ready", "target", "server_version", "elapsed_ms"}},
        {{"db", "create"}, {"database", "created"}},
        {{"migrate", "up", "--dry-run"},
         {"command", "dry_run", "steps", "version_before", "version_after", "duration_ms"}},
        {{"migrate", "up"},
         {"command", "dry_run", "steps", "version_before", "version_after", "duration_ms"}},
        {{"migrate", "status"},
         {"migrations", "summary", "interrupted", "tracking_problems", "repeatable_migrations",
          "repeatable_summary"}},
        {{"migrate", "validate"}, {"valid", "problems", "applied"}},
        {{"schema", "diff"},
         {"drift", "differences", "migrations_applied", "repeatable_applied", "without_file"}},
        {{"migrate", "lint", "--all"}, {"findings", "summary"}},
        {{"migrate", "lint", "--rules"}, {"rules"}},
        {{"migrate", "verify"}, {"migrations", "summary"}},
        {{"migrate", "redo"}, {"command", "steps", "version_after"}},
        {{"seed", "run", "--dry-run"}, {"dry_run", "seeds", "rows_inserted"}},
        {{"seed", "run"}, {"dry_run", "seeds", "rows_inserted"}},
        {{"seed", "status"}, {"seeds", "summary", "environment"}},
        {{"data", "list", "users"}, {"table", "columns", "rows", "paging"}},
        {{"data", "list", "users", "--count"}, {"table", "count"}},
        {{"seed", "undo"}, {"seeds", "rows_deleted"}},
        {{"db", "template"},
         {"name", "key", "built", "duration_ms", "bytes", "migrations", "seeds", "removed"}},
        {{"db", "clone"}, {"template", "clones"}},
        {{"db", "clone", "--drop-all"}, {"dropped", "missing"}},
        {{"db", "template", "--drop-all"}, {"dropped"}},
        {{"migrate", "mark-pending", "1"}, {"version", "name", "state"}},
        {{"migrate", "mark-applied", "1"}, {"version", "name", "state"}},
        {{"migrate", "create", "more"}, {"version", "name", "files"}},
        {{"seed", "create", "more"}, {"file"}},
        {{"model", "generate", "Tag", "--attributes", "name:string", "--dry-run"},
         {"table", "migration_sql", "seed_yaml"}},
    };
    for (const auto& [args, keys] : cases) {
        auto withJson = args;
        withJson.insert(withJson.end(), {"--format", "json"});
        auto r = dbtool(withJson);
        ASSERT_EQ(r.exitCode, 0) << args[0] << " " << args[1] << ": " << r.err;
        const json doc = json::parse(r.out);
        expectSnakeCaseKeys(doc);
        for (const auto& key : keys)
            EXPECT_TRUE(doc.contains(key)) << args[0] << " " << args[1] << ": no " << key;
    }
}

TEST_F(Contract, AFailedRunsJsonHasTheCompletedStepsAsArraysInTheSuccessShape) {
    migration("001_a.sql", "-- migrate:up\nCREATE TABLE a (id int);\n");
    migration("002_b.sql", "-- migrate:up\nCREATE TABLE b (id int);\n");
    migration("003_c.sql", "-- migrate:up\nCREATE TABLE c (id int REFERENCES nope);\n");
    auto r = dbtool({"migrate", "up", "--format", "json"});
    ASSERT_EQ(r.exitCode, 6) << r.err;
    const json doc = json::parse(r.out);
    expectSnakeCaseKeys(doc);
    const json& error = doc["error"];
    EXPECT_EQ(error["exit_code"], 6);
    EXPECT_EQ(error["sqlstate"], "42P01");
    // Relative to the working directory, as the user would type it.
    EXPECT_EQ(error["file"], "migrations/003_c.sql");
    EXPECT_EQ(error["line"], 2);
    ASSERT_TRUE(error["applied_in_this_run"].is_array());
    ASSERT_EQ(error["applied_in_this_run"].size(), 2u);
    EXPECT_EQ(error["applied_in_this_run"][1]["version"], "002");
    EXPECT_EQ(error["applied_in_this_run"][1]["name"], "b");
    // The steps that did complete, as `migrate up` lists them when it succeeds.
    ASSERT_EQ(doc["steps"].size(), 2u);
    EXPECT_EQ(doc["steps"][0]["version"], "001");
    EXPECT_EQ(doc["steps"][0]["direction"], "up");
    EXPECT_TRUE(doc["steps"][0]["duration_ms"].is_number());
    // Text says the same.
    migration("003_c.sql", "-- migrate:up\nCREATE TABLE c (id int REFERENCES nope);\n");
    exec("DROP TABLE a, b; DELETE FROM schema_migrations");
    auto text = dbtool({"migrate", "up"});
    EXPECT_THAT(text.err, HasSubstr("applied in this run: 001 a, 002 b"));
    EXPECT_THAT(text.err, HasSubstr("  --> migrations/003_c.sql:2:"));

    // Nothing completed: an empty array, not "none".
    auto again = dbtool({"migrate", "up", "--format", "json"});
    const json second = json::parse(again.out);
    EXPECT_EQ(second["error"]["applied_in_this_run"], json::array());
    EXPECT_EQ(second["steps"], json::array());  // 001 and 002 ran again in `text`: none now
}

TEST_F(Contract, SeedFailuresAndOtherErrorsUseSnakeCaseKeys) {
    exec("CREATE TABLE users (id serial PRIMARY KEY, age int CHECK (age > 0))");
    seed("001_ok.yaml", "users:\n  - {age: 1}\n");
    seed("002_bad.yaml", "users:\n  - {age: -1}\n");
    auto r = dbtool({"seed", "run", "--format", "json"});
    ASSERT_EQ(r.exitCode, 6) << r.err;
    const json doc = json::parse(r.out);
    expectSnakeCaseKeys(doc);
    EXPECT_EQ(doc["error"]["applied_in_this_run"], json::parse(R"([{"name": "001_ok"}])"));
    ASSERT_EQ(doc["seeds"].size(), 1u);
    EXPECT_EQ(doc["seeds"][0]["name"], "001_ok");
    EXPECT_EQ(doc["seeds"][0]["tables"][0]["inserted"], 1);

    auto noServer = dbtool({"db", "ping", "--format", "json"},
                           withEnv({{"DATABASE_URL", "postgres://u@127.0.0.1:1/x"}}));
    const json connect = json::parse(noServer.out);
    expectSnakeCaseKeys(connect);
    EXPECT_EQ(connect["error"]["target_from"], "DATABASE_URL (environment)");

    migration("1_a.sql", "-- migrate:sideways\n");
    migration("2_b.sql", "-- migrate:sideways\n");
    const json files = json::parse(dbtool({"migrate", "up", "--format", "json"}).out);
    expectSnakeCaseKeys(files);
    ASSERT_EQ(files["error"]["also"].size(), 1u);
    EXPECT_EQ(files["error"]["also"][0]["line"], 1);
}

TEST_F(Contract, CtrlCSaysTheSameInTextAndJson) {
    exec("CREATE TABLE t (id int PRIMARY KEY)");
    seed("001_first.yaml", "t:\n  - {id: 1}\n");
    exec(
        "CREATE FUNCTION slow() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN PERFORM pg_sleep(30); RETURN NEW; END $$");
    exec("CREATE TABLE s (id int PRIMARY KEY)");
    exec("CREATE TRIGGER slow BEFORE INSERT ON s FOR EACH ROW EXECUTE FUNCTION slow()");
    seed("002_slow.yaml", "s:\n  - {id: 1}\n");
    auto text = interrupted({"seed", "run"});
    EXPECT_EQ(text.exitCode, 130) << text.err;
    EXPECT_THAT(text.err, HasSubstr("error: interrupted while running seed 002_slow"));
    EXPECT_THAT(text.err, HasSubstr("applied in this run: 001_first"));
    EXPECT_THAT(text.err, Not(HasSubstr("canceling statement")));

    auto asJson = interrupted({"seed", "run", "--format", "json"});
    EXPECT_EQ(asJson.exitCode, 130) << asJson.err;
    const json doc = json::parse(asJson.out);
    EXPECT_EQ(doc["error"]["message"], "interrupted while running seed 002_slow");
    EXPECT_EQ(doc["error"]["exit_code"], 130);
    EXPECT_EQ(doc["error"]["applied_in_this_run"], json::array());  // 001 ran the first time
    EXPECT_FALSE(doc["error"].contains("sqlstate"));
    EXPECT_EQ(scalar("SELECT count(*) FROM s"), "0");
}

TEST_F(Contract, SeedDryRunDoesTheRealWorkAndRollsItBack) {
    exec(
        "CREATE TABLE users (id serial PRIMARY KEY, email text, age int CHECK (age > 0), "
        "created_at timestamptz)");
    exec("CREATE TABLE posts (id serial PRIMARY KEY, user_id int REFERENCES users, title text)");
    seed("001_users.yaml", "users:\n  - {_label: ann, email: a@x, age: 3}\n");
    // A later seed refers to a label the dry run's earlier seed defines.
    seed("002_posts.yaml", "posts:\n  - {user_id: !ref users.ann, title: T}\n");
    auto ok = dbtool({"seed", "run", "--dry-run"});
    ASSERT_EQ(ok.exitCode, 0) << ok.err;
    EXPECT_THAT(ok.out, HasSubstr("would seed   002_posts  public.posts: 1 inserted"));
    EXPECT_THAT(ok.out, HasSubstr("Dry run: 2 seeds would load 2 rows"));
    EXPECT_EQ(scalar("SELECT count(*) FROM users"), "0");
    EXPECT_FALSE(tableExists("schema_seeds"));

    // A CHECK constraint and a value of the wrong type: found with file and line.
    seed("003_bad.yaml", "users:\n  - {email: b@x, age: 2}\n  - {email: c@x, age: -1}\n");
    auto check = dbtool({"seed", "run", "--dry-run"});
    EXPECT_EQ(check.exitCode, 6) << check.err;
    EXPECT_THAT(check.err, HasSubstr("users_age_check"));
    EXPECT_THAT(check.err, HasSubstr("003_bad.yaml:3:5"));
    EXPECT_THAT(check.err, HasSubstr("checked in this dry run: 001_users, 002_posts"));
    EXPECT_THAT(check.err, HasSubstr("nothing was changed"));
    seed("003_bad.yaml", "users:\n  - {email: d@x, created_at: yesterday-ish}\n");
    auto type = dbtool({"seed", "run", "--dry-run"});
    EXPECT_EQ(type.exitCode, 6) << type.err;
    EXPECT_THAT(type.err, HasSubstr("003_bad.yaml:2:"));
    EXPECT_EQ(scalar("SELECT count(*) FROM users"), "0");
    EXPECT_FALSE(tableExists("schema_seeds"));
    // What the dry run said is what the real run does.
    EXPECT_EQ(dbtool({"seed", "run"}).exitCode, 6);
}

TEST_F(Contract, MigrateDryRunRunsEachStepInARolledBackTransaction) {
    migration("1_a.sql",
              "-- migrate:up\nCREATE TABLE a (id int PRIMARY KEY);\n"
              "-- migrate:down\nDROP TABLE a;\n");
    migration("2_b.sql",
              "-- migrate:up\nCREATE TABLE b (id int REFERENCES a);\n"
              "INSERT INTO b VALUES (5);\n");
    auto bad = dbtool({"migrate", "up", "--dry-run"});
    EXPECT_EQ(bad.exitCode, 6) << bad.err;
    EXPECT_THAT(bad.err, HasSubstr("migration 2 b would fail (up)"));
    EXPECT_THAT(bad.err, HasSubstr("2_b.sql:3:1"));
    EXPECT_THAT(bad.err, HasSubstr("checked in this dry run: 1 a"));
    EXPECT_FALSE(tableExists("a"));
    EXPECT_FALSE(tableExists("schema_migrations"));

    migration("2_b.sql", "-- migrate:up\nCREATE TABLE b (id int REFERENCES a);\n");
    migration("3_c.sql",
              "-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY bi ON b (id);\n");
    migration("4_d.sql", "-- migrate:up\nCREATE TABLE d (id int);\n");
    auto r = dbtool({"migrate", "up", "--dry-run", "--format", "json"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const json doc = json::parse(r.out);
    ASSERT_EQ(doc["steps"].size(), 4u);
    EXPECT_EQ(doc["steps"][1]["checked"], true);
    EXPECT_EQ(doc["steps"][2]["checked"], false);
    EXPECT_THAT(doc["steps"][2]["not_checked_because"].get<std::string>(),
                HasSubstr("transaction:false"));
    EXPECT_THAT(doc["steps"][3]["not_checked_because"].get<std::string>(),
                HasSubstr("comes after 3 c"));
    auto text = dbtool({"migrate", "up", "--dry-run"});
    EXPECT_THAT(text.out, HasSubstr("2 ran without error in a transaction that was rolled back, "
                                    "2 not checked; nothing was changed"));
    EXPECT_FALSE(tableExists("a"));
}

TEST_F(Contract, TyposGetASuggestionAndRangesReadAsEnglish) {
    auto command = dbtool({"migrat", "up"});
    EXPECT_EQ(command.exitCode, 2);
    EXPECT_THAT(command.err,
                HasSubstr("unknown command 'migrat' for `dbtool`, did you mean 'migrate'?"));
    auto option = dbtool({"migrate", "up", "--stepp", "1"});
    EXPECT_EQ(option.exitCode, 2);
    EXPECT_THAT(
        option.err,
        HasSubstr("unknown option '--stepp' for `dbtool migrate up`, did you mean '--step'?"));
    auto zero = dbtool({"migrate", "up", "--step", "0"});
    EXPECT_EQ(zero.exitCode, 2);
    EXPECT_THAT(zero.err, HasSubstr("--step: must be at least 1 (got 0)"));
    EXPECT_LT(zero.err.size(), 200u);
}

TEST_F(Contract, NothingToSeedIsOneLineAndCountsArePlural) {
    exec("CREATE TABLE t (id int PRIMARY KEY)");
    seed("001_a.yaml", "t:\n  - {id: 1}\n");
    seed("002_b.yaml", "t:\n  - {id: 2}\n  - {id: 3}\n");
    auto first = dbtool({"seed", "run", "001_a"});
    EXPECT_THAT(first.out, HasSubstr("Ran 1 seed, 1 row inserted."));
    auto second = dbtool({"seed", "run"});
    EXPECT_THAT(second.out, HasSubstr("Ran 1 seed, 2 rows inserted."));
    auto nothing = dbtool({"seed", "run"});
    EXPECT_EQ(nothing.out, "Nothing to seed; all 2 seeds are applied.\n");
    auto verbose = dbtool({"seed", "run", "-v"});
    EXPECT_THAT(verbose.err, HasSubstr("001_a already applied; skipped"));
}

TEST_F(Contract, ADbmateProjectWorksWithoutFlags) {
    dir().write(
        "db/migrations/20240101000000_users.sql",
        "-- migrate:up\nCREATE TABLE users (id int);\n-- migrate:down\nDROP TABLE users;\n");
    auto up = dbtool({"migrate", "up", "-v"});
    ASSERT_EQ(up.exitCode, 0) << up.err;
    EXPECT_TRUE(tableExists("users"));
    EXPECT_THAT(up.err, HasSubstr("db/migrations (from dbmate's default folder; ./migrations "
                                  "does not exist)"));
    // dbmate's own variable names the folder too.
    dir().write("sql/20240102000000_posts.sql", "-- migrate:up\nCREATE TABLE posts (id int);\n");
    auto o = inDir();
    o.env["DBMATE_MIGRATIONS_DIR"] = "sql";
    auto status = dbtool({"migrate", "status", "--format", "json"}, o);
    ASSERT_EQ(status.exitCode, 0) << status.err;
    EXPECT_EQ(json::parse(status.out)["migrations"][0]["version"], "20240101000000");
    EXPECT_EQ(json::parse(status.out)["migrations"][0]["state"], "missing");
}

TEST_F(Contract, MigrateCreateFollowsTheFoldersNumbering) {
    for (int i = 1; i <= 5; ++i) {
        const std::string v = "00000" + std::to_string(i);
        dir().write("migrations/" + v + "_m" + std::to_string(i) + ".up.sql", "SELECT 1;\n");
        dir().write("migrations/" + v + "_m" + std::to_string(i) + ".down.sql", "SELECT 1;\n");
    }
    auto r = dbtool({"migrate", "create", "add_posts"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("migrations/000006_add_posts.up.sql"));
    EXPECT_THAT(r.out, HasSubstr("migrations/000006_add_posts.down.sql"));
    // Timestamps stay timestamps.
    TempDir other;
    other.write("migrations/20240101000000_a.sql", "-- migrate:up\nSELECT 1;\n");
    ProcessOptions o = inDir();
    o.cwd = other.path();
    auto stamped = dbtool({"migrate", "create", "b"}, o);
    EXPECT_THAT(stamped.out, ::testing::MatchesRegex(".*/migrations/20[0-9]{12}_b\\.sql\n"));
}

TEST_F(Contract, AnEmptyMigrationIsNotSilentlyRecorded) {
    ASSERT_EQ(dbtool({"migrate", "create", "todo"}).exitCode, 0);
    auto up = dbtool({"migrate", "up"});
    EXPECT_EQ(up.exitCode, 5) << up.err;
    EXPECT_THAT(up.err, HasSubstr(" todo is empty: its up section has no SQL statement"));
    EXPECT_THAT(up.err, HasSubstr("--allow-empty"));
    EXPECT_FALSE(tableExists("schema_migrations"));
    auto allowed = dbtool({"migrate", "up", "--allow-empty"});
    EXPECT_EQ(allowed.exitCode, 0) << allowed.err;
    EXPECT_EQ(scalar("SELECT count(*) FROM schema_migrations"), "1");
}

TEST_F(Contract, InitStartsAProjectThatWorksAndRefusesToOverwrite) {
    TempDir project;
    ProcessOptions o = withEnv({{"DATABASE_URL", std::nullopt}});
    o.cwd = project.path();
    auto init = dbtool({"init"}, o);
    ASSERT_EQ(init.exitCode, 0) << init.err;
    for (const char* path : {"dbtool.yaml", ".env.example"})
        EXPECT_TRUE(std::filesystem::is_regular_file(project.path() / path)) << path;
    for (const char* path : {"migrations", "seeds"})
        EXPECT_TRUE(std::filesystem::is_directory(project.path() / path)) << path;
    EXPECT_THAT(init.out, HasSubstr("dbtool db create"));
    EXPECT_THAT(init.out, HasSubstr("dbtool migrate create create_users"));
    EXPECT_THAT(init.out, HasSubstr("dbtool migrate up"));
    // The configuration reads DATABASE_URL in every environment.
    project.write("migrations/1_users.sql", "-- migrate:up\nCREATE TABLE users (id int);\n");
    project.write("seeds/001_users.yaml", "users:\n  - {id: 1}\n");
    o.env["DATABASE_URL"] = url();
    for (const char* env : {"development", "test", "production"}) {
        auto status = dbtool({"migrate", "status", "--env", env}, o);
        EXPECT_EQ(status.exitCode, 0) << env << ": " << status.err;
    }
    ASSERT_EQ(dbtool({"migrate", "up"}, o).exitCode, 0);
    ASSERT_EQ(dbtool({"seed", "run"}, o).exitCode, 0);
    EXPECT_EQ(scalar("SELECT count(*) FROM users"), "1");
    // A second init changes nothing.
    project.write("dbtool.yaml", "mine: {}\n");
    auto again = dbtool({"init"}, o);
    EXPECT_EQ(again.exitCode, 2);
    EXPECT_THAT(again.err, HasSubstr("refusing to overwrite dbtool.yaml, .env.example"));
    EXPECT_EQ(dbtool({"init", "--format", "json"}, o).exitCode, 2);
}

TEST_F(Contract, SeedCreateWithoutATableWritesAFileThatRuns) {
    auto created = dbtool({"seed", "create", "demo_data"});
    ASSERT_EQ(created.exitCode, 0) << created.err;
    auto run = dbtool({"seed", "run"});
    EXPECT_EQ(run.exitCode, 0) << run.err;
    EXPECT_THAT(run.out, HasSubstr("Ran 1 seed, 0 rows inserted."));
    EXPECT_FALSE(tableExists("demo_data"));
}

// Exit 5 means "found before anything runs": a later seed file that is not readable YAML
// stops the run before the earlier ones load.
TEST_F(Contract, AnUnreadableSeedFileStopsTheRunBeforeAnySeedLoads) {
    exec("CREATE TABLE t (id int PRIMARY KEY, name text)");
    seed("001_ok.yaml", "t:\n  - {id: 1, name: a}\n");
    seed("002_dup.yaml", "t:\n  - {id: 2, name: T1, name: T2}\n");
    auto r = dbtool({"seed", "run", "--format", "json"});
    EXPECT_EQ(r.exitCode, 5) << r.err;
    const json doc = json::parse(r.out);
    EXPECT_EQ(doc["error"]["file"], "seeds/002_dup.yaml");
    EXPECT_EQ(doc["error"]["line"], 2);
    EXPECT_THAT(doc["error"]["message"].get<std::string>(), HasSubstr("duplicate key 'name'"));
    EXPECT_EQ(doc["error"]["applied_in_this_run"], json::array());
    EXPECT_EQ(scalar("SELECT count(*) FROM t"), "0");
    EXPECT_FALSE(tableExists("schema_seeds"));
    seed("002_dup.yaml", "t:\n  - {id: 2, name: T2}\n");
    ASSERT_EQ(dbtool({"seed", "run"}).exitCode, 0);
    EXPECT_EQ(scalar("SELECT count(*) FROM t"), "2");
}

// On a terminal, long work shows a progress line on stderr; piped or in JSON, nothing.
TEST_F(Contract, ProgressShowsOnATerminalOnly) {
    migration("1_fast.sql", "-- migrate:up\nCREATE TABLE t (id int PRIMARY KEY, v text);\n");
    migration("2_slow.sql", "-- migrate:up\nSELECT pg_sleep(1.3);\n-- migrate:down\nSELECT 1;\n");
    ProcessOptions terminal = inDir();
    terminal.terminal = true;
    terminal.terminalColumns = 200;
    terminal.env["NO_COLOR"] = "1";
    auto up = dbtool({"migrate", "up"}, terminal);
    ASSERT_EQ(up.exitCode, 0) << up.err;
    // Drawn from the first second on, every quarter second (a busy machine may be later).
    EXPECT_THAT(up.err,
                ::testing::ContainsRegex("applying migration 2 of 2: 2 slow \\([0-9]+ s\\)"));
    EXPECT_THAT(up.err, HasSubstr("\r\x1b[K"));  // the line is erased before the results
    EXPECT_THAT(up.out, Not(HasSubstr("\r")));

    // pg_sleep's shortest sleep is about a millisecond: 1,500 rows take 1.5 s or more.
    exec(
        "CREATE FUNCTION slow() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN PERFORM pg_sleep(0.001); RETURN NEW; END $$");
    exec("CREATE TRIGGER slow BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION slow()");
    seed("001_many.yaml",
         "t:\n  generate:\n    count: 1500\n    row: {id: \"{{seq}}\", v: \"{{word}}\"}\n");
    auto seeded = dbtool({"seed", "run"}, terminal);
    ASSERT_EQ(seeded.exitCode, 0) << seeded.err;
    EXPECT_THAT(seeded.err,
                ::testing::ContainsRegex("seed 001_many \\([0-9]+ s\\): public\\.t: 1,500 rows"));
    EXPECT_THAT(seeded.err, HasSubstr("100%"));

    // Not a terminal, or JSON: the same slow work shows no progress at all.
    auto piped = dbtool({"migrate", "redo"});
    EXPECT_EQ(piped.exitCode, 0) << piped.err;
    EXPECT_EQ(piped.err, "");
    auto json = dbtool({"migrate", "redo", "--format", "json"}, terminal);
    EXPECT_EQ(json.exitCode, 0) << json.err;
    EXPECT_THAT(json.err, Not(HasSubstr("migration 1 of")));
}

}  // namespace
}  // namespace dbtool::test
