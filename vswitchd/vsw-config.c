/* vsw-config: the switch's desired state, read from the database. */
#include <config.h>

#include "vsw-config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cpu-mask.h"
#include "db.h"
#include "hmap.h"
#include "util.h"

static const char *const iface_type_names[] = {
    [VSW_IFACE_SYSTEM] = "system",
    [VSW_IFACE_INTERNAL] = "internal",
    [VSW_IFACE_DPDK] = "dpdk",
    [VSW_IFACE_VHOSTUSER] = "dpdkvhostuser",
    [VSW_IFACE_VHOSTUSERCLIENT] = "dpdkvhostuserclient",
    [VSW_IFACE_PCAP] = "pcap",
    [VSW_IFACE_UNKNOWN] = "unknown",
};

const char *
vsw_iface_type_to_string(enum vsw_iface_type type)
{
    return type < ARRAY_SIZE(iface_type_names) ? iface_type_names[type]
                                               : "unknown";
}

static void PRINTF_FORMAT(2, 3)
add_problem(struct vsw_config *cfg, const char *format, ...)
{
    va_list args;

    va_start(args, format);
    cfg->problems = xrealloc(cfg->problems,
                             (cfg->n_problems + 1) * sizeof *cfg->problems);
    cfg->problems[cfg->n_problems++] = xvasprintf(format, args);
    va_end(args);
}

/* Rows already taken by an earlier bridge or port, by uuid. */
struct claim {
    struct hmap_node node;
    struct uuid uuid;
    const char *owner;          /* Name of who took it (not owned). */
};

static const char *
claim_find(const struct hmap *claims, const struct uuid *uuid)
{
    const struct claim *c;

    HMAP_FOR_EACH_WITH_HASH (c, node, uuid_hash(uuid), claims) {
        if (uuid_equals(&c->uuid, uuid)) {
            return c->owner;
        }
    }
    return NULL;
}

static void
claim_add(struct hmap *claims, const struct uuid *uuid, const char *owner)
{
    struct claim *c = xmalloc(sizeof *c);

    c->uuid = *uuid;
    c->owner = owner;
    hmap_insert(claims, &c->node, uuid_hash(uuid));
}

static void
claims_destroy(struct hmap *claims)
{
    struct claim *c;

    HMAP_FOR_EACH_SAFE (c, node, claims) {
        hmap_remove(claims, &c->node);
        free(c);
    }
    hmap_destroy(claims);
}

/* The rows of TABLE_NAME named by uuid in COLUMN of ROW, sorted by their
 * "name" column.  Returns the count; *ROWSP is to be freed. */
static int
compare_rows_by_name(const void *a_, const void *b_)
{
    const struct db_row *const *a = a_;
    const struct db_row *const *b = b_;
    const char *an = db_row_get_string(*a, "name");
    const char *bn = db_row_get_string(*b, "name");

    return strcmp(an ? an : "", bn ? bn : "");
}

static size_t
get_children(const struct db *db, const struct db_row *row,
             const char *column, const char *table_name,
             const struct db_row ***rowsp)
{
    const struct db_datum *d = db_row_get(row, column);
    const struct db_table *table = db_get_table(db, table_name);
    const struct db_row **rows = NULL;
    size_t n = 0;

    if (table && d->n) {
        rows = xmalloc(d->n * sizeof *rows);
        for (unsigned int i = 0; i < d->n; i++) {
            const struct db_row *child
                = db_table_find_row(table, &d->keys[i].uuid);
            if (child) {
                rows[n++] = child;
            }
        }
        qsort(rows, n, sizeof *rows, compare_rows_by_name);
    }
    *rowsp = rows;
    return n;
}

static const char *
get_map_value(const struct db_row *row, const char *column, const char *key)
{
    const struct db_datum *d = db_row_get(row, column);

    if (!d->values) {
        return NULL;
    }
    for (unsigned int i = 0; i < d->n; i++) {
        if (!strcmp(d->keys[i].string, key)) {
            return d->values[i].string;
        }
    }
    return NULL;
}

static int64_t
get_integer(const struct db_row *row, const char *column, int64_t def)
{
    const struct db_datum *d = db_row_get(row, column);

    return d->n ? d->keys[0].integer : def;
}

