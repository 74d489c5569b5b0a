/*
 * dp-revalidator: the thread that keeps the megaflows honest.
 *
 * Every DP_REVALIDATOR_INTERVAL_MSEC it walks every PMD's megaflows
 * (dp_cls_dump()) and:
 *   - removes those idle longer than the max_idle_ms tunable (a flow is
 *     used as soon as it is installed: the PMD runs the packet that made
 *     it);
 *   - when the slow path's version (dp_upcall_ops.version) moved past the
 *     flow's, asks the slow path again (revalidate()): same mask -> keeps
 *     the flow with the new actions and version; another mask or an error
 *     -> removes it; no revalidate() -> removes it;
 *   - when a PMD holds more than the flow_limit tunable, removes its
 *     least recently used flows down to the limit;
 *   - gives the slow path (dp_upcall_ops.push_stats) what each flow
 *     forwarded since the last pass, and what a flow it removes forwarded
 *     since (dp_flow_stats_take_delta());
 *   - lets each classifier free what the PMDs no longer read
 *     (dp_cls_reclaim()).
 *
 * It is an RCU reader (DPIF_QSBR_REVALIDATOR) while it reads actions, and
 * holds no lock while it calls the slow path.  The control thread stops it
 * before changing the PMD list and starts it again after.
 */
#ifndef SKIFF_DP_REVALIDATOR_H
#define SKIFF_DP_REVALIDATOR_H 1

#include <stdint.h>

struct dpif;
struct dp_revalidator;

#define DP_REVALIDATOR_INTERVAL_MSEC 200

/* Starts the thread.  Returns NULL (after logging) if it cannot. */
struct dp_revalidator *dp_revalidator_start(struct dpif *);
/* Stops the thread and frees it.  NULL is ignored. */
void dp_revalidator_stop(struct dp_revalidator *);

struct dp_revalidator_stats {
    uint64_t passes;
    uint64_t expired;           /* Idle. */
    uint64_t revalidated;       /* Kept with new actions. */
    uint64_t removed;           /* Removed by revalidation. */
    uint64_t evicted;           /* Over the flow limit. */
    uint64_t pushed;            /* Stats deltas given to the slow path. */
};
void dp_revalidator_get_stats(const struct dp_revalidator *,
                              struct dp_revalidator_stats *);

#endif /* dp-revalidator.h */
