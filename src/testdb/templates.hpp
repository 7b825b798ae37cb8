#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "config/connection_target.hpp"
#include "db/session.hpp"

namespace dbtool::testdb {

// Template databases for fast test databases (after IntegreSQL and pgtestdb): a database
// migrated and seeded once, named after a key of everything that went into it
// (template_key.hpp), marked IS_TEMPLATE with connections disallowed, and copied with
// CREATE DATABASE ... TEMPLATE as often as needed. All of it happens through the server's
// maintenance database with the target's user; the role needs CREATEDB.
struct TemplateRequest {
    ConnectionTarget target;  // the project's database: its server, user and name
    db::ConnectOptions options;
    std::string key;  // templateKey(...)
    // Templates of the target's database kept, this one included; older ones are dropped
    // (one in use by a clone being made right now is left for the next time).
    int keep = 2;
    // Migrates and seeds a new, empty template database.
    std::function<void(db::Session&)> populate;
    // Told when another process holds the build lock (it is building the same template).
    std::function<void(const std::string&)> onWait;
};

struct TemplateResult {
    std::string name;
    bool built = false;  // false: it existed (or another process built it while we waited)
    int64_t ms = 0;      // finding or building it
    std::vector<std::string> removed;  // older templates dropped (--keep)
};

// Finds the template for request.key or builds it. One query when it exists. Otherwise,
// under an advisory lock keyed by its name (so parallel CI jobs build it once): a leftover
// of a build that died is dropped, the database is created, populated, commented and marked
// IS_TEMPLATE true, ALLOW_CONNECTIONS false last, so a template is either complete or not
// one. A failed build drops what it made and throws.
// `maintenance` is a session on the server's maintenance database (connectMaintenance).
TemplateResult ensureTemplate(db::Session& maintenance, const TemplateRequest& request);

// pg_database_size of a database: it walks every file of it (a few milliseconds for a
// template of thousands of tables), so only asked for when needed.
int64_t databaseBytes(db::Session& maintenance, const std::string& name);

// The templates of `database` on the server, newest first.
std::vector<std::string> listTemplates(db::Session& maintenance, const std::string& database);

// Drops the templates of `database` older than the newest `keep` (and `except`). Returns
// those dropped; one that cannot be dropped now (a clone is being made from it) is skipped.
std::vector<std::string> pruneTemplates(db::Session& maintenance, const std::string& database,
                                        int keep, const std::string& except);

}  // namespace dbtool::testdb
