/*
 * dp-cls: a PMD thread's megaflow classifier (tuple-space search).
 *
 * The classifier holds megaflows (dp-flow.h).  Flows with the same mask
 * form one subtable, a hash table of their masked keys; a lookup masks the
 * packet's key with each subtable's mask in turn and probes that table.
 * Megaflows do not overlap when the slow path works as it should; if they
 * do, a lookup returns one of the matching flows (no priorities).
 *
 * Subtables are searched in rank order; each counts its hits and the owner
 * re-ranks them by hits (dp_cls_rerank(), which the PMD calls about once a
 * second) so that the busiest masks are probed first.
 *
 * Threads and RCU.
 *   - One reader: the owning PMD thread calls dp_cls_lookup() and
 *     dp_cls_rerank().  Lookups never block and never take a lock.
 *   - Writers: dp_cls_insert(), dp_cls_remove(), dp_cls_set_actions(),
 *     dp_cls_flush(), dp_cls_dump() and dp_cls_reclaim() may be called by
 *     any thread (the PMD on an upcall, the revalidator, dpctl); they
 *     serialize among themselves on a mutex inside the classifier.
 *   - Memory that a lookup may still read (a removed flow's classifier
 *     reference, old actions, a subtable, an old bucket array) is freed only
 *     after an RCU grace period of the rte_rcu_qsbr variable given to
 *     dp_cls_create().  The caller (dp-core) owns that variable: every PMD
 *     thread registers its thread id, goes online, and calls
 *     rte_rcu_qsbr_quiescent() once per loop iteration, outside any lookup
 *     or use of a flow found without a reference.  Writers queue what they
 *     free with a token; dp_cls_reclaim() (also run by each write) frees
 *     what every registered thread has passed.  Nothing ever waits for a
 *     grace period, so a PMD may write to its own classifier.
 *   - A flow pointer returned by dp_cls_lookup() is valid until the
 *     calling PMD's next quiescent state; take a reference (dp_flow_ref())
 *     to keep it longer, e.g. in the exact-match cache.
 *
 * Errors: control functions return 0 or a positive errno value.
 */
#ifndef SKIFF_DP_CLS_H
#define SKIFF_DP_CLS_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dp-flow.h"
#include "flow.h"

struct rte_rcu_qsbr;

/* Most keys dp_cls_lookup() takes at once. */
#define DP_CLS_MAX_BURST 32

struct dp_cls;

/* Creates an empty classifier whose deferred frees follow QSBR (not NULL).
 * PMD_ID is stored in the flows it creates. */
struct dp_cls *dp_cls_create(struct rte_rcu_qsbr *qsbr, unsigned int pmd_id);

/* Removes every flow, then frees everything, waiting for nothing: call only
 * when no thread can use the classifier or a flow found without a reference
 * (e.g. after the PMD thread stopped).  Flows still referenced elsewhere
 * (an EMC, a dump) stay alive until their last unref.  NULL is ignored. */
void dp_cls_destroy(struct dp_cls *);

/* Looks up the N keys (N <= DP_CLS_MAX_BURST) in KEYS: FLOWS[i] is the
 * matching flow of KEYS[i] or NULL.  Returns the number of keys matched.
 * For each matched key, adds the number of subtables probed until it
 * matched to *N_SUBTABLE_LOOKUPS (if nonnull), for pmd-stats-show's "avg.
 * subtable lookups per megaflow hit".  Owning PMD only. */
size_t dp_cls_lookup(struct dp_cls *, const struct flow *const keys[],
                     size_t n, struct dp_flow *flows[],
                     uint64_t *n_subtable_lookups);

/* One key: the matching flow, or NULL. */
struct dp_flow *dp_cls_lookup_one(struct dp_cls *, const struct flow *key);

/* Re-orders the subtables by hits since the previous re-rank, busiest
 * first, if NOW (time_msec()) is at least DP_CLS_RERANK_MSEC after the
 * previous one.  Owning PMD only; skips (returns) if a writer holds the
 * mutex. */
#define DP_CLS_RERANK_MSEC 1000
void dp_cls_rerank(struct dp_cls *, long long int now);

/* Installs the megaflow (KEY & MASK, MASK, a copy of the SIZE bytes of
 * ACTIONS), made under slow path VERSION.  On success returns 0 and sets
 * *FLOWP to the new flow.  If the classifier already holds a flow with the
 * same mask and masked key, returns EEXIST and sets *FLOWP to it (actions
 * unchanged).  In both cases *FLOWP is valid like a lookup result.  Does
 * not check a flow limit: see dp_cls_count(). */
int dp_cls_insert(struct dp_cls *, const struct flow *key,
                  const struct flow_wildcards *mask,
                  const void *actions, size_t size, uint64_t version,
                  struct dp_flow **flowp);

/* Removes FLOW: marks it dead now, unlinks it, and drops the classifier's
 * reference after a grace period.  Returns 0, or ENOENT if FLOW is already
 * dead (removed before). */
int dp_cls_remove(struct dp_cls *, struct dp_flow *flow);

/* Replaces FLOW's actions with a copy of the SIZE bytes of ACTIONS and sets
 * its version; the old list is freed after a grace period. */
void dp_cls_set_actions(struct dp_cls *, struct dp_flow *flow,
                        const void *actions, size_t size, uint64_t version);

/* The flow with exactly this mask and masked key, with a new reference
 * the caller drops with dp_flow_unref(), or NULL.  Any thread (takes the
 * writers' mutex). */
struct dp_flow *dp_cls_find_exact(struct dp_cls *, const struct flow *key,
                                  const struct flow_wildcards *mask);

/* Installed flows and subtables (relaxed reads; any thread). */
size_t dp_cls_count(const struct dp_cls *);
size_t dp_cls_n_subtables(const struct dp_cls *);

/* Sets *FLOWSP to a new array (free() it) of the *N installed flows, each
 * with a reference the caller drops with dp_flow_unref().  Any thread. */
void dp_cls_dump(struct dp_cls *, struct dp_flow ***flowsp, size_t *n);

/* Removes every flow (as dp_cls_remove()).  Returns how many. */
size_t dp_cls_flush(struct dp_cls *);

/* Frees what every reader has passed since it was queued.  Writes call it
 * too; the revalidator calls it now and then so frees do not wait for the
 * next write.  Returns the number of items still waiting. */
size_t dp_cls_reclaim(struct dp_cls *);

#endif /* dp-cls.h */
