// CLI-level tests of the foundation: global behaviour, configuration through the binary,
// the db commands, exit codes and secrets.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "support/database.hpp"

namespace dbtool::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string withPassword(const std::string& url, const std::string& password) {
    // postgresql://user:OLD@host:port/db -> postgresql://user:NEW@host:port/db
    const size_t scheme = url.find("://") + 3;
    const size_t colon = url.find(':', scheme);
    const size_t at = url.find('@', colon);
    return url.substr(0, colon + 1) + password + url.substr(at);
}

TEST(Cli, VersionAndHelpExitZero) {
    auto v = runDbtool({"--version"});
    EXPECT_EQ(v.exitCode, 0);
    EXPECT_THAT(v.out, HasSubstr("dbtool 0."));
    auto h = runDbtool({"--help"});
    EXPECT_EQ(h.exitCode, 0);
    for (const char* group :
         {"migrate", "seed", "db", "--database-url", "--format", "Exit codes"}) {
        EXPECT_THAT(h.out, HasSubstr(group));
    }
}

TEST(Cli, UsageErrorsExitTwo) {
    auto none = runDbtool({});
    EXPECT_EQ(none.exitCode, 2);
    EXPECT_THAT(none.err, HasSubstr("error:"));
    auto unknown = runDbtool({"db", "ping", "--no-such-flag"});
    EXPECT_EQ(unknown.exitCode, 2);
    EXPECT_THAT(unknown.err, HasSubstr("--no-such-flag"));
    auto badFormat = runDbtool({"db", "ping", "--format", "xml"});
    EXPECT_EQ(badFormat.exitCode, 2);
    auto badTimeout = runDbtool({"db", "ping", "--lock-timeout", "soon"});
    EXPECT_EQ(badTimeout.exitCode, 4);
    EXPECT_THAT(badTimeout.err, HasSubstr("--lock-timeout"));
}

class CliDb : public DatabaseTest {};

