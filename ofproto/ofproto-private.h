/*
 * ofproto-private: the structures behind ofproto.h, shared by the slow
 * path's own files (translation, NORMAL, upcalls, control commands).
 *
 * Locking:
 *   - ofproto_rwlock guards the set of bridges and each bridge's ports:
 *     upcalls hold it for reading while they translate, the control
 *     thread takes it for writing to add or remove bridges and ports.
 *   - Flow tables are classifiers (classifier.h): the control thread
 *     changes them and publishes; readers look up inside an RCU read-side
 *     section and never wait.  A rule's actions are replaced by an atomic
 *     pointer store; the old ones are freed after a grace period.
 *   - Counters are atomics, updated by readers.
 */
#ifndef SKIFF_OFPROTO_PRIVATE_H
#define SKIFF_OFPROTO_PRIVATE_H 1

#include <pthread.h>
#include <stdatomic.h>

#include "classifier.h"
#include "hmap.h"
#include "mac-learning.h"
#include "match.h"
#include "ofp-actions.h"
#include "ofproto.h"
#include "vlan.h"

extern pthread_rwlock_t ofproto_rwlock;

struct ofport {
    struct hmap_node ofp_node;  /* In ofproto->ports, by ofp_port. */
    struct hmap_node dp_node;   /* In the global map, by dp_port. */
    struct ofproto *ofproto;
    char *name;
    uint32_t ofp_port;
    uint32_t dp_port;
    struct eth_addr hw_addr;
    struct vlan_port_config vlan;
    long long created;
    atomic_ullong rx_packets, rx_bytes;
    atomic_ullong tx_packets, tx_bytes;
};

/* A rule's instructions, replaced whole by MODIFY. */
struct rule_actions {
    size_t len;
    uint64_t data[];            /* ofpacts, 8-byte aligned. */
};

struct rule {
    struct cls_rule cr;         /* Match and priority. */
    struct ofproto *ofproto;
    uint8_t table_id;
    uint64_t cookie;
    uint16_t idle_timeout;
    uint16_t hard_timeout;
    long long created;          /* Added (msec, ofproto_time_msec()). */
    atomic_llong used;          /* Last packet, add or modify. */
    atomic_ullong n_packets;
    atomic_ullong n_bytes;
    _Atomic(struct rule_actions *) actions;
};

struct oftable {
    struct classifier cls;
};

struct ofproto {
    struct hmap_node node;      /* In the map of all bridges, by name. */
    char *name;
    uint64_t datapath_id;
    struct oftable tables[OFP_N_TABLES];
    struct hmap ports;          /* struct ofport, by ofp_port. */
    struct mac_learning *ml;
    long long created;
    atomic_ullong n_controller; /* Packets sent to the (absent)
                                 * controller. */
    atomic_ullong n_resubmit_loops;
};

static inline struct rule *
rule_from_cls(const struct cls_rule *cr)
{
    return cr ? CONTAINER_OF(cr, struct rule, cr) : NULL;
}

/* Looks up a rule in TABLE for FLOW, ORing consulted bits into WC.  In an
 * RCU read-side section. */
struct rule *ofproto_rule_lookup(const struct ofproto *, uint8_t table_id,
                                 const struct flow *,
                                 struct flow_wildcards *wc);
/* Credits a packet of SIZE bytes to RULE, used at NOW. */
void ofproto_rule_credit(struct rule *, size_t size, long long now);
/* Credits N_PACKETS packets of N_BYTES bytes in all to RULE, the last at
 * USED: its last use becomes USED unless it is later already.  Any
 * thread, lock-free. */
void ofproto_rule_add_stats(struct rule *, uint64_t n_packets,
                            uint64_t n_bytes, long long used);

/* Ports (with ofproto_rwlock held). */
struct ofport *ofproto_get_port(const struct ofproto *, uint32_t ofp_port);
struct ofport *ofport_from_dp_port(uint32_t dp_port);

/* Bumps the configuration version. */
void ofproto_bump_version(void);

#endif /* ofproto-private.h */
