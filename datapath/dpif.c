/* dpif: the datapath: ports, PMD threads, the slow path's registration. */
#include <config.h>

#include "dpif.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>

#include "cpu-mask.h"
#include "dp-cls.h"
#include "dp-dpdk.h"
#include "dp-flow.h"
#include "dp-meter.h"
#include "dp-pmd.h"
#include "dp-port-private.h"
#include "dp-revalidator.h"
#include "dpif-private.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(dpif);

#define DPIF_N_MBUFS (16 * 1024 - 1)
#define DPIF_MBUF_CACHE 256

static const struct dpif_tunables default_tunables = {
    .max_sleep_us = 2000,
    .upcall_rate = 20000,
    .upcall_burst = 1000,
    .flow_limit = 100000,
    .max_idle_ms = 10000,
    .emc_inv_prob = 100,
};

static void set_tunables__(struct dpif *, const struct dpif_tunables *);

static bool
dpif_name_is_valid(const char *name)
{
    size_t len = strlen(name);
    if (!len || len > 15) {
        return false;
    }
    for (const char *p = name; *p; p++) {
        if (!isalnum((unsigned char) *p) && *p != '_' && *p != '-') {
            return false;
        }
    }
    return true;
}

int
dpif_create(const char *name, struct dpif **dpifp)
{
    *dpifp = NULL;
    if (!dp_dpdk_is_initialized()) {
        VLOG_ERR("%s: DPDK is not initialized", name);
        return EAGAIN;
    }
    if (!dpif_name_is_valid(name)) {
        VLOG_ERR("\"%s\" is not a valid datapath name", name);
        return EINVAL;
    }

    struct dpif *dpif = xzalloc(sizeof *dpif);
    dpif->name = xstrdup(name);

    char pool_name[RTE_MEMPOOL_NAMESIZE];
    snprintf(pool_name, sizeof pool_name, "skiff-%s", name);
    dpif->pool = rte_pktmbuf_pool_create(pool_name, DPIF_N_MBUFS,
                                         DPIF_MBUF_CACHE, 0,
                                         RTE_MBUF_DEFAULT_BUF_SIZE,
                                         rte_socket_id());
    if (!dpif->pool) {
        VLOG_ERR("%s: cannot create the mbuf pool (%s)", name,
                 rte_strerror(rte_errno));
        free(dpif->name);
        free(dpif);
        return ENOMEM;
    }

    size_t sz = rte_rcu_qsbr_get_memsize(DPIF_QSBR_THREADS);
    dpif->qsbr = rte_zmalloc("skiff-qsbr", sz, RTE_CACHE_LINE_SIZE);
    if (!dpif->qsbr || rte_rcu_qsbr_init(dpif->qsbr, DPIF_QSBR_THREADS)) {
        VLOG_ERR("%s: cannot create the RCU variable", name);
        rte_free(dpif->qsbr);
        rte_mempool_free(dpif->pool);
        free(dpif->name);
        free(dpif);
        return ENOMEM;
    }
    rte_rcu_qsbr_thread_register(dpif->qsbr, DPIF_QSBR_CONTROL);
    dpif->meters = dp_meter_table_create(DPIF_MAX_METERS);

    for (int i = 0; i < DPIF_MAX_PORTS; i++) {
        atomic_init(&dpif->ports[i], NULL);
    }
    atomic_init(&dpif->upcall, NULL);
    atomic_init(&dpif->max_sleep_us, 0);
    atomic_init(&dpif->upcall_rate, 0);
    atomic_init(&dpif->upcall_burst, 0);
    atomic_init(&dpif->flow_limit, 0);
    atomic_init(&dpif->max_idle_ms, 0);
    atomic_init(&dpif->emc_inv_prob, 0);
    set_tunables__(dpif, &default_tunables);

    int error = dpif_set_pmd_mask(dpif, NULL, NULL);
    if (error) {
        dpif_destroy(dpif);
        return error;
    }
    *dpifp = dpif;
    return 0;
}

static void
stop_pmds(struct dpif *dpif)
{
    dp_revalidator_stop(dpif->revalidator);
    dpif->revalidator = NULL;
    for (int i = 0; i < dpif->n_pmds; i++) {
        dp_pmd_destroy(dpif->pmds[i]);
        dpif->pmds[i] = NULL;
    }
    dpif->n_pmds = 0;
}

