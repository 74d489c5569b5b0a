/* classifier: priority tuple-space search with un-wildcarding. */
#include <config.h>

#include "classifier.h"

#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "rcu.h"
#include "util.h"

/* The writer's index: one subtable per distinct mask. */
struct cls_subtable {
    struct hmap_node node;      /* In classifier->subtables. */
    struct flow_wildcards mask;
    struct hmap rules;          /* struct cls_rule, by hash of key. */
    struct cls_snap_subtable *snap;     /* Last published view. */
    bool dirty;                 /* Changed since 'snap' was built. */
};

/* The readers' view of one subtable: an open-addressing hash table of the
 * best rule for each distinct key. */
struct cls_entry {
    uint32_t hash;
    const struct cls_rule *rule;    /* NULL: empty slot. */
};

struct cls_snap_subtable {
    struct flow_wildcards mask;
    uint8_t words[FLOW_U64S];   /* Indexes of the mask's nonzero words. */
    size_t n_words;
    int max_priority;
    size_t slot_mask;           /* Number of slots minus one. */
    struct cls_entry *slots;
};

/* A published version: the subtables' views, by max_priority, highest
 * first.  Views of unchanged subtables are shared between versions; each
 * view belongs to its writer's subtable, which frees it once a newer one
 * is published (or the subtable goes) and a grace period has passed. */
struct cls_snapshot {
    uint64_t version;
    size_t n;
    const struct cls_snap_subtable *subtables[];
};

static inline uint64_t
word_at(const void *p, size_t i)
{
    uint64_t w;
    memcpy(&w, (const uint8_t *) p + i * sizeof w, sizeof w);
    return w;
}

static uint32_t
hash_masked(const struct flow *flow, const struct flow_wildcards *mask)
{
    uint32_t h = 0;
    for (size_t i = 0; i < FLOW_U64S; i++) {
        uint64_t m = word_at(&mask->masks, i);
        if (m) {
            uint64_t w = word_at(flow, i) & m;
            h = hash_add(h, (uint32_t) w);
            h = hash_add(h, (uint32_t) (w >> 32));
        }
    }
    return hash_finish(h, FLOW_U64S * 8);
}

static uint32_t
hash_mask(const struct flow_wildcards *mask)
{
    return hash_bytes(mask, sizeof *mask, 0x5eed);
}

static bool
equal_in_mask(const struct flow *a, const struct flow *b,
              const struct flow_wildcards *mask)
{
    for (size_t i = 0; i < FLOW_U64S; i++) {
        uint64_t m = word_at(&mask->masks, i);
        if ((word_at(a, i) ^ word_at(b, i)) & m) {
            return false;
        }
    }
    return true;
}

void
cls_rule_init(struct cls_rule *rule, const struct flow *flow,
              const struct flow_wildcards *wc, int priority)
{
    uint64_t f[FLOW_U64S], m[FLOW_U64S];

    memset(rule, 0, sizeof *rule);
    memcpy(f, flow, sizeof f);
    memcpy(m, &wc->masks, sizeof m);
    for (size_t i = 0; i < FLOW_U64S; i++) {
        f[i] &= m[i];
    }
    memcpy(&rule->flow, f, sizeof f);
    memcpy(&rule->wc.masks, m, sizeof m);
    rule->priority = priority;
}

bool
cls_rule_matches(const struct cls_rule *rule, const struct flow *flow)
{
    return equal_in_mask(&rule->flow, flow, &rule->wc);
}

bool
cls_rule_equal_match(const struct cls_rule *a, const struct cls_rule *b)
{
    return !memcmp(&a->wc, &b->wc, sizeof a->wc)
           && !memcmp(&a->flow, &b->flow, sizeof a->flow);
}

void
classifier_init(struct classifier *cls)
{
    hmap_init(&cls->subtables);
    cls->n_rules = 0;
    cls->version = 0;
    atomic_init(&cls->snapshot, NULL);
    cls->retired = NULL;
    cls->retired_n = cls->retired_allocated = 0;
}

static void
snap_subtable_free(struct cls_snap_subtable *snap)
{
    if (snap) {
        free(snap->slots);
        free(snap);
    }
}

/* Queues SNAP to be freed at the end of the next publish, after a grace
 * period. */
static void
retire(struct classifier *cls, struct cls_snap_subtable *snap)
{
    if (!snap) {
        return;
    }
    if (cls->retired_n >= cls->retired_allocated) {
        cls->retired_allocated = cls->retired_allocated * 2 + 4;
        cls->retired = xrealloc(cls->retired, cls->retired_allocated
                                              * sizeof *cls->retired);
    }
    cls->retired[cls->retired_n++] = snap;
}

