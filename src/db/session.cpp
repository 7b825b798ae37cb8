#include "db/session.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <thread>

#include "base/redact.hpp"
#include "base/text.hpp"
#include "db/interrupt.hpp"

namespace dbtool::db {

namespace {

std::string field(const PGresult* r, int code) {
    const char* v = PQresultErrorField(r, code);
    return v != nullptr ? std::string(v) : std::string();
}

// libpqxx does not know about this handle until it has been made, so dbtool opens the
// connection itself (to control retries and classify failures) and hands it over. libpqxx
// reconnects silently after a lost connection; that would drop dbtool's advisory lock and
// session settings mid-run, so a second connect is refused instead.
class HandoverPolicy : public pqxx::connectionpolicy {
  public:
    explicit HandoverPolicy(PGconn* handle)
        : pqxx::connectionpolicy(std::string{}), pending_(handle) {}
    handle do_startconnect(handle orig) override {
        if (orig != nullptr) {
            return orig;
        }
        if (pending_ == nullptr) {
            throw pqxx::broken_connection(
                "the connection to the server was lost; dbtool does not reconnect mid-run");
        }
        current_ = pending_;
        pending_ = nullptr;
        return current_;
    }
    handle do_disconnect(handle orig) noexcept override {
        current_ = nullptr;
        return pqxx::connectionpolicy::do_disconnect(orig);
    }
    PGconn* current() const { return current_; }
    ~HandoverPolicy() noexcept override {
        if (pending_ != nullptr) {
            PQfinish(pending_);
        }
    }

  private:
    PGconn* pending_;
    PGconn* current_ = nullptr;
};

enum class ConnectFailure { Retryable, Final };

ConnectFailure classify(const std::string& message) {
    static const char* finalMarkers[] = {"password authentication failed",
                                         "no password supplied",
                                         "does not exist",
                                         "no pg_hba.conf entry",
                                         "authentication",
                                         "SSL",
                                         "permission denied",
                                         "invalid"};
    for (const char* marker : finalMarkers) {
        if (message.find(marker) != std::string::npos) {
            return ConnectFailure::Final;
        }
    }
    return ConnectFailure::Retryable;
}

// libpq's complaints about an option's value (connectOptions2): they come before any
// network activity and never say "connection to server".
bool isBadOption(const std::string& message) {
    return message.starts_with("invalid ") || message.starts_with("could not match ") ||
           message.starts_with("could not parse network address") ||
           (message.find(" value \"") != std::string::npos &&
            message.find("invalid when") != std::string::npos);
}

std::string connectHint(const std::string& message, const ConnectionTarget& target) {
    if (message.find("password") != std::string::npos) {
        return "check the password of user '" + target.get("user") + "' (in " + target.origin() +
               ", PGPASSWORD or ~/.pgpass)";
    }
    if (message.find("database") != std::string::npos &&
        message.find("does not exist") != std::string::npos) {
        return "create it with `dbtool db create`, or check the database name";
    }
    if (message.find("role") != std::string::npos &&
        message.find("does not exist") != std::string::npos) {
        return "check the user name, or create the role on the server";
    }
    return "is the server running and accepting connections there? In CI, --wait SECONDS "
           "keeps retrying while it starts";
}

}  // namespace

class Connection : public pqxx::connection_base {
  public:
    explicit Connection(PGconn* handle) : pqxx::connection_base(policy_), policy_(handle) {
        init();
    }
    ~Connection() noexcept { close(); }
    PGconn* raw() const { return policy_.current(); }

  private:
    HandoverPolicy policy_;
};

class NoticeForwarder : public pqxx::errorhandler {
  public:
    NoticeForwarder(pqxx::connection_base& conn, Session& session)
        : pqxx::errorhandler(conn), session_(session) {}
    bool operator()(const char msg[]) noexcept override {
        try {
            std::string text = msg;
            while (!text.empty() && text.back() == '\n') {
                text.pop_back();
            }
            if (session_.noticeHandler_) {
                session_.noticeHandler_(text);
            } else {
                spdlog::debug("server: {}", text);
            }
        } catch (...) {
        }
        return false;
    }

