/* skiff-ofctl: manage a Skiff bridge's OpenFlow-style flow tables. */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control-client.h"
#include "dirs.h"
#include "dynamic-string.h"
#include "jsonrpc.h"
#include "ofp-parse.h"
#include "ofp-wire.h"
#include "stream-ssl.h"
#include "util.h"
#include "vlog.h"

/* A line of add-flows' file is at most this long. */
#define MAX_LINE (64 * 1024)

enum format { FORMAT_TEXT, FORMAT_JSON };

struct ofctl {
    /* Options. */
    const char *target;
    int timeout_ms;             /* -1: wait forever. */
    enum format format;
    bool strict;
    bool show_stats;
    bool names;
    struct stream_ssl_options ssl;

    /* The connection, opened on first use. */
    struct jsonrpc *rpc;

    /* The bridge's ports, fetched when a flow names one. */
    const char *bridge;
    bool have_ports;
    struct ofp_port_map ports;
};

static void
usage(void)
{
    printf("%s: manage the flow tables of a Skiff bridge\n"
           "usage: %s [OPTIONS] COMMAND BRIDGE [ARG...]\n"
           "\n"
           "Commands:\n"
           "  add-flow BRIDGE FLOW        add a flow\n"
           "  add-flows BRIDGE FILE       add the flows in FILE (- for "
           "stdin), all or none\n"
           "  mod-flows BRIDGE FLOW       change the actions of matching "
           "flows\n"
           "  del-flows BRIDGE [FLOW]     delete matching flows (all "
           "without FLOW)\n"
           "  dump-flows BRIDGE [FLOW]    print matching flows\n"
           "  dump-ports BRIDGE [PORT]    print port counters\n"
           "  show BRIDGE                 print the bridge and its ports\n"
           "\n"
           "Options:\n"
           "      --strict              mod-flows, del-flows: match "
           "priority and fields exactly\n"
           "      --no-stats            dump-flows: leave out counters "
           "and ages\n"
           "      --names, --no-names   show ports by name (default: by "
           "number)\n"
           "  -f, --format=FORMAT       text (default) or json\n"
           "  -t, --target=TARGET       the switch daemon (default "
           "skiff-vswitchd),\n"
           "                            a socket path, or unix:PATH, "
           "tcp:IP:PORT, ssl:IP:PORT\n"
           "  -T, --timeout=SECS        give up after SECS seconds\n"
           "      --rundir=DIR          where daemons keep their sockets\n"
           "      --private-key=FILE, --certificate=FILE, "
           "--ca-cert=FILE\n"
           "                            TLS credentials for ssl: targets\n"
           "  -v, --verbose[=SPEC]      log more\n"
           "  -h, --help                this help\n"
           "  -V, --version             the version\n"
           "\n"
           "FLOW syntax: see skiff-ofctl(8) and docs/flow-syntax.md.\n"
           "Exit status: 0 success, 1 failure, 2 bad usage.\n",
           get_program_name(), get_program_name());
}

