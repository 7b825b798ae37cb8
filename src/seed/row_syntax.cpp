#include "seed/row_syntax.hpp"

#include <algorithm>
#include <vector>

#include "seed/seed_files.hpp"

namespace dbtool {

RefTarget parseRef(const YamlValue& v, const std::string& file) {
    const size_t dot = v.text.rfind('.');
    if (dot == std::string::npos || dot == 0 || dot + 1 == v.text.size()) {
        seedInputError(file, v.line, v.column, "!ref needs TABLE.LABEL, not '" + v.text + "'",
                       "e.g. author_id: !ref users.alice");
    }
    return {v.text.substr(0, dot), v.text.substr(dot + 1)};
}

bool isRef(const YamlValue& v) {
    return v.isScalar() && v.tag == "!ref";
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
    seedInputError(file, v.line, v.column, "unknown tag " + v.tag + "; dbtool understands !ref",
                   "write !ref TABLE.LABEL to refer to a labelled row");
}

// Applies YAML merge keys (<<: *base) and returns the row's label (from _label).
std::string normalizeRow(YamlValue& row, const std::string& file) {
    if (row.kind != YamlValue::Kind::Mapping) {
        seedInputError(file, row.line, row.column, "a row must be a mapping of column: value",
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
                seedInputError(file, value.line, value.column,
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
            seedInputError(file, m->line, m->column,
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

}  // namespace dbtool
