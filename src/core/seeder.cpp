#include "core/seeder.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "core/migration.hpp"
#include "core/seed_generate.hpp"
#include "core/text.hpp"
#include "core/yaml_stream.hpp"
#include "db/advisory_lock.hpp"
#include "db/catalog.hpp"
#include "db/interrupt.hpp"
#include "db/migration_table.hpp"

namespace dbtool {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// ---------------------------------------------------------------------------------------------
// Seed files

std::vector<SeedFile> findSeedFiles(const fs::path& dir, const std::string& environment) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
        throw Error(ExitCode::InvalidInput,
                    "the seeds directory " + dir.string() + " does not exist", {dir.string()},
                    "create it (`dbtool seed create NAME` does), or point --seeds-dir / "
                    "DBTOOL_SEEDS_DIR / seeds_dir at it");
    }
    static const std::regex nameRe(R"(^([0-9]+)_([A-Za-z0-9][A-Za-z0-9_.-]*)\.ya?ml$)");
    std::vector<SeedFile> files;
    auto scan = [&](const fs::path& folder, const std::string& env) {
        if (!fs::is_directory(folder, ec)) {
            return;
        }
        for (const auto& entry : fs::directory_iterator(folder)) {
            const std::string filename = entry.path().filename().string();
            if (!entry.is_regular_file() || filename.starts_with(".") ||
                !(filename.ends_with(".yaml") || filename.ends_with(".yml"))) {
                continue;
            }
            std::smatch m;
            if (!std::regex_match(filename, m, nameRe)) {
                throw Error(ExitCode::InvalidInput, "malformed seed file name '" + filename + "'",
                            {entry.path().string()},
                            "name it ORDER_NAME.yaml with a digit order, e.g. 001_users.yaml");
            }
            SeedFile f;
            f.path = entry.path();
            f.order = m[1];
            f.environment = env;
            const std::string stem = filename.substr(0, filename.rfind('.'));
            f.name = env.empty() ? stem : env + "/" + stem;
            files.push_back(std::move(f));
        }
    };
    scan(dir, "");
    if (!environment.empty()) {
        scan(dir / environment, environment);
    }
    std::sort(files.begin(), files.end(), [](const SeedFile& a, const SeedFile& b) {
        const int c = compareVersions(a.order, b.order);
        return c != 0 ? c < 0 : a.name < b.name;
    });
    for (size_t i = 1; i < files.size(); ++i) {
        if (files[i].path.stem() == files[i - 1].path.stem()) {
            throw Error(
                ExitCode::InvalidInput,
                "two seed files named " + files[i].path.stem().string() + " (.yaml and .yml)",
                {files[i].path.string()}, "keep one of them");
        }
    }
    return files;
}

std::string seedTemplate(const std::string& table) {
    return "# Seed file: one key per table, loaded in foreign-key order, each file in one\n"
           "# transaction. See README \"Seed files\".\n" +
           table +
           ":\n"
           "  - _label: first          # optional: refer to this row as !ref " +
           table +
           ".first\n"
           "    # column: value\n";
}

const char* seedStateName(SeedState state) {
    switch (state) {
        case SeedState::Applied:
            return "applied";
        case SeedState::Pending:
            return "pending";
        case SeedState::Changed:
            return "changed";
        case SeedState::Missing:
            return "missing";
    }
    return "unknown";
}

namespace {

[[noreturn]] void inputError(const std::string& file, int line, int column, const std::string& what,
                             const std::string& hint = {}) {
    throw Error(ExitCode::InvalidInput, what, {file, line, column}, hint);
}

// ---------------------------------------------------------------------------------------------
// CSV helpers (RFC 4180 as PostgreSQL's COPY reads it)

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

// ---------------------------------------------------------------------------------------------
// The plan of one seed file, built by the first pass

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
    std::optional<fs::path> csv;
    int csvLine = 0;
    std::vector<std::string> csvColumns;
    std::set<std::string> labels;
    std::set<std::string> dependsOn;  // table ids loaded first
};

struct SeedPlan {
    std::vector<TablePlan> tables;  // file order
    std::vector<size_t> loadOrder;  // indexes into tables
    std::vector<fs::path> csvFiles;
    bool reordered = false;
};

struct RefTarget {
    std::string table;  // as written
    std::string label;
};

RefTarget parseRef(const YamlValue& v, const std::string& file) {
    const size_t dot = v.text.rfind('.');
    if (dot == std::string::npos || dot == 0 || dot + 1 == v.text.size()) {
        inputError(file, v.line, v.column, "!ref needs TABLE.LABEL, not '" + v.text + "'",
                   "e.g. author_id: !ref users.alice");
    }
    return {v.text.substr(0, dot), v.text.substr(dot + 1)};
}

bool isRef(const YamlValue& v) {
    return v.isScalar() && v.tag == "!ref";
}

// A primary key of one smallint, integer or bigint column: its seeded keys are kept as ranges.
bool integerKey(const db::TableInfo& info) {
    if (info.primaryKey.size() != 1) {
        return false;
    }
    const db::ColumnInfo* c = info.column(info.primaryKey[0]);
    return c != nullptr && !c->isArray &&
           (c->baseType == "int2" || c->baseType == "int4" || c->baseType == "int8");
}

bool holdsRef(const YamlValue& v) {
    if (isRef(v)) {
        return true;
    }
    for (const auto& item : v.items) {
        if (holdsRef(item)) {
            return true;
        }
    }
    for (const auto& field : v.fields) {
        if (holdsRef(field.second)) {
            return true;
        }
    }
    return false;
}

// Tags dbtool understands: none, !ref, and YAML's standard ones (!!str, ...).
void checkTag(const YamlValue& v, const std::string& file) {
    if (v.tag.empty() || v.tag == "?" || v.tag == "!" || v.tag == "!ref" ||
        v.tag.starts_with("tag:yaml.org,2002:")) {
        return;
    }
    inputError(file, v.line, v.column, "unknown tag " + v.tag + "; dbtool understands !ref",
               "write !ref TABLE.LABEL to refer to a labelled row");
}

// Applies YAML merge keys (<<: *base) and returns the row's label (from _label).
std::string normalizeRow(YamlValue& row, const std::string& file) {
    if (row.kind != YamlValue::Kind::Mapping) {
        inputError(file, row.line, row.column, "a row must be a mapping of column: value",
                   "e.g. - {name: Ann, email: ann@example.com}");
    }
    const bool plain = std::none_of(row.fields.begin(), row.fields.end(), [](const auto& f) {
        return f.first == "<<" || f.first == "_label";
    });
    if (plain) {
        return "";  // the usual row: nothing to merge or take out
    }
    std::string label;
    YamlValue out;
    out.kind = row.kind;
    out.tag = row.tag;
    out.line = row.line;
    out.column = row.column;
    std::vector<const YamlValue*> merges;
    for (size_t i = 0; i < row.fields.size(); ++i) {
        auto& [key, value] = row.fields[i];
        if (key == "<<") {
            if (value.kind == YamlValue::Kind::Mapping) {
                merges.push_back(&value);
            } else if (value.kind == YamlValue::Kind::Sequence) {
                for (const auto& item : value.items)
                    merges.push_back(&item);
            }
            continue;
        }
        if (key == "_label") {
            if (!value.isScalar() || value.text.empty() ||
                value.text.find('.') != std::string::npos) {
                inputError(file, value.line, value.column,
                           "_label must be a name without dots, e.g. _label: alice");
            }
            label = value.text;
            continue;
        }
        out.fields.emplace_back(key, std::move(value));
        out.keyPositions.push_back(row.keyPositions[i]);
    }
    for (const YamlValue* m : merges) {
        if (m->kind != YamlValue::Kind::Mapping) {
            inputError(file, m->line, m->column,
                       "<< merges a mapping (an alias such as *defaults)");
        }
        for (size_t i = 0; i < m->fields.size(); ++i) {
            if (out.find(m->fields[i].first) == nullptr && m->fields[i].first != "_label") {
                out.fields.push_back(m->fields[i]);
                out.keyPositions.push_back(m->keyPositions[i]);
            }
        }
    }
    row = std::move(out);
    return label;
}

// ---------------------------------------------------------------------------------------------
// First pass: structure and validation, nothing written

class PlanVisitor : public SeedStreamVisitor {
  public:
    PlanVisitor(const SeedFile& file, db::Catalog* catalog) : file_(file), catalog_(catalog) {}

    void beginTable(const std::string& name, int line, int column, bool) override {
        for (const auto& t : plan_.tables) {
            if (t.written == name) {
                inputError(path(), line, column, "table '" + name + "' appears twice in this file");
            }
        }
        TablePlan t;
        t.written = name;
        t.line = line;
        t.column = column;
        t.fileIndex = plan_.tables.size();
        if (catalog_ != nullptr) {
            auto info = catalog_->find(name);
            if (!info) {
                inputError(
                    path(), line, column,
                    "unknown table '" + name + "'" + didYouMean(name, catalog_->visibleTables()),
                    "create it with a migration first, or check the name (schema.table "
                    "for another schema)");
            }
            t.info = *info;
        }
        plan_.tables.push_back(std::move(t));
    }

