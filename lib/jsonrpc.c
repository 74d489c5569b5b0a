/* jsonrpc: a JSON-RPC 1.0 connection over a stream. */
#include <config.h>

#include "jsonrpc.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json-reader.h"
#include "list.h"
#include "poll-loop.h"
#include "stream.h"
#include "timeval.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(jsonrpc);

/* Bytes read from the stream at a time. */
#define RX_BUFFER_SIZE 4096

/* Reads per jsonrpc_recv() call at most, so that a peer that keeps
 * sending cannot hold the caller's loop. */
#define MAX_READS_PER_RECV 50

/* Peer misbehaviour is logged at this rate at most. */
static struct vlog_rate_limit bad_peer_rl = VLOG_RATE_LIMIT_INIT(5, 20);

/* A serialized message waiting to be sent. */
struct tx_buffer {
    struct list node;           /* In struct jsonrpc's 'output'. */
    char *data;
    size_t length;
    size_t sent;                /* Bytes of 'data' already sent. */
};

struct jsonrpc {
    struct stream *stream;
    int status;                 /* 0, EOF or a positive errno value. */

    /* Output. */
    struct list output;         /* Of struct tx_buffer, oldest first. */
    size_t backlog;             /* Unsent bytes in 'output'. */

    /* Input. */
    struct json_reader *reader;
    char rx[RX_BUFFER_SIZE];
    size_t rx_start;            /* First byte of 'rx' not yet parsed. */
    size_t rx_end;              /* End of the bytes read into 'rx'. */
};

struct jsonrpc *
jsonrpc_open(struct stream *stream)
{
    struct jsonrpc *rpc = xzalloc(sizeof *rpc);

    rpc->stream = stream;
    list_init(&rpc->output);
    rpc->reader = json_reader_create(JSON_READER_DEFAULT_MAX_SIZE,
                                     JSON_READER_DEFAULT_MAX_DEPTH);
    return rpc;
}

static void
tx_buffer_destroy(struct tx_buffer *buf)
{
    free(buf->data);
    free(buf);
}

static void
flush_output(struct jsonrpc *rpc)
{
    while (!list_is_empty(&rpc->output)) {
        struct list *node = list_pop_front(&rpc->output);
        tx_buffer_destroy(CONTAINER_OF(node, struct tx_buffer, node));
    }
    rpc->backlog = 0;
}

void
jsonrpc_close(struct jsonrpc *rpc)
{
    if (rpc) {
        flush_output(rpc);
        json_reader_destroy(rpc->reader);
        stream_close(rpc->stream);
        free(rpc);
    }
}

const char *
jsonrpc_get_name(const struct jsonrpc *rpc)
{
    return stream_get_name(rpc->stream);
}

int
jsonrpc_get_status(const struct jsonrpc *rpc)
{
    return rpc->status;
}

size_t
jsonrpc_get_backlog(const struct jsonrpc *rpc)
{
    return rpc->backlog;
}

/* Makes ERROR (EOF or a positive errno value) the connection's final
 * status, unless it already has one.  Unsent output is dropped. */
static void
jsonrpc_fail(struct jsonrpc *rpc, int error)
{
    if (!rpc->status) {
        rpc->status = error;
        flush_output(rpc);
    }
}

/* Fails RPC because stream operation OP returned -ERROR. */
static void
jsonrpc_stream_error(struct jsonrpc *rpc, const char *op, int error)
{
    if (!rpc->status) {
        VLOG_WARN_RL(&bad_peer_rl, "%s: %s failed: %s",
                     jsonrpc_get_name(rpc), op, strerror(error));
    }
    jsonrpc_fail(rpc, error);
}

void
jsonrpc_run(struct jsonrpc *rpc)
{
    if (rpc->status) {
        return;
    }
    stream_run(rpc->stream);
    while (!list_is_empty(&rpc->output)) {
        struct tx_buffer *buf = CONTAINER_OF(rpc->output.next,
                                             struct tx_buffer, node);
        ssize_t n = stream_send(rpc->stream, buf->data + buf->sent,
                                buf->length - buf->sent);

        if (n == -EAGAIN || n == 0) {
            break;
        } else if (n < 0) {
            jsonrpc_stream_error(rpc, "send", (int) -n);
            break;
        }
        buf->sent += n;
        rpc->backlog -= n;
        if (buf->sent == buf->length) {
            list_remove(&buf->node);
            tx_buffer_destroy(buf);
        }
    }
}

