/* skiff-vswitchd: the switch, built and kept in step with the database. */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bridge.h"
#include "control.h"
#include "cpu-mask.h"
#include "daemon.h"
#include "datapath/dp-dpdk.h"
#include "datapath/dpif.h"
#include "db-idl.h"
#include "db.h"
#include "dirs.h"
#include "ofproto/ofproto-appctl.h"
#include "ofproto/ofproto-upcall.h"
#include "ofproto/ofproto.h"
#include "poll-loop.h"
#include "timeval.h"
#include "util.h"
#include "vlog.h"
#include "vsw-config.h"
#include "vsw-status.h"

VLOG_DEFINE_THIS_MODULE(vswitchd);

/* Interface statistics go to the database this often. */
#define STATS_INTERVAL_MS 5000

struct vswitchd_options {
    char *remote;                   /* The database; NULL: default. */
    const char *ctl_path;
};

struct vswitchd {
    struct db_idl *idl;
    struct dpif *dpif;
    bool dpdk_failed;               /* EAL would not start: no ports. */
    unsigned int seqno;             /* Of the last configuration read. */
    int64_t applied_cfg;            /* next_cfg of it, or -1. */
    bool status_pending;            /* Status not yet written. */
    long long int next_stats;
    char **problems;                /* Last logged, to log changes only. */
    size_t n_problems;
};

static void
usage(void)
{
    printf("%s: the Skiff switch, configured by skiff-dbd\n"
           "usage: %s [OPTIONS] [DATABASE]\n"
           "\n"
           "DATABASE is the active stream of skiff-dbd (default\n"
           "unix:%s/db.sock).\n"
           "\n"
           "  --ctl=PATH           control socket (default "
           "<rundir>/%s.PID.ctl)\n"
           "  -v, --verbose[=SPEC] --log-file[=FILE]   logging\n"
           DAEMON_USAGE
           "  -h, --help           this help\n"
           "  -V, --version        the version\n",
           get_program_name(), get_program_name(), skiff_rundir(),
           get_program_name(), get_program_name());
}