static int
parse_options(int argc, char *argv[], struct ofctl *o)
{
    enum {
        OPT_RUNDIR = UCHAR_MAX + 1,
        OPT_STRICT,
        OPT_NO_STATS,
        OPT_NAMES,
        OPT_NO_NAMES,
        VLOG_OPTION_ENUMS,
        STREAM_SSL_OPTION_ENUMS,
    };
    static const struct option long_options[] = {
        {"strict", no_argument, NULL, OPT_STRICT},
        {"no-stats", no_argument, NULL, OPT_NO_STATS},
        {"names", no_argument, NULL, OPT_NAMES},
        {"no-names", no_argument, NULL, OPT_NO_NAMES},
        {"format", required_argument, NULL, 'f'},
        {"target", required_argument, NULL, 't'},
        {"timeout", required_argument, NULL, 'T'},
        {"rundir", required_argument, NULL, OPT_RUNDIR},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        VLOG_LONG_OPTIONS,
        STREAM_SSL_LONG_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    /* Static: still reachable when an option handler exits. */
    static char *short_options;
    short_options = long_options_to_short_options(long_options);
    int c;

    while ((c = getopt_long(argc, argv, short_options, long_options,
                            NULL)) != -1) {
        int secs;
        switch (c) {
        case OPT_STRICT:
            o->strict = true;
            break;
        case OPT_NO_STATS:
            o->show_stats = false;
            break;
        case OPT_NAMES:
            o->names = true;
            break;
        case OPT_NO_NAMES:
            o->names = false;
            break;
        case 'f':
            if (!strcmp(optarg, "text")) {
                o->format = FORMAT_TEXT;
            } else if (!strcmp(optarg, "json")) {
                o->format = FORMAT_JSON;
            } else {
                skiff_usage_error("--format: \"%s\" is not text or json",
                                  optarg);
            }
            break;
        case 't':
            o->target = optarg;
            break;
        case 'T':
            if (str_to_int(optarg, 10, 1, 86400, &secs)) {
                skiff_usage_error("--timeout: \"%s\" is not a number of "
                                  "seconds from 1 to 86400", optarg);
            }
            o->timeout_ms = secs * 1000;
            break;
        case OPT_RUNDIR:
            skiff_set_rundir(optarg);
            break;
        STD_OPTION_HANDLERS(usage, short_options)
        VLOG_OPTION_HANDLERS
        STREAM_SSL_OPTION_HANDLERS(&o->ssl)
        default:
            abort();
        }
    }
    free(short_options);
    return optind;
}

/* Talking to the daemon. */

static void
connect_daemon(struct ofctl *o)
{
    if (o->rpc) {
        return;
    }
    int ssl_error = stream_ssl_options_apply(&o->ssl);
    if (ssl_error) {
        exit(ssl_error == EINVAL ? 2 : 1);
    }
    char *error;
    if (control_client_open(o->target, o->timeout_ms, &o->rpc, &error)) {
        skiff_fatal(0, "%s", error);
    }
}

/* Runs COMMAND BRIDGE [ARG] on the daemon and returns its result (the
 * caller frees it); exits with status 1 if it fails. */
static char *
transact(struct ofctl *o, const char *command, const char *arg)
{
    char *argv[2] = { (char *) o->bridge, (char *) arg };
    char *result, *error;

    connect_daemon(o);
    int status = control_client_transact(o->rpc, command, arg ? 2 : 1, argv,
                                         o->timeout_ms, &result, &error);
    if (status) {
        skiff_fatal(0, "%s: %s", o->target,
                    status == ETIMEDOUT ? "no answer before the timeout"
                                        : strerror(status));
    }
    if (error) {
        size_t n = strlen(error);
        while (n && error[n - 1] == '\n') {
            error[--n] = '\0';
        }
        skiff_fatal(0, "%s: %s", o->bridge, error);
    }
    return result;
}

static void
fetch_ports(struct ofctl *o)
{
    if (o->have_ports) {
        return;
    }
    char *reply = transact(o, OFP_WIRE_SHOW, NULL);
    struct ofp_bridge_desc desc;
    char *error = ofp_wire_decode_bridge_desc(reply, &desc);
    if (error) {
        skiff_fatal(0, "%s: bad reply to %s: %s", o->bridge, OFP_WIRE_SHOW,
                    error);
    }
    ofp_wire_bridge_desc_to_port_map(&desc, &o->ports);
    ofp_wire_bridge_desc_uninit(&desc);
    free(reply);
    o->have_ports = true;
}

/* Parsing flows: first with every name accepted (so that a syntax error is
 * found before any daemon is contacted), then, if the flow names a port,
 * again with the bridge's real ports. */

static bool
any_name(const char *name, uint32_t *port, void *used_)
{
    bool *used = used_;
    (void) name;
    *used = true;
    *port = 1;
    return true;
}

/* Prints ERROR about TEXT (from WHERE, e.g. "FILE:LINE: ", may be "") with
 * the text and a caret under the column the error names. */
static void
report_parse_error(const char *where, const char *text, const char *error)
{
    fprintf(stderr, "%s: %s%s\n", get_program_name(), where, error);

    const char *col = strstr(error, "(column ");
    size_t column;
    if (!col || sscanf(col, "(column %zu)", &column) != 1
        || strlen(text) > 200 || column > strlen(text) + 1) {
        return;
    }
    for (const char *p = text; *p; p++) {
        if ((unsigned char) *p < 0x20 || (unsigned char) *p >= 0x7f) {
            return;
        }
    }
    fprintf(stderr, "  %s\n  %*s^\n", text, (int) column - 1, "");
}

/* Parses TEXT for COMMAND into FM; on an error, reports it (prefixed with
 * WHERE) and returns false. */
static bool
parse_flow(struct ofctl *o, struct ofp_flow_mod *fm, const char *text,
           enum ofp_flow_mod_command command, const char *where)
{
    bool used = false;
    char *error = ofp_parse_flow_mod(fm, text, command, any_name, &used);
    if (!error && used) {
        ofp_flow_mod_uninit(fm);
        fetch_ports(o);
        error = ofp_parse_flow_mod(fm, text, command, ofp_port_map_resolve,
                                   &o->ports);
    }
    if (error) {
        report_parse_error(where, text, error);
        free(error);
        return false;
    }
    return true;
}

/* Commands. */

static int
send_flow_mod(struct ofctl *o, const char *text,
              enum ofp_flow_mod_command command)
{
    struct ofp_flow_mod fm;
    if (!parse_flow(o, &fm, text, command, "")) {
        return 1;
    }
    char *json = ofp_wire_encode_flow_mod(&fm);
    free(transact(o, OFP_WIRE_FLOW_MOD, json));
    free(json);
    ofp_flow_mod_uninit(&fm);
    return 0;
}

static int
cmd_add_flow(struct ofctl *o, int argc, char *argv[])
{
    (void) argc;
    return send_flow_mod(o, argv[1], OFP_FLOW_ADD);
}

static int
cmd_mod_flows(struct ofctl *o, int argc, char *argv[])
{
    (void) argc;
    return send_flow_mod(o, argv[1], o->strict ? OFP_FLOW_MODIFY_STRICT
                                               : OFP_FLOW_MODIFY);
}

static int
cmd_del_flows(struct ofctl *o, int argc, char *argv[])
{
    return send_flow_mod(o, argc > 1 ? argv[1] : "",
                         o->strict ? OFP_FLOW_DELETE_STRICT
                                   : OFP_FLOW_DELETE);
}

/* Reads FILE's flows into *FMSP and *NP; returns false after reporting
 * the first error. */
static bool
read_flows(struct ofctl *o, const char *file_name,
           struct ofp_flow_mod **fmsp, size_t *np)
{
    FILE *file = strcmp(file_name, "-") ? fopen(file_name, "r") : stdin;
    struct ofp_flow_mod *fms = NULL;
    size_t n = 0, allocated = 0;
    char *line = NULL;
    size_t line_size = 0;
    unsigned long line_no = 0;
    bool ok = true;

    if (!file) {
        skiff_error(errno, "%s: cannot open", file_name);
        return false;
    }
    for (;;) {
        ssize_t len = getline(&line, &line_size, file);
        if (len < 0) {
            if (ferror(file)) {
                skiff_error(errno, "%s: read error", file_name);
                ok = false;
            }
            break;
        }
        line_no++;
        char *where = xasprintf("%s:%lu: ", file_name, line_no);
        if (len > MAX_LINE) {
            fprintf(stderr, "%s: %sline longer than %d bytes\n",
                    get_program_name(), where, MAX_LINE);
            free(where);
            ok = false;
            break;
        }
        if ((size_t) len != strlen(line)) {
            fprintf(stderr, "%s: %sline contains a NUL byte\n",
                    get_program_name(), where);
            free(where);
            ok = false;
            break;
        }
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) {
            line[--len] = '\0';
        }
        const char *p = line + strspn(line, " \t");
        if (!*p || *p == '#') {
            free(where);
            continue;
        }
        if (n >= OFP_WIRE_MAX_FLOW_MODS) {
            fprintf(stderr, "%s: %smore than %d flows\n",
                    get_program_name(), where, OFP_WIRE_MAX_FLOW_MODS);
            free(where);
            ok = false;
            break;
        }
        if (n >= allocated) {
            allocated = allocated ? 2 * allocated : 16;
            fms = xrealloc(fms, allocated * sizeof *fms);
        }
        ok = parse_flow(o, &fms[n], line, OFP_FLOW_ADD, where);
        free(where);
        if (!ok) {
            break;
        }
        n++;
    }
    free(line);
    if (file != stdin) {
        fclose(file);
    }
    if (!ok) {
        ofp_wire_flow_mods_free(fms, n);
        return false;
    }
    *fmsp = fms;
    *np = n;
    return true;
}

