#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/errors.hpp"
#include "base/versions.hpp"
#include "migrate/migration_files.hpp"
#include "migrate/sql_variables.hpp"

namespace dbtool {

// One direction of a migration: the SQL between its marker and the next (or the whole file
// in the .up.sql/.down.sql layout).
struct MigrationSection {
    bool present = false;
    std::filesystem::path file;
    int firstLine = 1;  // file line of the section's first character
    std::string sql;    // as written (BOM dropped, CRLF -> LF); sent to the server unchanged
    bool transaction = true;
    // The file opts into SQL variables (`-- dbtool:vars`). Once they are substituted, `sql`
    // is the text sent and `written` the text as written, `replacements` mapping one to the
    // other for locate().
    bool vars = false;
    std::string written;
    std::vector<SqlReplacement> replacements;

    // True when the section holds at least one statement (not just blanks and comments).
    bool hasStatements() const;
    // The file location of byte `offset` of sql.
    SourceLocation locate(size_t offset) const;
};

struct Migration {
    std::string version;  // digits, as written in the file name ("" for a repeatable one)
    std::string name;
    MigrationSection up;
    MigrationSection down;
    std::string checksum;  // SHA-256 of the up section, line endings normalised
    bool pairLayout = false;
    // R__NAME.sql: no version and no down; applied again, after the versioned migrations,
    // whenever its checksum changes.
    bool repeatable = false;
    // "beforeMigrate" / "afterMigrate" for those callback files: run at every `migrate up`,
    // never recorded.
    std::string callback;

    std::string label() const {
        return repeatable          ? "R__" + name
               : !callback.empty() ? callback + ".sql"
                                   : version + " " + name;
    }
    bool versioned() const { return !repeatable && callback.empty(); }
};

struct LoadOptions {
    // Refuse BEGIN/COMMIT and statements PostgreSQL cannot run in a transaction (CREATE INDEX
    // CONCURRENTLY, ...) in transactional sections. `migrate lint` turns this off and reports
    // them as findings of its transaction rules instead.
    bool transactionChecks = true;
    // Values for the files that opt into SQL variables; null: such a file's references are
    // left as written (commands that only read names and checksums).
    const SqlVariables* vars = nullptr;
};

// Parses a migration file in dbmate's format (-- migrate:up / -- migrate:down markers).
// Throws Error(ExitCode::InvalidInput) naming file:line for every problem.
Migration parseMigration(const std::filesystem::path& file, std::string_view content,
                         const std::string& version, const std::string& name,
                         const LoadOptions& options = {});

// Reads every migration of `dir` and its subfolders (hidden ones left out): VERSION_NAME.sql
// files and VERSION_NAME.up.sql / .down.sql pairs, sorted by version, versions unique across
// the tree. Every problem of every file (bad names, duplicate
// versions, missing up sections, unknown options, non-UTF-8 bytes, psql meta-commands, ...)
// is found before anything runs; the first is thrown with the others listed.
std::vector<Migration> loadMigrations(const std::filesystem::path& dir,
                                      const LoadOptions& options = {});

// The versioned migrations (as loadMigrations), the repeatable ones (R__NAME.sql, sorted by
// name) and the callbacks (beforeMigrate.sql, afterMigrate.sql): in the last two kinds the
// whole file is one up section (a leading `-- migrate:up` marker allowed), always run in a
// transaction. Problems of every kind are reported together.
struct MigrationSet {
    std::vector<Migration> versioned;
    std::vector<Migration> repeatable;
    // beforeMigrate.sql / afterMigrate.sql, when present (anywhere in the tree, once each).
    std::optional<Migration> beforeMigrate;
    std::optional<Migration> afterMigrate;
};
MigrationSet loadMigrationSet(const std::filesystem::path& dir, const LoadOptions& options = {});

}  // namespace dbtool
