#include "data/model_generator.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <map>
#include <regex>
#include <set>

#include "base/errors.hpp"

namespace dbtool {

namespace {

// PostgreSQL's reserved key words (those that cannot be column names without quoting).
const std::set<std::string>& reservedWords() {
    static const std::set<std::string> words = {"all",          "analyse",
                                                "analyze",      "and",
                                                "any",          "array",
                                                "as",           "asc",
                                                "asymmetric",   "both",
                                                "case",         "cast",
                                                "check",        "collate",
                                                "column",       "constraint",
                                                "create",       "current_catalog",
                                                "current_date", "current_role",
                                                "current_time", "current_timestamp",
                                                "current_user", "default",
                                                "deferrable",   "desc",
                                                "distinct",     "do",
                                                "else",         "end",
                                                "except",       "false",
                                                "fetch",        "for",
                                                "foreign",      "from",
                                                "grant",        "group",
                                                "having",       "in",
                                                "initially",    "intersect",
                                                "into",         "lateral",
                                                "leading",      "limit",
                                                "localtime",    "localtimestamp",
                                                "not",          "null",
                                                "offset",       "on",
                                                "only",         "or",
                                                "order",        "placing",
                                                "primary",      "references",
                                                "returning",    "select",
                                                "session_user", "some",
                                                "symmetric",    "table",
                                                "then",         "to",
                                                "trailing",     "true",
                                                "union",        "unique",
                                                "user",         "using",
                                                "variadic",     "when",
                                                "where",        "window",
                                                "with"};
    return words;
}

const std::map<std::string, std::string>& simpleTypes() {
    static const std::map<std::string, std::string> types = {
        {"string", "varchar(255)"}, {"text", "text"},       {"integer", "integer"},
        {"bigint", "bigint"},       {"float", "real"},      {"double", "double precision"},
        {"decimal", "numeric"},     {"boolean", "boolean"}, {"date", "timestamptz"},
        {"dateonly", "date"},       {"time", "time"},       {"uuid", "uuid"},
        {"json", "json"},           {"jsonb", "jsonb"}};
    return types;
}

std::vector<std::string> typeNames() {
    std::vector<std::string> names;
    for (const auto& [n, _] : simpleTypes())
        names.push_back(n);
    for (const char* n : {"enum", "array", "references"})
        names.push_back(n);
    return names;
}

[[noreturn]] void bad(const std::string& attribute, const std::string& what,
                      const std::string& hint = {}) {
    throw Error(ExitCode::Usage, "attribute '" + attribute + "': " + what, {},
                hint.empty() ? "write NAME:TYPE[:MODIFIER...], e.g. email:string:unique; see "
                               "README \"model generate\""
                             : hint);
}

std::string quoteLiteral(const std::string& v) {
    std::string out = "'";
    for (char c : v) {
        out += c;
        if (c == '\'')
            out += '\'';
    }
    return out + "'";
}

// Splits the attribute list at commas outside parentheses: decimal(10,2) stays whole.
std::vector<std::string> splitAttributes(const std::string& list) {
    std::vector<std::string> out;
    std::string current;
    int depth = 0;
    for (char c : list) {
        if (c == '(')
            ++depth;
        if (c == ')')
            --depth;
        if (c == ',' && depth == 0) {
            out.push_back(current);
            current.clear();
        } else if (!std::isspace(static_cast<unsigned char>(c)) || depth > 0) {
            current += c;
        }
    }
    out.push_back(current);
    return out;
}

// Splits at ':' outside parentheses: enum(a|b):default=a.
std::vector<std::string> splitParts(const std::string& attribute) {
    std::vector<std::string> out;
    std::string current;
    int depth = 0;
    for (char c : attribute) {
        if (c == '(')
            ++depth;
        if (c == ')')
            --depth;
        if (c == ':' && depth == 0) {
            out.push_back(current);
            current.clear();
        } else {
            current += c;
        }
    }
    out.push_back(current);
    return out;
}

std::string resolveType(const std::string& attribute, const std::string& type, ModelColumn& col) {
    static const std::regex decimalRe(R"(^decimal\(([0-9]{1,6}),([0-9]{1,6})\)$)");
    static const std::regex enumRe(R"(^enum\((.+)\)$)");
    static const std::regex arrayRe(R"(^array\((.+)\)$)");
    static const std::regex refRe(R"(^references(\(([A-Za-z_][A-Za-z0-9_]*)\))?$)");
    std::smatch m;
    const std::string lower = [&] {
        std::string s = type;
        for (char& c : s)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        return s;
    }();
    if (auto it = simpleTypes().find(lower); it != simpleTypes().end()) {
        col.kind = lower;
        return it->second;
    }
    if (std::regex_match(lower, m, decimalRe)) {
        const int p = std::stoi(m[1]), s = std::stoi(m[2]);
        if (p < 1 || p > 1000 || s > p) {
            bad(attribute, "decimal(" + std::string(m[1]) + "," + std::string(m[2]) +
                               ") needs 1 <= precision <= 1000 and scale <= precision");
        }
        col.kind = "decimal";
        return "numeric(" + std::string(m[1]) + "," + std::string(m[2]) + ")";
    }
    if (std::regex_match(type, m, enumRe)) {
        col.kind = "enum";
        std::string values = m[1];
        size_t start = 0;
        while (start <= values.size()) {
            size_t end = values.find('|', start);
            if (end == std::string::npos)
                end = values.size();
            const std::string v = values.substr(start, end - start);
            if (v.empty())
                bad(attribute, "enum values must not be empty", "e.g. role:enum(admin|member)");
            col.enumValues.push_back(v);
            start = end + 1;
        }
        return "text";
    }
    if (std::regex_match(lower, m, arrayRe)) {
        ModelColumn element;
        const std::string inner = resolveType(attribute, m[1], element);
        if (element.kind == "enum" || element.kind == "references" || element.kind == "array") {
            bad(attribute, "array(" + std::string(m[1]) + ") is not supported",
                "arrays hold a simple type, e.g. array(string)");
        }
        col.kind = "array";
        return inner + "[]";
    }
    if (std::regex_match(type, m, refRe)) {
        col.kind = "references";
        col.referencedTable =
            m[2].matched ? std::string(m[2]) : pluralize(snakeCase(col.attribute));
        return "bigint";
    }
    bad(attribute, "unknown type '" + type + "'" + didYouMean(type, typeNames()),
        "types: string, text, integer, bigint, float, double, decimal(p,s), boolean, date, "
        "dateonly, time, uuid, json, jsonb, enum(a|b), array(type), references[(table)]");
}

std::string defaultFor(const std::string& attribute, const ModelColumn& col,
                       const std::string& value) {
    static const std::map<std::string, std::string> expressions = {
        {"now", "now()"},
        {"now()", "now()"},
        {"current_timestamp", "CURRENT_TIMESTAMP"},
        {"current_date", "CURRENT_DATE"},
        {"uuid", "gen_random_uuid()"},
        {"gen_random_uuid()", "gen_random_uuid()"}};
    if (auto it = expressions.find(value); it != expressions.end()) {
        return it->second;
    }
    static const std::regex number(R"(^-?[0-9]+(\.[0-9]+)?$)");
    const bool numeric = col.kind == "integer" || col.kind == "bigint" || col.kind == "float" ||
                         col.kind == "double" || col.kind == "decimal";
    if (numeric) {
        if (!std::regex_match(value, number))
            bad(attribute, "default '" + value + "' is not a number");
        return value;
    }
    if (col.kind == "boolean") {
        if (value != "true" && value != "false")
            bad(attribute, "default of a boolean is true or false");
        return value;
    }
    if (col.kind == "enum" &&
        std::find(col.enumValues.begin(), col.enumValues.end(), value) == col.enumValues.end()) {
        bad(attribute, "default '" + value + "' is not one of the enum's values");
    }
    return quoteLiteral(value);
}

}  // namespace

std::string snakeCase(const std::string& name) {
    std::string out;
    for (size_t i = 0; i < name.size(); ++i) {
        const char c = name[i];
        if (std::isupper(static_cast<unsigned char>(c))) {
            const bool afterLower =
                i > 0 && (std::islower(static_cast<unsigned char>(name[i - 1])) ||
                          std::isdigit(static_cast<unsigned char>(name[i - 1])));
            const bool acronymEnd = i > 0 && i + 1 < name.size() &&
                                    std::isupper(static_cast<unsigned char>(name[i - 1])) &&
                                    std::islower(static_cast<unsigned char>(name[i + 1]));
            if ((afterLower || acronymEnd) && !out.empty() && out.back() != '_')
                out += '_';
            out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        } else if (c == '-' || c == ' ') {
            out += '_';
        } else {
            out += c;
        }
    }
    return out;
}

std::string pluralize(const std::string& word) {
    static const std::map<std::string, std::string> irregular = {
        {"person", "people"}, {"child", "children"},  {"man", "men"},     {"woman", "women"},
        {"mouse", "mice"},    {"goose", "geese"},     {"ox", "oxen"},     {"datum", "data"},
        {"index", "indices"}, {"status", "statuses"}, {"quiz", "quizzes"}};
    const size_t underscore = word.rfind('_');
    const std::string head = underscore == std::string::npos ? "" : word.substr(0, underscore + 1);
    const std::string last = underscore == std::string::npos ? word : word.substr(underscore + 1);
    if (auto it = irregular.find(last); it != irregular.end())
        return head + it->second;
    auto ends = [&](const char* suffix) {
        return last.size() >= std::strlen(suffix) && last.ends_with(suffix);
    };
    if (ends("s") || ends("x") || ends("z") || ends("ch") || ends("sh"))
        return word + "es";
    if (ends("y") && last.size() > 1 &&
        std::string("aeiou").find(last[last.size() - 2]) == std::string::npos) {
        return word.substr(0, word.size() - 1) + "ies";
    }
    return word + "s";
}

ModelDefinition parseModel(const std::string& name, const std::string& attributes) {
    static const std::regex modelRe(R"(^[A-Za-z][A-Za-z0-9_]*$)");
    if (!std::regex_match(name, modelRe)) {
        throw Error(ExitCode::Usage, "invalid model name '" + name + "'", {},
                    "use a name such as User or BlogPost (letters, digits, '_')");
    }
    ModelDefinition model;
    model.model = name;
    model.table = pluralize(snakeCase(name));
    std::set<std::string> seen = {"id", "created_at", "updated_at"};
    static const std::regex identRe(R"(^[a-z_][a-z0-9_]*$)");
    for (const std::string& attribute : splitAttributes(attributes)) {
        if (attribute.empty()) {
            throw Error(ExitCode::Usage, "empty attribute in '" + attributes + "'", {},
                        "separate attributes with single commas: name:string,age:integer");
        }
        const auto parts = splitParts(attribute);
        if (parts.size() < 2 || parts[0].empty() || parts[1].empty()) {
            bad(attribute, "expected NAME:TYPE");
        }
        ModelColumn col;
        col.attribute = parts[0];
        col.sqlType = resolveType(attribute, parts[1], col);
        col.name = snakeCase(parts[0]) + (col.kind == "references" ? "_id" : "");
        if (!std::regex_match(col.name, identRe) || col.name.size() > 63) {
            bad(attribute, "'" + parts[0] + "' is not a valid column name",
                "use letters, digits and '_' (camelCase becomes snake_case)");
        }
        if (!seen.insert(col.name).second) {
            bad(attribute, col.name == "id" || col.name == "created_at" || col.name == "updated_at"
                               ? "column '" + col.name + "' is added by dbtool itself"
                               : "duplicate column '" + col.name + "'");
        }
        for (size_t i = 2; i < parts.size(); ++i) {
            const std::string& mod = parts[i];
            if (mod == "unique") {
                col.unique = true;
            } else if (mod == "null" || mod == "allowNull") {
                col.nullable = true;
            } else if (mod == "index") {
                col.index = true;
            } else if (mod.starts_with("default=")) {
                col.defaultSql = defaultFor(attribute, col, mod.substr(8));
            } else {
                bad(attribute,
                    "unknown modifier '" + mod + "'" +
                        didYouMean(mod, {"unique", "null", "index", "default"}),
                    "modifiers: unique, null, index, default=VALUE");
            }
        }
        if (col.kind == "references")
            col.index = true;
        model.columns.push_back(std::move(col));
    }
    return model;
}

// A name as SQL: quoted when it is a reserved word ("order", "as") or not all lower case, as
// sequelize accepts such names.
std::string sqlName(const std::string& name) {
    static const std::regex plain(R"(^[a-z_][a-z0-9_]*$)");
    if (std::regex_match(name, plain) && reservedWords().count(name) == 0)
        return name;
    std::string out = "\"";
    for (char c : name)
        out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

std::string modelMigrationSql(const ModelDefinition& model) {
    const std::string table = sqlName(model.table);
    std::string up = "-- migrate:up\nCREATE TABLE " + table + " (\n";
    up += "    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,\n";
    std::string indexes;
    for (const auto& c : model.columns) {
        const std::string column = sqlName(c.name);
        up += "    " + column + " " + c.sqlType + (c.nullable ? "" : " NOT NULL");
        if (!c.defaultSql.empty())
            up += " DEFAULT " + c.defaultSql;
        if (c.unique)
            up += " UNIQUE";
        if (c.kind == "references")
            up += " REFERENCES " + sqlName(c.referencedTable) + " (id)";
        if (c.kind == "enum") {
            std::string list;
            for (const auto& v : c.enumValues)
                list += (list.empty() ? "" : ", ") + quoteLiteral(v);
            up += " CHECK (" + column + " IN (" + list + "))";
        }
        up += ",\n";
        if (c.index && !c.unique) {
            indexes += "CREATE INDEX " + sqlName(model.table + "_" + c.name + "_idx") + " ON " +
                       table + " (" + column + ");\n";
        }
    }
    up += "    created_at timestamptz NOT NULL DEFAULT now(),\n";
    up += "    updated_at timestamptz NOT NULL DEFAULT now()\n);\n";
    return up + indexes + "\n-- migrate:down\nDROP TABLE " + table + ";\n";
}

std::string modelSeedYaml(const ModelDefinition& model) {
    std::string out = "# Dummy rows for " + model.table + " (generated by `dbtool model generate " +
                      model.model + "`). Edit freely; see README \"Seed files\".\n" + model.table +
                      ":\n  generate:\n    count: 10\n    row:\n";
    for (const auto& c : model.columns) {
        std::string v;
        const std::string& n = c.name;
        if (c.kind == "references") {
            v = "\"{{ref " + c.referencedTable + "}}\"";
        } else if (c.kind == "enum") {
            v = "\"{{pick";
            for (const auto& e : c.enumValues)
                v += " \\\"" + e + "\\\"";
            v += "}}\"";
        } else if (c.kind == "string" || c.kind == "text") {
            if (n.find("email") != std::string::npos)
                v = "\"{{email}}\"";
            else if (n == "first_name")
                v = "\"{{first_name}}\"";
            else if (n == "last_name")
                v = "\"{{last_name}}\"";
            else if (n == "name" || n == "full_name")
                v = "\"{{name}}\"";
            else if (n.find("user") != std::string::npos)
                v = "\"{{username}}\"";
            else if (c.kind == "text")
                v = "\"{{paragraph}}\"";
            else
                v = c.unique ? "\"" + n + "-{{seq}}\"" : "\"{{words 3}}\"";
            // Random names may repeat: a unique column gets the row number too ({{email}}
            // and {{username}} hold it already).
            if (c.unique && v.find("{{seq}}") == std::string::npos && v != "\"{{email}}\"" &&
                v != "\"{{username}}\"")
                v.insert(v.size() - 1, " {{seq}}");
        } else if (c.kind == "integer" || c.kind == "bigint") {
            v = c.unique ? "\"{{seq}}\"" : "\"{{int 1 100}}\"";
        } else if (c.kind == "float" || c.kind == "double" || c.kind == "decimal") {
            v = "\"{{float 0 100 2}}\"";
        } else if (c.kind == "boolean") {
            v = "\"{{bool}}\"";
        } else if (c.kind == "date") {
            v = "\"{{datetime 2024-01-01 2024-12-31}}\"";
        } else if (c.kind == "dateonly") {
            v = "\"{{date 2024-01-01 2024-12-31}}\"";
        } else if (c.kind == "time") {
            v = "\"12:00:00\"";
        } else if (c.kind == "uuid") {
            v = "\"{{uuid}}\"";
        } else if (c.kind == "json" || c.kind == "jsonb") {
            v = "{}";
        } else if (c.kind == "array") {
            v = "[]";
        }
        out += "      " + n + ": " + v + "\n";
    }
    return out;
}

}  // namespace dbtool
