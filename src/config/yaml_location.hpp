#pragma once

#include <string>

#include <yaml-cpp/yaml.h>

#include "base/errors.hpp"

namespace dbtool {

// Where `node` is in `file`, 1-based, for errors about dbtool.yaml.
inline SourceLocation yamlLocation(const std::string& file, const YAML::Node& node) {
    const YAML::Mark mark = node.Mark();
    return mark.is_null() ? SourceLocation{file}
                          : SourceLocation{file, mark.line + 1, mark.column + 1};
}

}  // namespace dbtool
