/* Unit tests for lib/flow: the packet parser, masks, hashes and
 * flow_format(). */
#include "unit.h"

#include <arpa/inet.h>

#include "dynamic-string.h"
#include "flow.h"

/* A packet built byte by byte. */
struct pkt {
    uint8_t b[600];
    size_t n;
};

static void
put8(struct pkt *p, unsigned int x)
{
    assert_true(p->n < sizeof p->b);
    p->b[p->n++] = x;
}

static void
put16(struct pkt *p, unsigned int x)
{
    put8(p, x >> 8);
    put8(p, x & 0xff);
}

static void
put32(struct pkt *p, uint32_t x)
{
    put16(p, x >> 16);
    put16(p, x & 0xffff);
}

static void
put_zeros(struct pkt *p, size_t n)
{
    while (n--) {
        put8(p, 0);
    }
}

static void
put_bytes(struct pkt *p, const uint8_t *bytes, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        put8(p, bytes[i]);
    }
}

static const uint8_t mac_a[6] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55 };
static const uint8_t mac_b[6] = { 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee };
static const uint8_t ip6_a[16] = {
    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01 };
static const uint8_t ip6_b[16] = {
    0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x02, 0x11, 0x22, 0xff, 0xfe, 0x33, 0x44,
    0x55 };

/* Ethernet header: dst mac_b, src mac_a. */
static void
put_eth(struct pkt *p, unsigned int type)
{
    put_bytes(p, mac_b, 6);
    put_bytes(p, mac_a, 6);
    put16(p, type);
}

static void
put_vlan(struct pkt *p, unsigned int tci, unsigned int next_type)
{
    put16(p, tci);
    put16(p, next_type);
}

/* IPv4 header with N_OPT 4-byte option words; L4_LEN bytes follow it.
 * FRAG is the host-order flags and offset field. */
static void
put_ipv4(struct pkt *p, unsigned int proto, size_t l4_len, int n_opt,
         unsigned int frag)
{
    put8(p, 0x40 | (5 + n_opt));
    put8(p, 0xb8);                          /* DSCP 46, ECN 0. */
    put16(p, 20 + 4 * n_opt + l4_len);
    put16(p, 0x1234);
    put16(p, frag);
    put8(p, 64);
    put8(p, proto);
    put16(p, 0);
    put32(p, 0x0a000001);                   /* 10.0.0.1 */
    put32(p, 0xc0a80102);                   /* 192.168.1.2 */
    for (int i = 0; i < n_opt; i++) {
        put32(p, 0x01010101);               /* NOPs. */
    }
}

static void
put_ipv6(struct pkt *p, unsigned int nxt, size_t plen)
{
    put32(p, 0x6a512345);                   /* Class 0xa5, label 0x12345. */
    put16(p, plen);
    put8(p, nxt);
    put8(p, 33);
    put_bytes(p, ip6_a, 16);
    put_bytes(p, ip6_b, 16);
}

/* An options-style extension header of 8 * (1 + LEN8) bytes. */
static void
put_ext(struct pkt *p, unsigned int nxt, unsigned int len8)
{
    put8(p, nxt);
    put8(p, len8);
    put_zeros(p, 6 + 8 * len8);
}

static void
put_tcp(struct pkt *p, unsigned int src, unsigned int dst, int n_opt,
        unsigned int flags)
{
    put16(p, src);
    put16(p, dst);
    put32(p, 1000);
    put32(p, 0);
    put16(p, (5 + n_opt) << 12 | flags);
    put16(p, 8192);
    put32(p, 0);
    for (int i = 0; i < n_opt; i++) {
        put32(p, 0x01010101);
    }
}

static void
put_udp(struct pkt *p, unsigned int src, unsigned int dst, size_t len)
{
    put16(p, src);
    put16(p, dst);
    put16(p, len);
    put16(p, 0);
}

static int
extract(const struct pkt *p, struct flow *flow, struct flow_layout *l)
{
    /* An exactly-sized copy, so that AddressSanitizer sees any read past
     * the end. */
    uint8_t *copy = xmalloc(p->n ? p->n : 1);
    memcpy(copy, p->b, p->n);
    int status = flow_extract(copy, p->n, flow, l);
    free(copy);
    return status;
}

static void
assert_ip6(const struct in6_addr *a, const uint8_t b[16])
{
    assert_memory_equal(a, b, 16);
}

static void
assert_layout(const struct flow_layout *l, unsigned int l2_5,
              unsigned int l3, unsigned int l4, unsigned int l7)
{
    assert_int_equal(l->l2_5_ofs, l2_5);
    assert_int_equal(l->l3_ofs, l3);
    assert_int_equal(l->l4_ofs, l4);
    assert_int_equal(l->l7_ofs, l7);
}

#define NONE FLOW_OFS_NONE

static void
test_ethernet(void **state)
{
    (void) state;
    struct pkt p = { .n = 0 };
    struct flow f;
    struct flow_layout l;

    put_eth(&p, 0x88cc);                    /* LLDP: not parsed further. */
    put_zeros(&p, 30);
    f.in_port = 99;
    assert_int_equal(extract(&p, &f, &l), 0);
    assert_int_equal(f.in_port, 0);
    assert_memory_equal(f.dl_dst.ea, mac_b, 6);
    assert_memory_equal(f.dl_src.ea, mac_a, 6);
    assert_int_equal(ntohs(f.dl_type), 0x88cc);
    assert_int_equal(f.vlans[0].tci, 0);
    assert_layout(&l, NONE, NONE, NONE, NONE);

    /* 802.3 with LLC/SNAP: no ethertype. */
    p.n = 0;
    put_eth(&p, 46);
    put8(&p, 0xaa);
    put8(&p, 0xaa);
    put8(&p, 0x03);
    put_zeros(&p, 3);
    put16(&p, 0x0800);
    put_zeros(&p, 38);
    assert_int_equal(extract(&p, &f, &l), 0);
    assert_int_equal(ntohs(f.dl_type), FLOW_DL_TYPE_NONE);
    assert_int_equal(f.nw_src, 0);
    assert_layout(&l, NONE, NONE, NONE, NONE);

    /* Shorter than an Ethernet header: nothing. */
    p.n = 13;
    assert_int_equal(extract(&p, &f, &l), FLOW_PARSE_TRUNCATED);
    assert_true(eth_addr_is_zero(f.dl_dst));
    assert_int_equal(f.dl_type, 0);

    /* A NULL layout is fine. */
    assert_int_equal(flow_extract(p.b, 20, &f, NULL), 0);
}

