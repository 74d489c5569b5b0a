/*
 * bridge: brings the running switch to the state the database describes.
 *
 * bridge_reconfigure() takes a struct vsw_config (the desired state) and
 * changes only what differs from what runs: bridges are created and
 * destroyed in ofproto, interfaces added to and removed from the datapath
 * and their bridge, VLAN settings changed in place.  An interface whose
 * type or options changed is removed and added again; every other
 * interface keeps running, so traffic on untouched ports never stops.
 *
 * OpenFlow port numbers: an interface keeps its number for as long as it
 * exists.  A new one gets its ofport_request when that is free, else the
 * number the database last recorded for it (so a restarted switch comes
 * back with the same numbers), else the lowest free number.  A bridge's
 * internal interface named like the bridge is its OFPP_LOCAL port.
 *
 * A new interface's datapath port is polled only once its bridge has it,
 * so no packet arrives from a port the slow path does not know yet.
 *
 * Failures are per interface: an interface that cannot be made (unknown
 * type, missing socket directory, bad devargs) has an error message and no
 * port; bridge_iface_status() reports it, and the other interfaces work.
 *
 * Not thread-safe: the main thread calls everything here.
 */
#ifndef SKIFF_BRIDGE_H
#define SKIFF_BRIDGE_H 1

#include <stdbool.h>
#include <stdint.h>

struct dpif;
struct vsw_config;

/* The datapath every bridge's interfaces go into (NULL before DPDK
 * started: then bridges get no interfaces, only errors). */
void bridge_init(struct dpif *);

/* OFPORT_HINT(NAME, AUX): the OpenFlow number the database last recorded
 * for interface NAME, or 0. */
typedef uint32_t bridge_ofport_hint_func(const char *name, void *aux);

/* Returns true if an existing port's VLAN settings changed: megaflows the
 * datapath installed under the old settings could carry a packet into the
 * wrong VLAN until revalidated, so the caller flushes them. */
bool bridge_reconfigure(const struct vsw_config *,
                        bridge_ofport_hint_func *, void *aux);

/* What runs for interface NAME, for writing back to the database. */
struct bridge_iface_status {
    bool exists;                /* Known to a bridge (even with error). */
    uint32_t ofp_port;          /* 0 if it has no port. */
    const char *error;          /* Why it has no port, or NULL. */
    uint32_t dp_port;
};
void bridge_iface_status(const char *name, struct bridge_iface_status *);

/* Destroys every bridge (at exit). */
void bridge_destroy_all(void);

#endif /* bridge.h */