void
jsonrpc_wait(struct jsonrpc *rpc)
{
    if (rpc->status) {
        return;
    }
    stream_run_wait(rpc->stream);
    if (!list_is_empty(&rpc->output)) {
        stream_send_wait(rpc->stream);
    }
}

static void
log_msg(const struct jsonrpc *rpc, const char *verb, const char *text)
{
    if (VLOG_IS_DBG_ENABLED()) {
        VLOG_DBG("%s: %s %s", jsonrpc_get_name(rpc), verb, text);
    }
}

int
jsonrpc_send(struct jsonrpc *rpc, struct jsonrpc_msg *msg)
{
    struct tx_buffer *buf;

    if (rpc->status) {
        jsonrpc_msg_destroy(msg);
        return rpc->status;
    }

    buf = xzalloc(sizeof *buf);
    buf->data = jsonrpc_msg_to_string(msg);
    buf->length = strlen(buf->data);
    jsonrpc_msg_destroy(msg);
    log_msg(rpc, "send", buf->data);

    list_push_back(&rpc->output, &buf->node);
    rpc->backlog += buf->length;
    jsonrpc_run(rpc);
    return rpc->status;
}

/* True if JSON claims to be an answer (it has a "result" or "error").
 * Such a message is never answered, even if invalid, so that two peers
 * cannot trade error replies forever. */
static bool
is_answer(struct json_object *json)
{
    return (json_object_is_type(json, json_type_object)
            && (json_object_object_get_ex(json, "result", NULL)
                || json_object_object_get_ex(json, "error", NULL)));
}

/* Handles JSON, a value that is not a valid message because of ERROR:
 * logs it and answers with an error reply. */
static void
reject_value(struct jsonrpc *rpc, struct json_object *json,
             const char *error)
{
    struct json_object *id = NULL;

    VLOG_WARN_RL(&bad_peer_rl, "%s: received invalid JSON-RPC message: %s",
                 jsonrpc_get_name(rpc), error);
    if (is_answer(json)) {
        return;
    }
    if (json_object_is_type(json, json_type_object)) {
        json_object_object_get_ex(json, "id", &id);
    }
    jsonrpc_send(rpc, jsonrpc_create_error(json_object_new_string(error),
                                           id));
}

/* Parses buffered input.  Returns true and *MSGP if a message was
 * completed. */
static bool
parse_input(struct jsonrpc *rpc, struct jsonrpc_msg **msgp)
{
    struct json_object *json;
    char *error;

    rpc->rx_start += json_reader_feed(rpc->reader, rpc->rx + rpc->rx_start,
                                      rpc->rx_end - rpc->rx_start);
    json = json_reader_take(rpc->reader);
    if (!json) {
        if (json_reader_get_error(rpc->reader)) {
            VLOG_WARN_RL(&bad_peer_rl, "%s: received bad JSON (%s), "
                         "closing connection", jsonrpc_get_name(rpc),
                         json_reader_get_error(rpc->reader));
            jsonrpc_fail(rpc, EPROTO);
        }
        return false;
    }

    if (jsonrpc_msg_from_json(json, msgp, &error)) {
        reject_value(rpc, json, error);
        free(error);
    } else if (VLOG_IS_DBG_ENABLED()) {
        log_msg(rpc, "received", json_object_to_json_string_ext(
                    json, JSON_C_TO_STRING_PLAIN));
    }
    json_object_put(json);
    return *msgp != NULL;
}

/* Reads more input into the empty receive buffer.  Returns false if there
 * is none now (or the connection failed). */
static bool
read_input(struct jsonrpc *rpc)
{
    ssize_t n = stream_recv(rpc->stream, rpc->rx, sizeof rpc->rx);

    if (n > 0) {
        rpc->rx_start = 0;
        rpc->rx_end = n;
        return true;
    } else if (n == 0) {
        if (json_reader_is_partial(rpc->reader)) {
            VLOG_WARN_RL(&bad_peer_rl, "%s: connection closed in the "
                         "middle of a message", jsonrpc_get_name(rpc));
        } else {
            VLOG_DBG("%s: connection closed by peer",
                     jsonrpc_get_name(rpc));
        }
        jsonrpc_fail(rpc, EOF);
    } else if (n != -EAGAIN) {
        jsonrpc_stream_error(rpc, "receive", (int) -n);
    }
    return false;
}