/* Sets *HAS and BITMAP from the VLAN ids in COLUMN of ROW. */
static void
get_vlan_set(const struct db_row *row, const char *column, bool *has,
             struct vlan_bitmap *bitmap)
{
    const struct db_datum *d = db_row_get(row, column);

    memset(bitmap, 0, sizeof *bitmap);
    *has = false;
    for (unsigned int i = 0; i < d->n; i++) {
        int64_t vid = d->keys[i].integer;

        if (vid >= 0 && vid < VLAN_N_VIDS) {
            vlan_bitmap_set(bitmap, vid);
            *has = true;
        }
    }
}

/* Reads an unsigned integer other_config KEY of ROW (in the table called
 * WHAT, named NAME in messages) into *VALUE if it lies in [MIN, MAX];
 * otherwise keeps DEF and records a problem. */
static unsigned int
get_config_uint(struct vsw_config *cfg, const struct db_row *row,
                const char *what, const char *key, unsigned int min,
                unsigned int max, unsigned int def)
{
    const char *s = get_map_value(row, "other_config", key);
    unsigned int value;

    if (!s) {
        return def;
    }
    if (str_to_uint(s, 10, max, &value) || value < min) {
        add_problem(cfg, "%s: other_config:%s=\"%s\" is not an integer "
                    "from %u to %u; using %u", what, key, s, min, max, def);
        return def;
    }
    return value;
}

static char *
get_cpu_mask(struct vsw_config *cfg, const struct db_row *root,
             const char *key)
{
    const char *s = get_map_value(root, "other_config", key);
    uint64_t bits[4];

    if (!s) {
        return NULL;
    }
    if (cpu_mask_parse(s, bits, ARRAY_SIZE(bits))) {
        add_problem(cfg, "Open_vSwitch: other_config:%s=\"%s\" is not a "
                    "hexadecimal CPU mask with at least one CPU; ignored",
                    key, s);
        return NULL;
    }
    return xstrdup(s);
}

/* "1024" or "1024,0,512": megabytes per NUMA socket. */
static bool
socket_mem_is_valid(const char *s)
{
    bool digit = false;

    for (; *s; s++) {
        if (isdigit((unsigned char) *s)) {
            digit = true;
        } else if (*s == ',' && digit) {
            digit = false;
        } else {
            return false;
        }
    }
    return digit;
}

static void
read_root_config(struct vsw_config *cfg, const struct db_row *root)
{
    const char *s;

    cfg->dpdk_lcore_mask = get_cpu_mask(cfg, root, "dpdk-lcore-mask");
    cfg->pmd_cpu_mask = get_cpu_mask(cfg, root, "pmd-cpu-mask");

    s = get_map_value(root, "other_config", "dpdk-socket-mem");
    if (s && socket_mem_is_valid(s)) {
        cfg->dpdk_socket_mem = xstrdup(s);
    } else if (s) {
        add_problem(cfg, "Open_vSwitch: other_config:dpdk-socket-mem=\"%s\" "
                    "is not a comma-separated list of megabytes; ignored",
                    s);
    }

    s = get_map_value(root, "other_config", "dpdk-extra");
    cfg->dpdk_extra = s ? xstrdup(s) : NULL;

    cfg->pmd_maxsleep = get_config_uint(cfg, root, "Open_vSwitch",
                                        "pmd-maxsleep", 0,
                                        VSW_MAX_PMD_MAXSLEEP,
                                        VSW_DEFAULT_PMD_MAXSLEEP);
}

static enum vsw_iface_type
iface_type_from_string(const char *s)
{
    if (!s || !*s) {
        return VSW_IFACE_SYSTEM;
    }
    for (size_t i = 0; i < ARRAY_SIZE(iface_type_names); i++) {
        if (i != VSW_IFACE_UNKNOWN && !strcmp(s, iface_type_names[i])) {
            return i;
        }
    }
    return VSW_IFACE_UNKNOWN;
}

