/* Unit tests for ofproto/xlate and normal.c: OpenFlow actions and
 * instructions to datapath actions, megaflow masks, resubmit loops,
 * NORMAL with MAC learning through the upcall handler, and megaflow stats
 * pushed back to rules, ports and MAC ages. */
#include "unit.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <stdatomic.h>

#include "dp-actions.h"
#include "dynamic-string.h"
#include "ofp-parse.h"
#include "ofproto/ofproto-private.h"
#include "ofproto/ofproto-upcall.h"
#include "ofproto/rcu.h"
#include "ofproto/xlate.h"

/* br0: ports 1 to 4 are datapath ports 101 to 104, LOCAL is 100. */
static int
setup(void **state)
{
    struct ofproto *p;
    char *error;

    assert_int_equal(ofproto_create("br0", &p), 0);
    for (uint32_t i = 0; i <= 4; i++) {
        struct ofproto_port_settings s;
        char name[8];
        memset(&s, 0, sizeof s);
        snprintf(name, sizeof name, "p%u", i);
        s.name = i ? name : "br0";
        s.ofp_port = i ? i : OFPP_LOCAL;
        s.dp_port = 100 + i;
        vlan_port_config_init(&s.vlan);
        assert_int_equal(ofproto_port_set(p, &s, &error), 0);
    }
    *state = p;
    return 0;
}

static int
teardown(void **state)
{
    ofproto_destroy(*state);
    return 0;
}

static void
add(struct ofproto *p, const char *text)
{
    struct ofp_flow_mod fm;
    char *error = ofp_parse_flow_mod(&fm, text, OFP_FLOW_ADD, NULL, NULL);
    if (error) {
        fail_msg("%s: %s", text, error);
    }
    assert_int_equal(ofproto_flow_mod(p, &fm, &error), 0);
    ofp_flow_mod_uninit(&fm);
}

/* Translates the flow given as a match text; returns the datapath actions
 * as text (the caller frees it) and the mask in *WC. */
static char *
xl(struct ofproto *p, const char *flow_text, struct flow_wildcards *wc)
{
    struct match m;
    char *error = ofp_parse_match(&m, flow_text, NULL, NULL);
    if (error) {
        fail_msg("%s: %s", flow_text, error);
    }
    struct xlate_in xin = { .ofproto = p, .flow = m.flow };
    for (int i = 0; i < FLOW_MAX_VLANS; i++) {
        if (xin.flow.vlans[i].tci) {
            xin.flow.vlans[i].tpid = htons(ETH_TYPE_VLAN_8021Q);
        }
    }
    struct xlate_out xout;
    xlate_out_init(&xout);
    pthread_rwlock_rdlock(&ofproto_rwlock);
    int lock = rcu_read_lock();
    assert_int_equal(xlate_packet(&xin, &xout), 0);
    rcu_read_unlock(lock);
    pthread_rwlock_unlock(&ofproto_rwlock);
    if (wc) {
        *wc = xout.wc;
    }
    struct ds s = DS_EMPTY_INITIALIZER;
    dp_actions_format(&s, xout.actions.data, xout.actions.size);
    xlate_out_uninit(&xout);
    return ds_steal_cstr(&s);
}

#define ASSERT_XL(P, FLOW, EXPECTED)                    \
    do {                                                \
        char *a_ = xl(P, FLOW, NULL);                   \
        assert_string_equal(a_, EXPECTED);              \
        free(a_);                                       \
    } while (0)

static void
test_outputs(void **state)
{
    struct ofproto *p = *state;
    struct flow_wildcards wc;

    add(p, "priority=10,in_port=1 actions=output:2");
    char *a = xl(p, "in_port=1,tcp,tp_dst=80", &wc);
    assert_string_equal(a, "output:102");
    free(a);
    /* Only in_port was consulted: the widest megaflow. */
    assert_int_equal(wc.masks.in_port, UINT32_MAX);
    wc.masks.in_port = 0;
    assert_true(flow_wildcards_is_catchall(&wc));

    add(p, "priority=10,in_port=2 actions=output:2,in_port,local");
    ASSERT_XL(p, "in_port=2", "output:102,output:100");
    add(p, "priority=10,in_port=3 actions=all");
    ASSERT_XL(p, "in_port=3", "output:101,output:102,output:104,output:100");
    add(p, "priority=10,in_port=4 actions=flood");
    ASSERT_XL(p, "in_port=4", "output:101,output:102,output:103,output:100");
    add(p, "priority=10,in_port=LOCAL actions=output:9,output:1");
    ASSERT_XL(p, "in_port=LOCAL", "output:101");
}

