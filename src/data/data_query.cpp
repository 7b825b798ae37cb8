#include "data/data_query.hpp"

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>

#include "base/errors.hpp"
#include "db/catalog.hpp"
#include "db/session.hpp"

namespace dbtool {

Filter parseFilter(const std::string& text) {
    Filter f;
    std::string lower = text;
    for (char& c : lower)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (const char* suffix : {" is not null", " is null"}) {
        if (lower.size() > std::strlen(suffix) && lower.ends_with(suffix)) {
            f.column = text.substr(0, text.size() - std::strlen(suffix));
            while (!f.column.empty() && f.column.back() == ' ')
                f.column.pop_back();
            f.op = suffix + 1;
            return f;
        }
    }
    const size_t pos = text.find_first_of("=!<>~");
    if (pos == std::string::npos || pos == 0) {
        throw Error(ExitCode::Usage, "--where '" + text + "' is not a filter", {},
                    "write COL=VALUE, COL!=VALUE, COL<VALUE, COL>VALUE, COL<=VALUE, COL>=VALUE, "
                    "COL~TEXT (case-insensitive match) or 'COL is null'");
    }
    f.column = text.substr(0, pos);
    for (const char* op : {"!=", "<=", ">=", "=", "<", ">", "~"}) {
        if (text.compare(pos, std::strlen(op), op) == 0) {
            f.op = op;
            f.value = text.substr(pos + std::strlen(op));
            return f;
        }
    }
    throw Error(ExitCode::Usage, "--where '" + text + "': unknown operator", {},
                "operators: = != < > <= >= ~ and 'is null'");
}

OrderBy parseOrderBy(const std::string& text) {
    OrderBy o;
    const size_t colon = text.rfind(':');
    o.column = text.substr(0, colon);
    if (colon != std::string::npos) {
        const std::string dir = text.substr(colon + 1);
        if (dir != "desc" && dir != "asc") {
            throw Error(ExitCode::Usage, "--order-by '" + text + "': direction is asc or desc");
        }
        o.descending = dir == "desc";
    }
    if (o.column.empty()) {
        throw Error(ExitCode::Usage, "--order-by needs a column, e.g. --order-by created_at:desc");
    }
    return o;
}

namespace {

// A --after value that is not of its ordering column's type is the caller's mistake (exit 2),
// said with the column it is for rather than as the listing query's error.
void checkAfterValue(db::Session& session, const std::string& value, const std::string& column,
                     const std::string& type) {
    try {
        session.execParams("SELECT $1::" + type, {value});
    } catch (const db::SqlError& e) {
        if (!e.server().sqlstate.starts_with("22"))
            throw;
        throw Error(ExitCode::Usage,
                    "--after: value " + nlohmann::json(value).dump() + " for column " + column +
                        " is not of type " + type + " (" + e.server().message + ")",
                    {}, "pass the value printed as the next page's key, unchanged");
    }
}

struct Prepared {
    db::TableInfo info;
    std::string where;  // " WHERE ..." or ""
    std::vector<std::optional<std::string>> params;
};

const db::ColumnInfo& requireColumn(const db::TableInfo& info, const std::string& name,
                                    const char* option) {
    const db::ColumnInfo* c = info.column(name);
    if (c == nullptr) {
        throw Error(
            ExitCode::Usage,
            std::string(option) + ": unknown column '" + name + "' of " + info.id() +
                didYouMean(name, info.columnNames()),
            {}, "columns: " + [&] {
                std::string list;
                for (const auto& n : info.columnNames())
                    list += (list.empty() ? "" : ", ") + n;
                return list;
            }());
    }
    return *c;
}

Prepared prepare(db::Session& session, const DataQuery& q) {
    db::Catalog catalog(session);
    auto info = catalog.find(q.table);
    if (!info) {
        throw Error(
            ExitCode::Usage,
            "unknown table '" + q.table + "'" + didYouMean(q.table, catalog.visibleTables()), {},
            "use schema.table for a table outside the search path");
    }
    Prepared p{*info, "", {}};
    for (const auto& f : q.filters) {
        const db::ColumnInfo& c = requireColumn(p.info, f.column, "--where");
        const std::string col = "t." + session.quoteIdent(c.name);
        std::string cond;
        if (f.op == "is null" || f.op == "is not null") {
            cond = col + (f.op == "is null" ? " IS NULL" : " IS NOT NULL");
        } else if (f.op == "~") {
            // % is the only wildcard: _ and \ match themselves. A pattern without % matches
            // anywhere in the text.
            std::string pattern;
            for (const char ch : f.value) {
                if (ch == '_' || ch == '\\')
                    pattern += '\\';
                pattern += ch;
            }
            p.params.emplace_back(f.value.find('%') == std::string::npos ? "%" + pattern + "%"
                                                                         : pattern);
            cond = col + "::text ILIKE $" + std::to_string(p.params.size());
        } else {
            p.params.emplace_back(f.value);
            cond = col + " " + (f.op == "!=" ? "<>" : f.op) + " $" +
                   std::to_string(p.params.size()) + "::" + c.type;
        }
        p.where += (p.where.empty() ? " WHERE " : " AND ") + cond;
    }
    return p;
}

}  // namespace

int64_t countData(db::Session& session, const DataQuery& q) {
    Prepared p = prepare(session, q);
    auto r =
        session.execParams("SELECT count(*) FROM " + p.info.qualified + " t" + p.where, p.params);
    return std::stoll(PQgetvalue(r.get(), 0, 0));
}

DataPage listData(db::Session& session, const DataQuery& q) {
    if (q.perPage < 1 || q.perPage > 100000) {
        throw Error(ExitCode::Usage, "--per-page must be between 1 and 100000");
    }
    if (q.page && *q.page < 1) {
        throw Error(ExitCode::Usage, "--page starts at 1");
    }
    if (q.page && q.after) {
        throw Error(ExitCode::Usage, "--page and --after are two ways to page; use one");
    }
    Prepared p = prepare(session, q);
    DataPage page;
    page.table = p.info.id();

    std::vector<std::string> columns = q.columns.empty() ? p.info.columnNames() : q.columns;
    for (const auto& c : columns)
        requireColumn(p.info, c, "--columns");
    page.columns = columns;

    // A total order: the requested columns, then the primary key (unless already there).
    page.order = q.orderBy;
    for (const auto& o : page.order)
        requireColumn(p.info, o.column, "--order-by");
    std::vector<std::string> tieBreak = p.info.primaryKey;
    if (tieBreak.empty()) {
        tieBreak = {"ctid"};  // no primary key: the physical row address still orders uniquely
    }
    for (const auto& k : tieBreak) {
        const bool present = std::any_of(page.order.begin(), page.order.end(),
                                         [&](const OrderBy& o) { return o.column == k; });
        if (!present)
            page.order.push_back({k, false});
    }

    // The ordering columns are selected too (after the shown ones) for the next page's key.
    std::string select;
    for (const auto& c : columns)
        select += std::string(select.empty() ? "" : ", ") + "t." + session.quoteIdent(c);
    // Columns are qualified with the alias t, so the hidden key columns never clash with shown
    // ones.
    auto qualifiedColumn = [&](const std::string& name) {
        return name == "ctid" ? std::string("t.ctid") : "t." + session.quoteIdent(name);
    };
    for (size_t k = 0; k < page.order.size(); ++k) {
        select += ", " + qualifiedColumn(page.order[k].column) + "::text AS dbtool_key_" +
                  std::to_string(k);
    }
    std::string orderSql;
    for (const auto& o : page.order) {
        const std::string col = qualifiedColumn(o.column);
        orderSql += (orderSql.empty() ? "" : ", ") + col + (o.descending ? " DESC" : " ASC") +
                    " NULLS LAST";
    }

    std::string where = p.where;
    auto params = p.params;
    const bool stableKey = !p.info.primaryKey.empty();
    if (q.after && !stableKey) {
        throw Error(ExitCode::Usage,
                    "--after: " + p.info.id() +
                        " has no primary key, so its rows have no stable position to continue "
                        "from (their physical address, ctid, changes when a row is updated, and "
                        "the row would be listed twice)",
                    {}, "page it with --page N, or give the table a primary key");
    }
    if (q.after) {
        page.keyset = true;
        nlohmann::json key;
        try {
            key = nlohmann::json::parse(*q.after);
        } catch (const std::exception&) {
            key = nullptr;
        }
        if (!key.is_array() || key.size() != page.order.size()) {
            throw Error(ExitCode::Usage, "--after: not a key from this listing", {},
                        "pass the value printed as the next page's key (a JSON array of " +
                            std::to_string(page.order.size()) + " values)");
        }
        // Rows after the key in (col1, col2, ...) order, NULLS LAST in both directions:
        // OR over i of (cols before i equal AND col i after).
        std::string cond;
        std::string equalSoFar;
        for (size_t i = 0; i < page.order.size(); ++i) {
            const auto& o = page.order[i];
            const bool isCtid = o.column == "ctid";
            const std::string col = qualifiedColumn(o.column);
            const std::string type = isCtid ? "tid" : p.info.column(o.column)->type;
            std::string after, equal;
            if (key[i].is_null()) {
                after = "false";
                equal = col + " IS NULL";
            } else {
                params.emplace_back(key[i].is_string() ? key[i].get<std::string>() : key[i].dump());
                checkAfterValue(session, *params.back(), o.column, type);
                const std::string v = "$" + std::to_string(params.size()) + "::" + type;
                after = "(" + col + (o.descending ? " < " : " > ") + v + " OR " + col + " IS NULL)";
                equal = col + " = " + v;
            }
            cond += (cond.empty() ? "" : " OR ") + std::string("(") +
                    (equalSoFar.empty() ? "" : equalSoFar + " AND ") + after + ")";
            equalSoFar += (equalSoFar.empty() ? "" : " AND ") + equal;
        }
        where += (where.empty() ? " WHERE (" : " AND (") + cond + ")";
    } else {
        page.page = q.page.value_or(1);
        page.totalRows = countData(session, q);
        page.pages = (*page.totalRows + q.perPage - 1) / q.perPage;
    }
    const int64_t offset = page.keyset ? 0 : (page.page - 1) * q.perPage;
    auto r = session.execParams(
        "SELECT " + select + " FROM " + p.info.qualified + " t" + where + " ORDER BY " + orderSql +
            " LIMIT " + std::to_string(q.perPage + 1) + " OFFSET " + std::to_string(offset),
        params);
    const int n = PQntuples(r.get());
    const int shown = std::min<int>(n, static_cast<int>(q.perPage));
    for (size_t c = 0; c < columns.size(); ++c)
        page.types.push_back(PQftype(r.get(), static_cast<int>(c)));
    for (int i = 0; i < shown; ++i) {
        std::vector<std::optional<std::string>> row;
        for (size_t c = 0; c < columns.size(); ++c) {
            const int col = static_cast<int>(c);
            row.push_back(PQgetisnull(r.get(), i, col)
                              ? std::nullopt
                              : std::optional<std::string>(PQgetvalue(r.get(), i, col)));
        }
        page.rows.push_back(std::move(row));
    }
    page.more = n > q.perPage && shown > 0;
    if (page.more && stableKey) {
        nlohmann::json key = nlohmann::json::array();
        for (size_t k = 0; k < page.order.size(); ++k) {
            const int col = static_cast<int>(columns.size() + k);
            key.push_back(PQgetisnull(r.get(), shown - 1, col)
                              ? nlohmann::json(nullptr)
                              : nlohmann::json(PQgetvalue(r.get(), shown - 1, col)));
        }
        page.nextAfter = key.dump();
    }
    return page;
}

}  // namespace dbtool
