#include "db/schema_snapshot.hpp"

#include <algorithm>
#include <map>
#include <mutex>
#include <utility>

namespace dbtool::db {

namespace {

// The catalog queries, in parts put together below. Owners and grants are left in or out with
// a literal, so the queries take no parameters: prepared once, planned once.

// The objects of the schema, each row: key, definition, anchor, id. The markers are replaced
// by each query's filters.
const char* kObjects = R"sql(
ns AS (
  SELECT n.oid, n.nspname FROM pg_namespace n
  WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
    AND n.nspname NOT LIKE 'pg\_temp\_%' AND n.nspname NOT LIKE 'pg\_toast\_temp\_%'
    AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_namespace'::regclass
                    AND d.objid = n.oid AND d.deptype = 'e')
),
rel AS (
  SELECT c.oid, c.relkind, c.relname, ns.nspname, quote_ident(ns.nspname) || '.' || quote_ident(c.relname) AS qname,
         'rel:' || ns.nspname || chr(31) || c.relname AS anchor
  FROM pg_class c JOIN ns ON ns.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
    AND /*REL*/
    AND c.relname !~ '^schema_(migrations|seed)'
    AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                    AND d.objid = c.oid AND d.deptype = 'e')
),
fn AS (
  SELECT p.oid, p.prokind, quote_ident(ns.nspname) || '.' || quote_ident(p.proname) ||
           '(' || pg_get_function_identity_arguments(p.oid) || ')' AS qname,
         'fn:' || ns.nspname || chr(31) || p.proname AS anchor
  FROM pg_proc p JOIN ns ON ns.oid = p.pronamespace
  WHERE /*FN*/
    AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                    AND d.objid = p.oid AND d.deptype = 'e')
),
typ AS (
  SELECT t.oid, t.typtype, t.typrelid, quote_ident(ns.nspname) || '.' || quote_ident(t.typname) AS qname,
         'type:' || ns.nspname || chr(31) || t.typname AS anchor
  FROM pg_type t JOIN ns ON ns.oid = t.typnamespace
  WHERE /*TYPE*/
    AND (t.typtype IN ('e', 'd', 'r', 'm')
         OR (t.typtype = 'c' AND (SELECT c.relkind FROM pg_class c WHERE c.oid = t.typrelid) = 'c'))
    AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass
                    AND d.objid = t.oid AND d.deptype = 'e')
),
objects(anchor, key, value, oid) AS (
  SELECT 'schema:' || nspname, 'schema ' || quote_ident(nspname), 'schema', 'n:' || oid FROM ns
  UNION ALL
  SELECT 'ext:' || x.extname, 'extension ' || quote_ident(x.extname),
         'version ' || x.extversion || ' in schema ' || quote_ident(n.nspname), 'x:' || x.oid
  FROM pg_extension x JOIN pg_namespace n ON n.oid = x.extnamespace
  UNION ALL
  SELECT r.anchor, CASE r.relkind WHEN 'v' THEN 'view ' WHEN 'm' THEN 'materialized view '
                     WHEN 'S' THEN 'sequence ' WHEN 'f' THEN 'foreign table ' ELSE 'table ' END || r.qname,
         CASE r.relkind
           WHEN 'v' THEN pg_get_viewdef(r.oid)
           WHEN 'm' THEN pg_get_viewdef(r.oid)
           WHEN 'S' THEN (SELECT 'type ' || format_type(s.seqtypid, NULL) || ' start ' || s.seqstart ||
                                 ' increment ' || s.seqincrement || ' min ' || s.seqmin || ' max ' ||
                                 s.seqmax || ' cache ' || s.seqcache || CASE WHEN s.seqcycle THEN ' cycle' ELSE '' END
                          FROM pg_sequence s WHERE s.seqrelid = r.oid) ||
                         COALESCE((SELECT ' owned by ' || quote_ident(tn.nspname) || '.' || quote_ident(t.relname) || '.' ||
                                          quote_ident(a.attname)
                                   FROM pg_depend d JOIN pg_class t ON t.oid = d.refobjid
                                   JOIN pg_namespace tn ON tn.oid = t.relnamespace
                                   JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
                                   WHERE d.classid = 'pg_class'::regclass AND d.objid = r.oid
                                     AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
                                   LIMIT 1), '')
           ELSE CASE c.relpersistence WHEN 'u' THEN 'unlogged ' ELSE '' END ||
                CASE WHEN c.relkind = 'p' THEN 'partitioned by ' || pg_get_partkeydef(c.oid) ELSE 'table' END ||
                CASE WHEN c.relispartition THEN ' partition of ' ||
                       (SELECT quote_ident(pn.nspname) || '.' || quote_ident(pc.relname) FROM pg_inherits i
                        JOIN pg_class pc ON pc.oid = i.inhparent JOIN pg_namespace pn ON pn.oid = pc.relnamespace
                        WHERE i.inhrelid = c.oid) || ' ' || pg_get_expr(c.relpartbound, c.oid) ELSE '' END ||
                CASE WHEN c.relrowsecurity THEN ', row level security' ELSE '' END ||
                CASE WHEN c.relforcerowsecurity THEN ' (forced)' ELSE '' END
         END, 'r:' || r.oid
  FROM rel r JOIN pg_class c ON c.oid = r.oid
  UNION ALL
  SELECT r.anchor, 'column ' || r.qname || '.' || quote_ident(a.attname),
         'position ' || row_number() OVER (PARTITION BY r.oid ORDER BY a.attnum) || ', ' ||
         format_type(a.atttypid, a.atttypmod) ||
         CASE WHEN a.attcollation <> t.typcollation THEN ' collate ' || (SELECT quote_ident(collname) FROM pg_collation WHERE oid = a.attcollation) ELSE '' END ||
         CASE WHEN a.attnotnull THEN ' not null' ELSE '' END ||
         CASE WHEN a.attgenerated = 's' THEN ' generated always as (' || pg_get_expr(ad.adbin, ad.adrelid) || ') stored'
              WHEN ad.adbin IS NOT NULL THEN ' default ' || pg_get_expr(ad.adbin, ad.adrelid) ELSE '' END ||
         CASE a.attidentity WHEN 'a' THEN ' generated always as identity'
                            WHEN 'd' THEN ' generated by default as identity' ELSE '' END, NULL
  FROM rel r JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
  JOIN pg_type t ON t.oid = a.atttypid
  LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
  WHERE r.relkind IN ('r', 'p', 'f')
  UNION ALL
  SELECT r.anchor, 'constraint ' || quote_ident(con.conname) || ' on ' || r.qname,
         pg_get_constraintdef(con.oid), NULL
  FROM rel r JOIN pg_constraint con ON con.conrelid = r.oid
  UNION ALL
  SELECT r.anchor, 'index ' || quote_ident(r.nspname) || '.' || quote_ident(ic.relname), pg_get_indexdef(ic.oid),
         'r:' || ic.oid
  FROM rel r JOIN pg_index i ON i.indrelid = r.oid JOIN pg_class ic ON ic.oid = i.indexrelid
  UNION ALL
  SELECT r.anchor, 'trigger ' || quote_ident(tg.tgname) || ' on ' || r.qname,
         pg_get_triggerdef(tg.oid) || CASE tg.tgenabled WHEN 'D' THEN ' (disabled)' WHEN 'R' THEN ' (enabled replica)'
                                                        WHEN 'A' THEN ' (enabled always)' ELSE '' END, NULL
  FROM rel r JOIN pg_trigger tg ON tg.tgrelid = r.oid AND NOT tg.tgisinternal
  UNION ALL
  SELECT r.anchor, 'policy ' || quote_ident(pol.polname) || ' on ' || r.qname,
         'for ' || pol.polcmd::text || CASE WHEN pol.polpermissive THEN '' ELSE ' restrictive' END ||
         ' using ' || COALESCE(pg_get_expr(pol.polqual, pol.polrelid), '-') ||
         ' with check ' || COALESCE(pg_get_expr(pol.polwithcheck, pol.polrelid), '-'), NULL
  FROM rel r JOIN pg_policy pol ON pol.polrelid = r.oid
  UNION ALL
  SELECT r.anchor, 'rule ' || quote_ident(rw.rulename) || ' on ' || r.qname, pg_get_ruledef(rw.oid), NULL
  FROM rel r JOIN pg_rewrite rw ON rw.ev_class = r.oid AND rw.rulename <> '_RETURN'
  UNION ALL
  SELECT f.anchor, CASE f.prokind WHEN 'p' THEN 'procedure ' WHEN 'a' THEN 'aggregate '
                                  WHEN 'w' THEN 'window function ' ELSE 'function ' END || f.qname,
         CASE WHEN f.prokind = 'a' THEN 'aggregate' ELSE pg_get_functiondef(f.oid) END, 'f:' || f.oid
  FROM fn f
  UNION ALL
  SELECT ty.anchor, CASE ty.typtype WHEN 'd' THEN 'domain ' ELSE 'type ' END || ty.qname,
         CASE ty.typtype
           WHEN 'e' THEN 'enum (' || (SELECT string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder)
                                      FROM pg_enum e WHERE e.enumtypid = ty.oid) || ')'
           WHEN 'd' THEN 'over ' || format_type(t.typbasetype, t.typtypmod) ||
                         CASE WHEN t.typnotnull THEN ' not null' ELSE '' END ||
                         COALESCE(' default ' || t.typdefault, '') ||
                         COALESCE((SELECT ' ' || string_agg(pg_get_constraintdef(con.oid), ' ' ORDER BY con.conname)
                                   FROM pg_constraint con WHERE con.contypid = ty.oid), '')
           WHEN 'r' THEN 'range of ' || (SELECT format_type(rg.rngsubtype, NULL) FROM pg_range rg WHERE rg.rngtypid = ty.oid)
           WHEN 'm' THEN 'multirange'
           ELSE 'composite (' || (SELECT string_agg(quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum)
                                  FROM pg_attribute a WHERE a.attrelid = ty.typrelid AND a.attnum > 0 AND NOT a.attisdropped) || ')'
         END, 't:' || ty.oid
  FROM typ ty JOIN pg_type t ON t.oid = ty.oid
  UNION ALL
  SELECT r.anchor, 'comment on ' || CASE WHEN d.objsubid = 0 THEN CASE r.relkind WHEN 'v' THEN 'view ' WHEN 'm' THEN 'materialized view '
                     WHEN 'S' THEN 'sequence ' WHEN 'f' THEN 'foreign table ' ELSE 'table ' END || r.qname
                                         ELSE 'column ' || r.qname || '.' || quote_ident(a.attname) END,
         d.description, NULL
  FROM rel r JOIN pg_description d ON d.classoid = 'pg_class'::regclass AND d.objoid = r.oid
  LEFT JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum = d.objsubid
  UNION ALL
  SELECT r.anchor, 'comment on index ' || quote_ident(r.nspname) || '.' || quote_ident(ic.relname), d.description, NULL
  FROM rel r JOIN pg_index i ON i.indrelid = r.oid JOIN pg_class ic ON ic.oid = i.indexrelid
  JOIN pg_description d ON d.classoid = 'pg_class'::regclass AND d.objoid = ic.oid
  UNION ALL
  SELECT r.anchor, 'comment on constraint ' || quote_ident(con.conname) || ' on ' || r.qname, d.description, NULL
  FROM rel r JOIN pg_constraint con ON con.conrelid = r.oid
  JOIN pg_description d ON d.classoid = 'pg_constraint'::regclass AND d.objoid = con.oid
  UNION ALL
  SELECT f.anchor, 'comment on ' || CASE f.prokind WHEN 'p' THEN 'procedure ' WHEN 'a' THEN 'aggregate '
                                  WHEN 'w' THEN 'window function ' ELSE 'function ' END || f.qname, d.description, NULL
  FROM fn f JOIN pg_description d ON d.classoid = 'pg_proc'::regclass AND d.objoid = f.oid
  UNION ALL
  SELECT ty.anchor, 'comment on ' || CASE ty.typtype WHEN 'd' THEN 'domain ' ELSE 'type ' END || ty.qname, d.description, NULL
  FROM typ ty JOIN pg_description d ON d.classoid = 'pg_type'::regclass AND d.objoid = ty.oid
  UNION ALL
  SELECT 'schema:' || ns.nspname, 'comment on schema ' || quote_ident(ns.nspname), d.description, NULL
  FROM ns JOIN pg_description d ON d.classoid = 'pg_namespace'::regclass AND d.objoid = ns.oid
  UNION ALL
  SELECT r.anchor, 'owner of ' || r.qname, pg_get_userbyid(c.relowner) || COALESCE(', grants ' || c.relacl::text, ''), NULL
  FROM rel r JOIN pg_class c ON c.oid = r.oid WHERE $1::boolean
  UNION ALL
  SELECT f.anchor, 'owner of ' || f.qname, pg_get_userbyid(p.proowner) || COALESCE(', grants ' || p.proacl::text, ''), NULL
  FROM fn f JOIN pg_proc p ON p.oid = f.oid WHERE $1::boolean
  UNION ALL
  SELECT 'schema:' || ns.nspname, 'owner of schema ' || quote_ident(ns.nspname),
         pg_get_userbyid(n.nspowner) || COALESCE(', grants ' || n.nspacl::text, ''), NULL
  FROM ns JOIN pg_namespace n ON n.oid = ns.oid WHERE $1::boolean
)
SELECT key, value, anchor, oid FROM objects /*ALL*/
)sql";

