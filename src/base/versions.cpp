#include "base/versions.hpp"

namespace dbtool {

std::string canonicalVersion(const std::string& version) {
    const size_t nonZero = version.find_first_not_of('0');
    return nonZero == std::string::npos ? "0" : version.substr(nonZero);
}

int compareVersions(const std::string& a, const std::string& b) {
    const std::string ca = canonicalVersion(a);
    const std::string cb = canonicalVersion(b);
    if (ca.size() != cb.size()) {
        return ca.size() < cb.size() ? -1 : 1;
    }
    return ca.compare(cb) < 0 ? -1 : (ca == cb ? 0 : 1);
}

}  // namespace dbtool
