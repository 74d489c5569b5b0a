/* bridge: brings the running switch to the state the database describes. */
#include <config.h>

#include "bridge.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "datapath/dpif.h"
#include "hash.h"
#include "hmap.h"
#include "match.h"
#include "ofproto/ofproto.h"
#include "ofproto/vlan.h"
#include "smap.h"
#include "util.h"
#include "vlog.h"
#include "vsw-config.h"

VLOG_DEFINE_THIS_MODULE(bridge);

struct bridge {
    struct hmap_node node;          /* In 'bridges', by name. */
    char *name;
    struct ofproto *ofproto;
    struct hmap ifaces;             /* struct iface, by name ('br_node'). */
    bool seen;                      /* Still configured (reconfigure). */
};

struct iface {
    struct hmap_node br_node;       /* In its bridge's 'ifaces'. */
    struct hmap_node all_node;      /* In 'all_ifaces'. */
    struct bridge *br;
    char *name;
    char *port_name;
    enum vsw_iface_type type;
    struct smap options;            /* As the port was made with. */
    struct vlan_port_config vlan;
    uint32_t dp_port;               /* 0: no datapath port. */
    uint32_t ofp_port;              /* 0: not in the bridge. */
    char *error;                    /* Why it has no port, or NULL. */
    bool seen;
};

static struct hmap bridges = HMAP_INITIALIZER(&bridges);
static struct hmap all_ifaces = HMAP_INITIALIZER(&all_ifaces);
static struct dpif *the_dpif;

void
bridge_init(struct dpif *dpif)
{
    the_dpif = dpif;
}

static struct bridge *
bridge_find(const char *name)
{
    struct bridge *br;

    HMAP_FOR_EACH_WITH_HASH (br, node, hash_string(name, 0), &bridges) {
        if (!strcmp(br->name, name)) {
            return br;
        }
    }
    return NULL;
}

static struct iface *
iface_find(const char *name)
{
    struct iface *iface;

    HMAP_FOR_EACH_WITH_HASH (iface, all_node, hash_string(name, 0),
                             &all_ifaces) {
        if (!strcmp(iface->name, name)) {
            return iface;
        }
    }
    return NULL;
}

/* Removes IFACE from its bridge and the datapath and frees it. */
static void
iface_destroy(struct iface *iface)
{
    if (iface->ofp_port) {
        ofproto_port_del(iface->br->ofproto, iface->ofp_port);
    }
    if (iface->dp_port && the_dpif) {
        dpif_port_del(the_dpif, iface->dp_port);
    }
    VLOG_INFO("bridge %s: removed interface %s", iface->br->name,
              iface->name);
    hmap_remove(&iface->br->ifaces, &iface->br_node);
    hmap_remove(&all_ifaces, &iface->all_node);
    smap_destroy(&iface->options);
    free(iface->port_name);
    free(iface->name);
    free(iface->error);
    free(iface);
}

static void
bridge_destroy(struct bridge *br)
{
    struct iface *iface;

    HMAP_FOR_EACH_SAFE (iface, br_node, &br->ifaces) {
        iface_destroy(iface);
    }
    VLOG_INFO("removed bridge %s", br->name);
    ofproto_destroy(br->ofproto);
    hmap_remove(&bridges, &br->node);
    hmap_destroy(&br->ifaces);
    free(br->name);
    free(br);
}

static struct bridge *
bridge_create(const struct vsw_bridge_cfg *cfg)
{
    struct ofproto *ofproto;
    struct bridge *br;
    int error = ofproto_create(cfg->name, &ofproto);

    if (error) {
        VLOG_ERR("bridge %s: cannot create (%s)", cfg->name,
                 strerror(error));
        return NULL;
    }
    br = xzalloc(sizeof *br);
    br->name = xstrdup(cfg->name);
    br->ofproto = ofproto;
    hmap_init(&br->ifaces);
    hmap_insert(&bridges, &br->node, hash_string(br->name, 0));
    VLOG_INFO("added bridge %s", br->name);
    return br;
}

static bool
vlan_equal(const struct vlan_port_config *a,
           const struct vlan_port_config *b)
{
    return a->mode == b->mode && a->tag == b->tag
           && a->has_trunks == b->has_trunks
           && a->has_cvlans == b->has_cvlans
           && !memcmp(&a->trunks, &b->trunks, sizeof a->trunks)
           && !memcmp(&a->cvlans, &b->cvlans, sizeof a->cvlans);
}

/* Whether IFACE can stay as it is for CFG in port PORT of bridge BR (VLAN
 * settings aside, which change in place). */
