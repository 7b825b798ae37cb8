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
        table_->record(s, {{"public.items", 3, 1, 0, true}}, 7);
        tx.commit();
    }
    db::TableInfo info(const std::string& name) { return *catalog_->find(name); }

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

    pqxx::work tx(session_->conn());
    EXPECT_EQ(table_->deleteRecordedRows("s1", info("items")), 51);
    EXPECT_EQ(table_->deleteRecordedRows("s1", info("tags")), 2);
    tx.commit();
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
    pqxx::work tx(session_->conn());
    EXPECT_EQ(table_->deleteRecordedRows("s1", info("items")), 1);
    tx.commit();
    EXPECT_THAT(rows("SELECT id || v FROM items ORDER BY id"), ElementsAre("1up", "100app"));
}

TEST_F(SeedTable, LabelsRecordsAndForgettingASeed) {
    seed("s1", [&] { table_->recordLabel("s1", "public.items", "first", "2"); });
    EXPECT_EQ(table_->labelKey("public.items", "first"), "2");
    EXPECT_EQ(table_->labelKey("public.items", "other"), std::nullopt);
    EXPECT_EQ(scalar("SELECT key::text FROM schema_seed_labels"), R"(["2"])");

    const auto applied = table_->read();
    ASSERT_EQ(applied.size(), 1u);
    EXPECT_EQ(applied[0].name, "s1");
    const auto counts = applied[0].tableCounts();
    ASSERT_EQ(counts.size(), 1u);
    EXPECT_EQ(counts[0].table, "public.items");
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