// What the session's open transaction touched: every relation and object it holds a lock on,
// and the functions, types, schemas and extensions whose rows it wrote.
const char* kTouched = R"sql(
touched(k, oid) AS (
  -- Every relation and object this transaction locked: what it created, altered or dropped
  -- (PostgreSQL locks each object it changes or drops, dependents of a CASCADE included).
  SELECT CASE WHEN l.locktype = 'relation' OR l.classid = 'pg_class'::regclass THEN 'r'
              WHEN l.classid = 'pg_proc'::regclass THEN 'f'
              WHEN l.classid = 'pg_type'::regclass THEN 't'
              WHEN l.classid = 'pg_namespace'::regclass THEN 'n'
              WHEN l.classid = 'pg_extension'::regclass THEN 'x' END,
         CASE WHEN l.locktype = 'relation' THEN l.relation ELSE l.objid END
  FROM pg_locks l
  WHERE l.pid = pg_backend_pid() AND l.locktype IN ('relation', 'object')
    AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
    AND (CASE WHEN l.locktype = 'relation' THEN l.relation ELSE l.objid END) >= 16384
  -- What it wrote without taking a lock (new functions and types, CREATE OR REPLACE FUNCTION,
  -- ALTER DOMAIN, ALTER SCHEMA ... RENAME): rows with age() <= 0, i.e. this transaction's own
  -- xid or a later one of its subtransactions. Only rows that can be the schema's are read,
  -- through the oid indexes: those newer than the watermark (OIDs are handed out in increasing
  -- order) and the functions, types, schemas and extensions known when it was taken.
  UNION SELECT 'f', p.oid FROM pg_proc p WHERE (p.oid > /*WM*/ OR p.oid IN (/*KNOWN*/)) AND age(p.xmin) <= 0
  UNION SELECT 't', t.oid FROM pg_type t WHERE (t.oid > /*WM*/ OR t.oid IN (/*KNOWN*/)) AND t.typtype IN ('e', 'd', 'r', 'm') AND age(t.xmin) <= 0
  UNION SELECT 't', e.enumtypid FROM pg_enum e WHERE e.oid > /*WM*/ AND age(e.xmin) <= 0
  UNION SELECT 't', c.contypid FROM pg_constraint c WHERE c.oid > /*WM*/ AND c.contypid <> 0 AND age(c.xmin) <= 0
  UNION SELECT 'n', n.oid FROM pg_namespace n WHERE (n.oid > /*WM*/ OR n.oid IN (/*KNOWN*/)) AND age(n.xmin) <= 0
  UNION SELECT 'x', x.oid FROM pg_extension x WHERE (x.oid > /*WM*/ OR x.oid IN (/*KNOWN*/)) AND age(x.xmin) <= 0
  -- Grants and owners change rows without a lock.
  UNION SELECT 'r', c.oid FROM pg_class c WHERE $1::boolean AND c.oid >= 16384 AND age(c.xmin) <= 0
)
)sql";

