// The files of a migrations folder: which exist (the whole tree), what their names say,
// their digests, and the version a new one gets.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace dbtool {

// What a versioned migration's file name says: VERSION_NAME.sql, VERSION_NAME.up.sql,
// VERSION_NAME.down.sql.
struct FileNameParts {
    std::string version;
    std::string name;
    std::string kind;  // "", ".up" or ".down"
};
// nullopt when the name is not VERSION_NAME[.up|.down].sql.
std::optional<FileNameParts> splitMigrationFileName(const std::string& filename);

// R__NAME.sql (the name itself is checked when the file is parsed).
bool isRepeatableFileName(const std::string& filename);
// "beforeMigrate" or "afterMigrate" for beforeMigrate.sql / afterMigrate.sql (Flyway's
// callback names), "" for any other file.
std::string callbackOfFileName(const std::string& filename);

// Calls visit(path) for every file of `dir` and its subfolders, hidden files and folders (a
// leading '.') left out; directory symlinks are not followed. Throws
// Error(ExitCode::InvalidInput) when a folder cannot be read.
void forEachFileInTree(const std::filesystem::path& dir,
                       const std::function<void(const std::filesystem::path&)>& visit);

// The .sql files of `dir` and its subfolders, ordered by file name (then path): versions and
// repeatable names are unique across the tree, whichever folder holds a file.
std::vector<std::filesystem::path> migrationFiles(const std::filesystem::path& dir);

// Every file loadMigrations would read, with the SHA-256 of its bytes, in name order, without
// parsing any: what a template database's key needs (db clone), at a fraction of the cost.
// `version` is the file name's version ("" when the name is malformed or repeatable).
struct MigrationFileDigest {
    std::string fileName;  // the path within the migrations folder ("2024/..._users.sql")
    std::string version;
    std::string sha256;
};
std::vector<MigrationFileDigest> migrationFileDigests(const std::filesystem::path& dir);

// A new version for a migration in the tree of `dir`: in a tree numbered sequentially (every
// version at most 10 digits: 1, 2 or golang-migrate's 000001, 000002), the next number with
// the same zero padding; otherwise the UTC time YYYYMMDDHHMMSS, moved one second on while a
// file already has that version (two creates in one second).
std::string newMigrationVersion(const std::filesystem::path& dir);

// The template `migrate create` writes.
std::string migrationTemplate();

}  // namespace dbtool
