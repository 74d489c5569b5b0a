/* Unit tests for datapath/dp-cls and dp-flow: the megaflow classifier,
 * checked against a brute-force reference, and its RCU deferred frees. */
#include "unit.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <stdatomic.h>

#include <rte_rcu_qsbr.h>

#include "dp-cls.h"
#include "dp-flow.h"
#include "flow.h"

/* An RCU variable for up to MAX_THREADS readers. */
static struct rte_rcu_qsbr *
qsbr_create(unsigned int max_threads)
{
    size_t size = rte_rcu_qsbr_get_memsize(max_threads);
    struct rte_rcu_qsbr *v = aligned_alloc(64, (size + 63) / 64 * 64);
    assert_non_null(v);
    assert_int_equal(rte_rcu_qsbr_init(v, max_threads), 0);
    return v;
}

/* An action list of one OUTPUT to PORT. */
struct output_action {
    uint16_t type, len;
    uint32_t arg;
};

static struct output_action
output_to(uint32_t port)
{
    return (struct output_action) { 1, 8, port };
}

static uint32_t
action_port(const struct dp_flow *flow)
{
    const struct dp_flow_actions *a = dp_flow_get_actions(flow);
    struct output_action o;
    assert_int_equal(a->size, sizeof o);
    memcpy(&o, a->data, sizeof o);
    return o.arg;
}

/* Random keys from small domains, so that random megaflows match. */
static uint32_t rng_state = 12345;

static uint32_t
rnd(uint32_t n)
{
    rng_state = rng_state * 1103515245 + 12345;
    return (rng_state >> 8) % n;
}

static void
random_key(struct flow *key)
{
    memset(key, 0, sizeof *key);
    key->in_port = 1 + rnd(3);
    key->dl_type = htons(rnd(2) ? ETH_TYPE_IP : ETH_TYPE_IPV6);
    key->dl_src.ea[5] = rnd(4);
    key->nw_src = htonl(0x0a000000 | rnd(8));
    key->nw_dst = htonl(0x0a000100 | rnd(4));
    key->nw_proto = rnd(2) ? IP_PROTO_TCP : IP_PROTO_UDP;
    key->tp_dst = htons(rnd(3) + 80);
}

/* A random mask: each field wholly, partly or not at all. */
static void
random_mask(struct flow_wildcards *wc)
{
    struct flow *m = &wc->masks;
    memset(wc, 0, sizeof *wc);
    if (rnd(2)) {
        m->in_port = UINT32_MAX;
    }
    if (rnd(2)) {
        m->dl_type = UINT16_MAX;
    }
    if (!rnd(3)) {
        memset(&m->dl_src, 0xff, sizeof m->dl_src);
    }
    switch (rnd(3)) {
    case 0: break;
    case 1: m->nw_src = htonl(0xfffffffc); break;
    case 2: m->nw_src = UINT32_MAX; break;
    }
    if (rnd(2)) {
        m->nw_dst = UINT32_MAX;
    }
    if (!rnd(3)) {
        m->nw_proto = UINT8_MAX;
    }
    if (!rnd(3)) {
        m->tp_dst = UINT16_MAX;
    }
}

/* The brute-force reference: the installed flows. */
struct ref_flow {
    struct flow key;            /* Masked. */
    struct flow_wildcards mask;
    struct dp_flow *flow;       /* Our own reference. */
};

struct ref {
    struct ref_flow *flows;
    size_t n, allocated;
};

static bool
ref_matches(const struct ref_flow *r, const struct flow *key)
{
    return flow_equal_in_mask(key, &r->key, &r->mask);
}

static size_t
ref_n_matches(const struct ref *ref, const struct flow *key)
{
    size_t n = 0;
    for (size_t i = 0; i < ref->n; i++) {
        n += ref_matches(&ref->flows[i], key);
    }
    return n;
}

