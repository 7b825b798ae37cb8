#include "migrate/sql_variables.hpp"

#include "base/text.hpp"
#include "migrate/sql_lexer.hpp"

namespace dbtool {

bool optsIntoVariables(std::string_view text) {
    size_t pos = 0;
    while (pos < text.size()) {
        size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) {
            end = text.size();
        }
        std::string_view line = text.substr(pos, end - pos);
        while (!line.empty() &&
               (line.back() == ' ' || line.back() == '\t' || line.back() == '\r')) {
            line.remove_suffix(1);
        }
        while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) {
            line.remove_prefix(1);
        }
        if (!line.empty() && !line.starts_with("--")) {
            return false;  // the first statement: the header is over
        }
        if (line.starts_with("--")) {
            std::string_view rest = line.substr(2);
            while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) {
                rest.remove_prefix(1);
            }
            if (rest == "dbtool:vars") {
                return true;
            }
        }
        pos = end + 1;
    }
    return false;
}

namespace {

std::string quoteLiteral(const std::string& value) {
    const bool backslash = value.find('\\') != std::string::npos;
    std::string out = backslash ? " E'" : "'";
    for (char c : value) {
        if (c == '\'' || (backslash && c == '\\')) {
            out += c;
        }
        out += c;
    }
    return out + "'";
}

}  // namespace

SubstitutedSql substituteVariables(std::string_view sql, const SqlVariables& vars,
                                   const std::function<SourceLocation(size_t)>& locate) {
    SubstitutedSql out;
    size_t copied = 0;
    for (const auto& use : lexSql(sql).variables) {
        const auto found = vars.find(use.name);
        if (found == vars.end()) {
            std::vector<std::string> names;
            for (const auto& [name, v] : vars) {
                names.push_back(name);
            }
            throw Error(ExitCode::InvalidInput,
                        "undefined variable :" + use.name + didYouMean(use.name, names),
                        locate(use.offset),
                        "define it: --var " + use.name +
                            "=VALUE, the environment variable "
                            "DBTOOL_VAR_" +
                            use.name +
                            ", or vars: in the environment's section of "
                            "dbtool.yaml");
        }
        const std::string& value = found->second.value;
        if (value.find('\0') != std::string::npos) {
            throw Error(ExitCode::InvalidInput,
                        "variable :" + use.name + " holds a NUL byte, which SQL text cannot carry",
                        locate(use.offset), "remove it from the value");
        }
        const std::string sent = use.quote == '\''  ? quoteLiteral(value)
                                 : use.quote == '"' ? quoteIdentifier(value)
                                                    : value;
        out.sql.append(sql.substr(copied, use.offset - copied));
        out.sql += sent;
        out.replacements.push_back({use.offset, use.length, sent.size()});
        copied = use.offset + use.length;
    }
    out.sql.append(sql.substr(copied));
    return out;
}

size_t writtenOffset(const std::vector<SqlReplacement>& replacements, size_t offset) {
    long long shift = 0;  // sent - written, over the replacements before `offset`
    for (const auto& r : replacements) {
        const size_t sentAt = static_cast<size_t>(static_cast<long long>(r.at) + shift);
        if (offset < sentAt) {
            break;
        }
        if (offset < sentAt + r.sent) {
            return r.at;  // inside the value: the reference itself
        }
        shift += static_cast<long long>(r.sent) - static_cast<long long>(r.written);
    }
    return static_cast<size_t>(static_cast<long long>(offset) - shift);
}

}  // namespace dbtool
