/* ofp-actions: OpenFlow-style action lists: building, checking, text. */
#include <config.h>

#include "ofp-actions.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "dynamic-string.h"
#include "util.h"

void
ofpacts_init(struct ofpacts *ofpacts)
{
    ofpacts->data = NULL;
    ofpacts->size = ofpacts->allocated = 0;
}

void
ofpacts_uninit(struct ofpacts *ofpacts)
{
    free(ofpacts->data);
    ofpacts_init(ofpacts);
}

void
ofpacts_clear(struct ofpacts *ofpacts)
{
    ofpacts->size = 0;
}

void *
ofpacts_steal(struct ofpacts *ofpacts, size_t *len)
{
    void *data = ofpacts->size ? ofpacts->data : NULL;
    *len = ofpacts->size;
    if (!data) {
        free(ofpacts->data);
    }
    ofpacts_init(ofpacts);
    return data;
}

static size_t
pad8(size_t n)
{
    return (n + OFPACT_ALIGN - 1) & ~(size_t) (OFPACT_ALIGN - 1);
}

void *
ofpact_put(struct ofpacts *ofpacts, enum ofpact_type type, size_t len)
{
    len = pad8(len);
    if (ofpacts->size + len > ofpacts->allocated) {
        size_t want = MAX(ofpacts->size + len, 2 * ofpacts->allocated);
        ofpacts->allocated = MAX(want, 64);
        ofpacts->data = xrealloc(ofpacts->data, ofpacts->allocated);
    }
    struct ofpact *a = (void *) (ofpacts->data + ofpacts->size);
    memset(a, 0, len);
    a->type = type;
    a->len = len;
    ofpacts->size += len;
    return a;
}

void
ofpact_put_output(struct ofpacts *ofpacts, uint32_t port, uint16_t max_len)
{
    struct ofpact_output *o = ofpact_put(ofpacts, OFPACT_OUTPUT, sizeof *o);
    o->port = port;
    o->max_len = port == OFPP_CONTROLLER ? max_len : 0;
}

void
ofpact_put_simple(struct ofpacts *ofpacts, enum ofpact_type type)
{
    ofpact_put(ofpacts, type, sizeof(struct ofpact));
}

void
ofpact_put_goto_table(struct ofpacts *ofpacts, uint8_t table_id)
{
    struct ofpact_goto_table *g = ofpact_put(ofpacts, OFPACT_GOTO_TABLE,
                                             sizeof *g);
    g->table_id = table_id;
}

size_t
ofpact_start_nested(struct ofpacts *ofpacts, enum ofpact_type type)
{
    size_t offset = ofpacts->size;
    ofpact_put(ofpacts, type, sizeof(struct ofpact));
    return offset;
}

void
ofpact_end_nested(struct ofpacts *ofpacts, size_t offset)
{
    struct ofpact *a = (void *) (ofpacts->data + offset);
    a->len = ofpacts->size - offset;
}

/* Checking. */

/* The payload size each type needs, or 0 for variable-length types. */
static size_t
ofpact_min_len(enum ofpact_type type)
{
    switch (type) {
    case OFPACT_OUTPUT:
        return sizeof(struct ofpact_output);
    case OFPACT_SET_VLAN_VID:
        return sizeof(struct ofpact_vlan_vid);
    case OFPACT_SET_VLAN_PCP:
        return sizeof(struct ofpact_vlan_pcp);
    case OFPACT_STRIP_VLAN:
        return sizeof(struct ofpact_strip_vlan);
    case OFPACT_PUSH_VLAN:
        return sizeof(struct ofpact_push_vlan);
    case OFPACT_SET_FIELD:
        return sizeof(struct ofpact_set_field);
    case OFPACT_SET_ETH_SRC:
    case OFPACT_SET_ETH_DST:
        return sizeof(struct ofpact_mac);
    case OFPACT_SET_IPV4_SRC:
    case OFPACT_SET_IPV4_DST:
        return sizeof(struct ofpact_ipv4);
    case OFPACT_SET_IP_DSCP:
        return sizeof(struct ofpact_dscp);
    case OFPACT_SET_L4_SRC_PORT:
    case OFPACT_SET_L4_DST_PORT:
        return sizeof(struct ofpact_l4_port);
    case OFPACT_DEC_TTL:
    case OFPACT_CLEAR_ACTIONS:
    case OFPACT_WRITE_ACTIONS:
        return sizeof(struct ofpact);
    case OFPACT_RESUBMIT:
        return sizeof(struct ofpact_resubmit);
    case OFPACT_SET_QUEUE:
        return sizeof(struct ofpact_queue);
    case OFPACT_NOTE:
        return sizeof(struct ofpact_note);
    case OFPACT_WRITE_METADATA:
        return sizeof(struct ofpact_metadata);
    case OFPACT_GOTO_TABLE:
        return sizeof(struct ofpact_goto_table);
    default:
        return 0;
    }
}

