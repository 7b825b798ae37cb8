#pragma once

#include "db/session.hpp"
#include "lint/linter.hpp"

namespace dbtool::lint {

// The linter's questions answered by a live database's catalog (planner estimates, no scans).
class LiveDatabase : public LintDatabase {
  public:
    explicit LiveDatabase(db::Session& session) : session_(session) {}
    std::optional<TableSize> tableSize(const RelationName& relation) override;
    std::optional<char> volatility(const std::string& function) override;
    bool provenNotNull(const RelationName& table, const std::string& column) override;

  private:
    db::Session& session_;
};

}  // namespace dbtool::lint
