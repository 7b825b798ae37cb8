#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "db/session.hpp"

namespace dbtool {

// --where COL=VALUE (also != < > <= >= ~ and "COL is null" / "COL is not null").
struct Filter {
    std::string column;
    std::string op;  // "=", "!=", "<", ">", "<=", ">=", "~", "is null", "is not null"
    std::string value;
};
// Throws Error(ExitCode::Usage) when `text` is not a filter.
Filter parseFilter(const std::string& text);

// --order-by COL or COL:desc / COL:asc.
struct OrderBy {
    std::string column;
    bool descending = false;
};
OrderBy parseOrderBy(const std::string& text);

struct DataQuery {
    std::string table;
    std::vector<std::string> columns;  // empty = every column
    std::vector<Filter> filters;
    std::vector<OrderBy> orderBy;  // empty = the primary key
    int64_t perPage = 20;
    std::optional<int64_t> page;       // offset pagination (1-based)
    std::optional<std::string> after;  // keyset pagination: JSON array from the previous page
};

struct DataPage {
    std::string table;  // schema.name
    std::vector<std::string> columns;
    std::vector<Oid> types;
    std::vector<std::vector<std::optional<std::string>>> rows;
    std::vector<OrderBy> order;  // the effective ordering (the primary key appended)
    bool keyset = false;
    int64_t page = 1;   // offset mode
    int64_t pages = 0;  // offset mode
    // Offset mode only: keyset mode does not count (a count costs as much as the table).
    std::optional<int64_t> totalRows;
    std::optional<std::string> nextAfter;  // --after value for the next page; none at the end
    bool more = false;  // rows follow this page (nextAfter is unset for tables without a key)
};

// Reads one page. Identifiers are checked against the catalog (unknown -> error with a
// did-you-mean) and quoted; values are bound parameters.
DataPage listData(db::Session& session, const DataQuery& query);
int64_t countData(db::Session& session, const DataQuery& query);

}  // namespace dbtool
