// model generate, data list and schema dump through the real binary.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "base/text.hpp"
#include "report/exact_value.hpp"
#include "support/database.hpp"

namespace dbtool::test {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

class Model : public DatabaseTest {};

TEST_F(Model, GeneratedMigrationsApplyAndRollBackForEveryTypeAndModifier) {
    auto team = dbtool({"model", "generate", "Team", "--attributes", "name:string:unique"});
    ASSERT_EQ(team.exitCode, 0) << team.err;
    auto post =
        dbtool({"model", "generate", "BlogPost", "--attributes",
                "title:string,body:text:null,views:integer:index:default=0,big:bigint:unique,"
                "ratio:float,score:double,price:decimal(10,2),published:boolean:default=false,"
                "publishedAt:date:null,day:dateonly,at:time,ref:uuid:unique,meta:json,data:jsonb,"
                "status:enum(draft|live):default=draft,tags:array(string),team:references,"
                "editor:references(teams):null"});
    ASSERT_EQ(post.exitCode, 0) << post.err;
    EXPECT_THAT(post.out, ::testing::ContainsRegex("migrations/[0-9]{14}_create_blog_posts\\.sql"));
    EXPECT_THAT(post.out, ::testing::ContainsRegex("seeds/[0-9]{14}_blog_posts\\.yaml"));

    auto up = dbtool({"migrate", "up"});
    ASSERT_EQ(up.exitCode, 0) << up.err;
    EXPECT_EQ(rows("SELECT column_name || ':' || data_type || ':' || is_nullable FROM "
                   "information_schema.columns "
                   "WHERE table_name = 'blog_posts' AND column_name IN ('title', 'published_at', "
                   "'price', 'tags', "
                   "'team_id', 'editor_id', 'day', 'data') ORDER BY column_name"),
              (std::vector<std::string>{
                  "data:jsonb:NO", "day:date:NO", "editor_id:bigint:YES", "price:numeric:NO",
                  "published_at:timestamp with time zone:YES", "tags:ARRAY:NO", "team_id:bigint:NO",
                  "title:character varying:NO"}));
    // The generated seeds load (teams first: blog_posts picks random teams).
    auto seeded = dbtool({"seed", "run"});
    ASSERT_EQ(seeded.exitCode, 0) << seeded.err;
    EXPECT_EQ(scalar("SELECT count(*) FROM blog_posts"), "10");
    EXPECT_EQ(scalar("SELECT count(*) FROM blog_posts WHERE status IN ('draft', 'live')"), "10");
    ASSERT_EQ(dbtool({"seed", "undo", "--all"}).exitCode, 0);
    auto down = dbtool({"migrate", "down", "--all"});
    ASSERT_EQ(down.exitCode, 0) << down.err;
    EXPECT_FALSE(tableExists("blog_posts"));
    EXPECT_FALSE(tableExists("teams"));
}

TEST_F(Model, ReservedWordNamesApplyAndSeed) {
    auto a = dbtool({"model", "generate", "A", "--attributes",
                     "order:integer:index,select:string,email:string:unique"});
    ASSERT_EQ(a.exitCode, 0) << a.err;
    ASSERT_EQ(dbtool({"migrate", "up"}).exitCode, 0);
    auto seeded = dbtool({"seed", "run"});
    ASSERT_EQ(seeded.exitCode, 0) << seeded.err;
    EXPECT_EQ(scalar("SELECT count(*) FROM \"as\" WHERE email LIKE '%@%' AND email NOT LIKE '% %'"),
              "10");
    ASSERT_EQ(dbtool({"seed", "undo", "--all"}).exitCode, 0);
    ASSERT_EQ(dbtool({"migrate", "down"}).exitCode, 0);
    EXPECT_FALSE(tableExists("as"));
}

TEST_F(Model, DryRunPrintsSqlAndWritesNothing) {
    auto r =
        dbtool({"model", "generate", "User", "--attributes", "email:string:unique", "--dry-run"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("CREATE TABLE users ("));
    EXPECT_THAT(r.out, HasSubstr("email varchar(255) NOT NULL UNIQUE"));
    EXPECT_FALSE(std::filesystem::exists(dir().path() / "migrations"));
    auto bad = dbtool({"model", "generate", "User", "--attributes", "email:strin"});
    EXPECT_EQ(bad.exitCode, 2);
    EXPECT_THAT(bad.err, HasSubstr("attribute 'email:strin'"));
}

class DataList : public DatabaseTest {
  protected:
    void SetUp() override {
        DatabaseTest::SetUp();
        // 45 rows; "grp" repeats (duplicates in the ordering column) and is NULL for some.
        exec(
            "CREATE TABLE items (id serial PRIMARY KEY, grp int, name text, note text, data jsonb, "
            "ok boolean);"
            "INSERT INTO items (grp, name, note, data, ok) SELECT CASE WHEN i % 9 = 0 THEN NULL "
            "ELSE i % 4 END, "
            "'item ' || i, CASE WHEN i % 5 = 0 THEN '' WHEN i % 7 = 0 THEN NULL ELSE 'n' || i END, "
            "jsonb_build_object('i', i), i % 2 = 0 FROM generate_series(1, 45) i");
    }
    json list(std::vector<std::string> args) {
        args.insert(args.begin(), {"data", "list"});
        args.push_back("--format");
        args.push_back("json");
        auto r = dbtool(args);
        EXPECT_EQ(r.exitCode, 0) << r.err;
        return json::parse(r.out);
    }
};

TEST_F(DataList, OffsetPagesFirstMiddleLastAndBeyond) {
    auto first = dbtool({"data", "list", "items", "--per-page", "10", "--columns", "id,name"});
    ASSERT_EQ(first.exitCode, 0) << first.err;
    EXPECT_THAT(first.out, HasSubstr("page 1 of 5, 45 rows; next page: --page 2"));
    EXPECT_THAT(first.out, HasSubstr("item 10"));
    EXPECT_THAT(first.out, Not(HasSubstr("item 11")));
    auto middle = list({"items", "--per-page", "10", "--page", "3"});
    EXPECT_EQ(middle["rows"].size(), 10u);
    EXPECT_EQ(middle["rows"][0]["id"], 21);
    EXPECT_EQ(middle["paging"]["pages"], 5);
    auto last = list({"items", "--per-page", "10", "--page", "5"});
    EXPECT_EQ(last["rows"].size(), 5u);
    EXPECT_TRUE(last["paging"]["next_after"].is_null());
    auto beyond = dbtool({"data", "list", "items", "--per-page", "10", "--page", "9"});
    ASSERT_EQ(beyond.exitCode, 0);
    EXPECT_THAT(beyond.out, HasSubstr("past the last page, no rows (45 rows in all)"));
}

TEST_F(DataList, KeysetPagesReturnEveryRowExactlyOnce) {
    for (const std::vector<std::string>& order : {std::vector<std::string>{},
                                                  {"--order-by", "grp"},
                                                  {"--order-by", "grp:desc"},
                                                  {"--order-by", "ok", "--order-by", "grp:desc"},
                                                  {"--order-by", "note"}}) {
        std::multiset<int> seen;
        std::optional<std::string> after;
        int pages = 0;
        do {
            std::vector<std::string> args = {"items", "--per-page", "7", "--columns", "id"};
            args.insert(args.end(), order.begin(), order.end());
            if (after) {
                args.push_back("--after");
                args.push_back(*after);
            }
            auto page = list(args);
            for (const auto& row : page["rows"])
                seen.insert(row["id"].get<int>());
            after =
                page["paging"]["next_after"].is_null()
                    ? std::nullopt
                    : std::optional<std::string>(page["paging"]["next_after"].get<std::string>());
            ASSERT_LT(++pages, 20);
        } while (after);
        EXPECT_EQ(seen.size(), 45u) << (order.empty() ? "pk" : order[1]);
        EXPECT_EQ(std::set<int>(seen.begin(), seen.end()).size(), 45u);
    }
    auto bad = dbtool({"data", "list", "items", "--after", "[1,2,3]"});
    EXPECT_EQ(bad.exitCode, 2);
    EXPECT_THAT(bad.err, HasSubstr("not a key from this listing"));
}

TEST_F(DataList, FiltersCombine) {
    EXPECT_EQ(list({"items", "--where", "grp=1", "--per-page", "100"})["rows"].size(), 10u);
    EXPECT_EQ(list({"items", "--where", "grp!=1", "--per-page", "100"})["paging"]["total_rows"],
              30);
    EXPECT_EQ(list({"items", "--where", "id<5"})["paging"]["total_rows"], 4);
    EXPECT_EQ(list({"items", "--where", "id>=40"})["paging"]["total_rows"], 6);
    EXPECT_EQ(list({"items", "--where", "name~ITEM 4"})["paging"]["total_rows"], 7);  // 4, 40..45
    EXPECT_EQ(list({"items", "--where", "grp is null"})["paging"]["total_rows"], 5);
    EXPECT_EQ(
        list({"items", "--where", "grp is not null", "--where", "ok=true"})["paging"]["total_rows"],
        20);
    auto count = dbtool({"data", "list", "items", "--where", "ok=false", "--count"});
    EXPECT_EQ(count.out, "23\n");
    auto badColumn = dbtool({"data", "list", "items", "--where", "nmae=x"});
    EXPECT_EQ(badColumn.exitCode, 2);
    EXPECT_THAT(badColumn.err, HasSubstr("did you mean 'name'"));
    auto badTable = dbtool({"data", "list", "itemz"});
    EXPECT_EQ(badTable.exitCode, 2);
    EXPECT_THAT(badTable.err, HasSubstr("did you mean 'items'"));
    EXPECT_EQ(dbtool({"data", "list", "items", "--where", "id=abc"}).exitCode, 6);
}

TEST_F(DataList, TildeTreatsOnlyPercentAsAWildcard) {
    exec(R"(CREATE TABLE s (id int PRIMARY KEY, v text);
      INSERT INTO s VALUES (1, 'a_b'), (2, 'axb'), (3, 'a=b'), (4, 'a\b'), (5, 'A_B!'))");
    auto ids = [&](const std::string& where) {
        std::vector<int> out;
        const json page = list({"s", "--where", where, "--order-by", "id"});
        for (const auto& r : page["rows"])
            out.push_back(r["id"]);
        return out;
    };
    EXPECT_EQ(ids("v~a_b"), (std::vector<int>{1, 5}));  // case-insensitive, _ literal
    EXPECT_EQ(ids("v~a\\b"), (std::vector<int>{4}));
    EXPECT_EQ(ids("v~a%b"), (std::vector<int>{1, 2, 3, 4}));

    auto zero = dbtool({"data", "list", "s", "--page", "0"});
    EXPECT_EQ(zero.exitCode, 2);
    EXPECT_THAT(zero.err, HasSubstr("--page: must be at least 1 (got 0)"));
}

// Without a primary key a row's only position is its ctid, which an update changes: keyset
// paging could list the row twice, so only offset paging is offered.
TEST_F(DataList, ATableWithoutPrimaryKeyIsPagedByOffsetOnly) {
    exec("CREATE TABLE loose (v int); INSERT INTO loose SELECT generate_series(1, 10)");
    const json first = list({"loose", "--per-page", "5"});
    EXPECT_EQ(first["rows"].size(), 5u);
    EXPECT_TRUE(first["paging"]["next_after"].is_null());
    EXPECT_EQ(first["paging"]["pages"], 2);
    auto text = dbtool({"data", "list", "loose", "--per-page", "5"});
    EXPECT_THAT(text.out, HasSubstr("--page 2"));
    EXPECT_THAT(text.out, Not(HasSubstr("--after")));
    auto after = dbtool({"data", "list", "loose", "--after", "[\"(0,5)\"]"});
    EXPECT_EQ(after.exitCode, 2);
    EXPECT_THAT(after.err, HasSubstr("public.loose has no primary key"));
    EXPECT_THAT(after.err, HasSubstr("--page N"));
}

TEST_F(DataList, FormatsKeepNullAndEmptyStringApart) {
    auto j = list({"items", "--where", "id<=10", "--columns", "id,note,data,ok"});
    EXPECT_EQ(j["rows"][4]["note"], "");          // id 5
    EXPECT_TRUE(j["rows"][6]["note"].is_null());  // id 7
    EXPECT_EQ(j["rows"][0]["data"]["i"], 1);
    EXPECT_EQ(j["rows"][1]["ok"], true);
    auto csv = dbtool(
        {"data", "list", "items", "--where", "id<=7", "--columns", "id,note", "--format", "csv"});
    ASSERT_EQ(csv.exitCode, 0) << csv.err;
    EXPECT_THAT(csv.out, HasSubstr("\"id\",\"note\"\n\"1\",\"n1\"\n"));
    EXPECT_THAT(csv.out, HasSubstr("\"5\",\"\"\n"));
    EXPECT_THAT(csv.out, HasSubstr("\"7\",\n"));
    auto text = dbtool({"data", "list", "items", "--where", "id<=7", "--columns", "id,note"});
    EXPECT_THAT(text.out, ::testing::ContainsRegex("5 +\"\""));
    EXPECT_THAT(text.out, ::testing::ContainsRegex("7 +NULL"));
    auto refused = dbtool({"migrate", "status", "--format", "csv"});
    EXPECT_EQ(refused.exitCode, 2);
    EXPECT_THAT(refused.err, HasSubstr("--format csv is for `dbtool data list`"));
}

// Differential: every value of --format json against PostgreSQL's own text output of it, for
// the built-in types over edge values. A JSON string must be the text exactly; a typed value
// must say the same (a number's JSON text is PostgreSQL's, json the same tokens).
TEST_F(DataList, JsonValuesAreExactlyPostgresTextForEveryBuiltInType) {
    exec(R"(CREATE TABLE edge (id int PRIMARY KEY, i2 int2, i4 int4, i8 int8, f4 float4,
        f8 float8, n numeric, j json, jb jsonb, t text, b bool, by bytea, iv interval,
        ts timestamptz, d date, r int4range, a int[], u uuid, x xml, c char(3), bt bit(4));
      INSERT INTO edge VALUES
        (1, -32768, -2147483648, -9223372036854775808, 'Infinity', '5e-324',
         '123456789012345678901234567890.123', '{"a":1,"a":2}',
         '{"n": 123456789012345678901234567890, "b": 1, "aa": 2}', 'NULL', true, '\x00ff',
         '1 year 2 mons -3 days 04:05:06.789', 'infinity', '-infinity', '[1,5)', '{1,NULL,3}',
         'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '<a>&amp;</a>', 'ab', B'1010'),
        (2, 32767, 2147483647, 9223372036854775807, '-Infinity', '1.7976931348623157e+308',
         'NaN', '  [1, 2]', '[1.5, "é", null, {"k": "\"q\""}]', '', false, '', '-00:00:01',
         '2024-02-29 23:59:59.999999+00', '2000-01-01', 'empty', '{}', NULL, NULL, NULL, NULL),
        (3, 0, 0, 0, 'NaN', '-0', '1.50', '1e400', '{"a": 1.50}', E'tab\there', NULL, NULL,
         NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
        (4, NULL, NULL, NULL, '0.1', '0.1', NULL, '{"b":1,"a":2}', '"x"', NULL, NULL, NULL,
         NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
        (5, NULL, NULL, NULL, '-0', '1e100', NULL, 'null', 'null', NULL, NULL, NULL, NULL,
         NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL))");
    const std::vector<std::string> columns = {"i2", "i4", "i8", "f4", "f8", "n",  "j",
                                              "jb", "t",  "b",  "by", "iv", "ts", "d",
                                              "r",  "a",  "u",  "x",  "c",  "bt"};
    const json page = list({"edge", "--order-by", "id"});
    ASSERT_EQ(page["rows"].size(), 5u);
    for (size_t row = 0; row < 5; ++row) {
        for (const auto& c : columns) {
            // The type's output function, as libpq hands it over (not a cast to text).
            const std::string text =
                scalar("SELECT " + c + " FROM edge WHERE id = " + std::to_string(row + 1));
            const json& v = page["rows"][row][c];
            const std::string where = "row " + std::to_string(row + 1) + ", " + c + ": " + v.dump();
            if (v.is_null()) {
                EXPECT_EQ(text, "<null>") << where;
            } else if (v.is_string()) {
                EXPECT_EQ(v.get<std::string>(), text) << where;
            } else if (v.is_boolean()) {
                EXPECT_EQ(v.get<bool>() ? "t" : "f", text) << where;
            } else if (v.is_number()) {
                EXPECT_EQ(v.dump(), text) << where;
            } else if (c == "jb") {
                EXPECT_EQ(v, json::parse(text)) << where;
                EXPECT_EQ(nlohmann::ordered_json::parse(text).dump(), report::compactJson(text));
            } else {
                EXPECT_EQ(v.dump(), report::compactJson(text)) << where;
            }
        }
    }
    // The values the issue found: nothing rounded, nothing taken for NULL, no crash.
    EXPECT_EQ(page["rows"][0]["f4"], "Infinity");
    EXPECT_TRUE(page["rows"][0]["f8"].is_number());
    EXPECT_EQ(page["rows"][0]["j"], R"({"a":1,"a":2})");
    EXPECT_EQ(page["rows"][2]["f4"], "NaN");
    EXPECT_EQ(page["rows"][2]["j"], "1e400");
}

// Text output: NULL and "" only ever mean SQL NULL and the empty string; values that would
// read like them, like an escape or that have invisible spaces, are shown quoted.
TEST_F(DataList, TextOutputNeverShowsTwoValuesAlike) {
    exec(R"(CREATE TABLE v (id int PRIMARY KEY, s text);
      INSERT INTO v VALUES (1, NULL), (2, ''), (3, 'NULL'), (4, '""'), (5, E'a\nb'),
        (6, 'a\nb'), (7, ' pad '), (8, 'plain'), (9, 'say "hi"'))");
    auto text = dbtool({"data", "list", "v", "--order-by", "id"});
    ASSERT_EQ(text.exitCode, 0) << text.err;
    const std::vector<std::string> expected = {
        "1   NULL",        "2   \"\"",      "3   \"NULL\"", "4   \"\\\"\\\"\"", "5   \"a\\nb\"",
        "6   \"a\\\\nb\"", "7   \" pad \"", "8   plain",    "9   say \"hi\""};
    for (const auto& line : expected)
        EXPECT_THAT(text.out, HasSubstr("\n" + line + "\n")) << line << "\n" << text.out;
}

TEST_F(DataList, HostileIdentifiersAndValues) {
    exec(
        "CREATE TABLE \"we\"\"ird; DROP\" (\"co l\" text PRIMARY KEY, \"x'y\" int);"
        "INSERT INTO \"we\"\"ird; DROP\" VALUES ('''); DROP TABLE items; --', 1), "
        "(E'line\\nbreak', 2)");
    auto r = list({"we\"ird; DROP", "--where", "co l='); DROP TABLE items; --"});
    ASSERT_EQ(r["rows"].size(), 1u);
    EXPECT_EQ(r["rows"][0]["x'y"], 1);
    EXPECT_TRUE(tableExists("items"));
    auto text = dbtool({"data", "list", "we\"ird; DROP", "--order-by", "x'y:desc"});
    ASSERT_EQ(text.exitCode, 0) << text.err;
    EXPECT_THAT(text.out, HasSubstr("line\\nbreak"));  // a newline never breaks the table
}

TEST_F(DataList, LongValuesAreCutToTheTerminalWidthOnATerminalOnly) {
    exec("INSERT INTO items (name) VALUES (repeat('x', 500))");
    ProcessOptions terminal;
    terminal.terminal = true;
    terminal.env = {{"NO_COLOR", "1"}};
    auto r =
        dbtool({"data", "list", "items", "--where", "id=46", "--columns", "id,name"}, terminal);
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("…"));
    EXPECT_LE(r.out.substr(0, r.out.find('\n')).size(), 60u);
    // Piped (a script, a file): every value whole, whatever COLUMNS says.
    auto piped = dbtool({"data", "list", "items", "--where", "id=46", "--columns", "id,name"},
                        withEnv({{"COLUMNS", "60"}}));
    ASSERT_EQ(piped.exitCode, 0) << piped.err;
    EXPECT_THAT(piped.out, HasSubstr(std::string(500, 'x')));
    EXPECT_THAT(piped.out, Not(HasSubstr("…")));
}

// Columns line up when values hold East Asian wide characters (two columns each).
TEST_F(DataList, WideCharactersCountTwoColumns) {
    exec("CREATE TABLE names (id int PRIMARY KEY, name text, n int)");
    exec("INSERT INTO names VALUES (1, '東京都', 1), (2, 'abcdef', 2), (3, 'é', 3)");
    auto r = dbtool({"data", "list", "names"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    std::vector<size_t> columnOfN;
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line) && columnOfN.size() < 4;)
        columnOfN.push_back(displayWidth(line.substr(0, line.rfind(' '))));
    ASSERT_EQ(columnOfN.size(), 4u) << r.out;  // header and three rows
    for (size_t w : columnOfN)
        EXPECT_EQ(w, columnOfN[0]) << r.out;
    EXPECT_EQ(displayWidth("東京都"), 6u);
    EXPECT_EQ(displayWidth("e\xcc\x81"), 1u);  // e + combining acute
    ProcessOptions terminal;
    terminal.terminal = true;
    terminal.terminalColumns = 20;
    terminal.env = {{"NO_COLOR", "1"}};
    exec("INSERT INTO names VALUES (4, '東京都東京都東京都東京都', 4)");
    auto cut = dbtool({"data", "list", "names", "--where", "id=4", "--columns", "name"}, terminal);
    std::istringstream table(cut.out);
    std::string header, value;
    std::getline(table, header);
    std::getline(table, value);
    EXPECT_THAT(value, HasSubstr("…"));
    EXPECT_LE(displayWidth(value), 20u) << value;
}

class SchemaDump : public DatabaseTest {};

TEST_F(SchemaDump, WritesTheSchemaAndAppliedVersions) {
    dir().write("migrations/1_users.sql",
                "-- migrate:up\nCREATE TABLE users (id int PRIMARY KEY, email text);\n");
    dir().write("migrations/2_posts.sql",
                "-- migrate:up\nCREATE TABLE posts (id int REFERENCES users);\n");
    ASSERT_EQ(dbtool({"migrate", "up", "--dump-schema"}).exitCode, 0);
    std::ifstream f(dir().path() / "schema.sql");
    std::stringstream content;
    content << f.rdbuf();
    EXPECT_THAT(content.str(), HasSubstr("CREATE TABLE public.users"));
    EXPECT_THAT(content.str(), HasSubstr("CREATE TABLE public.schema_migrations"));
    EXPECT_THAT(content.str(), HasSubstr("INSERT INTO \"public\".\"schema_migrations\" (version) "
                                         "VALUES\n    ('1'),\n    ('2');"));
    EXPECT_THAT(content.str(), Not(HasSubstr(target().password())));

    auto out = dbtool({"schema", "dump", "--file", "-"});
    ASSERT_EQ(out.exitCode, 0) << out.err;
    EXPECT_THAT(out.out, HasSubstr("CREATE TABLE public.posts"));
    auto file = dbtool({"schema", "dump", "--file", "db/structure.sql"});
    ASSERT_EQ(file.exitCode, 0) << file.err;
    EXPECT_TRUE(std::filesystem::exists(dir().path() / "db/structure.sql"));

    // Stable across dumps, and plain SQL: it loads into an empty database, which then reports
    // every migration applied.
    EXPECT_EQ(dbtool({"schema", "dump", "--file", "-"}).out, out.out);
    EXPECT_THAT(out.out, Not(HasSubstr("\\restrict")));
    const std::string copy = databaseName() + "_copy";
    {
        auto admin = db::Session::connect(serverTarget(), {});
        admin->runScript("CREATE DATABASE " + admin->quoteIdent(copy));
    }
    db::Session::connect(target().with("dbname", copy), {})->runScript(out.out);
    auto status =
        dbtool({"migrate", "status", "--exit-code"}, withEnv({{"DATABASE_URL", url() + "_copy"}}));
    EXPECT_EQ(status.exitCode, 0) << status.out << status.err;
    db::Session::connect(serverTarget(), {})->runScript("DROP DATABASE " + copy + " WITH (FORCE)");

    auto missing =
        dbtool({"schema", "dump"}, withEnv({{"DBTOOL_PG_DUMP", "/nonexistent/pg_dump"}}));
    EXPECT_EQ(missing.exitCode, 1);
    EXPECT_THAT(missing.err, HasSubstr("DBTOOL_PG_DUMP"));
}

}  // namespace
}  // namespace dbtool::test