int
jsonrpc_recv(struct jsonrpc *rpc, struct jsonrpc_msg **msgp)
{
    *msgp = NULL;
    for (int i = 0; i < MAX_READS_PER_RECV && !rpc->status; i++) {
        while (rpc->rx_start < rpc->rx_end && !rpc->status) {
            if (parse_input(rpc, msgp)) {
                return 0;
            }
        }
        if (rpc->status || !read_input(rpc)) {
            break;
        }
    }
    return rpc->status ? rpc->status : EAGAIN;
}

void
jsonrpc_recv_wait(struct jsonrpc *rpc)
{
    if (rpc->status || rpc->rx_start < rpc->rx_end) {
        poll_immediate_wake();
    } else {
        stream_recv_wait(rpc->stream);
    }
}

static long long int
deadline_from_timeout(int timeout_ms)
{
    return timeout_ms < 0 ? LLONG_MAX : time_msec() + timeout_ms;
}

static bool
deadline_passed(long long int deadline)
{
    return deadline != LLONG_MAX && time_msec() >= deadline;
}

/* Waits until RPC may make progress or DEADLINE passes. */
static void
block_until(struct jsonrpc *rpc, long long int deadline, bool receiving)
{
    jsonrpc_wait(rpc);
    if (receiving) {
        jsonrpc_recv_wait(rpc);
    }
    poll_timer_wait_until(deadline);
    poll_block();
}

/* Sends the backlog.  Returns 0 once it is all sent, the connection's
 * status, or ETIMEDOUT after DEADLINE. */
static int
flush_until(struct jsonrpc *rpc, long long int deadline)
{
    for (;;) {
        jsonrpc_run(rpc);
        if (rpc->status) {
            return rpc->status;
        } else if (!rpc->backlog) {
            return 0;
        } else if (deadline_passed(deadline)) {
            return ETIMEDOUT;
        }
        block_until(rpc, deadline, false);
    }
}

/* Receives a message, sending the backlog meanwhile.  Returns as
 * jsonrpc_recv(), but ETIMEDOUT instead of EAGAIN after DEADLINE. */
static int
recv_until(struct jsonrpc *rpc, struct jsonrpc_msg **msgp,
           long long int deadline)
{
    for (;;) {
        int error = jsonrpc_recv(rpc, msgp);

        if (error != EAGAIN) {
            return error;
        }
        jsonrpc_run(rpc);
        if (deadline_passed(deadline)) {
            return ETIMEDOUT;
        }
        block_until(rpc, deadline, true);
    }
}

int
jsonrpc_send_block(struct jsonrpc *rpc, struct jsonrpc_msg *msg,
                   int timeout_ms)
{
    long long int deadline = deadline_from_timeout(timeout_ms);
    int error = jsonrpc_send(rpc, msg);

    return error ? error : flush_until(rpc, deadline);
}

int
jsonrpc_recv_block(struct jsonrpc *rpc, struct jsonrpc_msg **msgp,
                   int timeout_ms)
{
    return recv_until(rpc, msgp, deadline_from_timeout(timeout_ms));
}

static bool
is_reply_to(const struct jsonrpc_msg *msg, const struct json_object *id)
{
    return ((msg->type == JSONRPC_REPLY || msg->type == JSONRPC_ERROR)
            && jsonrpc_id_equals(msg->id, id));
}

int
jsonrpc_transact_block(struct jsonrpc *rpc, struct jsonrpc_msg *request,
                       struct jsonrpc_msg **replyp, int timeout_ms)
{
    long long int deadline = deadline_from_timeout(timeout_ms);
    struct json_object *id;
    int error;

    *replyp = NULL;
    if (request->type != JSONRPC_REQUEST) {
        jsonrpc_msg_destroy(request);
        return EINVAL;
    }

    id = json_object_get(request->id);
    error = jsonrpc_send(rpc, request);
    while (!error) {
        struct jsonrpc_msg *msg;

        error = recv_until(rpc, &msg, deadline);
        if (!error && is_reply_to(msg, id)) {
            *replyp = msg;
            break;
        } else if (!error) {
            VLOG_DBG("%s: discarding %s while waiting for a reply",
                     jsonrpc_get_name(rpc),
                     jsonrpc_msg_type_to_string(msg->type));
            jsonrpc_msg_destroy(msg);
        }
    }
    json_object_put(id);
    return error;
}