static struct ref_flow *
ref_find_exact(struct ref *ref, const struct flow *key,
               const struct flow_wildcards *mask)
{
    for (size_t i = 0; i < ref->n; i++) {
        struct ref_flow *r = &ref->flows[i];
        if (!memcmp(&r->mask, mask, sizeof *mask)
            && flow_equal_in_mask(key, &r->key, mask)) {
            return r;
        }
    }
    return NULL;
}

static struct ref_flow *
ref_of(struct ref *ref, const struct dp_flow *flow)
{
    for (size_t i = 0; i < ref->n; i++) {
        if (ref->flows[i].flow == flow) {
            return &ref->flows[i];
        }
    }
    return NULL;
}

static void
ref_destroy(struct ref *ref)
{
    for (size_t i = 0; i < ref->n; i++) {
        dp_flow_unref(ref->flows[i].flow);
    }
    free(ref->flows);
}

/* Checks a lookup of the N keys against REF. */
static void
check_lookup(struct dp_cls *cls, struct ref *ref, struct flow *keys,
             size_t n)
{
    const struct flow *kp[DP_CLS_MAX_BURST];
    struct dp_flow *flows[DP_CLS_MAX_BURST];
    uint64_t n_lookups = 0;
    size_t expected = 0;

    for (size_t i = 0; i < n; i++) {
        kp[i] = &keys[i];
    }
    size_t found = dp_cls_lookup(cls, kp, n, flows, &n_lookups);
    for (size_t i = 0; i < n; i++) {
        size_t n_ref = ref_n_matches(ref, &keys[i]);
        if (!n_ref) {
            assert_null(flows[i]);
            continue;
        }
        expected++;
        assert_non_null(flows[i]);
        struct ref_flow *r = ref_of(ref, flows[i]);
        assert_non_null(r);
        assert_true(ref_matches(r, &keys[i]));
        assert_false(dp_flow_is_dead(flows[i]));
    }
    assert_int_equal(found, expected);
    assert_true(n_lookups >= found);
    assert_true(n_lookups <= found * dp_cls_n_subtables(cls));
}

/* Inserts, removes and lookups in random order; the classifier always
 * agrees with the brute force. */
