// The bad-input corpus (tests/corpus/): every case is a folder of files laid out as a project
// (migrations/, seeds/, dbtool.yaml, .env) plus case.txt:
//
//   args: seed run                  the command, split on spaces
//   exit: 5                         the expected exit code (see README "Exit codes")
//   message: 002_bad.yaml:3:7       fragments the error output must contain (repeatable)
//   database: wrong-password        optional: wrong-password | missing | unreachable | unset |
//                                   url=TEXT (what DATABASE_URL is; default: the test's database)
//   schema: none                    optional: none, or base (default: tests/corpus/base.sql)
//
// Each case must fail with its code and message, leave every table of the database exactly as
// it was (a snapshot of all rows and of the schema, before and after) and never print the
// connection's password.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/database.hpp"

namespace dbtool::test {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

const fs::path kCorpus = fs::path(DBTOOL_SOURCE_DIR) / "tests/corpus";

struct Case {
    std::string name;
    std::vector<std::string> args;
    int exit = -1;
    std::vector<std::string> messages;
    std::string database;
    std::string schema = "base";
};

std::string readAll(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

Case readCase(const fs::path& dir) {
    Case c;
    c.name = dir.filename().string();
    std::istringstream in(readAll(dir / "case.txt"));
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#')
            continue;
        const size_t colon = line.find(": ");
        if (colon == std::string::npos)
            continue;
        const std::string key = line.substr(0, colon), value = line.substr(colon + 2);
        if (key == "args") {
            std::istringstream words(value);
            for (std::string w; words >> w;)
                c.args.push_back(w);
        } else if (key == "exit") {
            c.exit = std::stoi(value);
        } else if (key == "message") {
            c.messages.push_back(value);
        } else if (key == "database") {
            c.database = value;
        } else if (key == "schema") {
            c.schema = value;
        }
    }
    return c;
}

std::vector<Case> allCases() {
    std::vector<Case> cases;
    for (const auto& e : fs::directory_iterator(kCorpus)) {
        if (e.is_directory() && fs::exists(e.path() / "case.txt"))
            cases.push_back(readCase(e.path()));
    }
    std::sort(cases.begin(), cases.end(),
              [](const Case& a, const Case& b) { return a.name < b.name; });
    return cases;
}

class Corpus : public DatabaseTest, public ::testing::WithParamInterface<Case> {
  protected:
    // Every table's rows (hashed) and every relation and column of the user's schemas.
    std::vector<std::string> snapshot() const {
        auto out = rows(
            "SELECT c.relkind::text || ' ' || n.nspname || '.' || c.relname || ' ' || "
            "coalesce((SELECT string_agg(attname || ':' || format_type(atttypid, atttypmod), ',' "
            "ORDER BY attnum) FROM pg_attribute WHERE attrelid = c.oid AND attnum > 0 AND NOT "
            "attisdropped), '') FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') ORDER BY 1");
        for (const auto& t : rows("SELECT format('%I.%I', schemaname, tablename) FROM pg_tables "
                                  "WHERE schemaname NOT IN ('pg_catalog', 'information_schema') "
                                  "ORDER BY 1")) {
            out.push_back(t + " " +
                          scalar("SELECT count(*) || ' ' || coalesce(md5(string_agg(x::text, "
                                 "'|' ORDER BY x::text)), '') FROM " +
                                 t + " x"));
        }
        return out;
    }

    std::string databaseUrl(const Case& c) const {
        const std::string u = url();
        if (c.database.empty())
            return u;
        if (c.database == "wrong-password")
            return replace(u, ":" + target().password() + "@", ":not-the-password@");
        if (c.database == "missing")
            return u + "_missing";
        if (c.database == "unreachable") {
            const size_t at = u.rfind('@');
            const size_t slash = u.find('/', at);
            return u.substr(0, at + 1) + "127.0.0.1:1" + u.substr(slash);
        }
        if (c.database.rfind("url=", 0) == 0)
            return c.database.substr(4);
        return u;
    }

    static std::string replace(std::string s, const std::string& from, const std::string& to) {
        const size_t at = s.find(from);
        if (at != std::string::npos)
            s.replace(at, from.size(), to);
        return s;
    }
};

// Test names say which case; the parameter itself need not be printed.
void PrintTo(const Case& c, std::ostream* os) {
    *os << c.name;
}

TEST_P(Corpus, FailsClearlyAndChangesNothing) {
    const Case& c = GetParam();
    const fs::path source = kCorpus / c.name;
    for (const auto& e : fs::recursive_directory_iterator(source)) {
        const fs::path rel = fs::relative(e.path(), source);
        if (e.is_regular_file() && rel != "case.txt")
            dir().write(rel.string(), readAll(e.path()));
    }
    if (c.schema == "base")
        exec(readAll(kCorpus / "base.sql"));
    const auto before = snapshot();

    ProcessOptions options = withEnv({{"DATABASE_URL", databaseUrl(c)}, {"COLUMNS", "200"}});
    if (c.database == "unset")
        options.env["DATABASE_URL"] = std::nullopt;  // the configuration file decides
    options.cwd = dir().path();
    auto r = runDbtool(c.args, options);

    EXPECT_EQ(r.exitCode, c.exit) << r.err << r.out;
    for (const auto& m : c.messages)
        EXPECT_THAT(r.err, HasSubstr(m));
    EXPECT_THAT(r.err, Not(HasSubstr("terminate called"))) << "an uncaught exception";
    EXPECT_THAT(r.err, Not(HasSubstr("pqxx::"))) << "libpqxx internals in the message";
    EXPECT_THAT(r.out + r.err, Not(HasSubstr(target().password())));
    EXPECT_EQ(snapshot(), before) << "the database changed";
}

INSTANTIATE_TEST_SUITE_P(BadInput, Corpus, ::testing::ValuesIn(allCases()),
                         [](const ::testing::TestParamInfo<Case>& info) {
                             std::string name = info.param.name;
                             for (char& ch : name)
                                 if (!std::isalnum(static_cast<unsigned char>(ch)))
                                     ch = '_';
                             return name;
                         });

TEST(CorpusSize, HoldsAtLeastFiftyCases) {
    EXPECT_GE(allCases().size(), 50u);
}

}  // namespace
}  // namespace dbtool::test
