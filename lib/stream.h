/*
 * stream: byte streams over unix sockets, TCP and TLS, all non-blocking.
 *
 * Names select the kind:
 *
 *     active (connect)            passive (listen)
 *     unix:PATH                   punix:PATH
 *     tcp:HOST:PORT               ptcp:PORT[:ADDRESS]
 *     ssl:HOST:PORT               pssl:PORT[:ADDRESS]
 *
 * HOST and ADDRESS are numeric IPv4 or IPv6 addresses (IPv6 in brackets:
 * "tcp:[::1]:6640").  ptcp:0 and pssl:0 pick a free port, which
 * pstream_get_port() reports.  TLS streams need stream_ssl_configure()
 * first (see stream-ssl.h).
 *
 * Return conventions (a departure from "0 or positive errno" is marked):
 *   - stream_open(), stream_connect(), pstream_open(), pstream_accept():
 *     0 or a positive errno value; EAGAIN means "not yet, wait and retry".
 *   - stream_recv(): bytes received (> 0), 0 at end of stream, or a
 *     negative errno value (-EAGAIN: nothing to read now).
 *   - stream_send(): bytes sent (>= 0, possibly fewer than asked), or a
 *     negative errno value (-EAGAIN: no room now).
 *
 * A stream is used from one thread at a time.  stream_close() and
 * pstream_close() accept NULL.
 */
#ifndef SKIFF_STREAM_H
#define SKIFF_STREAM_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct stream;
struct pstream;

/* True if NAME has an active or passive kind prefix this library knows.
 * Does not check the rest of the name. */
bool stream_verify_name(const char *name);
bool pstream_verify_name(const char *name);

/* Starts connecting to NAME.  On success *streamp is a stream whose
 * connection may still be in progress: stream_connect() finishes it. */
int stream_open(const char *name, struct stream **streamp);

/* Like stream_open(), then waits up to TIMEOUT_MS milliseconds (negative:
 * forever) for the connection to complete.  ETIMEDOUT on timeout. */
int stream_open_block(const char *name, int timeout_ms,
                      struct stream **streamp);

/* Drives the connection (TCP connect, TLS handshake): 0 once connected,
 * EAGAIN while in progress, else the positive errno value it failed
 * with (which it keeps returning). */
int stream_connect(struct stream *);

ssize_t stream_recv(struct stream *, void *buffer, size_t n);
ssize_t stream_send(struct stream *, const void *buffer, size_t n);

/* Does background work (TLS may need to write while the caller only
 * reads).  Harmless to call at any time. */
void stream_run(struct stream *);
void stream_run_wait(struct stream *);

/* Register with the poll loop the event that would let stream_connect(),
 * stream_recv() or stream_send() make progress. */
void stream_connect_wait(struct stream *);
void stream_recv_wait(struct stream *);
void stream_send_wait(struct stream *);

void stream_close(struct stream *);

const char *stream_get_name(const struct stream *);

/* For TLS streams: the peer certificate's subject, or NULL. */
const char *stream_get_peer_id(const struct stream *);

/* Starts listening on NAME. */
int pstream_open(const char *name, struct pstream **pstreamp);

/* Accepts one connection: 0 with *streamp set, EAGAIN when none is
 * waiting, or another positive errno value. */
int pstream_accept(struct pstream *, struct stream **streamp);
void pstream_wait(struct pstream *);
void pstream_close(struct pstream *);
const char *pstream_get_name(const struct pstream *);

/* The TCP port a ptcp or pssl stream listens on (useful after port 0);
 * 0 for other kinds. */
uint16_t pstream_get_port(const struct pstream *);

#endif /* stream.h */
