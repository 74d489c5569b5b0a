/* xlate: OpenFlow tables and actions to datapath actions and a mask. */
#include <config.h>

#include "xlate.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "dynamic-string.h"
#include "match.h"
#include "ofp-actions.h"
#include "xlate-private.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(xlate);

static void do_actions(struct xlate_ctx *, const void *ofpacts, size_t len);

void
xlate_out_init(struct xlate_out *xout)
{
    memset(xout, 0, sizeof *xout);
    dp_actions_init(&xout->actions);
}

void
xlate_out_uninit(struct xlate_out *xout)
{
    dp_actions_uninit(&xout->actions);
}

void
xlate_trace(struct xlate_ctx *ctx, const char *format, ...)
{
    struct ds *s = ctx->xin->trace;
    if (!s) {
        return;
    }
    va_list args;
    ds_put_char_multiple(s, ' ', 4 * MIN(ctx->depth, 8));
    va_start(args, format);
    ds_put_format_valist(s, format, args);
    va_end(args);
    ds_put_char(s, '\n');
}

/* Masks. */

static void
wc_ones(void *field, size_t n)
{
    memset(field, 0xff, n);
}
#define WC_FIELD(CTX, FIELD) \
    wc_ones(&(CTX)->wc->masks.FIELD, sizeof (CTX)->wc->masks.FIELD)

void
xlate_wc_vlans(struct xlate_ctx *ctx)
{
    WC_FIELD(ctx, vlans);
}

/* VLAN tags. */

static void
sync_flow_vlans(struct xlate_ctx *ctx)
{
    memset(ctx->flow.vlans, 0, sizeof ctx->flow.vlans);
    for (int i = 0; i < ctx->n_want && i < FLOW_MAX_VLANS; i++) {
        ctx->flow.vlans[i] = ctx->want[i];
    }
}

void
xlate_set_vlans(struct xlate_ctx *ctx, const struct flow_vlan *want, int n)
{
    if (n > XLATE_MAX_TAGS) {
        abort();            /* Callers check. */
    }
    memmove(ctx->want, want, n * sizeof *want);
    ctx->n_want = n;
    sync_flow_vlans(ctx);
}

static bool
vlan_equal(const struct flow_vlan *a, const struct flow_vlan *b)
{
    return a->tpid == b->tpid && a->tci == b->tci;
}

static void
commit_vlans(struct xlate_ctx *ctx)
{
    struct dp_actions *acts = &ctx->xout->actions;
    int common = 0;

    while (common < ctx->n_have && common < ctx->n_want
           && vlan_equal(&ctx->have[ctx->n_have - 1 - common],
                         &ctx->want[ctx->n_want - 1 - common])) {
        common++;
    }
    if (common == ctx->n_have && common == ctx->n_want) {
        return;
    }
    /* The actions depend on the tags the packet has. */
    xlate_wc_vlans(ctx);
    if (ctx->n_have == ctx->n_want && common == ctx->n_have - 1
        && ctx->have[0].tpid == ctx->want[0].tpid) {
        dp_actions_put_set_vlan(acts, ctx->want[0].tci,
                                htons(VLAN_VID_MASK | VLAN_PCP_MASK));
    } else {
        for (int i = 0; i < ctx->n_have - common; i++) {
            dp_actions_put_pop_vlan(acts);
        }
        for (int i = ctx->n_want - common - 1; i >= 0; i--) {
            dp_actions_put_push_vlan(acts, ctx->want[i].tpid,
                                     ctx->want[i].tci);
        }
    }
    memcpy(ctx->have, ctx->want, sizeof ctx->have);
    ctx->n_have = ctx->n_want;
}

/* Field changes. */

static bool
mac_is_zero(struct eth_addr a)
{
    static const struct eth_addr zero;
    return !memcmp(&a, &zero, sizeof a);
}

static bool
in6_is_zero(const struct in6_addr *a)
{
    static const struct in6_addr zero;
    return !memcmp(a, &zero, sizeof *a);
}

static bool
is_ipv4(const struct xlate_ctx *ctx)
{
    return ctx->flow.dl_type == htons(ETH_TYPE_IP);
}

