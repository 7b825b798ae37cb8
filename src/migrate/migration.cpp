#include "migrate/migration.hpp"

#include <algorithm>
#include <exception>
#include <map>
#include <optional>

#include "base/parallel.hpp"
#include "base/text.hpp"
#include "migrate/sql_lexer.hpp"

namespace dbtool {

namespace fs = std::filesystem;

bool MigrationSection::hasStatements() const {
    return !lexSql(sql).statements.empty();
}

SourceLocation MigrationSection::locate(size_t offset) const {
    const LineColumn lc = replacements.empty()
                              ? lineColumnAt(sql, offset)
                              : lineColumnAt(written, writtenOffset(replacements, offset));
    return {file.string(), firstLine + lc.line - 1, lc.column};
}

namespace {

const char* kFormatHint =
    "a migration file holds '-- migrate:up' followed by its SQL, then optionally "
    "'-- migrate:down' followed by the SQL that undoes it";

// Calls visit(line, lineNo, begin, end) for every line of `text` ([begin, end) without its
// '\n'; the empty line after a final newline included) until visit returns false.
template <typename Visit>
void forEachLine(std::string_view text, Visit&& visit) {
    size_t pos = 0;
    int lineNo = 1;
    while (pos <= text.size()) {
        size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) {
            end = text.size();
        }
        if (!visit(text.substr(pos, end - pos), lineNo, pos, end)) {
            return;
        }
        pos = end + 1;
        ++lineNo;
    }
}

struct Marker {
    bool isUp = false;
    bool transaction = true;
};

// Recognises "-- migrate:up [options]" lines. Returns false for ordinary lines; throws for a
// line that is clearly meant as a marker but is wrong.
bool parseMarker(std::string_view line, const fs::path& file, int lineNo, Marker& marker) {
    // The grammar is `--` blanks `migrate:` letters options; checked by hand because this
    // runs on every line of every migration (std::regex was a tenth of `migrate status`).
    auto blank = [](char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
    };
    if (!line.starts_with("--")) {
        return false;
    }
    size_t at = 2;
    while (at < line.size() && blank(line[at])) {
        ++at;
    }
    if (line.compare(at, 8, "migrate:") != 0) {
        return false;
    }
    at += 8;
    const size_t directionStart = at;
    while (at < line.size() &&
           (std::isalpha(static_cast<unsigned char>(line[at])) != 0 || line[at] == '_')) {
        ++at;
    }
    const std::string direction(line.substr(directionStart, at - directionStart));
    if (direction != "up" && direction != "down") {
        throw Error(
            ExitCode::InvalidInput,
            "unknown marker '-- migrate:" + direction + "'" + didYouMean(direction, {"up", "down"}),
            {file.string(), lineNo, 1}, kFormatHint);
    }
    marker.isUp = direction == "up";
    while (at < line.size()) {
        while (at < line.size() && blank(line[at])) {
            ++at;
        }
        if (at == line.size()) {
            break;
        }
        const size_t optionStart = at;
        while (at < line.size() && !blank(line[at])) {
            ++at;
        }
        const std::string option(line.substr(optionStart, at - optionStart));
        const int column = static_cast<int>(optionStart) + 1;
        const size_t colon = option.find(':');
        const std::string key = option.substr(0, colon);
        const std::string value = colon == std::string::npos ? "" : option.substr(colon + 1);
        if (key != "transaction") {
            throw Error(ExitCode::InvalidInput,
                        "unknown marker option '" + option + "'" + didYouMean(key, {"transaction"}),
                        {file.string(), lineNo, column},
                        "the only option is transaction:false (for statements such as CREATE "
                        "INDEX CONCURRENTLY that cannot run in a transaction)");
        }
        if (value != "true" && value != "false") {
            throw Error(ExitCode::InvalidInput,
                        "option transaction takes true or false, not '" + value + "'",
                        {file.string(), lineNo, column}, "write transaction:false");
        }
        marker.transaction = value == "true";
    }
    return true;
}

// Checks what the server would reject or what would break dbtool's guarantees.
void checkSection(const MigrationSection& section, const char* direction, bool pairLayout,
                  const LoadOptions& options) {
    const LexedSql lexed = lexSql(section.sql);
    for (const auto& meta : lexed.metaCommands) {
        throw Error(ExitCode::InvalidInput,
                    "psql meta-command " + meta.command + " in the " + direction +
                        " section: dbtool sends SQL to the server as written, and only psql "
                        "understands meta-commands",
                    section.locate(meta.offset),
                    meta.command == "\\copy" || meta.command == "\\COPY"
                        ? "load data with a seed (csv:) or COPY ... FROM a server-side file"
                        : "inline the SQL instead of \\i / \\set / \\copy");
    }
    if (lexed.unterminated) {
        throw Error(ExitCode::InvalidInput,
                    "unterminated " + lexed.unterminatedWhat + " in the " + direction +
                        " section (it starts here and never ends)",
                    section.locate(lexed.unterminatedOffset), "close it before the next marker");
    }
    if (section.transaction && options.transactionChecks) {
        for (const auto& statement : lexed.statements) {
            if (isTransactionControl(statement)) {
                throw Error(ExitCode::InvalidInput,
                            statement.firstWord + " in the " + direction +
                                " section: dbtool runs each migration in a transaction of its "
                                "own, together with its tracking row",
                            section.locate(statement.begin),
                            "remove the transaction statements, or add transaction:false to the "
                            "marker line if the SQL must control transactions itself");
            }
            if (const auto kind = mustRunOutsideTransaction(statement)) {
                throw Error(ExitCode::InvalidInput,
                            *kind + " in the " + direction +
                                " section: PostgreSQL cannot run it inside a transaction block, "
                                "and dbtool runs this section in one",
                            section.locate(statement.begin),
                            std::string("run the section without a transaction: ") +
                                (pairLayout ? "make the file's first line `-- migrate:" +
                                                  std::string(direction) + " transaction:false`"
                                            : "write `-- migrate:" + std::string(direction) +
                                                  " transaction:false` as its marker line") +
                                " (keep such statements in a migration of their own: without a "
                                "transaction, a failure leaves the statements before it applied)");
            }
        }
    }
}

void checkUtf8(const fs::path& file, std::string_view content) {
    if (auto bad = invalidUtf8Offset(content)) {
        const LineColumn lc = lineColumnAt(content, *bad);
        throw Error(ExitCode::InvalidInput, "the file is not valid UTF-8",
                    {file.string(), lc.line, lc.column}, "save the file as UTF-8");
    }
}

// Parses a .up.sql or .down.sql file: the whole file is one section; a leading marker of the
// same direction may carry options.
MigrationSection parsePairFile(const fs::path& file, const std::string& text, bool isUp,
                               const LoadOptions& options) {
    MigrationSection section;
    section.present = true;
    section.file = file;
    section.sql = text;
    // Only the first non-blank line may be a marker.
    forEachLine(text, [&](std::string_view line, int lineNo, size_t, size_t end) {
        if (line.find_first_not_of(" \t") == std::string::npos) {
            return true;
        }
        Marker marker;
        if (parseMarker(line, file, lineNo, marker)) {
            if (marker.isUp != isUp) {
                throw Error(ExitCode::InvalidInput,
                            std::string("a '-- migrate:") + (marker.isUp ? "up" : "down") +
                                "' marker in a ." + (isUp ? "up" : "down") + ".sql file",
                            {file.string(), lineNo, 1},
                            "each file of a .up.sql/.down.sql pair holds one direction");
            }
            section.transaction = marker.transaction;
            section.sql = end < text.size() ? text.substr(end + 1) : std::string();
            section.firstLine = lineNo + 1;
        }
        return false;
    });
    checkSection(section, isUp ? "up" : "down", true, options);
    section.vars = optsIntoVariables(text);
    return section;
}

}  // namespace

