/*
 * match: an OpenFlow-style match (a flow key and its mask), the table of
 * match fields, and OpenFlow port numbers.
 *
 * A struct match is a struct flow and a struct flow_wildcards: a packet
 * matches when (packet & wc) == flow.  The setters below keep that
 * invariant ("normalized": no 1 bit in flow where wc has a 0 bit), so two
 * matches that select the same packets compare equal with match_equal()
 * and hash alike with match_hash().  In the slow path, flow.in_port holds
 * the OpenFlow port number (OFPP_* below), not the datapath's.
 *
 * Fields and their text names (the flow syntax of docs/flow-syntax.md)
 * are described once, in the table of struct match_field, which the
 * parser, the formatter and set_field share.  Each field has
 * prerequisites (nw_src needs dl_type IPv4 or ARP, tp_src needs TCP, UDP
 * or SCTP...); match_check_prereqs() says whether a match that sets a
 * field also pins its prerequisites.  The shorthands ip, ipv6, tcp, udp,
 * sctp, icmp, arp, tcp6, udp6, icmp6 set dl_type (and nw_proto).
 *
 * Plain data; not thread-safe, no allocation (except struct
 * ofp_port_map).
 */
#ifndef SKIFF_MATCH_H
#define SKIFF_MATCH_H 1

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flow.h"
#include "packets.h"

struct ds;
struct match;

/* OpenFlow 1.3 port numbers (32 bits, host order in Skiff's structs).
 * Physical and internal ports are 1 to OFPP_MAX; the rest are reserved. */
#define OFPP_MAX        0xffffff00u /* Largest ordinary port number. */
#define OFPP_IN_PORT    0xfffffff8u /* The packet's input port. */
#define OFPP_TABLE      0xfffffff9u /* Not used by Skiff's text syntax. */
#define OFPP_NORMAL     0xfffffffau /* The NORMAL L2 switching. */
#define OFPP_FLOOD      0xfffffffbu /* All ports but the input port, within
                                     * the VLAN, per NORMAL's rules. */
#define OFPP_ALL        0xfffffffcu /* All ports but the input port. */
#define OFPP_CONTROLLER 0xfffffffdu /* The controller. */
#define OFPP_LOCAL      0xfffffffeu /* The bridge's own (internal) port. */
#define OFPP_ANY        0xffffffffu /* "No port": wildcard in filters. */

/* Resolves a port NAME (as written in flow text, quotes removed) to its
 * number.  Returns true and *PORT, or false if there is no such port. */
typedef bool ofp_port_resolver(const char *name, uint32_t *port, void *aux);

/* Text form of a port: a reserved name ("LOCAL", "IN_PORT", "NORMAL",
 * "FLOOD", "ALL", "CONTROLLER", "ANY") or the number in decimal.  Returns
 * true and *PORT for a port name (case-insensitive) or a decimal number
 * from 1 to OFPP_MAX, and otherwise asks RESOLVE (may be NULL: numbers and
 * reserved names only). */
bool ofp_port_from_string(const char *s, ofp_port_resolver *resolve,
                          void *aux, uint32_t *port);

/* A name <-> number map of one bridge's ports, e.g. built from
 * "ofproto/show"'s reply (lib/ofp-wire.h).  ofp_port_map_resolve() is an
 * ofp_port_resolver whose AUX is the map. */
struct ofp_port_map {
    struct ofp_port_map_entry *entries;
    size_t n, allocated;
};
struct ofp_port_map_entry {
    char *name;
    uint32_t port;
};
void ofp_port_map_init(struct ofp_port_map *);
void ofp_port_map_destroy(struct ofp_port_map *);
void ofp_port_map_add(struct ofp_port_map *, const char *name,
                      uint32_t port);
const char *ofp_port_map_get_name(const struct ofp_port_map *,
                                  uint32_t port);   /* NULL if none. */
bool ofp_port_map_resolve(const char *name, uint32_t *port, void *map);

