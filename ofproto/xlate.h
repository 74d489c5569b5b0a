/*
 * xlate: translation of a packet's way through a bridge's OpenFlow tables
 * into a datapath action list and a megaflow mask.
 *
 * Starting at table 0 with the packet's flow (in_port is the OpenFlow port
 * number), xlate_packet() looks the flow up, runs the rule's actions and
 * instructions (goto_table, write/clear actions, write_metadata), follows
 * resubmits (at most XLATE_MAX_DEPTH deep: deeper ones are cut and
 * logged), runs NORMAL (normal.c), and at the end of the pipeline the
 * action set.  Header changes are kept in a copy of the flow, so later
 * lookups see them, and are written out as datapath set / push / pop
 * actions just before each output ("commit"), so the datapath applies
 * each change once.
 *
 * The mask in XOUT has a bit set for every key bit the result depended on
 * (classifier un-wildcarding, plus the fields the actions and NORMAL read),
 * in_port always included.  Ports in the mask and the flow are OpenFlow
 * port numbers; ofproto-upcall.c maps them to the datapath's.
 *
 * Call with ofproto_rwlock held for reading, inside an RCU read-side
 * section.  XOUT must be initialized with xlate_out_init().
 */
#ifndef SKIFF_XLATE_H
#define SKIFF_XLATE_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dp-actions.h"
#include "flow.h"

struct ds;
struct ofproto;

#define XLATE_MAX_DEPTH 64

/* Packets to credit to every rule the translation hits (n_packets,
 * n_bytes; last use raised to USED) and to the ports it outputs to. */
struct xlate_stats {
    uint64_t n_packets;
    uint64_t n_bytes;
    long long int used;         /* ofproto_time_msec() clock. */
};

struct xlate_in {
    struct ofproto *ofproto;
    struct flow flow;           /* in_port: OpenFlow port number. */
    const struct xlate_stats *stats;    /* Nonnull: count these packets
                                         * (an upcall, or a megaflow's
                                         * pushed stats). */
    bool may_learn;             /* NORMAL may learn MACs (not in a
                                 * trace or revalidation): the source was
                                 * seen at STATS->used if STATS, else
                                 * now. */
    struct ds *trace;           /* Nonnull: append a readable trace. */
};

struct xlate_out {
    struct dp_actions actions;
    struct flow_wildcards wc;
    bool learned;               /* The MAC table changed (bump the
                                 * version). */
    bool slow;                  /* Not to be installed as a megaflow
                                 * (e.g. the packet went to the
                                 * controller). */
};

void xlate_out_init(struct xlate_out *);
void xlate_out_uninit(struct xlate_out *);

/* Translates XIN into XOUT.  Returns 0 (a packet that is dropped is still
 * a success: XOUT's actions are then empty). */
int xlate_packet(const struct xlate_in *, struct xlate_out *);

#endif /* xlate.h */