Migration parseMigration(const fs::path& file, std::string_view content, const std::string& version,
                         const std::string& name, const LoadOptions& options) {
    checkUtf8(file, content);
    const std::string text = normalizeNewlines(content);
    Migration migration;
    migration.version = version;
    migration.name = name;

    MigrationSection* current = nullptr;
    int upMarkerLine = 0;
    int downMarkerLine = 0;
    size_t sectionStart = 0;
    auto closeSection = [&](size_t end) {
        if (current != nullptr) {
            current->sql = text.substr(sectionStart, end - sectionStart);
        }
    };
    forEachLine(text, [&](std::string_view line, int lineNo, size_t pos, size_t end) {
        Marker marker;
        if (parseMarker(line, file, lineNo, marker)) {
            int& seen = marker.isUp ? upMarkerLine : downMarkerLine;
            if (seen != 0) {
                throw Error(ExitCode::InvalidInput,
                            std::string("a second '-- migrate:") + (marker.isUp ? "up" : "down") +
                                "' marker (the first is on line " + std::to_string(seen) + ")",
                            {file.string(), lineNo, 1}, kFormatHint);
            }
            seen = lineNo;
            closeSection(pos);
            current = marker.isUp ? &migration.up : &migration.down;
            current->present = true;
            current->file = file;
            current->transaction = marker.transaction;
            current->firstLine = lineNo + 1;
            sectionStart = std::min(end + 1, text.size());
        } else if (current == nullptr) {
            // Before the first marker only blank lines and comments may stand.
            const LexedSql lexed = lexSql(line);
            if (!lexed.statements.empty()) {
                throw Error(ExitCode::InvalidInput,
                            "SQL before the '-- migrate:up' marker would never run",
                            {file.string(), lineNo, 1}, kFormatHint);
            }
        }
        return true;
    });
    closeSection(text.size());
    if (!migration.up.present) {
        throw Error(ExitCode::InvalidInput, "no '-- migrate:up' section", {file.string()},
                    kFormatHint);
    }
    migration.up.vars = migration.down.vars = optsIntoVariables(text);
    checkSection(migration.up, "up", false, options);
    if (migration.down.present) {
        checkSection(migration.down, "down", false, options);
    }
    migration.checksum = sha256Hex(migration.up.sql);
    return migration;
}

