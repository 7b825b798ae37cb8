// The shipped examples must keep working: every example migration applies and rolls back.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/database.hpp"

namespace dbtool::test {
namespace {

class Examples : public DatabaseTest {};

// A folder of the source tree, as an argument.
std::string sourceDir(const char* name) {
    return (std::filesystem::path(DBTOOL_SOURCE_DIR) / name).string();
}

TEST_F(Examples, MigrationsApplyRollBackAndApplyAgain) {
    const std::string dirArg = sourceDir("migrations-example");
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

TEST_F(Examples, SeedsLoadForDevelopmentAndUndoCleanly) {
    const std::string migrations = sourceDir("migrations-example");
    const std::string seeds = sourceDir("seeds-example");
    ASSERT_EQ(dbtool({"migrate", "up", "--migrations-dir", migrations}).exitCode, 0);
    auto run = dbtool({"seed", "run", "--seeds-dir", seeds});
    ASSERT_EQ(run.exitCode, 0) << run.err;
    EXPECT_EQ(scalar("SELECT count(*) FROM countries"), "7");
    EXPECT_EQ(scalar("SELECT count(*) FROM users"), "4");  // 3 + the development-only one
    EXPECT_EQ(scalar("SELECT count(*) FROM comments"), "302");
    EXPECT_EQ(scalar("SELECT name FROM countries WHERE code = 'CI'"), "Côte d'Ivoire");
    EXPECT_EQ(dbtool({"seed", "status", "--exit-code", "--seeds-dir", seeds}).exitCode, 0);
    auto undo = dbtool({"seed", "undo", "--all", "--seeds-dir", seeds});
    ASSERT_EQ(undo.exitCode, 0) << undo.err;
    EXPECT_EQ(scalar("SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM comments)"), "0");
    auto production = dbtool({"seed", "run", "--env", "production", "--seeds-dir", seeds});
    ASSERT_EQ(production.exitCode, 0) << production.err;
    EXPECT_EQ(scalar("SELECT count(*) FROM users"), "3");
}

}  // namespace
}  // namespace dbtool::test
