#include "base/text.hpp"

#include <gtest/gtest.h>

#include "base/versions.hpp"

namespace dbtool {
namespace {

TEST(QuoteIdentifier, DoublesQuotesAndNeedsNoConnection) {
    EXPECT_EQ(quoteIdentifier("users"), "\"users\"");
    EXPECT_EQ(quoteIdentifier("Order Items"), "\"Order Items\"");
    EXPECT_EQ(quoteIdentifier("a\"; DROP TABLE x; --"), "\"a\"\"; DROP TABLE x; --\"");
    EXPECT_EQ(quoteIdentifier("größe"), "\"größe\"");
    EXPECT_EQ(quoteIdentifier(""), "\"\"");
}

TEST(Versions, CompareNumericallyWhateverTheirLength) {
    EXPECT_LT(compareVersions("9", "10"), 0);
    EXPECT_EQ(compareVersions("001", "1"), 0);
    EXPECT_GT(compareVersions("20240102000000", "20240101999999"), 0);
    EXPECT_EQ(compareVersions("0", "000"), 0);
    EXPECT_EQ(canonicalVersion("000"), "0");
    EXPECT_EQ(canonicalVersion("0042"), "42");
}

TEST(FirstFew, ListsWhatIsShownAndSaysWhenThereIsMore) {
    EXPECT_EQ(firstFew({"17"}, 1), "17");
    EXPECT_EQ(firstFew({"1", "(a, en)"}, 7), "1, (a, en), ...");
    EXPECT_EQ(firstFew({}, 3), "...");
}

}  // namespace
}  // namespace dbtool
