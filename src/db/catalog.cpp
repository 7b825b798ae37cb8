#include "db/catalog.hpp"

#include <libpq-fe.h>

#include <cstring>

namespace dbtool::db {

const ColumnInfo* TableInfo::column(const std::string& n) const {
    for (const auto& c : columns) {
        if (c.name == n) {
            return &c;
        }
    }
    return nullptr;
}

std::vector<std::string> TableInfo::columnNames() const {
    std::vector<std::string> out;
    for (const auto& c : columns) {
        out.push_back(c.name);
    }
    return out;
}

std::vector<std::string> splitNames(const std::string& joined) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start < joined.size()) {
        size_t end = joined.find('\x1f', start);
        if (end == std::string::npos)
            end = joined.size();
        out.push_back(joined.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

namespace {
bool isTrue(const PGresult* r, int row, int col) {
    return std::strcmp(PQgetvalue(r, row, col), "t") == 0;
}

// A relation as to_regclass() reads it, quoted so "Users" stays case-sensitive: "name" (found
// through search_path) when `schema` is empty, else "schema"."name".
std::string regclassText(Session& session, const std::string& schema, const std::string& name) {
    return schema.empty() ? session.quoteIdent(name) : session.qualified(schema, name);
}
}  // namespace

std::optional<TableInfo> Catalog::find(const std::string& name) {
    if (auto it = cache_.find(name); it != cache_.end()) {
        return it->second;
    }
    // "app.users" names a schema; a name without a dot goes through search_path. Names are
    // quoted, so "Users" stays case-sensitive as written.
    const size_t dot = name.find('.');
    const std::string regclass =
        dot == std::string::npos
            ? regclassText(session_, "", name)
            : regclassText(session_, name.substr(0, dot), name.substr(dot + 1));
    auto r = session_.execParams(
        "SELECT c.oid::text, n.nspname, c.relname FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.oid = to_regclass($1) AND c.relkind IN ('r', 'p')",
        {regclass});
    if (PQntuples(r.get()) == 0) {
        cache_[name] = std::nullopt;
        return std::nullopt;
    }
    TableInfo t;
    const std::string oid = PQgetvalue(r.get(), 0, 0);
    t.schema = PQgetvalue(r.get(), 0, 1);
    t.name = PQgetvalue(r.get(), 0, 2);
    t.qualified = session_.qualified(t.schema, t.name);
    t.oid = oid;

    auto cols = session_.execParams(
        "SELECT a.attname, format_type(a.atttypid, a.atttypmod), t.typcategory = 'A', "
        "CASE WHEN t.typcategory = 'A' THEN et.typname ELSE t.typname END, "
        "a.attnotnull, a.atthasdef, a.attidentity, a.attgenerated <> '', "
        "coalesce(pg_get_serial_sequence($2, a.attname), '') "
        "FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid "
        "LEFT JOIN pg_type et ON et.oid = t.typelem "
        "WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
        {oid, t.qualified});
    for (int i = 0; i < PQntuples(cols.get()); ++i) {
        ColumnInfo c;
        c.name = PQgetvalue(cols.get(), i, 0);
        c.type = PQgetvalue(cols.get(), i, 1);
        c.isArray = isTrue(cols.get(), i, 2);
        c.baseType = PQgetvalue(cols.get(), i, 3);
        c.isJson = !c.isArray && (c.baseType == "json" || c.baseType == "jsonb");
        c.notNull = isTrue(cols.get(), i, 4);
        c.hasDefault = isTrue(cols.get(), i, 5);
        c.identity = PQgetvalue(cols.get(), i, 6)[0];
        c.generated = isTrue(cols.get(), i, 7);
        c.sequence = PQgetvalue(cols.get(), i, 8);
        t.columns.push_back(std::move(c));
    }

    auto keys = session_.execParams(
        "SELECT i.indisprimary, array_to_string(ARRAY(SELECT a.attname FROM unnest(i.indkey) "
        "WITH ORDINALITY k(attnum, n) JOIN pg_attribute a ON a.attrelid = i.indrelid AND "
        "a.attnum = k.attnum ORDER BY k.n), chr(31)) "
        "FROM pg_index i WHERE i.indrelid = $1::oid AND i.indisunique AND i.indpred IS NULL "
        "AND i.indexprs IS NULL",
        {oid});
    for (int i = 0; i < PQntuples(keys.get()); ++i) {
        const std::vector<std::string> columns = splitNames(PQgetvalue(keys.get(), i, 1));
        if (isTrue(keys.get(), i, 0)) {
            t.primaryKey = columns;
        }
        t.uniqueKeys.emplace_back(columns.begin(), columns.end());
    }

    auto fks = session_.execParams(
        "SELECT n.nspname || '.' || c.relname FROM pg_constraint k "
        "JOIN pg_class c ON c.oid = k.confrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE k.conrelid = $1::oid AND k.contype = 'f'",
        {oid});
    for (int i = 0; i < PQntuples(fks.get()); ++i) {
        t.referencedTables.insert(PQgetvalue(fks.get(), i, 0));
    }
    cache_[name] = t;
    return t;
}

std::vector<std::string> Catalog::visibleTables() {
    auto r = session_.execParams(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind IN ('r', 'p') AND pg_table_is_visible(c.oid) "
        "AND n.nspname NOT IN ('pg_catalog', 'information_schema')");
    std::vector<std::string> out;
    for (int i = 0; i < PQntuples(r.get()); ++i) {
        out.push_back(PQgetvalue(r.get(), i, 0));
    }
    return out;
}

std::optional<RelationSize> relationSize(Session& session, const std::string& schema,
                                         const std::string& name) {
    const std::string regclass = regclassText(session, schema, name);
    // An index stands for its table. reltuples is -1 before the first ANALYZE/VACUUM; a table
    // without pages then certainly has no rows.
    auto r = session.execParams(
        "SELECT n.nspname, c.relname, "
        "CASE WHEN c.reltuples >= 0 THEN c.reltuples::bigint "
        "     WHEN c.relpages = 0 AND pg_relation_size(c.oid) = 0 THEN 0 END, "
        "pg_total_relation_size(c.oid) "
        "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.oid = COALESCE((SELECT i.indrelid FROM pg_index i "
        "                        WHERE i.indexrelid = to_regclass($1)), to_regclass($1)) "
        "AND c.relkind IN ('r', 'p', 'm')",
        {regclass});
    if (PQntuples(r.get()) == 0) {
        return std::nullopt;
    }
    RelationSize size;
    size.schema = PQgetvalue(r.get(), 0, 0);
    size.name = PQgetvalue(r.get(), 0, 1);
    if (!PQgetisnull(r.get(), 0, 2)) {
        size.rows = std::stoll(PQgetvalue(r.get(), 0, 2));
    }
    size.bytes = std::stoll(PQgetvalue(r.get(), 0, 3));
    return size;
}

bool hasValidatedNotNullCheck(Session& session, const std::string& schema, const std::string& table,
                              const std::string& column) {
    const std::string regclass = regclassText(session, schema, table);
    auto r = session.execParams(
        "SELECT 1 FROM pg_constraint WHERE conrelid = to_regclass($1) AND contype = 'c' "
        "AND convalidated AND pg_get_constraintdef(oid) = 'CHECK ((' || quote_ident($2) || "
        "' IS NOT NULL))'",
        {regclass, column});
    return PQntuples(r.get()) > 0;
}

std::map<std::string, TableData> tableFingerprints(Session& session) {
    auto tables = session.execParams(
        "SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition "
        "AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') "
        "AND n.nspname NOT LIKE 'pg\\_temp\\_%' AND c.relname !~ '^schema_(migrations|seed)' "
        "AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass "
        "                AND d.objid = c.oid AND d.deptype = 'e') ORDER BY 1");
    std::map<std::string, TableData> out;
    if (PQntuples(tables.get()) == 0) {
        return out;
    }
    // One query for all of them: a table's rows as text, in a stable order.
    std::string sql;
    for (int i = 0; i < PQntuples(tables.get()); ++i) {
        const std::string table = PQgetvalue(tables.get(), i, 0);
        sql += (i == 0 ? "" : "\nUNION ALL ") + std::string("SELECT ") +
               session.conn().quote(table) + ", count(*), md5(coalesce(string_agg(t::text, " +
               "E'\\n' ORDER BY t::text), '')) FROM " + table + " t";
    }
    auto r = session.execParams(sql);
    for (int i = 0; i < PQntuples(r.get()); ++i) {
        out[PQgetvalue(r.get(), i, 0)] = {std::stoll(PQgetvalue(r.get(), i, 1)),
                                          PQgetvalue(r.get(), i, 2)};
    }
    return out;
}

std::optional<char> functionVolatility(Session& session, const std::string& name) {
    // Overloads may differ; the most volatile one decides.
    auto r = session.execParams(
        "SELECT CASE WHEN bool_or(provolatile = 'v') THEN 'v' "
        "            WHEN bool_or(provolatile = 's') THEN 's' ELSE 'i' END "
        "FROM pg_proc WHERE proname = $1 AND pg_function_is_visible(oid) HAVING count(*) > 0",
        {name});
    if (PQntuples(r.get()) == 0) {
        return std::nullopt;
    }
    return PQgetvalue(r.get(), 0, 0)[0];
}

}  // namespace dbtool::db
