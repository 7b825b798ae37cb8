// Fuzzes the dbtool.yaml reader: environments, keys, ${VAR} expansion, URLs handed to libpq.
#include "targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    dbtool::fuzz::fuzzConfig(data, size);
    return 0;
}
