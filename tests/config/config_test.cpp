#include "config/config.hpp"
#include "config/project_init.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/errors.hpp"
#include "support/database.hpp"
#include "support/expect_error.hpp"

namespace dbtool {
namespace {

using test::errorFrom;
using test::TempDir;

TEST(Dotenv, ParsesPlainQuotedExportAndComments) {
    const auto entries = parseDotenv(
        "# comment\n"
        "\n"
        "A=plain value   # trailing comment\n"
        "export B='single # not a comment \\n'\n"
        "C=\"double \\\"quoted\\\"\\nnext\"\n"
        "D=\n"
        "E=a#b\n"
        "  F = spaced  \n"
        "G=\"multi\nline\"\n",
        ".env");
    ASSERT_EQ(entries.size(), 7u);
    EXPECT_EQ(entries[0].key, "A");
    EXPECT_EQ(entries[0].value, "plain value");
    EXPECT_EQ(entries[0].line, 3);
    EXPECT_EQ(entries[1].key, "B");
    EXPECT_EQ(entries[1].value, "single # not a comment \\n");
    EXPECT_EQ(entries[2].value, "double \"quoted\"\nnext");
    EXPECT_EQ(entries[3].value, "");
    EXPECT_EQ(entries[4].value, "a#b");
    EXPECT_EQ(entries[5].key, "F");
    EXPECT_EQ(entries[5].value, "spaced");
    EXPECT_EQ(entries[6].value, "multi\nline");
    EXPECT_EQ(entries[6].line, 9);
}

TEST(Dotenv, AcceptsCrlfAndBom) {
    const auto entries = parseDotenv(
        "\xEF\xBB\xBF"
        "A=1\r\nB=\"2\"\r\n",
        ".env");
    ASSERT_EQ(entries.size(), 2u);
    EXPECT_EQ(entries[0].value, "1");
    EXPECT_EQ(entries[1].value, "2");
}

TEST(Dotenv, MalformedLineNamesFileLineAndColumn) {
    Error e = errorFrom([] { parseDotenv("A=1\nnot a pair\n", "app/.env"); });
    EXPECT_EQ(e.code(), ExitCode::Config);
    EXPECT_EQ(e.where().file, "app/.env");
    EXPECT_EQ(e.where().line, 2);
    EXPECT_EQ(e.where().column, 5);  // where the '=' was expected
    EXPECT_NE(std::string(e.what()).find("'='"), std::string::npos);

    Error unterminated = errorFrom([] { parseDotenv("A=1\nB=\"open\n", ".env"); });
    EXPECT_EQ(unterminated.where().line, 2);
    EXPECT_NE(std::string(unterminated.what()).find("unterminated"), std::string::npos);

    Error badKey = errorFrom([] { parseDotenv("1A=x\n", ".env"); });
    EXPECT_EQ(badKey.where().line, 1);
    EXPECT_EQ(badKey.where().column, 1);
}

TEST(Environment, DotenvNeverOverridesTheProcessEnvironment) {
    Environment env;
    env.setProcessVariable("A", "from-shell");
    env.addDotenv(parseDotenv("A=from-file\nB=file-only\nB=file-last\n", ".env"), ".env");
    EXPECT_EQ(env.get("A")->value, "from-shell");
    EXPECT_EQ(env.get("A")->origin, "environment");
    EXPECT_EQ(env.get("B")->value, "file-last");
    EXPECT_EQ(env.get("B")->origin, ".env:3");
    EXPECT_FALSE(env.get("C"));
    EXPECT_EQ(env.dotenvOnly().size(), 1u);
}

TEST(ExpandVariables, SubstitutesDefaultsAndEscapes) {
    Environment env;
    env.setProcessVariable("USER_NAME", "ann");
    env.setProcessVariable("EMPTY", "");
    const SourceLocation here{"dbtool.yaml", 3, 7};
    EXPECT_EQ(expandVariables("${USER_NAME}@${HOST:-localhost}", env, here), "ann@localhost");
    EXPECT_EQ(expandVariables("${EMPTY:-fallback}", env, here), "fallback");
    EXPECT_EQ(expandVariables("cost $$5 and $x", env, here), "cost $5 and $x");
    EXPECT_EQ(expandVariables("${USER_NAME:-x}", env, here), "ann");

    Error unset = errorFrom([&] { expandVariables("${DB_PASSWORD}", env, here); });
    EXPECT_EQ(unset.code(), ExitCode::Config);
    EXPECT_EQ(unset.where().str(), "dbtool.yaml:3:7");
    EXPECT_NE(std::string(unset.what()).find("DB_PASSWORD"), std::string::npos);

    Error open = errorFrom([&] { expandVariables("${OPEN", env, here); });
    EXPECT_NE(std::string(open.what()).find("unterminated"), std::string::npos);
    Error bad = errorFrom([&] { expandVariables("${1X}", env, here); });
    EXPECT_NE(std::string(bad.what()).find("invalid variable"), std::string::npos);
}

class ResolveSettings : public ::testing::Test {
  protected:
    TempDir dir;
    Environment env;
    CommandLineSettings flags;

