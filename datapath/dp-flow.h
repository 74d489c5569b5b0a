/*
 * dp-flow: one installed megaflow of a PMD thread's classifier.
 *
 * A megaflow is (key & mask, mask, actions).  The fast path finds it in the
 * megaflow classifier (dp-cls.h) or the exact-match cache (dp-emc.h), runs
 * its actions (dp-execute.h) and adds to its stats; the revalidator and
 * dpctl/dump-flows read it from other threads.
 *
 * Lifetime.  A dp_flow is reference counted (dp_flow_ref() / dp_flow_unref(),
 * atomic).  The classifier that created it holds one reference while the
 * flow is installed; each exact-match cache entry holds one; a dump holds
 * one per flow it returned.  dp_cls_remove() marks the flow dead at once
 * (dp_flow_is_dead()) and drops the classifier's reference only after an
 * RCU grace period, so a PMD that found the flow in the classifier may use
 * it until its next quiescent state without taking a reference.  The last
 * unref frees the flow, its actions and its mask reference.
 *
 * Masks.  Flows with the same mask share one struct dp_flow_mask, owned by
 * the classifier's subtable for that mask and reference counted the same
 * way, so a flow's mask stays valid as long as the flow.
 *
 * Actions.  flow->actions is an RCU-protected pointer: readers load it once
 * (dp_flow_get_actions()) and use it until their next quiescent state; the
 * classifier replaces it (dp_cls_set_actions()) and frees the old list after
 * a grace period.  Each list was checked by dp_actions_validate() before it
 * got here.
 *
 * Stats.  Only the PMD thread that owns the flow writes them
 * (dp_flow_stats_add()); any thread may read them (dp_flow_stats_get())
 * without a lock.  Each field is a relaxed atomic: a reader sees each field
 * whole, not the four as one snapshot.
 *
 * Pushed stats.  What the slow path has been told of (dp-upcall.h
 * push_stats()): the revalidator alone reads and writes them
 * (dp_flow_stats_take_delta()), except that the PMD that installed the
 * flow on an upcall first marks the upcall's packet as told
 * (dp_flow_stats_mark_pushed()), before it adds that packet to the stats.
 */
#ifndef SKIFF_DP_FLOW_H
#define SKIFF_DP_FLOW_H 1

#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flow.h"

/* A mask shared by every flow of one classifier subtable. */
struct dp_flow_mask {
    struct flow_wildcards wc;
    atomic_uint refcnt;
};

struct dp_flow_mask *dp_flow_mask_create(const struct flow_wildcards *);
struct dp_flow_mask *dp_flow_mask_ref(struct dp_flow_mask *);
void dp_flow_mask_unref(struct dp_flow_mask *);

/* An action list (dp-actions.h), allocated with its data, 8-byte aligned. */
struct dp_flow_actions {
    uint32_t size;              /* Bytes in data. */
    uint32_t pad;
    alignas(8) uint8_t data[];
};

/* Returns a new copy of the SIZE bytes at ACTIONS (never NULL).  Free it
 * with free(), or let the flow or classifier that it was given to do it. */
struct dp_flow_actions *dp_flow_actions_create(const void *actions,
                                               size_t size);

/* Stats as read by another thread. */
struct dp_flow_stats {
    uint64_t packets;
    uint64_t bytes;
    long long int used;         /* time_msec() of the last packet; 0 never. */
    uint16_t tcp_flags;         /* OR of the TCP flags seen, host order. */
};

struct dp_flow {
    /* Read by the fast path on every lookup: first cache lines. */
    struct flow key;            /* Masked: key & mask->wc.masks. */
    uint32_t hash;              /* The classifier's hash of key in its
                                 * subtable (set before it is visible). */
    atomic_bool dead;           /* Set once, by dp_cls_remove(). */
    const struct dp_flow_mask *mask;
    _Atomic(struct dp_flow_actions *) actions;