  private:
    Session& session_;
};

ExitCode exitCodeFor(const std::string& sqlstate) {
    if (sqlstate == "55P03") {
        return ExitCode::Lock;
    }
    if (sqlstate == "57014" && interrupted()) {
        return ExitCode::Interrupted;
    }
    if (sqlstate.starts_with("08") || sqlstate == "57P01" || sqlstate == "57P02" ||
        sqlstate == "57P03") {
        return ExitCode::Connection;
    }
    return ExitCode::Database;
}

ServerError serverErrorFrom(const PGresult* r) {
    ServerError e;
    e.severity = field(r, PG_DIAG_SEVERITY_NONLOCALIZED);
    e.sqlstate = field(r, PG_DIAG_SQLSTATE);
    e.message = field(r, PG_DIAG_MESSAGE_PRIMARY);
    if (e.message.empty()) {
        e.message = oneLine(PQresultErrorMessage(r));
    }
    e.detail = field(r, PG_DIAG_MESSAGE_DETAIL);
    e.hint = field(r, PG_DIAG_MESSAGE_HINT);
    e.context = field(r, PG_DIAG_CONTEXT);
    e.schema = field(r, PG_DIAG_SCHEMA_NAME);
    e.table = field(r, PG_DIAG_TABLE_NAME);
    e.column = field(r, PG_DIAG_COLUMN_NAME);
    e.constraint = field(r, PG_DIAG_CONSTRAINT_NAME);
    const std::string position = field(r, PG_DIAG_STATEMENT_POSITION);
    e.position = position.empty() ? 0 : std::stoi(position);
    return e;
}

SqlError makeSqlError(const std::string& what, const ServerError& server) {
    ExitCode code = exitCodeFor(server.sqlstate);
    std::string message = what.empty() ? server.message : what + ": " + server.message;
    SqlError error(code, redact(message), server);
    error.withField("sqlstate", server.sqlstate)
        .withField("detail", redact(server.detail))
        .withField("constraint", server.constraint)
        .withField("table", server.table)
        .withField("column name", server.column)
        .withField("context", redact(server.context));
    if (!server.hint.empty()) {
        error.withHint(redact(server.hint));
    } else if (code == ExitCode::Lock) {
        error.withHint(
            "another session holds a lock this statement needs; retry later or "
            "raise --lock-timeout");
    } else if (server.sqlstate == "57014" && code != ExitCode::Interrupted) {
        error.withHint("the statement ran longer than --statement-timeout");
    }
    return error;
}

Error describeSqlError(const SqlError& e, std::string message, SourceLocation where,
                       std::optional<std::string> hint) {
    Error error(e.code(), std::move(message), std::move(where), hint ? *hint : e.hint());
    for (const auto& [name, value] : e.fields()) {
        error.withField(name, value);
    }
    return error;
}

void rethrowPqxx(const std::string& what) {
    try {
        throw;
    } catch (const Error&) {
        throw;
    } catch (const pqxx::broken_connection& e) {
        throw Error(ExitCode::Connection, redact(what + ": connection lost: " + oneLine(e.what())));
    } catch (const pqxx::in_doubt_error& e) {
        throw Error(ExitCode::Database,
                    redact(what + ": the connection broke during COMMIT: " + oneLine(e.what())), {},
                    "the outcome is unknown; check `dbtool migrate status` before retrying");
    } catch (const pqxx::sql_error& e) {
        ServerError server;
        server.sqlstate = e.sqlstate();
        std::string text = e.what();
        // "ERROR:  message\nDETAIL: ..." -> message
        if (text.starts_with("ERROR:")) {
            text = text.substr(6);
        }
        server.message = oneLine(text.substr(0, text.find('\n')));
        throw makeSqlError(what, server);
    } catch (const std::exception& e) {
        throw Error(ExitCode::Database, redact(what + ": " + oneLine(e.what())));
    }
}

namespace {

// dbtool's session settings as the startup packet's `options` ("-c lock_timeout=5000ms ..."),
// after whatever options the user gave (the URL's, else PGOPTIONS): they arrive with the
// connection instead of costing a round trip each. Empty when a service file is in play, whose
// own options an explicit value would silently replace.
std::string startupOptions(const ConnectionTarget& target, const ConnectOptions& options) {
    if (!target.get("service").empty() || std::getenv("PGSERVICE") != nullptr) {
        return "";
    }
    std::string given = target.get("options");
    if (given.empty()) {
        const char* env = std::getenv("PGOPTIONS");
        given = env != nullptr ? env : "";
    }
    return given + (given.empty() ? "" : " ") +
           "-c lock_timeout=" + std::to_string(options.lockTimeoutMs) +
           "ms -c statement_timeout=" + std::to_string(options.statementTimeoutMs) + "ms";
}

// PgBouncer (and other poolers) refuse startup parameters they do not know.
bool startupOptionsRefused(const std::string& message) {
    return message.find("unsupported startup parameter") != std::string::npos;
}

}  // namespace

std::unique_ptr<Session> Session::connect(const ConnectionTarget& target,
                                          const ConnectOptions& options) {
    std::string settings = startupOptions(target, options);
    using Clock = std::chrono::steady_clock;
    const auto deadline = Clock::now() + std::chrono::milliseconds(options.waitMs);
    auto pause = std::chrono::milliseconds(100);
    int attempts = 0;
    for (;;) {
        ++attempts;
        std::vector<const char*> keys;
        std::vector<const char*> values;
        for (const auto& [k, v] : target.params()) {
            if (k == "options" && !settings.empty()) {
                continue;
            }
            keys.push_back(k.c_str());
            values.push_back(v.c_str());
        }
        if (!settings.empty()) {
            keys.push_back("options");
            values.push_back(settings.c_str());
        }
        keys.push_back(nullptr);
        values.push_back(nullptr);
        PGconn* handle = PQconnectdbParams(keys.data(), values.data(), 0);
        if (handle != nullptr && PQstatus(handle) == CONNECTION_OK) {
            spdlog::debug("connected to {} (attempt {})", target.redacted(), attempts);
            std::unique_ptr<Session> session(
                new Session(std::make_unique<Connection>(handle), target));
            session->options_ = options;
            if (options.cancelTarget)
                addCancelTarget(session->cancel_);
            session->settingsByQuery_ = settings.empty();
            if (session->settingsByQuery_)
                session->applySettingsByQuery();
            return session;
        }
        std::string message = handle != nullptr ? oneLine(PQerrorMessage(handle)) : "out of memory";
        PQfinish(handle);
        if (!settings.empty() && startupOptionsRefused(message)) {
            spdlog::debug("the server refused startup options ({}); setting them by query",
                          message);
            settings.clear();
            --attempts;
            continue;
        }
        if (isBadOption(message)) {
            // libpq checks option values only when connecting; a bad one is the URL's fault.
            throw Error(ExitCode::Config,
                        redact("invalid database URL from " + target.origin() + ": " + message), {},
                        "fix the value in " + target.origin() +
                            "; the options and their values are those of libpq: "
                            "https://www.postgresql.org/docs/15/libpq-connect.html"
                            "#LIBPQ-PARAMKEYWORDS");
        }
        const bool retry = classify(message) == ConnectFailure::Retryable &&
                           Clock::now() < deadline && !interrupted();
        if (!retry) {
            std::string text = "cannot connect to " + target.redacted() + ": " + message;
            if (attempts > 1) {
                text += " (gave up after " + std::to_string(attempts) + " attempts)";
            }
            throw Error(interrupted() ? ExitCode::Interrupted : ExitCode::Connection, redact(text),
                        {}, connectHint(message, target))
                .withField("target from", target.origin());
        }
        spdlog::debug("server not ready ({}), retrying", redact(message));
        // Sleep, but never past the deadline: the last attempt happens at the deadline.
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        std::this_thread::sleep_for(std::max(std::chrono::milliseconds(1), std::min(pause, left)));
        pause = std::min(pause * 2, std::chrono::milliseconds(1000));
    }
}

Session::Session(std::unique_ptr<Connection> conn, ConnectionTarget target)
    : conn_(std::move(conn)), target_(std::move(target)) {
    noticeForwarder_ = std::make_unique<NoticeForwarder>(*conn_, *this);
    cancel_ = PQgetCancel(conn_->raw());
}

Session::~Session() {
    clearCancelTarget(cancel_);
    noticeForwarder_.reset();
    conn_.reset();
    if (cancel_ != nullptr) {
        PQfreeCancel(cancel_);
    }
}

pqxx::connection_base& Session::conn() {
    return *conn_;
}
PGconn* Session::raw() {
    return conn_->raw();
}

bool Session::relationExists(const std::string& qualifiedName) {
    auto r = execParams("SELECT to_regclass($1) IS NOT NULL", {qualifiedName});
    return PQgetvalue(r.get(), 0, 0)[0] == 't';
}

std::string Session::serverVersion() {
    auto r = execParams("SHOW server_version");
    return PQgetvalue(r.get(), 0, 0);
}

void Session::onNotice(std::function<void(const std::string&)> handler) {
    noticeHandler_ = std::move(handler);
}

void Session::runScript(const std::string& sql) {
    PGconn* c = raw();
    if (PQsendQuery(c, sql.c_str()) == 0) {
        ServerError e;
        e.message = oneLine(PQerrorMessage(c));
        throw makeSqlError("", e);
    }
    int completed = 0;
    std::optional<ServerError> failure;
    while (PGresult* raw = PQgetResult(c)) {
        ResultPtr result(raw, &PQclear);
        switch (PQresultStatus(raw)) {
            case PGRES_COMMAND_OK:
            case PGRES_TUPLES_OK:
                ++completed;
                break;
            case PGRES_EMPTY_QUERY:
                break;
            case PGRES_COPY_IN:
                // Nothing to send: COPY ... FROM STDIN data cannot be part of a SQL file here.
                PQputCopyEnd(c,
                             "COPY FROM STDIN is not supported in a migration; use a seed "
                             "with csv: instead");
                break;
            case PGRES_COPY_OUT: {
                char* buffer = nullptr;
                while (PQgetCopyData(c, &buffer, 0) > 0) {
                    PQfreemem(buffer);
                }
                ++completed;
                break;
            }
            default:
                if (!failure) {
                    failure = serverErrorFrom(raw);
                    failure->statementIndex = completed;
                }
        }
    }
    if (failure) {
        if (PQstatus(c) == CONNECTION_BAD && failure->sqlstate.empty()) {
            failure->sqlstate = "08006";
        }
        throw makeSqlError("", *failure);
    }
}

std::vector<const char*> Session::parameterValues(
    const std::vector<std::optional<std::string>>& params) {
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const auto& p : params) {
        values.push_back(p ? p->c_str() : nullptr);
    }
    return values;
}

