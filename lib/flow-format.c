/*
 * flow-format: the text form of a flow key under a mask (flow_format()).
 *
 * Fields are grouped as in flow.h's example; within a group a field whose
 * mask is zero is left out, and a group with no field left is left out.
 * An exact field prints its value, a partly masked one VALUE/MASK (with
 * VALUE & MASK, so an unmasked key prints as its masked form).  The L3
 * group follows the key's eth_type (ipv4, ipv6, arp) and the L4 group its
 * nw_proto.  An absent VLAN tag (VLAN_CFI clear) prints nothing, whatever
 * its mask.  tpid is shown only when it is not 0x8100.
 */
#include <config.h>

#include "flow.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <string.h>

#include "dynamic-string.h"

/* A group being printed: "name(" is written before its first field. */
struct group {
    struct ds *ds;
    const char *name;
    bool open;
};

static void
group_field(struct group *g, const char *field)
{
    if (!g->open) {
        if (g->ds->length) {
            ds_put_char(g->ds, ',');
        }
        ds_put_format(g->ds, "%s(", g->name);
        g->open = true;
    } else {
        ds_put_char(g->ds, ',');
    }
    if (field) {
        ds_put_format(g->ds, "%s=", field);
    }
}

static void
group_close(struct group *g)
{
    if (g->open) {
        ds_put_char(g->ds, ')');
        g->open = false;
    }
}

#define DEC "%"PRIu64
#define HEX "0x%"PRIx64
#define HEX4 "0x%04"PRIx64

/* An unsigned integer field of ALL significant bits: printed with FMT when
 * exact, as hex VALUE/MASK otherwise. */
static void
put_uint(struct group *g, const char *field, uint64_t value, uint64_t mask,
         uint64_t all, const char *fmt)
{
    mask &= all;
    if (!mask) {
        return;
    }
    group_field(g, field);
    value &= mask;
    if (mask == all) {
        ds_put_format(g->ds, fmt, value);
    } else {
        ds_put_format(g->ds, HEX"/"HEX, value, mask);
    }
}

static void
put_eth(struct group *g, const char *field, struct eth_addr value,
        struct eth_addr mask)
{
    if (eth_addr_is_zero(mask)) {
        return;
    }
    group_field(g, field);
    for (int i = 0; i < ETH_ADDR_LEN; i++) {
        value.ea[i] &= mask.ea[i];
    }
    ds_put_format(g->ds, ETH_ADDR_FMT, ETH_ADDR_ARGS(value));
    if (!eth_addr_is_broadcast(mask)) {
        ds_put_format(g->ds, "/"ETH_ADDR_FMT, ETH_ADDR_ARGS(mask));
    }
}

static void
put_ipv4(struct group *g, const char *field, be32 value, be32 mask)
{
    char buf[INET_ADDRSTRLEN];
    if (!mask) {
        return;
    }
    group_field(g, field);
    value &= mask;
    ds_put_cstr(g->ds, inet_ntop(AF_INET, &value, buf, sizeof buf));
    if (mask != UINT32_MAX) {
        ds_put_format(g->ds, "/%s",
                      inet_ntop(AF_INET, &mask, buf, sizeof buf));
    }
}

static void
put_ipv6(struct group *g, const char *field, const struct in6_addr *value,
         const struct in6_addr *mask)
{
    static const struct in6_addr zero, ones = { .s6_addr = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };
    char buf[INET6_ADDRSTRLEN];
    struct in6_addr v;

    if (!memcmp(mask, &zero, sizeof zero)) {
        return;
    }
    group_field(g, field);
    for (int i = 0; i < 16; i++) {
        v.s6_addr[i] = value->s6_addr[i] & mask->s6_addr[i];
    }
    ds_put_cstr(g->ds, inet_ntop(AF_INET6, &v, buf, sizeof buf));
    if (memcmp(mask, &ones, sizeof ones)) {
        ds_put_format(g->ds, "/%s",
                      inet_ntop(AF_INET6, mask, buf, sizeof buf));
    }
}

static void
put_frag(struct group *g, uint8_t value, uint8_t mask)
{
    const uint8_t both = FLOW_NW_FRAG_ANY | FLOW_NW_FRAG_LATER;
    const char *s = NULL;

    mask &= both;
    value &= mask;
    if (!mask) {
        return;
    }
    if (mask == both) {
        s = (value == 0 ? "no" : value == FLOW_NW_FRAG_ANY ? "first"
             : value == both ? "later" : NULL);
    } else if (mask == FLOW_NW_FRAG_ANY) {
        s = value ? "yes" : "no";
    } else {
        s = value ? "later" : "not_later";
    }
    group_field(g, "frag");
    if (s) {
        ds_put_cstr(g->ds, s);
    } else {
        ds_put_format(g->ds, "0x%x/0x%x", value, mask);
    }
}

