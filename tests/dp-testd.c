/* dp-testd: the datapath with a tiny slow path, for the tests.
 *
 * It starts DPDK and one datapath, serves a control socket, and answers
 * the datapath's upcalls from simple rules:
 *   - a rule per input port: "in_port N -> ACTIONS" (dp-actions text),
 *     megaflow mask in_port only;
 *   - else, in learning mode, a tiny L2 learning switch: it learns source
 *     MACs per port, sends a known destination to its port and floods the
 *     rest (broadcast, multicast, unknown) to every other port; megaflow
 *     mask in_port, dl_src, dl_dst;
 *   - else the packet is dropped (a drop megaflow).
 * Each change of rules or of the MAC table bumps the slow path's version,
 * so the revalidator re-checks the megaflows.
 *
 * Its commands (besides the datapath's dpif/..., dpctl/... and
 * dpif-netdev/...):
 *   dptest/add-port NAME TYPE [KEY=VALUE...]   replies with the port number
 *   dptest/del-port NAME
 *   dptest/set-rule IN_PORT ACTIONS
 *   dptest/del-rule IN_PORT
 *   dptest/learn on|off
 *   dptest/pmd-mask MASK
 *   dptest/set KEY=VALUE...    tunables: max-sleep-us, upcall-rate,
 *                              upcall-burst, flow-limit, max-idle-ms,
 *                              emc-inv-prob
 *   dptest/meter-set ID KEY=VALUE...   a meter: cir=, cbs=, ebs= (srTCM) or
 *                              cir=, cbs=, pir=, pbs= (trTCM); bytes/s, bytes
 *   dptest/meter-show ID       "green N yellow N red N" (packets)
 *   dptest/port NAME           number, type, link, counters (one line)
 *   dptest/upcalls             "miss N action N revalidate N"
 */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"
#include "daemon.h"
#include "dirs.h"
#include "dp-actions.h"
#include "dp-upcall.h"
#include "dynamic-string.h"
#include "flow.h"
#include "packets.h"
#include "poll-loop.h"
#include "util.h"
#include "vlog.h"

#include "dp-dpdk.h"
#include "dp-meter.h"
#include "dpif.h"

VLOG_DEFINE_THIS_MODULE(dp_testd);

#define N_MACS 1024

struct mac_entry {
    struct eth_addr mac;
    uint32_t port;
};

/* The slow path.  'mutex' guards everything but 'version' and the
 * counters. */
static struct slow_path {
    pthread_mutex_t mutex;
    struct dp_actions rules[DPIF_MAX_PORTS];
    bool has_rule[DPIF_MAX_PORTS];
    bool port_exists[DPIF_MAX_PORTS];
    bool learn;
    struct mac_entry macs[N_MACS];
    size_t n_macs;
    atomic_uint_least64_t version;
    atomic_uint_least64_t n_miss, n_action, n_revalidate;
} sp = { .mutex = PTHREAD_MUTEX_INITIALIZER };

static struct dpif *dp;

static void
bump_version(void)
{
    atomic_fetch_add(&sp.version, 1);
}

static uint32_t
mac_lookup(struct eth_addr mac)
{
    for (size_t i = 0; i < sp.n_macs; i++) {
        if (!memcmp(&sp.macs[i].mac, &mac, sizeof mac)) {
            return sp.macs[i].port;
        }
    }
    return 0;
}

/* Learns MAC on PORT; returns true if the table changed. */
static bool
mac_learn(struct eth_addr mac, uint32_t port)
{
    if (mac.ea[0] & 1) {
        return false;
    }
    for (size_t i = 0; i < sp.n_macs; i++) {
        if (!memcmp(&sp.macs[i].mac, &mac, sizeof mac)) {
            if (sp.macs[i].port == port) {
                return false;
            }
            sp.macs[i].port = port;
            return true;
        }
    }
    if (sp.n_macs < N_MACS) {
        sp.macs[sp.n_macs].mac = mac;
        sp.macs[sp.n_macs++].port = port;
        return true;
    }
    return false;
}

/* Translates KEY into RESULT; with LEARN_OK, learns its source MAC and
 * sets *LEARNED if that changed the table.  Called with the mutex held. */
