// The connection's password never appears: every command, at every verbosity, in text and JSON,
// on success and on error paths (including libpq's own connection errors, passed through).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/database.hpp"

namespace dbtool::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class Secrets : public DatabaseTest {
  protected:
    void SetUp() override {
        DatabaseTest::SetUp();
        dir().write("migrations/1_users.sql",
                    "-- migrate:up\nCREATE TABLE users (id serial PRIMARY KEY, email text);\n"
                    "-- migrate:down\nDROP TABLE users;\n");
        dir().write("migrations/2_fails.sql", "-- migrate:up\nSELECT no_such_function();\n");
        dir().write("seeds/001_users.yaml", "users:\n  - {email: a@x}\n");
        dir().write("seeds/002_bad.yaml", "users:\n  - {emial: b@x}\n");
    }

    // Runs `args` with every verbosity and both formats and checks that `secret` is absent.
    void expectAbsent(const std::vector<std::string>& args, const std::string& secret,
                      const ProcessOptions& options = {}) const {
        for (const std::vector<std::string>& extra :
             {std::vector<std::string>{"-q"}, {}, {"-v"}, {"-vv"}, {"-vv", "--format", "json"}}) {
            std::vector<std::string> full = args;
            full.insert(full.end(), extra.begin(), extra.end());
            auto r = dbtool(full, options);
            std::string shown;
            for (const auto& a : full)
                shown += a + " ";
            EXPECT_THAT(r.out + r.err, Not(HasSubstr(secret))) << shown;
        }
    }
};

TEST_F(Secrets, NeverPrintedByAnyCommandAtAnyVerbosity) {
    const std::string password = target().password();
    ASSERT_GE(password.size(), 8u);
    for (const std::vector<std::string>& args : {std::vector<std::string>{"db", "ping"},
                                                 {"migrate", "status"},
                                                 {"migrate", "validate"},
                                                 {"migrate", "up"},  // fails at 2_fails
                                                 {"migrate", "up", "--dry-run"},
                                                 {"seed", "status"},
                                                 {"seed", "run"},  // fails at 002_bad
                                                 {"seed", "run", "--dry-run"},
                                                 {"seed", "undo"},
                                                 {"data", "list", "users"},
                                                 {"data", "list", "nope"},
                                                 {"schema", "dump", "--file", "schema.sql"},
                                                 {"migrate", "down", "--all"}}) {
        expectAbsent(args, password);
    }
}

TEST_F(Secrets, NeverPrintedWhenTheConnectionFails) {
    const std::string wrong = "Wr0ng-Pa55word-7f3a";
    std::string u = url();
    u.replace(u.find(":" + target().password() + "@"), target().password().size() + 2,
              ":" + wrong + "@");
    ProcessOptions o = withEnv({{"DATABASE_URL", u}});
    expectAbsent({"db", "ping"}, wrong, o);
    expectAbsent({"migrate", "up", "--wait", "1"}, wrong, o);
    // The same password in conninfo form and through PGPASSWORD.
    ProcessOptions conninfo =
        withEnv({{"DATABASE_URL", "host=127.0.0.1 port=1 user=x password=" + wrong}});
    expectAbsent({"db", "ping"}, wrong, conninfo);
    ProcessOptions env =
        withEnv({{"DATABASE_URL", "postgres://x@127.0.0.1:1/db"}, {"PGPASSWORD", wrong}});
    expectAbsent({"db", "ping"}, wrong, env);
    // A password in dbtool.yaml, with a server that refuses it.
    dir().write("dbtool.yaml", "development:\n  url: " + u + "\n");
    ProcessOptions config = withEnv({{"DATABASE_URL", std::nullopt}});
    expectAbsent({"db", "ping"}, wrong, config);
    auto r = dbtool({"db", "ping"}, config);
    EXPECT_EQ(r.exitCode, 3) << r.err;
    EXPECT_THAT(r.err, HasSubstr("****"));  // the target is shown, redacted
}

}  // namespace
}  // namespace dbtool::test
