#include "migrate/verifier.hpp"

#include <algorithm>
#include <chrono>

#include "base/duration.hpp"
#include "db/interrupt.hpp"
#include "migrate/section_runner.hpp"

namespace dbtool {

const char* verdictName(VerifyVerdict verdict) {
    switch (verdict) {
        case VerifyVerdict::Ok:
            return "ok";
        case VerifyVerdict::NoDown:
            return "no down";
        case VerifyVerdict::Differs:
            return "differs";
        case VerifyVerdict::DownFailed:
            return "down failed";
    }
    return "?";
}

int VerifyResult::count(VerifyVerdict verdict) const {
    return static_cast<int>(
        std::count_if(verdicts.begin(), verdicts.end(),
                      [&](const MigrationVerdict& v) { return v.verdict == verdict; }));
}

std::string describeDifference(const db::SchemaDifference& d) {
    if (!d.before) {
        return "left " + d.key;
    }
    if (!d.after) {
        return "dropped " + d.key + ", which existed before the up";
    }
    std::string before = *d.before;
    std::string after = *d.after;
    // Long definitions (views, functions) are shown whole only when short enough to read.
    constexpr size_t kShown = 160;
    if (before.size() > kShown || after.size() > kShown || before.find('\n') != std::string::npos ||
        after.find('\n') != std::string::npos) {
        return "changed " + d.key + " (its definition differs from before the up)";
    }
    return "changed " + d.key + ": " + before + " -> " + after;
}

std::vector<std::string> summarizeDifferences(const std::vector<db::SchemaDifference>& diffs) {
    // A table left or dropped whole is one line, its columns, indexes, ... counted in it.
    std::vector<std::string> out;
    for (const auto& f : db::foldDifferences(diffs)) {
        std::string line = describeDifference(*f.difference);
        if (!f.parts.empty()) {
            line += " (with its " + db::partsText(f.parts) + ")";
        }
        out.push_back(line);
    }
    return out;
}

namespace {

class Verifier {
  public:
    Verifier(db::Session& work, const VerifyOptions& options) : work_(work), options_(options) {
        // The schema as it stands between migrations, kept up to date from what each up
        // touched: the "before" of every comparison, without reading the catalog again.
        resnapshot();
    }

    MigrationVerdict verify(const Migration& m) {
        const auto start = std::chrono::steady_clock::now();
        if (verified_++ % kScopeEvery == 0) {
            refreshScope();
        }
        MigrationVerdict v;
        v.migration = &m;
        if (!m.down.present || !m.down.hasStatements()) {
            v.verdict = VerifyVerdict::NoDown;
            if (m.up.transaction) {
                exec("BEGIN");
                runOrThrow(m, m.up, "up");
                follow();
                exec("COMMIT");
            } else {
                runOrThrow(m, m.up, "up");
                resnapshot();
            }
        } else if (m.up.transaction && m.down.transaction) {
            verifyInTransaction(m, v);
        } else {
            verifyWithWholeSnapshots(m, v);
        }
        v.ms = msSince(start);
        return v;
    }

  private:
    void exec(const std::string& sql) { work_.runScript(sql); }

    void resnapshot() {
        current_ = db::takeSchemaSnapshot(work_, options_.snapshot);
        ids_ = db::anchorsOf(current_);
    }

    // Between migrations (no transaction open): a new watermark and the functions, types,
    // schemas and extensions known now, so the touched-objects query reads only rows newer than
    // the last few dozen migrations' and those. Kept for kScopeEvery migrations: each new scope
    // is a new query text to plan.
    static constexpr int kScopeEvery = 50;
    void refreshScope() {
        scope_.watermark = db::catalogWatermark(work_);
        scope_.knownOids.clear();
        for (const auto& [id, anchor] : ids_) {
            if (id.size() > 2 && id[0] != 'r') {
                scope_.knownOids.insert(id.substr(2));
            }
        }
    }

    // What the open transaction touched so far, with the anchors objects had in the snapshot
    // before (a dropped object's, which the transaction can no longer name, and a renamed
    // one's old name).
    std::pair<std::set<std::string>, db::SchemaSnapshot> touched() {
        return touchedFrom(db::snapshotTouched(work_, options_.snapshot, scope_));
    }
    std::pair<std::set<std::string>, db::SchemaSnapshot> touchedFrom(db::TouchedSnapshot t) {
        std::set<std::string> anchors;
        for (const auto& object : t.touched) {
            if (object.anchor) {
                anchors.insert(*object.anchor);
            }
            // Under the name it had before: a dropped object's, or a renamed one's old name.
            if (const auto it = ids_.find(object.id); it != ids_.end()) {
                anchors.insert(it->second);
            }
        }
        return {std::move(anchors), std::move(t.snapshot)};
    }

    // The touched-objects query as a step of a pipeline.
    db::Session::PipelineStep touchedStep() const {
        return {db::touchedQuery(options_.snapshot, scope_), {}, true};
    }

    // Brings current_ up to the open transaction's state, reading only what it touched.
    void follow() { followFrom(db::snapshotTouched(work_, options_.snapshot, scope_)); }
    void followFrom(db::TouchedSnapshot t) {
        const auto [anchors, fresh] = touchedFrom(std::move(t));
        db::replaceAnchors(current_, anchors, fresh);
        for (const auto& [id, anchor] : db::anchorsOf(fresh)) {
            ids_[id] = anchor;
        }
    }

    void runOrThrow(const Migration& m, const MigrationSection& section, const char* direction) {
        try {
            runSection(work_, m, section);
        } catch (SectionFailure& f) {
            if (PQtransactionStatus(work_.raw()) != PQTRANS_IDLE) {
                exec("ROLLBACK");
            }
            throw failure(m, direction, f, section);
        }
    }