ResultPtr Session::execParams(const std::string& sql,
                              const std::vector<std::optional<std::string>>& params) {
    const auto values = parameterValues(params);
    ResultPtr result(PQexecParams(raw(), sql.c_str(), static_cast<int>(values.size()), nullptr,
                                  values.data(), nullptr, nullptr, 0),
                     &PQclear);
    const auto status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        ServerError e = result ? serverErrorFrom(result.get()) : ServerError{};
        if (e.message.empty()) {
            e.message = oneLine(PQerrorMessage(raw()));
        }
        if (PQstatus(raw()) == CONNECTION_BAD && e.sqlstate.empty()) {
            e.sqlstate = "08006";
        }
        throw makeSqlError("", e);
    }
    return result;
}

namespace {
ResultPtr checked(PGconn* conn, PGresult* raw) {
    ResultPtr result(raw, &PQclear);
    const auto status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        ServerError e = result ? serverErrorFrom(result.get()) : ServerError{};
        if (e.message.empty()) {
            e.message = oneLine(PQerrorMessage(conn));
        }
        if (PQstatus(conn) == CONNECTION_BAD && e.sqlstate.empty()) {
            e.sqlstate = "08006";
        }
        throw makeSqlError("", e);
    }
    return result;
}
}  // namespace

const std::string& Session::preparedName(const std::string& sql, int params) {
    auto it = prepared_.find(sql);
    if (it == prepared_.end()) {
        const std::string name = "dbtool_" + std::to_string(prepared_.size() + 1);
        checked(raw(), PQprepare(raw(), name.c_str(), sql.c_str(), params, nullptr));
        it = prepared_.emplace(sql, name).first;
    }
    return it->second;
}