    void option(const std::string& key, const YamlValue& value, int line, int column) override {
        TablePlan& t = current();
        static const std::vector<std::string> options = {"rows", "key", "on_conflict", "generate",
                                                         "csv"};
        if (key == "key") {
            t.key.clear();
            if (value.isScalar()) {
                t.key.push_back(value.text);
            } else if (value.kind == YamlValue::Kind::Sequence) {
                for (const auto& item : value.items) {
                    if (!item.isScalar()) {
                        inputError(path(), item.line, item.column, "key lists column names");
                    }
                    t.key.push_back(item.text);
                }
            } else {
                inputError(path(), value.line, value.column,
                           "key is a column name or a list of them");
            }
            for (const auto& c : t.key) {
                checkColumn(t, c, value.line, value.column);
            }
        } else if (key == "on_conflict") {
            if (value.text == "error") {
                t.onConflict = OnConflict::Error;
            } else if (value.text == "skip") {
                t.onConflict = OnConflict::Skip;
            } else if (value.text == "update") {
                t.onConflict = OnConflict::Update;
            } else {
                inputError(path(), value.line, value.column,
                           "on_conflict is error, skip or update, not '" + value.text + "'");
            }
        } else if (key == "generate") {
            t.generate = compileGenerate(t, value);
        } else if (key == "csv") {
            if (!value.isScalar() || value.text.empty()) {
                inputError(path(), value.line, value.column,
                           "csv names a CSV file beside the seed");
            }
            t.csv = file_.path.parent_path() / value.text;
            t.csvLine = value.line;
            plan_.csvFiles.push_back(*t.csv);
            if (!fs::exists(*t.csv)) {
                inputError(path(), value.line, value.column,
                           "CSV file " + t.csv->string() + " does not exist",
                           "paths are relative to the seed file");
            }
            if (catalog_ != nullptr) {
                t.csvColumns = readCsvHeader(*t.csv);
                for (size_t i = 0; i < t.csvColumns.size(); ++i) {
                    const std::string& c = t.csvColumns[i];
                    if (t.info.column(c) == nullptr) {
                        throw Error(ExitCode::InvalidInput,
                                    "CSV header names unknown column '" + c + "' of table " +
                                        t.info.id() + didYouMean(c, t.info.columnNames()),
                                    {t.csv->string(), 1, static_cast<int>(i) + 1},
                                    "the header row holds the table's column names");
                    }
                }
            }
        } else if (key != "rows") {
            inputError(path(), line, column,
                       "unknown option '" + key + "' of table '" + t.written + "'" +
                           didYouMean(key, options),
                       "a table takes rows, key, on_conflict, generate and csv");
        }
    }

    void beginRows(int, int, bool) override {}

    void row(YamlValue&& row, const std::string& mappingLabel) override {
        TablePlan& t = current();
        std::string label = normalizeRow(row, path());
        if (!mappingLabel.empty()) {
            if (mappingLabel.find('.') != std::string::npos) {
                inputError(path(), row.line, row.column, "a row label may not contain dots");
            }
            label = mappingLabel;
        }
        ++t.inlineRows;
        const size_t columnsBefore = t.columns.size();
        for (size_t i = 0; i < row.fields.size(); ++i) {
            const auto& [column, value] = row.fields[i];
            const auto [kline, kcol] = row.keyPositions[i];
            if (std::find(t.columns.begin(), t.columns.end(), column) == t.columns.end()) {
                t.columns.push_back(column);
            }
            checkColumn(t, column, kline, kcol);
            checkValue(t, column, value);
            if (t.plainRows && holdsRef(value)) {
                t.plainRows = false;
            }
        }
        if (!label.empty() || row.fields.size() != t.columns.size() ||
            (t.inlineRows > 1 && t.columns.size() != columnsBefore)) {
            t.plainRows = false;  // a label, a reference or a row without some column
        }
        if (!label.empty()) {
            if (!t.labels.insert(label).second) {
                inputError(path(), row.line, row.column,
                           "label '" + label + "' is used twice in table '" + t.written + "'");
            }
            if (catalog_ != nullptr && t.info.primaryKey.empty()) {
                inputError(
                    path(), row.line, row.column,
                    "table " + t.info.id() + " has no primary key, so its rows cannot be labelled");
            }
        }
    }

    void endTable() override {
        TablePlan& t = current();
        if (t.csv && (t.inlineRows > 0 || t.generate)) {
            inputError(path(), t.csvLine, 1,
                       "table '" + t.written + "' has csv: together with rows or generate",
                       "load the CSV in a table entry of its own (another seed file)");
        }
        if (catalog_ == nullptr) {
            return;
        }
        if (t.onConflict != OnConflict::Error) {
            if (t.key.empty()) {
                t.key = t.info.primaryKey;
            }
            const std::set<std::string> wanted(t.key.begin(), t.key.end());
            if (wanted.empty() || std::find(t.info.uniqueKeys.begin(), t.info.uniqueKeys.end(),
                                            wanted) == t.info.uniqueKeys.end()) {
                inputError(path(), t.line, t.column,
                           "on_conflict needs a key with a unique index on table " + t.info.id(),
                           "name the natural-key columns with key: (they need a unique "
                           "constraint or index)");
            }
        }
        for (const auto& referenced : t.info.referencedTables) {
            t.dependsOn.insert(referenced);
        }
    }

    SeedPlan finish() {
        computeLoadOrder();
        return std::move(plan_);
    }

    // References to labels not defined earlier in this file: checked against the database.
    struct ExternalRef {
        SourceLocation where;
        std::string fromTable;
    };
    const std::map<std::pair<std::string, std::string>, ExternalRef>& externalRefs() const {
        return externalRefs_;
    }
    const std::map<std::string, std::set<std::string>>& fileLabels() const { return fileLabels_; }

  private:
    const std::string& path() const {
        return pathString_.empty() ? (pathString_ = file_.path.string()) : pathString_;
    }
    TablePlan& current() { return plan_.tables.back(); }

    void checkColumn(const TablePlan& t, const std::string& column, int line, int col) {
        if (catalog_ == nullptr) {
            return;
        }
        const db::ColumnInfo* c = t.info.column(column);
        if (c == nullptr) {
            inputError(
                path(), line, col,
                "unknown column '" + column + "' of table " + t.info.id() +
                    didYouMean(column, t.info.columnNames()),
                "columns of " + t.info.id() + ": " + [&] {
                    std::string list;
                    for (const auto& n : t.info.columnNames())
                        list += (list.empty() ? "" : ", ") + n;
                    return list;
                }());
        }
        if (c->generated) {
            inputError(path(), line, col, "column '" + column + "' is generated; it cannot be set");
        }
    }

    void checkValue(TablePlan& t, const std::string& column, const YamlValue& v) {
        checkTag(v, path());
        if (isRef(v)) {
            noteRef(t, v);
            return;
        }
        if (catalog_ != nullptr &&
            (v.kind == YamlValue::Kind::Sequence || v.kind == YamlValue::Kind::Mapping)) {
            const db::ColumnInfo* c = t.info.column(column);
            const bool fits = c->isJson || (v.kind == YamlValue::Kind::Sequence && c->isArray);
            if (!fits) {
                inputError(path(), v.line, v.column,
                           std::string("column '") + column + "' is " + c->type + ": a " +
                               (v.kind == YamlValue::Kind::Sequence ? "list" : "mapping") +
                               " fits " +
                               (v.kind == YamlValue::Kind::Sequence ? "array or json/jsonb"
                                                                    : "json/jsonb") +
                               " columns only",
                           "quote it to store the text as written");
            }
        }
        for (const auto& item : v.items)
            checkValue(t, column, item);
        for (const auto& [k, item] : v.fields)
            checkValue(t, column, item);
    }

    void noteRef(TablePlan& t, const YamlValue& v) {
        const RefTarget target = parseRef(v, path());
        if (catalog_ == nullptr) {
            return;
        }
        auto info = catalog_->find(target.table);
        if (!info) {
            inputError(path(), v.line, v.column,
                       "!ref " + v.text + ": unknown table '" + target.table + "'" +
                           didYouMean(target.table, catalog_->visibleTables()));
        }
        if (info->primaryKey.size() != 1) {
            inputError(path(), v.line, v.column,
                       "!ref " + v.text + ": table " + info->id() +
                           " needs a single-column primary key to be referenced");
        }
        if (info->id() != t.info.id()) {
            t.dependsOn.insert(info->id());
        }
        // Defined earlier in this file? (Labels of the current table count only when their
        // row came first.)
        for (const auto& other : plan_.tables) {
            if (other.info.id() == info->id() && other.labels.count(target.label) != 0) {
                return;
            }
        }
        externalRefs_.emplace(std::make_pair(info->id(), target.label),
                              ExternalRef{SourceLocation{path(), v.line, v.column}, t.info.id()});
    }