static void
test_vlan(void **state)
{
    (void) state;
    struct pkt p = { .n = 0 };
    struct flow f;
    struct flow_layout l;

    /* One tag, VID 0 PCP 0: present, unlike "no tag". */
    put_eth(&p, ETH_TYPE_VLAN_8021Q);
    put_vlan(&p, 0x0000, ETH_TYPE_IP);
    put_ipv4(&p, IP_PROTO_UDP, 8, 0, 0);
    put_udp(&p, 53, 1053, 8);
    assert_int_equal(extract(&p, &f, &l), 0);
    assert_int_equal(ntohs(f.vlans[0].tpid), ETH_TYPE_VLAN_8021Q);
    assert_int_equal(ntohs(f.vlans[0].tci), VLAN_CFI);
    assert_int_equal(f.vlans[1].tci, 0);
    assert_int_equal(ntohs(f.dl_type), ETH_TYPE_IP);
    assert_int_equal(ntohs(f.tp_src), 53);
    assert_layout(&l, 14, 18, 38, 46);

    /* 802.1ad outer, 802.1Q inner. */
    p.n = 0;
    put_eth(&p, ETH_TYPE_VLAN_8021AD);
    put_vlan(&p, 0xa064, ETH_TYPE_VLAN_8021Q);  /* PCP 5, VID 100. */
    put_vlan(&p, 0x200a, ETH_TYPE_ARP);         /* PCP 1, VID 10. */
    put_zeros(&p, 28);
    assert_int_equal(extract(&p, &f, &l), 0);
    assert_int_equal(ntohs(f.vlans[0].tpid), ETH_TYPE_VLAN_8021AD);
    assert_int_equal(ntohs(f.vlans[0].tci), 0xa064 | VLAN_CFI);
    assert_int_equal(ntohs(f.vlans[1].tpid), ETH_TYPE_VLAN_8021Q);
    assert_int_equal(ntohs(f.vlans[1].tci), 0x200a | VLAN_CFI);
    assert_int_equal(ntohs(f.dl_type), ETH_TYPE_ARP);
    assert_int_equal(l.l2_5_ofs, 14);

    /* A third tag stays in the payload: dl_type is its TPID. */
    p.n = 0;
    put_eth(&p, ETH_TYPE_VLAN_8021Q);
    put_vlan(&p, 1, ETH_TYPE_VLAN_8021Q);
    put_vlan(&p, 2, ETH_TYPE_VLAN_8021Q);
    put_vlan(&p, 3, ETH_TYPE_IP);
    put_ipv4(&p, IP_PROTO_UDP, 8, 0, 0);
    put_udp(&p, 1, 2, 8);
    assert_int_equal(extract(&p, &f, &l), 0);
    assert_int_equal(ntohs(f.vlans[0].tci), 1 | VLAN_CFI);
    assert_int_equal(ntohs(f.vlans[1].tci), 2 | VLAN_CFI);
    assert_int_equal(ntohs(f.dl_type), ETH_TYPE_VLAN_8021Q);
    assert_int_equal(f.nw_src, 0);
    assert_layout(&l, 14, NONE, NONE, NONE);

    /* A tag cut short: dl_type is its TPID, no tag. */
    p.n = 16;
    assert_int_equal(extract(&p, &f, &l), FLOW_PARSE_TRUNCATED);
    assert_int_equal(ntohs(f.dl_type), ETH_TYPE_VLAN_8021Q);
    assert_int_equal(f.vlans[0].tci, 0);
    assert_int_equal(l.l2_5_ofs, NONE);
}

static void
put_arp(struct pkt *p, unsigned int htype, unsigned int op)
{
    put_eth(p, ETH_TYPE_ARP);
    put16(p, htype);
    put16(p, ETH_TYPE_IP);
    put8(p, 6);
    put8(p, 4);
    put16(p, op);
    put_bytes(p, mac_a, 6);
    put32(p, 0x0a000001);
    put_bytes(p, mac_b, 6);
    put32(p, 0x0a0000fe);
}

static void
test_arp(void **state)
{
    (void) state;
    struct pkt p = { .n = 0 };
    struct flow f;
    struct flow_layout l;

    put_arp(&p, 1, 0x0102);
    put_zeros(&p, 18);                      /* Padding to 60. */
    assert_int_equal(extract(&p, &f, &l), 0);
    assert_int_equal(f.nw_proto, 0x02);     /* Low byte of the opcode. */
    assert_int_equal(ntohl(f.nw_src), 0x0a000001);
    assert_int_equal(ntohl(f.nw_dst), 0x0a0000fe);
    assert_memory_equal(f.arp_sha.ea, mac_a, 6);
    assert_memory_equal(f.arp_tha.ea, mac_b, 6);
    assert_int_equal(f.tp_src, 0);
    assert_layout(&l, NONE, 14, NONE, NONE);

    /* Not Ethernet/IPv4: left unparsed, not an error. */
    p.n = 0;
    put_arp(&p, 6, 1);
    assert_int_equal(extract(&p, &f, &l), 0);
    assert_int_equal(f.nw_src, 0);
    assert_int_equal(f.nw_proto, 0);
    assert_true(eth_addr_is_zero(f.arp_sha));
    assert_int_equal(l.l3_ofs, NONE);

    /* Cut short. */
    p.n = 0;
    put_arp(&p, 1, 1);
    p.n--;
    assert_int_equal(extract(&p, &f, &l), FLOW_PARSE_TRUNCATED);
    assert_int_equal(f.nw_src, 0);
    assert_int_equal(ntohs(f.dl_type), ETH_TYPE_ARP);
}

