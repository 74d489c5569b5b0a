/* dp-port: ports as DPDK ethdevs, one provider for every port type. */
#include <config.h>

#include "dp-port-private.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_dev.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "dirs.h"
#include "dynamic-string.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(dp_port);

#define DP_PORT_RX_DESC 1024
#define DP_PORT_TX_DESC 1024
#define DP_PORT_TX_RETRIES 8

/* Ethdevs that a port uses (control thread only), so that two ports never
 * share one (a "dpdk" port's devargs could name another port's device). */
static bool claimed[RTE_MAX_ETHPORTS];

static const char *const type_names[] = {
    [DP_PORT_DPDKVHOSTUSER] = "dpdkvhostuser",
    [DP_PORT_DPDKVHOSTUSERCLIENT] = "dpdkvhostuserclient",
    [DP_PORT_SYSTEM] = "system",
    [DP_PORT_INTERNAL] = "internal",
    [DP_PORT_DPDK] = "dpdk",
    [DP_PORT_PCAP] = "pcap",
};

int
dp_port_type_from_string(const char *s, enum dp_port_type *type)
{
    for (size_t i = 0; i < ARRAY_SIZE(type_names); i++) {
        if (!strcmp(s, type_names[i])) {
            *type = i;
            return 0;
        }
    }
    return EINVAL;
}

const char *
dp_port_type_to_string(enum dp_port_type type)
{
    return (size_t) type < ARRAY_SIZE(type_names) ? type_names[type]
                                                   : "unknown";
}

/* The options each type accepts. */
static const char *const pcap_keys[] = { "rx_pcap", "tx_pcap", NULL };
static const char *const iface_keys[] = { "iface", NULL };
static const char *const client_keys[] = { "vhost-server-path", NULL };
static const char *const dpdk_keys[] = { "dpdk-devargs", NULL };
static const char *const no_keys[] = { NULL };

static const char *const *
type_keys(enum dp_port_type type)
{
    switch (type) {
    case DP_PORT_PCAP:
        return pcap_keys;
    case DP_PORT_SYSTEM:
    case DP_PORT_INTERNAL:
        return iface_keys;
    case DP_PORT_DPDKVHOSTUSERCLIENT:
        return client_keys;
    case DP_PORT_DPDK:
        return dpdk_keys;
    case DP_PORT_DPDKVHOSTUSER:
    default:
        return no_keys;
    }
}

static bool
name_is_valid(const char *name)
{
    size_t len = strlen(name);
    if (!len || len > DP_PORT_NAME_MAX) {
        return false;
    }
    for (const char *p = name; *p; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')
              || (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'
              || *p == '.')) {
            return false;
        }
    }
    return true;
}

/* Values go into a devargs string: no separators, no control bytes. */
static bool
value_is_valid(const char *value, bool allow_commas)
{
    if (!*value || strlen(value) > 1024) {
        return false;
    }
    for (const char *p = value; *p; p++) {
        if ((unsigned char) *p < 0x20 || *p == 0x7f
            || (*p == ',' && !allow_commas)) {
            return false;
        }
    }
    return true;
}

/* Finds KEY's value in OPTIONS, after parse_options() checked them. */
static const char *
option_get(const struct dp_port_options *options, const char *key)
{
    size_t len = strlen(key);
    for (int i = 0; options && i < options->n; i++) {
        if (!strncmp(options->kv[i], key, len)
            && options->kv[i][len] == '=') {
            return options->kv[i] + len + 1;
        }
    }
    return NULL;
}

static char *
check_options(enum dp_port_type type, const struct dp_port_options *options)
{
    const char *const *keys = type_keys(type);

    for (int i = 0; options && i < options->n; i++) {
        const char *kv = options->kv[i];
        const char *eq = strchr(kv, '=');
        bool known = false;

        if (!eq || eq == kv) {
            return xasprintf("option \"%s\" is not KEY=VALUE", kv);
        }
        for (const char *const *k = keys; *k; k++) {
            if (strlen(*k) == (size_t) (eq - kv)
                && !strncmp(kv, *k, eq - kv)) {
                known = true;
            }
        }
        if (!known) {
            return xasprintf("option \"%.*s\" is not valid for type %s",
                             (int) (eq - kv), kv,
                             dp_port_type_to_string(type));
        }
        if (!value_is_valid(eq + 1, type == DP_PORT_DPDK)) {
            return xasprintf("option %s: bad value", kv);
        }
        for (int j = 0; j < i; j++) {
            if (!strncmp(options->kv[j], kv, eq - kv + 1)) {
                return xasprintf("option \"%.*s\" given twice",
                                 (int) (eq - kv), kv);
            }
        }
    }
    return NULL;
}

