/*
 * hmap: intrusive hash map.
 *
 * Each element embeds a struct hmap_node; the caller computes the hash,
 * owns the elements, and compares keys itself while iterating over the
 * nodes that share a hash (HMAP_FOR_EACH_WITH_HASH).  The map only keeps
 * buckets: it never allocates or frees elements.
 *
 * The bucket array doubles when the map holds more than two nodes per
 * bucket, so lookups stay O(1) on average.  hmap_insert() may therefore
 * reallocate the buckets, which invalidates a running iteration.
 * hmap_remove() never reallocates (so HMAP_FOR_EACH_SAFE may remove the
 * current node); call hmap_shrink() after removing many nodes.
 *
 * Not thread-safe: callers serialize access.
 */
#ifndef SKIFF_HMAP_H
#define SKIFF_HMAP_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

struct hmap_node {
    uint32_t hash;
    struct hmap_node *next;     /* Next in the same bucket. */
};

struct hmap {
    struct hmap_node **buckets;
    struct hmap_node *one;      /* Storage for the initial single bucket. */
    size_t mask;                /* Number of buckets minus one. */
    size_t n;                   /* Number of nodes. */
};

#define HMAP_INITIALIZER(HMAP) { &(HMAP)->one, NULL, 0, 0 }

void hmap_init(struct hmap *);
void hmap_destroy(struct hmap *);   /* Frees buckets, not elements. */
void hmap_clear(struct hmap *);     /* Forgets every node. */
void hmap_swap(struct hmap *, struct hmap *);

static inline size_t hmap_count(const struct hmap *map) { return map->n; }
static inline bool hmap_is_empty(const struct hmap *map) { return !map->n; }

void hmap_insert(struct hmap *, struct hmap_node *, uint32_t hash);
void hmap_remove(struct hmap *, struct hmap_node *);

/* Grows (done by hmap_insert()) or shrinks the bucket array to suit the
 * current count. */
void hmap_expand(struct hmap *);
void hmap_shrink(struct hmap *);

/* First node with HASH, or NULL; hmap_next_with_hash() continues. */
struct hmap_node *hmap_first_with_hash(const struct hmap *, uint32_t hash);
struct hmap_node *hmap_next_with_hash(const struct hmap_node *);

/* Any order; NULL at the end. */
struct hmap_node *hmap_first(const struct hmap *);
struct hmap_node *hmap_next(const struct hmap *, const struct hmap_node *);

bool hmap_contains(const struct hmap *, const struct hmap_node *);

#define HMAP_NODE_TO(NODE, ITER, MEMBER)                                \
    ((NODE) ? OBJECT_CONTAINING(NODE, ITER, MEMBER) : NULL)

/* The iteration macros' own variables, named after the line they are used
 * on so that loops can nest. */
#define HMAP_POS__ SKIFF_CONCAT(hmap_pos_, __LINE__)
#define HMAP_NEXT__ SKIFF_CONCAT(hmap_next_, __LINE__)

/* Iterates ITER over the elements whose node is MEMBER and whose hash is
 * HASH.  Compare keys in the body: different keys can share a hash. */
#define HMAP_FOR_EACH_WITH_HASH(ITER, MEMBER, HASH, HMAP)               \
    for (struct hmap_node *HMAP_POS__ = hmap_first_with_hash(HMAP, HASH); \
         HMAP_POS__                                                     \
         && ((ITER) = OBJECT_CONTAINING(HMAP_POS__, ITER, MEMBER), 1);  \
         HMAP_POS__ = hmap_next_with_hash(HMAP_POS__))

#define HMAP_FOR_EACH(ITER, MEMBER, HMAP)                               \
    for (struct hmap_node *HMAP_POS__ = hmap_first(HMAP);               \
         HMAP_POS__                                                     \
         && ((ITER) = OBJECT_CONTAINING(HMAP_POS__, ITER, MEMBER), 1);  \
         HMAP_POS__ = hmap_next(HMAP, HMAP_POS__))

/* Like HMAP_FOR_EACH, but the body may hmap_remove() the current element
 * and free it. */
#define HMAP_FOR_EACH_SAFE(ITER, MEMBER, HMAP)                          \
    for (struct hmap_node *HMAP_POS__ = hmap_first(HMAP), *HMAP_NEXT__ = \
             HMAP_POS__ ? hmap_next(HMAP, HMAP_POS__) : NULL;           \
         HMAP_POS__                                                     \
         && ((ITER) = OBJECT_CONTAINING(HMAP_POS__, ITER, MEMBER), 1);  \
         HMAP_POS__ = HMAP_NEXT__,                                      \
             HMAP_NEXT__ = HMAP_POS__ ? hmap_next(HMAP, HMAP_POS__) : NULL)

#endif /* hmap.h */
