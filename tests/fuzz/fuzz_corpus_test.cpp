// Replays the fuzz targets' seed corpus and every saved finding (tests/fuzz/regressions) in
// the normal test suite, so a fixed crash stays fixed in every build, sanitized or not.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include "fuzz/targets.hpp"

namespace dbtool {
namespace {

namespace fs = std::filesystem;
using Target = void (*)(const uint8_t*, size_t);

const fs::path kSource = DBTOOL_SOURCE_DIR;

// The files under `dirs` (recursively) whose names end in one of `extensions` ("" = any).
std::vector<fs::path> inputs(const std::vector<fs::path>& dirs,
                             const std::vector<std::string>& extensions) {
    std::vector<fs::path> out;
    for (const auto& dir : dirs) {
        if (!fs::exists(dir))
            continue;
        for (const auto& e : fs::recursive_directory_iterator(dir)) {
            if (!e.is_regular_file())
                continue;
            for (const auto& ext : extensions) {
                if (ext.empty() || e.path().extension() == ext) {
                    out.push_back(e.path());
                    break;
                }
            }
        }
    }
    return out;
}

void replay(Target target, const std::vector<fs::path>& files, size_t atLeast) {
    EXPECT_GE(files.size(), atLeast);
    for (const auto& f : files) {
        std::ifstream in(f, std::ios::binary);
        const std::string data((std::istreambuf_iterator<char>(in)), {});
        SCOPED_TRACE(f.string());
        target(reinterpret_cast<const uint8_t*>(data.data()), data.size());
    }
}

fs::path corpus(const std::string& target) {
    return kSource / "tests/fuzz/corpus" / target;
}
fs::path findings(const std::string& target) {
    return kSource / "tests/fuzz/regressions" / target;
}

TEST(FuzzCorpus, MigrationFiles) {
    replay(&fuzz::fuzzMigration,
           inputs({kSource / "migrations-example", corpus("fuzz_migration"),
                   findings("fuzz_migration")},
                  {""}),
           5);
}

TEST(FuzzCorpus, SeedFiles) {
    auto files = inputs({kSource / "seeds-example"}, {".yaml"});
    for (auto& f : inputs({corpus("fuzz_seed"), findings("fuzz_seed")}, {""}))
        files.push_back(f);
    replay(&fuzz::fuzzSeed, files, 5);
}

TEST(FuzzCorpus, DotenvFiles) {
    replay(&fuzz::fuzzDotenv, inputs({corpus("fuzz_dotenv"), findings("fuzz_dotenv")}, {""}), 2);
}

TEST(FuzzCorpus, ConfigFiles) {
    replay(&fuzz::fuzzConfig, inputs({corpus("fuzz_config"), findings("fuzz_config")}, {""}), 2);
}

}  // namespace
}  // namespace dbtool
