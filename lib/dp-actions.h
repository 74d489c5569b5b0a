/*
 * dp-actions: the datapath's action lists.
 *
 * The slow path translates OpenFlow actions into a datapath action list;
 * the fast path stores it with the megaflow and runs it on every packet
 * that hits.  A list is a byte string of records, each a struct dp_action
 * header followed by its payload, each record a multiple of 8 bytes long
 * and 8-byte aligned, so the executor walks it without copying:
 *
 *     DP_ACTIONS_FOR_EACH (a, actions, size) { switch (a->type) ... }
 *
 * Actions run in order on the packet as it is at that point: a
 * PUSH_VLAN then OUTPUT sends the tagged packet; later actions see the
 * change.  An empty list drops the packet.  Lists come from the slow path
 * of the same process but are still checked once (dp_actions_validate())
 * before a megaflow is installed, so the executor never meets a malformed
 * record.
 */
#ifndef SKIFF_DP_ACTIONS_H
#define SKIFF_DP_ACTIONS_H 1

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "packets.h"
#include "util.h"

struct ds;

enum dp_action_type {
    DP_ACTION_OUTPUT = 1,   /* arg: datapath port number. */
    DP_ACTION_PUSH_VLAN,    /* payload: struct dp_action_vlan (tpid, tci;
                             * the tag goes outside any existing tags).
                             * tci has VLAN_CFI set, as in flow keys; the
                             * wire gets tci & ~VLAN_CFI. */
    DP_ACTION_POP_VLAN,     /* Removes the outermost tag, if any. */
    DP_ACTION_SET_VLAN,     /* payload: struct dp_action_vlan: outermost
                             * tag's tci = (tci & ~mask) | (value & mask);
                             * no-op without a tag.  tpid unused. */
    DP_ACTION_SET_ETH,      /* payload: struct dp_action_set_eth. */
    DP_ACTION_SET_IPV4,     /* payload: struct dp_action_set_ipv4; fixes
                             * the IPv4 and L4 checksums; no-op if the
                             * packet is not IPv4. */
    DP_ACTION_SET_IPV6,     /* payload: struct dp_action_set_ipv6; fixes
                             * L4 checksums; no-op if not IPv6. */
    DP_ACTION_SET_L4,       /* payload: struct dp_action_set_l4: TCP, UDP
                             * or SCTP ports, by the packet's protocol;
                             * fixes checksums; no-op otherwise. */
    DP_ACTION_TRUNCATE,     /* arg: maximum length in bytes (>= 14) of the
                             * packet sent by the next OUTPUT only. */
    DP_ACTION_POLICE,       /* arg: meter id: the packet continues only if
                             * the meter (rte_meter) passes it. */
    DP_ACTION_USERSPACE,    /* payload: struct dp_action_userspace: a copy
                             * of the packet goes to the slow path
                             * (dp_upcall DP_UPCALL_ACTION). */
    DP_ACTION_CLONE,        /* payload: a nested action list run on a copy
                             * of the packet; the original continues
                             * unchanged after the clone. */
};

/* Every record starts with this header. */
struct dp_action {
    uint16_t type;              /* enum dp_action_type. */
    uint16_t len;               /* Whole record, header included; a
                                 * multiple of 8. */
    uint32_t arg;               /* OUTPUT port, TRUNCATE length, POLICE
                                 * meter; 0 for the others. */
};

struct dp_action_vlan {
    be16 tpid;
    be16 tci;
    be16 mask;                  /* SET_VLAN only. */
    uint16_t pad;
};

struct dp_action_set_eth {
    struct eth_addr src, src_mask;
    struct eth_addr dst, dst_mask;
};

struct dp_action_set_ipv4 {
    be32 src, src_mask;
    be32 dst, dst_mask;
    uint8_t tos, tos_mask;
    uint8_t ttl, ttl_mask;
    uint32_t pad;
};

struct dp_action_set_ipv6 {
    struct in6_addr src, src_mask;
    struct in6_addr dst, dst_mask;
    uint8_t tclass, tclass_mask;
    uint8_t hlimit, hlimit_mask;
    uint32_t pad;
};

struct dp_action_set_l4 {
    be16 src, src_mask;
    be16 dst, dst_mask;
};

struct dp_action_userspace {
    uint64_t cookie;            /* Given back to the slow path. */
};

#define DP_ACTION_ALIGN 8

static inline const void *
dp_action_payload(const struct dp_action *a)
{
    return a + 1;
}

static inline size_t
dp_action_payload_len(const struct dp_action *a)
{
    return a->len - sizeof *a;
}

#define DP_ACTIONS_FOR_EACH(ACTION, ACTIONS, SIZE)                      \
    for (const struct dp_action *ACTION = (const void *) (ACTIONS);     \
         (const uint8_t *) ACTION < (const uint8_t *) (ACTIONS) + (SIZE); \
         ACTION = (const void *) ((const uint8_t *) ACTION + ACTION->len))

/* A growable action list being built.  Zero-initialize (or
 * dp_actions_init()), append, then hand data/size on. */
struct dp_actions {
    uint8_t *data;
    size_t size;
    size_t allocated;
};

void dp_actions_init(struct dp_actions *);
void dp_actions_uninit(struct dp_actions *);
void dp_actions_clear(struct dp_actions *);

void dp_actions_put_output(struct dp_actions *, uint32_t port);
void dp_actions_put_push_vlan(struct dp_actions *, be16 tpid, be16 tci);
void dp_actions_put_pop_vlan(struct dp_actions *);
void dp_actions_put_set_vlan(struct dp_actions *, be16 tci, be16 mask);
void dp_actions_put_truncate(struct dp_actions *, uint32_t max_len);
void dp_actions_put_police(struct dp_actions *, uint32_t meter_id);
void dp_actions_put_userspace(struct dp_actions *, uint64_t cookie);
/* Appends TYPE with a copy of PAYLOAD (padded to 8 bytes). */
void dp_actions_put(struct dp_actions *, enum dp_action_type,
                    uint32_t arg, const void *payload, size_t len);
/* Clones: start_nested() returns an offset to give to end_nested(), which
 * fixes the record's length after the nested actions were appended. */
size_t dp_actions_start_nested(struct dp_actions *, enum dp_action_type);
void dp_actions_end_nested(struct dp_actions *, size_t offset);

/* Returns 0 if the SIZE bytes at ACTIONS are a well-formed list (records
 * in bounds, lengths multiples of 8, known types with payloads of the
 * right size, nesting at most DP_ACTIONS_MAX_DEPTH deep), else EINVAL. */
#define DP_ACTIONS_MAX_DEPTH 4
int dp_actions_validate(const void *actions, size_t size);

/* Text form, as dpctl/dump-flows prints it:
 *   push_vlan(tpid=0x8100,vid=10,pcp=0),output:2
 *   set(eth(src=..,dst=..)),set(ipv4(src=..,ttl=63)),clone(output:3)
 *   truncate(100),police(1),userspace(cookie=0x5),pop_vlan,set_vlan(...)
 * An empty list prints "drop". */
void dp_actions_format(struct ds *, const void *actions, size_t size);

/* Parses the text form back (for tests and dpctl): returns NULL and
 * appends to ACTIONS, or an error message (the caller frees it) naming the
 * offending token, leaving ACTIONS as it was. */
char *dp_actions_parse(const char *s, struct dp_actions *actions)
    WARN_UNUSED_RESULT;

#endif /* dp-actions.h */