static void
translate(const struct flow *key, struct dp_upcall_result *result,
          bool learn_ok, bool *learned)
{
    uint32_t in_port = key->in_port;

    result->mask.masks.in_port = UINT32_MAX;
    if (in_port < DPIF_MAX_PORTS && sp.has_rule[in_port]) {
        const struct dp_actions *a = &sp.rules[in_port];
        DP_ACTIONS_FOR_EACH (act, a->data, a->size) {
            dp_actions_put(&result->actions, act->type, act->arg,
                           dp_action_payload(act),
                           dp_action_payload_len(act));
        }
        return;
    }
    if (!sp.learn) {
        return;                 /* Drop. */
    }

    memset(&result->mask.masks.dl_src, 0xff, sizeof key->dl_src);
    memset(&result->mask.masks.dl_dst, 0xff, sizeof key->dl_dst);
    if (learn_ok && mac_learn(key->dl_src, in_port)) {
        *learned = true;
    }
    uint32_t out = (key->dl_dst.ea[0] & 1) ? 0 : mac_lookup(key->dl_dst);
    if (out && out != in_port) {
        dp_actions_put_output(&result->actions, out);
    } else if (!out) {
        for (uint32_t p = 1; p < DPIF_MAX_PORTS; p++) {
            if (p != in_port && sp.port_exists[p]) {
                dp_actions_put_output(&result->actions, p);
            }
        }
    }
}

static int
sp_upcall(void *aux, const struct dp_upcall *up,
          struct dp_upcall_result *result)
{
    if (up->type == DP_UPCALL_ACTION) {
        atomic_fetch_add(&sp.n_action, 1);
        return 0;
    }
    atomic_fetch_add(&sp.n_miss, 1);

    bool learned = false;
    pthread_mutex_lock(&sp.mutex);
    translate(up->key, result, true, &learned);
    pthread_mutex_unlock(&sp.mutex);
    if (learned) {
        bump_version();
    }
    return 0;
}

static int
sp_revalidate(void *aux, const struct flow *key,
              struct dp_upcall_result *result)
{
    bool learned = false;

    atomic_fetch_add(&sp.n_revalidate, 1);
    pthread_mutex_lock(&sp.mutex);
    translate(key, result, false, &learned);
    pthread_mutex_unlock(&sp.mutex);
    return 0;
}

static uint64_t
sp_version(void *aux)
{
    return atomic_load_explicit(&sp.version, memory_order_relaxed);
}

static const struct dp_upcall_ops sp_ops = {
    .upcall = sp_upcall,
    .revalidate = sp_revalidate,
    .version = sp_version,
};

/* Commands. */

static void
reply_error(struct control_conn *conn, int error, char *msg)
{
    char *s = msg ? msg : xstrdup(strerror(error));
    control_command_reply_error(conn, s);
    free(s);
}

static void
cmd_add_port(struct control_conn *conn, int argc, const char *argv[],
             void *aux)
{
    struct dp_port_options options = { .kv = &argv[3], .n = argc - 3 };
    char *error_msg;
    uint32_t port_no;

    int error = dpif_port_add(dp, argv[1], argv[2], &options, &port_no,
                              &error_msg);
    if (error) {
        reply_error(conn, error, error_msg);
        return;
    }
    pthread_mutex_lock(&sp.mutex);
    sp.port_exists[port_no] = true;
    pthread_mutex_unlock(&sp.mutex);
    bump_version();

    char *reply = xasprintf("%"PRIu32"\n", port_no);
    control_command_reply(conn, reply);
    free(reply);
}

static void
cmd_del_port(struct control_conn *conn, int argc, const char *argv[],
             void *aux)
{
    uint32_t port_no = dpif_port_by_name(dp, argv[1]);
    if (!port_no) {
        reply_error(conn, 0, xasprintf("no port \"%s\"", argv[1]));
        return;
    }
    pthread_mutex_lock(&sp.mutex);
    sp.port_exists[port_no] = false;
    for (size_t i = 0; i < sp.n_macs; ) {
        if (sp.macs[i].port == port_no) {
            sp.macs[i] = sp.macs[--sp.n_macs];
        } else {
            i++;
        }
    }
    pthread_mutex_unlock(&sp.mutex);
    bump_version();
    dpif_port_del(dp, port_no);
    control_command_reply(conn, NULL);
}

static int
parse_port_no(const char *s, uint32_t *port_no)
{
    unsigned int n;
    if (str_to_uint(s, 10, DPIF_MAX_PORTS - 1, &n) || !n) {
        return EINVAL;
    }
    *port_no = n;
    return 0;
}

static void
cmd_set_rule(struct control_conn *conn, int argc, const char *argv[],
             void *aux)
{
    struct dp_actions actions;
    uint32_t port_no;

    if (parse_port_no(argv[1], &port_no)) {
        reply_error(conn, 0, xasprintf("\"%s\" is not a port number",
                                       argv[1]));
        return;
    }
    dp_actions_init(&actions);
    char *error = dp_actions_parse(argv[2], &actions);
    if (error) {
        dp_actions_uninit(&actions);
        reply_error(conn, 0, error);
        return;
    }
    pthread_mutex_lock(&sp.mutex);
    dp_actions_uninit(&sp.rules[port_no]);
    sp.rules[port_no] = actions;
    sp.has_rule[port_no] = true;
    pthread_mutex_unlock(&sp.mutex);
    bump_version();
    control_command_reply(conn, NULL);
}