namespace {

// R__NAME.sql, beforeMigrate.sql, afterMigrate.sql: the whole file is the up section, as in
// a .up.sql file, always run in a transaction.
Migration parseWholeFile(const fs::path& file, std::string_view content,
                         const LoadOptions& options) {
    const std::string filename = file.filename().string();
    const std::string callback = callbackOfFileName(filename);
    const std::string what = callback.empty() ? "a repeatable migration" : "a callback";
    Migration m;
    if (callback.empty()) {
        m.repeatable = true;
        m.name = filename.substr(3, filename.size() - 3 - 4);
        if (m.name.empty() || m.name.ends_with(".up") || m.name.ends_with(".down")) {
            throw Error(ExitCode::InvalidInput,
                        "malformed repeatable migration file name '" + filename + "'",
                        {file.string()},
                        "name it R__NAME.sql, e.g. R__active_users_view.sql; a repeatable "
                        "migration has no down file: it is applied again whenever it changes");
        }
    } else {
        m.callback = callback;
        m.name = callback;
    }
    checkUtf8(file, content);
    const std::string text = normalizeNewlines(content);
    // Only a first `-- migrate:up` line may stand in it: SQL under a down marker would
    // otherwise run as part of the up.
    bool sqlSeen = false;
    forEachLine(text, [&](std::string_view line, int lineNo, size_t, size_t) {
        Marker marker;
        if (parseMarker(line, file, lineNo, marker) && (sqlSeen || !marker.isUp)) {
            throw Error(ExitCode::InvalidInput,
                        std::string("a '-- migrate:") + (marker.isUp ? "up" : "down") +
                            "' marker inside " + what,
                        {file.string(), lineNo, 1},
                        callback.empty()
                            ? "a repeatable migration is one block of SQL applied whenever it "
                              "changes (write it so it can run again: CREATE OR REPLACE VIEW, DROP "
                              "... IF EXISTS); it has no down section"
                            : "a callback is one block of SQL run at every `migrate up`; it has "
                              "no down section");
        }
        sqlSeen = sqlSeen || line.find_first_not_of(" \t") != std::string_view::npos;
        return true;
    });
    m.up = parsePairFile(file, text, true, options);
    if (!m.up.transaction) {
        throw Error(ExitCode::InvalidInput,
                    "transaction:false in " + what + ": dbtool always runs one in a transaction" +
                        (callback.empty() ? " with its tracking row, so a failure leaves the "
                                            "previous version in place"
                                          : ", so a failure leaves nothing of it"),
                    {file.string(), m.up.firstLine - 1, 1},
                    "move statements that cannot run in a transaction (CONCURRENTLY, ...) into a "
                    "versioned migration");
    }
    m.checksum = sha256Hex(m.up.sql);
    return m;
}

// A migration file read and, in the one-file layout, parsed; failures kept to be reported in
// file order.
struct Prepared {
    std::optional<FileNameParts> parts;
    bool whole = false;  // R__NAME.sql, beforeMigrate.sql, afterMigrate.sql
    std::string raw;
    std::exception_ptr unreadable;
    std::optional<Migration> parsed;
    std::exception_ptr unparsable;
};

// Reads and parses the files on a few threads (about 15 microseconds each, most of loading
// 1,000 migrations); loadMigrations then goes through them in order as before.
std::vector<Prepared> prepareInParallel(const std::vector<fs::path>& files,
                                        const LoadOptions& options) {
    std::vector<Prepared> out(files.size());
    forEachInParallel(files.size(), [&](size_t i) {
        Prepared& p = out[i];
        const std::string filename = files[i].filename().string();
        p.parts = splitMigrationFileName(filename);
        p.whole =
            !p.parts && (isRepeatableFileName(filename) || !callbackOfFileName(filename).empty());
        if (!p.parts && !p.whole) {
            return;
        }
        try {
            p.raw = readFile(files[i]);
        } catch (...) {
            p.unreadable = std::current_exception();
            return;
        }
        if (p.whole) {
            try {
                p.parsed = parseWholeFile(files[i], p.raw, options);
            } catch (...) {
                p.unparsable = std::current_exception();
            }
        } else if (p.parts->kind.empty()) {
            try {
                p.parsed =
                    parseMigration(files[i], p.raw, p.parts->version, p.parts->name, options);
            } catch (...) {
                p.unparsable = std::current_exception();
            }
        }
    });
    return out;
}

}  // namespace

