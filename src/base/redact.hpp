#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace dbtool {

// Masks the password of every connection URL (scheme://user:secret@host) and key=value
// conninfo (password=secret) found in `text`.
std::string redactConnectionStrings(std::string_view text);

// Process-wide list of secrets that must never reach output. The CLI registers the resolved
// password here; every line written to stdout/stderr passes through redact(). Defence in depth:
// structured output already prints targets through ConnectionTarget::redacted().
class SecretRegistry {
  public:
    static SecretRegistry& instance();
    void add(std::string secret);
    void clear();
    // Replaces every registered secret with "****" and masks connection strings.
    std::string redact(std::string_view text) const;

  private:
    std::vector<std::string> secrets_;
};

inline std::string redact(std::string_view text) {
    return SecretRegistry::instance().redact(text);
}

}  // namespace dbtool
