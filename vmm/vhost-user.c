/* vhost-user: the frontend of the vhost-user protocol; see vhost-user.h. */
#include <config.h>

#include "vhost-user.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "guest-mem.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(vhost_user);

/* Requests (the vhost-user specification's numbers). */
enum {
    VHOST_USER_GET_FEATURES = 1,
    VHOST_USER_SET_FEATURES = 2,
    VHOST_USER_SET_OWNER = 3,
    VHOST_USER_SET_MEM_TABLE = 5,
    VHOST_USER_SET_VRING_NUM = 8,
    VHOST_USER_SET_VRING_ADDR = 9,
    VHOST_USER_SET_VRING_BASE = 10,
    VHOST_USER_GET_VRING_BASE = 11,
    VHOST_USER_SET_VRING_KICK = 12,
    VHOST_USER_SET_VRING_CALL = 13,
    VHOST_USER_GET_PROTOCOL_FEATURES = 15,
    VHOST_USER_SET_PROTOCOL_FEATURES = 16,
    VHOST_USER_SET_VRING_ENABLE = 18,
};

#define VHOST_USER_VERSION 0x1
#define VHOST_USER_REPLY 0x4
#define VHOST_USER_NEED_REPLY 0x8
#define VHOST_USER_MAX_REGIONS 8
#define VHOST_USER_MAX_FDS 8

struct vhost_user_hdr {
    uint32_t request;
    uint32_t flags;
    uint32_t size;
};

struct vhost_user_region {
    uint64_t guest_phys_addr;
    uint64_t memory_size;
    uint64_t userspace_addr;
    uint64_t mmap_offset;
};

struct vhost_user_vring_addr {
    uint32_t index;
    uint32_t flags;
    uint64_t desc;
    uint64_t used;
    uint64_t avail;
    uint64_t log;
};

/* Packed: the payload follows the 12-byte header directly. */
struct __attribute__((packed)) vhost_user_msg {
    struct vhost_user_hdr hdr;
    union {
        uint64_t u64;
        struct {
            uint32_t index;
            uint32_t num;
        } state;
        struct vhost_user_vring_addr addr;
        struct {
            uint32_t n_regions;
            uint32_t padding;
            struct vhost_user_region regions[VHOST_USER_MAX_REGIONS];
        } mem;
    } u;
};

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);

static int
vhost_user_sockaddr(const char *path, struct sockaddr_un *un)
{
    memset(un, 0, sizeof *un);
    un->sun_family = AF_UNIX;
    if (strlen(path) >= sizeof un->sun_path) {
        return ENAMETOOLONG;
    }
    strcpy(un->sun_path, path);
    return 0;
}

static int
vhost_user_connect(struct vhost_user *vu)
{
    struct sockaddr_un un;
    int error = vhost_user_sockaddr(vu->path, &un);
    if (error) {
        return error;
    }
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return errno;
    }
    if (connect(fd, (struct sockaddr *) &un, sizeof un) < 0) {
        error = errno;
        close(fd);
        return error;
    }
    vu->fd = fd;
    return 0;
}

int
vhost_user_init(struct vhost_user *vu, const char *path, bool server,
                char **errorp)
{
    memset(vu, 0, sizeof *vu);
    vu->path = xstrdup(path);
    vu->server = server;
    vu->fd = vu->listen_fd = -1;

    int error;
    if (!server) {
        error = vhost_user_connect(vu);
        if (error) {
            *errorp = xasprintf("cannot connect to \"%s\": %s", path,
                                strerror(error));
        }
        return error;
    }

    struct sockaddr_un un;
    error = vhost_user_sockaddr(path, &un);
    if (error) {
        *errorp = xasprintf("socket path \"%s\" is too long", path);
        return error;
    }
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        error = errno;
        *errorp = xasprintf("socket: %s", strerror(error));
        return error;
    }
    unlink(path);
    if (bind(fd, (struct sockaddr *) &un, sizeof un) < 0
        || listen(fd, 1) < 0) {
        error = errno;
        *errorp = xasprintf("cannot listen on \"%s\": %s", path,
                            strerror(error));
        close(fd);
        return error;
    }
    vu->listen_fd = fd;
    return 0;
}

