#pragma once

#include <string>

namespace dbtool {

// Numeric order of digit-string versions of any length ("9" < "10"; "001" == "1"): migration
// versions and seed order numbers both sort this way.
int compareVersions(const std::string& a, const std::string& b);
// The version without leading zeros (the identity used to match files and tracking rows).
std::string canonicalVersion(const std::string& version);

}  // namespace dbtool
