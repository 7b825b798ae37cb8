#include "migrate/drift.hpp"

#include <set>

#include "db/migration_table.hpp"
#include "db/repeatable_table.hpp"
#include "migrate/migrator.hpp"

namespace dbtool {

const char* driftKindName(DriftEntry::Kind kind) {
    switch (kind) {
        case DriftEntry::Kind::Added:
            return "added";
        case DriftEntry::Kind::Missing:
            return "missing";
        case DriftEntry::Kind::Altered:
            return "altered";
    }
    return "?";
}

namespace {

// One entry per difference, the parts of an object added or missing whole folded into it.
std::vector<DriftEntry> entriesOf(const std::vector<db::SchemaDifference>& diffs) {
    std::vector<DriftEntry> out;
    for (const auto& f : db::foldDifferences(diffs)) {
        const db::SchemaDifference& d = *f.difference;
        DriftEntry e;
        e.kind = !d.before  ? DriftEntry::Kind::Added
                 : !d.after ? DriftEntry::Kind::Missing
                            : DriftEntry::Kind::Altered;
        e.object = d.key;
        e.expected = d.before;
        e.actual = d.after;
        e.parts = f.parts;
        out.push_back(std::move(e));
    }
    return out;
}

class Quiet : public MigrationObserver {};

}  // namespace

DriftReport findDrift(db::Session& live, db::Session& scratch, MigrationSet files,
                      const std::string& trackingSchema, const db::SnapshotOptions& options) {
    DriftReport report;
    const std::string schema = db::resolveTrackingSchema(live, trackingSchema);
    std::vector<db::KnownMigration> known;
    for (const auto& m : files.versioned) {
        known.push_back({m.version, m.name});
    }
    const auto applied = db::MigrationTable(live, schema).read(known);
    std::set<std::string> appliedVersions;
    for (const auto& row : applied) {
        appliedVersions.insert(canonicalVersion(row.version));
    }
    std::vector<Migration> versioned;
    std::set<std::string> withFile;
    for (auto& m : files.versioned) {
        if (appliedVersions.count(canonicalVersion(m.version)) != 0) {
            withFile.insert(canonicalVersion(m.version));
            versioned.push_back(std::move(m));
        }
    }
    for (const auto& row : applied) {
        if (withFile.count(canonicalVersion(row.version)) == 0) {
            report.withoutFile.push_back(row.version);
        }
    }
    std::set<std::string> appliedRepeatables;
    for (const auto& row : db::RepeatableTable(live, schema).read()) {
        appliedRepeatables.insert(row.name);
    }
    std::vector<Migration> repeatables;
    for (auto& r : files.repeatable) {
        if (appliedRepeatables.count(r.name) != 0) {
            repeatables.push_back(std::move(r));
        }
    }
    report.migrationsApplied = static_cast<int>(versioned.size());
    report.repeatablesApplied = static_cast<int>(repeatables.size());

    MigrationSet build;
    build.versioned = std::move(versioned);
    build.repeatable = std::move(repeatables);
    build.beforeMigrate = std::move(files.beforeMigrate);
    build.afterMigrate = std::move(files.afterMigrate);
    Quiet quiet;
    Migrator migrator(scratch, std::move(build), schema, quiet);
    UpOptions up;
    up.allowOutOfOrder = true;  // the live database's order is whatever it was
    up.allowEmpty = true;
    migrator.up(up, RunOptions{});

    report.entries = entriesOf(db::diffSnapshots(db::takeSchemaSnapshot(scratch, options),
                                                 db::takeSchemaSnapshot(live, options)));
    return report;
}

}  // namespace dbtool
