#include "db/table_lock.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <random>

namespace dbtool::db {

namespace {

using Clock = std::chrono::steady_clock;

// "dbtool pid 4242 on build-7 (3f9c0a1e)": who holds the lock, for the waiting run's message;
// the random part keeps two runs with the same pid on different hosts apart.
std::string ownerToken() {
    char host[256] = {0};
    if (gethostname(host, sizeof host - 1) != 0)
        host[0] = '\0';
    std::random_device random;
    char tag[16];
    std::snprintf(tag, sizeof tag, "%08x", random());
    return "dbtool pid " + std::to_string(getpid()) + " on " +
           (host[0] != '\0' ? std::string(host) : std::string("an unnamed host")) + " (" + tag +
           ")";
}

ConnectOptions helperOptions(const Session& session) {
    ConnectOptions o = session.options();
    o.cancelTarget = false;
    o.waitMs = 0;
    return o;
}

std::string interval(int64_t ms) {
    return std::to_string(ms) + " milliseconds";
}

}  // namespace

TableLock::TableLock(Session& session, const std::string& schema,
                     const std::function<void(const std::string&)>& onWait)
    : session_(session),
      schema_(schema),
      table_(session.qualified(schema, kTable)),
      owner_(ownerToken()),
      ttlMs_(session.options().lockTtlMs) {
    createTable();
    // The heartbeat's connection first: without it the lock could not be kept.
    beatSession_ = Session::connect(session.target(), helperOptions(session));
    if (!tryTake()) {
        const std::string holder = describeHolder();
        if (onWait)
            onWait(holder);
        pollForLock(
            session_, "schema '" + schema_ + "'", [this] { return tryTake(); },
            [this] {
                return Error(ExitCode::Lock,
                             "another dbtool holds the lock on schema '" + schema_ + "' (" +
                                 describeHolder() + "); gave up after --lock-timeout",
                             {},
                             "wait for it to finish, or raise --lock-timeout; a killed run's "
                             "lock is taken over lock_ttl after its last heartbeat");
            });
    }
    beat_ = std::thread([this] { heartbeat(); });
}

TableLock::~TableLock() {
    {
        std::lock_guard<std::mutex> guard(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (beat_.joinable())
        beat_.join();
    // Released by this run's connection, or by the heartbeat's when that one is gone; when
    // neither can, the row expires.
    for (Session* s : {&session_, beatSession_.get()}) {
        if (s == nullptr)
            continue;
        try {
            s->execParams("DELETE FROM " + table_ + " WHERE name = 'run' AND owner = $1", {owner_});
            return;
        } catch (const std::exception& e) {
            spdlog::debug("releasing the lock row: {}", e.what());
        }
    }
}

void TableLock::createTable() {
    if (session_.relationExists(table_))
        return;
    try {
        session_.runScript("CREATE SCHEMA IF NOT EXISTS " + session_.quoteIdent(schema_) +
                           ";\nCREATE TABLE IF NOT EXISTS " + table_ +
                           " (name text PRIMARY KEY, owner text NOT NULL, acquired_at timestamptz "
                           "NOT NULL, heartbeat_at timestamptz NOT NULL, expires_at timestamptz "
                           "NOT NULL)");
    } catch (const SqlError& e) {
        // Another run created it at the same moment (PostgreSQL reports that race as a
        // unique violation of its catalog, a table or schema that already exists, or the
        // table's row type that already exists).
        const std::string& state = e.server().sqlstate;
        if (state != "23505" && state != "42P07" && state != "42P06" && state != "42710")
            throw;
    }
}

// Inserts the lock row, or takes over an expired one; says whose it took over.
bool TableLock::tryTake() {
    auto r = session_.execParams(
        "WITH previous AS (SELECT owner, heartbeat_at FROM " + table_ +
            " WHERE name = 'run') INSERT INTO " + table_ +
            " AS l (name, owner, acquired_at, heartbeat_at, expires_at) VALUES ('run', $1, now(), "
            "now(), now() + $2::interval) ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, "
            "acquired_at = excluded.acquired_at, heartbeat_at = excluded.heartbeat_at, expires_at "
            "= excluded.expires_at WHERE l.expires_at < now() RETURNING (SELECT owner || ', last "
            "heartbeat ' || round(extract(epoch FROM now() - heartbeat_at))::text || ' s ago' FROM "
            "previous)",
        {owner_, interval(ttlMs_)});
    if (PQntuples(r.get()) == 0)
        return false;
    if (PQgetisnull(r.get(), 0, 0) == 0) {
        spdlog::warn(
            "took over the lock on schema '{}' from {}: its run stopped without "
            "releasing it (killed, or its connection lost)",
            schema_, PQgetvalue(r.get(), 0, 0));
    }
    return true;
}

std::string TableLock::describeHolder() {
    try {
        auto r = session_.execParams(
            "SELECT owner, round(extract(epoch FROM now() - heartbeat_at))::text, "
            "round(extract(epoch FROM expires_at - now()))::text FROM " +
            table_ + " WHERE name = 'run'");
        if (PQntuples(r.get()) > 0) {
            return std::string("held by ") + PQgetvalue(r.get(), 0, 0) + ", last heartbeat " +
                   PQgetvalue(r.get(), 0, 1) + " s ago, expires in " + PQgetvalue(r.get(), 0, 2) +
                   " s without one";
        }
    } catch (const std::exception&) {
    }
    return "held by another run";
}

// Every third of the time to live: the row's expiry moves on. A row gone or owned by another
// run, or no heartbeat written for a whole time to live, loses the lock.
void TableLock::heartbeat() {
    const auto every = std::chrono::milliseconds(std::max<int64_t>(ttlMs_ / 3, 100));
    auto written = Clock::now();
    std::unique_lock<std::mutex> guard(mutex_);
    while (!wake_.wait_for(guard, every, [this] { return stopping_; })) {
        guard.unlock();
        try {
            if (!beatSession_)
                beatSession_ = Session::connect(session_.target(), helperOptions(session_));
            auto r = beatSession_->execParams(
                "UPDATE " + table_ +
                    " SET heartbeat_at = now(), expires_at = now() + $2::interval WHERE name = "
                    "'run' AND owner = $1 RETURNING 1",
                {owner_, interval(ttlMs_)});
            if (PQntuples(r.get()) == 0) {
                lost_ = true;  // taken over, or deleted by hand
                return;
            }
            written = Clock::now();
        } catch (const std::exception& e) {
            spdlog::debug("lock heartbeat: {}", e.what());
            beatSession_.reset();  // connect again at the next beat
            if (Clock::now() - written > std::chrono::milliseconds(ttlMs_)) {
                lost_ = true;
                return;
            }
        }
        guard.lock();
    }
}

std::string TableLock::lost() const {
    if (!lost_)
        return {};
    return "the lock row on schema '" + schema_ +
           "' expired without a heartbeat (its connection failed or the run stalled), or was "
           "taken over or deleted";
}

}  // namespace dbtool::db
