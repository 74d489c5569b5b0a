/* Unit tests for lib/match: matches, the field table, port numbers. */
#include "unit.h"

#include <arpa/inet.h>

#include "dynamic-string.h"
#include "match.h"

/* True if no bit is set in MATCH's flow where its mask is 0. */
static bool
is_normalized(const struct match *match)
{
    const uint8_t *f = (const uint8_t *) &match->flow;
    const uint8_t *m = (const uint8_t *) &match->wc.masks;
    for (size_t i = 0; i < sizeof match->flow; i++) {
        if (f[i] & ~m[i]) {
            return false;
        }
    }
    return true;
}

static void
check_format(const struct match *match, const char *expected)
{
    struct ds ds = DS_EMPTY_INITIALIZER;
    match_format(&ds, match, NULL);
    assert_string_equal(ds_cstr(&ds), expected);
    ds_destroy(&ds);
}

static struct eth_addr
eth(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint8_t e, uint8_t f)
{
    struct eth_addr x = { { a, b, c, d, e, f } };
    return x;
}

static void
test_catchall_and_exact(void **state)
{
    struct match m;
    struct flow flow;
    (void) state;

    match_init_catchall(&m);
    assert_true(match_is_catchall(&m));
    check_format(&m, "");

    memset(&flow, 0, sizeof flow);
    flow.in_port = 3;
    flow.dl_type = htons(ETH_TYPE_IP);
    flow.nw_proto = IP_PROTO_UDP;
    flow.tp_dst = htons(53);
    flow.pad0 = 7;              /* Padding never counts. */
    match_init_exact(&m, &flow);
    assert_false(match_is_catchall(&m));
    assert_int_equal(m.flow.pad0, 0);
    assert_int_equal(m.wc.masks.pad0, 0);
    assert_int_equal(m.wc.masks.in_port, UINT32_MAX);
    assert_true(is_normalized(&m));
}

static void
test_setters_normalize(void **state)
{
    struct match m;
    (void) state;

    match_init_catchall(&m);
    match_set_nw_src_masked(&m, htonl(0x0a000001), htonl(0xffffff00));
    assert_int_equal(ntohl(m.flow.nw_src), 0x0a000000);
    match_set_dl_src_masked(&m, eth(1, 2, 3, 4, 5, 6),
                            eth(0xff, 0xff, 0, 0, 0, 0xf0));
    struct eth_addr expected = eth(1, 2, 0, 0, 0, 0);
    assert_memory_equal(&m.flow.dl_src, &expected, 6);
    match_set_tp_dst_masked(&m, htons(0x1234), htons(0xff00));
    assert_int_equal(ntohs(m.flow.tp_dst), 0x1200);
    match_set_metadata_masked(&m, 0xabcd, 0xff);
    assert_true(m.flow.metadata == 0xcd);
    match_set_vlan_tci_masked(&m, htons(0xffff), htons(0x1000));
    assert_int_equal(ntohs(m.flow.vlans[0].tci), 0x1000);
    struct in6_addr ip, mask;
    inet_pton(AF_INET6, "2001:db8::ffff", &ip);
    inet_pton(AF_INET6, "ffff:ffff::", &mask);
    match_set_ipv6_src_masked(&m, &ip, &mask);
    inet_pton(AF_INET6, "2001:db8::", &ip);
    assert_memory_equal(&m.flow.ipv6_src, &ip, sizeof ip);
    assert_true(is_normalized(&m));

    /* A setter replaces the field: a wider mask after a narrower one. */
    match_set_nw_src_masked(&m, htonl(0x0a000001), htonl(0xffffffff));
    assert_int_equal(ntohl(m.flow.nw_src), 0x0a000001);
    assert_int_equal(ntohl(m.wc.masks.nw_src), 0xffffffff);
    match_set_nw_src_masked(&m, htonl(0x0a000001), 0);
    assert_int_equal(m.flow.nw_src, 0);
    assert_int_equal(m.wc.masks.nw_src, 0);
}

