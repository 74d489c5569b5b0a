/* match: OpenFlow-style matches, the match field table, port numbers. */
#include <config.h>

#include "match.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dynamic-string.h"
#include "hash.h"
#include "util.h"

/* Ports. */

struct reserved_port {
    const char *name;
    uint32_t port;
};

static const struct reserved_port reserved_ports[] = {
    {"IN_PORT", OFPP_IN_PORT},
    {"TABLE", OFPP_TABLE},
    {"NORMAL", OFPP_NORMAL},
    {"FLOOD", OFPP_FLOOD},
    {"ALL", OFPP_ALL},
    {"CONTROLLER", OFPP_CONTROLLER},
    {"LOCAL", OFPP_LOCAL},
    {"ANY", OFPP_ANY},
};

static const char *
reserved_port_name(uint32_t port)
{
    for (size_t i = 0; i < ARRAY_SIZE(reserved_ports); i++) {
        if (reserved_ports[i].port == port) {
            return reserved_ports[i].name;
        }
    }
    return NULL;
}

static bool
is_decimal(const char *s)
{
    if (!*s) {
        return false;
    }
    for (; *s; s++) {
        if (!isdigit((unsigned char) *s)) {
            return false;
        }
    }
    return true;
}

bool
ofp_port_from_string(const char *s, ofp_port_resolver *resolve, void *aux,
                     uint32_t *port)
{
    for (size_t i = 0; i < ARRAY_SIZE(reserved_ports); i++) {
        if (!strcasecmp(s, reserved_ports[i].name)) {
            *port = reserved_ports[i].port;
            return true;
        }
    }
    if (is_decimal(s)) {
        unsigned int value;
        if (!str_to_uint(s, 10, OFPP_MAX, &value) && value > 0) {
            *port = value;
            return true;
        }
        return false;
    }
    return resolve && resolve(s, port, aux);
}

void
ofp_port_map_init(struct ofp_port_map *map)
{
    map->entries = NULL;
    map->n = map->allocated = 0;
}

void
ofp_port_map_destroy(struct ofp_port_map *map)
{
    for (size_t i = 0; i < map->n; i++) {
        free(map->entries[i].name);
    }
    free(map->entries);
    ofp_port_map_init(map);
}

void
ofp_port_map_add(struct ofp_port_map *map, const char *name, uint32_t port)
{
    if (map->n >= map->allocated) {
        map->allocated = map->allocated ? 2 * map->allocated : 8;
        map->entries = xrealloc(map->entries,
                                map->allocated * sizeof *map->entries);
    }
    map->entries[map->n].name = xstrdup(name);
    map->entries[map->n].port = port;
    map->n++;
}

const char *
ofp_port_map_get_name(const struct ofp_port_map *map, uint32_t port)
{
    for (size_t i = 0; i < map->n; i++) {
        if (map->entries[i].port == port) {
            return map->entries[i].name;
        }
    }
    return NULL;
}

bool
ofp_port_map_resolve(const char *name, uint32_t *port, void *map_)
{
    const struct ofp_port_map *map = map_;
    for (size_t i = 0; i < map->n; i++) {
        if (!strcmp(map->entries[i].name, name)) {
            *port = map->entries[i].port;
            return true;
        }
    }
    return false;
}

/* True if NAME can be written without quotes. */
static bool
port_name_is_bare(const char *name)
{
    if (!*name || is_decimal(name)) {
        return false;
    }
    for (size_t i = 0; i < ARRAY_SIZE(reserved_ports); i++) {
        if (!strcasecmp(name, reserved_ports[i].name)) {
            return false;
        }
    }
    for (const char *p = name; *p; p++) {
        if (!isalnum((unsigned char) *p) && !strchr("_-.", *p)) {
            return false;
        }
    }
    return true;
}

void
ofp_port_format(struct ds *ds, uint32_t port, const struct ofp_port_map *map)
{
    const char *name = reserved_port_name(port);
    if (name) {
        ds_put_cstr(ds, name);
        return;
    }
    name = map ? ofp_port_map_get_name(map, port) : NULL;
    if (!name) {
        ds_put_format(ds, "%"PRIu32, port);
    } else if (port_name_is_bare(name)) {
        ds_put_cstr(ds, name);
    } else {
        ds_put_char(ds, '"');
        for (const char *p = name; *p; p++) {
            if (*p == '"' || *p == '\\') {
                ds_put_char(ds, '\\');
            }
            ds_put_char(ds, *p);
        }
        ds_put_char(ds, '"');
    }
}

/* The field table. */