static void
test_ipv4_transports(void **state)
{
    (void) state;
    struct pkt p = { .n = 0 };
    struct flow f;
    struct flow_layout l;

    /* TCP with 2 option words and a 3-byte payload. */
    put_eth(&p, ETH_TYPE_IP);
    put_ipv4(&p, IP_PROTO_TCP, 28 + 3, 0, IP_DONT_FRAGMENT);
    put_tcp(&p, 80, 1024, 2, 0xa12);        /* Reserved bits set too. */
    put_bytes(&p, (const uint8_t *) "abc", 3);
    assert_int_equal(extract(&p, &f, &l), 0);
    assert_int_equal(ntohl(f.nw_src), 0x0a000001);
    assert_int_equal(ntohl(f.nw_dst), 0xc0a80102);
    assert_int_equal(f.nw_proto, IP_PROTO_TCP);
    assert_int_equal(f.nw_tos, 0xb8);
    assert_int_equal(f.nw_ttl, 64);
    assert_int_equal(f.nw_frag, 0);         /* DF is not a fragment. */
    assert_int_equal(ntohs(f.tp_src), 80);
    assert_int_equal(ntohs(f.tp_dst), 1024);
    assert_int_equal(ntohs(f.tcp_flags), 0xa12);
    assert_layout(&l, NONE, 14, 34, 62);

    /* SCTP. */
    p.n = 0;
    put_eth(&p, ETH_TYPE_IP);
    put_ipv4(&p, IP_PROTO_SCTP, 12, 0, 0);
    put16(&p, 2905);
    put16(&p, 2906);
    put32(&p, 0xdeadbeef);
    put32(&p, 0);
    assert_int_equal(extract(&p, &f, &l), 0);
    assert_int_equal(ntohs(f.tp_src), 2905);
    assert_int_equal(ntohs(f.tp_dst), 2906);
    assert_int_equal(f.tcp_flags, 0);
    assert_layout(&l, NONE, 14, 34, 46);

    /* ICMP echo request. */
    p.n = 0;
    put_eth(&p, ETH_TYPE_IP);
    put_ipv4(&p, IP_PROTO_ICMP, 8, 0, 0);
    put8(&p, 8);
    put8(&p, 0);
    put16(&p, 0);
    put32(&p, 0x00010002);
    assert_int_equal(extract(&p, &f, &l), 0);
    assert_int_equal(ntohs(f.tp_src), 8);
    assert_int_equal(ntohs(f.tp_dst), 0);
    assert_layout(&l, NONE, 14, 34, 38);

    /* An unknown protocol: L3 only. */
    p.n = 0;
    put_eth(&p, ETH_TYPE_IP);
    put_ipv4(&p, 47, 4, 0, 0);
    put32(&p, 0x00006558);
    assert_int_equal(extract(&p, &f, &l), 0);
    assert_int_equal(f.nw_proto, 47);
    assert_int_equal(f.tp_src, 0);
    assert_layout(&l, NONE, 14, NONE, NONE);
}

static void
test_ipv4_options_and_padding(void **state)
{
    (void) state;
    struct pkt p = { .n = 0 };
    struct flow f;
    struct flow_layout l;

    /* IHL 15: 40 bytes of options. */
    put_eth(&p, ETH_TYPE_IP);
    put_ipv4(&p, IP_PROTO_UDP, 8, 10, 0);
    put_udp(&p, 67, 68, 8);
    assert_int_equal(extract(&p, &f, &l), 0);
    assert_int_equal(ntohs(f.tp_dst), 68);
    assert_layout(&l, NONE, 14, 74, 82);

    /* Ethernet padding after a short IPv4 packet is ignored. */
    p.n = 0;
    put_eth(&p, ETH_TYPE_IP);
    put_ipv4(&p, IP_PROTO_UDP, 8, 0, 0);
    put_udp(&p, 1, 2, 8);
    put_zeros(&p, 18);
    assert_int_equal(extract(&p, &f, &l), 0);
    assert_int_equal(ntohs(f.tp_dst), 2);

    /* A total length that cuts the TCP header: the padding does not
     * supply the missing bytes. */
    p.n = 0;
    put_eth(&p, ETH_TYPE_IP);
    put_ipv4(&p, IP_PROTO_TCP, 10, 0, 0);
    put_tcp(&p, 80, 81, 0, TCP_SYN);
    put_zeros(&p, 10);
    assert_int_equal(extract(&p, &f, &l), FLOW_PARSE_TRUNCATED);
    assert_int_equal(f.nw_proto, IP_PROTO_TCP);
    assert_int_equal(f.tp_src, 0);
    assert_int_equal(f.tcp_flags, 0);
    assert_layout(&l, NONE, 14, NONE, NONE);

    /* A total length past the end: the IPv4 fields are kept. */
    p.n = 0;
    put_eth(&p, ETH_TYPE_IP);
    put_ipv4(&p, IP_PROTO_UDP, 100, 0, 0);
    put_udp(&p, 1, 2, 100);
    assert_int_equal(extract(&p, &f, &l), FLOW_PARSE_TRUNCATED);
    assert_int_equal(ntohl(f.nw_src), 0x0a000001);
    assert_int_equal(ntohs(f.tp_dst), 2);
}