// Those as id and anchor (NULL when the transaction no longer sees the object).
const char* kTouchedIds = R"sql(
SELECT t.k || ':' || t.oid,
       CASE t.k
         WHEN 'r' THEN (SELECT CASE WHEN c.relkind = 'c' THEN 'type:' ELSE 'rel:' END || n.nspname || chr(31) || c.relname
                        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                        WHERE c.oid = COALESCE((SELECT i.indrelid FROM pg_index i WHERE i.indexrelid = t.oid), t.oid))
         WHEN 'f' THEN (SELECT 'fn:' || n.nspname || chr(31) || p.proname FROM pg_proc p
                        JOIN pg_namespace n ON n.oid = p.pronamespace WHERE p.oid = t.oid)
         WHEN 't' THEN (SELECT CASE WHEN ty.typrelid <> 0 THEN 'rel:' ELSE 'type:' END || n.nspname || chr(31) ||
                               COALESCE((SELECT c.relname FROM pg_class c WHERE c.oid = ty.typrelid AND c.relkind <> 'c'), ty.typname)
                        FROM pg_type ty JOIN pg_namespace n ON n.oid = ty.typnamespace WHERE ty.oid = t.oid)
         WHEN 'n' THEN (SELECT 'schema:' || nspname FROM pg_namespace WHERE oid = t.oid)
         WHEN 'x' THEN (SELECT 'ext:' || extname FROM pg_extension WHERE oid = t.oid)
       END