/* Returns the devargs that make port NAME, or NULL and *ERRORP. */
static char *
make_devargs(const char *name, enum dp_port_type type,
             const struct dp_port_options *options, char **vhost_path,
             char **errorp)
{
    const char *v;

    *vhost_path = NULL;
    switch (type) {
    case DP_PORT_PCAP: {
        const char *rx = option_get(options, "rx_pcap");
        const char *tx = option_get(options, "tx_pcap");
        struct ds s = DS_EMPTY_INITIALIZER;
        if (!rx && !tx) {
            *errorp = xstrdup("a pcap port needs rx_pcap= or tx_pcap=");
            return NULL;
        }
        ds_put_format(&s, "net_pcap_%s", name);
        if (rx) {
            ds_put_format(&s, ",rx_pcap=%s", rx);
        }
        if (tx) {
            ds_put_format(&s, ",tx_pcap=%s", tx);
        }
        return ds_steal_cstr(&s);
    }
    case DP_PORT_SYSTEM:
        v = option_get(options, "iface");
        return xasprintf("net_af_packet_%s,iface=%s,qpairs=1", name,
                         v ? v : name);
    case DP_PORT_INTERNAL:
        v = option_get(options, "iface");
        return xasprintf("net_tap_%s,iface=%s", name, v ? v : name);
    case DP_PORT_DPDKVHOSTUSER:
        *vhost_path = skiff_rundir_file(name);
        return xasprintf("net_vhost_%s,iface=%s,queues=1", name,
                         *vhost_path);
    case DP_PORT_DPDKVHOSTUSERCLIENT:
        v = option_get(options, "vhost-server-path");
        if (!v) {
            *errorp = xasprintf("a %s port needs vhost-server-path=",
                                dp_port_type_to_string(type));
            return NULL;
        }
        return xasprintf("net_vhost_%s,iface=%s,queues=1,client=1", name,
                         v);
    case DP_PORT_DPDK:
        v = option_get(options, "dpdk-devargs");
        if (!v) {
            *errorp = xstrdup("a dpdk port needs dpdk-devargs=");
            return NULL;
        }
        return xstrdup(v);
    }
    *errorp = xstrdup("unknown port type");
    return NULL;
}

/* Finds the ethdev that DEVARGS made. */
static int
find_port_id(const char *devargs, enum dp_port_type type, uint16_t *idp)
{
    if (type != DP_PORT_DPDK) {
        /* A vdev's ethdev is named like the vdev: DEVARGS up to ','. */
        char *name = xstrndup(devargs, strcspn(devargs, ","));
        int ret = rte_eth_dev_get_port_by_name(name, idp);
        free(name);
        return ret ? ENODEV : 0;
    }

    struct rte_dev_iterator it;
    uint16_t id;
    if (rte_eth_iterator_init(&it, devargs)) {
        return rte_eth_dev_get_port_by_name(devargs, idp) ? ENODEV : 0;
    }
    for (id = rte_eth_iterator_next(&it); id != RTE_MAX_ETHPORTS;
         id = rte_eth_iterator_next(&it)) {
        *idp = id;
        rte_eth_iterator_cleanup(&it);
        return 0;
    }
    return ENODEV;
}

static int
lsc_event(uint16_t port_id, enum rte_eth_event_type event,
          void *port_, void *ret_param)
{
    struct dp_port *port = port_;
    struct rte_eth_link link;

    (void) ret_param;
    (void) event;
    atomic_fetch_add(&port->link_seq, 1);
    if (!rte_eth_link_get_nowait(port_id, &link)) {
        VLOG_INFO("%s: link %s", port->name,
                  link.link_status ? "up" : "down");
    }
    return 0;
}

static int
configure(struct dp_port *port, struct rte_mempool *pool)
{
    struct rte_eth_dev_info info;
    struct rte_eth_conf conf;
    uint16_t id = port->port_id;
    uint16_t nb_rxd = DP_PORT_RX_DESC, nb_txd = DP_PORT_TX_DESC;
    int ret;

    ret = rte_eth_dev_info_get(id, &info);
    if (ret) {
        VLOG_ERR("%s: cannot get device info (%s)", port->name,
                 rte_strerror(-ret));
        return -ret;
    }
    memset(&conf, 0, sizeof conf);
    if (info.dev_flags && *info.dev_flags & RTE_ETH_DEV_INTR_LSC) {
        conf.intr_conf.lsc = 1;
    }
    ret = rte_eth_dev_configure(id, 1, 1, &conf);
    if (!ret) {
        ret = rte_eth_dev_adjust_nb_rx_tx_desc(id, &nb_rxd, &nb_txd);
    }
    if (!ret) {
        ret = rte_eth_rx_queue_setup(id, 0, nb_rxd,
                                     rte_eth_dev_socket_id(id), NULL, pool);
    }
    if (!ret) {
        ret = rte_eth_tx_queue_setup(id, 0, nb_txd,
                                     rte_eth_dev_socket_id(id), NULL);
    }
    if (!ret) {
        rte_eth_dev_callback_register(id, RTE_ETH_EVENT_INTR_LSC,
                                      lsc_event, port);
        ret = rte_eth_dev_start(id);
    }
    if (ret) {
        VLOG_ERR("%s: cannot configure and start the device (%s)",
                 port->name, rte_strerror(-ret));
        return -ret;
    }
    rte_eth_promiscuous_enable(id);
    return 0;
}

