/* dp-pmd: PMD threads and the per-packet pipeline. */
#include <config.h>

#include "dp-pmd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>
#include <rte_rcu_qsbr.h>

#include "dp-actions.h"
#include "dp-cls.h"
#include "dp-emc.h"
#include "dp-execute.h"
#include "dp-flow.h"
#include "dp-port-private.h"
#include "dpif-private.h"
#include "flow.h"
#include "timeval.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(dp_pmd);

#define PMD_BURST 32
#define PMD_IDLE_POLLS 64           /* Empty iterations before sleeping. */
#define PMD_MAX_PACKET 65536        /* Upcall copy buffer. */

_Static_assert(PMD_BURST <= DP_CLS_MAX_BURST, "burst too big for dp-cls");
_Static_assert(PMD_BURST <= DP_EXECUTE_MAX_BURST, "burst too big");

struct pmd_txq {
    struct dp_port *port;       /* Set while the batch is not empty. */
    uint16_t n;
    struct rte_mbuf *pkts[PMD_BURST];
};

struct dp_pmd {
    struct dpif *dpif;
    unsigned int id;
    unsigned int core;
    pthread_t thread;
    atomic_bool exit;
    _Atomic(struct dp_pmd_rxqs *) rxqs;

    struct dp_cls *cls;
    struct dp_emc *emc;

    /* Published counters (written by the PMD, read by anyone) and the
     * control thread's baseline for "clear". */
    atomic_uint_least64_t pub[DP_PMD_N_STATS];
    uint64_t baseline[DP_PMD_N_STATS];

    /* The PMD thread's own, below. */
    uint64_t stats[DP_PMD_N_STATS];
    struct dp_execute_ctx exec;
    uint64_t exec_drops_seen;

    uint16_t dirty[PMD_BURST * 2];  /* Ports with a non-empty batch. */
    size_t n_dirty;
    struct pmd_txq txq[DPIF_MAX_PORTS];

    uint32_t cur_in_port;       /* For USERSPACE upcalls. */
    uint8_t *upcall_buf;        /* PMD_MAX_PACKET bytes. */
    struct dp_upcall_result result;

    uint64_t credit;            /* Upcall token bucket, in TSC cycles. */
    uint64_t credit_tsc;
    unsigned int emc_inv_prob;
};

static const char *const stat_names[DP_PMD_N_STATS] = {
    [DP_PMD_STAT_RX] = "packets received",
    [DP_PMD_STAT_EMC_HIT] = "emc hits",
    [DP_PMD_STAT_MEGAFLOW_HIT] = "megaflow hits",
    [DP_PMD_STAT_SUBTABLE_LOOKUPS] = "subtable lookups",
    [DP_PMD_STAT_UPCALL_OK] = "miss with success upcall",
    [DP_PMD_STAT_UPCALL_FAIL] = "miss with failed upcall",
    [DP_PMD_STAT_UPCALL_LIMITED] = "miss dropped by rate limit",
    [DP_PMD_STAT_FLOW_LIMIT] = "upcalls not installed (flow limit)",
    [DP_PMD_STAT_PARSE_ERROR] = "truncated or malformed packets",
    [DP_PMD_STAT_DROP_ACTIONS] = "dropped by actions",
    [DP_PMD_STAT_DROP_NO_PORT] = "dropped, output port gone",
    [DP_PMD_STAT_CYCLES_BUSY] = "processing cycles",
    [DP_PMD_STAT_CYCLES_IDLE] = "idle cycles",
    [DP_PMD_STAT_SLEEPS] = "sleeps",
};

const char *
dp_pmd_stat_name(enum dp_pmd_stat s)
{
    return s < DP_PMD_N_STATS ? stat_names[s] : "unknown";
}

static struct dpif_upcall_reg *
get_upcall(const struct dp_pmd *pmd)
{
    return atomic_load_explicit(&pmd->dpif->upcall, memory_order_acquire);
}

