#include "seed/generated.hpp"

#include "seed/batch_insert.hpp"

namespace dbtool {

bool generatedCopyable(const TablePlan& t) {
    const GenerateSpec& g = *t.generate;
    return !g.label && t.onConflict == OnConflict::Error && !g.columns.empty() &&
           overridingClause(t, g.columns).empty();
}

void loadGenerated(LoadContext& context, const TablePlan& t, TableCounts& counts, bool copyable) {
    const GenerateSpec& g = *t.generate;
    const auto fill = context.timestampsToFill(t, g.columns);
    BatchInserter inserter(context, t, g.columns, fill, counts);
    auto randomKey = [&](const std::string& table, uint64_t r) -> std::string {
        const auto& keys = context.keysOf(table);
        if (keys.empty()) {
            throw Error(ExitCode::InvalidInput,
                        "{{ref " + table + "}}: table " + table + " has no rows to pick from",
                        {context.path(), g.line, g.column},
                        "seed that table first (an earlier seed file or entry)");
        }
        return keys[r % keys.size()];
    };
    std::vector<Cell> fixed(g.columns.size());
    for (size_t c = 0; c < g.columns.size(); ++c) {
        if (!g.templates[c])
            fixed[c] = context.toCell(t, g.columns[c], g.fixed[c]);
    }
    // The seed file is part of every value's stream: two files generating into one table draw
    // different values from the same --random-seed.
    const std::string tableId = context.file().name + "/" + t.info.id();
    const std::string domain = emailDomain(context.file().name);
    auto render = [&](int64_t i, std::vector<Cell>& cells) {
        const uint64_t person = personStream(context.randomSeed(), tableId, i);
        for (size_t c = 0; c < g.columns.size(); ++c) {
            if (g.templates[c]) {
                cells[c].kind = Cell::Kind::Value;
                cells[c].text = g.templates[c]->render(
                    i, valueStream(context.randomSeed(), tableId, g.columns[c], i), person,
                    randomKey, domain);
            } else {
                cells[c] = fixed[c];
            }
        }
    };
    if (copyable) {
        // No query can run during COPY: load the keys {{ref TABLE}} picks from first.
        for (const auto& tpl : g.templates) {
            if (!tpl)
                continue;
            for (const auto& table : tpl->referencedTables()) {
                if (context.keysOf(table).empty())
                    randomKey(table, 0);  // says the table is empty
            }
        }
        std::vector<Cell> cells(g.columns.size());
        int64_t next = 0;
        int64_t copied = 0;
        try {
            copied = context.session().copyIn(
                "COPY " + t.info.qualified + " (" + columnList(g.columns, fill) + ") FROM STDIN",
                [&](std::string& chunk) {
                    context.checkInterrupted();
                    while (next < g.count && chunk.size() < (1u << 20)) {
                        render(next++, cells);
                        appendCopyLine(chunk, cells, fill.size(), context.now());
                    }
                    context.reportRows(t, next, static_cast<double>(next) / g.count);
                    return next < g.count;
                });
        } catch (db::SqlError& e) {
            Error error = context.rowError(t, e, {context.path(), g.line, g.column});
            if (auto line = copyLine(e)) {
                error.withField("generated row", std::to_string(*line));
            }
            throw error;
        }
        counts.inserted += copied;
        return;
    }
    for (int64_t i = 0; i < g.count; ++i) {
        if ((i & 1023) == 0) {
            context.checkInterrupted();
            context.reportRows(t, i, static_cast<double>(i) / g.count);
        }
        PendingRow row;
        row.where = {context.path(), g.line, g.column};
        row.cells.resize(g.columns.size());
        render(i, row.cells);
        if (g.label) {
            row.label =
                g.label->render(i, valueStream(context.randomSeed(), tableId, "_label", i),
                                personStream(context.randomSeed(), tableId, i), randomKey, domain);
        }
        inserter.add(std::move(row));
    }
    inserter.flush();
}

}  // namespace dbtool