int
dp_port_open(const char *name, enum dp_port_type type,
             const struct dp_port_options *options,
             struct rte_mempool *pool, struct dp_port **portp,
             char **errorp)
{
    char *error = NULL;
    char *vhost_path = NULL;
    char *devargs = NULL;
    int ret;

    *portp = NULL;
    if (!name_is_valid(name)) {
        error = xasprintf("\"%s\" is not a valid port name (1 to %d "
                          "letters, digits, '_', '-', '.')", name,
                          DP_PORT_NAME_MAX);
        ret = EINVAL;
        goto out_error;
    }
    error = check_options(type, options);
    if (!error) {
        devargs = make_devargs(name, type, options, &vhost_path, &error);
    }
    if (error) {
        ret = EINVAL;
        goto out_error;
    }

    if (vhost_path) {
        struct stat st;
        if (!lstat(vhost_path, &st) && S_ISSOCK(st.st_mode)) {
            unlink(vhost_path);     /* Left by an earlier run. */
        }
    }

    bool owns_device = true;
    ret = rte_dev_probe(devargs);
    if (ret == -EEXIST && type == DP_PORT_DPDK) {
        owns_device = false;        /* Already probed at start-up. */
    } else if (ret) {
        error = xasprintf("cannot make device \"%s\" (%s)", devargs,
                          rte_strerror(-ret));
        ret = -ret;
        goto out_error;
    }

    struct dp_port *port = xzalloc(sizeof *port);
    port->name = xstrdup(name);
    port->type = type;
    port->devargs = devargs;
    port->vhost_path = vhost_path;
    port->owns_device = owns_device;
    rte_spinlock_init(&port->tx_lock);
    atomic_init(&port->tx_dropped, 0);
    atomic_init(&port->link_seq, 0);

    ret = find_port_id(devargs, type, &port->port_id);
    if (!ret && claimed[port->port_id]) {
        error = xasprintf("device \"%s\" is already another port's",
                          devargs);
        ret = EBUSY;
        owns_device = false;
    } else if (ret) {
        error = xasprintf("device \"%s\" made no ethdev", devargs);
    }
    if (ret) {
        if (owns_device && type != DP_PORT_DPDK) {
            char *dev = xstrndup(devargs, strcspn(devargs, ","));
            rte_eal_hotplug_remove("vdev", dev);
            free(dev);
        }
        free(port->name);
        free(port);
        goto out_error;         /* DEVARGS and VHOST_PATH are still ours. */
    }
    claimed[port->port_id] = true;

    struct rte_eth_dev_info info;
    if (!rte_eth_dev_info_get(port->port_id, &info) && info.device) {
        port->dev_name = xstrdup(rte_dev_name(info.device));
    }
    ret = configure(port, pool);
    if (ret) {
        error = xasprintf("cannot start device \"%s\" (%s)", devargs,
                          rte_strerror(ret));
        dp_port_close(port);
        devargs = vhost_path = NULL;
        goto out_error;
    }
    if (vhost_path && chmod(vhost_path, 0660)) {
        VLOG_WARN("%s: cannot chmod %s (%s)", name, vhost_path,
                  strerror(errno));
    }
    VLOG_INFO("%s: opened as %s (ethdev %u, %s)", name,
              dp_port_type_to_string(type), port->port_id, devargs);
    *portp = port;
    return 0;

out_error:
    VLOG_WARN("%s: %s", name, error);
    if (errorp) {
        *errorp = error;
    } else {
        free(error);
    }
    free(devargs);
    free(vhost_path);
    return ret;
}

