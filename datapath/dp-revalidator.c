/* dp-revalidator: idle expiry, revalidation, the flow limit and stats
 * pushed to the slow path. */
#include <config.h>

#include "dp-revalidator.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_rcu_qsbr.h>

#include "dp-actions.h"
#include "dp-cls.h"
#include "dp-flow.h"
#include "dp-pmd.h"
#include "dp-upcall.h"
#include "dpif-private.h"
#include "timeval.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(dp_revalidator);

struct dp_revalidator {
    struct dpif *dpif;
    pthread_t thread;
    pthread_mutex_t mutex;
    pthread_cond_t cond;
    bool exit;                  /* Guarded by mutex. */

    atomic_uint_least64_t passes, expired, revalidated, removed, evicted;
    atomic_uint_least64_t pushed;
    struct dp_upcall_result result;
};

static void
count(atomic_uint_least64_t *c, uint64_t n)
{
    atomic_fetch_add_explicit(c, n, memory_order_relaxed);
}

static bool
same_mask(const struct flow_wildcards *a, const struct flow_wildcards *b)
{
    return !memcmp(a, b, sizeof *a);
}

/* Re-asks the slow path about FLOW.  Returns true to keep it. */
static bool
revalidate_flow(struct dp_revalidator *r, struct dp_cls *cls,
                struct dp_flow *flow, const struct dpif_upcall_reg *reg,
                uint64_t version)
{
    struct dp_upcall_result *res = &r->result;

    if (!reg || !reg->ops->revalidate) {
        return false;
    }
    dp_actions_clear(&res->actions);
    flow_wildcards_init_catchall(&res->mask);
    res->install = true;
    if (reg->ops->revalidate(reg->aux, &flow->key, res)
        || dp_actions_validate(res->actions.data, res->actions.size)) {
        return false;
    }
    res->mask.masks.in_port = UINT32_MAX;
    if (!res->install || !same_mask(&res->mask, &flow->mask->wc)) {
        return false;
    }
    const struct dp_flow_actions *old = dp_flow_get_actions(flow);
    if (old->size != res->actions.size
        || (old->size && memcmp(old->data, res->actions.data, old->size))) {
        dp_cls_set_actions(cls, flow, res->actions.data, res->actions.size,
                           version);
        count(&r->revalidated, 1);
    } else {
        dp_flow_set_version(flow, version);
    }
    return true;
}

/* Gives the slow path what FLOW forwarded since the last push, if
 * anything.  The caller is online (REG is valid) or holds no REG. */
static void
push_stats(struct dp_revalidator *r, struct dp_flow *flow,
           const struct dpif_upcall_reg *reg)
{
    struct dp_flow_stats_delta delta;

    if (reg && reg->ops->push_stats
        && dp_flow_stats_take_delta(flow, &delta)) {
        reg->ops->push_stats(reg->aux, &flow->key, &delta);
        count(&r->pushed, 1);
    }
}

/* Removes FLOW from CLS, counting it in *COUNTER, and pushes its last
 * stats.  After the removal: only what a PMD adds in the burst it was
 * running when the flow died can be missed. */
static void
remove_flow(struct dp_revalidator *r, struct dp_cls *cls,
            struct dp_flow *flow, const struct dpif_upcall_reg *reg,
            atomic_uint_least64_t *counter)
{
    if (!dp_cls_remove(cls, flow)) {
        count(counter, 1);
    }
    push_stats(r, flow, reg);
}

static int
cmp_used(const void *a_, const void *b_)
{
    struct dp_flow *const *a = a_, *const *b = b_;
    long long int ua = atomic_load_explicit(&(*a)->used,
                                            memory_order_relaxed);
    long long int ub = atomic_load_explicit(&(*b)->used,
                                            memory_order_relaxed);
    return ua < ub ? -1 : ua > ub;
}

