/*
 * db-server: the OVSDB protocol (RFC 7047, section 4) for one database.
 *
 * Serves JSON-RPC clients on any number of listeners (punix:, ptcp:,
 * pssl:): list_dbs, get_schema, transact (with "wait" operations that hold
 * the reply until their condition holds), cancel, monitor,
 * monitor_cancel, lock, steal, unlock and echo, and sends the "update",
 * "locked" and "stolen" notifications.
 *
 * A client that does not read what it is sent is disconnected once its
 * unsent backlog passes a bound, with a log line: it never holds up other
 * clients.  A client may hold at most 256 waiting transactions, 256
 * monitors and 256 lock requests at once ("resources exhausted" past
 * that).  Bad requests get error replies; bytes that are not JSON end
 * that client's connection.
 *
 * Destroy the server before its database: the server's monitors are
 * attached to the database.
 */
#ifndef SKIFF_DB_SERVER_H
#define SKIFF_DB_SERVER_H 1

#include <stddef.h>

struct db;
struct db_file;
struct db_server;
struct ds;

/* FILE (may be NULL) is compacted from time to time as it grows. */
struct db_server *db_server_create(struct db *, struct db_file *);
void db_server_destroy(struct db_server *);    /* Accepts NULL. */

/* Listens on NAME ("punix:PATH", "ptcp:PORT[:IP]", "pssl:PORT[:IP]").
 * Returns 0 or a positive errno value (logged). */
int db_server_add_remote(struct db_server *, const char *name);

/* The bound name of listener I (with the real port for port 0), or NULL
 * past the end. */
const char *db_server_get_remote(const struct db_server *, size_t i);

void db_server_run(struct db_server *);
void db_server_wait(struct db_server *);

/* Appends a report of the server's state: clients, monitors, locks,
 * waiting transactions. */
void db_server_put_status(const struct db_server *, struct ds *);

#endif /* db-server.h */
