// migrate verify's engine against a real server: each test's fresh, empty database stands in
// for the scratch database.
#include "migrate/verifier.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/database.hpp"
#include "support/expect_error.hpp"

namespace dbtool {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

class Verify : public test::DatabaseTest {
  protected:
    void migration(const std::string& file, const std::string& up, const std::string& down,
                   const std::string& options = "") {
        dir().write("migrations/" + file, "-- migrate:up" + options + "\n" + up +
                                              "\n-- migrate:down" + options + "\n" + down + "\n");
    }
    VerifyResult run(VerifyOptions options = {}) {
        migrations_ = loadMigrations(dir().path() / "migrations");
        session_ = connect();
        VerifyObserver quiet;
        return verifyMigrations(*session_, migrations_, options, quiet);
    }
    // The differences of migration `i`, as a person reads them.
    static std::vector<std::string> said(const MigrationVerdict& v) {
        std::vector<std::string> out;
        for (const auto& d : v.differences) {
            out.push_back(describeDifference(d));
        }
        return out;
    }

    std::vector<Migration> migrations_;
    std::unique_ptr<db::Session> session_;
};

TEST_F(Verify, DownsThatUndoTheirUpAreOkAndStayApplied) {
    migration("1_users.sql",
              "CREATE TABLE users (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
              "  email text NOT NULL UNIQUE, born date CHECK (born > '1900-01-01'));\n"
              "CREATE TYPE mood AS ENUM ('happy', 'sad');\n"
              "CREATE FUNCTION lower_email(u users) RETURNS text LANGUAGE sql AS 'SELECT "
              "lower(u.email)';",
              "DROP FUNCTION lower_email(users);\nDROP TYPE mood;\nDROP TABLE users;");
    migration("2_posts.sql",
              "CREATE SCHEMA blog;\nCREATE TABLE blog.posts (id serial PRIMARY KEY,\n"
              "  author bigint REFERENCES users, title text DEFAULT 'untitled');\n"
              "CREATE VIEW blog.titles AS SELECT title FROM blog.posts;\n"
              "COMMENT ON TABLE blog.posts IS 'what people write';\n"
              "ALTER TABLE users ADD COLUMN nickname varchar(40);",
              "ALTER TABLE users DROP COLUMN nickname;\nDROP SCHEMA blog CASCADE;");
    migration("3_seedless.sql", "CREATE INDEX users_born_idx ON users (born);", "");
    const auto result = run();
    ASSERT_EQ(result.verdicts.size(), 3u);
    EXPECT_EQ(result.verdicts[0].verdict, VerifyVerdict::Ok)
        << ::testing::PrintToString(said(result.verdicts[0]));
    EXPECT_EQ(result.verdicts[1].verdict, VerifyVerdict::Ok)
        << ::testing::PrintToString(said(result.verdicts[1]));
    EXPECT_EQ(result.verdicts[2].verdict, VerifyVerdict::NoDown);
    // Every up stays applied once checked.
    EXPECT_TRUE(tableExists("blog.posts"));
    EXPECT_EQ(scalar("SELECT count(*) FROM pg_indexes WHERE indexname = 'users_born_idx'"), "1");
    EXPECT_EQ(
        scalar("SELECT count(*) FROM information_schema.columns WHERE column_name = 'nickname'"),
        "1");
}

TEST_F(Verify, ADownThatForgetsAnIndexATypeChangeATriggerOrASequencesOwnerIsCaught) {
    migration("1_base.sql",
              "CREATE TABLE comments (id serial PRIMARY KEY, body varchar(100), created_at "
              "timestamptz);\n"
              "CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS\n"
              "  $$ BEGIN NEW.created_at = now(); RETURN NEW; END $$;\n"
              "CREATE SEQUENCE ticket_seq;",
              "DROP SEQUENCE ticket_seq;\nDROP FUNCTION stamp();\nDROP TABLE comments;");
    migration("2_index.sql", "CREATE INDEX comments_created_at_idx ON comments (created_at);",
              "SELECT 1;");
    migration("3_type.sql", "ALTER TABLE comments ALTER COLUMN body TYPE text;",
              "ALTER TABLE comments ALTER COLUMN body TYPE varchar(200);");
    migration("4_trigger.sql",
              "CREATE TRIGGER comments_stamp BEFORE INSERT ON comments\n"
              "  FOR EACH ROW EXECUTE FUNCTION stamp();",
              "SELECT 1;");
    migration("5_owner.sql", "ALTER SEQUENCE ticket_seq OWNED BY comments.id;", "SELECT 1;");
    const auto result = run();
    ASSERT_EQ(result.verdicts.size(), 5u);
    EXPECT_EQ(result.verdicts[0].verdict, VerifyVerdict::Ok);
    EXPECT_THAT(said(result.verdicts[1]), ElementsAre("left index public.comments_created_at_idx"));
    EXPECT_THAT(
        said(result.verdicts[2]),
        ElementsAre("changed column public.comments.body: position 2, character varying(100) "
                    "-> position 2, character varying(200)"));
    EXPECT_THAT(said(result.verdicts[3]),
                ElementsAre("left trigger comments_stamp on public.comments"));
    ASSERT_EQ(result.verdicts[4].differences.size(), 1u);
    EXPECT_THAT(said(result.verdicts[4])[0],
                HasSubstr("changed sequence public.ticket_seq: type bigint start 1"));
    EXPECT_THAT(said(result.verdicts[4])[0], HasSubstr("-> type bigint"));
    EXPECT_EQ(*result.verdicts[4].differences[0].after,
              *result.verdicts[4].differences[0].before + " owned by public.comments.id");
    for (size_t i = 1; i < 5; ++i) {
        EXPECT_EQ(result.verdicts[i].verdict, VerifyVerdict::Differs) << i;
    }
}

TEST_F(Verify, ADownThatDropsWhatWasThereBeforeIsCaughtAndItsSchemaStaysIntact) {
    migration("1_users.sql", "CREATE TABLE users (id int PRIMARY KEY);", "DROP TABLE users;");
    migration("2_audit.sql", "CREATE TABLE audit (id int);",
              "DROP TABLE audit;\nDROP TABLE users CASCADE;");
    migration("3_more.sql", "ALTER TABLE users ADD COLUMN name text;",
              "ALTER TABLE users DROP COLUMN name;");
    const auto result = run();
    ASSERT_EQ(result.verdicts.size(), 3u);
    EXPECT_THAT(
        said(result.verdicts[1]),
        ElementsAre("dropped column public.users.id, which existed before the up",
                    "dropped constraint users_pkey on public.users, which existed before the up",
                    "dropped index public.users_pkey, which existed before the up",
                    "dropped table public.users, which existed before the up"));
    EXPECT_THAT(summarizeDifferences(result.verdicts[1].differences),
                ElementsAre("dropped table public.users, which existed before the up (with its 1 "
                            "column, 1 constraint, 1 index)"));
    // The check rolled back: the next migration still finds users.
    EXPECT_EQ(result.verdicts[2].verdict, VerifyVerdict::Ok);
}

TEST_F(Verify, FunctionsViewsEnumsDefaultsAndCommentsAreCompared) {
    migration("1_base.sql",
              "CREATE TYPE mood AS ENUM ('happy');\n"
              "CREATE TABLE t (a int DEFAULT 1, m mood);\n"
              "CREATE VIEW v AS SELECT a FROM t;\n"
              "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';",
              "DROP VIEW v;\nDROP TABLE t;\nDROP TYPE mood;\nDROP FUNCTION f();");
    migration("2_changes.sql",
              "CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 2';\n"
              "CREATE OR REPLACE VIEW v AS SELECT a, a + 1 AS b FROM t;\n"
              "ALTER TABLE t ALTER COLUMN a SET DEFAULT 2;\n"
              "COMMENT ON COLUMN t.a IS 'the a';\n"
              "CREATE TYPE size AS ENUM ('s', 'm');",
              "CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 3';\n"
              "DROP VIEW v;\nCREATE VIEW v AS SELECT a FROM t;\n"
              "ALTER TABLE t ALTER COLUMN a SET DEFAULT 1;");
    const auto result = run();
    ASSERT_EQ(result.verdicts.size(), 2u);
    EXPECT_EQ(result.verdicts[0].verdict, VerifyVerdict::Ok)
        << ::testing::PrintToString(said(result.verdicts[0]));
    EXPECT_THAT(
        said(result.verdicts[1]),
        ElementsAre("left comment on column public.t.a",
                    "changed function public.f() (its definition differs from before the up)",
                    "left type public.size"));
}

// Changes PostgreSQL makes without a lock are found however long ago the object was created
// (the touched-objects query keeps its scope for dozens of migrations).
TEST_F(Verify, ChangesWithoutALockAreFoundLongAfterTheObjectWasCreated) {
    migration("001_f.sql",
              "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';\n"
              "CREATE DOMAIN positive AS int CHECK (VALUE > 0);\nCREATE SCHEMA app;",
              "DROP FUNCTION f();\nDROP DOMAIN positive;\nDROP SCHEMA app;");
    for (int i = 2; i <= 60; ++i) {
        const std::string n = (i < 10 ? "00" : "0") + std::to_string(i);
        migration(n + "_t.sql", "CREATE TABLE t" + n + " (id int);", "DROP TABLE t" + n + ";");
    }
    migration("061_change.sql",
              "CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 2';\n"
              "ALTER DOMAIN positive SET DEFAULT 1;\nALTER SCHEMA app RENAME TO application;",
              "SELECT 1;");
    const auto result = run();
    ASSERT_EQ(result.verdicts.size(), 61u);
    EXPECT_THAT(
        said(result.verdicts[60]),
        ElementsAre("changed domain public.positive: over integer CHECK ((VALUE > 0)) -> "
                    "over integer default 1 CHECK ((VALUE > 0))",
                    "changed function public.f() (its definition differs from before the up)",
                    "dropped schema app, which existed before the up", "left schema application"));
}

// What an up touched is read with the next migration's objects (pending), not on its own: a
// rename, a new function and a new column must still be the "before" of later comparisons,
// whether the next migration touches them (read again first) or not.
TEST_F(Verify, WhatAnUpTouchedIsTheBeforeOfEveryLaterMigration) {
    migration("1_a.sql", "CREATE TABLE a (id int PRIMARY KEY);", "DROP TABLE a;");
    migration("2_rename.sql",
              "ALTER TABLE a RENAME TO b;\n"
              "CREATE FUNCTION g() RETURNS int LANGUAGE sql AS 'SELECT 1';",
              "DROP FUNCTION g();\nALTER TABLE b RENAME TO a;");
    migration("3_other.sql", "CREATE TABLE other (id int);", "DROP TABLE other;");
    // Touches b, which 2 renamed and 3 did not touch: b's "before" is 2's result.
    migration("4_col.sql", "ALTER TABLE b ADD COLUMN name text;", "SELECT 1;");
    // Touches what the up just before it made (read again before comparing).
    migration("5_more.sql", "ALTER TABLE b ADD COLUMN email text;",
              "ALTER TABLE b DROP COLUMN email;\nALTER TABLE b DROP COLUMN name;");
    migration("6_fn.sql", "CREATE OR REPLACE FUNCTION g() RETURNS int LANGUAGE sql AS 'SELECT 2';",
              "CREATE OR REPLACE FUNCTION g() RETURNS int LANGUAGE sql AS 'SELECT 1';");
    migration("7_drop.sql", "DROP TABLE b;", "CREATE TABLE b (id int PRIMARY KEY);");
    const auto result = run();
    ASSERT_EQ(result.verdicts.size(), 7u);
    EXPECT_EQ(result.verdicts[0].verdict, VerifyVerdict::Ok);
    EXPECT_EQ(result.verdicts[1].verdict, VerifyVerdict::Ok)
        << ::testing::PrintToString(said(result.verdicts[1]));
    EXPECT_EQ(result.verdicts[2].verdict, VerifyVerdict::Ok);
    EXPECT_THAT(said(result.verdicts[3]), ElementsAre("left column public.b.name"));
    EXPECT_THAT(said(result.verdicts[4]),
                ElementsAre("dropped column public.b.name, which existed before the up"));
    EXPECT_EQ(result.verdicts[5].verdict, VerifyVerdict::Ok);
    // b as 5's up left it (both columns; its key still named after a) was the "before".
    EXPECT_THAT(said(result.verdicts[6]),
                ElementsAre("dropped column public.b.email, which existed before the up",
                            "dropped column public.b.name, which existed before the up",
                            "dropped constraint a_pkey on public.b, which existed before the up",
                            "left constraint b_pkey on public.b",
                            "dropped index public.a_pkey, which existed before the up",
                            "left index public.b_pkey"));
}

TEST_F(Verify, AFailingDownIsReportedAndTheRestIsStillChecked) {
    migration("1_a.sql", "CREATE TABLE a (id int);", "DROP TABLE nope;");
    migration("2_b.sql", "CREATE TABLE b (id int);", "DROP TABLE b;");
    const auto result = run();
    ASSERT_EQ(result.verdicts.size(), 2u);
    EXPECT_EQ(result.verdicts[0].verdict, VerifyVerdict::DownFailed);
    ASSERT_TRUE(result.verdicts[0].failure);
    EXPECT_THAT(result.verdicts[0].failure->what(), HasSubstr("table \"nope\" does not exist"));
    EXPECT_EQ(result.verdicts[0].failure->where().line, 4);
    EXPECT_EQ(result.verdicts[1].verdict, VerifyVerdict::Ok);
    EXPECT_TRUE(tableExists("a"));
}

TEST_F(Verify, AFailingUpStopsWithItsFileAndLine) {
    migration("1_a.sql", "CREATE TABLE a (id int);", "DROP TABLE a;");
    migration("2_b.sql", "CREATE TABLE b (id int);\nINSERT INTO nope VALUES (1);", "DROP TABLE b;");
    const Error e = test::errorFrom([&] { run(); });
    EXPECT_EQ(e.code(), ExitCode::Database);
    EXPECT_THAT(e.what(), HasSubstr("migration 2 b failed (up): relation \"nope\" does not exist"));
    EXPECT_EQ(e.where().line, 3);
    EXPECT_EQ(e.where().column, 13);
}

TEST_F(Verify, TransactionFalseMigrationsAreComparedWhole) {
    migration("1_t.sql", "CREATE TABLE t (a int, b int);", "DROP TABLE t;");
    migration("2_idx.sql", "CREATE INDEX CONCURRENTLY t_a_idx ON t (a);",
              "DROP INDEX CONCURRENTLY t_a_idx;", " transaction:false");
    migration("3_idx.sql", "CREATE INDEX CONCURRENTLY IF NOT EXISTS t_b_idx ON t (b);", "SELECT 1;",
              " transaction:false");
    migration("4_idx.sql", "CREATE INDEX CONCURRENTLY t_ab_idx ON t (a, b);", "SELECT 1;",
              " transaction:false");
    migration("5_more.sql", "ALTER TABLE t ADD COLUMN c int;", "ALTER TABLE t DROP COLUMN c;");
    const auto result = run();
    ASSERT_EQ(result.verdicts.size(), 4u);
    EXPECT_EQ(result.verdicts[1].verdict, VerifyVerdict::Ok)
        << ::testing::PrintToString(said(result.verdicts[1]));
    EXPECT_THAT(said(result.verdicts[2]), ElementsAre("left index public.t_b_idx"));
    EXPECT_EQ(scalar("SELECT count(*) FROM pg_indexes WHERE tablename = 't'"), "3");
    // The index the down left stands in the way of the up: nothing after it can be checked.
    EXPECT_THAT(said(result.verdicts[3]), ElementsAre("left index public.t_ab_idx"));
    EXPECT_TRUE(result.verdicts[3].stopsTheRun);
    ASSERT_TRUE(result.verdicts[3].failure);
    EXPECT_THAT(
        result.verdicts[3].failure->what(),
        HasSubstr("failed (up, again after its down): relation \"t_ab_idx\" already exists"));
}

TEST_F(Verify, OwnersAndGrantsOnlyWhenAsked) {
    migration("1_t.sql", "CREATE TABLE t (a int);", "DROP TABLE t;");
    migration("2_grant.sql", "GRANT SELECT ON t TO PUBLIC;", "SELECT 1;");
    EXPECT_EQ(run().verdicts[1].verdict, VerifyVerdict::Ok);
    exec("DROP TABLE t");
    VerifyOptions owners;
    owners.snapshot.owners = true;
    const auto result = run(owners);
    ASSERT_EQ(result.verdicts[1].differences.size(), 1u);
    EXPECT_EQ(result.verdicts[1].differences[0].key, "owner of public.t");
}

TEST_F(Verify, ToStopsAtAVersionAndAnUnknownOneIsAUsageError) {
    migration("1_a.sql", "CREATE TABLE a (id int);", "DROP TABLE a;");
    migration("2_b.sql", "CREATE TABLE b (id int);", "DROP TABLE b;");
    VerifyOptions to;
    to.to = "1";
    EXPECT_EQ(run(to).verdicts.size(), 1u);
    to.to = "7";
    exec("DROP TABLE a");
    const Error e = test::errorFrom([&] { run(to); });
    EXPECT_EQ(e.code(), ExitCode::Usage);
    EXPECT_THAT(e.what(), HasSubstr("no migration has version 7"));
}

}  // namespace
}  // namespace dbtool