static void
test_vlan_setters(void **state)
{
    struct match m;
    (void) state;

    match_init_catchall(&m);
    match_set_dl_vlan(&m, 10);
    assert_int_equal(ntohs(m.flow.vlans[0].tci), VLAN_CFI | 10);
    assert_int_equal(ntohs(m.wc.masks.vlans[0].tci),
                     VLAN_CFI | VLAN_VID_MASK);
    match_set_dl_vlan_pcp(&m, 5);
    assert_int_equal(ntohs(m.flow.vlans[0].tci),
                     VLAN_CFI | 10 | (5 << VLAN_PCP_SHIFT));
    assert_int_equal(ntohs(m.wc.masks.vlans[0].tci), 0xffff);
    check_format(&m, "dl_vlan=10,dl_vlan_pcp=5");

    /* 0xffff: no tag. */
    match_set_dl_vlan(&m, 0xffff);
    assert_int_equal(m.flow.vlans[0].tci, 0);
    assert_int_equal(ntohs(m.wc.masks.vlans[0].tci), 0xffff);
    check_format(&m, "vlan_tci=0x0000");

    match_init_catchall(&m);
    match_set_dl_vlan_pcp(&m, 7);
    check_format(&m, "dl_vlan_pcp=7");
    match_init_catchall(&m);
    match_set_vlan_tci_masked(&m, htons(0x0005), htons(0x0fff));
    check_format(&m, "vlan_tci=0x0005/0x0fff");

    /* OpenFlow 1.3's vlan_vid leaves the PCP alone. */
    match_init_catchall(&m);
    match_set_vlan_vid_masked(&m, htons(VLAN_CFI), htons(VLAN_CFI));
    assert_int_equal(ntohs(m.wc.masks.vlans[0].tci), VLAN_CFI);
    check_format(&m, "vlan_tci=0x1000/0x1000");
    match_set_vlan_vid_masked(&m, 0, htons(VLAN_CFI | VLAN_VID_MASK));
    check_format(&m, "vlan_tci=0x0000/0x1fff");
    match_set_vlan_vid_masked(&m, htons(VLAN_CFI | 33), htons(0xffff));
    assert_int_equal(ntohs(m.wc.masks.vlans[0].tci), 0x1fff);
    check_format(&m, "dl_vlan=33");
}

static void
test_ip_setters(void **state)
{
    struct match m;
    (void) state;

    match_init_catchall(&m);
    match_set_dl_type(&m, htons(ETH_TYPE_IP));
    match_set_nw_dscp(&m, 0xb9);        /* ECN bits are dropped. */
    assert_int_equal(m.flow.nw_tos, 0xb8);
    assert_int_equal(m.wc.masks.nw_tos, 0xfc);
    match_set_nw_ecn(&m, 2);
    assert_int_equal(m.flow.nw_tos, 0xba);
    assert_int_equal(m.wc.masks.nw_tos, 0xff);
    match_set_nw_ttl(&m, 9);
    match_set_nw_proto(&m, IP_PROTO_ICMP);
    match_set_icmp_type(&m, 3);
    match_set_icmp_code(&m, 1);
    assert_int_equal(ntohs(m.flow.tp_src), 3);
    assert_int_equal(ntohs(m.flow.tp_dst), 1);
    assert_null(match_check_prereqs(&m));
    check_format(&m, "icmp,nw_tos=184,nw_ecn=2,nw_ttl=9,icmp_type=3,"
                 "icmp_code=1");

    match_init_catchall(&m);
    match_set_dl_type(&m, htons(ETH_TYPE_ARP));
    match_set_arp_op(&m, 2);
    match_set_arp_spa_masked(&m, htonl(0x0a000001), htonl(0xffffffff));
    match_set_arp_tpa_masked(&m, htonl(0x0a000000), htonl(0xff000000));
    match_set_arp_sha_masked(&m, eth(0, 0, 0, 0, 0, 1),
                             eth(0xff, 0xff, 0xff, 0xff, 0xff, 0xff));
    match_set_arp_tha_masked(&m, eth(0, 0, 0, 0, 0, 2),
                             eth(0xff, 0xff, 0xff, 0xff, 0xff, 0));
    assert_int_equal(m.flow.nw_proto, 2);
    assert_null(match_check_prereqs(&m));
    check_format(&m, "arp,arp_spa=10.0.0.1,arp_tpa=10.0.0.0/8,arp_op=2,"
                 "arp_sha=00:00:00:00:00:01,"
                 "arp_tha=00:00:00:00:00:00/ff:ff:ff:ff:ff:00");

    match_init_catchall(&m);
    match_set_shorthand(&m, "tcp6");
    match_set_tcp_flags_masked(&m, htons(0x012), htons(0x0fff));
    struct in6_addr ip, mask;
    inet_pton(AF_INET6, "fe80::1", &ip);
    memset(&mask, 0xff, sizeof mask);
    match_set_ipv6_dst_masked(&m, &ip, &mask);
    match_set_tp_src_masked(&m, htons(22), htons(0xffff));
    assert_null(match_check_prereqs(&m));
    check_format(&m, "tcp6,ipv6_dst=fe80::1,tp_src=22,tcp_flags=syn|ack");
}

