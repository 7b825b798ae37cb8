#include "migrate/migration.hpp"

#include <algorithm>
#include <cstring>
#include <ctime>
#include <exception>
#include <map>
#include <optional>
#include <regex>
#include <set>

#include "base/parallel.hpp"
#include "base/text.hpp"
#include "migrate/sql_lexer.hpp"

namespace dbtool {

namespace fs = std::filesystem;

bool MigrationSection::hasStatements() const {
    return !lexSql(sql).statements.empty();
}

SourceLocation MigrationSection::locate(size_t offset) const {
    const LineColumn lc = lineColumnAt(sql, offset);
    return {file.string(), firstLine + lc.line - 1, lc.column};
}

namespace {

const char* kFormatHint =
    "a migration file holds '-- migrate:up' followed by its SQL, then optionally "
    "'-- migrate:down' followed by the SQL that undoes it";

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

struct FileNameParts {
    std::string version;
    std::string name;
    std::string kind;  // "", ".up" or ".down"
};

// VERSION_NAME.sql, VERSION_NAME.up.sql, VERSION_NAME.down.sql: digits, '_', a name without
// path separators. Scanned by hand: a std::regex per file was a visible part of loading 1,000.
std::optional<FileNameParts> splitMigrationFileName(const std::string& filename) {
    const size_t digits = filename.find_first_not_of("0123456789");
    if (digits == 0 || digits == std::string::npos || filename[digits] != '_' ||
        !filename.ends_with(".sql")) {
        return std::nullopt;
    }
    FileNameParts parts{filename.substr(0, digits),
                        filename.substr(digits + 1, filename.size() - digits - 1 - 4), ""};
    for (const char* kind : {".up", ".down"}) {
        if (parts.name.size() > std::strlen(kind) && parts.name.ends_with(kind)) {
            parts.name.resize(parts.name.size() - std::strlen(kind));
            parts.kind = kind;
            break;
        }
    }
    if (parts.name.empty() || parts.name.find_first_of("/\\") != std::string::npos) {
        return std::nullopt;
    }
    return parts;
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
    size_t pos = 0;
    int lineNo = 1;
    while (pos < text.size()) {
        size_t end = text.find('\n', pos);
        if (end == std::string::npos) {
            end = text.size();
        }
        const std::string_view line = std::string_view(text).substr(pos, end - pos);
        if (line.find_first_not_of(" \t") == std::string::npos) {
            pos = end + 1;
            ++lineNo;
            continue;
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
        break;
    }
    checkSection(section, isUp ? "up" : "down", true, options);
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
    size_t pos = 0;
    int lineNo = 1;
    size_t sectionStart = 0;
    auto closeSection = [&](size_t end) {
        if (current != nullptr) {
            current->sql = text.substr(sectionStart, end - sectionStart);
        }
    };
    while (pos <= text.size()) {
        size_t end = text.find('\n', pos);
        if (end == std::string::npos) {
            end = text.size();
        }
        const std::string_view line = std::string_view(text).substr(pos, end - pos);
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
        pos = end + 1;
        ++lineNo;
    }
    closeSection(text.size());
    if (!migration.up.present) {
        throw Error(ExitCode::InvalidInput, "no '-- migrate:up' section", {file.string()},
                    kFormatHint);
    }
    checkSection(migration.up, "up", false, options);
    if (migration.down.present) {
        checkSection(migration.down, "down", false, options);
    }
    migration.checksum = sha256Hex(migration.up.sql);
    return migration;
}

namespace {

// The .sql files of `dir` (not hidden ones), in name order.
std::vector<fs::path> migrationFiles(const fs::path& dir) {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir)) {
        std::string filename = entry.path().filename().string();
        if (entry.is_regular_file() && !filename.starts_with(".") && filename.ends_with(".sql")) {
            names.push_back(std::move(filename));
        }
    }
    // By name as strings: comparing paths goes component by component, a tenth of loading.
    std::sort(names.begin(), names.end());
    std::vector<fs::path> files;
    files.reserve(names.size());
    for (const auto& name : names) {
        files.push_back(dir / name);
    }
    return files;
}

// A migration file read and, in the one-file layout, parsed; failures kept to be reported in
// file order.
struct Prepared {
    std::optional<FileNameParts> parts;
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
        p.parts = splitMigrationFileName(files[i].filename().string());
        if (!p.parts) {
            return;
        }
        try {
            p.raw = readFile(files[i]);
        } catch (...) {
            p.unreadable = std::current_exception();
            return;
        }
        if (p.parts->kind.empty()) {
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

std::vector<MigrationFileDigest> migrationFileDigests(const fs::path& dir) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
        return {};  // loadMigrations says so when the template is built
    }
    const auto files = migrationFiles(dir);
    std::vector<MigrationFileDigest> out(files.size());
    forEachInParallel(files.size(), [&](size_t i) {
        const std::string name = files[i].filename().string();
        const auto parts = splitMigrationFileName(name);
        Sha256 hash;
        hash.updateFile(files[i]);
        out[i] = {name, parts ? parts->version : "", hash.hex()};
    });
    return out;
}

std::vector<Migration> loadMigrations(const fs::path& dir, const LoadOptions& options) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
        throw Error(ExitCode::InvalidInput,
                    "the migrations directory " + dir.string() + " does not exist", {dir.string()},
                    "create it (`dbtool migrate create NAME` does), or point --migrations-dir / "
                    "DBTOOL_MIGRATIONS_DIR / migrations_dir at it");
    }
    const auto files = migrationFiles(dir);
    auto prepared = prepareInParallel(files, options);
    std::vector<Error> problems;
    struct Pending {
        Migration migration;
        std::vector<fs::path> files;
    };
    std::map<std::string, Pending> byVersion;  // canonical version -> migration
    for (size_t index = 0; index < files.size(); ++index) {
        const fs::path& path = files[index];
        Prepared& ready = prepared[index];
        const std::string filename = path.filename().string();
        const auto& parts = ready.parts;
        if (!parts) {
            problems.emplace_back(ExitCode::InvalidInput,
                                  "malformed migration file name '" + filename + "'",
                                  SourceLocation{path.string()},
                                  "name it VERSION_NAME.sql with a digit version, e.g. "
                                  "20240101120000_create_users.sql (or a .up.sql/.down.sql pair)");
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
                    others += (others.empty() ? "" : ", ") + f.filename().string();
                }
                problems.emplace_back(
                    ExitCode::InvalidInput,
                    "duplicate migration version " + version + ": " + filename + " and " + others,
                    SourceLocation{path.string()}, "give every migration its own version");
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

    std::vector<Migration> migrations;
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
    return migrations;
}

std::string newMigrationVersion(const fs::path& dir) {
    std::set<std::string> taken;
    std::error_code ec;
    static const std::regex versionRe(R"(^([0-9]+)_)");
    // A folder numbered 1, 2, 3 (golang-migrate's -seq: 000001, 000002) goes on numbering;
    // timestamps, when any file has one (or there are none yet).
    std::string newest;
    bool sequential = true;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        std::smatch m;
        const std::string name = entry.path().filename().string();
        if (std::regex_search(name, m, versionRe)) {
            const std::string v = m[1];
            taken.insert(canonicalVersion(v));
            sequential = sequential && canonicalVersion(v).size() <= 10;
            if (newest.empty() || compareVersions(v, newest) > 0)
                newest = v;
        }
    }
    if (sequential && !newest.empty()) {
        std::string next = std::to_string(std::stoull(canonicalVersion(newest)) + 1);
        if (next.size() < newest.size())
            next.insert(0, newest.size() - next.size(), '0');
        return next;
    }
    std::time_t now = std::time(nullptr);
    auto stamp = [](std::time_t t) {
        std::tm tm{};
        gmtime_r(&t, &tm);
        char buf[32];
        std::strftime(buf, sizeof buf, "%Y%m%d%H%M%S", &tm);
        return std::string(buf);
    };
    std::string version = stamp(now);
    while (taken.count(canonicalVersion(version)) != 0) {
        version = stamp(++now);
    }
    return version;
}

std::string migrationTemplate() {
    return "-- migrate:up\n"
           "\n"
           "\n"
           "-- migrate:down\n"
           "\n";
}

}  // namespace dbtool