void
classifier_destroy(struct classifier *cls)
{
    struct cls_subtable *st;
    HMAP_FOR_EACH_SAFE (st, node, &cls->subtables) {
        struct cls_rule *rule;
        HMAP_FOR_EACH (rule, node, &st->rules) {
            rule->subtable = NULL;
        }
        hmap_remove(&cls->subtables, &st->node);
        hmap_destroy(&st->rules);
        snap_subtable_free(st->snap);
        free(st);
    }
    hmap_destroy(&cls->subtables);
    for (size_t i = 0; i < cls->retired_n; i++) {
        snap_subtable_free(cls->retired[i]);
    }
    free(cls->retired);
    free(atomic_load(&cls->snapshot));
    atomic_store(&cls->snapshot, NULL);
}

static struct cls_subtable *
find_subtable(const struct classifier *cls, const struct flow_wildcards *m)
{
    struct cls_subtable *st;
    HMAP_FOR_EACH_WITH_HASH (st, node, hash_mask(m), &cls->subtables) {
        if (!memcmp(&st->mask, m, sizeof *m)) {
            return st;
        }
    }
    return NULL;
}

void
classifier_insert(struct classifier *cls, struct cls_rule *rule)
{
    struct cls_subtable *st = find_subtable(cls, &rule->wc);
    if (!st) {
        st = xzalloc(sizeof *st);
        st->mask = rule->wc;
        hmap_init(&st->rules);
        hmap_insert(&cls->subtables, &st->node, hash_mask(&st->mask));
    }
    hmap_insert(&st->rules, &rule->node, hash_masked(&rule->flow, &st->mask));
    rule->subtable = st;
    st->dirty = true;
    cls->n_rules++;
}

void
classifier_remove(struct classifier *cls, struct cls_rule *rule)
{
    struct cls_subtable *st = rule->subtable;
    if (!st) {
        return;
    }
    hmap_remove(&st->rules, &rule->node);
    rule->subtable = NULL;
    st->dirty = true;
    cls->n_rules--;
    if (hmap_is_empty(&st->rules)) {
        /* Readers may still use its view until the next publish. */
        retire(cls, st->snap);
        hmap_remove(&cls->subtables, &st->node);
        hmap_destroy(&st->rules);
        free(st);
    }
}

size_t
classifier_count(const struct classifier *cls)
{
    return cls->n_rules;
}

struct cls_rule *
classifier_find_exactly(const struct classifier *cls,
                        const struct cls_rule *target)
{
    struct cls_subtable *st = find_subtable(cls, &target->wc);
    if (!st) {
        return NULL;
    }
    struct cls_rule *rule;
    HMAP_FOR_EACH_WITH_HASH (rule, node,
                             hash_masked(&target->flow, &st->mask),
                             &st->rules) {
        if (rule->priority == target->priority
            && !memcmp(&rule->flow, &target->flow, sizeof rule->flow)) {
            return rule;
        }
    }
    return NULL;
}

struct cls_rule *
classifier_first(const struct classifier *cls)
{
    struct hmap_node *n = hmap_first(&cls->subtables);
    if (!n) {
        return NULL;
    }
    struct cls_subtable *st = CONTAINER_OF(n, struct cls_subtable, node);
    return CONTAINER_OF(hmap_first(&st->rules), struct cls_rule, node);
}

struct cls_rule *
classifier_next(const struct classifier *cls, const struct cls_rule *rule)
{
    struct cls_subtable *st = rule->subtable;
    struct hmap_node *n = hmap_next(&st->rules, &rule->node);
    if (n) {
        return CONTAINER_OF(n, struct cls_rule, node);
    }
    n = hmap_next(&cls->subtables, &st->node);
    if (!n) {
        return NULL;
    }
    st = CONTAINER_OF(n, struct cls_subtable, node);
    return CONTAINER_OF(hmap_first(&st->rules), struct cls_rule, node);
}

/* Fills SNAP from the writer's subtable ST: for each distinct key only the
 * highest-priority rule is kept, since it shadows the others for good. */