static void
parse_options(int argc, char *argv[], struct vswitchd_options *o)
{
    enum {
        OPT_CTL = UCHAR_MAX + 1,
        DAEMON_OPTION_ENUMS,
        VLOG_OPTION_ENUMS,
    };
    static const struct option long_options[] = {
        {"ctl", required_argument, NULL, OPT_CTL},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        DAEMON_LONG_OPTIONS,
        VLOG_LONG_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    /* Static: still reachable when an option handler exits. */
    static char *short_options;
    short_options = long_options_to_short_options(long_options);
    int c;

    while ((c = getopt_long(argc, argv, short_options, long_options,
                            NULL)) != -1) {
        switch (c) {
        case OPT_CTL:
            o->ctl_path = optarg;
            break;
        STD_OPTION_HANDLERS(usage, short_options)
        DAEMON_OPTION_HANDLERS
        VLOG_OPTION_HANDLERS
        default:
            abort();
        }
    }
    free(short_options);
    if (argc - optind > 1) {
        skiff_usage_error("unexpected argument \"%s\"", argv[optind + 1]);
    }
    if (optind < argc) {
        if (strncmp(argv[optind], "unix:", 5)
            && strncmp(argv[optind], "tcp:", 4)
            && strncmp(argv[optind], "ssl:", 4)) {
            skiff_usage_error("the database must be unix:PATH, "
                              "tcp:IP:PORT or ssl:IP:PORT, not \"%s\"",
                              argv[optind]);
        }
        o->remote = xstrdup(argv[optind]);
    } else {
        o->remote = xasprintf("unix:%s/db.sock", skiff_rundir());
    }
}

/* Logs the problems of CFG that were not logged last time. */
static void
log_problems(struct vswitchd *vs, const struct vsw_config *cfg)
{
    for (size_t i = 0; i < cfg->n_problems; i++) {
        bool old = false;

        for (size_t j = 0; j < vs->n_problems && !old; j++) {
            old = !strcmp(vs->problems[j], cfg->problems[i]);
        }
        if (!old) {
            VLOG_WARN("%s", cfg->problems[i]);
        }
    }
    for (size_t j = 0; j < vs->n_problems; j++) {
        free(vs->problems[j]);
    }
    free(vs->problems);
    vs->n_problems = cfg->n_problems;
    vs->problems = xcalloc(MAX(cfg->n_problems, 1), sizeof *vs->problems);
    for (size_t i = 0; i < cfg->n_problems; i++) {
        vs->problems[i] = xstrdup(cfg->problems[i]);
    }
}

/* The lowest CPU of a hexadecimal mask, or -1. */
static int
lowest_cpu(const char *mask)
{
    uint64_t bits[4];

    if (!mask || cpu_mask_parse(mask, bits, ARRAY_SIZE(bits))) {
        return -1;
    }
    for (int i = 0; i < 256; i++) {
        if (bits[i / 64] >> (i % 64) & 1) {
            return i;
        }
    }
    return -1;
}

/* Starts DPDK and the datapath with CFG's settings.  They cannot change
 * afterwards without a restart. */
static void
start_datapath(struct vswitchd *vs, const struct vsw_config *cfg)
{
    struct dp_dpdk_config dc = DP_DPDK_CONFIG_DEFAULT;
    int main_lcore = lowest_cpu(cfg->dpdk_lcore_mask);
    unsigned int mem = 0;
    int error;

    if (main_lcore >= 0) {
        dc.main_lcore = main_lcore;
    }
    for (const char *p = cfg->dpdk_socket_mem; p && *p; ) {
        mem += strtoul(p, (char **) &p, 10);
        p += *p == ',';
    }
    dc.mem_mb = mem;
    dc.extra_args = cfg->dpdk_extra;
    error = dp_dpdk_init(&dc);
    if (!error) {
        error = dpif_create("skiff", &vs->dpif);
    }
    if (error) {
        VLOG_ERR("cannot start the datapath (%s): bridges will have no "
                 "interfaces", strerror(error));
        vs->dpdk_failed = true;
        return;
    }
    dpif_set_upcall_ops(vs->dpif, &ofproto_upcall_ops, NULL);
    dpif_appctl_register(vs->dpif);
    bridge_init(vs->dpif);
}

/* Datapath-wide settings from CFG: PMD threads, idle sleep, and the
 * flow limit and idle time (the largest limit and the shortest idle
 * time any bridge asks for). */
static void
configure_datapath(struct vswitchd *vs, const struct vsw_config *cfg)
{
    struct dpif_tunables t;
    char *error = NULL;

    if (!vs->dpif) {
        return;
    }
    /* The same mask again leaves the PMD threads alone. */
    if (dpif_set_pmd_mask(vs->dpif, cfg->pmd_cpu_mask, &error)) {
        VLOG_WARN("pmd-cpu-mask: %s", error ? error : "invalid");
        free(error);
    }
    dpif_get_tunables(vs->dpif, &t);
    t.max_sleep_us = cfg->pmd_maxsleep;
    if (cfg->n_bridges) {
        t.flow_limit = 0;
        t.max_idle_ms = UINT_MAX;
        for (size_t i = 0; i < cfg->n_bridges; i++) {
            t.flow_limit = MAX(t.flow_limit, cfg->bridges[i]->flow_limit);
            t.max_idle_ms = MIN(t.max_idle_ms, cfg->bridges[i]->max_idle);
        }
    }
    if (dpif_set_tunables(vs->dpif, &t)) {
        VLOG_WARN("the datapath refused its settings");
    }
}

/* The ofport the database last recorded for interface NAME. */
static uint32_t
ofport_hint(const char *name, void *vs_)
{
    struct vswitchd *vs = vs_;
    const struct db *db = db_idl_get_db(vs->idl);
    const struct db_table *table = db ? db_get_table(db, "Interface") : NULL;
    const struct db_row *row;

    if (!table) {
        return 0;
    }
    DB_TABLE_FOR_EACH_ROW (row, table) {
        const char *n = db_row_get_string(row, "name");

        if (n && !strcmp(n, name)) {
            const struct db_datum *d = db_row_get(row, "ofport");

            return d->n && d->keys[0].integer > 0
                   && d->keys[0].integer < 65280 ? d->keys[0].integer : 0;
        }
    }
    return 0;
}

static void
reconfigure(struct vswitchd *vs)
{
    struct vsw_config cfg;

    vsw_config_read(&cfg, db_idl_get_db(vs->idl));
    log_problems(vs, &cfg);
    if (!cfg.has_root) {
        vsw_config_destroy(&cfg);
        return;
    }
    if (!vs->dpif && !vs->dpdk_failed) {
        start_datapath(vs, &cfg);
    }
    configure_datapath(vs, &cfg);
    if (bridge_reconfigure(&cfg, ofport_hint, vs) && vs->dpif) {
        /* Before cur_cfg says the change is applied, no cached megaflow
         * may still forward by the old VLAN settings. */
        dpif_flow_flush(vs->dpif);
    }
    vs->applied_cfg = cfg.next_cfg;
    vs->status_pending = true;
    vsw_config_destroy(&cfg);
}

static void
vswitchd_run(struct vswitchd *vs)
{
    bool stats = false;

    db_idl_run(vs->idl);
    if (db_idl_is_synced(vs->idl)
        && db_idl_get_seqno(vs->idl) != vs->seqno) {
        vs->seqno = db_idl_get_seqno(vs->idl);
        reconfigure(vs);
    }
    if (time_msec() >= vs->next_stats) {
        vs->next_stats = time_msec() + STATS_INTERVAL_MS;
        stats = vs->applied_cfg >= 0;
    }
    if ((vs->status_pending || stats) && db_idl_is_synced(vs->idl)) {
        vs->status_pending = vsw_status_write(vs->idl, vs->dpif, stats,
                                              vs->applied_cfg) != 0;
        /* Our own write changes the replica: no reconfiguration for it. */
        vs->seqno = db_idl_get_seqno(vs->idl);
    }
    ofproto_run();
}

static void
vswitchd_wait(struct vswitchd *vs)
{
    db_idl_wait(vs->idl);
    poll_timer_wait_until(vs->next_stats);
    if (vs->status_pending) {
        poll_timer_wait(1000);
    }
    ofproto_wait();
}

int
main(int argc, char *argv[])
{
    struct vswitchd_options o = { NULL, NULL };
    struct control_server *ctl;
    struct vswitchd vs;

    set_program_name(argv[0]);
    parse_options(argc, argv, &o);

    daemonize_start();
    memset(&vs, 0, sizeof vs);
    vs.applied_cfg = -1;
    vs.next_stats = time_msec() + STATS_INTERVAL_MS;
    vs.idl = db_idl_create(o.remote, "Open_vSwitch");
    db_idl_add_table(vs.idl, "Open_vSwitch");
    db_idl_add_table(vs.idl, "Bridge");
    db_idl_add_table(vs.idl, "Port");
    db_idl_add_table(vs.idl, "Interface");
    if (control_server_create(o.ctl_path, &ctl)) {
        skiff_fatal(0, "cannot create the control socket (see the log)");
    }
    ofproto_appctl_register();
    daemonize_complete();
    VLOG_INFO("configured by %s", o.remote);

    while (!daemon_should_exit()) {
        vswitchd_run(&vs);
        control_server_run(ctl);
        vswitchd_wait(&vs);
        control_server_wait(ctl);
        daemon_wait();
        poll_block();
    }

    VLOG_INFO("exiting");
    bridge_destroy_all();
    ofproto_destroy_all();
    dpif_destroy(vs.dpif);
    if (dp_dpdk_is_initialized()) {
        dp_dpdk_cleanup();
    }
    control_server_destroy(ctl);
    db_idl_destroy(vs.idl);
    for (size_t i = 0; i < vs.n_problems; i++) {
        free(vs.problems[i]);
    }
    free(vs.problems);
    free(o.remote);
    return 0;
}
