#pragma once

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "seed/batch_insert.hpp"
#include "seed/load_context.hpp"

namespace dbtool {

// The second pass over a seed file: streams it again and loads each table entry by the
// fastest path its plan allows (COPY for plain inline and generated rows, batched INSERT ...
// RETURNING otherwise, COPY for CSV), recording every inserted key in the tracking tables.
// Runs inside the seed's transaction; throws Error with the row's file:line on failure.
class SeedLoader : public SeedStreamVisitor {
  public:
    SeedLoader(LoadContext& context, const SeedPlan& plan) : context_(context), plan_(plan) {}

    // Loads every table entry, in the plan's load order.
    void load();
    std::vector<TableCounts>& counts() { return counts_; }
    // Whether the current table entry's rows go through COPY, and with which columns.
    bool copying() const { return copy_ != nullptr; }
    const std::vector<std::string>& copyColumns() const { return copyColumns_; }
    // Ends the current COPY (its errors at their rows) and copies the entry's next rows with
    // `columns`; false, with no COPY open, when those cannot be copied (a GENERATED ALWAYS
    // identity). For a pass that meets rows with other columns than the first one's.
    bool restartCopy(const std::vector<std::string>& columns);
    // Progress as the share of the file read so far (a pass that does not know the number of
    // rows ahead: the one-pass loader).
    void reportProgressByPosition(uintmax_t fileSize) { fileSize_ = fileSize; }

    void beginTable(const std::string&, int, int, bool) override;
    void option(const std::string&, const YamlValue&, int, int) override {}
    void beginRows(int, int, bool) override {}
    void row(YamlValue&& row, const std::string& mappingLabel) override;
    void endTable() override;

  private:
    void startCopy(const TablePlan& t, const std::vector<std::string>& columns);
    void copyRow(const TablePlan& t, const YamlValue& row);
    void finishCopy(const TablePlan& t);
    Cell toCell(const TablePlan& t, const std::string& column, const YamlValue& v);
    void resetSequences(const TablePlan& t);

    LoadContext& context_;
    const SeedPlan& plan_;
    std::set<size_t> only_;  // the entries loaded in this pass; all when empty
    size_t tableIndex_ = static_cast<size_t>(-1);
    int64_t rowsOfTable_ = 0;  // for progress reports
    uintmax_t fileSize_ = 0;   // progress by file position when set
    size_t firstRowOffset_ = 0;
    bool active_ = false;
    std::unique_ptr<db::CopyIn> copy_;  // the current table entry's plain rows, when copied
    std::vector<std::string> copyColumns_;
    int64_t copiedBefore_ = 0;  // rows of this entry in its earlier COPYs
    std::string copyBuffer_;
    std::vector<Cell> copyCells_;
    size_t copyFill_ = 0;
    std::unique_ptr<BatchInserter> inserter_;
    std::vector<TableCounts> counts_;
};

}  // namespace dbtool
