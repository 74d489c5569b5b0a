/*
 * dp-execute: runs a datapath action list (dp-actions.h) on a batch of
 * packets.
 *
 * The PMD groups the packets of a burst that hit the same megaflow and
 * calls dp_execute() once per group.  Each action is applied to the whole
 * batch before the next one, as the action list says; the executor owns the
 * packets from the call on and every packet ends exactly once: handed to an
 * output callback, or freed (and counted as a drop, by reason, as below).
 *
 * Actions:
 *   OUTPUT     The batch goes to ops->output() for that port.  When OUTPUT
 *              is the last record of its list the packets themselves go;
 *              otherwise deep copies (rte_pktmbuf_copy() from ctx->pool)
 *              go, so nothing the executor does later (VLAN push / pop, set
 *              fields) can change a packet that an output already holds.
 *   PUSH_VLAN, POP_VLAN, SET_VLAN
 *              802.1Q and 802.1ad, in place (headroom for a push).  POP and
 *              SET without a tag are no-ops.
 *              As in flow keys, VLAN_CFI in an action's tci means "tag
 *              present" and is never written: a pushed tag has DEI 0, and
 *              SET_VLAN leaves the packet's DEI bit alone.
 *   SET_ETH, SET_IPV4, SET_IPV6, SET_L4
 *              Masked rewrites with incremental checksum updates
 *              (lib/csum.h: the IPv4 header; TCP and UDP over IPv4 and
 *              IPv6, with UDP checksum 0 kept as "none" over IPv4; ICMPv6;
 *              SCTP's CRC32c is recomputed).  The
 *              executor finds the headers itself (Ethernet, up to two VLAN
 *              tags, IPv4 options, IPv6 extension headers); a packet
 *              without the layer, or too short for it, is left unchanged.
 *              Transport fields of non-first fragments are left alone.
 *   TRUNCATE   The next OUTPUT of the same list sends at most arg bytes.
 *   POLICE     dp_meter_police() with ctx->meters at ctx->now_tsc; red
 *              packets are dropped (DP_DROP_METER).  No meter table:
 *              every packet passes.
 *   USERSPACE  ops->userspace() sees each packet (it must copy what it
 *              keeps); the packets continue with the next action.
 *   CLONE      The nested list runs on deep copies; the originals continue
 *              unchanged.
 * At the end of the list, the packets that are left are freed; they count
 * as DP_DROP_NO_OUTPUT if the top-level list has no OUTPUT, USERSPACE or
 * CLONE at all (an explicit drop), else silently (they were sent).
 *
 * Rewrites happen in place.  A packet the executor may not change (an
 * indirect mbuf, one whose reference count is above 1, or one without
 * headroom for a VLAN push) is first replaced by a deep copy; if no mbuf
 * is left for it, it is dropped with DP_DROP_NOMEM.
 *
 * Lists must have passed dp_actions_validate().  Packets may be chained
 * mbufs: headers that a rewrite needs are made contiguous first
 * (rte_pktmbuf_linearize()); if that fails, the rewrite is skipped.
 *
 * Threads: a context belongs to one PMD thread; no locks except the
 * meters' (once per POLICE per batch); no allocation except mbuf copies.
 */
#ifndef SKIFF_DP_EXECUTE_H
#define SKIFF_DP_EXECUTE_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dp_meter_table;
struct rte_mbuf;
struct rte_mempool;

/* Most packets per dp_execute() call. */
#define DP_EXECUTE_MAX_BURST 32

enum dp_drop_reason {
    DP_DROP_NO_OUTPUT,          /* The actions send it nowhere. */
    DP_DROP_METER,              /* POLICE: red. */
    DP_DROP_NOMEM,              /* A copy or VLAN push found no mbuf. */
    DP_DROP_N_REASONS
};

const char *dp_drop_reason_name(enum dp_drop_reason);

struct dp_execute_ops {
    /* Takes the N (>= 1) packets of PKTS for PORT's transmit batch: the
     * callback owns them from now on (it transmits or frees them). */
    void (*output)(void *aux, uint32_t port, struct rte_mbuf **pkts,
                   size_t n);

    /* Sees PKT for a USERSPACE action with COOKIE.  The executor keeps the
     * packet.  May be NULL: the action does nothing. */
    void (*userspace)(void *aux, const struct rte_mbuf *pkt,
                      uint64_t cookie);
};

struct dp_execute_ctx {
    const struct dp_execute_ops *ops;
    void *aux;
    struct rte_mempool *pool;       /* For copies. */
    struct dp_meter_table *meters;  /* May be NULL. */
    uint64_t now_tsc;               /* POLICE's clock: set per burst. */

    /* Counters, added to by dp_execute(); the owner reads and clears. */
    uint64_t drops[DP_DROP_N_REASONS];
    uint64_t n_copies;              /* Packets copied. */
};

void dp_execute_ctx_init(struct dp_execute_ctx *,
                         const struct dp_execute_ops *, void *aux,
                         struct rte_mempool *pool,
                         struct dp_meter_table *meters);

/* Runs the SIZE bytes of ACTIONS on the N packets of PKTS, which the
 * executor takes over (more than DP_EXECUTE_MAX_BURST run in chunks of that
 * many; the PKTS array itself is used as scratch space). */
void dp_execute(struct dp_execute_ctx *, struct rte_mbuf **pkts, size_t n,
                const void *actions, size_t size);

#endif /* dp-execute.h */
