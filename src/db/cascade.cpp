#include "db/cascade.hpp"

#include <libpq-fe.h>

#include <set>

#include "db/catalog.hpp"

namespace dbtool::db {

namespace {

struct ForeignKey {
    std::string constraintOid;
    std::string childOid;
    std::string childId;         // schema.name
    std::string childQualified;  // quoted
    char action = 'c';
    std::vector<std::string> childColumns;   // quoted
    std::vector<std::string> parentColumns;  // quoted
    std::vector<std::string> childKey;       // quoted primary key columns, maybe none
};

std::vector<ForeignKey> referencing(Session& session, const std::string& tableOid) {
    auto r = session.execParams(
        "SELECT k.oid, c.oid, n.nspname || '.' || c.relname, "
        "quote_ident(n.nspname) || '.' || quote_ident(c.relname), k.confdeltype, "
        "array_to_string(ARRAY(SELECT quote_ident(a.attname) FROM unnest(k.conkey) WITH "
        "ORDINALITY u(attnum, i) JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = "
        "u.attnum ORDER BY u.i), chr(31)), "
        "array_to_string(ARRAY(SELECT quote_ident(a.attname) FROM unnest(k.confkey) WITH "
        "ORDINALITY u(attnum, i) JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = "
        "u.attnum ORDER BY u.i), chr(31)), "
        "array_to_string(ARRAY(SELECT quote_ident(a.attname) FROM pg_index x CROSS JOIN "
        "unnest(x.indkey) "
        "WITH ORDINALITY u(attnum, i) JOIN pg_attribute a ON a.attrelid = x.indrelid AND "
        "a.attnum = u.attnum WHERE x.indrelid = c.oid AND x.indisprimary ORDER BY u.i), chr(31)) "
        "FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE k.contype = 'f' AND k.confrelid = $1::oid AND k.confdeltype IN ('c', 'n', 'd') "
        "ORDER BY 3, k.conname",
        {tableOid});
    std::vector<ForeignKey> out;
    for (int i = 0; i < PQntuples(r.get()); ++i) {
        ForeignKey fk;
        fk.constraintOid = PQgetvalue(r.get(), i, 0);
        fk.childOid = PQgetvalue(r.get(), i, 1);
        fk.childId = PQgetvalue(r.get(), i, 2);
        fk.childQualified = PQgetvalue(r.get(), i, 3);
        fk.action = PQgetvalue(r.get(), i, 4)[0];
        fk.childColumns = splitNames(PQgetvalue(r.get(), i, 5));
        fk.parentColumns = splitNames(PQgetvalue(r.get(), i, 6));
        fk.childKey = splitNames(PQgetvalue(r.get(), i, 7));
        out.push_back(std::move(fk));
    }
    return out;
}

// "a.x, a.y"
std::string list(const std::string& alias, const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names)
        out += (out.empty() ? "" : ", ") + alias + "." + n;
    return out;
}

// The key of a row of `alias` as text: "17", "(a, en)"; NULL without a primary key.
std::string keyText(const std::string& alias, const std::vector<std::string>& key) {
    if (key.empty())
        return "NULL::text";
    if (key.size() == 1)
        return alias + "." + key[0] + "::text";
    std::string out;
    for (const auto& k : key)
        out += std::string(out.empty() ? "" : " || ', ' || ") + alias + "." + k + "::text";
    return "'(' || " + out + " || ')'";
}

void probe(Session& session, const std::string& tableOid, const std::string& source, int depth,
           std::set<std::string>& path, std::vector<CascadeProbe>& out) {
    if (depth > 4)
        return;
    for (const auto& fk : referencing(session, tableOid)) {
        if (path.count(fk.constraintOid))
            continue;  // a cycle of cascades: each constraint once per path
        const std::string c = "c" + std::to_string(depth);
        const std::string s = "s" + std::to_string(depth);
        std::string rows = "SELECT " + c + ".* FROM " + fk.childQualified + " " + c + " WHERE (" +
                           list(c, fk.childColumns) + ") IN (SELECT " + list(s, fk.parentColumns) +
                           " FROM " + source + " " + s + ")";
        if (fk.childOid == tableOid && !fk.childKey.empty()) {
            // A table referring to itself: its rows being deleted anyway are not reached.
            rows += " AND (" + list(c, fk.childKey) + ") NOT IN (SELECT " + list(s, fk.childKey) +
                    " FROM " + source + " " + s + ")";
        }
        CascadeProbe p;
        p.table = fk.childId;
        p.action = fk.action == 'c'   ? "deleted"
                   : fk.action == 'n' ? "set to NULL"
                                      : "set to their default";
        p.sql =
            "(SELECT count(*)::text || '|' || coalesce((SELECT string_agg(k, ', ') FROM "
            "(SELECT " +
            keyText("x", fk.childKey) + " AS k FROM (" + rows + ") x LIMIT 5) y), '') FROM (" +
            rows + ") z)";
        out.push_back(p);
        if (fk.action == 'c') {
            path.insert(fk.constraintOid);
            probe(session, fk.childOid, "(" + rows + ")", depth + 1, path, out);
            path.erase(fk.constraintOid);
        }
    }
}

}  // namespace

CascadedRows CascadedRows::parse(const CascadeProbe& p, const std::string& result) {
    CascadedRows out;
    out.table = p.table;
    out.action = p.action;
    const size_t bar = result.find('|');
    out.rows = std::stoll(result.substr(0, bar));
    std::string keys = bar == std::string::npos ? "" : result.substr(bar + 1);
    size_t start = 0;
    while (start < keys.size()) {
        // Keys are joined with ", "; a composite key's own ", " sits inside parentheses.
        size_t end = start;
        int depth = 0;
        while (end < keys.size() && !(depth == 0 && keys.compare(end, 2, ", ") == 0)) {
            depth += keys[end] == '(' ? 1 : keys[end] == ')' ? -1 : 0;
            ++end;
        }
        out.keys.push_back(keys.substr(start, end - start));
        start = end + 2;
    }
    return out;
}

std::vector<CascadeProbe> cascadeProbes(Session& session, const std::string& tableOid,
                                        const std::string& source) {
    std::vector<CascadeProbe> out;
    std::set<std::string> path;
    probe(session, tableOid, source, 1, path, out);
    return out;
}

}  // namespace dbtool::db
