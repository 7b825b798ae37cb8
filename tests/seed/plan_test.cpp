// The seed planner without a server: tables come from FakeTables, labels of earlier seeds
// from a lambda. Load order, cycles, !ref checks and option errors are decided here, before
// anything is written, so they are tested here one by one.
#include "seed/plan.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/database.hpp"
#include "support/expect_error.hpp"
#include "support/fake_tables.hpp"

namespace dbtool {
namespace {

using test::FakeTables;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class PlanTest : public ::testing::Test {
  protected:
    PlanTest() {
        tables_
            .table("users", {{"id", "int8"}, {"email", "text"}, {"name", "text"}}, {"id"},
                   {{"email"}})
            .table("posts",
                   {{"id", "int8"},
                    {"author_id", "int8"},
                    {"title", "text"},
                    {"tags", "text[]"},
                    {"meta", "jsonb"}},
                   {"id"}, {}, {"users"})
            .table("comments", {{"id", "int8"}, {"post_id", "int8"}, {"body", "text"}}, {"id"}, {},
                   {"posts"})
            .table("log", {{"line", "text"}, {"slug", "text", true}}, {})
            .table("pairs", {{"a", "int4"}, {"b", "int4"}}, {"a", "b"})
            .table("audit.events", {{"id", "int8"}, {"what", "text"}});
    }

    SeedFile file(const std::string& yaml, const std::string& name = "001_s.yaml") {
        SeedFile f;
        f.path = dir_.write(name, yaml);
        f.name = f.path.stem().string();
        return f;
    }
    SeedPlan plan(const std::string& yaml, const KnownLabel& known = {}) {
        return planSeed(file(yaml), &tables_, known);
    }
    Error planError(const std::string& yaml, const KnownLabel& known = {}) {
        return test::errorFrom([&] { plan(yaml, known); });
    }
    std::vector<std::string> order(const SeedPlan& p) {
        std::vector<std::string> names;
        for (size_t i : p.loadOrder)
            names.push_back(p.tables[i].written);
        return names;
    }

    FakeTables tables_;
    test::TempDir dir_;
};

TEST_F(PlanTest, TablesLoadAfterTheTablesTheirForeignKeysReferTo) {
    const SeedPlan p =
        plan("comments:\n  - {body: hi}\nposts:\n  - {title: T}\nusers:\n  - {email: a@x}\n");
    EXPECT_THAT(order(p), ElementsAre("users", "posts", "comments"));
    EXPECT_TRUE(p.reordered);
    EXPECT_TRUE(p.warnings.empty());
    EXPECT_EQ(p.tables[0].info.id(), "public.comments");
    EXPECT_THAT(p.tables[0].dependsOn, ElementsAre("public.posts"));
}

TEST_F(PlanTest, UnrelatedTablesKeepTheFileOrder) {
    const SeedPlan p = plan(
        "log:\n  - {line: a}\nusers:\n  - {email: a@x}\naudit.events:\n  - "
        "{what: x}\n");
    EXPECT_THAT(order(p), ElementsAre("log", "users", "audit.events"));
    EXPECT_FALSE(p.reordered);
    EXPECT_EQ(p.tables[2].info.id(), "audit.events");
}

TEST_F(PlanTest, ReferencesOrderTablesLikeForeignKeys) {
    // log has no foreign key, but its rows refer to users: users loads first.
    tables_.table("notes", {{"id", "int8"}, {"user_id", "int8"}});
    const SeedPlan p =
        plan("notes:\n  - {user_id: !ref users.ann}\nusers:\n  - {_label: ann, email: a@x}\n");
    EXPECT_THAT(order(p), ElementsAre("users", "notes"));
}

TEST_F(PlanTest, ACycleKeepsTheFileOrderAndWarnsOnce) {
    tables_.table("a", {{"id", "int8"}}, {"id"}, {}, {"b"})
        .table("b", {{"id", "int8"}}, {"id"}, {}, {"a"});
    const SeedPlan p = plan("b:\n  - {id: 1}\na:\n  - {id: 1}\nusers:\n  - {email: x}\n");
    EXPECT_THAT(order(p), ElementsAre("users", "b", "a"));
    ASSERT_EQ(p.warnings.size(), 1u);
    EXPECT_THAT(p.warnings[0], HasSubstr("tables b, a reference each other"));
    EXPECT_THAT(p.warnings[0], HasSubstr("001_s.yaml"));
}

TEST_F(PlanTest, LoadOrderIsAFunctionOfDependencies) {
    std::vector<TablePlan> t(3);
    t[0].written = "c";
    t[0].info.schema = "public";
    t[0].info.name = "c";
    t[0].dependsOn = {"public.b"};
    t[1].written = "b";
    t[1].info.schema = "public";
    t[1].info.name = "b";
    t[1].dependsOn = {"public.a"};
    t[2].written = "a";
    t[2].info.schema = "public";
    t[2].info.name = "a";
    std::string cycle;
    EXPECT_THAT(loadOrder(t, cycle), ElementsAre(2u, 1u, 0u));
    EXPECT_EQ(cycle, "");
    t[2].dependsOn = {"public.c"};
    EXPECT_THAT(loadOrder(t, cycle), ElementsAre(0u, 1u, 2u));
    EXPECT_EQ(cycle, "c, b, a");
}

TEST_F(PlanTest, UnknownTablesAndColumnsAreNamedWithASuggestion) {
    Error e = planError("users:\n  - {email: a}\nposst:\n  - {title: T}\n");
    EXPECT_EQ(e.code(), ExitCode::InvalidInput);
    EXPECT_EQ(e.where().line, 3);
    EXPECT_EQ(e.where().column, 1);
    EXPECT_THAT(e.what(), HasSubstr("unknown table 'posst', did you mean 'posts'?"));

    e = planError("users:\n  - {email: a, nmae: N}\n");
    EXPECT_EQ(e.where().line, 2);
    EXPECT_EQ(e.where().column, 16);
    EXPECT_THAT(e.what(), HasSubstr("unknown column 'nmae' of table public.users, did you mean "
                                    "'name'?"));
    EXPECT_THAT(e.hint(), HasSubstr("id, email, name"));

    e = planError("log:\n  - {line: a, slug: b}\n");
    EXPECT_THAT(e.what(), HasSubstr("column 'slug' is generated"));
}

TEST_F(PlanTest, ValuesMustFitTheirColumns) {
    EXPECT_NO_THROW(plan("posts:\n  - {tags: [a, b], meta: {k: [1, 2]}}\n"));
    Error e = planError("posts:\n  - {title: [a, b]}\n");
    EXPECT_THAT(e.what(), HasSubstr("column 'title' is text: a list fits array or json/jsonb"));
    EXPECT_EQ(e.where().line, 2);
    e = planError("posts:\n  - {tags: {a: 1}}\n");
    EXPECT_THAT(e.what(), HasSubstr("a mapping fits json/jsonb columns only"));
    e = planError("posts:\n  - {title: !sql now()}\n");
    EXPECT_THAT(e.what(), HasSubstr("unknown tag !sql"));
}

TEST_F(PlanTest, ReferencesMustNameALabelledRowOfAKnownTable) {
    // Defined earlier in the file: fine.
    EXPECT_NO_THROW(
        plan("users:\n  - {_label: ann, email: a}\nposts:\n  - {author_id: !ref "
             "users.ann}\n"));
    // Defined by an earlier seed (the label lookup): fine.
    auto known = [](const std::string& table, const std::string& label) {
        return table == "public.users" && label == "bob";
    };
    EXPECT_NO_THROW(plan("posts:\n  - {author_id: !ref users.bob}\n", known));
    // Nowhere: an error at the reference, with the labels this file has as suggestions.
    Error e = planError(
        "users:\n  - {_label: ann, email: a}\nposts:\n  - {author_id: !ref "
        "users.anne}\n");
    EXPECT_EQ(e.where().line, 4);
    EXPECT_EQ(e.where().column, 17);
    EXPECT_THAT(e.what(), HasSubstr("no row labelled 'anne' in public.users, did you mean 'ann'?"));
    e = planError("posts:\n  - {author_id: !ref users.bob}\n");
    EXPECT_THAT(e.what(), HasSubstr("no row labelled 'bob'"));

    e = planError("posts:\n  - {author_id: !ref usres.ann}\n");
    EXPECT_THAT(e.what(), HasSubstr("unknown table 'usres', did you mean 'users'?"));
    e = planError("posts:\n  - {author_id: !ref pairs.x}\n");
    EXPECT_THAT(e.what(), HasSubstr("needs a single-column primary key"));
    e = planError("posts:\n  - {author_id: !ref users}\n");
    EXPECT_THAT(e.what(), HasSubstr("!ref needs TABLE.LABEL"));
}

TEST_F(PlanTest, ARowOfATableMayReferToAnEarlierRowOfTheSameTable) {
    tables_.table("people", {{"id", "int8"}, {"boss_id", "int8"}});
    EXPECT_NO_THROW(plan("people:\n  - {_label: a}\n  - {boss_id: !ref people.a}\n"));
    Error e = planError("people:\n  - {boss_id: !ref people.a}\n  - {_label: a}\n");
    EXPECT_THAT(e.what(), HasSubstr("no row labelled 'a' in public.people"));
}

TEST_F(PlanTest, LabelsAreUniquePerTableAndNeedAPrimaryKey) {
    Error e = planError("users:\n  - {_label: a, email: x}\n  - {_label: a, email: y}\n");
    EXPECT_THAT(e.what(), HasSubstr("label 'a' is used twice in table 'users'"));
    EXPECT_EQ(e.where().line, 3);
    e = planError("log:\n  - {_label: a, line: x}\n");
    EXPECT_THAT(e.what(), HasSubstr("has no primary key, so its rows cannot be labelled"));
    e = planError("users:\n  - {_label: a.b, email: x}\n");
    EXPECT_THAT(e.what(), HasSubstr("_label must be a name without dots"));
}

TEST_F(PlanTest, OptionsAreCheckedWithTheirPositions) {
    Error e = planError("users:\n  rows: []\n  on_conflit: skip\n");
    EXPECT_EQ(e.where().line, 3);
    EXPECT_THAT(e.what(), HasSubstr("unknown option 'on_conflit' of table 'users', did you mean "
                                    "'on_conflict'?"));
    e = planError("users:\n  on_conflict: replace\n  rows: []\n");
    EXPECT_THAT(e.what(), HasSubstr("on_conflict is error, skip or update, not 'replace'"));
    e = planError("users:\n  on_conflict: skip\n  key: name\n  rows: []\n");
    EXPECT_THAT(e.what(), HasSubstr("on_conflict needs a key with a unique index"));
    e = planError("users:\n  on_conflict: skip\n  key: nmae\n  rows: []\n");
    EXPECT_THAT(e.what(), HasSubstr("unknown column 'nmae'"));
    e = planError("users:\n  - {email: a}\nusers:\n  - {email: b}\n");
    EXPECT_THAT(e.what(),
                HasSubstr("duplicate table 'users' in this mapping (first at line 1, column 1)"));
    e = planError("users:\n  generate: {count: many, row: {email: x}}\n");
    EXPECT_THAT(e.what(), HasSubstr("generate needs count: a whole number"));
    e = planError("users:\n  generate: {count: 2, rows: {email: x}}\n");
    EXPECT_THAT(e.what(), HasSubstr("generate needs row:"));
}

TEST_F(PlanTest, UpsertKeysDefaultToThePrimaryKeyOrNameAUniqueIndex) {
    SeedPlan p = plan("users:\n  on_conflict: update\n  rows:\n    - {id: 1, email: a}\n");
    EXPECT_THAT(p.tables[0].key, ElementsAre("id"));
    EXPECT_EQ(p.tables[0].onConflict, OnConflict::Update);
    p = plan("users:\n  on_conflict: skip\n  key: email\n  rows:\n    - {email: a}\n");
    EXPECT_THAT(p.tables[0].key, ElementsAre("email"));
}

TEST_F(PlanTest, PlainRowsAreMarkedForCopy) {
    EXPECT_TRUE(
        plan("users:\n  - {email: a, name: A}\n  - {email: b, name: B}\n").tables[0].plainRows);
    // A row without one of the columns, a label or a reference needs INSERT.
    EXPECT_FALSE(plan("users:\n  - {email: a, name: A}\n  - {email: b}\n").tables[0].plainRows);
    EXPECT_FALSE(plan("users:\n  - {_label: a, email: a}\n").tables[0].plainRows);
    EXPECT_FALSE(plan("users:\n  - {_label: a, email: a}\nposts:\n  - {author_id: !ref users.a}\n")
                     .tables[1]
                     .plainRows);
}

TEST_F(PlanTest, WithoutTablesOnlyTheStructureIsRead) {
    // The offline check (status checksums, the fuzz target) knows no tables: names pass.
    const SeedPlan p = planSeed(file("nosuch:\n  - {whatever: 1}\n"), nullptr, {});
    ASSERT_EQ(p.tables.size(), 1u);
    EXPECT_EQ(p.tables[0].inlineRows, 1);
    EXPECT_TRUE(tables_.lookups().empty());
    EXPECT_THROW(planSeed(file("nosuch:\n  - {a: 1}\n  - [x]\n"), nullptr, {}), Error);
}

TEST_F(PlanTest, CsvEntriesReadTheHeaderAndStandAlone) {
    dir_.write("u.csv", "email,name\na,A\n");
    const SeedPlan p = plan("users:\n  csv: u.csv\n");
    EXPECT_THAT(p.tables[0].csvColumns, ElementsAre("email", "name"));
    ASSERT_EQ(p.csvFiles.size(), 1u);
    dir_.write("bad.csv", "email,nmae\n");
    Error e = planError("users:\n  csv: bad.csv\n");
    EXPECT_EQ(e.where().file, (dir_.path() / "bad.csv").string());
    EXPECT_EQ(e.where().column, 2);
    e = planError("users:\n  csv: u.csv\n  rows:\n    - {email: b}\n");
    EXPECT_THAT(e.what(), HasSubstr("has csv: together with rows or generate"));
    e = planError("users:\n  csv: missing.csv\n");
    EXPECT_THAT(e.what(), HasSubstr("does not exist"));
}

}  // namespace
}  // namespace dbtool
