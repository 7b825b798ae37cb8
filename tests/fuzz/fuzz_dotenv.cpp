// Fuzzes the .env reader and ${VAR:-default} expansion.
#include "targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    dbtool::fuzz::fuzzDotenv(data, size);
    return 0;
}