    GenerateSpec compileGenerate(TablePlan& t, const YamlValue& v) {
        if (v.kind != YamlValue::Kind::Mapping) {
            inputError(path(), v.line, v.column, "generate is a mapping: {count: N, row: {...}}");
        }
        GenerateSpec g;
        g.line = v.line;
        g.column = v.column;
        const YamlValue* count = v.find("count");
        const YamlValue* row = v.find("row");
        static const std::regex digits("^[0-9]{1,12}$");
        if (count == nullptr || !count->isScalar() || !std::regex_match(count->text, digits)) {
            inputError(path(), count ? count->line : v.line, count ? count->column : v.column,
                       "generate needs count: a whole number of rows");
        }
        g.count = std::stoll(count->text);
        if (row == nullptr || row->kind != YamlValue::Kind::Mapping) {
            inputError(path(), row ? row->line : v.line, row ? row->column : v.column,
                       "generate needs row: a mapping of column: template");
        }
        for (size_t i = 0; i < v.fields.size(); ++i) {
            const auto& k = v.fields[i].first;
            if (k != "count" && k != "row" && k != "label") {
                inputError(path(), v.keyPositions[i].first, v.keyPositions[i].second,
                           "unknown generate option '" + k + "'" +
                               didYouMean(k, {"count", "row", "label"}));
            }
        }
        if (const YamlValue* label = v.find("label")) {
            g.label = ValueTemplate::compile(label->text, {path(), label->line, label->column});
        }
        for (size_t i = 0; i < row->fields.size(); ++i) {
            const auto& [column, value] = row->fields[i];
            checkColumn(t, column, row->keyPositions[i].first, row->keyPositions[i].second);
            checkTag(value, path());
            g.columns.push_back(column);
            if (value.isScalar() && value.tag != "!ref" &&
                value.text.find("{{") != std::string::npos) {
                auto tpl = ValueTemplate::compile(value.text, {path(), value.line, value.column});
                for (const auto& ref : tpl.referencedTables()) {
                    if (catalog_ == nullptr)
                        continue;
                    auto info = catalog_->find(ref);
                    if (!info) {
                        inputError(path(), value.line, value.column,
                                   "{{ref " + ref + "}}: unknown table" +
                                       didYouMean(ref, catalog_->visibleTables()));
                    }
                    if (info->primaryKey.size() != 1) {
                        inputError(path(), value.line, value.column,
                                   "{{ref " + ref + "}}: table " + info->id() +
                                       " needs a single-column primary key");
                    }
                    if (info->id() != t.info.id())
                        t.dependsOn.insert(info->id());
                }
                g.templates.push_back(std::move(tpl));
                g.fixed.emplace_back();
            } else {
                checkValue(t, column, value);
                g.templates.push_back(std::nullopt);
                g.fixed.push_back(value);
            }
        }
        return g;
    }

    // Foreign keys (and references) decide the load order; the file order breaks ties.
    void computeLoadOrder() {
        const size_t n = plan_.tables.size();
        std::vector<bool> done(n, false);
        while (plan_.loadOrder.size() < n) {
            bool progressed = false;
            for (size_t i = 0; i < n; ++i) {
                if (done[i])
                    continue;
                bool ready = true;
                for (size_t j = 0; j < n && ready; ++j) {
                    if (!done[j] && j != i &&
                        plan_.tables[i].dependsOn.count(plan_.tables[j].info.id()) != 0) {
                        ready = false;
                    }
                }
                if (ready) {
                    done[i] = true;
                    plan_.loadOrder.push_back(i);
                    progressed = true;
                    break;
                }
            }
            if (!progressed) {
                // A cycle: keep the file order for what remains.
                std::string cycle;
                for (size_t i = 0; i < n; ++i) {
                    if (!done[i]) {
                        cycle += (cycle.empty() ? "" : ", ") + plan_.tables[i].written;
                        done[i] = true;
                        plan_.loadOrder.push_back(i);
                    }
                }
                spdlog::warn("{}: tables {} reference each other; loading them in file order",
                             path(), cycle);
            }
        }
        for (size_t i = 0; i < n; ++i) {
            if (plan_.loadOrder[i] != i)
                plan_.reordered = true;
        }
        for (const auto& t : plan_.tables) {
            for (const auto& l : t.labels)
                fileLabels_[t.info.id()].insert(l);
        }
    }

    const SeedFile& file_;
    db::Catalog* catalog_;
    SeedPlan plan_;
    mutable std::string pathString_;
    std::map<std::pair<std::string, std::string>, ExternalRef> externalRefs_;
    std::map<std::string, std::set<std::string>> fileLabels_;
};

// ---------------------------------------------------------------------------------------------
// Value conversion: YAML -> the text of a bound parameter

std::string pgArrayElement(const YamlValue& v,
                           const std::function<std::string(const YamlValue&)>& ref,
                           bool jsonElements);

std::string pgArray(const YamlValue& v, const std::function<std::string(const YamlValue&)>& ref,
                    bool jsonElements) {
    std::string out = "{";
    for (size_t i = 0; i < v.items.size(); ++i) {
        out += (i ? "," : "") + pgArrayElement(v.items[i], ref, jsonElements);
    }
    return out + "}";
}

std::string pgArrayElement(const YamlValue& v,
                           const std::function<std::string(const YamlValue&)>& ref,
                           bool jsonElements) {
    if (v.isNull()) {
        return "NULL";
    }
    if (v.kind == YamlValue::Kind::Sequence && !jsonElements) {
        return pgArray(v, ref, jsonElements);
    }
    std::string text = jsonElements ? yamlToJson(v, ref) : (isRef(v) ? ref(v) : v.text);
    std::string quoted = "\"";
    for (char c : text) {
        if (c == '"' || c == '\\')
            quoted += '\\';
        quoted += c;
    }
    return quoted + "\"";
}

// ---------------------------------------------------------------------------------------------
// Second pass: loading

struct Cell {
    enum class Kind { Value, Null, Default } kind = Kind::Default;
    std::string text;
};

struct PendingRow {
    std::vector<Cell> cells;
    std::string label;
    SourceLocation where;
};

class SeedLoader;

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

// Rows of one table, sent in multi-row INSERT batches that also record the inserted keys.
class BatchInserter {
  public:
    BatchInserter(SeedLoader& loader, TablePlan& plan, std::vector<std::string> columns,
                  std::vector<std::string> fillNow, TableCounts& counts);
    void add(PendingRow&& row);
    void flush();
    bool pendingLabel(const std::string& label) const { return pendingLabels_.count(label) != 0; }
    const std::vector<std::string>& columns() const { return columns_; }

  private:
    std::string statement(const std::vector<PendingRow>& rows, size_t& paramCount) const;
    void execute(const std::vector<PendingRow>& rows, bool locate);

    SeedLoader& loader_;
    TablePlan& plan_;
    std::vector<std::string> columns_;
    std::vector<std::string> fillNow_;  // NOT NULL timestamps without default: filled with now()
    TableCounts& counts_;
    std::vector<PendingRow> rows_;
    std::set<std::string> pendingLabels_;
    size_t maxRows_;
};

class SeedLoader : public SeedStreamVisitor {
  public:
    SeedLoader(db::Session& session, db::SeedTable& table, SeedPlan& plan, const SeedFile& file,
               uint64_t randomSeed)
        : session_(session), seeds_(table), plan_(plan), file_(file), randomSeed_(randomSeed) {
        auto r = session_.execParams("SELECT now()::text");
        now_ = PQgetvalue(r.get(), 0, 0);
    }

    // Loads the tables whose indexes are in `only` (all when empty) during this pass.
    void restrictTo(std::set<size_t> only) { only_ = std::move(only); }

    void beginTable(const std::string&, int, int, bool) override {
        ++tableIndex_;
        active_ = only_.empty() || only_.count(tableIndex_) != 0;
        if (!active_) {
            return;
        }
        TablePlan& t = plan_.tables[tableIndex_];
        counts_.push_back({t.info.id(), 0, 0, 0, -1});
        const auto fill = timestampsToFill(t, t.columns);
        // Plain rows (every column, no labels or references) of a table loaded with neither
        // upserts nor identity overrides stream through COPY: no statement per batch, and the
        // server works while the file is still being read.
        if (t.plainRows && t.inlineRows > 0 && t.onConflict == OnConflict::Error &&
            overriding(t, t.columns).empty()) {
            copy_ = std::make_unique<db::CopyIn>(
                session_,
                "COPY " + t.info.qualified + " (" + columnList(t.columns, fill) + ") FROM STDIN");
            copyFill_ = fill.size();
            return;
        }
        inserter_ = std::make_unique<BatchInserter>(*this, t, t.columns, fill, counts_.back());
    }
    void option(const std::string&, const YamlValue&, int, int) override {}
    void beginRows(int, int, bool) override {}

