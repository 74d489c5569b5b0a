/*
 * stream-fd: streams and pstreams over a plain socket file descriptor,
 * shared by the unix and tcp kinds (and under TLS by ssl).
 */
#ifndef SKIFF_STREAM_FD_H
#define SKIFF_STREAM_FD_H 1

#include <sys/socket.h>

struct stream;
struct pstream;

/* Wraps connected (or connecting, CONNECT_STATUS EAGAIN) socket FD, taking
 * ownership of it.  Never fails. */
struct stream *new_fd_stream(const char *name, int fd, int connect_status);

/* Wraps listening socket FD.  ACCEPT_NAME builds the name of an accepted
 * stream from the peer's address (NULL: "<pstream name>:<fd>"); UNLINK_PATH,
 * if nonnull, is removed when the pstream closes.  Takes ownership of FD
 * and copies the strings. */
struct pstream *new_fd_pstream(const char *name, int fd,
                               char *(*accept_name)(
                                   const struct sockaddr_storage *),
                               const char *unlink_path);

/* The socket of an fd stream or pstream (for TLS, which wraps it). */
int fd_stream_get_fd(const struct stream *);

/* Accepts on a listening fd: 0 and *fdp (non-blocking, close-on-exec),
 * EAGAIN, or errno.  Fills *ss with the peer's address. */
int fd_accept(int listen_fd, int *fdp, struct sockaddr_storage *ss);

#endif /* stream-fd.h */
