#include "seed/csv_stream.hpp"

namespace dbtool {

namespace {
const char* const kQuotedEndMarker = "\"\\.\"";
}  // namespace

void CsvCopyStream::put(char c, std::string& out) {
    if (!held_.empty()) {
        const std::string held = held_;
        held_.clear();
        if (held == "\r") {
            out += '\n';  // CRLF, or a lone CR: a record end either way
            lineStart_ = true;
            if (c == '\n')
                return;
        } else if (held == "\\" && c == '.') {
            held_ = "\\.";
            return;
        } else if (held == "\\." && (c == '\n' || c == '\r')) {
            if (c == '\r') {
                held_ = "\\.\r";
                return;
            }
            out += kQuotedEndMarker;
            out += '\n';
            lineStart_ = true;
            return;
        } else if (held == "\\.\r") {
            out += kQuotedEndMarker;
            out += '\n';
            lineStart_ = true;
            if (c == '\n')
                return;
        } else {
            out += held;  // a line starting with \ or \. that goes on: data
            lineStart_ = false;
        }
    }
    if (inQuote_) {
        out += c;
        inQuote_ = c != '"';  // "" inside quotes closes and reopens: the same state
        return;
    }
    if (c == '"') {
        inQuote_ = true;
        out += c;
        lineStart_ = false;
    } else if (c == '\r') {
        held_ = "\r";
    } else if (c == '\n') {
        out += c;
        lineStart_ = true;
    } else if (c == '\\' && lineStart_) {
        held_ = "\\";
    } else {
        out += c;
        lineStart_ = false;
    }
}

std::string CsvCopyStream::feed(std::string_view chunk) {
    std::string out;
    out.reserve(chunk.size() + 8);
    for (const char c : chunk)
        put(c, out);
    return out;
}

std::string CsvCopyStream::finish() {
    std::string out;
    if (held_ == "\\." || held_ == "\\.\r") {
        out = kQuotedEndMarker;
        out += '\n';
    } else if (held_ == "\r") {
        out = "\n";
    } else {
        out = held_;
    }
    held_.clear();
    return out;
}

}  // namespace dbtool
