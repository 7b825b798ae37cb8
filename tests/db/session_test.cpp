// The session: settings that arrive with the connection, and pipelines of many statements
// in one round trip.
#include "db/session.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>

#include "support/database.hpp"

namespace dbtool::test {
namespace {

using ::testing::HasSubstr;

class Session : public DatabaseTest {
  protected:
    static std::string show(db::Session& s, const std::string& setting) {
        auto r = s.execParams("SHOW " + setting);
        return PQgetvalue(r.get(), 0, 0);
    }
};

// Sets an environment variable for one test and restores it afterwards.
class ScopedEnv {
  public:
    ScopedEnv(const char* name, const char* value) : name_(name) {
        if (const char* old = std::getenv(name)) {
            old_ = old;
        }
        setenv(name, value, 1);
    }
    ~ScopedEnv() {
        if (old_) {
            setenv(name_, old_->c_str(), 1);
        } else {
            unsetenv(name_);
        }
    }

  private:
    const char* name_;
    std::optional<std::string> old_;
};

TEST_F(Session, TimeoutsArriveWithTheConnection) {
    auto s = db::Session::connect(target(), {0, 1234, 5678});
    EXPECT_EQ(show(*s, "lock_timeout"), "1234ms");
    EXPECT_EQ(show(*s, "statement_timeout"), "5678ms");
    EXPECT_EQ(s->lockTimeoutMs(), 1234);
    // A RESET inside a migration returns to dbtool's value, not the server's default.
    s->runScript("RESET lock_timeout");
    EXPECT_EQ(show(*s, "lock_timeout"), "1234ms");
}

TEST_F(Session, TheUsersOwnStartupOptionsAreKept) {
    {
        ScopedEnv env("PGOPTIONS", "-c work_mem=7MB");
        auto s = db::Session::connect(target(), {0, 1000, 0});
        EXPECT_EQ(show(*s, "work_mem"), "7MB");
        EXPECT_EQ(show(*s, "lock_timeout"), "1s");
    }
    // The URL's options win over PGOPTIONS, as in libpq; dbtool's settings still apply.
    ScopedEnv env("PGOPTIONS", "-c work_mem=7MB");
    auto s = db::Session::connect(target().with("options", "-c work_mem=9MB"), {0, 2000, 0});
    EXPECT_EQ(show(*s, "work_mem"), "9MB");
    EXPECT_EQ(show(*s, "lock_timeout"), "2s");
}

TEST_F(Session, APipelineRunsEveryStepInOneGoAndReturnsTheirResults) {
    auto s = connect();
    const auto results = s->pipeline({{"BEGIN", {}},
                                      {"CREATE TABLE t (id int)", {}},
                                      {"INSERT INTO t VALUES ($1), ($2) RETURNING id", {"1", "2"}},
                                      {"COMMIT", {}}});
    ASSERT_EQ(results.size(), 4u);
    EXPECT_EQ(PQntuples(results[2].get()), 2);
    EXPECT_EQ(scalar("SELECT sum(id) FROM t"), "3");
    EXPECT_EQ(PQtransactionStatus(s->raw()), PQTRANS_IDLE);
}

TEST_F(Session, APipelineStopsAtTheFirstFailureAndSaysWhichStep) {
    auto s = connect();
    std::optional<db::SqlError> failure;
    try {
        s->pipeline({{"BEGIN", {}},
                     {"CREATE TABLE t (id int)", {}},
                     {"SELECT nosuchcolumn FROM t", {}},
                     {"COMMIT", {}}});
    } catch (const db::SqlError& e) {
        failure = e;
    }
    ASSERT_TRUE(failure.has_value());
    EXPECT_EQ(failure->server().statementIndex, 2);
    EXPECT_EQ(failure->server().position, 8);  // within the failing step's own text
    const db::SqlError& e = *failure;
    EXPECT_THAT(e.what(), HasSubstr("nosuchcolumn"));
    // The steps after the failure did not run: the transaction is still open and aborted.
    EXPECT_EQ(PQtransactionStatus(s->raw()), PQTRANS_INERROR);
    s->runScript("ROLLBACK");
    EXPECT_FALSE(tableExists("t"));
    // And the session goes on normally.
    EXPECT_EQ(show(*s, "lock_timeout"), "0");
}

}  // namespace
}  // namespace dbtool::test