    /* Written by the owning PMD only. */
    atomic_uint_least64_t packets;
    atomic_uint_least64_t bytes;
    atomic_llong used;
    atomic_uint_least16_t tcp_flags;

    /* Slow path version the actions were computed under (revalidator). */
    atomic_uint_least64_t version;

    atomic_uint refcnt;
    unsigned int pmd_id;        /* Owning PMD thread, for dumps. */

    /* Stats the slow path has been given (see "Pushed stats"). */
    atomic_uint_least64_t pushed_packets;
    atomic_uint_least64_t pushed_bytes;
};

/* Creates a flow with one reference: key KEY & MASK->wc, taking a new
 * reference to MASK, and owning ACTIONS (from dp_flow_actions_create()).
 * The classifier calls this; other callers normally use dp_cls_insert(). */
struct dp_flow *dp_flow_create(const struct flow *key,
                               struct dp_flow_mask *mask,
                               struct dp_flow_actions *actions,
                               uint64_t version, unsigned int pmd_id);

/* Reference counting.  dp_flow_ref() returns its argument.  The last
 * dp_flow_unref() frees the flow: call it only when no reader can still be
 * using the flow without a reference (see the lifetime rules above). */
struct dp_flow *dp_flow_ref(struct dp_flow *);
void dp_flow_unref(struct dp_flow *);

static inline bool
dp_flow_is_dead(const struct dp_flow *flow)
{
    return atomic_load_explicit(&flow->dead, memory_order_relaxed);
}

/* The current actions: valid until the caller's next quiescent state. */
static inline const struct dp_flow_actions *
dp_flow_get_actions(const struct dp_flow *flow)
{
    return atomic_load_explicit(&((struct dp_flow *) flow)->actions,
                                memory_order_acquire);
}

/* Owning PMD only: adds PACKETS packets of BYTES bytes in total, seen at
 * NOW (time_msec()), with TCP_FLAGS (host order, 0 if not TCP). */
static inline void
dp_flow_stats_add(struct dp_flow *flow, uint32_t packets, uint32_t bytes,
                  long long int now, uint16_t tcp_flags)
{
    /* Single writer: load + store, no read-modify-write needed. */
    uint64_t p = atomic_load_explicit(&flow->packets, memory_order_relaxed);
    uint64_t b = atomic_load_explicit(&flow->bytes, memory_order_relaxed);
    atomic_store_explicit(&flow->packets, p + packets, memory_order_relaxed);
    atomic_store_explicit(&flow->bytes, b + bytes, memory_order_relaxed);
    atomic_store_explicit(&flow->used, now, memory_order_relaxed);
    if (tcp_flags) {
        uint16_t f = atomic_load_explicit(&flow->tcp_flags,
                                          memory_order_relaxed);
        atomic_store_explicit(&flow->tcp_flags, f | tcp_flags,
                              memory_order_relaxed);
    }
}

/* Any thread. */
void dp_flow_stats_get(const struct dp_flow *, struct dp_flow_stats *);

/* The owning PMD, once, right after it installed FLOW for an upcall and
 * before it adds that packet to the stats: PACKETS packets of BYTES bytes
 * were counted by the slow path's upcall() already. */
void dp_flow_stats_mark_pushed(struct dp_flow *, uint64_t packets,
                               uint64_t bytes);

/* The revalidator: if FLOW forwarded packets since the last call, stores
 * the difference in *DELTA, remembers it as pushed and returns true;
 * otherwise returns false. */
struct dp_flow_stats_delta;
bool dp_flow_stats_take_delta(struct dp_flow *, struct dp_flow_stats_delta *);

static inline uint64_t
dp_flow_get_version(const struct dp_flow *flow)
{
    return atomic_load_explicit(&((struct dp_flow *) flow)->version,
                                memory_order_relaxed);
}

static inline void
dp_flow_set_version(struct dp_flow *flow, uint64_t version)
{
    atomic_store_explicit(&flow->version, version, memory_order_relaxed);
}

#endif /* dp-flow.h */
