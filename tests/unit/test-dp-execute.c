/* Unit tests for datapath/dp-execute: every action on crafted mbufs.
 *
 * Packets are built from a description (struct spec) with checksums
 * computed by the test's own reference code; an action's expected result
 * is the packet built from the changed description, compared byte for
 * byte, and every checksum of every output is recomputed in full. */
#include "unit.h"

#include <arpa/inet.h>

#include <rte_cycles.h>

#include "dp-actions.h"
#include "dp-eal.h"
#include "dp-execute.h"
#include "dp-meter.h"

static struct rte_mempool *pool;

/* Packet descriptions. */

enum l3 { L3_NONE, L3_IPV4, L3_IPV6 };

struct spec {
    uint8_t dst[6], src[6];
    int n_vlans;
    uint16_t tpid[2], tci[2];   /* Outermost first. */
    enum l3 l3;
    uint8_t ip4_src[4], ip4_dst[4];
    uint8_t ip6_src[16], ip6_dst[16];
    uint8_t tos, ttl;
    uint8_t proto;
    bool ip6_hopopts;           /* A hop-by-hop header before L4. */
    int ip6_frag;               /* Then a fragment header: 1, first
                                 * fragment; 2, a later one. */
    uint16_t frag_ofs;          /* IPv4 fragment offset (8-byte units). */
    size_t ip4_opts;            /* Bytes of IPv4 options (multiple of 4). */
    uint16_t sport, dport;      /* TCP / UDP / SCTP ports, ICMP type. */
    bool udp_no_csum;           /* IPv4 UDP checksum 0. */
    size_t payload;             /* Bytes after the L4 header. */
};

struct pkt {
    uint8_t data[2048];
    size_t len;
};

static struct spec
base_spec(enum l3 l3, uint8_t proto)
{
    struct spec s = {
        .dst = { 0x02, 0, 0, 0, 0, 0x02 },
        .src = { 0x02, 0, 0, 0, 0, 0x01 },
        .l3 = l3,
        .ip4_src = { 10, 0, 0, 1 }, .ip4_dst = { 10, 0, 0, 2 },
        .ip6_src = { 0xfd, 0, [15] = 1 }, .ip6_dst = { 0xfd, 0, [15] = 2 },
        .tos = 0x10, .ttl = 64, .proto = proto,
        .sport = 1234, .dport = 80, .payload = 37,
    };
    return s;
}

static void
put16(uint8_t *p, uint16_t host)
{
    p[0] = host >> 8;
    p[1] = host;
}

static uint16_t
get16(const uint8_t *p)
{
    return p[0] << 8 | p[1];
}

/* Reference one's complement sum of big-endian 16-bit words. */
static uint32_t
ref_sum(uint32_t sum, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i + 1 < n; i += 2) {
        sum += get16(p + i);
    }
    if (n & 1) {
        sum += p[n - 1] << 8;
    }
    return sum;
}

static uint16_t
ref_fold(uint32_t sum)
{
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return sum;
}

/* Bitwise CRC32c (Castagnoli), reflected, as SCTP uses it. */
static uint32_t
ref_crc32c(const uint8_t *p, size_t n)
{
    uint32_t crc = 0xffffffff;
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int k = 0; k < 8; k++) {
            crc = crc & 1 ? (crc >> 1) ^ 0x82f63b78 : crc >> 1;
        }
    }
    return ~crc;
}

static size_t
l4_header_len(uint8_t proto)
{
    switch (proto) {
    case IP_PROTO_TCP: return 20;
    case IP_PROTO_UDP: return 8;
    case IP_PROTO_SCTP: return 12;
    default: return 4;             /* ICMP, ICMPv6. */
    }
}

/* Where the checksum of PROTO lies in its header. */
static size_t
l4_csum_ofs(uint8_t proto)
{
    switch (proto) {
    case IP_PROTO_TCP: return 16;
    case IP_PROTO_UDP: return 6;
    case IP_PROTO_SCTP: return 8;
    default: return 2;
    }
}

/* The pseudo-header sum (0 for protocols without one). */
static uint32_t
pseudo_sum(const struct spec *s, size_t l4_len)
{
    if (s->proto == IP_PROTO_SCTP
        || (s->proto == IP_PROTO_ICMP && s->l3 == L3_IPV4)) {
        return 0;
    }
    uint32_t sum = 0;
    if (s->l3 == L3_IPV4) {
        sum = ref_sum(sum, s->ip4_src, 4);
        sum = ref_sum(sum, s->ip4_dst, 4);
    } else {
        sum = ref_sum(sum, s->ip6_src, 16);
        sum = ref_sum(sum, s->ip6_dst, 16);
    }
    return sum + s->proto + l4_len;
}

