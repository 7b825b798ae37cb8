#include "db/scratch_database.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <random>

namespace dbtool::db {

ScratchDatabase::ScratchDatabase(const ConnectionTarget& target, const ConnectOptions& options,
                                 const std::string& purpose)
    : options_(options) {
    try {
        maintenance_ = Session::connect(target, options);
    } catch (const Error&) {
        // The target database may not exist yet (a fresh CI server): any database will do.
        maintenance_ = Session::connect(target.with("dbname", "postgres"), options);
    }
    std::random_device random;
    name_ = "dbtool_scratch_" + purpose + "_" + std::to_string(::getpid()) + "_" +
            std::to_string(random() % 1000000);
    createDatabase(*maintenance_, name_, "the scratch database");
    target_ = target.with("dbname", name_);
}

void createDatabase(Session& maintenance, const std::string& name, const std::string& what,
                    const std::string& clause) {
    try {
        maintenance.runScript("CREATE DATABASE " + maintenance.quoteIdent(name) +
                              (clause.empty() ? "" : " " + clause));
    } catch (const SqlError& e) {
        Error error(e.code(), "cannot create " + what + " " + name + ": " + e.what(), {},
                    e.server().sqlstate == "42501"
                        ? "the role needs the CREATEDB privilege (ALTER ROLE ... CREATEDB), or "
                          "run this against a server where it has it"
                        : e.hint());
        throw error.withField("sqlstate", e.server().sqlstate);
    }
}

ScratchDatabase::~ScratchDatabase() {
    try {
        // FORCE: a session the command left open (or the server still ending it) must not
        // keep the database alive.
        maintenance_->runScript("DROP DATABASE IF EXISTS " + maintenance_->quoteIdent(name_) +
                                " WITH (FORCE)");
    } catch (const std::exception& e) {
        spdlog::warn("could not drop the scratch database {}: {}; drop it by hand", name_,
                     e.what());
    }
}

std::unique_ptr<Session> ScratchDatabase::connect() const {
    return Session::connect(target_, options_);
}

}  // namespace dbtool::db
