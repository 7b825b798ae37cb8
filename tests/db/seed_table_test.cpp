// The seed tracking tables: every statement on them lives in db/seed_table, and so does the
// format of recorded keys. These tests pin that format and what undo deletes by it.
#include "db/seed_table.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/database.hpp"

namespace dbtool::test {
namespace {

using ::testing::ElementsAre;

class SeedTable : public DatabaseTest {
  protected:
    void SetUp() override {
        DatabaseTest::SetUp();
        exec(
            "CREATE TABLE items (id bigint PRIMARY KEY, v text);"
            "CREATE TABLE tags (code text, lang text, PRIMARY KEY (code, lang));"
            "INSERT INTO items VALUES (1, 'app'), (100, 'app');"
            "INSERT INTO tags VALUES ('x', 'en')");
        session_ = connect();
        table_ = std::make_unique<db::SeedTable>(*session_, "public");
        catalog_ = std::make_unique<db::Catalog>(*session_);
    }

    // Runs `body` in a transaction and records seed `name` in it.
    template <typename Body>
    void seed(const std::string& name, Body&& body) {
        pqxx::work tx(session_->conn());
        table_->ensure();
        body();
        db::AppliedSeed s;
        s.name = name;
        s.checksum = "c";
        table_->record(s, {{"public.items", 3, 1, 0, true, info("items").oid}}, 7);
        tx.commit();
    }
    db::TableInfo info(const std::string& name) { return *catalog_->find(name); }
    // Undoes `seed`'s rows of `name` in a transaction of its own.
    db::RecordedRowsDeleted undo(const std::string& seed, const std::string& name, int64_t expected,
                                 bool byIdentity = true) {
        pqxx::work tx(session_->conn());
        auto out = table_->deleteRecordedRows(
            seed, info(name), byIdentity ? std::optional(table_->seedXids()) : std::nullopt,
            expected);
        tx.commit();
        return out;
    }

