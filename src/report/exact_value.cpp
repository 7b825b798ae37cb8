#include "report/exact_value.hpp"

namespace dbtool::report {

namespace {

constexpr unsigned kBool = 16, kInt8 = 20, kInt2 = 21, kInt4 = 23, kJson = 114, kFloat4 = 700,
                   kFloat8 = 701, kJsonb = 3802;

// `text` as a JSON value when writing that value back gives `text` again (but for the key
// order of objects when `anyKeyOrder`), else nullopt.
std::optional<nlohmann::json> roundTrips(const std::string& text, bool anyKeyOrder) {
    try {
        const std::string compact = compactJson(text);
        if (anyKeyOrder) {
            // jsonb: PostgreSQL orders keys itself (shorter first); the order means nothing.
            if (nlohmann::ordered_json::parse(text).dump() == compact)
                return nlohmann::json::parse(text);
        } else if (auto value = nlohmann::json::parse(text); value.dump() == compact) {
            return value;
        }
    } catch (const nlohmann::json::exception&) {
        // not JSON nlohmann reads (e.g. a number out of double's range): stays text
    }
    return std::nullopt;
}

}  // namespace

std::string compactJson(const std::string& text) {
    std::string out;
    out.reserve(text.size());
    bool inString = false, escaped = false;
    for (const char c : text) {
        if (inString) {
            out += c;
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                inString = false;
        } else if (c == '"') {
            inString = true;
            out += c;
        } else if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
            out += c;
        }
    }
    return out;
}

nlohmann::json exactJsonValue(const std::optional<std::string>& text, unsigned typeOid) {
    if (!text)
        return nullptr;
    switch (typeOid) {
        case kBool:
            return *text == "t";
        case kInt2:
        case kInt4:
        case kInt8:
        case kFloat4:
        case kFloat8:
        case kJson:
        case kJsonb:
            if (auto value = roundTrips(*text, typeOid == kJsonb)) {
                // A JSON null or string inside json would read as SQL NULL or as text: those
                // stay their text ("null", "\"x\"").
                const bool json = typeOid == kJson || typeOid == kJsonb;
                if (value->is_number() ||
                    (json && (value->is_object() || value->is_array() || value->is_boolean())))
                    return *value;
            }
            return *text;
        default:
            return *text;
    }
}

}  // namespace dbtool::report