static void
test_randomized(void **state)
{
    struct rte_rcu_qsbr *qsbr = qsbr_create(1);
    assert_int_equal(rte_rcu_qsbr_thread_register(qsbr, 0), 0);
    rte_rcu_qsbr_thread_online(qsbr, 0);

    struct dp_cls *cls = dp_cls_create(qsbr, 7);
    struct ref ref = { NULL, 0, 0 };
    size_t n_inserts = 0, n_removes = 0, n_exists = 0, n_hits = 0;
    size_t n_lookups = 0, max_subtables = 0;

    for (int iter = 0; iter < 12000; iter++) {
        /* Keep about 150 live flows, so the brute force stays fast
         * and the classifier still has many subtables and collisions. */
        uint32_t op = ref.n >= 150 ? 30 + rnd(70) : rnd(100);
        if (op < 30) {
            struct flow key;
            struct flow_wildcards mask;
            random_key(&key);
            random_mask(&mask);
            struct output_action act = output_to(iter);
            struct ref_flow *old = ref_find_exact(&ref, &key, &mask);
            struct dp_flow *flow;
            int error = dp_cls_insert(cls, &key, &mask, &act, sizeof act,
                                      3, &flow);
            if (old) {
                assert_int_equal(error, EEXIST);
                assert_ptr_equal(flow, old->flow);
                n_exists++;
                continue;
            }
            assert_int_equal(error, 0);
            assert_int_equal(flow->pmd_id, 7);
            assert_int_equal(dp_flow_get_version(flow), 3);
            assert_int_equal(action_port(flow), iter);
            assert_memory_equal(&flow->mask->wc, &mask, sizeof mask);
            struct flow masked = key;
            flow_zero_wildcards(&masked, &mask);
            assert_memory_equal(&flow->key, &masked, sizeof masked);

            if (ref.n == ref.allocated) {
                ref.allocated = ref.allocated ? 2 * ref.allocated : 64;
                ref.flows = xrealloc(ref.flows,
                                     ref.allocated * sizeof *ref.flows);
            }
            ref.flows[ref.n++] = (struct ref_flow) {
                masked, mask, dp_flow_ref(flow)
            };
            n_inserts++;
        } else if (op < 45) {
            if (!ref.n) {
                continue;
            }
            /* Remove a random flow and forget it (the classifier must
             * not return it any more). */
            size_t i = rnd(ref.n);
            struct dp_flow *flow = ref.flows[i].flow;
            assert_int_equal(dp_cls_remove(cls, flow), 0);
            assert_true(dp_flow_is_dead(flow));
            assert_int_equal(dp_cls_remove(cls, flow), ENOENT);
            dp_flow_unref(flow);
            ref.flows[i] = ref.flows[--ref.n];
            n_removes++;
        } else {
            struct flow keys[DP_CLS_MAX_BURST];
            size_t n = 1 + rnd(DP_CLS_MAX_BURST);
            n_lookups++;
            for (size_t i = 0; i < n; i++) {
                random_key(&keys[i]);
                n_hits += ref_n_matches(&ref, &keys[i]) > 0;
            }
            check_lookup(cls, &ref, keys, n);
        }
        assert_int_equal(dp_cls_count(cls), ref.n);
        max_subtables = MAX(max_subtables, dp_cls_n_subtables(cls));
        if (!rnd(10)) {
            rte_rcu_qsbr_quiescent(qsbr, 0);
        }
        if (!rnd(500)) {
            dp_cls_rerank(cls, iter * 10);
        }
    }
    /* The test exercised what it claims to. */
    assert_true(n_inserts > 1000);
    assert_true(n_removes > 500);
    assert_true(n_exists > 10);
    assert_true(n_hits > 1000);
    assert_true(n_lookups > 1000);
    assert_true(max_subtables > 20);

    rte_rcu_qsbr_quiescent(qsbr, 0);
    assert_int_equal(dp_cls_reclaim(cls), 0);
    dp_cls_destroy(cls);
    ref_destroy(&ref);
    free(qsbr);
}

static void
insert_exact(struct dp_cls *cls, uint32_t in_port, uint32_t port,
             struct dp_flow **flowp)
{
    struct flow key;
    struct flow_wildcards mask;
    memset(&key, 0, sizeof key);
    key.in_port = in_port;
    flow_wildcards_init_catchall(&mask);
    mask.masks.in_port = UINT32_MAX;
    struct output_action act = output_to(port);
    assert_int_equal(dp_cls_insert(cls, &key, &mask, &act, sizeof act, 1,
                                   flowp), 0);
}

/* Removed flows, old actions and emptied subtables are freed only after
 * every registered reader passed a quiescent state. */
static void
test_grace_period(void **state)
{
    struct rte_rcu_qsbr *qsbr = qsbr_create(2);
    assert_int_equal(rte_rcu_qsbr_thread_register(qsbr, 1), 0);
    rte_rcu_qsbr_thread_online(qsbr, 1);

    struct dp_cls *cls = dp_cls_create(qsbr, 0);
    struct dp_flow *flow;
    insert_exact(cls, 5, 9, &flow);
    rte_rcu_qsbr_quiescent(qsbr, 1);
    assert_int_equal(dp_cls_reclaim(cls), 0);

    /* New actions: the old list waits. */
    const struct dp_flow_actions *old = dp_flow_get_actions(flow);
    struct output_action act = output_to(10);
    dp_cls_set_actions(cls, flow, &act, sizeof act, 2);
    assert_int_equal(action_port(flow), 10);
    assert_int_equal(dp_flow_get_version(flow), 2);
    assert_int_equal(dp_cls_reclaim(cls), 1);
    assert_int_equal(old->size, sizeof act);    /* Still readable. */

    /* Removal: the flow stays readable until the reader is quiescent. */
    assert_int_equal(dp_cls_remove(cls, flow), 0);
    assert_int_equal(dp_cls_count(cls), 0);
    assert_int_equal(dp_cls_n_subtables(cls), 0);
    assert_true(dp_cls_reclaim(cls) > 1);
    assert_int_equal(flow->key.in_port, 5);
    assert_true(dp_flow_is_dead(flow));

    rte_rcu_qsbr_quiescent(qsbr, 1);
    assert_int_equal(dp_cls_reclaim(cls), 0);

    /* An offline reader does not hold anything back. */
    insert_exact(cls, 6, 9, &flow);
    rte_rcu_qsbr_thread_offline(qsbr, 1);
    assert_int_equal(dp_cls_remove(cls, flow), 0);
    assert_int_equal(dp_cls_reclaim(cls), 0);

    dp_cls_destroy(cls);
    free(qsbr);
}

