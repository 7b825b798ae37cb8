#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "base/errors.hpp"
#include "base/versions.hpp"

namespace dbtool {

// One direction of a migration: the SQL between its marker and the next (or the whole file
// in the .up.sql/.down.sql layout).
struct MigrationSection {
    bool present = false;
    std::filesystem::path file;
    int firstLine = 1;  // file line of the section's first character
    std::string sql;    // as written (BOM dropped, CRLF -> LF); sent to the server unchanged
    bool transaction = true;

    // True when the section holds at least one statement (not just blanks and comments).
    bool hasStatements() const;
    // The file location of byte `offset` of sql.
    SourceLocation locate(size_t offset) const;
};

struct Migration {
    std::string version;  // digits, as written in the file name
    std::string name;
    MigrationSection up;
    MigrationSection down;
    std::string checksum;  // SHA-256 of the up section, line endings normalised
    bool pairLayout = false;

    std::string label() const { return version + " " + name; }
};

struct LoadOptions {
    // Refuse BEGIN/COMMIT and statements PostgreSQL cannot run in a transaction (CREATE INDEX
    // CONCURRENTLY, ...) in transactional sections. `migrate lint` turns this off and reports
    // them as findings of its transaction rules instead.
    bool transactionChecks = true;
};

// Parses a migration file in dbmate's format (-- migrate:up / -- migrate:down markers).
// Throws Error(ExitCode::InvalidInput) naming file:line for every problem.
Migration parseMigration(const std::filesystem::path& file, std::string_view content,
                         const std::string& version, const std::string& name,
                         const LoadOptions& options = {});

// Reads every migration of `dir`: VERSION_NAME.sql files and VERSION_NAME.up.sql /
// .down.sql pairs, sorted by version. Every problem of every file (bad names, duplicate
// versions, missing up sections, unknown options, non-UTF-8 bytes, psql meta-commands, ...)
// is found before anything runs; the first is thrown with the others listed.
std::vector<Migration> loadMigrations(const std::filesystem::path& dir,
                                      const LoadOptions& options = {});

// Every file loadMigrations would read, with the SHA-256 of its bytes, in name order, without
// parsing any: what a template database's key needs (db clone), at a fraction of the cost.
// `version` is the file name's version ("" when the name is malformed).
struct MigrationFileDigest {
    std::string fileName;
    std::string version;
    std::string sha256;
};
std::vector<MigrationFileDigest> migrationFileDigests(const std::filesystem::path& dir);

// A new version for a migration in `dir`: in a folder numbered sequentially (every version
// at most 10 digits: 1, 2 or golang-migrate's 000001, 000002), the next number with the same
// zero padding; otherwise the UTC time YYYYMMDDHHMMSS, moved one second on while a file in
// `dir` already has that version (two creates in one second).
std::string newMigrationVersion(const std::filesystem::path& dir);

// The template `migrate create` writes.
std::string migrationTemplate();

}  // namespace dbtool