void
vhost_user_destroy(struct vhost_user *vu)
{
    vhost_user_disconnect(vu);
    if (vu->listen_fd >= 0) {
        close(vu->listen_fd);
        unlink(vu->path);
    }
    free(vu->path);
    vu->path = NULL;
}

int
vhost_user_reconnect(struct vhost_user *vu)
{
    if (vu->fd >= 0) {
        return 0;
    }
    if (!vu->server) {
        return vhost_user_connect(vu) ? EAGAIN : 0;
    }
    int fd = accept4(vu->listen_fd, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0) {
        return EAGAIN;
    }
    vu->fd = fd;
    return 0;
}

bool
vhost_user_connected(const struct vhost_user *vu)
{
    return vu->fd >= 0;
}

void
vhost_user_disconnect(struct vhost_user *vu)
{
    if (vu->fd >= 0) {
        close(vu->fd);
        vu->fd = -1;
    }
    vu->protocol_features = 0;
}

bool
vhost_user_hung_up(struct vhost_user *vu)
{
    if (vu->fd < 0) {
        return false;
    }
    struct pollfd pfd = { .fd = vu->fd, .events = POLLIN };
    if (poll(&pfd, 1, 0) <= 0) {
        return false;
    }
    if (pfd.revents & (POLLHUP | POLLERR)) {
        return true;
    }
    char c;
    ssize_t n = recv(vu->fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
    /* The backend never speaks first on this channel: data is as bad as a
     * hang-up. */
    return n >= 0 || (errno != EAGAIN && errno != EINTR);
}

int
vhost_user_poll_fd(const struct vhost_user *vu)
{
    return vu->fd >= 0 ? vu->fd : vu->listen_fd;
}

static int
vhost_user_send(struct vhost_user *vu, struct vhost_user_msg *msg,
                const int *fds, int n_fds)
{
    struct iovec iov = {
        .iov_base = msg,
        .iov_len = sizeof msg->hdr + msg->hdr.size,
    };
    union {
        char buf[CMSG_SPACE(VHOST_USER_MAX_FDS * sizeof(int))];
        struct cmsghdr align;
    } control;
    struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

    if (vu->fd < 0) {
        return ENOTCONN;
    }
    if (n_fds) {
        memset(&control, 0, sizeof control);
        mh.msg_control = control.buf;
        mh.msg_controllen = CMSG_SPACE((size_t) n_fds * sizeof(int));
        struct cmsghdr *cmsg = CMSG_FIRSTHDR(&mh);
        cmsg->cmsg_level = SOL_SOCKET;
        cmsg->cmsg_type = SCM_RIGHTS;
        cmsg->cmsg_len = CMSG_LEN((size_t) n_fds * sizeof(int));
        memcpy(CMSG_DATA(cmsg), fds, (size_t) n_fds * sizeof(int));
    }
    ssize_t n;
    do {
        n = sendmsg(vu->fd, &mh, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        return errno;
    }
    return (size_t) n == iov.iov_len ? 0 : EPIPE;
}

/* Reads exactly N bytes within the timeout. */
static int
vhost_user_read(struct vhost_user *vu, void *buf_, size_t n)
{
    uint8_t *buf = buf_;
    size_t done = 0;

    while (done < n) {
        struct pollfd pfd = { .fd = vu->fd, .events = POLLIN };
        int r = poll(&pfd, 1, VHOST_USER_TIMEOUT_MS);
        if (r == 0) {
            return ETIMEDOUT;
        } else if (r < 0) {
            if (errno == EINTR) {
                continue;
            }
            return errno;
        }
        ssize_t got = recv(vu->fd, buf + done, n - done, 0);
        if (got == 0) {
            return ECONNRESET;
        } else if (got < 0) {
            if (errno == EINTR || errno == EAGAIN) {
                continue;
            }
            return errno;
        }
        done += (size_t) got;
    }
    return 0;
}

/* Receives the reply to REQUEST, whose payload must be a u64 (or a vring
 * state when STATE is true).  Returns 0 or a positive errno value. */
static int
vhost_user_recv_reply(struct vhost_user *vu, uint32_t request,
                      struct vhost_user_msg *reply, bool state)
{
    uint32_t want = state ? sizeof reply->u.state : sizeof reply->u.u64;
    int error = vhost_user_read(vu, &reply->hdr, sizeof reply->hdr);
    if (error) {
        return error;
    }
    if (reply->hdr.request != request
        || !(reply->hdr.flags & VHOST_USER_REPLY)
        || (reply->hdr.flags & 0x3) != VHOST_USER_VERSION
        || reply->hdr.size != want) {
        VLOG_WARN_RL(&rl, "%s: bad reply to request %u: request %u, "
                     "flags 0x%x, size %u", vu->path, request,
                     reply->hdr.request, reply->hdr.flags, reply->hdr.size);
        return EPROTO;
    }
    return vhost_user_read(vu, &reply->u, want);
}

/* Sends a request that needs no reply, asking for an ack when REPLY_ACK is
 * negotiated, and checks the ack. */
static int
vhost_user_request(struct vhost_user *vu, uint32_t request,
                   const void *payload, uint32_t size,
                   const int *fds, int n_fds)
{
    struct vhost_user_msg msg;
    bool ack = vu->protocol_features
               & (1ULL << VHOST_USER_PROTOCOL_F_REPLY_ACK);

    memset(&msg, 0, sizeof msg);
    msg.hdr.request = request;
    msg.hdr.flags = VHOST_USER_VERSION | (ack ? VHOST_USER_NEED_REPLY : 0);
    msg.hdr.size = size;
    if (size) {
        memcpy(&msg.u, payload, size);
    }
    int error = vhost_user_send(vu, &msg, fds, n_fds);
    if (error || !ack) {
        return error;
    }
    struct vhost_user_msg reply;
    error = vhost_user_recv_reply(vu, request, &reply, false);
    if (!error && reply.u.u64) {
        VLOG_WARN_RL(&rl, "%s: the backend refused request %u", vu->path,
                     request);
        error = EPROTO;
    }
    return error;
}

/* Sends a request whose answer is a u64. */
static int
vhost_user_get_u64(struct vhost_user *vu, uint32_t request, uint64_t *v)
{
    struct vhost_user_msg msg;
    memset(&msg, 0, sizeof msg);
    msg.hdr.request = request;
    msg.hdr.flags = VHOST_USER_VERSION;
    int error = vhost_user_send(vu, &msg, NULL, 0);
    if (!error) {
        error = vhost_user_recv_reply(vu, request, &msg, false);
    }
    if (!error) {
        *v = msg.u.u64;
    }
    return error;
}

int
vhost_user_negotiate(struct vhost_user *vu)
{
    int error = vhost_user_get_u64(vu, VHOST_USER_GET_FEATURES,
                                   &vu->features);
    if (error) {
        return error;
    }
    vu->protocol_features = 0;
    if (vu->features & (1ULL << VHOST_USER_F_PROTOCOL_FEATURES)) {
        uint64_t pf;
        error = vhost_user_get_u64(vu, VHOST_USER_GET_PROTOCOL_FEATURES,
                                   &pf);
        if (error) {
            return error;
        }
        pf &= 1ULL << VHOST_USER_PROTOCOL_F_REPLY_ACK;
        error = vhost_user_request(vu, VHOST_USER_SET_PROTOCOL_FEATURES,
                                   &pf, sizeof pf, NULL, 0);
        if (error) {
            return error;
        }
        vu->protocol_features = pf;
    }
    return vhost_user_request(vu, VHOST_USER_SET_OWNER, NULL, 0, NULL, 0);
}

static int
vhost_user_set_mem_table(struct vhost_user *vu, const struct guest_mem *mem)
{
    struct vhost_user_msg msg;
    int fds[VHOST_USER_MAX_REGIONS];

    memset(&msg, 0, sizeof msg);
    msg.u.mem.n_regions = (uint32_t) mem->n_regions;
    for (int i = 0; i < mem->n_regions; i++) {
        const struct guest_mem_region *r = &mem->regions[i];
        msg.u.mem.regions[i] = (struct vhost_user_region) {
            .guest_phys_addr = r->gpa,
            .memory_size = r->size,
            .userspace_addr = (uintptr_t) r->hva,
            .mmap_offset = r->fd_offset,
        };
        fds[i] = mem->fd;
    }
    uint32_t size = (uint32_t) (8 + mem->n_regions
                                * sizeof(struct vhost_user_region));
    return vhost_user_request(vu, VHOST_USER_SET_MEM_TABLE, &msg.u, size,
                              fds, mem->n_regions);
}

static int
vhost_user_set_state(struct vhost_user *vu, uint32_t request, uint32_t index,
                     uint32_t num)
{
    struct { uint32_t index, num; } state = { index, num };
    return vhost_user_request(vu, request, &state, sizeof state, NULL, 0);
}

static int
vhost_user_start_ring(struct vhost_user *vu, const struct guest_mem *mem,
                      uint32_t i, const struct vhost_user_ring *r)
{
    void *desc = guest_mem_ptr(mem, r->desc, 16ULL * r->num);
    void *avail = guest_mem_ptr(mem, r->avail, 6 + 2ULL * r->num);
    void *used = guest_mem_ptr(mem, r->used, 6 + 8ULL * r->num);
    if (!desc || !avail || !used) {
        return EINVAL;
    }
    struct vhost_user_vring_addr addr = {
        .index = i,
        .desc = (uintptr_t) desc,
        .used = (uintptr_t) used,
        .avail = (uintptr_t) avail,
    };
    uint64_t idx = i;
    int error;
    if ((error = vhost_user_set_state(vu, VHOST_USER_SET_VRING_NUM, i,
                                      r->num))
        || (error = vhost_user_request(vu, VHOST_USER_SET_VRING_ADDR, &addr,
                                       sizeof addr, NULL, 0))
        || (error = vhost_user_set_state(vu, VHOST_USER_SET_VRING_BASE, i,
                                         r->base))
        || (error = vhost_user_request(vu, VHOST_USER_SET_VRING_KICK, &idx,
                                       sizeof idx, &r->kick_fd, 1))
        || (error = vhost_user_request(vu, VHOST_USER_SET_VRING_CALL, &idx,
                                       sizeof idx, &r->call_fd, 1))) {
        return error;
    }
    if (vu->features & (1ULL << VHOST_USER_F_PROTOCOL_FEATURES)) {
        error = vhost_user_set_state(vu, VHOST_USER_SET_VRING_ENABLE, i, 1);
    }
    return error;
}

int
vhost_user_start(struct vhost_user *vu, uint64_t features,
                 const struct guest_mem *mem,
                 const struct vhost_user_ring *rings, int n_rings)
{
    features &= vu->features;
    features |= vu->features & (1ULL << VHOST_USER_F_PROTOCOL_FEATURES);
    int error = vhost_user_request(vu, VHOST_USER_SET_FEATURES, &features,
                                   sizeof features, NULL, 0);
    if (!error) {
        error = vhost_user_set_mem_table(vu, mem);
    }
    for (int i = 0; !error && i < n_rings; i++) {
        error = vhost_user_start_ring(vu, mem, (uint32_t) i, &rings[i]);
    }
    return error;
}

int
vhost_user_stop(struct vhost_user *vu, int n_rings)
{
    for (int i = 0; i < n_rings; i++) {
        struct vhost_user_msg msg;
        memset(&msg, 0, sizeof msg);
        msg.hdr.request = VHOST_USER_GET_VRING_BASE;
        msg.hdr.flags = VHOST_USER_VERSION;
        msg.hdr.size = sizeof msg.u.state;
        msg.u.state.index = (uint32_t) i;
        int error = vhost_user_send(vu, &msg, NULL, 0);
        if (!error) {
            error = vhost_user_recv_reply(vu, VHOST_USER_GET_VRING_BASE,
                                          &msg, true);
        }
        if (error) {
            return error;
        }
    }
    return 0;
}
