/*
 * dp-port: the datapath's ports, every one a DPDK ethdev.
 *
 * One provider serves every port type (DESIGN.md section 4): the type only
 * decides which DPDK driver makes the device and from which options:
 *
 *   type                 driver      options
 *   dpdkvhostuser        net_vhost   (socket <rundir>/<name>, switch is the
 *                                    server)
 *   dpdkvhostuserclient  net_vhost   vhost-server-path=PATH (client=1; the
 *                                    vhost library reconnects by itself)
 *   system               net_af_packet  iface=IFACE (default: the name)
 *   internal             net_tap     iface=IFACE (default: the name)
 *   dpdk                 any         dpdk-devargs=DEVARGS (PCI address or
 *                                    a vdev string)
 *   pcap                 net_pcap    rx_pcap=FILE and/or tx_pcap=FILE
 *
 * Each port has one receive queue and one transmit queue.  Several PMD
 * threads may transmit on one port: dp_port_tx_burst() serializes them
 * with a spinlock only when dp_port_set_shared_tx() said so.
 *
 * Counters: rx/tx packets and bytes and the driver's errors and drops come
 * from the ethdev (rte_eth_stats_get()); packets the datapath dropped
 * because the transmit ring stayed full are counted here (tx_dropped).
 *
 * Link state: dp_port_get_link() reads it without blocking; a driver's
 * link-change events (vhost connect and disconnect, tap carrier) bump the
 * port's link sequence number and are logged, so a caller that polls
 * dp_port_link_seq() sees every change.
 *
 * This header is the public part, free of DPDK headers (the slow path and
 * skiff-vswitchd include it through dpif.h); the port itself, built on
 * DPDK, is in dp-port-private.h.
 */
#ifndef SKIFF_DP_PORT_H
#define SKIFF_DP_PORT_H 1

#include <stdbool.h>
#include <stdint.h>

enum dp_port_type {
    DP_PORT_DPDKVHOSTUSER,
    DP_PORT_DPDKVHOSTUSERCLIENT,
    DP_PORT_SYSTEM,
    DP_PORT_INTERNAL,
    DP_PORT_DPDK,
    DP_PORT_PCAP,
};

/* Returns 0 and *TYPE, or EINVAL. */
int dp_port_type_from_string(const char *, enum dp_port_type *type);
const char *dp_port_type_to_string(enum dp_port_type);

/* Options: "key=value" strings. */
struct dp_port_options {
    const char **kv;
    int n;
};

/* Longest port name (vhost socket and kernel interface names derive from
 * it: kernel interface names hold at most 15 bytes). */
#define DP_PORT_NAME_MAX 15

struct dp_port_counters {
    uint64_t rx_packets, rx_bytes, rx_dropped, rx_errors;
    uint64_t tx_packets, tx_bytes, tx_dropped, tx_errors;
};

#endif /* dp-port.h */
