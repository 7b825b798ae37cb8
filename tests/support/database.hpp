#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "config/connection_target.hpp"
#include "db/session.hpp"
#include "support/process.hpp"

namespace dbtool::test {

// The test server: DBTOOL_TEST_DATABASE_URL, set by scripts/with-postgres.sh (or by hand).
ConnectionTarget serverTarget();

// A scratch directory, removed with its owner.
class TempDir {
  public:
    TempDir();
    ~TempDir();
    const std::filesystem::path& path() const { return path_; }
    // Writes `content` to path()/relative (creating folders) and returns the full path.
    std::filesystem::path write(const std::string& relative, const std::string& content) const;

  private:
    std::filesystem::path path_;
};

// Every test of this fixture gets its own freshly created database (dropped afterwards) and
// its own scratch directory, so tests never share state and may run in parallel.
class DatabaseTest : public ::testing::Test {
  protected:
    void SetUp() override;
    void TearDown() override;

    const ConnectionTarget& target() const { return target_; }
    // postgres://user:password@host:port/<fresh database>
    std::string url() const { return url_; }
    const std::string& databaseName() const { return name_; }
    std::unique_ptr<db::Session> connect() const;
    const TempDir& dir() const { return *dir_; }

    // Runs SQL on the fresh database (a new connection each time).
    void exec(const std::string& sql) const;
    // First column of the first row, "" for no rows, "<null>" for NULL.
    std::string scalar(const std::string& sql) const;
    // Every row, columns joined by '|'.
    std::vector<std::string> rows(const std::string& sql) const;
    bool tableExists(const std::string& name) const;
    // What the other sessions of this database are doing and waiting for (for hang reports).
    std::string serverActivity() const;

    // Runs the binary in dir() with DATABASE_URL set to this test's database.
    ProcessResult dbtool(const std::vector<std::string>& args, ProcessOptions options = {}) const;

  private:
    std::string name_;
    std::string url_;
    ConnectionTarget target_;
    std::unique_ptr<TempDir> dir_;
};

}  // namespace dbtool::test
