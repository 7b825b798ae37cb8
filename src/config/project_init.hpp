#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace dbtool {

// `dbtool init`: the files of a new project, as sequelize init makes them.
struct InitEntry {
    std::filesystem::path path;  // relative to the project folder
    bool directory = false;
    std::string content;  // files only
};

// dbtool.yaml (development, test and production sections reading ${DATABASE_URL}),
// migrations/, seeds/ and .env.example, with database names made from `appName`.
std::vector<InitEntry> projectSkeleton(const std::string& appName);

// A database-name-friendly version of a folder name: "My Blog-2" -> "my_blog_2" ("app" when
// nothing is left).
std::string appNameFromFolder(const std::string& folder);

// Writes the skeleton into `dir`. Throws Error(ExitCode::Usage) naming every file that exists
// already, before writing anything (existing folders are fine); returns what it created.
std::vector<std::filesystem::path> initProject(const std::filesystem::path& dir,
                                               const std::string& appName);

}  // namespace dbtool
