/* dp-emc: exact-match cache, two slots per key, probabilistic insert. */
#include <config.h>

#include "dp-emc.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

struct dp_emc *
dp_emc_create(void)
{
    struct dp_emc *emc;
    if (posix_memalign((void **) &emc, 64, sizeof *emc)) {
        skiff_fatal(0, "out of memory allocating an exact-match cache");
    }
    memset(emc, 0, sizeof *emc);
    emc->inv_prob = DP_EMC_DEFAULT_INV_PROB;
    emc->rng = (uintptr_t) emc ^ UINT64_C(0x9e3779b97f4a7c15);
    return emc;
}

static void
entry_clear(struct dp_emc *emc, struct dp_emc_entry *e)
{
    if (e->flow) {
        dp_flow_unref(e->flow);
        e->flow = NULL;
        emc->n_entries--;
    }
}

void
dp_emc_clear(struct dp_emc *emc)
{
    for (size_t i = 0; i < DP_EMC_ENTRIES; i++) {
        entry_clear(emc, &emc->entries[i]);
    }
}

void
dp_emc_destroy(struct dp_emc *emc)
{
    if (emc) {
        dp_emc_clear(emc);
        free(emc);
    }
}

void
dp_emc_set_inv_prob(struct dp_emc *emc, uint32_t inv_prob)
{
    emc->inv_prob = inv_prob;
}

/* flow_equal(), inline: the compiler turns it into a few vector ops. */
static inline bool
key_equal(const struct flow *a, const struct flow *b)
{
    uint64_t diff = 0;
#pragma GCC unroll 16
    for (size_t i = 0; i < FLOW_U64S; i++) {
        uint64_t x, y;
        memcpy(&x, (const uint8_t *) a + i * 8, sizeof x);
        memcpy(&y, (const uint8_t *) b + i * 8, sizeof y);
        diff |= x ^ y;
    }
    return !diff;
}

static inline bool
entry_matches(const struct dp_emc_entry *e, const struct flow *key,
              uint32_t hash)
{
    return e->flow && e->hash == hash && key_equal(&e->key, key);
}

struct dp_flow *
dp_emc_lookup(struct dp_emc *emc, const struct flow *key, uint32_t hash)
{
    struct dp_emc_entry *e = &emc->entries[dp_emc_slot1(hash)];
    if (!entry_matches(e, key, hash)) {
        e = &emc->entries[dp_emc_slot2(hash)];
        if (!entry_matches(e, key, hash)) {
            return NULL;
        }
    }
    if (dp_flow_is_dead(e->flow)) {
        entry_clear(emc, e);
        return NULL;
    }
    return e->flow;
}

static inline uint64_t
next_random(struct dp_emc *emc)
{
    /* xorshift64. */
    uint64_t x = emc->rng;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    emc->rng = x;
    return x;
}

static void
entry_set(struct dp_emc *emc, struct dp_emc_entry *e, const struct flow *key,
          uint32_t hash, struct dp_flow *flow)
{
    if (e->flow != flow) {
        dp_flow_ref(flow);
        if (e->flow) {
            dp_flow_unref(e->flow);
        } else {
            emc->n_entries++;
        }
        e->flow = flow;
    }
    e->hash = hash;
    e->key = *key;
}

static inline bool
entry_is_free(const struct dp_emc_entry *e)
{
    return !e->flow || dp_flow_is_dead(e->flow);
}

bool
dp_emc_insert(struct dp_emc *emc, const struct flow *key, uint32_t hash,
              struct dp_flow *flow)
{
    struct dp_emc_entry *e1 = &emc->entries[dp_emc_slot1(hash)];
    struct dp_emc_entry *e2 = &emc->entries[dp_emc_slot2(hash)];

    if (entry_matches(e1, key, hash)) {
        entry_set(emc, e1, key, hash, flow);
        return true;
    }
    if (entry_matches(e2, key, hash)) {
        entry_set(emc, e2, key, hash, flow);
        return true;
    }
    if (!emc->inv_prob) {
        return false;
    }
    if (entry_is_free(e1)) {
        entry_set(emc, e1, key, hash, flow);
        return true;
    }
    if (entry_is_free(e2)) {
        entry_set(emc, e2, key, hash, flow);
        return true;
    }
    if (emc->inv_prob > 1 && next_random(emc) % emc->inv_prob) {
        return false;
    }
    entry_set(emc, e1->hash <= e2->hash ? e1 : e2, key, hash, flow);
    return true;
}
