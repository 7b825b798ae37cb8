#include "migrate/migration_files.hpp"

#include <algorithm>
#include <cstring>
#include <ctime>
#include <regex>
#include <set>

#include "base/errors.hpp"
#include "base/parallel.hpp"
#include "base/text.hpp"
#include "base/versions.hpp"

namespace dbtool {

namespace fs = std::filesystem;

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

bool isRepeatableFileName(const std::string& filename) {
    return filename.starts_with("R__") && filename.ends_with(".sql");
}

std::string callbackOfFileName(const std::string& filename) {
    for (const char* name : {"beforeMigrate", "afterMigrate"}) {
        if (filename == std::string(name) + ".sql") {
            return name;
        }
    }
    return "";
}

void forEachFileInTree(const fs::path& dir, const std::function<void(const fs::path&)>& visit) {
    try {
        for (auto it = fs::recursive_directory_iterator(dir);
             it != fs::recursive_directory_iterator(); ++it) {
            const std::string filename = it->path().filename().string();
            if (filename.starts_with(".")) {
                if (it->is_directory()) {
                    it.disable_recursion_pending();
                }
                continue;
            }
            if (it->is_regular_file()) {
                visit(it->path());
            }
        }
    } catch (const fs::filesystem_error& e) {
        throw Error(ExitCode::InvalidInput,
                    "cannot read the migrations folder " + dir.string() + ": " +
                        e.code().message() + " (" + e.path1().string() + ")",
                    {dir.string()}, "check the folder's permissions");
    }
}

std::vector<fs::path> migrationFiles(const fs::path& dir) {
    std::vector<std::pair<std::string, std::string>> found;  // (file name, path)
    forEachFileInTree(dir, [&](const fs::path& path) {
        std::string filename = path.filename().string();
        if (filename.ends_with(".sql")) {
            found.emplace_back(std::move(filename), path.string());
        }
    });
    // As strings: comparing paths goes component by component, a tenth of loading.
    std::sort(found.begin(), found.end());
    std::vector<fs::path> files;
    files.reserve(found.size());
    for (const auto& [name, path] : found) {
        files.emplace_back(path);
    }
    return files;
}

std::vector<MigrationFileDigest> migrationFileDigests(const fs::path& dir) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
        return {};  // loadMigrations says so when the template is built
    }
    const auto files = migrationFiles(dir);
    std::vector<MigrationFileDigest> out(files.size());
    forEachInParallel(files.size(), [&](size_t i) {
        const auto parts = splitMigrationFileName(files[i].filename().string());
        Sha256 hash;
        hash.updateFile(files[i]);
        out[i] = {files[i].lexically_relative(dir).generic_string(), parts ? parts->version : "",
                  hash.hex()};
    });
    return out;
}

std::string newMigrationVersion(const fs::path& dir) {
    std::set<std::string> taken;
    std::error_code ec;
    static const std::regex versionRe(R"(^([0-9]+)_)");
    // A folder numbered 1, 2, 3 (golang-migrate's -seq: 000001, 000002) goes on numbering;
    // timestamps, when any file has one (or there are none yet).
    std::string newest;
    bool sequential = true;
    if (fs::is_directory(dir, ec)) {
        forEachFileInTree(dir, [&](const fs::path& path) {
            std::smatch m;
            const std::string name = path.filename().string();
            if (std::regex_search(name, m, versionRe)) {
                const std::string v = m[1];
                taken.insert(canonicalVersion(v));
                sequential = sequential && canonicalVersion(v).size() <= 10;
                if (newest.empty() || compareVersions(v, newest) > 0)
                    newest = v;
            }
        });
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
