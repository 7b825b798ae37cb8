#include "base/text.hpp"
#include "db/session.hpp"

namespace dbtool::db {

std::vector<ResultPtr> Session::pipeline(const std::vector<PipelineStep>& steps) {
    PGconn* c = raw();
    auto broken = [&] {
        ServerError e;
        e.message = oneLine(PQerrorMessage(c));
        if (PQstatus(c) == CONNECTION_BAD) {
            e.sqlstate = "08006";
        }
        return makeSqlError("", e);
    };
    for (const auto& step : steps) {  // prepared before the pipeline starts, once a session
        if (step.prepared) {
            preparedName(step.sql, static_cast<int>(step.params.size()));
        }
    }
    if (PQenterPipelineMode(c) == 0) {
        throw broken();
    }
    struct Exit {  // leaves pipeline mode however this ends (a no-op while results are due)
        PGconn* c;
        ~Exit() { PQexitPipelineMode(c); }
    } exit{c};
    for (const auto& step : steps) {
        const auto values = parameterValues(step.params);
        const int n = static_cast<int>(values.size());
        const int sent = step.prepared ? PQsendQueryPrepared(c, prepared_.at(step.sql).c_str(), n,
                                                             values.data(), nullptr, nullptr, 0)
                                       : PQsendQueryParams(c, step.sql.c_str(), n, nullptr,
                                                           values.data(), nullptr, nullptr, 0);
        if (sent == 0) {
            throw broken();
        }
    }
    if (PQpipelineSync(c) == 0) {
        throw broken();
    }
    std::vector<ResultPtr> results;
    std::optional<ServerError> failure;
    for (size_t i = 0; i < steps.size(); ++i) {
        ResultPtr kept(nullptr, &PQclear);
        // Each step's results end with a null; a connection lost mid-way ends them all.
        while (PGresult* r = PQgetResult(c)) {
            ResultPtr result(r, &PQclear);
            const auto status = PQresultStatus(r);
            if (status == PGRES_FATAL_ERROR && !failure) {
                failure = serverErrorFrom(r);
                failure->statementIndex = static_cast<int>(i);
            } else if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
                kept = std::move(result);
            }
        }
        if (PQstatus(c) == CONNECTION_BAD) {
            break;
        }
        results.push_back(std::move(kept));
    }
    if (PQstatus(c) != CONNECTION_BAD) {
        ResultPtr sync(PQgetResult(c), &PQclear);  // PGRES_PIPELINE_SYNC
    }
    if (failure) {
        if (PQstatus(c) == CONNECTION_BAD && failure->sqlstate.empty()) {
            failure->sqlstate = "08006";
        }
        throw makeSqlError("", *failure);
    }
    if (PQstatus(c) == CONNECTION_BAD) {
        throw broken();
    }
    return results;
}

}  // namespace dbtool::db
