/* dp-appctl: the datapath's skiff-appctl commands. */
#include <config.h>

#include "dpif.h"

#include <inttypes.h>
#include <stdlib.h>

#include <rte_cycles.h>

#include "control.h"
#include "dp-actions.h"
#include "dp-cls.h"
#include "dp-pmd.h"
#include "dp-port-private.h"
#include "dp-revalidator.h"
#include "dpif-private.h"
#include "dynamic-string.h"
#include "flow.h"
#include "timeval.h"
#include "util.h"

static void
put_counters(struct ds *s, const struct dp_port_counters *c)
{
    ds_put_format(s, "    rx packets:%"PRIu64" bytes:%"PRIu64
                  " dropped:%"PRIu64" errors:%"PRIu64"\n",
                  c->rx_packets, c->rx_bytes, c->rx_dropped, c->rx_errors);
    ds_put_format(s, "    tx packets:%"PRIu64" bytes:%"PRIu64
                  " dropped:%"PRIu64" errors:%"PRIu64"\n",
                  c->tx_packets, c->tx_bytes, c->tx_dropped, c->tx_errors);
}

/* The PMD that polls PORT_NO, or -1. */
static int
port_pmd(const struct dpif *dpif, uint32_t port_no)
{
    for (int i = 0; i < dpif->n_pmds; i++) {
        const struct dp_pmd_rxqs *l = dp_pmd_get_rxqs(dpif->pmds[i]);
        for (size_t q = 0; l && q < l->n; q++) {
            if (l->rxq[q].port_no == port_no) {
                return i;
            }
        }
    }
    return -1;
}

static void
cmd_show(struct control_conn *conn, int argc, const char *argv[],
         void *dpif_)
{
    struct dpif *dpif = dpif_;
    struct ds s = DS_EMPTY_INITIALIZER;

    ds_put_format(&s, "%s: flows:%zu pmds:%d\n", dpif->name,
                  dpif_flow_count(dpif), dpif->n_pmds);
    for (uint32_t no = 1; no < DPIF_MAX_PORTS; no++) {
        struct dp_port *port = dpif_get_port(dpif, no);
        struct dp_port_counters c;
        if (!port) {
            continue;
        }
        ds_put_format(&s, "  port %"PRIu32": %s (%s: ", no, port->name,
                      dp_port_type_to_string(port->type));
        dp_port_format_details(&s, port);
        int pmd = port_pmd(dpif, no);
        ds_put_format(&s, ")\n    queues: rx 1 tx 1");
        if (pmd >= 0) {
            ds_put_format(&s, ", rx on pmd %d (core %u)", pmd,
                          dp_pmd_core(dpif->pmds[pmd]));
        }
        ds_put_char(&s, '\n');
        dp_port_get_counters(port, &c);
        put_counters(&s, &c);
    }
    control_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
}

struct dump_ctx {
    struct ds *s;
    long long int now;
};

static void
dump_flow_cb(const struct dpif_flow *f, void *ctx_)
{
    struct dump_ctx *ctx = ctx_;
    struct ds *s = ctx->s;

    ds_put_format(s, "pmd=%u ", f->pmd_id);
    flow_format(s, &f->key, &f->mask);
    ds_put_format(s, ", packets:%"PRIu64", bytes:%"PRIu64", used:",
                  f->stats.packets, f->stats.bytes);
    if (f->stats.used) {
        long long int age = ctx->now - f->stats.used;
        ds_put_format(s, "%lld.%03llds", age / 1000, age % 1000);
    } else {
        ds_put_cstr(s, "never");
    }
    ds_put_cstr(s, ", actions:");
    dp_actions_format(s, f->actions, f->actions_size);
    ds_put_char(s, '\n');
}

static void
cmd_dump_flows(struct control_conn *conn, int argc, const char *argv[],
               void *dpif_)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    struct dump_ctx ctx = { .s = &s, .now = time_msec() };

    dpif_flow_dump(dpif_, dump_flow_cb, &ctx);
    control_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
}

static void
cmd_del_flows(struct control_conn *conn, int argc, const char *argv[],
              void *dpif_)
{
    char *reply = xasprintf("%zu flows deleted", dpif_flow_flush(dpif_));
    control_command_reply(conn, reply);
    free(reply);
}

static double
ratio(uint64_t a, uint64_t b)
{
    return b ? (double) a / b : 0.0;
}