static bool
is_ipv6(const struct xlate_ctx *ctx)
{
    return ctx->flow.dl_type == htons(ETH_TYPE_IPV6);
}

static void
commit_sets(struct xlate_ctx *ctx)
{
    struct dp_actions *acts = &ctx->xout->actions;
    const struct flow *f = &ctx->flow;

    if (!mac_is_zero(ctx->set_dl_src) || !mac_is_zero(ctx->set_dl_dst)) {
        struct dp_action_set_eth e = {
            .src = f->dl_src, .src_mask = ctx->set_dl_src,
            .dst = f->dl_dst, .dst_mask = ctx->set_dl_dst,
        };
        for (int i = 0; i < ETH_ADDR_LEN; i++) {
            e.src.ea[i] &= e.src_mask.ea[i];
            e.dst.ea[i] &= e.dst_mask.ea[i];
        }
        dp_actions_put(acts, DP_ACTION_SET_ETH, 0, &e, sizeof e);
    }
    if (is_ipv4(ctx) && (ctx->set_nw_src || ctx->set_nw_dst
                         || ctx->set_nw_tos || ctx->set_nw_ttl)) {
        struct dp_action_set_ipv4 a = {
            .src = f->nw_src & ctx->set_nw_src, .src_mask = ctx->set_nw_src,
            .dst = f->nw_dst & ctx->set_nw_dst, .dst_mask = ctx->set_nw_dst,
            .tos = f->nw_tos & ctx->set_nw_tos, .tos_mask = ctx->set_nw_tos,
            .ttl = f->nw_ttl & ctx->set_nw_ttl, .ttl_mask = ctx->set_nw_ttl,
        };
        dp_actions_put(acts, DP_ACTION_SET_IPV4, 0, &a, sizeof a);
    }
    if (is_ipv6(ctx) && (!in6_is_zero(&ctx->set_ipv6_src)
                         || !in6_is_zero(&ctx->set_ipv6_dst)
                         || ctx->set_nw_tos || ctx->set_nw_ttl)) {
        struct dp_action_set_ipv6 a = {
            .src_mask = ctx->set_ipv6_src, .dst_mask = ctx->set_ipv6_dst,
            .tclass = f->nw_tos & ctx->set_nw_tos,
            .tclass_mask = ctx->set_nw_tos,
            .hlimit = f->nw_ttl & ctx->set_nw_ttl,
            .hlimit_mask = ctx->set_nw_ttl,
        };
        for (int i = 0; i < 16; i++) {
            a.src.s6_addr[i] = f->ipv6_src.s6_addr[i]
                               & a.src_mask.s6_addr[i];
            a.dst.s6_addr[i] = f->ipv6_dst.s6_addr[i]
                               & a.dst_mask.s6_addr[i];
        }
        dp_actions_put(acts, DP_ACTION_SET_IPV6, 0, &a, sizeof a);
    }
    if (ctx->set_tp_src || ctx->set_tp_dst) {
        struct dp_action_set_l4 a = {
            .src = f->tp_src & ctx->set_tp_src, .src_mask = ctx->set_tp_src,
            .dst = f->tp_dst & ctx->set_tp_dst, .dst_mask = ctx->set_tp_dst,
        };
        dp_actions_put(acts, DP_ACTION_SET_L4, 0, &a, sizeof a);
    }
    memset(&ctx->set_dl_src, 0, sizeof ctx->set_dl_src);
    memset(&ctx->set_dl_dst, 0, sizeof ctx->set_dl_dst);
    memset(&ctx->set_ipv6_src, 0, sizeof ctx->set_ipv6_src);
    memset(&ctx->set_ipv6_dst, 0, sizeof ctx->set_ipv6_dst);
    ctx->set_nw_src = ctx->set_nw_dst = 0;
    ctx->set_nw_tos = ctx->set_nw_ttl = 0;
    ctx->set_tp_src = ctx->set_tp_dst = 0;
}

/* Output. */

