#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "db/run_lock.hpp"
#include "db/session.hpp"

namespace dbtool::db {

// What a unit of work is, for the messages of a failed run.
struct UnitOfWork {
    std::string kind;  // "migration", "seed", ...; "" when `name` says it all
    std::string name;  // "20240101090000 create_users", "001_users"
    // What a failure inside the unit's transaction leaves behind, said to the user ("seed x
    // was rolled back: none of its rows remain"); "" to say nothing.
    std::string onFailure;
};

// One run that changes the database (migrate up/down/redo/mark, seed run/undo). It holds the
// run lock of the tracking schema (db/run_lock: advisory, or a lock row) for its whole length, so
// parallel runs apply each unit exactly once; each unit runs in a transaction of its own together
// with its tracking rows, so a failure or a kill never leaves a unit applied but unrecorded. It
// remembers which units completed, so every failure says what was and was not applied.
//
// Callers read the tracking state only after constructing it (under the lock: another
// process may just have finished), call inTransaction once or more per unit, and
// completed() after a unit's last commit.
class LockedRun {
  public:
    // Takes the lock, waiting up to the session's lock_timeout; `onWait` is told who holds it
    // when it has to wait. Throws Error(ExitCode::Lock) when it gives up.
    // `completedField` names the list of completed units in failures ("undone in this run"
    // for undo).
    LockedRun(Session& session, const std::string& scope,
              const std::function<void(const std::string&)>& onWait,
              std::string completedField = "applied in this run");

    Session& session() { return session_; }

    // A dry run: from now on every unit runs in a savepoint of one transaction that is rolled
    // back when the run ends, so later units see what earlier ones did and nothing stays.
    void rollBackAtEnd();

    // Runs `work` in a transaction and commits it when `work` returns. When `work` throws,
    // the transaction is rolled back; an Error (a libpqxx exception becomes one) gains the
    // fields <unit.kind>: <unit.name>, the completed units ("applied in this run") and
    // "outcome" (unit.onFailure).
    // Anything else thrown passes through unchanged, after the rollback.
    void inTransaction(const UnitOfWork& unit, const std::function<void()>& work);

    // As inTransaction for `work` that begins and ends its own transaction (a pipeline sending
    // BEGIN ... COMMIT in one round trip): failures are annotated the same way. Only when
    // !rollsBackAtEnd().
    void selfContained(const UnitOfWork& unit, const std::function<void()>& work);
    bool rollsBackAtEnd() const { return outer_ != nullptr; }

    // Marks a unit as completed (listed in the failures of later units).
    void completed(Error::ListItem unit) { completed_.push_back(std::move(unit)); }
    const std::vector<Error::ListItem>& completedUnits() const { return completed_; }
    const std::string& completedField() const { return completedField_; }
    // Throws Error(ExitCode::Interrupted) "interrupted before <next>" with the completed units
    // when a signal has arrived, and Error(ExitCode::Lock) when the run lock was lost; the
    // checkpoint between units.
    void checkInterrupted(const std::string& next) const;
    // Throws Error(ExitCode::Lock) when the run lock was lost (`when`: "before <next>").
    void checkLockHeld(const std::string& when) const;
    // Adds the fields of a failure of `unit` to `error`.
    void annotate(Error& error, const UnitOfWork& unit) const;

  private:
    Session& session_;
    std::unique_ptr<RunLock> lock_;
    std::string completedField_;
    std::vector<Error::ListItem> completed_;
    std::unique_ptr<pqxx::work> outer_;  // dry run; declared after lock_: ends before it
};

}  // namespace dbtool::db