static void
cmd_pmd_stats_show(struct control_conn *conn, int argc, const char *argv[],
                   void *dpif_)
{
    struct dpif *dpif = dpif_;
    struct ds s = DS_EMPTY_INITIALIZER;

    for (int i = 0; i < dpif->n_pmds; i++) {
        uint64_t st[DP_PMD_N_STATS];
        dp_pmd_get_stats(dpif->pmds[i], st);

        uint64_t rx = st[DP_PMD_STAT_RX];
        uint64_t busy = st[DP_PMD_STAT_CYCLES_BUSY];
        uint64_t idle = st[DP_PMD_STAT_CYCLES_IDLE];
        uint64_t total = busy + idle;

        ds_put_format(&s, "pmd thread core %u (id %u):\n",
                      dp_pmd_core(dpif->pmds[i]), dp_pmd_id(dpif->pmds[i]));
        ds_put_format(&s, "  packets received: %"PRIu64"\n", rx);
        ds_put_format(&s, "  emc hits: %"PRIu64"\n",
                      st[DP_PMD_STAT_EMC_HIT]);
        ds_put_format(&s, "  megaflow hits: %"PRIu64"\n",
                      st[DP_PMD_STAT_MEGAFLOW_HIT]);
        ds_put_format(&s, "  avg. subtable lookups per megaflow hit: "
                      "%.2f\n",
                      ratio(st[DP_PMD_STAT_SUBTABLE_LOOKUPS],
                            st[DP_PMD_STAT_MEGAFLOW_HIT]));
        for (int k = DP_PMD_STAT_UPCALL_OK; k <= DP_PMD_STAT_DROP_NO_PORT;
             k++) {
            ds_put_format(&s, "  %s: %"PRIu64"\n", dp_pmd_stat_name(k),
                          st[k]);
        }
        ds_put_format(&s, "  megaflows: %zu in %zu subtables\n",
                      dp_cls_count(dp_pmd_cls(dpif->pmds[i])),
                      dp_cls_n_subtables(dp_pmd_cls(dpif->pmds[i])));
        ds_put_format(&s, "  idle cycles: %"PRIu64" (%.2f%%)\n", idle,
                      100.0 * ratio(idle, total));
        ds_put_format(&s, "  processing cycles: %"PRIu64" (%.2f%%)\n", busy,
                      100.0 * ratio(busy, total));
        ds_put_format(&s, "  sleeps: %"PRIu64"\n", st[DP_PMD_STAT_SLEEPS]);
        ds_put_format(&s, "  avg cycles per packet: %.2f (%"PRIu64
                      "/%"PRIu64")\n", ratio(total, rx), total, rx);
        ds_put_format(&s, "  avg processing cycles per packet: %.2f "
                      "(%"PRIu64"/%"PRIu64")\n", ratio(busy, rx), busy, rx);
    }

    struct dp_revalidator_stats rs;
    dp_revalidator_get_stats(dpif->revalidator, &rs);
    ds_put_format(&s, "revalidator: passes %"PRIu64", expired %"PRIu64
                  ", revalidated %"PRIu64", removed %"PRIu64
                  ", evicted %"PRIu64"\n", rs.passes, rs.expired,
                  rs.revalidated, rs.removed, rs.evicted);
    control_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
}

static void
cmd_pmd_stats_clear(struct control_conn *conn, int argc, const char *argv[],
                    void *dpif_)
{
    struct dpif *dpif = dpif_;
    for (int i = 0; i < dpif->n_pmds; i++) {
        dp_pmd_clear_stats(dpif->pmds[i]);
    }
    control_command_reply(conn, NULL);
}

static void
cmd_pmd_rxq_show(struct control_conn *conn, int argc, const char *argv[],
                 void *dpif_)
{
    struct dpif *dpif = dpif_;
    struct ds s = DS_EMPTY_INITIALIZER;

    for (int i = 0; i < dpif->n_pmds; i++) {
        const struct dp_pmd_rxqs *l = dp_pmd_get_rxqs(dpif->pmds[i]);
        ds_put_format(&s, "pmd thread core %u (id %u):\n",
                      dp_pmd_core(dpif->pmds[i]), dp_pmd_id(dpif->pmds[i]));
        for (size_t q = 0; l && q < l->n; q++) {
            struct dp_port *port = l->rxq[q].port;
            ds_put_format(&s, "  port: %-15s queue-id: 0 (enabled)\n",
                          port->name);
        }
    }
    control_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
}

void
dpif_appctl_register(struct dpif *dpif)
{
    control_command_register("dpif/show", "", 0, 0, cmd_show, dpif);
    control_command_register("dpctl/dump-flows", "", 0, 0, cmd_dump_flows,
                             dpif);
    control_command_register("dpctl/del-flows", "", 0, 0, cmd_del_flows,
                             dpif);
    control_command_register("dpif-netdev/pmd-stats-show", "", 0, 0,
                             cmd_pmd_stats_show, dpif);
    control_command_register("dpif-netdev/pmd-stats-clear", "", 0, 0,
                             cmd_pmd_stats_clear, dpif);
    control_command_register("dpif-netdev/pmd-rxq-show", "", 0, 0,
                             cmd_pmd_rxq_show, dpif);
}
