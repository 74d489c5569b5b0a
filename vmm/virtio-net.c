/* virtio-net: the vhost-user network device; see virtio-net.h. */
#include <config.h>

#include "virtio-net.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guest-mem.h"
#include "kvm-vm.h"
#include "poll-loop.h"
#include "timeval.h"
#include "util.h"
#include "vhost-user.h"
#include "virtio-mmio.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(virtio_net);

#define VIRTIO_ID_NET 1
#define VIRTIO_NET_F_MAC 5
#define VIRTIO_NET_F_STATUS 16
#define VIRTIO_NET_S_LINK_UP 1
#define VIRTIO_NET_QUEUES 2
#define VIRTIO_NET_QUEUE_MAX 256
#define VIRTIO_NET_CONFIG_SIZE 8        /* MAC, status. */
#define VIRTIO_NET_RETRY_MS 1000

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);

struct virtio_net {
    struct vhost_user vu;
    uint8_t mac[6];
    bool link_up;
    bool started;               /* The backend has the rings. */
    long long next_retry;       /* Client: when to connect again. */
    unsigned int n_connects;
};

char *
virtio_net_parse(const char *arg, struct virtio_net_options *o)
{
    memset(o, 0, sizeof *o);
    if (!str_starts_with(arg, "vhost-user=")) {
        return xstrdup("must start with \"vhost-user=PATH\"");
    }
    char *copy = xstrdup(arg + strlen("vhost-user="));
    char *save = NULL;
    char *error = NULL;
    char *path = strtok_r(copy, ",", &save);
    if (!path || !*path || arg[strlen("vhost-user=")] == ',') {
        error = xstrdup("the socket path is empty");
    } else if (strlen(path) >= sizeof o->path) {
        error = xasprintf("socket path \"%s\" is too long", path);
    } else {
        strcpy(o->path, path);
    }
    for (char *opt; !error && (opt = strtok_r(NULL, ",", &save)); ) {
        unsigned int m[6];
        char extra;
        if (!strcmp(opt, "server")) {
            o->server = true;
        } else if (str_starts_with(opt, "mac=")
                   && sscanf(opt + 4, "%2x:%2x:%2x:%2x:%2x:%2x%c", &m[0],
                             &m[1], &m[2], &m[3], &m[4], &m[5], &extra) == 6
                   && strlen(opt + 4) == 17) {
            for (int i = 0; i < 6; i++) {
                o->mac[i] = (uint8_t) m[i];
            }
            if (o->mac[0] & 1) {
                error = xasprintf("\"%s\" is a multicast address", opt + 4);
            }
            o->has_mac = true;
        } else {
            error = xasprintf("bad option \"%s\" (mac=XX:XX:XX:XX:XX:XX or "
                              "server)", opt);
        }
    }
    free(copy);
    return error;
}

static void
virtio_net_config_read(struct virtio_mmio *m, uint32_t offset, uint8_t *data,
                       uint32_t len)
{
    struct virtio_net *n = m->dev;
    uint8_t config[VIRTIO_NET_CONFIG_SIZE];
    memcpy(config, n->mac, 6);
    config[6] = n->link_up ? VIRTIO_NET_S_LINK_UP : 0;
    config[7] = 0;
    memcpy(data, config + offset, len);
}

static void
virtio_net_set_link(struct virtio_mmio *m, bool up)
{
    struct virtio_net *n = m->dev;
    if (n->link_up != up) {
        n->link_up = up;
        m->config_generation++;
        if (m->status & VIRTIO_STATUS_DRIVER_OK) {
            virtio_mmio_interrupt(m, VIRTIO_MMIO_INT_CONFIG);
        }
    }
}

/* Hands the rings to the backend.  RESTORE: the backend is new, so its
 * rings start where the guest's used rings stand. */
