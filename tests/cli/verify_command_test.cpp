// migrate verify through the real binary: the scratch database is created on the same server
// and dropped however the command ends.
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

class VerifyCommand : public DatabaseTest {
  protected:
    // Scratch databases of the dbtool process `pid` still on the server.
    std::string leftover(int pid) const {
        return scalar(
            "SELECT count(*) FROM pg_database WHERE datname LIKE 'dbtool_scratch_verify_" +
            std::to_string(pid) + "_%'");
    }
};

TEST_F(VerifyCommand, ReportsEachMigrationAndExitsEightOnADifference) {
    dir().write("migrations/1_users.sql",
                "-- migrate:up\nCREATE TABLE users (id int PRIMARY KEY, email text);\n"
                "-- migrate:down\nDROP TABLE users;\n");
    dir().write("migrations/2_index.sql",
                "-- migrate:up\nCREATE INDEX users_email_idx ON users (email);\n"
                "-- migrate:down\nSELECT 1;\n");
    dir().write("migrations/3_plain.sql", "-- migrate:up\nALTER TABLE users ADD COLUMN x int;\n");
    auto r = dbtool({"migrate", "verify"});
    EXPECT_EQ(r.exitCode, 8) << r.out << r.err;
    EXPECT_THAT(r.out, HasSubstr("ok           1  users"));
    EXPECT_THAT(r.out, HasSubstr("differs      2  index"));
    EXPECT_THAT(r.out, HasSubstr("down of 2 index left index public.users_email_idx"));
    EXPECT_THAT(r.out, HasSubstr("no down      3  plain"));
    EXPECT_THAT(r.out, HasSubstr("1 down undoes its up, 1 leaves differences; 1 migration without "
                                 "a down (3 migrations in "));
    // The target database is untouched: verify works in its own scratch database.
    EXPECT_FALSE(tableExists("users"));

    r = dbtool({"--format", "json", "migrate", "verify"});
    EXPECT_EQ(r.exitCode, 8);
    const json doc = json::parse(r.out);
    ASSERT_EQ(doc["migrations"].size(), 3u);
    EXPECT_EQ(doc["migrations"][0]["result"], "ok");
    EXPECT_EQ(doc["migrations"][1]["result"], "differs");
    EXPECT_EQ(doc["migrations"][1]["differences"][0]["object"], "index public.users_email_idx");
    EXPECT_TRUE(doc["migrations"][1]["differences"][0]["before"].is_null());
    EXPECT_THAT(doc["migrations"][1]["differences"][0]["after"].get<std::string>(),
                HasSubstr("CREATE INDEX users_email_idx ON public.users"));
    EXPECT_EQ(doc["migrations"][2]["result"], "no_down");
    EXPECT_EQ(doc["summary"]["differs"], 1);
    EXPECT_EQ(doc["summary"]["stopped"], false);

    dir().write("migrations/2_index.sql",
                "-- migrate:up\nCREATE INDEX users_email_idx ON users (email);\n"
                "-- migrate:down\nDROP INDEX users_email_idx;\n");
    r = dbtool({"migrate", "verify", "--to", "2"});
    EXPECT_EQ(r.exitCode, 0) << r.out << r.err;
    EXPECT_THAT(r.out, HasSubstr("2 downs undo their up (2 migrations in "));
}

TEST_F(VerifyCommand, TheScratchDatabaseIsDroppedWhenAnUpFailsAndOnCtrlC) {
    dir().write("migrations/1_bad.sql",
                "-- migrate:up\nCREATE TABLE a (id int);\nINSERT INTO nope VALUES (1);\n");
    auto r = dbtool({"migrate", "verify"});
    EXPECT_EQ(r.exitCode, 6) << r.err;
    EXPECT_THAT(r.err, HasSubstr("migrations/1_bad.sql:3:13"));
    EXPECT_THAT(r.err, HasSubstr("migration 1 bad failed (up): relation \"nope\" does not exist"));

    dir().write("migrations/1_bad.sql",
                "-- migrate:up\nSELECT pg_sleep(30);\n-- migrate:down\nSELECT 1;\n");
    ProcessOptions options = withEnv({{"DATABASE_URL", url()}});
    options.cwd = dir().path();
    ChildProcess child({"migrate", "verify"}, options);
    for (int i = 0; i < 100 && leftover(child.pid()) != "1"; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ASSERT_EQ(leftover(child.pid()), "1");
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // into the pg_sleep
    child.signal(SIGINT);
    r = child.wait(20);
    EXPECT_EQ(r.exitCode, 130) << r.err;
    EXPECT_THAT(r.err, HasSubstr("interrupted while verifying migration 1 bad"));
    EXPECT_EQ(leftover(child.pid()), "0");
}

TEST_F(VerifyCommand, ARoleWithoutCreatedbIsToldWhatItNeeds) {
    const std::string role = "nocreate_" + databaseName().substr(databaseName().size() - 12);
    exec("CREATE ROLE \"" + role + "\" LOGIN PASSWORD 'pw'");
    dir().write("migrations/1_a.sql", "-- migrate:up\nSELECT 1;\n");
    // The same server and database as that role: postgresql://ROLE:pw@host:port/db.
    const std::string hostAndDb = url().substr(url().find('@'));
    auto r = dbtool({"migrate", "verify"},
                    withEnv({{"DATABASE_URL", "postgresql://" + role + ":pw" + hostAndDb}}));
    exec("DROP ROLE \"" + role + "\"");
    EXPECT_EQ(r.exitCode, 6) << r.err;
    EXPECT_THAT(r.err, HasSubstr("cannot create the scratch database"));
    EXPECT_THAT(r.err, HasSubstr("CREATEDB"));
}

}  // namespace
}  // namespace dbtool::test
