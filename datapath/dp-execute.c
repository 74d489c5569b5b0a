/* dp-execute: the action executor, one action at a time over a batch. */
#include <config.h>

#include "dp-execute.h"

#include <arpa/inet.h>
#include <string.h>

#include <rte_hash_crc.h>
#include <rte_mbuf.h>

#include "csum.h"
#include "dp-actions.h"
#include "dp-meter.h"
#include "packets.h"
#include "util.h"

#define IPV4_HEADER_LEN 20
#define IPV6_HEADER_LEN 40
#define TCP_HEADER_LEN 20
#define UDP_HEADER_LEN 8
#define SCTP_HEADER_LEN 12
#define ICMPV6_HEADER_LEN 4

/* IPv6 extension headers the executor skips to find the transport. */
#define IPV6_NH_HOPOPTS 0
#define IPV6_NH_ROUTING 43
#define IPV6_NH_FRAGMENT 44
#define IPV6_NH_AH 51
#define IPV6_NH_DSTOPTS 60
#define IPV6_MAX_EXT_HEADERS 8

static const char *const drop_names[DP_DROP_N_REASONS] = {
    [DP_DROP_NO_OUTPUT] = "no_output",
    [DP_DROP_METER] = "meter",
    [DP_DROP_NOMEM] = "nomem",
};

const char *
dp_drop_reason_name(enum dp_drop_reason reason)
{
    return reason < DP_DROP_N_REASONS ? drop_names[reason] : "unknown";
}

void
dp_execute_ctx_init(struct dp_execute_ctx *ctx,
                    const struct dp_execute_ops *ops, void *aux,
                    struct rte_mempool *pool, struct dp_meter_table *meters)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->ops = ops;
    ctx->aux = aux;
    ctx->pool = pool;
    ctx->meters = meters;
}

/* Unaligned network-order accessors. */

static inline uint16_t
get16(const uint8_t *p)
{
    uint16_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline void
put16(uint8_t *p, uint16_t v)
{
    memcpy(p, &v, sizeof v);
}

static inline uint32_t
get32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline void
put32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, sizeof v);
}

/* Headers. */

/* Where a packet's headers lie in its first segment.  A field is 0 when
 * the layer is absent or does not fit. */
struct hdrs {
    uint8_t *data;
    uint32_t len;               /* Contiguous bytes at data. */
    uint16_t l3_type;           /* Host order: ETH_TYPE_IP, _IPV6, or 0. */
    uint16_t l3_ofs;
    uint16_t l4_ofs;            /* 0: no transport header to touch. */
    uint8_t l4_proto;
    uint32_t l3_end;            /* End of the IP packet (before any
                                 * Ethernet padding), <= len. */
};

/* Makes M's bytes contiguous and writable.  Returns false if it cannot. */
static bool
make_contiguous(struct rte_mbuf *m)
{
    return rte_pktmbuf_is_contiguous(m) || !rte_pktmbuf_linearize(m);
}

static uint16_t
find_l3(const uint8_t *data, uint32_t len, uint16_t *l3_ofs)
{
    if (len < ETH_HEADER_LEN) {
        return 0;
    }
    uint32_t ofs = 12;
    uint16_t type = ntohs(get16(data + ofs));
    for (int i = 0; i < 2; i++) {
        if (type != ETH_TYPE_VLAN_8021Q && type != ETH_TYPE_VLAN_8021AD) {
            break;
        }
        ofs += VLAN_HEADER_LEN;
        if (ofs + 2 > len) {
            return 0;
        }
        type = ntohs(get16(data + ofs));
    }
    *l3_ofs = ofs + 2;
    return type;
}

static void
find_l4_ipv4(struct hdrs *h)
{
    const uint8_t *ip = h->data + h->l3_ofs;
    uint32_t ihl = (ip[0] & 0x0f) * 4;
    uint16_t frag = ntohs(get16(ip + 6));
    if ((ip[0] >> 4) != 4 || ihl < IPV4_HEADER_LEN
        || h->l3_ofs + ihl > h->len || (frag & 0x1fff)) {
        return;
    }
    h->l4_ofs = h->l3_ofs + ihl;
    h->l4_proto = ip[9];
}

static void
find_l3_end(struct hdrs *h)
{
    const uint8_t *ip = h->data + h->l3_ofs;
    uint32_t ip_len = ntohs(get16(ip + (h->l3_type == ETH_TYPE_IP ? 2 : 4)));
    if (h->l3_type == ETH_TYPE_IPV6) {
        ip_len += IPV6_HEADER_LEN;
    }
    h->l3_end = MIN(h->len, h->l3_ofs + ip_len);
}