/* Subtables are searched busiest first after a re-rank. */
static void
test_rerank(void **state)
{
    struct rte_rcu_qsbr *qsbr = qsbr_create(1);
    struct dp_cls *cls = dp_cls_create(qsbr, 0);
    struct dp_flow *a, *b;
    struct flow key;
    struct flow_wildcards mask;
    struct output_action act = output_to(1);

    /* Subtable 1: in_port; subtable 2: dl_type. */
    insert_exact(cls, 1, 1, &a);
    memset(&key, 0, sizeof key);
    key.dl_type = htons(ETH_TYPE_ARP);
    flow_wildcards_init_catchall(&mask);
    mask.masks.dl_type = UINT16_MAX;
    assert_int_equal(dp_cls_insert(cls, &key, &mask, &act, sizeof act, 1,
                                   &b), 0);
    assert_int_equal(dp_cls_n_subtables(cls), 2);

    key.in_port = 2;            /* Misses subtable 1, hits subtable 2. */
    const struct flow *kp[1] = { &key };
    struct dp_flow *found[1];
    uint64_t n_lookups = 0;
    for (int i = 0; i < 10; i++) {
        assert_int_equal(dp_cls_lookup(cls, kp, 1, found, &n_lookups), 1);
        assert_ptr_equal(found[0], b);
    }
    assert_int_equal(n_lookups, 20);

    dp_cls_rerank(cls, 500);    /* Too early: nothing changes. */
    n_lookups = 0;
    assert_int_equal(dp_cls_lookup(cls, kp, 1, found, &n_lookups), 1);
    assert_int_equal(n_lookups, 2);

    dp_cls_rerank(cls, 1000);
    n_lookups = 0;
    assert_int_equal(dp_cls_lookup(cls, kp, 1, found, &n_lookups), 1);
    assert_int_equal(n_lookups, 1);
    assert_ptr_equal(dp_cls_lookup_one(cls, kp[0]), b);

    dp_cls_destroy(cls);
    free(qsbr);
}

