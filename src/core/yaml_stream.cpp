#include "core/yaml_stream.hpp"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/parser.h>

#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "core/errors.hpp"

namespace dbtool {

const YamlValue* YamlValue::find(const std::string& key) const {
    for (const auto& [k, v] : fields) {
        if (k == key) {
            return &v;
        }
    }
    return nullptr;
}

namespace {

// Where a node sits in a seed document decides whether it is built as a tree or streamed.
enum class Role {
    Root,       // the top-level mapping: table -> value
    TableRows,  // a short-form table: a sequence of rows
    LongForm,   // a long-form table: rows/key/on_conflict/generate/csv
    RowList,    // rows: of the long form (a sequence of rows, or a mapping label -> row)
    Tree,       // anything built whole (a row, an option value)
};

struct Frame {
    Role role;
    YamlValue value;
    bool expectingKey = true;  // for mappings
    std::string key;
    int keyLine = 0;
    int keyColumn = 0;
    YAML::anchor_t anchor = 0;
};

class StreamHandler : public YAML::EventHandler {
  public:
    StreamHandler(const std::string& file, SeedStreamVisitor& visitor)
        : file_(file), visitor_(visitor) {}

    void OnDocumentStart(const YAML::Mark&) override {}
    void OnDocumentEnd() override {}

    void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
        YamlValue v;
        v.kind = YamlValue::Kind::Null;
        at(v, mark);
        leaf(std::move(v), anchor);
    }

    void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
        auto it = anchors_.find(anchor);
        if (it == anchors_.end()) {
            fail(mark,
                 "this alias refers to an anchor on a whole table or row list; aliases "
                 "work for rows and values only");
        }
        YamlValue v = it->second;
        at(v, mark);
        leaf(std::move(v), 0);
    }