static void
find_l4_ipv6(struct hdrs *h)
{
    const uint8_t *ip = h->data + h->l3_ofs;
    uint8_t nh = ip[6];
    uint32_t ofs = h->l3_ofs + IPV6_HEADER_LEN;

    for (int i = 0; i < IPV6_MAX_EXT_HEADERS; i++) {
        uint32_t ext_len;
        if (nh != IPV6_NH_HOPOPTS && nh != IPV6_NH_ROUTING
            && nh != IPV6_NH_FRAGMENT && nh != IPV6_NH_AH
            && nh != IPV6_NH_DSTOPTS) {
            if (ofs <= UINT16_MAX) {
                h->l4_ofs = ofs;
                h->l4_proto = nh;
            }
            return;
        }
        if (ofs + 8 > h->len) {
            return;
        }
        const uint8_t *ext = h->data + ofs;
        if (nh == IPV6_NH_FRAGMENT) {
            if (ntohs(get16(ext + 2)) & 0xfff8) {
                return;         /* Not the first fragment. */
            }
            ext_len = 8;
        } else if (nh == IPV6_NH_AH) {
            ext_len = (ext[1] + 2) * 4;
        } else {
            ext_len = (ext[1] + 1) * 8;
        }
        nh = ext[0];
        ofs += ext_len;
    }
}

/* Finds M's headers; returns false if it has no IPv4 or IPv6 header. */
static bool
find_hdrs(struct rte_mbuf *m, struct hdrs *h)
{
    memset(h, 0, sizeof *h);
    if (!make_contiguous(m)) {
        return false;
    }
    h->data = rte_pktmbuf_mtod(m, uint8_t *);
    h->len = rte_pktmbuf_data_len(m);

    uint16_t type = find_l3(h->data, h->len, &h->l3_ofs);
    if (type == ETH_TYPE_IP
        && (uint32_t) h->l3_ofs + IPV4_HEADER_LEN <= h->len) {
        h->l3_type = type;
        find_l4_ipv4(h);
    } else if (type == ETH_TYPE_IPV6
               && (uint32_t) h->l3_ofs + IPV6_HEADER_LEN <= h->len
               && (h->data[h->l3_ofs] >> 4) == 6) {
        h->l3_type = type;
        find_l4_ipv6(h);
    } else {
        return false;
    }
    find_l3_end(h);
    if (h->l4_ofs > h->l3_end) {
        h->l4_ofs = 0;
    }
    return true;
}

/* Offset of the checksum in transport PROTO's header, and that header's
 * minimum length, or 0 if the executor does not maintain it. */
static uint32_t
l4_csum_ofs(uint8_t proto, uint32_t *min_len)
{
    switch (proto) {
    case IP_PROTO_TCP:
        *min_len = TCP_HEADER_LEN;
        return 16;
    case IP_PROTO_UDP:
        *min_len = UDP_HEADER_LEN;
        return 6;
    case IP_PROTO_ICMPV6:
        *min_len = ICMPV6_HEADER_LEN;
        return 2;
    default:
        return 0;
    }
}

/* The transport checksum field that covers the IP pseudo-header, or NULL
 * (no such protocol, header truncated, UDP over IPv4 without checksum). */
static uint8_t *
pseudo_csum(const struct hdrs *h)
{
    uint32_t min_len;
    uint32_t ofs;

    if (!h->l4_ofs) {
        return NULL;
    }
    ofs = l4_csum_ofs(h->l4_proto, &min_len);
    if (!ofs || (h->l4_proto == IP_PROTO_ICMPV6
                 && h->l3_type != ETH_TYPE_IPV6)
        || h->l4_ofs + min_len > h->len) {
        return NULL;
    }
    uint8_t *p = h->data + h->l4_ofs + ofs;
    if (h->l4_proto == IP_PROTO_UDP && h->l3_type == ETH_TYPE_IP
        && !get16(p)) {
        return NULL;
    }
    return p;
}

/* Stores CSUM at P; a UDP checksum that computes to 0 is sent as 0xffff
 * (0 means "none"). */
static void
put_l4_csum(uint8_t *p, uint8_t proto, uint16_t csum)
{
    put16(p, proto == IP_PROTO_UDP ? csum_udp_fixup(csum) : csum);
}