static void
test_ipv4_fragments(void **state)
{
    (void) state;
    struct pkt p = { .n = 0 };
    struct flow f;
    struct flow_layout l;

    /* First fragment: MF set, offset 0: transport parsed. */
    put_eth(&p, ETH_TYPE_IP);
    put_ipv4(&p, IP_PROTO_UDP, 16, 0, IP_MORE_FRAGMENTS);
    put_udp(&p, 5000, 5001, 1000);
    put_zeros(&p, 8);
    assert_int_equal(extract(&p, &f, &l), 0);
    assert_int_equal(f.nw_frag, FLOW_NW_FRAG_ANY);
    assert_int_equal(ntohs(f.tp_src), 5000);
    assert_layout(&l, NONE, 14, 34, 42);

    /* Later fragment (offset 2, MF): no transport. */
    p.n = 0;
    put_eth(&p, ETH_TYPE_IP);
    put_ipv4(&p, IP_PROTO_UDP, 16, 0, IP_MORE_FRAGMENTS | 2);
    put_udp(&p, 5000, 5001, 1000);
    put_zeros(&p, 8);
    assert_int_equal(extract(&p, &f, &l), 0);
    assert_int_equal(f.nw_frag, FLOW_NW_FRAG_ANY | FLOW_NW_FRAG_LATER);
    assert_int_equal(f.nw_proto, IP_PROTO_UDP);
    assert_int_equal(f.tp_src, 0);
    assert_layout(&l, NONE, 14, NONE, NONE);

    /* Last fragment (offset, no MF). */
    p.n = 0;
    put_eth(&p, ETH_TYPE_IP);
    put_ipv4(&p, IP_PROTO_TCP, 4, 0, 185);
    put32(&p, 0x12345678);
    assert_int_equal(extract(&p, &f, &l), 0);
    assert_int_equal(f.nw_frag, FLOW_NW_FRAG_ANY | FLOW_NW_FRAG_LATER);
    assert_int_equal(f.tp_src, 0);
}

static void
test_ipv4_malformed(void **state)
{
    (void) state;
    struct pkt p = { .n = 0 };
    struct flow f;
    struct flow_layout l;

    /* IHL 4. */
    put_eth(&p, ETH_TYPE_IP);
    put_ipv4(&p, IP_PROTO_UDP, 8, 0, 0);
    put_udp(&p, 1, 2, 8);
    p.b[14] = 0x44;
    assert_int_equal(extract(&p, &f, &l), FLOW_PARSE_MALFORMED);
    assert_int_equal(f.nw_src, 0);
    assert_int_equal(f.nw_proto, 0);
    assert_int_equal(ntohs(f.dl_type), ETH_TYPE_IP);
    assert_layout(&l, NONE, NONE, NONE, NONE);

    /* Version 6 in an IPv4 ethertype. */
    p.b[14] = 0x65;
    assert_int_equal(extract(&p, &f, &l), FLOW_PARSE_MALFORMED);
    assert_int_equal(f.nw_src, 0);

    /* Total length smaller than the header. */
    p.b[14] = 0x45;
    p.b[16] = 0;
    p.b[17] = 19;
    assert_int_equal(extract(&p, &f, &l), FLOW_PARSE_MALFORMED);
    assert_int_equal(f.nw_ttl, 0);

    /* IHL larger than the packet: truncated. */
    p.b[14] = 0x4f;
    p.b[17] = 60;
    assert_int_equal(extract(&p, &f, &l), FLOW_PARSE_TRUNCATED);
    assert_int_equal(f.nw_src, 0);

    /* TCP data offset 4. */
    p.n = 0;
    put_eth(&p, ETH_TYPE_IP);
    put_ipv4(&p, IP_PROTO_TCP, 20, 0, 0);
    put_tcp(&p, 80, 81, 0, TCP_ACK);
    p.b[46] = 0x40;
    assert_int_equal(extract(&p, &f, &l), FLOW_PARSE_MALFORMED);
    assert_int_equal(f.nw_proto, IP_PROTO_TCP);
    assert_int_equal(f.tp_src, 0);
    assert_int_equal(f.tcp_flags, 0);
    assert_int_equal(l.l4_ofs, NONE);

    /* TCP data offset past the end. */
    p.b[46] = 0x60;
    assert_int_equal(extract(&p, &f, &l), FLOW_PARSE_TRUNCATED);
    assert_int_equal(f.tp_src, 0);
}