static bool
is_instruction(uint16_t type)
{
    return type >= OFPACT_CLEAR_ACTIONS && type <= OFPACT_GOTO_TABLE;
}

static bool
output_port_ok(uint32_t port)
{
    return (port >= 1 && port <= OFPP_MAX) || port == OFPP_IN_PORT
           || port == OFPP_NORMAL || port == OFPP_FLOOD || port == OFPP_ALL
           || port == OFPP_LOCAL || port == OFPP_CONTROLLER;
}

static bool
set_field_ok(const struct ofpact_set_field *sf)
{
    const struct match_field *f = match_field_from_id(sf->field);
    if (!f || !f->writable || !match_field_value_ok(f, &sf->value)
        || !match_field_value_ok(f, &sf->mask)) {
        return false;
    }
    for (size_t i = 0; i < sizeof sf->value.bytes; i++) {
        if (sf->value.bytes[i] & ~sf->mask.bytes[i]) {
            return false;
        }
    }
    return true;
}

/* Checks one record's values; returns an error message or NULL. */
static char *
check_one(const struct ofpact *a, uint8_t table_id)
{
    switch ((enum ofpact_type) a->type) {
    case OFPACT_OUTPUT: {
        const struct ofpact_output *o = ofpact_get_output(a);
        if (!output_port_ok(o->port)) {
            return xasprintf("output:%"PRIu32": not a valid output port",
                             o->port);
        }
        return NULL;
    }
    case OFPACT_SET_VLAN_VID:
        return (ofpact_get_vlan_vid(a)->vid > VLAN_VID_MASK
                ? xasprintf("mod_vlan_vid:%u: VID must be 0 to 4095",
                            ofpact_get_vlan_vid(a)->vid)
                : NULL);
    case OFPACT_SET_VLAN_PCP:
        return (ofpact_get_vlan_pcp(a)->pcp > 7
                ? xasprintf("mod_vlan_pcp:%u: PCP must be 0 to 7",
                            ofpact_get_vlan_pcp(a)->pcp)
                : NULL);
    case OFPACT_PUSH_VLAN: {
        uint16_t tpid = ntohs(ofpact_get_push_vlan(a)->tpid);
        return (tpid != ETH_TYPE_VLAN_8021Q && tpid != ETH_TYPE_VLAN_8021AD
                ? xasprintf("push_vlan:0x%04"PRIx16": TPID must be 0x8100 "
                            "or 0x88a8", tpid)
                : NULL);
    }
    case OFPACT_SET_FIELD:
        return (set_field_ok(ofpact_get_set_field(a)) ? NULL
                : xstrdup("set_field: bad field or value"));
    case OFPACT_SET_IP_DSCP:
        return (ofpact_get_dscp(a)->dscp & 3
                ? xasprintf("mod_nw_tos:%u: must be a multiple of 4",
                            ofpact_get_dscp(a)->dscp)
                : NULL);
    case OFPACT_RESUBMIT: {
        const struct ofpact_resubmit *r = ofpact_get_resubmit(a);
        if (r->in_port != OFPP_IN_PORT
            && (r->in_port < 1 || r->in_port > OFPP_MAX)
            && r->in_port != OFPP_LOCAL) {
            return xasprintf("resubmit: bad port %"PRIu32, r->in_port);
        }
        return NULL;
    }
    case OFPACT_NOTE: {
        const struct ofpact_note *n = ofpact_get_note(a);
        return (n->length > OFPACT_NOTE_MAX
                || sizeof *n + n->length > a->len
                ? xstrdup("note: bad length") : NULL);
    }
    case OFPACT_WRITE_METADATA: {
        const struct ofpact_metadata *m = ofpact_get_metadata(a);
        return (m->metadata & ~m->mask
                ? xstrdup("write_metadata: value has bits outside its mask")
                : NULL);
    }
    case OFPACT_GOTO_TABLE: {
        uint8_t to = ofpact_get_goto_table(a)->table_id;
        if (to >= OFP_N_TABLES) {
            return xasprintf("goto_table:%u: no such table", to);
        }
        if (table_id != OFP_TABLE_ALL && to <= table_id) {
            return xasprintf("goto_table:%u: must go to a later table "
                             "than %u", to, table_id);
        }
        return NULL;
    }
    case OFPACT_SET_ETH_SRC:
    case OFPACT_SET_ETH_DST:
    case OFPACT_SET_IPV4_SRC:
    case OFPACT_SET_IPV4_DST:
    case OFPACT_SET_L4_SRC_PORT:
    case OFPACT_SET_L4_DST_PORT:
    case OFPACT_STRIP_VLAN:
    case OFPACT_DEC_TTL:
    case OFPACT_SET_QUEUE:
    case OFPACT_CLEAR_ACTIONS:
    case OFPACT_WRITE_ACTIONS:
        return NULL;
    }
    return xasprintf("unknown action type %u", a->type);
}

