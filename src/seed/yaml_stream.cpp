#include "seed/yaml_stream.hpp"

#include <yaml.h>

#include <cstdio>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>
#include <string_view>
#include <unordered_map>

#include "base/errors.hpp"

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

// A position in the file, 0-based as the parser reports it.
struct Mark {
    size_t line = 0;
    size_t column = 0;
    size_t index = 0;
};

struct Frame {
    Role role;
    YamlValue value;
    bool expectingKey = true;  // for mappings
    std::string key;
    int keyLine = 0;
    int keyColumn = 0;
    std::string anchor;
    // Keys seen so far (tables, options, row labels): key -> line, column of its first use.
    std::unordered_map<std::string, std::pair<int, int>> keys;
};

// Builds rows from libyaml's events and hands them to the visitor as they complete.
class StreamHandler {
  public:
    StreamHandler(const std::string& file, SeedStreamVisitor& visitor)
        : file_(file), visitor_(visitor) {}

    void onNull(const Mark& mark, const std::string& anchor) {
        YamlValue v;
        v.kind = YamlValue::Kind::Null;
        at(v, mark);
        leaf(std::move(v), anchor);
    }

    void onAlias(const Mark& mark, const std::string& anchor) {
        auto it = anchors_.find(anchor);
        if (it == anchors_.end()) {
            fail(mark,
                 "this alias refers to an anchor on a whole table or row list (or to no anchor); "
                 "aliases work for rows and values only");
        }
        YamlValue v = it->second;
        at(v, mark);
        leaf(std::move(v), {});
    }

    void onScalar(const Mark& mark, std::string tag, const std::string& anchor, std::string value) {
        if (frames_.empty()) {
            fail(mark, "a seed file must be a mapping of table names to rows");
        }
        YamlValue v;
        v.kind = YamlValue::Kind::Scalar;
        v.text = std::move(value);
        v.tag = std::move(tag);
        at(v, mark);
        leaf(std::move(v), anchor);
    }

    void onSequenceStart(const Mark& mark, const std::string& tag, const std::string& anchor) {
        open(mark, tag, anchor, YamlValue::Kind::Sequence);
    }
    void onMapStart(const Mark& mark, const std::string& tag, const std::string& anchor) {
        open(mark, tag, anchor, YamlValue::Kind::Mapping);
    }
    void onEnd() { close(); }

  private:
    void at(YamlValue& v, const Mark& mark) const {
        v.line = static_cast<int>(mark.line) + 1;
        v.column = static_cast<int>(mark.column) + 1;
        v.offset = mark.index;
    }

    [[noreturn]] void fail(const Mark& mark, const std::string& what) const {
        throw Error(ExitCode::InvalidInput, what,
                    {file_, static_cast<int>(mark.line) + 1, static_cast<int>(mark.column) + 1},
                    "see README \"Seed files\" for the format");
    }
    [[noreturn]] void failAt(int line, int column, const std::string& what) const {
        throw Error(ExitCode::InvalidInput, what, {file_, line, column},
                    "see README \"Seed files\" for the format");
    }

