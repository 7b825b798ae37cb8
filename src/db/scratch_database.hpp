#pragma once

#include <memory>
#include <string>

#include "config/connection_target.hpp"
#include "db/session.hpp"

namespace dbtool::db {

// CREATE DATABASE <name> <clause> through `maintenance`. A refusal becomes an Error that says
// what could not be made ("cannot create the template database x: ...") and, when the role
// lacks the privilege, that it needs CREATEDB.
void createDatabase(Session& maintenance, const std::string& name, const std::string& what,
                    const std::string& clause = {});

// A database that lives for one command on the server of a target (same host, port, user and
// password), and is always dropped: when the command ends, on an error and on Ctrl-C (a
// second Ctrl-C, which ends dbtool at once, leaves it behind under its dbtool_scratch_ name).
class ScratchDatabase {
  public:
    // Creates dbtool_scratch_<purpose>_<pid>_<random>, connected through the target's own
    // database (or `postgres` when that does not exist yet). Throws Error(ExitCode::Database)
    // saying the role needs CREATEDB when the server refuses.
    ScratchDatabase(const ConnectionTarget& target, const ConnectOptions& options,
                    const std::string& purpose);
    ~ScratchDatabase();
    ScratchDatabase(const ScratchDatabase&) = delete;
    ScratchDatabase& operator=(const ScratchDatabase&) = delete;

    const std::string& name() const { return name_; }
    // The scratch database as a connection target.
    const ConnectionTarget& target() const { return target_; }
    std::unique_ptr<Session> connect() const;

  private:
    ConnectOptions options_;
    std::unique_ptr<Session> maintenance_;
    std::string name_;
    ConnectionTarget target_;
};

}  // namespace dbtool::db