static void
format_vlan(struct ds *ds, const struct flow_vlan *v,
            const struct flow_vlan *m)
{
    struct group g = { ds, "vlan", false };
    uint16_t tci = ntohs(v->tci), mtci = ntohs(m->tci);

    if (!(tci & VLAN_CFI) || !(m->tci | m->tpid)) {
        return;
    }
    put_uint(&g, "vid", tci & VLAN_VID_MASK, mtci & VLAN_VID_MASK,
             VLAN_VID_MASK, DEC);
    put_uint(&g, "pcp", (tci & VLAN_PCP_MASK) >> VLAN_PCP_SHIFT,
             (mtci & VLAN_PCP_MASK) >> VLAN_PCP_SHIFT, 7, DEC);
    if (m->tpid != htons(0xffff) || v->tpid != htons(ETH_TYPE_VLAN_8021Q)) {
        put_uint(&g, "tpid", ntohs(v->tpid), ntohs(m->tpid), 0xffff, HEX4);
    }
    if (!g.open) {
        /* Only "a tag is present" was consulted. */
        group_field(&g, NULL);
    }
    group_close(&g);
}

static void
format_l4(struct ds *ds, const struct flow *f, const struct flow *m)
{
    struct group g = { ds, NULL, false };
    const char *src = "src", *dst = "dst";
    bool icmp = false;

    switch (f->nw_proto) {
    case IP_PROTO_TCP:
        g.name = "tcp";
        break;
    case IP_PROTO_UDP:
        g.name = "udp";
        break;
    case IP_PROTO_SCTP:
        g.name = "sctp";
        break;
    case IP_PROTO_ICMP:
    case IP_PROTO_ICMPV6:
        g.name = f->nw_proto == IP_PROTO_ICMP ? "icmp" : "icmpv6";
        src = "type";
        dst = "code";
        icmp = true;
        break;
    default:
        return;
    }
    put_uint(&g, src, ntohs(f->tp_src), ntohs(m->tp_src),
             icmp ? 0xff : 0xffff, DEC);
    put_uint(&g, dst, ntohs(f->tp_dst), ntohs(m->tp_dst),
             icmp ? 0xff : 0xffff, DEC);
    group_close(&g);

    if (f->nw_proto == IP_PROTO_TCP) {
        g.name = "tcp_flags";
        put_uint(&g, NULL, ntohs(f->tcp_flags), ntohs(m->tcp_flags),
                 TCP_FLAGS_MASK, "0x%03"PRIx64);
        group_close(&g);
    }
}

static void
format_l3(struct ds *ds, const struct flow *f, const struct flow *m)
{
    struct group g = { ds, NULL, false };

    switch (ntohs(f->dl_type)) {
    case ETH_TYPE_IP:
        g.name = "ipv4";
        put_ipv4(&g, "src", f->nw_src, m->nw_src);
        put_ipv4(&g, "dst", f->nw_dst, m->nw_dst);
        break;
    case ETH_TYPE_IPV6:
        g.name = "ipv6";
        put_ipv6(&g, "src", &f->ipv6_src, &m->ipv6_src);
        put_ipv6(&g, "dst", &f->ipv6_dst, &m->ipv6_dst);
        put_uint(&g, "label", ntohl(f->ipv6_label), ntohl(m->ipv6_label),
                 IPV6_LABEL_MASK, HEX);
        break;
    case ETH_TYPE_ARP:
        g.name = "arp";
        put_ipv4(&g, "sip", f->nw_src, m->nw_src);
        put_ipv4(&g, "tip", f->nw_dst, m->nw_dst);
        put_uint(&g, "op", f->nw_proto, m->nw_proto, 0xff, DEC);
        put_eth(&g, "sha", f->arp_sha, m->arp_sha);
        put_eth(&g, "tha", f->arp_tha, m->arp_tha);
        group_close(&g);
        return;
    default:
        return;
    }
    put_uint(&g, "proto", f->nw_proto, m->nw_proto, 0xff, DEC);
    put_uint(&g, "tos", f->nw_tos, m->nw_tos, 0xff, DEC);
    put_uint(&g, f->dl_type == htons(ETH_TYPE_IP) ? "ttl" : "hlimit",
             f->nw_ttl, m->nw_ttl, 0xff, DEC);
    put_frag(&g, f->nw_frag, m->nw_frag);
    group_close(&g);

    format_l4(ds, f, m);
}

void
flow_format(struct ds *ds, const struct flow *flow,
            const struct flow_wildcards *mask)
{
    struct flow_wildcards exact;
    const struct flow *m;
    struct ds out = DS_EMPTY_INITIALIZER;
    struct group g = { &out, NULL, false };

    if (!mask) {
        flow_wildcards_init_exact(&exact);
        mask = &exact;
    }
    m = &mask->masks;

    g.name = "in_port";
    put_uint(&g, NULL, flow->in_port, m->in_port, UINT32_MAX, DEC);
    group_close(&g);
    g.name = "metadata";
    put_uint(&g, NULL, flow->metadata, m->metadata, UINT64_MAX, HEX);
    group_close(&g);

    g.name = "eth";
    put_eth(&g, "src", flow->dl_src, m->dl_src);
    put_eth(&g, "dst", flow->dl_dst, m->dl_dst);
    group_close(&g);

    for (int i = 0; i < FLOW_MAX_VLANS; i++) {
        format_vlan(&out, &flow->vlans[i], &m->vlans[i]);
    }

    g.name = "eth_type";
    put_uint(&g, NULL, ntohs(flow->dl_type), ntohs(m->dl_type), 0xffff,
             HEX4);
    group_close(&g);

    format_l3(&out, flow, m);

    ds_put_cstr(ds, ds_cstr(&out));
    ds_destroy(&out);
}
