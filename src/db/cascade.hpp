#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "db/session.hpp"

namespace dbtool::db {

// What deleting rows of a table does to other rows through foreign keys with ON DELETE
// CASCADE, SET NULL or SET DEFAULT: the rows so deleted or changed, level after level of
// cascades (up to 4). A probe is a scalar SQL subquery over `source`, a relation holding
// the rows being deleted (e.g. the CTE of a DELETE ... RETURNING *, whose snapshot still
// shows the rows the cascade will reach), giving "<count>|<first keys>".
struct CascadeProbe {
    std::string table;   // schema.name of the rows reached
    std::string action;  // "deleted", "set to NULL", "set to their default"
    std::string sql;
};

// The rows a probe found.
struct CascadedRows {
    std::string table;
    std::string action;
    int64_t rows = 0;
    std::vector<std::string> keys;  // the first few, "17" or "(a, en)"

    // Parses a probe's "<count>|<k1>, <k2>" result.
    static CascadedRows parse(const CascadeProbe& probe, const std::string& result);
};

// The probes for deleting rows of the table with oid `tableOid`, whose deleted rows `source`
// holds (with every column of the table).
std::vector<CascadeProbe> cascadeProbes(Session& session, const std::string& tableOid,
                                        const std::string& source);

}  // namespace dbtool::db
