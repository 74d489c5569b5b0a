/* dp-cls: tuple-space search over RCU-protected chained hash tables.
 *
 * Layout.  cls->vec is an RCU-published array of subtables in rank order.
 * A subtable owns one dp_flow_mask and an RCU-published bucket array; each
 * bucket is a chain of small nodes (hash, flow).  Nodes are separate from
 * flows so that growing a table can build a whole new set of chains while
 * lookups keep walking the old one.
 *
 * Writers (under cls->mutex) change what readers see only with release
 * stores of a single pointer: a new chain head, a predecessor's next, a new
 * bucket array, a new subtable array.  What they unlink goes on the
 * deferred list with an rte_rcu_qsbr token and is freed by
 * dp_cls_reclaim() once every reader has passed a quiescent state.
 */
#include <config.h>

#include "dp-cls.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <rte_hash_crc.h>
#include <rte_rcu_qsbr.h>

#include "util.h"

struct dp_cls_node {
    _Atomic(struct dp_cls_node *) next;
    uint32_t hash;
    struct dp_flow *flow;
};

struct dp_cls_buckets {
    uint32_t mask;              /* Number of heads minus one. */
    _Atomic(struct dp_cls_node *) heads[];
};

struct dp_cls_subtable {
    /* The mask's nonzero 64-bit words: lookups hash and compare only
     * these. */
    uint8_t n_words;
    uint8_t idx[FLOW_U64S];     /* Word indexes into struct flow. */
    uint64_t words[FLOW_U64S];  /* The mask's words at those indexes. */

    struct dp_flow_mask *mask;  /* Owns one reference. */
    _Atomic(struct dp_cls_buckets *) buckets;
    size_t n_flows;             /* Writers only. */
    atomic_uint_least64_t hits; /* Owning PMD only, since the last rank. */
};

struct dp_cls_vec {
    size_t n;
    struct dp_cls_subtable *subtables[];
};

enum dp_cls_defer_type {
    DEFER_FREE,                 /* free(p). */
    DEFER_NODE,                 /* A node: unref its flow, free it. */
    DEFER_BUCKETS,              /* An old bucket array and its nodes (the
                                 * flows moved to new nodes). */
    DEFER_SUBTABLE,             /* A subtable and every node and flow still
                                 * in it. */
};

struct dp_cls_defer {
    struct dp_cls_defer *next;
    uint64_t token;
    enum dp_cls_defer_type type;
    void *p;
};

struct dp_cls {
    _Atomic(struct dp_cls_vec *) vec;
    long long int last_rerank;  /* Owning PMD only. */

    struct rte_rcu_qsbr *qsbr;
    unsigned int pmd_id;
    atomic_size_t n_flows;
    atomic_size_t n_subtables;

    pthread_mutex_t mutex;      /* Writers. */
    struct dp_cls_defer *defer_head;
    struct dp_cls_defer **defer_tail;
    size_t n_deferred;
};

#define INITIAL_BUCKETS 16

static struct dp_cls_vec *
vec_alloc(size_t n)
{
    struct dp_cls_vec *vec = xmalloc(sizeof *vec
                                     + n * sizeof vec->subtables[0]);
    vec->n = n;
    return vec;
}

static struct dp_cls_buckets *
buckets_alloc(size_t n)
{
    struct dp_cls_buckets *b = xmalloc(sizeof *b + n * sizeof b->heads[0]);
    b->mask = n - 1;
    for (size_t i = 0; i < n; i++) {
        atomic_init(&b->heads[i], NULL);
    }
    return b;
}

struct dp_cls *
dp_cls_create(struct rte_rcu_qsbr *qsbr, unsigned int pmd_id)
{
    struct dp_cls *cls = xzalloc(sizeof *cls);
    atomic_init(&cls->vec, vec_alloc(0));
    cls->qsbr = qsbr;
    cls->pmd_id = pmd_id;
    atomic_init(&cls->n_flows, 0);
    atomic_init(&cls->n_subtables, 0);
    pthread_mutex_init(&cls->mutex, NULL);
    cls->defer_head = NULL;
    cls->defer_tail = &cls->defer_head;
    return cls;
}