static int
virtio_net_start(struct virtio_mmio *m, bool restore)
{
    struct virtio_net *n = m->dev;
    struct vhost_user_ring rings[VIRTIO_NET_QUEUES];

    for (int i = 0; i < VIRTIO_NET_QUEUES; i++) {
        const struct virtio_mmio_queue *q = &m->queues[i];
        if (!q->ready) {
            VLOG_WARN_RL(&rl, "%s: queue %d is not ready at DRIVER_OK",
                         n->vu.path, i);
            return EINVAL;
        }
        uint16_t base = 0;
        if (restore) {
            const uint16_t *idx = guest_mem_ptr(m->vm->mem, q->device + 2,
                                                2);
            if (!idx) {
                return EINVAL;
            }
            base = __atomic_load_n(idx, __ATOMIC_ACQUIRE);
        }
        rings[i] = (struct vhost_user_ring) {
            .num = q->num, .desc = q->desc, .avail = q->driver,
            .used = q->device, .base = base,
            .kick_fd = q->kick_fd, .call_fd = m->call_fd,
        };
    }
    int error = vhost_user_start(&n->vu, m->driver_features, m->vm->mem,
                                 rings, VIRTIO_NET_QUEUES);
    if (error) {
        VLOG_WARN_RL(&rl, "%s: setting up the backend's rings failed: %s",
                     n->vu.path, strerror(error));
        return error;
    }
    n->started = true;
    if (restore) {
        /* Anything the guest queued while the backend was away. */
        uint64_t one = 1;
        for (int i = 0; i < VIRTIO_NET_QUEUES; i++) {
            ssize_t w = write(m->queues[i].kick_fd, &one, sizeof one);
            (void) w;
        }
    }
    return 0;
}

static int
virtio_net_activate(struct virtio_mmio *m)
{
    struct virtio_net *n = m->dev;
    if (!vhost_user_connected(&n->vu)) {
        return 0;               /* Started when the backend comes. */
    }
    int error = virtio_net_start(m, false);
    if (error) {
        /* The backend failed us: drop it and set the rings up again, from
         * where they stand, once it is back. */
        vhost_user_disconnect(&n->vu);
        n->next_retry = time_msec();
        virtio_net_set_link(m, false);
    } else {
        virtio_net_set_link(m, true);
    }
    return 0;
}

static void
virtio_net_reset(struct virtio_mmio *m)
{
    struct virtio_net *n = m->dev;
    if (n->started && vhost_user_connected(&n->vu)) {
        int error = vhost_user_stop(&n->vu, VIRTIO_NET_QUEUES);
        if (error) {
            VLOG_WARN("%s: stopping the backend's rings: %s", n->vu.path,
                      strerror(error));
        }
    }
    n->started = false;
}

/* The backend is there (again): negotiate and, if the guest's driver is
 * running, hand it the rings. */
static void
virtio_net_connected(struct virtio_mmio *m)
{
    struct virtio_net *n = m->dev;
    int error = vhost_user_negotiate(&n->vu);

    if (!error && (m->driver_features & ~n->vu.features
                   & ~((1ULL << VIRTIO_NET_F_MAC)
                       | (1ULL << VIRTIO_NET_F_STATUS)))) {
        VLOG_WARN_RL(&rl, "%s: the backend lacks features the guest uses "
                     "(0x%llx of 0x%llx)", n->vu.path,
                     (unsigned long long) n->vu.features,
                     (unsigned long long) m->driver_features);
        error = ENOTSUP;
    }
    if (!error && m->status & VIRTIO_STATUS_DRIVER_OK) {
        error = virtio_net_start(m, n->n_connects > 0);
    }
    if (error) {
        vhost_user_disconnect(&n->vu);
        return;
    }
    n->n_connects++;
    VLOG_INFO("%s: backend connected", n->vu.path);
    virtio_net_set_link(m, true);
}

static void
virtio_net_run(struct virtio_mmio *m)
{
    struct virtio_net *n = m->dev;

    if (vhost_user_hung_up(&n->vu)) {
        VLOG_WARN("%s: the backend went away; link down, reconnecting",
                  n->vu.path);
        vhost_user_disconnect(&n->vu);
        n->started = false;
        n->next_retry = time_msec();
        virtio_net_set_link(m, false);
    }
    if (!vhost_user_connected(&n->vu)
        && (n->vu.server || time_msec() >= n->next_retry)) {
        if (!vhost_user_reconnect(&n->vu)) {
            virtio_net_connected(m);
        }
        n->next_retry = time_msec() + VIRTIO_NET_RETRY_MS;
    }
}