/* SCTP's CRC32c over the whole SCTP packet, recomputed. */
static void
sctp_fix_crc(const struct hdrs *h)
{
    uint8_t *sctp = h->data + h->l4_ofs;
    uint32_t len = h->l3_end - h->l4_ofs;
    put32(sctp + 8, 0);

    /* rte_hash_crc() loads 8 bytes at a time: align the pointer first. */
    uint32_t crc = UINT32_MAX;
    const uint8_t *p = sctp;
    for (; len && (uintptr_t) p % 8; p++, len--) {
        crc = rte_hash_crc_1byte(*p, crc);
    }
    crc = ~rte_hash_crc(p, len, crc);
    /* The CRC goes on the wire least significant byte first. */
    uint8_t le[4] = { crc, crc >> 8, crc >> 16, crc >> 24 };
    memcpy(sctp + 8, le, sizeof le);
}

/* Per-packet actions. */

static inline uint8_t
masked8(uint8_t old, uint8_t val, uint8_t mask)
{
    return (old & ~mask) | (val & mask);
}

static inline uint16_t
masked16(uint16_t old, uint16_t val, uint16_t mask)
{
    return (old & ~mask) | (val & mask);
}

static inline uint32_t
masked32(uint32_t old, uint32_t val, uint32_t mask)
{
    return (old & ~mask) | (val & mask);
}

static void
set_eth(struct rte_mbuf *m, const struct dp_action_set_eth *a)
{
    if (!make_contiguous(m) || rte_pktmbuf_data_len(m) < ETH_HEADER_LEN) {
        return;
    }
    uint8_t *eth = rte_pktmbuf_mtod(m, uint8_t *);
    for (int i = 0; i < ETH_ADDR_LEN; i++) {
        eth[i] = masked8(eth[i], a->dst.ea[i], a->dst_mask.ea[i]);
        eth[6 + i] = masked8(eth[6 + i], a->src.ea[i], a->src_mask.ea[i]);
    }
}

static void
set_ipv4(struct rte_mbuf *m, const struct dp_action_set_ipv4 *a)
{
    struct hdrs h;
    if (!find_hdrs(m, &h) || h.l3_type != ETH_TYPE_IP
        || (h.data[h.l3_ofs] >> 4) != 4) {
        return;
    }
    uint8_t *ip = h.data + h.l3_ofs;
    uint8_t *l4csum = pseudo_csum(&h);
    uint16_t ipcsum = get16(ip + 10);
    uint16_t tcsum = l4csum ? get16(l4csum) : 0;

    for (int i = 0; i < 2; i++) {
        uint8_t *addr = ip + (i ? 16 : 12);
        uint32_t old = get32(addr);
        uint32_t new = (i ? masked32(old, a->dst, a->dst_mask)
                        : masked32(old, a->src, a->src_mask));
        if (new != old) {
            put32(addr, new);
            ipcsum = csum_update32(ipcsum, old, new);
            tcsum = csum_update32(tcsum, old, new);
        }
    }

    /* TOS and TTL, each in one 16-bit word with its neighbour. */
    uint16_t old = get16(ip);
    ip[1] = masked8(ip[1], a->tos, a->tos_mask);
    if (get16(ip) != old) {
        ipcsum = csum_update16(ipcsum, old, get16(ip));
    }
    old = get16(ip + 8);
    ip[8] = masked8(ip[8], a->ttl, a->ttl_mask);
    if (get16(ip + 8) != old) {
        ipcsum = csum_update16(ipcsum, old, get16(ip + 8));
    }

    put16(ip + 10, ipcsum);
    if (l4csum) {
        put_l4_csum(l4csum, h.l4_proto, tcsum);
    }
}

