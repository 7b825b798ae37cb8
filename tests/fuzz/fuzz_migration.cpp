// Fuzzes the migration-file parser (markers, options, sections, checksums, the SQL lexer that
#include "targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    dbtool::fuzz::fuzzMigration(data, size);
    return 0;
}
