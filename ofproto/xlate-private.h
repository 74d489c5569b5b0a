/*
 * xlate-private: the translation context, shared by xlate.c (OpenFlow
 * tables and actions) and normal.c (the NORMAL action).
 */
#ifndef SKIFF_XLATE_PRIVATE_H
#define SKIFF_XLATE_PRIVATE_H 1

#include "ofproto-private.h"
#include "xlate.h"

/* Tags the packet carries (have) and should carry (want), outermost first.
 * Tags past the second are not in struct flow but can be pushed; a push
 * past XLATE_MAX_TAGS is refused (and traced). */
#define XLATE_MAX_TAGS 8

struct xlate_ctx {
    const struct xlate_in *xin;
    struct xlate_out *xout;
    struct ofproto *ofproto;
    struct flow_wildcards *wc;

    struct flow flow;           /* With the changes made so far. */
    struct flow_vlan want[XLATE_MAX_TAGS];
    int n_want;
    struct flow_vlan have[XLATE_MAX_TAGS];
    int n_have;

    /* Field changes not yet written to the datapath (masks). */
    struct eth_addr set_dl_src, set_dl_dst;
    be32 set_nw_src, set_nw_dst;
    struct in6_addr set_ipv6_src, set_ipv6_dst;
    uint8_t set_nw_tos, set_nw_ttl;
    be16 set_tp_src, set_tp_dst;

    int depth;                  /* Resubmit depth. */
    int table_id;               /* Table of the rule being run. */
    bool stop;                  /* No more actions (dec_ttl expired, a
                                 * loop). */
    bool loop;                  /* A resubmit loop: drop everything. */
    struct ofpacts action_set;  /* write_actions. */
};

/* Appends a trace line at the context's depth (no-op without a trace). */
void xlate_trace(struct xlate_ctx *, const char *format, ...)
    PRINTF_FORMAT(2, 3);

/* Sets the tags the packet should carry to WANT[0..N) (N at most
 * XLATE_MAX_TAGS) and keeps the flow's VLAN fields in step. */
void xlate_set_vlans(struct xlate_ctx *, const struct flow_vlan *want,
                     int n);
/* Un-wildcards every VLAN bit of the flow. */
void xlate_wc_vlans(struct xlate_ctx *);
/* Writes pending changes and sends the packet to PORT. */
void xlate_output_port(struct xlate_ctx *, const struct ofport *);

/* The NORMAL action (normal.c). */
void xlate_normal(struct xlate_ctx *);

/* The bridge's ports sorted by number, for deterministic flooding; free
 * the array. */
struct ofport **xlate_sorted_ports(const struct ofproto *, size_t *n);

#endif /* xlate-private.h */
