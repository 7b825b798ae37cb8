// JSON values of columns: typed only where the JSON says exactly what PostgreSQL's text says.
#include "report/exact_value.hpp"

#include <gtest/gtest.h>

namespace dbtool::test {
namespace {

using nlohmann::json;
using report::exactJsonValue;

constexpr unsigned kBool = 16, kInt8 = 20, kInt4 = 23, kJson = 114, kFloat4 = 700, kFloat8 = 701,
                   kNumeric = 1700, kJsonb = 3802;

TEST(ExactJsonValue, NullIsNullAndNothingElseIs) {
    EXPECT_TRUE(exactJsonValue(std::nullopt, kInt4).is_null());
    EXPECT_EQ(exactJsonValue("NULL", 25), "NULL");
    EXPECT_EQ(exactJsonValue("null", kJsonb), "null");   // a JSON null inside jsonb: not NULL
    EXPECT_EQ(exactJsonValue("\"x\"", kJson), "\"x\"");  // a JSON string: not the text x
    EXPECT_EQ(exactJsonValue("true", kJsonb), true);
    EXPECT_EQ(exactJsonValue("t", kBool), true);
    EXPECT_EQ(exactJsonValue("f", kBool), false);
}

TEST(ExactJsonValue, IntegersAreNumbersToTheLastDigit) {
    EXPECT_EQ(exactJsonValue("-9223372036854775808", kInt8).dump(), "-9223372036854775808");
    EXPECT_EQ(exactJsonValue("9223372036854775807", kInt8).dump(), "9223372036854775807");
    EXPECT_EQ(exactJsonValue("42", kInt4), 42);
}

TEST(ExactJsonValue, FloatsAreNumbersOnlyWhenExact) {
    EXPECT_EQ(exactJsonValue("Infinity", kFloat8), "Infinity");
    EXPECT_EQ(exactJsonValue("-Infinity", kFloat4), "-Infinity");
    EXPECT_EQ(exactJsonValue("NaN", kFloat8), "NaN");
    EXPECT_EQ(exactJsonValue("-0", kFloat8), "-0");  // a JSON number would lose the sign
    const json subnormal = exactJsonValue("5e-324", kFloat8);
    EXPECT_TRUE(subnormal.is_number());
    EXPECT_EQ(subnormal.dump(), "5e-324");
    EXPECT_EQ(exactJsonValue("1.7976931348623157e+308", kFloat8).dump(), "1.7976931348623157e+308");
    EXPECT_EQ(exactJsonValue("0.1", kFloat4).dump(), "0.1");
    EXPECT_EQ(exactJsonValue("1.50", kNumeric), "1.50");  // numeric: always its text
}

TEST(ExactJsonValue, JsonTextAParserWouldChangeStaysText) {
    EXPECT_EQ(exactJsonValue(R"({"a":1,"a":2})", kJson), R"({"a":1,"a":2})");
    EXPECT_EQ(exactJsonValue(R"({"b":1,"a":2})", kJson), R"({"b":1,"a":2})");  // key order
    EXPECT_EQ(exactJsonValue(R"({"n": 123456789012345678901234567890})", kJsonb),
              R"({"n": 123456789012345678901234567890})");
    EXPECT_EQ(exactJsonValue(R"({"a": 1.50})", kJsonb), R"({"a": 1.50})");
    EXPECT_EQ(exactJsonValue("1e400", kJson), "1e400");
    // Typed where nothing changes; jsonb's own key order (shorter keys first) means nothing.
    EXPECT_EQ(exactJsonValue(R"({"b": 1, "aa": [1, 2.5, "é", null]})", kJsonb),
              json::parse(R"({"aa": [1, 2.5, "é", null], "b": 1})"));
    EXPECT_EQ(exactJsonValue(" [1, {\"a\": true}] ", kJson), json::parse(R"([1, {"a": true}])"));
}

TEST(CompactJson, DropsWhitespaceBetweenTokensOnly) {
    EXPECT_EQ(report::compactJson("{ \"a b\" : [ 1 , \"x \\\" y\" ] }\n"),
              "{\"a b\":[1,\"x \\\" y\"]}");
}

}  // namespace
}  // namespace dbtool::test
