// `migrate create NAME [--dir SUB]`: a new migration file (or .up/.down pair) with the next
// version of the whole tree.
#include <fstream>
#include <regex>

#include "cli/context.hpp"
#include "migrate/migration.hpp"

namespace dbtool::cli {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// migrate create --dir SUB: a folder inside the migrations folder, never outside it.
fs::path subfolder(const fs::path& root, const std::string& sub) {
    const fs::path relative = fs::path(sub).lexically_normal();
    const bool inside = !sub.empty() && relative.is_relative() && !relative.empty() &&
                        *relative.begin() != ".." && relative != ".";
    if (!inside) {
        throw Error(ExitCode::Usage, "--dir " + sub + ": not a folder inside " + root.string(), {},
                    "give a path relative to the migrations folder, e.g. --dir 2024");
    }
    return root / relative;
}

}  // namespace

int runMigrateCreate(Context& ctx, const std::string& name, const std::string& sub) {
    requireFileName("migration", name, "create_users");
    const fs::path root = ctx.settings().migrationsDir;
    const fs::path dir = sub.empty() ? root : subfolder(root, sub);
    fs::create_directories(dir);
    // Follow the layout the tree already uses.
    bool pairs = false, singles = false;
    static const std::regex fileRe(R"(^[0-9]+_.*?(\.up|\.down)?\.sql$)");
    forEachFileInTree(root, [&](const fs::path& path) {
        std::smatch m;
        const std::string f = path.filename().string();
        if (std::regex_match(f, m, fileRe)) {
            (m[1].matched ? pairs : singles) = true;
        }
    });
    // Versions are unique across the tree: the next one is chosen from every folder's files.
    const std::string version = newMigrationVersion(root);
    std::vector<std::pair<fs::path, std::string>> files;
    if (pairs && !singles) {
        files.push_back({dir / (version + "_" + name + ".up.sql"), ""});
        files.push_back({dir / (version + "_" + name + ".down.sql"), ""});
    } else {
        files.push_back({dir / (version + "_" + name + ".sql"), migrationTemplate()});
    }
    json paths = json::array();
    for (const auto& [path, content] : files) {
        if (fs::exists(path)) {
            throw Error(ExitCode::Usage, "refusing to overwrite " + path.string(), {path.string()});
        }
        std::ofstream f(path, std::ios::binary);
        f << content;
        if (!f) {
            throw Error(ExitCode::Failure, "cannot write " + path.string(), {path.string()});
        }
        ctx.out().line(path.string());
        paths.push_back(path.string());
    }
    ctx.out().document({{"version", version}, {"name", name}, {"files", paths}});
    return 0;
}

}  // namespace dbtool::cli