void
dpif_destroy(struct dpif *dpif)
{
    if (!dpif) {
        return;
    }
    stop_pmds(dpif);
    for (int i = 0; i < DPIF_MAX_PORTS; i++) {
        struct dp_port *port = atomic_load(&dpif->ports[i]);
        if (port) {
            atomic_store(&dpif->ports[i], NULL);
            dp_port_close(port);
        }
    }
    free(atomic_load(&dpif->upcall));
    dp_meter_table_destroy(dpif->meters);
    rte_free(dpif->qsbr);
    rte_mempool_free(dpif->pool);
    free(dpif->name);
    free(dpif);
}

const char *
dpif_name(const struct dpif *dpif)
{
    return dpif->name;
}

void
dpif_synchronize(struct dpif *dpif)
{
    rte_rcu_qsbr_synchronize(dpif->qsbr, RTE_QSBR_THRID_INVALID);
}

void
dpif_set_upcall_ops(struct dpif *dpif, const struct dp_upcall_ops *ops,
                    void *aux)
{
    struct dpif_upcall_reg *reg = NULL;

    if (ops) {
        reg = xmalloc(sizeof *reg);
        reg->ops = ops;
        reg->aux = aux;
    }
    struct dpif_upcall_reg *old = atomic_exchange(&dpif->upcall, reg);
    if (old) {
        dpif_synchronize(dpif);
        free(old);
    }
}

/* PMD threads. */

static int
parse_mask(const char *s, uint64_t *maskp, char **errorp)
{
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    uint64_t mask = 0;

    if (ncpu < 1) {
        ncpu = 1;
    }
    if (!s) {
        *maskp = UINT64_C(1) << MIN(ncpu - 1, DPIF_MAX_PMDS - 1);
        return 0;
    }
    if (cpu_mask_parse(s, &mask, 1)) {
        goto bad;
    }
    for (int core = 0; core < 64; core++) {
        if (mask & (UINT64_C(1) << core) && core >= ncpu) {
            if (errorp) {
                *errorp = xasprintf("pmd mask \"%s\" names core %d, but "
                                    "this machine has %ld", s, core, ncpu);
            }
            return EINVAL;
        }
    }
    *maskp = mask;
    return 0;

bad:
    if (errorp) {
        *errorp = xasprintf("\"%s\" is not a pmd mask (hex CPU mask, "
                            "e.g. 0x2)", s);
    }
    return EINVAL;
}

int
dpif_set_pmd_mask(struct dpif *dpif, const char *s, char **errorp)
{
    uint64_t mask;
    int error;

    if (errorp) {
        *errorp = NULL;
    }
    error = parse_mask(s, &mask, errorp);
    if (error) {
        return error;
    }
    if (mask == dpif->pmd_mask && dpif->n_pmds) {
        return 0;                   /* Nothing changes. */
    }

    stop_pmds(dpif);
    dpif->pmd_mask = 0;
    for (int core = 0; core < 64 && dpif->n_pmds < DPIF_MAX_PMDS; core++) {
        if (!(mask & (UINT64_C(1) << core))) {
            continue;
        }
        struct dp_pmd *pmd;
        error = dp_pmd_create(dpif, dpif->n_pmds, core, &pmd);
        if (error) {
            if (errorp) {
                *errorp = xasprintf("cannot start a PMD thread on core %d",
                                    core);
            }
            break;
        }
        dpif->pmds[dpif->n_pmds++] = pmd;
        dpif->pmd_mask |= UINT64_C(1) << core;
    }
    for (int i = 0; i < DPIF_MAX_PORTS; i++) {
        struct dp_port *port = atomic_load(&dpif->ports[i]);
        if (port) {
            dp_port_set_shared_tx(port, dpif->n_pmds > 1);
        }
    }
    dpif_assign_rxqs(dpif);
    dpif->revalidator = dp_revalidator_start(dpif);
    VLOG_INFO("%s: %d PMD thread%s", dpif->name, dpif->n_pmds,
              dpif->n_pmds == 1 ? "" : "s");
    return error;
}