static void
set_ipv6(struct rte_mbuf *m, const struct dp_action_set_ipv6 *a)
{
    struct hdrs h;
    if (!find_hdrs(m, &h) || h.l3_type != ETH_TYPE_IPV6) {
        return;
    }
    uint8_t *ip = h.data + h.l3_ofs;
    uint8_t *l4csum = pseudo_csum(&h);
    uint16_t tcsum = l4csum ? get16(l4csum) : 0;

    for (int i = 0; i < 2; i++) {
        uint8_t *addr = ip + (i ? 24 : 8);
        const uint8_t *val = (i ? a->dst.s6_addr : a->src.s6_addr);
        const uint8_t *mask = (i ? a->dst_mask.s6_addr
                               : a->src_mask.s6_addr);
        struct in6_addr old, new;
        memcpy(&old, addr, sizeof old);
        for (int j = 0; j < 16; j++) {
            new.s6_addr[j] = masked8(old.s6_addr[j], val[j], mask[j]);
        }
        memcpy(addr, &new, sizeof new);
        if (memcmp(&old, &new, sizeof old)) {
            tcsum = csum_update128(tcsum, &old, &new);
        }
    }

    /* Traffic class: bits 4-11 of the first 32-bit word. */
    uint32_t w = ntohl(get32(ip));
    uint8_t tclass = masked8(w >> 20, a->tclass, a->tclass_mask);
    w = (w & 0xf00fffff) | ((uint32_t) tclass << 20);
    put32(ip, htonl(w));
    ip[7] = masked8(ip[7], a->hlimit, a->hlimit_mask);

    if (l4csum) {
        put_l4_csum(l4csum, h.l4_proto, tcsum);
    }
}

static void
set_l4(struct rte_mbuf *m, const struct dp_action_set_l4 *a)
{
    struct hdrs h;
    uint32_t min_len;

    if (!find_hdrs(m, &h) || !h.l4_ofs) {
        return;
    }
    if (h.l4_proto == IP_PROTO_TCP || h.l4_proto == IP_PROTO_UDP) {
        min_len = h.l4_proto == IP_PROTO_TCP ? TCP_HEADER_LEN
                                             : UDP_HEADER_LEN;
    } else if (h.l4_proto == IP_PROTO_SCTP) {
        min_len = SCTP_HEADER_LEN;
    } else {
        return;
    }
    if (h.l4_ofs + min_len > h.l3_end) {
        return;
    }

    uint8_t *l4 = h.data + h.l4_ofs;
    uint16_t old_src = get16(l4), old_dst = get16(l4 + 2);
    uint16_t src = masked16(old_src, a->src, a->src_mask);
    uint16_t dst = masked16(old_dst, a->dst, a->dst_mask);
    if (src == old_src && dst == old_dst) {
        return;
    }
    put16(l4, src);
    put16(l4 + 2, dst);

    if (h.l4_proto == IP_PROTO_SCTP) {
        sctp_fix_crc(&h);
        return;
    }
    uint8_t *csum = pseudo_csum(&h);
    if (csum && (src != old_src || dst != old_dst)) {
        uint16_t c = get16(csum);
        if (src != old_src) {
            c = csum_update16(c, old_src, src);
        }
        if (dst != old_dst) {
            c = csum_update16(c, old_dst, dst);
        }
        put_l4_csum(csum, h.l4_proto, c);
    }
}

/* Returns M if the executor may change it in place (a direct mbuf that
 * nothing else holds, with HEADROOM bytes of headroom), else a copy (M is
 * then freed), or NULL (M freed, counted). */
static struct rte_mbuf *
make_writable(struct dp_execute_ctx *ctx, struct rte_mbuf *m,
              uint16_t headroom)
{
    if (RTE_MBUF_DIRECT(m) && rte_mbuf_refcnt_read(m) == 1
        && rte_pktmbuf_headroom(m) >= headroom) {
        return m;
    }
    struct rte_mbuf *copy = rte_pktmbuf_copy(m, ctx->pool, 0, UINT32_MAX);
    rte_pktmbuf_free(m);
    if (copy) {
        ctx->n_copies++;
        if (rte_pktmbuf_headroom(copy) < headroom) {
            rte_pktmbuf_free(copy);
            copy = NULL;
        }
    }
    if (!copy) {
        ctx->drops[DP_DROP_NOMEM]++;
    }
    return copy;
}

static void
push_vlan(struct rte_mbuf *m, const struct dp_action_vlan *a)
{
    if (rte_pktmbuf_data_len(m) < 2 * ETH_ADDR_LEN) {
        return;
    }
    uint8_t *p = (uint8_t *) rte_pktmbuf_prepend(m, VLAN_HEADER_LEN);
    if (!p) {
        return;                 /* No headroom: writable_batch() saw to it. */
    }
    memmove(p, p + VLAN_HEADER_LEN, 2 * ETH_ADDR_LEN);
    put16(p + 12, a->tpid);
    put16(p + 14, a->tci & ~htons(VLAN_CFI));
}

