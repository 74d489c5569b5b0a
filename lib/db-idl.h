/*
 * db-idl: a client's live replica of a remote OVSDB database.
 *
 * The replica holds the tables and columns the client asks for, filled by
 * a "monitor" request and kept current by its "update" notifications.  It
 * is built on jsonrpc-session: when the server goes away, the replica
 * keeps its last contents, and on reconnection it fetches the schema and
 * monitors again, replacing the contents with the server's.
 *
 * Reading: after db_idl_run(), db_idl_get_db() returns the replica as an
 * in-memory database (struct db, see db.h) whose schema is the server's;
 * rows and their fields are read with the db.h API.  Columns not
 * replicated hold default values, and "_version" is never replicated.
 * The replica must not be changed directly.  db_idl_get_seqno() changes
 * whenever the contents change.  Any db_idl_run() (which
 * db_idl_wait_synced() and db_idl_txn_commit_block() call too) may delete
 * rows, and one that finds the server's schema changed replaces the whole
 * database (with a new struct db), so pointers into the replica last only
 * until the next run.
 *
 * Writing: a transaction (db_idl_txn) collects operations and commits
 * them with optimistic concurrency: for each value the client's decision
 * depended on it adds db_idl_txn_verify(), which becomes a "wait" that the
 * column still has the value the replica shows.  If another client changed
 * it meanwhile, the commit reports DB_IDL_TXN_TRY_AGAIN and the client
 * rereads the replica (after it catches up) and tries again.
 *
 * Skiff's server sends a commit's "update" before the reply to the
 * "transact", and the replica handles messages in order, so when a commit
 * reports DB_IDL_TXN_SUCCESS the replica already shows its changes (to
 * the replicated columns).  The replica does not wait for them otherwise:
 * with a server that answered first, they would show a run or so later.
 *
 * Transactions must be destroyed before their replica.
 *
 * Not thread-safe: one thread uses a replica.
 */
#ifndef SKIFF_DB_IDL_H
#define SKIFF_DB_IDL_H 1

#include <stdbool.h>

#include <json-c/json.h>

#include "uuid.h"

struct db;
struct db_datum;
struct db_row;
struct db_idl;
struct db_idl_txn;

/* Replicates database DB_NAME from REMOTE (an active stream name). */
struct db_idl *db_idl_create(const char *remote, const char *db_name);
void db_idl_destroy(struct db_idl *);      /* Accepts NULL. */

/* What to replicate: every column of TABLE, or only COLUMN of TABLE (call
 * once per column).  Call before the first db_idl_run() (later calls take
 * effect on the next connection); names the server's schema lacks are
 * reported (logged at WARN) when the schema arrives and ignored.  With no
 * call at all, everything is replicated. */
void db_idl_add_table(struct db_idl *, const char *table);
void db_idl_add_column(struct db_idl *, const char *table,
                       const char *column);

void db_idl_run(struct db_idl *);
void db_idl_wait(struct db_idl *);

/* The replica, or NULL before the schema first arrived. */
const struct db *db_idl_get_db(const struct db_idl *);
unsigned int db_idl_get_seqno(const struct db_idl *);
bool db_idl_is_connected(const struct db_idl *);

/* True once the replica holds the server's contents on the current
 * connection. */
bool db_idl_is_synced(const struct db_idl *);

/* Runs the replica until it is synced.  0, or ETIMEDOUT after TIMEOUT_MS
 * (negative: forever). */
int db_idl_wait_synced(struct db_idl *, int timeout_ms);

/* Transactions. */

enum db_idl_txn_status {
    DB_IDL_TXN_UNCOMMITTED,     /* Not committed yet. */
    DB_IDL_TXN_INCOMPLETE,      /* Sent; no answer yet. */
    DB_IDL_TXN_SUCCESS,         /* Committed. */
    DB_IDL_TXN_UNCHANGED,       /* Committed, nothing to change. */
    DB_IDL_TXN_TRY_AGAIN,       /* A verified value changed meanwhile. */
    DB_IDL_TXN_NOT_CONNECTED,   /* The connection went away. */
    DB_IDL_TXN_ERROR            /* The server refused it (see error). */
};

const char *db_idl_txn_status_to_string(enum db_idl_txn_status);

struct db_idl_txn *db_idl_txn_create(struct db_idl *);
void db_idl_txn_destroy(struct db_idl_txn *);  /* Accepts NULL. */

/* Adds a wait that ROW's COLUMN still holds its value in the replica (the
 * value now: later changes to the replica do not matter).  A column that
 * is not replicated, or unknown, is logged and not verified. */
void db_idl_txn_verify(struct db_idl_txn *, const struct db_row *row,
                       const char *column);

/* Inserts a row into TABLE and returns a placeholder uuid for it (the
 * real one is known once committed: see db_idl_txn_get_insert_uuid());
 * COLUMNS is a JSON object of column values in RFC 7047 notation (taken;
 * NULL: all defaults).  Within the same transaction, ["uuid", PLACEHOLDER]
 * anywhere in an operation refers to the new row: it is sent as the
 * insert's named uuid. */
struct uuid db_idl_txn_insert(struct db_idl_txn *, const char *table,
                              struct json_object *columns);

/* Sets ROW's columns to the values in COLUMNS (taken), as "update".  If
 * the row is gone by then, nothing happens (verify a column to notice). */
void db_idl_txn_update(struct db_idl_txn *, const struct db_row *row,
                       struct json_object *columns);

void db_idl_txn_delete(struct db_idl_txn *, const struct db_row *row);

/* Appends any operation (taken), for what the helpers above lack.
 * Operations added once committed are logged and dropped. */
void db_idl_txn_add_op(struct db_idl_txn *, struct json_object *op);

void db_idl_txn_add_comment(struct db_idl_txn *, const char *comment);

/* Sends the transaction and waits (running the replica) for the answer,
 * up to TIMEOUT_MS (negative: forever).  On DB_IDL_TXN_ERROR,
 * db_idl_txn_get_error() says why.
 *
 * A transaction with no operations (comments do not count) is
 * DB_IDL_TXN_UNCHANGED without being sent.  One still unanswered after
 * TIMEOUT_MS is DB_IDL_TXN_INCOMPLETE: calling again waits longer, and
 * later runs of the replica still record its answer.  Calling again after
 * the answer just returns the status.  DB_IDL_TXN_NOT_CONNECTED means the
 * connection was down at commit or went away before the answer (whether
 * the server committed it is then unknown). */
enum db_idl_txn_status db_idl_txn_commit_block(struct db_idl_txn *,
                                               int timeout_ms);

/* After a successful commit: the real uuid of a row inserted with
 * db_idl_txn_insert() (given the placeholder it returned), or NULL. */
const struct uuid *db_idl_txn_get_insert_uuid(const struct db_idl_txn *,
                                              const struct uuid *);
/* The server's error text, or NULL. */
const char *db_idl_txn_get_error(const struct db_idl_txn *);
/* The server's result array (for callers that added raw operations). */
const struct json_object *db_idl_txn_get_result(const struct db_idl_txn *);

#endif /* db-idl.h */