static void
test_controller(void **state)
{
    struct ofproto *p = *state;
    add(p, "priority=10,in_port=1 actions=controller:100,output:2");

    struct match m;
    assert_null(ofp_parse_match(&m, "in_port=1", NULL, NULL));
    struct xlate_in xin = { .ofproto = p, .flow = m.flow };
    struct xlate_out xout;
    xlate_out_init(&xout);
    int lock = rcu_read_lock();
    xlate_packet(&xin, &xout);
    rcu_read_unlock(lock);
    assert_true(xout.slow);
    assert_int_equal(atomic_load(&p->n_controller), 1);
    xlate_out_uninit(&xout);
}

static void
test_vlan_actions(void **state)
{
    struct ofproto *p = *state;
    add(p, "priority=10,in_port=1 actions=mod_vlan_vid:10,output:2");
    ASSERT_XL(p, "in_port=1",
              "push_vlan(tpid=0x8100,vid=10,pcp=0),output:102");
    ASSERT_XL(p, "in_port=1,dl_vlan=20,dl_vlan_pcp=5",
              "set_vlan(vid=10,pcp=5),output:102");
    add(p, "priority=10,in_port=2 actions=strip_vlan,output:3");
    ASSERT_XL(p, "in_port=2,dl_vlan=20", "pop_vlan,output:103");
    ASSERT_XL(p, "in_port=2", "output:103");
    add(p, "priority=10,in_port=3 actions=push_vlan:0x88a8,output:4");
    ASSERT_XL(p, "in_port=3,dl_vlan=7",
              "push_vlan(tpid=0x88a8,vid=7,pcp=0),output:104");
    /* set_field on vlan_vid with the "present" bit makes a tag; on
     * dl_vlan_pcp without a tag it does nothing. */
    add(p, "priority=10,in_port=LOCAL actions=set_field:0x1005->vlan_vid,"
        "output:1,set_field:6->vlan_pcp,output:2");
    ASSERT_XL(p, "in_port=LOCAL",
              "push_vlan(tpid=0x8100,vid=5,pcp=0),output:101,"
              "set_vlan(vid=5,pcp=6),output:102");
    add(p, "priority=10,in_port=LOCAL actions=set_field:6->vlan_pcp,"
        "output:1");
    ASSERT_XL(p, "in_port=LOCAL", "output:101");
    /* At most XLATE_MAX_TAGS (8) tags: further pushes are skipped. */
    struct ds flow = DS_EMPTY_INITIALIZER, want = DS_EMPTY_INITIALIZER;
    ds_put_cstr(&flow, "priority=20,in_port=3,dl_vlan=9 actions=");
    for (int i = 0; i < 9; i++) {
        ds_put_cstr(&flow, "push_vlan:0x8100,");
        if (i < 7) {
            ds_put_cstr(&want, "push_vlan(tpid=0x8100,vid=9,pcp=0),");
        }
    }
    ds_put_cstr(&flow, "output:4");
    ds_put_cstr(&want, "output:104");
    add(p, ds_cstr(&flow));
    ASSERT_XL(p, "in_port=3,dl_vlan=9", ds_cstr(&want));
    ds_destroy(&flow);
    ds_destroy(&want);

    add(p, "priority=10,in_port=4 actions=mod_vlan_pcp:3,output:1,"
        "strip_vlan,output:2");
    ASSERT_XL(p, "in_port=4",
              "push_vlan(tpid=0x8100,vid=0,pcp=3),output:101,pop_vlan,"
              "output:102");
}