FROM touched t WHERE t.k IS NOT NULL
)sql";

std::string replaced(std::string text, const std::string& marker, const std::string& with) {
    for (size_t at = text.find(marker); at != std::string::npos; at = text.find(marker, at)) {
        text.replace(at, marker.size(), with);
        at += with.size();
    }
    return text;
}

std::string withOwners(std::string sql, bool owners) {
    return replaced(std::move(sql), "$1::boolean", owners ? "true" : "false");
}

std::string allObjectsSql(bool owners) {
    std::string sql = std::string("WITH ") + kObjects;
    for (const char* marker : {"/*REL*/", "/*FN*/", "/*TYPE*/", "/*ALL*/"}) {
        sql = replaced(sql, marker, std::string(marker) == "/*ALL*/" ? "" : "true");
    }
    return withOwners(sql, owners);
}

// Rows ('o', key, definition, anchor, id) of the touched anchors' objects, found through the
// catalogs' name indexes, then ('t', id, NULL, anchor, NULL) of every touched object.
std::string touchedObjectsSql(bool owners) {
    std::string objects = kObjects;
    objects = replaced(objects, "/*REL*/",
                       "c.relname IN (SELECT name FROM names) AND 'rel:' || ns.nspname || "
                       "chr(31) || c.relname IN (SELECT anchor FROM names)");
    objects = replaced(objects, "/*FN*/",
                       "p.proname IN (SELECT name FROM names) AND 'fn:' || ns.nspname || chr(31) "
                       "|| p.proname IN (SELECT anchor FROM names)");
    objects = replaced(objects, "/*TYPE*/",
                       "t.typname IN (SELECT name FROM names) AND 'type:' || ns.nspname || "
                       "chr(31) || t.typname IN (SELECT anchor FROM names)");
    const std::string lastSelect = "SELECT key, value, anchor, oid FROM objects /*ALL*/";
    objects = replaced(objects, lastSelect,
                       "SELECT 'o', key, value, anchor, oid FROM objects "
                       "WHERE anchor IN (SELECT anchor FROM names)\n"
                       "UNION ALL SELECT 't', id, NULL, anchor, NULL FROM touched_ids");
    return withOwners(std::string("WITH ") + kTouched + ",\ntouched_ids(id, anchor) AS (" +
                          kTouchedIds +
                          "),\nnames AS (SELECT DISTINCT anchor, split_part(anchor, chr(31), "
                          "2)::name AS name FROM touched_ids WHERE anchor IS NOT NULL),\n" +
                          objects,
                      owners);
}