/* Deferred frees. */

static void
free_chains(struct dp_cls_buckets *b, bool unref_flows)
{
    for (size_t i = 0; i <= b->mask; i++) {
        struct dp_cls_node *node = atomic_load_explicit(&b->heads[i],
                                                        memory_order_relaxed);
        while (node) {
            struct dp_cls_node *next
                = atomic_load_explicit(&node->next, memory_order_relaxed);
            if (unref_flows) {
                dp_flow_unref(node->flow);
            }
            free(node);
            node = next;
        }
    }
    free(b);
}

static void
defer_free_now(struct dp_cls_defer *d)
{
    switch (d->type) {
    case DEFER_FREE:
        free(d->p);
        break;
    case DEFER_NODE: {
        struct dp_cls_node *node = d->p;
        dp_flow_unref(node->flow);
        free(node);
        break;
    }
    case DEFER_BUCKETS:
        free_chains(d->p, false);
        break;
    case DEFER_SUBTABLE: {
        struct dp_cls_subtable *st = d->p;
        free_chains(atomic_load_explicit(&st->buckets, memory_order_relaxed),
                    true);
        dp_flow_mask_unref(st->mask);
        free(st);
        break;
    }
    }
    free(d);
}

/* Queues P for freeing after a grace period.  Writers only. */
static void
defer(struct dp_cls *cls, enum dp_cls_defer_type type, void *p)
{
    struct dp_cls_defer *d = xmalloc(sizeof *d);
    d->next = NULL;
    d->token = rte_rcu_qsbr_start(cls->qsbr);
    d->type = type;
    d->p = p;
    *cls->defer_tail = d;
    cls->defer_tail = &d->next;
    cls->n_deferred++;
}

static size_t
reclaim__(struct dp_cls *cls)
{
    while (cls->defer_head) {
        struct dp_cls_defer *d = cls->defer_head;
        if (rte_rcu_qsbr_check(cls->qsbr, d->token, false) != 1) {
            break;
        }
        cls->defer_head = d->next;
        if (!cls->defer_head) {
            cls->defer_tail = &cls->defer_head;
        }
        cls->n_deferred--;
        defer_free_now(d);
    }
    return cls->n_deferred;
}

size_t
dp_cls_reclaim(struct dp_cls *cls)
{
    pthread_mutex_lock(&cls->mutex);
    size_t n = reclaim__(cls);
    pthread_mutex_unlock(&cls->mutex);
    return n;
}

/* Lookups. */

static inline struct dp_cls_vec *
get_vec(const struct dp_cls *cls)
{
    return atomic_load_explicit(&((struct dp_cls *) cls)->vec,
                                memory_order_acquire);
}

static inline struct dp_cls_buckets *
get_buckets(const struct dp_cls_subtable *st)
{
    return atomic_load_explicit(&((struct dp_cls_subtable *) st)->buckets,
                                memory_order_acquire);
}

static inline struct dp_cls_node *
next_node(struct dp_cls_node *node)
{
    return atomic_load_explicit(&node->next, memory_order_acquire);
}

static inline struct dp_cls_node *
first_node(struct dp_cls_buckets *b, uint32_t hash)
{
    return atomic_load_explicit(&b->heads[hash & b->mask],
                                memory_order_acquire);
}

static inline uint64_t
flow_u64(const struct flow *flow, size_t i)
{
    uint64_t w;
    memcpy(&w, (const uint8_t *) flow + i * sizeof w, sizeof w);
    return w;
}

/* KEY's hash under ST's mask: CRC32c (one instruction per word) of the
 * masked words that the mask does not wholly wildcard. */
static inline uint32_t
subtable_hash(const struct dp_cls_subtable *st, const struct flow *key)
{
    uint32_t hash = 0;
    for (size_t j = 0; j < st->n_words; j++) {
        hash = rte_hash_crc_8byte(flow_u64(key, st->idx[j]) & st->words[j],
                                  hash);
    }
    return hash;
}