/* Builds the packet S describes, with correct checksums. */
static void
build(const struct spec *s, struct pkt *pkt)
{
    uint8_t *p = pkt->data;
    size_t ofs = 12;

    memset(pkt, 0, sizeof *pkt);
    memcpy(p, s->dst, 6);
    memcpy(p + 6, s->src, 6);
    for (int i = 0; i < s->n_vlans; i++) {
        put16(p + ofs, s->tpid[i]);
        put16(p + ofs + 2, s->tci[i]);
        ofs += 4;
    }
    put16(p + ofs, s->l3 == L3_IPV4 ? ETH_TYPE_IP
                   : s->l3 == L3_IPV6 ? ETH_TYPE_IPV6 : 0x88b5);
    ofs += 2;

    bool later = s->frag_ofs || s->ip6_frag == 2;
    size_t l4_len = (later ? 0 : l4_header_len(s->proto)) + s->payload;
    size_t l3_ofs = ofs;
    size_t l4_ofs;
    if (s->l3 == L3_IPV4) {
        uint8_t *ip = p + l3_ofs;
        size_t ihl = 20 + s->ip4_opts;
        ip[0] = 0x40 | ihl / 4;
        ip[1] = s->tos;
        put16(ip + 2, ihl + l4_len);
        put16(ip + 4, 0x1234);
        put16(ip + 6, s->frag_ofs);
        ip[8] = s->ttl;
        ip[9] = s->proto;
        memcpy(ip + 12, s->ip4_src, 4);
        memcpy(ip + 16, s->ip4_dst, 4);
        memset(ip + 20, 1, s->ip4_opts);        /* NOPs. */
        put16(ip + 10, ~ref_fold(ref_sum(0, ip, ihl)));
        l4_ofs = l3_ofs + ihl;
    } else if (s->l3 == L3_IPV6) {
        uint8_t *ip = p + l3_ofs;
        size_t ext = 0;
        uint8_t *nh = ip + 6;
        uint32_t w = 6u << 28 | (uint32_t) s->tos << 20 | 0x12345;
        put16(ip, w >> 16);
        put16(ip + 2, w);
        ip[7] = s->ttl;
        memcpy(ip + 8, s->ip6_src, 16);
        memcpy(ip + 24, s->ip6_dst, 16);
        if (s->ip6_hopopts) {
            *nh = 0;
            nh = ip + 40 + ext;
            nh[2] = 1;              /* A 4-byte PadN option. */
            nh[3] = 4;
            ext += 8;
        }
        if (s->ip6_frag) {
            *nh = 44;
            nh = ip + 40 + ext;
            put16(nh + 2, s->ip6_frag == 2 ? 100 << 3 | 1 : 1);
            put16(nh + 4, 0x1234);
            ext += 8;
        }
        *nh = s->proto;
        put16(ip + 4, ext + l4_len);
        l4_ofs = l3_ofs + 40 + ext;
    } else {
        pkt->len = ofs + s->payload;
        for (size_t i = 0; i < s->payload; i++) {
            p[ofs + i] = i;
        }
        return;
    }

    uint8_t *l4 = p + l4_ofs;
    size_t hlen = later ? 0 : l4_header_len(s->proto);
    for (size_t i = 0; i < s->payload; i++) {
        l4[hlen + i] = 0xa0 + i;
    }
    pkt->len = l4_ofs + l4_len;
    if (later) {
        return;
    }
    put16(l4, s->sport);            /* ICMP: type and code. */
    if (s->proto != IP_PROTO_ICMP && s->proto != IP_PROTO_ICMPV6) {
        put16(l4 + 2, s->dport);
    }
    if (s->proto == IP_PROTO_TCP) {
        put16(l4 + 12, 0x5010);
    } else if (s->proto == IP_PROTO_UDP) {
        put16(l4 + 4, l4_len);
    }
    if (s->proto == IP_PROTO_SCTP) {
        uint32_t crc = ref_crc32c(l4, l4_len);
        l4[8] = crc;                /* Least significant byte first. */
        l4[9] = crc >> 8;
        l4[10] = crc >> 16;
        l4[11] = crc >> 24;
    } else if (!(s->proto == IP_PROTO_UDP && s->udp_no_csum)) {
        uint16_t c = ~ref_fold(ref_sum(pseudo_sum(s, l4_len), l4, l4_len));
        if (s->proto == IP_PROTO_UDP && !c) {
            c = 0xffff;
        }
        put16(l4 + l4_csum_ofs(s->proto), c);
    }
}

