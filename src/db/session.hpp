#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "base/errors.hpp"
#include "config/connection_target.hpp"
#include "config/lock_mode.hpp"

namespace dbtool::db {

// What the server said about a failed statement (libpq's error fields).
struct ServerError {
    std::string severity;
    std::string sqlstate;
    std::string message;
    std::string detail;
    std::string hint;
    std::string context;
    std::string schema;
    std::string table;
    std::string column;
    std::string constraint;
    int position = 0;  // 1-based character index into the statement text; 0 = unknown
    // 0-based index of the failing statement in a multi-statement script, if known.
    std::optional<int> statementIndex;
};

// A statement failed on the server. Carries the server's fields beside the usual Error facts.
class SqlError : public Error {
  public:
    SqlError(ExitCode code, std::string message, ServerError server)
        : Error(code, std::move(message)), server_(std::move(server)) {}
    const ServerError& server() const { return server_; }

  private:
    ServerError server_;
};

// The exit code a server error maps to (lock timeouts, cancellations, everything else).
ExitCode exitCodeFor(const std::string& sqlstate);
// An Error for `what` failing with `server`; fields carry sqlstate, detail, hint, ...
SqlError makeSqlError(const std::string& what, const ServerError& server);
ServerError serverErrorFrom(const PGresult* result);
// The Error a caller raises for a failed statement in its own words: `message` at `where`,
// with the server's facts (sqlstate, detail, constraint, ...) as fields and exit code, and
// the server's hint unless `hint` is given.
Error describeSqlError(const SqlError& e, std::string message, SourceLocation where = {},
                       std::optional<std::string> hint = std::nullopt);
// Error for a libpqxx exception caught around an internal query.
[[noreturn]] void rethrowPqxx(const std::string& what);

using ResultPtr = std::unique_ptr<PGresult, decltype(&PQclear)>;

// The handle-capturing connection: libpqxx owns the connection (transactions, quoting,
// parameterised queries), while the raw PGconn is reachable for what libpqxx 6 lacks
// (error fields, multi-statement results, COPY, cancellation).
class Connection;

struct ConnectOptions {
    int64_t waitMs = 0;  // keep retrying an unreachable server this long
    int64_t lockTimeoutMs = 0;
    int64_t statementTimeoutMs = 0;
    // How this session's runs lock (LockedRun): see config/lock_mode.hpp.
    LockMode lockMode = LockMode::Advisory;
    int64_t lockTtlMs = 30 * 1000;
    // Ctrl-C cancels the running statement of every open session with this set; a helper
    // connection (the lock heartbeat's) leaves that to the run's own.
    bool cancelTarget = true;
};

// One open connection to PostgreSQL with dbtool's session settings applied.
class Session {
  public:
    // Connects, retrying while the server is unreachable or starting up for up to
    // options.waitMs. Throws Error(ExitCode::Connection) with libpq's reason and the redacted
    // target; a wrong password or missing database fails at once.
    static std::unique_ptr<Session> connect(const ConnectionTarget& target,
                                            const ConnectOptions& options);
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    pqxx::connection_base& conn();
    PGconn* raw();
    const ConnectionTarget& target() const { return target_; }
    // The lock_timeout the session was opened with (0: wait forever).
    int64_t lockTimeoutMs() const { return options_.lockTimeoutMs; }
    // The options it was opened with (a second connection to the same target opens with them).
    const ConnectOptions& options() const { return options_; }
    std::string serverVersion();

    // Sends `sql` as one simple query (it may hold many statements, dollar quoting, DO
    // blocks) and waits for all of it. Throws SqlError with statementIndex set to the number of
    // statements that completed before the failure.
    void runScript(const std::string& sql);
    // Whether `qualifiedName` (as to_regclass reads it) names an existing relation.
    bool relationExists(const std::string& qualifiedName);
    // One statement with text parameters (nullopt = NULL), through libpq for the error fields.
    ResultPtr execParams(const std::string& sql,
                         const std::vector<std::optional<std::string>>& params = {});

