/*
 * flow: the flow key, its masks, and the packet parser that fills it.
 *
 * A struct flow holds every header field the switch can match on, in
 * network byte order, at fixed offsets.  The fast path extracts one per
 * packet (flow_extract()), the exact-match cache compares whole keys, the
 * megaflow classifier and the slow path's classifier compare them under a
 * mask, and the slow path's translation reads them.
 *
 * A mask (struct flow_wildcards) has the same layout: a 1 bit means "this
 * bit of the key was consulted / must match", a 0 bit "wildcarded".  A
 * megaflow is (key & mask, mask); a packet belongs to it when
 * (packet_key & mask) == key.
 *
 * The struct is a whole number of 64-bit words with explicit padding that
 * is always zero, so that keys and masks can be hashed and compared word by
 * word (flow_hash_in_mask(), flow_equal_in_mask()).  Fields that do not
 * apply to a packet (nw_src of an IPv6 packet, tp_src of ARP) are zero.
 *
 * Field conventions, as OpenFlow 1.3 and Open vSwitch users know them:
 *   - vlans[0] is the outermost tag.  A present tag has VLAN_CFI set in its
 *     tci, so "no tag" (tci == 0) differs from "tag with VID 0, PCP 0".
 *     tpid is ETH_TYPE_VLAN_8021Q or ETH_TYPE_VLAN_8021AD.  dl_type is the
 *     ethertype after the tags (at most FLOW_MAX_VLANS; a third tag is left
 *     in the payload and dl_type is its TPID).
 *   - 802.3 frames (length < 0x600) have dl_type FLOW_DL_TYPE_NONE.
 *   - ARP: nw_proto holds the low 8 bits of the opcode, nw_src / nw_dst
 *     the sender and target protocol addresses, arp_sha / arp_tha the
 *     hardware addresses.
 *   - IPv4 / IPv6: nw_proto is the transport protocol (for IPv6, after
 *     the extension headers), nw_tos the whole TOS / traffic class byte
 *     (DSCP in the high 6 bits, ECN in the low 2), nw_ttl the TTL / hop
 *     limit, nw_frag FLOW_NW_FRAG_* bits.  Transport fields are parsed
 *     only from first fragments.
 *   - TCP / UDP / SCTP: tp_src, tp_dst are the ports; tcp_flags the low 12
 *     bits of the TCP flags (network order).
 *   - ICMP / ICMPv6: tp_src = htons(type), tp_dst = htons(code).
 */
#ifndef SKIFF_FLOW_H
#define SKIFF_FLOW_H 1

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "packets.h"

struct ds;

#define FLOW_MAX_VLANS 2

/* flow->dl_type of an 802.3 (length-field) frame. */
#define FLOW_DL_TYPE_NONE 0x05ff

/* flow->nw_frag bits. */
#define FLOW_NW_FRAG_ANY 0x01      /* Any fragment, first or later. */
#define FLOW_NW_FRAG_LATER 0x02    /* Not the first fragment. */

struct flow_vlan {
    be16 tpid;                  /* ETH_TYPE_VLAN_8021Q or _8021AD. */
    be16 tci;                   /* VLAN_CFI set when present. */
};

struct flow {
    /* Metadata: 16 bytes. */
    uint64_t metadata;          /* OpenFlow metadata; 0 in the datapath. */
    uint32_t in_port;           /* Datapath port or OpenFlow port number,
                                 * depending on who fills it. */
    uint32_t pad0;

    /* L2: 24 bytes. */
    struct eth_addr dl_dst;
    struct eth_addr dl_src;
    be16 dl_type;               /* Ethertype after the VLAN tags. */
    uint16_t pad1;
    struct flow_vlan vlans[FLOW_MAX_VLANS];

