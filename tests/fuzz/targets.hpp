// The fuzz targets' bodies, shared by the libFuzzer executables (fuzz_*.cpp) and by the
// corpus test of the normal test suite (tests/fuzz/fuzz_corpus_test.cpp), which replays the seed
// corpus and every saved finding. dbtool::Error is the only acceptable way to reject an input.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "base/errors.hpp"
#include "config/config.hpp"
#include "config/dotenv.hpp"
#include "migrate/migration.hpp"
#include "seed/plan.hpp"
#include "seed/yaml_stream.hpp"

namespace dbtool::fuzz {

// A private directory for this process, made once and removed at exit. (An std::atexit
// handler registered while the path was being made would run after the path's destructor and
// remove nothing: every run of the corpus test left its folder in /tmp.)
struct ScratchDir {
    std::filesystem::path path;
    ScratchDir() {
        std::string pattern = (std::filesystem::temp_directory_path() / "dbtool-fuzz-XXXXXX");
        if (mkdtemp(pattern.data()) == nullptr) {
            std::abort();
        }
        path = pattern;
    }
    ~ScratchDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path, ignored);
    }
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;
};

inline const std::filesystem::path& scratch() {
    static const ScratchDir dir;
    return dir.path;
}

inline std::filesystem::path writeInput(const std::string& name, const uint8_t* data, size_t size) {
    const auto path = scratch() / name;
    std::ofstream(path, std::ios::binary | std::ios::trunc)
        .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    return path;
}

// Runs `read`; a dbtool::Error must say where (a file) and what. Anything else escaping —
// std::out_of_range, a crash, a sanitizer report — is a finding.
template <typename F>
void expectCleanRejection(F&& read) {
    try {
        read();
    } catch (const Error& e) {
        if (std::string(e.what()).empty()) {
            std::abort();  // an error without a message
        }
    }
}

// The migration-file parser: markers, options, sections, checksums, and the SQL lexer that
// finds psql meta-commands and transaction control.
inline void fuzzMigration(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    expectCleanRejection([&] {
        auto m = parseMigration("20240101000000_fuzz.sql", text, "20240101000000", "fuzz");
        (void)m.up.hasStatements();
        (void)m.down.hasStatements();
        if (!m.up.sql.empty()) {
            (void)m.up.locate(m.up.sql.size() - 1);
        }
    });
}

struct DiscardRows : SeedStreamVisitor {
    void beginTable(const std::string&, int, int, bool) override {}
    void option(const std::string&, const YamlValue& v, int, int) override { json(v); }
    void beginRows(int, int, bool) override {}
    void row(YamlValue&& v, const std::string&) override { json(v); }
    void endTable() override {}
    static void json(const YamlValue& v) {
        (void)yamlToJson(v, [](const YamlValue&) { return std::string("0"); });
    }
};

// The seed-file reader and the first (planning) pass, without a database.
inline void fuzzSeed(const uint8_t* data, size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    expectCleanRejection([&] {
        DiscardRows discard;
        streamSeedText(text, "001_fuzz.yaml", discard);
    });
    const auto path = writeInput("001_fuzz.yaml", data, size);
    expectCleanRejection([&] { checkSeedFileOffline(path); });
}

// The .env reader and ${VAR:-default} expansion of its values.
inline void fuzzDotenv(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    expectCleanRejection([&] {
        auto entries = parseDotenv(text, ".env");
        Environment env;
        env.addDotenv(entries, ".env");
        for (const auto& e : entries) {
            expectCleanRejection([&] { (void)expandVariables(e.value, env, {".env", e.line}); });
        }
    });
}

// The dbtool.yaml reader: environments, keys, ${VAR} expansion, URLs handed to libpq.
inline void fuzzConfig(const uint8_t* data, size_t size) {
    writeInput("dbtool.yaml", data, size);
    expectCleanRejection([&] {
        CommandLineSettings flags;
        flags.env = "development";
        Environment env;
        env.setProcessVariable("DBTOOL_FUZZ", "value");
        (void)resolveSettings(flags, env, scratch());
    });
}

}  // namespace dbtool::fuzz
