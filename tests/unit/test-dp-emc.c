/* Unit tests for datapath/dp-emc: the exact-match cache. */
#include "unit.h"

#include <arpa/inet.h>

#include "dp-emc.h"
#include "dp-flow.h"
#include "flow.h"

/* A flow with no actions, as the classifier would make it. */
static struct dp_flow *
make_flow(uint32_t in_port)
{
    struct flow key;
    struct flow_wildcards wc;
    memset(&key, 0, sizeof key);
    key.in_port = in_port;
    flow_wildcards_init_exact(&wc);
    struct dp_flow_mask *mask = dp_flow_mask_create(&wc);
    struct dp_flow *flow = dp_flow_create(&key, mask,
                                          dp_flow_actions_create(NULL, 0),
                                          0, 0);
    dp_flow_mask_unref(mask);
    return flow;
}

static unsigned int
refcnt(struct dp_flow *flow)
{
    return atomic_load(&flow->refcnt);
}

/* Key number I: distinct for every I. */
static void
make_key(struct flow *key, uint32_t i)
{
    memset(key, 0, sizeof *key);
    key->in_port = i % 7;
    key->dl_type = htons(ETH_TYPE_IP);
    key->nw_src = htonl(i);
    key->nw_dst = htonl(0x0a000001);
    key->nw_proto = IP_PROTO_UDP;
}

static struct dp_flow *
lookup(struct dp_emc *emc, const struct flow *key)
{
    return dp_emc_lookup(emc, key, dp_emc_hash(key));
}

static bool
insert(struct dp_emc *emc, const struct flow *key, struct dp_flow *flow)
{
    return dp_emc_insert(emc, key, dp_emc_hash(key), flow);
}

/* dp_emc_hash() sees every bit of the key and spreads keys over slots. */
static void
test_hash(void **state)
{
    struct flow key, other;
    make_key(&key, 12345);
    uint32_t hash = dp_emc_hash(&key);
    for (size_t bit = 0; bit < 8 * sizeof key; bit++) {
        other = key;
        ((uint8_t *) &other)[bit / 8] ^= 1 << (bit % 8);
        assert_int_not_equal(dp_emc_hash(&other), hash);
    }

    bool *used1 = xcalloc(DP_EMC_ENTRIES, sizeof *used1);
    bool *used2 = xcalloc(DP_EMC_ENTRIES, sizeof *used2);
    size_t n1 = 0, n2 = 0;
    for (uint32_t i = 0; i < DP_EMC_ENTRIES; i++) {
        make_key(&key, i);
        hash = dp_emc_hash(&key);
        n1 += !used1[dp_emc_slot1(hash)];
        used1[dp_emc_slot1(hash)] = true;
        n2 += !used2[dp_emc_slot2(hash)];
        used2[dp_emc_slot2(hash)] = true;
    }
    /* A random function fills 1 - 1/e = 63% of the slots. */
    assert_true(n1 > DP_EMC_ENTRIES * 55 / 100);
    assert_true(n2 > DP_EMC_ENTRIES * 55 / 100);
    free(used1);
    free(used2);
}

static void
test_hit_miss(void **state)
{
    struct dp_emc *emc = dp_emc_create();
    struct dp_flow *f = make_flow(1), *g = make_flow(2);
    struct flow k1, k2;
    make_key(&k1, 1);
    make_key(&k2, 2);

    assert_null(lookup(emc, &k1));
    /* An empty slot takes the key, whatever the probability. */
    assert_true(insert(emc, &k1, f));
    assert_int_equal(dp_emc_count(emc), 1);
    assert_int_equal(refcnt(f), 2);
    assert_ptr_equal(lookup(emc, &k1), f);
    assert_null(lookup(emc, &k2));

    /* The whole key is compared, not only the hash. */
    assert_null(dp_emc_lookup(emc, &k2, dp_emc_hash(&k1)));
    struct flow k1b = k1;
    k1b.tp_src = htons(1);
    assert_null(dp_emc_lookup(emc, &k1b, dp_emc_hash(&k1)));

    /* The same key again: its flow is replaced, references move. */
    assert_true(insert(emc, &k1, g));
    assert_int_equal(dp_emc_count(emc), 1);
    assert_ptr_equal(lookup(emc, &k1), g);
    assert_int_equal(refcnt(f), 1);
    assert_int_equal(refcnt(g), 2);

    dp_emc_clear(emc);
    assert_int_equal(dp_emc_count(emc), 0);
    assert_null(lookup(emc, &k1));
    assert_int_equal(refcnt(g), 1);

    dp_emc_destroy(emc);
    dp_flow_unref(f);
    dp_flow_unref(g);
}

/* With probability 1 every insert succeeds, evicting when both slots are
 * full; the cache never holds more than its size; references balance. */