std::vector<Migration> loadMigrations(const fs::path& dir, const LoadOptions& options) {
    return loadMigrationSet(dir, options).versioned;
}

MigrationSet loadMigrationSet(const fs::path& dir, const LoadOptions& options) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
        throw Error(ExitCode::InvalidInput,
                    "the migrations directory " + dir.string() + " does not exist", {dir.string()},
                    "create it (`dbtool migrate create NAME` does), or point --migrations-dir / "
                    "DBTOOL_MIGRATIONS_DIR / migrations_dir at it");
    }
    const auto files = migrationFiles(dir);
    auto prepared = prepareInParallel(files, options);
    // A file as messages name it: its path within the migrations folder.
    auto shown = [&](const fs::path& path) { return path.lexically_relative(dir).string(); };
    std::vector<Error> problems;
    struct Pending {
        Migration migration;
        std::vector<fs::path> files;
    };
    std::map<std::string, Pending> byVersion;  // canonical version -> migration
    MigrationSet set;
    for (size_t index = 0; index < files.size(); ++index) {
        const fs::path& path = files[index];
        Prepared& ready = prepared[index];
        const std::string filename = path.filename().string();
        const auto& parts = ready.parts;
        if (ready.whole) {
            try {
                for (const auto& failure : {ready.unreadable, ready.unparsable}) {
                    if (failure) {
                        std::rethrow_exception(failure);
                    }
                }
                if (!ready.parsed->callback.empty()) {
                    auto& slot = ready.parsed->callback == "beforeMigrate" ? set.beforeMigrate
                                                                           : set.afterMigrate;
                    if (slot) {
                        throw Error(ExitCode::InvalidInput,
                                    "two " + filename + " callbacks: " + shown(path) + " and " +
                                        shown(slot->up.file),
                                    SourceLocation{path.string()}, "keep one of them");
                    }
                    slot = std::move(*ready.parsed);
                    continue;
                }
                // Files come in name order: two of one name in two folders are neighbours.
                if (!set.repeatable.empty() && set.repeatable.back().name == ready.parsed->name) {
                    throw Error(ExitCode::InvalidInput,
                                "duplicate repeatable migration " + filename + ": " + shown(path) +
                                    " and " + shown(set.repeatable.back().up.file),
                                SourceLocation{path.string()},
                                "give every repeatable migration its own name, whatever folder "
                                "holds it");
                }
                set.repeatable.push_back(std::move(*ready.parsed));
            } catch (Error& e) {
                problems.push_back(e);
            }
            continue;
        }
        if (!parts) {
            problems.emplace_back(ExitCode::InvalidInput,
                                  "malformed migration file name '" + filename + "'",
                                  SourceLocation{path.string()},
                                  "name it VERSION_NAME.sql with a digit version, e.g. "
                                  "20240101120000_create_users.sql (or a .up.sql/.down.sql pair; "
                                  "R__NAME.sql for a repeatable migration)");
            continue;
        }
        const auto& [version, name, kind] = *parts;
        try {
            if (ready.unreadable) {
                std::rethrow_exception(ready.unreadable);
            }
            const std::string& raw = ready.raw;
            Pending& slot = byVersion[canonicalVersion(version)];
            const bool clash =
                !slot.files.empty() &&
                (kind.empty() || !slot.migration.pairLayout || slot.migration.name != name ||
                 (kind == ".up" ? slot.migration.up.present : slot.migration.down.present));
            if (clash) {
                std::string others;
                for (const auto& f : slot.files) {
                    others += (others.empty() ? "" : ", ") + shown(f);
                }
                problems.emplace_back(ExitCode::InvalidInput,
                                      "duplicate migration version " + version + ": " +
                                          shown(path) + " and " + others,
                                      SourceLocation{path.string()},
                                      "give every migration its own version");
                continue;
            }
            slot.files.push_back(path);
            if (kind.empty()) {
                if (ready.unparsable) {
                    std::rethrow_exception(ready.unparsable);
                }
                slot.migration = std::move(*ready.parsed);
            } else {
                checkUtf8(path, raw);
                Migration& mig = slot.migration;
                mig.version = version;
                mig.name = name;
                mig.pairLayout = true;
                (kind == ".up" ? mig.up : mig.down) =
                    parsePairFile(path, normalizeNewlines(raw), kind == ".up", options);
            }
        } catch (Error& e) {
            problems.push_back(e);
        }
    }

    std::vector<Migration>& migrations = set.versioned;
    for (auto& [canonical, pending] : byVersion) {
        Migration& mig = pending.migration;
        if (mig.pairLayout && !mig.up.present) {
            problems.emplace_back(ExitCode::InvalidInput,
                                  "migration " + mig.version + "_" + mig.name +
                                      " has a .down.sql file but no .up.sql file",
                                  SourceLocation{pending.files.front().string()},
                                  "add " + mig.version + "_" + mig.name + ".up.sql");
            continue;
        }
        if (mig.pairLayout) {
            mig.checksum = sha256Hex(mig.up.sql);
        }
        if (mig.up.present) {
            migrations.push_back(std::move(mig));
        }
    }
    // Variables last: the checksums above cover the files as written.
    auto substitute = [&](MigrationSection& section) {
        if (!section.present || !section.vars || options.vars == nullptr) {
            return;
        }
        try {
            auto done = substituteVariables(section.sql, *options.vars,
                                            [&](size_t at) { return section.locate(at); });
            if (!done.replacements.empty()) {
                section.written = std::move(section.sql);
                section.sql = std::move(done.sql);
                section.replacements = std::move(done.replacements);
            }
        } catch (Error& e) {
            problems.push_back(e);
        }
    };
    for (auto* list : {&set.versioned, &set.repeatable}) {
        for (auto& m : *list) {
            substitute(m.up);
            substitute(m.down);
        }
    }
    for (auto* callback : {&set.beforeMigrate, &set.afterMigrate}) {
        if (*callback) {
            substitute((*callback)->up);
        }
    }
    if (!problems.empty()) {
        Error first = problems.front();
        std::vector<Error::ListItem> also;
        for (size_t i = 1; i < problems.size(); ++i) {
            const Error& p = problems[i];
            also.push_back({p.where().str() + ": " + p.what(),
                            {{"file", p.where().file},
                             {"line", int64_t{p.where().line}},
                             {"message", p.what()}}});
        }
        if (!also.empty())
            first.withList("also", std::move(also), true);
        throw first;
    }
    std::sort(migrations.begin(), migrations.end(), [](const Migration& a, const Migration& b) {
        return compareVersions(a.version, b.version) < 0;
    });
    return set;
}

}  // namespace dbtool
