/* Unit tests for ofproto/classifier: lookups checked against a brute-force
 * search, including the consulted-bits mask, and concurrent readers. */
#include "unit.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

#include "ofproto/classifier.h"
#include "ofproto/rcu.h"

/* A small deterministic PRNG, so that a failure can be replayed. */
static uint32_t rng_state;

static uint32_t
rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

static void
random_bytes(void *p_, size_t n)
{
    uint8_t *p = p_;
    for (size_t i = 0; i < n; i++) {
        p[i] = rng();
    }
}

/* Values come from small pools so that rules and packets meet often. */
static const uint32_t ports[] = { 1, 2, 3, 4 };
static const uint8_t protos[] = { IP_PROTO_TCP, IP_PROTO_UDP, IP_PROTO_ICMP };
static const uint16_t vids[] = { 0, 10, 20 };
static const uint16_t l4_ports[] = { 22, 80, 443, 8080 };

static be32
pool_ip(void)
{
    static const uint32_t nets[] = { 0x0a000000, 0x0a010000, 0xc0a80100 };
    return htonl(nets[rng() % ARRAY_SIZE(nets)] | (rng() % 4));
}

static struct eth_addr
pool_mac(void)
{
    struct eth_addr a = { { 0x02, 0, 0, 0, 0, rng() % 4 } };
    return a;
}

/* A random packet key from the pools (every field filled). */
static void
random_flow(struct flow *f)
{
    memset(f, 0, sizeof *f);
    f->in_port = ports[rng() % ARRAY_SIZE(ports)];
    f->dl_src = pool_mac();
    f->dl_dst = pool_mac();
    f->dl_type = htons(rng() % 4 ? ETH_TYPE_IP : ETH_TYPE_ARP);
    if (rng() % 2) {
        f->vlans[0].tpid = htons(ETH_TYPE_VLAN_8021Q);
        f->vlans[0].tci = htons(VLAN_CFI | vids[rng() % ARRAY_SIZE(vids)]);
    }
    f->nw_src = pool_ip();
    f->nw_dst = pool_ip();
    f->nw_proto = protos[rng() % ARRAY_SIZE(protos)];
    f->nw_ttl = 64;
    f->tp_src = htons(l4_ports[rng() % ARRAY_SIZE(l4_ports)]);
    f->tp_dst = htons(l4_ports[rng() % ARRAY_SIZE(l4_ports)]);
}

static be32
prefix_mask(int len)
{
    return len ? htonl(UINT32_MAX << (32 - len)) : 0;
}

/* A random rule: a random subset of fields, some with partial masks. */
static void
random_match(struct flow *f, struct flow_wildcards *wc)
{
    static const int prefixes[] = { 8, 16, 24, 30, 32 };
    struct flow *m = &wc->masks;

    random_flow(f);
    memset(wc, 0, sizeof *wc);
    if (rng() % 3 == 0) {
        m->in_port = UINT32_MAX;
    }
    if (rng() % 5 == 0) {
        memset(&m->dl_src, 0xff, sizeof m->dl_src);
    }
    if (rng() % 5 == 0) {
        memset(&m->dl_dst, 0xff, sizeof m->dl_dst);
        m->dl_dst.ea[5] = rng() % 2 ? 0xff : 0xfe;
    }
    if (rng() % 3 == 0) {
        m->dl_type = UINT16_MAX;
    }
    if (rng() % 4 == 0) {
        m->vlans[0].tci = htons(rng() % 2 ? VLAN_CFI | VLAN_VID_MASK
                                          : VLAN_CFI);
    }
    if (rng() % 3 == 0) {
        m->nw_src = prefix_mask(prefixes[rng() % ARRAY_SIZE(prefixes)]);
    }
    if (rng() % 3 == 0) {
        m->nw_dst = prefix_mask(prefixes[rng() % ARRAY_SIZE(prefixes)]);
    }
    if (rng() % 3 == 0) {
        m->nw_proto = UINT8_MAX;
    }
    if (rng() % 4 == 0) {
        m->tp_dst = htons(rng() % 2 ? 0xffff : 0xfff0);
    }
}

