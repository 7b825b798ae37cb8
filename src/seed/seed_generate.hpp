#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "base/errors.hpp"

namespace dbtool {

// A compiled value template of `generate:`, e.g. "user{{seq}}@example.com" or
// "{{int 18 90}}". Functions (README "Generated rows"):
//   seq [START]          row number, from START (default 1)
//   int MIN MAX          float MIN MAX [DECIMALS]      bool [P_TRUE]
//   first_name last_name name username email           uuid
//   word  words N  sentence [WORDS]  paragraph [SENTENCES]
//   date FROM TO         datetime FROM TO   (YYYY-MM-DD)
//   pick A B "C D" ...   ref TABLE (the key of a random row of TABLE)
class ValueTemplate {
  public:
    // Throws Error(ExitCode::InvalidInput) at `where` for an unknown function or bad argument.
    static ValueTemplate compile(const std::string& text, const SourceLocation& where);

    // Tables named by {{ref TABLE}} in this template.
    std::vector<std::string> referencedTables() const;

    // The value for 0-based `row`. `stream` is the deterministic randomness of this row and
    // column; `person` that of the row alone (personStream), so first_name, last_name, name,
    // username and email agree across the columns of one row; `randomKey` picks a key of a
    // referenced table from a random number; {{email}} addresses end in @`emailDomain` (one
    // per seed file, so files never share an email).
    using RandomKey = std::function<std::string(const std::string& table, uint64_t random)>;
    std::string render(int64_t row, uint64_t stream, uint64_t person, const RandomKey& randomKey,
                       const std::string& emailDomain = "example.com") const;

    bool isConstant() const;

  private:
    struct Part {
        std::string literal;  // when fn is empty
        std::string fn;
        std::vector<std::string> args;
        double a = 0, b = 0;  // parsed numeric arguments
        // {{int}}'s bounds, exact; {{date}}'s days since epoch; {{float}}'s decimals (da).
        int64_t da = 0, db = 0;
    };
    std::vector<Part> parts_;
};

// The randomness of the person a generated row describes (the same for all its columns).
uint64_t personStream(uint64_t randomSeed, const std::string& scope, int64_t row);

// Deterministic stream for (random seed, scope, column, row): the same inputs give the same
// values on every machine and run; adding a column or a row changes no other value. The
// scope is the seed file and table ("004_more_users/public.users"), so two files generating
// into one table draw different values (UUIDs, names) from the same --random-seed.
uint64_t valueStream(uint64_t randomSeed, const std::string& scope, const std::string& column,
                     int64_t row);

// SplitMix64 step: the next random number of a stream.
uint64_t nextRandom(uint64_t& state);

// The {{email}} domain of a seed file: "004-more-users.example.com".
std::string emailDomain(const std::string& seedName);

}  // namespace dbtool
