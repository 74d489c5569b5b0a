/*
 * dp-emc: a PMD thread's exact-match cache.
 *
 * DP_EMC_ENTRIES entries map a whole flow key (struct flow, in_port
 * included) to the megaflow that handled it.  A key may live in two slots,
 * chosen from two parts of its 32-bit hash: the low DP_EMC_SHIFT bits and
 * the next DP_EMC_SHIFT bits.  A lookup compares the hash, then the whole
 * key.  The caller computes the hash once per packet, with dp_emc_hash()
 * (CRC32c, about 20 cycles) or any other good 32-bit hash of the whole key
 * (flow_hash(key, 0) works, but is several times slower); lookups and
 * inserts into one cache must all use the same function.
 *
 * Insertion.  dp_emc_insert() is called after a megaflow hit (or a fresh
 * install).  If the key is already cached its flow is updated.  Otherwise:
 *   - insertion is off when the inverse probability is 0;
 *   - if one of the two slots is empty or holds a dead flow, the key goes
 *     there, always (this fills a cold cache quickly at no cost);
 *   - else the key replaces one of the two (the one with the lower hash),
 *     with probability 1 / inv_prob (1: always; the default
 *     DP_EMC_DEFAULT_INV_PROB: 1 in 100), so that a flood of short flows
 *     does not evict the long ones.
 *
 * Dead flows.  A lookup that finds a key whose flow is dead (removed from
 * the classifier) clears the entry and reports a miss.
 *
 * References.  Each entry holds a reference to its flow (dp_flow_ref()),
 * dropped when the entry is replaced or cleared, so a cached flow stays
 * valid however long it sits here.  A flow that dp_emc_lookup() returns
 * was live when it was looked up, so its classifier keeps its own
 * reference at least until the caller's next RCU quiescent state (see
 * dp-cls.h): the caller may use it for the rest of the burst even if a
 * later insert evicts its entry.
 *
 * Threads: the owning PMD only, no locks, no atomics.  The struct is large
 * (about 1 MiB): allocate it with dp_emc_create().
 */
#ifndef SKIFF_DP_EMC_H
#define SKIFF_DP_EMC_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <string.h>

#include <rte_hash_crc.h>

#include "dp-flow.h"
#include "flow.h"

#define DP_EMC_SHIFT 13
#define DP_EMC_ENTRIES (1u << DP_EMC_SHIFT)   /* 8192. */
#define DP_EMC_MASK (DP_EMC_ENTRIES - 1)
#define DP_EMC_DEFAULT_INV_PROB 100

struct dp_emc_entry {
    struct dp_flow *flow;       /* NULL: empty. */
    uint32_t hash;
    struct flow key;
};

struct dp_emc {
    struct dp_emc_entry entries[DP_EMC_ENTRIES];
    uint32_t inv_prob;          /* 0: no inserts; N: 1 in N. */
    uint32_t n_entries;         /* Occupied entries. */
    uint64_t rng;               /* xorshift state for the probability. */
};

/* A new, empty cache with DP_EMC_DEFAULT_INV_PROB. */
struct dp_emc *dp_emc_create(void);
/* Drops every entry's reference and frees the cache.  NULL is ignored. */
void dp_emc_destroy(struct dp_emc *);

/* Insert probability: 1 in INV_PROB; 0 disables inserts; 1 always. */
void dp_emc_set_inv_prob(struct dp_emc *, uint32_t inv_prob);

/* Clears every entry (e.g. after a flush). */
void dp_emc_clear(struct dp_emc *);

static inline size_t
dp_emc_count(const struct dp_emc *emc)
{
    return emc->n_entries;
}

static inline uint32_t
dp_emc_slot1(uint32_t hash)
{
    return hash & DP_EMC_MASK;
}

static inline uint32_t
dp_emc_slot2(uint32_t hash)
{
    return (hash >> DP_EMC_SHIFT) & DP_EMC_MASK;
}

/* A fast hash of the whole of KEY: two interleaved CRC32c chains. */
_Static_assert(FLOW_U64S % 2 == 0, "dp_emc_hash() takes words in pairs");
static inline uint32_t
dp_emc_hash(const struct flow *key)
{
    const uint8_t *p = (const uint8_t *) key;
    uint32_t a = 0, b = 0x9e3779b9;
    for (size_t i = 0; i < FLOW_U64S; i += 2) {
        uint64_t w0, w1;
        memcpy(&w0, p + i * 8, sizeof w0);
        memcpy(&w1, p + (i + 1) * 8, sizeof w1);
        a = rte_hash_crc_8byte(w0, a);
        b = rte_hash_crc_8byte(w1, b);
    }
    return a ^ (b << 13 | b >> 19);
}

/* Prefetches both candidate entries of HASH (call a few keys ahead). */
static inline void
dp_emc_prefetch(const struct dp_emc *emc, uint32_t hash)
{
    __builtin_prefetch(&emc->entries[dp_emc_slot1(hash)]);
    __builtin_prefetch(&emc->entries[dp_emc_slot2(hash)]);
}

/* The live flow cached for KEY, whose hash is HASH, or NULL. */
struct dp_flow *dp_emc_lookup(struct dp_emc *, const struct flow *key,
                              uint32_t hash);

/* Caches KEY (hash HASH) -> FLOW under the policy above; takes its own
 * reference to FLOW when it does.  Returns true if KEY is now cached. */
bool dp_emc_insert(struct dp_emc *, const struct flow *key, uint32_t hash,
                   struct dp_flow *flow);

#endif /* dp-emc.h */