/* The brute-force answer: the highest priority among matching rules. */
static const struct cls_rule *
brute_lookup(struct cls_rule **rules, size_t n, const struct flow *flow)
{
    const struct cls_rule *best = NULL;
    for (size_t i = 0; i < n; i++) {
        if (rules[i] && cls_rule_matches(rules[i], flow)
            && (!best || rules[i]->priority > best->priority)) {
            best = rules[i];
        }
    }
    return best;
}

/* A packet that agrees with FLOW on every bit of WC and is random
 * elsewhere (either fully random or from the pools). */
static void
agreeing_flow(const struct flow *flow, const struct flow_wildcards *wc,
              struct flow *out)
{
    uint8_t a[sizeof *flow], m[sizeof *flow], r[sizeof *flow];
    struct flow other;

    if (rng() % 2) {
        random_flow(&other);
    } else {
        random_bytes(&other, sizeof other);
    }
    memcpy(a, flow, sizeof a);
    memcpy(m, &wc->masks, sizeof m);
    memcpy(r, &other, sizeof r);
    for (size_t i = 0; i < sizeof a; i++) {
        r[i] = (a[i] & m[i]) | (r[i] & ~m[i]);
    }
    memcpy(out, r, sizeof r);
}

/* Looks up many random packets and checks each answer, and the answer for
 * packets that agree with it on the consulted bits, against brute force. */
static void
check_lookups(struct classifier *cls, struct cls_rule **rules, size_t n,
              int n_packets)
{
    int n_wrong = 0, n_too_wide = 0;
    int lock = rcu_read_lock();
    for (int i = 0; i < n_packets; i++) {
        struct flow flow;
        struct flow_wildcards wc;

        random_flow(&flow);
        memset(&wc, 0, sizeof wc);
        const struct cls_rule *got = classifier_lookup(cls, &flow, &wc);
        const struct cls_rule *want = brute_lookup(rules, n, &flow);
        n_wrong += got != want;
        for (int j = 0; j < 8; j++) {
            struct flow other;
            agreeing_flow(&flow, &wc, &other);
            n_too_wide += brute_lookup(rules, n, &other) != want;
        }
    }
    /* Asserted outside the read-side section, which a failed assertion
     * would otherwise leave held. */
    rcu_read_unlock(lock);
    assert_int_equal(n_wrong, 0);
    assert_int_equal(n_too_wide, 0);
}

static void
test_randomized(void **state)
{
    enum { N_RULES = 300 };
    struct cls_rule *rules[N_RULES] = { NULL };
    struct classifier cls;

    (void) state;
    rng_state = 0x2545f491;
    classifier_init(&cls);
    for (int round = 0; round < 40; round++) {
        /* Change about a tenth of the slots: add, remove or replace. */
        for (int k = 0; k < N_RULES / 10; k++) {
            size_t i = rng() % N_RULES;
            if (rules[i]) {
                classifier_remove(&cls, rules[i]);
            }
            struct cls_rule *old = rules[i];
            rules[i] = NULL;
            if (rng() % 4) {
                struct flow f;
                struct flow_wildcards wc;
                random_match(&f, &wc);
                rules[i] = xmalloc(sizeof *rules[i]);
                /* Unique priorities: the right answer is unique. */
                cls_rule_init(rules[i], &f, &wc,
                              (int) (rng() % 1000) * N_RULES + (int) i);
                classifier_insert(&cls, rules[i]);
            }
            classifier_publish(&cls);
            free(old);      /* Published: no reader can see it. */
        }
        check_lookups(&cls, rules, N_RULES, 200);
    }
    size_t count = 0;
    for (int i = 0; i < N_RULES; i++) {
        if (rules[i]) {
            struct cls_rule *found = classifier_find_exactly(&cls, rules[i]);
            assert_ptr_equal(found, rules[i]);
            count++;
        }
    }
    assert_int_equal(classifier_count(&cls), count);
    size_t iterated = 0;
    struct cls_rule *r;
    CLASSIFIER_FOR_EACH (r, &cls) {
        iterated++;
    }
    assert_int_equal(iterated, count);
    classifier_destroy(&cls);
    for (int i = 0; i < N_RULES; i++) {
        free(rules[i]);
    }
}

