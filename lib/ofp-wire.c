/* ofp-wire: JSON encoding of skiff-ofctl's control commands. */
#include <config.h>

#include "ofp-wire.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "dynamic-string.h"
#include "util.h"

/* Encoding helpers. */

static char *
json_steal_text(struct json_object *obj)
{
    char *s = xstrdup(json_object_to_json_string_ext(obj,
                                                     JSON_C_TO_STRING_PLAIN));
    json_object_put(obj);
    return s;
}

static void
put_int(struct json_object *obj, const char *name, int64_t value)
{
    json_object_object_add(obj, name, json_object_new_int64(value));
}

static void
put_str(struct json_object *obj, const char *name, const char *value)
{
    json_object_object_add(obj, name, json_object_new_string(value));
}

static void
put_hex64(struct json_object *obj, const char *name, uint64_t value)
{
    char buf[32];
    snprintf(buf, sizeof buf, "0x%"PRIx64, value);
    put_str(obj, name, buf);
}

static void
put_match(struct json_object *obj, const struct match *match)
{
    struct ds ds = DS_EMPTY_INITIALIZER;
    match_format(&ds, match, NULL);
    put_str(obj, "match", ds_cstr(&ds));
    ds_destroy(&ds);
}

static void
put_actions(struct json_object *obj, const void *ofpacts, size_t len)
{
    struct ds ds = DS_EMPTY_INITIALIZER;
    if (len) {
        ofpacts_format(&ds, ofpacts, len, NULL);
    }
    put_str(obj, "actions", ds_cstr(&ds));
    ds_destroy(&ds);
}

/* Decoding helpers.  Each returns NULL or an error message. */

static char *
parse_json(const char *text, enum json_type type, struct json_object **objp)
{
    enum json_tokener_error jerr;
    struct json_object *obj = json_tokener_parse_verbose(text, &jerr);

    *objp = NULL;
    if (!obj) {
        return xasprintf("bad JSON: %s", json_tokener_error_desc(jerr));
    }
    if (!json_object_is_type(obj, type)) {
        json_object_put(obj);
        return xasprintf("JSON %s expected",
                         type == json_type_array ? "array" : "object");
    }
    *objp = obj;
    return NULL;
}

/* Checks that OBJ, an object, has exactly the members in NAMES. */
static char *
check_members(struct json_object *obj, const char *const names[], size_t n)
{
    if (!json_object_is_type(obj, json_type_object)) {
        return xstrdup("JSON object expected");
    }
    for (size_t i = 0; i < n; i++) {
        if (!json_object_object_get_ex(obj, names[i], NULL)) {
            return xasprintf("missing member \"%s\"", names[i]);
        }
    }
    if ((size_t) json_object_object_length(obj) != n) {
        json_object_object_foreach (obj, key, value) {
            bool known = false;
            for (size_t i = 0; i < n; i++) {
                known = known || !strcmp(key, names[i]);
            }
            (void) value;
            if (!known) {
                return xasprintf("unknown member \"%.64s\"", key);
            }
        }
    }
    return NULL;
}

static char *
get_uint(struct json_object *obj, const char *name, uint64_t max,
         uint64_t *value)
{
    struct json_object *v;
    json_object_object_get_ex(obj, name, &v);
    if (!json_object_is_type(v, json_type_int)) {
        return xasprintf("\"%s\" must be an integer", name);
    }
    int64_t x = json_object_get_int64(v);
    if (x < 0 || (uint64_t) x > max) {
        return xasprintf("\"%s\" out of range", name);
    }
    *value = x;
    return NULL;
}

static char *
get_str(struct json_object *obj, const char *name, const char **value)
{
    struct json_object *v;
    json_object_object_get_ex(obj, name, &v);
    if (!json_object_is_type(v, json_type_string)) {
        return xasprintf("\"%s\" must be a string", name);
    }
    *value = json_object_get_string(v);
    return NULL;
}

static char *
get_hex64(struct json_object *obj, const char *name, uint64_t *value)
{
    const char *s;
    char *error = get_str(obj, name, &s);
    if (error) {
        return error;
    }
    char *end;
    if (strncmp(s, "0x", 2) || !s[2] || strlen(s) > 18) {
        return xasprintf("\"%s\" must be a 0x hex string", name);
    }
    *value = strtoull(s + 2, &end, 16);
    if (*end) {
        return xasprintf("\"%s\" must be a 0x hex string", name);
    }
    return NULL;
}