static struct cls_snap_subtable *
build_snap_subtable(const struct cls_subtable *st)
{
    struct cls_snap_subtable *snap = xzalloc(sizeof *snap);
    size_t n_slots = 4;
    while (n_slots < 2 * hmap_count(&st->rules)) {
        n_slots *= 2;
    }
    snap->mask = st->mask;
    snap->n_words = 0;
    for (size_t i = 0; i < FLOW_U64S; i++) {
        if (word_at(&st->mask.masks, i)) {
            snap->words[snap->n_words++] = i;
        }
    }
    snap->slot_mask = n_slots - 1;
    snap->slots = xcalloc(n_slots, sizeof *snap->slots);
    snap->max_priority = INT32_MIN;

    const struct cls_rule *rule;
    HMAP_FOR_EACH (rule, node, &st->rules) {
        uint32_t h = rule->node.hash;
        for (size_t i = h & snap->slot_mask; ; i = (i + 1) & snap->slot_mask) {
            struct cls_entry *e = &snap->slots[i];
            if (!e->rule) {
                e->hash = h;
                e->rule = rule;
                break;
            }
            if (e->hash == h
                && !memcmp(&e->rule->flow, &rule->flow, sizeof rule->flow)) {
                if (rule->priority > e->rule->priority) {
                    e->rule = rule;
                }
                break;
            }
        }
        snap->max_priority = MAX(snap->max_priority, rule->priority);
    }
    return snap;
}

static int
compare_snap_subtables(const void *a_, const void *b_)
{
    const struct cls_snap_subtable *a = *(const void *const *) a_;
    const struct cls_snap_subtable *b = *(const void *const *) b_;
    return a->max_priority > b->max_priority ? -1
           : a->max_priority < b->max_priority;
}

uint64_t
classifier_publish(struct classifier *cls)
{
    size_t n = hmap_count(&cls->subtables);
    struct cls_snapshot *snap = xzalloc(sizeof *snap
                                        + n * sizeof snap->subtables[0]);
    struct cls_subtable *st;

    /* Only the subtables that changed are rebuilt. */
    HMAP_FOR_EACH (st, node, &cls->subtables) {
        if (st->dirty || !st->snap) {
            retire(cls, st->snap);
            st->snap = build_snap_subtable(st);
            st->dirty = false;
        }
        snap->subtables[snap->n++] = st->snap;
    }
    qsort(snap->subtables, snap->n, sizeof snap->subtables[0],
          compare_snap_subtables);
    snap->version = ++cls->version;

    struct cls_snapshot *old = atomic_exchange(&cls->snapshot, snap);
    rcu_synchronize();
    free(old);
    for (size_t i = 0; i < cls->retired_n; i++) {
        snap_subtable_free(cls->retired[i]);
    }
    cls->retired_n = 0;
    return snap->version;
}

static const struct cls_rule *
snap_subtable_lookup(const struct cls_snap_subtable *st,
                     const struct flow *flow)
{
    uint32_t h = 0;
    for (size_t i = 0; i < st->n_words; i++) {
        size_t w = st->words[i];
        uint64_t x = word_at(flow, w) & word_at(&st->mask.masks, w);
        h = hash_add(h, (uint32_t) x);
        h = hash_add(h, (uint32_t) (x >> 32));
    }
    h = hash_finish(h, FLOW_U64S * 8);

    for (size_t i = h & st->slot_mask; ; i = (i + 1) & st->slot_mask) {
        const struct cls_entry *e = &st->slots[i];
        if (!e->rule) {
            return NULL;
        }
        if (e->hash == h && equal_in_mask(&e->rule->flow, flow, &st->mask)) {
            return e->rule;
        }
    }
}

static void
wc_or(struct flow_wildcards *dst, const struct cls_snap_subtable *st)
{
    for (size_t i = 0; i < st->n_words; i++) {
        size_t w = st->words[i];
        uint64_t x = word_at(&dst->masks, w) | word_at(&st->mask.masks, w);
        memcpy((uint8_t *) &dst->masks + w * sizeof x, &x, sizeof x);
    }
}

const struct cls_rule *
classifier_lookup(const struct classifier *cls, const struct flow *flow,
                  struct flow_wildcards *wc)
{
    const struct cls_snapshot *snap = atomic_load(&cls->snapshot);
    const struct cls_rule *best = NULL;

    if (!snap) {
        return NULL;
    }
    for (size_t i = 0; i < snap->n; i++) {
        const struct cls_snap_subtable *st = snap->subtables[i];
        if (best && st->max_priority <= best->priority) {
            break;
        }
        if (wc) {
            wc_or(wc, st);
        }
        const struct cls_rule *rule = snap_subtable_lookup(st, flow);
        if (rule && (!best || rule->priority > best->priority)) {
            best = rule;
        }
    }
    return best;
}