void
xlate_output_port(struct xlate_ctx *ctx, const struct ofport *port)
{
    commit_sets(ctx);
    commit_vlans(ctx);
    dp_actions_put_output(&ctx->xout->actions, port->dp_port);
    xlate_trace(ctx, "-> output to %s (port %"PRIu32", datapath port "
                "%"PRIu32")", port->name, port->ofp_port, port->dp_port);
    const struct xlate_stats *st = ctx->xin->stats;
    if (st) {
        struct ofport *p = (struct ofport *) port;
        atomic_fetch_add(&p->tx_packets, st->n_packets);
        atomic_fetch_add(&p->tx_bytes, st->n_bytes);
    }
}

static int
compare_ports(const void *a_, const void *b_)
{
    const struct ofport *const *a = a_, *const *b = b_;
    return (*a)->ofp_port < (*b)->ofp_port ? -1
           : (*a)->ofp_port > (*b)->ofp_port;
}

struct ofport **
xlate_sorted_ports(const struct ofproto *p, size_t *n)
{
    struct ofport **ports = xcalloc(hmap_count(&p->ports) + 1,
                                    sizeof *ports);
    struct ofport *port;
    *n = 0;
    HMAP_FOR_EACH (port, ofp_node, &p->ports) {
        ports[(*n)++] = port;
    }
    qsort(ports, *n, sizeof *ports, compare_ports);
    return ports;
}

static void
output_all(struct xlate_ctx *ctx)
{
    size_t n;
    struct ofport **ports = xlate_sorted_ports(ctx->ofproto, &n);
    for (size_t i = 0; i < n; i++) {
        if (ports[i]->ofp_port != ctx->flow.in_port) {
            xlate_output_port(ctx, ports[i]);
        }
    }
    free(ports);
}

static void
xlate_output(struct xlate_ctx *ctx, uint32_t port_no, uint16_t max_len)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);
    const struct ofport *port;

    switch (port_no) {
    case OFPP_NORMAL:
        xlate_normal(ctx);
        return;
    case OFPP_FLOOD:
    case OFPP_ALL:
        output_all(ctx);
        return;
    case OFPP_CONTROLLER:
        if (!ctx->xin->trace) {
            uint64_t k = ctx->xin->stats ? ctx->xin->stats->n_packets : 1;
            unsigned long long n = atomic_fetch_add(
                &ctx->ofproto->n_controller, k) + k;
            VLOG_INFO_RL(&rl, "%s: packet to the controller (max_len %u), "
                         "but there is no controller: dropped (%llu so "
                         "far)", ctx->ofproto->name, max_len, n);
        }
        xlate_trace(ctx, "-> controller (max_len %u): no controller, "
                    "counted and dropped", max_len);
        ctx->xout->slow = true;
        return;
    case OFPP_IN_PORT:
        port_no = ctx->flow.in_port;
        break;
    default:
        if (port_no == ctx->flow.in_port) {
            xlate_trace(ctx, "-> output:%"PRIu32" is the input port: "
                        "skipped (use in_port)", port_no);
            return;
        }
        break;
    }
    port = ofproto_get_port(ctx->ofproto, port_no);
    if (port) {
        xlate_output_port(ctx, port);
    } else {
        xlate_trace(ctx, "-> output:%"PRIu32": no such port", port_no);
    }
}

/* Tables and resubmit. */

static void
xlate_table(struct xlate_ctx *ctx, uint8_t table_id)
{
    struct rule *rule = ofproto_rule_lookup(ctx->ofproto, table_id,
                                            &ctx->flow, ctx->wc);
    if (!rule) {
        xlate_trace(ctx, "table=%u: no match: drop", table_id);
        return;
    }
    struct rule_actions *acts = atomic_load(&rule->actions);
    if (ctx->xin->trace) {
        struct ds s = DS_EMPTY_INITIALIZER;
        struct match m = { rule->cr.flow, rule->cr.wc };
        match_format(&s, &m, NULL);
        ds_put_cstr(&s, " actions=");
        ofpacts_format(&s, acts->data, acts->len, NULL);
        xlate_trace(ctx, "table=%u, cookie=0x%"PRIx64", priority=%d%s%s",
                    table_id, rule->cookie, rule->cr.priority,
                    match_is_catchall(&m) ? "" : ",", ds_cstr(&s));
        ds_destroy(&s);
    }
    const struct xlate_stats *st = ctx->xin->stats;
    if (st) {
        ofproto_rule_add_stats(rule, st->n_packets, st->n_bytes, st->used);
    }
    int saved_table = ctx->table_id;
    ctx->table_id = table_id;
    do_actions(ctx, acts->data, acts->len);
    ctx->table_id = saved_table;
}