/* Recomputes every checksum of the LEN bytes at P from scratch. */
static void
verify_checksums(const uint8_t *p, size_t len)
{
    size_t ofs = 12;
    if (len < ETH_HEADER_LEN) {
        return;
    }
    uint16_t type = get16(p + ofs);
    while (type == ETH_TYPE_VLAN_8021Q || type == ETH_TYPE_VLAN_8021AD) {
        ofs += 4;
        type = get16(p + ofs);
    }
    ofs += 2;

    struct spec s;
    memset(&s, 0, sizeof s);
    size_t l4_ofs, l4_len;
    if ((type == ETH_TYPE_IP && ofs + 20 > len)
        || (type == ETH_TYPE_IPV6 && ofs + 48 > len)) {
        return;                     /* Truncated on purpose. */
    }
    if (type == ETH_TYPE_IP) {
        const uint8_t *ip = p + ofs;
        size_t ihl = (ip[0] & 15) * 4;
        if (ofs + ihl > len) {
            return;
        }
        assert_int_equal(ref_fold(ref_sum(0, ip, ihl)), 0xffff);
        if (get16(ip + 6) & 0x1fff) {
            return;
        }
        s.l3 = L3_IPV4;
        memcpy(s.ip4_src, ip + 12, 4);
        memcpy(s.ip4_dst, ip + 16, 4);
        s.proto = ip[9];
        l4_ofs = ofs + ihl;
        l4_len = get16(ip + 2) - ihl;
    } else if (type == ETH_TYPE_IPV6) {
        const uint8_t *ip = p + ofs;
        s.l3 = L3_IPV6;
        memcpy(s.ip6_src, ip + 8, 16);
        memcpy(s.ip6_dst, ip + 24, 16);
        s.proto = ip[6];
        l4_ofs = ofs + 40;
        l4_len = get16(ip + 4);
        while (s.proto == 0 || s.proto == 44) {
            const uint8_t *ext = p + l4_ofs;
            if (s.proto == 44 && get16(ext + 2) >> 3) {
                return;             /* A later fragment: no L4 header. */
            }
            s.proto = ext[0];
            l4_ofs += 8;
            l4_len -= 8;
        }
    } else {
        return;
    }
    if (l4_ofs + l4_len > len) {
        return;                     /* Truncated on purpose. */
    }

    const uint8_t *l4 = p + l4_ofs;
    if (s.proto == IP_PROTO_SCTP) {
        uint8_t copy[2048];
        memcpy(copy, l4, l4_len);
        memset(copy + 8, 0, 4);
        uint32_t crc = ref_crc32c(copy, l4_len);
        assert_int_equal(l4[8] | l4[9] << 8 | l4[10] << 16
                         | (uint32_t) l4[11] << 24, crc);
    } else if (s.proto == IP_PROTO_UDP && s.l3 == L3_IPV4
               && !get16(l4 + 6)) {
        /* No checksum. */
    } else {
        assert_int_equal(ref_fold(ref_sum(pseudo_sum(&s, l4_len), l4,
                                          l4_len)), 0xffff);
    }
}

/* Capturing outputs. */

#define MAX_CAPTURE 128

struct capture {
    uint32_t port;
    struct rte_mbuf *mbuf;      /* Only to compare pointers; freed. */
    struct pkt pkt;
};

static struct capture captures[MAX_CAPTURE];
static size_t n_captures;
static uint64_t cookies[MAX_CAPTURE];
static struct pkt upcalls[MAX_CAPTURE];
static size_t n_upcalls;

static void
capture_output(void *aux, uint32_t port, struct rte_mbuf **pkts, size_t n)
{
    assert_ptr_equal(aux, &captures);
    assert_true(n >= 1);
    for (size_t i = 0; i < n; i++) {
        assert_true(n_captures < MAX_CAPTURE);
        struct capture *c = &captures[n_captures++];
        c->port = port;
        c->mbuf = pkts[i];
        c->pkt.len = rte_pktmbuf_pkt_len(pkts[i]);
        assert_true(c->pkt.len <= sizeof c->pkt.data);
        const void *d = rte_pktmbuf_read(pkts[i], 0, c->pkt.len,
                                         c->pkt.data);
        assert_non_null(d);
        if (d != c->pkt.data) {
            memcpy(c->pkt.data, d, c->pkt.len);
        }
        rte_pktmbuf_free(pkts[i]);
    }
}

static void
capture_userspace(void *aux, const struct rte_mbuf *m, uint64_t cookie)
{
    assert_true(n_upcalls < MAX_CAPTURE);
    cookies[n_upcalls] = cookie;
    struct pkt *u = &upcalls[n_upcalls++];
    u->len = rte_pktmbuf_pkt_len(m);
    assert_true(u->len <= sizeof u->data);
    const void *d = rte_pktmbuf_read(m, 0, u->len, u->data);
    assert_non_null(d);
    if (d != u->data) {
        memcpy(u->data, d, u->len);
    }
}

static const struct dp_execute_ops ops = {
    .output = capture_output,
    .userspace = capture_userspace,
};

static struct rte_mbuf *
mbuf_from(const struct pkt *pkt)
{
    struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
    assert_non_null(m);
    void *p = rte_pktmbuf_append(m, pkt->len);
    assert_non_null(p);
    memcpy(p, pkt->data, pkt->len);
    return m;
}

static struct dp_execute_ctx ctx;
static unsigned int pool_baseline;

static int
setup(void **state)
{
    if (dp_eal_start("test-dp-execute")) {
        return -1;
    }
    pool = dp_eal_pool("dp_exec_test", 1023);
    if (!pool) {
        return -1;
    }
    pool_baseline = rte_mempool_avail_count(pool);
    return 0;
}

static int
reset(void **state)
{
    n_captures = 0;
    n_upcalls = 0;
    dp_execute_ctx_init(&ctx, &ops, &captures, pool, NULL);
    return 0;
}

