#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace dbtool {

// Parses "30" (seconds), "500ms", "10s", "5min", "2h" into milliseconds. "0" means no limit.
// Throws Error (ExitCode::Usage) naming `what` when the text is not a duration.
int64_t parseDurationMs(const std::string& text, const std::string& what);

// "850 ms", "12.3 s", "4 min 5 s" — for humans.
std::string formatDurationMs(int64_t ms);

// Whole milliseconds since `start` (a steady clock: immune to clock changes).
int64_t msSince(std::chrono::steady_clock::time_point start);

}  // namespace dbtool
