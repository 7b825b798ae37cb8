#include "seed/seeder.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>

#include "base/duration.hpp"
#include "db/catalog.hpp"
#include "db/interrupt.hpp"
#include "db/migration_table.hpp"
#include "seed/loader.hpp"
#include "seed/one_pass.hpp"
#include "seed/plan.hpp"
#include "seed/undo.hpp"

namespace dbtool {

namespace {

using Clock = std::chrono::steady_clock;

std::map<std::string, db::AppliedSeed> byName(std::vector<db::AppliedSeed> applied) {
    std::map<std::string, db::AppliedSeed> out;
    for (auto& a : applied)
        out[a.name] = std::move(a);
    return out;
}

}  // namespace

const char* seedStateName(SeedState state) {
    switch (state) {
        case SeedState::Applied:
            return "applied";
        case SeedState::Pending:
            return "pending";
        case SeedState::Changed:
            return "changed";
        case SeedState::Missing:
            return "missing";
        case SeedState::Stale:
            return "stale";
    }
    return "unknown";
}

Seeder::Seeder(db::Session& session, std::vector<SeedFile> files, const std::string& trackingSchema,
               std::string environment, SeedObserver& observer)
    : session_(session),
      files_(std::move(files)),
      schema_(db::resolveTrackingSchema(session, trackingSchema)),
      environment_(std::move(environment)),
      observer_(observer) {}

std::vector<SeedStatus> Seeder::status() {
    db::SeedTable table(session_, schema_);
    db::Catalog catalog(session_);
    auto applied = byName(table.read());
    std::vector<SeedStatus> out;
    for (const auto& f : files_) {
        SeedStatus s;
        s.name = f.name;
        s.file = &f;
        if (auto it = applied.find(f.name); it != applied.end()) {
            s.applied = it->second;
            const SeedPlan plan = planSeed(f, nullptr, {});
            s.state = seedChecksum(f, plan.csvFiles) == it->second.checksum ? SeedState::Applied
                                                                            : SeedState::Changed;
            if (const Staleness st = checkStaleness(catalog, table, it->second); st.stale) {
                s.state = SeedState::Stale;
                s.reason = st.reason;
            }
            s.rowsPresent = rowsPresent(catalog, table, it->second);
            applied.erase(it);
        }
        out.push_back(std::move(s));
    }
    for (auto& [name, a] : applied) {
        if (!a.environment.empty() && a.environment != environment_)
            continue;  // another env's
        SeedStatus s;
        s.name = name;
        s.state = SeedState::Missing;
        s.applied = a;
        s.rowsPresent = rowsPresent(catalog, table, a);
        out.push_back(std::move(s));
    }
    return out;
}

void Seeder::checkNamesExist(const std::vector<std::string>& wantedNames) const {
    for (const auto& wanted : wantedNames) {
        if (std::any_of(files_.begin(), files_.end(),
                        [&](const auto& f) { return seedMatches(f, wanted); })) {
            continue;
        }
        // Suggest among full names and names without their order prefix.
        std::vector<std::string> names;
        std::map<std::string, std::string> fullName;
        for (const auto& f : files_) {
            names.push_back(f.name);
            fullName[f.name] = f.name;
            const std::string stem = f.path.stem().string();
            const std::string shortName = stem.substr(stem.find('_') + 1);
            names.push_back(shortName);
            fullName[shortName] = f.name;
        }
        const std::string best = closestMatch(wanted, names);
        throw Error(ExitCode::Usage,
                    "no seed named '" + wanted + "'" +
                        (best.empty() ? "" : ", did you mean '" + fullName[best] + "'?"),
                    {}, "`dbtool seed status` lists the seeds");
    }
}

SeedOutcome Seeder::runOne(db::LockedRun& run, const SeedFile& file,
                           const db::AppliedSeed* previous, bool named,
                           const SeedRunOptions& options, db::SeedTable& table) {
    SeedOutcome outcome;
    outcome.name = file.name;
    // A one-pass attempt that meets another shape of file rolls the whole transaction back
    // (undo of a previous run included) and the seed runs again in two passes.
    bool tryOnePass = true;
    for (;;) {
        try {
            runOneTransaction(run, file, previous, named, options, table, tryOnePass, outcome);
            break;
        } catch (const OnePassDeclined&) {
            tryOnePass = false;
            outcome = SeedOutcome{};
            outcome.name = file.name;
        }
    }
    if (outcome.action == SeedOutcome::Action::Ran ||
        outcome.action == SeedOutcome::Action::Rerun ||
        outcome.action == SeedOutcome::Action::Reloaded)
        run.completed({file.name, {{"name", file.name}}});
    return outcome;
}

void Seeder::runOneTransaction(db::LockedRun& run, const SeedFile& file,
                               const db::AppliedSeed* previous, bool named,
                               const SeedRunOptions& options, db::SeedTable& table, bool tryOnePass,
                               SeedOutcome& outcome) {
    const auto start = Clock::now();
    const db::UnitOfWork unit{
        "seed", file.name,
        options.dryRun ? "dry run: the seeds before it loaded without error; everything was "
                         "rolled back, nothing was changed"
                       : "seed " + file.name + " was rolled back: none of its rows remain"};
    run.inTransaction(unit, [&] {
        table.ensure();  // in the seed's transaction: a failed first seed leaves no tables
        db::Catalog catalog(session_);
        const Staleness staleness =
            previous != nullptr ? checkStaleness(catalog, table, *previous) : Staleness{};
        if (previous != nullptr && !staleness.stale) {
            // Whether an applied seed runs again is decided before it is validated: one that
            // stays as it is is not checked against tables and labels it no longer needs.
            const bool changed =
                previous->checksum != seedChecksum(file, planSeed(file, nullptr, {}).csvFiles);
            if (!options.force || (!changed && !named)) {
                outcome.action = changed ? SeedOutcome::Action::ChangedNotRerun
                                         : SeedOutcome::Action::AlreadyApplied;
                return;  // nothing written: the empty transaction commits
            }
        }
        // Two passes: plan (validates everything against the catalog), undo the previous run,
        // then load. One pass (the usual shape of a large file, see seed/one_pass): undo, then
        // check and load each row as it is read.
        // (The scan that decides reads the file: only for a seed that loads.)
        const bool onePass = tryOnePass && mayLoadInOnePass(file.path);
        std::optional<SeedPlan> plan;
        if (!onePass) {
            plan = planSeed(file, &catalog, [&](const std::string& t, const std::string& l) {
                return table.exists() && table.label(t, l).has_value();
            });
            for (const auto& w : plan->warnings)
                observer_.warning(w);
        }
        const std::string checksum =
            seedChecksum(file, plan ? plan->csvFiles : std::vector<std::filesystem::path>{});
        if (previous != nullptr) {
            // Loaded again: what is left of its rows goes first, its tracking rows are replaced.
            UndoOptions undo;
            undo.cascade = options.cascade;
            undo.what = std::string(staleness.stale ? "reload" : "re-run") + " seed " + file.name +
                        " (its previous rows are deleted first)";
            const SeedOutcome undone = undoSeed(session_, table, *previous, undo);
            outcome.cascaded = undone.cascaded;
            outcome.action =
                staleness.stale ? SeedOutcome::Action::Reloaded : SeedOutcome::Action::Rerun;
            outcome.reason = staleness.reason;
            outcome.deleted = undone.deleted;
            outcome.notRestored = undone.notRestored;
        }
        LoadContext context(session_, table, file, options.randomSeed);
        context.onRows([this](const std::string& t, int64_t rows, double fraction) {
            observer_.rows(t, rows, fraction);
        });
        if (plan) {
            SeedLoader loader(context, *plan);
            loader.load();
            outcome.tables = loader.counts();
        } else {
            OnePassResult loaded = loadInOnePass(context);
            plan = std::move(loaded.plan);
            outcome.tables = std::move(loaded.counts);
            outcome.onePass = true;
        }
        db::AppliedSeed record;
        record.name = file.name;
        record.checksum = checksum;
        record.environment = file.environment;
        std::vector<db::SeededTableCounts> counts;
        for (const auto& c : outcome.tables) {
            record.rowsInserted += c.inserted;
            record.rowsUpdated += c.updated;
            const auto t = std::find_if(plan->tables.begin(), plan->tables.end(),
                                        [&](const TablePlan& p) { return p.info.id() == c.table; });
            const bool undoable = t == plan->tables.end() || !t->info.primaryKey.empty();
            counts.push_back({c.table, c.inserted, c.updated, c.skipped, undoable,
                              t == plan->tables.end() ? std::string() : t->info.oid});
        }
        record.executionMs = msSince(start);
        table.record(record, counts, static_cast<int64_t>(options.randomSeed), context.xids());
        outcome.ms = record.executionMs;
    });
}

std::vector<SeedOutcome> Seeder::run(const SeedRunOptions& options) {
    checkNamesExist(options.names);
    std::vector<SeedOutcome> outcomes;
    db::SeedTable table(session_, schema_);
    db::LockedRun run(
        session_, schema_, [this](const std::string& holder) { observer_.waitingForLock(holder); },
        options.dryRun ? "checked in this dry run" : "applied in this run");
    // A dry run does the real work, so the server checks every type, constraint and trigger
    // and later seeds see the rows and labels of earlier ones; all of it is rolled back.
    if (options.dryRun)
        run.rollBackAtEnd();
    // Read what is applied only now, under the lock: another process may just have finished.
    const auto applied = byName(table.read());
    auto isNamed = [&](const SeedFile& file) {
        return std::any_of(options.names.begin(), options.names.end(),
                           [&](const auto& w) { return seedMatches(file, w); });
    };
    // A file that is not a readable seed (YAML syntax, a duplicate key, a tab, its structure)
    // stops the run before any seed loads, not after the ones before it. The first file to
    // load is read in its own transaction, which its errors roll back before anything else
    // ran; the others are read here.
    bool first = true;
    for (const auto& file : files_) {
        const bool named = isNamed(file);
        if ((!options.names.empty() && !named) ||
            (applied.count(file.name) != 0 && !named && !options.force))
            continue;
        if (!first) {
            try {
                checkSeedFileOffline(file.path);
            } catch (Error& e) {
                e.withField("outcome", "found before any seed was loaded: nothing was changed");
                e.withList(run.completedField(), {});
                throw;
            }
        }
        first = false;
    }
    for (const auto& file : files_) {
        const bool named = isNamed(file);
        if (!options.names.empty() && !named)
            continue;
        run.checkInterrupted("seed " + file.name);
        const auto it = applied.find(file.name);
        const db::AppliedSeed* previous = it == applied.end() ? nullptr : &it->second;
        observer_.starting(file.name);
        SeedOutcome outcome = runOne(run, file, previous, named, options, table);
        outcome.dryRun = options.dryRun;
        observer_.done(outcome);
        outcomes.push_back(std::move(outcome));
    }
    return outcomes;
}

std::vector<SeedOutcome> Seeder::undo(const std::optional<std::string>& name, bool all,
                                      const UndoOptions& options) {
    db::LockedRun run(
        session_, schema_, [this](const std::string& holder) { observer_.waitingForLock(holder); },
        "undone in this run");
    db::SeedTable table(session_, schema_);
    // The environment's seeds only (shared ones and its own folder's), newest first: the
    // order they were applied in, reversed.
    std::vector<db::AppliedSeed> applied;
    for (auto& a : table.read()) {
        if (a.environment.empty() || a.environment == environment_)
            applied.push_back(std::move(a));
    }
    std::map<std::string, size_t> position;
    for (size_t i = 0; i < files_.size(); ++i)
        position[files_[i].name] = i;
    std::sort(applied.begin(), applied.end(), [&](const auto& a, const auto& b) {
        if (a.appliedAtMicros != b.appliedAtMicros)
            return a.appliedAtMicros > b.appliedAtMicros;
        return (position.count(a.name) ? position[a.name] : 0) >
               (position.count(b.name) ? position[b.name] : 0);
    });
    std::vector<db::AppliedSeed> chosen;
    if (name) {
        for (const auto& a : applied) {
            SeedFile probe;
            probe.name = a.name;
            probe.path = a.name + ".yaml";
            if (seedMatches(probe, *name))
                chosen.push_back(a);
        }
        if (chosen.empty()) {
            throw Error(ExitCode::Check, "seed '" + *name + "' is not applied", {},
                        "`dbtool seed status` lists the applied seeds");
        }
    } else if (all) {
        chosen = applied;
    } else if (!applied.empty()) {
        chosen.push_back(applied.front());
    }
    std::vector<SeedOutcome> outcomes;
    for (const auto& seed : chosen) {
        run.checkInterrupted("undoing seed " + seed.name);
        const auto start = Clock::now();
        SeedOutcome o;
        run.inTransaction({"", "undoing seed " + seed.name, ""},
                          [&] { o = undoSeed(session_, table, seed, options); });
        run.completed({seed.name, {{"name", seed.name}}});
        o.ms = msSince(start);
        observer_.done(o);
        outcomes.push_back(o);
    }
    return outcomes;
}

}  // namespace dbtool