static void
test_shorthands(void **state)
{
    static const struct {
        const char *name;
        uint16_t dl_type;
        int nw_proto;
    } cases[] = {
        {"ip", ETH_TYPE_IP, -1}, {"icmp", ETH_TYPE_IP, 1},
        {"tcp", ETH_TYPE_IP, 6}, {"udp", ETH_TYPE_IP, 17},
        {"sctp", ETH_TYPE_IP, 132}, {"ipv6", ETH_TYPE_IPV6, -1},
        {"icmp6", ETH_TYPE_IPV6, 58}, {"tcp6", ETH_TYPE_IPV6, 6},
        {"udp6", ETH_TYPE_IPV6, 17}, {"sctp6", ETH_TYPE_IPV6, 132},
        {"arp", ETH_TYPE_ARP, -1},
    };
    (void) state;

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct match m;
        match_init_catchall(&m);
        assert_true(match_set_shorthand(&m, cases[i].name));
        assert_int_equal(ntohs(m.flow.dl_type), cases[i].dl_type);
        assert_int_equal(m.wc.masks.nw_proto, cases[i].nw_proto < 0 ? 0
                                                                   : 0xff);
        if (cases[i].nw_proto >= 0) {
            assert_int_equal(m.flow.nw_proto, cases[i].nw_proto);
        }
        check_format(&m, cases[i].name);
    }
    struct match m;
    match_init_catchall(&m);
    assert_false(match_set_shorthand(&m, "ipx"));
    assert_true(match_is_catchall(&m));

    /* nw_proto without a shorthand name. */
    match_set_shorthand(&m, "ip");
    match_set_nw_proto(&m, 47);
    check_format(&m, "ip,nw_proto=47");
    match_init_catchall(&m);
    match_set_dl_type(&m, htons(0x88cc));
    check_format(&m, "dl_type=0x88cc");
}

static void
test_prereqs(void **state)
{
    struct match m;
    (void) state;

    match_init_catchall(&m);
    match_set_nw_src_masked(&m, htonl(1), htonl(0xffffffff));
    assert_string_equal(match_check_prereqs(&m)->name, "nw_src");
    match_set_shorthand(&m, "arp");
    assert_null(match_check_prereqs(&m));
    match_set_shorthand(&m, "ipv6");
    assert_non_null(match_check_prereqs(&m));
    match_set_shorthand(&m, "ip");
    assert_null(match_check_prereqs(&m));

    match_set_tp_dst_masked(&m, htons(80), htons(0xffff));
    assert_string_equal(match_check_prereqs(&m)->name, "tp_dst");
    match_set_nw_proto(&m, IP_PROTO_UDP);
    assert_null(match_check_prereqs(&m));
    match_set_tcp_flags_masked(&m, htons(2), htons(2));
    assert_string_equal(match_check_prereqs(&m)->name, "tcp_flags");
    match_set_nw_proto(&m, IP_PROTO_TCP);
    assert_null(match_check_prereqs(&m));

    const struct match_field *f = match_field_from_id(MFF_ICMP_TYPE);
    assert_false(match_field_prereqs_ok(&m, f));
    match_set_nw_proto(&m, IP_PROTO_ICMP);
    assert_true(match_field_prereqs_ok(&m, f));
    match_set_shorthand(&m, "ipv6");
    assert_false(match_field_prereqs_ok(&m, f));
    match_set_nw_proto(&m, IP_PROTO_ICMPV6);
    assert_true(match_field_prereqs_ok(&m, f));

    /* A masked dl_type is not a prerequisite. */
    match_init_catchall(&m);
    match_set_nw_ttl(&m, 1);
    match_set_shorthand(&m, "ip");
    assert_null(match_check_prereqs(&m));
    m.wc.masks.dl_type = htons(0xff00);
    m.flow.dl_type = htons(0x0800);
    assert_non_null(match_check_prereqs(&m));
}

