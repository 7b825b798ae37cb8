#include "testdb/clones.hpp"

#include <chrono>
#include <map>
#include <random>
#include <string_view>
#include <thread>

#include <spdlog/spdlog.h>

#include "base/duration.hpp"
#include "db/scratch_database.hpp"
#include "testdb/template_key.hpp"
#include "testdb/templates.hpp"

namespace dbtool::testdb {

namespace {

constexpr const char* kCloneComment = "dbtool clone of ";

std::string randomSuffix() {
    static std::mt19937_64 random{std::random_device{}()};
    static const char* digits = "0123456789abcdef";
    std::string out;
    uint64_t bits = random();
    for (int i = 0; i < 8; ++i, bits >>= 4) {
        out += digits[bits & 0xF];
    }
    return out;
}

// datname -> comment, for the databases whose comment marks them as dbtool clones.
std::map<std::string, std::string> clonesOnServer(db::Session& maintenance) {
    auto r = maintenance.execParams(
        "SELECT datname, shobj_description(oid, 'pg_database') FROM pg_database "
        "WHERE starts_with(coalesce(shobj_description(oid, 'pg_database'), ''), $1) "
        "ORDER BY oid",
        {std::string(kCloneComment)});
    std::map<std::string, std::string> out;
    for (int i = 0; i < PQntuples(r.get()); ++i) {
        out.emplace(PQgetvalue(r.get(), i, 0), PQgetvalue(r.get(), i, 1));
    }
    return out;
}

// The start of the statement that makes a template's spare (spareStatement).
std::string createSpare(db::Session& maintenance, const std::string& templateName) {
    return "CREATE DATABASE " + maintenance.quoteIdent(spareName(templateName));
}

}  // namespace

CloneStrategy pickStrategy(CloneStrategy wanted, int64_t templateBytes, bool fsyncOff) {
    if (wanted != CloneStrategy::Auto) {
        return wanted;
    }
    return fsyncOff || templateBytes >= kFileCopyFromBytes ? CloneStrategy::FileCopy
                                                           : CloneStrategy::WalLog;
}

std::string strategyName(CloneStrategy strategy) {
    return strategy == CloneStrategy::FileCopy ? "file_copy"
           : strategy == CloneStrategy::WalLog ? "wal_log"
                                               : "auto";
}

std::optional<CloneStrategy> parseStrategy(const std::string& text) {
    if (text == "auto") {
        return CloneStrategy::Auto;
    }
    if (text == "wal_log") {
        return CloneStrategy::WalLog;
    }
    if (text == "file_copy") {
        return CloneStrategy::FileCopy;
    }
    return std::nullopt;
}

std::vector<std::string> cloneNames(const std::string& database,
                                    const std::optional<std::string>& name, int count) {
    std::vector<std::string> out;
    for (int i = 1; i <= count; ++i) {
        std::string n = name ? (count == 1 ? *name : *name + "_" + std::to_string(i))
                             : database + "_clone_" + randomSuffix();
        if (n.size() > kMaxDatabaseName) {
            throw Error(ExitCode::Usage,
                        "the clone name '" + n + "' is longer than PostgreSQL's 63 bytes", {},
                        name ? "choose a shorter NAME" : "name the clones: `dbtool db clone NAME`");
        }
        out.push_back(std::move(n));
    }
    return out;
}

std::vector<Clone> createClones(db::Session& maintenance, const std::string& templateName,
                                const std::vector<std::string>& names, CloneStrategy strategy,
                                std::vector<Clone> made) {
    for (const auto& name : names) {
        const auto start = std::chrono::steady_clock::now();
        const std::string quoted = maintenance.quoteIdent(name);
        try {
            db::createDatabase(maintenance, name, "the clone",
                               "TEMPLATE " + maintenance.quoteIdent(templateName) + " STRATEGY " +
                                   strategyName(strategy));
            maintenance.runScript("COMMENT ON DATABASE " + quoted + " IS " +
                                  maintenance.conn().quote(kCloneComment + templateName));
        } catch (Error& e) {
            std::vector<Error::ListItem> created;
            for (const auto& c : made) {
                created.push_back({c.name, {{"database", c.name}}});
            }
            e.withField("clone", name).withList("created before the failure", created);
            throw;
        }
        made.push_back({name, strategyName(strategy), msSince(start)});
    }
    return made;
}

std::vector<std::string> listClones(db::Session& maintenance, const std::string& database) {
    std::vector<std::string> out;
    for (const auto& [name, comment] : clonesOnServer(maintenance)) {
        if (isTemplateOf(comment.substr(std::char_traits<char>::length(kCloneComment)), database)) {
            out.push_back(name);
        }
    }
    return out;
}

DropResult dropClones(db::Session& maintenance, const std::vector<std::string>& names) {
    const auto clones = clonesOnServer(maintenance);
    DropResult result;
    std::vector<std::string> drop;
    for (const auto& name : names) {
        if (clones.count(name) != 0) {
            drop.push_back(name);
            continue;
        }
        auto r = maintenance.execParams("SELECT 1 FROM pg_database WHERE datname = $1", {name});
        if (PQntuples(r.get()) == 0) {
            result.missing.push_back(name);
            continue;
        }
        throw Error(ExitCode::Usage,
                    "database '" + name +
                        "' is not a clone made by `dbtool db clone`; nothing "
                        "was dropped",
                    {}, "drop other databases with `dbtool db drop` or dropdb");
    }
    for (const auto& name : drop) {
        maintenance.runScript("DROP DATABASE IF EXISTS " + maintenance.quoteIdent(name) +
                              " WITH (FORCE)");
        result.dropped.push_back(name);
    }
    return result;
}

bool claimSpare(db::Session& maintenance, const std::string& templateName,
                const std::string& name) {
    const std::string quoted = maintenance.quoteIdent(name);
    try {
        // One transaction: a spare is renamed and marked a clone, or stays a spare.
        maintenance.runScript("BEGIN; ALTER DATABASE " +
                              maintenance.quoteIdent(spareName(templateName)) + " RENAME TO " +
                              quoted + "; COMMENT ON DATABASE " + quoted + " IS " +
                              maintenance.conn().quote(kCloneComment + templateName) + "; COMMIT");
        return true;
    } catch (const db::SqlError& e) {
        if (PQtransactionStatus(maintenance.raw()) != PQTRANS_IDLE) {
            maintenance.runScript("ROLLBACK");
        }
        spdlog::debug("no spare of {} taken: {}", templateName, e.what());
        return false;
    }
}

std::string spareStatement(db::Session& maintenance, const std::string& templateName,
                           CloneStrategy strategy) {
    return createSpare(maintenance, templateName) + " TEMPLATE " +
           maintenance.quoteIdent(templateName) + " STRATEGY " + strategyName(strategy);
}

std::vector<std::string> listSpares(db::Session& maintenance, const std::string& database,
                                    int64_t waitMs) {
    // A copy still running shows as its statement in pg_stat_activity (the same user's
    // sessions show their query); the templates' spares are the ones to look for.
    std::vector<std::string> running;
    for (const auto& t : listTemplates(maintenance, database)) {
        running.push_back(createSpare(maintenance, t));
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(waitMs);
    while (!running.empty() && std::chrono::steady_clock::now() < deadline) {
        auto r = maintenance.execParams(
            "SELECT query FROM pg_stat_activity WHERE state = 'active' AND pid <> "
            "pg_backend_pid() AND starts_with(query, 'CREATE DATABASE ')");
        bool copying = false;
        for (int i = 0; i < PQntuples(r.get()); ++i) {
            const std::string_view query = PQgetvalue(r.get(), i, 0);
            for (const auto& prefix : running) {
                copying |= query.starts_with(prefix + " ");
            }
        }
        if (!copying) {
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    auto r = maintenance.execParams("SELECT datname FROM pg_database ORDER BY oid");
    std::vector<std::string> out;
    for (int i = 0; i < PQntuples(r.get()); ++i) {
        std::string name = PQgetvalue(r.get(), i, 0);
        const std::string t = templateOfSpare(name);
        if (!t.empty() && isTemplateOf(t, database)) {
            out.push_back(std::move(name));
        }
    }
    return out;
}

void dropSpares(db::Session& maintenance, const std::vector<std::string>& names) {
    for (const auto& name : names) {
        maintenance.runScript("DROP DATABASE IF EXISTS " + maintenance.quoteIdent(name) +
                              " WITH (FORCE)");
    }
}

}  // namespace dbtool::testdb
