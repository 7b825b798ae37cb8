#include "support/database.hpp"

#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <random>

namespace dbtool::test {

namespace fs = std::filesystem;

ConnectionTarget serverTarget() {
    const char* url = std::getenv("DBTOOL_TEST_DATABASE_URL");
    if (url == nullptr || *url == '\0') {
        throw std::runtime_error(
            "DBTOOL_TEST_DATABASE_URL is not set: run the tests through scripts/test.sh or "
            "scripts/with-postgres.sh, which start a throwaway PostgreSQL");
    }
    return ConnectionTarget::parse(url, "DBTOOL_TEST_DATABASE_URL");
}

namespace {
std::string uniqueSuffix() {
    static std::atomic<int> counter{0};
    std::random_device rd;
    return std::to_string(getpid()) + "_" + std::to_string(counter++) + "_" +
           std::to_string(rd() % 100000);
}

std::unique_ptr<db::Session> connectTo(const ConnectionTarget& t) {
    return db::Session::connect(t, db::ConnectOptions{});
}
}  // namespace

TempDir::TempDir() {
    path_ = fs::temp_directory_path() / ("dbtool-test-" + uniqueSuffix());
    fs::create_directories(path_);
}

TempDir::~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
}

fs::path TempDir::write(const std::string& relative, const std::string& content) const {
    const fs::path p = path_ / relative;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
    return p;
}

void DatabaseTest::SetUp() {
    const ConnectionTarget server = serverTarget();
    name_ = "dbtool_t_" + uniqueSuffix();
    {
        auto admin = connectTo(server);
        admin->runScript("CREATE DATABASE " + admin->quoteIdent(name_));
    }
    target_ = server.with("dbname", name_);
    // URL form of the same target, for the CLI.
    const char* raw = std::getenv("DBTOOL_TEST_DATABASE_URL");
    std::string base = raw;
    const size_t slash = base.rfind('/');
    url_ = base.substr(0, slash + 1) + name_;
    dir_ = std::make_unique<TempDir>();
}

void DatabaseTest::TearDown() {
    dir_.reset();
    try {
        auto admin = connectTo(serverTarget());
        admin->runScript("DROP DATABASE IF EXISTS " + admin->quoteIdent(name_) + " WITH (FORCE)");
    } catch (const std::exception& e) {
        ADD_FAILURE() << "could not drop test database " << name_ << ": " << e.what();
    }
}

std::unique_ptr<db::Session> DatabaseTest::connect() const {
    return connectTo(target_);
}

void DatabaseTest::exec(const std::string& sql) const {
    connect()->runScript(sql);
}

std::string DatabaseTest::scalar(const std::string& sql) const {
    auto s = connect();
    auto r = s->execParams(sql);
    if (PQntuples(r.get()) == 0) {
        return "";
    }
    return PQgetisnull(r.get(), 0, 0) ? "<null>" : PQgetvalue(r.get(), 0, 0);
}

std::vector<std::string> DatabaseTest::rows(const std::string& sql) const {
    auto s = connect();
    auto r = s->execParams(sql);
    std::vector<std::string> out;
    for (int i = 0; i < PQntuples(r.get()); ++i) {
        std::string line;
        for (int j = 0; j < PQnfields(r.get()); ++j) {
            line += (j ? "|" : "") +
                    std::string(PQgetisnull(r.get(), i, j) ? "<null>" : PQgetvalue(r.get(), i, j));
        }
        out.push_back(line);
    }
    return out;
}

std::string DatabaseTest::serverActivity() const {
    std::string out = "sessions of " + name_ + " (pid|state|wait|query|blocked by):";
    try {
        for (const auto& row :
             rows("SELECT pid, state, coalesce(wait_event_type || ':' || wait_event, ''), "
                  "left(query, 300), pg_blocking_pids(pid)::text FROM pg_stat_activity WHERE "
                  "datname = current_database() AND pid <> pg_backend_pid()"))
            out += "\n  " + row;
        out += "\nlocks not granted (pid|type|relation|mode):";
        for (const auto& row : rows("SELECT pid, locktype, coalesce(relation::regclass::text, ''), "
                                    "mode FROM pg_locks WHERE NOT granted"))
            out += "\n  " + row;
    } catch (const std::exception& e) {
        out += " (could not read them: " + std::string(e.what()) + ")";
    }
    return out;
}

bool DatabaseTest::tableExists(const std::string& name) const {
    return scalar("SELECT to_regclass('" + name + "') IS NOT NULL") == "t";
}

ProcessResult DatabaseTest::dbtool(const std::vector<std::string>& args,
                                   ProcessOptions options) const {
    if (options.cwd.empty()) {
        options.cwd = dir_->path();
    }
    if (options.env.find("DATABASE_URL") == options.env.end()) {
        options.env["DATABASE_URL"] = url_;
    }
    if (!options.onTimeout) {
        options.onTimeout = [this] { return serverActivity(); };
    }
    return runDbtool(args, options);
}

}  // namespace dbtool::test
