#include <config.h>

#include "smap.h"

#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "util.h"

void
smap_init(struct smap *smap)
{
    hmap_init(&smap->map);
}

void
smap_clear(struct smap *smap)
{
    struct smap_node *node;

    HMAP_FOR_EACH_SAFE (node, node, &smap->map) {
        hmap_remove(&smap->map, &node->node);
        free(node->key);
        free(node->value);
        free(node);
    }
}

void
smap_destroy(struct smap *smap)
{
    if (smap) {
        smap_clear(smap);
        hmap_destroy(&smap->map);
    }
}

static struct smap_node *
smap_find(const struct smap *smap, const char *key)
{
    struct smap_node *node;

    HMAP_FOR_EACH_WITH_HASH (node, node, hash_string(key, 0), &smap->map) {
        if (!strcmp(node->key, key)) {
            return node;
        }
    }
    return NULL;
}

void
smap_replace(struct smap *smap, const char *key, const char *value)
{
    struct smap_node *node = smap_find(smap, key);

    if (node) {
        char *old = node->value;

        node->value = xstrdup(value);
        free(old);
        return;
    }
    node = xmalloc(sizeof *node);
    node->key = xstrdup(key);
    node->value = xstrdup(value);
    hmap_insert(&smap->map, &node->node, hash_string(key, 0));
}

bool
smap_remove(struct smap *smap, const char *key)
{
    struct smap_node *node = smap_find(smap, key);

    if (!node) {
        return false;
    }
    hmap_remove(&smap->map, &node->node);
    free(node->key);
    free(node->value);
    free(node);
    return true;
}

void
smap_clone(struct smap *dst, const struct smap *src)
{
    const struct smap_node *node;

    smap_init(dst);
    SMAP_FOR_EACH (node, src) {
        smap_replace(dst, node->key, node->value);
    }
}

const char *
smap_get(const struct smap *smap, const char *key)
{
    const struct smap_node *node = smap_find(smap, key);

    return node ? node->value : NULL;
}

const char *
smap_get_def(const struct smap *smap, const char *key, const char *def)
{
    const char *value = smap_get(smap, key);

    return value ? value : def;
}

bool
smap_equal(const struct smap *a, const struct smap *b)
{
    const struct smap_node *node;

    if (smap_count(a) != smap_count(b)) {
        return false;
    }
    SMAP_FOR_EACH (node, a) {
        const char *value = smap_get(b, node->key);

        if (!value || strcmp(value, node->value)) {
            return false;
        }
    }
    return true;
}

static int
compare_nodes(const void *a_, const void *b_)
{
    const struct smap_node *const *a = a_;
    const struct smap_node *const *b = b_;

    return strcmp((*a)->key, (*b)->key);
}

const struct smap_node **
smap_sorted(const struct smap *smap)
{
    size_t n = smap_count(smap);
    const struct smap_node **nodes;
    const struct smap_node *node;
    size_t i = 0;

    if (!n) {
        return NULL;
    }
    nodes = xmalloc(n * sizeof *nodes);
    SMAP_FOR_EACH (node, smap) {
        nodes[i++] = node;
    }
    qsort(nodes, n, sizeof *nodes, compare_nodes);
    return nodes;
}