/* Every mbuf went back to the pool exactly once. */
static int
check_pool(void **state)
{
    assert_int_equal(rte_mempool_avail_count(pool), pool_baseline);
    return 0;
}

/* Runs the text ACTIONS on N copies of IN. */
static void
run_n(const char *actions, const struct pkt *in, size_t n)
{
    struct dp_actions a;
    dp_actions_init(&a);
    char *error = dp_actions_parse(actions, &a);
    if (error) {
        fail_msg("%s: %s", actions, error);
    }
    assert_int_equal(dp_actions_validate(a.data, a.size), 0);

    struct rte_mbuf *pkts[64];
    assert_true(n <= ARRAY_SIZE(pkts));
    for (size_t i = 0; i < n; i++) {
        pkts[i] = mbuf_from(in);
    }
    dp_execute(&ctx, pkts, n, a.data, a.size);
    dp_actions_uninit(&a);
}

static void
run(const char *actions, const struct pkt *in)
{
    run_n(actions, in, 1);
}

static void
assert_captured(size_t i, uint32_t port, const struct pkt *expected)
{
    assert_true(i < n_captures);
    assert_int_equal(captures[i].port, port);
    assert_int_equal(captures[i].pkt.len, expected->len);
    assert_memory_equal(captures[i].pkt.data, expected->data,
                        expected->len);
    verify_checksums(captures[i].pkt.data, captures[i].pkt.len);
}

/* Runs ACTIONS on the packet of IN and checks the single output on port 1
 * against the packet of OUT. */
static void
check_one(const char *actions, const struct spec *in, const struct spec *out)
{
    struct pkt pin, pout;
    build(in, &pin);
    build(out, &pout);
    verify_checksums(pin.data, pin.len);
    reset(NULL);
    run(actions, &pin);
    assert_int_equal(n_captures, 1);
    assert_captured(0, 1, &pout);
}

/* OUTPUT. */

static void
test_output(void **state)
{
    struct spec s = base_spec(L3_IPV4, IP_PROTO_TCP);
    struct pkt p;
    build(&s, &p);

    run("output:3", &p);
    assert_int_equal(n_captures, 1);
    assert_captured(0, 3, &p);
    assert_int_equal(ctx.n_copies, 0);      /* The packet itself went. */

    reset(NULL);
    run("output:1,output:2,output:3", &p);
    assert_int_equal(n_captures, 3);
    for (size_t i = 0; i < 3; i++) {
        assert_captured(i, i + 1, &p);
    }
    assert_int_equal(ctx.n_copies, 2);
    assert_true(captures[0].mbuf != captures[2].mbuf);

    /* More than one burst of packets. */
    reset(NULL);
    run_n("output:7", &p, 40);
    assert_int_equal(n_captures, 40);
    assert_captured(39, 7, &p);
    for (size_t i = 0; i < DP_DROP_N_REASONS; i++) {
        assert_int_equal(ctx.drops[i], 0);
    }
}

/* An empty list, or one without outputs, drops and counts. */
static void
test_drop(void **state)
{
    struct spec s = base_spec(L3_IPV4, IP_PROTO_UDP);
    struct pkt p;
    build(&s, &p);

    run_n("drop", &p, 5);
    assert_int_equal(n_captures, 0);
    assert_int_equal(ctx.drops[DP_DROP_NO_OUTPUT], 5);

    run_n("push_vlan(tpid=0x8100,vid=5),set(ipv4(ttl=3))", &p, 3);
    assert_int_equal(n_captures, 0);
    assert_int_equal(ctx.drops[DP_DROP_NO_OUTPUT], 8);

    /* Sent, then changed: not a drop. */
    run("output:1,pop_vlan", &p);
    assert_int_equal(n_captures, 1);
    assert_int_equal(ctx.drops[DP_DROP_NO_OUTPUT], 8);
    assert_string_equal(dp_drop_reason_name(DP_DROP_NO_OUTPUT),
                        "no_output");
    assert_string_equal(dp_drop_reason_name(DP_DROP_METER), "meter");
}

/* VLAN. */

