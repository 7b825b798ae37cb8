#include "migrate/migration_plan.hpp"

#include <algorithm>
#include <map>

namespace dbtool {

const char* stateName(MigrationState state) {
    switch (state) {
        case MigrationState::Applied:
            return "applied";
        case MigrationState::Pending:
            return "pending";
        case MigrationState::Changed:
            return "changed";
        case MigrationState::Missing:
            return "missing";
        case MigrationState::OutOfOrder:
            return "out_of_order";
    }
    return "unknown";
}

std::vector<std::string> trackingTableProblems(const std::vector<AppliedMigration>& applied) {
    std::vector<std::string> out;
    std::map<std::string, std::string> seen;  // canonical version -> as recorded
    for (const auto& row : applied) {
        const bool digits = !row.version.empty() &&
                            row.version.find_first_not_of("0123456789") == std::string::npos;
        if (!digits) {
            out.push_back("version '" + row.version +
                          "' is not a version (only digits): fix or delete that row");
            continue;
        }
        auto [it, inserted] = seen.emplace(canonicalVersion(row.version), row.version);
        if (!inserted) {
            const auto [first, second] = std::minmax(it->second, row.version);
            out.push_back("versions '" + first + "' and '" + second +
                          "' are one migration recorded twice: delete one of the rows");
        }
    }
    return out;
}

std::vector<MigrationStatus> computeStatus(const std::vector<Migration>& files,
                                           const std::vector<AppliedMigration>& applied) {
    std::map<std::string, MigrationStatus> byVersion;
    std::string newestApplied;
    for (const auto& row : applied) {
        MigrationStatus s;
        s.version = row.version;
        s.name = row.name;
        s.state = MigrationState::Missing;
        s.applied = row;
        byVersion[canonicalVersion(row.version)] = s;
        if (newestApplied.empty() || compareVersions(row.version, newestApplied) > 0) {
            newestApplied = row.version;
        }
    }
    for (const auto& file : files) {
        MigrationStatus& s = byVersion[canonicalVersion(file.version)];
        s.file = &file;
        s.version = file.version;
        s.name = file.name;
        if (!s.applied) {
            s.state = !newestApplied.empty() && compareVersions(file.version, newestApplied) < 0
                          ? MigrationState::OutOfOrder
                          : MigrationState::Pending;
        } else if (s.applied->checksum && *s.applied->checksum != file.checksum) {
            s.state = MigrationState::Changed;
        } else {
            s.state = MigrationState::Applied;
        }
    }
    std::vector<MigrationStatus> out;
    for (auto& [version, s] : byVersion) {
        out.push_back(std::move(s));
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
        return compareVersions(a.version, b.version) < 0;
    });
    return out;
}

namespace {
std::string where(const MigrationStatus& s) {
    return s.file != nullptr ? s.file->up.file.string() : std::string();
}
}  // namespace

std::vector<const Migration*> planUp(const std::vector<MigrationStatus>& status,
                                     const UpOptions& options) {
    if (options.to) {
        const bool known = std::any_of(status.begin(), status.end(), [&](const auto& s) {
            return s.file != nullptr && compareVersions(s.version, *options.to) == 0;
        });
        if (!known) {
            throw Error(ExitCode::Usage, "--to " + *options.to + ": no migration has this version",
                        {}, "`dbtool migrate status` lists the versions");
        }
    }
    for (const auto& s : status) {
        if (s.state == MigrationState::Changed && !options.ignoreChecksums) {
            throw Error(ExitCode::Check,
                        "migration " + s.version + " " + s.name +
                            " was changed after it was applied (its up section's checksum differs)",
                        {where(s)},
                        "restore the file as it was applied, or pass --ignore-checksums; an "
                        "applied migration is changed by adding a new migration");
        }
        if (s.state == MigrationState::Missing && !options.ignoreMissing) {
            throw Error(ExitCode::Check,
                        "migration " + s.version + (s.name.empty() ? "" : " " + s.name) +
                            " is recorded as applied but its file is missing",
                        {}, "restore the file, or pass --ignore-missing");
        }
        if (s.state == MigrationState::OutOfOrder && !options.allowOutOfOrder &&
            (!options.to || compareVersions(s.version, *options.to) <= 0)) {
            throw Error(ExitCode::Check,
                        "migration " + s.version + " " + s.name +
                            " is pending but older than the newest applied migration",
                        {where(s)},
                        "this usually comes from merging branches; pass --allow-out-of-order to "
                        "apply it anyway, or give it a newer version");
        }
    }
    std::vector<const Migration*> plan;
    for (const auto& s : status) {
        const bool pending = s.state == MigrationState::Pending ||
                             (s.state == MigrationState::OutOfOrder && options.allowOutOfOrder);
        if (!pending) {
            continue;
        }
        if (options.to && compareVersions(s.version, *options.to) > 0) {
            break;
        }
        if (options.step && static_cast<int>(plan.size()) >= *options.step) {
            break;
        }
        if (!s.file->up.hasStatements() && !options.allowEmpty) {
            // Usually a file just made by `migrate create` and never edited: recording it as
            // applied would hide that its SQL is still to be written.
            throw Error(
                ExitCode::InvalidInput,
                "migration " + s.file->label() + " is empty: its up section has no SQL statement",
                {s.file->up.file.string(), s.file->up.firstLine, 0},
                "write its SQL (or delete the file); --allow-empty applies and records "
                "it as it is");
        }
        plan.push_back(s.file);
    }
    return plan;
}

