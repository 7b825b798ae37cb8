#include "seed/undo.hpp"

#include <algorithm>
#include <map>

#include "db/catalog.hpp"

namespace dbtool {

namespace {

// The planner must know the table holds at least the rows to delete. A load that failed or
// was killed leaves pages of dead rows behind, and an ANALYZE of those (autovacuum's) records
// about zero rows in many pages; with that estimate a DELETE ... IN (keys) becomes a nested
// loop over every row of the table for every key (over 5 minutes for 15,000 keys in 75,000
// rows). So such a table is analyzed first, when it is ours to analyze.
void analyzeIfStatisticsAreStale(db::Session& session, const db::TableInfo& info,
                                 int64_t inserted) {
    auto stale = session.execParams(
        "SELECT reltuples < $2::float8 AND pg_has_role(relowner, 'USAGE') FROM pg_class "
        "WHERE oid = $1::regclass",
        {info.qualified, std::to_string(inserted)});
    if (PQntuples(stale.get()) == 1 && PQgetvalue(stale.get(), 0, 0)[0] == 't') {
        session.runScript("ANALYZE " + info.qualified);
    }
}

}  // namespace

SeedOutcome undoSeed(db::Session& session, db::SeedTable& table, const db::AppliedSeed& seed) {
    SeedOutcome outcome;
    outcome.name = seed.name;
    outcome.action = SeedOutcome::Action::Undone;
    std::map<std::string, int64_t> inserted;
    for (const auto& c : seed.tableCounts()) {
        if (!c.undoable && c.inserted > 0) {
            throw Error(ExitCode::Check,
                        "cannot undo seed " + seed.name + ": table " + c.table +
                            " has no primary key, so the rows it inserted cannot be told apart",
                        {},
                        "delete them by hand, then unrecord the seed: DELETE FROM schema_seeds "
                        "WHERE name = '" +
                            seed.name + "'");
        }
        outcome.notRestored += c.updated;
        inserted[c.table] = c.inserted;
    }
    db::Catalog catalog(session);
    auto tables = table.tablesOf(seed.name);
    std::reverse(tables.begin(), tables.end());
    for (const auto& tableId : tables) {
        auto info = catalog.find(tableId);
        if (!info || info->primaryKey.empty()) {
            throw Error(ExitCode::Check,
                        "cannot undo seed " + seed.name + ": table " + tableId +
                            (info ? " has no primary key any more" : " no longer exists"));
        }
        try {
            analyzeIfStatisticsAreStale(session, *info, inserted[tableId]);
            const int64_t deleted = table.deleteRecordedRows(seed.name, *info);
            outcome.deleted += deleted;
            TableCounts counts;
            counts.table = tableId;
            counts.deleted = deleted;
            outcome.tables.push_back(counts);
        } catch (db::SqlError& e) {
            throw db::describeSqlError(
                e, "cannot undo seed " + seed.name + ": " + e.what(), {},
                e.server().sqlstate == "23503"
                    ? "rows added since (by the application or a later seed) still refer to rows "
                      "of this seed; undo the later seed first, or delete those rows"
                    : e.hint());
        }
    }
    table.forget(seed.name);
    return outcome;
}

}  // namespace dbtool