    void row(YamlValue&& row, const std::string& mappingLabel) override {
        if (!active_) {
            return;
        }
        db::throwIfInterrupted(("loading seed " + file_.name).c_str());
        TablePlan& t = plan_.tables[tableIndex_];
        std::string label = normalizeRow(row, file_.path.string());
        if (!mappingLabel.empty())
            label = mappingLabel;
        if (copy_) {
            copyRow(t, row);
            return;
        }
        PendingRow pending;
        pending.label = label;
        pending.where = {file_.path.string(), row.line, row.column};
        pending.cells.resize(inserter_->columns().size());
        for (const auto& [column, value] : row.fields) {
            const size_t i = static_cast<size_t>(
                std::find(inserter_->columns().begin(), inserter_->columns().end(), column) -
                inserter_->columns().begin());
            pending.cells[i] = toCell(t, column, value);
        }
        inserter_->add(std::move(pending));
    }

    void endTable() override {
        if (!active_) {
            return;
        }
        TablePlan& t = plan_.tables[tableIndex_];
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
                recordCopiedKeys(t);  // before the generated rows' own keys
                unrecorded = false;
            }
            loadGenerated(t, copy);
            unrecorded = unrecorded || copy;
        }
        if (unrecorded) {
            recordCopiedKeys(t);
        }
        if (t.csv) {
            loadCsv(t);
        }
        resetSequences(t);
    }

    std::vector<TableCounts>& counts() { return counts_; }
    void resetTableIndex() { tableIndex_ = static_cast<size_t>(-1); }

    // ---- used by BatchInserter
    db::Session& session() { return session_; }
    db::SeedTable& seeds() { return seeds_; }
    const SeedFile& file() const { return file_; }
    const std::string& now() const { return now_; }
    void labelled(TablePlan& t, const std::string& label, const std::string& keyText) {
        labels_[{t.info.id(), label}] = keyText;
        seeds_.recordLabel(file_.name, t.info.id(), label, nlohmann::json::array({keyText}).dump());
    }

  private:
    std::string columnList(const std::vector<std::string>& columns,
                           const std::vector<std::string>& fill) {
        std::string list;
        for (const auto& c : columns) {
            list += (list.empty() ? "" : ", ") + session_.quoteIdent(c);
        }
        for (const auto& c : fill) {
            list += ", " + session_.quoteIdent(c);
        }
        return list;
    }

    // One inline row as a line of COPY data, its cells in the order of the table's columns.
    void copyRow(TablePlan& t, const YamlValue& row) {
        copyCells_.resize(t.columns.size());
        for (const auto& [column, value] : row.fields) {
            const size_t i = static_cast<size_t>(
                std::find(t.columns.begin(), t.columns.end(), column) - t.columns.begin());
            copyCells_[i] = toCell(t, column, value);
        }
        appendCopyLine(copyBuffer_, copyCells_, copyFill_);
        if (copyBuffer_.size() >= (1u << 20)) {
            copy_->write(copyBuffer_);
            copyBuffer_.clear();
        }
    }

    void finishCopy(TablePlan& t) {
        copy_->write(copyBuffer_);
        copyBuffer_.clear();
        int64_t copied = 0;
        try {
            copied = copy_->finish();
        } catch (db::SqlError& e) {
            copy_.reset();
            // COPY's context names the failing line of its data: that row of this table entry.
            SourceLocation where{file_.path.string(), t.line, t.column};
            if (auto line = copyLine(e)) {
                where = locateRow(file_.path, tableIndex_, *line);
            }
            throw rowError(t, e, where);
        }
        copy_.reset();
        counts_.back().inserted += copied;
    }

    std::vector<std::string> timestampsToFill(const TablePlan& t,
                                              const std::vector<std::string>& given) {
        std::vector<std::string> out;
        for (const char* name :
             {"created_at", "updated_at", "createdAt", "updatedAt", "inserted_at"}) {
            const db::ColumnInfo* c = t.info.column(name);
            if (c != nullptr && c->notNull && !c->hasDefault &&
                std::find(given.begin(), given.end(), name) == given.end()) {
                out.push_back(name);
            }
        }
        return out;
    }

    std::string resolveRef(const YamlValue& v) {
        const RefTarget target = parseRef(v, file_.path.string());
        auto info = catalog().find(target.table);
        const std::pair<std::string, std::string> key{info->id(), target.label};
        if (auto it = labels_.find(key); it != labels_.end()) {
            return it->second;
        }
        if (auto stored = seeds_.labelKey(info->id(), target.label)) {
            const std::string value = nlohmann::json::parse(*stored).at(0).get<std::string>();
            labels_[key] = value;
            return value;
        }
        throw Error(ExitCode::InvalidInput,
                    "!ref " + v.text + ": no row labelled '" + target.label + "' in " + info->id(),
                    {file_.path.string(), v.line, v.column},
                    "label the row (_label: " + target.label +
                        ") in this file before the reference, or in an earlier seed");
    }

    Cell toCell(TablePlan& t, const std::string& column, const YamlValue& v) {
        Cell cell;
        if (v.isNull()) {
            cell.kind = Cell::Kind::Null;
            return cell;
        }
        cell.kind = Cell::Kind::Value;
        if (isRef(v)) {
            const RefTarget target = parseRef(v, file_.path.string());
            auto info = catalog().find(target.table);
            if (info->id() == t.info.id() && inserter_ && inserter_->pendingLabel(target.label)) {
                inserter_->flush();  // a row of this table refers to a row still in the batch
            }
            cell.text = resolveRef(v);
            return cell;
        }
        if (v.isScalar()) {
            cell.text = v.text;
            return cell;
        }
        const db::ColumnInfo* c = t.info.column(column);
        auto ref = [this](const YamlValue& r) {
            const std::string key = resolveRef(r);
            return nlohmann::json(key).dump();
        };
        auto refText = [this](const YamlValue& r) { return resolveRef(r); };
        if (c->isJson) {
            cell.text = yamlToJson(v, ref);
        } else {
            cell.text = pgArray(v, refText, c->baseType == "json" || c->baseType == "jsonb");
        }
        return cell;
    }

    db::Catalog& catalog() {
        if (!catalog_)
            catalog_ = std::make_unique<db::Catalog>(session_);
        return *catalog_;
    }

    const std::vector<std::string>& keysOf(const std::string& table) {
        auto it = randomKeys_.find(table);
        if (it != randomKeys_.end()) {
            return it->second;
        }
        auto info = catalog().find(table);
        auto r = session_.execParams("SELECT " + session_.quoteIdent(info->primaryKey[0]) +
                                     "::text FROM " + info->qualified + " ORDER BY 1");
        std::vector<std::string> keys;
        keys.reserve(static_cast<size_t>(PQntuples(r.get())));
        for (int i = 0; i < PQntuples(r.get()); ++i) {
            keys.emplace_back(PQgetvalue(r.get(), i, 0));
        }
        return randomKeys_[table] = std::move(keys);
    }

    // Without labels, upserts, DEFAULT cells or always-identity overrides, generated rows can
    // stream through COPY: the fastest way in.
    bool generatedCopyable(const TablePlan& t) {
        const GenerateSpec& g = *t.generate;
        return !g.label && t.onConflict == OnConflict::Error && !g.columns.empty() &&
               overriding(t, g.columns).empty();
    }

    // Loads the generated rows, through COPY when `copyable` (their keys are then left for the
    // caller to record), else in batches of INSERT ... RETURNING.
    void loadGenerated(TablePlan& t, bool copyable) {
        GenerateSpec& g = *t.generate;
        counts_.back().planned = g.count;
        const auto fill = timestampsToFill(t, g.columns);
        BatchInserter inserter(*this, t, g.columns, fill, counts_.back());
        auto randomKey = [&](const std::string& table, uint64_t r) -> std::string {
            const auto& keys = keysOf(table);
            if (keys.empty()) {
                throw Error(ExitCode::InvalidInput,
                            "{{ref " + table + "}}: table " + table + " has no rows to pick from",
                            {file_.path.string(), g.line, g.column},
                            "seed that table first (an earlier seed file or entry)");
            }
            return keys[r % keys.size()];
        };
        std::vector<Cell> fixed(g.columns.size());
        for (size_t c = 0; c < g.columns.size(); ++c) {
            if (!g.templates[c])
                fixed[c] = toCell(t, g.columns[c], g.fixed[c]);
        }
        const std::string tableId = t.info.id();
        auto render = [&](int64_t i, std::vector<Cell>& cells) {
            for (size_t c = 0; c < g.columns.size(); ++c) {
                if (g.templates[c]) {
                    cells[c].kind = Cell::Kind::Value;
                    cells[c].text = g.templates[c]->render(
                        i, valueStream(randomSeed_, tableId, g.columns[c], i), randomKey);
                } else {
                    cells[c] = fixed[c];
                }
            }
        };
        if (copyable) {
            // No query can run during COPY: load the keys {{ref TABLE}} picks from first.
            for (const auto& tpl : g.templates) {
                if (!tpl)
                    continue;
                for (const auto& table : tpl->referencedTables()) {
                    if (keysOf(table).empty())
                        randomKey(table, 0);  // says the table is empty
                }
            }
            std::vector<Cell> cells(g.columns.size());
            int64_t next = 0;
            int64_t copied = 0;
            try {
                copied = session_.copyIn(
                    "COPY " + t.info.qualified + " (" + columnList(g.columns, fill) +
                        ") FROM STDIN",
                    [&](std::string& chunk) {
                        db::throwIfInterrupted(("loading seed " + file_.name).c_str());
                        while (next < g.count && chunk.size() < (1u << 20)) {
                            render(next++, cells);
                            appendCopyLine(chunk, cells, fill.size());
                        }
                        return next < g.count;
                    });
            } catch (db::SqlError& e) {
                Error error = rowError(t, e, {file_.path.string(), g.line, g.column});
                if (auto line = copyLine(e)) {
                    error.withField("generated row", std::to_string(*line));
                }
                throw error;
            }
            counts_.back().inserted += copied;
            return;
        }
        for (int64_t i = 0; i < g.count; ++i) {
            if ((i & 1023) == 0) {
                db::throwIfInterrupted(("loading seed " + file_.name).c_str());
            }
            PendingRow row;
            row.where = {file_.path.string(), g.line, g.column};
            row.cells.resize(g.columns.size());
            render(i, row.cells);
            if (g.label) {
                row.label =
                    g.label->render(i, valueStream(randomSeed_, tableId, "_label", i), randomKey);
            }
            inserter.add(std::move(row));
        }
        inserter.flush();
    }

    void loadCsv(TablePlan& t) {
        TableCounts& counts = counts_.back();
        const fs::path csvPath = *t.csv;
        const std::string columns = columnList(t.csvColumns, {});
        const auto fill = timestampsToFill(t, t.csvColumns);
        const bool direct = t.onConflict == OnConflict::Error && fill.empty();
        std::ifstream in(csvPath, std::ios::binary);
        std::string buffer(1 << 20, '\0');
        auto produce = [&](std::string& chunk) {
            in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
            chunk.assign(buffer.data(), static_cast<size_t>(in.gcount()));
            return static_cast<bool>(in);
        };
        const std::string target = direct ? t.info.qualified : "dbtool_csv";
        if (!direct) {
            session_.runScript("CREATE TEMP TABLE dbtool_csv ON COMMIT DROP AS SELECT " + columns +
                               " FROM " + t.info.qualified + " WITH NO DATA");
        }
        int64_t copied = 0;
        try {
            copied = session_.copyIn("COPY " + target + " (" + columns +
                                         ") FROM STDIN (FORMAT csv, HEADER true, ENCODING 'UTF8')",
                                     produce);
        } catch (db::SqlError& e) {
            throw csvError(t, e);
        }
        const std::string pkList = keyList(t);
        if (direct) {
            counts.inserted += copied;
            recordCopiedKeys(t);  // the rows this transaction created there are the CSV's
        } else {
            std::string insertColumns = columns, selectList = columns;
            for (const auto& f : fill) {
                insertColumns += ", " + session_.quoteIdent(f);
                selectList += ", now()";
            }
            const std::string sql =
                "WITH ins AS (INSERT INTO " + t.info.qualified + " (" + insertColumns + ") " +
                overriding(t, t.csvColumns) + "SELECT " + selectList + " FROM dbtool_csv " +
                conflictClause(t, t.csvColumns) + " RETURNING " +
                (pkList.empty() ? std::string("NULL::jsonb")
                                : "jsonb_build_array(" + pkList + ")") +
                " AS k, (xmax::text = '0') AS inserted)" +
                (pkList.empty() ? std::string()
                                : ", rec AS (INSERT INTO " + seeds_.keys() +
                                      " (seed, table_name, keys) SELECT $1, $2, jsonb_agg(k) FROM "
                                      "(SELECT k, (row_number() OVER ()) / 10000 AS g FROM ins "
                                      "WHERE inserted) s GROUP BY g)") +
                " SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) "
                "FROM ins";
            std::vector<std::optional<std::string>> params;
            if (!pkList.empty())
                params = {file_.name, t.info.id()};
            try {
                auto r = session_.execParams(sql, params);
                counts.inserted += std::stoll(PQgetvalue(r.get(), 0, 0));
                counts.updated += std::stoll(PQgetvalue(r.get(), 0, 1));
                counts.skipped += copied - counts.inserted - counts.updated;
            } catch (db::SqlError& e) {
                throw rowError(t, e, {csvPath.string()});
            }
            session_.runScript("DROP TABLE dbtool_csv");
        }
    }

    // After a COPY straight into the table: the rows this transaction created there are
    // exactly the copied ones (a table entry is loaded by one path only; no savepoint is open
    // during a COPY), so their keys are recorded server-side, without a round trip per row.
    // A single integer key is stored as ranges of consecutive values ({"from": 1, "to":
    // 1000000} for a fresh serial table), any other key one by one; 10,000 to a tracking row.
    void recordCopiedKeys(const TablePlan& t) {
        const std::string pkList = keyList(t);
        if (pkList.empty()) {
            return;
        }
        const std::string mine =
            "FROM " + t.info.qualified + " WHERE xmin = pg_current_xact_id()::xid";
        std::string elements;
        if (integerKey(t.info)) {
            const std::string k = session_.quoteIdent(t.info.primaryKey[0]);
            // The usual case, fresh values of a sequence: one range, found without a sort.
            auto span =
                session_.execParams("SELECT min(" + k + "), max(" + k + "), count(*) " + mine);
            if (PQgetisnull(span.get(), 0, 0) != 0) {
                return;  // nothing copied
            }
            const int64_t lo = std::stoll(PQgetvalue(span.get(), 0, 0));
            const int64_t hi = std::stoll(PQgetvalue(span.get(), 0, 1));
            if (hi - lo + 1 == std::stoll(PQgetvalue(span.get(), 0, 2))) {
                session_.execParams(
                    "INSERT INTO " + seeds_.keys() +
                        " (seed, table_name, keys) VALUES ($1, $2, jsonb_build_array("
                        "jsonb_build_object('from', $3::bigint, 'to', $4::bigint)))",
                    {file_.name, t.info.id(), std::to_string(lo), std::to_string(hi)});
                return;
            }
            elements =
                "SELECT jsonb_build_object('from', min(k), 'to', max(k)) AS e FROM (SELECT " + k +
                " AS k, " + k + " - row_number() OVER (ORDER BY " + k + ") AS island " + mine +
                ") s GROUP BY island";
        } else {
            elements = "SELECT jsonb_build_array(" + pkList + ") AS e " + mine;
        }
        session_.execParams("INSERT INTO " + seeds_.keys() +
                                " (seed, table_name, keys) SELECT $1, $2, jsonb_agg(e) FROM "
                                "(SELECT e, (row_number() OVER ()) / 10000 AS g FROM (" +
                                elements + ") r) s GROUP BY g",
                            {file_.name, t.info.id()});
    }

    // One row in COPY's text format: the cells, then `fill` copies of now() (timestamps).
    void appendCopyLine(std::string& out, const std::vector<Cell>& cells, size_t fill) const {
        for (size_t c = 0; c < cells.size(); ++c) {
            if (c != 0) {
                out += '\t';
            }
            appendCopyField(out, cells[c]);
        }
        for (size_t f = 0; f < fill; ++f) {
            out += '\t';
            out += now_;
        }
        out += '\n';
    }

    // The line of COPY's data a server error names ("COPY t, line N[, column c]"), if any.
    static std::optional<int64_t> copyLine(const db::SqlError& e) {
        static const std::regex lineRe(R"(line ([0-9]+))");
        std::smatch m;
        const std::string context = e.server().context;
        if (!std::regex_search(context, m, lineRe)) {
            return std::nullopt;
        }
        return std::stoll(m[1]);
    }

    // COPY text format: \N is NULL; backslash, tab, newline and carriage return escaped.
    static void appendCopyField(std::string& out, const Cell& cell) {
        if (cell.kind != Cell::Kind::Value) {
            out += "\\N";
            return;
        }
        if (cell.text.find_first_of("\\\t\n\r") == std::string::npos) {
            out += cell.text;  // nothing to escape: the usual value
            return;
        }
        for (char c : cell.text) {
            switch (c) {
                case '\\':
                    out += "\\\\";
                    break;
                case '\t':
                    out += "\\t";
                    break;
                case '\n':
                    out += "\\n";
                    break;
                case '\r':
                    out += "\\r";
                    break;
                default:
                    out += c;
            }
        }
    }

    Error csvError(const TablePlan& t, const db::SqlError& e) {
        // COPY's line is the CSV file's line (the header is line 1).
        SourceLocation where{t.csv->string()};
        if (auto line = copyLine(e)) {
            where.line = static_cast<int>(*line);
        }
        Error error(e.code(), "seed " + file_.name + ": CSV for " + t.info.id() + ": " + e.what(),
                    where,
                    e.hint().empty() ? "fix the CSV row (RFC 4180: a header row, quoted fields "
                                       "with \"\", an empty unquoted field is NULL)"
                                     : e.hint());
        for (const auto& [name, value] : e.fields())
            error.withField(name, value);
        return error;
    }

    void resetSequences(const TablePlan& t) {
        // Explicit ids leave the column's sequence behind; move it past the largest id so the
        // application's next insert does not collide. Never move it backwards.
        std::set<std::string> given(t.columns.begin(), t.columns.end());
        given.insert(t.csvColumns.begin(), t.csvColumns.end());
        if (t.generate)
            given.insert(t.generate->columns.begin(), t.generate->columns.end());
        for (const auto& c : t.info.columns) {
            if (c.sequence.empty() || given.count(c.name) == 0)
                continue;
            const std::string col = session_.quoteIdent(c.name);
            session_.execParams(
                "SELECT setval($1::regclass, m) FROM (SELECT max(" + col + ")::bigint AS m FROM " +
                    t.info.qualified + ") s, (SELECT last_value, is_called FROM " + c.sequence +
                    ") q WHERE m IS NOT NULL AND m > CASE WHEN q.is_called THEN q.last_value "
                    "ELSE q.last_value - 1 END",
                {c.sequence});
        }
    }

  public:
    std::string keyList(const TablePlan& t) {
        std::string out;
        for (const auto& k : t.info.primaryKey) {
            out += (out.empty() ? "" : ", ") + session_.quoteIdent(k) + "::text";
        }
        return out;
    }

    std::string overriding(const TablePlan& t, const std::vector<std::string>& columns) {
        for (const auto& c : columns) {
            const db::ColumnInfo* info = t.info.column(c);
            if (info != nullptr && info->identity == 'a')
                return "OVERRIDING SYSTEM VALUE ";
        }
        return "";
    }

    std::string conflictClause(const TablePlan& t, const std::vector<std::string>& columns) {
        if (t.onConflict == OnConflict::Error)
            return "";
        std::string target;
        for (const auto& k : t.key)
            target += (target.empty() ? "" : ", ") + session_.quoteIdent(k);
        if (t.onConflict == OnConflict::Skip)
            return " ON CONFLICT (" + target + ") DO NOTHING";
        std::string set;
        for (const auto& c : columns) {
            if (std::find(t.key.begin(), t.key.end(), c) != t.key.end())
                continue;
            const std::string q = session_.quoteIdent(c);
            set += (set.empty() ? "" : ", ") + q + " = EXCLUDED." + q;
        }
        if (set.empty()) {
            const std::string q = session_.quoteIdent(t.key[0]);
            set = q + " = EXCLUDED." + q;
        }
        return " ON CONFLICT (" + target + ") DO UPDATE SET " + set;
    }

    Error rowError(const TablePlan& t, const db::SqlError& e, const SourceLocation& where) {
        Error error(e.code(), "seed " + file_.name + ": table " + t.info.id() + ": " + e.what(),
                    where, e.hint());
        for (const auto& [name, value] : e.fields())
            error.withField(name, value);
        return error;
    }

  private:
    db::Session& session_;
    db::SeedTable& seeds_;
    SeedPlan& plan_;
    const SeedFile& file_;
    uint64_t randomSeed_;
    std::string now_;
    size_t tableIndex_ = static_cast<size_t>(-1);
    bool active_ = false;
    std::unique_ptr<db::CopyIn> copy_;  // the current table entry's plain rows, when copied
    std::string copyBuffer_;
    std::vector<Cell> copyCells_;
    size_t copyFill_ = 0;
    std::set<size_t> only_;
    std::unique_ptr<BatchInserter> inserter_;
    std::vector<TableCounts> counts_;
    std::map<std::pair<std::string, std::string>, std::string> labels_;
    std::unique_ptr<db::Catalog> catalog_;
    std::map<std::string, std::vector<std::string>> randomKeys_;
};