    void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  const std::string& value) override {
        if (frames_.empty()) {
            fail(mark, "a seed file must be a mapping of table names to rows");
        }
        YamlValue v;
        v.kind = YamlValue::Kind::Scalar;
        v.text = value;
        v.tag = tag.empty() ? "?" : tag;
        at(v, mark);
        leaf(std::move(v), anchor);
    }

    void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                         YAML::EmitterStyle::value) override {
        open(mark, tag, anchor, YamlValue::Kind::Sequence);
    }
    void OnSequenceEnd() override { close(); }

    void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                    YAML::EmitterStyle::value) override {
        open(mark, tag, anchor, YamlValue::Kind::Mapping);
    }
    void OnMapEnd() override { close(); }

    bool sawDocument() const { return sawRoot_; }

  private:
    void at(YamlValue& v, const YAML::Mark& mark) const {
        v.line = mark.line + 1;
        v.column = mark.column + 1;
    }

    [[noreturn]] void fail(const YAML::Mark& mark, const std::string& what) const {
        throw Error(ExitCode::InvalidInput, what, {file_, mark.line + 1, mark.column + 1},
                    "see README \"Seed files\" for the format");
    }
    [[noreturn]] void failAt(int line, int column, const std::string& what) const {
        throw Error(ExitCode::InvalidInput, what, {file_, line, column},
                    "see README \"Seed files\" for the format");
    }

    // The role a new child of the current top frame takes.
    Role childRole(YamlValue::Kind kind, const YAML::Mark& mark) {
        if (frames_.empty()) {
            if (kind != YamlValue::Kind::Mapping) {
                fail(mark, "a seed file must be a mapping of table names to rows");
            }
            return Role::Root;
        }
        Frame& parent = frames_.back();
        switch (parent.role) {
            case Role::Root:
                if (parent.expectingKey) {
                    fail(mark, "a table name must be a plain string");
                }
                if (kind == YamlValue::Kind::Sequence) {
                    visitor_.beginTable(parent.key, parent.keyLine, parent.keyColumn, false);
                    return Role::TableRows;
                }
                visitor_.beginTable(parent.key, parent.keyLine, parent.keyColumn, true);
                return Role::LongForm;
            case Role::LongForm:
                if (parent.expectingKey) {
                    fail(mark, "an option name must be a plain string");
                }
                if (parent.key == "rows") {
                    visitor_.beginRows(parent.keyLine, parent.keyColumn,
                                       kind == YamlValue::Kind::Mapping);
                    return Role::RowList;
                }
                return Role::Tree;
            case Role::RowList:
                if (parent.value.kind == YamlValue::Kind::Mapping && parent.expectingKey) {
                    fail(mark, "a row label must be a plain string");
                }
                return Role::Tree;
            case Role::TableRows:
            case Role::Tree:
                if (parent.value.kind == YamlValue::Kind::Mapping && parent.expectingKey) {
                    fail(mark, "a mapping key must be a plain string");
                }
                return Role::Tree;
        }
        return Role::Tree;
    }

    void open(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
              YamlValue::Kind kind) {
        const Role role = childRole(kind, mark);
        if (role == Role::Root) {
            sawRoot_ = true;
        }
        Frame frame{role, {}, true, {}, 0, 0, anchor};
        frame.value.kind = kind;
        frame.value.tag = tag;
        at(frame.value, mark);
        frames_.push_back(std::move(frame));
    }

    void close() {
        Frame frame = std::move(frames_.back());
        frames_.pop_back();
        if (frame.anchor != 0 && frame.role == Role::Tree) {
            anchors_[frame.anchor] = frame.value;
        }
        switch (frame.role) {
            case Role::Root:
                return;
            case Role::TableRows:
            case Role::LongForm:
                visitor_.endTable();
                finishValueInParent();
                return;
            case Role::RowList:
                finishValueInParent();
                return;
            case Role::Tree:
                deliver(std::move(frame.value));
                return;
        }
    }

    // A scalar, null or alias: a key or a value of the current frame.
    void leaf(YamlValue&& v, YAML::anchor_t anchor) {
        if (anchor != 0) {
            anchors_[anchor] = v;
        }
        if (frames_.empty()) {
            failAt(v.line, v.column, "a seed file must be a mapping of table names to rows");
        }
        Frame& top = frames_.back();
        const bool isMapping = top.value.kind == YamlValue::Kind::Mapping;
        if (isMapping && top.expectingKey) {
            if (!v.isScalar()) {
                failAt(v.line, v.column, "a mapping key must be a plain string");
            }
            top.key = v.text;
            top.keyLine = v.line;
            top.keyColumn = v.column;
            top.expectingKey = false;
            return;
        }
        if (top.role == Role::Root) {
            // A table whose value is a scalar: empty (null) is a table with no rows.
            if (!v.isNull()) {
                failAt(v.line, v.column,
                       "table '" + top.key + "' must hold a list of rows or a mapping of options");
            }
            visitor_.beginTable(top.key, top.keyLine, top.keyColumn, false);
            visitor_.endTable();
            top.expectingKey = true;
            return;
        }
        deliver(std::move(v));
    }

    void finishValueInParent() {
        if (!frames_.empty() && frames_.back().value.kind == YamlValue::Kind::Mapping) {
            frames_.back().expectingKey = true;
        }
    }

    // A completed tree node goes to its parent: streamed as a row, handed over as an option,
    // or stored in the parent tree.
    void deliver(YamlValue&& v) {
        Frame& parent = frames_.back();
        switch (parent.role) {
            case Role::TableRows:
                visitor_.row(std::move(v), "");
                return;
            case Role::RowList:
                if (parent.value.kind == YamlValue::Kind::Mapping) {
                    visitor_.row(std::move(v), parent.key);
                    parent.expectingKey = true;
                } else {
                    visitor_.row(std::move(v), "");
                }
                return;
            case Role::LongForm:
                if (parent.key == "rows") {
                    // rows: with a scalar value (rows: ~ is an empty list).
                    if (!v.isNull()) {
                        failAt(v.line, v.column,
                               "rows must be a list of rows (or label: row pairs)");
                    }
                    visitor_.beginRows(parent.keyLine, parent.keyColumn, false);
                } else {
                    visitor_.option(parent.key, v, parent.keyLine, parent.keyColumn);
                }
                parent.expectingKey = true;
                return;
            case Role::Tree:
                if (parent.value.kind == YamlValue::Kind::Mapping) {
                    parent.value.fields.emplace_back(parent.key, std::move(v));
                    parent.value.keyPositions.emplace_back(parent.keyLine, parent.keyColumn);
                    parent.expectingKey = true;
                } else {
                    parent.value.items.push_back(std::move(v));
                }
                return;
            case Role::Root:
                return;
        }
    }

    const std::string& file_;
    SeedStreamVisitor& visitor_;
    std::vector<Frame> frames_;
    std::map<YAML::anchor_t, YamlValue> anchors_;
    bool sawRoot_ = false;
};

