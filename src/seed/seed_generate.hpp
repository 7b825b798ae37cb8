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
    // column; `randomKey` picks a key of a referenced table from a random number.
    using RandomKey = std::function<std::string(const std::string& table, uint64_t random)>;
    std::string render(int64_t row, uint64_t stream, const RandomKey& randomKey) const;

    bool isConstant() const;

  private:
    struct Part {
        std::string literal;  // when fn is empty
        std::string fn;
        std::vector<std::string> args;
        double a = 0, b = 0;     // parsed numeric arguments
        int64_t da = 0, db = 0;  // parsed dates (days since epoch)
    };
    std::vector<Part> parts_;
};

// Deterministic stream for (random seed, table, column, row): the same inputs give the same
// values on every machine and run; adding a column or a row changes no other value.
uint64_t valueStream(uint64_t randomSeed, const std::string& table, const std::string& column,
                     int64_t row);

// SplitMix64 step: the next random number of a stream.
uint64_t nextRandom(uint64_t& state);

}  // namespace dbtool
