#pragma once

#include <string>

#include "db/catalog.hpp"
#include "db/seed_table.hpp"
#include "db/session.hpp"
#include "seed/outcome.hpp"

namespace dbtool {

// Whether an applied seed's rows can still be in the database: stale when a table it wrote
// to was dropped (or dropped and recreated: another oid under the same name), or when none
// of the rows it inserted is left (the tables were truncated or the rows deleted). A stale
// seed is shown as such by `seed status` and loaded again by `seed run`.
struct Staleness {
    bool stale = false;
    std::string reason;  // "public.users was dropped and recreated since it ran"
};
// How many of the rows `seed` inserted are still there (in the same tables, by key; rows of a
// table without a primary key are counted as there).
int64_t rowsPresent(db::TableLookup& catalog, db::SeedTable& table, const db::AppliedSeed& seed);
Staleness checkStaleness(db::TableLookup& catalog, db::SeedTable& table,
                         const db::AppliedSeed& seed);

// Deletes the rows `seed` inserted that are still the rows it inserted (its recorded keys,
// in the same table, last written by a seed: xmin among the xids every seed run wrote with),
// newest table first, and unrecords it, in the caller's transaction. So a row a later seed
// touched (an upsert, a trigger of its inserts) is still the seed's, even when that seed was
// undone since; one the application changed is kept and counted; rows
// it updated stay as they are (notRestored); tables dropped or recreated since are reported
// and left alone. With `includeChanged` every row with a recorded key in the same table is
// deleted (the user's explicit choice; also the only way to undo a seed recorded by dbtool
// 0.1, which did not keep the rows' identity). Throws Error(ExitCode::Check) when its rows
// cannot be told apart (a table without a primary key, or no identity recorded).
//
// Rows of other tables that the delete would reach through ON DELETE CASCADE, SET NULL or SET
// DEFAULT (the application's, another seed's, or this seed's changed ones) make it refuse
// with Error(ExitCode::Check), listing them, unless `cascade` is set; then they are reported
// in the outcome.
struct UndoOptions {
    bool includeChanged = false;
    bool cascade = false;
    std::string what;  // for errors: "undo seed 001_users" (the default), "re-run seed ..."
};
SeedOutcome undoSeed(db::Session& session, db::SeedTable& table, const db::AppliedSeed& seed,
                     const UndoOptions& options = {});

}  // namespace dbtool
