#include "db/locked_run.hpp"

#include "db/interrupt.hpp"

namespace dbtool::db {

LockedRun::LockedRun(Session& session, const std::string& scope,
                     const std::function<void(const std::string&)>& onWait,
                     std::string completedField)
    : session_(session),
      lock_(takeRunLock(session, scope, onWait)),
      completedField_(std::move(completedField)) {}

void LockedRun::rollBackAtEnd() {
    outer_ = std::make_unique<pqxx::work>(session_.conn());
}

void LockedRun::checkInterrupted(const std::string& next) const {
    if (interrupted()) {
        throw Error(ExitCode::Interrupted, "interrupted before " + next)
            .withList(completedField_, completed_);
    }
    checkLockHeld("before " + next);
}

void LockedRun::checkLockHeld(const std::string& when) const {
    if (const std::string why = lock_->lost(); !why.empty()) {
        throw Error(ExitCode::Lock,
                    "stopped" + (when.empty() ? std::string() : " " + when) +
                        ": this run lost its lock: " + why,
                    {},
                    "run it again: what was applied is recorded; check that no other dbtool ran "
                    "at the same time (lock_ttl may be too short for this connection)")
            .withList(completedField_, completed_);
    }
}

void LockedRun::annotate(Error& error, const UnitOfWork& unit) const {
    // A caller that already said these (its own failure report) is not repeated.
    auto add = [&](const std::string& name, const std::string& value) {
        if (!name.empty() && error.field(name).empty()) {
            error.withField(name, value);
        }
    };
    add(unit.kind, unit.name);
    if (!error.hasList(completedField_))
        error.withList(completedField_, completed_);
    add("outcome", unit.onFailure);
}

namespace {
// Ctrl-C reads the same whether it cancelled a statement on the server ("canceling statement
// due to user request") or was seen at a checkpoint between rows: "interrupted while ...".
[[noreturn]] void throwSaid(const Error& e, const UnitOfWork& unit) {
    const std::string what = e.what();
    if (e.code() != ExitCode::Interrupted || what.starts_with("interrupted while")) {
        throw e;
    }
    // The server's words about its cancelled statement (sqlstate 57014, its context) are
    // left out: what was stopped, what was done and what is left is what matters.
    Error said(ExitCode::Interrupted,
               "interrupted while " +
                   (unit.kind.empty() ? unit.name : "running " + unit.kind + " " + unit.name),
               e.where());
    for (const auto& [name, value] : e.fields()) {
        if (name != "sqlstate" && name != "context" && name != "detail")
            said.withField(name, value);
    }
    for (const auto& list : e.lists())
        said.withList(list.name, list.items);
    throw said;
}
}  // namespace

void LockedRun::inTransaction(const UnitOfWork& unit, const std::function<void()>& work) {
    selfContained(unit, [&] {
        if (outer_) {
            pqxx::subtransaction savepoint(*outer_);
            work();
            savepoint.commit();
        } else {
            pqxx::work tx(session_.conn());
            work();
            checkLockHeld("");  // a lost lock commits nothing more
            tx.commit();
        }
    });
}

void LockedRun::selfContained(const UnitOfWork& unit, const std::function<void()>& work) {
    try {
        work();
    } catch (Error& e) {
        annotate(e, unit);
        throwSaid(e, unit);
    } catch (const std::exception&) {
        try {
            rethrowPqxx(unit.kind.empty() ? unit.name : unit.kind + " " + unit.name);
        } catch (Error& e) {
            annotate(e, unit);
            throwSaid(e, unit);
        }
    }
}

}  // namespace dbtool::db