static void
revalidate_pmd(struct dp_revalidator *r, struct dp_pmd *pmd, long long now)
{
    struct dpif *dpif = r->dpif;
    struct dp_cls *cls = dp_pmd_cls(pmd);
    struct rte_rcu_qsbr *qsbr = dpif->qsbr;
    struct dp_flow **flows;
    size_t n;

    unsigned int max_idle = atomic_load(&dpif->max_idle_ms);
    unsigned int limit = atomic_load(&dpif->flow_limit);

    rte_rcu_qsbr_thread_online(qsbr, DPIF_QSBR_REVALIDATOR);
    struct dpif_upcall_reg *reg = atomic_load(&dpif->upcall);
    uint64_t version = (reg && reg->ops->version
                        ? reg->ops->version(reg->aux) : 0);

    dp_cls_dump(cls, &flows, &n);
    size_t live = 0;
    for (size_t i = 0; i < n; i++) {
        struct dp_flow *flow = flows[i];
        struct dp_flow_stats st;

        /* A quiescent state per flow, so that no grace period waits for a
         * whole pass; what it protects is loaded again after it. */
        rte_rcu_qsbr_quiescent(qsbr, DPIF_QSBR_REVALIDATOR);
        reg = atomic_load(&dpif->upcall);
        /* First what the flow did under the slow path's current view;
         * a dead flow (removed by dpctl) still gets its last push. */
        push_stats(r, flow, reg);
        if (dp_flow_is_dead(flow)) {
            continue;
        }
        dp_flow_stats_get(flow, &st);
        if (now - st.used > (long long) max_idle) {
            remove_flow(r, cls, flow, reg, &r->expired);
            continue;
        }
        if (dp_flow_get_version(flow) != version
            && !revalidate_flow(r, cls, flow, reg, version)) {
            remove_flow(r, cls, flow, reg, &r->removed);
            continue;
        }
        /* Swap, not overwrite: FLOWS must keep every reference the dump
         * gave, for the unrefs below. */
        flows[i] = flows[live];
        flows[live++] = flow;
    }
    rte_rcu_qsbr_thread_offline(qsbr, DPIF_QSBR_REVALIDATOR);

    if (live > limit) {
        /* Evict the least recently used down to the limit. */
        size_t kept = 0;
        for (size_t i = 0; i < live; i++) {
            if (!dp_flow_is_dead(flows[i])) {
                struct dp_flow *flow = flows[i];
                flows[i] = flows[kept];
                flows[kept++] = flow;
            }
        }
        if (kept > limit) {
            qsort(flows, kept, sizeof *flows, cmp_used);
            rte_rcu_qsbr_thread_online(qsbr, DPIF_QSBR_REVALIDATOR);
            for (size_t i = 0; i < kept - limit; i++) {
                rte_rcu_qsbr_quiescent(qsbr, DPIF_QSBR_REVALIDATOR);
                reg = atomic_load(&dpif->upcall);
                remove_flow(r, cls, flows[i], reg, &r->evicted);
            }
            rte_rcu_qsbr_thread_offline(qsbr, DPIF_QSBR_REVALIDATOR);
        }
    }
    for (size_t i = 0; i < n; i++) {
        dp_flow_unref(flows[i]);
    }
    free(flows);
    dp_cls_reclaim(cls);
}

static void *
revalidator_main(void *r_)
{
    struct dp_revalidator *r = r_;
    struct dpif *dpif = r->dpif;

    rte_rcu_qsbr_thread_register(dpif->qsbr, DPIF_QSBR_REVALIDATOR);
    pthread_mutex_lock(&r->mutex);
    while (!r->exit) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_nsec += DP_REVALIDATOR_INTERVAL_MSEC * 1000000L;
        ts.tv_sec += ts.tv_nsec / 1000000000L;
        ts.tv_nsec %= 1000000000L;
        pthread_cond_timedwait(&r->cond, &r->mutex, &ts);
        if (r->exit) {
            break;
        }
        pthread_mutex_unlock(&r->mutex);

        long long int now = time_msec();
        for (int i = 0; i < dpif->n_pmds; i++) {
            revalidate_pmd(r, dpif->pmds[i], now);
        }
        count(&r->passes, 1);

        pthread_mutex_lock(&r->mutex);
    }
    pthread_mutex_unlock(&r->mutex);
    rte_rcu_qsbr_thread_unregister(dpif->qsbr, DPIF_QSBR_REVALIDATOR);
    return NULL;
}

struct dp_revalidator *
dp_revalidator_start(struct dpif *dpif)
{
    struct dp_revalidator *r = xzalloc(sizeof *r);
    pthread_condattr_t attr;

    r->dpif = dpif;
    pthread_mutex_init(&r->mutex, NULL);
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&r->cond, &attr);
    pthread_condattr_destroy(&attr);
    dp_actions_init(&r->result.actions);

    int error = pthread_create(&r->thread, NULL, revalidator_main, r);
    if (error) {
        VLOG_ERR("cannot start the revalidator thread (%s)",
                 strerror(error));
        dp_actions_uninit(&r->result.actions);
        pthread_cond_destroy(&r->cond);
        pthread_mutex_destroy(&r->mutex);
        free(r);
        return NULL;
    }
    pthread_setname_np(r->thread, "revalidator");
    return r;
}

void
dp_revalidator_stop(struct dp_revalidator *r)
{
    if (!r) {
        return;
    }
    pthread_mutex_lock(&r->mutex);
    r->exit = true;
    pthread_cond_signal(&r->cond);
    pthread_mutex_unlock(&r->mutex);
    pthread_join(r->thread, NULL);
    dp_actions_uninit(&r->result.actions);
    pthread_cond_destroy(&r->cond);
    pthread_mutex_destroy(&r->mutex);
    free(r);
}

void
dp_revalidator_get_stats(const struct dp_revalidator *r_,
                         struct dp_revalidator_stats *s)
{
    struct dp_revalidator *r = (struct dp_revalidator *) r_;

    memset(s, 0, sizeof *s);
    if (r) {
        s->passes = atomic_load(&r->passes);
        s->expired = atomic_load(&r->expired);
        s->revalidated = atomic_load(&r->revalidated);
        s->removed = atomic_load(&r->removed);
        s->evicted = atomic_load(&r->evicted);
        s->pushed = atomic_load(&r->pushed);
    }
}
