/* ofproto-testd: the slow path behind a control socket, for the tests.
 *
 * Bridges and ports are made by control commands instead of a database,
 * and ports are only numbers (no DPDK), so that skiff-ofctl, ofproto/trace
 * and fdb/show are tested end to end over a real control socket.  Besides
 * the slow path's own commands (ofproto/ofproto-appctl.h):
 *   testd/add-br BR                 testd/del-br BR
 *   testd/add-port BR NAME OFPORT DPPORT [vlan_mode=M] [tag=T]
 *                  [trunks=LIST] [cvlans=LIST]
 *                                   adds or reconfigures a port
 *   testd/del-port BR NAME
 *   testd/set-br BR mac-aging-time=N|mac-table-size=N...
 *   testd/warp MSEC                 advances the slow path's clock
 *   testd/packet DPPORT HEX         hands the packet to the upcall
 *                                   handler as the datapath would, and
 *                                   prints the datapath actions and mask
 */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"
#include "daemon.h"
#include "dirs.h"
#include "dynamic-string.h"
#include "flow.h"
#include "ofproto/ofproto-appctl.h"
#include "ofproto/ofproto-upcall.h"
#include "ofproto/ofproto.h"
#include "poll-loop.h"
#include "timeval.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(ofproto_testd);

static long long int warp_msec;

static long long int
warped_clock(void)
{
    return time_msec() + warp_msec;
}

static void
usage(void)
{
    printf("%s: the slow path with a control socket, for tests\n"
           "usage: %s [OPTIONS]\n"
           "  --ctl=PATH             control socket\n"
           "  -v, --verbose[=SPEC]   --log-file[=FILE]\n"
           DAEMON_USAGE, get_program_name(), get_program_name(),
           get_program_name());
}