static inline bool
is_vlan_tpid(uint16_t tpid)
{
    return tpid == htons(ETH_TYPE_VLAN_8021Q)
           || tpid == htons(ETH_TYPE_VLAN_8021AD);
}

static void
pop_vlan(struct rte_mbuf *m)
{
    if (!make_contiguous(m)
        || rte_pktmbuf_data_len(m) < ETH_HEADER_LEN + VLAN_HEADER_LEN) {
        return;
    }
    uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
    if (is_vlan_tpid(get16(p + 12))) {
        memmove(p + VLAN_HEADER_LEN, p, 2 * ETH_ADDR_LEN);
        rte_pktmbuf_adj(m, VLAN_HEADER_LEN);
    }
}

static void
set_vlan(struct rte_mbuf *m, const struct dp_action_vlan *a)
{
    if (!make_contiguous(m)
        || rte_pktmbuf_data_len(m) < ETH_HEADER_LEN + VLAN_HEADER_LEN) {
        return;
    }
    uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
    if (is_vlan_tpid(get16(p + 12))) {
        uint16_t mask = a->mask & ~htons(VLAN_CFI);
        put16(p + 14, masked16(get16(p + 14), a->tci, mask));
    }
}

/* Batch actions. */

static void execute__(struct dp_execute_ctx *, struct rte_mbuf **pkts,
                      size_t n, const void *actions, size_t size,
                      bool top);

/* Copies the N packets of PKTS into COPIES, at most MAX_LEN bytes each;
 * returns how many copies succeeded (failures are counted). */
static size_t
copy_batch(struct dp_execute_ctx *ctx, struct rte_mbuf **pkts, size_t n,
           uint32_t max_len, struct rte_mbuf **copies)
{
    size_t n_copies = 0;
    for (size_t i = 0; i < n; i++) {
        struct rte_mbuf *c = rte_pktmbuf_copy(pkts[i], ctx->pool, 0,
                                              max_len);
        if (c) {
            copies[n_copies++] = c;
        } else {
            ctx->drops[DP_DROP_NOMEM]++;
        }
    }
    ctx->n_copies += n_copies;
    return n_copies;
}

/* Cuts each packet of PKTS to MAX_LEN bytes, in place if it can, else by
 * copying.  Returns the number of packets left (in PKTS). */
static size_t
truncate_batch(struct dp_execute_ctx *ctx, struct rte_mbuf **pkts, size_t n,
               uint32_t max_len)
{
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        struct rte_mbuf *m = pkts[i];
        uint32_t len = rte_pktmbuf_pkt_len(m);
        if (len > max_len && rte_pktmbuf_trim(m, len - max_len)) {
            struct rte_mbuf *c = rte_pktmbuf_copy(m, ctx->pool, 0, max_len);
            rte_pktmbuf_free(m);
            if (!c) {
                ctx->drops[DP_DROP_NOMEM]++;
                continue;
            }
            ctx->n_copies++;
            m = c;
        }
        pkts[j++] = m;
    }
    return j;
}

/* OUTPUT: returns the number of packets still held (0 if LAST). */
static size_t
do_output(struct dp_execute_ctx *ctx, uint32_t port, struct rte_mbuf **pkts,
          size_t n, bool last, uint32_t max_len)
{
    if (last) {
        if (max_len) {
            n = truncate_batch(ctx, pkts, n, max_len);
        }
        if (n) {
            ctx->ops->output(ctx->aux, port, pkts, n);
        }
        return 0;
    }

    struct rte_mbuf *copies[DP_EXECUTE_MAX_BURST];
    size_t n_copies = copy_batch(ctx, pkts, n,
                                 max_len ? max_len : UINT32_MAX, copies);
    if (n_copies) {
        ctx->ops->output(ctx->aux, port, copies, n_copies);
    }
    return n;
}

static size_t
do_police(struct dp_execute_ctx *ctx, uint32_t meter,
          struct rte_mbuf **pkts, size_t n)
{
    bool pass[DP_EXECUTE_MAX_BURST];
    if (!ctx->meters
        || dp_meter_police(ctx->meters, meter, pkts, n, ctx->now_tsc,
                           pass) == n) {
        return n;
    }

    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        if (pass[i]) {
            pkts[j++] = pkts[i];
        } else {
            rte_pktmbuf_free(pkts[i]);
            ctx->drops[DP_DROP_METER]++;
        }
    }
    return j;
}

