#include "migrate/schema_load.hpp"

#include <libpq-fe.h>

#include <chrono>

#include "base/duration.hpp"
#include "base/text.hpp"
#include "migrate/section_runner.hpp"
#include "migrate/sql_lexer.hpp"

namespace dbtool {

DatabaseObjects userObjects(db::Session& session, int limit) {
    // Extension members (pg_depend deptype 'e') are the extension's, not the user's.
    auto r = session.execParams(
        "WITH objects(what) AS ("
        " SELECT CASE c.relkind WHEN 'v' THEN 'view ' WHEN 'm' THEN 'materialized view ' "
        "  WHEN 'S' THEN 'sequence ' WHEN 'f' THEN 'foreign table ' WHEN 'c' THEN 'type ' "
        "  ELSE 'table ' END"
        "  || format('%I.%I', n.nspname, c.relname)"
        " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')"
        "  AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'"
        "  AND c.relkind NOT IN ('i', 'I')"  // a table's indexes come with it
        "  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass"
        "   AND d.objid = c.oid AND d.deptype = 'e')"
        " UNION ALL SELECT 'function ' || p.oid::regprocedure::text"
        " FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
        " WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')"
        "  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass"
        "   AND d.objid = p.oid AND d.deptype = 'e')"
        " UNION ALL SELECT 'type ' || format_type(t.oid, NULL)"
        " FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace"
        " WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND t.typtype IN ('e', 'd')"
        "  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass"
        "   AND d.objid = t.oid AND d.deptype = 'e')"
        " UNION ALL SELECT 'schema ' || quote_ident(nspname) FROM pg_namespace"
        " WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'public')"
        "  AND nspname NOT LIKE 'pg\\_%'"
        " UNION ALL SELECT 'extension ' || quote_ident(extname) FROM pg_extension"
        " WHERE extname <> 'plpgsql')"
        " SELECT what, count(*) OVER () FROM objects ORDER BY what LIMIT $1",
        {std::to_string(limit)});
    DatabaseObjects out;
    for (int i = 0; i < PQntuples(r.get()); ++i) {
        out.first.emplace_back(PQgetvalue(r.get(), i, 0));
        out.count = std::stoll(PQgetvalue(r.get(), i, 1));
    }
    return out;
}

SchemaLoad loadSchema(db::Session& session, const std::filesystem::path& file, bool force) {
    const auto start = std::chrono::steady_clock::now();
    std::string text;
    try {
        text = normalizeNewlines(readFile(file));
    } catch (const Error&) {
        throw Error(ExitCode::InvalidInput, "cannot read " + file.string(), {file.string()},
                    "write one with `dbtool schema dump`, or give --file");
    }
    if (auto bad = invalidUtf8Offset(text)) {
        const LineColumn lc = lineColumnAt(text, *bad);
        throw Error(ExitCode::InvalidInput, "the file is not valid UTF-8",
                    {file.string(), lc.line, lc.column}, "save the file as UTF-8");
    }
    // \restrict / \unrestrict lines become blank (offsets, and so error positions, stay).
    for (const auto& meta : lexSql(text).metaCommands) {
        if (meta.command != "\\restrict" && meta.command != "\\unrestrict") {
            const LineColumn lc = lineColumnAt(text, meta.offset);
            throw Error(ExitCode::InvalidInput,
                        "psql meta-command " + meta.command +
                            ": dbtool sends the file to the server as SQL, and only psql "
                            "understands meta-commands",
                        {file.string(), lc.line, lc.column},
                        "load this file with psql, or dump it with `dbtool schema dump`");
        }
        for (size_t i = meta.offset; i < text.size() && text[i] != '\n'; ++i) {
            text[i] = ' ';
        }
    }
    if (!force) {
        const auto objects = userObjects(session);
        if (objects.count > 0) {
            std::string list;
            for (const auto& o : objects.first) {
                list += (list.empty() ? "" : ", ") + o;
            }
            if (objects.count > static_cast<int64_t>(objects.first.size())) {
                list += " and " + std::to_string(objects.count - objects.first.size()) + " more";
            }
            throw Error(ExitCode::Check,
                        "the database is not empty: " + list + "; nothing was loaded", {},
                        "load a schema into an empty database (`dbtool db drop` and `db create`, "
                        "or a new database); --force loads it anyway, in one transaction that "
                        "fails and rolls back at the first object that already exists");
        }
    }
    Migration m;
    m.callback = file.stem().string();  // messages name the file, not a version
    m.up.present = true;
    m.up.file = file;
    m.up.sql = text;
    SchemaLoad result;
    result.statements = lexSql(text).statements.size();
    session.runScript("BEGIN");
    try {
        runSection(session, m, m.up);
    } catch (SectionFailure& f) {
        if (PQtransactionStatus(session.raw()) != PQTRANS_IDLE) {
            session.runScript("ROLLBACK");
        }
        throw db::describeSqlError(f.error,
                                   "loading " + file.string() + " failed: " + f.error.what() +
                                       "; it was rolled back, nothing was loaded",
                                   errorLocation(m.up, f));
    }
    session.runScript("COMMIT");
    // pg_dump's files empty the session's search_path (set_config(..., false)): back to the
    // connection's own for whatever the session does next.
    session.runScript("RESET search_path");
    result.ms = msSince(start);
    return result;
}

}  // namespace dbtool
