#pragma once

#include <string>
#include <string_view>

namespace dbtool {

// Rewrites a CSV file's bytes, chunk by chunk, so that COPY (FORMAT csv) reads exactly the
// records the file holds:
// - a record holding only \. (which COPY takes for its end-of-data marker, silently dropping
//   every row after it) is sent quoted, "\.", which COPY reads as the text \.;
// - record ends are sent as LF, so a file mixing CRLF and LF loads (COPY insists on one
//   style). Line breaks inside quoted fields are data and pass unchanged.
// The number of lines stays the same, so COPY's line numbers are the file's.
class CsvCopyStream {
  public:
    // The bytes to send for `chunk` (some may be held back until the next one decides them).
    std::string feed(std::string_view chunk);
    // The held-back bytes at the end of the file.
    std::string finish();

  private:
    void put(char c, std::string& out);

    bool inQuote_ = false;
    bool lineStart_ = true;
    std::string held_;  // "\r", or the start of a line that may still be \.: "\\", "\\.", "\\.\r"
};

}  // namespace dbtool
