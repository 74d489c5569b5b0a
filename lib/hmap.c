/* hmap: intrusive hash map with a power-of-two bucket array. */
#include <config.h>

#include "hmap.h"

#include <stdlib.h>
#include <string.h>

void
hmap_init(struct hmap *map)
{
    map->buckets = &map->one;
    map->one = NULL;
    map->mask = 0;
    map->n = 0;
}

void
hmap_destroy(struct hmap *map)
{
    if (map && map->buckets != &map->one) {
        free(map->buckets);
    }
}

void
hmap_clear(struct hmap *map)
{
    if (map->n) {
        memset(map->buckets, 0, (map->mask + 1) * sizeof *map->buckets);
        map->n = 0;
    }
}

void
hmap_swap(struct hmap *a, struct hmap *b)
{
    struct hmap tmp = *a;
    *a = *b;
    *b = tmp;
    /* A map on its single built-in bucket must point at its own storage. */
    if (a->buckets == &b->one) {
        a->buckets = &a->one;
    }
    if (b->buckets == &a->one) {
        b->buckets = &b->one;
    }
}

static void
resize(struct hmap *map, size_t n_buckets)
{
    struct hmap_node **buckets = n_buckets == 1
        ? &map->one : xcalloc(n_buckets, sizeof *buckets);
    struct hmap_node *moved = NULL;

    /* Unlink everything first: with one bucket, the old and new arrays may
     * be the same storage. */
    for (size_t i = 0; i <= map->mask; i++) {
        struct hmap_node *node = map->buckets[i];
        while (node) {
            struct hmap_node *next = node->next;
            node->next = moved;
            moved = node;
            node = next;
        }
        map->buckets[i] = NULL;
    }
    if (map->buckets != &map->one) {
        free(map->buckets);
    }
    map->buckets = buckets;
    map->mask = n_buckets - 1;
    if (n_buckets == 1) {
        map->one = NULL;
    }
    while (moved) {
        struct hmap_node *next = moved->next;
        struct hmap_node **bucket = &buckets[moved->hash & map->mask];
        moved->next = *bucket;
        *bucket = moved;
        moved = next;
    }
}

static size_t
buckets_for(size_t n)
{
    size_t buckets = 1;
    while (buckets * 2 < n) {
        buckets *= 2;
    }
    return buckets;
}

void
hmap_expand(struct hmap *map)
{
    size_t want = buckets_for(map->n);
    if (want > map->mask + 1) {
        resize(map, want);
    }
}

void
hmap_shrink(struct hmap *map)
{
    size_t want = buckets_for(map->n);
    if (want < (map->mask + 1) / 2) {
        resize(map, want);
    }
}

void
hmap_insert(struct hmap *map, struct hmap_node *node, uint32_t hash)
{
    struct hmap_node **bucket = &map->buckets[hash & map->mask];
    node->hash = hash;
    node->next = *bucket;
    *bucket = node;
    map->n++;
    if (map->n / 2 > map->mask) {
        hmap_expand(map);
    }
}

void
hmap_remove(struct hmap *map, struct hmap_node *node)
{
    struct hmap_node **p = &map->buckets[node->hash & map->mask];
    while (*p != node) {
        p = &(*p)->next;
    }
    *p = node->next;
    map->n--;
}

struct hmap_node *
hmap_first_with_hash(const struct hmap *map, uint32_t hash)
{
    struct hmap_node *node = map->buckets[hash & map->mask];
    while (node && node->hash != hash) {
        node = node->next;
    }
    return node;
}

struct hmap_node *
hmap_next_with_hash(const struct hmap_node *node)
{
    uint32_t hash = node->hash;
    for (node = node->next; node; node = node->next) {
        if (node->hash == hash) {
            return (struct hmap_node *) node;
        }
    }
    return NULL;
}

static struct hmap_node *
first_from(const struct hmap *map, size_t bucket)
{
    for (; bucket <= map->mask; bucket++) {
        if (map->buckets[bucket]) {
            return map->buckets[bucket];
        }
    }
    return NULL;
}

struct hmap_node *
hmap_first(const struct hmap *map)
{
    return first_from(map, 0);
}

struct hmap_node *
hmap_next(const struct hmap *map, const struct hmap_node *node)
{
    return node->next ? node->next
                      : first_from(map, (node->hash & map->mask) + 1);
}

bool
hmap_contains(const struct hmap *map, const struct hmap_node *node)
{
    for (const struct hmap_node *p = map->buckets[node->hash & map->mask];
         p; p = p->next) {
        if (p == node) {
            return true;
        }
    }
    return false;
}