    // As execParams, through a prepared statement cached by its text: batches of one shape
    // are parsed and planned once per session.
    ResultPtr execPrepared(const std::string& sql,
                           const std::vector<std::optional<std::string>>& params);

    // One step of a pipeline: a single statement and its text parameters.
    struct PipelineStep {
        std::string sql;
        std::vector<std::optional<std::string>> params;
        // Run through a prepared statement cached by its text (as execPrepared): planned once
        // per session instead of on every run.
        bool prepared = false;
    };
    // Sends every step in libpq's pipeline mode and syncs once: one round trip for all of
    // them. The server runs them in order and skips the rest after a failure; the result of
    // each step that ran is returned. Throws SqlError with statementIndex set to the index of
    // the failing step. Keep the whole pipeline small (a few tens of KiB): the steps are all
    // written before any result is read.
    std::vector<ResultPtr> pipeline(const std::vector<PipelineStep>& steps);
    // Forgets the statements prepared so far (they are prepared again on next use): for after
    // SQL that may have run DEALLOCATE, which no transaction rolls back.
    void forgetPrepared() { prepared_.clear(); }

    // Runs `copySql` (COPY ... FROM STDIN) and streams the data `produce` returns, chunk by
    // chunk, until it returns false. Returns the number of rows copied; throws SqlError.
    int64_t copyIn(const std::string& copySql, const std::function<bool(std::string&)>& produce);

    std::string quoteIdent(const std::string& name);
    // "schema"."name"
    std::string qualified(const std::string& schema, const std::string& name);

    // Readies the connection for the next target of a fleet run: DISCARD ALL takes away what
    // the last target's migrations left in the session (SET ROLE, session settings, temporary
    // tables, LISTENs) and the prepared statements (their text names its schema; kept, they
    // would pile up one set per target); dbtool's session settings stay; search_path is
    // `schema` alone, or the connection's default when empty. Call it outside a transaction.
    void switchTarget(const std::string& schema);

    // Called with each NOTICE/WARNING the server sends (default: logged at debug level).
    void onNotice(std::function<void(const std::string&)> handler);

  private:
    Session(std::unique_ptr<Connection> conn, ConnectionTarget target);
    // libpq's form of text parameters: pointers into `params`, nullptr for NULL.
    static std::vector<const char*> parameterValues(
        const std::vector<std::optional<std::string>>& params);
    // The name of the prepared statement of `sql`, preparing it on first use.
    const std::string& preparedName(const std::string& sql, int params);
    // lock_timeout and statement_timeout by query, when the startup packet could not carry
    // them (a pooler that refuses startup options).
    void applySettingsByQuery();

    std::unique_ptr<Connection> conn_;
    ConnectionTarget target_;
    ConnectOptions options_;
    bool settingsByQuery_ = false;
    PGcancel* cancel_ = nullptr;
    std::function<void(const std::string&)> noticeHandler_;
    std::map<std::string, std::string> prepared_;
    std::unique_ptr<pqxx::errorhandler> noticeForwarder_;
    friend class NoticeForwarder;
};

// A COPY ... FROM STDIN in progress, for data that arrives piece by piece (push style; see
// Session::copyIn for pull style). No other query can run on the session until it finishes.
// Destroyed unfinished (an exception), it aborts the COPY, which fails the transaction.
class CopyIn {
  public:
    CopyIn(Session& session, const std::string& copySql);
    ~CopyIn();
    CopyIn(const CopyIn&) = delete;
    CopyIn& operator=(const CopyIn&) = delete;

    // Sends rows in COPY's format (whole lines; any split is fine for the server).
    void write(const std::string& data);
    // The connection failed during the COPY (the server ended the session, the network went):
    // later writes are dropped, so stop producing rows and call finish() for the reason.
    bool broken() const { return broken_; }
    // Ends the COPY: the number of rows copied; throws SqlError when the server refused them.
    int64_t finish();

  private:
    PGconn* conn_;
    bool open_ = false;
    bool broken_ = false;  // the connection failed while sending; finish() reports why
};

}  // namespace dbtool::db
