#include "migrate/sql_lexer.hpp"

#include <algorithm>

namespace dbtool {

namespace {

// ASCII classes, as PostgreSQL's scanner has them (every byte from 0x80 is an identifier
// byte); inline instead of the C library's locale-aware calls, which were a tenth of loading
// 1,000 migrations.
bool isAsciiAlpha(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool isIdentStart(char c) {
    return isAsciiAlpha(c) || c == '_' || (static_cast<unsigned char>(c) >= 0x80);
}
bool isIdentChar(char c) {
    return isIdentStart(c) || (c >= '0' && c <= '9') || c == '$';
}

std::string upper(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        if (c >= 'a' && c <= 'z') {
            c = static_cast<char>(c - 'a' + 'A');
        }
    }
    return out;
}

class Lexer {
  public:
    explicit Lexer(std::string_view sql) : sql_(sql) {}

    LexedSql run() {
        size_t i = 0;
        bool atLineStart = true;
        while (i < sql_.size()) {
            const char c = sql_[i];
            if (c == '\n') {
                atLineStart = true;
                ++i;
                continue;
            }
            if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
                ++i;
                continue;
            }
            if (atLineStart && c == '\\') {
                size_t j = i + 1;
                while (j < sql_.size() && isAsciiAlpha(sql_[j])) {
                    ++j;
                }
                out_.metaCommands.push_back({i, std::string(sql_.substr(i, j - i))});
            }
            atLineStart = false;
            if (c == '-' && peek(i + 1) == '-') {
                while (i < sql_.size() && sql_[i] != '\n') {
                    ++i;
                }
                continue;
            }
            if (c == '/' && peek(i + 1) == '*') {
                i = skipBlockComment(i);
                continue;
            }
            if (c == ';' && parenDepth_ == 0 && atomicDepth_ == 0) {
                if (inStatement_) {
                    endStatement();
                }
                ++i;  // an empty statement (";;") is skipped, as the server does
                continue;
            }
            // Everything below is part of a statement.
            noteToken(i);
            if (c == ':') {
                if (peek(i + 1) == ':') {  // a cast
                    i += 2;
                    continue;
                }
                if (const size_t end = variableEnd(i); end != 0) {
                    lastTokenEnd_ = end;
                    i = end;
                    continue;
                }
            }
            if (c == '\'') {
                const bool escapes = i > 0 && (sql_[i - 1] == 'E' || sql_[i - 1] == 'e') &&
                                     (i < 2 || !isIdentChar(sql_[i - 2]));
                i = skipQuoted(i, '\'', escapes, "string literal");
                continue;
            }
            if (c == '"') {
                i = skipQuoted(i, '"', false, "quoted identifier");
                continue;
            }
            if (c == '$' && (i == 0 || !isIdentChar(sql_[i - 1]))) {
                if (size_t tagEnd = dollarTagEnd(i); tagEnd != 0) {
                    i = skipDollarQuoted(i, tagEnd);
                    continue;
                }
            }
            if (c == '(') {
                ++parenDepth_;
            } else if (c == ')' && parenDepth_ > 0) {
                --parenDepth_;
            }
            if (isIdentStart(c)) {
                size_t j = i;
                while (j < sql_.size() && isIdentChar(sql_[j])) {
                    ++j;
                }
                word(upper(sql_.substr(i, j - i)));
                lastTokenEnd_ = j;
                i = j;
                continue;
            }
            ++i;
        }
        if (inStatement_) {
            endStatement();
        }
        return out_;
    }

  private:
    char peek(size_t i) const { return i < sql_.size() ? sql_[i] : '\0'; }

    // :name, :'name' or :"name" at `i` (the ':'): records it and returns the offset after
    // it; 0 when no reference starts there. Names as psql's: a letter, '_' or a byte from
    // 0x80, then those and digits.
    size_t variableEnd(size_t i) {
        const char quote = peek(i + 1) == '\'' || peek(i + 1) == '"' ? peek(i + 1) : '\0';
        size_t j = i + 1 + (quote != '\0' ? 1 : 0);
        if (!isIdentStart(peek(j))) {
            return 0;
        }
        const size_t nameStart = j;
        while (j < sql_.size() && isIdentChar(sql_[j]) && sql_[j] != '$') {
            ++j;
        }
        const size_t nameEnd = j;
        if (quote != '\0') {
            if (peek(j) != quote) {
                return 0;
            }
            ++j;
        }
        out_.variables.push_back(
            {i, j - i, std::string(sql_.substr(nameStart, nameEnd - nameStart)), quote});
        return j;
    }

    void noteToken(size_t i) {
        if (!inStatement_) {
            inStatement_ = true;
            current_ = StatementSpan{};
            current_.begin = i;
            wordsSeen_ = 0;
        }
        lastTokenEnd_ = i + 1;
    }

    void word(const std::string& w) {
        if (wordsSeen_ == 0) {
            current_.firstWord = w;
        } else if (wordsSeen_ == 1) {
            current_.secondWord = w;
        }
        if (current_.leadingWords.size() < StatementSpan::kLeadingWords) {
            current_.leadingWords.push_back(w);
        }
        ++wordsSeen_;
        // SQL-standard function bodies: BEGIN ATOMIC ... END may hold semicolons; CASE ... END
        // inside such a body must not close it.
        if (w == "ATOMIC" && previousWord_ == "BEGIN") {
            ++atomicDepth_;
        } else if (atomicDepth_ > 0 && w == "CASE") {
            ++caseDepth_;
        } else if (atomicDepth_ > 0 && w == "END") {
            if (caseDepth_ > 0) {
                --caseDepth_;
            } else {
                --atomicDepth_;
            }
        }
        previousWord_ = w;
    }

