/*
 * vsw-config: the switch's desired state, read from the database.
 *
 * After each change of its database replica, skiff-vswitchd reads the
 * Open_vSwitch, Bridge, Port and Interface rows into a struct vsw_config:
 * plain values, checked and defaulted, that the reconciler compares with
 * what runs.  Reading has no side effects and never fails as a whole:
 *
 *   - a value that is out of range or malformed (other_config keys) is
 *     replaced by its default and described in 'problems' (the caller
 *     logs them; the same text each time, so it can log only changes);
 *   - an interface that cannot exist as configured (unknown type, a name
 *     another interface already has, a port or interface reachable from
 *     two bridges) keeps its place with 'error' set, so the reconciler
 *     can write that error back to the Interface row and create nothing
 *     for it; every other interface is unaffected.
 *
 * Bridges, ports and interfaces are kept in name order (arrays), so the
 * order of work and of messages does not depend on uuids.  A bridge's
 * internal interface (named like the bridge) is not synthesized here: the
 * reconciler adds the bridge's local port itself.
 */
#ifndef SKIFF_VSW_CONFIG_H
#define SKIFF_VSW_CONFIG_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ofproto/vlan.h"
#include "smap.h"
#include "uuid.h"

struct db;

/* Interface.type, "" and "system" being the same. */
enum vsw_iface_type {
    VSW_IFACE_SYSTEM,
    VSW_IFACE_INTERNAL,
    VSW_IFACE_DPDK,
    VSW_IFACE_VHOSTUSER,
    VSW_IFACE_VHOSTUSERCLIENT,
    VSW_IFACE_PCAP,
    VSW_IFACE_UNKNOWN,              /* 'error' says which. */
};

const char *vsw_iface_type_to_string(enum vsw_iface_type);

struct vsw_iface_cfg {
    char *name;
    struct uuid uuid;
    enum vsw_iface_type type;
    struct smap options;
    int64_t ofport_request;         /* 1...65279, or 0: none. */
    int64_t mtu_request;            /* 0: none. */
    int64_t ingress_policing_rate;  /* kbit/s; 0: no policing. */
    int64_t ingress_policing_burst; /* kbit. */
    char *error;                    /* Why it cannot exist, or NULL. */
};

struct vsw_port_cfg {
    char *name;
    struct uuid uuid;
    struct vlan_port_config vlan;   /* vlan_mode, tag, trunks, cvlans. */
    struct vsw_iface_cfg **ifaces;  /* In name order. */
    size_t n_ifaces;
};

/* Defaults of the Bridge other_config keys. */
#define VSW_DEFAULT_MAC_AGING_TIME 300      /* Seconds. */
#define VSW_DEFAULT_MAC_TABLE_SIZE 8192
#define VSW_DEFAULT_FLOW_LIMIT 200000
#define VSW_DEFAULT_MAX_IDLE 10000          /* Milliseconds. */

struct vsw_bridge_cfg {
    char *name;
    struct uuid uuid;
    char *datapath_type;
    unsigned int mac_aging_time;    /* Seconds, 15...1000000. */
    unsigned int mac_table_size;    /* 10...1000000. */
    unsigned int flow_limit;        /* Megaflows, 1...10000000. */
    unsigned int max_idle;          /* Milliseconds, 100...3600000. */
    struct vsw_port_cfg **ports;    /* In name order. */
    size_t n_ports;
};

/* Defaults of the Open_vSwitch other_config keys. */
#define VSW_DEFAULT_PMD_MAXSLEEP 250        /* Microseconds. */
#define VSW_MAX_PMD_MAXSLEEP 10000

struct vsw_config {
    bool has_root;                  /* An Open_vSwitch row exists. */
    struct uuid root_uuid;
    int64_t next_cfg;

    /* Open_vSwitch other_config, checked.  Strings are NULL when unset
     * (or invalid: then the default applies). */
    char *dpdk_lcore_mask;          /* Hex CPU mask, "0x..." or digits. */
    char *dpdk_socket_mem;          /* "MB[,MB...]". */
    char *dpdk_extra;               /* More EAL arguments, as written. */
    char *pmd_cpu_mask;             /* Hex CPU mask. */
    unsigned int pmd_maxsleep;      /* Microseconds, 0...10000. */

    struct vsw_bridge_cfg **bridges;    /* In name order. */
    size_t n_bridges;

    char **problems;                /* Messages about invalid values. */
    size_t n_problems;
};

/* Reads DB (a replica of the Open_vSwitch database) into CFG. */
void vsw_config_read(struct vsw_config *cfg, const struct db *db);
void vsw_config_destroy(struct vsw_config *);

const struct vsw_bridge_cfg *vsw_config_find_bridge(
    const struct vsw_config *, const char *name);
const struct vsw_port_cfg *vsw_bridge_find_port(
    const struct vsw_bridge_cfg *, const char *name);

#endif /* vsw-config.h */
