#pragma once

#include <string>
#include <vector>

#include "config/connection_target.hpp"
#include "config/fleet_config.hpp"
#include "db/session.hpp"

namespace dbtool::fleet {

// One member of a fleet: a database, or a schema of one. A schema target runs with
// search_path set to the schema alone and keeps its tracking tables (and its lock) inside it.
struct FleetTarget {
    std::string name;  // unique in its fleet: the schema's or the database's name, qualified
                       // when two would read the same ("shard_1/tenant_7")
    ConnectionTarget database;
    std::string schema;  // empty: the database itself, with the environment's tracking schema

    // Targets with the same key are in the same database: one connection serves them all.
    std::string databaseKey() const { return database.withoutPassword(); }
};

// The targets of `group`, in the order its entries list them (names sorted within an entry).
// Patterns and queries are read from the environment's database (`environmentDb`) or the
// entry's database:/server:. A target listed twice runs once. Throws Error: Connection when a
// listing database cannot be reached, Database for a failing query, Config for a query
// result without a url or schema column, or a group that lists no target at all.
std::vector<FleetTarget> resolveTargets(const TargetGroup& group,
                                        const ConnectionTarget& environmentDb,
                                        const db::ConnectOptions& options);

// The targets that `--target` selects: each of `selectors` is a target's name, or a LIKE
// pattern when it holds '%'. Throws Error(ExitCode::Usage) for a selector matching nothing.
std::vector<FleetTarget> selectTargets(std::vector<FleetTarget> targets,
                                       const std::vector<std::string>& selectors);

// "tenant_2" before "tenant_10": the order in which a pattern's targets run and are listed.
bool naturalLess(const std::string& a, const std::string& b);

// SQL LIKE: '%' any run of characters, '_' any one, '\' escapes the next.
bool likeMatch(const std::string& pattern, const std::string& text);

}  // namespace dbtool::fleet
