#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "db/catalog.hpp"
#include "seed/seed_files.hpp"
#include "seed/seed_generate.hpp"
#include "seed/yaml_stream.hpp"

namespace dbtool {

// The plan of one seed file, built by the first pass over it: what each table entry loads and
// how, and the order the entries load in. Nothing is written while planning.

enum class OnConflict { Error, Skip, Update };

struct GenerateSpec {
    int64_t count = 0;
    int line = 0;
    int column = 0;
    std::vector<std::string> columns;
    // Per column: a template, or a fixed value (a scalar without {{ }}, a !ref, a list...).
    std::vector<std::optional<ValueTemplate>> templates;
    std::vector<YamlValue> fixed;
    std::optional<ValueTemplate> label;
};

struct TablePlan {
    std::string written;  // as in the file
    int line = 0;
    int column = 0;
    size_t fileIndex = 0;
    db::TableInfo info;
    OnConflict onConflict = OnConflict::Error;
    std::vector<std::string> key;      // conflict target
    std::vector<std::string> columns;  // columns of inline rows, first-seen order
    int64_t inlineRows = 0;
    // Every inline row has every column and none has a label or a !ref: they can go in
    // through COPY (see SeedLoader::beginTable).
    bool plainRows = true;
    std::optional<GenerateSpec> generate;
    std::optional<std::filesystem::path> csv;
    int csvLine = 0;
    std::vector<std::string> csvColumns;
    std::set<std::string> labels;
    std::set<std::string> dependsOn;  // table ids loaded first
};

struct SeedPlan {
    std::vector<TablePlan> tables;  // file order
    std::vector<size_t> loadOrder;  // indexes into tables
    std::vector<std::filesystem::path> csvFiles;
    bool reordered = false;
    std::vector<std::string> warnings;  // for the observer (e.g. a reference cycle)
};

// Whether an earlier, applied seed labelled a row of a table (schema.name) so.
using KnownLabel = std::function<bool(const std::string& tableId, const std::string& label)>;

// The checks of the first pass over a seed file, one event at a time: planSeed streams a file
// through it; the one-pass loader (seed/one_pass) feeds it each event before loading it.
// With `tables` it validates tables, columns, options and references; without it only reads
// the structure. Throws Error(ExitCode::InvalidInput) with file:line:column.
class SeedPlanner : public SeedStreamVisitor {
  public:
    SeedPlanner(const SeedFile& file, db::TableLookup* tables);
    ~SeedPlanner() override;
    SeedPlanner(const SeedPlanner&) = delete;
    SeedPlanner& operator=(const SeedPlanner&) = delete;

    void beginTable(const std::string& name, int line, int column, bool longForm) override;
    void option(const std::string& key, const YamlValue& value, int line, int column) override;
    void beginRows(int line, int column, bool labelled) override;
    void row(YamlValue&& row, const std::string& label) override;
    void endTable() override;

    // row() for a caller that loads the row afterwards: applies merge keys in place and
    // returns the row's label ("" for none).
    std::string checkRow(YamlValue& row, const std::string& label);
    // The plan so far: the table entries seen, the current one last.
    const SeedPlan& plan() const;
    // After the last event: the load order, and references to labels outside the file checked
    // through `knownLabel` (with tables only).
    SeedPlan finish(const KnownLabel& knownLabel);

  private:
    class Impl;
    std::unique_ptr<Impl> impl_;
    db::TableLookup* tables_;
};

// The first pass over a seed file. With `tables` it validates tables, columns, options and
// references (labels from earlier seeds through `knownLabel`, which may be empty); without it
// only reads the structure (for checksums and the offline check).
// A table with generated labels ("table.*") has its references checked when the rows are
// generated. Throws Error(ExitCode::InvalidInput) with file:line:column for what is wrong.
SeedPlan planSeed(const SeedFile& file, db::TableLookup* tables, const KnownLabel& knownLabel);

// The order table entries load in: an entry after the entries of the tables it depends on
// (foreign keys, references), the file order breaking ties. Entries that depend on each
// other in a cycle keep their file order; their names are put in `cycle` ("a, b").
std::vector<size_t> loadOrder(const std::vector<TablePlan>& tables, std::string& cycle);

// Reads a seed file the way the first pass of `seed run` does, without a database: the YAML,
// the shape of every table entry, options, generate templates and labels (not table or column
// names). Throws Error(ExitCode::InvalidInput) for what is wrong. (The fuzz target's entry.)
void checkSeedFileOffline(const std::filesystem::path& path);

}  // namespace dbtool
