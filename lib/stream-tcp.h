/*
 * stream-tcp: TCP socket set-up shared by the tcp and ssl stream kinds.
 */
#ifndef SKIFF_STREAM_TCP_H
#define SKIFF_STREAM_TCP_H 1

#include <stdint.h>
#include <sys/socket.h>

/* Parses SUFFIX ("IP:PORT") and starts a non-blocking connect: 0 or EAGAIN
 * (in progress) with *fdp set, or another positive errno value after
 * logging why with NAME. */
int tcp_open_socket(const char *name, const char *suffix, int *fdp);

/* Parses SUFFIX ("PORT[:IP]") and listens.  On success sets *fdp, *portp
 * (the port bound, useful for port 0) and *bound_namep ("PREFIX:PORT:IP",
 * the caller frees it).  Returns 0 or a positive errno value. */
int tcp_listen_socket(const char *name, const char *suffix,
                      const char *prefix, int *fdp, char **bound_namep,
                      uint16_t *portp);

/* "PREFIX:IP:PORT" for SS (IPv6 in brackets); the caller frees it. */
char *tcp_format_address(const char *prefix,
                         const struct sockaddr_storage *ss);

#endif /* stream-tcp.h */