static int
cmd_add_flows(struct ofctl *o, int argc, char *argv[])
{
    struct ofp_flow_mod *fms;
    size_t n;
    (void) argc;

    if (!read_flows(o, argv[1], &fms, &n)) {
        return 1;
    }
    if (n) {
        char *json = ofp_wire_encode_flow_mods(fms, n);
        free(transact(o, OFP_WIRE_FLOW_MODS, json));
        free(json);
    }
    ofp_wire_flow_mods_free(fms, n);
    return 0;
}

static int
cmd_dump_flows(struct ofctl *o, int argc, char *argv[])
{
    struct ofp_flow_mod filter;
    char *json = NULL;

    if (argc > 1) {
        if (!parse_flow(o, &filter, argv[1], OFP_FLOW_QUERY, "")) {
            return 1;
        }
        json = ofp_wire_encode_flow_mod(&filter);
        ofp_flow_mod_uninit(&filter);
    }
    char *reply = transact(o, OFP_WIRE_DUMP_FLOWS, json);
    free(json);

    struct ofp_flow_stats *stats;
    size_t n;
    char *error = ofp_wire_decode_flow_stats(reply, &stats, &n);
    if (error) {
        skiff_fatal(0, "%s: bad reply to %s: %s", o->bridge,
                    OFP_WIRE_DUMP_FLOWS, error);
    }
    if (o->format == FORMAT_JSON) {
        printf("%s\n", reply);
    } else {
        if (o->names) {
            fetch_ports(o);
        }
        struct ds ds = DS_EMPTY_INITIALIZER;
        for (size_t i = 0; i < n; i++) {
            ds_clear(&ds);
            ofp_flow_stats_format(&ds, &stats[i],
                                  o->names ? &o->ports : NULL,
                                  o->show_stats);
            printf(" %s\n", ds_cstr(&ds));
        }
        ds_destroy(&ds);
    }
    ofp_wire_flow_stats_free(stats, n);
    free(reply);
    return 0;
}

