#include "workflow/world.hpp"

#include <libpq-fe.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "base/text.hpp"

namespace dbtool::workflow {

namespace {

using K = Step::Kind;

std::unique_ptr<db::Session> connectTo(const ConnectionTarget& target) {
    return db::Session::connect(target, db::ConnectOptions{});
}

}  // namespace

World::World() {
    const ConnectionTarget server = test::serverTarget();
    std::random_device rd;
    name_ = "dbtool_wf_" + std::to_string(getpid()) + "_" + std::to_string(rd() % 100000);
    connectTo(server)->runScript("CREATE DATABASE " + quoteIdentifier(name_));
    const std::string base = std::getenv("DBTOOL_TEST_DATABASE_URL");
    url_ = base.substr(0, base.rfind('/') + 1) + name_;
    session_ = connectTo(server.with("dbname", name_));
    dir_ = std::make_unique<test::TempDir>();
    for (const auto& [file, content] : migrationFiles())
        dir_->write("migrations/" + file, content);
    for (int seed = 0; seed < kSeeds; ++seed)
        dir_->write("seeds/" + std::string(seedName(seed)) + ".yaml", seedFile(seed, 0));
    // `--targets self`: the same database as a fleet of one (see commandOf).
    dir_->write("dbtool.yaml", "development:\n  targets:\n    self:\n      - url: " + url_ + "\n");
}

World::~World() {
    session_.reset();
    try {
        connectTo(test::serverTarget())
            ->runScript("DROP DATABASE IF EXISTS " + quoteIdentifier(name_) + " WITH (FORCE)");
    } catch (const std::exception&) {
        // the server is gone: nothing to clean
    }
}

test::ProcessResult World::dbtool(const std::vector<std::string>& args) const {
    test::ProcessOptions options;
    options.cwd = dir_->path();
    options.env["DATABASE_URL"] = url_;
    options.timeoutSeconds = 60;
    return test::runDbtool(args, options);
}

void World::app(const std::string& sql, const std::vector<std::optional<std::string>>& params) {
    session_->execParams(sql, params);
}

bool World::exists(const std::string& relation) {
    auto r = session_->execParams("SELECT to_regclass($1) IS NOT NULL", {relation});
    return PQgetvalue(r.get(), 0, 0)[0] == 't';
}

World::Outcome World::run(const Step& step, const std::optional<std::string>& target) {
    const std::vector<std::string> command = commandOf(step);
    const std::string n = std::to_string(step.serial);
    auto finish = [&](const test::ProcessResult& r, std::string before = "") {
        return Outcome{r.exitCode, before + r.err + r.out};
    };
    switch (step.kind) {
        case K::ParallelMigrateUp:
        case K::ParallelSeedRun: {
            std::vector<std::unique_ptr<test::ChildProcess>> jobs;
            test::ProcessOptions options;
            options.cwd = dir_->path();
            options.env["DATABASE_URL"] = url_;
            for (int i = 0; i < step.arg % 3 + 2; ++i)
                jobs.push_back(std::make_unique<test::ChildProcess>(command, options));
            Outcome out;
            std::vector<int> codes;
            for (auto& job : jobs) {
                const auto r = job->wait(60);
                codes.push_back(r.exitCode);
                out.output += r.err;
            }
            // Every job must end as one run alone would.
            out.exitCode = codes.front();
            for (int c : codes)
                if (c != codes.front())
                    out.exitCode = 1000 + c;  // never expected: the report shows the output
            return out;
        }
        case K::KillMigrateUp:
        case K::KillSeedRun:
        case K::InterruptSeedRun: {
            test::ProcessOptions options;
            options.cwd = dir_->path();
            options.env["DATABASE_URL"] = url_;
            test::ChildProcess child(command, options);
            std::this_thread::sleep_for(std::chrono::milliseconds(step.arg % 120));
            child.signal(step.kind == K::InterruptSeedRun ? SIGINT : SIGKILL);
            const auto first = child.wait(60);
            const int code = first.exitCode;
            if (code != -1 && code != 0 && code != 130 && code != 5 && code != 6 && code != 8)
                return {2000 + code, first.err};  // not a documented outcome of a stop
            auto again = dbtool(command);
            if (step.kind == K::KillMigrateUp && again.exitCode == 8 &&
                (again.err + again.out).find("was interrupted") != std::string::npos) {
                // Killed inside the transaction:false migration: settle it as the error
                // says, by looking at the index it builds.
                auto r = session_->execParams(
                    "SELECT indisvalid FROM pg_index WHERE indexrelid = "
                    "to_regclass('posts_title_idx')");
                const bool built = PQntuples(r.get()) == 1 && PQgetvalue(r.get(), 0, 0)[0] == 't';
                if (!built)
                    app("DROP INDEX IF EXISTS posts_title_idx");
                const auto settled =
                    dbtool({"migrate", built ? "mark-applied" : "mark-pending", "4"});
                if (settled.exitCode != 0)
                    return {3000 + settled.exitCode, again.err + settled.err};
                again = dbtool(command);
            }
            return finish(again, first.err);
        }
        case K::EditSeed: {
            const int seed = step.arg % 2;
            versions_[seed] ^= 1;
            dir_->write("seeds/" + std::string(seedName(seed)) + ".yaml",
                        seedFile(seed, versions_[seed]));
            return {};
        }
        case K::AppInsertUser:
            if (exists("users"))
                app("INSERT INTO users (email, name) VALUES ($1, 'App')", {"app-" + n + "@app.x"});
            return {};
        case K::AppInsertTag:
            if (exists("tags"))
                app("INSERT INTO tags VALUES ($1, 'App')", {"app-" + n});
            return {};
        case K::AppInsertPost:
            if (target)
                app("INSERT INTO posts (title, author_id) SELECT $1, id FROM users WHERE email = "
                    "$2",
                    {"app-post-" + n, *target});
            return {};
        case K::AppUpdateUser:
            if (target)
                app("UPDATE users SET name = $1 WHERE email = $2", {"upd-" + n, *target});
            return {};
        case K::AppUpdateTag:
            if (target)
                app("UPDATE tags SET label = $1 WHERE code = $2", {"upd-" + n, *target});
            return {};
        case K::AppDeleteUser:
            if (target)
                app("DELETE FROM users WHERE email = $1", {*target});
            return {};
        case K::AppDeleteTag:
            if (target)
                app("DELETE FROM tags WHERE code = $1", {*target});
            return {};
        case K::AppDeletePost:
            if (target) {
                const size_t tab = target->find('\t');
                app("DELETE FROM posts WHERE id = (SELECT p.id FROM posts p JOIN users u ON u.id = "
                    "p.author_id WHERE p.title = $1 AND u.email = $2)",
                    {target->substr(0, tab), target->substr(tab + 1)});
            }
            return {};
        case K::AppTruncateTags:
            if (exists("tags"))
                app("TRUNCATE tags");
            return {};
        default:
            return finish(dbtool(command));
    }
}

Snapshot World::snapshot(std::string& problems) {
    Snapshot out;
    if (exists("schema_migrations")) {
        auto r = session_->execParams(
            "SELECT count(*), coalesce(string_agg(version::text, ',' ORDER BY version), '') "
            "FROM schema_migrations");
        out.migrationLevel = std::stoi(PQgetvalue(r.get(), 0, 0));
        std::string expected;
        for (int v = 1; v <= out.migrationLevel; ++v)
            expected += (v > 1 ? "," : "") + std::to_string(v);
        if (expected != PQgetvalue(r.get(), 0, 1))
            problems += "schema_migrations holds " + std::string(PQgetvalue(r.get(), 0, 1)) +
                        ", not a prefix of the versions\n";
    }
    // Every applied migration's objects exist, and no other's.
    const char* objects[] = {"users", "tags", "posts", "posts_title_idx"};
    for (int m = 1; m <= kMigrations; ++m) {
        if (exists(objects[m - 1]) != (m <= out.migrationLevel))
            problems += std::string(objects[m - 1]) +
                        (m <= out.migrationLevel ? " is missing although" : " exists although") +
                        " the tracking table says migration " + std::to_string(m) +
                        (m <= out.migrationLevel ? " is applied\n" : " is not\n");
    }
    auto read = [&](const std::string& table, const std::string& sql) {
        if (!exists(table))
            return;
        auto r = session_->execParams(sql);
        for (int i = 0; i < PQntuples(r.get()); ++i)
            out.rows.push_back({table, PQgetvalue(r.get(), i, 0), PQgetvalue(r.get(), i, 1)});
    };
    out.view = exists("user_emails");
    read("users", "SELECT email, name FROM users");
    read("tags", "SELECT code, label FROM tags");
    read("posts", "SELECT p.title, u.email FROM posts p JOIN users u ON u.id = p.author_id");
    std::sort(out.rows.begin(), out.rows.end());

    const auto migrate = dbtool({"migrate", "status", "--format", "json"});
    const auto seeds = dbtool({"seed", "status", "--format", "json"});
    try {
        const auto m = nlohmann::json::parse(migrate.out);
        if (m["summary"]["applied"].get<int>() != out.migrationLevel)
            problems += "migrate status says " + m["summary"]["applied"].dump() +
                        " applied; the tracking table holds " + std::to_string(out.migrationLevel) +
                        "\n";
        const auto& repeatables = m["repeatable_migrations"];
        out.repeatable = repeatables.size() == 1 ? repeatables[0]["state"].get<std::string>()
                                                 : repeatables.dump();
        const auto seedDoc = nlohmann::json::parse(seeds.out);
        for (const auto& s : seedDoc["seeds"])
            out.seedState[s["name"].get<std::string>()] = s["state"].get<std::string>();
    } catch (const std::exception& e) {
        problems += "status output is not the documented JSON (" + std::string(e.what()) + "):\n" +
                    migrate.out + migrate.err + seeds.out + seeds.err + "\n";
    }
    if (migrate.exitCode != 0 || seeds.exitCode != 0)
        problems += "status exited " + std::to_string(migrate.exitCode) + "/" +
                    std::to_string(seeds.exitCode) + ": " + migrate.err + seeds.err + "\n";
    return out;
}

}  // namespace dbtool::workflow
