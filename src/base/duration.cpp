#include "base/duration.hpp"

#include <fmt/format.h>
#include <cctype>

#include "base/errors.hpp"

namespace dbtool {

int64_t parseDurationMs(const std::string& text, const std::string& what) {
    size_t i = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
        ++i;
    }
    std::string unit = text.substr(i);
    while (!unit.empty() && unit.front() == ' ') {
        unit.erase(0, 1);
    }
    int64_t factor = 0;
    if (unit.empty() || unit == "s" || unit == "sec") {
        factor = 1000;
    } else if (unit == "ms") {
        factor = 1;
    } else if (unit == "min" || unit == "m") {
        factor = 60'000;
    } else if (unit == "h") {
        factor = 3'600'000;
    }
    if (i == 0 || i > 9 || factor == 0) {
        throw Error(ExitCode::Usage, fmt::format("{}: '{}' is not a duration", what, text), {},
                    "use a whole number with an optional unit: 30, 500ms, 10s, 5min, 1h");
    }
    return std::stoll(text.substr(0, i)) * factor;
}

std::string formatDurationMs(int64_t ms) {
    if (ms < 1000) {
        return fmt::format("{} ms", ms);
    }
    if (ms < 60'000) {
        return fmt::format("{:.1f} s", static_cast<double>(ms) / 1000.0);
    }
    return fmt::format("{} min {} s", ms / 60'000, (ms % 60'000) / 1000);
}

int64_t msSince(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 start)
        .count();
}

}  // namespace dbtool
