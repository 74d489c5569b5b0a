/*
 * socket-util: addresses and sockets for the stream kinds.
 *
 * All return 0 or a positive errno value.
 */
#ifndef SKIFF_SOCKET_UTIL_H
#define SKIFF_SOCKET_UTIL_H 1

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

/* Parses "HOST:PORT" (HOST a numeric IPv4 address or a bracketed IPv6
 * one) into SS.  PORT must be 1..65535.  EINVAL on anything else. */
int inet_parse_active(const char *target, struct sockaddr_storage *ss);

/* Parses "PORT[:ADDRESS]" (ADDRESS as above, default 0.0.0.0; PORT
 * 0..65535, 0 picking a free one). */
int inet_parse_passive(const char *target, struct sockaddr_storage *ss);

socklen_t ss_length(const struct sockaddr_storage *);
uint16_t ss_get_port(const struct sockaddr_storage *);

/* Creates a non-blocking, close-on-exec socket and connects or binds.
 * inet_open_active() returns 0 or EAGAIN (connect in progress) with *fdp
 * set, or another error with no socket.  Listening sockets get
 * SO_REUSEADDR. */
int inet_open_active(int style, const struct sockaddr_storage *,
                     int *fdp);
int inet_open_passive(int style, const struct sockaddr_storage *,
                      int *fdp, uint16_t *portp);
int unix_open_active(const char *path, int *fdp);
/* Removes a stale socket file at PATH first; the socket gets mode 0660.
 * EADDRINUSE if a live server already listens there. */
int unix_open_passive(const char *path, int *fdp);

/* 0 once a non-blocking connect() on FD has completed, EAGAIN while it is
 * in progress, or the error it failed with. */
int check_connection_completion(int fd);

#endif /* socket-util.h */
