/*
 * stream-provider: the contract between stream.c and each kind of stream.
 *
 * A kind fills in a const struct stream_class (active) or struct
 * pstream_class (passive).  Each stream embeds the base struct stream as
 * its first member and gets back to itself with CONTAINER_OF.
 *
 * struct stream_class members:
 *   name      the prefix before ':' ("unix", "tcp", "ssl").
 *   open      given the full NAME and SUFFIX (what follows the colon),
 *             creates the stream and starts connecting: 0 and *streamp,
 *             or a positive errno value.  Required.
 *   close     frees the stream.  Required.
 *   connect   0 once connected, EAGAIN while in progress, else errno.
 *             NULL: always connected once opened.
 *   recv      > 0 bytes, 0 at end of stream, or -errno (-EAGAIN).
 *             Required.
 *   send      >= 0 bytes, or -errno (-EAGAIN).  Required.
 *   run, run_wait   background work; may be NULL.
 *   wait      registers with the poll loop for STREAM_CONNECT, STREAM_RECV
 *             or STREAM_SEND.  Required.
 *
 * A kind may build its streams on another class: unix and tcp open a
 * socket and wrap it with stream-fd, so their own classes fill in only
 * 'name' and 'open' (or 'listen').
 *
 * struct pstream_class members:
 *   name      the prefix ("punix", "ptcp", "pssl").
 *   listen    creates the pstream from NAME and SUFFIX.  Required.
 *   accept    0 and a new connected *streamp, EAGAIN, or errno.  Required.
 *   wait      registers for an incoming connection.  Required.
 *   close     frees the pstream.  Required.
 */
#ifndef SKIFF_STREAM_PROVIDER_H
#define SKIFF_STREAM_PROVIDER_H 1

#include "stream.h"

enum stream_wait_type {
    STREAM_CONNECT,
    STREAM_RECV,
    STREAM_SEND
};

struct stream {
    const struct stream_class *class;
    char *name;
    char *peer_id;          /* TLS peer subject, or NULL. */
    int connect_status;     /* 0, EAGAIN, or the error it failed with. */
};

void stream_init(struct stream *, const struct stream_class *,
                 const char *name, int connect_status);

struct stream_class {
    const char *name;
    int (*open)(const char *name, char *suffix, struct stream **streamp);
    void (*close)(struct stream *);
    int (*connect)(struct stream *);
    ssize_t (*recv)(struct stream *, void *buffer, size_t n);
    ssize_t (*send)(struct stream *, const void *buffer, size_t n);
    void (*run)(struct stream *);
    void (*run_wait)(struct stream *);
    void (*wait)(struct stream *, enum stream_wait_type);
};

struct pstream {
    const struct pstream_class *class;
    char *name;
    uint16_t port;          /* Bound TCP port, or 0. */
};

void pstream_init(struct pstream *, const struct pstream_class *,
                  const char *name);

struct pstream_class {
    const char *name;
    int (*listen)(const char *name, char *suffix,
                  struct pstream **pstreamp);
    int (*accept)(struct pstream *, struct stream **streamp);
    void (*wait)(struct pstream *);
    void (*close)(struct pstream *);
};

extern const struct stream_class unix_stream_class;
extern const struct stream_class tcp_stream_class;
extern const struct stream_class ssl_stream_class;
extern const struct pstream_class punix_pstream_class;
extern const struct pstream_class ptcp_pstream_class;
extern const struct pstream_class pssl_pstream_class;

#endif /* stream-provider.h */