static char *
get_match(struct json_object *obj, struct match *match)
{
    const char *text;
    char *error = get_str(obj, "match", &text);
    if (!error) {
        error = ofp_parse_match(match, text, NULL, NULL);
        if (error) {
            char *e = xasprintf("match: %s", error);
            free(error);
            error = e;
        }
    }
    return error;
}

static char *
get_actions(struct json_object *obj, uint8_t table_id, void **ofpactsp,
            size_t *lenp)
{
    const char *text;
    struct ofpacts ofpacts;

    *ofpactsp = NULL;
    *lenp = 0;
    char *error = get_str(obj, "actions", &text);
    if (error) {
        return error;
    }
    ofpacts_init(&ofpacts);
    error = ofp_parse_actions(&ofpacts, text, table_id, NULL, NULL);
    if (error) {
        char *e = xasprintf("actions: %s", error);
        free(error);
        ofpacts_uninit(&ofpacts);
        return e;
    }
    *ofpactsp = ofpacts_steal(&ofpacts, lenp);
    return NULL;
}

/* Flow mods. */

static const char *const flow_mod_members[] = {
    "command", "table_id", "priority", "cookie", "cookie_mask",
    "idle_timeout", "hard_timeout", "out_port", "match", "actions",
};

static struct json_object *
flow_mod_to_json(const struct ofp_flow_mod *fm)
{
    struct json_object *obj = json_object_new_object();
    put_str(obj, "command", ofp_flow_mod_command_to_string(fm->command));
    put_int(obj, "table_id", fm->table_id);
    put_int(obj, "priority", fm->priority);
    put_hex64(obj, "cookie", fm->cookie);
    put_hex64(obj, "cookie_mask", fm->cookie_mask);
    put_int(obj, "idle_timeout", fm->idle_timeout);
    put_int(obj, "hard_timeout", fm->hard_timeout);
    put_int(obj, "out_port", fm->out_port);
    put_match(obj, &fm->match);
    put_actions(obj, fm->ofpacts, fm->ofpacts_len);
    return obj;
}

char *
ofp_wire_encode_flow_mod(const struct ofp_flow_mod *fm)
{
    return json_steal_text(flow_mod_to_json(fm));
}

char *
ofp_wire_encode_flow_mods(const struct ofp_flow_mod *fms, size_t n)
{
    struct json_object *array = json_object_new_array();
    for (size_t i = 0; i < n; i++) {
        json_object_array_add(array, flow_mod_to_json(&fms[i]));
    }
    return json_steal_text(array);
}

static char *
flow_mod_from_json(struct json_object *obj, struct ofp_flow_mod *fm)
{
    const char *command;
    uint64_t table, priority, idle, hard, out_port;
    enum ofp_flow_mod_command cmd;
    char *error;

    memset(fm, 0, sizeof *fm);
    error = check_members(obj, flow_mod_members,
                          ARRAY_SIZE(flow_mod_members));
    if (error) {
        return error;
    }
    error = get_str(obj, "command", &command);
    if (error) {
        return error;
    }
    if (!ofp_flow_mod_command_from_string(command, &cmd)) {
        return xasprintf("unknown command \"%.64s\"", command);
    }
    ofp_flow_mod_init(fm, cmd);
    if ((error = get_uint(obj, "table_id", OFP_TABLE_ALL, &table))
        || (error = get_uint(obj, "priority", UINT16_MAX, &priority))
        || (error = get_hex64(obj, "cookie", &fm->cookie))
        || (error = get_hex64(obj, "cookie_mask", &fm->cookie_mask))
        || (error = get_uint(obj, "idle_timeout", UINT16_MAX, &idle))
        || (error = get_uint(obj, "hard_timeout", UINT16_MAX, &hard))
        || (error = get_uint(obj, "out_port", UINT32_MAX, &out_port))
        || (error = get_match(obj, &fm->match))) {
        goto error;
    }
    if (cmd == OFP_FLOW_ADD && table == OFP_TABLE_ALL) {
        error = xstrdup("add needs a table_id below 255");
        goto error;
    }
    if (cmd == OFP_FLOW_ADD && fm->cookie_mask) {
        error = xstrdup("add takes no cookie_mask");
        goto error;
    }
    if (fm->cookie & ~fm->cookie_mask && cmd != OFP_FLOW_ADD) {
        error = xstrdup("cookie has bits outside cookie_mask");
        goto error;
    }
    fm->table_id = table;
    fm->priority = priority;
    fm->idle_timeout = idle;
    fm->hard_timeout = hard;
    fm->out_port = out_port;
    error = get_actions(obj, fm->table_id, &fm->ofpacts, &fm->ofpacts_len);
    if (error) {
        goto error;
    }
    return NULL;

error:
    ofp_flow_mod_uninit(fm);
    memset(fm, 0, sizeof *fm);
    return error;
}

