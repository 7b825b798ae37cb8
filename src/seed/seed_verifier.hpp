#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/errors.hpp"
#include "db/session.hpp"
#include "seed/seed_files.hpp"
#include "seed/seeder.hpp"

namespace dbtool {

// One seed's check: loading it and undoing it must leave every table's data as it was.
struct SeedVerdict {
    std::string seed;
    enum class Result { Ok, Differs, UndoFailed } result = Result::Ok;
    // "undo of seed 002_users left 1 row in public.users (3 before, 4 after)", ...
    std::vector<std::string> differences;
    std::optional<Error> failure;  // UndoFailed: why dbtool refused or failed to undo it
    int64_t ms = 0;
};
const char* seedVerdictName(SeedVerdict::Result result);

// For `migrate verify --seeds`, after the migrations: each seed of `files` in order is loaded,
// undone, and every table's data compared with before (row counts and a digest of the rows;
// sequences are not compared: PostgreSQL never gives their numbers back). Then the seed is
// loaded again for the seeds after it, which may reference its rows. A seed that fails to
// load stops the check (Error at its file:line, as seed run reports it).
std::vector<SeedVerdict> verifySeeds(db::Session& session, const std::vector<SeedFile>& files,
                                     const std::string& trackingSchema,
                                     const std::string& environment, SeedObserver& observer);

}  // namespace dbtool
