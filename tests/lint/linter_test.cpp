#include "lint/linter.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <set>

namespace dbtool::lint {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

Migration migration(const std::string& version, const std::string& up) {
    LoadOptions load;
    load.transactionChecks = false;
    return parseMigration(version + "_m.sql", "-- migrate:up\n" + up, version, "m", load);
}

// Table sizes and function volatility from a map instead of a server.
class FakeDatabase : public LintDatabase {
  public:
    std::map<std::string, TableSize> tables;
    std::map<std::string, char> functions;
    std::optional<TableSize> tableSize(const RelationName& r) override {
        const auto it = tables.find(r.name);
        return it == tables.end() ? std::nullopt : std::optional<TableSize>(it->second);
    }
    std::optional<char> volatility(const std::string& f) override {
        const auto it = functions.find(f);
        return it == functions.end() ? std::nullopt : std::optional<char>(it->second);
    }
    std::set<std::string> notNullChecks;  // "table.column"
    bool provenNotNull(const RelationName& t, const std::string& c) override {
        return notNullChecks.count(t.name + "." + c) != 0;
    }
};

// The findings without require-timeout-settings (which every lock on an existing table draws
// under the default options).
std::vector<Finding> hazards(const LintReport& report) {
    std::vector<Finding> out;
    for (const auto& f : report.findings) {
        if (f.rule != "require-timeout-settings") {
            out.push_back(f);
        }
    }
    return out;
}

std::vector<std::string> rules(const LintReport& report) {
    std::vector<std::string> out;
    for (const auto& f : report.findings) {
        if (f.rule != "require-timeout-settings") {
            out.push_back(f.rule);
        }
    }
    return out;
}

LintReport lintOne(const std::string& up, LintDatabase* db = nullptr, LintOptions options = {}) {
    const Migration m = migration("1", up);
    return lintMigrations({&m}, options, db);
}

TEST(Linter, ATableCreatedByAnEarlierMigrationOfTheRunIsNew) {
    const Migration create = migration("1", "CREATE TABLE events (id bigint, at timestamptz);\n");
    const Migration index = migration("2", "CREATE INDEX events_at_idx ON events (at);\n");
    EXPECT_TRUE(rules(lintMigrations({&create, &index}, {}, nullptr)).empty());
    // Alone, the second migration locks a table that exists already.
    EXPECT_THAT(rules(lintMigrations({&index}, {}, nullptr)),
                ElementsAre("require-concurrent-index-creation"));
}

TEST(Linter, SeverityFollowsTheTableSizeTheDatabaseEstimates) {
    FakeDatabase db;
    db.tables["tiny"] = {"public.tiny", 20, 8192};
    db.tables["mid"] = {"public.mid", 200'000, 30 << 20};
    db.tables["huge"] = {"public.huge", 10'000'000, int64_t{4} << 30};
    db.tables["unanalyzed"] = {"public.unanalyzed", std::nullopt, 16384};
    const auto report = lintOne(
        "ALTER TABLE tiny ALTER COLUMN id TYPE bigint;\n"
        "ALTER TABLE mid ALTER COLUMN id TYPE bigint;\n"
        "ALTER TABLE huge ALTER COLUMN id TYPE bigint;\n"
        "ALTER TABLE unanalyzed ALTER COLUMN id TYPE bigint;\n"
        "ALTER TABLE unknown ALTER COLUMN id TYPE bigint;\n"
        "ALTER TABLE huge RENAME COLUMN a TO b;\n"
        "ALTER TABLE tiny RENAME COLUMN a TO b;\n",
        &db);
    const auto found = hazards(report);
    std::vector<std::pair<std::string, std::string>> got;
    for (const auto& f : found) {
        got.push_back({f.table, severityName(f.severity)});
    }
    EXPECT_THAT(got, ElementsAre(std::pair<std::string, std::string>{"public.tiny", "note"},
                                 std::pair<std::string, std::string>{"public.mid", "warning"},
                                 std::pair<std::string, std::string>{"public.huge", "error"},
                                 std::pair<std::string, std::string>{"public.unanalyzed", "note"},
                                 // not in the database: the rule's own severity
                                 std::pair<std::string, std::string>{"unknown", "error"},
                                 // a rename breaks clients at any size
                                 std::pair<std::string, std::string>{"public.huge", "error"},
                                 std::pair<std::string, std::string>{"public.tiny", "error"}));
    EXPECT_EQ(found[2].estimatedRows, 10'000'000);
    EXPECT_EQ(found[2].estimatedBytes, int64_t{4} << 30);
    EXPECT_FALSE(found[3].estimatedRows.has_value());
    EXPECT_FALSE(found[4].estimatedBytes.has_value());
}

TEST(Linter, SizeThresholdsComeFromTheOptions) {
    FakeDatabase db;
    db.tables["t"] = {"public.t", 20, 8192};
    LintOptions options;
    options.smallTableRows = 5;
    options.largeTableRows = 10;
    const auto report = lintOne("CREATE INDEX ON t (a);\n", &db, options);
    ASSERT_FALSE(report.findings.empty());
    EXPECT_EQ(report.findings[0].severity, Severity::Error);
}

TEST(Linter, AFunctionTheDatabaseKnowsAsStableIsNoVolatileDefault) {
    FakeDatabase db;
    db.functions["app_default_plan"] = 's';
    db.functions["next_ticket"] = 'v';
    EXPECT_TRUE(
        rules(lintOne("ALTER TABLE users ADD COLUMN plan text DEFAULT app_default_plan();\n", &db))
            .empty());
    EXPECT_THAT(rules(lintOne("ALTER TABLE users ADD COLUMN t int DEFAULT next_ticket();\n", &db)),
                ElementsAre("adding-field-with-default"));
    // Offline, an unknown function may be volatile.
    EXPECT_THAT(
        rules(lintOne("ALTER TABLE users ADD COLUMN plan text DEFAULT app_default_plan();\n")),
        ElementsAre("adding-field-with-default"));
}

TEST(Linter, SetNotNullIsQuietWhenTheDatabaseHasAValidatedNotNullCheck) {
    FakeDatabase db;
    db.notNullChecks.insert("users.name");
    EXPECT_TRUE(rules(lintOne("ALTER TABLE users ALTER COLUMN name SET NOT NULL;\n", &db)).empty());
    EXPECT_THAT(rules(lintOne("ALTER TABLE users ALTER COLUMN email SET NOT NULL;\n", &db)),
                ElementsAre("adding-not-nullable-field"));
}

TEST(Linter, FindingsPointAtTheFileLineAndColumnOfTheHazard) {
    const auto report = lintOne(
        "CREATE TABLE a (id bigint);\n"
        "\n"
        "ALTER TABLE users\n"
        "    ADD COLUMN token uuid DEFAULT gen_random_uuid();\n");
    ASSERT_EQ(rules(report), std::vector<std::string>{"adding-field-with-default"});
    const Finding& f = report.findings[0];
    EXPECT_EQ(f.where.file, "1_m.sql");
    EXPECT_EQ(f.where.line, 5);  // the marker is line 1
    EXPECT_EQ(f.where.column, 27);
    EXPECT_EQ(f.sourceLine, "    ADD COLUMN token uuid DEFAULT gen_random_uuid();");
    EXPECT_EQ(f.migration, "1 m");
    EXPECT_THAT(f.message, HasSubstr("gen_random_uuid()"));
    EXPECT_THAT(f.help, HasSubstr("backfill"));
}

TEST(Linter, AnIgnoreCommentSilencesOnlyTheRulesItNamesAndNeedsAReason) {
    auto report = lintOne(
        "-- dbtool:lint-ignore ban-drop-column moved to archive.users_fax in #881\n"
        "ALTER TABLE users DROP COLUMN fax, ALTER COLUMN email DROP NOT NULL;\n"
        "ALTER TABLE users DROP COLUMN pager;\n");
    EXPECT_THAT(rules(report), ElementsAre("ban-drop-not-null", "ban-drop-column"));
    EXPECT_EQ(hazards(report)[1].where.line, 4);
    EXPECT_EQ(report.ignored, 1);

    report = lintOne(
        "ALTER TABLE users DROP COLUMN fax; -- dbtool:lint-ignore "
        "ban-drop-column,ban-drop-not-null old\n");
    EXPECT_TRUE(rules(report).empty());

    report =
        lintOne("-- dbtool:lint-ignore ban-drop-colum typo\nALTER TABLE users DROP COLUMN fax;\n");
    EXPECT_THAT(rules(report), ElementsAre("lint-ignore", "ban-drop-column"));
    EXPECT_THAT(report.findings[0].message, HasSubstr("did you mean 'ban-drop-column'"));
    EXPECT_EQ(report.findings[0].where.line, 2);

    report = lintOne("-- dbtool:lint-ignore ban-drop-column\nALTER TABLE users DROP COLUMN fax;\n");
    EXPECT_THAT(rules(report), ElementsAre("lint-ignore", "ban-drop-column"));
    EXPECT_THAT(report.findings[0].message, HasSubstr("gives no reason"));

    report = lintOne("-- dbtool:lint-ignore\nALTER TABLE users DROP COLUMN fax;\n");
    EXPECT_THAT(rules(report), ElementsAre("lint-ignore", "ban-drop-column"));
    EXPECT_THAT(report.findings[0].message, HasSubstr("names no rule"));
}

TEST(Linter, SyntaxErrorsAreFindingsWithThePositionPostgreSQLGives) {
    const auto report = lintOne("CREATE TABLE a (id int);\nSELECT * FORM users;\n");
    ASSERT_EQ(rules(report), std::vector<std::string>{"syntax-error"});
    EXPECT_EQ(report.findings[0].where.line, 3);
    EXPECT_EQ(report.findings[0].where.column, 10);
    EXPECT_THAT(report.findings[0].message, HasSubstr("syntax error at or near \"FORM\""));
}

TEST(Linter, ConfiguredSeveritiesOverrideAndOffSilences) {
    LintOptions options;
    options.severities["ban-drop-column"] = Severity::Off;
    options.severities["renaming-table"] = Severity::Warning;
    const auto report =
        lintOne("ALTER TABLE users DROP COLUMN fax;\nALTER TABLE users RENAME TO people;\n",
                nullptr, options);
    ASSERT_THAT(rules(report), ElementsAre("renaming-table"));
    EXPECT_EQ(report.findings[0].severity, Severity::Warning);
}

TEST(Linter, AShortConfiguredLockTimeoutSatisfiesTheTimeoutRule) {
    LintOptions options;
    options.lockTimeoutMs = 300'000;  // dbtool's default: five minutes
    auto report = lintOne("ALTER TABLE users ADD COLUMN bio text;\n", nullptr, options);
    ASSERT_EQ(report.findings.size(), 1u);
    EXPECT_EQ(report.findings[0].rule, "require-timeout-settings");
    EXPECT_EQ(report.findings[0].severity, Severity::Warning);
    EXPECT_THAT(report.findings[0].message, HasSubstr("5 min"));
    options.lockTimeoutMs = 2'000;
    EXPECT_TRUE(
        lintOne("ALTER TABLE users ADD COLUMN bio text;\n", nullptr, options).findings.empty());
}

TEST(Linter, StatementsPostgreSQLRefusesInATransactionAreErrorsThere) {
    auto report = lintOne("VACUUM users;\n");
    EXPECT_THAT(rules(report), ElementsAre("must-run-outside-transaction"));
    LoadOptions load;
    load.transactionChecks = false;
    const Migration outside = parseMigration(
        "2_m.sql", "-- migrate:up transaction:false\nVACUUM users;\n", "2", "m", load);
    EXPECT_TRUE(rules(lintMigrations({&outside}, {}, nullptr)).empty());
}

}  // namespace
}  // namespace dbtool::lint
