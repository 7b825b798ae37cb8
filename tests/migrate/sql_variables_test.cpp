#include "migrate/sql_variables.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/expect_error.hpp"

namespace dbtool {
namespace {

using ::testing::HasSubstr;

SqlVariables vars() {
    return {{"role", {"app_rw", "--var", false}},
            {"note", {"it's \\ fine", "--var", false}},
            {"table", {"Order \"Items\"", "--var", false}},
            {"n", {"42", "--var", false}}};
}

std::string substituted(const std::string& sql) {
    return substituteVariables(sql, vars(), [](size_t) { return SourceLocation{"f.sql"}; }).sql;
}

TEST(SqlVariables, OptInIsALineOfTheHeader) {
    EXPECT_TRUE(optsIntoVariables("-- dbtool:vars\n-- migrate:up\nSELECT 1;\n"));
    EXPECT_TRUE(optsIntoVariables("\n-- migrate:up\n  --   dbtool:vars  \r\nSELECT 1;\n"));
    EXPECT_FALSE(optsIntoVariables("-- migrate:up\nSELECT 1;\n-- dbtool:vars\n"));
    EXPECT_FALSE(optsIntoVariables("-- dbtool:variables\nSELECT 1;\n"));
    EXPECT_FALSE(optsIntoVariables("SELECT ':x';\n"));
}

TEST(SqlVariables, RawLiteralAndIdentifierForms) {
    EXPECT_EQ(substituted("GRANT SELECT ON t TO :role;"), "GRANT SELECT ON t TO app_rw;");
    EXPECT_EQ(substituted("SELECT :'role';"), "SELECT 'app_rw';");
    // A backslash makes an E'' literal, right whatever standard_conforming_strings says.
    EXPECT_EQ(substituted("SELECT :'note';"), "SELECT  E'it''s \\\\ fine';");
    EXPECT_EQ(substituted("CREATE TABLE :\"table\" ();"),
              "CREATE TABLE \"Order \"\"Items\"\"\" ();");
    EXPECT_EQ(substituted("SELECT :n + 1"), "SELECT 42 + 1");
}

TEST(SqlVariables, QuotesCommentsCastsAndSlicesAreLeftAlone) {
    const std::string untouched =
        "SELECT ':role', \":role\", $$ :role $$, $f$:'role'$f$, x::text, a[1:2], '${role}' "
        "-- :role\n/* :role */";
    EXPECT_EQ(substituted(untouched), untouched);
    EXPECT_EQ(substituted("SELECT :'not a name', :1"), "SELECT :'not a name', :1");
}

TEST(SqlVariables, AnUndefinedVariableIsAnErrorWhereItIs) {
    const Error e = test::errorFrom([] {
        substituteVariables("SELECT 1;\nSELECT :rol;", vars(), [](size_t at) {
            return SourceLocation{"m.sql", 2, static_cast<int>(at) - 9};
        });
    });
    EXPECT_EQ(e.code(), ExitCode::InvalidInput);
    EXPECT_THAT(e.what(), HasSubstr("undefined variable :rol"));
    EXPECT_THAT(e.what(), HasSubstr("did you mean 'role'"));
    EXPECT_EQ(e.where().line, 2);
    EXPECT_EQ(e.where().column, 8);
    EXPECT_THAT(e.hint(), HasSubstr("--var rol=VALUE"));
}

TEST(SqlVariables, OffsetsInTheSentTextMapBackToTheWrittenOne) {
    const std::string written = "SELECT :'role', nope FROM :\"table\" WHERE x = :n";
    const auto done =
        substituteVariables(written, vars(), [](size_t) { return SourceLocation{"f.sql"}; });
    const size_t sentNope = done.sql.find("nope");
    EXPECT_EQ(writtenOffset(done.replacements, sentNope), written.find("nope"));
    EXPECT_EQ(writtenOffset(done.replacements, done.sql.find("WHERE")), written.find("WHERE"));
    // Inside a value: the reference.
    EXPECT_EQ(writtenOffset(done.replacements, done.sql.find("Items")), written.find(":\""));
    EXPECT_EQ(writtenOffset(done.replacements, 3), 3u);
}

}  // namespace
}  // namespace dbtool