static void
xlate_resubmit(struct xlate_ctx *ctx, const struct ofpact_resubmit *r)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);
    uint8_t table = (r->table_id == OFPACT_TABLE_CURRENT
                     ? ctx->table_id : r->table_id);

    if (ctx->depth >= XLATE_MAX_DEPTH) {
        unsigned long long n = atomic_fetch_add(
            &ctx->ofproto->n_resubmit_loops, 1) + 1;
        VLOG_WARN_RL(&rl, "%s: resubmit deeper than %d: loop cut (%llu so "
                     "far)", ctx->ofproto->name, XLATE_MAX_DEPTH, n);
        xlate_trace(ctx, "resubmit deeper than %d: loop cut, packet "
                    "dropped", XLATE_MAX_DEPTH);
        ctx->stop = ctx->loop = true;
        return;
    }
    uint32_t saved_in_port = ctx->flow.in_port;
    if (r->in_port != OFPP_IN_PORT) {
        ctx->flow.in_port = r->in_port;
    }
    ctx->depth++;
    xlate_table(ctx, table);
    ctx->depth--;
    ctx->flow.in_port = saved_in_port;
}

/* Actions that change headers. */

static void
set_vlan_vid(struct xlate_ctx *ctx, uint16_t vid)
{
    ctx->wc->masks.vlans[0].tci |= htons(VLAN_CFI);
    if (ctx->n_want) {
        struct flow_vlan v[XLATE_MAX_TAGS];
        memcpy(v, ctx->want, sizeof v);
        v[0].tci = (v[0].tci & ~htons(VLAN_VID_MASK)) | htons(vid);
        xlate_set_vlans(ctx, v, ctx->n_want);
    } else {
        struct flow_vlan v = { htons(ETH_TYPE_VLAN_8021Q),
                               htons(VLAN_CFI | vid) };
        xlate_set_vlans(ctx, &v, 1);
    }
}

static void
set_vlan_pcp(struct xlate_ctx *ctx, uint8_t pcp)
{
    ctx->wc->masks.vlans[0].tci |= htons(VLAN_CFI);
    be16 bits = htons((uint16_t) pcp << VLAN_PCP_SHIFT);
    if (ctx->n_want) {
        struct flow_vlan v[XLATE_MAX_TAGS];
        memcpy(v, ctx->want, sizeof v);
        v[0].tci = (v[0].tci & ~htons(VLAN_PCP_MASK)) | bits;
        xlate_set_vlans(ctx, v, ctx->n_want);
    } else {
        struct flow_vlan v = { htons(ETH_TYPE_VLAN_8021Q),
                               htons(VLAN_CFI) | bits };
        xlate_set_vlans(ctx, &v, 1);
    }
}

static void
strip_vlan(struct xlate_ctx *ctx)
{
    ctx->wc->masks.vlans[0].tci |= htons(VLAN_CFI);
    if (ctx->n_want) {
        xlate_set_vlans(ctx, ctx->want + 1, ctx->n_want - 1);
    }
}

static void
push_vlan(struct xlate_ctx *ctx, be16 tpid)
{
    struct flow_vlan v[XLATE_MAX_TAGS + 1];

    WC_FIELD(ctx, vlans[0].tci);
    if (ctx->n_want >= XLATE_MAX_TAGS) {
        xlate_trace(ctx, "push_vlan: more than %d tags: skipped",
                    XLATE_MAX_TAGS);
        return;
    }
    v[0].tpid = tpid;
    v[0].tci = ctx->n_want ? ctx->want[0].tci : htons(VLAN_CFI);
    memcpy(v + 1, ctx->want, ctx->n_want * sizeof *v);
    xlate_set_vlans(ctx, v, ctx->n_want + 1);
}

