/*
 * ofp-actions: OpenFlow-style actions and instructions ("ofpacts").
 *
 * A flow's instructions are one byte string of records, laid out like
 * lib/dp-actions.h's lists: each record is a struct ofpact header followed
 * by its payload, a multiple of 8 bytes long and 8-byte aligned, so code
 * walks a list in place:
 *
 *     OFPACT_FOR_EACH (a, ofpacts, len) { switch (a->type) ... }
 *
 * and casts A to the record's struct (ofpact_get_output(a) etc.).
 *
 * The list holds, in this order (ofpacts_check() enforces it):
 *   1. the actions applied at once (OpenFlow 1.3's implicit
 *      apply-actions), in the order they run;
 *   2. at most one of each instruction, in this order: OFPACT_CLEAR_ACTIONS,
 *      OFPACT_WRITE_ACTIONS (a nested list of actions, no instructions),
 *      OFPACT_WRITE_METADATA, OFPACT_GOTO_TABLE.
 * An empty list is "drop".
 *
 * Ports are OpenFlow port numbers (OFPP_* in lib/match.h).  Values are in
 * network byte order where the field is (addresses, ports of TCP/UDP),
 * host order for numbers that are not packet fields (ports, table ids,
 * queue ids, metadata).
 *
 * Text forms (docs/flow-syntax.md) are parsed by lib/ofp-parse.h and
 * written by ofpacts_format().  Plain data; not thread-safe.
 */
#ifndef SKIFF_OFP_ACTIONS_H
#define SKIFF_OFP_ACTIONS_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "match.h"
#include "packets.h"
#include "util.h"

struct ds;

enum ofpact_type {
    /* Actions. */
    OFPACT_OUTPUT = 1,      /* ofpact_output: output:PORT, N, in_port,
                             * normal, flood, all, local, and
                             * controller(max_len) (port OFPP_CONTROLLER). */
    OFPACT_SET_VLAN_VID,    /* ofpact_vlan_vid: mod_vlan_vid:VID (pushes a
                             * tag with PCP 0 if the packet has none). */
    OFPACT_SET_VLAN_PCP,    /* ofpact_vlan_pcp: mod_vlan_pcp:PCP (pushes a
                             * tag with VID 0 if the packet has none). */
    OFPACT_STRIP_VLAN,      /* ofpact_strip_vlan: strip_vlan or pop_vlan:
                             * removes the outermost tag, if any. */
    OFPACT_PUSH_VLAN,       /* ofpact_push_vlan: push_vlan:TPID. */
    OFPACT_SET_FIELD,       /* ofpact_set_field: set_field:V[/M]->FIELD. */
    OFPACT_SET_ETH_SRC,     /* ofpact_mac: mod_dl_src:MAC. */
    OFPACT_SET_ETH_DST,     /* ofpact_mac: mod_dl_dst:MAC. */
    OFPACT_SET_IPV4_SRC,    /* ofpact_ipv4: mod_nw_src:IP. */
    OFPACT_SET_IPV4_DST,    /* ofpact_ipv4: mod_nw_dst:IP. */
    OFPACT_SET_IP_DSCP,     /* ofpact_dscp: mod_nw_tos:TOS (DSCP bits of
                             * the TOS byte, a multiple of 4). */
    OFPACT_SET_L4_SRC_PORT, /* ofpact_l4_port: mod_tp_src:PORT. */
    OFPACT_SET_L4_DST_PORT, /* ofpact_l4_port: mod_tp_dst:PORT. */
    OFPACT_DEC_TTL,         /* struct ofpact alone: dec_ttl. */
    OFPACT_RESUBMIT,        /* ofpact_resubmit: resubmit:PORT,
                             * resubmit(PORT,TABLE), resubmit(,TABLE). */
    OFPACT_SET_QUEUE,       /* ofpact_queue: set_queue:QUEUE. */
    OFPACT_NOTE,            /* ofpact_note: note:HEX.HEX...  (no effect). */

    /* Instructions (see the order above). */
    OFPACT_CLEAR_ACTIONS,   /* struct ofpact alone: clear_actions. */
    OFPACT_WRITE_ACTIONS,   /* ofpact_nest: write_actions(ACTIONS). */
    OFPACT_WRITE_METADATA,  /* ofpact_metadata: write_metadata:V[/M]. */
    OFPACT_GOTO_TABLE,      /* ofpact_goto_table: goto_table:N. */
};

/* Every record starts with this header. */
struct ofpact {
    uint16_t type;              /* enum ofpact_type. */
    uint16_t len;               /* Whole record, header included, padding
                                 * included; a multiple of 8. */
    uint32_t pad;
};

