// schema diff / migrate status --drift (the live schema against what its applied migrations
// make) and schema load, through the real binary.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "base/text.hpp"
#include "support/database.hpp"

namespace dbtool::test {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

class SchemaCommands : public DatabaseTest {
  protected:
    void SetUp() override {
        DatabaseTest::SetUp();
        dir().write("migrations/1_users.sql",
                    "-- migrate:up\nCREATE TABLE users (id serial PRIMARY KEY, email text NOT "
                    "NULL, name text);\nCREATE INDEX users_email_idx ON users (email);\n");
        dir().write("migrations/R__user_emails.sql",
                    "CREATE OR REPLACE VIEW user_emails AS SELECT email FROM users;\n");
        dir().write("migrations/afterMigrate.sql", "COMMENT ON TABLE users IS 'people';\n");
        dir().write("migrations/2_later.sql", "-- migrate:up\nCREATE TABLE later (id int);\n");
    }
    json diff() const {
        auto r = dbtool({"--format", "json", "schema", "diff"});
        EXPECT_TRUE(r.exitCode == 0 || r.exitCode == 8) << r.err;
        return json::parse(r.out);
    }
    std::map<std::string, std::string> kinds(const json& doc) const {
        std::map<std::string, std::string> out;
        for (const auto& d : doc["differences"]) {
            out[d["object"].get<std::string>()] = d["kind"].get<std::string>();
        }
        return out;
    }
};

TEST_F(SchemaCommands, NoDriftRightAfterMigratingAndPendingMigrationsAreNotDrift) {
    ASSERT_EQ(dbtool({"migrate", "up", "--to", "1"}).exitCode, 0);
    auto r = dbtool({"schema", "diff"});
    EXPECT_EQ(r.exitCode, 0) << r.out << r.err;
    // Only what is applied is rebuilt: 2_later is pending, not missing.
    EXPECT_THAT(r.out, HasSubstr("no drift: the schema is what its 1 applied migration make"));
    const auto doc = diff();
    EXPECT_FALSE(doc["drift"].get<bool>());
    EXPECT_EQ(doc["migrations_applied"], 1);
    // Its scratch database is gone (other tests may be running theirs).
    auto verbose = dbtool({"-v", "schema", "diff"});
    const std::string marker = "scratch database ";
    const size_t at = verbose.err.find(marker);
    ASSERT_NE(at, std::string::npos) << verbose.err;
    const std::string scratch =
        verbose.err.substr(at + marker.size(), verbose.err.find('\n', at) - at - marker.size());
    EXPECT_THAT(scratch, ::testing::StartsWith("dbtool_scratch_drift_"));
    EXPECT_EQ(scalar("SELECT count(*) FROM pg_database WHERE datname = '" + scratch + "'"), "0");
}

TEST_F(SchemaCommands, EveryKindOfChangeByHandIsListed) {
    ASSERT_EQ(dbtool({"migrate", "up"}).exitCode, 0);
    ASSERT_EQ(dbtool({"schema", "diff"}).exitCode, 0);
    exec("CREATE TABLE audit (id int PRIMARY KEY, note text)");
    exec("DROP INDEX users_email_idx");
    exec("ALTER TABLE users ALTER COLUMN name TYPE varchar(100)");
    exec("CREATE FUNCTION hand_made() RETURNS int LANGUAGE sql AS 'SELECT 1'");
    exec("CREATE OR REPLACE VIEW user_emails AS SELECT email FROM users WHERE id > 0");
    auto text = dbtool({"schema", "diff"});
    EXPECT_EQ(text.exitCode, 8);
    EXPECT_THAT(text.out, HasSubstr("drift: "));
    EXPECT_THAT(text.out, HasSubstr("table public.audit (with its 2 columns"));
    const auto doc = diff();
    EXPECT_TRUE(doc["drift"].get<bool>());
    const auto k = kinds(doc);
    EXPECT_EQ(k.at("table public.audit"), "added");
    EXPECT_EQ(k.at("index public.users_email_idx"), "missing");
    EXPECT_EQ(k.at("column public.users.name"), "altered");
    EXPECT_EQ(k.at("view public.user_emails"), "altered");
    bool function = false;
    for (const auto& [object, kind] : k) {
        function = function || (object.find("hand_made") != std::string::npos && kind == "added");
    }
    EXPECT_TRUE(function) << doc.dump(2);
    for (const auto& d : doc["differences"]) {
        if (d["object"] == "column public.users.name") {
            EXPECT_THAT(d["expected"].get<std::string>(), HasSubstr("text"));
            EXPECT_THAT(d["actual"].get<std::string>(), HasSubstr("character varying(100)"));
        }
    }
}

TEST_F(SchemaCommands, StatusDriftAddsTheComparisonAndFailsOnDrift) {
    ASSERT_EQ(dbtool({"migrate", "up"}).exitCode, 0);
    auto clean = dbtool({"--format", "json", "migrate", "status", "--drift"});
    EXPECT_EQ(clean.exitCode, 0) << clean.err;
    EXPECT_FALSE(json::parse(clean.out)["drift"]["drift"].get<bool>());
    exec("ALTER TABLE later ADD COLUMN sneaky int");
    auto drifted = dbtool({"migrate", "status", "--drift"});
    EXPECT_EQ(drifted.exitCode, 8);
    EXPECT_THAT(drifted.out, HasSubstr("column public.later.sneaky"));
    EXPECT_THAT(drifted.out, HasSubstr("2 applied"));  // the status table is still there
}

TEST_F(SchemaCommands, LoadGivesAnUpToDateDatabaseAndRefusesANonEmptyOne) {
    ASSERT_EQ(dbtool({"migrate", "up"}).exitCode, 0);
    ASSERT_EQ(dbtool({"schema", "dump", "--file", "schema.sql"}).exitCode, 0);
    // The tracking rows travel with it: versions, and repeatable migrations with checksums.
    exec(
        "DROP SCHEMA public CASCADE; CREATE SCHEMA public; "
        "COMMENT ON SCHEMA public IS 'standard public schema'");
    auto load = dbtool({"--format", "json", "schema", "load", "--file", "schema.sql"});
    ASSERT_EQ(load.exitCode, 0) << load.err;
    const auto doc = json::parse(load.out);
    EXPECT_EQ(doc["migrations_applied"], 2);
    EXPECT_EQ(doc["current_version"], "2");
    EXPECT_EQ(dbtool({"migrate", "status", "--exit-code"}).exitCode, 0);
    EXPECT_EQ(dbtool({"schema", "diff"}).exitCode, 0);
    auto up = dbtool({"migrate", "up"});
    EXPECT_THAT(up.out, HasSubstr("Nothing to do"));

    // Not empty: refused, naming what is there, and nothing changes.
    auto again = dbtool({"schema", "load", "--file", "schema.sql"});
    EXPECT_EQ(again.exitCode, 8);
    EXPECT_THAT(again.err, HasSubstr("the database is not empty: "));
    EXPECT_THAT(again.err, HasSubstr("table public.users"));
    EXPECT_THAT(again.err, HasSubstr("--force"));
    // --force tries, and the first object that exists rolls it all back at its line.
    exec("CREATE TABLE extra (id int)");
    auto forced = dbtool({"schema", "load", "--file", "schema.sql", "--force"});
    EXPECT_EQ(forced.exitCode, 6);
    EXPECT_THAT(forced.err, HasSubstr("schema.sql:"));
    EXPECT_THAT(forced.err, HasSubstr("nothing was loaded"));
    EXPECT_TRUE(tableExists("extra"));
}

TEST_F(SchemaCommands, LoadRefusesBadFilesBeforeTouchingTheDatabase) {
    auto missing = dbtool({"schema", "load", "--file", "nope.sql"});
    EXPECT_EQ(missing.exitCode, 5);
    EXPECT_THAT(missing.err, HasSubstr("cannot read"));
    dir().write("meta.sql", "CREATE TABLE a (id int);\n\\i other.sql\n");
    auto meta = dbtool({"schema", "load", "--file", "meta.sql"});
    EXPECT_EQ(meta.exitCode, 5);
    EXPECT_THAT(meta.err, HasSubstr("meta.sql:2:1"));
    EXPECT_FALSE(tableExists("a"));
    // pg_dump's \restrict lines are skipped; a failing statement rolls everything back.
    dir().write("dump.sql",
                "\\restrict abc\nCREATE TABLE a (id int);\nCREATE TABLE b (id nope);\n"
                "\\unrestrict abc\n");
    auto failing = dbtool({"schema", "load", "--file", "dump.sql"});
    EXPECT_EQ(failing.exitCode, 6);
    EXPECT_THAT(failing.err, HasSubstr("dump.sql:3:"));
    EXPECT_FALSE(tableExists("a"));
}

// Enums, domains, composite types, sequences, serial, identity, generated columns, collations,
// partitions with a primary key and an index, triggers, SQL-standard bodies, views on views,
// a materialized view, row security, a rule and comments of every kind.
const char* kRichSchema = R"sql(-- migrate:up
CREATE SCHEMA app;
CREATE TYPE app.mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN app.email AS text CHECK (VALUE ~ '@') NOT NULL;
CREATE TYPE app.pair AS (a int, b text);
CREATE SEQUENCE app.ticket_seq START 100 INCREMENT 5;
CREATE TABLE app.users (
  id serial PRIMARY KEY,
  email app.email UNIQUE,
  mood app.mood DEFAULT 'ok',
  name text COLLATE "C",
  score numeric(10,2) CHECK (score >= 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  slug text GENERATED ALWAYS AS (lower(name)) STORED,
  ticket int DEFAULT nextval('app.ticket_seq')
);
CREATE TABLE app.posts (
  id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  user_id int NOT NULL REFERENCES app.users (id) ON DELETE CASCADE,
  title text NOT NULL,
  body text
);
CREATE INDEX posts_title_lower ON app.posts (lower(title)) WHERE body IS NOT NULL;
CREATE TABLE app.events (id int, at date NOT NULL CHECK (at > '2000-01-01'), PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
CREATE TABLE app.events_2024 PARTITION OF app.events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE INDEX events_at ON app.events (at);
CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.created_at := now(); RETURN NEW; END $$;
CREATE TRIGGER users_touch BEFORE UPDATE ON app.users FOR EACH ROW EXECUTE FUNCTION app.touch();
CREATE FUNCTION app.post_count(u int) RETURNS bigint LANGUAGE sql STABLE BEGIN ATOMIC SELECT count(*) FROM app.posts WHERE user_id = u; END;
CREATE VIEW app.active_users AS SELECT id, email FROM app.users WHERE mood <> 'sad';
CREATE VIEW app.active_emails AS SELECT email FROM app.active_users;
CREATE MATERIALIZED VIEW app.post_stats AS SELECT user_id, count(*) AS n FROM app.posts GROUP BY user_id;
CREATE UNIQUE INDEX post_stats_user ON app.post_stats (user_id);
ALTER TABLE app.posts ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_posts ON app.posts FOR SELECT TO PUBLIC USING (user_id > 0);
CREATE RULE no_delete AS ON DELETE TO app.events_2024 DO INSTEAD NOTHING;
COMMENT ON TABLE app.users IS 'people';
COMMENT ON COLUMN app.users.email IS 'login';
COMMENT ON FUNCTION app.touch() IS 'stamp';
COMMENT ON SCHEMA app IS 'the app';
COMMENT ON CONSTRAINT posts_user_id_fkey ON app.posts IS 'owner';
COMMENT ON TRIGGER users_touch ON app.users IS 'keeps it fresh';
COMMENT ON TYPE app.mood IS 'how';
COMMENT ON VIEW app.active_users IS 'not sad';
COMMENT ON INDEX app.posts_title_lower IS 'search';
CREATE TABLE public.plain (id int);
)sql";

TEST_F(SchemaCommands, CatalogDumpRoundTripsWithoutPgDumpAndIsStable) {
    dir().write("migrations/3_rich.sql", kRichSchema);
    ASSERT_EQ(dbtool({"migrate", "up"}).exitCode, 0);
    // No pg_dump at all: --method auto falls back to the catalogs.
    ProcessOptions noPgDump =
        withEnv({{"DBTOOL_PG_DUMP", (dir().path() / "old_pg_dump").string()}});
    dir().write("old_pg_dump", "#!/bin/sh\necho 'pg_dump (PostgreSQL) 13.9'\n");
    std::filesystem::permissions(dir().path() / "old_pg_dump", std::filesystem::perms::owner_all);
    auto dump = dbtool({"-v", "--format", "json", "schema", "dump", "--file", "one.sql"}, noPgDump);
    ASSERT_EQ(dump.exitCode, 0) << dump.err;
    EXPECT_EQ(json::parse(dump.out)["method"], "catalog");
    EXPECT_THAT(dump.err, HasSubstr("pg_dump 13 does not match the server's major version 15"));

    // Into an empty database, then compared with what the migrations make: no drift.
    exec(
        "DROP SCHEMA app CASCADE; DROP SCHEMA public CASCADE; CREATE SCHEMA public; "
        "COMMENT ON SCHEMA public IS 'standard public schema'");
    auto load = dbtool({"schema", "load", "--file", "one.sql"});
    ASSERT_EQ(load.exitCode, 0) << load.err;
    auto diff = dbtool({"schema", "diff"});
    EXPECT_EQ(diff.exitCode, 0) << diff.out << diff.err;
    EXPECT_EQ(dbtool({"migrate", "status", "--exit-code"}).exitCode, 0);
    // Stable: the same schema dumps to the same text.
    ASSERT_EQ(dbtool({"schema", "dump", "--method", "catalog", "--file", "two.sql"}).exitCode, 0);
    EXPECT_EQ(readFile(dir().path() / "one.sql"), readFile(dir().path() / "two.sql"));
    // What it cannot write yet is refused, not left out.
    exec("CREATE AGGREGATE app.total(int) (SFUNC = int4pl, STYPE = int)");
    auto unsupported = dbtool({"schema", "dump", "--method", "catalog", "--file", "three.sql"});
    EXPECT_EQ(unsupported.exitCode, 1);
    EXPECT_THAT(unsupported.err, HasSubstr("aggregate app.total(integer)"));
    EXPECT_FALSE(std::filesystem::exists(dir().path() / "three.sql"));
    // --method pg_dump insists on pg_dump.
    ProcessOptions missing = withEnv({{"DBTOOL_PG_DUMP", "/nonexistent/pg_dump"}});
    EXPECT_EQ(dbtool({"schema", "dump", "--method", "pg_dump"}, missing).exitCode, 1);
}

}  // namespace
}  // namespace dbtool::test
