/* dp-flow: megaflows, their masks and actions, reference counted. */
#include <config.h>

#include "dp-flow.h"

#include <stdlib.h>
#include <string.h>

#include "dp-upcall.h"
#include "util.h"

struct dp_flow_mask *
dp_flow_mask_create(const struct flow_wildcards *wc)
{
    struct dp_flow_mask *mask = xmalloc(sizeof *mask);
    mask->wc = *wc;
    atomic_init(&mask->refcnt, 1);
    return mask;
}

struct dp_flow_mask *
dp_flow_mask_ref(struct dp_flow_mask *mask)
{
    atomic_fetch_add_explicit(&mask->refcnt, 1, memory_order_relaxed);
    return mask;
}

void
dp_flow_mask_unref(struct dp_flow_mask *mask)
{
    if (mask && atomic_fetch_sub_explicit(&mask->refcnt, 1,
                                          memory_order_acq_rel) == 1) {
        free(mask);
    }
}

struct dp_flow_actions *
dp_flow_actions_create(const void *actions, size_t size)
{
    struct dp_flow_actions *a = xmalloc(sizeof *a + size);
    a->size = size;
    a->pad = 0;
    if (size) {
        memcpy(a->data, actions, size);
    }
    return a;
}

struct dp_flow *
dp_flow_create(const struct flow *key, struct dp_flow_mask *mask,
               struct dp_flow_actions *actions, uint64_t version,
               unsigned int pmd_id)
{
    struct dp_flow *flow;
    if (posix_memalign((void **) &flow, 64, sizeof *flow)) {
        skiff_fatal(0, "out of memory allocating a megaflow");
    }
    memset(flow, 0, sizeof *flow);

    flow->key = *key;
    flow_zero_wildcards(&flow->key, &mask->wc);
    flow->hash = 0;             /* The classifier sets it. */
    atomic_init(&flow->dead, false);
    flow->mask = dp_flow_mask_ref(mask);
    atomic_init(&flow->actions, actions);
    atomic_init(&flow->packets, 0);
    atomic_init(&flow->bytes, 0);
    atomic_init(&flow->used, 0);
    atomic_init(&flow->tcp_flags, 0);
    atomic_init(&flow->version, version);
    atomic_init(&flow->refcnt, 1);
    flow->pmd_id = pmd_id;
    atomic_init(&flow->pushed_packets, 0);
    atomic_init(&flow->pushed_bytes, 0);
    return flow;
}

struct dp_flow *
dp_flow_ref(struct dp_flow *flow)
{
    atomic_fetch_add_explicit(&flow->refcnt, 1, memory_order_relaxed);
    return flow;
}

void
dp_flow_unref(struct dp_flow *flow)
{
    if (flow && atomic_fetch_sub_explicit(&flow->refcnt, 1,
                                          memory_order_acq_rel) == 1) {
        free(atomic_load_explicit(&flow->actions, memory_order_relaxed));
        dp_flow_mask_unref((struct dp_flow_mask *) flow->mask);
        free(flow);
    }
}

void
dp_flow_stats_get(const struct dp_flow *flow_, struct dp_flow_stats *stats)
{
    struct dp_flow *flow = (struct dp_flow *) flow_;
    stats->packets = atomic_load_explicit(&flow->packets,
                                          memory_order_relaxed);
    stats->bytes = atomic_load_explicit(&flow->bytes, memory_order_relaxed);
    stats->used = atomic_load_explicit(&flow->used, memory_order_relaxed);
    stats->tcp_flags = atomic_load_explicit(&flow->tcp_flags,
                                            memory_order_relaxed);
}

/* The PMD's mark and the revalidator's reads pair through fences: the PMD
 * stores the mark, then (release fence) its stats; a revalidator that
 * loaded stats that include the upcall's packet (acquire fence) then sees
 * the mark, so that packet is never pushed. */
void
dp_flow_stats_mark_pushed(struct dp_flow *flow, uint64_t packets,
                          uint64_t bytes)
{
    atomic_store_explicit(&flow->pushed_packets, packets,
                          memory_order_relaxed);
    atomic_store_explicit(&flow->pushed_bytes, bytes, memory_order_relaxed);
    atomic_thread_fence(memory_order_release);
}

bool
dp_flow_stats_take_delta(struct dp_flow *flow,
                         struct dp_flow_stats_delta *delta)
{
    struct dp_flow_stats st;

    dp_flow_stats_get(flow, &st);
    atomic_thread_fence(memory_order_acquire);
    uint64_t pp = atomic_load_explicit(&flow->pushed_packets,
                                       memory_order_relaxed);
    uint64_t pb = atomic_load_explicit(&flow->pushed_bytes,
                                       memory_order_relaxed);
    if (st.packets <= pp || !st.used) {
        return false;           /* Nothing new, or not all visible yet. */
    }
    /* The fields are not one snapshot: bytes may lag packets by a burst;
     * what lags is pushed next time. */
    delta->packets = st.packets - pp;
    delta->bytes = st.bytes > pb ? st.bytes - pb : 0;
    delta->used = st.used;
    delta->tcp_flags = st.tcp_flags;
    atomic_store_explicit(&flow->pushed_packets, st.packets,
                          memory_order_relaxed);
    atomic_store_explicit(&flow->pushed_bytes, MAX(st.bytes, pb),
                          memory_order_relaxed);
    return true;
}
