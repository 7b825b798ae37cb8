#include "db/locked_run.hpp"

namespace dbtool::db {

LockedRun::LockedRun(Session& session, const std::string& scope,
                     const std::function<void(const std::string&)>& onWait,
                     std::string completedField)
    : session_(session),
      lock_(session, scope, onWait),
      completedField_(std::move(completedField)) {}

std::string LockedRun::completedList() const {
    std::string out;
    for (const auto& label : completed_) {
        out += (out.empty() ? "" : ", ") + label;
    }
    return out.empty() ? "none" : out;
}

void LockedRun::annotate(Error& error, const UnitOfWork& unit) const {
    // A caller that already said these (its own failure report) is not repeated.
    auto add = [&](const std::string& name, const std::string& value) {
        if (!name.empty() && error.field(name).empty()) {
            error.withField(name, value);
        }
    };
    add(unit.kind, unit.name);
    add(completedField_, completedList());
    add("outcome", unit.onFailure);
}

void LockedRun::inTransaction(const UnitOfWork& unit, const std::function<void()>& work) {
    try {
        pqxx::work tx(session_.conn());
        work();
        tx.commit();
    } catch (Error& e) {
        annotate(e, unit);
        throw;
    } catch (const std::exception&) {
        try {
            rethrowPqxx(unit.kind.empty() ? unit.name : unit.kind + " " + unit.name);
        } catch (Error& e) {
            annotate(e, unit);
            throw;
        }
    }
}

}  // namespace dbtool::db
