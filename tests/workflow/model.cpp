#include "workflow/model.hpp"

#include <algorithm>
#include <set>
#include <tuple>

namespace dbtool::workflow {

namespace {

using K = Step::Kind;

struct SeedRow {
    std::string table, key, value;
};

// What each seed inserts, by version.
std::vector<SeedRow> seedRows(int seed, int version) {
    switch (seed) {
        case 0:
            if (version == 0)
                return {{"users", "alice@seed.x", "Alice"}, {"users", "bob@seed.x", "Bob"}};
            return {{"users", "alice@seed.x", "Alice B"},
                    {"users", "bob@seed.x", "Bob"},
                    {"users", "carol@seed.x", "Carol"}};
        case 1:
            if (version == 0)
                return {{"tags", "red", "Red"}, {"tags", "blue", "Blue"}};
            return {{"tags", "red", "Red"}, {"tags", "green", "Green"}};
        case 2:
            return {{"posts", "hello", "alice@seed.x"}, {"posts", "again", "bob@seed.x"}};
        default:
            return {{"users", "gen1@seed.x", "Gen 1"},
                    {"users", "gen2@seed.x", "Gen 2"},
                    {"users", "gen3@seed.x", "Gen 3"}};
    }
}

const char* kTables[] = {"", "users", "tags", "posts", ""};  // by migration

}  // namespace

bool RowImage::operator<(const RowImage& o) const {
    return std::tie(table, key, value) < std::tie(o.table, o.key, o.value);
}

const char* seedName(int seed) {
    static const char* names[] = {"001_users", "002_tags", "003_posts", "004_more_users"};
    return names[seed];
}

std::string seedFile(int seed, int version) {
    std::string out;
    switch (seed) {
        case 0:
            out = "users:\n";
            for (const auto& r : seedRows(0, version)) {
                const std::string label = r.key.substr(0, r.key.find('@'));
                out += "  - {_label: " + label + ", email: " + r.key + ", name: " + r.value + "}\n";
            }
            return out;
        case 1:
            out = "tags:\n";
            for (const auto& r : seedRows(1, version))
                out += "  - {code: " + r.key + ", label: " + r.value + "}\n";
            return out;
        case 2:
            return "posts:\n  - {title: hello, author_id: !ref users.alice}\n"
                   "  - {title: again, author_id: !ref users.bob}\n";
        default:
            return "users:\n  generate:\n    count: 3\n    row:\n      email: "
                   "\"gen{{seq}}@seed.x\"\n"
                   "      name: \"Gen {{seq}}\"\n";
    }
}

std::map<std::string, std::string> migrationFiles() {
    return {
        {"1_users.sql",
         "-- migrate:up\nCREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL UNIQUE,"
         " name text NOT NULL);\n-- migrate:down\nDROP TABLE users CASCADE;\n"},
        // Repeatable: after every versioned migration, again after any rollback (the users
        // down drops the view with CASCADE).
        {"R__user_emails.sql", "CREATE OR REPLACE VIEW user_emails AS SELECT email FROM users;\n"},
        {"2_tags.sql",
         "-- migrate:up\nCREATE TABLE tags (code text PRIMARY KEY, label text NOT NULL);\n"
         "-- migrate:down\nDROP TABLE tags;\n"},
        {"3_posts.sql",
         "-- migrate:up\nCREATE TABLE posts (id serial PRIMARY KEY, author_id bigint NOT NULL "
         "REFERENCES users ON DELETE CASCADE, title text NOT NULL);\n"
         "-- migrate:down\nDROP TABLE posts;\n"},
        {"4_posts_title_idx.sql",
         "-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY posts_title_idx ON posts "
         "(title);\n-- migrate:down transaction:false\nDROP INDEX CONCURRENTLY posts_title_idx;\n"},
    };
}

namespace {
std::vector<std::string> singleDatabaseCommandOf(const Step& step) {
    const std::string name = seedName(step.arg % kSeeds);
    switch (step.kind) {
        case K::MigrateUp:
        case K::ParallelMigrateUp:
        case K::KillMigrateUp:
            return {"migrate", "up"};
        case K::MigrateUpStep:
            return {"migrate", "up", "--step", "1"};
        case K::MigrateUpTo:
            return {"migrate", "up", "--to", std::to_string(step.arg % kMigrations + 1)};
        case K::MigrateDown:
            return {"migrate", "down"};
        case K::MigrateDownStep2:
            return {"migrate", "down", "--step", "2"};
        case K::MigrateDownAll:
            return {"migrate", "down", "--all"};
        case K::MigrateRedo:
            return {"migrate", "redo"};
        case K::SeedRun:
        case K::ParallelSeedRun:
        case K::KillSeedRun:
        case K::InterruptSeedRun:
            return {"seed", "run"};
        case K::SeedRunNamed:
            return {"seed", "run", name};
        case K::SeedRunForce:
            return {"seed", "run", "--force"};
        case K::SeedRunForceNamed:
            return {"seed", "run", "--force", name};
        case K::SeedUndo:
            return {"seed", "undo"};
        case K::SeedUndoNamed:
            return {"seed", "undo", name};
        case K::SeedUndoAll:
            return {"seed", "undo", "--all"};
        case K::SeedUndoAllCascade:
            return {"seed", "undo", "--all", "--cascade"};
        case K::SeedRunForceCascade:
            return {"seed", "run", "--force", "--cascade"};
        default:
            return {};
    }
}
}  // namespace

std::vector<std::string> commandOf(const Step& step) {
    std::vector<std::string> command = singleDatabaseCommandOf(step);
    // Every third step of the commands a fleet runs goes through `--targets self` (the world's
    // database as a fleet of one): the fleet path must do exactly what the command does.
    const bool fleetForm = !command.empty() && step.kind != K::MigrateRedo &&
                           (command[0] == "migrate" || command[1] == "run");
    if (fleetForm && step.serial % 3 == 1)
        command.insert(command.end(), {"--targets", "self"});
    return command;
}

std::string describe(const Step& step) {
    const std::string n = std::to_string(step.serial);
    const std::string pick = " (pick " + std::to_string(step.arg) + ")";
    std::string cmd;
    for (const auto& a : commandOf(step))
        cmd += " " + a;
    switch (step.kind) {
        case K::ParallelMigrateUp:
        case K::ParallelSeedRun:
            return std::to_string(step.arg % 3 + 2) + " x dbtool" + cmd + " at once";
        case K::KillMigrateUp:
        case K::KillSeedRun:
            return "dbtool" + cmd + ", kill -9 after " + std::to_string(step.arg % 120) +
                   " ms, then dbtool" + cmd;
        case K::InterruptSeedRun:
            return "dbtool" + cmd + ", Ctrl-C after " + std::to_string(step.arg % 120) +
                   " ms, then dbtool" + cmd;
        case K::EditSeed:
            return "edit seeds/" + std::string(seedName(step.arg % 2)) + ".yaml";
        case K::AppInsertUser:
            return "app: INSERT INTO users (email, name) VALUES ('app-" + n + "@app.x', 'App')";
        case K::AppInsertTag:
            return "app: INSERT INTO tags VALUES ('app-" + n + "', 'App')";
        case K::AppInsertPost:
            return "app: INSERT INTO posts (title, author_id) a user's" + pick;
        case K::AppUpdateUser:
            return "app: UPDATE users SET name = 'upd-" + n + "' for one row" + pick;
        case K::AppUpdateTag:
            return "app: UPDATE tags SET label = 'upd-" + n + "' for one row" + pick;
        case K::AppDeleteUser:
            return "app: DELETE one unreferenced user" + pick;
        case K::AppDeleteTag:
            return "app: DELETE one tag" + pick;
        case K::AppDeletePost:
            return "app: DELETE one post" + pick;
        case K::AppTruncateTags:
            return "app: TRUNCATE tags";
        default:
            return "dbtool" + cmd;
    }
}

Model::Model() = default;

int Model::required(const std::string& table) {
    for (int m = 1; m <= kMigrations; ++m)
        if (table == kTables[m])
            return m;
    return 0;
}

std::string Model::tableOf(int seed) {
    return seedRows(seed, 0).front().table;
}

std::vector<const Model::Row*> Model::rowsOf(const std::string& table) const {
    std::vector<const Row*> out;
    for (const auto& r : s_.rows)
        if (r.table == table)
            out.push_back(&r);
    std::sort(out.begin(), out.end(), [](const Row* a, const Row* b) {
        return std::tie(a->key, a->value) < std::tie(b->key, b->value);
    });
    return out;
}

std::vector<const Model::Row*> Model::deletableUsers() const {
    std::set<std::string> referenced;
    for (const auto* p : rowsOf("posts"))
        referenced.insert(p->value);
    std::vector<const Row*> out;
    for (const auto* u : rowsOf("users"))
        if (!referenced.count(u->key))
            out.push_back(u);
    return out;
}

std::optional<std::string> Model::resolve(const Step& step) const {
    auto pick = [&](const std::vector<const Row*>& rows) -> std::optional<std::string> {
        if (rows.empty())
            return std::nullopt;
        return rows[static_cast<size_t>(step.arg) % rows.size()]->key;
    };
    switch (step.kind) {
        case K::AppInsertPost:
            return s_.incarnation.count("posts") ? pick(rowsOf("users")) : std::nullopt;
        case K::AppUpdateUser:
            return pick(rowsOf("users"));
        case K::AppUpdateTag:
        case K::AppDeleteTag:
            return pick(rowsOf("tags"));
        case K::AppDeleteUser:
            return pick(deletableUsers());
        case K::AppDeletePost: {
            // Only a post no other post looks like: the model cannot tell twins apart.
            std::vector<const Row*> unique;
            const auto posts = rowsOf("posts");
            for (const auto* p : posts) {
                if (std::count_if(posts.begin(), posts.end(), [&](const Row* q) {
                        return q->key == p->key && q->value == p->value;
                    }) == 1)
                    unique.push_back(p);
            }
            if (unique.empty())
                return std::nullopt;
            const Row* p = unique[static_cast<size_t>(step.arg) % unique.size()];
            return p->key + "\t" + p->value;  // title and author
        }
        default:
            return std::nullopt;
    }
}

void Model::migrateTo(int level) {
    while (s_.level < level) {
        ++s_.level;
        if (*kTables[s_.level])
            s_.incarnation[kTables[s_.level]] = s_.nextIncarnation++;
    }
    while (s_.level > level) {
        s_.repeatableApplied = false;  // every rollback makes it due again
        if (s_.level == 1)
            s_.view = false;  // DROP TABLE users CASCADE
        const std::string table = kTables[s_.level];
        if (!table.empty()) {
            s_.incarnation.erase(table);
            std::erase_if(s_.rows, [&](const Row& r) { return r.table == table; });
        }
        --s_.level;
    }
}

void Model::redo() {
    if (s_.level == 0)
        return;
    const int level = s_.level;
    migrateTo(level - 1);
    migrateTo(level);
    repeatablesAfterUp();
}

void Model::repeatablesAfterUp() {
    if (s_.level == kMigrations && !s_.repeatableApplied) {
        s_.repeatableApplied = true;
        s_.view = true;
    }
}

bool Model::stale(const State& s, int seed) const {
    const Recorded& rec = s.recorded.at(seed);
    for (const auto& [table, incarnation] : rec.incarnation) {
        auto it = s.incarnation.find(table);
        if (it == s.incarnation.end() || it->second != incarnation)
            return true;
    }
    if (!rec.inserted)
        return false;
    return std::none_of(s.rows.begin(), s.rows.end(),
                        [&](const Row& r) { return r.owner == seed; });
}

int Model::undo(State& s, int seed, bool cascade) const {
    const Recorded& rec = s.recorded.at(seed);
    const std::string table = tableOf(seed);
    auto it = s.incarnation.find(table);
    if (it != s.incarnation.end() && it->second == rec.incarnation.at(table)) {
        std::set<std::string> deleted;
        for (const auto& r : s.rows)
            if (r.owner == seed && !r.changed)
                deleted.insert(r.key);
        if (table == "users") {
            const bool referenced = std::any_of(s.rows.begin(), s.rows.end(), [&](const Row& r) {
                return r.table == "posts" && deleted.count(r.value);
            });
            if (referenced && !cascade)
                return 8;  // ON DELETE CASCADE would take posts that are not the seed's
            std::erase_if(
                s.rows, [&](const Row& r) { return r.table == "posts" && deleted.count(r.value); });
        }
        std::erase_if(s.rows, [&](const Row& r) { return r.owner == seed && !r.changed; });
        for (auto& r : s.rows)
            if (r.owner == seed)
                r.owner = -1;  // changed since: kept, no seed's any more
    }
    s.recorded.erase(seed);
    return 0;
}

int Model::load(State& s, int seed) const {
    const std::string table = tableOf(seed);
    if (!s.incarnation.count(table))
        return 5;  // unknown table
    std::vector<SeedRow> rows = seedRows(seed, s.version[seed]);
    if (seed == 2) {
        // !ref users.alice/bob: labels recorded by 001_users, checked before they resolve.
        auto users = s.recorded.find(0);
        if (users == s.recorded.end())
            return 5;
        if (users->second.incarnation.at("users") != s.incarnation.at("users"))
            return 8;
        for (const char* label : {"alice@seed.x", "bob@seed.x"}) {
            if (std::none_of(s.rows.begin(), s.rows.end(),
                             [&](const Row& r) { return r.owner == 0 && r.key == label; }))
                return 8;
        }
    } else {
        for (const auto& r : rows) {
            if (std::any_of(s.rows.begin(), s.rows.end(),
                            [&](const Row& e) { return e.table == r.table && e.key == r.key; }))
                return 6;  // unique email / primary key
        }
    }
    for (const auto& r : rows)
        s.rows.push_back({r.table, r.key, r.value, seed, false});
    Recorded rec;
    rec.version = s.version[seed];
    rec.incarnation[table] = s.incarnation.at(table);
    rec.inserted = !rows.empty();
    rec.order = ++s.applied;
    s.recorded[seed] = rec;
    return 0;
}

int Model::seedRun(std::optional<int> only, bool force, bool cascade) {
    for (int seed = 0; seed < kSeeds; ++seed) {
        if (only && *only != seed)
            continue;
        State next = s_;
        if (next.recorded.count(seed)) {
            if (!stale(next, seed)) {
                const bool changed = next.recorded.at(seed).version != next.version[seed];
                if (!force || (!changed && !only))
                    continue;
            }
            // Planned (and so validated) before its previous rows are undone.
            const std::string table = tableOf(seed);
            if (!next.incarnation.count(table))
                return 5;
            if (seed == 2 && !next.recorded.count(0))
                return 5;
            if (const int code = undo(next, seed, cascade))
                return code;
        }
        if (const int code = load(next, seed))
            return code;
        s_ = next;
    }
    return 0;
}

int Model::seedUndo(const Step& step) {
    std::vector<int> chosen;
    if (step.kind == K::SeedUndoNamed) {
        const int seed = step.arg % kSeeds;
        if (!s_.recorded.count(seed))
            return 8;
        chosen.push_back(seed);
    } else {
        // Newest applied first.
        for (const auto& [seed, rec] : s_.recorded)
            chosen.push_back(seed);
        std::sort(chosen.begin(), chosen.end(),
                  [&](int a, int b) { return s_.recorded.at(a).order > s_.recorded.at(b).order; });
        if (step.kind == K::SeedUndo && !chosen.empty())
            chosen.resize(1);
    }
    for (int seed : chosen) {
        State next = s_;
        if (const int code = undo(next, seed, step.kind == K::SeedUndoAllCascade))
            return code;
        s_ = next;
    }
    return 0;
}

int Model::apply(const Step& step) {
    const auto target = resolve(step);
    auto find = [&](const std::string& table) {
        return std::find_if(s_.rows.begin(), s_.rows.end(),
                            [&](const Row& r) { return r.table == table && r.key == *target; });
    };
    const std::string n = std::to_string(step.serial);
    switch (step.kind) {
        case K::MigrateUp:
        case K::ParallelMigrateUp:
        case K::KillMigrateUp:
            migrateTo(kMigrations);
            repeatablesAfterUp();
            return 0;
        case K::MigrateUpStep:
            migrateTo(std::min(s_.level + 1, kMigrations));
            repeatablesAfterUp();
            return 0;
        case K::MigrateUpTo:
            migrateTo(std::max(s_.level, step.arg % kMigrations + 1));
            repeatablesAfterUp();
            return 0;
        case K::MigrateDown:
            migrateTo(std::max(s_.level - 1, 0));
            return 0;
        case K::MigrateDownStep2:
            migrateTo(std::max(s_.level - 2, 0));
            return 0;
        case K::MigrateDownAll:
            migrateTo(0);
            return 0;
        case K::MigrateRedo:
            redo();
            return 0;
        case K::SeedRun:
        case K::ParallelSeedRun:
        case K::KillSeedRun:
        case K::InterruptSeedRun:
            return seedRun(std::nullopt, false);
        case K::SeedRunNamed:
            return seedRun(step.arg % kSeeds, false);
        case K::SeedRunForce:
            return seedRun(std::nullopt, true);
        case K::SeedRunForceNamed:
            return seedRun(step.arg % kSeeds, true);
        case K::SeedUndo:
        case K::SeedUndoNamed:
        case K::SeedUndoAll:
        case K::SeedUndoAllCascade:
            return seedUndo(step);
        case K::SeedRunForceCascade:
            return seedRun(std::nullopt, true, true);
        case K::EditSeed:
            s_.version[step.arg % 2] ^= 1;
            return 0;
        case K::AppInsertUser:
            if (s_.incarnation.count("users"))
                s_.rows.push_back({"users", "app-" + n + "@app.x", "App", -1, false});
            return 0;
        case K::AppInsertTag:
            if (s_.incarnation.count("tags"))
                s_.rows.push_back({"tags", "app-" + n, "App", -1, false});
            return 0;
        case K::AppInsertPost:
            if (target)
                s_.rows.push_back({"posts", "app-post-" + n, *target, -1, false});
            return 0;
        case K::AppUpdateUser:
        case K::AppUpdateTag:
            if (target) {
                auto it = find(step.kind == K::AppUpdateUser ? "users" : "tags");
                it->value = "upd-" + n;
                it->changed = true;
            }
            return 0;
        case K::AppDeleteUser:
        case K::AppDeleteTag:
            if (target)
                s_.rows.erase(find(step.kind == K::AppDeleteUser ? "users" : "tags"));
            return 0;
        case K::AppDeletePost:
            if (target) {
                s_.rows.erase(std::find_if(s_.rows.begin(), s_.rows.end(), [&](const Row& r) {
                    return r.table == "posts" && r.key + "\t" + r.value == *target;
                }));
            }
            return 0;
        case K::AppTruncateTags:
            std::erase_if(s_.rows, [](const Row& r) { return r.table == "tags"; });
            return 0;
    }
    return 0;
}

Snapshot Model::snapshot() const {
    Snapshot out;
    out.migrationLevel = s_.level;
    out.repeatable = s_.repeatableApplied ? "applied" : "pending";
    out.view = s_.view;
    for (const auto& r : s_.rows)
        out.rows.push_back({r.table, r.key, r.value});
    std::sort(out.rows.begin(), out.rows.end());
    for (int seed = 0; seed < kSeeds; ++seed) {
        std::string state = "pending";
        if (s_.recorded.count(seed)) {
            state = stale(s_, seed)                                    ? "stale"
                    : s_.recorded.at(seed).version != s_.version[seed] ? "changed"
                                                                       : "applied";
        }
        out.seedState[seedName(seed)] = state;
    }
    return out;
}

}  // namespace dbtool::workflow
