#include <ctime>
#include <fstream>

#include "cli/context.hpp"
#include "data/model_generator.hpp"
#include "migrate/migration.hpp"

namespace dbtool::cli {

namespace {

namespace fs = std::filesystem;

void writeNew(const fs::path& path, const std::string& content) {
    if (fs::exists(path)) {
        throw Error(ExitCode::Usage, "refusing to overwrite " + path.string(), {path.string()});
    }
    fs::create_directories(path.parent_path());
    std::ofstream f(path, std::ios::binary);
    f << content;
    if (!f)
        throw Error(ExitCode::Failure, "cannot write " + path.string(), {path.string()});
}

int runGenerate(Context& ctx, const std::string& name, const std::string& attributes, bool dryRun) {
    const ModelDefinition model = parseModel(name, attributes);
    const std::string sql = modelMigrationSql(model);
    const std::string seed = modelSeedYaml(model);
    auto& out = ctx.out();
    if (dryRun) {
        out.line(sql);
        out.document({{"table", model.table}, {"migration_sql", sql}, {"seed_yaml", seed}});
        return 0;
    }
    const Settings& s = ctx.settings();
    // The same naming as `migrate create`: VERSION_create_TABLE.sql, with a fresh version.
    fs::create_directories(s.migrationsDir);
    const std::string version = newMigrationVersion(s.migrationsDir);
    const fs::path migration = s.migrationsDir / (version + "_create_" + model.table + ".sql");
    const fs::path seedFile = s.seedsDir / (version + "_" + model.table + ".yaml");
    writeNew(migration, sql);
    writeNew(seedFile, seed);
    out.line(migration.string());
    out.line(seedFile.string());
    out.document(
        {{"table", model.table}, {"migration", migration.string()}, {"seed", seedFile.string()}});
    return 0;
}

}  // namespace

void addModelCommands(CLI::App& app, Action& action) {
    auto* model = app.add_subcommand("model", "Generate a table's migration and seed from a model");
    model->require_subcommand(1);
    auto name = std::make_shared<std::string>();
    auto attributes = std::make_shared<std::string>();
    auto dryRun = std::make_shared<bool>(false);
    auto* generate = model->add_subcommand(
        "generate", "Write a migration creating the table of model NAME, and a seed for it");
    generate->add_option("NAME", *name, "Model name, e.g. User (table: users)")->required();
    generate
        ->add_option("--attributes", *attributes,
                     "NAME:TYPE[:MODIFIER...] list, e.g. firstName:string,email:string:unique")
        ->required();
    generate->add_flag("--dry-run", *dryRun, "Print the SQL instead of writing files");
    generate->callback([&action, name, attributes, dryRun] {
        action = [=](Context& c) { return runGenerate(c, *name, *attributes, *dryRun); };
    });
}

}  // namespace dbtool::cli
