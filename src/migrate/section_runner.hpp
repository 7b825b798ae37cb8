#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>

#include "db/migration_table.hpp"
#include "db/session.hpp"
#include "migrate/migration.hpp"

namespace dbtool {

// A section failed on the server: what was sent (a whole section, or one statement of a
// transaction:false section) and where it starts in the section, to map the server's error
// position back to the file.
struct SectionFailure {
    db::SqlError error;
    std::string sent;
    size_t offset = 0;
    // transaction:false only: statements committed before the failing one, and in all.
    std::optional<std::pair<size_t, size_t>> partial;
};

// Runs one section of `m` as migrate up/down does: a transactional section as one query in
// the caller's open transaction, a transaction:false one statement by statement (`committed`
// is told how many have committed). Returns the milliseconds it took; throws SectionFailure
// when the server rejects it, Error when a transactional section ended the transaction.
int64_t runSection(db::Session& session, const Migration& m, const MigrationSection& section,
                   const std::function<void(size_t)>& committed = {});

// Runs a transactional section as one pipeline (one round trip): the `before` steps, each of
// the section's statements as a message of its own, the `after` steps. Returns every step's
// result, or nullopt without sending anything when the section does not suit a pipeline
// (large, or a COPY). Throws SectionFailure when one of the section's statements fails (the
// steps after it did not run), SqlError when a before or after step does; an open transaction
// is then left aborted for the caller to roll back.
std::optional<std::vector<db::ResultPtr>> runSectionInPipeline(
    db::Session& session, const MigrationSection& section,
    std::vector<db::Session::PipelineStep> before, std::vector<db::Session::PipelineStep> after);

// Applies the up section of `m` (transactional) and records it in `table` in one round trip:
// BEGIN, the section's statements, the tracking row and COMMIT sent as one pipeline. Returns
// the milliseconds recorded, or nullopt without sending anything when the section does not
// suit a pipeline (large, or a COPY), for the caller to take the ordinary path. Throws
// SectionFailure when a statement fails and Error when the transaction did not hold; either
// way the transaction is rolled back.
std::optional<int64_t> applyInOneRoundTrip(db::Session& session, const Migration& m,
                                           const db::MigrationTable& table);

// Where in the file the server's error points: its position when it gives one, else the
// start of the statement that failed, else the section.
SourceLocation errorLocation(const MigrationSection& section, const SectionFailure& f);

}  // namespace dbtool