BatchInserter::BatchInserter(SeedLoader& loader, TablePlan& plan, std::vector<std::string> columns,
                             std::vector<std::string> fillNow, TableCounts& counts)
    : loader_(loader),
      plan_(plan),
      columns_(std::move(columns)),
      fillNow_(std::move(fillNow)),
      counts_(counts) {
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
    db::Session& s = loader_.session();
    std::string columnList;
    for (const auto& c : columns_)
        columnList += (columnList.empty() ? "" : ", ") + s.quoteIdent(c);
    for (const auto& c : fillNow_)
        columnList += (columnList.empty() ? "" : ", ") + s.quoteIdent(c);
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
    const std::string pkList = loader_.keyList(plan_);
    std::string sql =
        "WITH ins AS (INSERT INTO " + plan_.info.qualified +
        (columnList.empty() ? std::string(" ") : " (" + columnList + ") ") +
        loader_.overriding(plan_, columns_) +
        (columnList.empty() ? "DEFAULT VALUES" : "VALUES " + values) +
        loader_.conflictClause(plan_, columns_) + " RETURNING " +
        (pkList.empty() ? std::string("NULL::jsonb") : "jsonb_build_array(" + pkList + ")") +
        " AS k, (xmax::text = '0') AS inserted)";
    if (!pkList.empty()) {
        sql += ", rec AS (INSERT INTO " + loader_.seeds().keys() +
               " (seed, table_name, keys) SELECT $" + std::to_string(paramCount + 1) + ", $" +
               std::to_string(paramCount + 2) +
               ", jsonb_agg(k) FROM ins WHERE inserted HAVING count(*) > 0)";
    }
    sql += " SELECT k::text, inserted FROM ins";
    return sql;
}

