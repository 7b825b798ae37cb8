#include "migrate/section_runner.hpp"

#include <algorithm>
#include <chrono>

#include "base/duration.hpp"
#include "base/text.hpp"
#include "migrate/sql_lexer.hpp"

namespace dbtool {

namespace {
// A section that may run DEALLOCATE (or DISCARD) can take away the statements dbtool prepared
// in the session, transaction or not: a case-insensitive look for either word anywhere (a
// DO block's EXECUTE too). Such a section's pipeline prepares nothing, and the session
// forgets what it prepared once the section has run, however it ended.
bool mayDeallocate(const MigrationSection& section) {
    auto has = [&](std::string_view word) {
        const auto& s = section.sql;
        return std::search(s.begin(), s.end(), word.begin(), word.end(), [](char a, char b) {
                   return (a >= 'a' && a <= 'z' ? a - 32 : a) == b;
               }) != s.end();
    };
    return has("DEALLOCATE") || has("DISCARD");
}

struct ForgetPreparedAfter {
    db::Session& session;
    bool active;
    ~ForgetPreparedAfter() {
        if (active)
            session.forgetPrepared();
    }
};
}  // namespace

int64_t runSection(db::Session& session, const Migration& m, const MigrationSection& section,
                   const std::function<void(size_t)>& committed) {
    const auto start = std::chrono::steady_clock::now();
    ForgetPreparedAfter forget{session, mayDeallocate(section)};
    if (section.transaction) {
        try {
            session.runScript(section.sql);
        } catch (db::SqlError& e) {
            throw SectionFailure{e, section.sql, 0, std::nullopt};
        }
        // Defence in depth: the parser refuses COMMIT/ROLLBACK, but a procedure could still
        // end the transaction; the tracking row would then not be atomic with the change.
        if (PQtransactionStatus(session.raw()) != PQTRANS_INTRANS) {
            throw Error(ExitCode::Database,
                        "migration " + m.label() + " ended dbtool's transaction",
                        {section.file.string()},
                        "remove COMMIT/ROLLBACK from it, or mark the section transaction:false");
        }
    } else {
        // Statements such as CREATE INDEX CONCURRENTLY refuse a multi-statement query (it is
        // an implicit transaction), so each statement goes on its own.
        const auto statements = lexSql(section.sql).statements;
        for (size_t i = 0; i < statements.size(); ++i) {
            const auto& st = statements[i];
            const std::string sql = section.sql.substr(st.begin, st.end - st.begin);
            try {
                session.runScript(sql);
            } catch (db::SqlError& e) {
                throw SectionFailure{e, sql, st.begin, std::make_pair(i, statements.size())};
            }
            if (committed)
                committed(i + 1);
        }
    }
    return msSince(start);
}

namespace {
// Everything is written before any result is read; kept well under the socket buffers, the
// writes cannot block on a server blocked on its own output.
constexpr size_t kPipelineBytes = 32 * 1024;

struct RollbackUnlessIdle {
    db::Session& session;
    ~RollbackUnlessIdle() {
        if (PQtransactionStatus(session.raw()) == PQTRANS_INERROR ||
            PQtransactionStatus(session.raw()) == PQTRANS_INTRANS) {
            PQclear(PQexec(session.raw(), "ROLLBACK"));
        }
    }
};
}  // namespace

std::optional<std::vector<db::ResultPtr>> runSectionInPipeline(
    db::Session& session, const MigrationSection& section,
    std::vector<db::Session::PipelineStep> before, std::vector<db::Session::PipelineStep> after) {
    if (!section.transaction || section.sql.size() > kPipelineBytes) {
        return std::nullopt;
    }
    const auto statements = lexSql(section.sql).statements;
    std::vector<db::Session::PipelineStep> steps = std::move(before);
    const size_t first = steps.size();  // the section's first step
    for (const auto& st : statements) {
        if (st.firstWord == "COPY") {  // COPY cannot run in a pipeline
            return std::nullopt;
        }
        steps.push_back({section.sql.substr(st.begin, st.end - st.begin), {}});
    }
    const size_t last = steps.size();  // one past the section's last step
    ForgetPreparedAfter forget{session, mayDeallocate(section)};
    for (auto& step : after) {
        step.prepared = step.prepared && !forget.active;
        steps.push_back(std::move(step));
    }
    try {
        return session.pipeline(steps);
    } catch (db::SqlError& e) {
        const auto index = e.server().statementIndex;
        if (index && static_cast<size_t>(*index) >= first && static_cast<size_t>(*index) < last) {
            const auto& st = statements[static_cast<size_t>(*index) - first];
            throw SectionFailure{e, steps[static_cast<size_t>(*index)].sql, st.begin, std::nullopt};
        }
        throw;
    }
}

std::optional<int64_t> applyInOneRoundTrip(db::Session& session, const Migration& m,
                                           const db::MigrationTable& table) {
    RollbackUnlessIdle rollback{session};
    const auto results =
        runSectionInPipeline(session, m.up, {{"BEGIN", {}}},
                             {table.insertStep(m.version, m.name, m.checksum), {"COMMIT", {}}});
    if (!results) {
        return std::nullopt;
    }
    // Nothing in the section can have ended the transaction before the tracking row: every
    // statement went as a message of its own, which the server refuses to hold two
    // statements, and loading refused COMMIT, ROLLBACK, END, ABORT and PREPARE TRANSACTION
    // (procedures and DO blocks cannot end a transaction that BEGIN opened).
    const PGresult* recorded =
        results->size() >= 2 ? (*results)[results->size() - 2].get() : nullptr;
    if (recorded == nullptr || PQntuples(recorded) != 1) {
        throw Error(ExitCode::Database, "migration " + m.label() + " was not recorded",
                    {m.up.file.string()});
    }
    return std::stoll(PQgetvalue(recorded, 0, 0));
}

SourceLocation errorLocation(const MigrationSection& section, const SectionFailure& f) {
    const auto& server = f.error.server();
    if (server.position > 0) {
        return section.locate(f.offset + byteOffsetOfCharacter(f.sent, server.position));
    }
    if (server.statementIndex) {
        const auto statements = lexSql(f.sent).statements;
        if (static_cast<size_t>(*server.statementIndex) < statements.size()) {
            return section.locate(f.offset + statements[*server.statementIndex].begin);
        }
    }
    return section.locate(f.offset);
}

}  // namespace dbtool