/* Transmit batches. */

static void
txq_flush(struct dp_pmd *pmd, uint32_t port_no)
{
    struct pmd_txq *q = &pmd->txq[port_no];
    if (q->n) {
        dp_port_tx_burst(q->port, q->pkts, q->n);
        q->n = 0;
    }
}

static void
flush_all(struct dp_pmd *pmd)
{
    for (size_t i = 0; i < pmd->n_dirty; i++) {
        txq_flush(pmd, pmd->dirty[i]);
    }
    pmd->n_dirty = 0;
}

static void
exec_output(void *pmd_, uint32_t port_no, struct rte_mbuf **pkts, size_t n)
{
    struct dp_pmd *pmd = pmd_;
    struct dp_port *port = dpif_get_port(pmd->dpif, port_no);

    if (!port) {
        rte_pktmbuf_free_bulk(pkts, n);
        pmd->stats[DP_PMD_STAT_DROP_NO_PORT] += n;
        return;
    }

    struct pmd_txq *q = &pmd->txq[port_no];
    for (size_t i = 0; i < n; i++) {
        if (q->n == PMD_BURST) {
            txq_flush(pmd, port_no);
        }
        if (!q->n) {
            if (pmd->n_dirty == ARRAY_SIZE(pmd->dirty)) {
                flush_all(pmd);
            }
            q->port = port;
            pmd->dirty[pmd->n_dirty++] = port_no;
        }
        q->pkts[q->n++] = pkts[i];
    }
}

/* Returns the packet's bytes contiguous: in the mbuf, or copied to the
 * PMD's buffer. */
static const void *
packet_bytes(struct dp_pmd *pmd, const struct rte_mbuf *m, size_t *size)
{
    uint32_t len = MIN(rte_pktmbuf_pkt_len(m), PMD_MAX_PACKET);
    *size = len;
    return rte_pktmbuf_read(m, 0, len, pmd->upcall_buf);
}

static void
exec_userspace(void *pmd_, const struct rte_mbuf *pkt, uint64_t cookie)
{
    struct dp_pmd *pmd = pmd_;
    struct dpif_upcall_reg *reg = get_upcall(pmd);
    struct flow key;
    size_t size;

    if (!reg || !reg->ops->upcall) {
        return;
    }
    const void *data = packet_bytes(pmd, pkt, &size);
    if (!data) {
        return;
    }
    flow_extract(data, size, &key, NULL);
    key.in_port = pmd->cur_in_port;

    struct dp_upcall up = {
        .type = DP_UPCALL_ACTION,
        .packet = data,
        .size = size,
        .key = &key,
        .cookie = cookie,
        .pmd_id = pmd->id,
    };
    reg->ops->upcall(reg->aux, &up, NULL);
}

static const struct dp_execute_ops exec_ops = {
    .output = exec_output,
    .userspace = exec_userspace,
};

/* Upcalls. */

static bool
upcall_allowed(struct dp_pmd *pmd, uint64_t now_tsc)
{
    unsigned int rate = atomic_load_explicit(&pmd->dpif->upcall_rate,
                                             memory_order_relaxed);
    if (!rate) {
        return true;
    }
    unsigned int burst = atomic_load_explicit(&pmd->dpif->upcall_burst,
                                              memory_order_relaxed);
    uint64_t cost = rte_get_tsc_hz() / rate;
    uint64_t depth = cost * MAX(burst, 1);

    pmd->credit += now_tsc - pmd->credit_tsc;
    pmd->credit_tsc = now_tsc;
    if (pmd->credit > depth) {
        pmd->credit = depth;
    }
    if (pmd->credit < cost) {
        return false;
    }
    pmd->credit -= cost;
    return true;
}

/* Handles packet PKT with key KEY that missed both caches.  Returns the
 * megaflow to run it with, or NULL if the packet was consumed here
 * (dropped, or run with actions that were not installed). */
