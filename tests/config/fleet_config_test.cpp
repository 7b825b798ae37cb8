#include "config/fleet_config.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/expect_error.hpp"

namespace dbtool {
namespace {

using test::errorFrom;
using ::testing::HasSubstr;

TargetGroups read(const std::string& yaml) {
    return readTargetGroups(
        "dbtool.yaml", YAML::Load(yaml), [](const std::string& text, const SourceLocation&) {
            return text == "${SHARD}" ? std::string("postgres://app@db2/shard") : text;
        });
}

TEST(TargetGroups, EveryKindOfEntryWithItsModifiers) {
    const auto groups = read(
        "tenants:\n"
        "  - schemas: \"tenant_%\"\n"
        "    exclude: tenant_template\n"
        "  - schemas: \"t_%\"\n"
        "    database: ${SHARD}\n"
        "shards: {databases: \"shard_%\", server: postgres://app@db3/postgres}\n"
        "listed:\n"
        "  - url: postgres://app@db4/legacy\n"
        "  - query: SELECT url FROM fleet\n");
    ASSERT_EQ(groups.size(), 3u);
    const auto& tenants = groups.at("tenants");
    ASSERT_EQ(tenants.specs.size(), 2u);
    EXPECT_EQ(tenants.specs[0].kind, TargetSpec::Kind::Schemas);
    EXPECT_EQ(tenants.specs[0].value, "tenant_%");
    EXPECT_EQ(tenants.specs[0].exclude, "tenant_template");
    EXPECT_FALSE(tenants.specs[0].at);
    ASSERT_TRUE(tenants.specs[1].at);  // ${SHARD} expanded, then parsed
    EXPECT_EQ(tenants.specs[1].at->database(), "shard");
    EXPECT_EQ(tenants.specs[1].where.line, 4);
    // A single mapping is a group of one entry.
    const auto& shards = groups.at("shards");
    ASSERT_EQ(shards.specs.size(), 1u);
    EXPECT_EQ(shards.specs[0].kind, TargetSpec::Kind::Databases);
    EXPECT_EQ(shards.specs[0].at->get("host"), "db3");
    const auto& listed = groups.at("listed");
    EXPECT_EQ(listed.specs[0].kind, TargetSpec::Kind::Url);
    EXPECT_EQ(listed.specs[0].at->database(), "legacy");
    EXPECT_EQ(listed.specs[1].kind, TargetSpec::Kind::Query);
    EXPECT_EQ(listed.specs[1].value, "SELECT url FROM fleet");
}

TEST(TargetGroups, MistakesNameTheKeyAndItsPlace) {
    auto e = errorFrom([] { read("g:\n  - schema: \"t_%\"\n"); });
    EXPECT_EQ(e.code(), ExitCode::Config);
    EXPECT_THAT(e.what(), HasSubstr("unknown key 'schema' in target group 'g', did you mean "
                                    "'schemas'"));
    EXPECT_EQ(e.where().str(), "dbtool.yaml:2:5");

    e = errorFrom([] { read("g:\n  - schemas: a\n    databases: b\n"); });
    EXPECT_THAT(e.what(), HasSubstr("has both schemas and databases"));

    e = errorFrom([] { read("g:\n  - databases: a\n    database: postgres://x/y\n"); });
    EXPECT_THAT(e.what(), HasSubstr("'database' does not go with databases"));

    e = errorFrom([] { read("g:\n  - exclude: a\n"); });
    EXPECT_THAT(e.what(), HasSubstr("names no targets"));

    e = errorFrom([] { read("g: []\n"); });
    EXPECT_THAT(e.what(), HasSubstr("target group 'g' is empty"));

    e = errorFrom([] { read("g:\n  - url: \"postgres://x/y?bogus=1\"\n"); });
    EXPECT_EQ(e.code(), ExitCode::Config);
    EXPECT_EQ(e.where().str(), "");  // libpq's reason, the origin names the place
    EXPECT_THAT(e.what(), HasSubstr("dbtool.yaml:2:10"));

    e = errorFrom([] { read("- a\n"); });
    EXPECT_THAT(e.what(), HasSubstr("targets must be a mapping"));
}

}  // namespace
}  // namespace dbtool
