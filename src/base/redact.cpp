#include "base/redact.hpp"

#include <algorithm>
#include <cctype>
#include <regex>

namespace dbtool {

namespace {
constexpr char kWord[] = "password";
}  // namespace

std::string redactConnectionStrings(std::string_view text) {
    // scheme://user:password@  — the password is everything up to the last '@' before the host.
    static const std::regex urlPassword(R"(([A-Za-z][A-Za-z0-9+.-]*://[^:/?#@\s]*:)[^@\s]*@)");
    // password=secret, password='se cret', ?password=secret&, PGPASSWORD=secret
    static const std::regex kvPassword(
        R"(((?:^|[\s?&;,(])(?:password|PGPASSWORD)\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s&;,)]*))",
        std::regex::icase);
    // Each pattern needs a word it cannot match without; most text (a status table of 1,000
    // rows) has neither, and is not run through the regex engines at all.
    std::string out(text);
    if (out.find("://") != std::string::npos) {
        out = std::regex_replace(out, urlPassword, "$1****@");
    }
    const auto password = std::search(
        out.begin(), out.end(), std::begin(kWord), std::end(kWord) - 1,
        [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; });
    if (password != out.end()) {
        out = std::regex_replace(out, kvPassword, "$1****");
    }
    return out;
}

SecretRegistry& SecretRegistry::instance() {
    static SecretRegistry registry;
    return registry;
}

void SecretRegistry::add(std::string secret) {
    // Very short secrets would mask ordinary words everywhere; those are still never printed
    // by the structured paths, which do not depend on this registry.
    if (secret.size() < 3 ||
        std::find(secrets_.begin(), secrets_.end(), secret) != secrets_.end()) {
        return;
    }
    secrets_.push_back(std::move(secret));
    // Longest first, so a secret containing another is masked whole.
    std::sort(secrets_.begin(), secrets_.end(),
              [](const auto& a, const auto& b) { return a.size() > b.size(); });
}

void SecretRegistry::clear() {
    secrets_.clear();
}

std::string SecretRegistry::redact(std::string_view text) const {
    std::string out = redactConnectionStrings(text);
    for (const auto& secret : secrets_) {
        size_t pos = 0;
        while ((pos = out.find(secret, pos)) != std::string::npos) {
            out.replace(pos, secret.size(), "****");
            pos += 4;
        }
    }
    return out;
}

}  // namespace dbtool