static void
test_field_actions(void **state)
{
    struct ofproto *p = *state;
    struct flow_wildcards wc;

    add(p, "priority=10,in_port=1 actions=mod_dl_src:02:00:00:00:00:09,"
        "mod_nw_dst:10.0.0.9,mod_tp_dst:8080,dec_ttl,output:2");
    char *a = xl(p, "in_port=1,tcp,nw_ttl=64", &wc);
    assert_string_equal(a, "set(eth(src=02:00:00:00:00:09)),"
                        "set(ipv4(dst=10.0.0.9,ttl=63)),"
                        "set(l4(dst=8080)),output:102");
    free(a);
    /* dec_ttl read the TTL; the rewrites read nothing of the packet. */
    assert_int_equal(wc.masks.nw_ttl, 0xff);
    assert_int_equal(wc.masks.nw_dst, 0);

    /* Not IPv4: the IP rewrites are skipped, the MAC one is not. */
    ASSERT_XL(p, "in_port=1,arp",
              "set(eth(src=02:00:00:00:00:09)),output:102");
    /* TTL 1: dec_ttl drops the packet (no controller). */
    ASSERT_XL(p, "in_port=1,tcp,nw_ttl=1", "drop");

    add(p, "priority=10,in_port=2 actions=set_field:10.1.1.1->nw_src,"
        "set_field:99->udp_src,output:3");
    ASSERT_XL(p, "in_port=2,udp",
              "set(ipv4(src=10.1.1.1)),set(l4(src=99)),output:103");
}

static void
test_resubmit_and_loops(void **state)
{
    struct ofproto *p = *state;
    struct flow_wildcards wc;

    add(p, "priority=10,in_port=1 actions=resubmit(2,1),output:4");
    add(p, "table=1,priority=10,in_port=2 actions=output:3");
    ASSERT_XL(p, "in_port=1", "output:103,output:104");

    /* A loop is cut at the depth limit, counted, and drops the packet. */
    add(p, "priority=10,in_port=2 actions=output:3,resubmit(,0)");
    char *a = xl(p, "in_port=2", &wc);
    assert_string_equal(a, "drop");
    free(a);
    assert_int_equal(atomic_load(&p->n_resubmit_loops), 1);
}

static void
test_instructions(void **state)
{
    struct ofproto *p = *state;

    add(p, "priority=10,in_port=1 actions=write_actions(output:2),"
        "goto_table:1");
    add(p, "table=1,priority=10,in_port=1 actions=output:3");
    ASSERT_XL(p, "in_port=1", "output:103,output:102");

    add(p, "table=1,priority=20,in_port=1,tcp actions=clear_actions");
    ASSERT_XL(p, "in_port=1,tcp", "drop");

    add(p, "priority=10,in_port=2 actions=write_metadata:0x5/0xff,"
        "goto_table:2");
    add(p, "table=2,priority=10,metadata=0x5 actions=output:4");
    add(p, "table=2,priority=5 actions=output:1");
    ASSERT_XL(p, "in_port=2", "output:104");

    /* A miss in a later table drops. */
    add(p, "priority=10,in_port=3 actions=goto_table:9");
    ASSERT_XL(p, "in_port=3", "drop");
}

/* Runs a packet through the upcall handler as the datapath would. */
static char *
upcall(uint32_t dp_port, const char *src, const char *dst,
       struct flow_wildcards *mask)
{
    struct flow key;
    struct match m;
    char *text = xasprintf("dl_src=%s,dl_dst=%s,ip", src, dst);
    assert_null(ofp_parse_match(&m, text, NULL, NULL));
    free(text);
    key = m.flow;
    key.in_port = dp_port;
    struct dp_upcall up = {
        .type = DP_UPCALL_MISS, .key = &key, .size = 60,
    };
    struct dp_upcall_result r;
    dp_actions_init(&r.actions);
    memset(&r.mask, 0, sizeof r.mask);
    r.install = true;
    assert_int_equal(ofproto_upcall_ops.upcall(NULL, &up, &r), 0);
    struct ds s = DS_EMPTY_INITIALIZER;
    dp_actions_format(&s, r.actions.data, r.actions.size);
    dp_actions_uninit(&r.actions);
    if (mask) {
        *mask = r.mask;
    }
    return ds_steal_cstr(&s);
}

#define A_MAC "02:00:00:00:00:0a"
#define B_MAC "02:00:00:00:00:0b"