static void
print_port_name(struct ds *ds, uint32_t port_no, const char *name,
                bool names)
{
    struct ofp_port_map map;
    ofp_port_map_init(&map);
    if (names && name && *name) {
        ofp_port_map_add(&map, name, port_no);
    }
    ofp_port_format(ds, port_no, &map);
    ofp_port_map_destroy(&map);
}

static int
cmd_dump_ports(struct ofctl *o, int argc, char *argv[])
{
    char *port_arg = NULL;

    if (argc > 1) {
        uint32_t port;
        bool used = false;
        if (!ofp_port_from_string(argv[1], any_name, &used, &port)
            || port == OFPP_ANY) {
            skiff_fatal(0, "\"%s\": not a port", argv[1]);
        }
        if (used) {
            fetch_ports(o);
            if (!ofp_port_map_resolve(argv[1], &port, &o->ports)) {
                skiff_fatal(0, "%s: no port named \"%s\"", o->bridge,
                            argv[1]);
            }
        }
        port_arg = (port == OFPP_LOCAL ? xstrdup("LOCAL")
                    : xasprintf("%"PRIu32, port));
    }
    char *reply = transact(o, OFP_WIRE_DUMP_PORTS, port_arg);
    free(port_arg);

    struct ofp_port_stats *stats;
    size_t n;
    char *error = ofp_wire_decode_port_stats(reply, &stats, &n);
    if (error) {
        skiff_fatal(0, "%s: bad reply to %s: %s", o->bridge,
                    OFP_WIRE_DUMP_PORTS, error);
    }
    if (o->format == FORMAT_JSON) {
        printf("%s\n", reply);
    } else {
        struct ds ds = DS_EMPTY_INITIALIZER;
        printf("%s: %zu ports\n", o->bridge, n);
        for (size_t i = 0; i < n; i++) {
            const struct ofp_port_stats *ps = &stats[i];
            ds_clear(&ds);
            print_port_name(&ds, ps->port_no, ps->name, o->names);
            printf("  port %s: rx pkts=%"PRIu64", bytes=%"PRIu64", "
                   "drop=%"PRIu64", errs=%"PRIu64"\n"
                   "           tx pkts=%"PRIu64", bytes=%"PRIu64", "
                   "drop=%"PRIu64", errs=%"PRIu64"\n"
                   "           duration=%"PRIu32"s\n",
                   ds_cstr(&ds), ps->rx_packets, ps->rx_bytes,
                   ps->rx_dropped, ps->rx_errors, ps->tx_packets,
                   ps->tx_bytes, ps->tx_dropped, ps->tx_errors,
                   ps->duration_sec);
        }
        ds_destroy(&ds);
    }
    ofp_wire_port_stats_free(stats, n);
    free(reply);
    return 0;
}