char *
ofp_wire_decode_flow_mod(const char *json, struct ofp_flow_mod *fm)
{
    struct json_object *obj;
    char *error = parse_json(json, json_type_object, &obj);
    if (error) {
        memset(fm, 0, sizeof *fm);
        return error;
    }
    error = flow_mod_from_json(obj, fm);
    json_object_put(obj);
    return error;
}

char *
ofp_wire_decode_flow_mods(const char *json, struct ofp_flow_mod **fmsp,
                          size_t *np)
{
    struct json_object *array;
    char *error = parse_json(json, json_type_array, &array);

    *fmsp = NULL;
    *np = 0;
    if (error) {
        return error;
    }
    size_t n = json_object_array_length(array);
    if (n > OFP_WIRE_MAX_FLOW_MODS) {
        json_object_put(array);
        return xasprintf("more than %d flow mods", OFP_WIRE_MAX_FLOW_MODS);
    }
    struct ofp_flow_mod *fms = xcalloc(n ? n : 1, sizeof *fms);
    for (size_t i = 0; i < n; i++) {
        error = flow_mod_from_json(json_object_array_get_idx(array, i),
                                   &fms[i]);
        if (error) {
            char *e = xasprintf("flow %zu: %s", i + 1, error);
            free(error);
            ofp_wire_flow_mods_free(fms, i);
            json_object_put(array);
            return e;
        }
    }
    json_object_put(array);
    *fmsp = fms;
    *np = n;
    return NULL;
}

void
ofp_wire_flow_mods_free(struct ofp_flow_mod *fms, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        ofp_flow_mod_uninit(&fms[i]);
    }
    free(fms);
}

/* Flow stats. */

static const char *const flow_stats_members[] = {
    "table_id", "priority", "cookie", "duration_sec", "duration_nsec",
    "idle_timeout", "hard_timeout", "idle_age", "n_packets", "n_bytes",
    "match", "actions",
};

/* The reply's top level: {"NAME": [...]}.  Returns the array. */
static char *
parse_reply_array(const char *json, const char *name,
                  struct json_object **objp, struct json_object **arrayp)
{
    const char *const members[] = { name };
    char *error = parse_json(json, json_type_object, objp);
    if (error) {
        return error;
    }
    error = check_members(*objp, members, 1);
    if (!error) {
        json_object_object_get_ex(*objp, name, arrayp);
        if (!json_object_is_type(*arrayp, json_type_array)) {
            error = xasprintf("\"%s\" must be an array", name);
        }
    }
    if (error) {
        json_object_put(*objp);
        *objp = NULL;
    }
    return error;
}

static struct json_object *
reply_object(const char *name, struct json_object *array)
{
    struct json_object *obj = json_object_new_object();
    json_object_object_add(obj, name, array);
    return obj;
}

char *
ofp_wire_encode_flow_stats(const struct ofp_flow_stats *stats, size_t n)
{
    struct json_object *array = json_object_new_array();
    for (size_t i = 0; i < n; i++) {
        const struct ofp_flow_stats *fs = &stats[i];
        struct json_object *obj = json_object_new_object();
        put_int(obj, "table_id", fs->table_id);
        put_int(obj, "priority", fs->priority);
        put_hex64(obj, "cookie", fs->cookie);
        put_int(obj, "duration_sec", fs->duration_sec);
        put_int(obj, "duration_nsec", fs->duration_nsec);
        put_int(obj, "idle_timeout", fs->idle_timeout);
        put_int(obj, "hard_timeout", fs->hard_timeout);
        put_int(obj, "idle_age", fs->idle_age);
        put_int(obj, "n_packets", MIN(fs->n_packets, (uint64_t) INT64_MAX));
        put_int(obj, "n_bytes", MIN(fs->n_bytes, (uint64_t) INT64_MAX));
        put_match(obj, &fs->match);
        put_actions(obj, fs->ofpacts, fs->ofpacts_len);
        json_object_array_add(array, obj);
    }
    return json_steal_text(reply_object("flows", array));
}

