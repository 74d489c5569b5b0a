/*
 * flow: the packet parser and the key and mask helpers.
 *
 * Security model: the packet is untrusted.  Every header is pulled through
 * parse_pull(), which checks that it lies wholly inside the packet before
 * the parser looks at it, and a layer's key fields are written only once
 * its header has been read completely and found sound.  Nothing is
 * allocated.  The IPv6 extension header chain is bounded by
 * FLOW_MAX_IPV6_EXT, so the parse is O(packet headers) whatever the input.
 *
 * Choices the contract in flow.h leaves open:
 *   - 802.3 frames, with or without LLC/SNAP, get dl_type
 *     FLOW_DL_TYPE_NONE and nothing after the length field is parsed.
 *   - A layout offset is set only when the whole header there (IPv4 with
 *     its options, TCP with its options) lies inside the packet.  For a
 *     later fragment or a protocol without a parsed L4 header, l4_ofs and
 *     l7_ofs stay FLOW_OFS_NONE.
 *   - A VLAN tag cut short leaves dl_type at its TPID, like a third tag.
 *   - IPv4: the total length trims the packet (Ethernet padding is not
 *     transport payload); a total length past the end of the packet sets
 *     TRUNCATED but the IPv4 fields are kept.  A version other than 4 in
 *     an IPv4 ethertype, IHL < 5, or total length < IHL * 4 are
 *     MALFORMED and leave the L3 fields zero.
 *   - IPv6: the payload length trims the packet in the same way, except
 *     0 (a jumbogram) which does not.  Hop-by-hop options anywhere but
 *     first, or more than FLOW_MAX_IPV6_EXT extension headers, are
 *     MALFORMED; nw_proto then stays 0.  ESP and "no next header" end the
 *     chain with nw_proto set to them.  A fragment header with offset 0
 *     and no M bit (an atomic fragment, RFC 6946) is not a fragment.  A
 *     later fragment's nw_proto is its fragment header's next header.
 *   - ARP other than Ethernet/IPv4 is left unparsed (no error).
 *   - ICMP and ICMPv6: only the 4 common bytes (type, code, checksum)
 *     are required; l7_ofs is the message body after them.
 */
#include <config.h>

#include "flow.h"

#include <arpa/inet.h>
#include <string.h>

#include "hash.h"

/* At most this many IPv6 extension headers are walked. */
#define FLOW_MAX_IPV6_EXT 8

/* Where the parser is: [data + ofs, data + size) is still to be read. */
struct parse {
    const uint8_t *data;
    size_t ofs;
    size_t size;
    int status;                 /* enum flow_parse_status bits. */
};

/* Returns the next N bytes and moves past them, or NULL (and marks the
 * packet truncated) if fewer than N remain. */
static inline const void *
parse_pull(struct parse *p, size_t n)
{
    if (p->size - p->ofs < n) {
        p->status |= FLOW_PARSE_TRUNCATED;
        return NULL;
    }
    const void *h = p->data + p->ofs;
    p->ofs += n;
    return h;
}

/* Like parse_pull() but does not move. */
static inline const void *
parse_peek(struct parse *p, size_t n)
{
    if (p->size - p->ofs < n) {
        p->status |= FLOW_PARSE_TRUNCATED;
        return NULL;
    }
    return p->data + p->ofs;
}

/* Ends the packet at LEN bytes after OFS if that is shorter than what is
 * there; if the packet is shorter, marks it truncated. */
static inline void
parse_trim(struct parse *p, size_t ofs, size_t len)
{
    if (p->size - ofs >= len) {
        p->size = ofs + len;
    } else {
        p->status |= FLOW_PARSE_TRUNCATED;
    }
}

static inline be16
get_be16(const void *p)
{
    be16 x;
    memcpy(&x, p, sizeof x);
    return x;
}

static void
parse_tcp(struct parse *p, struct flow *flow, struct flow_layout *l)
{
    const struct tcp_header *tcp = parse_peek(p, TCP_HEADER_LEN);
    if (!tcp) {
        return;
    }
    uint16_t ctl = ntohs(tcp->tcp_ctl);
    size_t len = TCP_DATA_OFFSET(ctl) * 4;
    if (len < TCP_HEADER_LEN) {
        p->status |= FLOW_PARSE_MALFORMED;
        return;
    }
    if (!parse_pull(p, len)) {
        return;
    }
    flow->tp_src = tcp->tcp_src;
    flow->tp_dst = tcp->tcp_dst;
    flow->tcp_flags = htons(ctl & TCP_FLAGS_MASK);
    l->l7_ofs = p->ofs;
}