/* Same keys at several priorities and overlapping equal priorities: the
 * answer is still a rule of the highest matching priority, and stable for
 * every packet agreeing on the consulted bits. */
static void
test_duplicates_and_ties(void **state)
{
    enum { N = 120 };
    struct cls_rule *rules[N];
    struct classifier cls;

    (void) state;
    rng_state = 12345;
    classifier_init(&cls);
    for (int i = 0; i < N; i++) {
        struct flow f;
        struct flow_wildcards wc;
        random_match(&f, &wc);
        rules[i] = xmalloc(sizeof *rules[i]);
        cls_rule_init(rules[i], &f, &wc, rng() % 5);
        classifier_insert(&cls, rules[i]);
    }
    classifier_publish(&cls);

    int n_bad = 0;
    int lock = rcu_read_lock();
    for (int i = 0; i < 2000; i++) {
        struct flow flow, other;
        struct flow_wildcards wc;
        random_flow(&flow);
        memset(&wc, 0, sizeof wc);
        const struct cls_rule *got = classifier_lookup(&cls, &flow, &wc);
        const struct cls_rule *want = brute_lookup(rules, N, &flow);
        n_bad += (got == NULL) != (want == NULL);
        if (got && want) {
            n_bad += !cls_rule_matches(got, &flow);
            n_bad += got->priority != want->priority;
        }
        for (int j = 0; j < 4; j++) {
            struct flow_wildcards wc2;
            agreeing_flow(&flow, &wc, &other);
            memset(&wc2, 0, sizeof wc2);
            n_bad += classifier_lookup(&cls, &other, &wc2) != got;
        }
    }
    rcu_read_unlock(lock);
    assert_int_equal(n_bad, 0);
    classifier_destroy(&cls);
    for (int i = 0; i < N; i++) {
        free(rules[i]);
    }
}

static const struct cls_rule *
locked_lookup(const struct classifier *cls, const struct flow *flow,
              struct flow_wildcards *wc)
{
    memset(wc, 0, sizeof *wc);
    int lock = rcu_read_lock();
    const struct cls_rule *rule = classifier_lookup(cls, flow, wc);
    rcu_read_unlock(lock);
    return rule;
}

/* A high-priority match on in_port alone leaves the lower subtables'
 * fields wildcarded: the megaflow is as wide as it can be. */
static void
test_priority_pruning_narrows_mask(void **state)
{
    struct classifier cls;
    struct cls_rule hi, lo;
    struct flow f, pkt;
    struct flow_wildcards wc, got;

    (void) state;
    classifier_init(&cls);
    memset(&f, 0, sizeof f);
    memset(&wc, 0, sizeof wc);
    f.in_port = 1;
    wc.masks.in_port = UINT32_MAX;
    cls_rule_init(&hi, &f, &wc, 100);
    memset(&f, 0, sizeof f);
    memset(&wc, 0, sizeof wc);
    f.nw_src = htonl(0x0a000001);
    wc.masks.nw_src = UINT32_MAX;
    cls_rule_init(&lo, &f, &wc, 50);
    classifier_insert(&cls, &hi);
    classifier_insert(&cls, &lo);
    classifier_publish(&cls);

    /* Each lookup in its own read-side section, asserted outside it, so
     * that a failure does not leave a section held. */
    memset(&pkt, 0, sizeof pkt);
    pkt.in_port = 1;
    pkt.nw_src = htonl(0x0a000001);
    assert_ptr_equal(locked_lookup(&cls, &pkt, &got), &hi);
    assert_int_equal(got.masks.in_port, UINT32_MAX);
    assert_int_equal(got.masks.nw_src, 0);

    /* Another port: both subtables consulted. */
    pkt.in_port = 2;
    assert_ptr_equal(locked_lookup(&cls, &pkt, &got), &lo);
    assert_int_equal(got.masks.in_port, UINT32_MAX);
    assert_int_equal(got.masks.nw_src, UINT32_MAX);

    /* Nothing matches: still both consulted, answer NULL. */
    pkt.nw_src = htonl(0x0a000002);
    assert_null(locked_lookup(&cls, &pkt, &got));
    assert_int_equal(got.masks.nw_src, UINT32_MAX);

    /* Removing takes effect only when published. */
    classifier_remove(&cls, &hi);
    pkt.in_port = 1;
    pkt.nw_src = htonl(0x0a000009);
    assert_ptr_equal(locked_lookup(&cls, &pkt, &got), &hi);
    classifier_publish(&cls);
    assert_null(locked_lookup(&cls, &pkt, &got));
    assert_int_equal(classifier_count(&cls), 1);
    classifier_destroy(&cls);
}