static struct vsw_iface_cfg *
read_iface(const struct db_row *row)
{
    struct vsw_iface_cfg *iface = xzalloc(sizeof *iface);
    const char *type = db_row_get_string(row, "type");
    const struct db_datum *options = db_row_get(row, "options");

    iface->name = xstrdup(db_row_get_string(row, "name") ?: "");
    iface->uuid = *db_row_get_uuid(row);
    iface->type = iface_type_from_string(type);
    if (iface->type == VSW_IFACE_UNKNOWN) {
        iface->error = xasprintf("unknown interface type \"%s\"", type);
    }
    smap_init(&iface->options);
    for (unsigned int i = 0; options->values && i < options->n; i++) {
        smap_replace(&iface->options, options->keys[i].string,
                     options->values[i].string);
    }
    iface->ofport_request = get_integer(row, "ofport_request", 0);
    iface->mtu_request = get_integer(row, "mtu_request", 0);
    iface->ingress_policing_rate
        = MAX(get_integer(row, "ingress_policing_rate", 0), 0);
    iface->ingress_policing_burst
        = MAX(get_integer(row, "ingress_policing_burst", 0), 0);
    return iface;
}

static void
read_vlan(const struct db_row *row, struct vlan_port_config *vlan)
{
    const char *mode = db_row_get_string(row, "vlan_mode");

    vlan_port_config_init(vlan);
    if (!mode || !vlan_mode_from_string(mode, &vlan->mode)) {
        vlan->mode = VLAN_MODE_DEFAULT;
    }
    vlan->tag = get_integer(row, "tag", -1);
    get_vlan_set(row, "trunks", &vlan->has_trunks, &vlan->trunks);
    get_vlan_set(row, "cvlans", &vlan->has_cvlans, &vlan->cvlans);
}

static struct vsw_port_cfg *
read_port(struct vsw_config *cfg, const struct db *db,
          const struct db_row *row, struct hmap *iface_claims)
{
    struct vsw_port_cfg *port = xzalloc(sizeof *port);
    const struct db_row **ifaces;
    size_t n;

    port->name = xstrdup(db_row_get_string(row, "name") ?: "");
    port->uuid = *db_row_get_uuid(row);
    read_vlan(row, &port->vlan);

    n = get_children(db, row, "interfaces", "Interface", &ifaces);
    port->ifaces = xcalloc(MAX(n, 1), sizeof *port->ifaces);
    for (size_t i = 0; i < n; i++) {
        const struct uuid *uuid = db_row_get_uuid(ifaces[i]);
        const char *owner = claim_find(iface_claims, uuid);

        if (owner) {
            add_problem(cfg, "interface %s is in port %s and in port %s; "
                        "port %s leaves it out",
                        db_row_get_string(ifaces[i], "name") ?: "",
                        owner, port->name, port->name);
            continue;
        }
        claim_add(iface_claims, uuid, port->name);
        port->ifaces[port->n_ifaces++] = read_iface(ifaces[i]);
    }
    free(ifaces);
    return port;
}

static struct vsw_bridge_cfg *
read_bridge(struct vsw_config *cfg, const struct db *db,
            const struct db_row *row, struct hmap *port_claims,
            struct hmap *iface_claims)
{
    struct vsw_bridge_cfg *br = xzalloc(sizeof *br);
    const struct db_row **ports;
    char *what;
    size_t n;

    br->name = xstrdup(db_row_get_string(row, "name") ?: "");
    br->uuid = *db_row_get_uuid(row);
    br->datapath_type = xstrdup(db_row_get_string(row, "datapath_type")
                                ?: "");
    what = xasprintf("bridge %s", br->name);
    br->mac_aging_time = get_config_uint(cfg, row, what, "mac-aging-time",
                                         15, 1000000,
                                         VSW_DEFAULT_MAC_AGING_TIME);
    br->mac_table_size = get_config_uint(cfg, row, what, "mac-table-size",
                                         10, 1000000,
                                         VSW_DEFAULT_MAC_TABLE_SIZE);
    br->flow_limit = get_config_uint(cfg, row, what, "flow-limit",
                                     1, 10000000, VSW_DEFAULT_FLOW_LIMIT);
    br->max_idle = get_config_uint(cfg, row, what, "max-idle",
                                   100, 3600000, VSW_DEFAULT_MAX_IDLE);
    free(what);