void Session::applySettingsByQuery() {
    auto set = [&](const char* name, int64_t ms) {
        execParams(std::string("SELECT set_config('") + name + "', $1, false)",
                   {std::to_string(ms) + "ms"});
    };
    set("lock_timeout", options_.lockTimeoutMs);
    set("statement_timeout", options_.statementTimeoutMs);
}

void Session::switchTarget(const std::string& schema) {
    // Alone: DISCARD ALL refuses to run in the implicit transaction of a multi-statement query.
    runScript("DISCARD ALL");
    prepared_.clear();
    if (settingsByQuery_)
        applySettingsByQuery();  // RESET ALL took them back to the server's defaults
    if (!schema.empty())
        runScript("SET search_path TO " + quoteIdent(schema));
}

ResultPtr Session::execPrepared(const std::string& sql,
                                const std::vector<std::optional<std::string>>& params) {
    const std::string& name = preparedName(sql, static_cast<int>(params.size()));
    const auto values = parameterValues(params);
    return checked(raw(), PQexecPrepared(raw(), name.c_str(), static_cast<int>(values.size()),
                                         values.data(), nullptr, nullptr, 0));
}

int64_t Session::copyIn(const std::string& copySql,
                        const std::function<bool(std::string&)>& produce) {
    CopyIn copy(*this, copySql);
    std::string chunk;
    bool more = true;
    while (more && !copy.broken()) {  // a dead connection ends the rows here, not at their end
        chunk.clear();
        more = produce(chunk);
        copy.write(chunk);
    }
    return copy.finish();
}