/* Parses the transport header named by flow->nw_proto: ports into
 * tp_src and tp_dst, or htons(type) and htons(code) for ICMP. */
static void
parse_l4(struct parse *p, struct flow *flow, struct flow_layout *l)
{
    size_t l4_ofs = p->ofs;
    const uint8_t *h;

    switch (flow->nw_proto) {
    case IP_PROTO_TCP:
        parse_tcp(p, flow, l);
        break;
    case IP_PROTO_UDP:
    case IP_PROTO_SCTP:
        h = parse_pull(p, flow->nw_proto == IP_PROTO_UDP
                          ? UDP_HEADER_LEN : SCTP_HEADER_LEN);
        if (h) {
            flow->tp_src = get_be16(h);
            flow->tp_dst = get_be16(h + 2);
            l->l7_ofs = p->ofs;
        }
        break;
    case IP_PROTO_ICMP:
    case IP_PROTO_ICMPV6:
        h = parse_pull(p, ICMP_HEADER_LEN);
        if (h) {
            flow->tp_src = htons(h[0]);
            flow->tp_dst = htons(h[1]);
            l->l7_ofs = p->ofs;
        }
        break;
    default:
        return;
    }
    if (l->l7_ofs != FLOW_OFS_NONE) {
        l->l4_ofs = l4_ofs;
    }
}

static void
parse_ipv4(struct parse *p, struct flow *flow, struct flow_layout *l)
{
    size_t l3_ofs = p->ofs;
    const struct ip_header *ip = parse_peek(p, IP_HEADER_LEN);
    if (!ip) {
        return;
    }
    size_t ihl = IP_IHL(ip->ip_ihl_ver) * 4;
    size_t tot_len = ntohs(ip->ip_tot_len);
    if (IP_VERSION(ip->ip_ihl_ver) != 4 || ihl < IP_HEADER_LEN
        || tot_len < ihl) {
        p->status |= FLOW_PARSE_MALFORMED;
        return;
    }
    if (!parse_pull(p, ihl)) {
        return;
    }
    parse_trim(p, l3_ofs, tot_len);

    uint16_t frag_off = ntohs(ip->ip_frag_off);
    flow->nw_src = ip->ip_src;
    flow->nw_dst = ip->ip_dst;
    flow->nw_proto = ip->ip_proto;
    flow->nw_tos = ip->ip_tos;
    flow->nw_ttl = ip->ip_ttl;
    if (frag_off & (IP_MORE_FRAGMENTS | IP_FRAG_OFF_MASK)) {
        flow->nw_frag = FLOW_NW_FRAG_ANY;
        if (frag_off & IP_FRAG_OFF_MASK) {
            flow->nw_frag |= FLOW_NW_FRAG_LATER;
        }
    }
    l->l3_ofs = l3_ofs;
    if (!(flow->nw_frag & FLOW_NW_FRAG_LATER)) {
        parse_l4(p, flow, l);
    }
}

/* Walks the IPv6 extension headers starting with NXT.  Returns the
 * transport protocol (or ESP, NONE, or a later fragment's next header),
 * or -1 if the chain is truncated or malformed. */
static int
parse_ipv6_ext(struct parse *p, uint8_t nxt, struct flow *flow)
{
    for (int i = 0; i <= FLOW_MAX_IPV6_EXT; i++) {
        const uint8_t *h;
        size_t len;

        switch (nxt) {
        case IP_PROTO_HOPOPTS:
        case IP_PROTO_ROUTING:
        case IP_PROTO_DSTOPTS:
        case IP_PROTO_AH:
            if (nxt == IP_PROTO_HOPOPTS && i) {
                p->status |= FLOW_PARSE_MALFORMED;
                return -1;
            }
            h = parse_peek(p, 8);
            if (!h) {
                return -1;
            }
            len = (nxt == IP_PROTO_AH ? (h[1] + 2) * 4 : (h[1] + 1) * 8);
            break;
        case IP_PROTO_FRAGMENT:
            h = parse_peek(p, 8);
            if (!h) {
                return -1;
            }
            len = 8;
            break;
        default:
            return nxt;
        }
        if (i == FLOW_MAX_IPV6_EXT) {
            p->status |= FLOW_PARSE_MALFORMED;
            return -1;
        }
        if (!parse_pull(p, len)) {
            return -1;
        }
        if (nxt == IP_PROTO_FRAGMENT) {
            uint16_t offlg = ntohs(get_be16(h + 2));
            if (offlg & (IPV6_FRAG_OFF_MASK | IPV6_FRAG_MORE)) {
                flow->nw_frag = FLOW_NW_FRAG_ANY;
                if (offlg & IPV6_FRAG_OFF_MASK) {
                    flow->nw_frag |= FLOW_NW_FRAG_LATER;
                    return h[0];
                }
            }
        }
        nxt = h[0];
    }
    /* Not reached: the loop returns at i == FLOW_MAX_IPV6_EXT. */
    return -1;
}

