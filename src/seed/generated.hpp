#pragma once

#include "seed/load_context.hpp"

namespace dbtool {

// The rows of a `generate:` entry, rendered one at a time from its templates.

// True when the generated rows of `t` can stream through COPY: no labels, upserts, DEFAULT
// cells or always-identity overrides.
bool generatedCopyable(const TablePlan& t);

// Loads the generated rows, through COPY when `copyable` (their keys are then left for the
// caller to record with the entry's other copied rows), else in batches of INSERT ...
// RETURNING that record their keys.
void loadGenerated(LoadContext& context, const TablePlan& t, TableCounts& counts, bool copyable);

}  // namespace dbtool