/* Whether KEY & mask equals FLOW's (masked) key. */
static inline bool
subtable_equal(const struct dp_cls_subtable *st, const struct flow *key,
               const struct dp_flow *flow)
{
    uint64_t diff = 0;
    for (size_t j = 0; j < st->n_words; j++) {
        size_t i = st->idx[j];
        diff |= (flow_u64(key, i) ^ flow_u64(&flow->key, i)) & st->words[j];
    }
    return !diff;
}

/* The live flow of ST that KEY (unmasked) with hash HASH matches. */
static inline struct dp_flow *
subtable_find(const struct dp_cls_subtable *st, struct dp_cls_buckets *b,
              const struct flow *key, uint32_t hash)
{
    for (struct dp_cls_node *node = first_node(b, hash); node;
         node = next_node(node)) {
        if (node->hash == hash) {
            struct dp_flow *flow = node->flow;
            if (!dp_flow_is_dead(flow) && subtable_equal(st, key, flow)) {
                return flow;
            }
        }
    }
    return NULL;
}

size_t
dp_cls_lookup(struct dp_cls *cls, const struct flow *const keys[],
              size_t n, struct dp_flow *flows[],
              uint64_t *n_subtable_lookups)
{
    struct dp_cls_vec *vec = get_vec(cls);
    uint32_t hashes[DP_CLS_MAX_BURST];
    uint32_t pending;
    uint64_t probes = 0;
    size_t found = 0;

    n = MIN(n, DP_CLS_MAX_BURST);
    pending = n == 32 ? UINT32_MAX : (UINT32_C(1) << n) - 1;
    for (size_t i = 0; i < n; i++) {
        flows[i] = NULL;
    }

    for (size_t s = 0; s < vec->n && pending; s++) {
        struct dp_cls_subtable *st = vec->subtables[s];
        struct dp_cls_buckets *b = get_buckets(st);
        uint32_t hits = 0;

        for (uint32_t m = pending; m; m &= m - 1) {
            int i = __builtin_ctz(m);
            hashes[i] = subtable_hash(st, keys[i]);
            __builtin_prefetch(&b->heads[hashes[i] & b->mask]);
        }
        for (uint32_t m = pending; m; m &= m - 1) {
            int i = __builtin_ctz(m);
            struct dp_flow *flow = subtable_find(st, b, keys[i], hashes[i]);
            if (flow) {
                flows[i] = flow;
                pending &= ~(UINT32_C(1) << i);
                probes += s + 1;
                hits++;
            }
        }
        if (hits) {
            uint64_t h = atomic_load_explicit(&st->hits,
                                              memory_order_relaxed);
            atomic_store_explicit(&st->hits, h + hits,
                                  memory_order_relaxed);
            found += hits;
        }
    }
    if (n_subtable_lookups) {
        *n_subtable_lookups += probes;
    }
    return found;
}

struct dp_flow *
dp_cls_lookup_one(struct dp_cls *cls, const struct flow *key)
{
    const struct flow *keys[1] = { key };
    struct dp_flow *flows[1];
    dp_cls_lookup(cls, keys, 1, flows, NULL);
    return flows[0];
}

static int
compare_hits(const void *a_, const void *b_)
{
    struct dp_cls_subtable *const *a = a_;
    struct dp_cls_subtable *const *b = b_;
    uint64_t ha = atomic_load_explicit(&(*a)->hits, memory_order_relaxed);
    uint64_t hb = atomic_load_explicit(&(*b)->hits, memory_order_relaxed);
    return ha > hb ? -1 : ha < hb;
}