static void
test_push_pop_vlan(void **state)
{
    struct spec in = base_spec(L3_IPV4, IP_PROTO_UDP);
    struct spec out = in;

    out.n_vlans = 1;
    out.tpid[0] = ETH_TYPE_VLAN_8021Q;
    out.tci[0] = 3 << 13 | 10;
    check_one("push_vlan(tpid=0x8100,vid=10,pcp=3),output:1", &in, &out);

    /* 802.1ad outside 802.1Q. */
    out.n_vlans = 2;
    out.tpid[0] = ETH_TYPE_VLAN_8021AD;
    out.tci[0] = 20;
    out.tpid[1] = ETH_TYPE_VLAN_8021Q;
    out.tci[1] = 10;
    check_one("push_vlan(tpid=0x8100,vid=10),"
              "push_vlan(tpid=0x88a8,vid=20),output:1", &in, &out);

    /* Pop the outer one. */
    struct spec two = out, one = out;
    one.n_vlans = 1;
    one.tpid[0] = ETH_TYPE_VLAN_8021Q;
    one.tci[0] = 10;
    check_one("pop_vlan,output:1", &two, &one);
    check_one("pop_vlan,pop_vlan,output:1", &two, &in);
    check_one("pop_vlan,output:1", &in, &in);       /* No tag: no-op. */

    /* Set: vid only keeps pcp, and the packet's DEI bit. */
    struct spec tagged = one, set = one;
    tagged.tci[0] = 5 << 13 | 0x1000 | 10;
    set.tci[0] = 5 << 13 | 0x1000 | 99;
    check_one("set_vlan(vid=99),output:1", &tagged, &set);
    set.tci[0] = 2 << 13 | 0x1000 | 10;
    check_one("set_vlan(pcp=2),output:1", &tagged, &set);
    check_one("set_vlan(vid=99),output:1", &in, &in);

    /* A tiny packet (no room for MACs) is left alone. */
    struct pkt tiny = { .len = 10 };
    memset(tiny.data, 0xee, tiny.len);
    reset(NULL);
    run("push_vlan(tpid=0x8100,vid=1),pop_vlan,set_vlan(vid=3),output:1",
        &tiny);
    assert_captured(0, 1, &tiny);
}

/* A VLAN push on a packet without headroom copies it first. */
static void
test_push_vlan_no_headroom(void **state)
{
    struct spec in = base_spec(L3_IPV4, IP_PROTO_UDP);
    struct spec out = in;
    struct pkt pin, pout;
    out.n_vlans = 1;
    out.tpid[0] = ETH_TYPE_VLAN_8021Q;
    out.tci[0] = 7;
    build(&in, &pin);
    build(&out, &pout);

    struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
    assert_non_null(m);
    m->data_off = 0;                /* No headroom. */
    assert_int_equal(rte_pktmbuf_headroom(m), 0);
    memcpy(rte_pktmbuf_append(m, pin.len), pin.data, pin.len);

    struct dp_actions a;
    dp_actions_init(&a);
    assert_null(dp_actions_parse("push_vlan(tpid=0x8100,vid=7),output:1",
                                 &a));
    dp_execute(&ctx, &m, 1, a.data, a.size);
    dp_actions_uninit(&a);
    assert_int_equal(n_captures, 1);
    assert_captured(0, 1, &pout);
    assert_int_equal(ctx.n_copies, 1);
}

/* A packet someone else also holds (reference count 2, or an indirect
 * clone) is copied before a rewrite; the other holder sees no change. */
static void
test_shared_mbuf(void **state)
{
    struct spec in = base_spec(L3_IPV4, IP_PROTO_UDP);
    struct spec out = in;
    out.ttl = 9;
    struct pkt pin, pout;
    build(&in, &pin);
    build(&out, &pout);

    struct dp_actions a;
    dp_actions_init(&a);
    assert_null(dp_actions_parse("set(ipv4(ttl=9)),output:1", &a));

    struct rte_mbuf *m = mbuf_from(&pin);
    rte_mbuf_refcnt_update(m, 1);
    struct rte_mbuf *run_m = m;
    dp_execute(&ctx, &run_m, 1, a.data, a.size);
    assert_int_equal(n_captures, 1);
    assert_captured(0, 1, &pout);
    assert_int_equal(ctx.n_copies, 1);
    assert_int_equal(rte_mbuf_refcnt_read(m), 1);
    assert_memory_equal(rte_pktmbuf_mtod(m, void *), pin.data, pin.len);

    struct rte_mbuf *clone = rte_pktmbuf_clone(m, pool);
    assert_non_null(clone);
    dp_execute(&ctx, &clone, 1, a.data, a.size);
    assert_int_equal(n_captures, 2);
    assert_captured(1, 1, &pout);
    assert_memory_equal(rte_pktmbuf_mtod(m, void *), pin.data, pin.len);
    rte_pktmbuf_free(m);
    dp_actions_uninit(&a);
}

/* Outputs keep what they got: later actions change only later outputs. */
static void
test_isolation(void **state)
{
    struct spec plain = base_spec(L3_IPV4, IP_PROTO_TCP);
    struct spec tagged = plain, changed = plain;
    struct pkt pp, pt, pc;
    tagged.n_vlans = 1;
    tagged.tpid[0] = ETH_TYPE_VLAN_8021Q;
    tagged.tci[0] = 10;
    changed.ttl = 9;
    build(&plain, &pp);
    build(&tagged, &pt);
    build(&changed, &pc);

    run_n("output:1,push_vlan(tpid=0x8100,vid=10),output:2,pop_vlan,"
          "output:3,set(ipv4(ttl=9)),output:4", &pp, 2);
    /* Each output gets the whole batch before the next action runs. */
    assert_int_equal(n_captures, 8);
    assert_captured(0, 1, &pp);
    assert_captured(1, 1, &pp);
    assert_captured(2, 2, &pt);
    assert_captured(3, 2, &pt);
    assert_captured(4, 3, &pp);
    assert_captured(5, 3, &pp);
    assert_captured(6, 4, &pc);
    assert_captured(7, 4, &pc);

    /* Clone: the nested list changes a copy only. */
    reset(NULL);
    run("clone(push_vlan(tpid=0x8100,vid=10),output:2),output:1", &pp);
    assert_int_equal(n_captures, 2);
    assert_captured(0, 2, &pt);
    assert_captured(1, 1, &pp);

    /* Nested clones; a clone with no output frees its copies silently. */
    reset(NULL);
    run("clone(clone(set(ipv4(ttl=9)),output:4),push_vlan(tpid=0x8100,"
        "vid=10)),clone(),output:1", &pp);
    assert_int_equal(n_captures, 2);
    assert_captured(0, 4, &pc);
    assert_captured(1, 1, &pp);
    assert_int_equal(ctx.drops[DP_DROP_NO_OUTPUT], 0);
}

