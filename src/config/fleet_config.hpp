#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "base/errors.hpp"
#include "config/connection_target.hpp"

namespace dbtool {

// One entry of a fleet group in an environment's `targets:` section of dbtool.yaml:
//
//   targets:
//     tenants:
//       - schemas: "tenant_%"              # every matching schema of the environment's database
//         exclude: "tenant_template"
//     shards:
//       - databases: "shard_%"             # every matching database on the environment's server
//       - url: postgres://app@db2/legacy   # one database
//       - query: SELECT url, schema FROM fleet.tenants WHERE active
//
// Patterns are SQL LIKE patterns ('%' any run, '_' any one character).
struct TargetSpec {
    enum class Kind { Url, Databases, Schemas, Query };
    Kind kind = Kind::Url;
    // The URL, the LIKE pattern or the SQL.
    std::string value;
    // Where to look: `database:` (schemas, query) or `server:` (databases); unset = the
    // environment's own database.
    std::optional<ConnectionTarget> at;
    // A LIKE pattern of names to leave out (databases, schemas).
    std::string exclude;
    SourceLocation where;
};

struct TargetGroup {
    std::string name;
    std::vector<TargetSpec> specs;
    SourceLocation where;
};
using TargetGroups = std::map<std::string, TargetGroup>;

// ${VAR} expansion of a value at a place in the file (config.cpp's expandVariables).
using ExpandFn = std::function<std::string(const std::string&, const SourceLocation&)>;

// Reads an environment's `targets:` mapping (group name -> an entry or a list of entries).
// Throws Error(ExitCode::Config) at the offending key or value.
TargetGroups readTargetGroups(const std::string& file, const YAML::Node& node,
                              const ExpandFn& expand);

}  // namespace dbtool