static struct dp_flow *
handle_miss(struct dp_pmd *pmd, struct rte_mbuf *pkt, const struct flow *key,
            uint64_t now_tsc)
{
    struct dp_flow *flow = dp_cls_lookup_one(pmd->cls, key);
    if (flow) {
        /* An upcall earlier in this burst installed it. */
        pmd->stats[DP_PMD_STAT_MEGAFLOW_HIT]++;
        return flow;
    }
    if (!upcall_allowed(pmd, now_tsc)) {
        pmd->stats[DP_PMD_STAT_UPCALL_LIMITED]++;
        goto drop;
    }

    struct dpif_upcall_reg *reg = get_upcall(pmd);
    if (!reg || !reg->ops->upcall) {
        goto fail;
    }

    uint64_t version = reg->ops->version ? reg->ops->version(reg->aux) : 0;
    size_t size;
    const void *data = packet_bytes(pmd, pkt, &size);
    if (!data) {
        goto fail;
    }
    struct dp_upcall up = {
        .type = DP_UPCALL_MISS,
        .packet = data,
        .size = size,
        .key = key,
        .pmd_id = pmd->id,
    };
    struct dp_upcall_result *res = &pmd->result;
    dp_actions_clear(&res->actions);
    flow_wildcards_init_catchall(&res->mask);
    res->install = true;

    int error = reg->ops->upcall(reg->aux, &up, res);
    if (error) {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
        VLOG_WARN_RL(&rl, "pmd %u: upcall failed (%s)", pmd->id,
                     strerror(error));
        goto fail;
    }
    if (dp_actions_validate(res->actions.data, res->actions.size)) {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
        VLOG_WARN_RL(&rl, "pmd %u: the slow path returned an invalid "
                     "action list", pmd->id);
        goto fail;
    }
    pmd->stats[DP_PMD_STAT_UPCALL_OK]++;

    /* The megaflow always matches in_port (dp-upcall.h). */
    res->mask.masks.in_port = UINT32_MAX;
    unsigned int limit = atomic_load_explicit(&pmd->dpif->flow_limit,
                                              memory_order_relaxed);
    if (res->install && dp_cls_count(pmd->cls) < limit) {
        error = dp_cls_insert(pmd->cls, key, &res->mask, res->actions.data,
                              res->actions.size, version, &flow);
        if (!error) {
            /* upcall() counted this packet (dp-upcall.h). */
            dp_flow_stats_mark_pushed(flow, 1, rte_pktmbuf_pkt_len(pkt));
            return flow;
        } else if (error == EEXIST) {
            return flow;
        }
    } else if (res->install) {
        pmd->stats[DP_PMD_STAT_FLOW_LIMIT]++;
    }
    dp_execute(&pmd->exec, &pkt, 1, res->actions.data, res->actions.size);
    return NULL;

fail:
    pmd->stats[DP_PMD_STAT_UPCALL_FAIL]++;
drop:
    rte_pktmbuf_free(pkt);
    return NULL;
}

/* The pipeline for one received burst. */

struct pmd_group {
    struct dp_flow *flow;
    uint32_t bytes;
    uint16_t tcp_flags;
    uint16_t n;
    struct rte_mbuf *pkts[PMD_BURST];
};

static void
run_groups(struct dp_pmd *pmd, struct rte_mbuf **pkts,
           struct dp_flow **flows, const struct flow *keys, size_t n,
           long long int now)
{
    struct pmd_group groups[PMD_BURST];
    size_t n_groups = 0;

    for (size_t i = 0; i < n; i++) {
        struct dp_flow *flow = flows[i];
        struct pmd_group *g = NULL;

        if (!flow) {
            continue;
        }
        for (size_t j = n_groups; j-- > 0; ) {
            if (groups[j].flow == flow) {
                g = &groups[j];
                break;
            }
        }
        if (!g) {
            g = &groups[n_groups++];
            g->flow = flow;
            g->bytes = 0;
            g->tcp_flags = 0;
            g->n = 0;
        }
        g->pkts[g->n++] = pkts[i];
        g->bytes += rte_pktmbuf_pkt_len(pkts[i]);
        g->tcp_flags |= ntohs(keys[i].tcp_flags);
    }

    for (size_t j = 0; j < n_groups; j++) {
        struct pmd_group *g = &groups[j];
        const struct dp_flow_actions *acts = dp_flow_get_actions(g->flow);
        dp_flow_stats_add(g->flow, g->n, g->bytes, now, g->tcp_flags);
        dp_execute(&pmd->exec, g->pkts, g->n, acts->data, acts->size);
    }
}