static void
test_equal_and_hash(void **state)
{
    struct match a, b;
    (void) state;

    match_init_catchall(&a);
    match_init_catchall(&b);
    assert_true(match_equal(&a, &b));
    assert_int_equal(match_hash(&a, 0), match_hash(&b, 0));

    /* The same packets selected by different calls. */
    match_set_nw_src_masked(&a, htonl(0x0a0000ff), htonl(0xffffff00));
    match_set_nw_src_masked(&b, htonl(0x0a000001), htonl(0xffffff00));
    match_set_shorthand(&a, "tcp");
    match_set_dl_type(&b, htons(ETH_TYPE_IP));
    match_set_nw_proto(&b, IP_PROTO_TCP);
    assert_true(match_equal(&a, &b));
    assert_int_equal(match_hash(&a, 7), match_hash(&b, 7));

    /* Differ in value, or only in mask. */
    match_set_tp_dst_masked(&b, htons(80), htons(0xffff));
    assert_false(match_equal(&a, &b));
    match_set_tp_dst_masked(&a, htons(80), htons(0xfff0));
    assert_false(match_equal(&a, &b));
    match_set_tp_dst_masked(&a, htons(80), htons(0xffff));
    assert_true(match_equal(&a, &b));
    assert_int_not_equal(match_hash(&a, 0), match_hash(&a, 1));
}

static void
test_field_table(void **state)
{
    (void) state;

    for (int i = 0; i < MFF_N_IDS; i++) {
        const struct match_field *f = match_field_from_id(i);
        assert_non_null(f);
        assert_int_equal(f->id, i);
        assert_ptr_equal(match_field_from_name(f->name), f);
        for (size_t j = 0; j < ARRAY_SIZE(f->aliases) && f->aliases[j];
             j++) {
            assert_ptr_equal(match_field_from_name(f->aliases[j]), f);
        }
    }
    assert_null(match_field_from_id(MFF_N_IDS));
    assert_null(match_field_from_name("nw_frag"));
    assert_null(match_field_from_name(""));
    assert_int_equal(match_field_from_name("tcp_dst")->id, MFF_TP_DST);
    assert_int_equal(match_field_from_name("eth_type")->id, MFF_DL_TYPE);
    assert_false(match_field_from_name("in_port")->writable);
    assert_true(match_field_from_name("nw_dst")->writable);
}

static void
test_field_values(void **state)
{
    union match_value v;
    (void) state;

    const struct match_field *pcp = match_field_from_id(MFF_VLAN_PCP);
    memset(&v, 0, sizeof v);
    v.u8 = 7;
    assert_true(match_field_value_ok(pcp, &v));
    v.u8 = 8;
    assert_false(match_field_value_ok(pcp, &v));

    const struct match_field *tos = match_field_from_id(MFF_NW_TOS);
    v.u8 = 4;
    assert_true(match_field_value_ok(tos, &v));
    v.u8 = 5;
    assert_false(match_field_value_ok(tos, &v));

    const struct match_field *dl_vlan = match_field_from_id(MFF_DL_VLAN);
    v.be16 = htons(4095);
    assert_true(match_field_value_ok(dl_vlan, &v));
    v.be16 = htons(0xffff);
    assert_true(match_field_value_ok(dl_vlan, &v));
    v.be16 = htons(4096);
    assert_false(match_field_value_ok(dl_vlan, &v));

    const struct match_field *in_port = match_field_from_id(MFF_IN_PORT);
    v.u32 = OFPP_LOCAL;
    assert_true(match_field_value_ok(in_port, &v));
    v.u32 = OFPP_ANY;
    assert_false(match_field_value_ok(in_port, &v));
    v.u32 = 0;
    assert_false(match_field_value_ok(in_port, &v));
}

