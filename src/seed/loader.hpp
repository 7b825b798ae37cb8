#pragma once

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

    void beginTable(const std::string&, int, int, bool) override;
    void option(const std::string&, const YamlValue&, int, int) override {}
    void beginRows(int, int, bool) override {}
    void row(YamlValue&& row, const std::string& mappingLabel) override;
    void endTable() override;

  private:
    void copyRow(const TablePlan& t, const YamlValue& row);
    void finishCopy(const TablePlan& t);
    Cell toCell(const TablePlan& t, const std::string& column, const YamlValue& v);
    void resetSequences(const TablePlan& t);

    LoadContext& context_;
    const SeedPlan& plan_;
    std::set<size_t> only_;  // the entries loaded in this pass; all when empty
    size_t tableIndex_ = static_cast<size_t>(-1);
    int64_t rowsOfTable_ = 0;  // for progress reports
    bool active_ = false;
    std::unique_ptr<db::CopyIn> copy_;  // the current table entry's plain rows, when copied
    std::string copyBuffer_;
    std::vector<Cell> copyCells_;
    size_t copyFill_ = 0;
    std::unique_ptr<BatchInserter> inserter_;
    std::vector<TableCounts> counts_;
};

}  // namespace dbtool