TEST_F(CliDb, PingPrintsVersionAndRedactedTarget) {
    auto r = dbtool({"db", "ping"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("PostgreSQL 15"));
    EXPECT_THAT(r.out, HasSubstr(":****@"));
    EXPECT_THAT(r.out, HasSubstr(databaseName()));
    EXPECT_THAT(r.out, Not(HasSubstr(target().password())));

    auto j = dbtool({"db", "ping", "--format", "json"});
    ASSERT_EQ(j.exitCode, 0) << j.err;
    auto doc = nlohmann::json::parse(j.out);
    EXPECT_EQ(doc["ok"], true);
    EXPECT_EQ(doc["database"], databaseName());
    EXPECT_THAT(doc["server_version"].get<std::string>(), HasSubstr("15"));
}

TEST_F(CliDb, WrongPasswordExitsThreeAndNeverEchoesIt) {
    const std::string wrong = "Wr0ng-Pa55-XYZZY";
    for (const std::vector<std::string>& extra :
         {std::vector<std::string>{}, {"-v"}, {"--format", "json"}, {"-v", "--format", "json"}}) {
        std::vector<std::string> args = {"db", "ping"};
        args.insert(args.end(), extra.begin(), extra.end());
        auto r = dbtool(args, withEnv({{"DATABASE_URL", withPassword(url(), wrong)}}));
        EXPECT_EQ(r.exitCode, 3) << r.err;
        EXPECT_THAT(r.err, HasSubstr("password authentication failed"));
        EXPECT_THAT(r.err, HasSubstr("hint:"));
        EXPECT_THAT(r.out + r.err, Not(HasSubstr(wrong)));
    }
}

TEST_F(CliDb, UnreachableServerFailsWithinWait) {
    const auto start = std::chrono::steady_clock::now();
    auto r = dbtool({"db", "ping", "--wait", "1.5"},
                    withEnv({{"DATABASE_URL", "postgres://u:Secret-42@127.0.0.1:1/nothing"}}));
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_EQ(r.exitCode, 3);
    EXPECT_THAT(r.err, HasSubstr("cannot connect to postgres://u:****@127.0.0.1:1/nothing"));
    EXPECT_THAT(r.err, HasSubstr("Connection refused"));
    EXPECT_THAT(r.err, HasSubstr("attempts"));
    EXPECT_THAT(r.err, Not(HasSubstr("Secret-42")));
    EXPECT_GE(seconds, 1.4);
    EXPECT_LT(seconds, 10);
}

TEST_F(CliDb, DbWaitReturnsOnceTheServerAnswers) {
    auto r = dbtool({"db", "wait", "--timeout", "5"});
    EXPECT_EQ(r.exitCode, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("ready"));
    auto down = dbtool({"db", "wait", "--timeout", "0.5"},
                       withEnv({{"DATABASE_URL", "postgres://u@127.0.0.1:1/x"}}));
    EXPECT_EQ(down.exitCode, 3);
}

TEST_F(CliDb, CreateAndDropTheConfiguredDatabase) {
    const std::string name = databaseName() + "_extra";
    const std::string extraUrl = url() + "_extra";
    ProcessOptions o = withEnv({{"DATABASE_URL", extraUrl}});
    auto created = dbtool({"db", "create"}, o);
    ASSERT_EQ(created.exitCode, 0) << created.err;
    EXPECT_THAT(created.out, HasSubstr("created database " + name));
    EXPECT_EQ(scalar("SELECT count(*) FROM pg_database WHERE datname = '" + name + "'"), "1");

    auto again = dbtool({"db", "create", "--format", "json"}, o);
    ASSERT_EQ(again.exitCode, 0);
    EXPECT_EQ(nlohmann::json::parse(again.out)["created"], false);

    auto refused = dbtool({"db", "drop"}, o);
    EXPECT_EQ(refused.exitCode, 2);
    EXPECT_THAT(refused.err, HasSubstr("--force"));
    EXPECT_EQ(scalar("SELECT count(*) FROM pg_database WHERE datname = '" + name + "'"), "1");

    auto dropped = dbtool({"db", "drop", "--force"}, o);
    ASSERT_EQ(dropped.exitCode, 0) << dropped.err;
    EXPECT_EQ(scalar("SELECT count(*) FROM pg_database WHERE datname = '" + name + "'"), "0");
    auto absent = dbtool({"db", "drop", "--force"}, o);
    EXPECT_EQ(absent.exitCode, 0);
    EXPECT_THAT(absent.out, HasSubstr("does not exist"));
}

TEST_F(CliDb, ConfigFileWithVariablesSelectsTheEnvironment) {
    const auto t = target();
    dir().write("dbtool.yaml",
                "development:\n  host: 127.0.0.1\n  port: 1\n  database: nope\n"
                "test:\n"
                "  host: " +
                    t.get("host") +
                    "\n"
                    "  port: " +
                    t.get("port") +
                    "\n"
                    "  database: " +
                    databaseName() +
                    "\n"
                    "  user: " +
                    t.get("user") +
                    "\n"
                    "  password: ${TEST_DB_PASSWORD}\n");
    ProcessOptions o = withEnv({{"DATABASE_URL", std::nullopt},
                                {"DBTOOL_ENV", "test"},
                                {"TEST_DB_PASSWORD", t.password()}});
    auto r = dbtool({"db", "ping", "-v"}, o);
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr(databaseName()));
    EXPECT_THAT(r.err, HasSubstr("environment: test (from DBTOOL_ENV (environment))"));
    EXPECT_THAT(r.out + r.err, Not(HasSubstr(t.password())));

    auto unset =
        dbtool({"db", "ping"}, withEnv({{"DATABASE_URL", std::nullopt}, {"DBTOOL_ENV", "test"}}));
    EXPECT_EQ(unset.exitCode, 4);
    EXPECT_THAT(unset.err, HasSubstr("TEST_DB_PASSWORD is not set"));
    EXPECT_THAT(unset.err, HasSubstr("dbtool.yaml:10:3"));

    auto unknownEnv =
        dbtool({"db", "ping", "--env", "staging"}, withEnv({{"DATABASE_URL", std::nullopt}}));
    EXPECT_EQ(unknownEnv.exitCode, 4);
    EXPECT_THAT(unknownEnv.err, HasSubstr("development, test"));
}

TEST_F(CliDb, DotenvSuppliesTheUrlButNotOverTheEnvironment) {
    dir().write(".env", "# local settings\nDATABASE_URL=" + url() + "\n");
    auto fromFile = dbtool({"db", "ping", "-v"}, withEnv({{"DATABASE_URL", std::nullopt}}));
    ASSERT_EQ(fromFile.exitCode, 0) << fromFile.err;
    EXPECT_THAT(fromFile.err, HasSubstr("from DATABASE_URL (.env:2)"));
    // A variable already set wins over .env: this one points nowhere, so ping fails.
    auto overridden =
        dbtool({"db", "ping"}, withEnv({{"DATABASE_URL", "postgres://u@127.0.0.1:1/x"}}));
    EXPECT_EQ(overridden.exitCode, 3);

    dir().write(".env", "DATABASE_URL " + url() + "\n");
    auto broken = dbtool({"db", "ping"}, withEnv({{"DATABASE_URL", std::nullopt}}));
    EXPECT_EQ(broken.exitCode, 4);
    EXPECT_THAT(broken.err, HasSubstr(".env:1:"));
    EXPECT_THAT(broken.out + broken.err, Not(HasSubstr(target().password())));
}

TEST_F(CliDb, YamlSyntaxErrorThroughTheCli) {
    dir().write("dbtool.yaml", "development:\n  url: [unclosed\n  host: x\n");
    auto r = dbtool({"db", "ping", "--format", "json"});
    EXPECT_EQ(r.exitCode, 4);
    EXPECT_THAT(r.err, HasSubstr("dbtool.yaml:"));
    auto doc = nlohmann::json::parse(r.out);
    EXPECT_EQ(doc["error"]["exit_code"], 4);
    EXPECT_TRUE(doc["error"].contains("line"));
}

}  // namespace
}  // namespace dbtool::test
