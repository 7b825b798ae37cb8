#include "seed/seed_files.hpp"

#include <algorithm>
#include <regex>

#include "base/errors.hpp"
#include "base/text.hpp"
#include "base/versions.hpp"

namespace dbtool {

namespace fs = std::filesystem;

std::vector<SeedFile> findSeedFiles(const fs::path& dir, const std::string& environment) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
        throw Error(ExitCode::InvalidInput,
                    "the seeds directory " + dir.string() + " does not exist", {dir.string()},
                    "create it (`dbtool seed create NAME` does), or point --seeds-dir / "
                    "DBTOOL_SEEDS_DIR / seeds_dir at it");
    }
    static const std::regex nameRe(R"(^([0-9]+)_([A-Za-z0-9][A-Za-z0-9_.-]*)\.ya?ml$)");
    std::vector<SeedFile> files;
    auto scan = [&](const fs::path& folder, const std::string& env) {
        if (!fs::is_directory(folder, ec)) {
            return;
        }
        for (const auto& entry : fs::directory_iterator(folder)) {
            const std::string filename = entry.path().filename().string();
            if (!entry.is_regular_file() || filename.starts_with(".") ||
                !(filename.ends_with(".yaml") || filename.ends_with(".yml"))) {
                continue;
            }
            std::smatch m;
            if (!std::regex_match(filename, m, nameRe)) {
                throw Error(ExitCode::InvalidInput, "malformed seed file name '" + filename + "'",
                            {entry.path().string()},
                            "name it ORDER_NAME.yaml with a digit order, e.g. 001_users.yaml");
            }
            SeedFile f;
            f.path = entry.path();
            f.order = m[1];
            f.environment = env;
            const std::string stem = filename.substr(0, filename.rfind('.'));
            f.name = env.empty() ? stem : env + "/" + stem;
            files.push_back(std::move(f));
        }
    };
    scan(dir, "");
    if (!environment.empty()) {
        scan(dir / environment, environment);
    }
    std::sort(files.begin(), files.end(), [](const SeedFile& a, const SeedFile& b) {
        const int c = compareVersions(a.order, b.order);
        return c != 0 ? c < 0 : a.name < b.name;
    });
    for (size_t i = 1; i < files.size(); ++i) {
        if (files[i].path.stem() == files[i - 1].path.stem()) {
            throw Error(
                ExitCode::InvalidInput,
                "two seed files named " + files[i].path.stem().string() + " (.yaml and .yml)",
                {files[i].path.string()}, "keep one of them");
        }
    }
    return files;
}

std::string seedTemplate(const std::string& table) {
    if (table.empty()) {
        // No table named: a file that runs as it is (an empty mapping) and shows the format.
        return "# Seed file: one key per table, loaded in foreign-key order, each file in one\n"
               "# transaction. See README \"Seed files\". Replace the {} below with rows, e.g.:\n"
               "#\n"
               "# users:\n"
               "#   - _label: ann              # optional: refer to this row as !ref users.ann\n"
               "#     email: ann@example.com\n"
               "#     name: Ann\n"
               "#\n"
               "# posts:\n"
               "#   generate:\n"
               "#     count: 100\n"
               "#     row: {author_id: \"{{ref users}}\", title: \"{{sentence}}\"}\n"
               "{}\n";
    }
    return "# Seed file: one key per table, loaded in foreign-key order, each file in one\n"
           "# transaction. See README \"Seed files\".\n" +
           table +
           ":\n"
           "  - _label: first          # optional: refer to this row as !ref " +
           table +
           ".first\n"
           "    # column: value\n";
}

bool seedMatches(const SeedFile& f, const std::string& wanted) {
    if (f.name == wanted)
        return true;
    const std::string stem = f.path.stem().string();
    if (stem == wanted)
        return true;
    const size_t underscore = stem.find('_');
    return underscore != std::string::npos && stem.substr(underscore + 1) == wanted;
}

std::string seedChecksum(const SeedFile& file, const std::vector<fs::path>& csvFiles) {
    Sha256 sha;
    sha.updateFile(file.path);
    for (const auto& csv : csvFiles) {
        sha.update(std::string("\0csv:", 5) + csv.filename().string() + '\0');
        sha.updateFile(csv);
    }
    return sha.hex();
}

void seedInputError(const std::string& file, int line, int column, const std::string& what,
                    const std::string& hint) {
    throw Error(ExitCode::InvalidInput, what, {file, line, column}, hint);
}

}  // namespace dbtool
