#include "base/redact.hpp"

#include <gtest/gtest.h>

#include "base/duration.hpp"
#include "base/errors.hpp"
#include "config/connection_target.hpp"
#include "support/expect_error.hpp"

namespace dbtool {
namespace {

TEST(Redact, UrlPasswordsAreMasked) {
    EXPECT_EQ(redactConnectionStrings("postgres://app:hunter2@db:5432/shop"),
              "postgres://app:****@db:5432/shop");
    EXPECT_EQ(redactConnectionStrings("see postgresql://a:b%40c@h/d and more"),
              "see postgresql://a:****@h/d and more");
    EXPECT_EQ(redactConnectionStrings("postgres://app@db/shop"), "postgres://app@db/shop");
    EXPECT_EQ(redactConnectionStrings("postgres://h/db?user=u&password=pw&sslmode=off"),
              "postgres://h/db?user=u&password=****&sslmode=off");
}

TEST(Redact, ConninfoPasswordsAreMasked) {
    EXPECT_EQ(redactConnectionStrings("host=h password=secret dbname=x"),
              "host=h password=**** dbname=x");
    EXPECT_EQ(redactConnectionStrings("host=h password='se cret' dbname=x"),
              "host=h password=**** dbname=x");
    EXPECT_EQ(redactConnectionStrings("PGPASSWORD=abc"), "PGPASSWORD=****");
}

TEST(Redact, RegisteredSecretsAreMaskedAnywhere) {
    auto& registry = SecretRegistry::instance();
    registry.clear();
    registry.add("Sup3r-Secret");
    registry.add("ab");  // too short to mask in free text
    EXPECT_EQ(registry.redact("login failed for Sup3r-Secret!"), "login failed for ****!");
    EXPECT_EQ(registry.redact("tab ab"), "tab ab");
    registry.clear();
}

TEST(ConnectionTarget, RedactedFormNeverShowsThePassword) {
    auto t = ConnectionTarget::parse("postgresql://app:p%40ss@db.example:5433/shop?sslmode=require",
                                     "test");
    EXPECT_EQ(t.password(), "p@ss");
    EXPECT_EQ(t.redacted(), "postgres://app:****@db.example:5433/shop?sslmode=require");
    auto kv = ConnectionTarget::parse("host=/var/run/postgresql dbname=x user=u password=pw", "t");
    EXPECT_EQ(kv.redacted(), "postgres://u:****@/x?host=%2Fvar%2Frun%2Fpostgresql");
    EXPECT_EQ(t.with("dbname", "postgres").database(), "postgres");
}

TEST(ConnectionTarget, InvalidConninfoIsAConfigError) {
    const Error e = test::errorFrom(
        [] { ConnectionTarget::parse("host=h password=pw nonsense", "DATABASE_URL"); });
    EXPECT_EQ(e.code(), ExitCode::Config);
    EXPECT_NE(std::string(e.what()).find("DATABASE_URL"), std::string::npos);
}

TEST(Duration, ParsesUnitsAndRejectsGarbage) {
    EXPECT_EQ(parseDurationMs("30", "x"), 30000);
    EXPECT_EQ(parseDurationMs("500ms", "x"), 500);
    EXPECT_EQ(parseDurationMs("10s", "x"), 10000);
    EXPECT_EQ(parseDurationMs("5min", "x"), 300000);
    EXPECT_EQ(parseDurationMs("2h", "x"), 7200000);
    EXPECT_EQ(parseDurationMs("0", "x"), 0);
    for (const char* bad : {"", "ms", "-1", "1.5s", "10 years", "99999999999"}) {
        EXPECT_THROW(parseDurationMs(bad, "--lock-timeout"), Error) << bad;
    }
}

TEST(DidYouMean, SuggestsOnlyCloseMatches) {
    EXPECT_EQ(closestMatch("pasword", {"password", "port"}), "password");
    EXPECT_EQ(closestMatch("emial", {"email", "name"}), "email");
    EXPECT_EQ(closestMatch("zzzzzz", {"email", "name"}), "");
}

}  // namespace
}  // namespace dbtool
