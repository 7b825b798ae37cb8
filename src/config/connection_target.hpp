#pragma once

#include <string>
#include <utility>
#include <vector>

namespace dbtool {

// What to connect to: libpq keyword/value pairs, validated by libpq itself. Fields it does not
// set are left to libpq's own defaults (PGHOST, PGUSER, ~/.pgpass, ...). Print it only through
// redacted(): the password never leaves this object except to libpq.
class ConnectionTarget {
  public:
    ConnectionTarget() = default;

    // A postgres:// URL or a "key=value ..." conninfo string, parsed by PQconninfoParse.
    // Throws Error (ExitCode::Config) with libpq's reason, the input itself never repeated.
    static ConnectionTarget parse(const std::string& conninfo, const std::string& origin);
    // Discrete settings (host, port, dbname, user, password, sslmode, ...), checked by libpq.
    static ConnectionTarget fromParams(std::vector<std::pair<std::string, std::string>> params,
                                       const std::string& origin);

    const std::vector<std::pair<std::string, std::string>>& params() const { return params_; }
    // The value of a libpq keyword, or "" when unset.
    std::string get(const std::string& key) const;
    ConnectionTarget with(const std::string& key, const std::string& value) const;
    // The database name as the server will see it (dbname, else user, else libpq's default).
    std::string database() const;
    std::string password() const { return get("password"); }
    // Where the target came from ("--database-url", "DATABASE_URL (environment)", ...).
    const std::string& origin() const { return origin_; }

    // postgres://user:****@host:port/db?sslmode=... — safe for any output.
    std::string redacted() const;
    // postgres://user@host:port/db?sslmode=&application_name=... — every setting but the
    // password, for another program to connect with (libpq finds the password in
    // PGPASSWORD or ~/.pgpass).
    std::string withoutPassword() const;

  private:
    std::string render(bool redacted) const;

    std::vector<std::pair<std::string, std::string>> params_;
    std::string origin_;
};

}  // namespace dbtool