/* SET_ETH. */

static void
test_set_eth(void **state)
{
    struct spec in = base_spec(L3_IPV4, IP_PROTO_UDP);
    struct spec out = in;
    uint8_t mac[6] = { 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f };
    memcpy(out.src, mac, 6);
    check_one("set(eth(src=0a:0b:0c:0d:0e:0f)),output:1", &in, &out);
    out = in;
    memcpy(out.dst, mac, 6);
    out.dst[5] = in.dst[5];
    check_one("set(eth(dst=0a:0b:0c:0d:0e:0f/ff:ff:ff:ff:ff:00)),output:1",
              &in, &out);
}

/* SET_IPV4 with checksums over TCP, UDP, UDP without checksum, ICMP,
 * through VLAN tags, on a later fragment. */
static void
test_set_ipv4(void **state)
{
    static const uint8_t protos[] = {
        IP_PROTO_TCP, IP_PROTO_UDP, IP_PROTO_ICMP, IP_PROTO_SCTP
    };
    for (size_t i = 0; i < ARRAY_SIZE(protos); i++) {
        for (int variant = 0; variant < 5; variant++) {
            struct spec in = base_spec(L3_IPV4, protos[i]);
            if (variant == 1) {
                in.n_vlans = 2;
                in.tpid[0] = ETH_TYPE_VLAN_8021AD;
                in.tci[0] = 100;
                in.tpid[1] = ETH_TYPE_VLAN_8021Q;
                in.tci[1] = 200;
            } else if (variant == 2) {
                in.frag_ofs = 100;
            } else if (variant == 3) {
                in.payload = 0;
                in.udp_no_csum = true;
            } else if (variant == 4) {
                in.ip4_opts = 12;
            }
            struct spec out = in;
            uint8_t src[4] = { 192, 168, 1, 1 }, dst[4] = { 10, 9, 0, 2 };
            memcpy(out.ip4_src, src, 4);
            memcpy(out.ip4_dst, dst, 4);
            out.tos = 0xb8;
            out.ttl = 63;
            check_one("set(ipv4(src=192.168.1.1,dst=10.9.0.0/255.255.0.0,"
                      "tos=0xb8,ttl=63)),output:1", &in, &out);
        }
    }

    /* Not IPv4: unchanged. */
    struct spec v6 = base_spec(L3_IPV6, IP_PROTO_TCP);
    check_one("set(ipv4(ttl=1)),output:1", &v6, &v6);
    struct spec raw = base_spec(L3_NONE, 0);
    check_one("set(ipv4(ttl=1)),set(l4(dst=1)),output:1", &raw, &raw);
}

static void
test_set_ipv6(void **state)
{
    static const uint8_t protos[] = {
        IP_PROTO_TCP, IP_PROTO_UDP, IP_PROTO_ICMPV6, IP_PROTO_SCTP
    };
    for (size_t i = 0; i < ARRAY_SIZE(protos); i++) {
        for (int variant = 0; variant < 4; variant++) {
            struct spec in = base_spec(L3_IPV6, protos[i]);
            in.ip6_hopopts = variant & 1;
            in.ip6_frag = variant >> 1;     /* 0 or 1: a first fragment. */
            struct spec out = in;
            uint8_t src[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x55 };
            memcpy(out.ip6_src, src, 16);
            out.ip6_dst[15] = 0x99;
            out.tos = 0x28;
            out.ttl = 7;
            check_one("set(ipv6(src=2001:db8::55,dst=::99/::ff,tclass=0x28,"
                      "hlimit=7)),output:1", &in, &out);
        }
    }
    /* A later fragment: the addresses change, there is no L4 header. */
    struct spec in = base_spec(L3_IPV6, IP_PROTO_TCP);
    in.ip6_hopopts = true;
    in.ip6_frag = 2;
    struct spec out = in;
    out.ip6_dst[15] = 0x99;
    check_one("set(ipv6(dst=::99/::ff)),output:1", &in, &out);

    struct spec v4 = base_spec(L3_IPV4, IP_PROTO_TCP);
    check_one("set(ipv6(hlimit=1)),output:1", &v4, &v4);
}