#define OFPACT_ALIGN 8

/* Table ids: 0 to 254 are tables; OFP_TABLE_ALL means "every table" in
 * modifications, deletions and dumps. */
#define OFP_N_TABLES 255
#define OFP_TABLE_ALL 255

struct ofpact_output {
    struct ofpact ofpact;
    uint32_t port;              /* 1..OFPP_MAX or OFPP_IN_PORT, _NORMAL,
                                 * _FLOOD, _ALL, _LOCAL, _CONTROLLER. */
    uint16_t max_len;           /* Bytes to send to the controller (only
                                 * with OFPP_CONTROLLER; 65535 = all). */
    uint16_t pad;
};

struct ofpact_vlan_vid {
    struct ofpact ofpact;
    uint16_t vid;               /* 0 to 4095. */
    uint8_t pad[6];
};

struct ofpact_vlan_pcp {
    struct ofpact ofpact;
    uint8_t pcp;                /* 0 to 7. */
    uint8_t pad[7];
};

struct ofpact_strip_vlan {
    struct ofpact ofpact;
    bool pop_vlan;              /* Spelled "pop_vlan" (same effect). */
    uint8_t pad[7];
};

struct ofpact_push_vlan {
    struct ofpact ofpact;
    be16 tpid;                  /* ETH_TYPE_VLAN_8021Q or _8021AD. */
    uint8_t pad[6];
};

struct ofpact_set_field {
    struct ofpact ofpact;
    uint32_t field;             /* enum match_field_id, a writable one. */
    uint32_t pad;
    union match_value value;    /* Fits the field (no bit above n_bits). */
    union match_value mask;     /* All ones over the field unless a /MASK
                                 * was given; value & ~mask == 0. */
};

struct ofpact_mac {
    struct ofpact ofpact;
    struct eth_addr mac;
    uint8_t pad[2];
};

struct ofpact_ipv4 {
    struct ofpact ofpact;
    be32 ipv4;
    uint32_t pad;
};

struct ofpact_dscp {
    struct ofpact ofpact;
    uint8_t dscp;               /* TOS byte with ECN bits zero. */
    uint8_t pad[7];
};

struct ofpact_l4_port {
    struct ofpact ofpact;
    be16 port;
    uint8_t pad[6];
};

/* The table of the flow doing the resubmit, for "resubmit:PORT". */
#define OFPACT_TABLE_CURRENT 255

struct ofpact_resubmit {
    struct ofpact ofpact;
    uint32_t in_port;           /* OFPP_IN_PORT: the packet's own in_port;
                                 * else the in_port to look up with. */
    uint8_t table_id;           /* OFPACT_TABLE_CURRENT or 0 to 254. */
    uint8_t pad[3];
};

struct ofpact_queue {
    struct ofpact ofpact;
    uint32_t queue_id;
    uint32_t pad;
};

/* note:HEX...: up to OFPACT_NOTE_MAX bytes, kept only to be shown. */
#define OFPACT_NOTE_MAX 1024
struct ofpact_note {
    struct ofpact ofpact;
    uint16_t length;            /* Bytes in data[]. */
    uint8_t pad[6];
    uint8_t data[];             /* Padded with zeros to 8 bytes. */
};

/* OFPACT_WRITE_ACTIONS: the nested actions follow the header. */
struct ofpact_nest {
    struct ofpact ofpact;
    /* Nested action records follow, to ofpact.len. */
};

struct ofpact_metadata {
    struct ofpact ofpact;
    uint64_t metadata;          /* Host order; metadata & ~mask == 0. */
    uint64_t mask;
};

struct ofpact_goto_table {
    struct ofpact ofpact;
    uint8_t table_id;           /* Greater than the flow's own table. */
    uint8_t pad[7];
};

#define OFPACT_FOR_EACH(ACT, OFPACTS, LEN)                              \
    for (const struct ofpact *ACT = (const void *) (OFPACTS);           \
         (LEN) && ((const uint8_t *) ACT                                \
                   < (const uint8_t *) (OFPACTS) + (LEN));              \
         ACT = (const void *) ((const uint8_t *) ACT + ACT->len))

/* The nested list of an OFPACT_WRITE_ACTIONS record. */
static inline const struct ofpact *
ofpact_nest_actions(const struct ofpact *a)
{
    return a + 1;
}

static inline size_t
ofpact_nest_len(const struct ofpact *a)
{
    return a->len - sizeof *a;
}

