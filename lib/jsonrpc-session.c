/* jsonrpc-session: a JSON-RPC client connection that reconnects. */
#include <config.h>

#include "jsonrpc-session.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonrpc.h"
#include "poll-loop.h"
#include "stream.h"
#include "timeval.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(jsonrpc_session);

/* Waits between connection attempts, in ms.  A successful connection
 * resets the wait to the minimum. */
#define MIN_BACKOFF 100
#define DEFAULT_MAX_BACKOFF 8000

/* A connection that lasts this long resets the wait between attempts. */
#define STABLE_MSEC 1000

/* A peer that accepts and drops connections could flood the log. */
static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(10, 20);

/* At most one of 'stream' (connecting) and 'rpc' (connected) is nonnull;
 * with neither, the session waits until 'next_attempt'. */
struct jsonrpc_session {
    char *name;
    struct stream *stream;
    struct jsonrpc *rpc;
    unsigned int seqno;
    int backoff;                    /* Next wait after a failure, in ms. */
    int max_backoff;
    long long int connected_at;     /* time_msec() the connection began. */
    long long int next_attempt;     /* time_msec() of the next attempt. */
};

struct jsonrpc_session *
jsonrpc_session_open(const char *name)
{
    struct jsonrpc_session *s = xzalloc(sizeof *s);
    s->name = xstrdup(name);
    s->backoff = MIN_BACKOFF;
    s->max_backoff = DEFAULT_MAX_BACKOFF;
    s->next_attempt = LLONG_MIN;    /* The first attempt is at once. */
    return s;
}

void
jsonrpc_session_close(struct jsonrpc_session *s)
{
    if (s) {
        stream_close(s->stream);
        jsonrpc_close(s->rpc);
        free(s->name);
        free(s);
    }
}

const char *
jsonrpc_session_get_name(const struct jsonrpc_session *s)
{
    return s->name;
}

void
jsonrpc_session_set_max_backoff(struct jsonrpc_session *s, int msec)
{
    s->max_backoff = MAX(msec, MIN_BACKOFF);
    s->backoff = MIN(s->backoff, s->max_backoff);

    /* An attempt already scheduled waits no longer than the new maximum. */
    long long int latest = time_msec() + s->max_backoff;
    s->next_attempt = MIN(s->next_attempt, latest);
}

/* Schedules the next connection attempt after the current wait, and
 * doubles the wait for the one after. */
static void
schedule_attempt(struct jsonrpc_session *s)
{
    s->next_attempt = time_msec() + s->backoff;
    s->backoff = s->backoff > s->max_backoff / 2 ? s->max_backoff
                 : s->backoff * 2;
}

/* Gives up the connection under way or the established one. */
static void
disconnect(struct jsonrpc_session *s)
{
    if (s->rpc) {
        /* Only a connection that held a while earns a quick reconnect:
         * a peer that accepts and drops at once is retried less and less
         * often. */
        if (time_msec() - s->connected_at >= STABLE_MSEC) {
            s->backoff = MIN_BACKOFF;
        }
        jsonrpc_close(s->rpc);
        s->rpc = NULL;
        s->seqno++;
    }
    stream_close(s->stream);
    s->stream = NULL;
    schedule_attempt(s);
}

static void
connected(struct jsonrpc_session *s)
{
    VLOG_INFO_RL(&rl, "%s: connected", s->name);
    s->rpc = jsonrpc_open(s->stream);
    s->stream = NULL;
    s->seqno++;
    s->connected_at = time_msec();
}

static void
attempt_failed(struct jsonrpc_session *s, int error)
{
    VLOG_INFO_RL(&rl, "%s: connection attempt failed (%s); next in %d ms",
                 s->name, strerror(error), s->backoff);
    disconnect(s);
}

static void
start_attempt(struct jsonrpc_session *s)
{
    VLOG_DBG("%s: connecting", s->name);
    int error = stream_open(s->name, &s->stream);
    if (error) {
        s->stream = NULL;
        attempt_failed(s, error);
    }
}

static void
run_connecting(struct jsonrpc_session *s)
{
    stream_run(s->stream);
    int error = stream_connect(s->stream);
    if (!error) {
        connected(s);
    } else if (error != EAGAIN) {
        attempt_failed(s, error);
    }
}

/* Drops the connection if it has failed. */
static void
check_connection(struct jsonrpc_session *s)
{
    int status = jsonrpc_get_status(s->rpc);
    if (status) {
        VLOG_INFO_RL(&rl, "%s: connection dropped (%s)", s->name,
                     status == EOF ? "closed by peer" : strerror(status));
        disconnect(s);
    }
}

void
jsonrpc_session_run(struct jsonrpc_session *s)
{
    if (!s->rpc && !s->stream && time_msec() >= s->next_attempt) {
        start_attempt(s);
    }
    if (s->stream) {
        run_connecting(s);
    }
    if (s->rpc) {
        jsonrpc_run(s->rpc);
        check_connection(s);
    }
}

void
jsonrpc_session_wait(struct jsonrpc_session *s)
{
    if (s->rpc) {
        jsonrpc_wait(s->rpc);
    } else if (s->stream) {
        stream_run_wait(s->stream);
        stream_connect_wait(s->stream);
    } else {
        poll_timer_wait_until(s->next_attempt);
    }
}

bool
jsonrpc_session_is_connected(const struct jsonrpc_session *s)
{
    return s->rpc != NULL;
}

unsigned int
jsonrpc_session_get_seqno(const struct jsonrpc_session *s)
{
    return s->seqno;
}

int
jsonrpc_session_send(struct jsonrpc_session *s, struct jsonrpc_msg *msg)
{
    if (!s->rpc) {
        jsonrpc_msg_destroy(msg);
        return ENOTCONN;
    }
    if (jsonrpc_send(s->rpc, msg)) {
        check_connection(s);
        return ENOTCONN;
    }
    return 0;
}

struct jsonrpc_msg *
jsonrpc_session_recv(struct jsonrpc_session *s)
{
    if (!s->rpc) {
        return NULL;
    }
    struct jsonrpc_msg *msg;
    int error = jsonrpc_recv(s->rpc, &msg);
    if (!error) {
        return msg;
    }
    if (error != EAGAIN) {
        check_connection(s);
    }
    return NULL;
}

void
jsonrpc_session_recv_wait(struct jsonrpc_session *s)
{
    if (s->rpc) {
        jsonrpc_recv_wait(s->rpc);
    }
}

void
jsonrpc_session_force_reconnect(struct jsonrpc_session *s)
{
    if (s->rpc || s->stream) {
        VLOG_INFO("%s: reconnecting", s->name);
        disconnect(s);
    }
}