static void
cmd_del_rule(struct control_conn *conn, int argc, const char *argv[],
             void *aux)
{
    uint32_t port_no;

    if (parse_port_no(argv[1], &port_no)) {
        reply_error(conn, 0, xasprintf("\"%s\" is not a port number",
                                       argv[1]));
        return;
    }
    pthread_mutex_lock(&sp.mutex);
    dp_actions_uninit(&sp.rules[port_no]);
    sp.has_rule[port_no] = false;
    pthread_mutex_unlock(&sp.mutex);
    bump_version();
    control_command_reply(conn, NULL);
}

static void
cmd_learn(struct control_conn *conn, int argc, const char *argv[],
          void *aux)
{
    bool on = !strcmp(argv[1], "on");
    if (!on && strcmp(argv[1], "off")) {
        reply_error(conn, 0, xasprintf("\"%s\": say on or off", argv[1]));
        return;
    }
    pthread_mutex_lock(&sp.mutex);
    sp.learn = on;
    pthread_mutex_unlock(&sp.mutex);
    bump_version();
    control_command_reply(conn, NULL);
}

static void
cmd_pmd_mask(struct control_conn *conn, int argc, const char *argv[],
             void *aux)
{
    char *error_msg;
    int error = dpif_set_pmd_mask(dp, argv[1], &error_msg);
    if (error) {
        reply_error(conn, error, error_msg);
    } else {
        control_command_reply(conn, NULL);
    }
}

static void
cmd_set(struct control_conn *conn, int argc, const char *argv[], void *aux)
{
    static const struct {
        const char *name;
        size_t offset;
    } keys[] = {
        {"max-sleep-us", offsetof(struct dpif_tunables, max_sleep_us)},
        {"upcall-rate", offsetof(struct dpif_tunables, upcall_rate)},
        {"upcall-burst", offsetof(struct dpif_tunables, upcall_burst)},
        {"flow-limit", offsetof(struct dpif_tunables, flow_limit)},
        {"max-idle-ms", offsetof(struct dpif_tunables, max_idle_ms)},
        {"emc-inv-prob", offsetof(struct dpif_tunables, emc_inv_prob)},
    };
    struct dpif_tunables t;

    dpif_get_tunables(dp, &t);
    for (int i = 1; i < argc; i++) {
        const char *eq = strchr(argv[i], '=');
        unsigned int value;
        size_t k;

        for (k = 0; k < ARRAY_SIZE(keys); k++) {
            if (eq && strlen(keys[k].name) == (size_t) (eq - argv[i])
                && !strncmp(argv[i], keys[k].name, eq - argv[i])) {
                break;
            }
        }
        if (k == ARRAY_SIZE(keys) || str_to_uint(eq + 1, 10, UINT_MAX,
                                                 &value)) {
            reply_error(conn, 0, xasprintf("\"%s\" is not a valid "
                                           "setting", argv[i]));
            return;
        }
        *(unsigned int *) ((char *) &t + keys[k].offset) = value;
    }
    if (dpif_set_tunables(dp, &t)) {
        reply_error(conn, 0, xstrdup("settings out of range"));
        return;
    }
    control_command_reply(conn, NULL);
}

static int
parse_meter_id(const char *s, uint32_t *id)
{
    unsigned int n;
    if (str_to_uint(s, 10, DPIF_MAX_METERS - 1, &n)) {
        return EINVAL;
    }
    *id = n;
    return 0;
}

