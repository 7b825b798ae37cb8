#include "seed/undo.hpp"

#include <algorithm>
#include <map>

#include "base/text.hpp"

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

// "1 row of public.comments deleted (keys 17); ..."
std::string describe(const std::vector<db::CascadedRows>& rows) {
    std::string out;
    for (const auto& c : rows) {
        out += (out.empty() ? "" : "; ") + plural(c.rows, "row") + " of " + c.table + " " +
               c.action + (c.keys.empty() ? "" : " (keys " + firstFew(c.keys, c.rows) + ")");
    }
    return out;
}

// What became of a table the seed wrote to: "" when it is the same table.
std::string tableFate(const std::optional<db::TableInfo>& info, const std::string& recordedOid) {
    if (!info)
        return "dropped";
    if (!recordedOid.empty() && recordedOid != info->oid)
        return "dropped and recreated";
    return "";
}

}  // namespace

Staleness checkStaleness(db::TableLookup& catalog, db::SeedTable& table,
                         const db::AppliedSeed& seed) {
    bool checkable = false;
    int64_t inserted = 0;
    for (const auto& c : seed.tableCounts()) {
        auto info = catalog.find(c.table);
        if (const std::string fate = tableFate(info, c.oid); !fate.empty())
            return {true, c.table + " was " + fate + " since it ran"};
        if (c.inserted > 0 && !info->primaryKey.empty()) {
            inserted += c.inserted;
            checkable = true;
            if (table.anyRecordedRowExists(seed.name, *info))
                return {};
        }
    }
    if (!checkable)
        return {};
    return {true, "none of the " + std::to_string(inserted) + " rows it inserted are left"};
}

int64_t rowsPresent(db::TableLookup& catalog, db::SeedTable& table, const db::AppliedSeed& seed) {
    int64_t present = 0;
    for (const auto& c : seed.tableCounts()) {
        auto info = catalog.find(c.table);
        if (c.inserted == 0 || !tableFate(info, c.oid).empty())
            continue;
        // Rows of a table without a key cannot be told apart: taken as still there.
        present +=
            info->primaryKey.empty() ? c.inserted : table.countRecordedRows(seed.name, *info);
    }
    return present;
}

SeedOutcome undoSeed(db::Session& session, db::SeedTable& table, const db::AppliedSeed& seed,
                     const UndoOptions& options) {
    const bool includeChanged = options.includeChanged;
    const std::string what = options.what.empty() ? "undo seed " + seed.name : options.what;
    SeedOutcome outcome;
    outcome.name = seed.name;
    outcome.action = SeedOutcome::Action::Undone;
    db::Catalog catalog(session);
    std::map<std::string, int64_t> inserted;
    std::map<std::string, std::string> oids;
    for (const auto& c : seed.tableCounts()) {
        if (!c.undoable && c.inserted > 0 && !tableFate(catalog.find(c.table), c.oid).empty())
            continue;  // gone with its table
        if (!c.undoable && c.inserted > 0) {
            throw Error(ExitCode::Check,
                        "cannot " + what + ": table " + c.table +
                            " has no primary key, so the rows it inserted cannot be told apart",
                        {},
                        "delete them by hand, then unrecord the seed: DELETE FROM schema_seeds "
                        "WHERE name = '" +
                            seed.name + "'");
        }
        outcome.notRestored += c.updated;
        inserted[c.table] = c.inserted;
        oids[c.table] = c.oid;
    }
    std::optional<std::string> written;  // xmin of rows still as a seed wrote them
    if (seed.xids && !includeChanged)
        written = table.seedXids();
    auto tables = table.tablesOf(seed.name);
    std::reverse(tables.begin(), tables.end());
    for (const auto& tableId : tables) {
        TableCounts counts;
        counts.table = tableId;
        auto info = catalog.find(tableId);
        if (const std::string fate = tableFate(info, oids[tableId]); !fate.empty()) {
            counts.note = fate + " since the seed ran; nothing deleted";
            outcome.tables.push_back(counts);
            continue;
        }
        if (info->primaryKey.empty()) {
            throw Error(ExitCode::Check,
                        "cannot " + what + ": table " + tableId + " has no primary key any more");
        }
        if (!seed.xids && !includeChanged && table.anyRecordedRowExists(seed.name, *info)) {
            throw Error(ExitCode::Check,
                        "cannot " + what +
                            ": it was recorded by dbtool 0.1, which did not keep which rows are "
                            "still the ones it inserted; rows in " +
                            tableId + " with its keys may be the application's",
                        {},
                        "check them, then `dbtool seed undo " + seed.name +
                            " --include-changed` deletes every row with a recorded key");
        }
        try {
            analyzeIfStatisticsAreStale(session, *info, inserted[tableId]);
            const auto done = table.deleteRecordedRows(seed.name, *info, written, inserted[tableId],
                                                       db::cascadeProbes(session, info->oid, "d"));
            if (!done.cascaded.empty() && !options.cascade) {
                throw Error(ExitCode::Check,
                            "cannot " + what + ": deleting its rows of " + tableId +
                                " would reach rows that are not the seed's through foreign "
                                "keys: " +
                                describe(done.cascaded),
                            {},
                            "those rows were added by the application or another seed: delete "
                            "or re-point them first, or undo the seed that added them; "
                            "--cascade lets it happen, and reports every row it reaches");
            }
            outcome.cascaded.insert(outcome.cascaded.end(), done.cascaded.begin(),
                                    done.cascaded.end());
            outcome.deleted += done.deleted;
            outcome.kept += done.kept;
            counts.deleted = done.deleted;
            counts.kept = done.kept;
            counts.keptKeys = done.keptKeys;
            outcome.tables.push_back(counts);
        } catch (db::SqlError& e) {
            throw db::describeSqlError(
                e, "cannot " + what + ": " + e.what(), {},
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