    void endStatement() {
        current_.end = lastTokenEnd_;
        out_.statements.push_back(current_);
        inStatement_ = false;
        parenDepth_ = 0;
        previousWord_.clear();
    }

    size_t skipBlockComment(size_t i) {
        const size_t start = i;
        int depth = 0;
        while (i < sql_.size()) {
            if (sql_[i] == '/' && peek(i + 1) == '*') {
                ++depth;
                i += 2;
            } else if (sql_[i] == '*' && peek(i + 1) == '/') {
                --depth;
                i += 2;
                if (depth == 0) {
                    return i;
                }
            } else {
                ++i;
            }
        }
        unterminated(start, "/* comment */");
        return i;
    }

    size_t skipQuoted(size_t i, char quote, bool backslashEscapes, const char* what) {
        const size_t start = i;
        ++i;
        while (i < sql_.size()) {
            const char c = sql_[i];
            if (backslashEscapes && c == '\\') {
                i += 2;
                continue;
            }
            if (c == quote) {
                if (peek(i + 1) == quote) {
                    i += 2;
                    continue;
                }
                lastTokenEnd_ = i + 1;
                return i + 1;
            }
            ++i;
        }
        unterminated(start, what);
        return i;
    }

    // For "$tag$" at i, the index just past the closing '$' of the opening tag; 0 if not one.
    size_t dollarTagEnd(size_t i) const {
        size_t j = i + 1;
        if (j < sql_.size() && sql_[j] == '$') {
            return j + 1;
        }
        if (j >= sql_.size() || !isIdentStart(sql_[j])) {
            return 0;  // $1 is a parameter, not a quote
        }
        while (j < sql_.size() && isIdentChar(sql_[j]) && sql_[j] != '$') {
            ++j;
        }
        return (j < sql_.size() && sql_[j] == '$') ? j + 1 : 0;
    }

    size_t skipDollarQuoted(size_t i, size_t tagEnd) {
        const std::string_view tag = sql_.substr(i, tagEnd - i);
        const size_t close = sql_.find(tag, tagEnd);
        if (close == std::string_view::npos) {
            unterminated(i, "dollar-quoted string");
            return sql_.size();
        }
        lastTokenEnd_ = close + tag.size();
        return close + tag.size();
    }

    void unterminated(size_t offset, const char* what) {
        if (!out_.unterminated) {
            out_.unterminated = true;
            out_.unterminatedOffset = offset;
            out_.unterminatedWhat = what;
        }
        lastTokenEnd_ = sql_.size();
    }

    std::string_view sql_;
    LexedSql out_;
    bool inStatement_ = false;
    StatementSpan current_;
    size_t lastTokenEnd_ = 0;
    int parenDepth_ = 0;
    int atomicDepth_ = 0;
    int caseDepth_ = 0;
    int wordsSeen_ = 0;
    std::string previousWord_;
};

}  // namespace

LexedSql lexSql(std::string_view sql) {
    return Lexer(sql).run();
}

bool isTransactionControl(const StatementSpan& s) {
    const std::string& w = s.firstWord;
    if (w == "COMMIT" || w == "ROLLBACK" || w == "END" || w == "ABORT") {
        // ROLLBACK TO SAVEPOINT and COMMIT PREPARED are not the end of the transaction.
        return s.secondWord != "TO" && s.secondWord != "PREPARED";
    }
    if (w == "BEGIN") {
        return s.secondWord != "ATOMIC";
    }
    if (w == "START" || w == "PREPARE") {  // PREPARE TRANSACTION ends it too
        return s.secondWord == "TRANSACTION";
    }
    return false;
}

std::optional<std::string> mustRunOutsideTransaction(const StatementSpan& s) {
    const auto& w = s.leadingWords;
    auto has = [&](const char* word) { return std::find(w.begin(), w.end(), word) != w.end(); };
    auto at = [&](size_t i) { return i < w.size() ? w[i] : std::string(); };
    const std::string first = at(0);
    if (first == "CREATE" && (at(1) == "INDEX" || (at(1) == "UNIQUE" && at(2) == "INDEX")) &&
        has("CONCURRENTLY"))
        return "CREATE INDEX CONCURRENTLY";
    if (first == "DROP" && at(1) == "INDEX" && at(2) == "CONCURRENTLY")
        return "DROP INDEX CONCURRENTLY";
    if (first == "REINDEX" && has("CONCURRENTLY"))
        return "REINDEX CONCURRENTLY";
    if (first == "REINDEX" && (has("SYSTEM") || has("DATABASE")))
        return "REINDEX " + std::string(has("SYSTEM") ? "SYSTEM" : "DATABASE");
    if (first == "ALTER" && at(1) == "TABLE" && has("DETACH") && has("CONCURRENTLY"))
        return "ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY";
    if ((first == "CREATE" || first == "DROP") && (at(1) == "DATABASE" || at(1) == "TABLESPACE"))
        return first + " " + at(1);
    if (first == "ALTER" && at(1) == "SYSTEM")
        return "ALTER SYSTEM";
    if (first == "VACUUM")
        return "VACUUM";
    return std::nullopt;
}

}  // namespace dbtool
