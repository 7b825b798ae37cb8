#include "seed/seed_verifier.hpp"

#include <chrono>

#include "base/duration.hpp"
#include "base/text.hpp"
#include "db/catalog.hpp"

namespace dbtool {

const char* seedVerdictName(SeedVerdict::Result result) {
    switch (result) {
        case SeedVerdict::Result::Ok:
            return "ok";
        case SeedVerdict::Result::Differs:
            return "differs";
        case SeedVerdict::Result::UndoFailed:
            return "undo failed";
    }
    return "?";
}

namespace {

std::vector<std::string> dataDifferences(const std::string& seed,
                                         const std::map<std::string, db::TableData>& before,
                                         const std::map<std::string, db::TableData>& after) {
    std::vector<std::string> out;
    const std::string prefix = "undo of seed " + seed + " ";
    for (const auto& [table, now] : after) {
        const auto was = before.find(table);
        if (was == before.end()) {
            out.push_back(prefix + "left table " + table + " (created while it loaded)");
        } else if (now.rows > was->second.rows) {
            out.push_back(prefix + "left " + plural(now.rows - was->second.rows, "row") + " in " +
                          table + " (" + std::to_string(was->second.rows) + " before, " +
                          std::to_string(now.rows) + " after)");
        } else if (now.rows < was->second.rows) {
            out.push_back(prefix + "deleted " + plural(was->second.rows - now.rows, "row") +
                          " of " + table + " that were there before (" +
                          std::to_string(was->second.rows) + " before, " +
                          std::to_string(now.rows) + " after)");
        } else if (now.md5 != was->second.md5) {
            out.push_back(prefix + "changed rows of " + table + " (" + std::to_string(now.rows) +
                          " rows before and after, not the same)");
        }
    }
    for (const auto& [table, was] : before) {
        if (after.count(table) == 0) {
            out.push_back(prefix + "dropped table " + table);
        }
    }
    return out;
}

}  // namespace

std::vector<SeedVerdict> verifySeeds(db::Session& session, const std::vector<SeedFile>& files,
                                     const std::string& trackingSchema,
                                     const std::string& environment, SeedObserver& observer) {
    Seeder seeder(session, files, trackingSchema, environment, observer);
    std::vector<SeedVerdict> verdicts;
    for (const auto& file : files) {
        const auto start = std::chrono::steady_clock::now();
        SeedVerdict v;
        v.seed = file.name;
        const auto before = db::tableFingerprints(session);
        SeedRunOptions only;
        only.names = {file.name};
        seeder.run(only);  // a failure here stops the check: later seeds may need this one
        try {
            seeder.undo(file.name, false);
            v.differences = dataDifferences(file.name, before, db::tableFingerprints(session));
            v.result =
                v.differences.empty() ? SeedVerdict::Result::Ok : SeedVerdict::Result::Differs;
        } catch (const Error& e) {
            if (e.code() == ExitCode::Interrupted) {
                throw;
            }
            v.result = SeedVerdict::Result::UndoFailed;
            v.failure = e;
        }
        bool stop = false;
        if (v.result != SeedVerdict::Result::UndoFailed) {
            try {
                seeder.run(only);  // loaded again, for the seeds after it
            } catch (const Error& e) {
                if (e.code() == ExitCode::Interrupted) {
                    throw;
                }
                // What the undo left stands in the way: later seeds cannot be checked.
                v.failure = e;
                stop = true;
            }
        }
        v.ms = msSince(start);
        verdicts.push_back(std::move(v));
        if (stop) {
            break;
        }
    }
    return verdicts;
}

}  // namespace dbtool
