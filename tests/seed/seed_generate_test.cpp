#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "seed/seed_generate.hpp"
#include "support/expect_error.hpp"

namespace dbtool {
namespace {

using ::testing::HasSubstr;

TEST(ValueTemplate, RendersEveryFunctionDeterministically) {
    const SourceLocation here{"s.yaml", 3, 5};
    auto render = [&](const std::string& text, int64_t row, uint64_t seed = 7) {
        return ValueTemplate::compile(text, here)
            .render(row, valueStream(seed, "public.t", "c", row),
                    [](const std::string& table, uint64_t r) {
                        return table + "#" + std::to_string(r % 3);
                    });
    };
    EXPECT_EQ(render("user{{seq}}", 0), "user1");
    EXPECT_EQ(render("{{seq 100}}", 4), "104");
    for (int i = 0; i < 50; ++i) {
        const int v = std::stoi(render("{{int 5 9}}", i));
        EXPECT_GE(v, 5);
        EXPECT_LE(v, 9);
        const std::string date = render("{{date 2024-02-27 2024-03-02}}", i);
        EXPECT_GE(date, "2024-02-27");
        EXPECT_LE(date, "2024-03-02");
    }
    EXPECT_THAT(render("{{email}}", 41),
                ::testing::MatchesRegex("[a-z]+\\.[a-z]+\\.42@example\\.com"));
    EXPECT_THAT(render("{{uuid}}", 1),
                ::testing::MatchesRegex(
                    "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"));
    EXPECT_THAT(render("{{pick red \"light blue\"}}", 2), ::testing::AnyOf("red", "light blue"));
    EXPECT_THAT(render("{{bool}}", 3), ::testing::AnyOf("true", "false"));
    EXPECT_THAT(render("{{ref users}}", 3), HasSubstr("users#"));
    EXPECT_THAT(render("{{datetime 2024-01-01 2024-01-01}}", 3),
                ::testing::MatchesRegex("2024-01-01 [0-9]{2}:[0-9]{2}:[0-9]{2}\\+00"));
    EXPECT_EQ(render("{{sentence}} {{float 1 2 3}}", 9), render("{{sentence}} {{float 1 2 3}}", 9));
    EXPECT_NE(render("{{words 4}}", 9, 1), render("{{words 4}}", 9, 2));
}

TEST(ValueTemplate, EachValueDependsOnlyOnSeedTableColumnAndRow) {
    EXPECT_EQ(valueStream(1, "public.t", "a", 5), valueStream(1, "public.t", "a", 5));
    EXPECT_NE(valueStream(1, "public.t", "a", 5), valueStream(1, "public.t", "b", 5));
    EXPECT_NE(valueStream(1, "public.t", "a", 5), valueStream(1, "public.t", "a", 6));
    EXPECT_NE(valueStream(1, "public.t", "a", 5), valueStream(2, "public.t", "a", 5));
}

TEST(ValueTemplate, BadTemplatesAreExplained) {
    const SourceLocation here{"s.yaml", 3, 5};
    auto err = [&](const std::string& text) {
        const Error e = test::errorFrom([&] { ValueTemplate::compile(text, here); });
        EXPECT_EQ(e.where().str(), "s.yaml:3:5") << text;
        return std::string(e.what());
    };
    EXPECT_THAT(err("{{sentense}}"), HasSubstr("did you mean 'sentence'"));
    EXPECT_THAT(err("{{int 1}}"), HasSubstr("takes 2 argument(s), not 1"));
    EXPECT_THAT(err("{{int 9 1}}"), HasSubstr("below the minimum"));
    EXPECT_THAT(err("{{int a 1}}"), HasSubstr("not a number"));
    EXPECT_THAT(err("{{date 2024-13-01 2024-01-01}}"), HasSubstr("YYYY-MM-DD"));
    EXPECT_THAT(err("open {{seq"), HasSubstr("unterminated"));
    // Found by fuzzing: these threw std::invalid_argument / std::out_of_range.
    EXPECT_THAT(err("{{float 0 10 )2}}"), HasSubstr("from 0 to 15"));
    EXPECT_THAT(err("{{float 0 10 99999999999999999999}}"), HasSubstr("from 0 to 15"));
    EXPECT_THAT(err("{{words 100000}}"), HasSubstr("from 0 to 1000"));
}

}  // namespace
}  // namespace dbtool
