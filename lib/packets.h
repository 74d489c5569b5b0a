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

#define IP_PROTO_ICMP 1
#define IP_PROTO_TCP 6
#define IP_PROTO_UDP 17
#define IP_PROTO_ICMPV6 58
#define IP_PROTO_SCTP 132

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

/* 01:80:c2:00:00:0x, the IEEE 802.1D reserved group addresses (STP, LACP,
 * 802.1X, ...), which a bridge never forwards. */
static inline bool
eth_addr_is_reserved(struct eth_addr a)
{
    return a.ea[0] == 0x01 && a.ea[1] == 0x80 && a.ea[2] == 0xc2
           && a.ea[3] == 0x00 && a.ea[4] == 0x00 && (a.ea[5] & 0xf0) == 0;
}

#endif /* packets.h */