#define F(ID, NAME, A1, A2, A3, BITS, FMT, PREREQ, MASKABLE, WRITABLE) \
    [ID] = { ID, NAME, { A1, A2, A3 }, BITS, MFF_FMT_##FMT,             \
             MFF_PREREQ_##PREREQ, MASKABLE, WRITABLE }

static const struct match_field fields[MFF_N_IDS] = {
    F(MFF_IN_PORT, "in_port", NULL, NULL, NULL, 32, PORT, NONE,
      false, false),
    F(MFF_METADATA, "metadata", NULL, NULL, NULL, 64, HEX, NONE,
      true, true),
    F(MFF_DL_SRC, "dl_src", "eth_src", NULL, NULL, 48, ETH, NONE,
      true, true),
    F(MFF_DL_DST, "dl_dst", "eth_dst", NULL, NULL, 48, ETH, NONE,
      true, true),
    F(MFF_DL_TYPE, "dl_type", "eth_type", NULL, NULL, 16, HEX, NONE,
      false, false),
    F(MFF_VLAN_TCI, "vlan_tci", NULL, NULL, NULL, 16, HEX, NONE,
      true, false),
    F(MFF_DL_VLAN, "dl_vlan", NULL, NULL, NULL, 16, DEC, NONE,
      false, false),
    F(MFF_DL_VLAN_PCP, "dl_vlan_pcp", NULL, NULL, NULL, 3, DEC, NONE,
      false, false),
    F(MFF_VLAN_VID, "vlan_vid", NULL, NULL, NULL, 13, DEC, NONE,
      true, true),
    F(MFF_VLAN_PCP, "vlan_pcp", NULL, NULL, NULL, 3, DEC, NONE,
      false, true),
    F(MFF_NW_SRC, "nw_src", "ip_src", NULL, NULL, 32, IPV4, IPV4_ARP,
      true, true),
    F(MFF_NW_DST, "nw_dst", "ip_dst", NULL, NULL, 32, IPV4, IPV4_ARP,
      true, true),
    F(MFF_NW_PROTO, "nw_proto", "ip_proto", NULL, NULL, 8, DEC, IP_ANY,
      false, false),
    F(MFF_NW_TOS, "nw_tos", NULL, NULL, NULL, 8, DEC, IP_ANY,
      false, true),
    F(MFF_IP_DSCP, "ip_dscp", NULL, NULL, NULL, 6, DEC, IP_ANY,
      false, true),
    F(MFF_IP_ECN, "nw_ecn", "ip_ecn", NULL, NULL, 2, DEC, IP_ANY,
      false, true),
    F(MFF_NW_TTL, "nw_ttl", NULL, NULL, NULL, 8, DEC, IP_ANY,
      false, true),
    F(MFF_TP_SRC, "tp_src", "tcp_src", "udp_src", "sctp_src", 16, DEC, L4,
      true, true),
    F(MFF_TP_DST, "tp_dst", "tcp_dst", "udp_dst", "sctp_dst", 16, DEC, L4,
      true, true),
    F(MFF_TCP_FLAGS, "tcp_flags", NULL, NULL, NULL, 12, TCP_FLAGS, TCP,
      true, false),
    F(MFF_IPV6_SRC, "ipv6_src", NULL, NULL, NULL, 128, IPV6, IPV6,
      true, true),
    F(MFF_IPV6_DST, "ipv6_dst", NULL, NULL, NULL, 128, IPV6, IPV6,
      true, true),
    F(MFF_ICMP_TYPE, "icmp_type", "icmpv6_type", NULL, NULL, 8, DEC, ICMP,
      false, true),
    F(MFF_ICMP_CODE, "icmp_code", "icmpv6_code", NULL, NULL, 8, DEC, ICMP,
      false, true),
    F(MFF_ARP_OP, "arp_op", NULL, NULL, NULL, 8, DEC, ARP,
      false, true),
    F(MFF_ARP_SPA, "arp_spa", NULL, NULL, NULL, 32, IPV4, ARP,
      true, true),
    F(MFF_ARP_TPA, "arp_tpa", NULL, NULL, NULL, 32, IPV4, ARP,
      true, true),
    F(MFF_ARP_SHA, "arp_sha", NULL, NULL, NULL, 48, ETH, ARP,
      true, true),
    F(MFF_ARP_THA, "arp_tha", NULL, NULL, NULL, 48, ETH, ARP,
      true, true),
};

#undef F

const struct match_field *
match_field_from_id(enum match_field_id id)
{
    return (unsigned int) id < MFF_N_IDS ? &fields[id] : NULL;
}

const struct match_field *
match_field_from_name(const char *name)
{
    for (size_t i = 0; i < MFF_N_IDS; i++) {
        const struct match_field *f = &fields[i];
        if (!strcmp(name, f->name)) {
            return f;
        }
        for (size_t j = 0; j < ARRAY_SIZE(f->aliases) && f->aliases[j];
             j++) {
            if (!strcmp(name, f->aliases[j])) {
                return f;
            }
        }
    }
    return NULL;
}

/* Bytes of union match_value that the field uses. */
static size_t
field_storage(const struct match_field *f)
{
    switch (f->format) {
    case MFF_FMT_ETH:
        return 6;
    case MFF_FMT_IPV6:
        return 16;
    case MFF_FMT_IPV4:
    case MFF_FMT_PORT:
        return 4;
    case MFF_FMT_TCP_FLAGS:
        return 2;
    case MFF_FMT_DEC:
    case MFF_FMT_HEX:
    default:
        return f->n_bits > 32 ? 8 : f->n_bits > 16 ? 4 : f->n_bits > 8 ? 2
               : 1;
    }
}

/* The largest value of an integer field, in host order. */
static uint64_t
field_max(const struct match_field *f)
{
    return f->n_bits >= 64 ? UINT64_MAX : (UINT64_C(1) << f->n_bits) - 1;
}

/* The integer value of a field of at most 8 bytes, in host order. */
static uint64_t
value_to_u64(const struct match_field *f, const union match_value *v)
{
    switch (field_storage(f)) {
    case 1:
        return v->u8;
    case 2:
        return ntohs(v->be16);
    case 4:
        return f->format == MFF_FMT_PORT ? v->u32 : ntohl(v->be32);
    default:
        return v->u64;
    }
}

static void
u64_to_value(const struct match_field *f, uint64_t x, union match_value *v)
{
    memset(v, 0, sizeof *v);
    switch (field_storage(f)) {
    case 1:
        v->u8 = x;
        break;
    case 2:
        v->be16 = htons(x);
        break;
    case 4:
        if (f->format == MFF_FMT_PORT) {
            v->u32 = x;
        } else {
            v->be32 = htonl(x);
        }
        break;
    default:
        v->u64 = x;
        break;
    }
}

static bool
is_integer_field(const struct match_field *f)
{
    return f->format != MFF_FMT_ETH && f->format != MFF_FMT_IPV6
           && f->format != MFF_FMT_IPV4;
}

bool
match_field_value_ok(const struct match_field *f,
                     const union match_value *v)
{
    if (!is_integer_field(f)) {
        return true;
    }
    uint64_t x = value_to_u64(f, v);
    switch (f->id) {
    case MFF_IN_PORT:
        return (x >= 1 && x <= OFPP_MAX) || x == OFPP_LOCAL
               || x == OFPP_CONTROLLER;
    case MFF_DL_VLAN:
        return x <= VLAN_VID_MASK || x == 0xffff;
    case MFF_NW_TOS:
        return !(x & 3);
    default:
        return x <= field_max(f);
    }
}

void
match_field_get(const struct match_field *f, const struct flow *flow,
                union match_value *v)
{
    uint16_t tci = ntohs(flow->vlans[0].tci);

    memset(v, 0, sizeof *v);
    switch (f->id) {
    case MFF_IN_PORT:
        v->u32 = flow->in_port;
        break;
    case MFF_METADATA:
        v->u64 = flow->metadata;
        break;
    case MFF_DL_SRC:
        v->mac = flow->dl_src;
        break;
    case MFF_DL_DST:
        v->mac = flow->dl_dst;
        break;
    case MFF_DL_TYPE:
        v->be16 = flow->dl_type;
        break;
    case MFF_VLAN_TCI:
        v->be16 = flow->vlans[0].tci;
        break;
    case MFF_DL_VLAN:
        v->be16 = htons(tci & VLAN_CFI ? tci & VLAN_VID_MASK : 0xffff);
        break;
    case MFF_DL_VLAN_PCP:
    case MFF_VLAN_PCP:
        v->u8 = (tci & VLAN_PCP_MASK) >> VLAN_PCP_SHIFT;
        break;
    case MFF_VLAN_VID:
        v->be16 = htons(tci & (VLAN_CFI | VLAN_VID_MASK));
        break;
    case MFF_NW_SRC:
    case MFF_ARP_SPA:
        v->be32 = flow->nw_src;
        break;
    case MFF_NW_DST:
    case MFF_ARP_TPA:
        v->be32 = flow->nw_dst;
        break;
    case MFF_NW_PROTO:
    case MFF_ARP_OP:
        v->u8 = flow->nw_proto;
        break;
    case MFF_NW_TOS:
        v->u8 = flow->nw_tos & 0xfc;
        break;
    case MFF_IP_DSCP:
        v->u8 = flow->nw_tos >> 2;
        break;
    case MFF_IP_ECN:
        v->u8 = flow->nw_tos & 3;
        break;
    case MFF_NW_TTL:
        v->u8 = flow->nw_ttl;
        break;
    case MFF_TP_SRC:
        v->be16 = flow->tp_src;
        break;
    case MFF_TP_DST:
        v->be16 = flow->tp_dst;
        break;
    case MFF_TCP_FLAGS:
        v->be16 = flow->tcp_flags & htons(0x0fff);
        break;
    case MFF_IPV6_SRC:
        v->ipv6 = flow->ipv6_src;
        break;
    case MFF_IPV6_DST:
        v->ipv6 = flow->ipv6_dst;
        break;
    case MFF_ICMP_TYPE:
        v->u8 = ntohs(flow->tp_src);
        break;
    case MFF_ICMP_CODE:
        v->u8 = ntohs(flow->tp_dst);
        break;
    case MFF_ARP_SHA:
        v->mac = flow->arp_sha;
        break;
    case MFF_ARP_THA:
        v->mac = flow->arp_tha;
        break;
    case MFF_N_IDS:
    default:
        break;
    }
}

/* Writes all of F's bits of FLOW from V (for the VLAN sub-fields, only the
 * VID or PCP bits, and VLAN_CFI for MFF_VLAN_VID). */
static void
field_put(const struct match_field *f, const union match_value *v,
          struct flow *flow)
{
    uint16_t tci = ntohs(flow->vlans[0].tci);

    switch (f->id) {
    case MFF_IN_PORT:
        flow->in_port = v->u32;
        break;
    case MFF_METADATA:
        flow->metadata = v->u64;
        break;
    case MFF_DL_SRC:
        flow->dl_src = v->mac;
        break;
    case MFF_DL_DST:
        flow->dl_dst = v->mac;
        break;
    case MFF_DL_TYPE:
        flow->dl_type = v->be16;
        break;
    case MFF_VLAN_TCI:
        flow->vlans[0].tci = v->be16;
        break;
    case MFF_DL_VLAN:
        tci = (tci & ~VLAN_VID_MASK) | (ntohs(v->be16) & VLAN_VID_MASK);
        flow->vlans[0].tci = htons(tci);
        break;
    case MFF_DL_VLAN_PCP:
    case MFF_VLAN_PCP:
        tci = (tci & ~VLAN_PCP_MASK) | ((v->u8 & 7) << VLAN_PCP_SHIFT);
        flow->vlans[0].tci = htons(tci);
        break;
    case MFF_VLAN_VID:
        tci = (tci & ~(VLAN_CFI | VLAN_VID_MASK))
              | (ntohs(v->be16) & (VLAN_CFI | VLAN_VID_MASK));
        flow->vlans[0].tci = htons(tci);
        break;
    case MFF_NW_SRC:
    case MFF_ARP_SPA:
        flow->nw_src = v->be32;
        break;
    case MFF_NW_DST:
    case MFF_ARP_TPA:
        flow->nw_dst = v->be32;
        break;
    case MFF_NW_PROTO:
    case MFF_ARP_OP:
        flow->nw_proto = v->u8;
        break;
    case MFF_NW_TOS:
        flow->nw_tos = (flow->nw_tos & 3) | (v->u8 & 0xfc);
        break;
    case MFF_IP_DSCP:
        flow->nw_tos = (flow->nw_tos & 3) | (v->u8 << 2);
        break;
    case MFF_IP_ECN:
        flow->nw_tos = (flow->nw_tos & 0xfc) | (v->u8 & 3);
        break;
    case MFF_NW_TTL:
        flow->nw_ttl = v->u8;
        break;
    case MFF_TP_SRC:
        flow->tp_src = v->be16;
        break;
    case MFF_TP_DST:
        flow->tp_dst = v->be16;
        break;
    case MFF_TCP_FLAGS:
        flow->tcp_flags = (flow->tcp_flags & htons(0xf000))
                          | (v->be16 & htons(0x0fff));
        break;
    case MFF_IPV6_SRC:
        flow->ipv6_src = v->ipv6;
        break;
    case MFF_IPV6_DST:
        flow->ipv6_dst = v->ipv6;
        break;
    case MFF_ICMP_TYPE:
        flow->tp_src = htons(v->u8);
        break;
    case MFF_ICMP_CODE:
        flow->tp_dst = htons(v->u8);
        break;
    case MFF_ARP_SHA:
        flow->arp_sha = v->mac;
        break;
    case MFF_ARP_THA:
        flow->arp_tha = v->mac;
        break;
    case MFF_N_IDS:
    default:
        break;
    }
}

/* All of F's bits, as a value. */
static void
field_all_ones(const struct match_field *f, union match_value *v)
{
    memset(v, 0, sizeof *v);
    if (is_integer_field(f)) {
        u64_to_value(f, field_max(f), v);
        if (f->id == MFF_DL_VLAN) {
            v->be16 = htons(VLAN_VID_MASK);
        } else if (f->id == MFF_NW_TOS) {
            v->u8 = 0xfc;
        }
    } else {
        memset(v->bytes, 0xff, field_storage(f));
    }
}

void
match_field_set_flow(const struct match_field *f,
                     const union match_value *value,
                     const union match_value *mask, struct flow *flow)
{
    union match_value cur, ones;
    size_t n = field_storage(f);

    field_all_ones(f, &ones);
    match_field_get(f, flow, &cur);
    for (size_t i = 0; i < n; i++) {
        uint8_t m = (mask ? mask->bytes[i] : 0xff) & ones.bytes[i];
        cur.bytes[i] = (cur.bytes[i] & ~m) | (value->bytes[i] & m);
    }
    if (f->id == MFF_DL_VLAN && ntohs(value->be16) == 0xffff) {
        flow->vlans[0].tci = 0;
        return;
    }
    field_put(f, &cur, flow);
    if (f->id == MFF_VLAN_VID) {
        /* Writing a VID makes a tag present. */
        flow->vlans[0].tci |= htons(VLAN_CFI);
    }
}

void
match_set_field(struct match *match, const struct match_field *f,
                const union match_value *value,
                const union match_value *mask)
{
    union match_value v, m;
    size_t n = field_storage(f);

    field_all_ones(f, &m);
    if (mask) {
        for (size_t i = 0; i < n; i++) {
            m.bytes[i] &= mask->bytes[i];
        }
    }
    memset(&v, 0, sizeof v);
    for (size_t i = 0; i < n; i++) {
        v.bytes[i] = value->bytes[i] & m.bytes[i];
    }

    switch (f->id) {
    case MFF_DL_VLAN:
        if (ntohs(value->be16) == 0xffff) {
            match->flow.vlans[0].tci = 0;
            match->wc.masks.vlans[0].tci = htons(0xffff);
            return;
        }
        /* A tag with this VID: CFI is matched too. */
        field_put(f, &v, &match->flow);
        field_put(f, &m, &match->wc.masks);
        match->flow.vlans[0].tci |= htons(VLAN_CFI);
        match->wc.masks.vlans[0].tci |= htons(VLAN_CFI);
        break;
    case MFF_DL_VLAN_PCP:
    case MFF_VLAN_PCP:
        field_put(f, &v, &match->flow);
        field_put(f, &m, &match->wc.masks);
        match->flow.vlans[0].tci |= htons(VLAN_CFI);
        match->wc.masks.vlans[0].tci |= htons(VLAN_CFI);
        break;
    default:
        field_put(f, &v, &match->flow);
        field_put(f, &m, &match->wc.masks);
        break;
    }
}

bool
match_field_is_set(const struct match *match, const struct match_field *f)
{
    union match_value m;

    match_field_get(f, &match->wc.masks, &m);
    if (f->id == MFF_DL_VLAN) {
        return match->wc.masks.vlans[0].tci & htons(VLAN_VID_MASK);
    }
    for (size_t i = 0; i < field_storage(f); i++) {
        if (m.bytes[i]) {
            return true;
        }
    }
    return false;
}

/* Formatting values. */

static int
ipv4_mask_prefix(be32 mask)
{
    uint32_t m = ntohl(mask);
    int n = 0;
    while (n < 32 && (m & (UINT32_C(1) << (31 - n)))) {
        n++;
    }
    return n == 32 || !(m << n) ? n : -1;
}

static int
ipv6_mask_prefix(const struct in6_addr *mask)
{
    int n = 0;
    bool zeros = false;
    for (int i = 0; i < 128; i++) {
        bool bit = mask->s6_addr[i / 8] & (0x80 >> (i % 8));
        if (bit && zeros) {
            return -1;
        } else if (bit) {
            n++;
        } else {
            zeros = true;
        }
    }
    return n;
}

static void
put_ipv4(struct ds *ds, be32 ip)
{
    const uint8_t *b = (const uint8_t *) &ip;
    ds_put_format(ds, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
}

static void
put_ipv6(struct ds *ds, const struct in6_addr *ip)
{
    char buf[INET6_ADDRSTRLEN];
    inet_ntop(AF_INET6, ip, buf, sizeof buf);
    ds_put_cstr(ds, buf);
}

static void
put_eth(struct ds *ds, struct eth_addr a)
{
    ds_put_format(ds, "%02x:%02x:%02x:%02x:%02x:%02x",
                  a.ea[0], a.ea[1], a.ea[2], a.ea[3], a.ea[4], a.ea[5]);
}

static const char *const tcp_flag_names[12] = {
    "fin", "syn", "rst", "psh", "ack", "urg", "ece", "cwr", "ns",
    NULL, NULL, NULL,
};

static void
put_tcp_flags(struct ds *ds, uint16_t value, uint16_t mask)
{
    if (mask == 0x0fff && !(value & 0x0e00)) {
        /* Exact: the flags that are set, "syn|ack", or "0". */
        if (!value) {
            ds_put_char(ds, '0');
        }
        for (int i = 0; i < 9; i++) {
            if (value & (1u << i)) {
                ds_put_format(ds, "%s%s", value & ((1u << i) - 1) ? "|" : "",
                              tcp_flag_names[i]);
            }
        }
        return;
    }
    if (mask == 0x0fff || (mask & 0x0e00)) {
        ds_put_format(ds, "0x%03"PRIx16, value);
        if (mask != 0x0fff) {
            ds_put_format(ds, "/0x%03"PRIx16, mask);
        }
        return;
    }
    for (int i = 0; i < 9; i++) {
        if (mask & (1u << i)) {
            ds_put_format(ds, "%c%s", value & (1u << i) ? '+' : '-',
                          tcp_flag_names[i]);
        }
    }
}

/* The hex width to print an integer field with. */
static int
hex_width(const struct match_field *f)
{
    return f->id == MFF_DL_TYPE || f->id == MFF_VLAN_TCI ? 4 : 1;
}

void
match_field_format_value(struct ds *ds, const struct match_field *f,
                         const union match_value *value,
                         const union match_value *mask,
                         const struct ofp_port_map *map)
{
    union match_value ones;
    field_all_ones(f, &ones);
    bool exact = !mask || !memcmp(mask->bytes, ones.bytes,
                                  field_storage(f));

    switch (f->format) {
    case MFF_FMT_PORT:
        ofp_port_format(ds, value->u32, map);
        return;
    case MFF_FMT_ETH:
        put_eth(ds, value->mac);
        if (!exact) {
            ds_put_char(ds, '/');
            put_eth(ds, mask->mac);
        }
        return;
    case MFF_FMT_IPV4:
        put_ipv4(ds, value->be32);
        if (!exact) {
            int prefix = ipv4_mask_prefix(mask->be32);
            if (prefix >= 0) {
                ds_put_format(ds, "/%d", prefix);
            } else {
                ds_put_char(ds, '/');
                put_ipv4(ds, mask->be32);
            }
        }
        return;
    case MFF_FMT_IPV6:
        put_ipv6(ds, &value->ipv6);
        if (!exact) {
            int prefix = ipv6_mask_prefix(&mask->ipv6);
            if (prefix >= 0) {
                ds_put_format(ds, "/%d", prefix);
            } else {
                ds_put_char(ds, '/');
                put_ipv6(ds, &mask->ipv6);
            }
        }
        return;
    case MFF_FMT_TCP_FLAGS:
        put_tcp_flags(ds, ntohs(value->be16),
                      mask ? ntohs(mask->be16) & 0x0fff : 0x0fff);
        return;
    case MFF_FMT_DEC:
        if (exact) {
            ds_put_format(ds, "%"PRIu64, value_to_u64(f, value));
            return;
        }
        break;
    case MFF_FMT_HEX:
    default:
        break;
    }
    ds_put_format(ds, "0x%0*"PRIx64, hex_width(f), value_to_u64(f, value));
    if (!exact) {
        ds_put_format(ds, "/0x%0*"PRIx64, hex_width(f),
                      value_to_u64(f, mask));
    }
}

/* Matches. */

void
match_init_catchall(struct match *match)
{
    memset(match, 0, sizeof *match);
}

void
match_init_exact(struct match *match, const struct flow *flow)
{
    match->flow = *flow;
    memset(&match->wc, 0xff, sizeof match->wc);
    match->wc.masks.pad0 = 0;
    match->wc.masks.pad1 = 0;
    memset(match->wc.masks.pad2, 0, sizeof match->wc.masks.pad2);
    match->flow.pad0 = 0;
    match->flow.pad1 = 0;
    memset(match->flow.pad2, 0, sizeof match->flow.pad2);
}

bool
match_is_catchall(const struct match *match)
{
    static const struct flow_wildcards zero;
    return !memcmp(&match->wc, &zero, sizeof zero);
}

static void
set_integer(struct match *match, enum match_field_id id, uint64_t value,
            const uint64_t *mask)
{
    const struct match_field *f = &fields[id];
    union match_value v, m;
    u64_to_value(f, value, &v);
    if (mask) {
        u64_to_value(f, *mask, &m);
    }
    match_set_field(match, f, &v, mask ? &m : NULL);
}

static void
set_raw(struct match *match, enum match_field_id id, const void *value,
        const void *mask, size_t n)
{
    union match_value v, m;
    memset(&v, 0, sizeof v);
    memset(&m, 0, sizeof m);
    memcpy(v.bytes, value, n);
    memcpy(m.bytes, mask, n);
    match_set_field(match, &fields[id], &v, &m);
}

void
match_set_in_port(struct match *match, uint32_t ofp_port)
{
    set_integer(match, MFF_IN_PORT, ofp_port, NULL);
}

void
match_set_metadata_masked(struct match *match, uint64_t value,
                          uint64_t mask)
{
    set_integer(match, MFF_METADATA, value, &mask);
}

void
match_set_dl_src_masked(struct match *match, struct eth_addr value,
                        struct eth_addr mask)
{
    set_raw(match, MFF_DL_SRC, &value, &mask, sizeof value);
}

void
match_set_dl_dst_masked(struct match *match, struct eth_addr value,
                        struct eth_addr mask)
{
    set_raw(match, MFF_DL_DST, &value, &mask, sizeof value);
}

void
match_set_dl_type(struct match *match, be16 dl_type)
{
    set_integer(match, MFF_DL_TYPE, ntohs(dl_type), NULL);
}

void
match_set_vlan_tci_masked(struct match *match, be16 tci, be16 mask)
{
    set_raw(match, MFF_VLAN_TCI, &tci, &mask, sizeof tci);
}

void
match_set_dl_vlan(struct match *match, uint16_t vid)
{
    set_integer(match, MFF_DL_VLAN, vid, NULL);
}

void
match_set_dl_vlan_pcp(struct match *match, uint8_t pcp)
{
    set_integer(match, MFF_DL_VLAN_PCP, pcp, NULL);
}

void
match_set_vlan_vid_masked(struct match *match, be16 vid, be16 mask)
{
    set_raw(match, MFF_VLAN_VID, &vid, &mask, sizeof vid);
}

void
match_set_nw_src_masked(struct match *match, be32 value, be32 mask)
{
    set_raw(match, MFF_NW_SRC, &value, &mask, sizeof value);
}

void
match_set_nw_dst_masked(struct match *match, be32 value, be32 mask)
{
    set_raw(match, MFF_NW_DST, &value, &mask, sizeof value);
}

void
match_set_nw_proto(struct match *match, uint8_t proto)
{
    set_integer(match, MFF_NW_PROTO, proto, NULL);
}

void
match_set_nw_dscp(struct match *match, uint8_t tos)
{
    set_integer(match, MFF_NW_TOS, tos & 0xfc, NULL);
}

void
match_set_nw_ecn(struct match *match, uint8_t ecn)
{
    set_integer(match, MFF_IP_ECN, ecn & 3, NULL);
}

void
match_set_nw_ttl(struct match *match, uint8_t ttl)
{
    set_integer(match, MFF_NW_TTL, ttl, NULL);
}

void
match_set_tp_src_masked(struct match *match, be16 value, be16 mask)
{
    set_raw(match, MFF_TP_SRC, &value, &mask, sizeof value);
}

void
match_set_tp_dst_masked(struct match *match, be16 value, be16 mask)
{
    set_raw(match, MFF_TP_DST, &value, &mask, sizeof value);
}

void
match_set_tcp_flags_masked(struct match *match, be16 value, be16 mask)
{
    set_raw(match, MFF_TCP_FLAGS, &value, &mask, sizeof value);
}

void
match_set_ipv6_src_masked(struct match *match, const struct in6_addr *value,
                          const struct in6_addr *mask)
{
    set_raw(match, MFF_IPV6_SRC, value, mask, sizeof *value);
}

void
match_set_ipv6_dst_masked(struct match *match, const struct in6_addr *value,
                          const struct in6_addr *mask)
{
    set_raw(match, MFF_IPV6_DST, value, mask, sizeof *value);
}

void
match_set_icmp_type(struct match *match, uint8_t type)
{
    set_integer(match, MFF_ICMP_TYPE, type, NULL);
}

void
match_set_icmp_code(struct match *match, uint8_t code)
{
    set_integer(match, MFF_ICMP_CODE, code, NULL);
}

void
match_set_arp_op(struct match *match, uint8_t op)
{
    set_integer(match, MFF_ARP_OP, op, NULL);
}

void
match_set_arp_spa_masked(struct match *match, be32 value, be32 mask)
{
    set_raw(match, MFF_ARP_SPA, &value, &mask, sizeof value);
}

void
match_set_arp_tpa_masked(struct match *match, be32 value, be32 mask)
{
    set_raw(match, MFF_ARP_TPA, &value, &mask, sizeof value);
}

void
match_set_arp_sha_masked(struct match *match, struct eth_addr value,
                         struct eth_addr mask)
{
    set_raw(match, MFF_ARP_SHA, &value, &mask, sizeof value);
}

void
match_set_arp_tha_masked(struct match *match, struct eth_addr value,
                         struct eth_addr mask)
{
    set_raw(match, MFF_ARP_THA, &value, &mask, sizeof value);
}

/* Shorthands. */

struct shorthand {
    const char *name;
    uint16_t dl_type;
    int nw_proto;               /* -1: none. */
};

static const struct shorthand shorthands[] = {
    {"ip", ETH_TYPE_IP, -1},
    {"icmp", ETH_TYPE_IP, IP_PROTO_ICMP},
    {"tcp", ETH_TYPE_IP, IP_PROTO_TCP},
    {"udp", ETH_TYPE_IP, IP_PROTO_UDP},
    {"sctp", ETH_TYPE_IP, IP_PROTO_SCTP},
    {"ipv6", ETH_TYPE_IPV6, -1},
    {"icmp6", ETH_TYPE_IPV6, IP_PROTO_ICMPV6},
    {"tcp6", ETH_TYPE_IPV6, IP_PROTO_TCP},
    {"udp6", ETH_TYPE_IPV6, IP_PROTO_UDP},
    {"sctp6", ETH_TYPE_IPV6, IP_PROTO_SCTP},
    {"arp", ETH_TYPE_ARP, -1},
};

bool
match_set_shorthand(struct match *match, const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(shorthands); i++) {
        const struct shorthand *s = &shorthands[i];
        if (!strcmp(name, s->name)) {
            match_set_dl_type(match, htons(s->dl_type));
            if (s->nw_proto >= 0) {
                match_set_nw_proto(match, s->nw_proto);
            }
            return true;
        }
    }
    return false;
}

/* The shorthand that describes MATCH's dl_type and nw_proto, and whether
 * it covers nw_proto, or NULL. */
static const char *
match_shorthand(const struct match *match, bool *covers_proto)
{
    const struct flow *f = &match->flow;
    const struct flow *m = &match->wc.masks;

    *covers_proto = false;
    if (m->dl_type != htons(0xffff)) {
        return NULL;
    }
    const char *best = NULL;
    for (size_t i = 0; i < ARRAY_SIZE(shorthands); i++) {
        const struct shorthand *s = &shorthands[i];
        if (f->dl_type != htons(s->dl_type)) {
            continue;
        }
        if (s->nw_proto < 0) {
            best = best ? best : s->name;
        } else if (m->nw_proto == 0xff && f->nw_proto == s->nw_proto) {
            *covers_proto = true;
            return s->name;
        }
    }
    return best;
}

static bool
dl_type_is(const struct match *match, uint16_t type)
{
    return match->wc.masks.dl_type == htons(0xffff)
           && match->flow.dl_type == htons(type);
}

static bool
nw_proto_is(const struct match *match, uint8_t proto)
{
    return match->wc.masks.nw_proto == 0xff
           && match->flow.nw_proto == proto;
}

static bool
prereq_ok(const struct match *match, enum match_field_prereq prereq)
{
    bool ip4 = dl_type_is(match, ETH_TYPE_IP);
    bool ip6 = dl_type_is(match, ETH_TYPE_IPV6);

    switch (prereq) {
    case MFF_PREREQ_NONE:
        return true;
    case MFF_PREREQ_IP_ANY:
        return ip4 || ip6;
    case MFF_PREREQ_IPV4:
        return ip4;
    case MFF_PREREQ_IPV6:
        return ip6;
    case MFF_PREREQ_IPV4_ARP:
        return ip4 || dl_type_is(match, ETH_TYPE_ARP);
    case MFF_PREREQ_ARP:
        return dl_type_is(match, ETH_TYPE_ARP);
    case MFF_PREREQ_L4:
        return (ip4 || ip6) && (nw_proto_is(match, IP_PROTO_TCP)
                                || nw_proto_is(match, IP_PROTO_UDP)
                                || nw_proto_is(match, IP_PROTO_SCTP));
    case MFF_PREREQ_TCP:
        return (ip4 || ip6) && nw_proto_is(match, IP_PROTO_TCP);
    case MFF_PREREQ_ICMP:
        return (ip4 && nw_proto_is(match, IP_PROTO_ICMP))
               || (ip6 && nw_proto_is(match, IP_PROTO_ICMPV6));
    default:
        return false;
    }
}

/* Fields that share storage: the one that is "set" for a given prereq
 * context is decided by the match's dl_type and nw_proto, so only check
 * the fields whose names the formatter would use. */
static bool
field_applies(const struct match *match, const struct match_field *f)
{
    bool arp = dl_type_is(match, ETH_TYPE_ARP);
    bool icmp = prereq_ok(match, MFF_PREREQ_ICMP);

    switch (f->id) {
    case MFF_NW_SRC:
    case MFF_NW_DST:
    case MFF_NW_PROTO:
        return !arp;
    case MFF_ARP_SPA:
    case MFF_ARP_TPA:
    case MFF_ARP_OP:
        return arp;
    case MFF_TP_SRC:
    case MFF_TP_DST:
        return !icmp;
    case MFF_ICMP_TYPE:
    case MFF_ICMP_CODE:
        return icmp;
    case MFF_DL_VLAN:
    case MFF_DL_VLAN_PCP:
    case MFF_VLAN_VID:
    case MFF_VLAN_PCP:
    case MFF_NW_TOS:
    case MFF_IP_DSCP:
        return false;       /* Covered by vlan_tci and ip_ecn/nw_tos. */
    default:
        return true;
    }
}

bool
match_field_prereqs_ok(const struct match *match,
                       const struct match_field *f)
{
    return prereq_ok(match, f->prereq);
}

const struct match_field *
match_check_prereqs(const struct match *match)
{
    for (size_t i = 0; i < MFF_N_IDS; i++) {
        const struct match_field *f = &fields[i];
        if (f->id == MFF_NW_TOS) {
            /* The DSCP bits of nw_tos: like ip_ecn. */
            if (match->wc.masks.nw_tos && !prereq_ok(match, f->prereq)) {
                return f;
            }
            continue;
        }
        if (field_applies(match, f) && match_field_is_set(match, f)
            && !prereq_ok(match, f->prereq)) {
            return f;
        }
    }
    return NULL;
}

bool
match_equal(const struct match *a, const struct match *b)
{
    return !memcmp(a, b, sizeof *a);
}

uint32_t
match_hash(const struct match *match, uint32_t basis)
{
    return hash_bytes(match, sizeof *match, basis);
}

/* Formatting a match. */

static void
format_field(struct ds *ds, const struct match *match,
             enum match_field_id id, const struct ofp_port_map *map)
{
    const struct match_field *f = &fields[id];
    union match_value v, m;

    if (!match_field_is_set(match, f)) {
        return;
    }
    match_field_get(f, &match->flow, &v);
    match_field_get(f, &match->wc.masks, &m);
    ds_put_format(ds, "%s=", f->name);
    match_field_format_value(ds, f, &v, &m, map);
    ds_put_char(ds, ',');
}

static void
format_vlan(struct ds *ds, const struct match *match)
{
    uint16_t tci = ntohs(match->flow.vlans[0].tci);
    uint16_t mask = ntohs(match->wc.masks.vlans[0].tci);
    uint16_t vid_mask = mask & VLAN_VID_MASK;
    uint16_t pcp_mask = mask & VLAN_PCP_MASK;

    if (!mask) {
        return;
    }
    if ((mask & VLAN_CFI) && (tci & VLAN_CFI)
        && (!vid_mask || vid_mask == VLAN_VID_MASK)
        && (!pcp_mask || pcp_mask == VLAN_PCP_MASK)
        && (vid_mask || pcp_mask)) {
        if (vid_mask) {
            ds_put_format(ds, "dl_vlan=%u,", tci & VLAN_VID_MASK);
        }
        if (pcp_mask) {
            ds_put_format(ds, "dl_vlan_pcp=%u,",
                          (tci & VLAN_PCP_MASK) >> VLAN_PCP_SHIFT);
        }
    } else if (mask == 0xffff) {
        ds_put_format(ds, "vlan_tci=0x%04"PRIx16",", tci);
    } else {
        ds_put_format(ds, "vlan_tci=0x%04"PRIx16"/0x%04"PRIx16",",
                      tci, mask);
    }
}

void
match_format(struct ds *ds, const struct match *match,
             const struct ofp_port_map *map)
{
    size_t start = ds->length;
    bool covers_proto;
    const char *shorthand = match_shorthand(match, &covers_proto);
    bool arp = dl_type_is(match, ETH_TYPE_ARP);
    bool icmp = prereq_ok(match, MFF_PREREQ_ICMP);

    if (shorthand) {
        ds_put_format(ds, "%s,", shorthand);
    }
    format_field(ds, match, MFF_METADATA, map);
    format_field(ds, match, MFF_IN_PORT, map);
    format_vlan(ds, match);
    format_field(ds, match, MFF_DL_SRC, map);
    format_field(ds, match, MFF_DL_DST, map);
    if (!shorthand) {
        format_field(ds, match, MFF_DL_TYPE, map);
    }
    format_field(ds, match, MFF_IPV6_SRC, map);
    format_field(ds, match, MFF_IPV6_DST, map);
    if (arp) {
        format_field(ds, match, MFF_ARP_SPA, map);
        format_field(ds, match, MFF_ARP_TPA, map);
        format_field(ds, match, MFF_ARP_OP, map);
        format_field(ds, match, MFF_ARP_SHA, map);
        format_field(ds, match, MFF_ARP_THA, map);
    } else {
        format_field(ds, match, MFF_NW_SRC, map);
        format_field(ds, match, MFF_NW_DST, map);
        if (!covers_proto) {
            format_field(ds, match, MFF_NW_PROTO, map);
        }
        format_field(ds, match, MFF_ARP_SHA, map);
        format_field(ds, match, MFF_ARP_THA, map);
    }
    if (match->wc.masks.nw_tos & 0xfc) {
        ds_put_format(ds, "nw_tos=%u,", match->flow.nw_tos & 0xfc);
    }
    format_field(ds, match, MFF_IP_ECN, map);
    format_field(ds, match, MFF_NW_TTL, map);
    if (icmp) {
        format_field(ds, match, MFF_ICMP_TYPE, map);
        format_field(ds, match, MFF_ICMP_CODE, map);
    } else {
        format_field(ds, match, MFF_TP_SRC, map);
        format_field(ds, match, MFF_TP_DST, map);
    }
    format_field(ds, match, MFF_TCP_FLAGS, map);
    if (ds->length > start) {
        ds_chomp(ds, ',');
    }
}
