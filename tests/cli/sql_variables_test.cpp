// SQL variables in migrations that opt in with `-- dbtool:vars`, through the real binary.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "base/text.hpp"
#include "support/database.hpp"

namespace dbtool::test {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

class SqlVars : public DatabaseTest {
  protected:
    void write(const std::string& file, const std::string& content) const {
        dir().write(file, content);
    }
    ProcessResult run(const std::vector<std::string>& args,
                      const std::map<std::string, std::optional<std::string>>& env = {}) const {
        ProcessOptions o = withEnv(env);
        return dbtool(args, o);
    }
};

TEST_F(SqlVars, FromConfigEnvironmentAndFlagsQuotedAsAsked) {
    write("dbtool.yaml",
          "development:\n  vars:\n    table_name: audit_log\n"
          "    note: \"from the config\"\n    start: 1\n");
    write("migrations/1_audit.sql",
          "-- dbtool:vars\n-- migrate:up\n"
          "CREATE TABLE :\"table_name\" (id int, note text DEFAULT :'note');\n"
          "INSERT INTO :\"table_name\" (id) VALUES (:start);\n"
          "-- migrate:down\nDROP TABLE :\"table_name\";\n");
    auto up = run({"migrate", "up", "--var", "start=7"}, {{"DBTOOL_VAR_note", "it's \\ here"}});
    ASSERT_EQ(up.exitCode, 0) << up.err;
    EXPECT_EQ(scalar("SELECT id::text || ' ' || note FROM audit_log"), "7 it's \\ here");
    // The checksum is the file's as written: other values do not make it `changed`.
    auto status = run({"migrate", "status", "--exit-code", "--var", "start=8"});
    EXPECT_EQ(status.exitCode, 0) << status.out;
    EXPECT_EQ(scalar("SELECT checksum FROM schema_migrations"),
              sha256Hex("CREATE TABLE :\"table_name\" (id int, note text DEFAULT :'note');\n"
                        "INSERT INTO :\"table_name\" (id) VALUES (:start);\n"));
    ASSERT_EQ(run({"migrate", "down"}).exitCode, 0);
    EXPECT_FALSE(tableExists("audit_log"));
}

TEST_F(SqlVars, FilesThatDoNotOptInAreSentAsWritten) {
    write("migrations/1_plain.sql",
          "-- migrate:up\n-- :note is not a variable here\n"
          "CREATE TABLE plain (a text DEFAULT '${HOME}', b text DEFAULT ':note');\n"
          "INSERT INTO plain DEFAULT VALUES;\n");
    auto up = run({"migrate", "up", "--var", "note=x"});
    ASSERT_EQ(up.exitCode, 0) << up.err;
    EXPECT_EQ(scalar("SELECT a || ' ' || b FROM plain"), "${HOME} :note");
}

TEST_F(SqlVars, AnUndefinedVariableStopsTheRunWithFileAndLine) {
    write("migrations/1_a.sql", "-- migrate:up\nCREATE TABLE a (id int);\n");
    write("migrations/2_grant.sql",
          "-- migrate:up\n-- dbtool:vars\nGRANT SELECT ON a TO :reader_role;\n");
    auto up = run({"migrate", "up", "--var", "reader=x"});
    EXPECT_EQ(up.exitCode, 5);
    EXPECT_THAT(up.err, HasSubstr("undefined variable :reader_role"));
    EXPECT_THAT(up.err, HasSubstr("2_grant.sql:3:22"));
    EXPECT_THAT(up.err, HasSubstr("--var reader_role=VALUE"));
    EXPECT_FALSE(tableExists("a"));  // checked before anything runs
    // Reading names and checksums needs no values.
    EXPECT_EQ(run({"migrate", "status"}).exitCode, 0);
    auto bad = run({"migrate", "up", "--var", "no-equals"});
    EXPECT_EQ(bad.exitCode, 2);
    EXPECT_THAT(bad.err, HasSubstr("--var takes NAME=VALUE"));
}

TEST_F(SqlVars, ServerErrorsPointAtTheFileAsWritten) {
    write("migrations/1_t.sql",
          "-- dbtool:vars\n-- migrate:up\nCREATE TABLE :\"name\" (id int);\n"
          "INSERT INTO :\"name\" VALUES (:value), (nope);\n");
    auto up = run({"migrate", "up", "--var", "name=a_rather_long_table_name", "--var", "value=1"});
    EXPECT_EQ(up.exitCode, 6) << up.err;
    // Column 39 is "nope" in the file; in the text sent it is 14 characters further.
    EXPECT_THAT(up.err, HasSubstr("1_t.sql:4:39"));
}

TEST_F(SqlVars, SecretValuesNeverReachTheOutput) {
    write("dbtool.yaml",
          "development:\n  vars:\n    shared: {value: hush-hush-value, secret: true}\n");
    write("migrations/1_s.sql",
          "-- dbtool:vars\n-- migrate:up\nSELECT :'api_token'::int, :'shared'::int;\n");
    for (const auto& format : {"text", "json"}) {
        auto up = run({"-v", "--format", format, "migrate", "up", "--var", "api_token=tok-12345"});
        EXPECT_EQ(up.exitCode, 6) << up.err;
        // The server quotes the value it could not convert: masked.
        EXPECT_THAT(up.err + up.out, HasSubstr("****"));
        EXPECT_THAT(up.err + up.out, Not(HasSubstr("tok-12345")));
        EXPECT_THAT(up.err + up.out, Not(HasSubstr("hush-hush-value")));
        EXPECT_THAT(up.err, HasSubstr("api_token (from --var, secret)"));  // -v: names only
    }
    write("migrations/1_s.sql", "-- dbtool:vars\n-- migrate:up\nSELECT :'shared'::int;\n");
    auto config = run({"migrate", "up"});
    EXPECT_EQ(config.exitCode, 6);
    EXPECT_THAT(config.err, Not(HasSubstr("hush-hush-value")));
}

TEST_F(SqlVars, BadConfigurationIsRefused) {
    write("migrations/1_a.sql", "-- migrate:up\nSELECT 1;\n");
    write("dbtool.yaml", "development:\n  vars:\n    bad-name: x\n");
    auto name = run({"migrate", "status"});
    EXPECT_EQ(name.exitCode, 4);
    EXPECT_THAT(name.err, HasSubstr("invalid variable name 'bad-name'"));
    EXPECT_THAT(name.err, HasSubstr("dbtool.yaml:3:5"));
    write("dbtool.yaml", "development:\n  vars:\n    a: {value: 1, secrt: true}\n");
    auto key = run({"migrate", "status"});
    EXPECT_EQ(key.exitCode, 4);
    EXPECT_THAT(key.err, HasSubstr("did you mean 'secret'"));
}

}  // namespace
}  // namespace dbtool::test
