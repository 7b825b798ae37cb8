#include "seed/plan.hpp"

#include <algorithm>
#include <map>
#include <regex>

#include "base/errors.hpp"
#include "seed/csv.hpp"
#include "seed/row_syntax.hpp"

namespace dbtool {

namespace fs = std::filesystem;

// Reads a seed file once, checking everything that can be checked before loading.
class SeedPlanner::Impl : public SeedStreamVisitor {
  public:
    Impl(const SeedFile& file, db::TableLookup* tables) : file_(file), tables_(tables) {}

    void beginTable(const std::string& name, int line, int column, bool) override {
        for (const auto& t : plan_.tables) {
            if (t.written == name) {
                seedInputError(path(), line, column,
                               "table '" + name + "' appears twice in this file");
            }
        }
        TablePlan t;
        t.written = name;
        t.line = line;
        t.column = column;
        t.fileIndex = plan_.tables.size();
        if (tables_ != nullptr) {
            auto info = tables_->find(name);
            if (!info) {
                seedInputError(
                    path(), line, column,
                    "unknown table '" + name + "'" + didYouMean(name, tables_->visibleTables()),
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
                        seedInputError(path(), item.line, item.column, "key lists column names");
                    }
                    t.key.push_back(item.text);
                }
            } else {
                seedInputError(path(), value.line, value.column,
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
                seedInputError(path(), value.line, value.column,
                               "on_conflict is error, skip or update, not '" + value.text + "'");
            }
        } else if (key == "generate") {
            t.generate = compileGenerate(t, value);
        } else if (key == "csv") {
            if (!value.isScalar() || value.text.empty()) {
                seedInputError(path(), value.line, value.column,
                               "csv names a CSV file beside the seed");
            }
            t.csv = file_.path.parent_path() / value.text;
            t.csvLine = value.line;
            plan_.csvFiles.push_back(*t.csv);
            if (!fs::exists(*t.csv)) {
                seedInputError(path(), value.line, value.column,
                               "CSV file " + t.csv->string() + " does not exist",
                               "paths are relative to the seed file");
            }
            if (tables_ != nullptr) {
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
            seedInputError(path(), line, column,
                           "unknown option '" + key + "' of table '" + t.written + "'" +
                               didYouMean(key, options),
                           "a table takes rows, key, on_conflict, generate and csv");
        }
    }

    void beginRows(int, int, bool) override {}

    void row(YamlValue&& row, const std::string& mappingLabel) override {
        checkRow(row, mappingLabel);
    }

    std::string checkRow(YamlValue& row, const std::string& mappingLabel) {
        TablePlan& t = current();
        std::string label = normalizeRow(row, path());
        if (!mappingLabel.empty()) {
            if (mappingLabel.find('.') != std::string::npos) {
                seedInputError(path(), row.line, row.column, "a row label may not contain dots");
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
                seedInputError(path(), row.line, row.column,
                               "label '" + label + "' is used twice in table '" + t.written + "'");
            }
            if (tables_ != nullptr && t.info.primaryKey.empty()) {
                seedInputError(
                    path(), row.line, row.column,
                    "table " + t.info.id() + " has no primary key, so its rows cannot be labelled");
            }
        }
        return label;
    }

    void endTable() override {
        TablePlan& t = current();
        if (t.csv && (t.inlineRows > 0 || t.generate)) {
            seedInputError(path(), t.csvLine, 1,
                           "table '" + t.written + "' has csv: together with rows or generate",
                           "load the CSV in a table entry of its own (another seed file)");
        }
        if (tables_ == nullptr) {
            return;
        }
        if (t.onConflict != OnConflict::Error) {
            if (t.key.empty()) {
                t.key = t.info.primaryKey;
            }
            const std::set<std::string> wanted(t.key.begin(), t.key.end());
            if (wanted.empty() || std::find(t.info.uniqueKeys.begin(), t.info.uniqueKeys.end(),
                                            wanted) == t.info.uniqueKeys.end()) {
                seedInputError(
                    path(), t.line, t.column,
                    "on_conflict needs a key with a unique index on table " + t.info.id(),
                    "name the natural-key columns with key: (they need a unique "
                    "constraint or index)");
            }
        }
        for (const auto& referenced : t.info.referencedTables) {
            t.dependsOn.insert(referenced);
        }
    }

    const SeedPlan& plan() const { return plan_; }

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
        if (tables_ == nullptr) {
            return;
        }
        const db::ColumnInfo* c = t.info.column(column);
        if (c == nullptr) {
            seedInputError(
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
            seedInputError(path(), line, col,
                           "column '" + column + "' is generated; it cannot be set");
        }
    }

    void checkValue(TablePlan& t, const std::string& column, const YamlValue& v) {
        checkTag(v, path());
        if (isRef(v)) {
            noteRef(t, v);
            return;
        }
        if (tables_ != nullptr &&
            (v.kind == YamlValue::Kind::Sequence || v.kind == YamlValue::Kind::Mapping)) {
            const db::ColumnInfo* c = t.info.column(column);
            const bool fits = c->isJson || (v.kind == YamlValue::Kind::Sequence && c->isArray);
            if (!fits) {
                seedInputError(path(), v.line, v.column,
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
        if (tables_ == nullptr) {
            return;
        }
        auto info = tables_->find(target.table);
        if (!info) {
            seedInputError(path(), v.line, v.column,
                           "!ref " + v.text + ": unknown table '" + target.table + "'" +
                               didYouMean(target.table, tables_->visibleTables()));
        }
        if (info->primaryKey.size() != 1) {
            seedInputError(path(), v.line, v.column,
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
            seedInputError(path(), v.line, v.column,
                           "generate is a mapping: {count: N, row: {...}}");
        }
        GenerateSpec g;
        g.line = v.line;
        g.column = v.column;
        const YamlValue* count = v.find("count");
        const YamlValue* row = v.find("row");
        static const std::regex digits("^[0-9]{1,12}$");
        if (count == nullptr || !count->isScalar() || !std::regex_match(count->text, digits)) {
            seedInputError(path(), count ? count->line : v.line, count ? count->column : v.column,
                           "generate needs count: a whole number of rows");
        }
        g.count = std::stoll(count->text);
        if (row == nullptr || row->kind != YamlValue::Kind::Mapping) {
            seedInputError(path(), row ? row->line : v.line, row ? row->column : v.column,
                           "generate needs row: a mapping of column: template");
        }
        for (size_t i = 0; i < v.fields.size(); ++i) {
            const auto& k = v.fields[i].first;
            if (k != "count" && k != "row" && k != "label") {
                seedInputError(path(), v.keyPositions[i].first, v.keyPositions[i].second,
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
                    if (tables_ == nullptr)
                        continue;
                    auto info = tables_->find(ref);
                    if (!info) {
                        seedInputError(path(), value.line, value.column,
                                       "{{ref " + ref + "}}: unknown table" +
                                           didYouMean(ref, tables_->visibleTables()));
                    }
                    if (info->primaryKey.size() != 1) {
                        seedInputError(path(), value.line, value.column,
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

    void computeLoadOrder() {
        std::string cycle;
        plan_.loadOrder = loadOrder(plan_.tables, cycle);
        if (!cycle.empty()) {
            plan_.warnings.push_back(path() + ": tables " + cycle +
                                     " reference each other; loading them in file order");
        }
        for (size_t i = 0; i < plan_.loadOrder.size(); ++i) {
            if (plan_.loadOrder[i] != i)
                plan_.reordered = true;
        }
        for (const auto& t : plan_.tables) {
            for (const auto& l : t.labels)
                fileLabels_[t.info.id()].insert(l);
        }
    }

    const SeedFile& file_;
    db::TableLookup* tables_;  // null: structure only
    SeedPlan plan_;
    mutable std::string pathString_;
    std::map<std::pair<std::string, std::string>, ExternalRef> externalRefs_;
    std::map<std::string, std::set<std::string>> fileLabels_;
};

std::vector<size_t> loadOrder(const std::vector<TablePlan>& tables, std::string& cycle) {
    const size_t n = tables.size();
    std::vector<size_t> order;
    std::vector<bool> done(n, false);
    while (order.size() < n) {
        bool progressed = false;
        for (size_t i = 0; i < n; ++i) {
            if (done[i])
                continue;
            bool ready = true;
            for (size_t j = 0; j < n && ready; ++j) {
                if (!done[j] && j != i && tables[i].dependsOn.count(tables[j].info.id()) != 0) {
                    ready = false;
                }
            }
            if (ready) {
                done[i] = true;
                order.push_back(i);
                progressed = true;
                break;
            }
        }
        if (!progressed) {
            // A cycle: keep the file order for what remains.
            for (size_t i = 0; i < n; ++i) {
                if (!done[i]) {
                    cycle += (cycle.empty() ? "" : ", ") + tables[i].written;
                    done[i] = true;
                    order.push_back(i);
                }
            }
        }
    }
    return order;
}

SeedPlanner::SeedPlanner(const SeedFile& file, db::TableLookup* tables)
    : impl_(std::make_unique<Impl>(file, tables)), tables_(tables) {}

SeedPlanner::~SeedPlanner() = default;

void SeedPlanner::beginTable(const std::string& name, int line, int column, bool longForm) {
    impl_->beginTable(name, line, column, longForm);
}

void SeedPlanner::option(const std::string& key, const YamlValue& value, int line, int column) {
    impl_->option(key, value, line, column);
}

void SeedPlanner::beginRows(int line, int column, bool labelled) {
    impl_->beginRows(line, column, labelled);
}

void SeedPlanner::row(YamlValue&& row, const std::string& label) {
    impl_->checkRow(row, label);
}

std::string SeedPlanner::checkRow(YamlValue& row, const std::string& label) {
    return impl_->checkRow(row, label);
}

void SeedPlanner::endTable() {
    impl_->endTable();
}

const SeedPlan& SeedPlanner::plan() const {
    return impl_->plan();
}

SeedPlan SeedPlanner::finish(const KnownLabel& knownLabel) {
    Impl& visitor = *impl_;
    SeedPlan plan = visitor.finish();
    if (tables_ != nullptr) {
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
            const bool known = generated || (knownLabel && knownLabel(target.first, target.second));
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

SeedPlan planSeed(const SeedFile& file, db::TableLookup* tables, const KnownLabel& knownLabel) {
    SeedPlanner planner(file, tables);
    streamSeedFile(file.path, planner);
    return planner.finish(knownLabel);
}

void checkSeedFileOffline(const std::filesystem::path& path) {
    SeedFile file;
    file.name = path.stem().string();
    file.path = path;
    planSeed(file, nullptr, {});
}

}  // namespace dbtool
