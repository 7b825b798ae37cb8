#include "migrate/schema_dump.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <vector>

#include "base/errors.hpp"
#include "base/redact.hpp"
#include "db/migration_table.hpp"
#include "db/repeatable_table.hpp"
#include "migrate/catalog_dump.hpp"

extern char** environ;

namespace dbtool {

namespace fs = std::filesystem;

std::string findPgDump() {
    if (const char* explicitPath = std::getenv("DBTOOL_PG_DUMP"); explicitPath && *explicitPath) {
        if (access(explicitPath, X_OK) == 0)
            return explicitPath;
        throw Error(ExitCode::Failure,
                    std::string("DBTOOL_PG_DUMP names ") + explicitPath +
                        ", which is not an executable file",
                    {}, "point it at pg_dump, or unset it");
    }
    if (const char* path = std::getenv("PATH")) {
        std::string dirs = path;
        size_t start = 0;
        while (start <= dirs.size()) {
            size_t end = dirs.find(':', start);
            if (end == std::string::npos)
                end = dirs.size();
            const fs::path candidate = fs::path(dirs.substr(start, end - start)) / "pg_dump";
            if (access(candidate.c_str(), X_OK) == 0)
                return candidate.string();
            start = end + 1;
        }
    }
    std::string best;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
        const fs::path candidate = entry.path() / "bin/pg_dump";
        if (access(candidate.c_str(), X_OK) == 0 && candidate.string() > best)
            best = candidate.string();
    }
    if (!best.empty())
        return best;
    throw Error(
        ExitCode::Failure, "pg_dump is not installed, so the schema cannot be dumped", {},
        "install PostgreSQL's client tools (Debian: apt-get install postgresql-client), or set "
        "DBTOOL_PG_DUMP to pg_dump's path");
}

namespace {

struct ProcessOutput {
    int status = -1;
    std::string out;
    std::string err;
};

ProcessOutput run(const std::vector<std::string>& argv, const std::vector<std::string>& extraEnv) {
    std::vector<std::string> envStrings;
    for (char** e = environ; *e != nullptr; ++e) {
        const std::string entry = *e;
        if (!entry.starts_with("PGPASSWORD="))
            envStrings.push_back(entry);
    }
    envStrings.insert(envStrings.end(), extraEnv.begin(), extraEnv.end());
    std::vector<char*> cargv, cenv;
    std::vector<std::string> argCopy = argv;
    for (auto& a : argCopy)
        cargv.push_back(a.data());
    cargv.push_back(nullptr);
    for (auto& e : envStrings)
        cenv.push_back(e.data());
    cenv.push_back(nullptr);

    int outPipe[2], errPipe[2];
    if (pipe(outPipe) != 0 || pipe(errPipe) != 0) {
        throw Error(ExitCode::Failure, "cannot create a pipe for pg_dump");
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1);
    posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2);
    posix_spawn_file_actions_addclose(&actions, outPipe[0]);
    posix_spawn_file_actions_addclose(&actions, errPipe[0]);
    pid_t pid = 0;
    const int rc = posix_spawn(&pid, cargv[0], &actions, nullptr, cargv.data(), cenv.data());
    posix_spawn_file_actions_destroy(&actions);
    close(outPipe[1]);
    close(errPipe[1]);
    ProcessOutput result;
    if (rc != 0) {
        close(outPipe[0]);
        close(errPipe[0]);
        throw Error(ExitCode::Failure, "cannot run " + argv[0]);
    }
    bool outOpen = true, errOpen = true;
    char buf[65536];
    while (outOpen || errOpen) {
        pollfd fds[2] = {{outOpen ? outPipe[0] : -1, POLLIN, 0},
                         {errOpen ? errPipe[0] : -1, POLLIN, 0}};
        poll(fds, 2, -1);
        for (int i = 0; i < 2; ++i) {
            if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) {
                const ssize_t n = read(i == 0 ? outPipe[0] : errPipe[0], buf, sizeof buf);
                if (n <= 0) {
                    (i == 0 ? outOpen : errOpen) = false;
                } else {
                    (i == 0 ? result.out : result.err).append(buf, static_cast<size_t>(n));
                }
            }
        }
    }
    close(outPipe[0]);
    close(errPipe[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return result;
}

std::string quoteConninfo(const std::string& value) {
    std::string out = "'";
    for (char c : value) {
        if (c == '\'' || c == '\\')
            out += '\\';
        out += c;
    }
    return out + "'";
}

}  // namespace

namespace {
// A string as a SQL literal, whatever standard_conforming_strings says.
std::string sqlLiteral(const std::string& value) {
    const bool backslash = value.find('\\') != std::string::npos;
    std::string out = backslash ? "E'" : "'";
    for (char c : value) {
        if (c == '\'' || (backslash && c == '\\'))
            out += c;
        out += c;
    }
    return out + "'";
}
}  // namespace