static bool
iface_unchanged(const struct iface *iface, const struct bridge *br,
                const struct vsw_port_cfg *port,
                const struct vsw_iface_cfg *cfg)
{
    return iface->br == br && !strcmp(iface->port_name, port->name)
           && iface->type == cfg->type
           && smap_equal(&iface->options, &cfg->options)
           && !iface->error && !cfg->error;
}

static bool
ofp_port_is_free(const struct bridge *br, uint32_t ofp_port)
{
    const struct iface *iface;

    HMAP_FOR_EACH (iface, br_node, &br->ifaces) {
        if (iface->ofp_port == ofp_port) {
            return false;
        }
    }
    return true;
}

static uint32_t
choose_ofp_port(const struct bridge *br, const struct vsw_iface_cfg *cfg,
                uint32_t hint)
{
    if (!strcmp(cfg->name, br->name) && cfg->type == VSW_IFACE_INTERNAL) {
        return OFPP_LOCAL;
    }
    if (cfg->ofport_request > 0
        && ofp_port_is_free(br, cfg->ofport_request)) {
        return cfg->ofport_request;
    }
    if (hint > 0 && hint < OFPP_MAX && ofp_port_is_free(br, hint)) {
        return hint;
    }
    for (uint32_t p = 1; ; p++) {
        if (ofp_port_is_free(br, p)) {
            return p;
        }
    }
}

static const char *
dp_type_name(enum vsw_iface_type type)
{
    return type == VSW_IFACE_SYSTEM ? "system" : vsw_iface_type_to_string(type);
}

/* Makes the datapath port for IFACE.  Returns 0 or an errno value with
 * IFACE->error set. */
static int
iface_open_dp_port(struct iface *iface)
{
    const struct smap_node **nodes = smap_sorted(&iface->options);
    size_t n = smap_count(&iface->options);
    const char **kv = xcalloc(MAX(n, 1), sizeof *kv);
    struct dp_port_options options = { kv, n };
    char *message = NULL;
    int error;

    for (size_t i = 0; i < n; i++) {
        kv[i] = xasprintf("%s=%s", nodes[i]->key, nodes[i]->value);
    }
    if (!the_dpif) {
        error = ENODEV;
        message = xstrdup("the datapath is not running (see the log)");
    } else {
        error = dpif_port_add_stopped(the_dpif, iface->name,
                                      dp_type_name(iface->type), &options,
                                      &iface->dp_port, &message);
    }
    if (error) {
        iface->dp_port = 0;
        iface->error = message ? message
                               : xasprintf("cannot add: %s", strerror(error));
    } else {
        free(message);
    }
    for (size_t i = 0; i < n; i++) {
        free((char *) kv[i]);
    }
    free(kv);
    free(nodes);
    return error;
}

/* Puts IFACE into its bridge with its VLAN settings. */
static void
iface_set_bridge_port(struct iface *iface)
{
    struct ofproto_port_settings s = {
        .name = iface->name,
        .ofp_port = iface->ofp_port,
        .dp_port = iface->dp_port,
        .vlan = iface->vlan,
    };
    struct dpif_port_info info;
    char *message = NULL;

    if (the_dpif && iface->dp_port
        && !dpif_port_query(the_dpif, iface->dp_port, &info)) {
        s.hw_addr = info.mac;
    }
    if (ofproto_port_set(iface->br->ofproto, &s, &message)) {
        VLOG_WARN("bridge %s: interface %s: %s", iface->br->name,
                  iface->name, message ? message : "cannot add");
        iface->error = message ? message : xstrdup("cannot add to bridge");
        if (iface->dp_port && the_dpif) {
            dpif_port_del(the_dpif, iface->dp_port);
        }
        iface->dp_port = 0;
        iface->ofp_port = 0;
    }
}

static void
iface_create(struct bridge *br, const struct vsw_port_cfg *port,
             const struct vsw_iface_cfg *cfg, uint32_t hint)
{
    struct iface *iface = xzalloc(sizeof *iface);

    iface->br = br;
    iface->name = xstrdup(cfg->name);
    iface->port_name = xstrdup(port->name);
    iface->type = cfg->type;
    smap_clone(&iface->options, &cfg->options);
    iface->vlan = port->vlan;
    iface->seen = true;
    hmap_insert(&br->ifaces, &iface->br_node, hash_string(iface->name, 0));
    hmap_insert(&all_ifaces, &iface->all_node, hash_string(iface->name, 0));

    if (cfg->error) {
        iface->error = xstrdup(cfg->error);
    } else if (port->n_ifaces > 1) {
        iface->error = xasprintf("port %s has %zu interfaces: bonds are "
                                 "not supported yet", port->name,
                                 port->n_ifaces);
    } else if (!iface_open_dp_port(iface)) {
        /* The bridge knows the port before its first packet is read. */
        iface->ofp_port = choose_ofp_port(br, cfg, hint);
        iface_set_bridge_port(iface);
        if (iface->dp_port) {
            dpif_port_start(the_dpif, iface->dp_port);
        }
    }
    if (iface->error) {
        VLOG_WARN("bridge %s: interface %s: %s", br->name, iface->name,
                  iface->error);
    } else {
        VLOG_INFO("bridge %s: added interface %s (%s) as OpenFlow port "
                  "%"PRIu32", datapath port %"PRIu32, br->name, iface->name,
                  dp_type_name(iface->type), iface->ofp_port,
                  iface->dp_port);
    }
}

