#pragma once

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "base/errors.hpp"

namespace dbtool::report {

enum class Format { Text, Json, Csv };

// Where results go: text lines or one JSON document on stdout. Everything written passes
// through the secret redactor. Logs and progress go to stderr through spdlog instead.
class Output {
  public:
    Output(Format format, bool color, bool quiet, std::FILE* out = stdout);

    Format format() const { return format_; }
    bool json() const { return format_ == Format::Json; }
    bool quiet() const { return quiet_; }

    // A result line in text mode (ignored in JSON mode), flushed at once so a CI log shows
    // progress as it happens.
    void line(std::string_view text);
    // The result document in JSON mode (ignored in text mode).
    void document(const nlohmann::json& doc);
    // What a failure's JSON document holds besides "error": the work done before the failure,
    // in the shape of a successful run's document ({"steps": [...]} for migrate, {"seeds":
    // [...]} for seed). Commands append to it as units complete.
    nlohmann::json& doneSoFar() { return doneSoFar_; }
    const nlohmann::json& doneSoFar() const { return doneSoFar_; }
    // Raw text in any format (CSV output), redacted like everything else.
    void raw(std::string_view text);

    std::string bold(std::string_view s) const { return paint("1", s); }
    std::string green(std::string_view s) const { return paint("32", s); }
    std::string yellow(std::string_view s) const { return paint("33", s); }
    std::string red(std::string_view s) const { return paint("31", s); }
    std::string dim(std::string_view s) const { return paint("2", s); }

  private:
    std::string paint(const char* code, std::string_view s) const;

    Format format_;
    bool color_;
    bool quiet_;
    std::FILE* out_;
    nlohmann::json doneSoFar_ = nlohmann::json::object();
};

// Aligned text table; `header` may be empty. Cells may hold ANSI colour codes.
std::string renderTable(const std::vector<std::string>& header,
                        const std::vector<std::vector<std::string>>& rows);

// The error as shown to a person: "error: what", location, fields, hint.
// A file under the working directory as the user would type it ("migrations/x.sql"); any
// other path as it is.
SourceLocation shownLocation(SourceLocation where);

std::string renderError(const Error& error, bool color);
nlohmann::json errorToJson(const Error& error);

// Configures spdlog's default logger: stderr, redacted, coloured level names on a TTY.
// verbosity: -1 quiet (errors only), 0 normal (warnings), 1 verbose (debug).
void setUpLogging(int verbosity, bool color);

// True when colours should be used on this stream: a TTY, no NO_COLOR, no --no-color.
bool useColor(std::FILE* stream, bool noColorFlag);

}  // namespace dbtool::report