void
dp_cls_rerank(struct dp_cls *cls, long long int now)
{
    if (now - cls->last_rerank < DP_CLS_RERANK_MSEC) {
        return;
    }
    if (pthread_mutex_trylock(&cls->mutex)) {
        return;
    }
    cls->last_rerank = now;

    struct dp_cls_vec *old = get_vec(cls);
    bool sorted = true;
    for (size_t i = 1; i < old->n; i++) {
        if (compare_hits(&old->subtables[i - 1], &old->subtables[i]) > 0) {
            sorted = false;
            break;
        }
    }
    if (!sorted) {
        struct dp_cls_vec *vec = vec_alloc(old->n);
        memcpy(vec->subtables, old->subtables,
               old->n * sizeof old->subtables[0]);
        /* qsort is not stable, but ties do not matter. */
        qsort(vec->subtables, vec->n, sizeof vec->subtables[0],
              compare_hits);
        atomic_store_explicit(&cls->vec, vec, memory_order_release);
        defer(cls, DEFER_FREE, old);
    }
    for (size_t i = 0; i < old->n; i++) {
        atomic_store_explicit(&old->subtables[i]->hits, 0,
                              memory_order_relaxed);
    }
    reclaim__(cls);
    pthread_mutex_unlock(&cls->mutex);
}

/* Writers. */

static struct dp_cls_subtable *
find_subtable(struct dp_cls *cls, const struct flow_wildcards *wc)
{
    struct dp_cls_vec *vec = get_vec(cls);
    for (size_t i = 0; i < vec->n; i++) {
        struct dp_cls_subtable *st = vec->subtables[i];
        if (!memcmp(&st->mask->wc, wc, sizeof *wc)) {
            return st;
        }
    }
    return NULL;
}

static struct dp_cls_subtable *
add_subtable(struct dp_cls *cls, const struct flow_wildcards *wc)
{
    struct dp_cls_subtable *st = xzalloc(sizeof *st);
    for (size_t i = 0; i < FLOW_U64S; i++) {
        uint64_t w = flow_u64(&wc->masks, i);
        if (w) {
            st->idx[st->n_words] = i;
            st->words[st->n_words++] = w;
        }
    }
    st->mask = dp_flow_mask_create(wc);
    atomic_init(&st->buckets, buckets_alloc(INITIAL_BUCKETS));
    st->n_flows = 0;
    atomic_init(&st->hits, 0);

    /* A new mask goes last: it has no hits yet. */
    struct dp_cls_vec *old = get_vec(cls);
    struct dp_cls_vec *vec = vec_alloc(old->n + 1);
    memcpy(vec->subtables, old->subtables, old->n * sizeof old->subtables[0]);
    vec->subtables[old->n] = st;
    atomic_store_explicit(&cls->vec, vec, memory_order_release);
    defer(cls, DEFER_FREE, old);
    atomic_store_explicit(&cls->n_subtables, vec->n, memory_order_relaxed);
    return st;
}

static void
remove_subtable(struct dp_cls *cls, struct dp_cls_subtable *st)
{
    struct dp_cls_vec *old = get_vec(cls);
    struct dp_cls_vec *vec = vec_alloc(old->n - 1);
    size_t j = 0;
    for (size_t i = 0; i < old->n; i++) {
        if (old->subtables[i] != st) {
            vec->subtables[j++] = old->subtables[i];
        }
    }
    atomic_store_explicit(&cls->vec, vec, memory_order_release);
    defer(cls, DEFER_FREE, old);
    defer(cls, DEFER_SUBTABLE, st);
    atomic_store_explicit(&cls->n_subtables, vec->n, memory_order_relaxed);
}

static void
link_node(struct dp_cls_buckets *b, struct dp_cls_node *node)
{
    _Atomic(struct dp_cls_node *) *head = &b->heads[node->hash & b->mask];
    atomic_store_explicit(&node->next,
                          atomic_load_explicit(head, memory_order_relaxed),
                          memory_order_relaxed);
    atomic_store_explicit(head, node, memory_order_release);
}

/* Replaces ST's bucket array by one with N_BUCKETS heads (a power of 2),
 * with new nodes: lookups keep walking the old chains meanwhile. */
static void
resize_subtable(struct dp_cls *cls, struct dp_cls_subtable *st,
                size_t n_buckets)
{
    struct dp_cls_buckets *old = get_buckets(st);
    struct dp_cls_buckets *b = buckets_alloc(n_buckets);
    for (size_t i = 0; i <= old->mask; i++) {
        for (struct dp_cls_node *node = first_node(old, i); node;
             node = next_node(node)) {
            struct dp_cls_node *copy = xmalloc(sizeof *copy);
            copy->hash = node->hash;
            copy->flow = node->flow;
            link_node(b, copy);
        }
    }
    atomic_store_explicit(&st->buckets, b, memory_order_release);
    defer(cls, DEFER_BUCKETS, old);
}

