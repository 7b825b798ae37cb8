#include "data/admin.hpp"

#include <libpq-fe.h>

#include <chrono>

#include "base/duration.hpp"
#include "base/errors.hpp"

namespace dbtool {

PingResult ping(const ConnectionTarget& target, const db::ConnectOptions& options) {
    const auto start = std::chrono::steady_clock::now();
    auto session = db::Session::connect(target, options);
    auto r = session->execParams(
        "SELECT current_setting('server_version'), current_user, "
        "current_database()");
    PingResult result;
    result.target = target.redacted();
    result.serverVersion = PQgetvalue(r.get(), 0, 0);
    result.user = PQgetvalue(r.get(), 0, 1);
    result.database = PQgetvalue(r.get(), 0, 2);
    result.elapsedMs = msSince(start);
    return result;
}

std::unique_ptr<db::Session> connectMaintenance(const ConnectionTarget& target,
                                                const db::ConnectOptions& options) {
    const std::string name = target.database();
    for (const char* maintenance : {"postgres", "template1"}) {
        if (name == maintenance) {
            continue;
        }
        try {
            return db::Session::connect(target.with("dbname", maintenance), options);
        } catch (const Error& e) {
            // Only a missing maintenance database is worth a second try.
            if (std::string(e.what()).find("does not exist") == std::string::npos) {
                throw;
            }
        }
    }
    throw Error(
        ExitCode::Connection,
        "cannot reach a maintenance database (postgres or template1) on " + target.redacted(), {},
        "create or drop the database with psql or createdb instead");
}

namespace {
bool databaseExists(db::Session& session, const std::string& name) {
    auto r = session.execParams("SELECT 1 FROM pg_database WHERE datname = $1", {name});
    return PQntuples(r.get()) > 0;
}
}  // namespace

CreateOutcome createDatabase(const ConnectionTarget& target, const db::ConnectOptions& options) {
    const std::string name = target.database();
    auto session = connectMaintenance(target, options);
    if (databaseExists(*session, name)) {
        return CreateOutcome::AlreadyExisted;
    }
    try {
        session->runScript("CREATE DATABASE " + session->quoteIdent(name));
    } catch (db::SqlError& e) {
        if (e.server().sqlstate == "42P04") {  // created concurrently by someone else
            return CreateOutcome::AlreadyExisted;
        }
        throw Error(
            e.code(), "cannot create database '" + name + "': " + e.what(), {},
            e.server().sqlstate == "42501" ? "the user needs the CREATEDB privilege" : e.hint());
    }
    return CreateOutcome::Created;
}

DropOutcome dropDatabase(const ConnectionTarget& target, const db::ConnectOptions& options) {
    const std::string name = target.database();
    auto session = connectMaintenance(target, options);
    if (!databaseExists(*session, name)) {
        return DropOutcome::DidNotExist;
    }
    try {
        session->runScript("DROP DATABASE IF EXISTS " + session->quoteIdent(name));
    } catch (db::SqlError& e) {
        std::string hint = e.hint();
        if (e.server().sqlstate == "55006") {
            hint =
                "other sessions are connected to it; close them (or stop the application) "
                "and retry";
        }
        throw Error(e.code(), "cannot drop database '" + name + "': " + e.what(), {}, hint)
            .withField("detail", e.server().detail);
    }
    return DropOutcome::Dropped;
}

}  // namespace dbtool