static void
test_set_l4(void **state)
{
    static const uint8_t protos[] = {
        IP_PROTO_TCP, IP_PROTO_UDP, IP_PROTO_SCTP
    };
    for (size_t i = 0; i < ARRAY_SIZE(protos); i++) {
        for (int l3 = L3_IPV4; l3 <= L3_IPV6; l3++) {
            struct spec in = base_spec((enum l3) l3, protos[i]);
            struct spec out = in;
            out.sport = 4321;
            out.dport = 0x1f00 | (in.dport & 0xff);
            check_one("set(l4(src=4321,dst=0x1f00/0xff00)),output:1",
                      &in, &out);
        }
    }

    /* IPv6: ports after a first fragment's header, none after a later
     * one's. */
    struct spec in = base_spec(L3_IPV6, IP_PROTO_UDP);
    in.ip6_frag = 1;
    struct spec out = in;
    out.dport = 53;
    check_one("set(l4(dst=53)),output:1", &in, &out);
    in.ip6_frag = 2;
    check_one("set(l4(dst=53)),output:1", &in, &in);

    /* Ports after IPv4 options. */
    in = base_spec(L3_IPV4, IP_PROTO_TCP);
    in.ip4_opts = 8;
    out = in;
    out.sport = 7;
    check_one("set(l4(src=7)),output:1", &in, &out);

    /* IPv4 UDP without checksum stays without. */
    in = base_spec(L3_IPV4, IP_PROTO_UDP);
    in.udp_no_csum = true;
    out = in;
    out.dport = 53;
    check_one("set(l4(dst=53)),output:1", &in, &out);

    /* ICMP and later fragments have no ports. */
    in = base_spec(L3_IPV4, IP_PROTO_ICMP);
    check_one("set(l4(dst=53)),output:1", &in, &in);
    in = base_spec(L3_IPV4, IP_PROTO_TCP);
    in.frag_ofs = 10;
    check_one("set(l4(dst=53)),output:1", &in, &in);

    /* A truncated TCP header is left alone. */
    in = base_spec(L3_IPV4, IP_PROTO_TCP);
    struct pkt p;
    build(&in, &p);
    p.len = 14 + 20 + 10;
    struct pkt expect = p;
    reset(NULL);
    run("set(l4(dst=53)),set(ipv6(hlimit=1)),output:1", &p);
    assert_int_equal(n_captures, 1);
    assert_int_equal(captures[0].pkt.len, expect.len);
    assert_memory_equal(captures[0].pkt.data, expect.data, expect.len);
}

/* Headers split over two segments are made contiguous first. */
static void
test_chained_mbuf(void **state)
{
    struct spec in = base_spec(L3_IPV4, IP_PROTO_TCP);
    struct spec out = in;
    out.ttl = 5;
    out.dport = 8080;
    struct pkt pin, pout;
    build(&in, &pin);
    build(&out, &pout);

    struct rte_mbuf *a = rte_pktmbuf_alloc(pool);
    struct rte_mbuf *b = rte_pktmbuf_alloc(pool);
    assert_non_null(a);
    assert_non_null(b);
    size_t split = 20;              /* Inside the IPv4 header. */
    memcpy(rte_pktmbuf_append(a, split), pin.data, split);
    memcpy(rte_pktmbuf_append(b, pin.len - split), pin.data + split,
           pin.len - split);
    assert_int_equal(rte_pktmbuf_chain(a, b), 0);

    struct dp_actions acts;
    dp_actions_init(&acts);
    assert_null(dp_actions_parse("output:2,set(ipv4(ttl=5)),"
                                 "set(l4(dst=8080)),output:1", &acts));
    dp_execute(&ctx, &a, 1, acts.data, acts.size);
    dp_actions_uninit(&acts);
    assert_int_equal(n_captures, 2);
    assert_captured(0, 2, &pin);
    assert_captured(1, 1, &pout);

    /* Truncating a chain into its first segment (trimming the last
     * segment cannot do that: the executor copies). */
    a = rte_pktmbuf_alloc(pool);
    b = rte_pktmbuf_alloc(pool);
    assert_non_null(a);
    assert_non_null(b);
    memcpy(rte_pktmbuf_append(a, 40), pin.data, 40);
    memcpy(rte_pktmbuf_append(b, pin.len - 40), pin.data + 40,
           pin.len - 40);
    assert_int_equal(rte_pktmbuf_chain(a, b), 0);
    dp_actions_init(&acts);
    assert_null(dp_actions_parse("truncate(30),output:3", &acts));
    dp_execute(&ctx, &a, 1, acts.data, acts.size);
    dp_actions_uninit(&acts);
    struct pkt cut = pin;
    cut.len = 30;
    assert_int_equal(n_captures, 3);
    assert_captured(2, 3, &cut);
}

