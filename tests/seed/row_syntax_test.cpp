// The syntax inside a seed row: labels, merge keys, !ref and tags.
#include "seed/row_syntax.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/expect_error.hpp"

namespace dbtool {
namespace {

using ::testing::HasSubstr;

// The first row of the first table of `yaml`.
YamlValue firstRow(const std::string& yaml) {
    struct First : SeedStreamVisitor {
        std::optional<YamlValue> found;
        void beginTable(const std::string&, int, int, bool) override {}
        void option(const std::string&, const YamlValue&, int, int) override {}
        void beginRows(int, int, bool) override {}
        void row(YamlValue&& r, const std::string&) override {
            if (!found)
                found = std::move(r);
        }
        void endTable() override {}
    } first;
    streamSeedText(yaml, "s.yaml", first);
    return *first.found;
}

TEST(RowSyntax, LabelsAreTakenOutAndMergeKeysApplied) {
    YamlValue row =
        firstRow("t:\n  - {<<: {role: user, active: true}, _label: ann, role: admin}\n");
    EXPECT_EQ(normalizeRow(row, "s.yaml"), "ann");
    ASSERT_EQ(row.fields.size(), 2u);
    EXPECT_EQ(row.fields[0].first, "role");
    EXPECT_EQ(row.fields[0].second.text, "admin");  // the row's own value wins
    EXPECT_EQ(row.fields[1].first, "active");
    EXPECT_EQ(row.keyPositions.size(), row.fields.size());

    YamlValue plain = firstRow("t:\n  - {a: 1}\n");
    EXPECT_EQ(normalizeRow(plain, "s.yaml"), "");
    EXPECT_EQ(plain.fields.size(), 1u);
}

TEST(RowSyntax, MalformedRowsAndLabelsAreErrorsAtTheirPosition) {
    YamlValue list = firstRow("t:\n  - [1, 2]\n");
    Error e = test::errorFrom([&] { normalizeRow(list, "s.yaml"); });
    EXPECT_THAT(e.what(), HasSubstr("a row must be a mapping"));
    EXPECT_EQ(e.where().line, 2);
    YamlValue dotted = firstRow("t:\n  - {_label: a.b}\n");
    e = test::errorFrom([&] { normalizeRow(dotted, "s.yaml"); });
    EXPECT_THAT(e.what(), HasSubstr("_label must be a name without dots"));
    EXPECT_EQ(e.where().column, 14);
}

TEST(RowSyntax, ReferencesAndTags) {
    YamlValue row = firstRow(
        "t:\n  - {a: !ref users.ann, b: [1, !ref x.y], c: !sql now(), d: "
        "!!str 1}\n");
    const YamlValue& a = *row.find("a");
    EXPECT_TRUE(isRef(a));
    EXPECT_EQ(parseRef(a, "s.yaml").table, "users");
    EXPECT_EQ(parseRef(a, "s.yaml").label, "ann");
    EXPECT_FALSE(isRef(*row.find("b")));
    EXPECT_TRUE(holdsRef(*row.find("b")));
    EXPECT_FALSE(holdsRef(*row.find("d")));
    EXPECT_NO_THROW(checkTag(*row.find("d"), "s.yaml"));
    const Error e = test::errorFrom([&] { checkTag(*row.find("c"), "s.yaml"); });
    EXPECT_THAT(e.what(), HasSubstr("unknown tag !sql"));
    YamlValue bad = firstRow("t:\n  - {a: !ref users}\n");
    EXPECT_THAT(test::errorFrom([&] { parseRef(*bad.find("a"), "s.yaml"); }).what(),
                HasSubstr("!ref needs TABLE.LABEL"));
}

}  // namespace
}  // namespace dbtool