static void
cmd_meter_set(struct control_conn *conn, int argc, const char *argv[],
              void *aux)
{
    struct dp_meter_config c = { .type = DP_METER_SRTCM };
    uint32_t id;

    if (parse_meter_id(argv[1], &id)) {
        reply_error(conn, 0, xasprintf("\"%s\" is not a meter id",
                                       argv[1]));
        return;
    }
    for (int i = 2; i < argc; i++) {
        static const char *const keys[] = { "cir", "cbs", "ebs", "pir",
                                            "pbs" };
        uint64_t *fields[] = { &c.cir, &c.cbs, &c.ebs, &c.pir, &c.pbs };
        const char *eq = strchr(argv[i], '=');
        long long int v;
        size_t k;

        for (k = 0; k < ARRAY_SIZE(keys); k++) {
            if (eq && strlen(keys[k]) == (size_t) (eq - argv[i])
                && !strncmp(argv[i], keys[k], eq - argv[i])) {
                break;
            }
        }
        if (k == ARRAY_SIZE(keys)
            || str_to_llong(eq + 1, 10, 0, LLONG_MAX, &v)) {
            reply_error(conn, 0, xasprintf("\"%s\" is not a valid meter "
                                           "setting", argv[i]));
            return;
        }
        *fields[k] = v;
        if (k >= 3) {
            c.type = DP_METER_TRTCM;
        }
    }
    int error = dpif_meter_set(dp, id, &c);
    if (error) {
        reply_error(conn, 0, xasprintf("meter %"PRIu32": bad settings (%s)",
                                       id, strerror(error)));
        return;
    }
    control_command_reply(conn, NULL);
}

static void
cmd_meter_show(struct control_conn *conn, int argc, const char *argv[],
               void *aux)
{
    struct dp_meter_config c;
    struct dp_meter_stats st;
    uint32_t id;

    if (parse_meter_id(argv[1], &id) || dpif_meter_get(dp, id, &c, &st)) {
        reply_error(conn, 0, xasprintf("no meter \"%s\"", argv[1]));
        return;
    }
    char *reply = xasprintf("green %"PRIu64" yellow %"PRIu64" red %"PRIu64
                            "\n", st.packets[DP_METER_GREEN],
                            st.packets[DP_METER_YELLOW],
                            st.packets[DP_METER_RED]);
    control_command_reply(conn, reply);
    free(reply);
}

static void
cmd_port(struct control_conn *conn, int argc, const char *argv[],
         void *aux)
{
    uint32_t port_no = dpif_port_by_name(dp, argv[1]);
    struct dpif_port_info info;

    if (!port_no || dpif_port_query(dp, port_no, &info)) {
        reply_error(conn, 0, xasprintf("no port \"%s\"", argv[1]));
        return;
    }
    const struct dp_port_counters *c = &info.counters;
    char *reply = xasprintf(
        "port %"PRIu32" type %s link %s link_seq %u "
        "rx %"PRIu64" tx %"PRIu64" tx_dropped %"PRIu64"\n",
        port_no, dp_port_type_to_string(info.type),
        info.link_up ? "up" : "down", info.link_seq, c->rx_packets,
        c->tx_packets, c->tx_dropped);
    control_command_reply(conn, reply);
    free(reply);
}

static void
cmd_upcalls(struct control_conn *conn, int argc, const char *argv[],
            void *aux)
{
    char *reply = xasprintf("miss %"PRIu64" action %"PRIu64
                            " revalidate %"PRIu64"\n",
                            (uint64_t) atomic_load(&sp.n_miss),
                            (uint64_t) atomic_load(&sp.n_action),
                            (uint64_t) atomic_load(&sp.n_revalidate));
    control_command_reply(conn, reply);
    free(reply);
}

/* Options and main. */

struct testd_options {
    const char *ctl_path;
    const char *pmd_mask;
    struct dp_dpdk_config eal;
};

static void
usage(void)
{
    printf("%s: the datapath with a test slow path\n"
           "usage: %s [OPTIONS]\n"
           "  --ctl=PATH             control socket\n"
           "  --file-prefix=NAME     DPDK file prefix (default "
           "skiff-PID)\n"
           "  --main-lcore=N         core of the main thread (default 0)\n"
           "  --mem=MB               DPDK memory\n"
           "  --pci                  scan the PCI bus\n"
           "  --eal-args=ARGS        further EAL arguments\n"
           "  --pmd-mask=MASK        PMD cores, hex (default: the highest)\n"
           "  -v, --verbose[=SPEC]   --log-file[=FILE]\n"
           DAEMON_USAGE,
           get_program_name(), get_program_name(), get_program_name());
}