void BatchInserter::flush() {
    if (rows_.empty())
        return;
    std::vector<PendingRow> rows = std::move(rows_);
    rows_.clear();
    pendingLabels_.clear();
    db::Session& s = loader_.session();
    // A savepoint per batch lets a failure be retried row by row to find the offending row.
    s.runScript("SAVEPOINT dbtool_batch");
    try {
        execute(rows, false);
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
                execute(one, true);
            } catch (db::SqlError& e) {
                throw loader_.rowError(plan_, e, row.where);
            }
        }
        throw loader_.rowError(plan_, batchError, rows.front().where);
    }
    s.runScript("RELEASE SAVEPOINT dbtool_batch");
}

void BatchInserter::execute(const std::vector<PendingRow>& rows, bool /*locate*/) {
    db::Session& s = loader_.session();
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
            params.emplace_back(loader_.now());
    }
    if (!loader_.keyList(plan_).empty()) {
        params.emplace_back(loader_.file().name);
        params.emplace_back(plan_.info.id());
    }
    auto r = s.execPrepared(sql, params);
    const int returned = PQntuples(r.get());
    for (int i = 0; i < returned; ++i) {
        (PQgetvalue(r.get(), i, 1)[0] == 't' ? counts_.inserted : counts_.updated)++;
    }
    counts_.skipped += static_cast<int64_t>(rows.size()) - returned;
    // Labels: RETURNING follows the VALUES order unless rows were skipped.
    const bool aligned = static_cast<size_t>(returned) == rows.size();
    for (size_t i = 0; i < rows.size(); ++i) {
        if (rows[i].label.empty())
            continue;
        std::string keyText;
        if (aligned) {
            keyText = nlohmann::json::parse(PQgetvalue(r.get(), static_cast<int>(i), 0))
                          .at(0)
                          .get<std::string>();
        } else {
            // A skipped row keeps its existing key: look it up by the conflict key.
            std::string where;
            std::vector<std::optional<std::string>> keyParams;
            for (const auto& k : plan_.key) {
                const size_t c = static_cast<size_t>(
                    std::find(columns_.begin(), columns_.end(), k) - columns_.begin());
                if (c >= rows[i].cells.size() || rows[i].cells[c].kind != Cell::Kind::Value) {
                    throw Error(ExitCode::InvalidInput,
                                "labelled row needs a value for key column '" + k + "'",
                                rows[i].where);
                }
                where += (where.empty() ? "" : " AND ") + s.quoteIdent(k) + " = $" +
                         std::to_string(keyParams.size() + 1);
                keyParams.emplace_back(rows[i].cells[c].text);
            }
            auto found = s.execParams("SELECT " + s.quoteIdent(plan_.info.primaryKey[0]) +
                                          "::text FROM " + plan_.info.qualified + " WHERE " + where,
                                      keyParams);
            keyText = PQgetvalue(found.get(), 0, 0);
        }
        loader_.labelled(plan_, rows[i].label, keyText);
    }
}