namespace {

// pg_dump --schema-only of the target, without its \restrict lines.
std::string runPgDump(const std::string& pgDump, const ConnectionTarget& target) {
    // The password goes through the environment, never the command line (visible in ps).
    std::string conninfo;
    for (const auto& [key, value] : target.params()) {
        if (key == "password")
            continue;
        conninfo += key + "=" + quoteConninfo(value) + " ";
    }
    std::vector<std::string> env;
    if (!target.password().empty())
        env.push_back("PGPASSWORD=" + target.password());
    const ProcessOutput dump = run(
        {pgDump, "--schema-only", "--no-owner", "--no-privileges", "--dbname=" + conninfo}, env);
    if (dump.status != 0) {
        throw Error(ExitCode::Failure, "pg_dump failed: " + redact(dump.err), {},
                    "pg_dump must be at least the server's version; DBTOOL_PG_DUMP picks another, "
                    "or `schema dump --method catalog` needs no pg_dump");
    }
    // Newer pg_dump releases wrap the dump in \restrict KEY / \unrestrict KEY with a random
    // key: psql-only lines that would change the committed file on every dump. Drop them, so
    // the file is plain SQL and stable.
    std::string out;
    size_t pos = 0;
    while (pos < dump.out.size()) {
        size_t end = dump.out.find('\n', pos);
        if (end == std::string::npos)
            end = dump.out.size() - 1;
        const std::string_view line(dump.out.data() + pos, end - pos + 1);
        if (!line.starts_with("\\restrict ") && !line.starts_with("\\unrestrict "))
            out += line;
        pos = end + 1;
    }
    return out;
}

// The major version in "pg_dump (PostgreSQL) 15.18 (Debian ...)" or "15.18 (Debian ...)".
std::string majorVersion(const std::string& text) {
    const size_t digit = text.find_first_of("0123456789");
    if (digit == std::string::npos)
        return "";
    return text.substr(digit, text.find_first_not_of("0123456789", digit) - digit);
}

}  // namespace

SchemaDumpResult dumpSchema(const ConnectionTarget& target, db::Session& session,
                            const std::string& trackingSchema, DumpMethod method) {
    SchemaDumpResult result;
    std::string pgDump;
    if (method != DumpMethod::Catalog) {
        try {
            pgDump = findPgDump();
        } catch (const Error&) {
            const char* chosen = std::getenv("DBTOOL_PG_DUMP");
            if (method == DumpMethod::PgDump || (chosen != nullptr && *chosen != '\0'))
                throw;  // asked for, or named explicitly: not silently replaced
            result.note = "pg_dump is not installed";
        }
    }
    if (method == DumpMethod::Auto && !pgDump.empty()) {
        const ProcessOutput version = run({pgDump, "--version"}, {});
        const std::string dumpMajor = majorVersion(version.out);
        const std::string serverMajor = majorVersion(session.serverVersion());
        if (version.status != 0 || dumpMajor != serverMajor) {
            result.note = "pg_dump " + (dumpMajor.empty() ? std::string("?") : dumpMajor) +
                          " does not match the server's major version " + serverMajor;
            pgDump.clear();
        }
    }
    std::string out;
    if (pgDump.empty()) {
        result.method = "catalog";
        out = dumpSchemaFromCatalog(session);
    } else {
        result.method = "pg_dump";
        out = runPgDump(pgDump, target);
    }
    const std::string schema = db::resolveTrackingSchema(session, trackingSchema);
    db::MigrationTable table(session, schema);
    std::vector<std::string> versions;
    for (const auto& row : table.read({}))
        versions.push_back(row.version);
    std::sort(versions.begin(), versions.end(), [](const auto& a, const auto& b) {
        return a.size() != b.size() ? a.size() < b.size() : a < b;
    });
    out += "\n--\n-- dbtool: applied migrations\n--\n\n";
    if (versions.empty()) {
        out += "-- (none)\n";
    } else {
        out += "INSERT INTO " + table.qualifiedName() + " (version) VALUES\n";
        for (size_t i = 0; i < versions.size(); ++i) {
            std::string literal = "'";
            for (char c : versions[i])
                literal += c == '\'' ? std::string("''") : std::string(1, c);
            out += "    (" + literal + "')" + (i + 1 < versions.size() ? ",\n" : ";\n");
        }
    }
    // Repeatable migrations as applied: loading the file must not make them pending again.
    db::RepeatableTable repeatables(session, schema);
    const auto applied = repeatables.read();
    if (!applied.empty()) {
        out += "\nINSERT INTO " + repeatables.qualifiedName() + " (name, checksum) VALUES\n";
        for (size_t i = 0; i < applied.size(); ++i) {
            out += "    (" + sqlLiteral(applied[i].name) + ", " + sqlLiteral(applied[i].checksum) +
                   ")" + (i + 1 < applied.size() ? ",\n" : ";\n");
        }
    }
    result.sql = std::move(out);
    return result;
}

void writeFileAtomically(const fs::path& path, const std::string& content) {
    if (path.has_parent_path())
        fs::create_directories(path.parent_path());
    const fs::path tmp = path.string() + ".tmp";
    {
        std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
        f << content;
        if (!f)
            throw Error(ExitCode::Failure, "cannot write " + tmp.string(), {tmp.string()});
    }
    fs::rename(tmp, path);
}

}  // namespace dbtool