/* TRUNCATE applies to the next OUTPUT only. */
static void
test_truncate(void **state)
{
    struct spec s = base_spec(L3_IPV4, IP_PROTO_UDP);
    s.payload = 200;
    struct pkt p, cut;
    build(&s, &p);
    cut = p;
    cut.len = 60;

    run("truncate(60),output:1,output:2", &p);
    assert_int_equal(n_captures, 2);
    assert_captured(0, 1, &cut);
    assert_captured(1, 2, &p);

    /* On the last output the packet itself is cut, without a copy. */
    reset(NULL);
    run("truncate(60),output:1", &p);
    assert_captured(0, 1, &cut);
    assert_int_equal(ctx.n_copies, 0);

    /* Longer than the packet: no change. */
    reset(NULL);
    run("truncate(1500),output:1,truncate(61),clone(output:3),output:2",
        &p);
    assert_int_equal(n_captures, 3);
    assert_captured(0, 1, &p);
    assert_captured(1, 3, &p);      /* Not the clone's output. */
    cut.len = 61;
    assert_captured(2, 2, &cut);
}

/* POLICE with a real srTCM meter. */
static void
test_police(void **state)
{
    struct dp_meter_table *meters = dp_meter_table_create(4);
    struct spec s = base_spec(L3_IPV4, IP_PROTO_UDP);
    struct pkt p;
    build(&s, &p);
    struct dp_meter_config cfg = {
        .type = DP_METER_SRTCM, .cir = 1000, .cbs = 3 * p.len,
    };
    assert_int_equal(dp_meter_set(meters, 2, &cfg), 0);
    ctx.meters = meters;
    ctx.now_tsc = rte_get_tsc_cycles();

    run_n("output:9,police(2),output:1", &p, 10);
    assert_int_equal(n_captures, 13);
    assert_int_equal(ctx.drops[DP_DROP_METER], 7);
    for (size_t i = 0; i < 10; i++) {
        assert_captured(i, 9, &p);
    }
    for (size_t i = 10; i < 13; i++) {
        assert_captured(i, 1, &p);
    }

    /* An unknown meter passes. */
    run_n("police(3),output:1", &p, 2);
    assert_int_equal(n_captures, 15);

    /* Everything red: nothing after POLICE runs. */
    run_n("police(2),output:1", &p, 4);
    assert_int_equal(n_captures, 15);
    assert_int_equal(ctx.drops[DP_DROP_METER], 11);
    assert_int_equal(ctx.drops[DP_DROP_NO_OUTPUT], 0);

    dp_meter_table_destroy(meters);
}

/* USERSPACE sees the packet as it is at that point; it continues. */
static void
test_userspace(void **state)
{
    struct spec s = base_spec(L3_NONE, 0);
    struct spec tagged = s;
    tagged.n_vlans = 1;
    tagged.tpid[0] = ETH_TYPE_VLAN_8021Q;
    tagged.tci[0] = 4;
    struct pkt p, pt;
    build(&s, &p);
    build(&tagged, &pt);

    run("userspace(cookie=0x5),push_vlan(tpid=0x8100,vid=4),"
        "userspace(cookie=7),output:1", &p);
    assert_int_equal(n_upcalls, 2);
    assert_int_equal(cookies[0], 5);
    assert_int_equal(cookies[1], 7);
    assert_int_equal(upcalls[0].len, p.len);
    assert_memory_equal(upcalls[0].data, p.data, p.len);
    assert_memory_equal(upcalls[1].data, pt.data, pt.len);
    assert_captured(0, 1, &pt);

    /* Userspace only: not counted as a drop. */
    run("userspace(cookie=1)", &p);
    assert_int_equal(ctx.drops[DP_DROP_NO_OUTPUT], 0);

    /* Without a callback the action does nothing. */
    static const struct dp_execute_ops no_us = { capture_output, NULL };
    ctx.ops = &no_us;
    run("userspace(cookie=1),output:2", &p);
    assert_int_equal(n_upcalls, 3);
    assert_int_equal(n_captures, 2);
}

/* Copies that find no mbuf are dropped and counted; nothing leaks. */
static void
test_nomem(void **state)
{
    struct rte_mempool *tiny = dp_eal_pool("dp_exec_tiny", 4);
    assert_non_null(tiny);
    struct rte_mbuf *hold[4];
    assert_int_equal(rte_pktmbuf_alloc_bulk(tiny, hold, 4), 0);
    ctx.pool = tiny;

    struct spec s = base_spec(L3_IPV4, IP_PROTO_UDP);
    struct pkt p;
    build(&s, &p);
    run_n("output:1,clone(output:3),output:2", &p, 3);
    assert_int_equal(n_captures, 3);
    assert_captured(0, 2, &p);
    assert_int_equal(ctx.drops[DP_DROP_NOMEM], 6);

    rte_pktmbuf_free_bulk(hold, 4);
    assert_int_equal(rte_mempool_avail_count(tiny), 4);
    rte_mempool_free(tiny);
}

#define T(NAME) cmocka_unit_test_setup_teardown(NAME, reset, check_pool)

int
main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_output),
        T(test_drop),
        T(test_push_pop_vlan),
        T(test_push_vlan_no_headroom),
        T(test_shared_mbuf),
        T(test_isolation),
        T(test_set_eth),
        T(test_set_ipv4),
        T(test_set_ipv6),
        T(test_set_l4),
        T(test_chained_mbuf),
        T(test_truncate),
        T(test_police),
        T(test_userspace),
        T(test_nomem),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