static struct dp_flow *
find_exact__(struct dp_cls_subtable *st, const struct flow *key,
             uint32_t hash)
{
    return subtable_find(st, get_buckets(st), key, hash);
}

int
dp_cls_insert(struct dp_cls *cls, const struct flow *key,
              const struct flow_wildcards *mask,
              const void *actions, size_t size, uint64_t version,
              struct dp_flow **flowp)
{
    int error = 0;

    pthread_mutex_lock(&cls->mutex);
    struct dp_cls_subtable *st = find_subtable(cls, mask);
    if (!st) {
        st = add_subtable(cls, mask);
    }

    uint32_t hash = subtable_hash(st, key);
    struct dp_flow *flow = find_exact__(st, key, hash);
    if (flow) {
        error = EEXIST;
    } else {
        flow = dp_flow_create(key, st->mask,
                              dp_flow_actions_create(actions, size),
                              version, cls->pmd_id);
        flow->hash = hash;
        struct dp_cls_node *node = xmalloc(sizeof *node);
        node->hash = hash;
        node->flow = flow;
        struct dp_cls_buckets *b = get_buckets(st);
        link_node(b, node);
        st->n_flows++;
        atomic_fetch_add_explicit(&cls->n_flows, 1, memory_order_relaxed);
        if (st->n_flows > (size_t) b->mask + 1) {
            resize_subtable(cls, st, 2 * ((size_t) b->mask + 1));
        }
    }
    *flowp = flow;
    reclaim__(cls);
    pthread_mutex_unlock(&cls->mutex);
    return error;
}

static struct dp_cls_subtable *
subtable_of(struct dp_cls *cls, const struct dp_flow *flow)
{
    struct dp_cls_vec *vec = get_vec(cls);
    for (size_t i = 0; i < vec->n; i++) {
        if (vec->subtables[i]->mask == flow->mask) {
            return vec->subtables[i];
        }
    }
    return NULL;
}

static int
remove__(struct dp_cls *cls, struct dp_flow *flow)
{
    if (dp_flow_is_dead(flow)) {
        return ENOENT;
    }
    struct dp_cls_subtable *st = subtable_of(cls, flow);
    if (!st) {
        return ENOENT;          /* Not ours. */
    }

    struct dp_cls_buckets *b = get_buckets(st);
    _Atomic(struct dp_cls_node *) *prevp = &b->heads[flow->hash & b->mask];
    struct dp_cls_node *node;
    while ((node = atomic_load_explicit(prevp, memory_order_relaxed))) {
        if (node->flow == flow) {
            break;
        }
        prevp = &node->next;
    }
    if (!node) {
        return ENOENT;
    }

    atomic_store_explicit(&flow->dead, true, memory_order_relaxed);
    atomic_store_explicit(prevp,
                          atomic_load_explicit(&node->next,
                                               memory_order_relaxed),
                          memory_order_release);
    defer(cls, DEFER_NODE, node);
    atomic_fetch_sub_explicit(&cls->n_flows, 1, memory_order_relaxed);
    if (!--st->n_flows) {
        remove_subtable(cls, st);
    } else if (b->mask + 1 > INITIAL_BUCKETS
               && st->n_flows < ((size_t) b->mask + 1) / 8) {
        /* Shrink to a quarter, which leaves room to grow by 2 before the
         * next resize. */
        resize_subtable(cls, st,
                        MAX(INITIAL_BUCKETS, ((size_t) b->mask + 1) / 4));
    }
    return 0;
}

int
dp_cls_remove(struct dp_cls *cls, struct dp_flow *flow)
{
    pthread_mutex_lock(&cls->mutex);
    int error = remove__(cls, flow);
    reclaim__(cls);
    pthread_mutex_unlock(&cls->mutex);
    return error;
}

