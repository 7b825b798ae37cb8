#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "seed/yaml_stream.hpp"
#include "support/expect_error.hpp"

namespace dbtool {
namespace {

using ::testing::HasSubstr;

// Records what the stream reader reports.
struct Recorder : SeedStreamVisitor {
    std::vector<std::string> events;
    std::vector<YamlValue> rows;
    void beginTable(const std::string& name, int line, int column, bool longForm) override {
        events.push_back("table " + name + " " + std::to_string(line) + ":" +
                         std::to_string(column) + (longForm ? " long" : " short"));
    }
    void option(const std::string& key, const YamlValue& value, int line, int) override {
        events.push_back(
            "option " + key + "@" + std::to_string(line) + "=" +
            yamlToJson(value, [](const YamlValue& v) { return "\"ref:" + v.text + "\""; }));
    }
    void beginRows(int line, int, bool labelled) override {
        events.push_back("rows@" + std::to_string(line) + (labelled ? " labelled" : ""));
    }
    void row(YamlValue&& row, const std::string& label) override {
        events.push_back("row " + std::to_string(row.line) + (label.empty() ? "" : " " + label));
        rows.push_back(std::move(row));
    }
    void endTable() override { events.push_back("end"); }
};

Recorder read(const std::string& text) {
    Recorder r;
    streamSeedText(text, "s.yaml", r);
    return r;
}

Error readError(const std::string& text) {
    return test::errorFrom([&] { read(text); });
}

TEST(SeedStream, ShortAndLongFormsStreamRowsWithPositions) {
    auto r = read(
        "users:\n"
        "  - {name: Ann, email: ann@example.com}\n"
        "  - name: Bob\n"
        "    tags: [a, b]\n"
        "posts:\n"
        "  key: [slug]\n"
        "  on_conflict: update\n"
        "  rows:\n"
        "    hello: {slug: hello, author_id: !ref users.ann}\n"
        "empty:\n");
    EXPECT_EQ(r.events,
              (std::vector<std::string>{"table users 1:1 short", "row 2", "row 3", "end",
                                        "table posts 5:1 long", "option key@6=[\"slug\"]",
                                        "option on_conflict@7=\"update\"", "rows@8 labelled",
                                        "row 9 hello", "end", "table empty 10:1 short", "end"}));
    ASSERT_EQ(r.rows.size(), 3u);
    EXPECT_EQ(r.rows[1].find("tags")->items.size(), 2u);
    EXPECT_EQ(r.rows[2].find("author_id")->tag, "!ref");
    EXPECT_EQ(r.rows[2].keyPositions[1], std::make_pair(9, 26));
}

TEST(SeedStream, AnchorsAliasesAndScalarStyles) {
    auto r = read(
        "users:\n"
        "  - &base {role: member, active: true}\n"
        "  - <<: *base\n"
        "    name: \"quoted\"\n"
        "    note: ~\n");
    ASSERT_EQ(r.rows.size(), 2u);
    const YamlValue& merge = *r.rows[1].find("<<");
    EXPECT_EQ(merge.kind, YamlValue::Kind::Mapping);
    EXPECT_EQ(merge.find("role")->text, "member");
    EXPECT_EQ(r.rows[1].find("name")->tag, "!");
    EXPECT_TRUE(r.rows[1].find("note")->isNull());
}

TEST(SeedStream, StructureErrorsHaveLineAndColumn) {
    Error syntax = readError("users:\n  - name: [Ann\n  - name: Bob\n");
    EXPECT_EQ(syntax.code(), ExitCode::InvalidInput);
    EXPECT_THAT(syntax.what(), HasSubstr("YAML syntax error"));
    EXPECT_EQ(syntax.where().file, "s.yaml");
    EXPECT_GT(syntax.where().line, 1);

    Error notMap = readError("- a\n- b\n");
    EXPECT_THAT(notMap.what(), HasSubstr("mapping of table names"));
    EXPECT_EQ(notMap.where().line, 1);

    Error scalarTable = readError("users: 42\n");
    EXPECT_THAT(scalarTable.what(), HasSubstr("must hold a list of rows"));
    EXPECT_EQ(scalarTable.where().str(), "s.yaml:1:8");

    EXPECT_THAT(readError("a: []\n---\nb: []\n").what(), HasSubstr("one YAML document"));

    // Bad encoding: the byte and where it is, counted in characters.
    Error latin1 = readError("users:\n  - name: \"\xc3\xa9t\xff\"\n");
    EXPECT_THAT(latin1.what(), HasSubstr("not valid UTF-8"));
    EXPECT_THAT(latin1.what(), HasSubstr("0xff"));
    EXPECT_EQ(latin1.where().str(), "s.yaml:2:14");  // é counts as one column
    Error cut = readError("users:\n  - {name: \"\xe9t\"}\n");
    EXPECT_THAT(cut.what(), HasSubstr("not valid UTF-8"));
    EXPECT_EQ(cut.where().line, 2);

    Error undefinedAlias = readError("users:\n  - name: *nobody\n");
    EXPECT_THAT(undefinedAlias.what(), HasSubstr("alias"));
    EXPECT_EQ(undefinedAlias.where().str(), "s.yaml:2:11");
}

TEST(SeedStream, ADuplicateKeyIsAnErrorNamingBothPlaces) {
    Error flow = readError("users:\n  - {name: T1, name: T2}\n");
    EXPECT_EQ(flow.code(), ExitCode::InvalidInput);
    EXPECT_THAT(flow.what(), HasSubstr("duplicate key 'name' in this mapping (first at line 2, "
                                       "column 6)"));
    EXPECT_EQ(flow.where().str(), "s.yaml:2:16");
    Error block = readError("users:\n  - name: T1\n    age: 3\n    name: T2\n");
    EXPECT_EQ(block.where().str(), "s.yaml:4:5");
    EXPECT_THAT(block.what(), HasSubstr("first at line 2, column 5"));
    EXPECT_THAT(readError("users:\n  rows: []\n  key: a\n  key: b\n").what(),
                HasSubstr("duplicate option 'key'"));
    EXPECT_THAT(readError("users:\n  rows:\n    ann: {a: 1}\n    ann: {a: 2}\n").what(),
                HasSubstr("duplicate row label 'ann'"));
    EXPECT_THAT(readError("users: []\nposts: []\nusers: []\n").what(),
                HasSubstr("duplicate table 'users' in this mapping (first at line 1"));
    // Nested values and different rows may repeat keys.
    EXPECT_NO_THROW(read("users:\n  - {name: a, meta: {name: b}}\n  - {name: c}\n"));
}

TEST(SeedStream, ATabInTheIndentationIsCalledATab) {
    Error first = readError("users:\n\t- name: a\n");
    EXPECT_THAT(first.what(), HasSubstr("a tab in the indentation of line 2"));
    EXPECT_EQ(first.where().str(), "s.yaml:2:1");
    Error later = readError("users:\n  - name: a\n  \tage: 3\n");
    EXPECT_THAT(later.what(), HasSubstr("a tab in the indentation of line 3"));
    EXPECT_EQ(later.where().str(), "s.yaml:3:3");
    EXPECT_THAT(later.hint(), HasSubstr("spaces"));
    // A tab inside a value is just a character.
    EXPECT_NO_THROW(read("users:\n  - {name: \"a\tb\"}\n"));
}

TEST(SeedStream, BomCrlfNulEscapesAndNullSpellings) {
    auto r = read(
        "\xef\xbb\xbfusers:\r\n  - {a: \"x\\0y\", b: ~, c: null, d: , e: '', f: !!str null, "
        "g: NULL}\r\n");
    ASSERT_EQ(r.rows.size(), 1u);
    const YamlValue& row = r.rows[0];
    EXPECT_EQ(row.find("a")->text, std::string("x\0y", 3));
    for (const char* k : {"b", "c", "d", "g"})
        EXPECT_TRUE(row.find(k)->isNull()) << k;
    EXPECT_TRUE(row.find("e")->isScalar());
    EXPECT_EQ(row.find("e")->tag, "!");
    EXPECT_TRUE(row.find("f")->isScalar());
    EXPECT_EQ(row.find("f")->text, "null");
}

TEST(YamlToJson, ResolvesCoreTypes) {
    auto r = read("t:\n  - {v: {n: 1, f: -2.5e3, b: true, s: \"1\", z: ~, w: word, l: [1, x]}}\n");
    const std::string json = yamlToJson(*r.rows[0].find("v"), [](const YamlValue&) { return "0"; });
    EXPECT_EQ(json, R"({"n":1,"f":-2.5e3,"b":true,"s":"1","z":null,"w":"word","l":[1,"x"]})");
}

}  // namespace
}  // namespace dbtool
