/*
 * dpif: the datapath's public interface.
 *
 * A datapath is a set of ports (dp-port.h) numbered 1 to DPIF_MAX_PORTS - 1,
 * polled by PMD threads, with one slow path registered through
 * dpif_set_upcall_ops() (the contract is in dp-upcall.h).  The slow path
 * (ofproto) and the test daemon use only this header.
 *
 *     dp_dpdk_init(...);                 EAL first (dp-dpdk.h)
 *     dpif_create("dp0", &dp);
 *     dpif_set_upcall_ops(dp, &ops, aux);
 *     dpif_set_pmd_mask(dp, "0x2");      optional: default is one PMD on
 *                                        the highest core
 *     dpif_port_add(dp, "vm1", "dpdkvhostuser", &options, &port_no, &err);
 *     ...
 *     dpif_destroy(dp);
 *
 * Threads.  Every function here is for one control thread (the caller's
 * main loop), not thread-safe among themselves.  The datapath runs its own
 * PMD threads and one revalidator thread; the upcall ops are called from
 * those.  Ports may be added and removed while traffic flows: a removed
 * port's queues are taken from the PMDs and the call waits for every PMD to
 * pass a quiescent state (at most one loop iteration) before closing it.
 *
 * Deadlock rule: dpif_port_add(), dpif_port_del(), dpif_set_upcall_ops(),
 * dpif_set_pmd_mask() and dpif_destroy() wait for the PMD threads and the
 * revalidator (a grace period, or a join), and those may be inside an
 * upcall or revalidate() callback.  Never call them while holding a lock
 * that those callbacks take.
 *
 * Errors: functions return 0 or a positive errno value; those that take
 * ERRORP also set it (unless it is NULL) to a message naming the bad value
 * (the caller frees it), or NULL on success.
 */
#ifndef SKIFF_DPIF_H
#define SKIFF_DPIF_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dp-flow.h"
#include "dp-port.h"
#include "dp-upcall.h"
#include "flow.h"
#include "packets.h"

struct dpif;
struct ds;

#define DPIF_MAX_PORTS 256          /* Port numbers 1 to 255. */
#define DPIF_MAX_PMDS 64

int dpif_create(const char *name, struct dpif **dpifp);
/* Stops the threads, closes every port, frees the flows.  NULL is
 * ignored. */
void dpif_destroy(struct dpif *);
const char *dpif_name(const struct dpif *);

/* Registers the slow path.  Until then every miss is dropped (and counted
 * as a failed upcall).  Call before traffic, or expect a few misses to see
 * the old ops. */
void dpif_set_upcall_ops(struct dpif *, const struct dp_upcall_ops *,
                         void *aux);

/* PMD threads: MASK is a CPU mask in hex ("0x6", "6") or NULL for the
 * default (the highest core the process may run on).  Changing the mask
 * restarts the PMD threads: their caches and megaflows start empty.  The
 * mask in use already changes nothing. */
int dpif_set_pmd_mask(struct dpif *, const char *mask, char **errorp);

/* Tunables (take effect within a PMD loop iteration or a revalidator
 * pass). */
struct dpif_tunables {
    unsigned int max_sleep_us;  /* Idle backoff's longest sleep; 0: never
                                 * sleep (pure busy polling).  Default
                                 * 2000: an idle PMD then costs about 1%
                                 * of its core. */
    unsigned int upcall_rate;   /* Upcalls per second per PMD; 0: no
                                 * limit.  Default 20000. */
    unsigned int upcall_burst;  /* Token bucket depth.  Default 1000. */
    unsigned int flow_limit;    /* Megaflows per PMD.  Default 100000. */
    unsigned int max_idle_ms;   /* Megaflows idle this long expire.
                                 * Default 10000. */
    unsigned int emc_inv_prob;  /* EMC insert probability 1/N; 0: off.
                                 * Default 100. */
};
void dpif_get_tunables(const struct dpif *, struct dpif_tunables *);
int dpif_set_tunables(struct dpif *, const struct dpif_tunables *);

/* Ports.  TYPE is one of dp-port.h's type names.  *PORT_NOP: the new
 * port's number. */
int dpif_port_add(struct dpif *, const char *name, const char *type,
                  const struct dp_port_options *, uint32_t *port_nop,
                  char **errorp);
/* Like dpif_port_add(), but nothing polls the new port until
 * dpif_port_start(), so that the slow path can learn the port's number
 * before its first packet arrives (a packet from a port no bridge knows is
 * dropped).  The port can send meanwhile. */
int dpif_port_add_stopped(struct dpif *, const char *name, const char *type,
                          const struct dp_port_options *,
                          uint32_t *port_nop, char **errorp);
/* Starts polling a port added with dpif_port_add_stopped() (no-op for one
 * already polled).  Returns 0 or ENOENT. */
int dpif_port_start(struct dpif *, uint32_t port_no);
int dpif_port_del(struct dpif *, uint32_t port_no);
/* Returns the port number of NAME, or 0. */
uint32_t dpif_port_by_name(const struct dpif *, const char *name);

struct dpif_port_info {
    uint32_t port_no;
    const char *name;           /* Valid until the port is removed. */
    enum dp_port_type type;
    bool link_up;
    unsigned int link_seq;      /* Changes on every link event. */
    struct eth_addr mac;        /* All zero if unknown. */
    uint32_t mtu;               /* 0 if unknown. */
    const char *driver;         /* DPDK driver name ("net_vhost"). */
    struct dp_port_counters counters;
};
int dpif_port_query(const struct dpif *, uint32_t port_no,
                    struct dpif_port_info *);

/* Megaflows. */
struct dpif_flow {
    struct flow key;
    struct flow_wildcards mask;
    struct dp_flow_stats stats;
    unsigned int pmd_id;
    const void *actions;        /* Valid during the callback only. */
    size_t actions_size;
};
/* Calls CB for every installed megaflow of every PMD. */
void dpif_flow_dump(struct dpif *,
                    void (*cb)(const struct dpif_flow *, void *aux),
                    void *aux);
/* Removes every megaflow; returns how many. */
size_t dpif_flow_flush(struct dpif *);
size_t dpif_flow_count(const struct dpif *);

/* Meters for DP_ACTION_POLICE (dp-meter.h): ids 0 to DPIF_MAX_METERS - 1,
 * shared by every PMD.  A police action naming an unused id passes every
 * packet. */
#define DPIF_MAX_METERS 1024
struct dp_meter_config;
struct dp_meter_stats;
int dpif_meter_set(struct dpif *, uint32_t id,
                   const struct dp_meter_config *);
int dpif_meter_del(struct dpif *, uint32_t id);
int dpif_meter_get(struct dpif *, uint32_t id, struct dp_meter_config *,
                   struct dp_meter_stats *);

/* Registers the datapath's skiff-appctl commands (dpif/show, dpctl/...,
 * dpif-netdev/...) for DPIF, the process's one datapath (dp-appctl.c). */
void dpif_appctl_register(struct dpif *);

#endif /* dpif.h */
