#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dbtool {

// One KEY=VALUE of a .env file, with the line it was defined on.
struct DotenvEntry {
    std::string key;
    std::string value;
    int line = 0;
};

// Parses .env text: KEY=VALUE lines, optional `export ` prefix, # comments, blank lines,
// 'single-quoted' (literal) and "double-quoted" (\n \t \r \" \\ escapes; may span lines) values,
// unquoted values trimmed and ending at " #". Throws Error (ExitCode::Config) naming
// file:line:col for a malformed line. `file` is used only in messages.
std::vector<DotenvEntry> parseDotenv(std::string_view text, const std::string& file);

// Reads and parses a .env file; returns no entries when the file does not exist.
std::vector<DotenvEntry> readDotenvFile(const std::filesystem::path& path);

}  // namespace dbtool
