#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "db/catalog.hpp"
#include "db/seed_table.hpp"
#include "db/session.hpp"
#include "seed/outcome.hpp"
#include "seed/plan.hpp"
#include "seed/values.hpp"

namespace dbtool {

// What the loaders of one seed file share, inside its transaction: the session and tracking
// tables, the labels seen so far, the catalog for references, one timestamp for filled
// created_at/updated_at columns, and the SQL pieces every loader writes the same way.
class LoadContext {
  public:
    LoadContext(db::Session& session, db::SeedTable& seeds, const SeedFile& file,
                uint64_t randomSeed);

    db::Session& session() { return session_; }
    db::SeedTable& seeds() { return seeds_; }
    const SeedFile& file() const { return file_; }
    const std::string& path() const { return path_; }
    uint64_t randomSeed() const { return randomSeed_; }
    // now() of the transaction, as text: filled into NOT NULL timestamps without a default.
    const std::string& now() const { return now_; }
    db::TableLookup& catalog() { return catalog_; }

    // Throws Error(ExitCode::Interrupted) after Ctrl-C, naming the seed.
    void checkInterrupted() const;

    // Progress: `rows` of `t` sent so far, `fraction` of its work done (< 0: not known).
    using RowsReporter = std::function<void(const std::string&, int64_t, double)>;
    void onRows(RowsReporter reporter) { rowsReporter_ = std::move(reporter); }
    void reportRows(const TablePlan& t, int64_t rows, double fraction) const {
        if (rowsReporter_)
            rowsReporter_(t.info.id(), rows, fraction);
    }

    // The key of the row a !ref names: labelled earlier in this file or by an earlier seed.
    std::string resolveRef(const YamlValue& v);
    // A row of `t` labelled `label` got key `key`: remembered, and recorded for later seeds.
    void labelled(const TablePlan& t, const std::string& label, const std::string& key);
    // Rows were written with transaction id `xid` (a savepoint's): the seed records them all.
    void wroteWith(const std::string& xid) { xids_.insert(xid); }
    const std::set<std::string>& xids() const { return xids_; }
    // A YAML value as the text of `column` of `t` (arrays, json, resolved references).
    Cell toCell(const TablePlan& t, const std::string& column, const YamlValue& v);
    // The keys {{ref TABLE}} picks from, read once per table.
    const std::vector<std::string>& keysOf(const std::string& table);

    // created_at/updated_at-like columns that are NOT NULL without a default and not among
    // `given`: dbtool fills them with now().
    std::vector<std::string> timestampsToFill(const TablePlan& t,
                                              const std::vector<std::string>& given) const;
    // The error for a row of `t` the server refused, at `where`.
    Error rowError(const TablePlan& t, const db::SqlError& e, const SourceLocation& where) const;

  private:
    void checkStoredLabel(const db::TableInfo& info, const std::string& label,
                          const db::StoredLabel& stored, const YamlValue& v);

    db::Session& session_;
    db::SeedTable& seeds_;
    const SeedFile& file_;
    std::string path_;
    uint64_t randomSeed_;
    std::string now_;
    db::Catalog catalog_;
    std::map<std::pair<std::string, std::string>, std::string> labels_;
    std::map<std::string, std::vector<std::string>> randomKeys_;
    std::set<std::string> xids_;
    RowsReporter rowsReporter_;
};

// SQL pieces of the INSERT and COPY statements the loaders write (identifiers quoted).

// "a", "b", then the `fill` columns.
std::string columnList(const std::vector<std::string>& columns,
                       const std::vector<std::string>& fill = {});
// "OVERRIDING SYSTEM VALUE " when `columns` sets a GENERATED ALWAYS identity, else "".
std::string overridingClause(const TablePlan& t, const std::vector<std::string>& columns);
// " ON CONFLICT (key) DO NOTHING / DO UPDATE SET ..." for the entry's on_conflict, else "".
std::string conflictClause(const TablePlan& t, const std::vector<std::string>& columns);

}  // namespace dbtool
