/*
 * dpif-private: the datapath's insides, shared by dpif.c, dp-pmd.c,
 * dp-revalidator.c and dp-appctl.c.  Nothing outside datapath/ includes
 * this.
 *
 * Who touches what:
 *   - struct dpif's port table and PMD list: written by the control thread
 *     only.  PMD threads read the port table (ports[]) through atomic
 *     pointers and their own receive queue list (pmd->rxqs) likewise; the
 *     control thread publishes a new pointer, waits for an RCU grace period
 *     (rte_rcu_qsbr_synchronize() on dpif->qsbr) and only then frees or
 *     closes what the old one pointed to.
 *   - The revalidator thread reads the PMD list; the control thread stops
 *     it before changing that list (dp_revalidator_stop()/start()).
 *   - Tunables are atomics any thread reads.
 *   - Upcall ops: a pointer pair published atomically as one struct; the
 *     old one is freed after a grace period (the revalidator is an RCU
 *     reader too).
 */
#ifndef SKIFF_DPIF_PRIVATE_H
#define SKIFF_DPIF_PRIVATE_H 1

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "dpif.h"

struct dp_meter_table;
struct rte_mempool;
struct rte_rcu_qsbr;
struct dp_pmd;
struct dp_revalidator;

/* The slow path as registered. */
struct dpif_upcall_reg {
    const struct dp_upcall_ops *ops;
    void *aux;
};

struct dpif {
    char *name;
    struct rte_mempool *pool;
    struct rte_rcu_qsbr *qsbr;          /* PMD threads are its readers. */
    struct dp_meter_table *meters;      /* Locks of its own. */

    _Atomic(struct dp_port *) ports[DPIF_MAX_PORTS];

    _Atomic(struct dpif_upcall_reg *) upcall;

    /* PMD threads, index = qsbr thread id = pmd id. */
    struct dp_pmd *pmds[DPIF_MAX_PMDS];
    int n_pmds;
    uint64_t pmd_mask;                  /* Cores of pmds[], in order. */
    unsigned int next_pmd_id;           /* Never reused: stats, flows. */

    struct dp_revalidator *revalidator;

    /* Tunables (struct dpif_tunables, as atomics). */
    atomic_uint max_sleep_us;
    atomic_uint upcall_rate;
    atomic_uint upcall_burst;
    atomic_uint flow_limit;
    atomic_uint max_idle_ms;
    atomic_uint emc_inv_prob;
};

/* RCU thread ids: PMDs use their pmd id (0 to DPIF_MAX_PMDS - 1); the
 * control thread (while it reads flows' actions for a dump) and the
 * revalidator have their own. */
#define DPIF_QSBR_CONTROL DPIF_MAX_PMDS
#define DPIF_QSBR_REVALIDATOR (DPIF_MAX_PMDS + 1)
#define DPIF_QSBR_THREADS (DPIF_MAX_PMDS + 2)

/* Returns the port numbered PORT_NO or NULL; any thread inside an RCU
 * read-side section (PMDs between quiescent states), or the control
 * thread. */
static inline struct dp_port *
dpif_get_port(const struct dpif *dpif, uint32_t port_no)
{
    if (port_no >= DPIF_MAX_PORTS) {
        return NULL;
    }
    return atomic_load_explicit(&((struct dpif *) dpif)->ports[port_no],
                                memory_order_acquire);
}

/* Control thread: waits until every PMD has passed a quiescent state. */
void dpif_synchronize(struct dpif *);

/* Rebuilds every PMD's receive queue list from the port table (round
 * robin) and publishes them.  Control thread. */
void dpif_assign_rxqs(struct dpif *);

#endif /* dpif-private.h */
