#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "db/session.hpp"

namespace dbtool::db {

// What a schema is made of, read from the system catalogs: one entry per object, keyed by what
// it is ("table public.users", "column public.users.email", "index public.users_email_idx",
// "trigger t on public.users", "function public.f(a integer)", "comment on table ...") with
// its definition as PostgreSQL prints it (pg_get_indexdef, pg_get_constraintdef,
// pg_get_viewdef, pg_get_functiondef, format_type, ...). Two equal snapshots are the same
// schema. Left out: PostgreSQL's own schemas, objects of extensions (the extension itself is
// kept, with its version), dbtool's tracking tables, sequence values and table data.
//
// Every entry belongs to an anchor: a table, view or sequence with everything on it (columns,
// constraints, indexes, triggers, policies, rules, comments), a function name with all its
// overloads, a type, a schema or an extension. A snapshot can be taken of some anchors only.
struct SnapshotEntry {
    std::string anchor;
    std::string definition;
    std::string id;  // "r:OID" (relation), "f:OID", "t:OID", "n:OID", "x:OID"; "" for parts
};
using SchemaSnapshot = std::map<std::string, SnapshotEntry>;

struct SnapshotOptions {
    bool owners = false;  // also "owner of ..." entries: owner and grants
};

SchemaSnapshot takeSchemaSnapshot(Session& session, const SnapshotOptions& options);

// What the open transaction of `session` has created, changed or dropped so far: every
// relation and object it holds a lock on (PostgreSQL locks what it alters or drops, each
// dependent of a CASCADE included, and each relation it creates) and the functions, types,
// schemas and extensions whose catalog rows it wrote. Each as its id and, when the
// transaction can still see it, its anchor; a dropped object's anchor is in a snapshot taken
// before (anchorsOf).
struct TouchedObject {
    std::string id;
    std::optional<std::string> anchor;
};
struct TouchedSnapshot {
    std::vector<TouchedObject> touched;
    SchemaSnapshot snapshot;  // the entries of the touched anchors the transaction can see
};
// Where to look for what a transaction changed without taking a lock: catalog rows newer than
// `watermark` (an OID taken before the transaction; objects created later have higher ones)
// and the rows of `knownOids` (functions, types, schemas and extensions that existed then).
// The default reads every user object.
struct TouchedScope {
    std::string watermark = "16383";  // the last OID PostgreSQL reserves for itself
    std::set<std::string> knownOids;
};
// One prepared query per scope: cheap enough to run twice per migration when the scope is kept
// for many migrations.
TouchedSnapshot snapshotTouched(Session& session, const SnapshotOptions& options,
                                const TouchedScope& scope = {});
// The same in two halves, for a pipeline: the query (run it as a prepared step) and the
// reading of its result.
std::string touchedQuery(const SnapshotOptions& options, const TouchedScope& scope);
TouchedSnapshot readTouched(const PGresult* result);
// The highest OID now in the catalogs a scope reads: a watermark for the next transactions.
std::string catalogWatermark(Session& session);

// id -> anchor of every object of a snapshot.
std::map<std::string, std::string> anchorsOf(const SchemaSnapshot& snapshot);

// `snapshot` with every entry of `anchors` replaced by those of `fresh` (a snapshot of just
// those anchors, taken later): how a snapshot follows a change without being taken again.
void replaceAnchors(SchemaSnapshot& snapshot, const std::set<std::string>& anchors,
                    const SchemaSnapshot& fresh);
SchemaSnapshot onlyAnchors(const SchemaSnapshot& snapshot, const std::set<std::string>& anchors);

// One object that differs between two snapshots.
struct SchemaDifference {
    std::string key;
    std::optional<std::string> before;  // nullopt: the object did not exist
    std::optional<std::string> after;
    std::string anchor;
};
std::vector<SchemaDifference> diffSnapshots(const SchemaSnapshot& before,
                                            const SchemaSnapshot& after);

// Differences as a reader wants them: a table (view, type, ...) that appeared or went whole is
// one entry, its columns, indexes, ... counted in `parts` ("column" -> 3) instead of listed.
struct FoldedDifference {
    const SchemaDifference* difference = nullptr;
    std::map<std::string, int> parts;
};
std::vector<FoldedDifference> foldDifferences(const std::vector<SchemaDifference>& diffs);
// "2 columns, 1 index" for the parts of a folded difference ("" when none).
std::string partsText(const std::map<std::string, int>& parts);

}  // namespace dbtool::db
