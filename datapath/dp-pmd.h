/*
 * dp-pmd: the datapath's poll-mode (PMD) threads.
 *
 * Each PMD thread is pinned to one core and polls the receive queues the
 * control thread gave it (dpif_assign_rxqs(): round robin over the ports).
 * Per loop iteration, for each queue:
 *
 *   rx burst (32) -> flow_extract() -> exact-match cache (dp-emc.h)
 *     -> megaflow classifier (dp-cls.h) -> upcall to the slow path for the
 *        rest (rate limited; installs the megaflow unless the flow limit is
 *        reached) -> packets grouped by megaflow, stats added, actions run
 *        (dp-execute.h) -> outputs appended to per-port transmit batches
 *
 * then every transmit batch is sent (dp_port_tx_burst()), the thread
 * reports an RCU quiescent state, and, if nothing arrived for a while, it
 * sleeps: 1 us, doubled on every further empty iteration up to the
 * max_sleep_us tunable, RCU-offline while asleep.  A packet therefore
 * waits at most max_sleep_us before the PMD sees it.
 *
 * Everything a PMD touches per packet (its classifier, cache, batches,
 * counters) belongs to it alone; other threads read its counters through
 * relaxed atomics, published once per busy iteration (and every 64 idle
 * ones).
 */
#ifndef SKIFF_DP_PMD_H
#define SKIFF_DP_PMD_H 1

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dpif;
struct dp_cls;
struct dp_port;

/* One receive queue a PMD polls. */
struct dp_pmd_rxq {
    struct dp_port *port;
    uint32_t port_no;
};

/* A PMD's queue list, replaced as a whole (RCU). */
struct dp_pmd_rxqs {
    size_t n;
    struct dp_pmd_rxq rxq[];
};

enum dp_pmd_stat {
    DP_PMD_STAT_RX,             /* Packets received. */
    DP_PMD_STAT_EMC_HIT,
    DP_PMD_STAT_MEGAFLOW_HIT,
    DP_PMD_STAT_SUBTABLE_LOOKUPS,   /* Summed over megaflow lookups. */
    DP_PMD_STAT_UPCALL_OK,      /* Misses the slow path answered. */
    DP_PMD_STAT_UPCALL_FAIL,    /* ... failed (error, bad actions, none
                                 * registered). */
    DP_PMD_STAT_UPCALL_LIMITED, /* Misses dropped by the rate limit. */
    DP_PMD_STAT_FLOW_LIMIT,     /* Upcalls not installed: flow limit. */
    DP_PMD_STAT_PARSE_ERROR,    /* Truncated or malformed packets. */
    DP_PMD_STAT_DROP_ACTIONS,   /* Dropped by their actions (drop, meter,
                                 * no mbuf for a copy). */
    DP_PMD_STAT_DROP_NO_PORT,   /* Output to a port that is gone. */
    DP_PMD_STAT_CYCLES_BUSY,    /* TSC cycles of iterations with packets. */
    DP_PMD_STAT_CYCLES_IDLE,    /* ... without, sleeps included. */
    DP_PMD_STAT_SLEEPS,
    DP_PMD_N_STATS
};

const char *dp_pmd_stat_name(enum dp_pmd_stat);

struct dp_pmd;

/* Creates PMD number ID (also its RCU thread id) for core CORE, and starts
 * its thread, with an empty queue list.  Returns 0 and *PMDP or a positive
 * errno value. */
int dp_pmd_create(struct dpif *, unsigned int id, unsigned int core,
                  struct dp_pmd **pmdp);

/* Stops the thread and frees the PMD with its caches and flows.  NULL is
 * ignored. */
void dp_pmd_destroy(struct dp_pmd *);

unsigned int dp_pmd_id(const struct dp_pmd *);
unsigned int dp_pmd_core(const struct dp_pmd *);
struct dp_cls *dp_pmd_cls(const struct dp_pmd *);

/* Publishes RXQS (the PMD's from now on) and returns the previous list,
 * which the caller frees after dpif_synchronize(). */
struct dp_pmd_rxqs *dp_pmd_set_rxqs(struct dp_pmd *, struct dp_pmd_rxqs *);
/* The current list: control thread only. */
const struct dp_pmd_rxqs *dp_pmd_get_rxqs(const struct dp_pmd *);

/* Counters since start, minus the baseline dp_pmd_clear_stats() took. */
void dp_pmd_get_stats(const struct dp_pmd *, uint64_t stats[DP_PMD_N_STATS]);
void dp_pmd_clear_stats(struct dp_pmd *);

#endif /* dp-pmd.h */