static int
cmd_show(struct ofctl *o, int argc, char *argv[])
{
    (void) argc;
    (void) argv;

    char *reply = transact(o, OFP_WIRE_SHOW, NULL);
    struct ofp_bridge_desc desc;
    char *error = ofp_wire_decode_bridge_desc(reply, &desc);
    if (error) {
        skiff_fatal(0, "%s: bad reply to %s: %s", o->bridge, OFP_WIRE_SHOW,
                    error);
    }
    if (o->format == FORMAT_JSON) {
        printf("%s\n", reply);
    } else {
        struct ds ds = DS_EMPTY_INITIALIZER;
        printf("%s: dpid:%016"PRIx64"\nn_tables:%u\n", desc.name,
               desc.datapath_id, desc.n_tables);
        for (size_t i = 0; i < desc.n_ports; i++) {
            const struct ofp_port_desc *pd = &desc.ports[i];
            const uint8_t *ea = pd->hw_addr.ea;
            ds_clear(&ds);
            ofp_port_format(&ds, pd->port_no, NULL);
            printf(" %s(%s): addr:%02x:%02x:%02x:%02x:%02x:%02x\n"
                   "     state: %s\n",
                   ds_cstr(&ds), pd->name, ea[0], ea[1], ea[2], ea[3],
                   ea[4], ea[5], pd->link_up ? "up" : "down");
        }
        ds_destroy(&ds);
    }
    ofp_wire_bridge_desc_uninit(&desc);
    free(reply);
    return 0;
}

struct command {
    const char *name;
    const char *args;           /* For messages. */
    int min_args, max_args;     /* Counting BRIDGE. */
    bool strict_ok;
    int (*run)(struct ofctl *, int argc, char *argv[]);
};

static const struct command commands[] = {
    {"add-flow", "BRIDGE FLOW", 2, 2, false, cmd_add_flow},
    {"add-flows", "BRIDGE FILE", 2, 2, false, cmd_add_flows},
    {"mod-flows", "BRIDGE FLOW", 2, 2, true, cmd_mod_flows},
    {"del-flows", "BRIDGE [FLOW]", 1, 2, true, cmd_del_flows},
    {"dump-flows", "BRIDGE [FLOW]", 1, 2, false, cmd_dump_flows},
    {"dump-ports", "BRIDGE [PORT]", 1, 2, false, cmd_dump_ports},
    {"show", "BRIDGE", 1, 1, false, cmd_show},
};

int
main(int argc, char *argv[])
{
    struct ofctl o = {
        .target = "skiff-vswitchd",
        .timeout_ms = -1,
        .format = FORMAT_TEXT,
        .show_stats = true,
    };

    set_program_name(argv[0]);
    ofp_port_map_init(&o.ports);
    int first = parse_options(argc, argv, &o);
    if (first >= argc) {
        skiff_usage_error("missing command name");
    }

    const char *name = argv[first];
    const struct command *cmd = NULL;
    for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
        if (!strcmp(name, commands[i].name)) {
            cmd = &commands[i];
        }
    }
    if (!cmd) {
        skiff_usage_error("unknown command \"%s\"", name);
    }
    int n_args = argc - first - 1;
    if (n_args < cmd->min_args) {
        skiff_usage_error("%s: missing argument (usage: %s %s)", name, name,
                          cmd->args);
    }
    if (n_args > cmd->max_args) {
        skiff_usage_error("%s: unexpected argument \"%s\" (usage: %s %s)",
                          name, argv[first + 1 + cmd->max_args], name,
                          cmd->args);
    }
    if (o.strict && !cmd->strict_ok) {
        skiff_usage_error("%s: --strict applies only to mod-flows and "
                          "del-flows", name);
    }
    if (!*argv[first + 1]) {
        skiff_usage_error("%s: empty bridge name", name);
    }
    o.bridge = argv[first + 1];

    int status = cmd->run(&o, n_args, argv + first + 1);
    jsonrpc_close(o.rpc);
    ofp_port_map_destroy(&o.ports);
    return status;
}