static void
process_burst(struct dp_pmd *pmd, uint32_t in_port, struct rte_mbuf **pkts,
              size_t n, uint64_t now_tsc, long long int now)
{
    struct flow keys[PMD_BURST];
    uint32_t hashes[PMD_BURST];
    struct dp_flow *flows[PMD_BURST];
    const struct flow *miss_keys[PMD_BURST];
    struct dp_flow *miss_flows[PMD_BURST];
    uint8_t miss_idx[PMD_BURST];
    size_t n_miss = 0;

    pmd->cur_in_port = in_port;
    pmd->stats[DP_PMD_STAT_RX] += n;

    for (size_t i = 0; i < n; i++) {
        if (i + 1 < n) {
            rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void *));
        }
        if (flow_extract(rte_pktmbuf_mtod(pkts[i], void *),
                         rte_pktmbuf_data_len(pkts[i]), &keys[i], NULL)) {
            pmd->stats[DP_PMD_STAT_PARSE_ERROR]++;
        }
        keys[i].in_port = in_port;
        hashes[i] = dp_emc_hash(&keys[i]);
        dp_emc_prefetch(pmd->emc, hashes[i]);
    }

    for (size_t i = 0; i < n; i++) {
        flows[i] = dp_emc_lookup(pmd->emc, &keys[i], hashes[i]);
        if (flows[i]) {
            pmd->stats[DP_PMD_STAT_EMC_HIT]++;
        } else {
            miss_idx[n_miss] = i;
            miss_keys[n_miss++] = &keys[i];
        }
    }

    if (n_miss) {
        dp_cls_lookup(pmd->cls, miss_keys, n_miss, miss_flows,
                      &pmd->stats[DP_PMD_STAT_SUBTABLE_LOOKUPS]);
        for (size_t k = 0; k < n_miss; k++) {
            size_t i = miss_idx[k];
            struct dp_flow *flow = miss_flows[k];

            if (flow) {
                pmd->stats[DP_PMD_STAT_MEGAFLOW_HIT]++;
            } else {
                flow = handle_miss(pmd, pkts[i], &keys[i], now_tsc);
            }
            if (flow) {
                dp_emc_insert(pmd->emc, &keys[i], hashes[i], flow);
            }
            flows[i] = flow;
        }
    }

    run_groups(pmd, pkts, flows, keys, n, now);
}

/* Counters. */

static void
publish_stats(struct dp_pmd *pmd)
{
    uint64_t drops = 0;
    for (int r = 0; r < DP_DROP_N_REASONS; r++) {
        drops += pmd->exec.drops[r];
    }
    pmd->stats[DP_PMD_STAT_DROP_ACTIONS] += drops - pmd->exec_drops_seen;
    pmd->exec_drops_seen = drops;

    for (int s = 0; s < DP_PMD_N_STATS; s++) {
        atomic_store_explicit(&pmd->pub[s], pmd->stats[s],
                              memory_order_relaxed);
    }
}

/* The thread. */

static void
pin_to_core(struct dp_pmd *pmd)
{
    cpu_set_t set;

    CPU_ZERO(&set);
    CPU_SET(pmd->core, &set);
    int error = pthread_setaffinity_np(pthread_self(), sizeof set, &set);
    if (error) {
        VLOG_WARN("pmd %u: cannot pin to core %u (%s)", pmd->id, pmd->core,
                  strerror(error));
    }
    /* Short sleeps must be short: 1 us timer slack, not 50. */
    prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
}