/* Typed views of a record (A must have the matching type). */
#define OFPACT_CAST(STRUCT, A) ((const struct STRUCT *) (const void *) (A))
#define ofpact_get_output(A) OFPACT_CAST(ofpact_output, A)
#define ofpact_get_vlan_vid(A) OFPACT_CAST(ofpact_vlan_vid, A)
#define ofpact_get_vlan_pcp(A) OFPACT_CAST(ofpact_vlan_pcp, A)
#define ofpact_get_strip_vlan(A) OFPACT_CAST(ofpact_strip_vlan, A)
#define ofpact_get_push_vlan(A) OFPACT_CAST(ofpact_push_vlan, A)
#define ofpact_get_set_field(A) OFPACT_CAST(ofpact_set_field, A)
#define ofpact_get_mac(A) OFPACT_CAST(ofpact_mac, A)
#define ofpact_get_ipv4(A) OFPACT_CAST(ofpact_ipv4, A)
#define ofpact_get_dscp(A) OFPACT_CAST(ofpact_dscp, A)
#define ofpact_get_l4_port(A) OFPACT_CAST(ofpact_l4_port, A)
#define ofpact_get_resubmit(A) OFPACT_CAST(ofpact_resubmit, A)
#define ofpact_get_queue(A) OFPACT_CAST(ofpact_queue, A)
#define ofpact_get_note(A) OFPACT_CAST(ofpact_note, A)
#define ofpact_get_metadata(A) OFPACT_CAST(ofpact_metadata, A)
#define ofpact_get_goto_table(A) OFPACT_CAST(ofpact_goto_table, A)

/* A growable list being built.  Zero-initialize (or ofpacts_init()),
 * append, then take data/size (ofpacts_steal()) or uninit. */
struct ofpacts {
    uint8_t *data;
    size_t size;
    size_t allocated;
};

void ofpacts_init(struct ofpacts *);
void ofpacts_uninit(struct ofpacts *);
void ofpacts_clear(struct ofpacts *);
/* Returns the list (the caller frees it; NULL when empty) and leaves
 * OFPACTS empty. */
void *ofpacts_steal(struct ofpacts *, size_t *len);

/* Appends a zeroed record of TYPE with LEN bytes (header included; padded
 * to 8) and returns it for the caller to fill.  The pointer is valid until
 * the next append. */
void *ofpact_put(struct ofpacts *, enum ofpact_type, size_t len);

void ofpact_put_output(struct ofpacts *, uint32_t port, uint16_t max_len);
/* A record without payload: OFPACT_DEC_TTL, OFPACT_CLEAR_ACTIONS. */
void ofpact_put_simple(struct ofpacts *, enum ofpact_type);
void ofpact_put_goto_table(struct ofpacts *, uint8_t table_id);
/* Nesting: start returns an offset to give to end, which fixes the
 * record's length after the nested actions were appended. */
size_t ofpact_start_nested(struct ofpacts *, enum ofpact_type);
void ofpact_end_nested(struct ofpacts *, size_t offset);

/* Checks LEN bytes at OFPACTS for a flow in table TABLE_ID (OFP_TABLE_ALL
 * when not known, e.g. in a modify of all tables): records well-formed
 * and in bounds, known types, valid values (ports, VIDs, PCPs, TPIDs,
 * set_field values fitting and writable fields, TOS multiple of 4,
 * resubmit tables), instructions after the actions, each at most once and
 * in order, WRITE_ACTIONS holding only actions, goto_table forward only
 * (greater than TABLE_ID) and below 255.  Returns 0, or EINVAL with
 * *ERRORP (the caller frees it) saying what is wrong, e.g. "goto_table:0:
 * must go to a later table than 3". */
int ofpacts_check(const void *ofpacts, size_t len, uint8_t table_id,
                  char **errorp);

/* True if the two lists are the same byte for byte (records are always
 * zero-padded, so equal actions make equal bytes). */
bool ofpacts_equal(const void *a, size_t a_len, const void *b, size_t b_len);

/* True if the list outputs to PORT (an OUTPUT, directly or inside
 * WRITE_ACTIONS); for del-flows/dump-flows' out_port filter.  OFPP_ANY
 * always matches. */
bool ofpacts_output_to_port(const void *ofpacts, size_t len, uint32_t port);

/* Appends the text form of a list (a valid one) to DS, as dump-flows
 * shows it, e.g.
 *   output:2,mod_vlan_vid:10,NORMAL,write_actions(output:3),goto_table:1
 * and "drop" for an empty list.  Port names from MAP (may be NULL). */
void ofpacts_format(struct ds *, const void *ofpacts, size_t len,
                    const struct ofp_port_map *map);

#endif /* ofp-actions.h */
