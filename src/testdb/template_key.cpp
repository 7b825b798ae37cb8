#include "testdb/template_key.hpp"

#include "base/text.hpp"

namespace dbtool::testdb {

namespace {

constexpr size_t kKeyDigits = 16;
constexpr const char* kMarker = "_tpl_";
constexpr const char* kSpareMarker = "_spr_";
constexpr size_t kMarkerBytes = 5;

// `database` cut to at most `bytes`, at a character boundary.
std::string prefixOf(const std::string& database, size_t bytes) {
    if (database.size() <= bytes) {
        return database;
    }
    size_t end = bytes;
    while (end > 0 && (static_cast<unsigned char>(database[end]) & 0xC0) == 0x80) {
        --end;  // a continuation byte: the character starts earlier
    }
    return database.substr(0, end);
}

std::string prefixFor(const std::string& database) {
    return prefixOf(database,
                    kMaxDatabaseName - kKeyDigits - std::char_traits<char>::length(kMarker)) +
           kMarker;
}

}  // namespace

std::string templateKey(const std::vector<std::string>& contents) {
    Sha256 hash;
    hash.update("dbtool template format " + std::to_string(kTemplateFormat) + "\n");
    for (const auto& line : contents) {
        hash.update(line);
        hash.update("\n");
    }
    return hash.hex();
}

std::string templateName(const std::string& database, const std::string& key) {
    return prefixFor(database) + key.substr(0, kKeyDigits);
}

bool isTemplateOf(const std::string& name, const std::string& database) {
    const std::string prefix = prefixFor(database);
    if (!name.starts_with(prefix) || name.size() != prefix.size() + kKeyDigits) {
        return false;
    }
    return name.find_first_not_of("0123456789abcdef", prefix.size()) == std::string::npos;
}

std::string spareName(const std::string& templateName) {
    const size_t at = templateName.size() - kKeyDigits - kMarkerBytes;
    return templateName.substr(0, at) + kSpareMarker + templateName.substr(at + kMarkerBytes);
}

std::string templateOfSpare(const std::string& name) {
    if (name.size() < kKeyDigits + kMarkerBytes + 1) {
        return "";
    }
    const size_t at = name.size() - kKeyDigits - kMarkerBytes;
    if (name.compare(at, kMarkerBytes, kSpareMarker) != 0 ||
        name.find_first_not_of("0123456789abcdef", at + kMarkerBytes) != std::string::npos) {
        return "";
    }
    return name.substr(0, at) + kMarker + name.substr(at + kMarkerBytes);
}

}  // namespace dbtool::testdb