// ---------------------------------------------------------------------------------------------

std::string countsJson(const std::vector<TableCounts>& counts, const SeedPlan& plan) {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& c : counts) {
        bool undoable = true;
        for (const auto& t : plan.tables) {
            if (t.info.id() == c.table && t.info.primaryKey.empty())
                undoable = false;
        }
        j[c.table] = {{"inserted", c.inserted},
                      {"updated", c.updated},
                      {"skipped", c.skipped},
                      {"undoable", undoable}};
    }
    return j.dump();
}

std::string checksumOf(const SeedFile& file, const std::vector<fs::path>& csvFiles) {
    Sha256 sha;
    sha.updateFile(file.path);
    for (const auto& csv : csvFiles) {
        sha.update(std::string("\0csv:", 5) + csv.filename().string() + '\0');
        sha.updateFile(csv);
    }
    return sha.hex();
}

// The first pass over a seed file. With a catalog it validates tables, columns, options and
// references (labels from earlier seeds through `seeds`); without one it only reads the
// structure (for checksums).
// `planned` holds labels of seeds planned earlier in a dry run (not in the database yet);
// planning adds this file's labels to it. A table with generated labels ("table.*") has its
// references checked when the rows are generated.
using LabelSet = std::set<std::pair<std::string, std::string>>;
SeedPlan planSeed(const SeedFile& file, db::Catalog* catalog, db::SeedTable* seeds,
                  LabelSet* planned = nullptr) {
    PlanVisitor visitor(file, catalog);
    streamSeedFile(file.path, visitor);
    SeedPlan plan = visitor.finish();
    if (planned != nullptr) {
        for (const auto& t : plan.tables) {
            for (const auto& l : t.labels)
                planned->insert({t.info.id(), l});
            if (t.generate && t.generate->label)
                planned->insert({t.info.id(), "*"});
        }
    }
    if (catalog != nullptr) {
        for (const auto& entry : visitor.externalRefs()) {
            const auto& target = entry.first;
            const auto& ref = entry.second;
            const SourceLocation& where = ref.where;
            // A label of another table in this file: that table loads first (FK order).
            auto inFile = visitor.fileLabels().find(target.first);
            if (target.first != ref.fromTable && inFile != visitor.fileLabels().end() &&
                inFile->second.count(target.second) != 0) {
                continue;
            }
            const bool generated =
                std::any_of(plan.tables.begin(), plan.tables.end(), [&](const auto& t) {
                    return t.info.id() == target.first && t.generate && t.generate->label;
                });
            const bool inPlan = planned != nullptr && (planned->count(target) != 0 ||
                                                       planned->count({target.first, "*"}) != 0);
            const bool known = generated || inPlan ||
                               (seeds != nullptr && seeds->exists() &&
                                seeds->labelKey(target.first, target.second).has_value());
            if (!known) {
                std::vector<std::string> candidates;
                if (auto it = visitor.fileLabels().find(target.first);
                    it != visitor.fileLabels().end()) {
                    candidates.assign(it->second.begin(), it->second.end());
                }
                throw Error(ExitCode::InvalidInput,
                            "!ref: no row labelled '" + target.second + "' in " + target.first +
                                didYouMean(target.second, candidates),
                            where,
                            "label the row (_label: " + target.second +
                                ") before the reference, in this file or an earlier seed");
            }
        }
    }
    return plan;
}

}  // namespace

// ---------------------------------------------------------------------------------------------

Seeder::Seeder(db::Session& session, std::vector<SeedFile> files, const std::string& trackingSchema,
               std::string environment, SeedObserver& observer)
    : session_(session),
      files_(std::move(files)),
      schema_(db::resolveTrackingSchema(session, trackingSchema)),
      environment_(std::move(environment)),
      observer_(observer) {}

std::vector<SeedStatus> Seeder::status() {
    db::SeedTable table(session_, schema_);
    std::map<std::string, db::AppliedSeed> applied;
    for (auto& a : table.read())
        applied[a.name] = a;
    std::vector<SeedStatus> out;
    for (const auto& f : files_) {
        SeedStatus s;
        s.name = f.name;
        s.file = &f;
        if (auto it = applied.find(f.name); it != applied.end()) {
            s.applied = it->second;
            const SeedPlan plan = planSeed(f, nullptr, nullptr);
            s.state = checksumOf(f, plan.csvFiles) == it->second.checksum ? SeedState::Applied
                                                                          : SeedState::Changed;
            applied.erase(it);
        }
        out.push_back(std::move(s));
    }
    for (auto& [name, a] : applied) {
        if (!a.environment.empty() && a.environment != environment_)
            continue;  // another env's
        SeedStatus s;
        s.name = name;
        s.state = SeedState::Missing;
        s.applied = a;
        out.push_back(std::move(s));
    }
    return out;
}

namespace {

// Deletes exactly the rows a seed inserted, newest table first, and unrecords it.
SeedOutcome undoSeed(db::Session& session, db::SeedTable& table, const db::AppliedSeed& seed) {
    SeedOutcome outcome;
    outcome.name = seed.name;
    outcome.action = SeedOutcome::Action::Undone;
    const auto counts =
        nlohmann::json::parse(seed.rowCountsJson.empty() ? "{}" : seed.rowCountsJson);
    for (const auto& [tableId, c] : counts.items()) {
        if (c.contains("undoable") && !c["undoable"].get<bool>() && c.value("inserted", 0) > 0) {
            throw Error(ExitCode::Check,
                        "cannot undo seed " + seed.name + ": table " + tableId +
                            " has no primary key, so the rows it inserted cannot be told apart",
                        {},
                        "delete them by hand, then unrecord the seed: DELETE FROM schema_seeds "
                        "WHERE name = '" +
                            seed.name + "'");
        }
        outcome.notRestored += c.value("updated", 0);
    }
    db::Catalog catalog(session);
    auto tables = table.tablesOf(seed.name);
    std::reverse(tables.begin(), tables.end());
    for (const auto& tableId : tables) {
        auto info = catalog.find(tableId);
        if (!info || info->primaryKey.empty()) {
            throw Error(ExitCode::Check,
                        "cannot undo seed " + seed.name + ": table " + tableId +
                            (info ? " has no primary key any more" : " no longer exists"));
        }
        std::string columns, values;
        for (size_t i = 0; i < info->primaryKey.size(); ++i) {
            const db::ColumnInfo* c = info->column(info->primaryKey[i]);
            columns += (i ? ", " : "") + session.quoteIdent(c->name);
            values +=
                (i ? ", " : "") + std::string("(e ->> ") + std::to_string(i) + ")::" + c->type;
        }
        try {
            // The planner must know the table holds at least the rows to delete. A load that
            // failed or was killed leaves pages of dead rows behind, and an ANALYZE of those
            // (autovacuum's) records about zero rows in many pages; with that estimate a
            // DELETE ... IN (keys) becomes a nested loop over every row of the table for every
            // key (over 5 minutes for 15,000 keys in 75,000 rows). So such a table is analyzed
            // first, when it is ours to analyze.
            const int64_t inserted =
                counts.value(tableId, nlohmann::json::object()).value("inserted", int64_t{0});
            auto stale = session.execParams(
                "SELECT reltuples < $2::float8 AND pg_has_role(relowner, 'USAGE') FROM pg_class "
                "WHERE oid = $1::regclass",
                {info->qualified, std::to_string(inserted)});
            if (PQntuples(stale.get()) == 1 && PQgetvalue(stale.get(), 0, 0)[0] == 't') {
                session.runScript("ANALYZE " + info->qualified);
            }
            // Keys recorded one by one ([k1, k2]), then ranges of an integer key.
            auto r = session.execParams("DELETE FROM " + info->qualified + " WHERE (" + columns +
                                            ") IN (SELECT " + values + " FROM " + table.keys() +
                                            " k, jsonb_array_elements(k.keys) e WHERE k.seed = $1 "
                                            "AND k.table_name = $2 AND jsonb_typeof(e) = 'array')",
                                        {seed.name, tableId});
            int64_t deleted = std::stoll(PQcmdTuples(r.get()));
            if (integerKey(*info)) {
                const std::string k = session.quoteIdent(info->primaryKey[0]);
                auto ranges = session.execParams(
                    "DELETE FROM " + info->qualified +
                        " t USING (SELECT (e ->> 'from')::bigint "
                        "AS lo, (e ->> 'to')::bigint AS hi FROM " +
                        table.keys() +
                        " k, jsonb_array_elements(k.keys) e WHERE k.seed = $1 AND k.table_name "
                        "= $2 AND jsonb_typeof(e) = 'object') r WHERE t." +
                        k + " BETWEEN r.lo AND r.hi",
                    {seed.name, tableId});
                deleted += std::stoll(PQcmdTuples(ranges.get()));
            }
            outcome.deleted += deleted;
            outcome.tables.push_back({tableId, -deleted, 0, 0, -1});
        } catch (db::SqlError& e) {
            Error error(
                e.code(), "cannot undo seed " + seed.name + ": " + e.what(), {},
                e.server().sqlstate == "23503"
                    ? "rows added since (by the application or a later seed) still refer "
                      "to rows of this seed; undo the later seed first, or delete those rows"
                    : e.hint());
            for (const auto& [name, value] : e.fields())
                error.withField(name, value);
            throw error;
        }
    }
    table.forget(seed.name);
    return outcome;
}

bool matches(const SeedFile& f, const std::string& wanted) {
    if (f.name == wanted)
        return true;
    const std::string stem = f.path.stem().string();
    if (stem == wanted)
        return true;
    const size_t underscore = stem.find('_');
    return underscore != std::string::npos && stem.substr(underscore + 1) == wanted;
}

}  // namespace

