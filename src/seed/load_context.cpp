#include "seed/load_context.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "base/text.hpp"
#include "db/interrupt.hpp"
#include "seed/row_syntax.hpp"

namespace dbtool {

LoadContext::LoadContext(db::Session& session, db::SeedTable& seeds, const SeedFile& file,
                         uint64_t randomSeed)
    : session_(session),
      seeds_(seeds),
      file_(file),
      path_(file.path.string()),
      randomSeed_(randomSeed),
      catalog_(session) {
    auto r = session_.execParams("SELECT now()::text");
    now_ = PQgetvalue(r.get(), 0, 0);
}

void LoadContext::checkInterrupted() const {
    db::throwIfInterrupted(("loading seed " + file_.name).c_str());
}

std::string LoadContext::resolveRef(const YamlValue& v) {
    const RefTarget target = parseRef(v, path_);
    auto info = catalog_.find(target.table);
    const std::pair<std::string, std::string> key{info->id(), target.label};
    if (auto it = labels_.find(key); it != labels_.end()) {
        return it->second;
    }
    if (auto stored = seeds_.label(info->id(), target.label)) {
        checkStoredLabel(*info, target.label, *stored, v);
        labels_[key] = stored->key;
        return stored->key;
    }
    throw Error(ExitCode::InvalidInput,
                "!ref " + v.text + ": no row labelled '" + target.label + "' in " + info->id(),
                {path_, v.line, v.column},
                "label the row (_label: " + target.label +
                    ") in this file before the reference, or in an earlier seed");
}

// A label from an earlier seed names a row only while that row is still there, in the same
// table: a table dropped and recreated since (another oid) may hold another row with the key.
void LoadContext::checkStoredLabel(const db::TableInfo& info, const std::string& label,
                                   const db::StoredLabel& stored, const YamlValue& v) {
    const std::string hint = "load seed " + stored.seed +
                             " again first: `dbtool seed run` reloads it (`dbtool seed status` "
                             "shows it as stale)";
    if (!stored.tableOid.empty() && stored.tableOid != info.oid) {
        throw Error(ExitCode::Check,
                    "!ref " + v.text + ": the row labelled '" + label + "' was recorded by seed " +
                        stored.seed + ", but " + info.id() + " was dropped and recreated since",
                    {path_, v.line, v.column}, hint);
    }
    auto found = session_.execParams("SELECT 1 FROM " + info.qualified + " WHERE " +
                                         quoteIdentifier(info.primaryKey.at(0)) + " = $1",
                                     {stored.key});
    if (PQntuples(found.get()) == 0) {
        throw Error(ExitCode::Check,
                    "!ref " + v.text + ": the row labelled '" + label + "' (key " + stored.key +
                        ", recorded by seed " + stored.seed + ") is no longer in " + info.id(),
                    {path_, v.line, v.column}, hint);
    }
}

void LoadContext::labelled(const TablePlan& t, const std::string& label, const std::string& key) {
    labels_[{t.info.id(), label}] = key;
    seeds_.recordLabel(file_.name, t.info, label, key);
}

Cell LoadContext::toCell(const TablePlan& t, const std::string& column, const YamlValue& v) {
    Cell cell;
    if (v.isNull()) {
        cell.kind = Cell::Kind::Null;
        return cell;
    }
    cell.kind = Cell::Kind::Value;
    if (isRef(v)) {
        cell.text = resolveRef(v);
        return cell;
    }
    if (v.isScalar()) {
        cell.text = v.text;
        return cell;
    }
    const db::ColumnInfo* c = t.info.column(column);
    auto ref = [this](const YamlValue& r) { return nlohmann::json(resolveRef(r)).dump(); };
    auto refText = [this](const YamlValue& r) { return resolveRef(r); };
    if (c->isJson) {
        cell.text = yamlToJson(v, ref);
    } else {
        cell.text = pgArray(v, refText, c->baseType == "json" || c->baseType == "jsonb");
    }
    return cell;
}

const std::vector<std::string>& LoadContext::keysOf(const std::string& table) {
    auto it = randomKeys_.find(table);
    if (it != randomKeys_.end()) {
        return it->second;
    }
    auto info = catalog_.find(table);
    auto r = session_.execParams("SELECT " + quoteIdentifier(info->primaryKey[0]) + "::text FROM " +
                                 info->qualified + " ORDER BY 1");
    std::vector<std::string> keys;
    keys.reserve(static_cast<size_t>(PQntuples(r.get())));
    for (int i = 0; i < PQntuples(r.get()); ++i) {
        keys.emplace_back(PQgetvalue(r.get(), i, 0));
    }
    return randomKeys_[table] = std::move(keys);
}

std::vector<std::string> LoadContext::timestampsToFill(
    const TablePlan& t, const std::vector<std::string>& given) const {
    std::vector<std::string> out;
    for (const char* name : {"created_at", "updated_at", "createdAt", "updatedAt", "inserted_at"}) {
        const db::ColumnInfo* c = t.info.column(name);
        if (c != nullptr && c->notNull && !c->hasDefault &&
            std::find(given.begin(), given.end(), name) == given.end()) {
            out.push_back(name);
        }
    }
    return out;
}

Error LoadContext::rowError(const TablePlan& t, const db::SqlError& e,
                            const SourceLocation& where) const {
    return db::describeSqlError(
        e, "seed " + file_.name + ": table " + t.info.id() + ": " + e.what(), where);
}

std::string columnList(const std::vector<std::string>& columns,
                       const std::vector<std::string>& fill) {
    std::string list;
    for (const auto& c : columns) {
        list += (list.empty() ? "" : ", ") + quoteIdentifier(c);
    }
    for (const auto& c : fill) {
        list += (list.empty() ? "" : ", ") + quoteIdentifier(c);
    }
    return list;
}

std::string overridingClause(const TablePlan& t, const std::vector<std::string>& columns) {
    for (const auto& c : columns) {
        const db::ColumnInfo* info = t.info.column(c);
        if (info != nullptr && info->identity == 'a')
            return "OVERRIDING SYSTEM VALUE ";
    }
    return "";
}

std::string conflictClause(const TablePlan& t, const std::vector<std::string>& columns) {
    if (t.onConflict == OnConflict::Error)
        return "";
    std::string target;
    for (const auto& k : t.key)
        target += (target.empty() ? "" : ", ") + quoteIdentifier(k);
    if (t.onConflict == OnConflict::Skip)
        return " ON CONFLICT (" + target + ") DO NOTHING";
    // The conflict key found the row; neither it nor the primary key is rewritten (a seed's
    // id: 10 must not renumber the application's row 1 and, through ON UPDATE CASCADE, its
    // references), nor a GENERATED ALWAYS identity (which would fail with 428C9).
    std::string set;
    for (const auto& c : columns) {
        const db::ColumnInfo* info = t.info.column(c);
        if (std::find(t.key.begin(), t.key.end(), c) != t.key.end() ||
            std::find(t.info.primaryKey.begin(), t.info.primaryKey.end(), c) !=
                t.info.primaryKey.end() ||
            (info != nullptr && info->identity == 'a'))  // GENERATED ALWAYS: only DEFAULT
            continue;
        const std::string q = quoteIdentifier(c);
        set += (set.empty() ? "" : ", ") + q + " = EXCLUDED." + q;
    }
    if (set.empty()) {
        const std::string q = quoteIdentifier(t.key[0]);
        set = q + " = EXCLUDED." + q;
    }
    return " ON CONFLICT (" + target + ") DO UPDATE SET " + set;
}

}  // namespace dbtool
