/*
 * ofproto: the slow path's bridges, their ports and their OpenFlow flow
 * tables.
 *
 * A bridge (struct ofproto) has 255 flow tables (OpenFlow 1.3), ports
 * numbered the OpenFlow way (1 to OFPP_MAX, and OFPP_LOCAL for the
 * bridge's own port), each mapped to a datapath port number unique across
 * bridges, and a MAC learning table for NORMAL.  Table 0 starts with the
 * flow "priority=0 actions=NORMAL".
 *
 * Flow mods follow OpenFlow 1.3: ADD replaces a flow with the same match
 * and priority (keeping its counters, resetting its duration); MODIFY and
 * DELETE act on every flow whose match is the same as or more specific
 * than the mod's ("non-strict"), their _STRICT forms only on the flow with
 * exactly that match and priority; MODIFY changes only actions (it never
 * adds); cookie/cookie_mask and out_port filter.  Idle and hard timeouts
 * expire in ofproto_run().
 *
 * Threads: every function here is called from one control thread (or
 * under the caller's serialization).  The datapath's PMD threads read the
 * tables concurrently through ofproto-upcall.h without blocking on flow
 * changes (classifier.h, rcu.h); port and bridge changes take a
 * readers-writer lock briefly.  Every change that can change a forwarding
 * decision bumps ofproto_version().
 */
#ifndef SKIFF_OFPROTO_H
#define SKIFF_OFPROTO_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ofp-parse.h"
#include "ofp-wire.h"
#include "packets.h"
#include "util.h"
#include "vlan.h"

struct ds;
struct ofproto;

/* Creates bridge NAME.  Returns 0 and *OFPROTOP, or EEXIST. */
int ofproto_create(const char *name, struct ofproto **ofprotop);
void ofproto_destroy(struct ofproto *);
struct ofproto *ofproto_lookup(const char *name);
const char *ofproto_name(const struct ofproto *);
/* Every bridge, by name; NULL past the end. */
struct ofproto *ofproto_first(void);
struct ofproto *ofproto_next(const struct ofproto *);

struct ofproto_port_settings {
    const char *name;
    uint32_t ofp_port;          /* 1 to OFPP_MAX, or OFPP_LOCAL. */
    uint32_t dp_port;           /* The datapath's number. */
    struct eth_addr hw_addr;
    struct vlan_port_config vlan;
};

/* Adds a port, or reconfigures the one with the same OpenFlow number
 * (whose name, datapath port, address and VLAN settings are then
 * replaced; what was learned on it is forgotten).  Returns 0, or EINVAL
 * with *ERRORP (a number out of range, bad VLAN settings, a name or
 * datapath port already used by another port), changing nothing. */
int ofproto_port_set(struct ofproto *, const struct ofproto_port_settings *,
                     char **errorp);
/* Returns 0 or ENOENT. */
int ofproto_port_del(struct ofproto *, uint32_t ofp_port);
/* The OpenFlow number of the port called NAME: true and *OFP_PORT. */
bool ofproto_port_by_name(const struct ofproto *, const char *name,
                          uint32_t *ofp_port);

/* Bridge settings (other_config mac-aging-time and mac-table-size). */
void ofproto_set_mac_aging(struct ofproto *, unsigned int secs);
void ofproto_set_mac_table_size(struct ofproto *, size_t n);

/* Applies flow mods, all or nothing.  Returns 0, or an errno value with
 * *ERRORP saying why (starting "flow N: " when N > 1). */
int ofproto_flow_mods(struct ofproto *, const struct ofp_flow_mod *,
                      size_t n, char **errorp);
static inline int
ofproto_flow_mod(struct ofproto *p, const struct ofp_flow_mod *fm,
                 char **errorp)
{
    return ofproto_flow_mods(p, fm, 1, errorp);
}

/* The flows that FILTER (a QUERY flow mod, or NULL for all) selects, in
 * table order then by decreasing priority.  The stats' ofpacts point into
 * the flows: valid until the next flow mod.  Free *STATSP. */
void ofproto_dump_flows(struct ofproto *, const struct ofp_flow_mod *filter,
                        struct ofp_flow_stats **statsp, size_t *n);
size_t ofproto_n_flows(const struct ofproto *);

/* The bridge and its ports, as ofproto/show replies (strings borrowed:
 * free DESC->ports only). */
void ofproto_describe(const struct ofproto *, struct ofp_bridge_desc *);
/* Port counters (rx of upcalled packets and of the packets megaflows
 * forwarded, pushed by the datapath; tx of what they were sent to),
 * of every port or only of PORT (OFPP_ANY: all).  Returns 0 or ENOENT.
 * Free *STATSP. */
int ofproto_port_stats(const struct ofproto *, uint32_t port,
                       struct ofp_port_stats **statsp, size_t *n);

/* Expires idle and hard timeouts and aged MAC entries; frees what readers
 * no longer see.  Call from the main loop. */
void ofproto_run(void);
/* Arranges poll_block() to wake for the next ofproto_run() work. */
void ofproto_wait(void);

/* The configuration version (see dp-upcall.h's version()). */
uint64_t ofproto_version(void);

/* The clock every timeout and MAC age is measured with: time_msec() unless
 * a test sets another (NULL restores time_msec()). */
void ofproto_set_clock(long long int (*now)(void));
long long int ofproto_time_msec(void);

/* Destroys every bridge (at exit). */
void ofproto_destroy_all(void);

#endif /* ofproto.h */
