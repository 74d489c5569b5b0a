/*
 * db-execute: runs the operations of an RFC 7047 "transact" request
 * (section 5.2) against a database.
 *
 * The operations run in order in one transaction: insert, select, update,
 * mutate, delete, wait, commit, abort, comment, assert.  If every one
 * succeeds the transaction commits; if one fails, nothing changes.
 *
 * The result is the "result" member of the reply: an array with one
 * element per operation.  A failed operation's element is an error object
 * ({"error": ..., "details": ...}) and the elements after it are null.  If
 * the operations succeed but the commit fails, one more element, the
 * commit's error, is appended.
 *
 * A "wait" operation whose condition does not hold yet (and whose timeout
 * has not passed) makes the whole request wait: db_execute() then returns
 * NULL, changes nothing, and says when to try again; the caller runs the
 * request again after the next commit or at that time.
 */
#ifndef SKIFF_DB_EXECUTE_H
#define SKIFF_DB_EXECUTE_H 1

#include <stdbool.h>

#include <json-c/json.h>

struct db;

/* What the operations need from the client's session. */
struct db_session_info {
    /* True if the session owns lock NAME ("assert").  NULL: owns none. */
    bool (*has_lock)(const char *name, void *aux);
    void *aux;
};

/* Runs OPS, a JSON array of operation objects, on DB.  ELAPSED_MSEC is
 * how long the request has already waited (0 the first time).  Returns
 * the result array (the caller puts it), or NULL if it must wait, with
 * *RETRY_MSEC set to how long until a "wait" times out (LLONG_MAX: only a
 * commit can wake it).  SESSION may be NULL. */
struct json_object *db_execute(struct db *db,
                               const struct db_session_info *session,
                               const struct json_object *ops,
                               long long int elapsed_msec,
                               long long int *retry_msec);

#endif /* db-execute.h */
