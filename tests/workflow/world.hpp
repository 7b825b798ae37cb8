#pragma once

// The workflow checker's world: a fresh database and project folder on the test server,
// where steps run for real (dbtool processes, application writes through libpq).

#include <memory>
#include <optional>
#include <string>

#include "db/session.hpp"
#include "support/database.hpp"
#include "workflow/model.hpp"

namespace dbtool::workflow {

class World {
  public:
    World();  // a fresh database (on DBTOOL_TEST_DATABASE_URL's server) and folder
    ~World();
    World(const World&) = delete;
    World& operator=(const World&) = delete;

    struct Outcome {
        int exitCode = 0;
        std::string output;  // stderr and stdout of the command(s), for the report
    };
    // Runs `step`; `target` is the model's resolve() for application writes.
    Outcome run(const Step& step, const std::optional<std::string>& target);
    // What the database holds now. Disagreements between dbtool's own reports and the
    // catalog (status output, tracking rows vs. tables) are appended to `problems`.
    Snapshot snapshot(std::string& problems);

  private:
    test::ProcessResult dbtool(const std::vector<std::string>& args) const;
    void app(const std::string& sql, const std::vector<std::optional<std::string>>& params = {});
    bool exists(const std::string& relation);

    std::string name_;
    std::string url_;
    std::unique_ptr<test::TempDir> dir_;
    std::unique_ptr<db::Session> session_;
    int versions_[2] = {0, 0};
};

}  // namespace dbtool::workflow
