/*
 * vhost-user: the frontend side of the vhost-user protocol, so that a
 * backend process (the switch) serves a virtio device's rings directly
 * from guest memory.
 *
 * The connection is a unix socket, either connected to the backend's
 * listening socket (the default) or listening for the backend ("server").
 * Setting a device up:
 *   vhost_user_negotiate()    GET_FEATURES, GET/SET_PROTOCOL_FEATURES
 *                             (REPLY_ACK when the backend has it),
 *                             SET_OWNER
 *   vhost_user_start()        SET_FEATURES, SET_MEM_TABLE with the memfd
 *                             regions, and per ring SET_VRING_NUM, _ADDR,
 *                             _BASE, _KICK, _CALL and SET_VRING_ENABLE
 *   vhost_user_stop()         GET_VRING_BASE per ring
 * Every message that changes the backend's state asks for an ack when
 * REPLY_ACK was negotiated, and a failed or missing ack fails the step.
 * Replies are bounded (a few bytes) and checked: request code, reply
 * flag, size.  A backend that does not answer within VHOST_USER_TIMEOUT_MS
 * is treated as gone.
 *
 * Not thread-safe; the caller serializes calls.
 */
#ifndef SKIFF_VMM_VHOST_USER_H
#define SKIFF_VMM_VHOST_USER_H 1

#include <stdbool.h>
#include <stdint.h>

struct guest_mem;

#define VHOST_USER_TIMEOUT_MS 5000
#define VHOST_USER_F_PROTOCOL_FEATURES 30
#define VHOST_USER_PROTOCOL_F_REPLY_ACK 3

struct vhost_user {
    char *path;
    bool server;                /* We listen; the backend connects. */
    int listen_fd;              /* Server mode. */
    int fd;                     /* The connection, -1 when none. */
    uint64_t features;          /* The backend's. */
    uint64_t protocol_features; /* Negotiated. */
};

/* A ring for vhost_user_start(): guest-physical addresses of its areas,
 * its size, the next avail index the backend should take, and eventfds. */
struct vhost_user_ring {
    uint16_t num;
    uint64_t desc, avail, used;
    uint16_t base;
    int kick_fd;
    int call_fd;
};

/* Sets VU up for PATH.  Client: connects now.  Server: listens now (the
 * backend connects later; see vhost_user_accept()).  Returns 0 or a
 * positive errno value with *ERRORP saying why. */
int vhost_user_init(struct vhost_user *, const char *path, bool server,
                    char **errorp);
void vhost_user_destroy(struct vhost_user *);

/* Client: tries to connect again.  Server: accepts a pending connection.
 * Returns 0 once connected, EAGAIN if nothing is there yet. */
int vhost_user_reconnect(struct vhost_user *);

bool vhost_user_connected(const struct vhost_user *);

/* Closes the connection (the backend went away). */
void vhost_user_disconnect(struct vhost_user *);

/* Whether the backend hung up (its socket reads as closed or failed),
 * without blocking. */
bool vhost_user_hung_up(struct vhost_user *);

/* The fd to poll for a hang-up or, in server mode while disconnected, a
 * new connection; -1 for none. */
int vhost_user_poll_fd(const struct vhost_user *);

/* Each returns 0 or a positive errno value (EPROTO for a bad reply,
 * ETIMEDOUT...). */
int vhost_user_negotiate(struct vhost_user *);
int vhost_user_start(struct vhost_user *, uint64_t features,
                     const struct guest_mem *,
                     const struct vhost_user_ring *rings, int n_rings);
int vhost_user_stop(struct vhost_user *, int n_rings);

#endif /* vhost-user.h */