void
dpif_assign_rxqs(struct dpif *dpif)
{
    struct dp_pmd_rxqs *lists[DPIF_MAX_PMDS];
    int n = dpif->n_pmds;
    int next = 0;

    if (!n) {
        return;
    }
    for (int i = 0; i < n; i++) {
        lists[i] = xzalloc(sizeof *lists[i]
                           + DPIF_MAX_PORTS * sizeof lists[i]->rxq[0]);
    }
    for (uint32_t no = 0; no < DPIF_MAX_PORTS; no++) {
        struct dp_port *port = atomic_load(&dpif->ports[no]);
        if (port && port->polled) {
            struct dp_pmd_rxqs *l = lists[next];
            l->rxq[l->n].port = port;
            l->rxq[l->n].port_no = no;
            l->n++;
            next = (next + 1) % n;
        }
    }
    for (int i = 0; i < n; i++) {
        lists[i] = dp_pmd_set_rxqs(dpif->pmds[i], lists[i]);
    }
    dpif_synchronize(dpif);
    for (int i = 0; i < n; i++) {
        free(lists[i]);
    }
}

/* Tunables. */

static void
set_tunables__(struct dpif *dpif, const struct dpif_tunables *t)
{
    atomic_store(&dpif->max_sleep_us, t->max_sleep_us);
    atomic_store(&dpif->upcall_rate, t->upcall_rate);
    atomic_store(&dpif->upcall_burst, t->upcall_burst);
    atomic_store(&dpif->flow_limit, t->flow_limit);
    atomic_store(&dpif->max_idle_ms, t->max_idle_ms);
    atomic_store(&dpif->emc_inv_prob, t->emc_inv_prob);
}

void
dpif_get_tunables(const struct dpif *dpif_, struct dpif_tunables *t)
{
    struct dpif *dpif = (struct dpif *) dpif_;

    t->max_sleep_us = atomic_load(&dpif->max_sleep_us);
    t->upcall_rate = atomic_load(&dpif->upcall_rate);
    t->upcall_burst = atomic_load(&dpif->upcall_burst);
    t->flow_limit = atomic_load(&dpif->flow_limit);
    t->max_idle_ms = atomic_load(&dpif->max_idle_ms);
    t->emc_inv_prob = atomic_load(&dpif->emc_inv_prob);
}

int
dpif_set_tunables(struct dpif *dpif, const struct dpif_tunables *t)
{
    if (t->max_sleep_us > 1000000 || t->max_idle_ms < 100
        || (t->upcall_rate && !t->upcall_burst)) {
        return EINVAL;
    }
    set_tunables__(dpif, t);
    return 0;
}

/* Ports. */

uint32_t
dpif_port_by_name(const struct dpif *dpif, const char *name)
{
    for (uint32_t no = 1; no < DPIF_MAX_PORTS; no++) {
        struct dp_port *port = dpif_get_port(dpif, no);
        if (port && !strcmp(port->name, name)) {
            return no;
        }
    }
    return 0;
}

static int
port_add__(struct dpif *dpif, const char *name, const char *type_name,
           const struct dp_port_options *options, bool start,
           uint32_t *port_nop, char **errorp)
{
    enum dp_port_type type;
    uint32_t no;

    if (dp_port_type_from_string(type_name, &type)) {
        *errorp = xasprintf("\"%s\" is not a port type", type_name);
        return EINVAL;
    }
    if (dpif_port_by_name(dpif, name)) {
        *errorp = xasprintf("port \"%s\" already exists", name);
        return EEXIST;
    }
    for (no = 1; no < DPIF_MAX_PORTS; no++) {
        if (!dpif_get_port(dpif, no)) {
            break;
        }
    }
    if (no >= DPIF_MAX_PORTS) {
        *errorp = xasprintf("no port number left for \"%s\"", name);
        return ENOSPC;
    }

    struct dp_port *port;
    int error = dp_port_open(name, type, options, dpif->pool, &port, errorp);
    if (error) {
        return error;
    }
    port->port_no = no;
    port->polled = start;
    dp_port_set_shared_tx(port, dpif->n_pmds > 1);
    atomic_store_explicit(&dpif->ports[no], port, memory_order_release);
    if (start) {
        dpif_assign_rxqs(dpif);
    }
    *port_nop = no;
    return 0;
}

static int
port_add(struct dpif *dpif, const char *name, const char *type_name,
         const struct dp_port_options *options, bool start,
         uint32_t *port_nop, char **errorp)
{
    char *error = NULL;
    int retval = port_add__(dpif, name, type_name, options, start, port_nop,
                            &error);
    if (errorp) {
        *errorp = error;
    } else {
        free(error);
    }
    return retval;
}

