// The one unit of work of migrate and seed runs: a lock for the run, a transaction per unit,
// and failures that say what was already done.
#include "db/locked_run.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/database.hpp"
#include "support/expect_error.hpp"

namespace dbtool::test {
namespace {

using ::testing::HasSubstr;

class LockedRun : public DatabaseTest {};

TEST_F(LockedRun, CommitsUnitsAndNamesThemWhenALaterOneFails) {
    exec("CREATE TABLE t (v int)");
    auto session = connect();
    db::LockedRun run(*session, "public", {});
    run.inTransaction({"seed", "a", ""}, [&] { session->runScript("INSERT INTO t VALUES (1)"); });
    run.completed({"a", {{"name", "a"}}});
    run.inTransaction({"seed", "b", ""}, [&] { session->runScript("INSERT INTO t VALUES (2)"); });
    run.completed({"b", {{"name", "b"}}});
    const Error e = errorFrom([&] {
        run.inTransaction({"seed", "c", "seed c was rolled back"}, [&] {
            session->runScript("INSERT INTO t VALUES (3)");
            session->runScript("INSERT INTO t VALUES ('x')");
        });
    });
    EXPECT_EQ(e.code(), ExitCode::Database);
    EXPECT_EQ(e.field("seed"), "c");
    EXPECT_EQ(listText(e, "applied in this run"), "a, b");
    EXPECT_EQ(e.field("outcome"), "seed c was rolled back");
    EXPECT_EQ(e.field("sqlstate"), "22P02");
    EXPECT_EQ(scalar("SELECT string_agg(v::text, ',' ORDER BY v) FROM t"), "1,2");
}

TEST_F(LockedRun, ACallersOwnFailureReportIsNotRepeated) {
    auto session = connect();
    db::LockedRun run(*session, "public", {}, "undone in this run");
    run.completed({"x", {{"name", "x"}}});
    const Error e = errorFrom([&] {
        run.inTransaction({"", "undoing y", ""}, [&] {
            throw Error(ExitCode::Check, "no")
                .withList("undone in this run", {{"told already", {}}});
        });
    });
    EXPECT_EQ(listText(e, "undone in this run"), "told already");
    ASSERT_EQ(e.fields().size(), 0u);
    ASSERT_EQ(e.lists().size(), 1u);
}

TEST_F(LockedRun, ALibpqxxFailureBecomesAnErrorNamingTheUnit) {
    auto session = connect();
    db::LockedRun run(*session, "public", {}, "undone in this run");
    run.completed({"a", {{"name", "a"}}});
    const Error e = errorFrom([&] {
        run.inTransaction({"seed", "b", ""},
                          [] { throw pqxx::broken_connection("server closed the connection"); });
    });
    EXPECT_EQ(e.code(), ExitCode::Connection);
    EXPECT_THAT(e.what(), HasSubstr("seed b: connection lost"));
    EXPECT_EQ(e.field("seed"), "b");
    EXPECT_EQ(listText(e, "undone in this run"), "a");
}

TEST_F(LockedRun, ASecondRunWaitsForTheLockAndGivesUpAfterTheLockTimeout) {
    auto first = connect();
    db::LockedRun holder(*first, "public", {});
    db::ConnectOptions options;
    options.lockTimeoutMs = 200;
    auto second = db::Session::connect(target().with("dbname", databaseName()), options);
    std::string toldHolder;
    const Error e = errorFrom([&] {
        db::LockedRun waiter(*second, "public", [&](const std::string& h) { toldHolder = h; });
    });
    EXPECT_EQ(e.code(), ExitCode::Lock);
    EXPECT_THAT(toldHolder, HasSubstr("held by pid"));
    EXPECT_THAT(e.what(), HasSubstr("another dbtool holds the lock on schema 'public'"));
    // Another scope is another lock.
    EXPECT_NO_THROW(db::LockedRun other(*second, "elsewhere", {}));
}

}  // namespace
}  // namespace dbtool::test
