#pragma once

#include <stdexcept>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace dbtool {

// The one exit-code table every command uses; documented in README "Exit codes".
enum class ExitCode : int {
    Ok = 0,
    Failure = 1,  // unexpected failure (a bug, or an I/O error such as an unwritable file)
    Usage = 2,    // bad command line
    Connection =
        3,       // cannot connect: unreachable, authentication, missing database, --wait expired
    Config = 4,  // bad dbtool.yaml, .env, database URL or setting value
    InvalidInput = 5,   // bad migration or seed files, found before anything runs
    Database = 6,       // a statement failed; the failing unit was rolled back
    Lock = 7,           // gave up waiting for a lock (another dbtool, or the application),
                        // or lost the run's lock row (lock_mode: table)
    Check = 8,          // files and database disagree: pending/changed/missing/out of order
    Interrupted = 130,  // SIGINT/SIGTERM; the running unit was rolled back
};

// Where an error is: a file and, when known, a 1-based line and column.
struct SourceLocation {
    std::string file;
    int line = 0;
    int column = 0;

    bool empty() const { return file.empty(); }
    // "file:line:col", "file:line" or "file".
    std::string str() const;
};

// The one error type of dbtool. It carries what went wrong, where, what to do about it and the
// exit code; main() is the only place that turns it into a message and an exit status.
class Error : public std::runtime_error {
  public:
    Error(ExitCode code, std::string message, SourceLocation where = {}, std::string hint = {})
        : std::runtime_error(std::move(message)),
          code_(code),
          where_(std::move(where)),
          hint_(std::move(hint)) {}

    ExitCode code() const { return code_; }
    const SourceLocation& where() const { return where_; }
    const std::string& hint() const { return hint_; }
    // Named facts shown under the message, e.g. {"sqlstate", "23505"}, {"detail", ...}.
    const std::vector<std::pair<std::string, std::string>>& fields() const { return fields_; }

    Error& withField(std::string name, std::string value) {
        if (!value.empty()) {
            fields_.emplace_back(std::move(name), std::move(value));
        }
        return *this;
    }
    Error& withHint(std::string hint) {
        hint_ = std::move(hint);
        return *this;
    }
    Error& withLocation(SourceLocation where) {
        where_ = std::move(where);
        return *this;
    }
    const std::string& field(const std::string& name) const;

    // One item of a list field: how a person reads it ("20240101090000 create_users (down)")
    // and its facts for JSON ({"version", ...}, {"name", ...}, {"direction", "down"}).
    struct ListItem {
        std::string text;
        std::vector<std::pair<std::string, std::variant<std::string, int64_t>>> facts;
    };
    struct ListField {
        std::string name;
        std::vector<ListItem> items;
        bool linePerItem = false;
    };
    // A list under the message ("applied in this run: a, b" / "none", or a "name: item" line
    // per item); an array of objects in JSON. Setting a name again replaces its list.
    Error& withList(std::string name, std::vector<ListItem> items, bool linePerItem = false);
    const std::vector<ListField>& lists() const { return lists_; }
    bool hasList(const std::string& name) const;

  private:
    ExitCode code_;
    SourceLocation where_;
    std::string hint_;
    std::vector<std::pair<std::string, std::string>> fields_;
    std::vector<ListField> lists_;
};

// "did you mean 'x'?" suggestion: the closest candidate by edit distance, or empty when none is
// close enough to be a plausible typo.
std::string closestMatch(const std::string& word, const std::vector<std::string>& candidates);
// ", did you mean 'x'?" or "" — for appending to a message.
std::string didYouMean(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace dbtool