    // The role a new child of the current top frame takes.
    Role childRole(YamlValue::Kind kind, const Mark& mark) {
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

    void open(const Mark& mark, const std::string& tag, const std::string& anchor,
              YamlValue::Kind kind) {
        const Role role = childRole(kind, mark);
        Frame frame{role, {}, true, {}, 0, 0, anchor, {}};
        frame.value.kind = kind;
        if (kind == YamlValue::Kind::Mapping && role == Role::Tree) {
            frame.value.fields.reserve(8);  // a row: one allocation, not one per doubling
            frame.value.keyPositions.reserve(8);
        }
        frame.value.tag = tag;
        at(frame.value, mark);
        frames_.push_back(std::move(frame));
    }

    void close() {
        Frame frame = std::move(frames_.back());
        frames_.pop_back();
        if (!frame.anchor.empty() && frame.role == Role::Tree) {
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
    void leaf(YamlValue&& v, const std::string& anchor) {
        if (!anchor.empty()) {
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
            checkNewKey(top, v);
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

    // YAML forbids a key twice in one mapping; libyaml does not check, and the last one
    // would silently win. Rows compare with their few fields; long lists keep a set.
    void checkNewKey(Frame& frame, const YamlValue& key) {
        std::pair<int, int> first{0, 0};
        if (frame.role == Role::Tree) {
            for (size_t i = 0; i < frame.value.fields.size(); ++i) {
                if (frame.value.fields[i].first == key.text) {
                    first = frame.value.keyPositions[i];
                    break;
                }
            }
        } else {
            auto [it, added] = frame.keys.try_emplace(key.text, key.line, key.column);
            if (!added)
                first = it->second;
        }
        if (first.first == 0)
            return;
        const char* what = frame.role == Role::Root       ? "table"
                           : frame.role == Role::RowList  ? "row label"
                           : frame.role == Role::LongForm ? "option"
                                                          : "key";
        failAt(key.line, key.column,
               std::string("duplicate ") + what + " '" + key.text +
                   "' in this mapping (first at line " + std::to_string(first.first) + ", column " +
                   std::to_string(first.second) +
                   "): YAML allows a key once in a mapping (most YAML tools would keep only the "
                   "last)");
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
    std::map<std::string, YamlValue> anchors_;
};

std::string text(const yaml_char_t* s) {
    return s == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(s));
}

// The scalars YAML's core schema reads as null, when plain and untagged.
bool isNullScalar(const yaml_event_t& e) {
    if (e.data.scalar.tag != nullptr || e.data.scalar.style != YAML_PLAIN_SCALAR_STYLE) {
        return false;
    }
    const std::string_view v(reinterpret_cast<const char*>(e.data.scalar.value),
                             e.data.scalar.length);
    return v.empty() || v == "~" || v == "null" || v == "Null" || v == "NULL";
}

// The tag a node carries in YamlValue: its explicit tag, else "?" when plain, "!" when quoted.
std::string tagOf(const yaml_char_t* tag, bool plain) {
    return tag != nullptr ? text(tag) : std::string(plain ? "?" : "!");
}

// The 1-based line and column (in characters) of byte `offset` of the input `next` reads.
std::pair<int, int> lineAndColumn(size_t offset, const std::function<int()>& next) {
    int line = 1;
    int column = 1;
    for (size_t i = 0; i < offset; ++i) {
        const int c = next();
        if (c == EOF) {
            break;
        }
        if (c == '\n') {
            ++line;
            column = 1;
        } else if ((c & 0xc0) != 0x80) {
            ++column;  // UTF-8 continuation bytes do not start a character
        }
    }
    return {line, column};
}

// Reads with libyaml's event parser (a fast C scanner: rows are never held as a document
// tree). `setInput` points the parser at the file or the text.
// `lineText(n)` reads line n (1-based) again, for the message of a syntax error.
void stream(const std::string& file, SeedStreamVisitor& visitor,
            const std::function<void(yaml_parser_t&)>& setInput,
            const std::function<std::pair<int, int>(size_t)>& locate,
            const std::function<std::string(int)>& lineText) {
    yaml_parser_t parser;
    if (yaml_parser_initialize(&parser) == 0) {
        throw Error(ExitCode::Failure, "out of memory starting the YAML parser", {file});
    }
    std::unique_ptr<yaml_parser_t, void (*)(yaml_parser_t*)> parserGuard(&parser,
                                                                         &yaml_parser_delete);
    setInput(parser);
    StreamHandler handler(file, visitor);
    int documents = 0;
    while (true) {
        yaml_event_t event;
        if (yaml_parser_parse(&parser, &event) == 0) {
            if (parser.error == YAML_READER_ERROR) {
                // Bad encoding: libyaml knows the byte offset only.
                const std::string problem =
                    text(reinterpret_cast<const yaml_char_t*>(parser.problem));
                auto [line, column] = locate(parser.problem_offset);
                if (problem.find("trailing") != std::string::npos && column > 1) {
                    --column;  // the bad byte ends a character that started one column before
                }
                std::string what = "not valid UTF-8: " + problem;
                if (problem.find("leading") != std::string::npos) {
                    char byte[8];
                    std::snprintf(byte, sizeof byte, "0x%02x", parser.problem_value & 0xff);
                    what += std::string(" (byte ") + byte + ")";
                }
                throw Error(ExitCode::InvalidInput, what, {file, line, column},
                            "save the file as UTF-8 (a Latin-1 or Windows-1252 export is the usual "
                            "cause)");
            }
            const yaml_mark_t mark = parser.problem_mark;
            // libyaml says "found character that cannot start any token" for a tab that
            // indents; say what it is.
            for (const size_t line : {mark.line + 1, parser.context_mark.line + 1}) {
                const std::string content = lineText(static_cast<int>(line));
                const size_t indent = content.find_first_not_of(" \t");
                const size_t tab = content.find('\t');
                if (tab != std::string::npos && tab < indent) {
                    throw Error(ExitCode::InvalidInput,
                                "a tab in the indentation of line " + std::to_string(line) +
                                    ": YAML indents with spaces only",
                                {file, static_cast<int>(line), static_cast<int>(tab) + 1},
                                "replace the tab with spaces (set your editor to indent YAML "
                                "with spaces)");
                }
                if (parser.context == nullptr)
                    break;
            }
            std::string what =
                "YAML syntax error: " + text(reinterpret_cast<const yaml_char_t*>(parser.problem));
            if (parser.context != nullptr) {
                what += " (" + std::string(parser.context) + " at line " +
                        std::to_string(parser.context_mark.line + 1) + ")";
            }
            throw Error(ExitCode::InvalidInput, what,
                        {file, static_cast<int>(mark.line) + 1, static_cast<int>(mark.column) + 1},
                        "fix the YAML syntax");
        }
        std::unique_ptr<yaml_event_t, void (*)(yaml_event_t*)> eventGuard(&event,
                                                                          &yaml_event_delete);
        const Mark mark{event.start_mark.line, event.start_mark.column, event.start_mark.index};
        switch (event.type) {
            case YAML_STREAM_END_EVENT:
                return;
            case YAML_DOCUMENT_START_EVENT:
                if (++documents > 1) {
                    throw Error(ExitCode::InvalidInput, "a seed file holds one YAML document",
                                {file, static_cast<int>(mark.line) + 1},
                                "remove the second '---' document or split it into another "
                                "seed file");
                }
                break;
            case YAML_ALIAS_EVENT:
                handler.onAlias(mark, text(event.data.alias.anchor));
                break;
            case YAML_SCALAR_EVENT:
                if (isNullScalar(event)) {
                    handler.onNull(mark, text(event.data.scalar.anchor));
                } else {
                    handler.onScalar(
                        mark,
                        tagOf(event.data.scalar.tag,
                              event.data.scalar.style == YAML_PLAIN_SCALAR_STYLE),
                        text(event.data.scalar.anchor),
                        std::string(reinterpret_cast<const char*>(event.data.scalar.value),
                                    event.data.scalar.length));
                }
                break;
            case YAML_SEQUENCE_START_EVENT:
                handler.onSequenceStart(mark, tagOf(event.data.sequence_start.tag, true),
                                        text(event.data.sequence_start.anchor));
                break;
            case YAML_MAPPING_START_EVENT:
                handler.onMapStart(mark, tagOf(event.data.mapping_start.tag, true),
                                   text(event.data.mapping_start.anchor));
                break;
            case YAML_SEQUENCE_END_EVENT:
            case YAML_MAPPING_END_EVENT:
                handler.onEnd();
                break;
            default:
                break;
        }
    }
}

}  // namespace

void streamSeedFile(const std::filesystem::path& path, SeedStreamVisitor& visitor) {
    std::unique_ptr<FILE, int (*)(FILE*)> in(std::fopen(path.c_str(), "rb"), &std::fclose);
    if (!in) {
        throw Error(ExitCode::InvalidInput, "cannot read " + path.string(), {path.string()});
    }
    stream(
        path.string(), visitor,
        [&](yaml_parser_t& parser) { yaml_parser_set_input_file(&parser, in.get()); },
        [&](size_t offset) {
            std::rewind(in.get());
            return lineAndColumn(offset, [&] { return std::fgetc(in.get()); });
        },
        [&](int wanted) {
            std::rewind(in.get());
            std::string line;
            int n = 1;
            for (int c = std::fgetc(in.get()); c != EOF && n <= wanted; c = std::fgetc(in.get())) {
                if (c == '\n')
                    ++n;
                else if (n == wanted)
                    line += static_cast<char>(c);
            }
            return line;
        });
}

void streamSeedText(const std::string& text, const std::string& file, SeedStreamVisitor& visitor) {
    size_t next = 0;
    stream(
        file, visitor,
        [&](yaml_parser_t& parser) {
            yaml_parser_set_input_string(
                &parser, reinterpret_cast<const unsigned char*>(text.data()), text.size());
        },
        [&](size_t offset) {
            return lineAndColumn(offset, [&] {
                return next < text.size() ? static_cast<unsigned char>(text[next++]) : EOF;
            });
        },
        [&](int wanted) {
            size_t begin = 0;
            for (int n = 1; n < wanted && begin != std::string::npos; ++n) {
                begin = text.find('\n', begin);
                begin = begin == std::string::npos ? begin : begin + 1;
            }
            if (begin == std::string::npos)
                return std::string();
            return text.substr(begin, text.find('\n', begin) - begin);
        });
}

namespace {
// A JSON string literal: nlohmann-json's escaping (libyaml has already refused text that is
// not UTF-8, which is all nlohmann-json refuses).
std::string jsonString(const std::string& s) {
    return nlohmann::json(s).dump();
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
                if (i != 0) {
                    out += ',';
                }
                out += yamlToJson(v.items[i], resolveTag);
            }
            out += ']';
            return out;
        }
        case YamlValue::Kind::Mapping: {
            std::string out = "{";
            for (size_t i = 0; i < v.fields.size(); ++i) {
                if (i != 0) {
                    out += ',';
                }
                out += jsonString(v.fields[i].first);
                out += ':';
                out += yamlToJson(v.fields[i].second, resolveTag);
            }
            out += '}';
            return out;
        }
    }
    return "null";
}

}  // namespace dbtool
