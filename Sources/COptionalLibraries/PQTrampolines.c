// Trampolines for the libpq functions the PostgreSQL store calls.

#include <stdio.h>
#include <stdlib.h>

#include <postgresql/libpq-fe.h>

#include "SymbolTable.h"

#define PQ_SYMBOLS(X)                                                                            \
    X(PQbackendPID)                                                                              \
    X(PQclear)                                                                                   \
    X(PQcmdTuples)                                                                               \
    X(PQconnectdbParams)                                                                         \
    X(PQconninfoFree)                                                                            \
    X(PQconninfoParse)                                                                           \
    X(PQconsumeInput)                                                                            \
    X(PQerrorMessage)                                                                            \
    X(PQexec)                                                                                    \
    X(PQexecPrepared)                                                                            \
    X(PQfinish)                                                                                  \
    X(PQfreemem)                                                                                 \
    X(PQgetisnull)                                                                               \
    X(PQgetvalue)                                                                                \
    X(PQnfields)                                                                                 \
    X(PQnotifies)                                                                                \
    X(PQntuples)                                                                                 \
    X(PQprepare)                                                                                 \
    X(PQreset)                                                                                   \
    X(PQresultErrorField)                                                                        \
    X(PQresultErrorMessage)                                                                      \
    X(PQresultStatus)                                                                            \
    X(PQsetNoticeProcessor)                                                                      \
    X(PQsocket)                                                                                  \
    X(PQstatus)

enum { PQ_SYMBOLS(LIFELINE_SYMBOL_INDEX) lifeline_pq_symbol_count };
static const char *const lifeline_pq_names[] = {PQ_SYMBOLS(LIFELINE_SYMBOL_NAME)};
static void *lifeline_pq_addresses[lifeline_pq_symbol_count];

LIFELINE_HIDDEN struct lifeline_symbol_table lifeline_pq_table = {
    "libpq.so.5", "libpq5", lifeline_pq_names, lifeline_pq_addresses, lifeline_pq_symbol_count,
};

#define CALL(name) LIFELINE_TARGET(lifeline_pq_table, name)

LIFELINE_HIDDEN int PQbackendPID(const PGconn *connection) { return CALL(PQbackendPID)(connection); }

LIFELINE_HIDDEN void PQclear(PGresult *result) { CALL(PQclear)(result); }

LIFELINE_HIDDEN char *PQcmdTuples(PGresult *result) { return CALL(PQcmdTuples)(result); }

LIFELINE_HIDDEN PGconn *PQconnectdbParams(const char *const *keywords, const char *const *values, int expand_dbname) {
    return CALL(PQconnectdbParams)(keywords, values, expand_dbname);
}

LIFELINE_HIDDEN void PQconninfoFree(PQconninfoOption *options) { CALL(PQconninfoFree)(options); }

LIFELINE_HIDDEN PQconninfoOption *PQconninfoParse(const char *conninfo, char **error_message) {
    return CALL(PQconninfoParse)(conninfo, error_message);
}

LIFELINE_HIDDEN int PQconsumeInput(PGconn *connection) { return CALL(PQconsumeInput)(connection); }

LIFELINE_HIDDEN char *PQerrorMessage(const PGconn *connection) { return CALL(PQerrorMessage)(connection); }

LIFELINE_HIDDEN PGresult *PQexec(PGconn *connection, const char *query) { return CALL(PQexec)(connection, query); }

LIFELINE_HIDDEN PGresult *PQexecPrepared(PGconn *connection, const char *statement, int parameter_count,
                                         const char *const *values, const int *lengths, const int *formats,
                                         int result_format) {
    return CALL(PQexecPrepared)(connection, statement, parameter_count, values, lengths, formats, result_format);
}

LIFELINE_HIDDEN void PQfinish(PGconn *connection) { CALL(PQfinish)(connection); }

LIFELINE_HIDDEN void PQfreemem(void *pointer) { CALL(PQfreemem)(pointer); }

LIFELINE_HIDDEN int PQgetisnull(const PGresult *result, int row, int field) {
    return CALL(PQgetisnull)(result, row, field);
}

LIFELINE_HIDDEN char *PQgetvalue(const PGresult *result, int row, int field) {
    return CALL(PQgetvalue)(result, row, field);
}

LIFELINE_HIDDEN int PQnfields(const PGresult *result) { return CALL(PQnfields)(result); }

LIFELINE_HIDDEN PGnotify *PQnotifies(PGconn *connection) { return CALL(PQnotifies)(connection); }

LIFELINE_HIDDEN int PQntuples(const PGresult *result) { return CALL(PQntuples)(result); }

LIFELINE_HIDDEN PGresult *PQprepare(PGconn *connection, const char *statement, const char *query, int parameter_count,
                                    const Oid *parameter_types) {
    return CALL(PQprepare)(connection, statement, query, parameter_count, parameter_types);
}

LIFELINE_HIDDEN void PQreset(PGconn *connection) { CALL(PQreset)(connection); }

LIFELINE_HIDDEN char *PQresultErrorField(const PGresult *result, int field_code) {
    return CALL(PQresultErrorField)(result, field_code);
}

LIFELINE_HIDDEN char *PQresultErrorMessage(const PGresult *result) { return CALL(PQresultErrorMessage)(result); }

LIFELINE_HIDDEN ExecStatusType PQresultStatus(const PGresult *result) { return CALL(PQresultStatus)(result); }

LIFELINE_HIDDEN PQnoticeProcessor PQsetNoticeProcessor(PGconn *connection, PQnoticeProcessor processor, void *argument) {
    return CALL(PQsetNoticeProcessor)(connection, processor, argument);
}

LIFELINE_HIDDEN int PQsocket(const PGconn *connection) { return CALL(PQsocket)(connection); }

LIFELINE_HIDDEN ConnStatusType PQstatus(const PGconn *connection) { return CALL(PQstatus)(connection); }
