#include "testdb/templates.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <optional>

#include "base/duration.hpp"
#include "db/advisory_lock.hpp"
#include "db/scratch_database.hpp"
#include "testdb/clones.hpp"
#include "testdb/template_key.hpp"

namespace dbtool::testdb {

namespace {

// Whether the template exists, and whether it is complete (IS_TEMPLATE: built to the end).
std::optional<bool> probe(db::Session& admin, const std::string& name) {
    auto r = admin.execParams("SELECT datistemplate FROM pg_database WHERE datname = $1", {name});
    if (PQntuples(r.get()) == 0) {
        return std::nullopt;
    }
    return PQgetvalue(r.get(), 0, 0)[0] == 't';
}

std::string lockScope(const std::string& name) {
    return "template:" + name;
}

std::string utcNow() {
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return text;
}

void dropQuietly(db::Session& admin, const std::string& name) {
    try {
        admin.runScript("DROP DATABASE IF EXISTS " + admin.quoteIdent(name) + " WITH (FORCE)");
    } catch (const Error&) {
        // Reported by the caller's own error; a leftover is dropped by the next build.
    }
}

}  // namespace

TemplateResult ensureTemplate(db::Session& maintenance, const TemplateRequest& request) {
    const auto start = std::chrono::steady_clock::now();
    const std::string database = request.target.database();
    TemplateResult result;
    result.name = templateName(database, request.key);
    auto found = probe(maintenance, result.name);
    if (found && *found) {
        result.ms = msSince(start);
        return result;
    }
    // Parallel jobs wanting the same template build it once: the others wait here, then
    // find it complete.
    db::AdvisoryLock lock(maintenance, lockScope(result.name), request.onWait,
                          "template database " + result.name);
    found = probe(maintenance, result.name);
    if (!found || !*found) {
        const std::string quoted = maintenance.quoteIdent(result.name);
        if (found) {
            // A build that died half-way (its lock went with its connection).
            maintenance.runScript("DROP DATABASE " + quoted + " WITH (FORCE)");
        }
        db::createDatabase(maintenance, result.name, "the template database");
        try {
            {
                auto session = db::Session::connect(request.target.with("dbname", result.name),
                                                    request.options);
                request.populate(*session);
            }
            maintenance.runScript("COMMENT ON DATABASE " + quoted + " IS " +
                                  maintenance.conn().quote("dbtool template of " + database +
                                                           ": key " + request.key + ", built " +
                                                           utcNow()));
            // Last: from here on it is a template, complete.
            maintenance.runScript("ALTER DATABASE " + quoted +
                                  " WITH IS_TEMPLATE true ALLOW_CONNECTIONS false");
        } catch (...) {
            dropQuietly(maintenance, result.name);
            throw;
        }
        result.built = true;
        result.removed = pruneTemplates(maintenance, database, request.keep, result.name);
    }
    result.ms = msSince(start);
    return result;
}

int64_t databaseBytes(db::Session& maintenance, const std::string& name) {
    auto r = maintenance.execParams(
        "SELECT pg_database_size(oid) FROM pg_database WHERE datname = $1", {name});
    return PQntuples(r.get()) > 0 ? std::stoll(PQgetvalue(r.get(), 0, 0)) : 0;
}

std::vector<std::string> listTemplates(db::Session& maintenance, const std::string& database) {
    auto r = maintenance.execParams(
        "SELECT datname FROM pg_database WHERE datistemplate ORDER BY oid DESC");
    std::vector<std::string> out;
    for (int i = 0; i < PQntuples(r.get()); ++i) {
        std::string name = PQgetvalue(r.get(), i, 0);
        if (isTemplateOf(name, database)) {
            out.push_back(std::move(name));
        }
    }
    return out;
}

std::vector<std::string> pruneTemplates(db::Session& maintenance, const std::string& database,
                                        int keep, const std::string& except) {
    std::vector<std::string> removed;
    int kept = except.empty() ? 0 : 1;
    for (const auto& name : listTemplates(maintenance, database)) {
        if (name == except) {
            continue;
        }
        if (kept < keep) {
            ++kept;
            continue;
        }
        const std::string quoted = maintenance.quoteIdent(name);
        maintenance.runScript("ALTER DATABASE " + quoted + " WITH IS_TEMPLATE false");
        try {
            maintenance.runScript("DROP DATABASE " + quoted);
            removed.push_back(name);
        } catch (const db::SqlError& e) {
            // In use: a clone is being made from it right now. Left for the next prune.
            maintenance.runScript("ALTER DATABASE " + quoted + " WITH IS_TEMPLATE true");
            if (e.server().sqlstate != "55006") {
                throw;
            }
        }
    }
    // Leftovers of builds that died, unless a build holds their lock right now.
    auto r = maintenance.execParams("SELECT datname FROM pg_database WHERE NOT datistemplate");
    for (int i = 0; i < PQntuples(r.get()); ++i) {
        const std::string name = PQgetvalue(r.get(), i, 0);
        if (!isTemplateOf(name, database) || name == except) {
            continue;
        }
        const std::string key = std::to_string(db::AdvisoryLock::keyFor(lockScope(name)));
        auto locked = maintenance.execParams("SELECT pg_try_advisory_lock($1::bigint)", {key});
        if (PQgetvalue(locked.get(), 0, 0)[0] != 't') {
            continue;
        }
        dropQuietly(maintenance, name);
        maintenance.execParams("SELECT pg_advisory_unlock($1::bigint)", {key});
        removed.push_back(name);
    }
    // Spares of templates no longer there (dropped above or before): dropping a template
    // waited for a copy into its spare to end, so none is still being made.
    const auto templates = listTemplates(maintenance, database);
    for (const auto& spare : listSpares(maintenance, database, 0)) {
        if (std::find(templates.begin(), templates.end(), templateOfSpare(spare)) ==
            templates.end()) {
            dropSpares(maintenance, {spare});
            removed.push_back(spare);
        }
    }
    return removed;
}

}  // namespace dbtool::testdb