static void
parse_ipv6(struct parse *p, struct flow *flow, struct flow_layout *l)
{
    size_t l3_ofs = p->ofs;
    const struct ipv6_header *ip6 = parse_pull(p, IPV6_HEADER_LEN);
    if (!ip6) {
        return;
    }
    uint32_t vtcfl;
    memcpy(&vtcfl, &ip6->ipv6_vtcfl, sizeof vtcfl);
    vtcfl = ntohl(vtcfl);
    if (vtcfl >> 28 != 6) {
        p->status |= FLOW_PARSE_MALFORMED;
        return;
    }
    size_t plen = ntohs(ip6->ipv6_plen);
    if (plen) {
        parse_trim(p, p->ofs, plen);
    }
    memcpy(&flow->ipv6_src, ip6->ipv6_src, sizeof flow->ipv6_src);
    memcpy(&flow->ipv6_dst, ip6->ipv6_dst, sizeof flow->ipv6_dst);
    flow->ipv6_label = htonl(vtcfl & IPV6_LABEL_MASK);
    flow->nw_tos = (vtcfl >> 20) & 0xff;
    flow->nw_ttl = ip6->ipv6_hlim;
    l->l3_ofs = l3_ofs;

    int proto = parse_ipv6_ext(p, ip6->ipv6_nxt, flow);
    if (proto < 0) {
        return;
    }
    flow->nw_proto = proto;
    if (!(flow->nw_frag & FLOW_NW_FRAG_LATER)) {
        parse_l4(p, flow, l);
    }
}

static void
parse_arp(struct parse *p, struct flow *flow, struct flow_layout *l)
{
    size_t l3_ofs = p->ofs;
    const struct arp_eth_header *arp = parse_pull(p, ARP_ETH_HEADER_LEN);
    if (!arp
        || arp->ar_hrd != htons(ARP_HTYPE_ETH)
        || arp->ar_pro != htons(ETH_TYPE_IP)
        || arp->ar_hln != ETH_ADDR_LEN || arp->ar_pln != 4) {
        return;
    }
    flow->nw_proto = ntohs(arp->ar_op) & 0xff;
    memcpy(&flow->nw_src, arp->ar_spa, sizeof flow->nw_src);
    memcpy(&flow->nw_dst, arp->ar_tpa, sizeof flow->nw_dst);
    flow->arp_sha = arp->ar_sha;
    flow->arp_tha = arp->ar_tha;
    l->l3_ofs = l3_ofs;
}

int
flow_extract(const void *data, size_t size, struct flow *flow,
             struct flow_layout *layout)
{
    struct parse p = { .data = data, .ofs = 0, .size = size, .status = 0 };
    struct flow_layout l = {
        FLOW_OFS_NONE, FLOW_OFS_NONE, FLOW_OFS_NONE, FLOW_OFS_NONE
    };

    memset(flow, 0, sizeof *flow);
    const struct eth_header *eth = parse_pull(&p, ETH_HEADER_LEN);
    if (!eth) {
        goto out;
    }
    flow->dl_dst = eth->eth_dst;
    flow->dl_src = eth->eth_src;
    be16 type = eth->eth_type;

    for (int i = 0; i < FLOW_MAX_VLANS; i++) {
        if (type != htons(ETH_TYPE_VLAN_8021Q)
            && type != htons(ETH_TYPE_VLAN_8021AD)) {
            break;
        }
        const struct vlan_header *vlan = parse_pull(&p, VLAN_HEADER_LEN);
        if (!vlan) {
            break;
        }
        if (!i) {
            l.l2_5_ofs = p.ofs - VLAN_HEADER_LEN;
        }
        flow->vlans[i].tpid = type;
        flow->vlans[i].tci = vlan->vlan_tci | htons(VLAN_CFI);
        type = vlan->vlan_next_type;
    }
    if (ntohs(type) < ETH_TYPE_MIN) {
        flow->dl_type = htons(FLOW_DL_TYPE_NONE);
        goto out;
    }
    flow->dl_type = type;
    if (p.status) {
        goto out;
    }

