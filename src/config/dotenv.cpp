#include "config/dotenv.hpp"

#include <cctype>
#include <fstream>
#include <sstream>

#include "base/errors.hpp"

namespace dbtool {

namespace {

bool isKeyStart(char c) {
    return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}
bool isKeyChar(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.';
}
bool isBlank(char c) {
    return c == ' ' || c == '\t';
}

class DotenvParser {
  public:
    DotenvParser(std::string_view text, const std::string& file) : text_(text), file_(file) {}

    std::vector<DotenvEntry> parse() {
        std::vector<DotenvEntry> entries;
        while (pos_ < text_.size()) {
            skipBlanks();
            if (atLineEnd()) {
                nextLine();
                continue;
            }
            if (peek() == '#') {
                skipToLineEnd();
                nextLine();
                continue;
            }
            entries.push_back(parseEntry());
        }
        return entries;
    }

  private:
    DotenvEntry parseEntry() {
        DotenvEntry entry;
        entry.line = line_;
        if (text_.substr(pos_, 7) == "export " || text_.substr(pos_, 7) == "export\t") {
            pos_ += 7;
            skipBlanks();
        }
        if (pos_ >= text_.size() || !isKeyStart(peek())) {
            fail("expected a variable name (letters, digits, '_'), as in KEY=VALUE");
        }
        while (pos_ < text_.size() && isKeyChar(peek())) {
            entry.key += text_[pos_++];
        }
        skipBlanks();
        if (pos_ >= text_.size() || peek() != '=') {
            fail("expected '=' after '" + entry.key + "', as in " + entry.key + "=VALUE");
        }
        ++pos_;
        skipBlanks();
        if (pos_ < text_.size() && (peek() == '"' || peek() == '\'')) {
            entry.value = parseQuoted(peek());
            skipBlanks();
            if (!atLineEnd() && peek() != '#') {
                fail("unexpected text after the closing quote");
            }
            skipToLineEnd();
        } else {
            entry.value = parseUnquoted();
        }
        nextLine();
        return entry;
    }

    std::string parseQuoted(char quote) {
        const int startLine = line_;
        const int startColumn = column();
        ++pos_;
        std::string value;
        while (pos_ < text_.size()) {
            const char c = text_[pos_++];
            if (c == quote) {
                return value;
            }
            if (c == '\n') {
                ++line_;
                lineStart_ = pos_;
            }
            if (quote == '"' && c == '\\' && pos_ < text_.size()) {
                const char e = text_[pos_++];
                switch (e) {
                    case 'n':
                        value += '\n';
                        break;
                    case 't':
                        value += '\t';
                        break;
                    case 'r':
                        value += '\r';
                        break;
                    case '"':
                        value += '"';
                        break;
                    case '\\':
                        value += '\\';
                        break;
                    case '$':
                        value += '$';
                        break;
                    default:
                        value += '\\';
                        value += e;
                }
                continue;
            }
            value += c;
        }
        throw Error(
            ExitCode::Config,
            std::string("unterminated ") + (quote == '"' ? "double" : "single") + "-quoted value",
            {file_, startLine, startColumn}, "add the closing " + std::string(1, quote));
    }

    std::string parseUnquoted() {
        const size_t start = pos_;
        size_t end = pos_;
        while (pos_ < text_.size() && text_[pos_] != '\n') {
            // A '#' starts a comment only after white space, so "a#b" stays a value.
            if (text_[pos_] == '#' && pos_ > start && isBlank(text_[pos_ - 1])) {
                break;
            }
            ++pos_;
            if (!isBlank(text_[pos_ - 1]) && text_[pos_ - 1] != '\r') {
                end = pos_;
            }
        }
        skipToLineEnd();
        return std::string(text_.substr(start, end - start));
    }

    char peek() const { return text_[pos_]; }
    bool atLineEnd() const {
        return pos_ >= text_.size() || text_[pos_] == '\n' ||
               (text_[pos_] == '\r' && (pos_ + 1 >= text_.size() || text_[pos_ + 1] == '\n'));
    }
    void skipBlanks() {
        while (pos_ < text_.size() && isBlank(text_[pos_])) {
            ++pos_;
        }
    }
    void skipToLineEnd() {
        while (pos_ < text_.size() && text_[pos_] != '\n') {
            ++pos_;
        }
    }
    void nextLine() {
        if (pos_ < text_.size() && text_[pos_] == '\r') {
            ++pos_;
        }
        if (pos_ < text_.size() && text_[pos_] == '\n') {
            ++pos_;
        }
        ++line_;
        lineStart_ = pos_;
    }
    int column() const { return static_cast<int>(pos_ - lineStart_) + 1; }
    [[noreturn]] void fail(const std::string& what) const {
        throw Error(ExitCode::Config, what, {file_, line_, column()},
                    "each line of a .env file is KEY=VALUE, a # comment, or blank");
    }

    std::string_view text_;
    const std::string& file_;
    size_t pos_ = 0;
    size_t lineStart_ = 0;
    int line_ = 1;
};

}  // namespace

std::vector<DotenvEntry> parseDotenv(std::string_view text, const std::string& file) {
    if (text.substr(0, 3) == "\xEF\xBB\xBF") {
        text.remove_prefix(3);
    }
    return DotenvParser(text, file).parse();
}

std::vector<DotenvEntry> readDotenvFile(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        if (!std::filesystem::exists(path)) {
            return {};
        }
        throw Error(ExitCode::Config, "cannot read " + path.string(), {path.string()});
    }
    std::ostringstream buffer;
    buffer << in.rdbuf();
    return parseDotenv(buffer.str(), path.string());
}

}  // namespace dbtool