static char *
check_list(const void *ofpacts, size_t len, uint8_t table_id, bool nested)
{
    int last_instruction = 0;

    if (!len) {
        return NULL;
    } else if (!ofpacts) {
        return xstrdup("missing actions");
    }
    const uint8_t *p = ofpacts;
    const uint8_t *end = p + len;
    while (p < end) {
        struct ofpact a;
        if ((size_t) (end - p) < sizeof a) {
            return xstrdup("truncated action");
        }
        memcpy(&a, p, sizeof a);
        size_t min = ofpact_min_len(a.type);
        if (!min) {
            return xasprintf("unknown action type %u", a.type);
        }
        if (a.len < min || a.len % OFPACT_ALIGN || a.len > end - p) {
            return xasprintf("action type %u has bad length %u",
                             a.type, a.len);
        }
        if (is_instruction(a.type)) {
            if (nested) {
                return xstrdup("write_actions may hold only actions");
            }
            if (a.type <= last_instruction) {
                return xstrdup("instructions must come after the actions, "
                               "each at most once, in the order "
                               "clear_actions, write_actions, "
                               "write_metadata, goto_table");
            }
            last_instruction = a.type;
        } else if (last_instruction) {
            return xstrdup("actions must come before the instructions");
        }
        char *error = check_one((const void *) p, table_id);
        if (error) {
            return error;
        }
        if (a.type == OFPACT_WRITE_ACTIONS) {
            error = check_list(p + sizeof a, a.len - sizeof a, table_id,
                               true);
            if (error) {
                return error;
            }
        }
        p += a.len;
    }
    return NULL;
}

int
ofpacts_check(const void *ofpacts, size_t len, uint8_t table_id,
              char **errorp)
{
    if (((uintptr_t) ofpacts % OFPACT_ALIGN) != 0) {
        *errorp = xstrdup("misaligned actions");
        return EINVAL;
    }
    *errorp = check_list(ofpacts, len, table_id, false);
    return *errorp ? EINVAL : 0;
}

bool
ofpacts_equal(const void *a, size_t a_len, const void *b, size_t b_len)
{
    return a_len == b_len && (!a_len || !memcmp(a, b, a_len));
}

bool
ofpacts_output_to_port(const void *ofpacts, size_t len, uint32_t port)
{
    if (port == OFPP_ANY) {
        return true;
    }
    OFPACT_FOR_EACH (a, ofpacts, len) {
        if (a->type == OFPACT_OUTPUT && ofpact_get_output(a)->port == port) {
            return true;
        }
        if (a->type == OFPACT_WRITE_ACTIONS
            && ofpacts_output_to_port(ofpact_nest_actions(a),
                                      ofpact_nest_len(a), port)) {
            return true;
        }
    }
    return false;
}

/* Formatting. */

static void
format_output(struct ds *ds, const struct ofpact_output *o,
              const struct ofp_port_map *map)
{
    if (o->port == OFPP_CONTROLLER) {
        ds_put_format(ds, "CONTROLLER:%u", o->max_len);
    } else if (o->port <= OFPP_MAX) {
        ds_put_cstr(ds, "output:");
        ofp_port_format(ds, o->port, map);
    } else {
        ofp_port_format(ds, o->port, map);
    }
}

static void
format_resubmit(struct ds *ds, const struct ofpact_resubmit *r,
                const struct ofp_port_map *map)
{
    if (r->table_id == OFPACT_TABLE_CURRENT) {
        ds_put_cstr(ds, "resubmit:");
        ofp_port_format(ds, r->in_port, map);
        return;
    }
    ds_put_cstr(ds, "resubmit(");
    if (r->in_port != OFPP_IN_PORT) {
        ofp_port_format(ds, r->in_port, map);
    }
    ds_put_format(ds, ",%u)", r->table_id);
}

static void
format_set_field(struct ds *ds, const struct ofpact_set_field *sf)
{
    const struct match_field *f = match_field_from_id(sf->field);
    ds_put_cstr(ds, "set_field:");
    match_field_format_value(ds, f, &sf->value, &sf->mask, NULL);
    ds_put_format(ds, "->%s", f->name);
}

static void
format_eth(struct ds *ds, const char *name, struct eth_addr a)
{
    ds_put_format(ds, "%s:%02x:%02x:%02x:%02x:%02x:%02x", name,
                  a.ea[0], a.ea[1], a.ea[2], a.ea[3], a.ea[4], a.ea[5]);
}

static void
format_ipv4(struct ds *ds, const char *name, be32 ip)
{
    const uint8_t *b = (const uint8_t *) &ip;
    ds_put_format(ds, "%s:%u.%u.%u.%u", name, b[0], b[1], b[2], b[3]);
}