static bool
need_ip(struct xlate_ctx *ctx, const char *what)
{
    WC_FIELD(ctx, dl_type);
    if (is_ipv4(ctx) || is_ipv6(ctx)) {
        return true;
    }
    xlate_trace(ctx, "%s: not an IP packet: skipped", what);
    return false;
}

static bool
need_ipv4(struct xlate_ctx *ctx, const char *what)
{
    WC_FIELD(ctx, dl_type);
    if (is_ipv4(ctx)) {
        return true;
    }
    xlate_trace(ctx, "%s: not an IPv4 packet: skipped", what);
    return false;
}

static bool
need_l4(struct xlate_ctx *ctx, const char *what)
{
    if (!need_ip(ctx, what)) {
        return false;
    }
    WC_FIELD(ctx, nw_proto);
    uint8_t p = ctx->flow.nw_proto;
    if (p == IP_PROTO_TCP || p == IP_PROTO_UDP || p == IP_PROTO_SCTP) {
        return true;
    }
    xlate_trace(ctx, "%s: not TCP, UDP or SCTP: skipped", what);
    return false;
}

static void
dec_ttl(struct xlate_ctx *ctx)
{
    if (!need_ip(ctx, "dec_ttl")) {
        return;
    }
    WC_FIELD(ctx, nw_ttl);
    if (ctx->flow.nw_ttl <= 1) {
        xlate_trace(ctx, "dec_ttl: TTL %u expires: packet dropped (no "
                    "controller)", ctx->flow.nw_ttl);
        ctx->stop = true;
        return;
    }
    ctx->flow.nw_ttl--;
    ctx->set_nw_ttl = 0xff;
}

static void
set_field(struct xlate_ctx *ctx, const struct ofpact_set_field *sf)
{
    const struct match_field *mf = match_field_from_id(sf->field);

    if (!mf) {
        return;
    }
    switch (mf->id) {
    case MFF_VLAN_TCI:
    case MFF_DL_VLAN:
    case MFF_DL_VLAN_PCP:
    case MFF_VLAN_VID:
    case MFF_VLAN_PCP:
        ctx->wc->masks.vlans[0].tci |= htons(VLAN_CFI);
        if (!ctx->n_want) {
            /* Only a value that says "tag present" (vlan_vid or
             * vlan_tci with VLAN_CFI) makes a tag. */
            struct flow_vlan v = { htons(ETH_TYPE_VLAN_8021Q), 0 };
            ctx->flow.vlans[0] = v;
            match_field_set_flow(mf, &sf->value, &sf->mask, &ctx->flow);
            v.tci = ctx->flow.vlans[0].tci;
            if (!(v.tci & htons(VLAN_CFI))) {
                memset(&ctx->flow.vlans[0], 0, sizeof ctx->flow.vlans[0]);
                xlate_trace(ctx, "set_field:%s: no VLAN tag: skipped",
                            mf->name);
                return;
            }
            xlate_set_vlans(ctx, &v, 1);
            return;
        }
        match_field_set_flow(mf, &sf->value, &sf->mask, &ctx->flow);
        ctx->flow.vlans[0].tci |= htons(VLAN_CFI);
        struct flow_vlan v[XLATE_MAX_TAGS];
        memcpy(v, ctx->want, sizeof v);
        v[0].tci = ctx->flow.vlans[0].tci;
        xlate_set_vlans(ctx, v, ctx->n_want);
        return;
    case MFF_IN_PORT:
    case MFF_METADATA:
        match_field_set_flow(mf, &sf->value, &sf->mask, &ctx->flow);
        return;
    case MFF_NW_SRC:
    case MFF_NW_DST:
        if (!need_ipv4(ctx, mf->name)) {
            return;
        }
        break;
    case MFF_NW_TOS:
    case MFF_IP_DSCP:
    case MFF_IP_ECN:
    case MFF_NW_TTL:
    case MFF_IPV6_SRC:
    case MFF_IPV6_DST:
        if (!need_ip(ctx, mf->name)) {
            return;
        }
        break;
    case MFF_TP_SRC:
    case MFF_TP_DST:
        if (!need_l4(ctx, mf->name)) {
            return;
        }
        break;
    case MFF_DL_SRC:
    case MFF_DL_DST:
        break;
    default:
        xlate_trace(ctx, "set_field:%s: the datapath cannot write it: "
                    "skipped", mf->name);
        return;
    }
    match_field_set_flow(mf, &sf->value, &sf->mask, &ctx->flow);

    /* Every byte that changed (or was written) becomes pending. */
    struct flow written;
    union match_value ones;
    memset(&ones, 0xff, sizeof ones);
    memset(&written, 0, sizeof written);
    match_field_set_flow(mf, &ones, &sf->mask, &written);
    const uint8_t *w = (const uint8_t *) &written;
    uint8_t *pend_base;
#define PEND(FIELD, PENDING)                                            \
    do {                                                                \
        size_t ofs = offsetof(struct flow, FIELD);                      \
        pend_base = (uint8_t *) &(PENDING);                             \
        for (size_t i = 0; i < sizeof ctx->flow.FIELD; i++) {           \
            pend_base[i] |= w[ofs + i];                                 \
        }                                                               \
    } while (0)
    PEND(dl_src, ctx->set_dl_src);
    PEND(dl_dst, ctx->set_dl_dst);
    PEND(nw_src, ctx->set_nw_src);
    PEND(nw_dst, ctx->set_nw_dst);
    PEND(ipv6_src, ctx->set_ipv6_src);
    PEND(ipv6_dst, ctx->set_ipv6_dst);
    PEND(nw_tos, ctx->set_nw_tos);
    PEND(nw_ttl, ctx->set_nw_ttl);
    PEND(tp_src, ctx->set_tp_src);
    PEND(tp_dst, ctx->set_tp_dst);
#undef PEND
}

