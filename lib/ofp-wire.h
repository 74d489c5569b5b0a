/*
 * ofp-wire: the control commands between skiff-ofctl and the switch.
 *
 * Until the OpenFlow wire protocol exists, skiff-ofctl manages a bridge's
 * flow tables through the daemon's control socket (lib/control.h): every
 * argument and reply is a string, and those that carry structured data
 * are JSON texts of the shapes below.  This comment is the contract; the
 * daemon (ofproto/ofproto-appctl.c) decodes with these helpers and
 * skiff-ofctl encodes with them, so neither spells JSON by hand.
 *
 * Matches and actions travel as flow text (lib/ofp-parse.h) with ports as
 * numbers, never names: match_format() / ofpacts_format() with no port map
 * on one side, ofp_parse_match() / ofp_parse_actions() with no resolver on
 * the other.  64-bit cookies travel as "0x..." hex strings (JSON numbers
 * are not exact past 2^53); other numbers are JSON integers.
 *
 * COMMANDS (BR is the bridge's name; on a failure the daemon answers with
 * an error whose text says why, e.g. "br9: no such bridge", and changes
 * nothing):
 *
 *   ofproto/flow-mod BR FLOW_MOD
 *       Applies one flow mod (command add, modify, modify_strict, delete
 *       or delete_strict).  Reply: "".
 *
 *   ofproto/flow-mods BR [FLOW_MOD, ...]
 *       Applies a JSON array of flow mods in order, all or nothing: if one
 *       fails, none is applied and the error starts with "flow N: " (N
 *       counted from 1).  Reply: "".
 *
 *   ofproto/dump-flows BR [FLOW_MOD]
 *       The flows, in table order then by decreasing priority, that the
 *       optional filter (a FLOW_MOD with command "query": table_id,
 *       cookie/cookie_mask, out_port, a non-strict match) selects.  Reply:
 *       {"flows": [FLOW_STATS, ...]}
 *
 *   ofproto/dump-ports BR [PORT]
 *       Counters of every port or of one (PORT: an OpenFlow port number in
 *       decimal, or LOCAL).  Reply: {"ports": [PORT_STATS, ...]}, by port
 *       number, LOCAL last; an unknown PORT is an error.
 *
 *   ofproto/show BR
 *       Reply: BRIDGE_DESC.  skiff-ofctl also reads it to map port names
 *       to numbers.
 *
 * SHAPES (every member is present; decoders reject unknown members,
 * missing ones and values out of range):
 *
 *   FLOW_MOD = {"command": "add", "table_id": 0, "priority": 32768,
 *               "cookie": "0x0", "cookie_mask": "0x0",
 *               "idle_timeout": 0, "hard_timeout": 0,
 *               "out_port": 4294967295,
 *               "match": "tcp,in_port=1,tp_dst=80",
 *               "actions": "output:2"}
 *       command as ofp_flow_mod_command_to_string(); the rest as struct
 *       ofp_flow_mod; "actions" is "" for none.
 *
 *   FLOW_STATS = {"table_id": 0, "priority": 100, "cookie": "0x0",
 *                 "duration_sec": 1, "duration_nsec": 234000000,
 *                 "idle_timeout": 0, "hard_timeout": 0, "idle_age": 1,
 *                 "n_packets": 0, "n_bytes": 0,
 *                 "match": "in_port=1", "actions": "output:2"}
 *
 *   PORT_STATS = {"port_no": 1, "name": "p1",
 *                 "rx_packets": 0, "rx_bytes": 0, "rx_dropped": 0,
 *                 "rx_errors": 0, "tx_packets": 0, "tx_bytes": 0,
 *                 "tx_dropped": 0, "tx_errors": 0, "duration_sec": 5}
 *
 *   BRIDGE_DESC = {"name": "br0", "datapath_id": "0x00001a2b3c4d5e6f",
 *                  "n_tables": 255,
 *                  "ports": [{"port_no": 1, "name": "p1",
 *                             "hw_addr": "aa:bb:cc:dd:ee:01",
 *                             "link_up": true}, ...]}
 *       ports by number, LOCAL (4294967294) last.
 *
 * All decoders take untrusted text: on any error they return a message
 * (the caller frees it) and leave their outputs empty.
 */
