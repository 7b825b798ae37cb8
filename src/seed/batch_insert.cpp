#include "seed/batch_insert.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>

#include "base/text.hpp"

namespace dbtool {

BatchInserter::BatchInserter(LoadContext& context, const TablePlan& plan,
                             std::vector<std::string> columns, std::vector<std::string> fillNow,
                             TableCounts& counts)
    : context_(context),
      plan_(plan),
      columns_(std::move(columns)),
      fillNow_(std::move(fillNow)),
      counts_(counts),
      keyArray_(db::SeedTable::keyArray(plan.info)) {
    // PostgreSQL takes at most 65,535 parameters a statement.
    const size_t width = std::max<size_t>(1, columns_.size() + fillNow_.size());
    maxRows_ = std::min<size_t>(1000, 65000 / width);
    if (columns_.empty() && fillNow_.empty()) {
        maxRows_ = 1;  // DEFAULT VALUES inserts one row a statement
    }
}

void BatchInserter::add(PendingRow&& row) {
    if (!row.label.empty())
        pendingLabels_.insert(row.label);
    rows_.push_back(std::move(row));
    if (rows_.size() >= maxRows_)
        flush();
}

std::string BatchInserter::statement(const std::vector<PendingRow>& rows,
                                     size_t& paramCount) const {
    const std::string columnNames = columnList(columns_, fillNow_);
    std::string values;
    paramCount = 0;
    for (const auto& row : rows) {
        values += values.empty() ? "(" : ", (";
        for (size_t i = 0; i < row.cells.size(); ++i) {
            values += i ? ", " : "";
            if (row.cells[i].kind == Cell::Kind::Default) {
                values += "DEFAULT";
            } else {
                values += "$" + std::to_string(++paramCount);
            }
        }
        for (size_t i = 0; i < fillNow_.size(); ++i) {
            values += (row.cells.empty() && i == 0 ? "" : ", ") + std::string("$") +
                      std::to_string(++paramCount);
        }
        values += ")";
    }
    std::string sql = "WITH ins AS (INSERT INTO " + plan_.info.qualified +
                      (columnNames.empty() ? std::string(" ") : " (" + columnNames + ") ") +
                      overridingClause(plan_, columns_) +
                      (columnNames.empty() ? "DEFAULT VALUES" : "VALUES " + values) +
                      conflictClause(plan_, columns_) + " RETURNING " +
                      (keyArray_.empty() ? std::string("NULL::jsonb") : keyArray_) +
                      " AS k, (xmax::text = '0') AS inserted, xmin::text AS x)";
    if (!keyArray_.empty()) {
        sql += ", " + context_.seeds().keyRecordingCte(static_cast<int>(paramCount) + 1,
                                                       static_cast<int>(paramCount) + 2);
    }
    sql += " SELECT k::text, inserted, x FROM ins";
    return sql;
}

void BatchInserter::flush() {
    if (rows_.empty())
        return;
    std::vector<PendingRow> rows = std::move(rows_);
    rows_.clear();
    pendingLabels_.clear();
    db::Session& s = context_.session();
    advanceSequencesPastGivenValues(rows);
    // A savepoint per batch lets a failure be retried row by row to find the offending row.
    s.runScript("SAVEPOINT dbtool_batch");
    try {
        execute(rows);
    } catch (db::SqlError& batchError) {
        if (batchError.code() == ExitCode::Interrupted ||
            batchError.code() == ExitCode::Connection) {
            throw;
        }
        s.runScript("ROLLBACK TO SAVEPOINT dbtool_batch");
        for (auto& row : rows) {
            std::vector<PendingRow> one;
            one.push_back(row);
            try {
                execute(one);
            } catch (db::SqlError& e) {
                throw context_.rowError(plan_, e, row.where);
            }
        }
        if (batchError.server().sqlstate == "21000")
            throwRepeatedConflictKey(rows, batchError);
        throw context_.rowError(plan_, batchError, rows.front().where);
    }
    s.runScript("RELEASE SAVEPOINT dbtool_batch");
}

void BatchInserter::execute(const std::vector<PendingRow>& rows) {
    size_t paramCount = 0;
    const std::string sql = statement(rows, paramCount);
    std::vector<std::optional<std::string>> params;
    params.reserve(paramCount + 2);
    for (const auto& row : rows) {
        for (const auto& cell : row.cells) {
            if (cell.kind == Cell::Kind::Value) {
                params.emplace_back(cell.text);
            } else if (cell.kind == Cell::Kind::Null) {
                params.emplace_back(std::nullopt);
            }
        }
        for (size_t i = 0; i < fillNow_.size(); ++i)
            params.emplace_back(context_.now());
    }
    if (!keyArray_.empty()) {
        params.emplace_back(context_.file().name);
        params.emplace_back(plan_.info.id());
    }
    auto r = context_.session().execPrepared(sql, params);
    const int returned = PQntuples(r.get());
    for (int i = 0; i < returned; ++i) {
        (PQgetvalue(r.get(), i, 1)[0] == 't' ? counts_.inserted : counts_.updated)++;
        // The batch's savepoint wrote it: its xid identifies the seed's rows later.
        if (i == 0 || std::strcmp(PQgetvalue(r.get(), i, 2), PQgetvalue(r.get(), i - 1, 2)) != 0)
            context_.wroteWith(PQgetvalue(r.get(), i, 2));
    }
    counts_.skipped += static_cast<int64_t>(rows.size()) - returned;
    // Labels: RETURNING follows the VALUES order unless rows were skipped.
    const bool aligned = static_cast<size_t>(returned) == rows.size();
    for (size_t i = 0; i < rows.size(); ++i) {
        if (rows[i].label.empty())
            continue;
        const std::string key =
            aligned ? nlohmann::json::parse(PQgetvalue(r.get(), static_cast<int>(i), 0))
                          .at(0)
                          .get<std::string>()
                    : existingKey(rows[i]);
        context_.labelled(plan_, rows[i].label, key);
    }
}

// Rows giving a serial/identity column mixed with rows leaving it to its default: the
// sequence would hand out the given values again (row 1 takes id 1, then the row with id: 1
// collides). So it moves past the given values first (below them, if it descends).
void BatchInserter::advanceSequencesPastGivenValues(const std::vector<PendingRow>& rows) {
    for (size_t c = 0; c < columns_.size(); ++c) {
        const db::ColumnInfo* info = plan_.info.column(columns_[c]);
        if (info == nullptr || info->sequence.empty())
            continue;
        bool defaulted = false;
        std::optional<int64_t> lo, hi;
        for (const auto& row : rows) {
            if (c >= row.cells.size() || row.cells[c].kind == Cell::Kind::Default) {
                defaulted = true;
                continue;
            }
            int64_t v = 0;
            const std::string& text = row.cells[c].text;
            const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
            if (row.cells[c].kind != Cell::Kind::Value || ec != std::errc() ||
                end != text.data() + text.size())
                continue;
            lo = lo ? std::min(*lo, v) : v;
            hi = hi ? std::max(*hi, v) : v;
        }
        if (!defaulted || !hi)
            continue;
        context_.session().execParams(
            "SELECT setval($1::regclass, CASE WHEN inc > 0 THEN $3::bigint ELSE $2::bigint END) "
            "FROM (SELECT seqincrement AS inc FROM pg_sequence WHERE seqrelid = $1::regclass) i, "
            "(SELECT last_value, is_called FROM " +
                info->sequence +
                ") q WHERE CASE WHEN inc > 0 THEN $3::bigint > CASE WHEN is_called THEN "
                "last_value ELSE last_value - 1 END ELSE $2::bigint < CASE WHEN is_called THEN "
                "last_value ELSE last_value + 1 END END",
            {info->sequence, std::to_string(*lo), std::to_string(*hi)});
    }
}

// Every row of the batch went in on its own, yet together they failed: ON CONFLICT DO UPDATE
// met one key twice in one statement. The error points at the row that repeats it.
void BatchInserter::throwRepeatedConflictKey(const std::vector<PendingRow>& rows,
                                             const db::SqlError& e) {
    std::map<std::vector<std::string>, const PendingRow*> seen;
    for (const auto& row : rows) {
        std::vector<std::string> key;
        std::string shown;
        for (const auto& k : plan_.key) {
            const size_t c = static_cast<size_t>(std::find(columns_.begin(), columns_.end(), k) -
                                                 columns_.begin());
            const bool value = c < row.cells.size() && row.cells[c].kind == Cell::Kind::Value;
            key.push_back(value ? "v" + row.cells[c].text : "-");
            shown += (shown.empty() ? "" : ", ") + k + " = " +
                     (value ? row.cells[c].text : std::string("(not given)"));
        }
        const auto [first, inserted] = seen.emplace(key, &row);
        if (!inserted) {
            throw db::describeSqlError(
                e,
                "seed " + context_.file().name + ": table " + plan_.info.id() +
                    ": this row repeats the conflict key of the row at line " +
                    std::to_string(first->second->where.line) + " (" + shown +
                    "); on_conflict: update cannot change one row twice",
                row.where, "keep one of the two rows");
        }
    }
    throw context_.rowError(plan_, e, rows.front().where);
}

// A skipped row keeps its existing key: look it up by the conflict key.
std::string BatchInserter::existingKey(const PendingRow& row) {
    std::string where;
    std::vector<std::optional<std::string>> keyParams;
    for (const auto& k : plan_.key) {
        const size_t c =
            static_cast<size_t>(std::find(columns_.begin(), columns_.end(), k) - columns_.begin());
        if (c >= row.cells.size() || row.cells[c].kind != Cell::Kind::Value) {
            throw Error(ExitCode::InvalidInput,
                        "labelled row needs a value for key column '" + k + "'", row.where);
        }
        where += (where.empty() ? "" : " AND ") + quoteIdentifier(k) + " = $" +
                 std::to_string(keyParams.size() + 1);
        keyParams.emplace_back(row.cells[c].text);
    }
    auto found =
        context_.session().execParams("SELECT " + quoteIdentifier(plan_.info.primaryKey[0]) +
                                          "::text FROM " + plan_.info.qualified + " WHERE " + where,
                                      keyParams);
    return PQgetvalue(found.get(), 0, 0);
}

}  // namespace dbtool
