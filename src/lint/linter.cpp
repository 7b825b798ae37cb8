#include "lint/linter.hpp"

#include <algorithm>
#include <set>

#include "base/duration.hpp"
#include "base/errors.hpp"
#include "lint/sql_tree.hpp"
#include "migrate/sql_lexer.hpp"

namespace dbtool::lint {

int LintReport::count(Severity severity) const {
    return static_cast<int>(std::count_if(findings.begin(), findings.end(), [&](const Finding& f) {
        return f.severity == severity;
    }));
}

namespace {

constexpr std::string_view kIgnoreDirective = "dbtool:lint-ignore";

std::string trimmed(std::string_view text) {
    const size_t begin = text.find_first_not_of(" \t\r");
    if (begin == std::string_view::npos) {
        return "";
    }
    return std::string(text.substr(begin, text.find_last_not_of(" \t\r") - begin + 1));
}

std::vector<std::string> commaSeparated(const std::string& list) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= list.size()) {
        const size_t comma = std::min(list.find(',', start), list.size());
        if (comma > start) {
            out.push_back(list.substr(start, comma - start));
        }
        start = comma + 1;
    }
    return out;
}

size_t endOfLine(const std::string& text, size_t from) {
    const size_t nl = text.find('\n', std::min(from, text.size()));
    return nl == std::string::npos ? text.size() : nl;
}

std::string lineAt(const std::string& text, size_t offset) {
    const size_t start = text.rfind('\n', offset == 0 ? 0 : offset - 1);
    const size_t begin = start == std::string::npos || offset == 0 ? 0 : start + 1;
    return text.substr(begin, endOfLine(text, offset) - begin);
}

// The rules silenced for one statement, from `-- dbtool:lint-ignore RULE[,RULE] REASON`
// comments before it (since the previous statement's line) or inside it. A directive naming
// no known rule or giving no reason is itself a finding: a silent typo would hide hazards.
struct Ignores {
    std::set<std::string> rules;
    std::vector<std::pair<size_t, std::string>> problems;  // offset, message
};

Ignores readIgnores(const std::string& sql, size_t begin, size_t end) {
    Ignores out;
    size_t at = begin;
    while ((at = sql.find(kIgnoreDirective, at)) != std::string::npos && at < end) {
        const size_t newline = sql.rfind('\n', at);
        const size_t lineStart = newline == std::string::npos ? 0 : newline + 1;
        const std::string before = sql.substr(lineStart, at - lineStart);
        const size_t directive = at;
        at += kIgnoreDirective.size();
        if (before.find("--") == std::string::npos && before.find("/*") == std::string::npos) {
            continue;  // not in a comment
        }
        std::string rest = sql.substr(at, endOfLine(sql, at) - at);
        if (const size_t close = rest.find("*/"); close != std::string::npos) {
            rest.resize(close);
        }
        rest = trimmed(rest);
        const size_t space = rest.find_first_of(" \t");
        const std::string list = rest.substr(0, space);
        const std::string reason = space == std::string::npos ? "" : trimmed(rest.substr(space));
        if (list.empty()) {
            out.problems.push_back({directive, "dbtool:lint-ignore names no rule"});
            continue;
        }
        for (const auto& rule : commaSeparated(list)) {
            if (findRule(rule) == nullptr) {
                std::vector<std::string> names;
                for (const auto& r : allRules()) {
                    names.push_back(r.name);
                }
                out.problems.push_back({directive, "dbtool:lint-ignore names unknown rule '" +
                                                       rule + "'" + didYouMean(rule, names)});
            } else if (reason.empty()) {
                out.problems.push_back(
                    {directive, "dbtool:lint-ignore " + rule +
                                    " gives no reason: say why the hazard is acceptable here"});
            } else {
                out.rules.insert(rule);
            }
        }
    }
    return out;
}

class Linter {
  public:
    Linter(const LintOptions& options, LintDatabase* database)
        : options_(options), database_(database) {
        if (database_) {
            facts_.volatility = [this](const std::string& f) { return database_->volatility(f); };
            facts_.provenNotNull = [this](const RelationName& t, const std::string& c) {
                return database_->provenNotNull(t, c);
            };
        }
        report_.sizesKnown = database_ != nullptr;
    }