std::vector<const Migration*> planDown(const std::vector<MigrationStatus>& status,
                                       const DownOptions& options) {
    std::vector<const MigrationStatus*> applied;
    for (const auto& s : status) {
        if (s.applied) {
            applied.push_back(&s);
        }
    }
    // The most recently applied first: by applied_at, then (for rows applied in the same
    // microsecond, or adopted from a tool that kept no time, which count as oldest) by version.
    // After `up --allow-out-of-order` that is the migration the user just applied, not the
    // highest version.
    std::stable_sort(applied.begin(), applied.end(), [](const auto* a, const auto* b) {
        const auto& x = a->applied->appliedOrder;
        const auto& y = b->applied->appliedOrder;
        return x != y ? x > y : compareVersions(a->version, b->version) > 0;
    });

    if (options.to) {
        const bool known = std::any_of(applied.begin(), applied.end(), [&](const auto* s) {
            return compareVersions(s->version, *options.to) == 0;
        });
        if (!known && canonicalVersion(*options.to) != "0") {
            throw Error(ExitCode::Usage,
                        "--to " + *options.to + ": no applied migration has this version", {},
                        "`dbtool migrate status` lists the applied versions; --all rolls back "
                        "everything");
        }
    }
    std::vector<const MigrationStatus*> chosen;
    for (const auto* s : applied) {
        if (options.to) {
            if (compareVersions(s->version, *options.to) <= 0) {
                continue;  // kept; an out-of-order one applied after it may still go
            }
        } else if (!options.all && static_cast<int>(chosen.size()) >= options.step.value_or(1)) {
            break;
        }
        chosen.push_back(s);
    }
    std::vector<const Migration*> plan;
    for (const auto* s : chosen) {
        if (s->file == nullptr) {
            throw Error(ExitCode::Check,
                        "cannot roll back " + s->version + (s->name.empty() ? "" : " " + s->name) +
                            ": its file is missing, so its down section is unknown",
                        {},
                        "restore the file, or unrecord it with `dbtool migrate mark-pending " +
                            s->version + "` after undoing it by hand");
        }
        if (!s->file->down.present || !s->file->down.hasStatements()) {
            throw Error(ExitCode::InvalidInput,
                        "cannot roll back " + s->version + " " + s->name +
                            ": it has no down SQL, so nothing was rolled back",
                        {s->file->down.present ? s->file->down.locate(0)
                                               : SourceLocation{s->file->up.file.string()}},
                        "write the SQL that undoes it under '-- migrate:down'");
        }
        if (s->state == MigrationState::Changed && !options.ignoreChecksums) {
            throw Error(ExitCode::Check,
                        "cannot roll back " + s->version + " " + s->name +
                            ": its file was changed after it was applied, so its down section "
                            "may not match what is in the database",
                        {s->file->up.file.string()},
                        "restore the file, or pass --ignore-checksums");
        }
        plan.push_back(s->file);
    }
    return plan;
}

const char* stateName(RepeatableState state) {
    switch (state) {
        case RepeatableState::Applied:
            return "applied";
        case RepeatableState::Pending:
            return "pending";
        case RepeatableState::Outdated:
            return "outdated";
        case RepeatableState::Missing:
            return "missing";
    }
    return "unknown";
}

std::vector<RepeatableStatus> computeRepeatableStatus(
    const std::vector<Migration>& files, const std::vector<db::AppliedRepeatable>& applied) {
    std::map<std::string, RepeatableStatus> byName;
    for (const auto& row : applied) {
        RepeatableStatus& s = byName[row.name];
        s.name = row.name;
        s.state = RepeatableState::Missing;
        s.applied = row;
    }
    for (const auto& file : files) {
        RepeatableStatus& s = byName[file.name];
        s.name = file.name;
        s.file = &file;
        s.state = !s.applied                             ? RepeatableState::Pending
                  : s.applied->checksum != file.checksum ? RepeatableState::Outdated
                                                         : RepeatableState::Applied;
    }
    std::vector<RepeatableStatus> out;
    for (auto& [name, s] : byName) {
        out.push_back(std::move(s));
    }
    return out;
}

std::vector<const Migration*> planRepeatables(const std::vector<RepeatableStatus>& status) {
    std::vector<const Migration*> plan;
    for (const auto& s : status) {
        if (s.state == RepeatableState::Pending || s.state == RepeatableState::Outdated) {
            plan.push_back(s.file);
        }
    }
    return plan;
}

std::string currentVersion(const std::vector<MigrationStatus>& status) {
    for (auto it = status.rbegin(); it != status.rend(); ++it) {
        if (it->applied) {
            return it->version;
        }
    }
    return "";
}

}  // namespace dbtool
