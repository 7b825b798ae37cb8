#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <set>

#include "base/text.hpp"
#include "cli/lint_report.hpp"
#include "lint/live_database.hpp"
#include "migrate/migration_plan.hpp"
#include "migrate/migrator.hpp"
#include "report/progress.hpp"

namespace dbtool::cli {

namespace fs = std::filesystem;
using nlohmann::json;

lint::LintOptions lintOptions(const Settings& settings) {
    lint::LintOptions options;
    const LintConfig& config = settings.lint;
    std::vector<std::string> names;
    for (const auto& rule : lint::allRules()) {
        names.push_back(rule.name);
    }
    for (const auto& [name, setting] : config.rules) {
        if (!lint::findRule(name)) {
            throw Error(ExitCode::Config,
                        "unknown lint rule '" + name + "'" + didYouMean(name, names), setting.where,
                        "`dbtool migrate lint --rules` lists them");
        }
        const auto severity = lint::parseSeverity(setting.severity);
        if (!severity) {
            throw Error(ExitCode::Config,
                        "lint rule " + name + ": '" + setting.severity + "' is not a severity",
                        setting.where, "off, note, warning or error");
        }
        options.severities[name] = *severity;
    }
    options.smallTableRows = config.smallTableRows.value_or(options.smallTableRows);
    options.largeTableRows = config.largeTableRows.value_or(options.largeTableRows);
    options.maxLockTimeoutMs = config.maxLockTimeoutMs.value_or(options.maxLockTimeoutMs);
    options.lockTimeoutMs = settings.lockTimeoutMs;
    return options;
}

lint::LintReport lintRun(const Settings& settings, const std::vector<const Migration*>& migrations,
                         db::Session* session) {
    const auto options = lintOptions(settings);
    std::unique_ptr<lint::LiveDatabase> live;
    if (session) {
        live = std::make_unique<lint::LiveDatabase>(*session);
    }
    return lint::lintMigrations(migrations, options, live.get());
}

namespace {

std::string bytesText(int64_t bytes) {
    const char* units[] = {"bytes", "kB", "MB", "GB", "TB"};
    double value = static_cast<double>(bytes);
    int unit = 0;
    while (value >= 1024 && unit < 4) {
        value /= 1024;
        ++unit;
    }
    return unit == 0 ? std::to_string(bytes) + " bytes"
                     : fmt::format("{:.{}f} {}", value, value < 10 ? 1 : 0, units[unit]);
}

std::string severityText(report::Output& out, lint::Severity severity) {
    const std::string name = lint::severityName(severity);
    switch (severity) {
        case lint::Severity::Error:
            return out.red(name);
        case lint::Severity::Warning:
            return out.yellow(name);
        default:
            return out.bold(name);
    }
}

}  // namespace

std::string findingText(report::Output& out, const lint::Finding& f) {
    std::string text = report::shownLocation(f.where).str() + ": " + severityText(out, f.severity) +
                       "[" + f.rule + "]: " + f.message;
    if (!f.table.empty() && (f.estimatedRows || f.estimatedBytes)) {
        text += " (" + f.table + ": ";
        text += f.estimatedRows ? "~" + report::groupThousands(*f.estimatedRows) + " rows, " : "";
        text += bytesText(f.estimatedBytes.value_or(0)) + ")";
    }
    const std::string number = std::to_string(f.where.line);
    const std::string gutter(number.size(), ' ');
    text += "\n " + number + " | " + f.sourceLine;
    text += "\n " + gutter + " | " +
            std::string(static_cast<size_t>(std::max(f.where.column - 1, 0)), ' ') + "^";
    text += "\n  help: " + f.help;
    return text;
}

json findingJson(const lint::Finding& f) {
    return {{"file", report::shownLocation(f.where).file},
            {"line", f.where.line},
            {"column", f.where.column},
            {"migration", f.migration},
            {"rule", f.rule},
            {"severity", lint::severityName(f.severity)},
            {"message", f.message},
            {"help", f.help},
            {"table", f.table.empty() ? json(nullptr) : json(f.table)},
            {"estimated_rows", f.estimatedRows ? json(*f.estimatedRows) : json(nullptr)},
            {"estimated_bytes", f.estimatedBytes ? json(*f.estimatedBytes) : json(nullptr)}};
}

namespace {

struct LintArgs {
    std::vector<std::string> files;
    bool all = false;
    bool offline = false;
    bool rules = false;
};

int printRules(Context& ctx) {
    auto& out = ctx.out();
    const auto options = lintOptions(ctx.settings());
    std::vector<std::vector<std::string>> rows;
    json items = json::array();
    for (const auto& rule : lint::allRules()) {
        auto severity = rule.severity;
        if (auto it = options.severities.find(rule.name); it != options.severities.end()) {
            severity = it->second;
        }
        const bool scaled = rule.size == lint::SizeEffect::Scaled;
        rows.push_back(
            {rule.name, lint::severityName(severity), scaled ? "yes" : "", rule.summary});
        items.push_back({{"rule", rule.name},
                         {"severity", lint::severityName(severity)},
                         {"default_severity", lint::severityName(rule.severity)},
                         {"scaled_by_table_size", scaled},
                         {"summary", rule.summary}});
    }
    if (!out.json()) {
        std::string table = report::renderTable({out.bold("RULE"), out.bold("SEVERITY"),
                                                 out.bold("BY SIZE"), out.bold("WHAT IT CATCHES")},
                                                rows);
        table.pop_back();
        out.line(table);
    }
    out.document({{"rules", items}});
    return 0;
}

// FILE arguments name migrations of the migrations folder (either file of a pair).
std::vector<const Migration*> selectFiles(const std::vector<Migration>& migrations,
                                          const std::vector<std::string>& files,
                                          const fs::path& dir) {
    std::error_code ec;
    std::map<fs::path, const Migration*> byPath;  // both files of a pair
    for (const auto& m : migrations) {
        for (const MigrationSection* s : {&m.up, &m.down}) {
            if (s->present) {
                byPath[fs::weakly_canonical(s->file, ec)] = &m;
            }
        }
    }
    std::vector<const Migration*> chosen;
    std::set<const Migration*> seen;
    for (const auto& file : files) {
        const auto found = byPath.find(fs::weakly_canonical(file, ec));
        if (found == byPath.end()) {
            throw Error(ExitCode::Usage, file + " is not a migration file of " + dir.string(), {},
                        "give files of the migrations folder (--migrations-dir), or no FILE "
                        "to lint the pending migrations");
        }
        if (seen.insert(found->second).second) {
            chosen.push_back(found->second);
        }
    }
    // One run in version order, as `migrate up` would apply them (`migrations` is sorted).
    std::sort(chosen.begin(), chosen.end());
    return chosen;
}

int runLint(Context& ctx, const LintArgs& a) {
    if (a.rules) {
        return printRules(ctx);
    }
    const Settings& settings = ctx.settings();
    lintOptions(settings);  // a bad lint: section is an error before anything else
    LoadOptions load;
    load.transactionChecks = false;  // reported as findings of the transaction rules
    load.vars = &settings.vars;      // lint what would be sent
    const auto migrations = loadMigrations(settings.migrationsDir, load);

    std::unique_ptr<db::Session> session;
    std::string offlineWhy = a.offline ? "--offline" : "";
    if (!a.offline) {
        try {
            session = ctx.connect();
        } catch (const Error& e) {
            if (e.code() != ExitCode::Connection) {
                throw;
            }
            offlineWhy = "no database reachable";
            spdlog::warn("{} ({}): linting without table sizes; every migration counts as pending",
                         offlineWhy, e.what());
        }
    }
    std::vector<const Migration*> chosen;
    std::string scope;
    if (!a.files.empty()) {
        chosen = selectFiles(migrations, a.files, settings.migrationsDir);
        scope = "the given files";
    } else if (session && !a.all) {
        MigrationObserver quiet;
        Migrator migrator(*session, std::vector<Migration>(migrations), settings.trackingSchema,
                          quiet);
        for (const auto& status : migrator.status()) {
            if (status.file && (status.state == MigrationState::Pending ||
                                status.state == MigrationState::OutOfOrder)) {
                for (const auto& m : migrations) {
                    if (m.version == status.version) {
                        chosen.push_back(&m);
                    }
                }
            }
        }
        scope = "pending migrations";
    } else {
        for (const auto& m : migrations) {
            chosen.push_back(&m);
        }
        scope = "migrations";
    }
    const auto report = lintRun(settings, chosen, session.get());

    auto& out = ctx.out();
    json findings = json::array();
    for (const auto& f : report.findings) {
        out.line(findingText(out, f) + "\n");
        findings.push_back(findingJson(f));
    }
    const int errors = report.count(lint::Severity::Error);
    const int warnings = report.count(lint::Severity::Warning);
    const int notes = report.count(lint::Severity::Note);
    std::string summary = report.findings.empty()
                              ? "no findings"
                              : plural(errors, "error") + ", " + plural(warnings, "warning") +
                                    ", " + plural(notes, "note");
    summary += " in " +
               plural(report.migrations,
                      scope == "pending migrations" ? "pending migration" : "migration") +
               " (" + plural(report.statements, "statement") + ")";
    if (report.ignored > 0) {
        summary += "; " + plural(report.ignored, "finding") + " silenced by dbtool:lint-ignore";
    }
    summary += session ? "; table sizes from the database."
                       : "; offline (" + offlineWhy + "): no table sizes.";
    out.line(summary);
    out.document({{"findings", findings},
                  {"summary",
                   {{"errors", errors},
                    {"warnings", warnings},
                    {"notes", notes},
                    {"migrations", report.migrations},
                    {"statements", report.statements},
                    {"ignored", report.ignored},
                    {"sizes_from_database", session != nullptr}}}});
    return errors > 0 ? static_cast<int>(ExitCode::Check) : 0;
}

}  // namespace

void addLintCommand(CLI::App& migrate, Action& action) {
    auto args = std::make_shared<LintArgs>();
    auto* cmd = migrate.add_subcommand(
        "lint", "Find locking, rewriting and breaking statements before they reach production");
    cmd->add_option("files", args->files,
                    "Migration files to lint (default: the pending migrations)");
    cmd->add_flag("--all", args->all, "Lint every migration, applied or not");
    cmd->add_flag("--offline", args->offline,
                  "Do not connect: no table sizes, every migration counts as pending");
    cmd->add_flag("--rules", args->rules, "List the rules and their severities");
    cmd->callback([&action, args] { action = [args](Context& c) { return runLint(c, *args); }; });
}

}  // namespace dbtool::cli