static const char *
parse_options(int argc, char *argv[])
{
    enum {
        OPT_CTL = UCHAR_MAX + 1,
        DAEMON_OPTION_ENUMS,
        VLOG_OPTION_ENUMS,
    };
    static const struct option long_options[] = {
        {"ctl", required_argument, NULL, OPT_CTL},
        {"help", no_argument, NULL, 'h'},
        DAEMON_LONG_OPTIONS,
        VLOG_LONG_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    char *short_options = long_options_to_short_options(long_options);
    const char *ctl = NULL;
    int c;

    while ((c = getopt_long(argc, argv, short_options, long_options,
                            NULL)) != -1) {
        switch (c) {
        case OPT_CTL:
            ctl = optarg;
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
    return ctl;
}

static void
reply_error_free(struct control_conn *conn, char *error)
{
    control_command_reply_error(conn, error);
    free(error);
}

static struct ofproto *
get_bridge(struct control_conn *conn, const char *name)
{
    struct ofproto *p = ofproto_lookup(name);
    if (!p) {
        reply_error_free(conn, xasprintf("%s: no such bridge", name));
    }
    return p;
}

static void
cmd_add_br(struct control_conn *conn, int argc, const char *argv[],
           void *aux)
{
    struct ofproto *p;
    if (ofproto_create(argv[1], &p)) {
        reply_error_free(conn, xasprintf("%s: bridge exists", argv[1]));
    } else {
        control_command_reply(conn, NULL);
    }
}

static void
cmd_del_br(struct control_conn *conn, int argc, const char *argv[],
           void *aux)
{
    struct ofproto *p = get_bridge(conn, argv[1]);
    if (p) {
        ofproto_destroy(p);
        control_command_reply(conn, NULL);
    }
}

static bool
parse_uint(const char *s, unsigned int max, unsigned int *value)
{
    return !str_to_uint(s, 10, max, value);
}

static void
cmd_add_port(struct control_conn *conn, int argc, const char *argv[],
             void *aux)
{
    struct ofproto *p = get_bridge(conn, argv[1]);
    struct ofproto_port_settings s;
    unsigned int ofp_port, dp_port;
    char *error = NULL;

    if (!p) {
        return;
    }
    memset(&s, 0, sizeof s);
    s.name = argv[2];
    vlan_port_config_init(&s.vlan);
    if (!strcasecmp(argv[3], "LOCAL")) {
        ofp_port = OFPP_LOCAL;
    } else if (!parse_uint(argv[3], UINT_MAX, &ofp_port)) {
        reply_error_free(conn, xasprintf("%s: bad port number", argv[3]));
        return;
    }
    if (!parse_uint(argv[4], UINT_MAX, &dp_port)) {
        reply_error_free(conn, xasprintf("%s: bad datapath port", argv[4]));
        return;
    }
    s.ofp_port = ofp_port;
    s.dp_port = dp_port;
    s.hw_addr = (struct eth_addr) { { 0x02, 0, 0, 0, dp_port >> 8,
                                      dp_port & 0xff } };
    for (int i = 5; i < argc && !error; i++) {
        const char *eq = strchr(argv[i], '=');
        const char *v = eq ? eq + 1 : "";
        unsigned int tag;
        if (str_starts_with(argv[i], "vlan_mode=")) {
            if (!vlan_mode_from_string(v, &s.vlan.mode)) {
                error = xasprintf("%s: unknown vlan_mode", v);
            }
        } else if (str_starts_with(argv[i], "tag=")) {
            if (!parse_uint(v, 4095, &tag)) {
                error = xasprintf("%s: bad tag", v);
            }
            s.vlan.tag = tag;
        } else if (str_starts_with(argv[i], "trunks=")) {
            s.vlan.has_trunks = true;
            error = vlan_bitmap_parse(v, &s.vlan.trunks);
        } else if (str_starts_with(argv[i], "cvlans=")) {
            s.vlan.has_cvlans = true;
            error = vlan_bitmap_parse(v, &s.vlan.cvlans);
        } else {
            error = xasprintf("%s: unknown port setting", argv[i]);
        }
    }
    if (!error && !ofproto_port_set(p, &s, &error)) {
        control_command_reply(conn, NULL);
        return;
    }
    reply_error_free(conn, error);
}

static void
cmd_del_port(struct control_conn *conn, int argc, const char *argv[],
             void *aux)
{
    struct ofproto *p = get_bridge(conn, argv[1]);
    uint32_t port;
    if (!p) {
        return;
    }
    if (!ofproto_port_by_name(p, argv[2], &port)) {
        reply_error_free(conn, xasprintf("%s: no such port", argv[2]));
        return;
    }
    ofproto_port_del(p, port);
    control_command_reply(conn, NULL);
}

static void
cmd_set_br(struct control_conn *conn, int argc, const char *argv[],
           void *aux)
{
    struct ofproto *p = get_bridge(conn, argv[1]);
    unsigned int v;
    if (!p) {
        return;
    }
    for (int i = 2; i < argc; i++) {
        const char *eq = strchr(argv[i], '=');
        if (eq && str_starts_with(argv[i], "mac-aging-time=")
            && parse_uint(eq + 1, UINT_MAX, &v) && v) {
            ofproto_set_mac_aging(p, v);
        } else if (eq && str_starts_with(argv[i], "mac-table-size=")
                   && parse_uint(eq + 1, UINT_MAX, &v) && v) {
            ofproto_set_mac_table_size(p, v);
        } else {
            reply_error_free(conn, xasprintf("%s: bad bridge setting",
                                             argv[i]));
            return;
        }
    }
    control_command_reply(conn, NULL);
}

static void
cmd_warp(struct control_conn *conn, int argc, const char *argv[],
         void *aux)
{
    unsigned int msec;
    if (!parse_uint(argv[1], INT_MAX, &msec)) {
        reply_error_free(conn, xasprintf("%s: bad time", argv[1]));
        return;
    }
    warp_msec += msec;
    ofproto_run();
    control_command_reply(conn, "warped");
}

static void
cmd_packet(struct control_conn *conn, int argc, const char *argv[],
           void *aux)
{
    unsigned int dp_port;
    uint8_t data[2048];
    size_t n = 0;

    if (!parse_uint(argv[1], UINT_MAX, &dp_port)) {
        reply_error_free(conn, xasprintf("%s: bad datapath port", argv[1]));
        return;
    }
    for (const char *c = argv[2]; c[0] && c[1]; c += 2) {
        unsigned int byte;
        if (n >= sizeof data || sscanf(c, "%2x", &byte) != 1) {
            reply_error_free(conn, xasprintf("%s: bad hex packet", argv[2]));
            return;
        }
        data[n++] = byte;
    }

    struct flow key;
    flow_extract(data, n, &key, NULL);
    key.in_port = dp_port;
    struct dp_upcall upcall = {
        .type = DP_UPCALL_MISS, .packet = data, .size = n, .key = &key,
    };
    struct dp_upcall_result result;
    dp_actions_init(&result.actions);
    memset(&result.mask, 0, sizeof result.mask);
    result.install = true;
    int error = ofproto_upcall_ops.upcall(NULL, &upcall, &result);
    if (error) {
        reply_error_free(conn, xasprintf("upcall failed: %s",
                                         strerror(error)));
    } else {
        struct ds s = DS_EMPTY_INITIALIZER;
        ds_put_cstr(&s, "actions: ");
        dp_actions_format(&s, result.actions.data, result.actions.size);
        ds_put_cstr(&s, "\nmask: ");
        flow_format(&s, &key, &result.mask);
        ds_put_char(&s, '\n');
        control_command_reply(conn, ds_cstr(&s));
        ds_destroy(&s);
    }
    dp_actions_uninit(&result.actions);
}

int
main(int argc, char *argv[])
{
    struct control_server *server;

    set_program_name(argv[0]);
    const char *ctl = parse_options(argc, argv);
    ofproto_set_clock(warped_clock);

    daemonize_start();
    if (control_server_create(ctl, &server)) {
        skiff_fatal(0, "cannot create the control socket (see the log)");
    }
    ofproto_appctl_register();
    control_command_register("testd/add-br", "BR", 1, 1, cmd_add_br, NULL);
    control_command_register("testd/del-br", "BR", 1, 1, cmd_del_br, NULL);
    control_command_register("testd/add-port",
                             "BR NAME OFPORT DPPORT [SETTING...]", 4, 8,
                             cmd_add_port, NULL);
    control_command_register("testd/del-port", "BR NAME", 2, 2,
                             cmd_del_port, NULL);
    control_command_register("testd/set-br", "BR SETTING...", 2, 3,
                             cmd_set_br, NULL);
    control_command_register("testd/warp", "MSEC", 1, 1, cmd_warp, NULL);
    control_command_register("testd/packet", "DPPORT HEX", 2, 2, cmd_packet,
                             NULL);
    daemonize_complete();

    while (!daemon_should_exit()) {
        control_server_run(server);
        ofproto_run();
        control_server_wait(server);
        ofproto_wait();
        daemon_wait();
        poll_block();
    }
    control_server_destroy(server);
    ofproto_destroy_all();
    return 0;
}