std::vector<SeedOutcome> Seeder::run(const SeedRunOptions& options) {
    for (const auto& wanted : options.names) {
        if (std::none_of(files_.begin(), files_.end(),
                         [&](const auto& f) { return matches(f, wanted); })) {
            // Suggest among full names and names without their order prefix.
            std::vector<std::string> names;
            std::map<std::string, std::string> fullName;
            for (const auto& f : files_) {
                names.push_back(f.name);
                fullName[f.name] = f.name;
                const std::string stem = f.path.stem().string();
                const std::string shortName = stem.substr(stem.find('_') + 1);
                names.push_back(shortName);
                fullName[shortName] = f.name;
            }
            const std::string best = closestMatch(wanted, names);
            throw Error(ExitCode::Usage,
                        "no seed named '" + wanted + "'" +
                            (best.empty() ? "" : ", did you mean '" + fullName[best] + "'?"),
                        {}, "`dbtool seed status` lists the seeds");
        }
    }
    std::vector<SeedOutcome> outcomes;
    std::unique_ptr<db::AdvisoryLock> lock;
    db::SeedTable table(session_, schema_);
    if (!options.dryRun) {
        lock = std::make_unique<db::AdvisoryLock>(
            session_, schema_,
            [this](const std::string& holder) { observer_.waitingForLock(holder); });
    }
    std::map<std::string, db::AppliedSeed> applied;
    for (auto& a : table.read())
        applied[a.name] = a;
    LabelSet plannedLabels;  // dry run: labels the seeds before would define

    for (const auto& file : files_) {
        const bool named = std::any_of(options.names.begin(), options.names.end(),
                                       [&](const auto& w) { return matches(file, w); });
        if (!options.names.empty() && !named)
            continue;
        db::throwIfInterrupted(("before seed " + file.name).c_str());
        const auto start = Clock::now();
        const auto previous = applied.find(file.name);
        db::Catalog catalog(session_);

        if (options.dryRun) {
            SeedPlan plan = planSeed(file, &catalog, &table, &plannedLabels);
            SeedOutcome o;
            o.name = file.name;
            o.action = SeedOutcome::Action::Planned;
            if (previous != applied.end() &&
                checksumOf(file, plan.csvFiles) == previous->second.checksum && !named) {
                o.action = SeedOutcome::Action::AlreadyApplied;
            }
            for (size_t i : plan.loadOrder) {
                const auto& t = plan.tables[i];
                o.tables.push_back(
                    {t.info.id(), 0, 0, 0,
                     t.csv ? -1 : t.inlineRows + (t.generate ? t.generate->count : 0)});
            }
            observer_.done(o);
            outcomes.push_back(o);
            continue;
        }

        // Plan first (validates everything against the catalog); then load in a transaction.
        pqxx::work tx(session_.conn());
        table.ensure();  // in the seed's transaction: a failed first seed leaves no tables
        SeedPlan plan = planSeed(file, &catalog, &table);
        const std::string checksum = checksumOf(file, plan.csvFiles);
        SeedOutcome outcome;
        outcome.name = file.name;
        if (previous != applied.end()) {
            const bool changed = previous->second.checksum != checksum;
            if (!options.force || (!changed && !named)) {
                outcome.action = changed ? SeedOutcome::Action::ChangedNotRerun
                                         : SeedOutcome::Action::AlreadyApplied;
                observer_.done(outcome);
                outcomes.push_back(outcome);
                continue;
            }
            const SeedOutcome undone = undoSeed(session_, table, previous->second);
            outcome.action = SeedOutcome::Action::Rerun;
            outcome.deleted = undone.deleted;
            outcome.notRestored = undone.notRestored;
        }
        try {
            SeedLoader loader(session_, table, plan, file, options.randomSeed);
            if (!plan.reordered) {
                streamSeedFile(file.path, loader);
            } else {
                // Tables load in foreign-key order: one streaming pass per table.
                for (size_t i : plan.loadOrder) {
                    loader.restrictTo({i});
                    loader.resetTableIndex();
                    streamSeedFile(file.path, loader);
                }
            }
            outcome.tables = loader.counts();
            db::AppliedSeed record;
            record.name = file.name;
            record.checksum = checksum;
            record.environment = file.environment;
            for (const auto& c : outcome.tables) {
                record.rowsInserted += c.inserted;
                record.rowsUpdated += c.updated;
            }
            record.rowCountsJson = countsJson(outcome.tables, plan);
            record.executionMs =
                std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
            table.record(record, static_cast<int64_t>(options.randomSeed));
            tx.commit();
            outcome.ms = record.executionMs;
        } catch (Error& e) {
            std::string done;
            for (const auto& o : outcomes) {
                if (o.action == SeedOutcome::Action::Ran ||
                    o.action == SeedOutcome::Action::Rerun) {
                    done += (done.empty() ? "" : ", ") + o.name;
                }
            }
            e.withField("seed", file.name)
                .withField("applied in this run", done.empty() ? "none" : done)
                .withField("outcome",
                           "seed " + file.name + " was rolled back: none of its rows remain");
            throw;
        } catch (const std::exception&) {
            db::rethrowPqxx("seed " + file.name);
        }
        observer_.done(outcome);
        outcomes.push_back(outcome);
    }
    return outcomes;
}

std::vector<SeedOutcome> Seeder::undo(const std::optional<std::string>& name, bool all) {
    db::AdvisoryLock lock(session_, schema_,
                          [this](const std::string& holder) { observer_.waitingForLock(holder); });
    db::SeedTable table(session_, schema_);
    std::vector<db::AppliedSeed> applied = table.read();
    // Newest first: the order the seeds ran in, reversed.
    std::map<std::string, size_t> position;
    for (size_t i = 0; i < files_.size(); ++i)
        position[files_[i].name] = i;
    std::sort(applied.begin(), applied.end(), [&](const auto& a, const auto& b) {
        const size_t pa = position.count(a.name) ? position[a.name] : 0;
        const size_t pb = position.count(b.name) ? position[b.name] : 0;
        return pa != pb ? pa > pb : a.appliedAt > b.appliedAt;
    });
    std::vector<db::AppliedSeed> chosen;
    if (name) {
        for (const auto& a : applied) {
            SeedFile probe;
            probe.name = a.name;
            probe.path = a.name + ".yaml";
            if (matches(probe, *name))
                chosen.push_back(a);
        }
        if (chosen.empty()) {
            throw Error(ExitCode::Check, "seed '" + *name + "' is not applied", {},
                        "`dbtool seed status` lists the applied seeds");
        }
    } else if (all) {
        chosen = applied;
    } else if (!applied.empty()) {
        chosen.push_back(applied.front());
    }
    std::vector<SeedOutcome> outcomes;
    for (const auto& seed : chosen) {
        db::throwIfInterrupted(("before undoing seed " + seed.name).c_str());
        const auto start = Clock::now();
        pqxx::work tx(session_.conn());
        SeedOutcome o = undoSeed(session_, table, seed);
        tx.commit();
        o.ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
        observer_.done(o);
        outcomes.push_back(o);
    }
    return outcomes;
}

void checkSeedFileOffline(const std::filesystem::path& path) {
    SeedFile file;
    file.name = path.stem().string();
    file.path = path;
    planSeed(file, nullptr, nullptr);
}

}  // namespace dbtool