static void
test_empty(void **state)
{
    struct classifier cls;
    struct flow pkt;
    struct flow_wildcards wc;

    (void) state;
    classifier_init(&cls);
    memset(&pkt, 0, sizeof pkt);
    assert_null(locked_lookup(&cls, &pkt, &wc));
    classifier_publish(&cls);
    assert_null(locked_lookup(&cls, &pkt, &wc));
    assert_int_equal(classifier_count(&cls), 0);
    assert_null(classifier_first(&cls));
    classifier_destroy(&cls);
}

/* Readers in other threads look up while the writer replaces and frees
 * rules: every answer is a live rule that matches (AddressSanitizer
 * catches any use after free). */
struct reader_arg {
    struct classifier *cls;
    atomic_bool stop;
    atomic_long n_lookups;
    atomic_long n_bad;
};

static void *
reader_main(void *arg_)
{
    struct reader_arg *arg = arg_;
    struct flow pkt;

    memset(&pkt, 0, sizeof pkt);
    while (!atomic_load(&arg->stop)) {
        int lock = rcu_read_lock();
        for (uint32_t p = 0; p < 64; p++) {
            pkt.in_port = p;
            const struct cls_rule *r = classifier_lookup(arg->cls, &pkt,
                                                         NULL);
            if (r && (!cls_rule_matches(r, &pkt) || r->priority != 7)) {
                atomic_fetch_add(&arg->n_bad, 1);
            }
            atomic_fetch_add(&arg->n_lookups, 1);
        }
        rcu_read_unlock(lock);
    }
    return NULL;
}

static void
test_concurrent_readers(void **state)
{
    enum { N_THREADS = 2, N_PORTS = 64 };
    struct classifier cls;
    struct cls_rule *rules[N_PORTS] = { NULL };
    struct reader_arg arg = { .cls = &cls };
    pthread_t threads[N_THREADS];

    (void) state;
    rng_state = 99;
    classifier_init(&cls);
    atomic_init(&arg.stop, false);
    atomic_init(&arg.n_lookups, 0);
    atomic_init(&arg.n_bad, 0);
    for (int i = 0; i < N_THREADS; i++) {
        assert_int_equal(pthread_create(&threads[i], NULL, reader_main,
                                        &arg), 0);
    }
    /* Start changing only once the readers are reading. */
    while (atomic_load(&arg.n_lookups) == 0) {
        sched_yield();
    }
    for (int i = 0; i < 200; i++) {
        size_t p = rng() % N_PORTS;
        struct cls_rule *old = rules[p];
        if (old) {
            classifier_remove(&cls, old);
        }
        struct flow f;
        struct flow_wildcards wc;
        memset(&f, 0, sizeof f);
        memset(&wc, 0, sizeof wc);
        f.in_port = p;
        wc.masks.in_port = UINT32_MAX;
        rules[p] = xmalloc(sizeof *rules[p]);
        cls_rule_init(rules[p], &f, &wc, 7);
        classifier_insert(&cls, rules[p]);
        classifier_publish(&cls);
        /* Poison before freeing, so a reader that still used it would
         * see a rule that does not match. */
        if (old) {
            memset(old, 0xa5, sizeof *old);
            free(old);
        }
    }
    atomic_store(&arg.stop, true);
    for (int i = 0; i < N_THREADS; i++) {
        pthread_join(threads[i], NULL);
    }
    assert_int_equal(atomic_load(&arg.n_bad), 0);
    assert_true(atomic_load(&arg.n_lookups) > 0);
    classifier_destroy(&cls);
    for (int i = 0; i < N_PORTS; i++) {
        free(rules[i]);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_priority_pruning_narrows_mask),
        cmocka_unit_test(test_randomized),
        cmocka_unit_test(test_duplicates_and_ties),
        cmocka_unit_test(test_concurrent_readers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