static void
idle_sleep(struct dp_pmd *pmd, unsigned int us)
{
    struct timespec ts = { .tv_sec = us / 1000000,
                           .tv_nsec = (us % 1000000) * 1000L };
    struct rte_rcu_qsbr *qsbr = pmd->dpif->qsbr;

    rte_rcu_qsbr_thread_offline(qsbr, pmd->id);
    nanosleep(&ts, NULL);
    rte_rcu_qsbr_thread_online(qsbr, pmd->id);
    pmd->stats[DP_PMD_STAT_SLEEPS]++;
}

static void *
pmd_main(void *pmd_)
{
    struct dp_pmd *pmd = pmd_;
    struct rte_rcu_qsbr *qsbr = pmd->dpif->qsbr;
    struct rte_mbuf *pkts[PMD_BURST];
    unsigned int idle_polls = 0, sleep_us = 0;
    uint64_t iter = 0;

    pin_to_core(pmd);
    if (rte_thread_register()) {
        VLOG_WARN("pmd %u: no EAL lcore id left, mempool caches off",
                  pmd->id);
    }
    rte_rcu_qsbr_thread_register(qsbr, pmd->id);
    rte_rcu_qsbr_thread_online(qsbr, pmd->id);
    VLOG_INFO("pmd %u: running on core %u", pmd->id, pmd->core);

    while (!atomic_load_explicit(&pmd->exit, memory_order_relaxed)) {
        const struct dp_pmd_rxqs *rxqs
            = atomic_load_explicit(&pmd->rxqs, memory_order_acquire);
        uint64_t t0 = rte_rdtsc();
        long long int now = 0;
        size_t total = 0;

        for (size_t q = 0; rxqs && q < rxqs->n; q++) {
            uint16_t n = dp_port_rx_burst(rxqs->rxq[q].port, pkts,
                                          PMD_BURST);
            if (n) {
                if (!total) {
                    now = time_msec();
                    pmd->exec.now_tsc = t0;
                }
                total += n;
                process_burst(pmd, rxqs->rxq[q].port_no, pkts, n, t0, now);
            }
        }
        flush_all(pmd);

        uint64_t t1 = rte_rdtsc();
        rte_rcu_qsbr_quiescent(qsbr, pmd->id);
        iter++;
        if (total) {
            pmd->stats[DP_PMD_STAT_CYCLES_BUSY] += t1 - t0;
            idle_polls = 0;
            sleep_us = 0;
            publish_stats(pmd);
        } else {
            pmd->stats[DP_PMD_STAT_CYCLES_IDLE] += t1 - t0;
            unsigned int max_sleep = atomic_load_explicit(
                &pmd->dpif->max_sleep_us, memory_order_relaxed);
            if (max_sleep && ++idle_polls > PMD_IDLE_POLLS) {
                sleep_us = sleep_us ? MIN(sleep_us * 2, max_sleep) : 1;
                idle_sleep(pmd, sleep_us);
                pmd->stats[DP_PMD_STAT_CYCLES_IDLE] += rte_rdtsc() - t1;
            }
            if (!(iter % 64)) {
                publish_stats(pmd);
            }
        }

        unsigned int p = atomic_load_explicit(&pmd->dpif->emc_inv_prob,
                                              memory_order_relaxed);
        if (p != pmd->emc_inv_prob) {
            pmd->emc_inv_prob = p;
            dp_emc_set_inv_prob(pmd->emc, p);
        }
        if (!(iter % 1024)) {
            dp_cls_rerank(pmd->cls, time_msec());
        }
    }

    publish_stats(pmd);
    rte_rcu_qsbr_thread_offline(qsbr, pmd->id);
    rte_rcu_qsbr_thread_unregister(qsbr, pmd->id);
    rte_thread_unregister();
    VLOG_INFO("pmd %u: stopped", pmd->id);
    return NULL;
}

