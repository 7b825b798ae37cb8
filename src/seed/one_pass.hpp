#pragma once

#include <filesystem>
#include <vector>

#include "seed/load_context.hpp"
#include "seed/outcome.hpp"
#include "seed/plan.hpp"

namespace dbtool {

// Loading a seed file in one pass over it, for the usual shape of a large one: one table
// entry of rows without labels or references, and no generate:, csv: or on_conflict other than
// error. Every row is checked as the two-pass path's plan checks it (seed/plan's SeedPlanner,
// fed each event first) and then copied; a row with other columns than the one before it
// starts another COPY (unless it gives a serial or identity column the rows before it left
// to its sequence, or the other way round: the two passes handle that mix). The errors and their
// positions are those of the two passes, found while loading instead of before, and the seed's
// transaction rolls back what was copied.

// Thrown when the file turns out to have another shape: the caller rolls the seed's
// transaction back and loads the file in two passes. Not a std::exception, so error handling
// on its way passes it through untouched. When rows were copied by then (a given id after
// defaulted ones, or a shape the quick scan could not see, such as an escaped key), the
// sequences they drew from stay advanced, as after any failed transaction.
struct OnePassDeclined {};

// Whether a one-pass load is worth trying: the file has exactly one top-level key, written at
// the start of a line as block-style YAML has it, and its text names no label, reference,
// generate:, csv: or on_conflict: (a scan of the bytes, about 30 times faster than parsing).
bool mayLoadInOnePass(const std::filesystem::path& path);

struct OnePassResult {
    SeedPlan plan;
    std::vector<TableCounts> counts;
};

// Loads the context's file in one pass; throws OnePassDeclined (see above), or Error like the
// two passes. Runs inside the seed's transaction.
OnePassResult loadInOnePass(LoadContext& context);

}  // namespace dbtool
