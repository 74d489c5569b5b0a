/*
 * jsonrpc-session: a JSON-RPC client connection that keeps itself up.
 *
 * It connects to an active stream name ("unix:...", "tcp:...", "ssl:..."),
 * and whenever the connection fails or closes it connects again, waiting
 * longer between attempts (100 ms, doubling, up to a maximum, 8 s by
 * default).  A connection that stays up for a second resets the wait, so
 * a peer that accepts and drops connections at once is not hammered.
 *
 * Each connection or loss of connection bumps a sequence number, so users
 * notice and resynchronise (send their monitor requests again, say).
 * Failed attempts do not change it.  A connection closed by the peer is
 * noticed when receiving, so a user calls jsonrpc_session_recv() in each
 * run.  Messages cannot be sent while disconnected: jsonrpc_session_send()
 * drops them and returns ENOTCONN.
 *
 * Not thread-safe: one thread uses a session.
 */
#ifndef SKIFF_JSONRPC_SESSION_H
#define SKIFF_JSONRPC_SESSION_H 1

#include <stdbool.h>

struct jsonrpc_msg;
struct jsonrpc_session;

struct jsonrpc_session *jsonrpc_session_open(const char *name);
void jsonrpc_session_close(struct jsonrpc_session *);   /* Accepts NULL. */

const char *jsonrpc_session_get_name(const struct jsonrpc_session *);

/* Longest wait between connection attempts, in ms (at least 100).  An
 * attempt already scheduled further away is brought forward. */
void jsonrpc_session_set_max_backoff(struct jsonrpc_session *, int msec);

void jsonrpc_session_run(struct jsonrpc_session *);
void jsonrpc_session_wait(struct jsonrpc_session *);

bool jsonrpc_session_is_connected(const struct jsonrpc_session *);
unsigned int jsonrpc_session_get_seqno(const struct jsonrpc_session *);

/* Takes MSG.  Returns 0, or ENOTCONN when disconnected (MSG is freed). */
int jsonrpc_session_send(struct jsonrpc_session *, struct jsonrpc_msg *);

/* A received message (the caller destroys it), or NULL. */
struct jsonrpc_msg *jsonrpc_session_recv(struct jsonrpc_session *);
void jsonrpc_session_recv_wait(struct jsonrpc_session *);

/* Drops the connection now (it reconnects after the usual wait). */
void jsonrpc_session_force_reconnect(struct jsonrpc_session *);

#endif /* jsonrpc-session.h */