    /* L3: 48 bytes. */
    be32 nw_src;                /* IPv4 source, ARP SPA. */
    be32 nw_dst;                /* IPv4 destination, ARP TPA. */
    struct in6_addr ipv6_src;
    struct in6_addr ipv6_dst;
    be32 ipv6_label;            /* Low 20 bits. */
    uint8_t nw_proto;           /* IP protocol, or ARP opcode's low byte. */
    uint8_t nw_tos;             /* DSCP and ECN. */
    uint8_t nw_ttl;
    uint8_t nw_frag;            /* FLOW_NW_FRAG_*. */

    /* ARP hardware addresses and L4: 24 bytes. */
    struct eth_addr arp_sha;
    struct eth_addr arp_tha;
    be16 tp_src;                /* Port, or ICMP type. */
    be16 tp_dst;                /* Port, or ICMP code. */
    be16 tcp_flags;
    uint8_t pad2[6];
};

#define FLOW_U64S (sizeof(struct flow) / sizeof(uint64_t))
_Static_assert(sizeof(struct flow) % sizeof(uint64_t) == 0,
               "struct flow must be a whole number of 64-bit words");
_Static_assert(sizeof(struct flow) == 112, "struct flow layout changed");

/* A mask over struct flow: 1 bits are significant. */
struct flow_wildcards {
    struct flow masks;
};

/* Where the parser found each layer, for actions that rewrite headers.
 * An absent layer is FLOW_OFS_NONE. */
#define FLOW_OFS_NONE UINT16_MAX
struct flow_layout {
    uint16_t l2_5_ofs;          /* First VLAN tag, or NONE. */
    uint16_t l3_ofs;            /* IPv4 / IPv6 / ARP header. */
    uint16_t l4_ofs;            /* TCP / UDP / SCTP / ICMP header. */
    uint16_t l7_ofs;            /* Transport payload. */
};

/* flow_extract()'s result: 0, or some of these bits. */
enum flow_parse_status {
    FLOW_PARSE_TRUNCATED = 1 << 0,  /* Ended before a header's end. */
    FLOW_PARSE_MALFORMED = 1 << 1,  /* A header's fields are invalid
                                     * (IHL < 5, bad IPv6 ext. length...). */
};

/* Parses the SIZE bytes at DATA into FLOW (all of it: in_port and metadata
 * are zeroed; the caller sets in_port) and, if LAYOUT is nonnull, records
 * the header offsets.  Never reads outside [DATA, DATA + SIZE).  A packet
 * that is truncated or malformed is parsed as far as it is sound: fields of
 * the layers that could not be read stay zero.  Returns 0 or a mask of
 * enum flow_parse_status bits. */
int flow_extract(const void *data, size_t size, struct flow *flow,
                 struct flow_layout *layout);

/* Masks. */
void flow_wildcards_init_catchall(struct flow_wildcards *);  /* All 0. */
void flow_wildcards_init_exact(struct flow_wildcards *);     /* All 1
                                                              * but pads. */
bool flow_wildcards_is_catchall(const struct flow_wildcards *);
void flow_wildcards_or(struct flow_wildcards *dst,
                       const struct flow_wildcards *src);

/* Keys under masks. */
void flow_zero_wildcards(struct flow *, const struct flow_wildcards *);
uint32_t flow_hash(const struct flow *, uint32_t basis);
uint32_t flow_hash_in_mask(const struct flow *, const struct flow_wildcards *,
                           uint32_t basis);
bool flow_equal(const struct flow *, const struct flow *);
bool flow_equal_in_mask(const struct flow *a, const struct flow *b,
                        const struct flow_wildcards *);

/* Appends FLOW, restricted to MASK (NULL: exact), to DS in the text form
 * skiff-appctl dpctl/dump-flows prints:
 *   in_port(1),eth(src=..,dst=..),vlan(vid=10,pcp=0),eth_type(0x0800),
 *   ipv4(src=10.0.0.1/255.255.255.0,dst=..,proto=6,tos=0,ttl=64,frag=no),
 *   tcp(src=80,dst=1024)
 * Wholly wildcarded fields are left out. */
void flow_format(struct ds *, const struct flow *,
                 const struct flow_wildcards *mask);

#endif /* flow.h */
