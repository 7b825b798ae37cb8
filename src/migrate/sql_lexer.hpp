#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dbtool {

// One top-level statement of a SQL text: [begin, end) byte offsets, without the terminating
// semicolon, from its first token (leading white space and comments skipped).
struct StatementSpan {
    size_t begin = 0;
    size_t end = 0;
    // The statement's first keyword, upper-cased ("CREATE", "BEGIN", ...), "" if none.
    std::string firstWord;
    // The second keyword, upper-cased (to tell "BEGIN" from "BEGIN ATOMIC" and
    // "START TRANSACTION" from other uses).
    std::string secondWord;
    // The first kLeadingWords keywords and identifiers, upper-cased (literals, numbers and
    // punctuation skipped): enough to recognise statements by their opening words.
    static constexpr size_t kLeadingWords = 12;
    std::vector<std::string> leadingWords;
};

// A psql meta-command (\i, \copy, \set, ...) at the start of a line, outside any literal.
struct MetaCommandUse {
    size_t offset = 0;
    std::string command;  // e.g. "\\copy"
};

// A psql-style variable reference outside literals, quoted identifiers, dollar quotes and
// comments: :name (the raw value), :'name' (a quoted literal) or :"name" (a quoted
// identifier). `::` casts are not references. Substituted only in files that opt in
// (migrate/sql_variables.hpp).
struct VariableUse {
    size_t offset = 0;  // of the ':'
    size_t length = 0;  // through the closing quote, if any
    std::string name;
    char quote = 0;  // 0, '\'' or '"'
};

struct LexedSql {
    std::vector<StatementSpan> statements;
    std::vector<MetaCommandUse> metaCommands;
    std::vector<VariableUse> variables;
    // Set when the text ends inside a literal, quoted identifier, dollar quote or comment.
    bool unterminated = false;
    size_t unterminatedOffset = 0;
    std::string unterminatedWhat;
};

// Lexes PostgreSQL SQL the way the server splits a multi-statement query: it understands
// 'strings' (with '' and E'\'' escapes), "identifiers", $tag$ dollar quotes $tag$, -- and
// nested /* */ comments, parentheses (CREATE RULE bodies) and BEGIN ATOMIC ... END bodies.
// It does not parse SQL; dbtool sends statements to the server as written.
LexedSql lexSql(std::string_view sql);

// True for statements that end or start a transaction (BEGIN, COMMIT, ROLLBACK, END, ABORT,
// START TRANSACTION) — which would break dbtool's per-migration transaction.
bool isTransactionControl(const StatementSpan& statement);

// The statement's kind ("CREATE INDEX CONCURRENTLY", "VACUUM", ...) when PostgreSQL refuses to
// run it inside a transaction block, so a migration holding it needs transaction:false.
std::optional<std::string> mustRunOutsideTransaction(const StatementSpan& statement);

}  // namespace dbtool
