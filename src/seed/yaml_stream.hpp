#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace dbtool {

struct YamlField;

// One YAML node of a seed row, with where it stands in the file. Rows are small; whole tables
// are never held as trees (see SeedStreamVisitor).
struct YamlValue {
    enum class Kind { Null, Scalar, Sequence, Mapping };
    Kind kind = Kind::Null;
    std::string text;  // scalars
    // "?" for a plain scalar, "!" for a quoted one, or an explicit tag such as "!ref".
    std::string tag;
    std::vector<YamlValue> items;                   // sequences
    std::vector<YamlField> fields;                  // mappings, in file order
    std::vector<std::pair<int, int>> keyPositions;  // line/column of each field's key
    int line = 0;
    int column = 0;
    size_t offset = 0;  // where it starts in the file (characters), for progress reports

    bool isNull() const { return kind == Kind::Null; }
    bool isScalar() const { return kind == Kind::Scalar; }
    bool isPlain() const { return tag == "?"; }
    const YamlValue* find(const std::string& key) const;
};

// A key and its value in a mapping (a struct rather than std::pair, which cannot hold the
// still-incomplete YamlValue inside YamlValue itself with every compiler).
struct YamlField {
    std::string first;  // the key
    YamlValue second;
    YamlField() = default;
    YamlField(std::string key, YamlValue value) : first(std::move(key)), second(std::move(value)) {}
};

// Receives a seed file as it is read: the top-level keys (tables) in order, with their
// values. Small values (long-form options, generate specs) arrive whole; the rows of a table
// arrive one at a time, so memory does not grow with the number of rows.
class SeedStreamVisitor {
  public:
    virtual ~SeedStreamVisitor() = default;
    // A top-level key. `longForm` is true when its value is a mapping (rows:, key:, ...).
    virtual void beginTable(const std::string& name, int line, int column, bool longForm) = 0;
    // A long-form option other than rows (key, on_conflict, generate, csv, ...), whole.
    virtual void option(const std::string& key, const YamlValue& value, int line, int column) = 0;
    // `rows:` of the long form starts; `labelled` when it is a mapping of label -> row.
    virtual void beginRows(int line, int column, bool labelled) = 0;
    // One row. `label` is the mapping key for labelled rows, else "".
    virtual void row(YamlValue&& row, const std::string& label) = 0;
    virtual void endTable() = 0;
};

// Streams `path` through the visitor. Throws Error(ExitCode::InvalidInput) with file:line:col
// for YAML syntax errors and for a document that is not a mapping of tables.
void streamSeedFile(const std::filesystem::path& path, SeedStreamVisitor& visitor);
void streamSeedText(const std::string& text, const std::string& file, SeedStreamVisitor& visitor);

// JSON text of a YAML value (plain scalars resolved as YAML 1.2 core types: null, booleans,
// numbers; everything else a string). `resolveTag` turns tagged scalars (!ref) into JSON text.
std::string yamlToJson(const YamlValue& value,
                       const std::function<std::string(const YamlValue&)>& resolveTag);

}  // namespace dbtool