static void
virtio_net_wait(struct virtio_mmio *m)
{
    struct virtio_net *n = m->dev;
    int fd = vhost_user_poll_fd(&n->vu);

    if (fd >= 0) {
        poll_fd_wait(fd, POLLIN);
    }
    if (!vhost_user_connected(&n->vu) && !n->vu.server) {
        poll_timer_wait_until(n->next_retry);
    }
}

static void
virtio_net_describe(struct virtio_mmio *m, struct json_object *obj)
{
    struct virtio_net *n = m->dev;
    char mac[18];

    snprintf(mac, sizeof mac, "%02x:%02x:%02x:%02x:%02x:%02x", n->mac[0],
             n->mac[1], n->mac[2], n->mac[3], n->mac[4], n->mac[5]);
    json_object_object_add(obj, "vhost-user",
                           json_object_new_string(n->vu.path));
    json_object_object_add(obj, "server",
                           json_object_new_boolean(n->vu.server));
    json_object_object_add(obj, "mac", json_object_new_string(mac));
    json_object_object_add(obj, "link",
                           json_object_new_string(n->link_up ? "up" : "down"));
    json_object_object_add(obj, "connects",
                           json_object_new_int64(n->n_connects));
}

static void
virtio_net_destroy(struct virtio_mmio *m)
{
    struct virtio_net *n = m->dev;
    vhost_user_destroy(&n->vu);
    free(n);
}

static const struct virtio_mmio_ops virtio_net_ops = {
    .name = "net",
    .device_id = VIRTIO_ID_NET,
    .config_read = virtio_net_config_read,
    .activate = virtio_net_activate,
    .reset = virtio_net_reset,
    .run = virtio_net_run,
    .wait = virtio_net_wait,
    .describe = virtio_net_describe,
    .destroy = virtio_net_destroy,
};

int
virtio_net_create(struct kvm_vm *vm, const struct virtio_net_options *o,
                  int index, uint64_t base, uint32_t irq,
                  struct virtio_mmio **mp, char **errorp)
{
    struct virtio_net *n = xzalloc(sizeof *n);
    int error = vhost_user_init(&n->vu, o->path, o->server, errorp);
    if (!error && !o->server) {
        error = vhost_user_negotiate(&n->vu);
        if (error) {
            *errorp = xasprintf("vhost-user negotiation with \"%s\" "
                                "failed: %s", o->path, strerror(error));
        } else if (!(n->vu.features & (1ULL << VIRTIO_F_VERSION_1))) {
            *errorp = xasprintf("the backend at \"%s\" lacks "
                                "VIRTIO_F_VERSION_1", o->path);
            error = ENOTSUP;
        } else {
            n->n_connects = 1;
            n->link_up = true;
        }
    }
    if (error) {
        vhost_user_destroy(&n->vu);
        free(n);
        return error;
    }
    if (o->has_mac) {
        memcpy(n->mac, o->mac, 6);
    } else {
        /* Locally administered, from the pid and the index. */
        uint32_t pid = (uint32_t) getpid();
        uint8_t mac[6] = { 0x52, 0x54, (uint8_t) (pid >> 16),
                           (uint8_t) (pid >> 8), (uint8_t) pid,
                           (uint8_t) index };
        memcpy(n->mac, mac, 6);
    }
    n->next_retry = time_msec() + VIRTIO_NET_RETRY_MS;

    uint64_t features = (1ULL << VIRTIO_NET_F_MAC)
                        | (1ULL << VIRTIO_NET_F_STATUS);
    error = virtio_mmio_create(vm, &virtio_net_ops, n, base, irq,
                               VIRTIO_NET_QUEUES, VIRTIO_NET_QUEUE_MAX,
                               features, VIRTIO_NET_CONFIG_SIZE, mp);
    if (error) {
        *errorp = xasprintf("creating the device: %s", strerror(error));
        vhost_user_destroy(&n->vu);
        free(n);
        return error;
    }
    (*mp)->always_vring_int = true;
    return 0;
}
