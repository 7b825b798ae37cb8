#include "config/project_init.hpp"

#include <cctype>
#include <fstream>

#include "base/errors.hpp"

namespace dbtool {

namespace fs = std::filesystem;

std::string appNameFromFolder(const std::string& folder) {
    std::string out;
    for (unsigned char c : folder) {
        if (std::isalnum(c)) {
            out += static_cast<char>(std::tolower(c));
        } else if (!out.empty() && out.back() != '_') {
            out += '_';
        }
    }
    while (!out.empty() && out.back() == '_')
        out.pop_back();
    if (out.empty() || std::isdigit(static_cast<unsigned char>(out.front())))
        out = "app" + (out.empty() ? "" : "_" + out);
    return out;
}

std::vector<InitEntry> projectSkeleton(const std::string& app) {
    // No password in dbtool.yaml: it comes from .env, PGPASSWORD or ~/.pgpass.
    const std::string local = "postgres://postgres@localhost:5432/";
    const std::string config =
        "# dbtool's settings, one section per environment: --env NAME or DBTOOL_ENV selects\n"
        "# one (default development). DATABASE_URL (environment or .env) wins over url.\n"
        "# Every key is described in the README, section Configuration.\n"
        "development:\n"
        "  url: ${DATABASE_URL:-" +
        local + app +
        "_development?sslmode=disable}\n"
        "  migrations_dir: migrations\n"
        "  seeds_dir: seeds\n"
        "\n"
        "test:\n"
        "  url: ${DATABASE_URL:-" +
        local + app +
        "_test?sslmode=disable}\n"
        "  migrations_dir: migrations\n"
        "  seeds_dir: seeds\n"
        "\n"
        "production:\n"
        "  url: ${DATABASE_URL}\n"
        "  migrations_dir: migrations\n"
        "  seeds_dir: seeds\n"
        "  lock_timeout: 30s\n";
    const std::string env =
        "# Copy to .env (and keep .env out of version control): dbtool reads it from the\n"
        "# working directory; variables already set in the environment win.\n"
        "DATABASE_URL=postgres://postgres:CHANGE_ME@localhost:5432/" +
        app + "_development?sslmode=disable\n";
    return {{"dbtool.yaml", false, config},
            {"migrations", true, {}},
            {"seeds", true, {}},
            {".env.example", false, env}};
}

std::vector<fs::path> initProject(const fs::path& dir, const std::string& appName) {
    const auto skeleton = projectSkeleton(appName);
    std::string existing;
    for (const auto& entry : skeleton) {
        const fs::path path = dir / entry.path;
        if (!entry.directory && fs::exists(path)) {
            existing += (existing.empty() ? "" : ", ") + entry.path.string();
        } else if (entry.directory && fs::exists(path) && !fs::is_directory(path)) {
            existing += (existing.empty() ? "" : ", ") + entry.path.string() + " (not a folder)";
        }
    }
    if (!existing.empty()) {
        throw Error(ExitCode::Usage, "refusing to overwrite " + existing + "; nothing was written",
                    {},
                    "this folder has a dbtool project already; move the files away to start anew");
    }
    std::vector<fs::path> created;
    for (const auto& entry : skeleton) {
        const fs::path path = dir / entry.path;
        std::error_code ec;
        if (entry.directory) {
            if (fs::create_directories(path, ec))
                created.push_back(entry.path);
            if (ec)
                throw Error(ExitCode::Failure,
                            "cannot create " + path.string() + ": " + ec.message());
            continue;
        }
        std::ofstream f(path, std::ios::binary);
        f << entry.content;
        if (!f)
            throw Error(ExitCode::Failure, "cannot write " + path.string(), {path.string()});
        created.push_back(entry.path);
    }
    return created;
}

}  // namespace dbtool
