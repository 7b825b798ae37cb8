#include "migrate/migration_plan.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/expect_error.hpp"

namespace dbtool {
namespace {

using test::errorFrom;
using ::testing::HasSubstr;

Migration file(const std::string& version, bool withDown = true) {
    Migration m = parseMigration(version + "_m.sql",
                                 "-- migrate:up\nSELECT " + version + ";\n" +
                                     (withDown ? "-- migrate:down\nSELECT 0;\n" : ""),
                                 version, "m" + version);
    return m;
}

AppliedMigration row(const Migration& m) {
    return {m.version, m.name, m.checksum, "2024-01-01T00:00:00Z", 5, ""};
}

std::vector<std::string> versions(const std::vector<const Migration*>& plan) {
    std::vector<std::string> out;
    for (const auto* m : plan)
        out.push_back(m->version);
    return out;
}

TEST(MigrationPlan, StatusCoversEveryState) {
    std::vector<Migration> files = {file("1"), file("2"), file("3"), file("5")};
    AppliedMigration changed = row(files[1]);
    changed.checksum = "different";
    AppliedMigration adopted = row(files[0]);
    adopted.checksum.reset();  // adopted rows have no checksum: not "changed"
    std::vector<AppliedMigration> applied = {adopted, changed, row(file("4")), row(files[3])};
    applied[2].version = "4";
    const auto status = computeStatus(files, applied);
    ASSERT_EQ(status.size(), 5u);
    EXPECT_EQ(status[0].state, MigrationState::Applied);
    EXPECT_EQ(status[1].state, MigrationState::Changed);
    EXPECT_EQ(status[2].state, MigrationState::OutOfOrder);
    EXPECT_EQ(status[3].state, MigrationState::Missing);
    EXPECT_EQ(status[3].file, nullptr);
    EXPECT_EQ(status[4].state, MigrationState::Applied);
    EXPECT_EQ(currentVersion(status), "5");
}

TEST(MigrationPlan, UpHonoursToAndStep) {
    std::vector<Migration> files = {file("1"), file("2"), file("3"), file("4")};
    const auto status = computeStatus(files, {row(files[0])});
    EXPECT_EQ(versions(planUp(status, {})), (std::vector<std::string>{"2", "3", "4"}));
    UpOptions to;
    to.to = "3";
    EXPECT_EQ(versions(planUp(status, to)), (std::vector<std::string>{"2", "3"}));
    UpOptions step;
    step.step = 1;
    EXPECT_EQ(versions(planUp(status, step)), (std::vector<std::string>{"2"}));
    UpOptions unknown;
    unknown.to = "9";
    EXPECT_EQ(errorFrom([&] { planUp(status, unknown); }).code(), ExitCode::Usage);
}

TEST(MigrationPlan, UpRefusesChangedMissingAndOutOfOrderUnlessAllowed) {
    std::vector<Migration> files = {file("1"), file("2"), file("3")};
    AppliedMigration changed = row(files[0]);
    changed.checksum = "x";
    auto status = computeStatus(files, {changed});
    Error e = errorFrom([&] { planUp(status, {}); });
    EXPECT_EQ(e.code(), ExitCode::Check);
    EXPECT_THAT(e.what(), HasSubstr("changed after it was applied"));
    UpOptions ignore;
    ignore.ignoreChecksums = true;
    EXPECT_EQ(versions(planUp(status, ignore)), (std::vector<std::string>{"2", "3"}));

    AppliedMigration gone = row(file("0"));
    status = computeStatus(files, {gone, row(files[0])});
    EXPECT_THAT(errorFrom([&] { planUp(status, {}); }).what(), HasSubstr("file is missing"));
    UpOptions ignoreMissing;
    ignoreMissing.ignoreMissing = true;
    EXPECT_EQ(planUp(status, ignoreMissing).size(), 2u);

    status = computeStatus(files, {row(files[0]), row(files[2])});
    Error order = errorFrom([&] { planUp(status, {}); });
    EXPECT_EQ(order.code(), ExitCode::Check);
    EXPECT_THAT(order.what(), HasSubstr("older than the newest applied"));
    UpOptions allow;
    allow.allowOutOfOrder = true;
    EXPECT_EQ(versions(planUp(status, allow)), (std::vector<std::string>{"2"}));
}

TEST(MigrationPlan, DownDefaultsToOneAndHonoursStepToAll) {
    std::vector<Migration> files = {file("1"), file("2"), file("3")};
    const auto status = computeStatus(files, {row(files[0]), row(files[1]), row(files[2])});
    EXPECT_EQ(versions(planDown(status, {})), (std::vector<std::string>{"3"}));
    DownOptions step;
    step.step = 2;
    EXPECT_EQ(versions(planDown(status, step)), (std::vector<std::string>{"3", "2"}));
    DownOptions to;
    to.to = "1";
    EXPECT_EQ(versions(planDown(status, to)), (std::vector<std::string>{"3", "2"}));
    DownOptions all;
    all.all = true;
    EXPECT_EQ(versions(planDown(status, all)), (std::vector<std::string>{"3", "2", "1"}));
    DownOptions badTo;
    badTo.to = "7";
    EXPECT_EQ(errorFrom([&] { planDown(status, badTo); }).code(), ExitCode::Usage);
}

TEST(MigrationPlan, DownGoesByTimeOfApplicationThenVersion) {
    std::vector<Migration> files = {file("1"), file("2"), file("3"), file("4")};
    auto at = [&](size_t i, const std::string& order) {
        AppliedMigration r = row(files[i]);
        r.appliedOrder = order;
        return r;
    };
    // 1 adopted from a tool that kept no time; 3 before 2 (2 applied out of order); 4 in the
    // same microsecond as 2.
    const auto status =
        computeStatus(files, {at(0, ""), at(1, "20240105000000000002"),
                              at(2, "20240101000000000001"), at(3, "20240105000000000002")});
    DownOptions all;
    all.all = true;
    EXPECT_EQ(versions(planDown(status, all)), (std::vector<std::string>{"4", "2", "3", "1"}));
    EXPECT_EQ(versions(planDown(status, {})), (std::vector<std::string>{"4"}));
    DownOptions step;
    step.step = 2;
    EXPECT_EQ(versions(planDown(status, step)), (std::vector<std::string>{"4", "2"}));
    // --to keeps every version up to it, whenever it was applied.
    DownOptions to;
    to.to = "2";
    EXPECT_EQ(versions(planDown(status, to)), (std::vector<std::string>{"4", "3"}));
}

TEST(MigrationPlan, DownStopsBeforeAnythingRunsWithoutDownSql) {
    std::vector<Migration> files = {file("1"), file("2", false), file("3")};
    const auto status = computeStatus(files, {row(files[0]), row(files[1]), row(files[2])});
    DownOptions all;
    all.all = true;
    Error e = errorFrom([&] { planDown(status, all); });
    EXPECT_EQ(e.code(), ExitCode::InvalidInput);
    EXPECT_THAT(e.what(), HasSubstr("cannot roll back 2"));
    EXPECT_THAT(e.what(), HasSubstr("no down SQL"));
    // An empty down section counts as none.
    Migration empty = parseMigration(
        "4_m.sql", "-- migrate:up\nSELECT 1;\n-- migrate:down\n-- todo\n", "4", "m4");
    std::vector<Migration> more = {empty};
    EXPECT_THAT(errorFrom([&] { planDown(computeStatus(more, {row(more[0])}), {}); }).what(),
                HasSubstr("no down SQL"));
}

}  // namespace
}  // namespace dbtool