    Settings resolve() { return resolveSettings(flags, env, dir.path()); }
};

TEST_F(ResolveSettings, DefaultsWithoutAnyLayer) {
    const Settings s = resolve();
    EXPECT_EQ(s.environment, "development");
    EXPECT_FALSE(s.configFile);
    EXPECT_EQ(s.migrationsDir, dir.path() / "migrations");
    EXPECT_EQ(s.seedsDir, dir.path() / "seeds");
    EXPECT_EQ(s.lockTimeoutMs, 300000);
    EXPECT_EQ(s.statementTimeoutMs, 0);
    EXPECT_EQ(s.target.get("application_name"), "dbtool");
    EXPECT_EQ(s.target.origin(), "libpq defaults (PGHOST, PGUSER, ...)");
}

TEST(ProjectInit, AppNamesAreDatabaseNameFriendly) {
    EXPECT_EQ(appNameFromFolder("My Blog-2"), "my_blog_2");
    EXPECT_EQ(appNameFromFolder("shop"), "shop");
    EXPECT_EQ(appNameFromFolder("2024"), "app_2024");
    EXPECT_EQ(appNameFromFolder("--"), "app");
}

TEST_F(ResolveSettings, ADbmateProjectIsFoundWithoutFlags) {
    // dbmate's default folder, when ./migrations does not exist.
    dir.write("db/migrations/20240101000000_a.sql", "-- migrate:up\n");
    Settings s = resolve();
    EXPECT_EQ(s.migrationsDir, dir.path() / "db" / "migrations");
    EXPECT_EQ(s.migrationsDirOrigin, "dbmate's default folder; ./migrations does not exist");
    // ./migrations wins when both exist.
    dir.write("migrations/.keep", "");
    EXPECT_EQ(resolve().migrationsDir, dir.path() / "migrations");
    // dbmate's variable, below dbtool's own.
    env.setProcessVariable("DBMATE_MIGRATIONS_DIR", "sql/up");
    s = resolve();
    EXPECT_EQ(s.migrationsDir, dir.path() / "sql" / "up");
    EXPECT_THAT(s.migrationsDirOrigin, ::testing::HasSubstr("DBMATE_MIGRATIONS_DIR"));
    env.setProcessVariable("DBTOOL_MIGRATIONS_DIR", "mine");
    EXPECT_EQ(resolve().migrationsDir, dir.path() / "mine");
}

TEST_F(ResolveSettings, EachLayerOverridesTheOneBelow) {
    dir.write("dbtool.yaml",
              "development:\n"
              "  url: postgres://yaml@yamlhost/yamldb\n"
              "  migrations_dir: db/migrate\n"
              "  seeds_dir: db/seeds\n"
              "  lock_timeout: 10s\n");
    // dbtool.yaml only
    Settings s = resolve();
    EXPECT_EQ(s.target.get("host"), "yamlhost");
    EXPECT_EQ(s.migrationsDir, dir.path() / "db/migrate");
    EXPECT_EQ(s.lockTimeoutMs, 10000);
    EXPECT_NE(s.target.origin().find("dbtool.yaml [development] url"), std::string::npos);

    // .env beats dbtool.yaml
    env.addDotenv(parseDotenv("DATABASE_URL=postgres://dotenv@dotenvhost/db\n"
                              "DBTOOL_MIGRATIONS_DIR=from-dotenv\n",
                              ".env"),
                  ".env");
    s = resolve();
    EXPECT_EQ(s.target.get("host"), "dotenvhost");
    EXPECT_EQ(s.target.origin(), "DATABASE_URL (.env:1)");
    EXPECT_EQ(s.migrationsDir, dir.path() / "from-dotenv");
    EXPECT_EQ(s.seedsDir, dir.path() / "db/seeds");  // not overridden: still from the file

    // the environment beats .env
    env.setProcessVariable("DATABASE_URL", "postgres://env@envhost/db");
    env.setProcessVariable("DBTOOL_MIGRATIONS_DIR", "/abs/from-env");
    s = resolve();
    EXPECT_EQ(s.target.get("host"), "envhost");
    EXPECT_EQ(s.target.origin(), "DATABASE_URL (environment)");
    EXPECT_EQ(s.migrationsDir, "/abs/from-env");

    // flags beat everything
    flags.databaseUrl = "postgres://flag@flaghost/db";
    flags.migrationsDir = "flagdir";
    flags.lockTimeout = "2min";
    s = resolve();
    EXPECT_EQ(s.target.get("host"), "flaghost");
    EXPECT_EQ(s.target.origin(), "--database-url");
    EXPECT_EQ(s.migrationsDir, dir.path() / "flagdir");
    EXPECT_EQ(s.lockTimeoutMs, 120000);
}

TEST_F(ResolveSettings, EnvironmentSelectionByFlagAndVariable) {
    dir.write(
        "dbtool.yaml",
        "development: {host: devhost}\n"
        "test: {host: testhost, port: 6543, database: app_test, user: ci, sslmode: disable}\n");
    EXPECT_EQ(resolve().target.get("host"), "devhost");
    env.setProcessVariable("DBTOOL_ENV", "test");
    Settings s = resolve();
    EXPECT_EQ(s.environment, "test");
    EXPECT_EQ(s.target.get("host"), "testhost");
    EXPECT_EQ(s.target.get("port"), "6543");
    EXPECT_EQ(s.target.get("dbname"), "app_test");
    EXPECT_EQ(s.target.get("user"), "ci");
    EXPECT_EQ(s.target.get("sslmode"), "disable");
    flags.env = "development";
    EXPECT_EQ(resolve().target.get("host"), "devhost");
}

TEST_F(ResolveSettings, DiscreteKeysWithVariablesFromTheEnvironment) {
    dir.write("dbtool.yaml",
              "development:\n"
              "  host: ${DB_HOST:-localhost}\n"
              "  database: shop\n"
              "  user: app\n"
              "  password: ${DB_PASSWORD}\n");
    env.setProcessVariable("DB_PASSWORD", "s3cr3t 'quoted'");
    const Settings s = resolve();
    EXPECT_EQ(s.target.get("host"), "localhost");
    EXPECT_EQ(s.target.get("password"), "s3cr3t 'quoted'");
    EXPECT_EQ(s.target.redacted().find("s3cr3t"), std::string::npos);
    EXPECT_EQ(s.target.redacted(), "postgres://app:****@localhost/shop");
}

TEST_F(ResolveSettings, ExplicitConfigFileAndPathsRelativeToIt) {
    dir.write("config/db.yaml", "development:\n  migrations_dir: ../sql\n");
    flags.configFile = "config/db.yaml";
    const Settings s = resolve();
    EXPECT_EQ(s.configFile, dir.path() / "config/db.yaml");
    EXPECT_EQ(s.migrationsDir, dir.path() / "config/../sql");

    flags.configFile = "missing.yaml";
    Error e = errorFrom([&] { resolve(); });
    EXPECT_EQ(e.code(), ExitCode::Config);
    EXPECT_NE(std::string(e.what()).find("missing.yaml"), std::string::npos);
}

TEST_F(ResolveSettings, YamlSyntaxErrorHasFileLineAndColumn) {
    dir.write("dbtool.yaml", "development:\n  url: [unclosed\n  host: x\n");
    Error e = errorFrom([&] { resolve(); });
    EXPECT_EQ(e.code(), ExitCode::Config);
    EXPECT_EQ(e.where().file, (dir.path() / "dbtool.yaml").string());
    EXPECT_EQ(e.where().line, 3);
    EXPECT_GT(e.where().column, 0);
    EXPECT_NE(std::string(e.what()).find("YAML syntax error"), std::string::npos);
}

TEST_F(ResolveSettings, UnknownEnvironmentListsTheDefinedOnes) {
    dir.write("dbtool.yaml", "development: {host: a}\nproduction: {host: b}\n");
    flags.env = "prodution";
    Error e = errorFrom([&] { resolve(); });
    EXPECT_EQ(e.code(), ExitCode::Config);
    const std::string msg = e.what();
    EXPECT_NE(msg.find("'prodution'"), std::string::npos);
    EXPECT_NE(msg.find("did you mean 'production'"), std::string::npos);
    EXPECT_NE(e.hint().find("development, production"), std::string::npos);
}

TEST_F(ResolveSettings, UnknownKeyIsNamedWithSuggestionAndLocation) {
    dir.write("dbtool.yaml", "development:\n  host: a\n  pasword: x\n");
    Error e = errorFrom([&] { resolve(); });
    EXPECT_EQ(e.code(), ExitCode::Config);
    EXPECT_NE(std::string(e.what()).find("unknown key 'pasword'"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("did you mean 'password'"), std::string::npos);
    EXPECT_EQ(e.where().line, 3);
    EXPECT_EQ(e.where().column, 3);
}

TEST_F(ResolveSettings, UrlAndDiscreteKeysTogetherAreRefused) {
    dir.write("dbtool.yaml", "development:\n  url: postgres://a@b/c\n  host: other\n");
    Error e = errorFrom([&] { resolve(); });
    EXPECT_NE(std::string(e.what()).find("both url and host"), std::string::npos);
    EXPECT_EQ(e.where().line, 3);
}

TEST_F(ResolveSettings, InvalidUrlIsAConfigErrorWithoutThePassword) {
    flags.databaseUrl = "postgres://u:topsecret@h/db?bogus_option=1";
    Error e = errorFrom([&] { resolve(); });
    EXPECT_EQ(e.code(), ExitCode::Config);
    EXPECT_NE(std::string(e.what()).find("bogus_option"), std::string::npos);
    EXPECT_EQ(std::string(e.what()).find("topsecret"), std::string::npos);
}

TEST_F(ResolveSettings, BadDurationNamesItsOrigin) {
    env.setProcessVariable("DBTOOL_STATEMENT_TIMEOUT", "soon");
    Error e = errorFrom([&] { resolve(); });
    EXPECT_EQ(e.code(), ExitCode::Config);
    EXPECT_NE(std::string(e.what()).find("DBTOOL_STATEMENT_TIMEOUT"), std::string::npos);
}

TEST_F(ResolveSettings, EmptyOrNonMappingFilesAreExplained) {
    dir.write("dbtool.yaml", "");
    EXPECT_NE(std::string(errorFrom([&] { resolve(); }).what()).find("empty"), std::string::npos);
    dir.write("dbtool.yaml", "- a\n- b\n");
    EXPECT_NE(std::string(errorFrom([&] { resolve(); }).what()).find("mapping"), std::string::npos);
    dir.write("dbtool.yaml", "development:\n  host: [a, b]\n");
    EXPECT_NE(std::string(errorFrom([&] { resolve(); }).what()).find("single value"),
              std::string::npos);
}

}  // namespace
}  // namespace dbtool
