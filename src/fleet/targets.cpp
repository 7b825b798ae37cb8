#include "fleet/targets.hpp"

#include <algorithm>
#include <map>
#include <memory>
#include <set>

#include "base/redact.hpp"
#include "base/text.hpp"

namespace dbtool::fleet {

bool naturalLess(const std::string& a, const std::string& b) {
    size_t i = 0, j = 0;
    auto digit = [](char c) { return c >= '0' && c <= '9'; };
    while (i < a.size() && j < b.size()) {
        if (digit(a[i]) && digit(b[j])) {
            size_t ie = i, je = j;
            while (ie < a.size() && digit(a[ie]))
                ++ie;
            while (je < b.size() && digit(b[je]))
                ++je;
            // Without leading zeros, the longer run is the larger number.
            const std::string na = a.substr(i, ie - i), nb = b.substr(j, je - j);
            const auto trim = [](const std::string& n) {
                const size_t first = n.find_first_not_of('0');
                return first == std::string::npos ? std::string("0") : n.substr(first);
            };
            const std::string ta = trim(na), tb = trim(nb);
            if (ta.size() != tb.size())
                return ta.size() < tb.size();
            if (ta != tb)
                return ta < tb;
            i = ie;
            j = je;
        } else {
            if (a[i] != b[j])
                return a[i] < b[j];
            ++i;
            ++j;
        }
    }
    return a.size() - i < b.size() - j;
}

namespace {

using Kind = TargetSpec::Kind;

std::string valueAt(PGresult* r, int row, int column) {
    return PQgetisnull(r, row, column) != 0 ? std::string() : PQgetvalue(r, row, column);
}

// Names of one column of `sql` (schemas or databases matching `pattern`, minus `exclude`).
std::vector<std::string> listNames(db::Session& session, const std::string& sql,
                                   const TargetSpec& spec) {
    auto r = session.execParams(
        sql, {spec.value,
              spec.exclude.empty() ? std::nullopt : std::optional<std::string>(spec.exclude)});
    std::vector<std::string> names;
    for (int row = 0; row < PQntuples(r.get()); ++row)
        names.push_back(valueAt(r.get(), row, 0));
    std::sort(names.begin(), names.end(), naturalLess);
    return names;
}

// A query's rows: a `url` column names databases, a `schema` column schemas (of the row's url
// when both are there, else of the entry's database). One unnamed column: URLs when they look
// like connection strings, else schema names.
void addQueryTargets(db::Session& session, const TargetSpec& spec, const ConnectionTarget& at,
                     std::vector<FleetTarget>& out) {
    db::ResultPtr r = [&] {
        try {
            return session.execParams(spec.value);
        } catch (const db::SqlError& e) {
            throw db::describeSqlError(e, "the target query failed: " + std::string(e.what()),
                                       spec.where, "the query lists the fleet's URLs or schemas");
        }
    }();
    int urlColumn = PQfnumber(r.get(), "url");
    int schemaColumn = PQfnumber(r.get(), "schema");
    const int rows = PQntuples(r.get());
    if (urlColumn < 0 && schemaColumn < 0 && PQnfields(r.get()) == 1) {
        const std::string first = rows > 0 ? valueAt(r.get(), 0, 0) : "";
        const bool urls =
            first.find("://") != std::string::npos || first.find('=') != std::string::npos;
        (urls ? urlColumn : schemaColumn) = 0;
    }
    if (urlColumn < 0 && schemaColumn < 0) {
        throw Error(ExitCode::Config, "the target query returns neither a url nor a schema column",
                    spec.where,
                    "name the columns: SELECT url FROM ..., SELECT schema FROM ..., or both");
    }
    for (int row = 0; row < rows; ++row) {
        const std::string url = urlColumn >= 0 ? valueAt(r.get(), row, urlColumn) : "";
        const std::string schema = schemaColumn >= 0 ? valueAt(r.get(), row, schemaColumn) : "";
        if (url.empty() && schema.empty())
            continue;  // a row naming nothing (NULLs)
        FleetTarget t;
        t.database = at;
        t.schema = schema;
        if (!url.empty()) {
            t.database =
                ConnectionTarget::parse(url, "row " + std::to_string(row + 1) +
                                                 " of the target query at " + spec.where.str());
            if (t.database.get("application_name").empty())
                t.database = t.database.with("application_name", at.get("application_name"));
        }
        out.push_back(std::move(t));
    }
}

// Gives every target a name unique in the fleet: its schema or database name, qualified with
// the database (and the server) only where two would read the same.
void nameTargets(std::vector<FleetTarget>& targets) {
    auto shortName = [](const FleetTarget& t) {
        return t.schema.empty() ? t.database.database() : t.schema;
    };
    auto qualified = [](const FleetTarget& t) {
        const std::string host =
            t.database.get("host").empty() ? "localhost" : t.database.get("host");
        const std::string port = t.database.get("port").empty() ? "" : ":" + t.database.get("port");
        const std::string db = host + port + "/" + t.database.database();
        return t.schema.empty() ? db : db + "/" + t.schema;
    };
    std::map<std::string, int> count;
    for (const auto& t : targets)
        count[shortName(t)]++;
    std::map<std::string, int> dbCount;  // "db/schema" when that is unique, else host:port too
    for (const auto& t : targets)
        if (!t.schema.empty() && count[shortName(t)] > 1)
            dbCount[t.database.database() + "/" + t.schema]++;
    for (auto& t : targets) {
        const std::string name = shortName(t);
        if (count[name] == 1) {
            t.name = name;
        } else if (!t.schema.empty() && dbCount[t.database.database() + "/" + t.schema] == 1) {
            t.name = t.database.database() + "/" + t.schema;
        } else {
            t.name = qualified(t);
        }
    }
}

}  // namespace

std::vector<FleetTarget> resolveTargets(const TargetGroup& group,
                                        const ConnectionTarget& environmentDb,
                                        const db::ConnectOptions& options) {
    std::vector<FleetTarget> all;
    std::map<std::string, std::unique_ptr<db::Session>> sessions;  // one per listing database
    auto sessionFor = [&](const ConnectionTarget& at) -> db::Session& {
        auto& s = sessions[at.withoutPassword()];
        if (!s)
            s = db::Session::connect(at, options);
        return *s;
    };
    for (const auto& spec : group.specs) {
        const ConnectionTarget at = spec.at ? *spec.at : environmentDb;
        switch (spec.kind) {
            case Kind::Url:
                all.push_back({"", at, ""});
                break;
            case Kind::Schemas:
                for (const auto& schema :
                     listNames(sessionFor(at),
                               "SELECT nspname FROM pg_catalog.pg_namespace WHERE nspname LIKE $1 "
                               "AND ($2::text IS NULL OR nspname NOT LIKE $2) AND nspname NOT "
                               "LIKE 'pg\\_%' AND nspname <> 'information_schema' ",
                               spec))
                    all.push_back({"", at, schema});
                break;
            case Kind::Databases:
                for (const auto& name :
                     listNames(sessionFor(at),
                               "SELECT datname FROM pg_catalog.pg_database WHERE datname LIKE $1 "
                               "AND ($2::text IS NULL OR datname NOT LIKE $2) AND datallowconn "
                               "AND NOT datistemplate ",
                               spec))
                    all.push_back({"", at.with("dbname", name), ""});
                break;
            case Kind::Query:
                addQueryTargets(sessionFor(at), spec, at, all);
                break;
        }
    }
    std::vector<FleetTarget> targets;
    std::set<std::pair<std::string, std::string>> seen;
    for (auto& t : all) {
        if (seen.insert({t.databaseKey(), t.schema}).second)
            targets.push_back(std::move(t));
    }
    if (targets.empty()) {
        throw Error(ExitCode::Config, "target group '" + group.name + "' lists no targets",
                    group.where,
                    "its patterns match no schema or database and its queries return no rows; "
                    "check them with psql (patterns are LIKE patterns: % and _)");
    }
    nameTargets(targets);
    for (const auto& t : targets)  // a URL of the config or of a query's rows
        SecretRegistry::instance().add(t.database.password());
    return targets;
}

bool likeMatch(const std::string& pattern, const std::string& text) {
    // Iterative wildcard matching with one backtrack point for the last '%'.
    size_t p = 0, t = 0, starP = std::string::npos, starT = 0;
    while (t < text.size()) {
        if (p < pattern.size() && pattern[p] == '\\' && p + 1 < pattern.size() &&
            pattern[p + 1] == text[t]) {
            p += 2;
            ++t;
        } else if (p < pattern.size() && pattern[p] != '%' && pattern[p] != '\\' &&
                   (pattern[p] == '_' || pattern[p] == text[t])) {
            ++p;
            ++t;
        } else if (p < pattern.size() && pattern[p] == '%') {
            starP = p++;
            starT = t;
        } else if (starP != std::string::npos) {
            p = starP + 1;
            t = ++starT;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '%')
        ++p;
    return p == pattern.size();
}

std::vector<FleetTarget> selectTargets(std::vector<FleetTarget> targets,
                                       const std::vector<std::string>& selectors) {
    if (selectors.empty())
        return targets;
    std::vector<FleetTarget> chosen;
    std::vector<bool> used(selectors.size(), false);
    for (auto& t : targets) {
        bool take = false;
        for (size_t i = 0; i < selectors.size(); ++i) {
            const std::string& s = selectors[i];
            const bool hit = s.find('%') == std::string::npos ? s == t.name : likeMatch(s, t.name);
            if (hit) {
                used[i] = true;
                take = true;
            }
        }
        if (take)
            chosen.push_back(std::move(t));
    }
    for (size_t i = 0; i < selectors.size(); ++i) {
        if (!used[i]) {
            throw Error(ExitCode::Usage, "--target " + selectors[i] + " matches no target", {},
                        "give a target's name as the fleet's run lists it, or a LIKE pattern with "
                        "% (e.g. --target 'tenant_1%')");
        }
    }
    return chosen;
}

}  // namespace dbtool::fleet