/* Dump, find_exact, flush, stats; many flows in one subtable (growth). */
static void
test_dump_flush_stats(void **state)
{
    struct rte_rcu_qsbr *qsbr = qsbr_create(1);
    struct dp_cls *cls = dp_cls_create(qsbr, 0);
    enum { N = 1000 };

    for (uint32_t i = 0; i < N; i++) {
        struct dp_flow *flow;
        insert_exact(cls, i, i + 1, &flow);
    }
    assert_int_equal(dp_cls_count(cls), N);
    assert_int_equal(dp_cls_n_subtables(cls), 1);

    struct flow key;
    memset(&key, 0, sizeof key);
    for (uint32_t i = 0; i < N; i++) {
        key.in_port = i;
        key.nw_src = htonl(i);          /* Wildcarded. */
        struct dp_flow *flow = dp_cls_lookup_one(cls, &key);
        assert_non_null(flow);
        assert_int_equal(action_port(flow), i + 1);
    }
    key.in_port = N;
    assert_null(dp_cls_lookup_one(cls, &key));

    struct flow_wildcards mask;
    flow_wildcards_init_catchall(&mask);
    mask.masks.in_port = UINT32_MAX;
    key.in_port = 17;
    struct dp_flow *f17 = dp_cls_find_exact(cls, &key, &mask);
    assert_non_null(f17);
    assert_int_equal(f17->key.in_port, 17);
    assert_int_equal(f17->key.nw_src, 0);   /* Stored masked. */
    mask.masks.nw_src = UINT32_MAX;
    assert_null(dp_cls_find_exact(cls, &key, &mask));

    /* Stats. */
    struct dp_flow_stats stats;
    dp_flow_stats_get(f17, &stats);
    assert_int_equal(stats.packets, 0);
    assert_int_equal(stats.used, 0);
    dp_flow_stats_add(f17, 3, 300, 1234, 0x02);
    dp_flow_stats_add(f17, 1, 60, 1240, 0x10);
    dp_flow_stats_get(f17, &stats);
    assert_int_equal(stats.packets, 4);
    assert_int_equal(stats.bytes, 360);
    assert_int_equal(stats.used, 1240);
    assert_int_equal(stats.tcp_flags, 0x12);

    struct dp_flow **flows;
    size_t n;
    dp_cls_dump(cls, &flows, &n);
    assert_int_equal(n, N);
    bool *seen = xcalloc(N, sizeof *seen);
    for (size_t i = 0; i < n; i++) {
        assert_false(seen[flows[i]->key.in_port]);
        seen[flows[i]->key.in_port] = true;
    }
    free(seen);

    assert_int_equal(dp_cls_flush(cls), N);
    assert_int_equal(dp_cls_count(cls), 0);
    assert_int_equal(dp_cls_n_subtables(cls), 0);
    key.in_port = 17;
    assert_null(dp_cls_lookup_one(cls, &key));
    assert_true(dp_flow_is_dead(f17));
    assert_int_equal(dp_cls_remove(cls, f17), ENOENT);

    /* The dump's references keep the flows alive after the flush. */
    for (size_t i = 0; i < n; i++) {
        assert_true(dp_flow_is_dead(flows[i]));
        dp_flow_unref(flows[i]);
    }
    free(flows);
    assert_int_equal(f17->key.in_port, 17);
    dp_flow_unref(f17);

    dp_cls_destroy(cls);
    free(qsbr);
}

/* A subtable grows with its flows and shrinks again as they go; every
 * flow stays findable throughout. */
static void
test_grow_shrink(void **state)
{
    struct rte_rcu_qsbr *qsbr = qsbr_create(1);
    struct dp_cls *cls = dp_cls_create(qsbr, 0);
    enum { N = 3000 };
    struct dp_flow **flows = xcalloc(N, sizeof *flows);
    struct flow key;
    memset(&key, 0, sizeof key);

    for (uint32_t i = 0; i < N; i++) {
        insert_exact(cls, i, i, &flows[i]);
    }
    for (uint32_t round = 0; round < 3; round++) {
        /* Remove all but every 10th, checking as we go. */
        for (uint32_t i = 0; i < N; i++) {
            if (i % 10 && flows[i]) {
                assert_int_equal(dp_cls_remove(cls, flows[i]), 0);
                flows[i] = NULL;
            }
            if (i % 97 == 0) {
                for (uint32_t j = 0; j < N; j += 7) {
                    key.in_port = j;
                    assert_ptr_equal(dp_cls_lookup_one(cls, &key),
                                     flows[j]);
                }
            }
        }
        assert_int_equal(dp_cls_count(cls), N / 10);
        /* And back. */
        for (uint32_t i = 0; i < N; i++) {
            if (!flows[i]) {
                insert_exact(cls, i, i, &flows[i]);
            }
        }
        for (uint32_t j = 0; j < N; j++) {
            key.in_port = j;
            assert_ptr_equal(dp_cls_lookup_one(cls, &key), flows[j]);
        }
    }
    free(flows);
    dp_cls_destroy(cls);
    free(qsbr);
}

