#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace dbtool {

class LoadContext;
struct TablePlan;
struct TableCounts;

// CSV files of `csv:` table entries (RFC 4180 as PostgreSQL's COPY reads it).

// The column names of a CSV file's header record. Throws Error(ExitCode::InvalidInput) for
// an unreadable or empty file or a header that is not UTF-8.
std::vector<std::string> readCsvHeader(const std::filesystem::path& path);

// Streams the CSV of `t` into its table with COPY (through a temporary table for upserts and
// filled timestamps) and records the inserted keys. Errors name the CSV file's line.
void loadCsv(LoadContext& context, const TablePlan& t, TableCounts& counts);

}  // namespace dbtool
