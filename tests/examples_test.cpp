// The shipped examples must keep working: every example migration applies and rolls back.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/database.hpp"

namespace dbtool::test {
namespace {

class Examples : public DatabaseTest {};

TEST_F(Examples, MigrationsApplyRollBackAndApplyAgain) {
    const std::string dirArg = std::string(DBTOOL_SOURCE_DIR) + "/migrations-example";
    auto up = dbtool({"migrate", "up", "--migrations-dir", dirArg});
    ASSERT_EQ(up.exitCode, 0) << up.err;
    EXPECT_TRUE(tableExists("comments"));
    EXPECT_EQ(scalar("SELECT count(*) FROM pg_indexes WHERE indexname = 'comments_post_id_idx'"),
              "1");
    auto down = dbtool({"migrate", "down", "--all", "--migrations-dir", dirArg});
    ASSERT_EQ(down.exitCode, 0) << down.err;
    EXPECT_FALSE(tableExists("users"));
    EXPECT_EQ(scalar("SELECT count(*) FROM schema_migrations"), "0");
    ASSERT_EQ(dbtool({"migrate", "up", "--migrations-dir", dirArg}).exitCode, 0);
    EXPECT_EQ(dbtool({"migrate", "status", "--exit-code", "--migrations-dir", dirArg}).exitCode, 0);
}

}  // namespace
}  // namespace dbtool::test