static void
parse_options(int argc, char *argv[], struct testd_options *o)
{
    enum {
        OPT_CTL = UCHAR_MAX + 1,
        OPT_FILE_PREFIX,
        OPT_MAIN_LCORE,
        OPT_MEM,
        OPT_PCI,
        OPT_EAL_ARGS,
        OPT_PMD_MASK,
        DAEMON_OPTION_ENUMS,
        VLOG_OPTION_ENUMS,
    };
    static const struct option long_options[] = {
        {"ctl", required_argument, NULL, OPT_CTL},
        {"file-prefix", required_argument, NULL, OPT_FILE_PREFIX},
        {"main-lcore", required_argument, NULL, OPT_MAIN_LCORE},
        {"mem", required_argument, NULL, OPT_MEM},
        {"pci", no_argument, NULL, OPT_PCI},
        {"eal-args", required_argument, NULL, OPT_EAL_ARGS},
        {"pmd-mask", required_argument, NULL, OPT_PMD_MASK},
        {"help", no_argument, NULL, 'h'},
        DAEMON_LONG_OPTIONS,
        VLOG_LONG_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    char *short_options = long_options_to_short_options(long_options);
    int c;

    while ((c = getopt_long(argc, argv, short_options, long_options,
                            NULL)) != -1) {
        switch (c) {
        case OPT_CTL:
            o->ctl_path = optarg;
            break;
        case OPT_FILE_PREFIX:
            o->eal.file_prefix = optarg;
            break;
        case OPT_MAIN_LCORE:
            if (str_to_int(optarg, 10, 0, 1023, &o->eal.main_lcore)) {
                skiff_usage_error("\"%s\" is not a core number", optarg);
            }
            break;
        case OPT_MEM:
            if (str_to_uint(optarg, 10, 1 << 20, &o->eal.mem_mb)
                || !o->eal.mem_mb) {
                skiff_usage_error("\"%s\" is not a memory size in MB",
                                  optarg);
            }
            break;
        case OPT_PCI:
            o->eal.pci = true;
            break;
        case OPT_EAL_ARGS:
            o->eal.extra_args = optarg;
            break;
        case OPT_PMD_MASK:
            o->pmd_mask = optarg;
            break;
        case 'h':
            usage();
            exit(0);
        DAEMON_OPTION_HANDLERS
        VLOG_OPTION_HANDLERS
        case '?':
            exit(2);
        default:
            abort();
        }
    }
    free(short_options);
    if (optind != argc) {
        fprintf(stderr, "%s: unexpected argument \"%s\"\n",
                get_program_name(), argv[optind]);
        exit(2);
    }
}

int
main(int argc, char *argv[])
{
    struct testd_options o = { .eal = DP_DPDK_CONFIG_DEFAULT };
    struct control_server *server;

    set_program_name(argv[0]);
    parse_options(argc, argv, &o);

    daemonize_start();
    if (dp_dpdk_init(&o.eal)) {
        skiff_fatal(0, "cannot start DPDK (see the log)");
    }
    if (dpif_create("dp0", &dp)) {
        skiff_fatal(0, "cannot create the datapath (see the log)");
    }
    if (o.pmd_mask) {
        char *error;
        if (dpif_set_pmd_mask(dp, o.pmd_mask, &error)) {
            skiff_fatal(0, "%s", error);
        }
    }
    dpif_set_upcall_ops(dp, &sp_ops, NULL);
    if (control_server_create(o.ctl_path, &server)) {
        skiff_fatal(0, "cannot create the control socket (see the log)");
    }
    dpif_appctl_register(dp);
    control_command_register("dptest/add-port", "NAME TYPE [KEY=VALUE...]",
                             2, 16, cmd_add_port, NULL);
    control_command_register("dptest/del-port", "NAME", 1, 1, cmd_del_port,
                             NULL);
    control_command_register("dptest/set-rule", "IN_PORT ACTIONS", 2, 2,
                             cmd_set_rule, NULL);
    control_command_register("dptest/del-rule", "IN_PORT", 1, 1,
                             cmd_del_rule, NULL);
    control_command_register("dptest/learn", "on|off", 1, 1, cmd_learn,
                             NULL);
    control_command_register("dptest/pmd-mask", "MASK", 1, 1, cmd_pmd_mask,
                             NULL);
    control_command_register("dptest/set", "KEY=VALUE...", 1, 6, cmd_set,
                             NULL);
    control_command_register("dptest/meter-set", "ID KEY=VALUE...", 2, 6,
                             cmd_meter_set, NULL);
    control_command_register("dptest/meter-show", "ID", 1, 1,
                             cmd_meter_show, NULL);
    control_command_register("dptest/port", "NAME", 1, 1, cmd_port, NULL);
    control_command_register("dptest/upcalls", "", 0, 0, cmd_upcalls,
                             NULL);
    daemonize_complete();
    VLOG_INFO("started");

    while (!daemon_should_exit()) {
        control_server_run(server);
        control_server_wait(server);
        daemon_wait();
        poll_block();
    }

    VLOG_INFO("exiting");
    control_server_destroy(server);
    dpif_destroy(dp);
    for (int i = 0; i < DPIF_MAX_PORTS; i++) {
        dp_actions_uninit(&sp.rules[i]);
    }
    dp_dpdk_cleanup();
    return 0;
}
