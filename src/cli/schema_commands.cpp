#include "cli/context.hpp"
#include "migrate/schema_dump.hpp"

namespace dbtool::cli {

namespace {

int runDump(Context& ctx, const std::optional<std::string>& file) {
    const Settings& s = ctx.settings();
    auto session = ctx.connect();
    const std::string schema = dumpSchema(s.target, *session, s.trackingSchema);
    if (file && *file == "-") {
        ctx.out().raw(schema);
        return 0;
    }
    const std::filesystem::path path = file ? std::filesystem::absolute(*file) : s.schemaFile;
    writeFileAtomically(path, schema);
    ctx.out().line("wrote " + path.string());
    ctx.out().document({{"file", path.string()}, {"bytes", schema.size()}});
    return 0;
}

}  // namespace

void addSchemaCommands(CLI::App& app, Action& action) {
    auto* schema = app.add_subcommand("schema", "The database schema as SQL (pg_dump)");
    schema->require_subcommand(1);
    auto file = std::make_shared<std::optional<std::string>>();
    auto* dump = schema->add_subcommand(
        "dump", "Write the schema (pg_dump --schema-only) plus the applied migration versions");
    dump->add_option(
        "--file", *file,
        "Where to write (default: schema_file from dbtool.yaml, else ./schema.sql; - for stdout)");
    dump->callback([&action, file] { action = [file](Context& c) { return runDump(c, *file); }; });
}

}  // namespace dbtool::cli