static void
test_ipv6(void **state)
{
    (void) state;
    struct pkt p = { .n = 0 };
    struct flow f;
    struct flow_layout l;

    /* Plain TCP. */
    put_eth(&p, ETH_TYPE_IPV6);
    put_ipv6(&p, IP_PROTO_TCP, 20);
    put_tcp(&p, 443, 50000, 0, TCP_SYN | TCP_ACK);
    assert_int_equal(extract(&p, &f, &l), 0);
    assert_ip6(&f.ipv6_src, ip6_a);
    assert_ip6(&f.ipv6_dst, ip6_b);
    assert_int_equal(ntohl(f.ipv6_label), 0x12345);
    assert_int_equal(f.nw_tos, 0xa5);
    assert_int_equal(f.nw_ttl, 33);
    assert_int_equal(f.nw_proto, IP_PROTO_TCP);
    assert_int_equal(f.nw_src, 0);
    assert_int_equal(ntohs(f.tp_src), 443);
    assert_int_equal(ntohs(f.tcp_flags), TCP_SYN | TCP_ACK);
    assert_layout(&l, NONE, 14, 54, 74);

    /* Hop-by-hop, destination options (16 bytes), routing, AH (24
     * bytes), then UDP. */
    p.n = 0;
    put_eth(&p, ETH_TYPE_IPV6);
    put_ipv6(&p, IP_PROTO_HOPOPTS, 8 + 16 + 8 + 24 + 8);
    put_ext(&p, IP_PROTO_DSTOPTS, 0);
    put_ext(&p, IP_PROTO_ROUTING, 1);
    put_ext(&p, IP_PROTO_AH, 0);
    put8(&p, IP_PROTO_UDP);
    put8(&p, 4);                            /* (4 + 2) * 4 = 24 bytes. */
    put_zeros(&p, 22);
    put_udp(&p, 546, 547, 8);
    assert_int_equal(extract(&p, &f, &l), 0);
    assert_int_equal(f.nw_proto, IP_PROTO_UDP);
    assert_int_equal(ntohs(f.tp_dst), 547);
    assert_int_equal(f.nw_frag, 0);
    assert_layout(&l, NONE, 14, 110, 118);

    /* ICMPv6 neighbor solicitation after a VLAN tag. */
    p.n = 0;
    put_eth(&p, ETH_TYPE_VLAN_8021Q);
    put_vlan(&p, 7, ETH_TYPE_IPV6);
    put_ipv6(&p, IP_PROTO_ICMPV6, 24);
    put8(&p, 135);
    put8(&p, 0);
    put16(&p, 0);
    put32(&p, 0);
    put_bytes(&p, ip6_b, 16);
    assert_int_equal(extract(&p, &f, &l), 0);
    assert_int_equal(f.nw_proto, IP_PROTO_ICMPV6);
    assert_int_equal(ntohs(f.tp_src), 135);
    assert_layout(&l, 14, 18, 58, 62);

    /* ESP and "no next header" end the chain. */
    p.n = 0;
    put_eth(&p, ETH_TYPE_IPV6);
    put_ipv6(&p, IP_PROTO_DSTOPTS, 16);
    put_ext(&p, IP_PROTO_ESP, 0);
    put32(&p, 0x100);
    put32(&p, 1);
    assert_int_equal(extract(&p, &f, &l), 0);
    assert_int_equal(f.nw_proto, IP_PROTO_ESP);
    assert_layout(&l, NONE, 14, NONE, NONE);
    p.b[54] = IP_PROTO_NONE;
    assert_int_equal(extract(&p, &f, &l), 0);
    assert_int_equal(f.nw_proto, IP_PROTO_NONE);

    /* The payload length trims trailing bytes. */
    p.n = 0;
    put_eth(&p, ETH_TYPE_IPV6);
    put_ipv6(&p, IP_PROTO_UDP, 6);
    put_udp(&p, 1, 2, 8);
    assert_int_equal(extract(&p, &f, &l), FLOW_PARSE_TRUNCATED);
    assert_int_equal(f.nw_proto, IP_PROTO_UDP);
    assert_int_equal(f.tp_src, 0);
    /* ... except 0, a jumbogram. */
    p.b[18] = p.b[19] = 0;
    assert_int_equal(extract(&p, &f, &l), 0);
    assert_int_equal(ntohs(f.tp_src), 1);
}

static void
test_ipv6_fragments(void **state)
{
    (void) state;
    struct pkt p = { .n = 0 };
    struct flow f;
    struct flow_layout l;

    /* First fragment, after hop-by-hop. */
    put_eth(&p, ETH_TYPE_IPV6);
    put_ipv6(&p, IP_PROTO_HOPOPTS, 8 + 8 + 8);
    put_ext(&p, IP_PROTO_FRAGMENT, 0);
    put8(&p, IP_PROTO_UDP);
    put8(&p, 0);
    put16(&p, IPV6_FRAG_MORE);
    put32(&p, 0xabcdef);
    put_udp(&p, 7, 9, 800);
    assert_int_equal(extract(&p, &f, &l), 0);
    assert_int_equal(f.nw_frag, FLOW_NW_FRAG_ANY);
    assert_int_equal(f.nw_proto, IP_PROTO_UDP);
    assert_int_equal(ntohs(f.tp_dst), 9);
    assert_layout(&l, NONE, 14, 70, 78);

    /* Later fragment: nw_proto from the fragment header, no L4. */
    p.b[64] = 0x01;                         /* Offset 32 (units of 8). */
    assert_int_equal(extract(&p, &f, &l), 0);
    assert_int_equal(f.nw_frag, FLOW_NW_FRAG_ANY | FLOW_NW_FRAG_LATER);
    assert_int_equal(f.nw_proto, IP_PROTO_UDP);
    assert_int_equal(f.tp_dst, 0);
    assert_layout(&l, NONE, 14, NONE, NONE);

    /* Atomic fragment: offset 0, no M: not a fragment. */
    p.b[64] = 0;
    p.b[65] = 0;
    assert_int_equal(extract(&p, &f, &l), 0);
    assert_int_equal(f.nw_frag, 0);
    assert_int_equal(ntohs(f.tp_dst), 9);
}

static void
test_ipv6_malformed(void **state)
{
    (void) state;
    struct pkt p = { .n = 0 };
    struct flow f;
    struct flow_layout l;

    /* Hop-by-hop after another extension header. */
    put_eth(&p, ETH_TYPE_IPV6);
    put_ipv6(&p, IP_PROTO_DSTOPTS, 24);
    put_ext(&p, IP_PROTO_HOPOPTS, 0);
    put_ext(&p, IP_PROTO_UDP, 0);
    put_udp(&p, 1, 2, 8);
    assert_int_equal(extract(&p, &f, &l), FLOW_PARSE_MALFORMED);
    assert_int_equal(f.nw_proto, 0);
    assert_int_equal(f.tp_src, 0);
    assert_ip6(&f.ipv6_src, ip6_a);         /* The base header is sound. */
    assert_int_equal(l.l3_ofs, 14);

    /* Eight extension headers are walked, nine are too many. */
    for (int n_ext = 8; n_ext <= 9; n_ext++) {
        p.n = 0;
        put_eth(&p, ETH_TYPE_IPV6);
        put_ipv6(&p, IP_PROTO_DSTOPTS, n_ext * 8 + 8);
        for (int i = 0; i < n_ext; i++) {
            put_ext(&p, i < n_ext - 1 ? IP_PROTO_DSTOPTS : IP_PROTO_UDP, 0);
        }
        put_udp(&p, 1, 2, 8);
        int status = extract(&p, &f, &l);
        if (n_ext == 8) {
            assert_int_equal(status, 0);
            assert_int_equal(ntohs(f.tp_dst), 2);
        } else {
            assert_int_equal(status, FLOW_PARSE_MALFORMED);
            assert_int_equal(f.tp_dst, 0);
        }
    }

    /* Version 4 in an IPv6 ethertype. */
    p.b[14] = 0x4a;
    assert_int_equal(extract(&p, &f, &l), FLOW_PARSE_MALFORMED);
    assert_int_equal(f.nw_ttl, 0);

    /* An extension header longer than the packet. */
    p.n = 0;
    put_eth(&p, ETH_TYPE_IPV6);
    put_ipv6(&p, IP_PROTO_ROUTING, 0);
    put_ext(&p, IP_PROTO_UDP, 0);
    p.b[55] = 200;
    assert_int_equal(extract(&p, &f, &l), FLOW_PARSE_TRUNCATED);
    assert_int_equal(f.nw_proto, 0);
}