/* Appends PORT's text form to DS: a reserved name, else the name from MAP
 * (if MAP is nonnull and has one; written in double quotes when it could
 * be mistaken for a number or reserved name or holds other characters
 * than letters, digits, '_', '-', '.'), else the number. */
void ofp_port_format(struct ds *, uint32_t port,
                     const struct ofp_port_map *map);

/* The match fields. */
enum match_field_id {
    MFF_IN_PORT,        /* in_port: 32 bits, OpenFlow port. */
    MFF_METADATA,       /* metadata: 64 bits, maskable. */
    MFF_DL_SRC,         /* dl_src (eth_src): maskable. */
    MFF_DL_DST,         /* dl_dst (eth_dst): maskable. */
    MFF_DL_TYPE,        /* dl_type (eth_type). */
    MFF_VLAN_TCI,       /* vlan_tci: vlans[0].tci, 16 bits, maskable. */
    MFF_DL_VLAN,        /* dl_vlan: VID of a present tag; 0xffff: none. */
    MFF_DL_VLAN_PCP,    /* dl_vlan_pcp: PCP of a present tag. */
    MFF_VLAN_VID,       /* vlan_vid (OpenFlow 1.3): VLAN_CFI | VID,
                         * maskable; 0 means "no tag". */
    MFF_VLAN_PCP,       /* vlan_pcp: like dl_vlan_pcp. */
    MFF_NW_SRC,         /* nw_src (ip_src): IPv4, maskable. */
    MFF_NW_DST,         /* nw_dst (ip_dst): IPv4, maskable. */
    MFF_NW_PROTO,       /* nw_proto (ip_proto). */
    MFF_NW_TOS,         /* nw_tos: the TOS byte's DSCP bits (multiple of
                         * 4). */
    MFF_IP_DSCP,        /* ip_dscp: DSCP, 0 to 63. */
    MFF_IP_ECN,         /* ip_ecn (nw_ecn): 0 to 3. */
    MFF_NW_TTL,         /* nw_ttl. */
    MFF_TP_SRC,         /* tp_src (tcp_src, udp_src, sctp_src): maskable. */
    MFF_TP_DST,         /* tp_dst (tcp_dst, udp_dst, sctp_dst): maskable. */
    MFF_TCP_FLAGS,      /* tcp_flags: 12 bits, maskable. */
    MFF_IPV6_SRC,       /* ipv6_src: maskable. */
    MFF_IPV6_DST,       /* ipv6_dst: maskable. */
    MFF_ICMP_TYPE,      /* icmp_type (icmpv6_type with ipv6). */
    MFF_ICMP_CODE,      /* icmp_code (icmpv6_code with ipv6). */
    MFF_ARP_OP,         /* arp_op: 0 to 255. */
    MFF_ARP_SPA,        /* arp_spa: maskable. */
    MFF_ARP_TPA,        /* arp_tpa: maskable. */
    MFF_ARP_SHA,        /* arp_sha: maskable. */
    MFF_ARP_THA,        /* arp_tha: maskable. */
    MFF_N_IDS
};

/* How a field's value is written in text. */
enum match_field_format {
    MFF_FMT_DEC,        /* Decimal or 0x hex; formatted in decimal. */
    MFF_FMT_HEX,        /* Decimal or 0x hex; formatted 0x hex. */
    MFF_FMT_ETH,        /* xx:xx:xx:xx:xx:xx. */
    MFF_FMT_IPV4,       /* Dotted quad; mask as /N or /a.b.c.d. */
    MFF_FMT_IPV6,       /* RFC 4291 text; mask as /N or /ipv6. */
    MFF_FMT_PORT,       /* An OpenFlow port (ofp_port_from_string()). */
    MFF_FMT_TCP_FLAGS,  /* Number, or +syn-ack... flag names. */
};

