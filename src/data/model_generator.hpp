#pragma once

#include <string>
#include <vector>

namespace dbtool {

// One parsed attribute of `model generate --attributes`, e.g. "email:string:unique".
struct ModelColumn {
    std::string attribute;  // as written ("firstName")
    std::string name;       // the column: snake_case ("first_name"), "team_id" for references
    std::string sqlType;    // "varchar(255)", "numeric(10,2)", "text[]", ...
    std::string kind;       // the attribute's type name ("string", "enum", "references", ...)
    std::vector<std::string> enumValues;
    std::string referencedTable;  // references
    bool nullable = false;
    bool unique = false;
    bool index = false;
    std::string defaultSql;  // "" = none
};

struct ModelDefinition {
    std::string model;  // "BlogPost"
    std::string table;  // "blog_posts"
    std::vector<ModelColumn> columns;
};

// Parses "firstName:string,email:string:unique,age:integer,team:references" for model NAME.
// Throws Error(ExitCode::Usage) naming the offending attribute: unknown type (did-you-mean),
// duplicate column, reserved or invalid name, bad modifier or default.
ModelDefinition parseModel(const std::string& name, const std::string& attributes);

// The migration (dbmate format, both directions) that creates the table.
std::string modelMigrationSql(const ModelDefinition& model);
// A seed file generating a few rows of the table (see README "Generated rows").
std::string modelSeedYaml(const ModelDefinition& model);

std::string snakeCase(const std::string& name);
std::string pluralize(const std::string& word);

}  // namespace dbtool