const std::string& cached(bool owners, std::string (*build)(bool)) {
    static std::map<std::pair<bool, std::string (*)(bool)>, std::string> texts;
    static std::mutex mutex;  // fleet runs work on several threads (map nodes never move)
    std::lock_guard<std::mutex> lock(mutex);
    auto& text = texts[{owners, build}];
    if (text.empty()) {
        text = build(owners);
    }
    return text;
}

void addObject(SchemaSnapshot& snapshot, const PGresult* r, int row, int first) {
    snapshot[PQgetvalue(r, row, first)] = {
        PQgetvalue(r, row, first + 2),
        PQgetisnull(r, row, first + 1) ? "" : PQgetvalue(r, row, first + 1),
        PQgetisnull(r, row, first + 3) ? "" : PQgetvalue(r, row, first + 3)};
}

}  // namespace

SchemaSnapshot takeSchemaSnapshot(Session& session, const SnapshotOptions& options) {
    auto r = session.execPrepared(cached(options.owners, allObjectsSql), {});
    SchemaSnapshot snapshot;
    for (int i = 0; i < PQntuples(r.get()); ++i) {
        addObject(snapshot, r.get(), i, 0);
    }
    return snapshot;
}

std::string touchedQuery(const SnapshotOptions& options, const TouchedScope& scope) {
    // The scope goes into the text, not parameters: the query is planned once per scope (a
    // generic plan with parameters cannot use the oid indexes as well), and a scope is kept
    // for many calls.
    std::string known;
    for (const auto& oid : scope.knownOids) {
        known += (known.empty() ? "" : ", ") + std::to_string(std::stoull(oid));
    }
    std::string sql = replaced(cached(options.owners, touchedObjectsSql), "/*WM*/",
                               std::to_string(std::stoull(scope.watermark)));
    return replaced(sql, "/*KNOWN*/", known.empty() ? "0" : known);
}