int
dpif_port_add(struct dpif *dpif, const char *name, const char *type_name,
              const struct dp_port_options *options, uint32_t *port_nop,
              char **errorp)
{
    return port_add(dpif, name, type_name, options, true, port_nop, errorp);
}

int
dpif_port_add_stopped(struct dpif *dpif, const char *name,
                      const char *type_name,
                      const struct dp_port_options *options,
                      uint32_t *port_nop, char **errorp)
{
    return port_add(dpif, name, type_name, options, false, port_nop,
                    errorp);
}

int
dpif_port_start(struct dpif *dpif, uint32_t port_no)
{
    struct dp_port *port = dpif_get_port(dpif, port_no);

    if (!port) {
        return ENOENT;
    }
    if (!port->polled) {
        port->polled = true;
        dpif_assign_rxqs(dpif);
    }
    return 0;
}

int
dpif_port_del(struct dpif *dpif, uint32_t port_no)
{
    struct dp_port *port = dpif_get_port(dpif, port_no);

    if (!port) {
        return ENOENT;
    }
    atomic_store_explicit(&dpif->ports[port_no], NULL, memory_order_release);
    dpif_assign_rxqs(dpif);     /* Also waits for a grace period. */
    dpif_synchronize(dpif);
    dp_port_close(port);
    return 0;
}

int
dpif_port_query(const struct dpif *dpif, uint32_t port_no,
                struct dpif_port_info *info)
{
    struct dp_port *port = dpif_get_port(dpif, port_no);

    if (!port) {
        return ENOENT;
    }
    info->port_no = port_no;
    info->name = port->name;
    info->type = port->type;
    info->link_up = dp_port_get_link(port, NULL);
    info->link_seq = dp_port_link_seq(port);
    dp_port_get_identity(port, &info->mac, &info->mtu, &info->driver);
    dp_port_get_counters(port, &info->counters);
    return 0;
}

/* Flows. */

void
dpif_flow_dump(struct dpif *dpif,
               void (*cb)(const struct dpif_flow *, void *aux), void *aux)
{
    for (int i = 0; i < dpif->n_pmds; i++) {
        struct dp_flow **flows;
        size_t n;

        dp_cls_dump(dp_pmd_cls(dpif->pmds[i]), &flows, &n);
        rte_rcu_qsbr_thread_online(dpif->qsbr, DPIF_QSBR_CONTROL);
        for (size_t j = 0; j < n; j++) {
            struct dp_flow *flow = flows[j];
            if (!dp_flow_is_dead(flow)) {
                const struct dp_flow_actions *acts
                    = dp_flow_get_actions(flow);
                struct dpif_flow f = {
                    .key = flow->key,
                    .mask = flow->mask->wc,
                    .pmd_id = flow->pmd_id,
                    .actions = acts->data,
                    .actions_size = acts->size,
                };
                dp_flow_stats_get(flow, &f.stats);
                cb(&f, aux);
            }
        }
        rte_rcu_qsbr_thread_offline(dpif->qsbr, DPIF_QSBR_CONTROL);
        for (size_t j = 0; j < n; j++) {
            dp_flow_unref(flows[j]);
        }
        free(flows);
    }
}

size_t
dpif_flow_flush(struct dpif *dpif)
{
    size_t n = 0;
    for (int i = 0; i < dpif->n_pmds; i++) {
        n += dp_cls_flush(dp_pmd_cls(dpif->pmds[i]));
    }
    return n;
}

size_t
dpif_flow_count(const struct dpif *dpif)
{
    size_t n = 0;
    for (int i = 0; i < dpif->n_pmds; i++) {
        n += dp_cls_count(dp_pmd_cls(dpif->pmds[i]));
    }
    return n;
}

/* Meters. */

int
dpif_meter_set(struct dpif *dpif, uint32_t id,
               const struct dp_meter_config *config)
{
    return dp_meter_set(dpif->meters, id, config);
}

int
dpif_meter_del(struct dpif *dpif, uint32_t id)
{
    return dp_meter_del(dpif->meters, id);
}

int
dpif_meter_get(struct dpif *dpif, uint32_t id,
               struct dp_meter_config *config, struct dp_meter_stats *stats)
{
    return dp_meter_get(dpif->meters, id, config, stats);
}
