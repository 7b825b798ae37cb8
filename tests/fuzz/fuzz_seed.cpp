// Fuzzes the seed-file reader and the first (planning) pass, without a database.
#include "targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    dbtool::fuzz::fuzzSeed(data, size);
    return 0;
}