#ifndef SKIFF_OFP_WIRE_H
#define SKIFF_OFP_WIRE_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ofp-parse.h"
#include "packets.h"
#include "util.h"

struct ds;

#define OFP_WIRE_FLOW_MOD "ofproto/flow-mod"
#define OFP_WIRE_FLOW_MODS "ofproto/flow-mods"
#define OFP_WIRE_DUMP_FLOWS "ofproto/dump-flows"
#define OFP_WIRE_DUMP_PORTS "ofproto/dump-ports"
#define OFP_WIRE_SHOW "ofproto/show"

/* Flow mods.  Encoders return a JSON text the caller frees. */
char *ofp_wire_encode_flow_mod(const struct ofp_flow_mod *);
char *ofp_wire_encode_flow_mods(const struct ofp_flow_mod *, size_t n);
/* Decodes one FLOW_MOD into FM (uninit it after success).  The actions
 * are checked (ofpacts_check()) against the table. */
char *ofp_wire_decode_flow_mod(const char *json, struct ofp_flow_mod *fm)
    WARN_UNUSED_RESULT;
/* Decodes an array of FLOW_MODs: *FMSP (free with
 * ofp_wire_flow_mods_free()) and *N.  At most OFP_WIRE_MAX_FLOW_MODS. */
#define OFP_WIRE_MAX_FLOW_MODS 1000000
char *ofp_wire_decode_flow_mods(const char *json, struct ofp_flow_mod **fmsp,
                                size_t *n)
    WARN_UNUSED_RESULT;
void ofp_wire_flow_mods_free(struct ofp_flow_mod *, size_t n);

/* dump-flows reply.  Decoded stats own their ofpacts: free the array with
 * ofp_wire_flow_stats_free(). */
char *ofp_wire_encode_flow_stats(const struct ofp_flow_stats *, size_t n);
char *ofp_wire_decode_flow_stats(const char *json,
                                 struct ofp_flow_stats **statsp, size_t *n)
    WARN_UNUSED_RESULT;
void ofp_wire_flow_stats_free(struct ofp_flow_stats *, size_t n);

/* dump-ports reply. */
struct ofp_port_stats {
    uint32_t port_no;
    char *name;                 /* Owned (decoded) or borrowed (encoded). */
    uint64_t rx_packets, rx_bytes, rx_dropped, rx_errors;
    uint64_t tx_packets, tx_bytes, tx_dropped, tx_errors;
    uint32_t duration_sec;
};
char *ofp_wire_encode_port_stats(const struct ofp_port_stats *, size_t n);
char *ofp_wire_decode_port_stats(const char *json,
                                 struct ofp_port_stats **statsp, size_t *n)
    WARN_UNUSED_RESULT;
void ofp_wire_port_stats_free(struct ofp_port_stats *, size_t n);

/* show reply. */
struct ofp_port_desc {
    uint32_t port_no;
    char *name;
    struct eth_addr hw_addr;
    bool link_up;
};
struct ofp_bridge_desc {
    char *name;
    uint64_t datapath_id;
    unsigned int n_tables;
    struct ofp_port_desc *ports;
    size_t n_ports;
};
/* Encoding borrows every string; decoding allocates them (free with
 * ofp_wire_bridge_desc_uninit()). */
char *ofp_wire_encode_bridge_desc(const struct ofp_bridge_desc *);
char *ofp_wire_decode_bridge_desc(const char *json,
                                  struct ofp_bridge_desc *desc)
    WARN_UNUSED_RESULT;
void ofp_wire_bridge_desc_uninit(struct ofp_bridge_desc *);
/* Adds DESC's ports to MAP. */
void ofp_wire_bridge_desc_to_port_map(const struct ofp_bridge_desc *,
                                      struct ofp_port_map *map);

#endif /* ofp-wire.h */