    switch (ntohs(type)) {
    case ETH_TYPE_IP:
        parse_ipv4(&p, flow, &l);
        break;
    case ETH_TYPE_IPV6:
        parse_ipv6(&p, flow, &l);
        break;
    case ETH_TYPE_ARP:
        parse_arp(&p, flow, &l);
        break;
    }

out:
    if (layout) {
        *layout = l;
    }
    return p.status;
}

/* Masks and keys, word by word.  struct flow is 8-byte aligned (it starts
 * with a uint64_t), but the words are read with memcpy() so that no
 * aliasing rule is bent; compilers make each one load. */

static inline uint64_t
flow_word(const struct flow *f, size_t i)
{
    uint64_t w;
    memcpy(&w, (const uint8_t *) f + i * sizeof w, sizeof w);
    return w;
}

static inline void
flow_set_word(struct flow *f, size_t i, uint64_t w)
{
    memcpy((uint8_t *) f + i * sizeof w, &w, sizeof w);
}

void
flow_wildcards_init_catchall(struct flow_wildcards *wc)
{
    memset(&wc->masks, 0, sizeof wc->masks);
}

void
flow_wildcards_init_exact(struct flow_wildcards *wc)
{
    memset(&wc->masks, 0xff, sizeof wc->masks);
    wc->masks.pad0 = 0;
    wc->masks.pad1 = 0;
    memset(wc->masks.pad2, 0, sizeof wc->masks.pad2);
}

bool
flow_wildcards_is_catchall(const struct flow_wildcards *wc)
{
    uint64_t any = 0;
    for (size_t i = 0; i < FLOW_U64S; i++) {
        any |= flow_word(&wc->masks, i);
    }
    return !any;
}

void
flow_wildcards_or(struct flow_wildcards *dst,
                  const struct flow_wildcards *src)
{
    for (size_t i = 0; i < FLOW_U64S; i++) {
        flow_set_word(&dst->masks, i,
                      flow_word(&dst->masks, i) | flow_word(&src->masks, i));
    }
}

void
flow_zero_wildcards(struct flow *flow, const struct flow_wildcards *wc)
{
    for (size_t i = 0; i < FLOW_U64S; i++) {
        flow_set_word(flow, i, flow_word(flow, i) & flow_word(&wc->masks, i));
    }
}

static inline uint32_t
flow_hash_word(uint32_t hash, uint64_t w)
{
    return hash_add(hash_add(hash, (uint32_t) w), (uint32_t) (w >> 32));
}

/* flow_hash(key & mask) == flow_hash_in_mask(key, mask) for every key and
 * mask, so a classifier may hash stored (masked) keys with one and packet
 * keys with the other. */
uint32_t
flow_hash(const struct flow *flow, uint32_t basis)
{
    uint32_t hash = basis;
    for (size_t i = 0; i < FLOW_U64S; i++) {
        hash = flow_hash_word(hash, flow_word(flow, i));
    }
    return hash_finish(hash, sizeof *flow);
}

uint32_t
flow_hash_in_mask(const struct flow *flow, const struct flow_wildcards *wc,
                  uint32_t basis)
{
    uint32_t hash = basis;
    for (size_t i = 0; i < FLOW_U64S; i++) {
        hash = flow_hash_word(hash, flow_word(flow, i)
                                    & flow_word(&wc->masks, i));
    }
    return hash_finish(hash, sizeof *flow);
}

bool
flow_equal(const struct flow *a, const struct flow *b)
{
    uint64_t diff = 0;
    for (size_t i = 0; i < FLOW_U64S; i++) {
        diff |= flow_word(a, i) ^ flow_word(b, i);
    }
    return !diff;
}

bool
flow_equal_in_mask(const struct flow *a, const struct flow *b,
                   const struct flow_wildcards *wc)
{
    uint64_t diff = 0;
    for (size_t i = 0; i < FLOW_U64S; i++) {
        diff |= (flow_word(a, i) ^ flow_word(b, i))
                & flow_word(&wc->masks, i);
    }
    return !diff;
}