    Error failure(const Migration& m, const char* direction, const SectionFailure& f,
                  const MigrationSection& section) {
        const bool interrupted = f.error.code() == ExitCode::Interrupted;
        return db::describeSqlError(
            f.error,
            interrupted
                ? "interrupted while verifying migration " + m.label()
                : "migration " + m.label() + " failed (" + direction + "): " + f.error.what(),
            errorLocation(section, f));
    }

    // Up and down in one transaction; the state after the down is compared with current_ on
    // the objects they touched, then the transaction goes back to just after the up (a
    // savepoint) and commits: each section runs once, and only touched objects are read.
    // Three round trips a migration when the sections suit a pipeline (runSectionInPipeline):
    // BEGIN, the up and the savepoint; the down and the touched objects; the rollback to the
    // savepoint, the touched objects again and COMMIT.
    void verifyInTransaction(const Migration& m, MigrationVerdict& v) {
        try {
            const auto up = runSectionInPipeline(work_, m.up, {{"BEGIN", {}}},
                                                 {{"SAVEPOINT dbtool_verify_after_up", {}}});
            if (!up) {
                exec("BEGIN");
                runSection(work_, m, m.up);
                exec("SAVEPOINT dbtool_verify_after_up");
            }
        } catch (SectionFailure& f) {
            if (PQtransactionStatus(work_.raw()) != PQTRANS_IDLE) {
                exec("ROLLBACK");
            }
            throw failure(m, "up", f, m.up);
        }
        try {
            std::pair<std::set<std::string>, db::SchemaSnapshot> seen;
            if (auto down = runSectionInPipeline(work_, m.down, {}, {touchedStep()})) {
                seen = touchedFrom(db::readTouched(down->back().get()));
            } else {
                runSection(work_, m, m.down);
                seen = touched();
            }
            const auto& [anchors, after] = seen;
            v.differences = db::diffSnapshots(db::onlyAnchors(current_, anchors), after);
            v.verdict = v.differences.empty() ? VerifyVerdict::Ok : VerifyVerdict::Differs;
        } catch (SectionFailure& f) {
            if (f.error.code() == ExitCode::Interrupted) {
                exec("ROLLBACK");
                throw failure(m, "down", f, m.down);
            }
            v.verdict = VerifyVerdict::DownFailed;
            v.failure = failure(m, "down", f, m.down);
        }
        // The down's locks go with the rollback; what the up touched is read, and kept.
        const auto back = work_.pipeline(
            {{"ROLLBACK TO SAVEPOINT dbtool_verify_after_up", {}}, touchedStep(), {"COMMIT", {}}});
        followFrom(db::readTouched(back[1].get()));
    }

    // A transaction:false section commits statement by statement: the whole schema is read
    // after the down, and the up runs a second time to go on.
    void verifyWithWholeSnapshots(const Migration& m, MigrationVerdict& v) {
        runOrThrow(m, m.up, "up");
        if (m.down.transaction) {
            exec("BEGIN");
        }
        try {
            runSection(work_, m, m.down);
        } catch (SectionFailure& f) {
            if (PQtransactionStatus(work_.raw()) != PQTRANS_IDLE) {
                exec("ROLLBACK");
            }
            if (f.error.code() == ExitCode::Interrupted || !m.down.transaction) {
                // Part of a transaction:false down may have run: nothing after it is sound.
                throw failure(m, "down", f, m.down);
            }
            v.verdict = VerifyVerdict::DownFailed;
            v.failure = failure(m, "down", f, m.down);
            resnapshot();  // after the up
            return;
        }
        if (m.down.transaction) {
            exec("COMMIT");
        }
        v.differences =
            db::diffSnapshots(current_, db::takeSchemaSnapshot(work_, options_.snapshot));
        v.verdict = v.differences.empty() ? VerifyVerdict::Ok : VerifyVerdict::Differs;
        try {
            runSection(work_, m, m.up);
        } catch (SectionFailure& f) {
            if (PQtransactionStatus(work_.raw()) != PQTRANS_IDLE) {
                exec("ROLLBACK");
            }
            // What the down left in place stands in the up's way: later migrations would
            // find a schema no real run produces.
            v.failure = failure(m, "up, again after its down", f, m.up);
            v.stopsTheRun = true;
        }
        resnapshot();
    }

    db::Session& work_;
    const VerifyOptions& options_;
    db::SchemaSnapshot current_;
    std::map<std::string, std::string> ids_;  // object id -> anchor, of every object seen
    db::TouchedScope scope_;
    int verified_ = 0;
};

}  // namespace

VerifyResult verifyMigrations(db::Session& work, const std::vector<Migration>& migrations,
                              const VerifyOptions& options, VerifyObserver& report) {
    const auto start = std::chrono::steady_clock::now();
    std::vector<const Migration*> plan;
    bool found = !options.to;
    for (const auto& m : migrations) {
        if (options.to && compareVersions(m.version, *options.to) > 0) {
            break;
        }
        found = found || compareVersions(m.version, options.to.value_or("")) == 0;
        plan.push_back(&m);
    }
    if (!found) {
        throw Error(ExitCode::Usage, "no migration has version " + *options.to, {},
                    "`dbtool migrate status` lists the versions");
    }
    report.planned(plan.size());
    Verifier verifier(work, options);
    VerifyResult result;
    for (const Migration* m : plan) {
        if (db::interrupted()) {
            throw Error(ExitCode::Interrupted,
                        "interrupted before verifying migration " + m->label());
        }
        result.verdicts.push_back(verifier.verify(*m));
        report.verified(result.verdicts.back());
        if (result.verdicts.back().stopsTheRun) {
            break;
        }
    }
    result.totalMs = msSince(start);
    return result;
}

}  // namespace dbtool
