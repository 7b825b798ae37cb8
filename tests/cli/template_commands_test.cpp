// db template and db clone through the real binary: templates keyed by content, reused when
// nothing changed, built once by parallel jobs; clones independent of each other and truthful
// about what is applied.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <thread>

#include "support/database.hpp"
#include "testdb/template_key.hpp"

namespace dbtool::test {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;

class TemplateCommands : public DatabaseTest {
  protected:
    void SetUp() override {
        DatabaseTest::SetUp();
        dir().write("migrations/1_users.sql",
                    "-- migrate:up\nCREATE TABLE users (id serial PRIMARY KEY, email text);\n"
                    "-- migrate:down\nDROP TABLE users;\n");
        dir().write("migrations/2_posts.sql",
                    "-- migrate:up\nCREATE TABLE posts (id serial PRIMARY KEY, title text);\n"
                    "-- migrate:down\nDROP TABLE posts;\n");
        dir().write("seeds/001_users.yaml", "users:\n  - {email: a@example.com}\n");
    }
    void TearDown() override {
        // Templates and clones are databases of their own, named after this test's database.
        dbtool({"db", "clone", "--drop-all"});
        dbtool({"db", "template", "--drop-all"});
        EXPECT_EQ(databasesLike(databaseName() + "\\_%"), "0");
        DatabaseTest::TearDown();
    }
    std::string databasesLike(const std::string& pattern) const {
        return scalar("SELECT count(*) FROM pg_database WHERE datname LIKE '" + pattern + "'");
    }
    json templateJson(const std::vector<std::string>& extra = {}) const {
        std::vector<std::string> args = {"--format", "json", "db", "template"};
        args.insert(args.end(), extra.begin(), extra.end());
        const auto r = dbtool(args);
        EXPECT_EQ(r.exitCode, 0) << r.err;
        return json::parse(r.out);
    }
    // Runs SQL in a clone, connecting the way a test worker would: its printed URL (which
    // carries no password) and the password from the environment.
    std::string inClone(const std::string& url, const std::string& sql) const {
        const auto t = ConnectionTarget::parse(url, "test").with("password", target().password());
        auto s = db::Session::connect(t, {});
        auto r = s->execParams(sql);
        return PQntuples(r.get()) > 0 ? PQgetvalue(r.get(), 0, 0) : "";
    }
    // Whether database `name` exists within `seconds` (a spare is copied after dbtool exits).
    bool appears(const std::string& name, double seconds = 20) const {
        const auto end = std::chrono::steady_clock::now() +
                         std::chrono::milliseconds(static_cast<int>(seconds * 1000));
        while (std::chrono::steady_clock::now() < end) {
            if (databasesLike(name) == "1")
                return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        return false;
    }
    json clone(const std::vector<std::string>& extra) const {
        std::vector<std::string> args = {"--format", "json", "db", "clone"};
        args.insert(args.end(), extra.begin(), extra.end());
        const auto r = dbtool(args);
        EXPECT_EQ(r.exitCode, 0) << r.err;
        return json::parse(r.out);
    }
};

TEST_F(TemplateCommands, BuildsOnceThenReusesUntilAFileChanges) {
    const json first = templateJson();
    EXPECT_TRUE(first["built"]);
    EXPECT_EQ(first["migrations"], 2);
    EXPECT_EQ(first["seeds"], 1);
    const std::string name = first["name"];
    EXPECT_EQ(name, testdb::templateName(databaseName(), first["key"]));
    // Complete, marked as a template, closed to connections.
    EXPECT_EQ(scalar("SELECT datistemplate::text || datallowconn::text FROM pg_database WHERE "
                     "datname = '" +
                     name + "'"),
              "truefalse");

    const json again = templateJson();
    EXPECT_FALSE(again["built"]);
    EXPECT_EQ(again["key"], first["key"]);
    const auto text = dbtool({"db", "template"});
    EXPECT_THAT(text.out, HasSubstr("template " + name + ": up to date"));

    // Every kind of change makes a new key: an up, a down, a seed, the random seed, no seeds.
    std::set<std::string> keys = {first["key"]};
    dir().write("migrations/2_posts.sql",
                "-- migrate:up\nCREATE TABLE posts (id serial PRIMARY KEY, title text);\n"
                "-- migrate:down\nDROP TABLE posts CASCADE;\n");
    keys.insert(templateJson({"--keep", "10"})["key"].get<std::string>());
    dir().write("migrations/3_tags.sql", "-- migrate:up\nCREATE TABLE tags (id int);\n");
    keys.insert(templateJson({"--keep", "10"})["key"].get<std::string>());
    dir().write("seeds/001_users.yaml", "users:\n  - {email: b@example.com}\n");
    keys.insert(templateJson({"--keep", "10"})["key"].get<std::string>());
    keys.insert(templateJson({"--keep", "10", "--random-seed", "7"})["key"].get<std::string>());
    keys.insert(templateJson({"--keep", "10", "--no-seeds"})["key"].get<std::string>());
    EXPECT_EQ(keys.size(), 6u);
    EXPECT_EQ(databasesLike(databaseName() + "\\_tpl\\_%"), "6");

    // --keep: the newest N stay.
    const json kept = templateJson({"--keep", "2"});
    EXPECT_FALSE(kept["built"]);  // the current one exists; pruning comes with a build
    dir().write("migrations/4_more.sql", "-- migrate:up\nCREATE TABLE more (id int);\n");
    const json pruned = templateJson({"--keep", "2"});
    EXPECT_TRUE(pruned["built"]);
    EXPECT_EQ(pruned["removed"].size(), 5u);
    EXPECT_EQ(databasesLike(databaseName() + "\\_tpl\\_%"), "2");
}

TEST_F(TemplateCommands, ClonesAreIndependentMigratedSeededAndTruthful) {
    const auto r = dbtool({"db", "clone", "--count", "3"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    std::vector<std::string> urls;
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);) {
        urls.push_back(line);
    }
    ASSERT_EQ(urls.size(), 3u) << r.out;
    for (const auto& url : urls) {
        EXPECT_THAT(url, MatchesRegex("postgres://.*/" + databaseName() + "_clone_[0-9a-f]{8}"));
        EXPECT_THAT(url, ::testing::Not(HasSubstr(target().password())));  // never printed
        EXPECT_EQ(inClone(url, "SELECT email FROM users"), "a@example.com");
    }
    EXPECT_THAT(r.err, ::testing::Not(HasSubstr(target().password())));
    // Independent: a change in one is not in the others (nor in the template).
    inClone(urls[0], "INSERT INTO users (email) VALUES ('only@first')");
    EXPECT_EQ(inClone(urls[0], "SELECT count(*) FROM users"), "2");
    EXPECT_EQ(inClone(urls[1], "SELECT count(*) FROM users"), "1");
    // The tracking tables came along: migrate status in a clone says everything is applied.
    const auto status =
        dbtool({"migrate", "status", "--exit-code"},
               withEnv({{"DATABASE_URL", urls[2]}, {"PGPASSWORD", target().password()}}));
    EXPECT_EQ(status.exitCode, 0) << status.out << status.err;
    EXPECT_THAT(status.out, HasSubstr("2 applied"));
    const auto seeds =
        dbtool({"seed", "status"},
               withEnv({{"DATABASE_URL", urls[2]}, {"PGPASSWORD", target().password()}}));
    EXPECT_THAT(seeds.out, HasSubstr("applied"));

    // Named clones, JSON, strategies (copies, not the spare the last clone left).
    const auto named = dbtool({"--format", "json", "db", "clone", databaseName() + "_w", "--count",
                               "2", "--strategy", "wal_log", "--no-spare"});
    ASSERT_EQ(named.exitCode, 0) << named.err;
    const json doc = json::parse(named.out);
    ASSERT_EQ(doc["clones"].size(), 2u);
    EXPECT_EQ(doc["clones"][0]["database"], databaseName() + "_w_1");
    EXPECT_EQ(doc["clones"][1]["database"], databaseName() + "_w_2");
    EXPECT_EQ(doc["clones"][0]["strategy"], "wal_log");
    EXPECT_FALSE(doc["template"]["built"]);
    const auto copied = dbtool({"--format", "json", "db", "clone", databaseName() + "_f",
                                "--strategy", "file_copy", "--no-spare"});
    EXPECT_EQ(json::parse(copied.out)["clones"][0]["strategy"], "file_copy");
    EXPECT_EQ(inClone(json::parse(copied.out)["clones"][0]["url"], "SELECT count(*) FROM posts"),
              "0");

    // An existing name is refused with the server's words; nothing else is touched.
    const auto clash = dbtool({"db", "clone", databaseName() + "_f"});
    EXPECT_EQ(clash.exitCode, 6);
    EXPECT_THAT(clash.err, HasSubstr("already exists"));

    // A failure part-way through --count says which clones were made before it.
    exec("CREATE DATABASE \"" + databaseName() + "_p_2\"");
    const auto partial =
        dbtool({"--format", "json", "db", "clone", databaseName() + "_p", "--count", "3"});
    exec("DROP DATABASE \"" + databaseName() + "_p_2\"");
    EXPECT_EQ(partial.exitCode, 6);
    const json failed = json::parse(partial.out)["error"];
    EXPECT_EQ(failed["clone"], databaseName() + "_p_2");
    ASSERT_EQ(failed["created_before_the_failure"].size(), 1u) << partial.out;
    EXPECT_EQ(failed["created_before_the_failure"][0]["database"], databaseName() + "_p_1");

    // Dropping: by name, then all; never a database that is not a clone.
    const auto refused = dbtool({"db", "clone", "--drop", databaseName() + "_f", databaseName()});
    EXPECT_EQ(refused.exitCode, 2);
    EXPECT_THAT(refused.err, HasSubstr("is not a clone made by `dbtool db clone`"));
    EXPECT_EQ(databasesLike(databaseName() + "\\_f"), "1");  // nothing dropped
    const auto dropped = dbtool({"db", "clone", "--drop", databaseName() + "_f", "nosuchdb"});
    EXPECT_EQ(dropped.exitCode, 0) << dropped.err;
    EXPECT_THAT(dropped.out, HasSubstr("dropped " + databaseName() + "_f"));
    EXPECT_THAT(dropped.out, HasSubstr("no database nosuchdb"));
    const auto all = dbtool({"db", "clone", "--drop-all"});
    EXPECT_EQ(all.exitCode, 0);
    EXPECT_EQ(databasesLike(databaseName() + "\\_clone\\_%"), "0");
    EXPECT_EQ(databasesLike(databaseName() + "\\_w\\_%"), "0");
    EXPECT_EQ(databasesLike(databaseName()), "1");  // the project's own database stays
}

// After its clones, db clone leaves a spare copy of the template being made; the next clone
// takes it with a rename (complete, a clone like the others) and leaves the next spare.
TEST_F(TemplateCommands, TheNextCloneTakesTheSpareTheLastOneLeft) {
    const json first = clone({databaseName() + "_a"});
    EXPECT_EQ(first["clones"][0]["strategy"], "file_copy");
    const std::string tpl = first["template"]["name"];
    const std::string spare = testdb::spareName(tpl);
    EXPECT_EQ(spare.size(), tpl.size());
    EXPECT_EQ(testdb::templateOfSpare(spare), tpl);
    ASSERT_TRUE(appears(spare));

    const json second = clone({databaseName() + "_b"});
    ASSERT_EQ(second["clones"].size(), 1u);
    EXPECT_EQ(second["clones"][0]["strategy"], "spare");
    EXPECT_EQ(second["clones"][0]["database"], databaseName() + "_b");
    const std::string taken = second["clones"][0]["url"];
    EXPECT_EQ(inClone(taken, "SELECT count(*) FROM schema_migrations"), "2");
    EXPECT_EQ(inClone(taken, "SELECT email FROM users"), "a@example.com");
    EXPECT_EQ(scalar("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE "
                     "datname = '" +
                     databaseName() + "_b'"),
              "dbtool clone of " + tpl);
    ASSERT_TRUE(appears(spare));  // the next one

    // A name that is taken: the spare stays a spare, the error is the usual one.
    const auto clash = dbtool({"db", "clone", databaseName() + "_a"});
    EXPECT_EQ(clash.exitCode, 6);
    EXPECT_THAT(clash.err, HasSubstr("already exists"));
    EXPECT_EQ(databasesLike(spare), "1");

    // --count: the spare is the first of them, the rest are copies.
    const json three = clone({databaseName() + "_n", "--count", "3"});
    ASSERT_EQ(three["clones"].size(), 3u);
    EXPECT_EQ(three["clones"][0]["strategy"], "spare");
    EXPECT_EQ(three["clones"][1]["strategy"], "file_copy");
    ASSERT_TRUE(appears(spare));

    // --no-spare neither takes it nor leaves one.
    EXPECT_EQ(clone({databaseName() + "_c", "--no-spare"})["clones"][0]["strategy"], "file_copy");
    EXPECT_EQ(databasesLike(spare), "1");
    const auto dropped = dbtool({"db", "clone", "--drop-all"});
    EXPECT_EQ(dropped.exitCode, 0) << dropped.err;
    EXPECT_THAT(dropped.out, HasSubstr("dropped " + spare));  // a clone made ahead goes too
    EXPECT_EQ(databasesLike(spare), "0");
    clone({databaseName() + "_d", "--no-spare"});
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    EXPECT_EQ(databasesLike(spare), "0");

    // --drop-all waits for a spare still being copied, so none appears after it. The copy is
    // held up by a lock on the template (COMMENT ON DATABASE conflicts with CREATE DATABASE's
    // lock on its template) until --drop-all is running.
    auto holder = connect();
    holder->runScript("BEGIN; COMMENT ON DATABASE \"" + tpl + "\" IS 'held'");
    std::thread copy([&] {
        auto s = connect();
        s->runScript("CREATE DATABASE \"" + spare + "\" TEMPLATE \"" + tpl + "\"");
    });
    ProcessOptions o = withEnv({{"DATABASE_URL", url()}});
    o.cwd = dir().path();
    ChildProcess dropAll({"db", "clone", "--drop-all"}, o);
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    holder->runScript("ROLLBACK");
    copy.join();
    const auto waited = dropAll.wait(60);
    EXPECT_EQ(waited.exitCode, 0) << waited.err;
    EXPECT_THAT(waited.out, HasSubstr("dropped " + spare));
    EXPECT_EQ(databasesLike(spare), "0");

    // A changed file: a new template; the old one's spare goes with it (--keep 1).
    clone({databaseName() + "_f"});
    ASSERT_TRUE(appears(spare));
    dir().write("migrations/3_tags.sql", "-- migrate:up\nCREATE TABLE tags (id int);\n");
    const json changed = clone({databaseName() + "_g", "--keep", "1"});
    EXPECT_NE(changed["template"]["name"], tpl);
    EXPECT_EQ(changed["clones"][0]["strategy"], "file_copy");
    EXPECT_THAT(changed["template"]["removed"], ::testing::Contains(spare));
    EXPECT_EQ(databasesLike(spare), "0");
    EXPECT_TRUE(appears(testdb::spareName(changed["template"]["name"])));
}

TEST_F(TemplateCommands, ParallelJobsBuildTheTemplateOnce) {
    dir().write("migrations/3_slow.sql", "-- migrate:up\nSELECT pg_sleep(1);\n");
    std::vector<std::unique_ptr<ChildProcess>> jobs;
    for (int i = 0; i < 4; ++i) {
        ProcessOptions o = withEnv({{"DATABASE_URL", url()}});
        o.cwd = dir().path();
        jobs.push_back(std::make_unique<ChildProcess>(
            std::vector<std::string>{"--format", "json", "db", "clone"}, o));
    }
    int built = 0;
    for (auto& job : jobs) {
        const auto r = job->wait(60);
        ASSERT_EQ(r.exitCode, 0) << r.err;
        const json doc = json::parse(r.out);
        built += doc["template"]["built"].get<bool>() ? 1 : 0;
        // auto on the test server, which runs with fsync=off: FILE_COPY (or the spare one of
        // the others left).
        EXPECT_THAT(doc["clones"][0]["strategy"].get<std::string>(),
                    ::testing::AnyOf("file_copy", "spare"));
        EXPECT_EQ(inClone(doc["clones"][0]["url"], "SELECT count(*) FROM schema_migrations"), "3");
    }
    EXPECT_EQ(built, 1);
    EXPECT_EQ(databasesLike(databaseName() + "\\_tpl\\_%"), "1");
    EXPECT_EQ(databasesLike(databaseName() + "\\_clone\\_%"), "4");
}

TEST_F(TemplateCommands, AFailedBuildLeavesNoTemplateAndSaysWhere) {
    dir().write("migrations/3_bad.sql", "-- migrate:up\nCREATE TABLE bad (id int);\nSELECT 1/0;\n");
    const auto r = dbtool({"db", "clone"});
    EXPECT_EQ(r.exitCode, 6);
    EXPECT_THAT(r.err, HasSubstr("3_bad.sql:3:1"));
    EXPECT_THAT(r.err, HasSubstr("division by zero"));
    EXPECT_EQ(databasesLike(databaseName() + "\\_%"), "0");  // no template, no clone
    // Fixed, the next run builds it.
    dir().write("migrations/3_bad.sql", "-- migrate:up\nCREATE TABLE bad (id int);\n");
    EXPECT_EQ(dbtool({"db", "clone"}).exitCode, 0);
}

TEST_F(TemplateCommands, ARoleWithoutCreatedbIsToldWhatItNeeds) {
    const std::string role = "nocreate_" + databaseName().substr(databaseName().size() - 12);
    exec("CREATE ROLE \"" + role + "\" LOGIN PASSWORD 'pw'");
    const std::string hostAndDb = url().substr(url().find('@'));
    auto r = dbtool({"db", "clone"},
                    withEnv({{"DATABASE_URL", "postgresql://" + role + ":pw" + hostAndDb}}));
    exec("DROP ROLE \"" + role + "\"");
    EXPECT_EQ(r.exitCode, 6) << r.err;
    EXPECT_THAT(r.err,
                HasSubstr("cannot create the template database " + databaseName() + "_tpl_"));
    EXPECT_THAT(r.err, HasSubstr("CREATEDB"));
    EXPECT_EQ(databasesLike(databaseName() + "\\_%"), "0");
}

TEST_F(TemplateCommands, BadArgumentsAreUsageErrors) {
    auto r = dbtool({"db", "clone", std::string(62, 'x'), "--count", "2"});
    EXPECT_EQ(r.exitCode, 2);
    EXPECT_THAT(r.err, HasSubstr("longer than PostgreSQL's 63 bytes"));
    r = dbtool({"db", "clone", "--strategy", "rsync"});
    EXPECT_EQ(r.exitCode, 2);
    r = dbtool({"db", "clone", "--count", "0"});
    EXPECT_EQ(r.exitCode, 2);
    r = dbtool({"db", "template", "--keep", "0"});
    EXPECT_EQ(r.exitCode, 2);
    EXPECT_EQ(databasesLike(databaseName() + "\\_%"), "0");
}

}  // namespace
}  // namespace dbtool::test