/* Brings BR's interfaces to CFG's. */
static bool
bridge_reconfigure_ifaces(struct bridge *br,
                          const struct vsw_bridge_cfg *cfg)
{
    bool vlan_changed = false;
    struct iface *iface;

    HMAP_FOR_EACH (iface, br_node, &br->ifaces) {
        iface->seen = false;
    }
    /* Keep what is unchanged, update VLANs in place. */
    for (size_t i = 0; i < cfg->n_ports; i++) {
        const struct vsw_port_cfg *port = cfg->ports[i];

        for (size_t j = 0; j < port->n_ifaces; j++) {
            const struct vsw_iface_cfg *ic = port->ifaces[j];

            iface = iface_find(ic->name);
            if (!iface || iface->br != br
                || !iface_unchanged(iface, br, port, ic)
                || port->n_ifaces > 1) {
                continue;
            }
            iface->seen = true;
            if (!vlan_equal(&port->vlan, &iface->vlan)) {
                iface->vlan = port->vlan;
                iface_set_bridge_port(iface);
                vlan_changed = true;
            }
        }
    }
    /* Remove the rest. */
    HMAP_FOR_EACH_SAFE (iface, br_node, &br->ifaces) {
        if (!iface->seen) {
            iface_destroy(iface);
        }
    }
    return vlan_changed;
}

static void
bridge_add_new_ifaces(struct bridge *br, const struct vsw_bridge_cfg *cfg,
                      bridge_ofport_hint_func *hint, void *aux)
{
    /* The local port first, so that it gets OFPP_LOCAL before anything
     * else could ask for a number. */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < cfg->n_ports; i++) {
            const struct vsw_port_cfg *port = cfg->ports[i];
            bool local = !strcmp(port->name, br->name);

            if (local != !pass) {
                continue;
            }
            for (size_t j = 0; j < port->n_ifaces; j++) {
                const struct vsw_iface_cfg *ic = port->ifaces[j];

                if (!iface_find(ic->name)) {
                    iface_create(br, port, ic,
                                 hint ? hint(ic->name, aux) : 0);
                }
            }
        }
    }
}

bool
bridge_reconfigure(const struct vsw_config *cfg,
                   bridge_ofport_hint_func *hint, void *aux)
{
    bool vlan_changed = false;
    struct bridge *br;

    /* Bridges that went away. */
    HMAP_FOR_EACH_SAFE (br, node, &bridges) {
        if (!vsw_config_find_bridge(cfg, br->name)) {
            bridge_destroy(br);
        }
    }
    /* Interfaces that went away or changed, in every bridge, before any
     * is added: an interface that moves between bridges must leave the
     * old one first. */
    for (size_t i = 0; i < cfg->n_bridges; i++) {
        br = bridge_find(cfg->bridges[i]->name);
        if (br) {
            vlan_changed |= bridge_reconfigure_ifaces(br, cfg->bridges[i]);
        }
    }
    for (size_t i = 0; i < cfg->n_bridges; i++) {
        const struct vsw_bridge_cfg *bc = cfg->bridges[i];

        br = bridge_find(bc->name);
        if (!br) {
            br = bridge_create(bc);
            if (!br) {
                continue;
            }
        }
        ofproto_set_mac_aging(br->ofproto, bc->mac_aging_time);
        ofproto_set_mac_table_size(br->ofproto, bc->mac_table_size);
        bridge_add_new_ifaces(br, bc, hint, aux);
    }
    return vlan_changed;
}

void
bridge_iface_status(const char *name, struct bridge_iface_status *s)
{
    const struct iface *iface = iface_find(name);

    memset(s, 0, sizeof *s);
    if (iface) {
        s->exists = true;
        s->ofp_port = iface->ofp_port;
        s->dp_port = iface->dp_port;
        s->error = iface->error;
    }
}

void
bridge_destroy_all(void)
{
    struct bridge *br;

    HMAP_FOR_EACH_SAFE (br, node, &bridges) {
        bridge_destroy(br);
    }
}