/* What a field requires of the rest of the match. */
enum match_field_prereq {
    MFF_PREREQ_NONE,
    MFF_PREREQ_IP_ANY,  /* dl_type IPv4 or IPv6. */
    MFF_PREREQ_IPV4,    /* dl_type IPv4. */
    MFF_PREREQ_IPV6,    /* dl_type IPv6. */
    MFF_PREREQ_IPV4_ARP,/* dl_type IPv4 or ARP (nw_src, nw_dst). */
    MFF_PREREQ_ARP,     /* dl_type ARP. */
    MFF_PREREQ_L4,      /* IPv4/IPv6 with nw_proto TCP, UDP or SCTP. */
    MFF_PREREQ_TCP,     /* IPv4/IPv6 with nw_proto TCP. */
    MFF_PREREQ_ICMP,    /* IPv4 nw_proto 1, or IPv6 nw_proto 58. */
};

/* A field's value (or mask), in network byte order, in the low bytes of
 * the member that fits its width: u8 (1 byte), be16, be32, u32 (in_port,
 * host order), u64 (metadata, host order), mac, ipv6. */
union match_value {
    uint8_t u8;
    be16 be16;
    be32 be32;
    uint32_t u32;
    uint64_t u64;
    struct eth_addr mac;
    struct in6_addr ipv6;
    uint8_t bytes[16];
};

struct match_field {
    enum match_field_id id;
    const char *name;           /* Canonical text name. */
    const char *aliases[3];     /* Other names accepted, NULL-padded. */
    unsigned int n_bits;        /* Width of the value. */
    enum match_field_format format;
    enum match_field_prereq prereq;
    bool maskable;              /* VALUE/MASK accepted. */
    bool writable;              /* A set_field target. */
};

/* The field with ID. */
const struct match_field *match_field_from_id(enum match_field_id);
/* The field named NAME (canonical or alias), or NULL. */
const struct match_field *match_field_from_name(const char *name);

/* True if VALUE fits FIELD (no bit set above n_bits; nw_tos a multiple of
 * 4; dl_vlan a VID or 0xffff; in_port a valid port for matching). */
bool match_field_value_ok(const struct match_field *,
                          const union match_value *);

/* Reads FIELD out of FLOW into *VALUE. */
void match_field_get(const struct match_field *, const struct flow *,
                     union match_value *value);
/* Sets the FIELD bits of FLOW selected by MASK (NULL: all of them) to
 * VALUE's.  For the VLAN fields, on vlans[0].tci only (VLAN_CFI is left
 * alone by MFF_DL_VLAN / _PCP / MFF_VLAN_PCP: setting those on a flow
 * without a tag is the caller's business). */
void match_field_set_flow(const struct match_field *,
                          const union match_value *value,
                          const union match_value *mask, struct flow *);
/* Matches FIELD on VALUE under MASK (NULL: exact) in MATCH, replacing
 * what MATCH had for FIELD. */
void match_set_field(struct match *, const struct match_field *,
                     const union match_value *value,
                     const union match_value *mask);
/* True if MATCH's mask has any bit of FIELD set. */
bool match_field_is_set(const struct match *, const struct match_field *);

/* Appends VALUE (and MASK, if nonnull and not all ones for the field) in
 * FIELD's text form, without the name: "10.0.0.0/24", "0x1/0xff". */
void match_field_format_value(struct ds *, const struct match_field *,
                              const union match_value *value,
                              const union match_value *mask,
                              const struct ofp_port_map *);

struct match {
    struct flow flow;
    struct flow_wildcards wc;
};

/* Every packet. */
void match_init_catchall(struct match *);
/* Exactly FLOW (every field but the padding). */
void match_init_exact(struct match *, const struct flow *);
bool match_is_catchall(const struct match *);

/* Setters: each sets the field's value and mask (exact, unless _masked),
 * replacing what the match had for that field; values and masks in
 * network byte order unless noted. */