static char *
flow_stats_from_json(struct json_object *obj, struct ofp_flow_stats *fs)
{
    uint64_t table, priority, dsec, dnsec, idle, hard, age;
    char *error;
    void *ofpacts;

    memset(fs, 0, sizeof *fs);
    if ((error = check_members(obj, flow_stats_members,
                               ARRAY_SIZE(flow_stats_members)))
        || (error = get_uint(obj, "table_id", OFP_N_TABLES - 1, &table))
        || (error = get_uint(obj, "priority", UINT16_MAX, &priority))
        || (error = get_hex64(obj, "cookie", &fs->cookie))
        || (error = get_uint(obj, "duration_sec", UINT32_MAX, &dsec))
        || (error = get_uint(obj, "duration_nsec", 999999999, &dnsec))
        || (error = get_uint(obj, "idle_timeout", UINT16_MAX, &idle))
        || (error = get_uint(obj, "hard_timeout", UINT16_MAX, &hard))
        || (error = get_uint(obj, "idle_age", UINT32_MAX, &age))
        || (error = get_uint(obj, "n_packets", INT64_MAX, &fs->n_packets))
        || (error = get_uint(obj, "n_bytes", INT64_MAX, &fs->n_bytes))
        || (error = get_match(obj, &fs->match))
        || (error = get_actions(obj, table, &ofpacts, &fs->ofpacts_len))) {
        memset(fs, 0, sizeof *fs);
        return error;
    }
    fs->table_id = table;
    fs->priority = priority;
    fs->duration_sec = dsec;
    fs->duration_nsec = dnsec;
    fs->idle_timeout = idle;
    fs->hard_timeout = hard;
    fs->idle_age = age;
    fs->ofpacts = ofpacts;
    return NULL;
}

char *
ofp_wire_decode_flow_stats(const char *json, struct ofp_flow_stats **statsp,
                           size_t *np)
{
    struct json_object *obj, *array;
    char *error = parse_reply_array(json, "flows", &obj, &array);

    *statsp = NULL;
    *np = 0;
    if (error) {
        return error;
    }
    size_t n = json_object_array_length(array);
    struct ofp_flow_stats *stats = xcalloc(n ? n : 1, sizeof *stats);
    for (size_t i = 0; i < n; i++) {
        error = flow_stats_from_json(json_object_array_get_idx(array, i),
                                     &stats[i]);
        if (error) {
            char *e = xasprintf("flow %zu: %s", i + 1, error);
            free(error);
            ofp_wire_flow_stats_free(stats, i);
            json_object_put(obj);
            return e;
        }
    }
    json_object_put(obj);
    *statsp = stats;
    *np = n;
    return NULL;
}

void
ofp_wire_flow_stats_free(struct ofp_flow_stats *stats, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free((void *) stats[i].ofpacts);
    }
    free(stats);
}

/* Port stats. */

static const char *const port_stats_members[] = {
    "port_no", "name", "rx_packets", "rx_bytes", "rx_dropped", "rx_errors",
    "tx_packets", "tx_bytes", "tx_dropped", "tx_errors", "duration_sec",
};