    n = get_children(db, row, "ports", "Port", &ports);
    br->ports = xcalloc(MAX(n, 1), sizeof *br->ports);
    for (size_t i = 0; i < n; i++) {
        const struct uuid *uuid = db_row_get_uuid(ports[i]);
        const char *owner = claim_find(port_claims, uuid);

        if (owner) {
            add_problem(cfg, "port %s is in bridge %s and in bridge %s; "
                        "bridge %s leaves it out",
                        db_row_get_string(ports[i], "name") ?: "",
                        owner, br->name, br->name);
            continue;
        }
        claim_add(port_claims, uuid, br->name);
        br->ports[br->n_ports++] = read_port(cfg, db, ports[i],
                                             iface_claims);
    }
    free(ports);
    return br;
}

static const struct db_row *
find_root(const struct db *db)
{
    const struct db_table *table = db_get_table(db, "Open_vSwitch");
    const struct db_row *row;

    if (table) {
        DB_TABLE_FOR_EACH_ROW (row, table) {
            return row;
        }
    }
    return NULL;
}

void
vsw_config_read(struct vsw_config *cfg, const struct db *db)
{
    const struct db_row *root = find_root(db);
    const struct db_row **bridges;
    struct hmap port_claims, iface_claims;
    size_t n;

    memset(cfg, 0, sizeof *cfg);
    cfg->pmd_maxsleep = VSW_DEFAULT_PMD_MAXSLEEP;
    cfg->bridges = xcalloc(1, sizeof *cfg->bridges);
    if (!root) {
        return;
    }
    cfg->has_root = true;
    cfg->root_uuid = *db_row_get_uuid(root);
    cfg->next_cfg = get_integer(root, "next_cfg", 0);
    read_root_config(cfg, root);

    hmap_init(&port_claims);
    hmap_init(&iface_claims);
    n = get_children(db, root, "bridges", "Bridge", &bridges);
    free(cfg->bridges);
    cfg->bridges = xcalloc(MAX(n, 1), sizeof *cfg->bridges);
    for (size_t i = 0; i < n; i++) {
        cfg->bridges[cfg->n_bridges++]
            = read_bridge(cfg, db, bridges[i], &port_claims, &iface_claims);
    }
    free(bridges);
    claims_destroy(&port_claims);
    claims_destroy(&iface_claims);
}

static void
iface_destroy(struct vsw_iface_cfg *iface)
{
    free(iface->name);
    smap_destroy(&iface->options);
    free(iface->error);
    free(iface);
}

static void
port_destroy(struct vsw_port_cfg *port)
{
    for (size_t i = 0; i < port->n_ifaces; i++) {
        iface_destroy(port->ifaces[i]);
    }
    free(port->ifaces);
    free(port->name);
    free(port);
}

static void
bridge_destroy(struct vsw_bridge_cfg *br)
{
    for (size_t i = 0; i < br->n_ports; i++) {
        port_destroy(br->ports[i]);
    }
    free(br->ports);
    free(br->name);
    free(br->datapath_type);
    free(br);
}

void
vsw_config_destroy(struct vsw_config *cfg)
{
    for (size_t i = 0; i < cfg->n_bridges; i++) {
        bridge_destroy(cfg->bridges[i]);
    }
    free(cfg->bridges);
    for (size_t i = 0; i < cfg->n_problems; i++) {
        free(cfg->problems[i]);
    }
    free(cfg->problems);
    free(cfg->dpdk_lcore_mask);
    free(cfg->dpdk_socket_mem);
    free(cfg->dpdk_extra);
    free(cfg->pmd_cpu_mask);
    memset(cfg, 0, sizeof *cfg);
}

const struct vsw_bridge_cfg *
vsw_config_find_bridge(const struct vsw_config *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->n_bridges; i++) {
        if (!strcmp(cfg->bridges[i]->name, name)) {
            return cfg->bridges[i];
        }
    }
    return NULL;
}

const struct vsw_port_cfg *
vsw_bridge_find_port(const struct vsw_bridge_cfg *br, const char *name)
{
    for (size_t i = 0; i < br->n_ports; i++) {
        if (!strcmp(br->ports[i]->name, name)) {
            return br->ports[i];
        }
    }
    return NULL;
}