static void
test_eviction(void **state)
{
    struct dp_emc *emc = dp_emc_create();
    struct dp_flow *f = make_flow(1);
    enum { N = 4 * DP_EMC_ENTRIES };
    struct flow key;

    dp_emc_set_inv_prob(emc, 1);
    for (uint32_t i = 0; i < N; i++) {
        make_key(&key, i);
        assert_true(insert(emc, &key, f));
        assert_ptr_equal(lookup(emc, &key), f);
    }
    assert_true(dp_emc_count(emc) <= DP_EMC_ENTRIES);
    assert_true(dp_emc_count(emc) > DP_EMC_ENTRIES * 9 / 10);
    assert_int_equal(refcnt(f), 1 + dp_emc_count(emc));

    size_t hits = 0;
    for (uint32_t i = 0; i < N; i++) {
        make_key(&key, i);
        hits += lookup(emc, &key) == f;
    }
    assert_int_equal(hits, dp_emc_count(emc));

    dp_emc_destroy(emc);
    assert_int_equal(refcnt(f), 1);
    dp_flow_unref(f);
}

/* Probability 0 disables inserts; 1 in 100 inserts about 1% of new keys
 * into a full cache. */
static void
test_probability(void **state)
{
    struct dp_emc *emc = dp_emc_create();
    struct dp_flow *f = make_flow(1), *g = make_flow(2);
    struct flow key;

    dp_emc_set_inv_prob(emc, 0);
    make_key(&key, 1);
    assert_false(insert(emc, &key, f));
    assert_null(lookup(emc, &key));
    assert_int_equal(dp_emc_count(emc), 0);
    assert_int_equal(refcnt(f), 1);

    /* Fill every slot. */
    dp_emc_set_inv_prob(emc, 1);
    for (uint32_t i = 0; i < 8 * DP_EMC_ENTRIES; i++) {
        make_key(&key, i);
        insert(emc, &key, f);
    }
    assert_int_equal(dp_emc_count(emc), DP_EMC_ENTRIES);

    dp_emc_set_inv_prob(emc, DP_EMC_DEFAULT_INV_PROB);
    size_t n_inserted = 0;
    enum { N = 20000 };
    for (uint32_t i = 0; i < N; i++) {
        make_key(&key, 1000000 + i);
        n_inserted += insert(emc, &key, g);
    }
    /* Expect N / 100 = 200; the bounds are over 7 standard deviations. */
    assert_true(n_inserted > 100);
    assert_true(n_inserted < 300);
    /* Each entry holds a reference; a new key may evict an older one. */
    assert_true(refcnt(g) > 1);
    assert_true(refcnt(g) <= 1 + n_inserted);
    assert_int_equal(refcnt(f) + refcnt(g), 2 + DP_EMC_ENTRIES);

    /* A key already cached is always updated, even with inserts off. */
    dp_emc_set_inv_prob(emc, 0);
    make_key(&key, 8 * DP_EMC_ENTRIES - 1);     /* The last one in. */
    assert_ptr_equal(lookup(emc, &key), f);
    assert_true(insert(emc, &key, g));
    assert_ptr_equal(lookup(emc, &key), g);

    dp_emc_destroy(emc);
    dp_flow_unref(f);
    dp_flow_unref(g);
}

/* A dead flow is a miss, its entry is cleared, and its slots are free for
 * new keys whatever the probability. */
static void
test_dead_flow(void **state)
{
    struct dp_emc *emc = dp_emc_create();
    struct dp_flow *f = make_flow(1), *g = make_flow(2);
    struct flow key;

    make_key(&key, 1);
    assert_true(insert(emc, &key, f));
    atomic_store(&f->dead, true);
    assert_null(lookup(emc, &key));
    assert_int_equal(dp_emc_count(emc), 0);
    assert_int_equal(refcnt(f), 1);

    /* Fill the cache with F, then kill F. */
    atomic_store(&f->dead, false);
    dp_emc_set_inv_prob(emc, 1);
    for (uint32_t i = 0; i < 8 * DP_EMC_ENTRIES; i++) {
        make_key(&key, i);
        insert(emc, &key, f);
    }
    assert_int_equal(dp_emc_count(emc), DP_EMC_ENTRIES);
    atomic_store(&f->dead, true);

    /* A one-in-a-billion probability: only dead slots take keys. */
    dp_emc_set_inv_prob(emc, 1000000000);
    size_t n_inserted = 0;
    for (uint32_t i = 0; i < 1000; i++) {
        make_key(&key, 1000000 + i);
        uint32_t hash = dp_emc_hash(&key);
        bool live1 = emc->entries[dp_emc_slot1(hash)].flow == g;
        bool live2 = emc->entries[dp_emc_slot2(hash)].flow == g;
        bool inserted = insert(emc, &key, g);
        if (!live1 || !live2) {
            /* A slot held dead F (or nothing). */
            assert_true(inserted);
            assert_ptr_equal(lookup(emc, &key), g);
        }
        n_inserted += inserted;
    }
    assert_true(n_inserted > 900);
    assert_int_equal(dp_emc_count(emc), DP_EMC_ENTRIES);
    assert_int_equal(refcnt(f) + refcnt(g), 2 + DP_EMC_ENTRIES);

    dp_emc_destroy(emc);
    assert_int_equal(refcnt(f), 1);
    assert_int_equal(refcnt(g), 1);
    dp_flow_unref(f);
    dp_flow_unref(g);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hash),
        cmocka_unit_test(test_hit_miss),
        cmocka_unit_test(test_eviction),
        cmocka_unit_test(test_probability),
        cmocka_unit_test(test_dead_flow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