char *
ofp_wire_encode_port_stats(const struct ofp_port_stats *stats, size_t n)
{
    struct json_object *array = json_object_new_array();
    for (size_t i = 0; i < n; i++) {
        const struct ofp_port_stats *ps = &stats[i];
        struct json_object *obj = json_object_new_object();
        put_int(obj, "port_no", ps->port_no);
        put_str(obj, "name", ps->name ? ps->name : "");
        put_int(obj, "rx_packets", MIN(ps->rx_packets, (uint64_t) INT64_MAX));
        put_int(obj, "rx_bytes", MIN(ps->rx_bytes, (uint64_t) INT64_MAX));
        put_int(obj, "rx_dropped", MIN(ps->rx_dropped, (uint64_t) INT64_MAX));
        put_int(obj, "rx_errors", MIN(ps->rx_errors, (uint64_t) INT64_MAX));
        put_int(obj, "tx_packets", MIN(ps->tx_packets, (uint64_t) INT64_MAX));
        put_int(obj, "tx_bytes", MIN(ps->tx_bytes, (uint64_t) INT64_MAX));
        put_int(obj, "tx_dropped", MIN(ps->tx_dropped, (uint64_t) INT64_MAX));
        put_int(obj, "tx_errors", MIN(ps->tx_errors, (uint64_t) INT64_MAX));
        put_int(obj, "duration_sec", ps->duration_sec);
        json_object_array_add(array, obj);
    }
    return json_steal_text(reply_object("ports", array));
}

static char *
port_stats_from_json(struct json_object *obj, struct ofp_port_stats *ps)
{
    uint64_t port_no, duration;
    const char *name;
    char *error;

    memset(ps, 0, sizeof *ps);
    if ((error = check_members(obj, port_stats_members,
                               ARRAY_SIZE(port_stats_members)))
        || (error = get_uint(obj, "port_no", UINT32_MAX, &port_no))
        || (error = get_str(obj, "name", &name))
        || (error = get_uint(obj, "rx_packets", INT64_MAX, &ps->rx_packets))
        || (error = get_uint(obj, "rx_bytes", INT64_MAX, &ps->rx_bytes))
        || (error = get_uint(obj, "rx_dropped", INT64_MAX, &ps->rx_dropped))
        || (error = get_uint(obj, "rx_errors", INT64_MAX, &ps->rx_errors))
        || (error = get_uint(obj, "tx_packets", INT64_MAX, &ps->tx_packets))
        || (error = get_uint(obj, "tx_bytes", INT64_MAX, &ps->tx_bytes))
        || (error = get_uint(obj, "tx_dropped", INT64_MAX, &ps->tx_dropped))
        || (error = get_uint(obj, "tx_errors", INT64_MAX, &ps->tx_errors))
        || (error = get_uint(obj, "duration_sec", UINT32_MAX, &duration))) {
        memset(ps, 0, sizeof *ps);
        return error;
    }
    ps->port_no = port_no;
    ps->duration_sec = duration;
    ps->name = xstrdup(name);
    return NULL;
}

char *
ofp_wire_decode_port_stats(const char *json, struct ofp_port_stats **statsp,
                           size_t *np)
{
    struct json_object *obj, *array;
    char *error = parse_reply_array(json, "ports", &obj, &array);

    *statsp = NULL;
    *np = 0;
    if (error) {
        return error;
    }
    size_t n = json_object_array_length(array);
    struct ofp_port_stats *stats = xcalloc(n ? n : 1, sizeof *stats);
    for (size_t i = 0; i < n; i++) {
        error = port_stats_from_json(json_object_array_get_idx(array, i),
                                     &stats[i]);
        if (error) {
            char *e = xasprintf("port %zu: %s", i + 1, error);
            free(error);
            ofp_wire_port_stats_free(stats, i);
            json_object_put(obj);
            return e;
        }
    }
    json_object_put(obj);
    *statsp = stats;
    *np = n;
    return NULL;
}

void
ofp_wire_port_stats_free(struct ofp_port_stats *stats, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(stats[i].name);
    }
    free(stats);
}

/* Bridge description. */

static const char *const bridge_members[] = {
    "name", "datapath_id", "n_tables", "ports",
};
static const char *const port_desc_members[] = {
    "port_no", "name", "hw_addr", "link_up",
};