    void lint(const Migration& migration) {
        ++report_.migrations;
        const MigrationSection& section = migration.up;
        MigrationScope scope;
        scope.transactional = section.transaction;
        bool timeoutReported = false;
        const LexedSql lexed = lexSql(section.sql);
        size_t regionStart = 0;
        for (const auto& span : lexed.statements) {
            ++report_.statements;
            const size_t regionEnd = endOfLine(section.sql, span.end);
            const Ignores ignores = readIgnores(section.sql, regionStart, regionEnd);
            regionStart = std::min(regionEnd + 1, section.sql.size());
            for (const auto& [offset, message] : ignores.problems) {
                add(migration, offset, "lint-ignore", Severity::Error, message,
                    "write `-- dbtool:lint-ignore RULE REASON` with a rule of `dbtool migrate "
                    "lint --rules`",
                    std::nullopt);
            }
            auto parsed = parseStatement(
                std::string_view(section.sql).substr(span.begin, span.end - span.begin));
            if (auto* failure = std::get_if<ParseFailure>(&parsed)) {
                add(migration, span.begin + failure->offset, "syntax-error", Severity::Error,
                    failure->message, "PostgreSQL would refuse this statement", std::nullopt);
                continue;
            }
            const nlohmann::json& tree = std::get<nlohmann::json>(parsed);
            const bool indexStatement = tree.contains("IndexStmt") || tree.contains("DropStmt");
            if (const auto kind = mustRunOutsideTransaction(span);
                kind && scope.transactional && !indexStatement) {
                // migrate up refuses the file for this (exit 5); CONCURRENTLY on indexes has
                // its own rule, as squawk names it.
                add(migration, span.begin, "must-run-outside-transaction", Severity::Error,
                    *kind +
                        " cannot run inside a transaction block, and dbtool runs this "
                        "migration in one",
                    "mark the migration transaction:false and keep the statement in a migration "
                    "of its own",
                    std::nullopt);
            }
            StatementResult result = checkStatement(tree, created_, scope, facts_);
            if (result.locksExisting && !scope.lockTimeoutSet && !timeoutReported &&
                (options_.lockTimeoutMs == 0 ||
                 options_.lockTimeoutMs > options_.maxLockTimeoutMs)) {
                timeoutReported = true;
                result.findings.push_back(timeoutFinding(*result.locksExisting));
            }
            for (auto& finding : result.findings) {
                if (ignores.rules.count(finding.rule) != 0) {
                    ++report_.ignored;
                    continue;
                }
                const Rule* rule = findRule(finding.rule);
                auto severity = rule->severity;
                if (auto it = options_.severities.find(rule->name);
                    it != options_.severities.end()) {
                    severity = it->second;
                }
                if (severity == Severity::Off) {
                    continue;
                }
                add(migration, span.begin + finding.offset, rule->name, severity,
                    std::move(finding.message), std::move(finding.help), finding.table,
                    rule->size == SizeEffect::Scaled);
            }
        }
    }

    LintReport take() { return std::move(report_); }

  private:
    StatementFinding timeoutFinding(const RelationName& table) {
        const std::string now =
            options_.lockTimeoutMs == 0
                ? "no lock_timeout"
                : "a lock_timeout of " + formatDurationMs(options_.lockTimeoutMs);
        return {"require-timeout-settings", 0,
                "this statement locks " + table.shown() + " with " + now +
                    ": while it waits behind a long query, every query on " + table.shown() +
                    " waits behind it",
                "start the migration with SET lock_timeout = '2s'; (or run dbtool with "
                "--lock-timeout 2s) and retry the migration when it times out",
                std::nullopt};
    }

    std::optional<LintDatabase::TableSize> sizeOf(const RelationName& table) {
        if (!database_) {
            return std::nullopt;
        }
        const std::string key = table.shown();
        if (auto it = sizes_.find(key); it != sizes_.end()) {
            return it->second;
        }
        return sizes_[key] = database_->tableSize(table);
    }

    // Small, medium or large, by the row estimate or (without one) by bytes.
    Severity scaled(const LintDatabase::TableSize& size) const {
        if (size.rows) {
            return *size.rows < options_.smallTableRows   ? Severity::Note
                   : *size.rows < options_.largeTableRows ? Severity::Warning
                                                          : Severity::Error;
        }
        constexpr int64_t kMiB = 1 << 20;
        return size.bytes < kMiB          ? Severity::Note
               : size.bytes < 1024 * kMiB ? Severity::Warning
                                          : Severity::Error;
    }

    void add(const Migration& migration, size_t offset, std::string rule, Severity severity,
             std::string message, std::string help, const std::optional<RelationName>& table,
             bool sizeScaled = false) {
        Finding f;
        f.where = migration.up.locate(offset);
        f.migration = migration.label();
        f.rule = std::move(rule);
        f.severity = severity;
        f.message = std::move(message);
        f.help = std::move(help);
        f.sourceLine = lineAt(migration.up.sql, offset);
        if (table) {
            f.table = table->shown();
            if (const auto size = sizeOf(*table)) {
                f.table = size->shown;
                f.estimatedRows = size->rows;
                f.estimatedBytes = size->bytes;
                if (sizeScaled) {
                    f.severity = scaled(*size);
                }
            }
        }
        report_.findings.push_back(std::move(f));
    }

    const LintOptions& options_;
    LintDatabase* database_;
    DatabaseFacts facts_;
    NewObjects created_;
    std::map<std::string, std::optional<LintDatabase::TableSize>> sizes_;
    LintReport report_;
};

}  // namespace

LintReport lintMigrations(const std::vector<const Migration*>& migrations,
                          const LintOptions& options, LintDatabase* database) {
    Linter linter(options, database);
    for (const Migration* m : migrations) {
        linter.lint(*m);
    }
    return linter.take();
}

}  // namespace dbtool::lint
