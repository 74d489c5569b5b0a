/*
 * dp-upcall: the contract between the fast path and the slow path.
 *
 * The datapath knows nothing about bridges, OpenFlow or MAC learning.  When
 * a packet misses both of a PMD thread's caches, the datapath asks the slow
 * path what to do with it through the functions the slow path registered
 * (dpif_set_upcall_ops() in dpif.h): one set per datapath, for all bridges;
 * port numbers are the datapath's own, unique across bridges, and the slow
 * path finds the bridge from flow->in_port.
 *
 * Miss (DP_UPCALL_MISS):
 *   The datapath passes the packet and its key (in_port set, metadata 0).
 *   The slow path fills RESULT: the datapath actions (dp-actions.h) and the
 *   mask of every key bit its decision depended on.  The datapath then
 *   installs the megaflow (key & mask, mask, actions) in the PMD's
 *   classifier unless RESULT->install is false, and runs the actions on the
 *   packet.  The mask must include in_port, and a mask too narrow is a bug
 *   in the slow path: packets that differ only in wildcarded bits get the
 *   same actions.
 *
 * Action (DP_UPCALL_ACTION):
 *   A DP_ACTION_USERSPACE action ran: the slow path receives a copy of the
 *   packet with the action's cookie (LACP and other control frames).
 *   RESULT is NULL; nothing is installed.
 *
 * Revalidation (revalidate()):
 *   The revalidator thread asks, for each installed megaflow, whether its
 *   actions still hold after the slow path's version changed: the slow path
 *   translates KEY (the megaflow's key, no packet) and returns the new
 *   actions and mask; the datapath keeps the megaflow if the mask is the
 *   same and updates its actions, or deletes it otherwise.
 *
 * Stats (push_stats()):
 *   The packets a megaflow forwards never reach the slow path, so the
 *   revalidator hands their counts back: on each pass, for each megaflow
 *   whose packet count grew since the last push, it calls push_stats()
 *   with the megaflow's key (masked, in_port in the datapath's numbering,
 *   no packet) and the difference (struct dp_flow_stats_delta).  A
 *   megaflow the revalidator removes (idle, evicted, changed mask) gets a
 *   last push of what was left; one removed by someone else (dpctl, a port
 *   going away) loses at most one pass's worth.  The packet that caused an
 *   upcall is not in any delta: upcall() counted it already.  The slow
 *   path credits whatever the key translates to now (rules, ports, MAC
 *   ages) and installs nothing.
 *
 * Threads: upcall() runs in PMD threads, several at once; revalidate() and
 * push_stats() run in the revalidator thread, one call at a time.  The
 * slow path does its own locking.  None may call back into the datapath's
 * flow functions.  The datapath holds no lock of its own while calling
 * them.
 *
 * Errors: upcall() and revalidate() return 0, or a positive errno value
 * (the packet is dropped and counted; no megaflow is installed).
 */
#ifndef SKIFF_DP_UPCALL_H
#define SKIFF_DP_UPCALL_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dp-actions.h"
#include "flow.h"

enum dp_upcall_type {
    DP_UPCALL_MISS,             /* No megaflow matched. */
    DP_UPCALL_ACTION,           /* DP_ACTION_USERSPACE ran. */
};

struct dp_upcall {
    enum dp_upcall_type type;
    const void *packet;         /* The packet's bytes (contiguous). */
    size_t size;
    const struct flow *key;     /* Parsed from the packet; in_port set. */
    uint64_t cookie;            /* DP_UPCALL_ACTION: the action's cookie. */
    unsigned int pmd_id;        /* Which PMD thread asks (for stats). */
};

struct dp_upcall_result {
    struct dp_actions actions;  /* Initialized empty by the datapath. */
    struct flow_wildcards mask; /* Initialized catch-all by the datapath;
                                 * the slow path sets what it consulted. */
    bool install;               /* Initialized true. */
};

/* What a megaflow did since its last push (see above). */
struct dp_flow_stats_delta {
    uint64_t packets;           /* New packets (at least 1). */
    uint64_t bytes;             /* Their bytes. */
    long long int used;         /* time_msec() of the megaflow's last
                                 * packet. */
    uint16_t tcp_flags;         /* OR of the TCP flags the megaflow has
                                 * seen in its life, host order. */
};

struct dp_upcall_ops {
    int (*upcall)(void *aux, const struct dp_upcall *,
                  struct dp_upcall_result *);

    /* May be NULL: then a version change flushes every megaflow. */
    int (*revalidate)(void *aux, const struct flow *key,
                      struct dp_upcall_result *);

    /* May be NULL: then forwarded packets are counted only in the
     * datapath. */
    void (*push_stats)(void *aux, const struct flow *key,
                       const struct dp_flow_stats_delta *);

    /* The slow path's configuration version.  Megaflows installed under an
     * older version are revalidated.  Called often; must be cheap (an
     * atomic load). */
    uint64_t (*version)(void *aux);
};

#endif /* dp-upcall.h */
