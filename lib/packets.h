/*
 * packets: wire formats of the protocols the switch parses and rewrites.
 *
 * Multi-byte protocol fields are kept in network byte order everywhere in
 * Skiff (flow keys, masks, actions); the be16/be32/be64 names only say so
 * to the reader.  Header structs describe the wire layout; code reads them
 * from packet memory with memcpy() or through these packed types, never
 * assuming alignment.
 */
#ifndef SKIFF_PACKETS_H
#define SKIFF_PACKETS_H 1

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

typedef uint16_t be16;
typedef uint32_t be32;
typedef uint64_t be64;

/* An Ethernet address. */
#define ETH_ADDR_LEN 6
struct eth_addr {
    uint8_t ea[ETH_ADDR_LEN];
};

#define ETH_HEADER_LEN 14
#define ETH_TYPE_MIN 0x600          /* Smaller values are 802.3 lengths. */
#define ETH_TYPE_IP 0x0800
#define ETH_TYPE_ARP 0x0806
#define ETH_TYPE_VLAN_8021Q 0x8100
#define ETH_TYPE_IPV6 0x86dd
#define ETH_TYPE_LACP 0x8809
#define ETH_TYPE_VLAN_8021AD 0x88a8

/* 802.1Q tag control information. */
#define VLAN_HEADER_LEN 4
#define VLAN_VID_MASK 0x0fff
#define VLAN_CFI 0x1000             /* In flow keys: "a tag is present". */
#define VLAN_PCP_MASK 0xe000
#define VLAN_PCP_SHIFT 13

/* IP protocol numbers, and IPv6 extension headers' next-header values. */
#define IP_PROTO_HOPOPTS 0
#define IP_PROTO_ICMP 1
#define IP_PROTO_TCP 6
#define IP_PROTO_UDP 17
#define IP_PROTO_ROUTING 43
#define IP_PROTO_FRAGMENT 44
#define IP_PROTO_ESP 50
#define IP_PROTO_AH 51
#define IP_PROTO_ICMPV6 58
#define IP_PROTO_NONE 59
#define IP_PROTO_DSTOPTS 60
#define IP_PROTO_SCTP 132

/* Wire headers.  All are packed (alignment 1), so a pointer into packet
 * memory at any offset may be used to read or write them; addresses are
 * byte arrays for the same reason. */
#define WIRE_HEADER struct __attribute__((packed))

WIRE_HEADER eth_header {
    struct eth_addr eth_dst;
    struct eth_addr eth_src;
    be16 eth_type;
};
_Static_assert(sizeof(struct eth_header) == ETH_HEADER_LEN, "eth");

/* An 802.1Q / 802.1ad tag as it follows the source address: the TPID is
 * the eth_type before it, so a tag is its TCI and the next type. */
WIRE_HEADER vlan_header {
    be16 vlan_tci;
    be16 vlan_next_type;
};
_Static_assert(sizeof(struct vlan_header) == VLAN_HEADER_LEN, "vlan");

/* ARP for Ethernet and IPv4 (RFC 826), the only kind the parser reads. */
#define ARP_HTYPE_ETH 1
#define ARP_OP_REQUEST 1
#define ARP_OP_REPLY 2
#define ARP_ETH_HEADER_LEN 28
WIRE_HEADER arp_eth_header {
    be16 ar_hrd;                /* ARP_HTYPE_ETH. */
    be16 ar_pro;                /* ETH_TYPE_IP. */
    uint8_t ar_hln;             /* ETH_ADDR_LEN. */
    uint8_t ar_pln;             /* 4. */
    be16 ar_op;
    struct eth_addr ar_sha;
    uint8_t ar_spa[4];
    struct eth_addr ar_tha;
    uint8_t ar_tpa[4];
};
_Static_assert(sizeof(struct arp_eth_header) == ARP_ETH_HEADER_LEN, "arp");

/* IPv4 (RFC 791). */
#define IP_HEADER_LEN 20
#define IP_VERSION(VER_IHL) ((VER_IHL) >> 4)
#define IP_IHL(VER_IHL) ((VER_IHL) & 0x0f)
#define IP_DONT_FRAGMENT 0x4000     /* In host order frag_off. */
#define IP_MORE_FRAGMENTS 0x2000
#define IP_FRAG_OFF_MASK 0x1fff
WIRE_HEADER ip_header {
    uint8_t ip_ihl_ver;         /* Version in the high nibble, IHL (in
                                 * 32-bit words) in the low one. */
    uint8_t ip_tos;
    be16 ip_tot_len;
    be16 ip_id;
    be16 ip_frag_off;           /* Flags and offset in 8-byte units. */
    uint8_t ip_ttl;
    uint8_t ip_proto;
    be16 ip_csum;
    be32 ip_src;
    be32 ip_dst;
};
_Static_assert(sizeof(struct ip_header) == IP_HEADER_LEN, "ip");

/* IPv6 (RFC 8200). */
#define IPV6_HEADER_LEN 40
#define IPV6_LABEL_MASK 0x000fffff
WIRE_HEADER ipv6_header {
    be32 ipv6_vtcfl;            /* Version 4 bits, traffic class 8, flow
                                 * label 20. */
    be16 ipv6_plen;             /* Bytes after this header. */
    uint8_t ipv6_nxt;
    uint8_t ipv6_hlim;
    uint8_t ipv6_src[16];
    uint8_t ipv6_dst[16];
};
_Static_assert(sizeof(struct ipv6_header) == IPV6_HEADER_LEN, "ipv6");