void
dp_port_close(struct dp_port *port)
{
    if (!port) {
        return;
    }
    uint16_t id = port->port_id;
    struct rte_eth_dev_info info;
    struct rte_device *dev = NULL;

    if (!rte_eth_dev_info_get(id, &info)) {
        dev = info.device;
    }
    /* EAGAIN: the callback runs right now in EAL's interrupt thread. */
    while (rte_eth_dev_callback_unregister(id, RTE_ETH_EVENT_INTR_LSC,
                                           lsc_event, port) == -EAGAIN) {
        usleep(1000);
    }
    rte_eth_dev_stop(id);
    rte_eth_dev_close(id);
    claimed[id] = false;
    if (port->owns_device && dev) {
        int ret = rte_dev_remove(dev);
        if (ret) {
            VLOG_WARN("%s: cannot remove device (%s)", port->name,
                      rte_strerror(-ret));
        }
    }
    if (port->vhost_path) {
        unlink(port->vhost_path);
    }
    VLOG_INFO("%s: closed", port->name);
    free(port->name);
    free(port->devargs);
    free(port->dev_name);
    free(port->vhost_path);
    free(port);
}

void
dp_port_set_shared_tx(struct dp_port *port, bool shared)
{
    port->shared_tx = shared;
}

uint16_t
dp_port_rx_burst(struct dp_port *port, struct rte_mbuf **pkts, uint16_t n)
{
    return rte_eth_rx_burst(port->port_id, 0, pkts, n);
}

uint16_t
dp_port_tx_burst(struct dp_port *port, struct rte_mbuf **pkts, uint16_t n)
{
    uint16_t sent = 0;

    if (port->shared_tx) {
        rte_spinlock_lock(&port->tx_lock);
    }
    for (int i = 0; sent < n && i < DP_PORT_TX_RETRIES; i++) {
        sent += rte_eth_tx_burst(port->port_id, 0, pkts + sent, n - sent);
    }
    if (port->shared_tx) {
        rte_spinlock_unlock(&port->tx_lock);
    }
    if (sent < n) {
        rte_pktmbuf_free_bulk(pkts + sent, n - sent);
        atomic_fetch_add_explicit(&port->tx_dropped, n - sent,
                                  memory_order_relaxed);
    }
    return sent;
}

void
dp_port_get_counters(const struct dp_port *port, struct dp_port_counters *c)
{
    struct rte_eth_stats st;

    memset(c, 0, sizeof *c);
    if (!rte_eth_stats_get(port->port_id, &st)) {
        c->rx_packets = st.ipackets;
        c->rx_bytes = st.ibytes;
        c->rx_dropped = st.imissed + st.rx_nombuf;
        c->rx_errors = st.ierrors;
        c->tx_packets = st.opackets;
        c->tx_bytes = st.obytes;
        c->tx_errors = st.oerrors;
    }
    c->tx_dropped = atomic_load_explicit(
        &((struct dp_port *) port)->tx_dropped, memory_order_relaxed);
}

bool
dp_port_get_link(const struct dp_port *port, uint32_t *speed_mbps)
{
    struct rte_eth_link link;

    if (rte_eth_link_get_nowait(port->port_id, &link)) {
        if (speed_mbps) {
            *speed_mbps = 0;
        }
        return false;
    }
    if (speed_mbps) {
        *speed_mbps = link.link_speed;
    }
    return link.link_status;
}

unsigned int
dp_port_link_seq(const struct dp_port *port)
{
    return atomic_load(&((struct dp_port *) port)->link_seq);
}

void
dp_port_get_identity(const struct dp_port *port, struct eth_addr *mac,
                     uint32_t *mtu, const char **driver)
{
    struct rte_eth_dev_info info;
    struct rte_ether_addr addr;
    uint16_t m;

    memset(mac, 0, sizeof *mac);
    if (!rte_eth_macaddr_get(port->port_id, &addr)) {
        memcpy(mac->ea, addr.addr_bytes, ETH_ADDR_LEN);
    }
    *mtu = rte_eth_dev_get_mtu(port->port_id, &m) ? 0 : m;
    *driver = !rte_eth_dev_info_get(port->port_id, &info)
              && info.driver_name ? info.driver_name : "";
}

void
dp_port_format_details(struct ds *s, const struct dp_port *port)
{
    struct rte_eth_dev_info info;
    struct rte_ether_addr mac;

    if (!rte_eth_dev_info_get(port->port_id, &info)) {
        ds_put_format(s, "driver %s", info.driver_name);
    }
    if (!rte_eth_macaddr_get(port->port_id, &mac)) {
        ds_put_format(s, ", mac " RTE_ETHER_ADDR_PRT_FMT,
                      RTE_ETHER_ADDR_BYTES(&mac));
    }
    ds_put_format(s, ", link %s",
                  dp_port_get_link(port, NULL) ? "up" : "down");
}
