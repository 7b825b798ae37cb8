#pragma once

#include <string>

#include "seed/yaml_stream.hpp"

namespace dbtool {

// The syntax inside a seed row that dbtool gives meaning to: !ref TABLE.LABEL, _label, YAML
// merge keys. Shared by the planner (which checks it) and the loader (which resolves it).

struct RefTarget {
    std::string table;  // as written
    std::string label;
};

// "users.alice" -> {users, alice}; throws Error(ExitCode::InvalidInput) at the value.
RefTarget parseRef(const YamlValue& v, const std::string& file);
bool isRef(const YamlValue& v);
// True when the value is a !ref or holds one (in a list or mapping).
bool holdsRef(const YamlValue& v);
// Throws for a tag dbtool does not understand (anything but !ref and YAML's own).
void checkTag(const YamlValue& v, const std::string& file);
// Applies YAML merge keys (<<: *base), takes _label out and returns it ("" when none).
// Throws when the row is not a mapping or the label is malformed.
std::string normalizeRow(YamlValue& row, const std::string& file);

}  // namespace dbtool