/* Hop-by-hop, routing and destination options headers: length in 8-byte
 * units, not counting the first 8.  (AH's length is in 4-byte units, not
 * counting the first 8.) */
WIRE_HEADER ipv6_ext_header {
    uint8_t ipv6e_nxt;
    uint8_t ipv6e_len;
    uint8_t ipv6e_data[6];
};

#define IPV6_FRAG_OFF_MASK 0xfff8   /* In host order ipv6f_offlg. */
#define IPV6_FRAG_MORE 0x0001
WIRE_HEADER ipv6_frag_header {
    uint8_t ipv6f_nxt;
    uint8_t ipv6f_reserved;
    be16 ipv6f_offlg;           /* Offset (8-byte units) << 3 | M bit. */
    be32 ipv6f_ident;
};

/* TCP (RFC 9293). */
#define TCP_HEADER_LEN 20
#define TCP_FLAGS_MASK 0x0fff
#define TCP_DATA_OFFSET(CTL) ((CTL) >> 12)   /* Host order ctl. */
#define TCP_FIN 0x001
#define TCP_SYN 0x002
#define TCP_RST 0x004
#define TCP_PSH 0x008
#define TCP_ACK 0x010
#define TCP_URG 0x020
WIRE_HEADER tcp_header {
    be16 tcp_src;
    be16 tcp_dst;
    be32 tcp_seq;
    be32 tcp_ack;
    be16 tcp_ctl;               /* Data offset 4 bits, flags 12. */
    be16 tcp_winsz;
    be16 tcp_csum;
    be16 tcp_urg;
};
_Static_assert(sizeof(struct tcp_header) == TCP_HEADER_LEN, "tcp");

#define UDP_HEADER_LEN 8
WIRE_HEADER udp_header {
    be16 udp_src;
    be16 udp_dst;
    be16 udp_len;
    be16 udp_csum;              /* 0: none (IPv4 only). */
};
_Static_assert(sizeof(struct udp_header) == UDP_HEADER_LEN, "udp");

/* SCTP common header (RFC 9260); its checksum is CRC32c, not RFC 1071. */
#define SCTP_HEADER_LEN 12
WIRE_HEADER sctp_header {
    be16 sctp_src;
    be16 sctp_dst;
    be32 sctp_vtag;
    be32 sctp_csum;
};
_Static_assert(sizeof(struct sctp_header) == SCTP_HEADER_LEN, "sctp");

/* The part common to every ICMP (RFC 792) and ICMPv6 (RFC 4443)
 * message; the message body follows. */
#define ICMP_HEADER_LEN 4
WIRE_HEADER icmp_header {
    uint8_t icmp_type;
    uint8_t icmp_code;
    be16 icmp_csum;
};
_Static_assert(sizeof(struct icmp_header) == ICMP_HEADER_LEN, "icmp");

static inline bool
eth_addr_is_multicast(struct eth_addr a)
{
    return a.ea[0] & 1;
}

static inline bool
eth_addr_is_broadcast(struct eth_addr a)
{
    return (a.ea[0] & a.ea[1] & a.ea[2] & a.ea[3] & a.ea[4] & a.ea[5])
           == 0xff;
}

static inline bool
eth_addr_is_zero(struct eth_addr a)
{
    return !(a.ea[0] | a.ea[1] | a.ea[2] | a.ea[3] | a.ea[4] | a.ea[5]);
}

static inline bool
eth_addr_equals(struct eth_addr a, struct eth_addr b)
{
    return !memcmp(a.ea, b.ea, ETH_ADDR_LEN);
}

/* printf() support: printf("mac " ETH_ADDR_FMT "\n", ETH_ADDR_ARGS(ea)). */
#define ETH_ADDR_FMT "%02x:%02x:%02x:%02x:%02x:%02x"
#define ETH_ADDR_ARGS(EA)                                       \
    (EA).ea[0], (EA).ea[1], (EA).ea[2], (EA).ea[3], (EA).ea[4], (EA).ea[5]
#define ETH_ADDR_STRLEN 17

/* Parses exactly "xx:xx:xx:xx:xx:xx" (hex digits, either case) from the
 * start of S into *EA.  Returns the number of characters used (17), or 0
 * without touching *EA if S does not start with an address. */
static inline int
eth_addr_from_string(const char *s, struct eth_addr *ea)
{
    struct eth_addr tmp;
    for (int i = 0; i < ETH_ADDR_LEN; i++) {
        int byte = 0;
        for (int j = 0; j < 2; j++) {
            char c = s[i * 3 + j];
            int d = (c >= '0' && c <= '9' ? c - '0'
                     : c >= 'a' && c <= 'f' ? c - 'a' + 10
                     : c >= 'A' && c <= 'F' ? c - 'A' + 10
                     : -1);
            if (d < 0) {
                return 0;
            }
            byte = byte * 16 + d;
        }
        if (i < ETH_ADDR_LEN - 1 && s[i * 3 + 2] != ':') {
            return 0;
        }
        tmp.ea[i] = byte;
    }
    *ea = tmp;
    return ETH_ADDR_STRLEN;
}

/* 01:80:c2:00:00:0x, the IEEE 802.1D reserved group addresses (STP, LACP,
 * 802.1X, ...), which a bridge never forwards. */
static inline bool
eth_addr_is_reserved(struct eth_addr a)
{
    return a.ea[0] == 0x01 && a.ea[1] == 0x80 && a.ea[2] == 0xc2
           && a.ea[3] == 0x00 && a.ea[4] == 0x00 && (a.ea[5] & 0xf0) == 0;
}

#endif /* packets.h */
