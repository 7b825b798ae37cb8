#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/errors.hpp"
#include "seed/seed_files.hpp"
#include "support/database.hpp"

namespace dbtool {
namespace {

TEST(SeedFiles, FindsSharedAndEnvironmentSeedsInOrder) {
    test::TempDir dir;
    dir.write("10_later.yaml", "a: []\n");
    dir.write("2_early.yml", "a: []\n");
    dir.write("development/5_dev.yaml", "a: []\n");
    dir.write("test/5_test.yaml", "a: []\n");
    dir.write("people.csv", "x\n");
    auto files = findSeedFiles(dir.path(), "development");
    ASSERT_EQ(files.size(), 3u);
    EXPECT_EQ(files[0].name, "2_early");
    EXPECT_EQ(files[1].name, "development/5_dev");
    EXPECT_EQ(files[1].environment, "development");
    EXPECT_EQ(files[2].name, "10_later");
    EXPECT_EQ(findSeedFiles(dir.path(), "production").size(), 2u);
    dir.write("users.yaml", "a: []\n");
    EXPECT_THROW(findSeedFiles(dir.path(), "development"), Error);
}

}  // namespace
}  // namespace dbtool
