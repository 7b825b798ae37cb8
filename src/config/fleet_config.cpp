#include "config/fleet_config.hpp"

#include <algorithm>

#include "config/yaml_location.hpp"

namespace dbtool {

namespace {

const char* kExample =
    "e.g. targets: {tenants: [{schemas: \"tenant_%\"}], shards: [{databases: \"shard_%\"}]}";

const std::vector<std::string>& entryKeys() {
    static const std::vector<std::string> keys = {"url",      "databases", "schemas", "query",
                                                  "database", "server",    "exclude"};
    return keys;
}

// The modifiers each kind takes besides its own key.
bool takes(TargetSpec::Kind kind, const std::string& key) {
    using K = TargetSpec::Kind;
    if (key == "database")
        return kind == K::Schemas || kind == K::Query;
    if (key == "server")
        return kind == K::Databases;
    if (key == "exclude")
        return kind == K::Schemas || kind == K::Databases;
    return false;
}

TargetSpec readEntry(const std::string& file, const std::string& group, const YAML::Node& node,
                     const ExpandFn& expand) {
    if (!node.IsMap()) {
        throw Error(ExitCode::Config,
                    "an entry of target group '" + group +
                        "' must be a mapping with url, databases, schemas or query",
                    yamlLocation(file, node), kExample);
    }
    TargetSpec spec;
    spec.where = yamlLocation(file, node);
    std::optional<std::string> kindKey;
    std::map<std::string, std::pair<std::string, SourceLocation>> values;
    for (const auto& item : node) {
        const std::string key = item.first.IsScalar() ? item.first.Scalar() : "";
        const SourceLocation where = yamlLocation(file, item.first);
        const auto& keys = entryKeys();
        if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
            throw Error(
                ExitCode::Config,
                "unknown key '" + key + "' in target group '" + group + "'" + didYouMean(key, keys),
                where,
                "an entry is one of url, databases, schemas, query; with database, "
                "server or exclude beside it");
        }
        if (!item.second.IsScalar() || item.second.Scalar().empty()) {
            throw Error(ExitCode::Config, "'" + key + "' must be a single non-empty value",
                        yamlLocation(file, item.second), kExample);
        }
        if (key == "url" || key == "databases" || key == "schemas" || key == "query") {
            if (kindKey) {
                throw Error(
                    ExitCode::Config,
                    "an entry of target group '" + group + "' has both " + *kindKey + " and " + key,
                    where, "give each its own entry (a list item starting with '- ')");
            }
            kindKey = key;
        }
        values[key] = {expand(item.second.Scalar(), yamlLocation(file, item.second)),
                       yamlLocation(file, item.second)};
    }
    if (!kindKey) {
        throw Error(ExitCode::Config,
                    "an entry of target group '" + group +
                        "' names no targets: give url, databases, schemas or query",
                    spec.where, kExample);
    }
    using K = TargetSpec::Kind;
    spec.kind = *kindKey == "url"         ? K::Url
                : *kindKey == "databases" ? K::Databases
                : *kindKey == "schemas"   ? K::Schemas
                                          : K::Query;
    spec.value = values[*kindKey].first;
    for (const auto& [key, value] : values) {
        if (key == *kindKey)
            continue;
        if (!takes(spec.kind, key)) {
            throw Error(ExitCode::Config, "'" + key + "' does not go with " + *kindKey,
                        value.second,
                        "database: goes with schemas and query, server: with databases, "
                        "exclude: with schemas and databases");
        }
        if (key == "exclude") {
            spec.exclude = value.first;
        } else {
            spec.at = ConnectionTarget::parse(value.first, value.second.str());
        }
    }
    if (spec.kind == K::Url) {
        // Checked now: a typo in the fleet fails before any target runs.
        spec.at = ConnectionTarget::parse(spec.value, values["url"].second.str());
    }
    return spec;
}

}  // namespace

TargetGroups readTargetGroups(const std::string& file, const YAML::Node& node,
                              const ExpandFn& expand) {
    if (!node.IsMap()) {
        throw Error(ExitCode::Config, "targets must be a mapping of group names to targets",
                    yamlLocation(file, node), kExample);
    }
    TargetGroups groups;
    for (const auto& item : node) {
        const std::string name = item.first.IsScalar() ? item.first.Scalar() : "";
        if (name.empty()) {
            throw Error(ExitCode::Config, "a target group's name must be a plain string",
                        yamlLocation(file, item.first), kExample);
        }
        TargetGroup group;
        group.name = name;
        group.where = yamlLocation(file, item.first);
        if (item.second.IsSequence()) {
            for (const auto& entry : item.second)
                group.specs.push_back(readEntry(file, name, entry, expand));
        } else {
            group.specs.push_back(readEntry(file, name, item.second, expand));
        }
        if (group.specs.empty()) {
            throw Error(ExitCode::Config, "target group '" + name + "' is empty", group.where,
                        kExample);
        }
        groups[name] = std::move(group);
    }
    return groups;
}

}  // namespace dbtool