/* Compares TRUNC, parsed from a prefix of LEN bytes, with FULL, parsed
 * from the whole packet (FULL_L: its layout): every field is its full
 * value or zero, it is its full value when its header is complete, and
 * the layout offsets set are the full ones. */
static void
check_prefix(const struct flow *trunc, const struct flow_layout *tl,
             const struct flow *full, const struct flow_layout *fl,
             size_t len)
{
    const uint8_t *t = (const uint8_t *) trunc;
    const uint8_t *u = (const uint8_t *) full;
    size_t dl_type_ofs = offsetof(struct flow, dl_type);

    for (size_t i = 0; i < sizeof *trunc; i++) {
        if (i == dl_type_ofs || i == dl_type_ofs + 1) {
            continue;
        }
        if (t[i] && t[i] != u[i]) {
            fail_msg("length %zu: byte %zu is %#x, full %#x", len, i, t[i],
                     u[i]);
        }
    }
    if (trunc->dl_type != full->dl_type && trunc->dl_type
        && trunc->dl_type != htons(ETH_TYPE_VLAN_8021Q)
        && trunc->dl_type != htons(ETH_TYPE_VLAN_8021AD)) {
        fail_msg("length %zu: dl_type %#x", len, ntohs(trunc->dl_type));
    }

    const uint16_t *to = &tl->l2_5_ofs, *fo = &fl->l2_5_ofs;
    for (int i = 0; i < 4; i++) {
        assert_true(to[i] == NONE || to[i] == fo[i]);
    }
    if (fl->l7_ofs != NONE && len >= fl->l7_ofs) {
        assert_int_equal(trunc->tp_src, full->tp_src);
        assert_int_equal(trunc->tp_dst, full->tp_dst);
        assert_int_equal(trunc->tcp_flags, full->tcp_flags);
        assert_int_equal(tl->l4_ofs, fl->l4_ofs);
    } else if (fl->l7_ofs != NONE) {
        assert_int_equal(trunc->tp_src, 0);
        assert_int_equal(trunc->tcp_flags, 0);
        assert_int_equal(tl->l4_ofs, NONE);
    }
    if (fl->l4_ofs != NONE && len < fl->l4_ofs) {
        /* The L3 header (with IPv4 options, IPv6 extension headers) is
         * incomplete: no transport protocol. */
        assert_int_equal(trunc->nw_proto, 0);
    }
    if (len >= ETH_HEADER_LEN) {
        assert_memory_equal(&trunc->dl_src, &full->dl_src, 6);
    }
}

/* Parses every prefix of P, in an exactly-sized buffer: no crash, no read
 * out of bounds, TRUNCATED on each one shorter than the packet, only
 * fields of complete headers. */
static void
check_all_prefixes(const struct pkt *p)
{
    struct flow full, trunc;
    struct flow_layout fl, tl;
    assert_int_equal(extract(p, &full, &fl), 0);

    for (size_t len = 0; len < p->n; len++) {
        struct pkt q = *p;
        q.n = len;
        int status = extract(&q, &trunc, &tl);
        if (!(status & FLOW_PARSE_TRUNCATED)) {
            fail_msg("length %zu of %zu: status %d", len, p->n, status);
        }
        assert_false(status & FLOW_PARSE_MALFORMED);
        check_prefix(&trunc, &tl, &full, &fl, len);
    }
}

static void
test_truncation_every_length(void **state)
{
    (void) state;
    struct pkt p = { .n = 0 };

    /* VLAN, IPv4 with options, TCP with options, a payload. */
    put_eth(&p, ETH_TYPE_VLAN_8021Q);
    put_vlan(&p, 0x2064, ETH_TYPE_IP);
    put_ipv4(&p, IP_PROTO_TCP, 32 + 5, 2, 0);
    put_tcp(&p, 22, 40000, 3, TCP_PSH | TCP_ACK);
    put_bytes(&p, (const uint8_t *) "hello", 5);
    check_all_prefixes(&p);

    /* Two tags, IPv4, ICMP. */
    p.n = 0;
    put_eth(&p, ETH_TYPE_VLAN_8021AD);
    put_vlan(&p, 5, ETH_TYPE_VLAN_8021Q);
    put_vlan(&p, 6, ETH_TYPE_IP);
    put_ipv4(&p, IP_PROTO_ICMP, 8, 0, 0);
    put8(&p, 3);
    put8(&p, 1);
    put_zeros(&p, 6);
    check_all_prefixes(&p);

    /* IPv6, extension headers, first fragment, UDP. */
    p.n = 0;
    put_eth(&p, ETH_TYPE_IPV6);
    put_ipv6(&p, IP_PROTO_HOPOPTS, 8 + 16 + 8 + 8 + 2);
    put_ext(&p, IP_PROTO_ROUTING, 1);
    put_ext(&p, IP_PROTO_FRAGMENT, 0);
    put8(&p, IP_PROTO_UDP);
    put8(&p, 0);
    put16(&p, IPV6_FRAG_MORE);
    put32(&p, 1);
    put_udp(&p, 4789, 4790, 10);
    put16(&p, 0xffff);
    check_all_prefixes(&p);

    /* IPv6 SCTP. */
    p.n = 0;
    put_eth(&p, ETH_TYPE_IPV6);
    put_ipv6(&p, IP_PROTO_SCTP, 12);
    put16(&p, 9);
    put16(&p, 10);
    put32(&p, 1);
    put32(&p, 2);
    check_all_prefixes(&p);

    /* ARP. */
    p.n = 0;
    put_arp(&p, 1, 2);
    check_all_prefixes(&p);
}

