#include "seed/loader.hpp"

#include <algorithm>

#include "base/text.hpp"
#include "seed/csv.hpp"
#include "seed/generated.hpp"
#include "seed/row_syntax.hpp"

namespace dbtool {

namespace fs = std::filesystem;

namespace {

// Where the `n`-th row (1-based) of the `tableIndex`-th table entry of a seed file stands:
// read again on the error path only, so no row positions are kept while loading.
SourceLocation locateRow(const fs::path& path, size_t tableIndex, int64_t n) {
    struct Finder : SeedStreamVisitor {
        size_t wantedTable;
        int64_t wantedRow;
        size_t table = static_cast<size_t>(-1);
        int64_t rows = 0;
        SourceLocation found;
        void beginTable(const std::string&, int, int, bool) override {
            ++table;
            rows = 0;
        }
        void option(const std::string&, const YamlValue&, int, int) override {}
        void beginRows(int, int, bool) override {}
        void row(YamlValue&& row, const std::string&) override {
            if (table == wantedTable && ++rows == wantedRow) {
                found.line = row.line;
                found.column = row.column;
            }
        }
        void endTable() override {}
    } finder;
    finder.wantedTable = tableIndex;
    finder.wantedRow = n;
    finder.found.file = path.string();
    streamSeedFile(path, finder);
    return finder.found;
}

}  // namespace

void SeedLoader::load() {
    const SeedFile& file = context_.file();
    if (!plan_.reordered) {
        streamSeedFile(file.path, *this);
        return;
    }
    // Tables load in foreign-key order: one streaming pass per table.
    for (size_t i : plan_.loadOrder) {
        only_ = {i};
        tableIndex_ = static_cast<size_t>(-1);
        streamSeedFile(file.path, *this);
    }
}

void SeedLoader::beginTable(const std::string&, int, int, bool) {
    ++tableIndex_;
    active_ = only_.empty() || only_.count(tableIndex_) != 0;
    if (!active_) {
        return;
    }
    const TablePlan& t = plan_.tables[tableIndex_];
    rowsOfTable_ = 0;
    TableCounts counts;
    counts.table = t.info.id();
    counts_.push_back(counts);
    const auto fill = context_.timestampsToFill(t, t.columns);
    // Plain rows (every column, no labels or references) of a table loaded with neither
    // upserts nor identity overrides stream through COPY: no statement per batch, and the
    // server works while the file is still being read.
    if (t.plainRows && t.inlineRows > 0 && t.onConflict == OnConflict::Error &&
        overridingClause(t, t.columns).empty()) {
        copiedBefore_ = 0;
        startCopy(t, t.columns);
        return;
    }
    inserter_ = std::make_unique<BatchInserter>(context_, t, t.columns, fill, counts_.back());
}

void SeedLoader::row(YamlValue&& row, const std::string& mappingLabel) {
    if (!active_) {
        return;
    }
    context_.checkInterrupted();
    const TablePlan& t = plan_.tables[tableIndex_];
    if (rowsOfTable_ == 0)
        firstRowOffset_ = row.offset;
    if ((++rowsOfTable_ & 4095) == 0) {
        double fraction = -1.0;
        if (fileSize_ > 0 && fileSize_ > firstRowOffset_) {
            // the share of the rest of the file read since the entry's first row
            fraction = std::min(1.0, static_cast<double>(row.offset - firstRowOffset_) /
                                         static_cast<double>(fileSize_ - firstRowOffset_));
        } else if (t.inlineRows > 0) {
            fraction = static_cast<double>(rowsOfTable_) / t.inlineRows;
        }
        context_.reportRows(t, rowsOfTable_, fraction);
    }
    std::string label = normalizeRow(row, context_.path());
    if (!mappingLabel.empty())
        label = mappingLabel;
    if (copy_) {
        copyRow(t, row);
        return;
    }
    PendingRow pending;
    pending.label = label;
    pending.where = {context_.path(), row.line, row.column};
    pending.cells.resize(inserter_->columns().size());
    for (const auto& [column, value] : row.fields) {
        const size_t i = static_cast<size_t>(
            std::find(inserter_->columns().begin(), inserter_->columns().end(), column) -
            inserter_->columns().begin());
        pending.cells[i] = toCell(t, column, value);
    }
    inserter_->add(std::move(pending));
}

void SeedLoader::endTable() {
    if (!active_) {
        return;
    }
    const TablePlan& t = plan_.tables[tableIndex_];
    // The keys of rows that went in through COPY are recorded after the entry's last COPY,
    // as the rows this transaction created in the table: none may have come another way.
    bool unrecorded = false;
    if (copy_) {
        finishCopy(t);
        unrecorded = true;
    } else {
        inserter_->flush();
        inserter_.reset();
    }
    if (t.generate) {
        const bool copy = generatedCopyable(t) && (t.inlineRows == 0 || unrecorded);
        if (unrecorded && !copy) {
            // before the generated rows' own keys
            context_.seeds().recordKeysCreatedInThisTransaction(context_.file().name, t.info);
            unrecorded = false;
        }
        loadGenerated(context_, t, counts_.back(), copy);
        unrecorded = unrecorded || copy;
    }
    if (unrecorded) {
        context_.seeds().recordKeysCreatedInThisTransaction(context_.file().name, t.info);
    }
    if (t.csv) {
        loadCsv(context_, t, counts_.back());
    }
    resetSequences(t);
}

void SeedLoader::startCopy(const TablePlan& t, const std::vector<std::string>& columns) {
    const auto fill = context_.timestampsToFill(t, columns);
    copy_ = std::make_unique<db::CopyIn>(
        context_.session(),
        "COPY " + t.info.qualified + " (" + columnList(columns, fill) + ") FROM STDIN");
    copyColumns_ = columns;
    copyFill_ = fill.size();
}

bool SeedLoader::restartCopy(const std::vector<std::string>& columns) {
    const TablePlan& t = plan_.tables[tableIndex_];
    finishCopy(t);
    if (!overridingClause(t, columns).empty())
        return false;
    startCopy(t, columns);
    return true;
}

// One inline row as a line of COPY data, its cells in the order of the COPY's columns.
void SeedLoader::copyRow(const TablePlan& t, const YamlValue& row) {
    copyCells_.resize(copyColumns_.size());
    for (const auto& [column, value] : row.fields) {
        const size_t i = static_cast<size_t>(
            std::find(copyColumns_.begin(), copyColumns_.end(), column) - copyColumns_.begin());
        copyCells_[i] = toCell(t, column, value);
    }
    appendCopyLine(copyBuffer_, copyCells_, copyFill_, context_.now());
    if (copyBuffer_.size() >= (1u << 20)) {
        copy_->write(copyBuffer_);
        copyBuffer_.clear();
        if (copy_->broken()) {
            // The connection is gone: its reason now, not after reading the rest of the file.
            finishCopy(t);
            throw Error(ExitCode::Connection,
                        "the connection failed while copying rows into " + t.info.qualified);
        }
    }
}

void SeedLoader::finishCopy(const TablePlan& t) {
    copy_->write(copyBuffer_);
    copyBuffer_.clear();
    int64_t copied = 0;
    try {
        copied = copy_->finish();
    } catch (db::SqlError& e) {
        copy_.reset();
        // COPY's context names the failing line of its data: that row of this table entry.
        SourceLocation where{context_.path(), t.line, t.column};
        if (auto line = copyLine(e)) {
            where = locateRow(context_.file().path, tableIndex_, copiedBefore_ + *line);
        }
        throw context_.rowError(t, e, where);
    }
    copy_.reset();
    copiedBefore_ += copied;
    counts_.back().inserted += copied;
}

// A reference to a row of this table still waiting in the batch sends the batch first.
Cell SeedLoader::toCell(const TablePlan& t, const std::string& column, const YamlValue& v) {
    if (isRef(v) && inserter_) {
        const RefTarget target = parseRef(v, context_.path());
        auto info = context_.catalog().find(target.table);
        if (info->id() == t.info.id() && inserter_->pendingLabel(target.label)) {
            inserter_->flush();
        }
    }
    return context_.toCell(t, column, v);
}

void SeedLoader::resetSequences(const TablePlan& t) {
    // Explicit ids leave the column's sequence behind; move it past the largest id (the
    // smallest, for a descending sequence) so the application's next insert does not
    // collide. Never move it backwards.
    std::set<std::string> given(t.columns.begin(), t.columns.end());
    given.insert(t.csvColumns.begin(), t.csvColumns.end());
    if (t.generate)
        given.insert(t.generate->columns.begin(), t.generate->columns.end());
    for (const auto& c : t.info.columns) {
        if (c.sequence.empty() || given.count(c.name) == 0)
            continue;
        const std::string col = quoteIdentifier(c.name);
        // A descending sequence (negative increment) moves below the smallest id instead.
        context_.session().execParams(
            "WITH i AS (SELECT seqincrement AS inc FROM pg_sequence WHERE seqrelid = "
            "$1::regclass), q AS (SELECT last_value, is_called FROM " +
                c.sequence + "), s AS (SELECT max(" + col + ")::bigint AS hi, min(" + col +
                ")::bigint AS lo FROM " + t.info.qualified +
                ") SELECT setval($1::regclass, CASE WHEN inc > 0 THEN hi ELSE lo END) FROM i, q, "
                "s WHERE CASE WHEN inc > 0 THEN hi > CASE WHEN is_called THEN last_value ELSE "
                "last_value - 1 END ELSE lo < CASE WHEN is_called THEN last_value ELSE last_value "
                "+ 1 END END",
            {c.sequence});
    }
}

}  // namespace dbtool