TouchedSnapshot readTouched(const PGresult* r) {
    TouchedSnapshot out;
    for (int i = 0; i < PQntuples(r); ++i) {
        if (PQgetvalue(r, i, 0)[0] == 'o') {
            addObject(out.snapshot, r, i, 1);
            continue;
        }
        TouchedObject t{PQgetvalue(r, i, 1), std::nullopt};
        if (!PQgetisnull(r, i, 3)) {
            t.anchor = PQgetvalue(r, i, 3);
        }
        out.touched.push_back(std::move(t));
    }
    return out;
}

TouchedSnapshot snapshotTouched(Session& session, const SnapshotOptions& options,
                                const TouchedScope& scope) {
    auto r = session.execPrepared(touchedQuery(options, scope), {});
    return readTouched(r.get());
}

std::string catalogWatermark(Session& session) {
    auto r = session.execParams(
        "SELECT greatest((SELECT max(oid) FROM pg_class), (SELECT max(oid) FROM pg_type), "
        "(SELECT max(oid) FROM pg_proc), (SELECT max(oid) FROM pg_constraint), "
        "(SELECT max(oid) FROM pg_enum), (SELECT max(oid) FROM pg_namespace), "
        "(SELECT max(oid) FROM pg_extension))::text");
    return PQgetvalue(r.get(), 0, 0);
}