/* set_field's effect on a packet's flow. */
static void
test_set_flow(void **state)
{
    struct flow flow;
    union match_value v, m;
    (void) state;

    memset(&flow, 0, sizeof flow);
    flow.vlans[0].tci = htons(VLAN_CFI | (3 << VLAN_PCP_SHIFT) | 5);

    const struct match_field *vid = match_field_from_id(MFF_VLAN_VID);
    memset(&v, 0, sizeof v);
    v.be16 = htons(100);
    match_field_set_flow(vid, &v, NULL, &flow);
    assert_int_equal(ntohs(flow.vlans[0].tci),
                     VLAN_CFI | (3 << VLAN_PCP_SHIFT) | 100);

    const struct match_field *pcp = match_field_from_id(MFF_VLAN_PCP);
    memset(&v, 0, sizeof v);
    v.u8 = 6;
    match_field_set_flow(pcp, &v, NULL, &flow);
    assert_int_equal(ntohs(flow.vlans[0].tci),
                     VLAN_CFI | (6 << VLAN_PCP_SHIFT) | 100);

    const struct match_field *dst = match_field_from_id(MFF_NW_DST);
    flow.nw_dst = htonl(0x01020304);
    memset(&v, 0, sizeof v);
    memset(&m, 0, sizeof m);
    v.be32 = htonl(0x0a000000);
    m.be32 = htonl(0xff000000);
    match_field_set_flow(dst, &v, &m, &flow);
    assert_int_equal(ntohl(flow.nw_dst), 0x0a020304);

    const struct match_field *dscp = match_field_from_id(MFF_IP_DSCP);
    flow.nw_tos = 0x03;
    memset(&v, 0, sizeof v);
    v.u8 = 46;
    match_field_set_flow(dscp, &v, NULL, &flow);
    assert_int_equal(flow.nw_tos, (46 << 2) | 3);

    const struct match_field *icmp = match_field_from_id(MFF_ICMP_CODE);
    memset(&v, 0, sizeof v);
    v.u8 = 9;
    match_field_set_flow(icmp, &v, NULL, &flow);
    assert_int_equal(ntohs(flow.tp_dst), 9);

    const struct match_field *md = match_field_from_id(MFF_METADATA);
    flow.metadata = 0xff00;
    memset(&v, 0, sizeof v);
    memset(&m, 0, sizeof m);
    v.u64 = 0x1;
    m.u64 = 0xf;
    match_field_set_flow(md, &v, &m, &flow);
    assert_true(flow.metadata == 0xff01);

    /* Reading back. */
    match_field_get(dst, &flow, &v);
    assert_int_equal(ntohl(v.be32), 0x0a020304);
    match_field_get(match_field_from_id(MFF_DL_VLAN), &flow, &v);
    assert_int_equal(ntohs(v.be16), 100);
    flow.vlans[0].tci = 0;
    match_field_get(match_field_from_id(MFF_DL_VLAN), &flow, &v);
    assert_int_equal(ntohs(v.be16), 0xffff);
}