static void
do_clone(struct dp_execute_ctx *ctx, struct rte_mbuf **pkts, size_t n,
         const struct dp_action *a)
{
    struct rte_mbuf *copies[DP_EXECUTE_MAX_BURST];
    size_t n_copies = copy_batch(ctx, pkts, n, UINT32_MAX, copies);
    if (n_copies) {
        execute__(ctx, copies, n_copies, dp_action_payload(a),
                  dp_action_payload_len(a), false);
    }
}

/* Before an action that rewrites packets: makes each packet of PKTS ours
 * to change (direct, unshared, HEADROOM bytes of headroom),
 * replacing it by a copy where needed.  Returns the number left (copies
 * that failed are dropped and counted). */
static size_t
writable_batch(struct dp_execute_ctx *ctx, struct rte_mbuf **pkts, size_t n,
               uint16_t headroom)
{
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        struct rte_mbuf *m = make_writable(ctx, pkts[i], headroom);
        if (m) {
            pkts[j++] = m;
        }
    }
    return j;
}

static void
execute__(struct dp_execute_ctx *ctx, struct rte_mbuf **pkts, size_t n,
          const void *actions, size_t size, bool top)
{
    const uint8_t *end = (const uint8_t *) actions + size;
    uint32_t max_len = 0;
    bool sends = false;

    DP_ACTIONS_FOR_EACH (a, actions, size) {
        if (!n) {
            return;
        }
        const void *payload = dp_action_payload(a);
        bool last = (const uint8_t *) a + a->len >= end;

        switch ((enum dp_action_type) a->type) {
        case DP_ACTION_OUTPUT:
            n = do_output(ctx, a->arg, pkts, n, last, max_len);
            max_len = 0;
            sends = true;
            break;
        case DP_ACTION_PUSH_VLAN:
            n = writable_batch(ctx, pkts, n, VLAN_HEADER_LEN);
            for (size_t i = 0; i < n; i++) {
                push_vlan(pkts[i], payload);
            }
            break;
        case DP_ACTION_POP_VLAN:
            n = writable_batch(ctx, pkts, n, 0);
            for (size_t i = 0; i < n; i++) {
                pop_vlan(pkts[i]);
            }
            break;
        case DP_ACTION_SET_VLAN:
            n = writable_batch(ctx, pkts, n, 0);
            for (size_t i = 0; i < n; i++) {
                set_vlan(pkts[i], payload);
            }
            break;
        case DP_ACTION_SET_ETH:
            n = writable_batch(ctx, pkts, n, 0);
            for (size_t i = 0; i < n; i++) {
                set_eth(pkts[i], payload);
            }
            break;
        case DP_ACTION_SET_IPV4:
            n = writable_batch(ctx, pkts, n, 0);
            for (size_t i = 0; i < n; i++) {
                set_ipv4(pkts[i], payload);
            }
            break;
        case DP_ACTION_SET_IPV6:
            n = writable_batch(ctx, pkts, n, 0);
            for (size_t i = 0; i < n; i++) {
                set_ipv6(pkts[i], payload);
            }
            break;
        case DP_ACTION_SET_L4:
            n = writable_batch(ctx, pkts, n, 0);
            for (size_t i = 0; i < n; i++) {
                set_l4(pkts[i], payload);
            }
            break;
        case DP_ACTION_TRUNCATE:
            max_len = MAX(a->arg, ETH_HEADER_LEN);
            break;
        case DP_ACTION_POLICE:
            n = do_police(ctx, a->arg, pkts, n);
            break;
        case DP_ACTION_USERSPACE:
            if (ctx->ops->userspace) {
                const struct dp_action_userspace *u = payload;
                for (size_t i = 0; i < n; i++) {
                    ctx->ops->userspace(ctx->aux, pkts[i], u->cookie);
                }
            }
            sends = true;
            break;
        case DP_ACTION_CLONE:
            do_clone(ctx, pkts, n, a);
            sends = true;
            break;
        }
    }

    if (n) {
        if (top && !sends) {
            ctx->drops[DP_DROP_NO_OUTPUT] += n;
        }
        rte_pktmbuf_free_bulk(pkts, n);
    }
}

void
dp_execute(struct dp_execute_ctx *ctx, struct rte_mbuf **pkts, size_t n,
           const void *actions, size_t size)
{
    for (size_t i = 0; i < n; i += DP_EXECUTE_MAX_BURST) {
        execute__(ctx, pkts + i, MIN(n - i, DP_EXECUTE_MAX_BURST), actions,
                  size, true);
    }
}