static uint32_t rng_state = 0x9e3779b9;

static uint32_t
rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

/* A random key with zero padding. */
static void
random_flow(struct flow *f, bool sparse)
{
    uint8_t *b = (uint8_t *) f;
    for (size_t i = 0; i < sizeof *f; i++) {
        b[i] = sparse ? (rnd() % 4 ? 0 : rnd()) : rnd();
    }
    f->pad0 = 0;
    f->pad1 = 0;
    memset(f->pad2, 0, sizeof f->pad2);
}

static void
test_masks(void **state)
{
    (void) state;
    struct flow_wildcards wc, exact, other;
    struct flow a, b;

    flow_wildcards_init_catchall(&wc);
    assert_true(flow_wildcards_is_catchall(&wc));
    flow_wildcards_init_exact(&exact);
    assert_false(flow_wildcards_is_catchall(&exact));
    assert_int_equal(exact.masks.pad0, 0);
    assert_int_equal(exact.masks.pad1, 0);
    assert_int_equal(exact.masks.pad2[5], 0);
    assert_int_equal(exact.masks.in_port, UINT32_MAX);
    assert_int_equal(exact.masks.tcp_flags, 0xffff);

    /* One bit is enough not to be catch-all. */
    wc.masks.tcp_flags = htons(1);
    assert_false(flow_wildcards_is_catchall(&wc));

    /* OR. */
    flow_wildcards_init_catchall(&other);
    other.masks.nw_src = htonl(0xffffff00);
    flow_wildcards_or(&wc, &other);
    assert_int_equal(ntohl(wc.masks.nw_src), 0xffffff00);
    assert_int_equal(ntohs(wc.masks.tcp_flags), 1);

    /* Zeroing wildcards. */
    random_flow(&a, false);
    b = a;
    flow_zero_wildcards(&b, &wc);
    assert_int_equal(ntohl(b.nw_src), ntohl(a.nw_src) & 0xffffff00);
    assert_int_equal(ntohs(b.tcp_flags), ntohs(a.tcp_flags) & 1);
    assert_int_equal(b.in_port, 0);
    assert_int_equal(b.metadata, 0);
    flow_zero_wildcards(&b, &exact);
    assert_true(flow_equal(&b, &b));

    /* flow_equal sees every byte. */
    random_flow(&a, false);
    for (size_t i = 0; i < sizeof a; i++) {
        b = a;
        ((uint8_t *) &b)[i] ^= 0x10;
        assert_false(flow_equal(&a, &b));
        bool in_mask = ((const uint8_t *) &wc.masks)[i] & 0x10;
        assert_true(flow_equal_in_mask(&a, &b, &wc) == !in_mask);
    }
}

/* Random keys and masks: keys equal under a mask hash equally under it;
 * flow_hash() of the masked key is the masked hash; changing a masked-in
 * bit usually changes the hash, changing a masked-out bit never does. */
static void
test_hash_properties(void **state)
{
    (void) state;
    int changed = 0, trials = 0;

    for (int iter = 0; iter < 20000; iter++) {
        struct flow_wildcards wc;
        struct flow a, b;
        uint32_t basis = rnd();

        random_flow(&wc.masks, iter % 2);
        random_flow(&a, false);
        random_flow(&b, false);
        /* B agrees with A wherever the mask is set. */
        uint8_t *ab = (uint8_t *) &a, *bb = (uint8_t *) &b;
        const uint8_t *mb = (const uint8_t *) &wc.masks;
        for (size_t i = 0; i < sizeof a; i++) {
            bb[i] = (ab[i] & mb[i]) | (bb[i] & ~mb[i]);
        }
        assert_true(flow_equal_in_mask(&a, &b, &wc));
        assert_int_equal(flow_hash_in_mask(&a, &wc, basis),
                         flow_hash_in_mask(&b, &wc, basis));

        struct flow masked = a;
        flow_zero_wildcards(&masked, &wc);
        assert_int_equal(flow_hash(&masked, basis),
                         flow_hash_in_mask(&a, &wc, basis));
        assert_true(flow_equal_in_mask(&masked, &a, &wc));

        /* Flip one bit. */
        size_t bit = rnd() % (sizeof a * 8);
        bb[bit / 8] ^= 1u << (bit % 8);
        bool in_mask = mb[bit / 8] & (1u << (bit % 8));
        assert_true(flow_equal_in_mask(&a, &b, &wc) == !in_mask);
        if (!in_mask) {
            assert_int_equal(flow_hash_in_mask(&a, &wc, basis),
                             flow_hash_in_mask(&b, &wc, basis));
        } else {
            trials++;
            changed += (flow_hash_in_mask(&a, &wc, basis)
                        != flow_hash_in_mask(&b, &wc, basis));
        }
        assert_int_not_equal(flow_hash(&a, basis), flow_hash(&b, basis));
    }
    /* A 32-bit hash collides about once in 4 billion. */
    assert_true(changed >= trials - 1);
}

