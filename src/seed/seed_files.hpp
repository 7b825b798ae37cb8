#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace dbtool {

// A seed file: <order>_<name>.yaml in the seeds directory (every environment) or in
// seeds/<env>/ (that environment only).
struct SeedFile {
    std::string name;  // "001_users", or "development/010_demo_posts"
    std::filesystem::path path;
    std::string order;
    std::string environment;  // "" = every environment
};

// The seed files for `environment`, in order (by the order number, then the name).
std::vector<SeedFile> findSeedFiles(const std::filesystem::path& dir,
                                    const std::string& environment);

// True when `wanted` names the seed: its full name, its file's stem, or the stem without the
// order number ("users" for 001_users).
bool seedMatches(const SeedFile& file, const std::string& wanted);

// The checksum a seed is recorded with: its YAML and the CSV files it loads.
std::string seedChecksum(const SeedFile& file, const std::vector<std::filesystem::path>& csvFiles);

// The template `seed create` writes: rows of `table` to fill in, or, without a table, an
// empty file (that runs as it is) with the format in comments.
std::string seedTemplate(const std::string& table);

// Throws Error(ExitCode::InvalidInput) for a problem at file:line:column of a seed.
[[noreturn]] void seedInputError(const std::string& file, int line, int column,
                                 const std::string& what, const std::string& hint = {});

}  // namespace dbtool