static void
test_field_format_value(void **state)
{
    union match_value v, m;
    struct ds ds = DS_EMPTY_INITIALIZER;
    (void) state;

    memset(&v, 0, sizeof v);
    memset(&m, 0, sizeof m);
    v.be32 = htonl(0x0a000000);
    m.be32 = htonl(0xfffffff0);
    match_field_format_value(&ds, match_field_from_id(MFF_NW_SRC), &v, &m,
                             NULL);
    assert_string_equal(ds_cstr(&ds), "10.0.0.0/28");
    ds_clear(&ds);
    m.be32 = htonl(0xff00ff00);
    match_field_format_value(&ds, match_field_from_id(MFF_NW_SRC), &v, &m,
                             NULL);
    assert_string_equal(ds_cstr(&ds), "10.0.0.0/255.0.255.0");
    ds_clear(&ds);
    v.be16 = htons(80);
    match_field_format_value(&ds, match_field_from_id(MFF_TP_DST), &v, NULL,
                             NULL);
    assert_string_equal(ds_cstr(&ds), "80");
    ds_clear(&ds);
    v.be16 = htons(0x0002);
    m.be16 = htons(0x0012);
    match_field_format_value(&ds, match_field_from_id(MFF_TCP_FLAGS), &v,
                             &m, NULL);
    assert_string_equal(ds_cstr(&ds), "+syn-ack");
    ds_destroy(&ds);
}

static void
test_ports(void **state)
{
    struct ofp_port_map map;
    struct ds ds = DS_EMPTY_INITIALIZER;
    uint32_t port;
    (void) state;

    assert_true(ofp_port_from_string("LOCAL", NULL, NULL, &port));
    assert_int_equal(port, OFPP_LOCAL);
    assert_true(ofp_port_from_string("in_port", NULL, NULL, &port));
    assert_int_equal(port, OFPP_IN_PORT);
    assert_true(ofp_port_from_string("4294967040", NULL, NULL, &port));
    assert_int_equal(port, OFPP_MAX);
    assert_false(ofp_port_from_string("4294967041", NULL, NULL, &port));
    assert_false(ofp_port_from_string("0", NULL, NULL, &port));
    assert_false(ofp_port_from_string("p1", NULL, NULL, &port));
    assert_false(ofp_port_from_string("", NULL, NULL, &port));
    assert_false(ofp_port_from_string("-1", NULL, NULL, &port));

    ofp_port_map_init(&map);
    ofp_port_map_add(&map, "p1", 1);
    ofp_port_map_add(&map, "LOCAL", 2);
    ofp_port_map_add(&map, "a b", 3);
    ofp_port_map_add(&map, "12", 4);
    ofp_port_map_add(&map, "q\"", 5);
    assert_true(ofp_port_from_string("p1", ofp_port_map_resolve, &map,
                                     &port));
    assert_int_equal(port, 1);
    assert_string_equal(ofp_port_map_get_name(&map, 3), "a b");
    assert_null(ofp_port_map_get_name(&map, 9));

    static const struct {
        uint32_t port;
        const char *text;
    } cases[] = {
        {1, "p1"}, {2, "\"LOCAL\""}, {3, "\"a b\""}, {4, "\"12\""},
        {5, "\"q\\\"\""}, {9, "9"}, {OFPP_LOCAL, "LOCAL"},
        {OFPP_CONTROLLER, "CONTROLLER"}, {OFPP_ANY, "ANY"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        ds_clear(&ds);
        ofp_port_format(&ds, cases[i].port, &map);
        assert_string_equal(ds_cstr(&ds), cases[i].text);
    }
    ds_clear(&ds);
    ofp_port_format(&ds, 1, NULL);
    assert_string_equal(ds_cstr(&ds), "1");
    ds_destroy(&ds);
    ofp_port_map_destroy(&map);
    assert_int_equal(map.n, 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_catchall_and_exact),
        cmocka_unit_test(test_setters_normalize),
        cmocka_unit_test(test_vlan_setters),
        cmocka_unit_test(test_ip_setters),
        cmocka_unit_test(test_shorthands),
        cmocka_unit_test(test_prereqs),
        cmocka_unit_test(test_equal_and_hash),
        cmocka_unit_test(test_field_table),
        cmocka_unit_test(test_field_values),
        cmocka_unit_test(test_set_flow),
        cmocka_unit_test(test_field_format_value),
        cmocka_unit_test(test_ports),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