std::map<std::string, std::string> anchorsOf(const SchemaSnapshot& snapshot) {
    std::map<std::string, std::string> out;
    for (const auto& [key, entry] : snapshot) {
        if (!entry.id.empty()) {
            out[entry.id] = entry.anchor;
        }
    }
    return out;
}

void replaceAnchors(SchemaSnapshot& snapshot, const std::set<std::string>& anchors,
                    const SchemaSnapshot& fresh) {
    std::erase_if(snapshot,
                  [&](const auto& entry) { return anchors.count(entry.second.anchor) != 0; });
    for (const auto& [key, entry] : fresh) {
        snapshot[key] = entry;
    }
}

SchemaSnapshot onlyAnchors(const SchemaSnapshot& snapshot, const std::set<std::string>& anchors) {
    SchemaSnapshot out;
    for (const auto& [key, entry] : snapshot) {
        if (anchors.count(entry.anchor) != 0) {
            out.emplace(key, entry);
        }
    }
    return out;
}

std::vector<SchemaDifference> diffSnapshots(const SchemaSnapshot& before,
                                            const SchemaSnapshot& after) {
    std::vector<SchemaDifference> out;
    auto b = before.begin();
    auto a = after.begin();
    while (b != before.end() || a != after.end()) {
        if (a == after.end() || (b != before.end() && b->first < a->first)) {
            out.push_back({b->first, b->second.definition, std::nullopt, b->second.anchor});
            ++b;
        } else if (b == before.end() || a->first < b->first) {
            out.push_back({a->first, std::nullopt, a->second.definition, a->second.anchor});
            ++a;
        } else {
            if (a->second.definition != b->second.definition) {
                out.push_back(
                    {a->first, b->second.definition, a->second.definition, a->second.anchor});
            }
            ++a;
            ++b;
        }
    }
    return out;
}

namespace {

// The object an anchor stands for ("table public.users"), as opposed to its parts.
bool isWholeObject(const std::string& key) {
    for (const char* kind : {"table ", "view ", "materialized view ", "foreign table ", "sequence ",
                             "function ", "procedure ", "aggregate ", "window function ", "type ",
                             "domain ", "schema ", "extension "}) {
        if (key.starts_with(kind)) {
            return true;
        }
    }
    return false;
}

}  // namespace

std::vector<FoldedDifference> foldDifferences(const std::vector<SchemaDifference>& diffs) {
    std::map<std::string, const SchemaDifference*> wholes;  // anchor -> its whole object
    for (const auto& d : diffs) {
        if (isWholeObject(d.key) && !(d.before && d.after)) {
            wholes[d.anchor] = &d;
        }
    }
    std::vector<FoldedDifference> out;
    std::map<const SchemaDifference*, size_t> position;
    std::vector<std::pair<const SchemaDifference*, std::string>> folded;
    for (const auto& d : diffs) {
        const auto whole = wholes.find(d.anchor);
        if (whole != wholes.end() && whole->second != &d &&
            d.before.has_value() == whole->second->before.has_value() &&
            d.after.has_value() == whole->second->after.has_value()) {
            folded.emplace_back(whole->second, d.key.substr(0, d.key.find(' ')));
        } else {
            position[&d] = out.size();
            out.push_back({&d, {}});
        }
    }
    for (const auto& [whole, kind] : folded) {
        out[position.at(whole)].parts[kind]++;
    }
    return out;
}

std::string partsText(const std::map<std::string, int>& parts) {
    std::string out;
    for (const auto& [kind, n] : parts) {
        const std::string plural = kind == "index" ? "indexes" : kind + "s";
        out += (out.empty() ? "" : ", ") + std::to_string(n) + " " + (n == 1 ? kind : plural);
    }
    return out;
}

}  // namespace dbtool::db