int
dp_pmd_create(struct dpif *dpif, unsigned int id, unsigned int core,
              struct dp_pmd **pmdp)
{
    struct dp_pmd *pmd = xzalloc(sizeof *pmd);

    pmd->dpif = dpif;
    pmd->id = id;
    pmd->core = core;
    atomic_init(&pmd->exit, false);
    atomic_init(&pmd->rxqs, NULL);
    for (int s = 0; s < DP_PMD_N_STATS; s++) {
        atomic_init(&pmd->pub[s], 0);
    }
    pmd->cls = dp_cls_create(dpif->qsbr, id);
    pmd->emc = dp_emc_create();
    pmd->emc_inv_prob = atomic_load(&dpif->emc_inv_prob);
    dp_emc_set_inv_prob(pmd->emc, pmd->emc_inv_prob);
    dp_execute_ctx_init(&pmd->exec, &exec_ops, pmd, dpif->pool,
                        dpif->meters);
    pmd->upcall_buf = xmalloc(PMD_MAX_PACKET);
    dp_actions_init(&pmd->result.actions);
    pmd->credit_tsc = rte_rdtsc();

    int error = pthread_create(&pmd->thread, NULL, pmd_main, pmd);
    if (error) {
        VLOG_ERR("pmd %u: cannot create thread (%s)", id, strerror(error));
        dp_cls_destroy(pmd->cls);
        dp_emc_destroy(pmd->emc);
        free(pmd->upcall_buf);
        dp_actions_uninit(&pmd->result.actions);
        free(pmd);
        *pmdp = NULL;
        return error;
    }
    char name[16];
    snprintf(name, sizeof name, "pmd-c%02u/id:%u", core % 100, id % 100);
    pthread_setname_np(pmd->thread, name);
    *pmdp = pmd;
    return 0;
}

void
dp_pmd_destroy(struct dp_pmd *pmd)
{
    if (!pmd) {
        return;
    }
    atomic_store(&pmd->exit, true);
    pthread_join(pmd->thread, NULL);
    /* The thread is gone: nothing else can read its caches now. */
    dp_emc_destroy(pmd->emc);
    dp_cls_destroy(pmd->cls);
    free(atomic_load(&pmd->rxqs));
    free(pmd->upcall_buf);
    dp_actions_uninit(&pmd->result.actions);
    free(pmd);
}

unsigned int
dp_pmd_id(const struct dp_pmd *pmd)
{
    return pmd->id;
}

unsigned int
dp_pmd_core(const struct dp_pmd *pmd)
{
    return pmd->core;
}

struct dp_cls *
dp_pmd_cls(const struct dp_pmd *pmd)
{
    return pmd->cls;
}

struct dp_pmd_rxqs *
dp_pmd_set_rxqs(struct dp_pmd *pmd, struct dp_pmd_rxqs *rxqs)
{
    return atomic_exchange_explicit(&pmd->rxqs, rxqs, memory_order_acq_rel);
}

const struct dp_pmd_rxqs *
dp_pmd_get_rxqs(const struct dp_pmd *pmd)
{
    return atomic_load(&((struct dp_pmd *) pmd)->rxqs);
}

void
dp_pmd_get_stats(const struct dp_pmd *pmd, uint64_t stats[DP_PMD_N_STATS])
{
    for (int s = 0; s < DP_PMD_N_STATS; s++) {
        stats[s] = atomic_load_explicit(&((struct dp_pmd *) pmd)->pub[s],
                                        memory_order_relaxed)
                   - pmd->baseline[s];
    }
}

void
dp_pmd_clear_stats(struct dp_pmd *pmd)
{
    for (int s = 0; s < DP_PMD_N_STATS; s++) {
        pmd->baseline[s] = atomic_load_explicit(&pmd->pub[s],
                                                memory_order_relaxed);
    }
}
