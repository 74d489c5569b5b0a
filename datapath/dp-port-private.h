/*
 * dp-port-private: a port as the datapath's threads use it (see dp-port.h
 * for the port types and their options).  Includes DPDK headers: only
 * datapath/ files include this.
 *
 * Threads: open/close/query from the control thread; rx/tx bursts from PMD
 * threads.  A port must not be closed while a PMD may still poll it or
 * send to it: the datapath (dpif.c) unpublishes it and waits for an RCU
 * grace period first.
 */
#ifndef SKIFF_DP_PORT_PRIVATE_H
#define SKIFF_DP_PORT_PRIVATE_H 1

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <rte_spinlock.h>

#include "dp-port.h"
#include "packets.h"

struct ds;
struct rte_mbuf;
struct rte_mempool;

struct dp_port {
    char *name;
    enum dp_port_type type;
    uint32_t port_no;           /* Datapath port number (dpif.c sets). */
    uint16_t port_id;           /* ethdev port id. */
    char *devargs;              /* What made the device. */
    char *dev_name;             /* The rte_device's name, to remove it. */
    char *vhost_path;           /* dpdkvhostuser: the socket, else NULL. */
    bool owns_device;           /* We probed it, so we remove it. */
    bool polled;                /* Its rx queue is given to a PMD (only
                                 * the control thread reads or writes
                                 * this). */

    bool shared_tx;             /* Several PMDs send: take tx_lock. */
    rte_spinlock_t tx_lock;
    atomic_uint_least64_t tx_dropped;   /* Ring full after retries. */
    atomic_uint link_seq;       /* Bumped on each link event. */
};

/* Makes and starts the device for port NAME of TYPE with OPTIONS, its
 * receive buffers from POOL.  Returns 0 and *PORTP, or a positive errno
 * value after logging the reason (a bad option names it in ERRORP's
 * message, which the caller frees; ERRORP may be NULL). */
int dp_port_open(const char *name, enum dp_port_type type,
                 const struct dp_port_options *options,
                 struct rte_mempool *pool, struct dp_port **portp,
                 char **errorp);

/* Stops the device, removes it (if this port made it) and frees PORT. */
void dp_port_close(struct dp_port *port);

void dp_port_set_shared_tx(struct dp_port *, bool shared);

/* PMD threads.  rx returns the number of packets received (at most N).
 * tx sends the N packets of PKTS, retrying a full ring a few times, frees
 * what could not be sent, counts those in tx_dropped, and returns the
 * number sent. */
uint16_t dp_port_rx_burst(struct dp_port *, struct rte_mbuf **pkts,
                          uint16_t n);
uint16_t dp_port_tx_burst(struct dp_port *, struct rte_mbuf **pkts,
                          uint16_t n);

void dp_port_get_counters(const struct dp_port *, struct dp_port_counters *);
bool dp_port_get_link(const struct dp_port *, uint32_t *speed_mbps);
unsigned int dp_port_link_seq(const struct dp_port *);

/* The port's Ethernet address, MTU and DPDK driver name (a static
 * string; "" if unknown). */
void dp_port_get_identity(const struct dp_port *, struct eth_addr *mac,
                          uint32_t *mtu, const char **driver);

/* Appends "driver: ..., mac ..., queues rx 1 tx 1" style details. */
void dp_port_format_details(struct ds *, const struct dp_port *);

#endif /* dp-port-private.h */
