#include "seed/seed_generate.hpp"

#include <charconv>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <map>

namespace dbtool {

namespace {

const std::vector<std::string> kFirstNames = {
    "Ada",  "Alan",  "Alice", "Amara", "Ana",    "Ben",   "Bianca", "Carlos", "Chen",  "Chloe",
    "Dara", "David", "Elena", "Emil",  "Fatima", "Felix", "Grace",  "Hana",   "Hugo",  "Ines",
    "Ivan", "Jade",  "Jonas", "Kai",   "Kira",   "Lars",  "Lena",   "Leo",    "Lucia", "Malik",
    "Maya", "Mei",   "Nadia", "Noah",  "Olga",   "Omar",  "Paula",  "Priya",  "Quinn", "Rafael",
    "Rosa", "Sam",   "Sara",  "Tariq", "Tomas",  "Uma",   "Vera",   "Wei",    "Yusuf", "Zoe"};
const std::vector<std::string> kLastNames = {
    "Adams",    "Alvarez", "Bauer",  "Berg",   "Chen",    "Costa",  "Dubois",   "Eriksen",
    "Fischer",  "Garcia",  "Haddad", "Hansen", "Ito",     "Jensen", "Kaur",     "Kim",
    "Kowalski", "Larsen",  "Lopez",  "Martin", "Meyer",   "Moreau", "Nakamura", "Nguyen",
    "Novak",    "Okafor",  "Olsen",  "Patel",  "Pereira", "Petrov", "Quinn",    "Rossi",
    "Santos",   "Schmidt", "Silva",  "Singh",  "Smith",   "Suzuki", "Tanaka",   "Torres",
    "Varga",    "Wagner",  "Walker", "Weber",  "Wong",    "Yilmaz", "Young",    "Zhang",
    "Ziegler",  "Zimmer"};
const std::vector<std::string> kWords = {
    "amber",   "anchor",  "aspen",  "autumn",  "beacon", "birch",  "breeze", "bright",  "canyon",
    "cedar",   "cinder",  "clear",  "cloud",   "copper", "coral",  "crisp",  "dawn",    "delta",
    "drift",   "dusk",    "ember",  "field",   "flint",  "forest", "frost",  "garden",  "glade",
    "golden",  "granite", "harbor", "haven",   "hollow", "island", "ivory",  "jade",    "lantern",
    "light",   "maple",   "meadow", "mesa",    "mist",   "moss",   "north",  "oak",     "ocean",
    "orchard", "pebble",  "pine",   "prairie", "quartz", "quiet",  "rain",   "raven",   "reef",
    "ridge",   "river",   "rose",   "sage",    "sand",   "shore",  "silver", "slate",   "snow",
    "solar",   "spark",   "spring", "stone",   "storm",  "summer", "swift",  "thistle", "tide",
    "timber",  "trail",   "valley", "velvet",  "violet", "wander", "willow", "winter"};

uint64_t fnv1a(const std::string& s) {
    uint64_t h = 1469598103934665603ull;
    for (unsigned char c : s) {
        h ^= c;
        h *= 1099511628211ull;
    }
    return h;
}

int64_t daysFromCivil(int y, unsigned m, unsigned d) {
    y -= m <= 2;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

std::string civilFromDays(int64_t z) {
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t y = static_cast<int64_t>(yoe) + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned d = doy - (153 * mp + 2) / 5 + 1;
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;
    return fmt::format("{:04d}-{:02d}-{:02d}", y + (m <= 2), m, d);
}

bool parseDate(const std::string& s, int64_t& days) {
    int y = 0;
    unsigned m = 0, d = 0;
    if (s.size() != 10 || std::sscanf(s.c_str(), "%4d-%2u-%2u", &y, &m, &d) != 3 || m < 1 ||
        m > 12 || d < 1 || d > 31) {
        return false;
    }
    days = daysFromCivil(y, m, d);
    return true;
}

bool parseNumber(const std::string& s, double& out) {
    if (s.empty()) {
        return false;
    }
    char* end = nullptr;
    out = std::strtod(s.c_str(), &end);
    return end != nullptr && *end == '\0';
}

const std::map<std::string, std::pair<int, int>>& arity() {
    // name -> (min args, max args); -1 = any number
    static const std::map<std::string, std::pair<int, int>> a = {
        {"seq", {0, 1}},        {"int", {2, 2}},       {"float", {2, 3}}, {"bool", {0, 1}},
        {"first_name", {0, 0}}, {"last_name", {0, 0}}, {"name", {0, 0}},  {"username", {0, 0}},
        {"email", {0, 0}},      {"uuid", {0, 0}},      {"word", {0, 0}},  {"words", {1, 1}},
        {"sentence", {0, 1}},   {"paragraph", {0, 1}}, {"date", {2, 2}},  {"datetime", {2, 2}},
        {"pick", {1, -1}},      {"ref", {1, 1}}};
    return a;
}

std::vector<std::string> splitArgs(const std::string& inner, const SourceLocation& where) {
    std::vector<std::string> out;
    size_t i = 0;
    while (i < inner.size()) {
        while (i < inner.size() && std::isspace(static_cast<unsigned char>(inner[i]))) {
            ++i;
        }
        if (i >= inner.size()) {
            break;
        }
        if (inner[i] == '"') {
            const size_t close = inner.find('"', i + 1);
            if (close == std::string::npos) {
                throw Error(ExitCode::InvalidInput, "unterminated \" in {{" + inner + "}}", where);
            }
            out.push_back(inner.substr(i + 1, close - i - 1));
            i = close + 1;
        } else {
            size_t j = i;
            while (j < inner.size() && !std::isspace(static_cast<unsigned char>(inner[j]))) {
                ++j;
            }
            out.push_back(inner.substr(i, j - i));
            i = j;
        }
    }
    return out;
}

const std::string& pickFrom(const std::vector<std::string>& list, uint64_t r) {
    return list[r % list.size()];
}

}  // namespace

uint64_t nextRandom(uint64_t& state) {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

uint64_t valueStream(uint64_t randomSeed, const std::string& scope, const std::string& column,
                     int64_t row) {
    uint64_t state = randomSeed ^ fnv1a(scope) * 31 ^ fnv1a(column) * 131 ^
                     static_cast<uint64_t>(row) * 0x9E3779B97F4A7C15ull;
    nextRandom(state);
    return state;
}

uint64_t personStream(uint64_t randomSeed, const std::string& scope, int64_t row) {
    return valueStream(randomSeed, scope, "\x01person", row);
}

ValueTemplate ValueTemplate::compile(const std::string& text, const SourceLocation& where) {
    ValueTemplate t;
    size_t pos = 0;
    while (pos < text.size()) {
        const size_t open = text.find("{{", pos);
        if (open == std::string::npos) {
            t.parts_.push_back({text.substr(pos), "", {}, 0, 0, 0, 0});
            break;
        }
        if (open > pos) {
            t.parts_.push_back({text.substr(pos, open - pos), "", {}, 0, 0, 0, 0});
        }
        const size_t close = text.find("}}", open + 2);
        if (close == std::string::npos) {
            throw Error(ExitCode::InvalidInput, "unterminated {{ in template '" + text + "'", where,
                        "write {{function args}}, e.g. {{int 1 100}}");
        }
        auto words = splitArgs(text.substr(open + 2, close - open - 2), where);
        if (words.empty()) {
            throw Error(ExitCode::InvalidInput, "empty {{}} in template '" + text + "'", where);
        }
        Part part;
        part.fn = words[0];
        part.args.assign(words.begin() + 1, words.end());
        auto it = arity().find(part.fn);
        if (it == arity().end()) {
            std::vector<std::string> names;
            for (const auto& [name, _] : arity()) {
                names.push_back(name);
            }
            throw Error(ExitCode::InvalidInput,
                        "unknown template function '" + part.fn + "'" + didYouMean(part.fn, names),
                        where, "see README \"Generated rows\" for the functions");
        }
        const int n = static_cast<int>(part.args.size());
        if (n < it->second.first || (it->second.second >= 0 && n > it->second.second)) {
            throw Error(
                ExitCode::InvalidInput,
                "{{" + part.fn + "}} takes " +
                    (it->second.first == it->second.second
                         ? std::to_string(it->second.first)
                         : std::to_string(it->second.first) + " to " +
                               (it->second.second < 0 ? std::string("any number of")
                                                      : std::to_string(it->second.second))) +
                    " argument(s), not " + std::to_string(n),
                where, "see README \"Generated rows\"");
        }
        auto number = [&](size_t i, double& out) {
            if (!parseNumber(part.args[i], out)) {
                throw Error(ExitCode::InvalidInput,
                            "{{" + part.fn + "}}: '" + part.args[i] + "' is not a number", where);
            }
        };
        if (part.fn == "int") {
            // Whole numbers, kept exact (a double would round values near ±2^63).
            for (size_t i = 0; i < 2; ++i) {
                int64_t& bound = i == 0 ? part.da : part.db;
                const std::string& arg = part.args[i];
                const auto [end, ec] = std::from_chars(arg.data(), arg.data() + arg.size(), bound);
                if (ec != std::errc() || end != arg.data() + arg.size()) {
                    throw Error(ExitCode::InvalidInput,
                                "{{int}}: '" + arg +
                                    "' is not a whole number from -9223372036854775808 to "
                                    "9223372036854775807",
                                where, "e.g. {{int 1 100}}; {{float MIN MAX}} for decimals");
                }
            }
            if (part.db < part.da) {
                throw Error(ExitCode::InvalidInput, "{{int}}: the maximum is below the minimum",
                            where);
            }
        } else if (part.fn == "float") {
            number(0, part.a);
            number(1, part.b);
            if (part.b < part.a) {
                throw Error(ExitCode::InvalidInput,
                            "{{" + part.fn + "}}: the maximum is below the minimum", where);
            }
        } else if (part.fn == "seq" || part.fn == "bool" || part.fn == "words" ||
                   part.fn == "sentence" || part.fn == "paragraph") {
            part.a = part.fn == "bool" ? 0.5 : (part.fn == "seq" ? 1 : 0);
            if (n > 0) {
                number(0, part.a);
            }
        } else if (part.fn == "date" || part.fn == "datetime") {
            if (!parseDate(part.args[0], part.da) || !parseDate(part.args[1], part.db) ||
                part.db < part.da) {
                throw Error(ExitCode::InvalidInput,
                            "{{" + part.fn + "}} takes two dates FROM TO as YYYY-MM-DD, FROM <= TO",
                            where);
            }
        }
        if (part.fn == "float") {
            // Decimals: 0 to 15 (what a double holds).
            const std::string digits = n > 2 ? part.args[2] : "2";
            if (digits.empty() || digits.size() > 2 ||
                digits.find_first_not_of("0123456789") != std::string::npos ||
                std::stoi(digits) > 15) {
                throw Error(ExitCode::InvalidInput,
                            "{{float}}: the decimals, '" + digits +
                                "', must be a whole number from 0 to 15",
                            where, "e.g. {{float 0 100 2}}");
            }
            part.da = std::stoi(digits);
        }
        if ((part.fn == "words" || part.fn == "sentence" || part.fn == "paragraph") &&
            (part.a < 0 || part.a > 1000)) {
            throw Error(ExitCode::InvalidInput,
                        "{{" + part.fn + "}}: the count must be from 0 to 1000", where);
        }
        t.parts_.push_back(std::move(part));
        pos = close + 2;
    }
    return t;
}

std::vector<std::string> ValueTemplate::referencedTables() const {
    std::vector<std::string> out;
    for (const auto& p : parts_) {
        if (p.fn == "ref") {
            out.push_back(p.args[0]);
        }
    }
    return out;
}

bool ValueTemplate::isConstant() const {
    return std::all_of(parts_.begin(), parts_.end(), [](const Part& p) { return p.fn.empty(); });
}

std::string emailDomain(const std::string& seedName) {
    std::string slug;
    for (const char c : seedName) {
        const bool alnum = std::isalnum(static_cast<unsigned char>(c)) != 0;
        if (alnum)
            slug += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        else if (!slug.empty() && slug.back() != '-')
            slug += '-';
    }
    while (!slug.empty() && slug.back() == '-')
        slug.pop_back();
    return (slug.empty() ? std::string("seed") : slug) + ".example.com";
}

std::string ValueTemplate::render(int64_t row, uint64_t stream, uint64_t person,
                                  const RandomKey& randomKey,
                                  const std::string& emailDomain) const {
    std::string out;
    // A row's name parts agree across first_name, last_name, name, username and email, in
    // every column of the row.
    uint64_t nameState = person;
    const std::string& first = pickFrom(kFirstNames, nextRandom(nameState));
    const std::string& last = pickFrom(kLastNames, nextRandom(nameState));
    auto lower = [](std::string s) {
        for (char& c : s)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        return s;
    };
    for (const auto& p : parts_) {
        if (p.fn.empty()) {
            out += p.literal;
            continue;
        }
        const uint64_t r = nextRandom(stream);
        const double unit = static_cast<double>(r >> 11) * (1.0 / 9007199254740992.0);
        if (p.fn == "seq") {
            out += std::to_string(static_cast<int64_t>(p.a) + row);
        } else if (p.fn == "int") {
            // In unsigned arithmetic: the span of the full bigint range is 2^64 - 1.
            const uint64_t span = static_cast<uint64_t>(p.db) - static_cast<uint64_t>(p.da);
            const uint64_t offset = span == UINT64_MAX ? r : r % (span + 1);
            out += std::to_string(static_cast<int64_t>(static_cast<uint64_t>(p.da) + offset));
        } else if (p.fn == "float") {
            out += fmt::format("{:.{}f}", p.a + unit * (p.b - p.a), static_cast<int>(p.da));
        } else if (p.fn == "bool") {
            out += unit < p.a ? "true" : "false";
        } else if (p.fn == "first_name") {
            out += first;
        } else if (p.fn == "last_name") {
            out += last;
        } else if (p.fn == "name") {
            out += first + " " + last;
        } else if (p.fn == "username") {
            out += lower(first) + "_" + lower(last) + std::to_string(row + 1);
        } else if (p.fn == "email") {
            // The row number keeps emails unique within a table entry, the domain across files.
            out += lower(first) + "." + lower(last) + "." + std::to_string(row + 1) + "@" +
                   emailDomain;
        } else if (p.fn == "uuid") {
            const uint64_t r2 = nextRandom(stream);
            out +=
                fmt::format("{:08x}-{:04x}-4{:03x}-{:x}{:03x}-{:012x}", r >> 32, (r >> 16) & 0xffff,
                            r & 0xfff, 8 + (r2 >> 62), (r2 >> 48) & 0xfff, r2 & 0xffffffffffffull);
        } else if (p.fn == "word") {
            out += pickFrom(kWords, r);
        } else if (p.fn == "words" || p.fn == "sentence") {
            const int n = p.fn == "words"
                              ? static_cast<int>(p.a)
                              : (p.a > 0 ? static_cast<int>(p.a) : 6 + static_cast<int>(r % 7));
            std::string s;
            for (int i = 0; i < n; ++i) {
                s += (i ? " " : "") + pickFrom(kWords, nextRandom(stream));
            }
            if (p.fn == "sentence" && !s.empty()) {
                s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
                s += ".";
            }
            out += s;
        } else if (p.fn == "paragraph") {
            const int n = p.a > 0 ? static_cast<int>(p.a) : 3 + static_cast<int>(r % 3);
            for (int i = 0; i < n; ++i) {
                const int words = 6 + static_cast<int>(nextRandom(stream) % 7);
                std::string s;
                for (int w = 0; w < words; ++w) {
                    s += (w ? " " : "") + pickFrom(kWords, nextRandom(stream));
                }
                s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
                out += (i ? " " : "") + s + ".";
            }
        } else if (p.fn == "date") {
            out += civilFromDays(p.da +
                                 static_cast<int64_t>(r % static_cast<uint64_t>(p.db - p.da + 1)));
        } else if (p.fn == "datetime") {
            const int64_t seconds = (p.db - p.da + 1) * 86400;
            const int64_t at = static_cast<int64_t>(r % static_cast<uint64_t>(seconds));
            out += fmt::format("{} {:02d}:{:02d}:{:02d}+00", civilFromDays(p.da + at / 86400),
                               (at % 86400) / 3600, (at % 3600) / 60, at % 60);
        } else if (p.fn == "pick") {
            out += p.args[r % p.args.size()];
        } else if (p.fn == "ref") {
            out += randomKey(p.args[0], r);
        }
    }
    return out;
}

}  // namespace dbtool