/* A reader thread looks up without pause while this thread inserts and
 * removes: under AddressSanitizer, any free before the grace period ends
 * shows up as a use after free. */
struct reader_arg {
    struct dp_cls *cls;
    struct rte_rcu_qsbr *qsbr;
    atomic_bool stop;
    uint64_t n_found;
    uint64_t n_bad;             /* Wrong flows (no cmocka in threads). */
};

static void *
reader_main(void *arg_)
{
    struct reader_arg *arg = arg_;
    struct flow keys[DP_CLS_MAX_BURST];
    const struct flow *kp[DP_CLS_MAX_BURST];
    struct dp_flow *flows[DP_CLS_MAX_BURST];

    rte_rcu_qsbr_thread_register(arg->qsbr, 0);
    rte_rcu_qsbr_thread_online(arg->qsbr, 0);
    for (size_t i = 0; i < DP_CLS_MAX_BURST; i++) {
        memset(&keys[i], 0, sizeof keys[i]);
        kp[i] = &keys[i];
    }
    uint32_t x = 1;
    while (!atomic_load(&arg->stop)) {
        for (size_t i = 0; i < DP_CLS_MAX_BURST; i++) {
            x = x * 1103515245 + 12345;
            keys[i].in_port = (x >> 8) % 64;
        }
        arg->n_found += dp_cls_lookup(arg->cls, kp, DP_CLS_MAX_BURST,
                                      flows, NULL);
        for (size_t i = 0; i < DP_CLS_MAX_BURST; i++) {
            if (flows[i]) {
                /* Touch the flow and its actions. */
                const struct dp_flow_actions *a
                    = dp_flow_get_actions(flows[i]);
                struct output_action o;
                memcpy(&o, a->data, sizeof o);
                if (flows[i]->key.in_port != keys[i].in_port
                    || a->size != sizeof o
                    || o.arg % 64 != keys[i].in_port) {
                    arg->n_bad++;
                }
            }
        }
        rte_rcu_qsbr_quiescent(arg->qsbr, 0);
    }
    rte_rcu_qsbr_thread_offline(arg->qsbr, 0);
    rte_rcu_qsbr_thread_unregister(arg->qsbr, 0);
    return NULL;
}

static void
test_concurrent_reader(void **state)
{
    struct reader_arg arg;
    arg.qsbr = qsbr_create(1);
    arg.cls = dp_cls_create(arg.qsbr, 0);
    atomic_init(&arg.stop, false);
    arg.n_found = 0;
    arg.n_bad = 0;

    pthread_t reader;
    assert_int_equal(pthread_create(&reader, NULL, reader_main, &arg), 0);

    struct dp_flow *flows[64] = { NULL };
    for (uint32_t iter = 0; iter < 30000; iter++) {
        uint32_t port = iter % 64;
        if (flows[port]) {
            if (iter % 3) {
                struct output_action act = output_to(port + 64 * iter);
                dp_cls_set_actions(arg.cls, flows[port], &act, sizeof act,
                                   iter);
            } else {
                assert_int_equal(dp_cls_remove(arg.cls, flows[port]), 0);
                flows[port] = NULL;
            }
        } else {
            insert_exact(arg.cls, port, port, &flows[port]);
        }
        if (iter % 5000 == 0) {
            dp_cls_flush(arg.cls);
            memset(flows, 0, sizeof flows);
        }
    }
    atomic_store(&arg.stop, true);
    pthread_join(reader, NULL);
    assert_true(arg.n_found > 0);
    assert_int_equal(arg.n_bad, 0);

    assert_int_equal(dp_cls_reclaim(arg.cls), 0);
    dp_cls_destroy(arg.cls);
    free(arg.qsbr);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_randomized),
        cmocka_unit_test(test_grace_period),
        cmocka_unit_test(test_rerank),
        cmocka_unit_test(test_dump_flush_stats),
        cmocka_unit_test(test_grow_shrink),
        cmocka_unit_test(test_concurrent_reader),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