CopyIn::CopyIn(Session& session, const std::string& copySql) : conn_(session.raw()) {
    ResultPtr start(PQexec(conn_, copySql.c_str()), &PQclear);
    if (!start || PQresultStatus(start.get()) != PGRES_COPY_IN) {
        checked(conn_, start.release());
        throw Error(ExitCode::Database, "COPY did not start");
    }
    open_ = true;
}

CopyIn::~CopyIn() {
    if (open_) {
        PQputCopyEnd(conn_, "aborted by dbtool");
        while (PGresult* r = PQgetResult(conn_)) {
            PQclear(r);
        }
    }
}

void CopyIn::write(const std::string& data) {
    if (data.empty() || broken_) {
        return;
    }
    if (PQputCopyData(conn_, data.data(), static_cast<int>(data.size())) != 1) {
        broken_ = true;  // the connection failed; finish() says why
    }
}

int64_t CopyIn::finish() {
    open_ = false;
    PQputCopyEnd(conn_, nullptr);
    ResultPtr end(PQgetResult(conn_), &PQclear);
    while (PGresult* extra = PQgetResult(conn_)) {
        PQclear(extra);
    }
    auto result = checked(conn_, end.release());
    const char* tuples = PQcmdTuples(result.get());
    return tuples != nullptr && *tuples != '\0' ? std::stoll(tuples) : 0;
}

std::string Session::quoteIdent(const std::string& name) {
    return quoteIdentifier(name);
}

std::string Session::qualified(const std::string& schema, const std::string& name) {
    return quoteIdent(schema) + "." + quoteIdent(name);
}

}  // namespace dbtool::db
