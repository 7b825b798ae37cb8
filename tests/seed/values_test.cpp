// Values on their way into columns: COPY's text format (the one escaper) and array literals.
#include "seed/values.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace dbtool {
namespace {

Cell value(std::string text) {
    return {Cell::Kind::Value, std::move(text)};
}

TEST(CopyLine, EscapesWhatCopyTextFormatTreatsSpecially) {
    std::string out;
    appendCopyLine(
        out,
        {value("plain"), value("tab\there"), value("line\nbreak\r"), value("back\\slash"),
         value("\\."), value(""), Cell{Cell::Kind::Null, ""}, Cell{Cell::Kind::Default, ""}},
        0, "now");
    EXPECT_EQ(out, "plain\ttab\\there\tline\\nbreak\\r\tback\\\\slash\t\\\\.\t\t\\N\t\\N\n");
}

TEST(CopyLine, FillsTimestampsAfterTheCells) {
    std::string out;
    appendCopyLine(out, {value("a")}, 2, "2026-01-01 00:00:00+00");
    appendCopyLine(out, {value("b")}, 0, "x");
    EXPECT_EQ(out, "a\t2026-01-01 00:00:00+00\t2026-01-01 00:00:00+00\nb\n");
}

TEST(CopyLine, TheFailingLineIsReadFromCopysContext) {
    db::ServerError server;
    server.context = "COPY users, line 17, column email: \"x\"";
    EXPECT_EQ(copyLine(db::SqlError(ExitCode::Database, "bad", server)), 17);
    server.context = "SQL statement";
    EXPECT_EQ(copyLine(db::SqlError(ExitCode::Database, "bad", server)), std::nullopt);
}

TEST(PgArray, QuotesElementsAndNestsLists) {
    YamlValue list;
    list.kind = YamlValue::Kind::Sequence;
    auto scalar = [](std::string text) {
        YamlValue v;
        v.kind = YamlValue::Kind::Scalar;
        v.tag = "?";
        v.text = std::move(text);
        return v;
    };
    list.items = {scalar("a"), scalar("say \"hi\""), scalar("back\\slash"), YamlValue{}};
    YamlValue inner;
    inner.kind = YamlValue::Kind::Sequence;
    inner.items = {scalar("1"), scalar("2")};
    list.items.push_back(inner);
    auto noRef = [](const YamlValue&) { return std::string("?"); };
    EXPECT_EQ(pgArray(list, noRef, false), R"({"a","say \"hi\"","back\\slash",NULL,{"1","2"}})");
    // Arrays of json hold each element as JSON text.
    YamlValue json;
    json.kind = YamlValue::Kind::Sequence;
    json.items = {inner, scalar("x")};
    EXPECT_EQ(pgArray(json, noRef, true), R"({"[1,2]","\"x\""})");
}

}  // namespace
}  // namespace dbtool
