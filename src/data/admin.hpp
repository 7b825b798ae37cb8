#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "config/connection_target.hpp"
#include "db/session.hpp"

namespace dbtool {

struct PingResult {
    std::string target;  // redacted
    std::string serverVersion;
    std::string user;
    std::string database;
    int64_t elapsedMs = 0;
};

PingResult ping(const ConnectionTarget& target, const db::ConnectOptions& options);

enum class CreateOutcome { Created, AlreadyExisted };
enum class DropOutcome { Dropped, DidNotExist };

// A session on the server's maintenance database ("postgres", else "template1"), with the
// target's host, port, user and password.
std::unique_ptr<db::Session> connectMaintenance(const ConnectionTarget& target,
                                                const db::ConnectOptions& options);

// Creates / drops the target's database through the server's maintenance database
// ("postgres", else "template1"), the way `createdb` / `dropdb` do.
CreateOutcome createDatabase(const ConnectionTarget& target, const db::ConnectOptions& options);
DropOutcome dropDatabase(const ConnectionTarget& target, const db::ConnectOptions& options);

}  // namespace dbtool
