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
    EXPECT_EQ(scalar("SELECT count(*) FROM published_posts"), "0");  // the repeatable view
    EXPECT_THAT(up.out, ::testing::HasSubstr("ran          afterMigrate.sql"));  // the callback
    EXPECT_EQ(scalar("SELECT count(*) FROM pg_indexes WHERE indexname = 'comments_post_id_idx'"),
              "1");
    auto down = dbtool({"migrate", "down", "--all", "--migrations-dir", dirArg});
    ASSERT_EQ(down.exitCode, 0) << down.err;
    EXPECT_FALSE(tableExists("users"));
    EXPECT_EQ(scalar("SELECT count(*) FROM schema_migrations"), "0");
    ASSERT_EQ(dbtool({"migrate", "up", "--migrations-dir", dirArg}).exitCode, 0);
    // The down of posts dropped the view (CASCADE); the rollback made it due, so it is back.
    EXPECT_EQ(scalar("SELECT count(*) FROM pg_views WHERE viewname = 'published_posts'"), "1");
    EXPECT_EQ(dbtool({"migrate", "status", "--exit-code", "--migrations-dir", dirArg}).exitCode, 0);
}

// Every example down undoes its up, and the history lints clean as one run; linting only the
// later migrations (the tables exist in production by then) finds the foreign key they add.
TEST_F(Examples, MigrationsVerifyAndLint) {
    const std::string dirArg = sourceDir("migrations-example");
    auto verify = dbtool({"migrate", "verify", "--migrations-dir", dirArg});
    EXPECT_EQ(verify.exitCode, 0) << verify.out << verify.err;
    EXPECT_THAT(verify.out, ::testing::HasSubstr("6 downs undo their up (6 migrations in "));
    auto lint = dbtool({"migrate", "lint", "--migrations-dir", dirArg});
    EXPECT_EQ(lint.exitCode, 0) << lint.out;
    EXPECT_THAT(lint.out, ::testing::HasSubstr("no findings in 6 pending migrations"));
    ASSERT_EQ(
        dbtool({"migrate", "up", "--to", "20240101090300", "--migrations-dir", dirArg}).exitCode,
        0);
    lint = dbtool({"migrate", "lint", "--migrations-dir", dirArg});
    EXPECT_EQ(lint.exitCode, 0) << lint.out;  // the users table is empty: a note
    EXPECT_THAT(lint.out, ::testing::HasSubstr("20240101090400_add_users_country.sql:2:51: "
                                               "note[adding-foreign-key-constraint]"));
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
