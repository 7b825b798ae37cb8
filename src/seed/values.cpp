#include "seed/values.hpp"

#include <regex>

#include "seed/row_syntax.hpp"

namespace dbtool {

namespace {
std::string pgArrayElement(const YamlValue& v,
                           const std::function<std::string(const YamlValue&)>& ref,
                           bool jsonElements);
}  // namespace

std::string pgArray(const YamlValue& v, const std::function<std::string(const YamlValue&)>& ref,
                    bool jsonElements) {
    std::string out = "{";
    for (size_t i = 0; i < v.items.size(); ++i) {
        out += (i ? "," : "") + pgArrayElement(v.items[i], ref, jsonElements);
    }
    return out + "}";
}

namespace {

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

// COPY text format: \N is NULL; backslash, tab, newline and carriage return escaped.
void appendCopyField(std::string& out, const Cell& cell) {
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

}  // namespace

void appendCopyLine(std::string& out, const std::vector<Cell>& cells, size_t fill,
                    const std::string& now) {
    for (size_t c = 0; c < cells.size(); ++c) {
        if (c != 0) {
            out += '\t';
        }
        appendCopyField(out, cells[c]);
    }
    for (size_t f = 0; f < fill; ++f) {
        out += '\t';
        out += now;
    }
    out += '\n';
}

std::optional<int64_t> copyLine(const db::SqlError& e) {
    static const std::regex lineRe(R"(line ([0-9]+))");
    std::smatch m;
    const std::string context = e.server().context;
    if (!std::regex_search(context, m, lineRe)) {
        return std::nullopt;
    }
    return std::stoll(m[1]);
}

}  // namespace dbtool
