#include "testdb/template_key.hpp"

#include "base/text.hpp"

namespace dbtool::testdb {

namespace {

constexpr size_t kKeyDigits = 16;
constexpr const char* kMarker = "_tpl_";

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

}  // namespace dbtool::testdb