    std::unique_ptr<db::Session> session_;
    std::unique_ptr<db::SeedTable> table_;
    std::unique_ptr<db::Catalog> catalog_;
};

TEST_F(SeedTable, CopiedIntegerKeysAreKeptAsRangesAndOtherKeysOneByOne) {
    seed("s1", [&] {
        session_->runScript(
            "INSERT INTO items SELECT g, 'seed' FROM generate_series(2, 50) g;"
            "INSERT INTO items VALUES (60, 'seed'), (61, 'seed');"
            "INSERT INTO tags VALUES ('a', 'en'), ('a', 'de')");
        table_->recordKeysCreatedInThisTransaction("s1", info("items"));
        table_->recordKeysCreatedInThisTransaction("s1", info("tags"));
    });
    EXPECT_THAT(rows("SELECT table_name || ' ' || keys::text FROM schema_seed_keys ORDER BY id"),
                ElementsAre(R"(public.items [{"to": 50, "from": 2}, {"to": 61, "from": 60}])",
                            R"(public.tags [["a", "en"], ["a", "de"]])"));
    EXPECT_THAT(table_->tablesOf("s1"), ElementsAre("public.items", "public.tags"));

    EXPECT_TRUE(table_->anyRecordedRowExists("s1", info("items")));
    EXPECT_EQ(undo("s1", "items", 51).deleted, 51);
    EXPECT_EQ(undo("s1", "tags", 2).deleted, 2);
    EXPECT_FALSE(table_->anyRecordedRowExists("s1", info("items")));
    // The application's rows stay.
    EXPECT_THAT(rows("SELECT id || v FROM items ORDER BY id"), ElementsAre("1app", "100app"));
    EXPECT_THAT(rows("SELECT code || lang FROM tags"), ElementsAre("xen"));
}

TEST_F(SeedTable, TheKeyRecordingCteRecordsOnlyInsertedRows) {
    seed("s1", [&] {
        // One row is new, one an upsert of an existing row: only the new one is the seed's.
        session_->execParams(
            "WITH ins AS (INSERT INTO items VALUES (1, 'up'), (7, 'new') ON "
            "CONFLICT (id) DO UPDATE SET v = EXCLUDED.v RETURNING " +
                db::SeedTable::keyArray(info("items")) +
                " AS k, (xmax::text = '0') AS inserted), " + table_->keyRecordingCte(1, 2) +
                " SELECT count(*) FROM ins",
            {"s1", "public.items"});
    });
    EXPECT_THAT(rows("SELECT keys::text FROM schema_seed_keys"), ElementsAre(R"([["7"]])"));
    EXPECT_EQ(undo("s1", "items", 1).deleted, 1);
    EXPECT_THAT(rows("SELECT id || v FROM items ORDER BY id"), ElementsAre("1up", "100app"));
}

// Rows inside savepoints get the savepoint's xid: record() keeps those with the transaction's.
TEST_F(SeedTable, RowsChangedSinceTheSeedWroteThemAreKeptAndCounted) {
    std::set<std::string> savepointXids;
    {
        pqxx::work tx(session_->conn());
        table_->ensure();
        session_->runScript("INSERT INTO items SELECT g, 'seed' FROM generate_series(2, 6) g");
        table_->recordKeysCreatedInThisTransaction("s1", info("items"));
        session_->runScript("SAVEPOINT b");
        auto r = session_->execParams(
            "WITH ins AS (INSERT INTO items VALUES (7, 'seed') RETURNING " +
                db::SeedTable::keyArray(info("items")) + " AS k, true AS inserted, xmin), " +
                table_->keyRecordingCte(1, 2) + " SELECT xmin::text FROM ins",
            {"s1", "public.items"});
        savepointXids.insert(PQgetvalue(r.get(), 0, 0));
        session_->runScript("RELEASE SAVEPOINT b");
        db::AppliedSeed s;
        s.name = "s1";
        s.checksum = "c";
        table_->record(s, {{"public.items", 6, 0, 0, true, info("items").oid}}, 1, savepointXids);
        tx.commit();
    }
    // The application changes 3, replaces 4 by a row of its own, deletes 5.
    exec(
        "UPDATE items SET v = 'app' WHERE id = 3; DELETE FROM items WHERE id IN (4, 5);"
        "INSERT INTO items VALUES (4, 'app')");
    const auto done = undo("s1", "items", 6);
    EXPECT_EQ(done.deleted, 3);  // 2, 6 and 7 (written in the savepoint)
    EXPECT_EQ(done.kept, 2);
    EXPECT_THAT(done.keptKeys, ElementsAre("3", "4"));
    EXPECT_THAT(rows("SELECT id || v FROM items ORDER BY id"),
                ElementsAre("1app", "3app", "4app", "100app"));
}

TEST_F(SeedTable, WithoutIdentityEveryRowWithARecordedKeyIsDeleted) {
    seed("s1", [&] {
        session_->runScript("INSERT INTO tags VALUES ('a', 'en'), ('b', 'en')");
        table_->recordKeysCreatedInThisTransaction("s1", info("tags"));
    });
    exec("UPDATE tags SET lang = lang WHERE code = 'a'");
    EXPECT_EQ(undo("s1", "tags", 2).kept, 1);
    seed("s2", [&] {
        session_->runScript("INSERT INTO tags VALUES ('c', 'en')");
        table_->recordKeysCreatedInThisTransaction("s2", info("tags"));
    });
    exec("UPDATE tags SET lang = lang WHERE code = 'c'");
    const auto done = undo("s2", "tags", 1, /*byIdentity=*/false);
    EXPECT_EQ(done.deleted, 1);
    EXPECT_THAT(rows("SELECT code FROM tags ORDER BY code"), ElementsAre("a", "x"));
}

TEST_F(SeedTable, TablesOfDbtool01AreUpgradedInPlaceAndTheirRowsHaveNoIdentity) {
    exec(
        "CREATE TABLE schema_seeds (name text PRIMARY KEY, checksum text NOT NULL, environment "
        "text, applied_at timestamptz NOT NULL DEFAULT clock_timestamp(), execution_ms bigint, "
        "random_seed bigint, rows_inserted bigint NOT NULL DEFAULT 0, rows_updated bigint NOT "
        "NULL DEFAULT 0, row_counts jsonb NOT NULL DEFAULT '{}');"
        "CREATE TABLE schema_seed_keys (id bigserial PRIMARY KEY, seed text NOT NULL REFERENCES "
        "schema_seeds (name) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED, table_name text "
        "NOT NULL, keys jsonb NOT NULL);"
        "CREATE TABLE schema_seed_labels (table_name text NOT NULL, label text NOT NULL, seed "
        "text NOT NULL REFERENCES schema_seeds (name) ON DELETE CASCADE DEFERRABLE INITIALLY "
        "DEFERRED, key jsonb NOT NULL, PRIMARY KEY (table_name, label));"
        "INSERT INTO schema_seeds (name, checksum, row_counts) VALUES ('old', 'c', "
        "'{\"public.items\": {\"inserted\": 1}}');"
        "INSERT INTO schema_seed_labels VALUES ('public.items', 'one', 'old', '[\"1\"]')");
    // Reading does not change the tables.
    auto applied = table_->read();
    ASSERT_EQ(applied.size(), 1u);
    EXPECT_EQ(applied[0].xids, std::nullopt);
    EXPECT_EQ(applied[0].tableCounts()[0].oid, "");
    EXPECT_EQ(table_->label("public.items", "one")->tableOid, "");
    EXPECT_EQ(scalar("SELECT count(*) FROM pg_attribute WHERE attname = 'xids'"), "0");

    seed("new", [] {});
    applied = table_->read();
    ASSERT_EQ(applied.size(), 2u);
    EXPECT_EQ(applied[0].name, "new");
    EXPECT_NE(applied[0].xids, std::nullopt);
    EXPECT_EQ(applied[1].xids, std::nullopt);
}

TEST_F(SeedTable, LabelsRecordsAndForgettingASeed) {
    seed("s1", [&] { table_->recordLabel("s1", info("items"), "first", "2"); });
    EXPECT_EQ(table_->label("public.items", "first")->key, "2");
    EXPECT_EQ(table_->label("public.items", "first")->seed, "s1");
    EXPECT_EQ(table_->label("public.items", "first")->tableOid, info("items").oid);
    EXPECT_EQ(table_->label("public.items", "other"), std::nullopt);
    EXPECT_EQ(scalar("SELECT key::text FROM schema_seed_labels"), R"(["2"])");

    const auto applied = table_->read();
    ASSERT_EQ(applied.size(), 1u);
    EXPECT_EQ(applied[0].name, "s1");
    const auto counts = applied[0].tableCounts();
    ASSERT_EQ(counts.size(), 1u);
    EXPECT_EQ(counts[0].table, "public.items");
    EXPECT_EQ(counts[0].oid, info("items").oid);
    EXPECT_EQ(counts[0].inserted, 3);
    EXPECT_EQ(counts[0].updated, 1);
    EXPECT_TRUE(counts[0].undoable);
    EXPECT_EQ(scalar("SELECT random_seed FROM schema_seeds"), "7");

    table_->forget("s1");  // its keys and labels go with it
    EXPECT_EQ(scalar("SELECT count(*) FROM schema_seed_labels"), "0");
    EXPECT_TRUE(table_->read().empty());
}

TEST_F(SeedTable, NothingExistsUntilTheFirstSeedCommits) {
    EXPECT_FALSE(table_->exists());
    EXPECT_TRUE(table_->read().empty());
    {
        pqxx::work tx(session_->conn());
        table_->ensure();
        EXPECT_TRUE(table_->exists());
    }  // rolled back
    EXPECT_FALSE(table_->exists());
}

}  // namespace
}  // namespace dbtool::test
