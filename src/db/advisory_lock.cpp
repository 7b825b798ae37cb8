#include "db/advisory_lock.hpp"

#include <spdlog/spdlog.h>

#include <cstring>

#include "base/text.hpp"

namespace dbtool::db {

int64_t AdvisoryLock::keyFor(const std::string& scope) {
    const std::string hex = sha256Hex("dbtool:" + scope);
    return static_cast<int64_t>(std::stoull(hex.substr(0, 16), nullptr, 16));
}

bool AdvisoryLock::tryLock() {
    auto tried =
        session_.execParams("SELECT pg_try_advisory_lock($1::bigint)", {std::to_string(key_)});
    return std::strcmp(PQgetvalue(tried.get(), 0, 0), "t") == 0;
}

AdvisoryLock::AdvisoryLock(Session& session, const std::string& scope,
                           const std::function<void(const std::string&)>& onWait,
                           const std::string& what)
    : session_(session), key_(keyFor(scope)) {
    const std::string locked = what.empty() ? "schema '" + scope + "'" : what;
    if (tryLock()) {
        return;
    }
    const std::string holder = describeHolder();
    if (onWait) {
        onWait(holder);
    }
    pollForLock(
        session_, locked, [this] { return tryLock(); },
        [&] {
            return Error(
                ExitCode::Lock,
                "another dbtool holds the lock on " + locked + " (" + holder +
                    "); gave up after --lock-timeout",
                {},
                std::string("wait for it to finish, or raise --lock-timeout") +
                    (what.empty() ? "; `dbtool migrate status` shows what is applied" : ""));
        });
}

AdvisoryLock::~AdvisoryLock() {
    try {
        session_.execParams("SELECT pg_advisory_unlock($1::bigint)", {std::to_string(key_)});
    } catch (const std::exception& e) {
        // The connection is gone: the server has released the lock with it.
        spdlog::debug("advisory unlock: {}", e.what());
    }
}

std::string AdvisoryLock::describeHolder() {
    const auto ukey = static_cast<uint64_t>(key_);
    try {
        auto r = session_.execParams(
            "SELECT a.pid::text, coalesce(a.application_name, ''), "
            "coalesce(to_char(a.backend_start, 'YYYY-MM-DD HH24:MI:SS'), '') "
            "FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.granted AND l.classid = $1::bigint::oid "
            "AND l.objid = $2::bigint::oid AND l.objsubid = 1",
            {std::to_string(ukey >> 32), std::to_string(ukey & 0xffffffffu)});
        if (PQntuples(r.get()) > 0) {
            return std::string("held by pid ") + PQgetvalue(r.get(), 0, 0) + ", " +
                   (*PQgetvalue(r.get(), 0, 1) != '\0' ? PQgetvalue(r.get(), 0, 1)
                                                       : "unnamed client") +
                   ", connected since " + PQgetvalue(r.get(), 0, 2);
        }
    } catch (const std::exception&) {
    }
    return "held by another session";
}

}  // namespace dbtool::db
