#include "migrate/catalog_dump.hpp"

#include <libpq-fe.h>

#include <map>
#include <set>
#include <vector>

#include "base/errors.hpp"

namespace dbtool {

namespace {

using Rows = std::vector<std::vector<std::string>>;

Rows query(db::Session& session, const std::string& sql) {
    auto r = session.execParams(sql);
    Rows out;
    for (int i = 0; i < PQntuples(r.get()); ++i) {
        std::vector<std::string> row;
        for (int j = 0; j < PQnfields(r.get()); ++j) {
            row.emplace_back(PQgetvalue(r.get(), i, j));
        }
        out.push_back(std::move(row));
    }
    return out;
}

// Objects of PostgreSQL itself and of extensions are left out everywhere: `alias` is the
// catalog row's alias, `catalog` its catalog ('pg_class', 'pg_proc', 'pg_type').
std::string userObject(const std::string& alias, const std::string& catalog,
                       const std::string& namespaceColumn) {
    return "(SELECT nspname FROM pg_namespace WHERE oid = " + alias + "." + namespaceColumn +
           ") NOT IN ('pg_catalog', 'information_schema') AND (SELECT nspname FROM pg_namespace "
           "WHERE oid = " +
           alias + "." + namespaceColumn +
           ") NOT LIKE 'pg\\_%' AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = '" +
           catalog + "'::regclass AND d.objid = " + alias + ".oid AND d.deptype = 'e')";
}

void section(std::string& out, const std::string& title) {
    out += "\n--\n-- " + title + "\n--\n\n";
}

void emit(std::string& out, const Rows& rows) {
    for (const auto& row : rows) {
        out += row[0] + "\n";
    }
}

// Views in an order that creates each after the views it reads (names break ties, so the
// order is stable across runs).
Rows viewsInDependencyOrder(db::Session& session, const std::string& kinds) {
    const Rows views =
        query(session,
              "SELECT c.oid::text, format('%I.%I', n.nspname, c.relname), c.relkind::text, "
              "pg_get_viewdef(c.oid, true), coalesce(array_to_string(c.reloptions, ', '), ''), "
              "coalesce((SELECT string_agg(DISTINCT d.refobjid::text, ',') FROM pg_rewrite rw "
              "JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = rw.oid "
              "WHERE rw.ev_class = c.oid AND d.refobjid <> c.oid), '') "
              "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
              "WHERE c.relkind IN (" +
                  kinds + ") AND " + userObject("c", "pg_class", "relnamespace") +
                  " ORDER BY n.nspname, c.relname");
    std::set<std::string> viewOids;
    for (const auto& v : views) {
        viewOids.insert(v[0]);
    }
    std::set<std::string> done;
    Rows out;
    while (out.size() < views.size()) {
        bool progressed = false;
        for (const auto& v : views) {
            if (done.count(v[0]) != 0) {
                continue;
            }
            bool ready = true;
            size_t start = 0;
            const std::string& deps = v[5];
            while (ready && start < deps.size()) {
                size_t end = deps.find(',', start);
                if (end == std::string::npos) {
                    end = deps.size();
                }
                const std::string dep = deps.substr(start, end - start);
                ready = viewOids.count(dep) == 0 || done.count(dep) != 0;
                start = end + 1;
            }
            if (ready) {
                done.insert(v[0]);
                out.push_back(v);
                progressed = true;
            }
        }
        if (!progressed) {  // a cycle cannot happen between views; keep the rest by name
            for (const auto& v : views) {
                if (done.insert(v[0]).second) {
                    out.push_back(v);
                }
            }
        }
    }
    return out;
}

// Objects the catalog dump does not write: a dump without them would load into a different
// schema, so it is refused instead ("aggregate public.total(integer)", ...; empty when none).
std::vector<std::string> unsupportedObjects(db::Session& session) {
    const Rows rows = query(
        session,
        "SELECT 'aggregate ' || p.oid::regprocedure::text FROM pg_proc p WHERE p.prokind = 'a' "
        "AND " +
            userObject("p", "pg_proc", "pronamespace") +
            " UNION ALL SELECT 'operator ' || o.oid::regoperator::text FROM pg_operator o WHERE " +
            userObject("o", "pg_operator", "oprnamespace") +
            " UNION ALL SELECT 'collation ' || c.oid::regcollation::text FROM pg_collation c "
            "WHERE " +
            userObject("c", "pg_collation", "collnamespace") +
            " UNION ALL SELECT 'text search configuration ' || t.oid::regconfig::text FROM "
            "pg_ts_config t WHERE " +
            userObject("t", "pg_ts_config", "cfgnamespace") +
            " UNION ALL SELECT 'cast ' || format_type(c.castsource, NULL) || ' AS ' || "
            "format_type(c.casttarget, NULL) FROM pg_cast c WHERE c.oid >= 16384 AND NOT EXISTS "
            "(SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_cast'::regclass AND d.objid = c.oid "
            "AND d.deptype = 'e')"
            " UNION ALL SELECT 'event trigger ' || quote_ident(evtname) FROM pg_event_trigger e "
            "WHERE NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = "
            "'pg_event_trigger'::regclass AND d.objid = e.oid AND d.deptype = 'e')"
            " UNION ALL SELECT 'publication ' || quote_ident(pubname) FROM pg_publication"
            " UNION ALL SELECT 'foreign server ' || quote_ident(srvname) FROM pg_foreign_server s "
            "WHERE NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = "
            "'pg_foreign_server'::regclass AND d.objid = s.oid AND d.deptype = 'e')"
            " UNION ALL SELECT 'inheritance ' || i.inhrelid::regclass::text || ' INHERITS ' || "
            "i.inhparent::regclass::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE c.relkind IN ('r', 'p', 'f') AND NOT c.relispartition AND " +
            userObject("c", "pg_class", "relnamespace") + " ORDER BY 1 LIMIT 5");
    std::vector<std::string> out;
    for (const auto& row : rows) {
        out.push_back(row[0]);
    }
    return out;
}

}  // namespace

std::string dumpSchemaFromCatalog(db::Session& session) {
    // Every name the pg_get_* functions print comes schema-qualified with an empty search_path.
    session.runScript("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    session.runScript("SET LOCAL search_path = ''");
    std::string out =
        "--\n-- Schema dumped by dbtool from the system catalogs\n--\n\n"
        "SET check_function_bodies = false;\n"
        "SET client_min_messages = warning;\n"
        "SELECT pg_catalog.set_config('search_path', '', false);\n";
    try {
        if (const auto unsupported = unsupportedObjects(session); !unsupported.empty()) {
            std::string list;
            for (const auto& o : unsupported) {
                list += (list.empty() ? "" : ", ") + o;
            }
            throw Error(ExitCode::Failure,
                        "the schema holds objects the catalog dump does not write yet: " + list, {},
                        "dump it with a pg_dump of the server's major version (`schema dump "
                        "--method pg_dump`; DBTOOL_PG_DUMP picks one)");
        }
        section(out, "Schemas and extensions");
        emit(out, query(session,
                        "SELECT format('CREATE SCHEMA %I;', nspname) FROM pg_namespace n "
                        "WHERE nspname NOT IN ('pg_catalog', 'information_schema', "
                        "'public') AND nspname NOT LIKE 'pg\\_%' AND NOT EXISTS (SELECT "
                        "1 FROM pg_depend d WHERE d.classid = 'pg_namespace'::regclass "
                        "AND d.objid = n.oid AND d.deptype = 'e') ORDER BY nspname"));
        emit(out, query(session,
                        "SELECT format('CREATE EXTENSION IF NOT EXISTS %I WITH SCHEMA %I "
                        "VERSION %L;', e.extname, n.nspname, e.extversion) FROM "
                        "pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
                        "WHERE e.extname <> 'plpgsql' ORDER BY e.extname"));

        section(out, "Types");
        emit(out, query(session,
                        "SELECT format('CREATE TYPE %I.%I AS ENUM (%s);', n.nspname, t.typname, "
                        "(SELECT string_agg(quote_literal(enumlabel), ', ' ORDER BY enumsortorder) "
                        "FROM pg_enum WHERE enumtypid = t.oid)) FROM pg_type t JOIN pg_namespace n "
                        "ON n.oid = t.typnamespace WHERE t.typtype = 'e' AND " +
                            userObject("t", "pg_type", "typnamespace") +
                            " ORDER BY n.nspname, t.typname"));
        emit(out,
             query(session,
                   "SELECT format('CREATE DOMAIN %I.%I AS %s%s%s%s;', n.nspname, t.typname, "
                   "format_type(t.typbasetype, t.typtypmod), CASE WHEN t.typcollation <> "
                   "(SELECT typcollation FROM pg_type WHERE oid = t.typbasetype) THEN ' COLLATE "
                   "' || (SELECT format('%I.%I', cn.nspname, co.collname) FROM pg_collation co "
                   "JOIN pg_namespace cn ON cn.oid = co.collnamespace WHERE co.oid = "
                   "t.typcollation) ELSE '' END, coalesce(' DEFAULT ' || t.typdefault, ''), "
                   "CASE WHEN t.typnotnull THEN ' NOT NULL' ELSE '' END || coalesce((SELECT "
                   "string_agg(format(' CONSTRAINT %I %s', conname, pg_get_constraintdef(oid)), "
                   "'' ORDER BY conname) FROM pg_constraint WHERE contypid = t.oid), '')) FROM "
                   "pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE t.typtype = 'd' "
                   "AND " +
                       userObject("t", "pg_type", "typnamespace") + " ORDER BY t.oid"));
        emit(out, query(session,
                        "SELECT format('CREATE TYPE %I.%I AS (%s);', n.nspname, t.typname, "
                        "(SELECT string_agg(format('%I %s', a.attname, format_type(a.atttypid, "
                        "a.atttypmod)), ', ' ORDER BY a.attnum) FROM pg_attribute a WHERE "
                        "a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped)) FROM "
                        "pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace JOIN pg_class c "
                        "ON c.oid = t.typrelid WHERE t.typtype = 'c' AND c.relkind = 'c' AND " +
                            userObject("t", "pg_type", "typnamespace") + " ORDER BY t.oid"));

        section(out, "Functions and procedures (bodies checked when called)");
        const std::string functions =
            "SELECT pg_get_functiondef(p.oid) || ';' FROM pg_proc p JOIN pg_namespace n ON n.oid "
            "= p.pronamespace WHERE p.prokind IN ('f', 'p', 'w') AND " +
            userObject("p", "pg_proc", "pronamespace");
        emit(out,
             query(session, functions + " AND p.prosqlbody IS NULL ORDER BY n.nspname, p.proname, "
                                        "pg_get_function_identity_arguments(p.oid)"));

        section(out, "Sequences");
        emit(out,
             query(session,
                   "SELECT format('CREATE SEQUENCE %I.%I AS %s INCREMENT BY %s MINVALUE %s "
                   "MAXVALUE %s START WITH %s CACHE %s%s;', n.nspname, c.relname, "
                   "format_type(s.seqtypid, NULL), s.seqincrement, s.seqmin, s.seqmax, s.seqstart, "
                   "s.seqcache, CASE WHEN s.seqcycle THEN ' CYCLE' ELSE '' END) FROM pg_sequence s "
                   "JOIN pg_class c ON c.oid = s.seqrelid JOIN pg_namespace n ON n.oid = "
                   "c.relnamespace WHERE " +
                       userObject("c", "pg_class", "relnamespace") +
                       " AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = "
                       "'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'i') ORDER BY "
                       "n.nspname, c.relname"));

        section(out, "Tables");
        const Rows tables = query(
            session,
            "SELECT c.oid::text, format('%I.%I', n.nspname, c.relname), c.relkind::text, "
            "CASE WHEN c.relkind = 'p' THEN ' PARTITION BY ' || pg_get_partkeydef(c.oid) ELSE '' "
            "END, coalesce(' WITH (' || array_to_string(c.reloptions, ', ') || ')', ''), "
            "CASE WHEN c.relpersistence = 'u' THEN 'UNLOGGED ' ELSE '' END FROM pg_class c JOIN "
            "pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') AND " +
                userObject("c", "pg_class", "relnamespace") + " ORDER BY n.nspname, c.relname");
        for (const auto& t : tables) {
            const Rows columns = query(
                session,
                "SELECT format('%I %s', a.attname, format_type(a.atttypid, a.atttypmod)) || CASE "
                "WHEN a.attcollation <> 0 AND a.attcollation <> (SELECT typcollation FROM pg_type "
                "WHERE oid = a.atttypid) THEN ' COLLATE ' || (SELECT format('%I.%I', cn.nspname, "
                "co.collname) FROM pg_collation co JOIN pg_namespace cn ON cn.oid = "
                "co.collnamespace WHERE co.oid = a.attcollation) ELSE '' END || CASE WHEN "
                "a.attgenerated = 's' THEN ' GENERATED ALWAYS AS (' || pg_get_expr(ad.adbin, "
                "ad.adrelid) || ') STORED' WHEN ad.adbin IS NOT NULL THEN ' DEFAULT ' || "
                "pg_get_expr(ad.adbin, ad.adrelid) ELSE '' END || CASE a.attidentity WHEN 'a' THEN "
                "' GENERATED ALWAYS AS IDENTITY' WHEN 'd' THEN ' GENERATED BY DEFAULT AS "
                "IDENTITY' ELSE '' END || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END FROM "
                "pg_attribute a LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = "
                "a.attnum WHERE a.attrelid = " +
                    t[0] + " AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum");
            out += "CREATE " + t[5] + "TABLE " + t[1] + " (";
            for (size_t i = 0; i < columns.size(); ++i) {
                out += (i == 0 ? "\n    " : ",\n    ") + columns[i][0];
            }
            out += "\n)" + t[3] + t[4] + ";\n";
        }
        emit(out,
             query(session,
                   "SELECT format('ALTER TABLE %s ATTACH PARTITION %s %s;', i.inhparent::"
                   "regclass, c.oid::regclass, pg_get_expr(c.relpartbound, c.oid)) FROM "
                   "pg_class c JOIN pg_inherits i ON i.inhrelid = c.oid WHERE c.relispartition "
                   "AND c.relkind IN ('r', 'p') AND " +
                       userObject("c", "pg_class", "relnamespace") +
                       " ORDER BY c.oid::regclass::text"));
        emit(out, query(session,
                        "SELECT format('ALTER SEQUENCE %s OWNED BY %s.%I;', d.objid::regclass, "
                        "d.refobjid::regclass, a.attname) FROM pg_depend d JOIN pg_class s ON "
                        "s.oid = d.objid AND s.relkind = 'S' JOIN pg_attribute a ON a.attrelid = "
                        "d.refobjid AND a.attnum = d.refobjsubid WHERE d.classid = "
                        "'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass AND "
                        "d.deptype = 'a' AND " +
                            userObject("s", "pg_class", "relnamespace") +
                            " ORDER BY d.objid::regclass::text"));

        section(out, "Views");
        for (const auto& v : viewsInDependencyOrder(session, "'v'")) {
            out += "CREATE VIEW " + v[1] + (v[4].empty() ? "" : " WITH (" + v[4] + ")") + " AS\n" +
                   v[3] + "\n";
        }

        section(out, "Constraints, materialized views (created empty), indexes, foreign keys");
        // On a partitioned table a constraint or index is added to the partitions too (they are
        // attached by now), so the partitions' copies are not dumped themselves.
        const std::string constraints =
            "SELECT format('ALTER TABLE %s%s ADD CONSTRAINT %I %s;', CASE WHEN c.relkind = 'p' "
            "THEN '' ELSE 'ONLY ' END, co.conrelid::regclass, co.conname, "
            "pg_get_constraintdef(co.oid)) FROM pg_constraint co JOIN pg_class c ON c.oid = "
            "co.conrelid WHERE co.conislocal AND co.conparentid = 0 AND " +
            userObject("c", "pg_class", "relnamespace");
        emit(out,
             query(session, constraints + " AND co.contype IN ('p', 'u', 'c', 'x') ORDER BY "
                                          "co.conrelid::regclass::text, co.contype, co.conname"));
        for (const auto& v : viewsInDependencyOrder(session, "'m'")) {
            out += "CREATE MATERIALIZED VIEW " + v[1] +
                   (v[4].empty() ? "" : " WITH (" + v[4] + ")") + " AS\n" +
                   v[3].substr(0, v[3].find_last_not_of("; \n") + 1) + "\nWITH NO DATA;\n";
        }
        emit(out, query(session,
                        "SELECT replace(pg_get_indexdef(i.indexrelid), ' ON ONLY ', ' ON ') || "
                        "';' FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE NOT "
                        "EXISTS (SELECT 1 FROM "
                        "pg_constraint co WHERE co.conindid = i.indexrelid AND co.contype IN ('p', "
                        "'u', 'x')) AND NOT EXISTS (SELECT 1 FROM pg_inherits h WHERE h.inhrelid "
                        "= i.indexrelid) AND " +
                            userObject("c", "pg_class", "relnamespace") +
                            " ORDER BY i.indrelid::regclass::text, c.relname"));
        emit(out, query(session, constraints +
                                     " AND co.contype = 'f' ORDER BY co.conrelid::regclass::text, "
                                     "co.conname"));

        section(out, "SQL-standard function bodies (they need the tables)");
        emit(out,
             query(session, functions + " AND p.prosqlbody IS NOT NULL ORDER BY n.nspname, "
                                        "p.proname, pg_get_function_identity_arguments(p.oid)"));

        section(out, "Triggers, rules, row security");
        emit(out, query(session,
                        "SELECT pg_get_triggerdef(t.oid, false) || ';' FROM pg_trigger t JOIN "
                        "pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal AND t.tgparentid "
                        "= 0 AND " +
                            userObject("c", "pg_class", "relnamespace") +
                            " ORDER BY t.tgrelid::regclass::text, t.tgname"));
        emit(out, query(session,
                        "SELECT pg_get_ruledef(r.oid) FROM pg_rewrite r JOIN pg_class c ON c.oid "
                        "= r.ev_class WHERE r.rulename <> '_RETURN' AND " +
                            userObject("c", "pg_class", "relnamespace") +
                            " ORDER BY r.ev_class::regclass::text, r.rulename"));
        emit(out, query(session,
                        "SELECT format('ALTER TABLE %s %s ROW LEVEL SECURITY;', c.oid::regclass, "
                        "x) FROM pg_class c, unnest(ARRAY['ENABLE'] || CASE WHEN "
                        "c.relforcerowsecurity THEN ARRAY['FORCE'] ELSE ARRAY[]::text[] END) x "
                        "WHERE c.relrowsecurity AND " +
                            userObject("c", "pg_class", "relnamespace") +
                            " ORDER BY c.oid::regclass::text, x DESC"));
        emit(out,
             query(session,
                   "SELECT format('CREATE POLICY %I ON %I.%I AS %s FOR %s TO %s%s%s;', "
                   "policyname, schemaname, tablename, permissive, cmd, (SELECT "
                   "string_agg(CASE WHEN r = 'public' THEN 'PUBLIC' ELSE quote_ident(r) END, ', ') "
                   "FROM unnest(roles) r), coalesce(' USING (' || qual || ')', ''), "
                   "coalesce(' WITH CHECK (' || with_check || ')', '')) FROM pg_policies ORDER BY "
                   "schemaname, tablename, policyname"));

        section(out, "Comments");
        emit(out,
             query(
                 session,
                 "SELECT format('COMMENT ON %s %s IS %L;', CASE WHEN d.classoid = "
                 "'pg_class'::regclass AND d.objsubid <> 0 THEN 'COLUMN' WHEN d.classoid = "
                 "'pg_class'::regclass THEN CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN "
                 "'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE' WHEN 'i' THEN 'INDEX' WHEN 'I' THEN "
                 "'INDEX' WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END WHEN d.classoid = "
                 "'pg_proc'::regclass THEN CASE p.prokind WHEN 'p' THEN 'PROCEDURE' ELSE "
                 "'FUNCTION' END WHEN d.classoid = 'pg_type'::regclass THEN 'TYPE' WHEN "
                 "d.classoid = 'pg_namespace'::regclass THEN 'SCHEMA' END, CASE WHEN d.classoid = "
                 "'pg_class'::regclass AND d.objsubid <> 0 THEN format('%s.%I', "
                 "d.objoid::regclass, a.attname) WHEN d.classoid = 'pg_class'::regclass THEN "
                 "d.objoid::regclass::text WHEN d.classoid = 'pg_proc'::regclass THEN "
                 "d.objoid::regprocedure::text WHEN d.classoid = 'pg_type'::regclass THEN "
                 "format_type(d.objoid, NULL) ELSE quote_ident(ns.nspname) END, d.description) "
                 "FROM pg_description d LEFT JOIN pg_class c ON d.classoid = "
                 "'pg_class'::regclass AND c.oid = d.objoid LEFT JOIN pg_attribute a ON "
                 "a.attrelid = c.oid AND a.attnum = d.objsubid LEFT JOIN pg_proc p ON "
                 "d.classoid = 'pg_proc'::regclass AND p.oid = d.objoid LEFT JOIN pg_type t ON "
                 "d.classoid = 'pg_type'::regclass AND t.oid = d.objoid LEFT JOIN pg_namespace "
                 "ns ON d.classoid = 'pg_namespace'::regclass AND ns.oid = d.objoid WHERE "
                 "(c.oid IS NOT NULL AND " +
                     userObject("c", "pg_class", "relnamespace") + ") OR (p.oid IS NOT NULL AND " +
                     userObject("p", "pg_proc", "pronamespace") + ") OR (t.oid IS NOT NULL AND " +
                     userObject("t", "pg_type", "typnamespace") +
                     " AND t.typtype IN ('e', 'd')) OR (ns.oid IS NOT NULL AND ns.nspname NOT "
                     "IN ('pg_catalog', 'information_schema', 'public') AND ns.nspname NOT LIKE "
                     "'pg\\_%') ORDER BY 1"));
        emit(out, query(session,
                        "SELECT format('COMMENT ON CONSTRAINT %I ON %s IS %L;', co.conname, "
                        "co.conrelid::regclass, d.description) FROM pg_description d JOIN "
                        "pg_constraint co ON d.classoid = 'pg_constraint'::regclass AND co.oid = "
                        "d.objoid AND co.conrelid <> 0 JOIN pg_class c ON c.oid = co.conrelid "
                        "WHERE " +
                            userObject("c", "pg_class", "relnamespace") + " ORDER BY 1"));
        emit(out, query(session,
                        "SELECT format('COMMENT ON TRIGGER %I ON %s IS %L;', t.tgname, "
                        "t.tgrelid::regclass, d.description) FROM pg_description d JOIN "
                        "pg_trigger t ON d.classoid = 'pg_trigger'::regclass AND t.oid = d.objoid "
                        "JOIN pg_class c ON c.oid = t.tgrelid WHERE " +
                            userObject("c", "pg_class", "relnamespace") + " ORDER BY 1"));
        session.runScript("COMMIT");
    } catch (...) {
        session.runScript("ROLLBACK");
        throw;
    }
    return out;
}

}  // namespace dbtool
