#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dbtool {

// A PostgreSQL identifier, double-quoted ("my ""table"""): the same text PQescapeIdentifier
// gives for UTF-8, with no connection needed.
std::string quoteIdentifier(std::string_view name);

// Lower-case hex SHA-256 (OpenSSL libcrypto).
std::string sha256Hex(std::string_view data);

// Incremental SHA-256, for checksums over several files read in chunks.
class Sha256 {
  public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;
    void update(std::string_view data);
    // Adds a whole file, read in chunks; throws Error(ExitCode::InvalidInput) naming it.
    void updateFile(const std::filesystem::path& path);
    std::string hex();

  private:
    void* ctx_;
};

// Line and column (1-based; column counts UTF-8 code points) of byte `offset` in `text`.
struct LineColumn {
    int line = 1;
    int column = 1;
};
LineColumn lineColumnAt(std::string_view text, size_t offset);

// Byte offset of the 1-based character `position` (as PostgreSQL counts error positions).
size_t byteOffsetOfCharacter(std::string_view text, int position);

// The columns a terminal gives a code point: 2 for East Asian wide and fullwidth characters
// (CJK, Hangul, fullwidth forms, most emoji), 0 for combining marks and zero-width characters,
// 1 otherwise.
int codePointWidth(char32_t cp);
// The columns `text` (UTF-8) takes on a terminal; ANSI colour escapes take none. Bytes that
// are not UTF-8 count one each.
size_t displayWidth(std::string_view text);
// Decodes the UTF-8 character at `text[i]`: its code point and byte length (1 for a byte that
// does not start a valid character, whose code point is then the byte itself).
std::pair<char32_t, size_t> decodeUtf8(std::string_view text, size_t i);

// The first byte that is not valid UTF-8, if any.
std::optional<size_t> invalidUtf8Offset(std::string_view text);

// Reads a whole file (binary); throws Error(ExitCode::InvalidInput) naming it on failure.
std::string readFile(const std::filesystem::path& path);

// Strips a UTF-8 byte-order mark and turns CRLF line endings into LF.
std::string normalizeNewlines(std::string_view text);

// Joins the lines of a message into one: newlines, tabs and carriage returns become single
// spaces (libpq's messages end in newlines and indent continuation lines with tabs).
std::string oneLine(std::string text);

// "1 row", "3 rows", "0 rows"; `plural` for irregular words ("1 entry", "2 entries").
std::string plural(int64_t count, std::string_view singular, std::string_view pluralForm = {});

// The first few of `total` items, for a message: "17, 18, ..." (no "..." when all are there).
std::string firstFew(const std::vector<std::string>& shown, int64_t total);

}  // namespace dbtool