/* The action set, run at the end of the pipeline: header changes first,
 * then the output (OpenFlow 1.3's order, simplified). */
static void
write_actions(struct xlate_ctx *ctx, const struct ofpact *nest)
{
    ofpacts_clear(&ctx->action_set);
    OFPACT_FOR_EACH (a, ofpact_nest_actions(nest), ofpact_nest_len(nest)) {
        void *copy = ofpact_put(&ctx->action_set, a->type, a->len);
        memcpy(copy, a, a->len);
    }
}

static void
run_action_set(struct xlate_ctx *ctx)
{
    struct ofpacts set = ctx->action_set;
    memset(&ctx->action_set, 0, sizeof ctx->action_set);
    if (!set.size) {
        ofpacts_uninit(&set);
        return;
    }
    xlate_trace(ctx, "action set:");
    OFPACT_FOR_EACH (a, set.data, set.size) {
        if (a->type != OFPACT_OUTPUT) {
            do_actions(ctx, a, a->len);
        }
    }
    OFPACT_FOR_EACH (a, set.data, set.size) {
        if (a->type == OFPACT_OUTPUT && !ctx->stop) {
            do_actions(ctx, a, a->len);
        }
    }
    ofpacts_uninit(&set);
}

static void
do_action(struct xlate_ctx *ctx, const struct ofpact *a)
{
    switch ((enum ofpact_type) a->type) {
    case OFPACT_OUTPUT:
        xlate_output(ctx, ofpact_get_output(a)->port,
                     ofpact_get_output(a)->max_len);
        break;
    case OFPACT_SET_VLAN_VID:
        set_vlan_vid(ctx, ofpact_get_vlan_vid(a)->vid);
        break;
    case OFPACT_SET_VLAN_PCP:
        set_vlan_pcp(ctx, ofpact_get_vlan_pcp(a)->pcp);
        break;
    case OFPACT_STRIP_VLAN:
        strip_vlan(ctx);
        break;
    case OFPACT_PUSH_VLAN:
        push_vlan(ctx, ofpact_get_push_vlan(a)->tpid);
        break;
    case OFPACT_SET_FIELD:
        set_field(ctx, ofpact_get_set_field(a));
        break;
    case OFPACT_SET_ETH_SRC:
        ctx->flow.dl_src = ofpact_get_mac(a)->mac;
        memset(&ctx->set_dl_src, 0xff, sizeof ctx->set_dl_src);
        break;
    case OFPACT_SET_ETH_DST:
        ctx->flow.dl_dst = ofpact_get_mac(a)->mac;
        memset(&ctx->set_dl_dst, 0xff, sizeof ctx->set_dl_dst);
        break;
    case OFPACT_SET_IPV4_SRC:
        if (need_ipv4(ctx, "mod_nw_src")) {
            ctx->flow.nw_src = ofpact_get_ipv4(a)->ipv4;
            ctx->set_nw_src = UINT32_MAX;
        }
        break;
    case OFPACT_SET_IPV4_DST:
        if (need_ipv4(ctx, "mod_nw_dst")) {
            ctx->flow.nw_dst = ofpact_get_ipv4(a)->ipv4;
            ctx->set_nw_dst = UINT32_MAX;
        }
        break;
    case OFPACT_SET_IP_DSCP:
        if (need_ip(ctx, "mod_nw_tos")) {
            ctx->flow.nw_tos = (ctx->flow.nw_tos & 0x03)
                               | (ofpact_get_dscp(a)->dscp & 0xfc);
            ctx->set_nw_tos |= 0xfc;
        }
        break;
    case OFPACT_SET_L4_SRC_PORT:
        if (need_l4(ctx, "mod_tp_src")) {
            ctx->flow.tp_src = ofpact_get_l4_port(a)->port;
            ctx->set_tp_src = UINT16_MAX;
        }
        break;
    case OFPACT_SET_L4_DST_PORT:
        if (need_l4(ctx, "mod_tp_dst")) {
            ctx->flow.tp_dst = ofpact_get_l4_port(a)->port;
            ctx->set_tp_dst = UINT16_MAX;
        }
        break;
    case OFPACT_DEC_TTL:
        dec_ttl(ctx);
        break;
    case OFPACT_RESUBMIT:
        xlate_resubmit(ctx, ofpact_get_resubmit(a));
        break;
    case OFPACT_SET_QUEUE:
        xlate_trace(ctx, "set_queue:%"PRIu32": recorded only (no queues "
                    "in the datapath yet)", ofpact_get_queue(a)->queue_id);
        break;
    case OFPACT_NOTE:
        break;
    case OFPACT_CLEAR_ACTIONS:
        ofpacts_clear(&ctx->action_set);
        break;
    case OFPACT_WRITE_ACTIONS:
        write_actions(ctx, a);
        break;
    case OFPACT_WRITE_METADATA: {
        const struct ofpact_metadata *md = ofpact_get_metadata(a);
        ctx->flow.metadata = (ctx->flow.metadata & ~md->mask) | md->metadata;
        break;
    }
    case OFPACT_GOTO_TABLE:
        xlate_table(ctx, ofpact_get_goto_table(a)->table_id);
        break;
    default:
        break;
    }
}

