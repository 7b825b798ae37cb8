#pragma once

#include <set>
#include <string>
#include <vector>

#include "seed/load_context.hpp"

namespace dbtool {

// A row waiting in a batch, with where it stands in the file for error messages.
struct PendingRow {
    std::vector<Cell> cells;
    std::string label;
    SourceLocation where;
};

// Rows of one table entry, sent in multi-row INSERT batches that also record the inserted
// keys (one statement a batch: INSERT ... RETURNING, the tracking rows in a CTE). Used for
// rows that cannot go through COPY: labels, references, upserts, DEFAULT cells, identity
// overrides. A failed batch is retried row by row inside a savepoint to name the bad row.
class BatchInserter {
  public:
    // `fillNow` are NOT NULL timestamps without default, filled with now().
    BatchInserter(LoadContext& context, const TablePlan& plan, std::vector<std::string> columns,
                  std::vector<std::string> fillNow, TableCounts& counts);
    void add(PendingRow&& row);
    void flush();
    // A row labelled so is still in the unsent batch (a reference to it must flush first).
    bool pendingLabel(const std::string& label) const { return pendingLabels_.count(label) != 0; }
    const std::vector<std::string>& columns() const { return columns_; }

  private:
    std::string statement(const std::vector<PendingRow>& rows, size_t& paramCount) const;
    void execute(const std::vector<PendingRow>& rows);
    std::string existingKey(const PendingRow& row);
    void advanceSequencesPastGivenValues(const std::vector<PendingRow>& rows);
    [[noreturn]] void throwRepeatedConflictKey(const std::vector<PendingRow>& rows,
                                               const db::SqlError& e);

    LoadContext& context_;
    const TablePlan& plan_;
    std::vector<std::string> columns_;
    std::vector<std::string> fillNow_;
    TableCounts& counts_;
    std::string keyArray_;  // the key as the tracking table records it; "" without a key
    std::vector<PendingRow> rows_;
    std::set<std::string> pendingLabels_;
    size_t maxRows_;
};

}  // namespace dbtool
