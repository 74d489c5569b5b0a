/* stream: picks the kind of stream from its name and dispatches to it. */
#include <config.h>

#include "stream-provider.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "poll-loop.h"
#include "timeval.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(stream);

static const struct stream_class *const stream_classes[] = {
    &unix_stream_class,
    &tcp_stream_class,
    &ssl_stream_class,
};

static const struct pstream_class *const pstream_classes[] = {
    &punix_pstream_class,
    &ptcp_pstream_class,
    &pssl_pstream_class,
};

/* Returns the length of NAME's prefix if it is CLASS_NAME followed by a
 * colon, else 0. */
static size_t
prefix_matches(const char *name, const char *class_name)
{
    size_t len = strlen(class_name);
    return !strncmp(name, class_name, len) && name[len] == ':' ? len + 1 : 0;
}

static const struct stream_class *
find_stream_class(const char *name, size_t *prefix_len)
{
    for (size_t i = 0; i < ARRAY_SIZE(stream_classes); i++) {
        *prefix_len = prefix_matches(name, stream_classes[i]->name);
        if (*prefix_len) {
            return stream_classes[i];
        }
    }
    return NULL;
}

static const struct pstream_class *
find_pstream_class(const char *name, size_t *prefix_len)
{
    for (size_t i = 0; i < ARRAY_SIZE(pstream_classes); i++) {
        *prefix_len = prefix_matches(name, pstream_classes[i]->name);
        if (*prefix_len) {
            return pstream_classes[i];
        }
    }
    return NULL;
}

bool
stream_verify_name(const char *name)
{
    size_t len;
    return find_stream_class(name, &len) != NULL;
}

bool
pstream_verify_name(const char *name)
{
    size_t len;
    return find_pstream_class(name, &len) != NULL;
}

void
stream_init(struct stream *stream, const struct stream_class *class,
            const char *name, int connect_status)
{
    stream->class = class;
    stream->name = xstrdup(name);
    stream->peer_id = NULL;
    stream->connect_status = connect_status;
}

int
stream_open(const char *name, struct stream **streamp)
{
    size_t prefix_len;
    const struct stream_class *class = find_stream_class(name, &prefix_len);

    *streamp = NULL;
    if (!class) {
        VLOG_WARN("%s: unknown stream kind (expected unix:, tcp: or ssl:)",
                  name);
        return EAFNOSUPPORT;
    }
    char *suffix = xstrdup(name + prefix_len);
    int error = class->open(name, suffix, streamp);
    free(suffix);
    return error;
}

int
stream_connect(struct stream *stream)
{
    if (stream->connect_status == EAGAIN && stream->class->connect) {
        stream->connect_status = stream->class->connect(stream);
    } else if (stream->connect_status == EAGAIN) {
        stream->connect_status = 0;
    }
    return stream->connect_status;
}

int
stream_open_block(const char *name, int timeout_ms, struct stream **streamp)
{
    struct stream *stream;
    int error = stream_open(name, &stream);
    long long int deadline = timeout_ms < 0 ? -1 : time_msec() + timeout_ms;

    if (!error) {
        while ((error = stream_connect(stream)) == EAGAIN) {
            if (deadline >= 0 && time_msec() >= deadline) {
                error = ETIMEDOUT;
                break;
            }
            stream_run(stream);
            stream_run_wait(stream);
            stream_connect_wait(stream);
            if (deadline >= 0) {
                poll_timer_wait_until(deadline);
            }
            poll_block();
        }
    }
    if (error) {
        stream_close(stream);
        stream = NULL;
    }
    *streamp = stream;
    return error;
}

ssize_t
stream_recv(struct stream *stream, void *buffer, size_t n)
{
    int error = stream_connect(stream);
    if (error) {
        return -error;
    }
    return n ? stream->class->recv(stream, buffer, n) : 0;
}

ssize_t
stream_send(struct stream *stream, const void *buffer, size_t n)
{
    int error = stream_connect(stream);
    if (error) {
        return -error;
    }
    return n ? stream->class->send(stream, buffer, n) : 0;
}

void
stream_run(struct stream *stream)
{
    if (stream->class->run) {
        stream->class->run(stream);
    }
}

void
stream_run_wait(struct stream *stream)
{
    if (stream->class->run_wait) {
        stream->class->run_wait(stream);
    }
}

static void
stream_wait(struct stream *stream, enum stream_wait_type type)
{
    int status = stream->connect_status;
    if (status != 0 && status != EAGAIN) {
        /* Failed: the next call reports it at once. */
        poll_immediate_wake();
    } else if (status == EAGAIN) {
        stream->class->wait(stream, STREAM_CONNECT);
    } else {
        stream->class->wait(stream, type);
    }
}

void
stream_connect_wait(struct stream *stream)
{
    stream_wait(stream, STREAM_CONNECT);
}

void
stream_recv_wait(struct stream *stream)
{
    stream_wait(stream, STREAM_RECV);
}

void
stream_send_wait(struct stream *stream)
{
    stream_wait(stream, STREAM_SEND);
}

void
stream_close(struct stream *stream)
{
    if (stream) {
        char *name = stream->name;
        char *peer_id = stream->peer_id;
        stream->class->close(stream);
        free(name);
        free(peer_id);
    }
}

const char *
stream_get_name(const struct stream *stream)
{
    return stream->name;
}

const char *
stream_get_peer_id(const struct stream *stream)
{
    return stream->peer_id;
}

void
pstream_init(struct pstream *pstream, const struct pstream_class *class,
             const char *name)
{
    pstream->class = class;
    pstream->name = xstrdup(name);
    pstream->port = 0;
}

int
pstream_open(const char *name, struct pstream **pstreamp)
{
    size_t prefix_len;
    const struct pstream_class *class = find_pstream_class(name,
                                                           &prefix_len);
    *pstreamp = NULL;
    if (!class) {
        VLOG_WARN("%s: unknown listener kind (expected punix:, ptcp: or "
                  "pssl:)", name);
        return EAFNOSUPPORT;
    }
    char *suffix = xstrdup(name + prefix_len);
    int error = class->listen(name, suffix, pstreamp);
    free(suffix);
    return error;
}

int
pstream_accept(struct pstream *pstream, struct stream **streamp)
{
    *streamp = NULL;
    return pstream->class->accept(pstream, streamp);
}

void
pstream_wait(struct pstream *pstream)
{
    pstream->class->wait(pstream);
}

void
pstream_close(struct pstream *pstream)
{
    if (pstream) {
        char *name = pstream->name;
        pstream->class->close(pstream);
        free(name);
    }
}

const char *
pstream_get_name(const struct pstream *pstream)
{
    return pstream->name;
}

uint16_t
pstream_get_port(const struct pstream *pstream)
{
    return pstream->port;
}
