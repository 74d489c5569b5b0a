/* ofproto-upcall: misses and revalidation from the datapath. */
#include <config.h>

#include "ofproto-upcall.h"

#include <errno.h>
#include <string.h>

#include "ofproto-private.h"
#include "rcu.h"
#include "vlog.h"
#include "xlate.h"

VLOG_DEFINE_THIS_MODULE(ofproto_upcall);

/* Translates KEY (datapath numbering) into RESULT.  PACKET_SIZE and LEARN
 * are for a real packet (0 and false when revalidating). */
static int
translate(const struct flow *key, size_t packet_size, bool real,
          struct dp_upcall_result *result)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);
    bool learned = false;

    pthread_rwlock_rdlock(&ofproto_rwlock);
    struct ofport *port = ofport_from_dp_port(key->in_port);
    if (!port) {
        pthread_rwlock_unlock(&ofproto_rwlock);
        VLOG_DBG_RL(&rl, "packet from datapath port %u, which no bridge "
                    "has: dropped", key->in_port);
        dp_actions_clear(&result->actions);
        memset(&result->mask, 0, sizeof result->mask);
        result->mask.masks.in_port = UINT32_MAX;
        return 0;
    }

    struct xlate_in xin = {
        .ofproto = port->ofproto,
        .flow = *key,
        .packet_size = packet_size,
        .credit_stats = real,
        .may_learn = real,
    };
    struct xlate_out xout;
    xin.flow.in_port = port->ofp_port;
    xin.flow.metadata = 0;
    if (real) {
        atomic_fetch_add(&port->rx_packets, 1);
        atomic_fetch_add(&port->rx_bytes, packet_size);
    }

    int lock = rcu_read_lock();
    xlate_out_init(&xout);
    int error = xlate_packet(&xin, &xout);
    rcu_read_unlock(lock);
    pthread_rwlock_unlock(&ofproto_rwlock);

    if (!error) {
        /* Hand the list over (both are plain heap buffers). */
        struct dp_actions tmp = result->actions;
        result->actions = xout.actions;
        xout.actions = tmp;
        result->mask = xout.wc;
        result->mask.masks.in_port = UINT32_MAX;
        result->mask.masks.metadata = 0;
        if (xout.slow) {
            result->install = false;
        }
        learned = xout.learned;
    }
    xlate_out_uninit(&xout);
    if (learned) {
        ofproto_bump_version();
    }
    return error;
}

static int
upcall_cb(void *aux, const struct dp_upcall *upcall,
          struct dp_upcall_result *result)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);

    (void) aux;
    if (upcall->type != DP_UPCALL_MISS) {
        /* The slow path installs no userspace actions yet. */
        VLOG_DBG_RL(&rl, "unexpected action upcall (cookie %llu)",
                    (unsigned long long) upcall->cookie);
        return 0;
    }
    return translate(upcall->key, upcall->size, true, result);
}

static int
revalidate_cb(void *aux, const struct flow *key,
              struct dp_upcall_result *result)
{
    (void) aux;
    return translate(key, 0, false, result);
}

static uint64_t
version_cb(void *aux)
{
    (void) aux;
    return ofproto_version();
}

const struct dp_upcall_ops ofproto_upcall_ops = {
    .upcall = upcall_cb,
    .revalidate = revalidate_cb,
    .version = version_cb,
};