void
dp_cls_set_actions(struct dp_cls *cls, struct dp_flow *flow,
                   const void *actions, size_t size, uint64_t version)
{
    struct dp_flow_actions *new = dp_flow_actions_create(actions, size);

    pthread_mutex_lock(&cls->mutex);
    struct dp_flow_actions *old
        = atomic_exchange_explicit(&flow->actions, new, memory_order_acq_rel);
    dp_flow_set_version(flow, version);
    defer(cls, DEFER_FREE, old);
    reclaim__(cls);
    pthread_mutex_unlock(&cls->mutex);
}

struct dp_flow *
dp_cls_find_exact(struct dp_cls *cls, const struct flow *key,
                  const struct flow_wildcards *mask)
{
    struct dp_flow *flow = NULL;

    pthread_mutex_lock(&cls->mutex);
    struct dp_cls_subtable *st = find_subtable(cls, mask);
    if (st) {
        flow = find_exact__(st, key, subtable_hash(st, key));
        if (flow) {
            dp_flow_ref(flow);
        }
    }
    pthread_mutex_unlock(&cls->mutex);
    return flow;
}

size_t
dp_cls_count(const struct dp_cls *cls)
{
    return atomic_load_explicit(&((struct dp_cls *) cls)->n_flows,
                                memory_order_relaxed);
}

size_t
dp_cls_n_subtables(const struct dp_cls *cls)
{
    return atomic_load_explicit(&((struct dp_cls *) cls)->n_subtables,
                                memory_order_relaxed);
}

void
dp_cls_dump(struct dp_cls *cls, struct dp_flow ***flowsp, size_t *np)
{
    pthread_mutex_lock(&cls->mutex);
    size_t n = 0;
    struct dp_flow **flows = xmalloc((dp_cls_count(cls) + 1)
                                     * sizeof *flows);
    struct dp_cls_vec *vec = get_vec(cls);
    for (size_t s = 0; s < vec->n; s++) {
        struct dp_cls_buckets *b = get_buckets(vec->subtables[s]);
        for (size_t i = 0; i <= b->mask; i++) {
            for (struct dp_cls_node *node = first_node(b, i); node;
                 node = next_node(node)) {
                flows[n++] = dp_flow_ref(node->flow);
            }
        }
    }
    pthread_mutex_unlock(&cls->mutex);
    *flowsp = flows;
    *np = n;
}

/* Marks every flow dead and queues every subtable.  Writers only. */
static size_t
flush__(struct dp_cls *cls)
{
    struct dp_cls_vec *old = get_vec(cls);
    size_t n = 0;

    for (size_t s = 0; s < old->n; s++) {
        struct dp_cls_buckets *b = get_buckets(old->subtables[s]);
        for (size_t i = 0; i <= b->mask; i++) {
            for (struct dp_cls_node *node = first_node(b, i); node;
                 node = next_node(node)) {
                atomic_store_explicit(&node->flow->dead, true,
                                      memory_order_relaxed);
                n++;
            }
        }
    }
    atomic_store_explicit(&cls->vec, vec_alloc(0), memory_order_release);
    for (size_t s = 0; s < old->n; s++) {
        defer(cls, DEFER_SUBTABLE, old->subtables[s]);
    }
    defer(cls, DEFER_FREE, old);
    atomic_store_explicit(&cls->n_flows, 0, memory_order_relaxed);
    atomic_store_explicit(&cls->n_subtables, 0, memory_order_relaxed);
    return n;
}

size_t
dp_cls_flush(struct dp_cls *cls)
{
    pthread_mutex_lock(&cls->mutex);
    size_t n = flush__(cls);
    reclaim__(cls);
    pthread_mutex_unlock(&cls->mutex);
    return n;
}

void
dp_cls_destroy(struct dp_cls *cls)
{
    if (!cls) {
        return;
    }
    pthread_mutex_lock(&cls->mutex);
    flush__(cls);
    while (cls->defer_head) {
        struct dp_cls_defer *d = cls->defer_head;
        cls->defer_head = d->next;
        defer_free_now(d);
    }
    free(get_vec(cls));
    pthread_mutex_unlock(&cls->mutex);
    pthread_mutex_destroy(&cls->mutex);
    free(cls);
}