static void
format_note(struct ds *ds, const struct ofpact_note *n)
{
    ds_put_cstr(ds, "note:");
    for (size_t i = 0; i < n->length; i++) {
        ds_put_format(ds, "%s%02x", i ? "." : "", n->data[i]);
    }
}

static void format_list(struct ds *, const void *ofpacts, size_t len,
                        const struct ofp_port_map *);

static void
format_one(struct ds *ds, const struct ofpact *a,
           const struct ofp_port_map *map)
{
    switch ((enum ofpact_type) a->type) {
    case OFPACT_OUTPUT:
        format_output(ds, ofpact_get_output(a), map);
        break;
    case OFPACT_SET_VLAN_VID:
        ds_put_format(ds, "mod_vlan_vid:%u", ofpact_get_vlan_vid(a)->vid);
        break;
    case OFPACT_SET_VLAN_PCP:
        ds_put_format(ds, "mod_vlan_pcp:%u", ofpact_get_vlan_pcp(a)->pcp);
        break;
    case OFPACT_STRIP_VLAN:
        ds_put_cstr(ds, ofpact_get_strip_vlan(a)->pop_vlan
                    ? "pop_vlan" : "strip_vlan");
        break;
    case OFPACT_PUSH_VLAN:
        ds_put_format(ds, "push_vlan:0x%04"PRIx16,
                      ntohs(ofpact_get_push_vlan(a)->tpid));
        break;
    case OFPACT_SET_FIELD:
        format_set_field(ds, ofpact_get_set_field(a));
        break;
    case OFPACT_SET_ETH_SRC:
        format_eth(ds, "mod_dl_src", ofpact_get_mac(a)->mac);
        break;
    case OFPACT_SET_ETH_DST:
        format_eth(ds, "mod_dl_dst", ofpact_get_mac(a)->mac);
        break;
    case OFPACT_SET_IPV4_SRC:
        format_ipv4(ds, "mod_nw_src", ofpact_get_ipv4(a)->ipv4);
        break;
    case OFPACT_SET_IPV4_DST:
        format_ipv4(ds, "mod_nw_dst", ofpact_get_ipv4(a)->ipv4);
        break;
    case OFPACT_SET_IP_DSCP:
        ds_put_format(ds, "mod_nw_tos:%u", ofpact_get_dscp(a)->dscp);
        break;
    case OFPACT_SET_L4_SRC_PORT:
        ds_put_format(ds, "mod_tp_src:%u",
                      ntohs(ofpact_get_l4_port(a)->port));
        break;
    case OFPACT_SET_L4_DST_PORT:
        ds_put_format(ds, "mod_tp_dst:%u",
                      ntohs(ofpact_get_l4_port(a)->port));
        break;
    case OFPACT_DEC_TTL:
        ds_put_cstr(ds, "dec_ttl");
        break;
    case OFPACT_RESUBMIT:
        format_resubmit(ds, ofpact_get_resubmit(a), map);
        break;
    case OFPACT_SET_QUEUE:
        ds_put_format(ds, "set_queue:%"PRIu32,
                      ofpact_get_queue(a)->queue_id);
        break;
    case OFPACT_NOTE:
        format_note(ds, ofpact_get_note(a));
        break;
    case OFPACT_CLEAR_ACTIONS:
        ds_put_cstr(ds, "clear_actions");
        break;
    case OFPACT_WRITE_ACTIONS:
        ds_put_cstr(ds, "write_actions(");
        format_list(ds, ofpact_nest_actions(a), ofpact_nest_len(a), map);
        ds_put_char(ds, ')');
        break;
    case OFPACT_WRITE_METADATA: {
        const struct ofpact_metadata *m = ofpact_get_metadata(a);
        ds_put_format(ds, "write_metadata:0x%"PRIx64, m->metadata);
        if (m->mask != UINT64_MAX) {
            ds_put_format(ds, "/0x%"PRIx64, m->mask);
        }
        break;
    }
    case OFPACT_GOTO_TABLE:
        ds_put_format(ds, "goto_table:%u",
                      ofpact_get_goto_table(a)->table_id);
        break;
    }
}

static void
format_list(struct ds *ds, const void *ofpacts, size_t len,
            const struct ofp_port_map *map)
{
    bool first = true;
    OFPACT_FOR_EACH (a, ofpacts, len) {
        if (!first) {
            ds_put_char(ds, ',');
        }
        first = false;
        format_one(ds, a, map);
    }
}

void
ofpacts_format(struct ds *ds, const void *ofpacts, size_t len,
               const struct ofp_port_map *map)
{
    if (!len) {
        ds_put_cstr(ds, "drop");
    } else {
        format_list(ds, ofpacts, len, map);
    }
}
