#include <sys/ioctl.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>

#include "base/text.hpp"
#include "cli/context.hpp"
#include "data/data_query.hpp"
#include "report/exact_value.hpp"

namespace dbtool::cli {

namespace {

using nlohmann::json;

struct ListArgs {
    std::string table;
    std::string columns;
    std::vector<std::string> where;
    std::vector<std::string> orderBy;
    int64_t perPage = 20;
    std::optional<int64_t> page;
    std::optional<std::string> after;
    bool count = false;
};

size_t terminalWidth() {
    winsize ws{};
    if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) {
        return ws.ws_col;
    }
    if (const char* c = std::getenv("COLUMNS")) {
        const long v = std::strtol(c, nullptr, 10);
        if (v > 20)
            return static_cast<size_t>(v);
    }
    return 120;
}

// A value that would read like something else printed as it is: SQL NULL's `NULL`, the
// empty string's `""`, an escape such as \n, or invisible spaces at either end.
bool needsQuotes(const std::string& value) {
    if (value == "NULL" || value.front() == '"' || value.front() == ' ' || value.back() == ' ')
        return true;
    return std::any_of(value.begin(), value.end(), [](char c) {
        return c == '\\' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
    });
}

// One line per cell, cut to `width` terminal columns (wide characters count two). A value
// that needs quotes (see above) is shown as a quoted string with escapes ("a\nb" is a newline,
// "a\\nb" a backslash and an n); any other value as it is, so `NULL` and `""` only ever mean
// SQL NULL and the empty string.
std::string cell(const std::string& value, size_t width) {
    const bool quoted = !value.empty() && needsQuotes(value);
    std::string out = quoted ? "\"" : "";
    size_t shown = quoted ? 1 : 0;
    for (size_t i = 0; i < value.size();) {
        const auto [cp, length] = decodeUtf8(value, i);
        std::string piece = value.substr(i, length);
        size_t columns = static_cast<size_t>(codePointWidth(cp));
        if (quoted && length == 1) {
            const unsigned char c = static_cast<unsigned char>(value[i]);
            if (c == '\n')
                piece = "\\n";
            else if (c == '\t')
                piece = "\\t";
            else if (c == '\r')
                piece = "\\r";
            else if (c == '\\' || c == '"')
                piece = std::string("\\") + static_cast<char>(c);
            else if (c < 0x20 || c == 0x7f)
                piece = fmt::format("\\u{:04x}", c);
            columns = piece.size();
        }
        if (shown + columns > width)
            return out + "…";
        shown += columns;
        out += piece;
        i += length;
    }
    return quoted ? out + "\"" : out;
}

std::string csvField(const std::optional<std::string>& v) {
    if (!v)
        return "";  // NULL: an empty unquoted field, as COPY reads it
    std::string out = "\"";
    for (char c : *v) {
        if (c == '"')
            out += '"';
        out += c;
    }
    return out + "\"";
}

std::string shellQuote(const std::string& s) {
    std::string out = "'";
    for (char c : s)
        out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

int runList(Context& ctx, const ListArgs& a) {
    auto& out = ctx.out();
    DataQuery q;
    q.table = a.table;
    if (!a.columns.empty()) {
        size_t start = 0;
        while (start <= a.columns.size()) {
            size_t end = a.columns.find(',', start);
            if (end == std::string::npos)
                end = a.columns.size();
            q.columns.push_back(a.columns.substr(start, end - start));
            start = end + 1;
        }
    }
    for (const auto& w : a.where)
        q.filters.push_back(parseFilter(w));
    for (const auto& o : a.orderBy)
        q.orderBy.push_back(parseOrderBy(o));
    q.perPage = a.perPage;
    q.page = a.page;
    q.after = a.after;
    auto session = ctx.connect();
    if (a.count) {
        const int64_t n = countData(*session, q);
        out.line(std::to_string(n));
        out.raw(out.format() == report::Format::Csv ? "count\n" + std::to_string(n) + "\n" : "");
        out.document({{"table", q.table}, {"count", n}});
        return 0;
    }
    const DataPage page = listData(*session, q);
    json paging = {{"per_page", q.perPage},
                   {"mode", page.keyset ? "keyset" : "offset"},
                   {"next_after", page.nextAfter ? json(*page.nextAfter) : json(nullptr)}};
    if (!page.keyset) {
        paging["page"] = page.page;
        paging["pages"] = page.pages;
        paging["total_rows"] = page.totalRows.value_or(0);
    }
    switch (out.format()) {
        case report::Format::Json: {
            json rows = json::array();
            for (const auto& row : page.rows) {
                json r = json::object();
                for (size_t c = 0; c < page.columns.size(); ++c)
                    r[page.columns[c]] = report::exactJsonValue(row[c], page.types[c]);
                rows.push_back(r);
            }
            out.document({{"table", page.table},
                          {"columns", page.columns},
                          {"rows", rows},
                          {"paging", paging}});
            return 0;
        }
        case report::Format::Csv: {
            std::string text;
            for (size_t c = 0; c < page.columns.size(); ++c)
                text += (c ? "," : "") + csvField(page.columns[c]);
            text += "\n";
            for (const auto& row : page.rows) {
                for (size_t c = 0; c < row.size(); ++c)
                    text += (c ? "," : "") + csvField(row[c]);
                text += "\n";
            }
            out.raw(text);
            return 0;
        }
        case report::Format::Text:
            break;
    }
    // Cut to the terminal's width on a terminal only: piped or redirected, every value whole.
    const size_t width = terminalWidth();
    const size_t perCell = isatty(STDOUT_FILENO) == 0
                               ? SIZE_MAX
                               : std::max<size_t>(8, (width - 2 * page.columns.size()) /
                                                         std::max<size_t>(1, page.columns.size()));
    std::vector<std::string> header;
    for (const auto& c : page.columns)
        header.push_back(out.bold(cell(c, perCell)));
    std::vector<std::vector<std::string>> rows;
    for (const auto& row : page.rows) {
        std::vector<std::string> r;
        for (const auto& v : row) {
            // NULL and the empty string must look different.
            r.push_back(!v ? out.dim("NULL") : v->empty() ? out.dim("\"\"") : cell(*v, perCell));
        }
        rows.push_back(std::move(r));
    }
    std::string table = report::renderTable(header, rows);
    table.pop_back();
    out.line(table);
    std::string footer;
    if (page.keyset) {
        footer = plural(static_cast<int64_t>(page.rows.size()), "row");
    } else if (page.rows.empty() && page.page > 1) {
        footer = "page " + std::to_string(page.page) + " of " + std::to_string(page.pages) +
                 ": past the last page, no rows (" + plural(page.totalRows.value_or(0), "row") +
                 " in all)";
    } else {
        footer = "page " + std::to_string(page.page) + " of " +
                 std::to_string(std::max<int64_t>(1, page.pages)) + ", " +
                 plural(page.totalRows.value_or(0), "row");
    }
    if (page.more) {
        footer += page.keyset
                      ? "; next page: --after " + shellQuote(*page.nextAfter)
                      : "; next page: --page " + std::to_string(page.page + 1) +
                            (page.nextAfter ? " (or --after " + shellQuote(*page.nextAfter) + ")"
                                            : std::string());
    } else {
        footer += "; last page";
    }
    out.line(out.dim(footer));
    return 0;
}

}  // namespace

void addDataCommands(CLI::App& app, Action& action) {
    auto* data = app.add_subcommand("data", "Look at table contents: list with filters and pages");
    data->require_subcommand(1);
    auto a = std::make_shared<ListArgs>();
    auto* list = data->add_subcommand("list", "List a table's rows, a page at a time");
    list->add_option("TABLE", a->table, "Table (schema.table for another schema)")->required();
    list->add_option("--columns", a->columns, "Columns to show, comma-separated (default: all)");
    list->add_option("--where", a->where,
                     "Filter COL=VALUE (also != < > <= >= ~ for case-insensitive match, 'COL is "
                     "null'); repeatable");
    list->add_option("--order-by", a->orderBy,
                     "COL or COL:desc; repeatable (default: the primary key)");
    list->add_option("--per-page", a->perPage, "Rows per page (default 20)")
        ->check(atLeast(1))
        ->check(CLI::Range(1, 100000).description(""));
    auto* pageOpt =
        list->add_option("--page", a->page, "Page number (offset pagination)")->check(atLeast(1));
    list->add_option("--after", a->after, "Key printed by the previous page (keyset pagination)")
        ->excludes(pageOpt);
    list->add_flag("--count", a->count, "Only count the matching rows");
    list->callback([&action, a] { action = [a](Context& c) { return runList(c, *a); }; });
}

}  // namespace dbtool::cli
