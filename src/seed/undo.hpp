#pragma once

#include "db/seed_table.hpp"
#include "db/session.hpp"
#include "seed/outcome.hpp"

namespace dbtool {

// Deletes exactly the rows `seed` inserted (by the keys it recorded), newest table first, and
// unrecords it, in the caller's transaction. Rows it updated stay as they are (counted in
// notRestored). Throws Error(ExitCode::Check) when its rows cannot be told apart (a table
// without a primary key, or one that no longer exists).
SeedOutcome undoSeed(db::Session& session, db::SeedTable& table, const db::AppliedSeed& seed);

}  // namespace dbtool