void stream(std::istream& in, const std::string& file, SeedStreamVisitor& visitor) {
    StreamHandler handler(file, visitor);
    try {
        YAML::Parser parser(in);
        parser.HandleNextDocument(handler);
        if (parser.HandleNextDocument(handler)) {
            throw Error(ExitCode::InvalidInput, "a seed file holds one YAML document", {file},
                        "remove the second '---' document or split it into another seed file");
        }
    } catch (const YAML::Exception& e) {
        throw Error(ExitCode::InvalidInput, "YAML syntax error: " + e.msg,
                    {file, e.mark.line + 1, e.mark.column + 1}, "fix the YAML syntax");
    }
}

}  // namespace

void streamSeedFile(const std::filesystem::path& path, SeedStreamVisitor& visitor) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw Error(ExitCode::InvalidInput, "cannot read " + path.string(), {path.string()});
    }
    stream(in, path.string(), visitor);
}

void streamSeedText(const std::string& text, const std::string& file, SeedStreamVisitor& visitor) {
    std::istringstream in(text);
    stream(in, file, visitor);
}

namespace {
std::string jsonString(const std::string& s) {
    std::string out = "\"";
    for (unsigned char c : s) {
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (c < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", c);
                    out += buf;
                } else {
                    out += static_cast<char>(c);
                }
        }
    }
    return out + "\"";
}
}  // namespace

std::string yamlToJson(const YamlValue& v,
                       const std::function<std::string(const YamlValue&)>& resolveTag) {
    switch (v.kind) {
        case YamlValue::Kind::Null:
            return "null";
        case YamlValue::Kind::Scalar: {
            if (v.tag != "?" && v.tag != "!") {
                return resolveTag(v);
            }
            if (v.isPlain()) {
                static const std::regex number(
                    R"(^[-+]?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$)");
                if (v.text == "true" || v.text == "false") {
                    return v.text;
                }
                if (v.text == "True" || v.text == "TRUE") {
                    return "true";
                }
                if (v.text == "False" || v.text == "FALSE") {
                    return "false";
                }
                if (std::regex_match(v.text, number)) {
                    return v.text[0] == '+' ? v.text.substr(1) : v.text;
                }
            }
            return jsonString(v.text);
        }
        case YamlValue::Kind::Sequence: {
            std::string out = "[";
            for (size_t i = 0; i < v.items.size(); ++i) {
                out += (i ? "," : "") + yamlToJson(v.items[i], resolveTag);
            }
            return out + "]";
        }
        case YamlValue::Kind::Mapping: {
            std::string out = "{";
            for (size_t i = 0; i < v.fields.size(); ++i) {
                out += (i ? "," : "") + jsonString(v.fields[i].first) + ":" +
                       yamlToJson(v.fields[i].second, resolveTag);
            }
            return out + "}";
        }
    }
    return "null";
}

}  // namespace dbtool