static void
do_actions(struct xlate_ctx *ctx, const void *ofpacts, size_t len)
{
    OFPACT_FOR_EACH (a, ofpacts, len) {
        if (ctx->stop) {
            break;
        }
        do_action(ctx, a);
    }
}

int
xlate_packet(const struct xlate_in *xin, struct xlate_out *xout)
{
    struct xlate_ctx ctx;

    memset(&ctx, 0, sizeof ctx);
    ctx.xin = xin;
    ctx.xout = xout;
    ctx.ofproto = xin->ofproto;
    ctx.wc = &xout->wc;
    ctx.flow = xin->flow;
    for (int i = 0; i < FLOW_MAX_VLANS; i++) {
        if (!(xin->flow.vlans[i].tci & htons(VLAN_CFI))) {
            break;
        }
        ctx.have[ctx.n_have++] = xin->flow.vlans[i];
    }
    memcpy(ctx.want, ctx.have, sizeof ctx.want);
    ctx.n_want = ctx.n_have;
    ctx.wc->masks.in_port = UINT32_MAX;

    xlate_table(&ctx, 0);
    if (!ctx.stop) {
        run_action_set(&ctx);
    }
    ofpacts_uninit(&ctx.action_set);
    if (ctx.loop) {
        /* A cut resubmit loop drops the packet altogether. */
        dp_actions_clear(&xout->actions);
    }
    return 0;
}
