/*
 * ofp-parse: the flow text syntax (docs/flow-syntax.md) and the text of
 * dump-flows lines.
 *
 *     [table=N,] [priority=N,] [cookie=V[/MASK],] [idle_timeout=N,]
 *     [hard_timeout=N,] [out_port=PORT,] MATCH... [actions=ACTIONS]
 *
 * Fields are separated by commas or white space (or both); "actions=" is
 * last and takes the rest of the text.  Field names are those of
 * lib/match.h's table (with their aliases) and the shorthands ip, tcp...
 * Ports are numbers, reserved names (LOCAL, IN_PORT...) or, through a
 * caller-given resolver, port names (in double quotes if need be).
 *
 * Text is untrusted.  The parser returns either a complete result or an
 * error message (malloc'd; the caller frees it) that names the offending
 * token and its column (1-based, counted in bytes from the start of the
 * text), e.g.
 *     bad value "10.0.0.300" for nw_src (column 24)
 * and then leaves the output zeroed: never a partial result.
 *
 * Which keywords each command accepts (as ovs-ofctl):
 *     ADD            actions required; table (default 0), priority,
 *                    cookie (no mask), idle_timeout, hard_timeout.
 *     MODIFY[_STRICT] actions required; table (default all), priority,
 *                    cookie=V/MASK (a filter), idle_timeout, hard_timeout
 *                    (accepted and kept; OpenFlow 1.3 modifies ignore
 *                    them).
 *     DELETE[_STRICT] no actions; table (default all), cookie=V/MASK,
 *                    out_port, and priority only with _STRICT.
 *     QUERY (the dump-flows filter): like DELETE.
 * Priority is 0 to 65535, default OFP_DEFAULT_PRIORITY; it matters for
 * ADD and the _STRICT commands.
 */
#ifndef SKIFF_OFP_PARSE_H
#define SKIFF_OFP_PARSE_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "match.h"
#include "ofp-actions.h"
#include "util.h"

struct ds;

#define OFP_DEFAULT_PRIORITY 32768

enum ofp_flow_mod_command {
    OFP_FLOW_ADD,
    OFP_FLOW_MODIFY,
    OFP_FLOW_MODIFY_STRICT,
    OFP_FLOW_DELETE,
    OFP_FLOW_DELETE_STRICT,
    OFP_FLOW_QUERY,             /* Not a change: dump-flows' filter. */
};

/* "add", "modify", "modify_strict", "delete", "delete_strict", "query". */
const char *ofp_flow_mod_command_to_string(enum ofp_flow_mod_command);
/* Returns true and *CMD for one of those names. */
bool ofp_flow_mod_command_from_string(const char *,
                                      enum ofp_flow_mod_command *cmd);

struct ofp_flow_mod {
    enum ofp_flow_mod_command command;
    uint8_t table_id;           /* 0-254, or OFP_TABLE_ALL ("any"; never
                                 * for ADD). */
    uint16_t priority;
    uint64_t cookie;            /* ADD: the new flow's cookie. */
    uint64_t cookie_mask;       /* Others: flows whose cookie & mask ==
                                 * cookie & mask; 0 = any. */
    uint16_t idle_timeout;      /* Seconds; 0 = none. */
    uint16_t hard_timeout;
    uint32_t out_port;          /* DELETE*, QUERY: only flows that output
                                 * to it; OFPP_ANY = no filter. */
    struct match match;
    void *ofpacts;              /* Owned; NULL when ofpacts_len is 0. */
    size_t ofpacts_len;
};

/* Initializes FM for COMMAND with the defaults (catch-all match, no
 * actions, default priority, table 0 for ADD and OFP_TABLE_ALL else,
 * out_port OFPP_ANY). */
void ofp_flow_mod_init(struct ofp_flow_mod *, enum ofp_flow_mod_command);
/* Frees FM's actions.  Accepts a zeroed FM. */
void ofp_flow_mod_uninit(struct ofp_flow_mod *);

/* Parses TEXT, a flow for COMMAND, into FM (which need not be initialized;
 * on success the caller uninits it).  Port names go through RESOLVE (may
 * be NULL: numbers and reserved names only) with AUX.  Actions are
 * checked with ofpacts_check() against the flow's table.  Returns NULL,
 * or an error message (the caller frees it) with FM zeroed. */
char *ofp_parse_flow_mod(struct ofp_flow_mod *fm, const char *text,
                         enum ofp_flow_mod_command command,
                         ofp_port_resolver *resolve, void *aux)
    WARN_UNUSED_RESULT;

/* Parses just a match ("in_port=1,tcp,tp_dst=80"; no table, priority,
 * actions...) into MATCH, e.g. for ofproto/trace.  Returns NULL or an
 * error message (MATCH is then catch-all). */
char *ofp_parse_match(struct match *match, const char *text,
                      ofp_port_resolver *resolve, void *aux)
    WARN_UNUSED_RESULT;

/* Parses just actions ("output:1,goto_table:2") for a flow in TABLE_ID
 * (OFP_TABLE_ALL if unknown) and appends them to OFPACTS.  Returns NULL,
 * or an error message with OFPACTS as it was. */
char *ofp_parse_actions(struct ofpacts *ofpacts, const char *text,
                        uint8_t table_id, ofp_port_resolver *resolve,
                        void *aux)
    WARN_UNUSED_RESULT;

/* Appends FM in flow text, such that ofp_parse_flow_mod() of it with the
 * same command gives FM back: only what differs from the defaults of
 * ofp_flow_mod_init(), then the match, then " actions=..." (for commands
 * that take actions).  Port names from MAP (may be NULL). */
void ofp_flow_mod_format(struct ds *, const struct ofp_flow_mod *,
                         const struct ofp_port_map *map);

/* One flow as dump-flows reports it. */
struct ofp_flow_stats {
    uint8_t table_id;
    uint16_t priority;
    uint64_t cookie;
    uint32_t duration_sec;      /* Age of the flow. */
    uint32_t duration_nsec;
    uint16_t idle_timeout;
    uint16_t hard_timeout;
    uint32_t idle_age;          /* Seconds since the last packet (or since
                                 * the flow was added or modified). */
    uint64_t n_packets;
    uint64_t n_bytes;
    struct match match;
    const void *ofpacts;        /* Not owned by the struct. */
    size_t ofpacts_len;
};

/* Appends FS as one dump-flows line, without a newline or the leading
 * space skiff-ofctl prints, shaped like ovs-ofctl's:
 *   cookie=0x0, duration=1.234s, table=0, n_packets=0, n_bytes=0,
 *   idle_timeout=10, idle_age=1, priority=100,in_port=1 actions=output:2
 * (all on one line; idle_timeout and hard_timeout only when nonzero;
 * priority left out when it is OFP_DEFAULT_PRIORITY, and the match when
 * it is catch-all).  With SHOW_STATS false (--no-stats): the cookie only
 * when nonzero, the table only when not 0, no duration, counters or
 * ages:  "priority=100,in_port=1 actions=output:2". */
void ofp_flow_stats_format(struct ds *, const struct ofp_flow_stats *,
                           const struct ofp_port_map *map, bool show_stats);

#endif /* ofp-parse.h */
