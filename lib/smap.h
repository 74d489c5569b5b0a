/*
 * smap: a map from strings to strings, as OVSDB "map string -> string"
 * columns (options, other_config, external_ids, status) hold.
 *
 * Keys are unique; the map owns copies of its keys and values.  Iteration
 * order is unspecified; smap_sorted() gives the nodes in key order for
 * output that must be stable.
 *
 * Not thread-safe: callers serialize access.
 */
#ifndef SKIFF_SMAP_H
#define SKIFF_SMAP_H 1

#include <stdbool.h>
#include <stddef.h>

#include "hmap.h"

struct smap_node {
    struct hmap_node node;
    char *key;
    char *value;
};

struct smap {
    struct hmap map;
};

#define SMAP_FOR_EACH(NODE, SMAP) HMAP_FOR_EACH (NODE, node, &(SMAP)->map)

void smap_init(struct smap *);
void smap_destroy(struct smap *);      /* Frees every node. */
void smap_clear(struct smap *);
void smap_clone(struct smap *dst, const struct smap *src);

/* Sets KEY to VALUE, replacing any value it had. */
void smap_replace(struct smap *, const char *key, const char *value);
/* Removes KEY; returns true if it was there. */
bool smap_remove(struct smap *, const char *key);

const char *smap_get(const struct smap *, const char *key);   /* or NULL */
const char *smap_get_def(const struct smap *, const char *key,
                         const char *def);
bool smap_equal(const struct smap *, const struct smap *);

static inline size_t smap_count(const struct smap *s)
{
    return hmap_count(&s->map);
}

static inline bool smap_is_empty(const struct smap *s)
{
    return hmap_is_empty(&s->map);
}

/* The nodes in ascending key order, in a new array of smap_count()
 * pointers that the caller frees (NULL when empty). */
const struct smap_node **smap_sorted(const struct smap *);

#endif /* smap.h */