char *
ofp_wire_encode_bridge_desc(const struct ofp_bridge_desc *desc)
{
    struct json_object *obj = json_object_new_object();
    struct json_object *ports = json_object_new_array();
    char buf[32];

    put_str(obj, "name", desc->name);
    snprintf(buf, sizeof buf, "0x%016"PRIx64, desc->datapath_id);
    put_str(obj, "datapath_id", buf);
    put_int(obj, "n_tables", desc->n_tables);
    for (size_t i = 0; i < desc->n_ports; i++) {
        const struct ofp_port_desc *pd = &desc->ports[i];
        struct json_object *port = json_object_new_object();
        const uint8_t *ea = pd->hw_addr.ea;
        put_int(port, "port_no", pd->port_no);
        put_str(port, "name", pd->name);
        snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x",
                 ea[0], ea[1], ea[2], ea[3], ea[4], ea[5]);
        put_str(port, "hw_addr", buf);
        json_object_object_add(port, "link_up",
                               json_object_new_boolean(pd->link_up));
        json_object_array_add(ports, port);
    }
    json_object_object_add(obj, "ports", ports);
    return json_steal_text(obj);
}

static char *
port_desc_from_json(struct json_object *obj, struct ofp_port_desc *pd)
{
    uint64_t port_no;
    const char *name, *hw_addr;
    struct json_object *link_up;
    unsigned int b[6];
    int len = 0;
    char *error;

    memset(pd, 0, sizeof *pd);
    if ((error = check_members(obj, port_desc_members,
                               ARRAY_SIZE(port_desc_members)))
        || (error = get_uint(obj, "port_no", UINT32_MAX, &port_no))
        || (error = get_str(obj, "name", &name))
        || (error = get_str(obj, "hw_addr", &hw_addr))) {
        return error;
    }
    if (strlen(hw_addr) != 17
        || sscanf(hw_addr, "%2x:%2x:%2x:%2x:%2x:%2x%n", &b[0], &b[1], &b[2],
                  &b[3], &b[4], &b[5], &len) != 6 || len != 17) {
        return xstrdup("\"hw_addr\" must be an Ethernet address");
    }
    json_object_object_get_ex(obj, "link_up", &link_up);
    if (!json_object_is_type(link_up, json_type_boolean)) {
        return xstrdup("\"link_up\" must be a boolean");
    }
    pd->port_no = port_no;
    pd->name = xstrdup(name);
    for (int i = 0; i < 6; i++) {
        pd->hw_addr.ea[i] = b[i];
    }
    pd->link_up = json_object_get_boolean(link_up);
    return NULL;
}

char *
ofp_wire_decode_bridge_desc(const char *json, struct ofp_bridge_desc *desc)
{
    struct json_object *obj, *ports;
    const char *name;
    uint64_t dpid, n_tables;
    char *error;

    memset(desc, 0, sizeof *desc);
    error = parse_json(json, json_type_object, &obj);
    if (error) {
        return error;
    }
    if ((error = check_members(obj, bridge_members,
                               ARRAY_SIZE(bridge_members)))
        || (error = get_str(obj, "name", &name))
        || (error = get_hex64(obj, "datapath_id", &dpid))
        || (error = get_uint(obj, "n_tables", OFP_N_TABLES, &n_tables))) {
        goto out;
    }
    json_object_object_get_ex(obj, "ports", &ports);
    if (!json_object_is_type(ports, json_type_array)) {
        error = xstrdup("\"ports\" must be an array");
        goto out;
    }
    size_t n = json_object_array_length(ports);
    desc->ports = xcalloc(n ? n : 1, sizeof *desc->ports);
    for (size_t i = 0; i < n; i++) {
        error = port_desc_from_json(json_object_array_get_idx(ports, i),
                                    &desc->ports[i]);
        if (error) {
            char *e = xasprintf("port %zu: %s", i + 1, error);
            free(error);
            error = e;
            goto out;
        }
        desc->n_ports++;
    }
    desc->name = xstrdup(name);
    desc->datapath_id = dpid;
    desc->n_tables = n_tables;

out:
    if (error) {
        ofp_wire_bridge_desc_uninit(desc);
    }
    json_object_put(obj);
    return error;
}

void
ofp_wire_bridge_desc_uninit(struct ofp_bridge_desc *desc)
{
    for (size_t i = 0; i < desc->n_ports; i++) {
        free(desc->ports[i].name);
    }
    free(desc->ports);
    free(desc->name);
    memset(desc, 0, sizeof *desc);
}

void
ofp_wire_bridge_desc_to_port_map(const struct ofp_bridge_desc *desc,
                                 struct ofp_port_map *map)
{
    for (size_t i = 0; i < desc->n_ports; i++) {
        ofp_port_map_add(map, desc->ports[i].name, desc->ports[i].port_no);
    }
}
