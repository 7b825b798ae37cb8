#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

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
                    personStream(seed, "public.t", row), [](const std::string& table, uint64_t r) {
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

// Integers stay integers, inside [MIN, MAX], up to the whole bigint range.
TEST(ValueTemplate, IntRangesAreExactToTheLastDigit) {
    const SourceLocation here{"s.yaml", 1, 1};
    auto render = [&](const std::string& text, int64_t row) {
        return ValueTemplate::compile(text, here)
            .render(row, valueStream(3, "s/public.t", "c", row), personStream(3, "s/public.t", row),
                    {});
    };
    std::set<std::string> full;
    for (int i = 0; i < 200; ++i) {
        full.insert(render("{{int -9223372036854775808 9223372036854775807}}", i));
        const int64_t near = std::stoll(render("{{int 9007199254740990 9007199254740999}}", i));
        EXPECT_GE(near, 9007199254740990);
        EXPECT_LE(near, 9007199254740999);
        EXPECT_EQ(render("{{int 9223372036854775807 9223372036854775807}}", i),
                  "9223372036854775807");
        const int64_t low =
            std::stoll(render("{{int -9223372036854775808 -9223372036854775800}}", i));
        EXPECT_LE(low, -9223372036854775800);
    }
    EXPECT_GT(full.size(), 190u);  // not one value on every row
}

// Two seed files generating into one table draw different values: UUIDs and emails never
// collide across files, and each file's values stay the same run after run.
TEST(ValueTemplate, TwoSeedFilesNeverShareEmailsOrUuids) {
    const SourceLocation here{"s.yaml", 1, 1};
    auto render = [&](const std::string& text, const std::string& file, int64_t row) {
        return ValueTemplate::compile(text, here)
            .render(row, valueStream(1, file + "/public.users", "c", row),
                    personStream(1, file + "/public.users", row), {}, emailDomain(file));
    };
    std::set<std::string> emails, uuids;
    for (const char* file : {"001_users", "002_more_users"}) {
        for (int i = 0; i < 100; ++i) {
            emails.insert(render("{{email}}", file, i));
            uuids.insert(render("{{uuid}}", file, i));
        }
    }
    EXPECT_EQ(emails.size(), 200u);
    EXPECT_EQ(uuids.size(), 200u);
    EXPECT_THAT(
        render("{{email}}", "development/010_demo", 0),
        ::testing::MatchesRegex("[a-z]+\\.[a-z]+\\.1@development-010-demo\\.example\\.com"));
    EXPECT_EQ(render("{{uuid}}", "001_users", 7), render("{{uuid}}", "001_users", 7));
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
    EXPECT_THAT(err("{{int a 1}}"), HasSubstr("'a' is not a whole number"));
    EXPECT_THAT(err("{{int 1.5 3}}"), HasSubstr("'1.5' is not a whole number"));
    EXPECT_THAT(err("{{int 0 9223372036854775808}}"), HasSubstr("not a whole number"));
    EXPECT_THAT(err("{{date 2024-13-01 2024-01-01}}"), HasSubstr("YYYY-MM-DD"));
    EXPECT_THAT(err("open {{seq"), HasSubstr("unterminated"));
    // Found by fuzzing: these threw std::invalid_argument / std::out_of_range.
    EXPECT_THAT(err("{{float 0 10 )2}}"), HasSubstr("from 0 to 15"));
    EXPECT_THAT(err("{{float 0 10 99999999999999999999}}"), HasSubstr("from 0 to 15"));
    EXPECT_THAT(err("{{words 100000}}"), HasSubstr("from 0 to 1000"));
}

}  // namespace
}  // namespace dbtool