static void
test_normal_learning(void **state)
{
    struct ofproto *p = *state;
    struct flow_wildcards mask;

    uint64_t v = ofproto_upcall_ops.version(NULL);
    char *a = upcall(101, A_MAC, B_MAC, &mask);
    assert_string_equal(a, "output:102,output:103,output:104,output:100");
    free(a);
    assert_true(ofproto_upcall_ops.version(NULL) > v);   /* Learned. */
    assert_int_equal(mask.masks.in_port, UINT32_MAX);
    assert_int_equal(mask.masks.dl_src.ea[0], 0xff);
    assert_int_equal(mask.masks.dl_dst.ea[5], 0xff);
    assert_int_equal(mask.masks.metadata, 0);

    /* B answers: A is known on port 1. */
    a = upcall(102, B_MAC, A_MAC, NULL);
    assert_string_equal(a, "output:101");
    free(a);
    /* And now B is known too. */
    v = ofproto_upcall_ops.version(NULL);
    a = upcall(101, A_MAC, B_MAC, NULL);
    assert_string_equal(a, "output:102");
    free(a);
    assert_int_equal(ofproto_upcall_ops.version(NULL), v);  /* Nothing
                                                             * new. */
    /* A moves to port 3: relearned there. */
    a = upcall(103, A_MAC, "ff:ff:ff:ff:ff:ff", NULL);
    assert_string_equal(a, "output:101,output:102,output:104,output:100");
    free(a);
    a = upcall(102, B_MAC, A_MAC, NULL);
    assert_string_equal(a, "output:103");
    free(a);
    /* To the port it came from: dropped. */
    a = upcall(103, "02:00:00:00:00:0c", A_MAC, NULL);
    assert_string_equal(a, "drop");
    free(a);
    /* Reserved multicast is never forwarded. */
    a = upcall(101, A_MAC, "01:80:c2:00:00:00", NULL);
    assert_string_equal(a, "drop");
    free(a);
    /* A port no bridge has: a drop megaflow on that port. */
    a = upcall(999, A_MAC, B_MAC, &mask);
    assert_string_equal(a, "drop");
    free(a);
    assert_int_equal(mask.masks.in_port, UINT32_MAX);

    /* Counters: rx on the input ports, the NORMAL flow's packets. */
    struct ofp_flow_stats *stats;
    size_t n;
    ofproto_dump_flows(p, NULL, &stats, &n);
    assert_int_equal(n, 1);
    assert_int_equal(stats[0].n_packets, 7);
    assert_int_equal(stats[0].n_bytes, 7 * 60);
    free(stats);
    struct ofp_port_stats *ps;
    assert_int_equal(ofproto_port_stats(p, 1, &ps, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(ps[0].rx_packets, 3);
    assert_int_equal(ps[0].tx_packets, 2);
    free(ps);
}

/* PMD-like threads send packets through the upcall handler, and push
 * stats as the revalidator does, while the control thread changes flows,
 * ports and the MAC table: every answer is a well-formed action list
 * (AddressSanitizer catches any use of freed rules, actions or ports). */
struct upcall_thread {
    pthread_t thread;
    unsigned int seed;
    atomic_bool *stop;
    long n_upcalls;
    long n_bad;
};

static void *
upcall_main(void *arg_)
{
    struct upcall_thread *arg = arg_;
    while (!atomic_load(arg->stop)) {
        struct flow key;
        memset(&key, 0, sizeof key);
        key.in_port = 101 + rand_r(&arg->seed) % 5;
        key.dl_src.ea[0] = 0x02;
        key.dl_src.ea[5] = rand_r(&arg->seed) % 8;
        key.dl_dst.ea[0] = 0x02;
        key.dl_dst.ea[5] = rand_r(&arg->seed) % 8;
        key.dl_type = htons(ETH_TYPE_IP);
        key.nw_proto = IP_PROTO_TCP;
        key.nw_ttl = 1 + rand_r(&arg->seed) % 3;
        if (rand_r(&arg->seed) % 2) {
            key.vlans[0].tpid = htons(ETH_TYPE_VLAN_8021Q);
            key.vlans[0].tci = htons(VLAN_CFI | 10);
        }
        struct dp_upcall up = {
            .type = DP_UPCALL_MISS, .key = &key, .size = 64,
        };
        struct dp_upcall_result r;
        dp_actions_init(&r.actions);
        memset(&r.mask, 0, sizeof r.mask);
        r.install = true;
        if (ofproto_upcall_ops.upcall(NULL, &up, &r)
            || dp_actions_validate(r.actions.data, r.actions.size)
            || r.mask.masks.in_port != UINT32_MAX) {
            arg->n_bad++;
        }
        dp_actions_uninit(&r.actions);
        arg->n_upcalls++;

        /* And as the revalidator would, the megaflow's stats. */
        struct dp_flow_stats_delta d = {
            .packets = 3, .bytes = 192, .used = ofproto_time_msec(),
        };
        ofproto_upcall_ops.push_stats(NULL, &key, &d);
    }
    return NULL;
}

static void
test_concurrent_upcalls(void **state)
{
    struct ofproto *p = *state;
    enum { N_THREADS = 2 };
    struct upcall_thread threads[N_THREADS];
    atomic_bool stop;
    char *error;

    atomic_init(&stop, false);
    for (int i = 0; i < N_THREADS; i++) {
        memset(&threads[i], 0, sizeof threads[i]);
        threads[i].seed = i + 1;
        threads[i].stop = &stop;
        assert_int_equal(pthread_create(&threads[i].thread, NULL,
                                        upcall_main, &threads[i]), 0);
    }
    for (int i = 0; i < 150; i++) {
        char *text = xasprintf("priority=%d,in_port=%d,tcp actions=dec_ttl,"
                               "mod_vlan_vid:%d,resubmit(,1),NORMAL",
                               100 + i % 7, 1 + i % 4, i % 4095);
        add(p, text);
        free(text);
        add(p, "table=1,actions=output:3,strip_vlan,output:4");
        if (i % 3 == 0) {
            struct ofp_flow_mod fm;
            assert_null(ofp_parse_flow_mod(&fm, "in_port=2", OFP_FLOW_DELETE,
                                           NULL, NULL));
            assert_int_equal(ofproto_flow_mod(p, &fm, &error), 0);
            ofp_flow_mod_uninit(&fm);
        }
        if (i % 5 == 0) {
            struct ofproto_port_settings s;
            memset(&s, 0, sizeof s);
            s.name = "p2";
            s.ofp_port = 2;
            s.dp_port = 102;
            vlan_port_config_init(&s.vlan);
            s.vlan.tag = i % 2 ? 10 : -1;
            assert_int_equal(ofproto_port_set(p, &s, &error), 0);
        }
        if (i % 7 == 0) {
            assert_int_equal(ofproto_port_del(p, 3), 0);
            struct ofproto_port_settings s;
            memset(&s, 0, sizeof s);
            s.name = "p3";
            s.ofp_port = 3;
            s.dp_port = 103;
            vlan_port_config_init(&s.vlan);
            assert_int_equal(ofproto_port_set(p, &s, &error), 0);
        }
        if (i % 11 == 0) {
            mac_learning_flush(p->ml, UINT32_MAX);
        }
    }
    atomic_store(&stop, true);
    long n = 0;
    for (int i = 0; i < N_THREADS; i++) {
        pthread_join(threads[i].thread, NULL);
        assert_int_equal(threads[i].n_bad, 0);
        n += threads[i].n_upcalls;
    }
    assert_true(n > 0);
}

/* Stats pushes (dp_upcall_ops.push_stats) under a clock the test
 * drives. */
static long long fake_now;

static long long int
fake_clock(void)
{
    return fake_now;
}

static int
setup_clock(void **state)
{
    fake_now = 1000000;
    ofproto_set_clock(fake_clock);
    return setup(state);
}

static int
teardown_clock(void **state)
{
    teardown(state);
    ofproto_set_clock(NULL);
    return 0;
}

/* Pushes PACKETS packets of BYTES bytes, the last at USED, for the
 * megaflow on datapath port DP_PORT with key MATCH_TEXT. */
static void
push(uint32_t dp_port, const char *match_text, uint64_t packets,
     uint64_t bytes, long long used)
{
    struct match m;
    assert_null(ofp_parse_match(&m, match_text, NULL, NULL));
    m.flow.in_port = dp_port;
    struct dp_flow_stats_delta d = {
        .packets = packets, .bytes = bytes, .used = used,
    };
    ofproto_upcall_ops.push_stats(NULL, &m.flow, &d);
}

/* The stats of the flow in TABLE with PRIORITY. */
static struct ofp_flow_stats
flow_stats(struct ofproto *p, uint8_t table, uint16_t priority)
{
    struct ofp_flow_stats *stats, fs;
    size_t n;
    ofproto_dump_flows(p, NULL, &stats, &n);
    for (size_t i = 0; i < n; i++) {
        if (stats[i].table_id == table && stats[i].priority == priority) {
            fs = stats[i];
            free(stats);
            return fs;
        }
    }
    fail_msg("no flow in table %u with priority %u", table, priority);
    memset(&fs, 0, sizeof fs);
    return fs;
}

static struct ofp_port_stats
port_stats(struct ofproto *p, uint32_t port)
{
    struct ofp_port_stats *ps, s;
    size_t n;
    assert_int_equal(ofproto_port_stats(p, port, &ps, &n), 0);
    assert_int_equal(n, 1);
    s = ps[0];
    free(ps);
    return s;
}

static void
test_push_stats_rules(void **state)
{
    struct ofproto *p = *state;

    add(p, "priority=10,in_port=1 actions=resubmit(,1),output:4");
    add(p, "table=1,priority=10 actions=write_metadata:0x1,goto_table:2");
    add(p, "table=2,priority=10,ip actions=output:2");
    add(p, "table=2,priority=5 actions=output:3");
    uint64_t v = ofproto_version();

    fake_now += 5000;
    push(101, "ip,nw_proto=1", 40, 4000, fake_now - 100);
    /* Every rule the translation went through, resubmit and goto_table
     * included; none other. */
    struct ofp_flow_stats fs = flow_stats(p, 0, 10);
    assert_int_equal(fs.n_packets, 40);
    assert_int_equal(fs.n_bytes, 4000);
    assert_int_equal(fs.idle_age, 0);
    fs = flow_stats(p, 1, 10);
    assert_int_equal(fs.n_packets, 40);
    assert_int_equal(fs.n_bytes, 4000);
    fs = flow_stats(p, 2, 10);
    assert_int_equal(fs.n_packets, 40);
    assert_int_equal(fs.n_bytes, 4000);
    assert_int_equal(flow_stats(p, 2, 5).n_packets, 0);
    assert_int_equal(flow_stats(p, 0, 0).n_packets, 0);   /* NORMAL. */
    assert_int_equal(flow_stats(p, 2, 5).idle_age, 5);

    /* Ports: rx on the input one, tx on each output. */
    struct ofp_port_stats ps = port_stats(p, 1);
    assert_int_equal(ps.rx_packets, 40);
    assert_int_equal(ps.rx_bytes, 4000);
    assert_int_equal(ps.tx_packets, 0);
    assert_int_equal(port_stats(p, 2).tx_packets, 40);
    assert_int_equal(port_stats(p, 4).tx_bytes, 4000);
    assert_int_equal(port_stats(p, 3).tx_packets, 0);

    /* A later push adds; an older "used" never takes the age back. */
    fake_now += 3000;
    push(101, "ip,nw_proto=1", 2, 100, fake_now - 2500);
    fs = flow_stats(p, 2, 10);
    assert_int_equal(fs.n_packets, 42);
    assert_int_equal(fs.n_bytes, 4100);
    assert_int_equal(fs.idle_age, 2);
    push(101, "ip,nw_proto=1", 1, 60, fake_now - 7000);
    assert_int_equal(flow_stats(p, 2, 10).idle_age, 2);

    /* Not IP: table 2's other rule. */
    push(101, "arp", 3, 180, fake_now);
    assert_int_equal(flow_stats(p, 2, 5).n_packets, 3);
    assert_int_equal(port_stats(p, 3).tx_packets, 3);
    assert_int_equal(flow_stats(p, 0, 10).n_packets, 46);

    /* A port no bridge has: nothing credited, nothing broken. */
    push(999, "ip", 5, 300, fake_now);
    assert_int_equal(flow_stats(p, 0, 10).n_packets, 46);

    /* Nothing of it changed the version. */
    assert_int_equal(ofproto_version(), v);
}

static void
test_push_stats_idle_timeout(void **state)
{
    struct ofproto *p = *state;

    add(p, "priority=20,in_port=2,idle_timeout=3 actions=output:1");
    ofproto_run();

    /* Traffic through a megaflow, pushed every 2 s, keeps it. */
    for (int i = 0; i < 4; i++) {
        fake_now += 2000;
        push(102, "ip", 10, 600, fake_now - 200);
        ofproto_run();
        assert_int_equal(flow_stats(p, 0, 20).n_packets, 10 * (i + 1));
    }
    /* Then none: it goes after 3 s. */
    fake_now += 2000;
    ofproto_run();
    assert_int_equal(ofproto_n_flows(p), 2);
    fake_now += 1500;
    ofproto_run();
    assert_int_equal(ofproto_n_flows(p), 1);
}

static void
test_push_stats_mac_ages(void **state)
{
    struct ofproto *p = *state;
    const char *a_to_b = "dl_src=" A_MAC ",dl_dst=" B_MAC ",ip";
    const char *b_to_a = "dl_src=" B_MAC ",dl_dst=" A_MAC ",ip";
    struct eth_addr a_mac = { { 2, 0, 0, 0, 0, 0x0a } };
    uint32_t port;

    ofproto_set_mac_aging(p, 10);
    char *a = upcall(101, A_MAC, B_MAC, NULL);
    free(a);
    a = upcall(102, B_MAC, A_MAC, NULL);
    free(a);
    uint64_t v = ofproto_version();

    /* A and B keep sending through their megaflows for 25 s, more than
     * twice the aging time: their entries stay, and the version does not
     * move. */
    for (int i = 0; i < 5; i++) {
        fake_now += 5000;
        push(101, a_to_b, 50, 3000, fake_now - 100);
        push(102, b_to_a, 50, 3000, fake_now - 300);
        ofproto_run();
        assert_true(mac_learning_lookup(p->ml, 0, a_mac, fake_now, &port));
        assert_int_equal(port, 1);
    }
    assert_int_equal(mac_learning_count(p->ml), 2);
    assert_int_equal(ofproto_version(), v);
    assert_int_equal(flow_stats(p, 0, 0).n_packets, 2 + 500);

    /* Silence: both age out (a change). */
    fake_now += 10000;
    ofproto_run();
    assert_int_equal(mac_learning_count(p->ml), 0);
    assert_true(ofproto_version() > v);

    /* A source seen only through a push is learned (a change). */
    v = ofproto_version();
    push(101, a_to_b, 1, 60, fake_now);
    assert_true(ofproto_version() > v);
    assert_true(mac_learning_lookup(p->ml, 0, a_mac, fake_now, &port));
    assert_int_equal(port, 1);
    fake_now += 1000;
    v = ofproto_version();

    /* A moves to port 3: a change. */
    push(103, a_to_b, 1, 60, fake_now);
    assert_true(ofproto_version() > v);
    assert_true(mac_learning_lookup(p->ml, 0, a_mac, fake_now, &port));
    assert_int_equal(port, 3);

    /* A late push from port 1 (before the move) does not move it back. */
    v = ofproto_version();
    push(101, a_to_b, 1, 60, fake_now - 300);
    assert_int_equal(ofproto_version(), v);
    assert_true(mac_learning_lookup(p->ml, 0, a_mac, fake_now, &port));
    assert_int_equal(port, 3);

}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_outputs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_controller, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vlan_actions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_field_actions, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_resubmit_and_loops, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_instructions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_normal_learning, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_upcalls, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_push_stats_rules, setup_clock,
                                        teardown_clock),
        cmocka_unit_test_setup_teardown(test_push_stats_idle_timeout,
                                        setup_clock, teardown_clock),
        cmocka_unit_test_setup_teardown(test_push_stats_mac_ages,
                                        setup_clock, teardown_clock),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