static void
check_format(const struct flow *f, const struct flow_wildcards *wc,
             const char *want)
{
    struct ds ds = DS_EMPTY_INITIALIZER;
    ds_put_cstr(&ds, "prefix ");
    flow_format(&ds, f, wc);
    assert_string_equal(ds_cstr(&ds) + 7, want);
    assert_memory_equal(ds_cstr(&ds), "prefix ", 7);
    ds_destroy(&ds);
}

static void
test_format(void **state)
{
    (void) state;
    struct pkt p = { .n = 0 };
    struct flow f;
    struct flow_wildcards wc;

    put_eth(&p, ETH_TYPE_VLAN_8021Q);
    put_vlan(&p, 0x000a, ETH_TYPE_IP);
    put_ipv4(&p, IP_PROTO_TCP, 20, 0, 0);
    put_tcp(&p, 80, 1024, 0, TCP_SYN);
    assert_int_equal(extract(&p, &f, NULL), 0);
    f.in_port = 1;

    check_format(&f, NULL,
                 "in_port(1),metadata(0x0),"
                 "eth(src=00:11:22:33:44:55,dst=02:aa:bb:cc:dd:ee),"
                 "vlan(vid=10,pcp=0),eth_type(0x0800),"
                 "ipv4(src=10.0.0.1,dst=192.168.1.2,proto=6,tos=184,"
                 "ttl=64,frag=no),tcp(src=80,dst=1024),tcp_flags(0x002)");

    /* A megaflow mask: prefixes, partial fields, wildcarded groups. */
    flow_wildcards_init_catchall(&wc);
    check_format(&f, &wc, "");
    wc.masks.in_port = UINT32_MAX;
    wc.masks.dl_type = htons(0xffff);
    wc.masks.nw_src = htonl(0xffffff00);
    wc.masks.nw_frag = FLOW_NW_FRAG_ANY;
    wc.masks.vlans[0].tci = htons(VLAN_VID_MASK | VLAN_CFI);
    wc.masks.tp_dst = htons(0xff00);
    memset(wc.masks.dl_dst.ea, 0xff, 6);
    check_format(&f, &wc,
                 "in_port(1),eth(dst=02:aa:bb:cc:dd:ee),vlan(vid=10),"
                 "eth_type(0x0800),ipv4(src=10.0.0.0/255.255.255.0,"
                 "frag=no),tcp(dst=0x400/0xff00)");

    /* Only "a tag is present". */
    flow_wildcards_init_catchall(&wc);
    wc.masks.vlans[0].tci = htons(VLAN_CFI);
    check_format(&f, &wc, "vlan()");

    /* IPv6, 802.1ad, a later fragment. */
    p.n = 0;
    put_eth(&p, ETH_TYPE_VLAN_8021AD);
    put_vlan(&p, 0xe005, ETH_TYPE_IPV6);
    put_ipv6(&p, IP_PROTO_FRAGMENT, 8);
    put8(&p, IP_PROTO_UDP);
    put8(&p, 0);
    put16(&p, 0x0100);
    put32(&p, 1);
    assert_int_equal(extract(&p, &f, NULL), 0);
    flow_wildcards_init_exact(&wc);
    wc.masks.metadata = 0;
    wc.masks.in_port = 0;
    wc.masks.tp_src = wc.masks.tp_dst = 0;
    check_format(&f, &wc,
                 "eth(src=00:11:22:33:44:55,dst=02:aa:bb:cc:dd:ee),"
                 "vlan(vid=5,pcp=7,tpid=0x88a8),eth_type(0x86dd),"
                 "ipv6(src=2001:db8::1,dst=fe80::211:22ff:fe33:4455,"
                 "label=0x12345,proto=17,tos=165,hlimit=33,frag=later)");

    /* ICMP in a first fragment. */
    p.n = 0;
    put_eth(&p, ETH_TYPE_IP);
    put_ipv4(&p, IP_PROTO_ICMP, 8, 0, IP_MORE_FRAGMENTS);
    put8(&p, 3);
    put8(&p, 4);
    put_zeros(&p, 6);
    assert_int_equal(extract(&p, &f, NULL), 0);
    flow_wildcards_init_catchall(&wc);
    wc.masks.nw_frag = 0xff;
    wc.masks.tp_src = wc.masks.tp_dst = htons(0xffff);
    wc.masks.nw_ttl = 0xf0;
    check_format(&f, &wc, "ipv4(ttl=0x40/0xf0,frag=first),"
                 "icmp(type=3,code=4)");

    /* ARP. */
    p.n = 0;
    put_arp(&p, 1, 1);
    assert_int_equal(extract(&p, &f, NULL), 0);
    flow_wildcards_init_catchall(&wc);
    wc.masks.nw_proto = 0xff;
    wc.masks.nw_dst = htonl(0xffffffff);
    memset(wc.masks.arp_sha.ea, 0xff, 6);
    wc.masks.dl_type = htons(0xffff);
    check_format(&f, &wc,
                 "eth_type(0x0806),arp(tip=10.0.0.254,op=1,"
                 "sha=00:11:22:33:44:55)");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ethernet),
        cmocka_unit_test(test_vlan),
        cmocka_unit_test(test_arp),
        cmocka_unit_test(test_ipv4_transports),
        cmocka_unit_test(test_ipv4_options_and_padding),
        cmocka_unit_test(test_ipv4_fragments),
        cmocka_unit_test(test_ipv4_malformed),
        cmocka_unit_test(test_ipv6),
        cmocka_unit_test(test_ipv6_fragments),
        cmocka_unit_test(test_ipv6_malformed),
        cmocka_unit_test(test_truncation_every_length),
        cmocka_unit_test(test_masks),
        cmocka_unit_test(test_hash_properties),
        cmocka_unit_test(test_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
