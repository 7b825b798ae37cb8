// The test harness itself: a dbtool that hangs is killed at the timeout, and the report says
// what its server session was waiting for, so an intermittent hang in CI explains itself.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <csignal>

#include "support/database.hpp"

namespace dbtool::test {
namespace {

using ::testing::HasSubstr;

class Harness : public DatabaseTest {};

TEST_F(Harness, AHungDbtoolIsKilledAtTheTimeoutWithWhatItWaitedFor) {
    exec("CREATE TABLE busy (id int)");
    dir().write("migrations/1_touch.sql", "-- migrate:up\nALTER TABLE busy ADD COLUMN v text;\n");
    auto holder = connect();
    holder->runScript("BEGIN; LOCK TABLE busy IN ACCESS SHARE MODE");

    ProcessOptions o;
    o.timeoutSeconds = 2;
    auto r = dbtool({"migrate", "up"}, o);
    EXPECT_TRUE(r.timedOut);
    EXPECT_EQ(r.exitCode, -1);
    EXPECT_EQ(r.signal, SIGKILL);
    EXPECT_THAT(r.err, HasSubstr("still running after 2"));
    EXPECT_THAT(r.err, HasSubstr("ALTER TABLE busy"));  // the waiting session's query
    EXPECT_THAT(r.err, HasSubstr("Lock:relation"));     // what it waits for
    EXPECT_THAT(r.err, HasSubstr("|relation|busy|AccessExclusiveLock"));  // the lock not granted
}

TEST_F(Harness, AProcessThatFinishesInTimeIsNotReportedAsHung) {
    ProcessOptions o;
    o.timeoutSeconds = 30;
    auto r = dbtool({"migrate", "status"}, o);
    EXPECT_FALSE(r.timedOut);
    EXPECT_THAT(r.err, ::testing::Not(HasSubstr("[test harness]")));
}

}  // namespace
}  // namespace dbtool::test
