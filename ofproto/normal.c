/* normal: the NORMAL action, an 802.1Q learning switch. */
#include <config.h>

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mac-learning.h"
#include "vlan.h"
#include "xlate-private.h"

/* The packet as NORMAL sees it after its input port's VLAN rules. */
struct normal_in {
    uint16_t vlan;              /* The VLAN it is in. */
    be16 tpid;                  /* TPID for tags added on output. */
    uint16_t pcp;               /* PCP bits (in tci position). */
    struct flow_vlan inner[XLATE_MAX_TAGS];     /* Tags kept as payload. */
    int n_inner;
};

static bool
normal_input(struct xlate_ctx *ctx, const struct ofport *in,
             struct normal_in *n)
{
    bool has_tag = ctx->n_want > 0;
    uint16_t vid = has_tag ? ntohs(ctx->want[0].tci) & VLAN_VID_MASK : 0;
    enum vlan_mode mode = vlan_port_mode(&in->vlan);

    if (!vlan_port_input(&in->vlan, has_tag, vid, &n->vlan)) {
        xlate_trace(ctx, "NORMAL: %s (%s) drops a packet %s%u", in->name,
                    vlan_mode_to_string(mode),
                    has_tag ? "tagged with VLAN " : "untagged, VLAN ",
                    vid);
        return false;
    }
    n->pcp = has_tag ? ntohs(ctx->want[0].tci) & VLAN_PCP_MASK : 0;
    n->tpid = htons(ETH_TYPE_VLAN_8021Q);
    int keep_from = has_tag ? 1 : 0;
    if (mode == VLAN_MODE_DOT1Q_TUNNEL) {
        /* The customer's tags all stay; a service tag goes outside. */
        keep_from = 0;
        n->tpid = htons(ETH_TYPE_VLAN_8021AD);
        n->pcp = 0;
    } else if (has_tag && mode != VLAN_MODE_ACCESS) {
        n->tpid = ctx->want[0].tpid;
    }
    n->n_inner = ctx->n_want - keep_from;
    memcpy(n->inner, ctx->want + keep_from, n->n_inner * sizeof *n->inner);
    return true;
}

static void
normal_output(struct xlate_ctx *ctx, const struct normal_in *n,
              const struct ofport *out)
{
    struct flow_vlan want[XLATE_MAX_TAGS + 1], saved[XLATE_MAX_TAGS];
    int n_saved = ctx->n_want;
    int n_want = 0;

    uint16_t vid = vlan_port_output_vid(&out->vlan, n->vlan);
    if (vid) {
        want[0].tpid = n->tpid;
        want[0].tci = htons(VLAN_CFI | n->pcp | vid);
        n_want = 1;
    }
    if (n_want + n->n_inner > XLATE_MAX_TAGS) {
        xlate_trace(ctx, "NORMAL: more than %d tags for %s: skipped",
                    XLATE_MAX_TAGS, out->name);
        return;
    }
    memcpy(want + n_want, n->inner, n->n_inner * sizeof *want);
    n_want += n->n_inner;

    memcpy(saved, ctx->want, sizeof saved);
    xlate_set_vlans(ctx, want, n_want);
    xlate_output_port(ctx, out);
    xlate_set_vlans(ctx, saved, n_saved);
}

static void
normal_flood(struct xlate_ctx *ctx, const struct normal_in *n,
             const struct ofport *in)
{
    size_t n_ports;
    struct ofport **ports = xlate_sorted_ports(ctx->ofproto, &n_ports);

    xlate_trace(ctx, "NORMAL: flood in VLAN %u", n->vlan);
    ctx->depth++;
    for (size_t i = 0; i < n_ports; i++) {
        if (ports[i] != in && vlan_port_includes(&ports[i]->vlan, n->vlan)) {
            normal_output(ctx, n, ports[i]);
        }
    }
    ctx->depth--;
    free(ports);
}

static void
format_mac(char buf[18], struct eth_addr a)
{
    snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x",
             a.ea[0], a.ea[1], a.ea[2], a.ea[3], a.ea[4], a.ea[5]);
}

void
xlate_normal(struct xlate_ctx *ctx)
{
    const struct ofport *in = ofproto_get_port(ctx->ofproto,
                                               ctx->flow.in_port);
    struct normal_in n;
    char mac[18];

    if (!in) {
        xlate_trace(ctx, "NORMAL: input port %"PRIu32" is not on the "
                    "bridge: drop", ctx->flow.in_port);
        return;
    }
    memset(&ctx->wc->masks.dl_dst, 0xff, sizeof ctx->wc->masks.dl_dst);
    if (eth_addr_is_reserved(ctx->flow.dl_dst)) {
        format_mac(mac, ctx->flow.dl_dst);
        xlate_trace(ctx, "NORMAL: %s is a reserved multicast address: not "
                    "forwarded", mac);
        return;
    }
    xlate_wc_vlans(ctx);
    if (!normal_input(ctx, in, &n)) {
        return;
    }

    /* Learn the source. */
    memset(&ctx->wc->masks.dl_src, 0xff, sizeof ctx->wc->masks.dl_src);
    struct mac_learning *ml = ctx->ofproto->ml;
    long long now = ofproto_time_msec();
    if (ctx->xin->may_learn && !eth_addr_is_multicast(ctx->flow.dl_src)) {
        long long seen = ctx->xin->stats ? ctx->xin->stats->used : now;
        enum mac_learning_change c = mac_learning_learn(
            ml, n.vlan, ctx->flow.dl_src, in->ofp_port, seen);
        if (c != MAC_LEARNING_REFRESHED) {
            ctx->xout->learned = true;
            format_mac(mac, ctx->flow.dl_src);
            xlate_trace(ctx, "NORMAL: learned %s on port %s in VLAN %u%s",
                        mac, in->name, n.vlan,
                        c == MAC_LEARNING_MOVED ? " (moved)" : "");
        }
    }

    /* Forward. */
    uint32_t out_no;
    if (eth_addr_is_multicast(ctx->flow.dl_dst)
        || !mac_learning_lookup(ml, n.vlan, ctx->flow.dl_dst, now,
                                &out_no)) {
        normal_flood(ctx, &n, in);
        return;
    }
    const struct ofport *out = ofproto_get_port(ctx->ofproto, out_no);
    format_mac(mac, ctx->flow.dl_dst);
    if (!out || out == in) {
        xlate_trace(ctx, "NORMAL: %s was learned on the input port: drop",
                    mac);
        return;
    }
    if (!vlan_port_includes(&out->vlan, n.vlan)) {
        normal_flood(ctx, &n, in);
        return;
    }
    xlate_trace(ctx, "NORMAL: %s is on port %s in VLAN %u", mac, out->name,
                n.vlan);
    normal_output(ctx, &n, out);
}
