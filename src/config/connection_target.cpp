#include "config/connection_target.hpp"

#include <libpq-fe.h>

#include <cctype>
#include <cstdlib>
#include <memory>

#include "base/errors.hpp"
#include "base/redact.hpp"

namespace dbtool {

namespace {
using ConninfoOptions = std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)>;

std::vector<std::pair<std::string, std::string>> explicitParams(PQconninfoOption* options) {
    std::vector<std::pair<std::string, std::string>> params;
    for (PQconninfoOption* o = options; o != nullptr && o->keyword != nullptr; ++o) {
        if (o->val != nullptr) {
            params.emplace_back(o->keyword, o->val);
        }
    }
    return params;
}

std::string stripTrailingNewline(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) {
        s.pop_back();
    }
    return s;
}

// Percent-encodes a URL component so the printed target is itself a valid URL.
std::string urlEncode(const std::string& s) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}
}  // namespace

ConnectionTarget ConnectionTarget::parse(const std::string& conninfo, const std::string& origin) {
    char* err = nullptr;
    ConninfoOptions options(PQconninfoParse(conninfo.c_str(), &err), &PQconninfoFree);
    if (!options) {
        std::string reason = err != nullptr ? stripTrailingNewline(err) : "out of memory";
        PQfreemem(err);
        throw Error(ExitCode::Config,
                    "invalid database URL from " + origin + ": " + redactConnectionStrings(reason),
                    {},
                    "use postgres://user:password@host:5432/dbname or "
                    "\"host=... dbname=... user=...\"");
    }
    ConnectionTarget target;
    target.params_ = explicitParams(options.get());
    target.origin_ = origin;
    return target;
}

ConnectionTarget ConnectionTarget::fromParams(
    std::vector<std::pair<std::string, std::string>> params, const std::string& origin) {
    // Build a conninfo string with libpq's quoting rules and let libpq validate the keywords.
    std::string conninfo;
    for (const auto& [key, value] : params) {
        std::string quoted = "'";
        for (char c : value) {
            if (c == '\'' || c == '\\') {
                quoted += '\\';
            }
            quoted += c;
        }
        quoted += "'";
        conninfo += key + "=" + quoted + " ";
    }
    return parse(conninfo, origin);
}

std::string ConnectionTarget::get(const std::string& key) const {
    for (const auto& [k, v] : params_) {
        if (k == key) {
            return v;
        }
    }
    return {};
}

ConnectionTarget ConnectionTarget::with(const std::string& key, const std::string& value) const {
    ConnectionTarget copy = *this;
    for (auto& [k, v] : copy.params_) {
        if (k == key) {
            v = value;
            return copy;
        }
    }
    copy.params_.emplace_back(key, value);
    return copy;
}

std::string ConnectionTarget::database() const {
    for (const char* key : {"dbname", "user"}) {
        if (std::string v = get(key); !v.empty()) {
            return v;
        }
    }
    for (const char* var : {"PGDATABASE", "PGUSER", "USER"}) {
        if (const char* v = std::getenv(var); v != nullptr && *v != '\0') {
            return v;
        }
    }
    return "postgres";
}

std::string ConnectionTarget::redacted() const {
    return render(true);
}

std::string ConnectionTarget::withoutPassword() const {
    return render(false);
}

std::string ConnectionTarget::render(bool redacted) const {
    std::string out = "postgres://";
    const std::string user = get("user");
    if (!user.empty()) {
        out += urlEncode(user);
    }
    const bool mark = redacted && !get("password").empty();
    if (mark) {
        out += ":****";
    }
    if (!user.empty() || mark) {
        out += "@";
    }
    std::string host = get("host");
    if (host.empty()) {
        host = get("hostaddr");
    }
    // A Unix socket directory is shown as a query parameter, as libpq's URL syntax has it.
    const bool socketDir = !host.empty() && host.front() == '/';
    if (!socketDir) {
        out += host;
    }
    if (const std::string port = get("port"); !port.empty()) {
        out += ":" + port;
    }
    out += "/" + urlEncode(get("dbname"));
    std::string query;
    if (socketDir) {
        query += "host=" + urlEncode(host);
    }
    for (const auto& [key, value] : params_) {
        if (key == "user" || key == "password" || key == "host" || key == "hostaddr" ||
            key == "port" || key == "dbname" || key == "application_name" ||
            key == "connect_timeout") {
            continue;
        }
        query += (query.empty() ? "" : "&") + key + "=" + urlEncode(value);
    }
    if (!query.empty()) {
        out += "?" + query;
    }
    return out;
}

}  // namespace dbtool
