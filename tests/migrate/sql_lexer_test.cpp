#include "migrate/sql_lexer.hpp"

#include <gtest/gtest.h>

namespace dbtool {
namespace {

std::vector<std::string> statements(const std::string& sql) {
    std::vector<std::string> out;
    for (const auto& s : lexSql(sql).statements) {
        out.push_back(sql.substr(s.begin, s.end - s.begin));
    }
    return out;
}

TEST(SqlLexer, SplitsTopLevelStatementsOnly) {
    EXPECT_EQ(statements("SELECT 1; SELECT 2;\nSELECT 3"),
              (std::vector<std::string>{"SELECT 1", "SELECT 2", "SELECT 3"}));
    EXPECT_EQ(statements("  ;; -- only comments\n/* and ; this */ ;"), std::vector<std::string>{});
}

TEST(SqlLexer, SemicolonsInsideLiteralsAndCommentsDoNotSplit) {
    const std::string sql =
        "INSERT INTO t VALUES ('a;b', 'it''s;', E'x\\';y', \"we;ird\");\n"
        "CREATE FUNCTION f() RETURNS int AS $body$ BEGIN RETURN 1; END; $body$ LANGUAGE plpgsql;\n"
        "DO $$ BEGIN PERFORM 1; END $$;\n"
        "-- a comment; with a semicolon\n"
        "SELECT /* nested /* ; */ still ; */ 1;";
    const auto parts = statements(sql);
    ASSERT_EQ(parts.size(), 4u);
    EXPECT_EQ(parts[1].substr(0, 15), "CREATE FUNCTION");
    EXPECT_EQ(parts[1].substr(parts[1].size() - 16), "LANGUAGE plpgsql");
    EXPECT_EQ(parts[2], "DO $$ BEGIN PERFORM 1; END $$");
    EXPECT_EQ(parts[3], "SELECT /* nested /* ; */ still ; */ 1");
}

TEST(SqlLexer, ParenthesesAndBeginAtomicBodiesStayWhole) {
    const auto rule = statements(
        "CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES "
        "(2)); SELECT 1");
    ASSERT_EQ(rule.size(), 2u);
    const auto atomic = statements(
        "CREATE FUNCTION g() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN true THEN 1 "
        "END; "
        "SELECT 2; END; SELECT 3");
    ASSERT_EQ(atomic.size(), 2u);
    EXPECT_EQ(atomic[1], "SELECT 3");
}

TEST(SqlLexer, DollarParametersAndIdentifiersAreNotQuotes) {
    EXPECT_EQ(statements("PREPARE p AS SELECT $1; SELECT a$b$ FROM t; SELECT 2").size(), 3u);
}

TEST(SqlLexer, ReportsUnterminatedLiterals) {
    for (const char* sql : {"SELECT 'open", "SELECT $$ open", "SELECT /* open", "SELECT \"open"}) {
        const auto lexed = lexSql(sql);
        EXPECT_TRUE(lexed.unterminated) << sql;
        EXPECT_EQ(lexed.unterminatedOffset, 7u) << sql;
    }
    EXPECT_FALSE(lexSql("SELECT 'closed'").unterminated);
}

TEST(SqlLexer, FindsMetaCommandsAtLineStartsOnly) {
    const auto lexed =
        lexSql("SELECT 1;\n\\i other.sql\nSELECT '\n\\not a command';\n  \\copy t from x\n");
    ASSERT_EQ(lexed.metaCommands.size(), 2u);
    EXPECT_EQ(lexed.metaCommands[0].command, "\\i");
    EXPECT_EQ(lexed.metaCommands[1].command, "\\copy");
}

TEST(SqlLexer, RecognisesTransactionControl) {
    auto first = [](const std::string& sql) { return lexSql(sql).statements.at(0); };
    for (const char* sql :
         {"BEGIN", "begin;", "COMMIT", "END", "ROLLBACK", "ABORT",
          "START TRANSACTION ISOLATION LEVEL SERIALIZABLE", "PREPARE TRANSACTION 'x'"}) {
        EXPECT_TRUE(isTransactionControl(first(sql))) << sql;
    }
    for (const char* sql : {"ROLLBACK TO SAVEPOINT a", "SAVEPOINT a", "COMMIT PREPARED 'x'",
                            "SELECT 1", "CREATE TABLE begin_x (a int)", "PREPARE q AS SELECT 1"}) {
        EXPECT_FALSE(isTransactionControl(first(sql))) << sql;
    }
}

}  // namespace
}  // namespace dbtool
