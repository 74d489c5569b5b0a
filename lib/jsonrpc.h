/*
 * jsonrpc: a JSON-RPC 1.0 connection over a stream.
 *
 * Sending queues the serialized message and writes as much as the stream
 * takes; jsonrpc_run() writes the rest as the stream drains.  Receiving
 * reads what is available, splits it into messages with json-reader and
 * returns them one at a time.
 *
 * Status: 0 while healthy.  Once the peer closes the stream the status is
 * EOF (the C library's -1, the one value here that is not a positive
 * errno); after an error it is that error.  The status is final: the
 * caller closes the connection.  Messages received before the close are
 * still returned first; unsent output is dropped once the status is set.
 *
 * Bad input from the peer never stops the program:
 *   - bytes that are not JSON, or a message over the size limit: logged
 *     (rate-limited) with the peer's name and the connection's status
 *     becomes EPROTO;
 *   - a JSON value that is not a valid JSON-RPC message: logged, answered
 *     with an error reply ({"result":null,"error":"...","id":...}, the id
 *     being the bad message's, or null), and skipped; the connection stays
 *     up.  A bad message with a "result" or "error" member is not
 *     answered, so that two peers cannot trade error replies forever;
 *   - the peer closing in the middle of a message: logged, status EOF.
 *
 * Not thread-safe: one thread uses a connection at a time.
 */
#ifndef SKIFF_JSONRPC_H
#define SKIFF_JSONRPC_H 1

#include <stddef.h>

#include "jsonrpc-msg.h"

struct stream;

/* Takes ownership of STREAM, which may still be connecting. */
struct jsonrpc *jsonrpc_open(struct stream *);
void jsonrpc_close(struct jsonrpc *);   /* Accepts NULL. */

const char *jsonrpc_get_name(const struct jsonrpc *);
int jsonrpc_get_status(const struct jsonrpc *);
size_t jsonrpc_get_backlog(const struct jsonrpc *);   /* Bytes queued. */

/* Writes queued bytes; call from the poll loop. */
void jsonrpc_run(struct jsonrpc *);
/* Registers the events jsonrpc_run() waits for (sending the backlog). */
void jsonrpc_wait(struct jsonrpc *);

/* Queues MSG (taking ownership) and starts sending it.  Returns 0, or the
 * connection's status if it has failed, before or while sending (MSG is
 * freed anyway). */
int jsonrpc_send(struct jsonrpc *, struct jsonrpc_msg *);

/* Returns 0 and a message (the caller destroys it), EAGAIN when none is
 * complete yet, or the connection's nonzero status. */
int jsonrpc_recv(struct jsonrpc *, struct jsonrpc_msg **msgp);
void jsonrpc_recv_wait(struct jsonrpc *);

/* Blocking forms for clients.  TIMEOUT_MS < 0 waits forever; on timeout
 * they return ETIMEDOUT.
 *
 * jsonrpc_transact_block() sends REQUEST and waits for the reply or error
 * with its id, discarding other messages (notifications) meanwhile.  It
 * returns EINVAL, sending nothing, if REQUEST is not a request.  The
 * blocking forms keep sending the backlog while they wait. */
int jsonrpc_send_block(struct jsonrpc *, struct jsonrpc_msg *,
                       int timeout_ms);
int jsonrpc_recv_block(struct jsonrpc *, struct jsonrpc_msg **msgp,
                       int timeout_ms);
int jsonrpc_transact_block(struct jsonrpc *, struct jsonrpc_msg *request,
                           struct jsonrpc_msg **replyp, int timeout_ms);

#endif /* jsonrpc.h */
