#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "db/interrupt.hpp"
#include "fleet/fleet_run.hpp"
#include "fleet/targets.hpp"
#include "support/expect_error.hpp"

namespace dbtool::fleet {
namespace {

TEST(LikeMatch, PercentUnderscoreAndEscapesAsSqlLikeHasThem) {
    EXPECT_TRUE(likeMatch("tenant_%", "tenant_17"));
    EXPECT_TRUE(likeMatch("tenant_%", "tenantX"));  // '_' is any one character
    EXPECT_FALSE(likeMatch("tenant\\_%", "tenantX"));
    EXPECT_TRUE(likeMatch("tenant\\_%", "tenant_"));
    EXPECT_TRUE(likeMatch("%", ""));
    EXPECT_TRUE(likeMatch("%shard%", "db_shard_a"));
    EXPECT_TRUE(likeMatch("a%b%c", "axxbyyc"));
    EXPECT_FALSE(likeMatch("a%b%c", "axxbyy"));
    EXPECT_FALSE(likeMatch("tenant_1", "tenant_10"));
    EXPECT_TRUE(likeMatch("t%1", "t11"));
}

TEST(NaturalLess, NumbersInNamesCompareAsNumbers) {
    std::vector<std::string> names = {"tenant_10", "tenant_2", "tenant_1",
                                      "tenant_02", "billing",  "tenant_x"};
    std::sort(names.begin(), names.end(), naturalLess);
    EXPECT_THAT(names, testing::ElementsAre("billing", "tenant_1", "tenant_2", "tenant_02",
                                            "tenant_10", "tenant_x"));
    EXPECT_FALSE(naturalLess("a", "a"));
}

std::vector<FleetTarget> named(std::vector<std::string> names) {
    std::vector<FleetTarget> out;
    for (auto& n : names)
        out.push_back({n, ConnectionTarget(), n});
    return out;
}

TEST(SelectTargets, ByNameOrByPatternAndEveryChoiceMustMatch) {
    const auto all = named({"tenant_1", "tenant_2", "tenant_10", "billing"});
    auto names = [](const std::vector<FleetTarget>& ts) {
        std::vector<std::string> out;
        for (const auto& t : ts)
            out.push_back(t.name);
        return out;
    };
    EXPECT_THAT(names(selectTargets(all, {})), testing::SizeIs(4));
    // Without '%', a name exactly: '_' is no wildcard here.
    EXPECT_THAT(names(selectTargets(all, {"tenant_1"})), testing::ElementsAre("tenant_1"));
    EXPECT_THAT(names(selectTargets(all, {"tenant_1%", "billing"})),
                testing::ElementsAre("tenant_1", "tenant_10", "billing"));
    const Error e = test::errorFrom([&] { selectTargets(all, {"tenant_1", "tenant_3"}); });
    EXPECT_EQ(e.code(), ExitCode::Usage);
    EXPECT_THAT(e.what(), testing::HasSubstr("--target tenant_3 matches no target"));
}

TargetOutcome outcome(TargetState state, std::optional<ExitCode> error = std::nullopt,
                      ExitCode result = ExitCode::Ok) {
    TargetOutcome o;
    o.state = state;
    o.result.code = result;
    if (error)
        o.error = Error(*error, "x");
    return o;
}

TEST(FleetExitCode, TheMostSevereCodeOfAnyTarget) {
    using S = TargetState;
    EXPECT_EQ(fleetExitCode({outcome(S::Done), outcome(S::Done)}), ExitCode::Ok);
    EXPECT_EQ(fleetExitCode({outcome(S::Done, std::nullopt, ExitCode::Check), outcome(S::Done)}),
              ExitCode::Check);
    EXPECT_EQ(fleetExitCode({outcome(S::Failed, ExitCode::Connection),
                             outcome(S::Done, std::nullopt, ExitCode::Check),
                             outcome(S::Failed, ExitCode::Lock)}),
              ExitCode::Lock);
    EXPECT_EQ(
        fleetExitCode({outcome(S::Failed, ExitCode::Lock), outcome(S::Failed, ExitCode::Database)}),
        ExitCode::Database);
    EXPECT_EQ(fleetExitCode({outcome(S::Failed, ExitCode::Database),
                             outcome(S::Interrupted, ExitCode::Database)}),
              ExitCode::Interrupted);
    // Not run after --fail-fast: the failure that stopped the run says it.
    EXPECT_EQ(fleetExitCode({outcome(S::Failed, ExitCode::Database), outcome(S::NotRun)}),
              ExitCode::Database);
}

}  // namespace
}  // namespace dbtool::fleet
