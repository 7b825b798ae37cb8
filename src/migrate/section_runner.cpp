#include "migrate/section_runner.hpp"

#include <chrono>

#include "base/duration.hpp"
#include "base/text.hpp"
#include "migrate/sql_lexer.hpp"

namespace dbtool {

int64_t runSection(db::Session& session, const Migration& m, const MigrationSection& section,
                   const std::function<void(size_t)>& committed) {
    const auto start = std::chrono::steady_clock::now();
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