void match_set_in_port(struct match *, uint32_t ofp_port);
void match_set_metadata_masked(struct match *, uint64_t value,
                               uint64_t mask);      /* Host order. */
void match_set_dl_src_masked(struct match *, struct eth_addr,
                             struct eth_addr mask);
void match_set_dl_dst_masked(struct match *, struct eth_addr,
                             struct eth_addr mask);
void match_set_dl_type(struct match *, be16);
void match_set_vlan_tci_masked(struct match *, be16 tci, be16 mask);
/* VID 0 to 4095: a tag with that VID (any PCP unless also set).  0xffff:
 * no tag at all (vlan_tci=0x0000 exactly). */
void match_set_dl_vlan(struct match *, uint16_t vid);   /* Host order. */
void match_set_dl_vlan_pcp(struct match *, uint8_t pcp);
/* OpenFlow 1.3's vlan_vid: VLAN_CFI | VID under MASK (both within
 * VLAN_CFI | VLAN_VID_MASK): (VLAN_CFI, VLAN_CFI) is "any tag", (0,
 * VLAN_CFI | VLAN_VID_MASK) "no tag". */
void match_set_vlan_vid_masked(struct match *, be16 vid, be16 mask);
void match_set_nw_src_masked(struct match *, be32, be32 mask);
void match_set_nw_dst_masked(struct match *, be32, be32 mask);
void match_set_nw_proto(struct match *, uint8_t);
void match_set_nw_dscp(struct match *, uint8_t tos);    /* TOS bits 7-2. */
void match_set_nw_ecn(struct match *, uint8_t ecn);     /* 0 to 3. */
void match_set_nw_ttl(struct match *, uint8_t);
void match_set_tp_src_masked(struct match *, be16, be16 mask);
void match_set_tp_dst_masked(struct match *, be16, be16 mask);
void match_set_tcp_flags_masked(struct match *, be16, be16 mask);
void match_set_ipv6_src_masked(struct match *, const struct in6_addr *,
                               const struct in6_addr *mask);
void match_set_ipv6_dst_masked(struct match *, const struct in6_addr *,
                               const struct in6_addr *mask);
void match_set_icmp_type(struct match *, uint8_t);
void match_set_icmp_code(struct match *, uint8_t);
void match_set_arp_op(struct match *, uint8_t);
void match_set_arp_spa_masked(struct match *, be32, be32 mask);
void match_set_arp_tpa_masked(struct match *, be32, be32 mask);
void match_set_arp_sha_masked(struct match *, struct eth_addr,
                              struct eth_addr mask);
void match_set_arp_tha_masked(struct match *, struct eth_addr,
                              struct eth_addr mask);

/* Shorthand NAME ("ip", "ipv6", "tcp", "udp", "sctp", "icmp", "arp",
 * "tcp6", "udp6", "icmp6"): sets dl_type and, for the transport ones,
 * nw_proto.  Returns false for another NAME. */
bool match_set_shorthand(struct match *, const char *name);

/* True if MATCH pins what FIELD requires (dl_type, nw_proto). */
bool match_field_prereqs_ok(const struct match *,
                            const struct match_field *);

/* Returns NULL if every field that MATCH sets has its prerequisites
 * pinned by MATCH, or else the first field that does not. */
const struct match_field *match_check_prereqs(const struct match *);

bool match_equal(const struct match *, const struct match *);
uint32_t match_hash(const struct match *, uint32_t basis);

/* Appends MATCH in flow text, fields separated by commas, no trailing
 * comma, nothing at all for a catch-all:
 *   tcp,in_port=1,dl_vlan=10,nw_src=10.0.0.0/24,tp_dst=80
 * A shorthand comes first when dl_type (and nw_proto) allow one; port
 * names come from MAP (may be NULL).  match_format() then
 * ofp_parse_match() (lib/ofp-parse.h) gives back an equal match. */
void match_format(struct ds *, const struct match *,
                  const struct ofp_port_map *);

#endif /* match.h */
