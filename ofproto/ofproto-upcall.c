/* ofproto-upcall: misses, revalidation and stats from the datapath. */
#include <config.h>

#include "ofproto-upcall.h"

#include <errno.h>
#include <string.h>

#include "ofproto-private.h"
#include "rcu.h"
#include "vlog.h"
#include "xlate.h"

VLOG_DEFINE_THIS_MODULE(ofproto_upcall);

/* Translates KEY (datapath numbering) into RESULT (NULL: the actions and
 * mask are not wanted).  STATS, if nonnull, are real packets: they are
 * credited to the input port, every rule hit and every output port, and
 * NORMAL learns their source. */
static int
translate(const struct flow *key, const struct xlate_stats *stats,
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
        if (result) {
            dp_actions_clear(&result->actions);
            memset(&result->mask, 0, sizeof result->mask);
            result->mask.masks.in_port = UINT32_MAX;
        }
        return 0;
    }

    struct xlate_in xin = {
        .ofproto = port->ofproto,
        .flow = *key,
        .stats = stats,
        .may_learn = stats != NULL,
    };
    struct xlate_out xout;
    xin.flow.in_port = port->ofp_port;
    xin.flow.metadata = 0;
    if (stats) {
        atomic_fetch_add(&port->rx_packets, stats->n_packets);
        atomic_fetch_add(&port->rx_bytes, stats->n_bytes);
    }

    int lock = rcu_read_lock();
    xlate_out_init(&xout);
    int error = xlate_packet(&xin, &xout);
    rcu_read_unlock(lock);
    pthread_rwlock_unlock(&ofproto_rwlock);

    if (!error) {
        if (result) {
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
    struct xlate_stats stats = {
        .n_packets = 1,
        .n_bytes = upcall->size,
        .used = ofproto_time_msec(),
    };
    return translate(upcall->key, &stats, result);
}

static int
revalidate_cb(void *aux, const struct flow *key,
              struct dp_upcall_result *result)
{
    (void) aux;
    return translate(key, NULL, result);
}

/* A megaflow's packets since the last push: the same translation as an
 * upcall of them all at once, without the actions.  A refresh of a MAC
 * entry that changes nothing else leaves the version alone, so steady
 * traffic does not make the datapath revalidate. */
static void
push_stats_cb(void *aux, const struct flow *key,
              const struct dp_flow_stats_delta *delta)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);
    struct xlate_stats stats = {
        .n_packets = delta->packets,
        .n_bytes = delta->bytes,
        .used = delta->used,
    };

    (void) aux;
    int error = translate(key, &stats, NULL);
    if (error) {
        VLOG_WARN_RL(&rl, "stats of a megaflow on datapath port %u not "
                     "credited (%s)", key->in_port, strerror(error));
    }
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
    .push_stats = push_stats_cb,
    .version = version_cb,
};
