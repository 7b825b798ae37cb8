#include "seed/csv.hpp"

#include <fstream>

#include "base/errors.hpp"
#include "base/text.hpp"
#include "seed/csv_stream.hpp"
#include "seed/load_context.hpp"

namespace dbtool {

namespace fs = std::filesystem;

// Reads the header record of a CSV file: the column names.
std::vector<std::string> readCsvHeader(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw Error(ExitCode::InvalidInput, "cannot read CSV file " + path.string(),
                    {path.string()});
    }
    std::vector<std::string> fields;
    std::string field;
    bool quoted = false, any = false;
    char c;
    bool first = true;
    while (in.get(c)) {
        if (first && c == '\xEF') {
            char b1, b2;
            if (in.get(b1) && in.get(b2) && b1 == '\xBB' && b2 == '\xBF') {
                first = false;
                continue;
            }
            throw Error(ExitCode::InvalidInput, "the CSV header is not valid UTF-8",
                        {path.string(), 1, 1});
        }
        first = false;
        any = true;
        if (quoted) {
            if (c == '"') {
                if (in.peek() == '"') {
                    in.get(c);
                    field += '"';
                } else {
                    quoted = false;
                }
            } else {
                field += c;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            fields.push_back(field);
            field.clear();
        } else if (c == '\n' || c == '\r') {
            break;
        } else {
            field += c;
        }
    }
    if (!any) {
        throw Error(ExitCode::InvalidInput,
                    "the CSV file is empty: it needs a header row of column names",
                    {path.string()});
    }
    fields.push_back(field);
    return fields;
}

namespace {

Error csvError(const LoadContext& context, const TablePlan& t, const db::SqlError& e) {
    // COPY's line is the CSV file's line (the header is line 1).
    SourceLocation where{t.csv->string()};
    if (auto line = copyLine(e)) {
        where.line = static_cast<int>(*line);
    }
    return db::describeSqlError(
        e, "seed " + context.file().name + ": CSV for " + t.info.id() + ": " + e.what(), where,
        e.hint().empty() ? "fix the CSV row (RFC 4180: a header row, quoted fields with \"\", an "
                           "empty unquoted field is NULL)"
                         : e.hint());
}

}  // namespace

void loadCsv(LoadContext& context, const TablePlan& t, TableCounts& counts) {
    db::Session& session = context.session();
    const fs::path csvPath = *t.csv;
    const std::string columns = columnList(t.csvColumns);
    const auto fill = context.timestampsToFill(t, t.csvColumns);
    const bool direct = t.onConflict == OnConflict::Error && fill.empty();
    std::ifstream in(csvPath, std::ios::binary);
    std::string buffer(1 << 20, '\0');
    CsvCopyStream stream;  // \. lines and mixed line ends arrive as data
    std::error_code sizeError;
    const auto size = fs::file_size(csvPath, sizeError);
    int64_t sent = 0;
    auto produce = [&](std::string& chunk) {
        if (!sizeError && size > 0)
            context.reportRows(t, -1, static_cast<double>(sent) / static_cast<double>(size));
        in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
        sent += in.gcount();
        chunk = stream.feed({buffer.data(), static_cast<size_t>(in.gcount())});
        if (!in)
            chunk += stream.finish();
        return static_cast<bool>(in);
    };
    const std::string target = direct ? t.info.qualified : "dbtool_csv";
    if (!direct) {
        session.runScript("CREATE TEMP TABLE dbtool_csv ON COMMIT DROP AS SELECT " + columns +
                          " FROM " + t.info.qualified + " WITH NO DATA");
    }
    int64_t copied = 0;
    try {
        copied = session.copyIn("COPY " + target + " (" + columns +
                                    ") FROM STDIN (FORMAT csv, HEADER true, ENCODING 'UTF8')",
                                produce);
    } catch (db::SqlError& e) {
        throw csvError(context, t, e);
    }
    const std::string key = db::SeedTable::keyArray(t.info);
    if (direct) {
        counts.inserted += copied;
        // The rows this transaction created there are the CSV's.
        context.seeds().recordKeysCreatedInThisTransaction(context.file().name, t.info);
    } else {
        std::string insertColumns = columns, selectList = columns;
        for (const auto& f : fill) {
            insertColumns += ", " + quoteIdentifier(f);
            selectList += ", now()";
        }
        const std::string sql =
            "WITH ins AS (INSERT INTO " + t.info.qualified + " (" + insertColumns + ") " +
            overridingClause(t, t.csvColumns) + "SELECT " + selectList + " FROM dbtool_csv " +
            conflictClause(t, t.csvColumns) + " RETURNING " +
            (key.empty() ? std::string("NULL::jsonb") : key) +
            " AS k, (xmax::text = '0') AS inserted)" +
            (key.empty() ? std::string() : ", " + context.seeds().keyRecordingCte(1, 2)) +
            " SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) "
            "FROM ins";
        std::vector<std::optional<std::string>> params;
        if (!key.empty())
            params = {context.file().name, t.info.id()};
        try {
            auto r = session.execParams(sql, params);
            counts.inserted += std::stoll(PQgetvalue(r.get(), 0, 0));
            counts.updated += std::stoll(PQgetvalue(r.get(), 0, 1));
            counts.skipped += copied - counts.inserted - counts.updated;
        } catch (db::SqlError& e) {
            throw context.rowError(t, e, {csvPath.string()});
        }
        session.runScript("DROP TABLE dbtool_csv");
    }
}

}  // namespace dbtool
