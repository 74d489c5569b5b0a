/* ofproto-appctl: trace, fdb and skiff-ofctl's control commands. */
#include <config.h>

#include "ofproto-appctl.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"
#include "dynamic-string.h"
#include "flow.h"
#include "match.h"
#include "ofp-parse.h"
#include "ofp-wire.h"
#include "ofproto-private.h"
#include "rcu.h"
#include "util.h"
#include "xlate.h"

/* Finds bridge ARGV[1] or answers with an error. */
static struct ofproto *
get_bridge(struct control_conn *conn, const char *name)
{
    struct ofproto *p = ofproto_lookup(name);
    if (!p) {
        char *error = xasprintf("%s: no such bridge", name);
        control_command_reply_error(conn, error);
        free(error);
    }
    return p;
}

static void
reply_error_free(struct control_conn *conn, char *error)
{
    control_command_reply_error(conn, error);
    free(error);
}

static void
reply_free(struct control_conn *conn, char *body)
{
    control_command_reply(conn, body);
    free(body);
}

static bool
resolve_port(const char *name, uint32_t *port, void *p_)
{
    return ofproto_port_by_name(p_, name, port);
}

static const char *
port_name(uint32_t port, void *p_)
{
    struct ofport *ofport = ofproto_get_port(p_, port);
    return ofport ? ofport->name : NULL;
}

/* Parses a hex packet ("0x" optional, spaces and colons ignored) of at
 * most 65535 bytes.  Returns NULL and the bytes, or an error. */
static char *
parse_hex_packet(const char *s, uint8_t **datap, size_t *sizep)
{
    size_t len = strlen(s);
    uint8_t *data = xmalloc(len / 2 + 1);
    size_t n = 0;
    int high = -1;

    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        s += 2;
    }
    for (const char *c = s; *c; c++) {
        if (*c == ' ' || *c == ':' || *c == '\n') {
            continue;
        }
        if (!isxdigit((unsigned char) *c)) {
            free(data);
            return xasprintf("bad character '%c' in hex packet (offset %td)",
                             *c, c - s);
        }
        int v = isdigit((unsigned char) *c) ? *c - '0'
                : tolower((unsigned char) *c) - 'a' + 10;
        if (high < 0) {
            high = v;
        } else {
            data[n++] = high << 4 | v;
            high = -1;
        }
    }
    if (high >= 0 || n < ETH_HEADER_LEN || n > 65535) {
        free(data);
        return xasprintf("hex packet must be an even number of digits, "
                         "%d to 65535 bytes", ETH_HEADER_LEN);
    }
    *datap = data;
    *sizep = n;
    return NULL;
}

static void
cmd_trace(struct control_conn *conn, int argc, const char *argv[],
          void *aux)
{
    struct ofproto *p = get_bridge(conn, argv[1]);
    struct match match;
    struct flow flow;

    (void) aux;
    if (!p) {
        return;
    }
    char *error = ofp_parse_match(&match, argv[2], resolve_port, p);
    if (error) {
        reply_error_free(conn, error);
        return;
    }
    if (!match.wc.masks.in_port) {
        reply_error_free(conn, xstrdup("the flow must give in_port"));
        return;
    }
    flow = match.flow;
    if (argc > 3) {
        uint8_t *data;
        size_t size;
        error = parse_hex_packet(argv[3], &data, &size);
        if (error) {
            reply_error_free(conn, error);
            return;
        }
        flow_extract(data, size, &flow, NULL);
        flow.in_port = match.flow.in_port;
        free(data);
    }
    for (int i = 0; i < FLOW_MAX_VLANS; i++) {
        if (flow.vlans[i].tci & htons(VLAN_CFI) && !flow.vlans[i].tpid) {
            flow.vlans[i].tpid = htons(ETH_TYPE_VLAN_8021Q);
        }
    }

    struct ds s = DS_EMPTY_INITIALIZER;
    struct xlate_in xin = { .ofproto = p, .flow = flow, .trace = &s };
    struct xlate_out xout;

    ds_put_cstr(&s, "Flow: ");
    flow_format(&s, &flow, NULL);
    ds_put_format(&s, "\n\nbridge(\"%s\")\n", p->name);
    ds_put_char_multiple(&s, '-', strlen(p->name) + 10);
    ds_put_char(&s, '\n');

    pthread_rwlock_rdlock(&ofproto_rwlock);
    struct ofport *in = ofproto_get_port(p, flow.in_port);
    uint32_t dp_in = in ? in->dp_port : flow.in_port;
    int lock = rcu_read_lock();
    xlate_out_init(&xout);
    xlate_packet(&xin, &xout);
    rcu_read_unlock(lock);
    pthread_rwlock_unlock(&ofproto_rwlock);

    /* The megaflow as the datapath would install it. */
    struct flow key = flow;
    key.in_port = dp_in;
    key.metadata = 0;
    xout.wc.masks.metadata = 0;
    ds_put_cstr(&s, "\nMegaflow: ");
    flow_format(&s, &key, &xout.wc);
    ds_put_cstr(&s, "\nDatapath actions: ");
    dp_actions_format(&s, xout.actions.data, xout.actions.size);
    if (xout.slow) {
        ds_put_cstr(&s, "\n(not installed: the packet went to the "
                    "controller)");
    }
    ds_put_char(&s, '\n');
    xlate_out_uninit(&xout);
    control_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
}

static void
cmd_fdb_show(struct control_conn *conn, int argc, const char *argv[],
             void *aux)
{
    struct ofproto *p = get_bridge(conn, argv[1]);
    (void) argc;
    (void) aux;
    if (p) {
        struct ds s = DS_EMPTY_INITIALIZER;
        mac_learning_format(p->ml, &s, ofproto_time_msec(), port_name, p);
        control_command_reply(conn, ds_cstr(&s));
        ds_destroy(&s);
    }
}

static void
cmd_fdb_flush(struct control_conn *conn, int argc, const char *argv[],
              void *aux)
{
    (void) aux;
    if (argc > 1) {
        struct ofproto *p = get_bridge(conn, argv[1]);
        if (!p) {
            return;
        }
        mac_learning_flush(p->ml, UINT32_MAX);
    } else {
        for (struct ofproto *p = ofproto_first(); p; p = ofproto_next(p)) {
            mac_learning_flush(p->ml, UINT32_MAX);
        }
    }
    ofproto_bump_version();
    control_command_reply(conn, "table successfully flushed");
}

static void
cmd_flow_mod(struct control_conn *conn, int argc, const char *argv[],
             void *aux)
{
    struct ofproto *p = get_bridge(conn, argv[1]);
    struct ofp_flow_mod *fms = NULL;
    size_t n = 0;
    char *error;

    (void) argc;
    if (!p) {
        return;
    }
    if (aux) {
        error = ofp_wire_decode_flow_mods(argv[2], &fms, &n);
    } else {
        fms = xzalloc(sizeof *fms);
        error = ofp_wire_decode_flow_mod(argv[2], fms);
        n = error ? 0 : 1;
    }
    if (error) {
        free(fms);
        reply_error_free(conn, error);
        return;
    }
    if (ofproto_flow_mods(p, fms, n, &error)) {
        reply_error_free(conn, error);
    } else {
        control_command_reply(conn, "");
    }
    ofp_wire_flow_mods_free(fms, n);
}

static void
cmd_dump_flows(struct control_conn *conn, int argc, const char *argv[],
               void *aux)
{
    struct ofproto *p = get_bridge(conn, argv[1]);
    struct ofp_flow_mod filter;
    bool has_filter = argc > 2;

    (void) aux;
    if (!p) {
        return;
    }
    if (has_filter) {
        char *error = ofp_wire_decode_flow_mod(argv[2], &filter);
        if (error) {
            reply_error_free(conn, error);
            return;
        }
        if (filter.command != OFP_FLOW_QUERY) {
            ofp_flow_mod_uninit(&filter);
            reply_error_free(conn, xstrdup("dump-flows filter must have "
                                           "command \"query\""));
            return;
        }
    }
    struct ofp_flow_stats *stats;
    size_t n;
    ofproto_dump_flows(p, has_filter ? &filter : NULL, &stats, &n);
    reply_free(conn, ofp_wire_encode_flow_stats(stats, n));
    free(stats);
    if (has_filter) {
        ofp_flow_mod_uninit(&filter);
    }
}

static void
cmd_dump_ports(struct control_conn *conn, int argc, const char *argv[],
               void *aux)
{
    struct ofproto *p = get_bridge(conn, argv[1]);
    uint32_t port = OFPP_ANY;

    (void) aux;
    if (!p) {
        return;
    }
    if (argc > 2 && !ofp_port_from_string(argv[2], resolve_port, p,
                                          &port)) {
        reply_error_free(conn, xasprintf("%s: no such port", argv[2]));
        return;
    }
    struct ofp_port_stats *stats;
    size_t n;
    if (ofproto_port_stats(p, port, &stats, &n)) {
        reply_error_free(conn, xasprintf("%s: no such port", argv[2]));
        return;
    }
    reply_free(conn, ofp_wire_encode_port_stats(stats, n));
    free(stats);
}

static void
cmd_show(struct control_conn *conn, int argc, const char *argv[],
         void *aux)
{
    struct ofproto *p = get_bridge(conn, argv[1]);
    (void) argc;
    (void) aux;
    if (p) {
        struct ofp_bridge_desc desc;
        ofproto_describe(p, &desc);
        reply_free(conn, ofp_wire_encode_bridge_desc(&desc));
        free(desc.ports);
    }
}

void
ofproto_appctl_register(void)
{
    static int flow_mods_aux;

    control_command_register("ofproto/trace", "BR FLOW [PACKET]", 2, 3,
                             cmd_trace, NULL);
    control_command_register("fdb/show", "BR", 1, 1, cmd_fdb_show, NULL);
    control_command_register("fdb/flush", "[BR]", 0, 1, cmd_fdb_flush,
                             NULL);
    control_command_register(OFP_WIRE_FLOW_MOD, "BR FLOW_MOD", 2, 2,
                             cmd_flow_mod, NULL);
    control_command_register(OFP_WIRE_FLOW_MODS, "BR [FLOW_MOD,...]", 2, 2,
                             cmd_flow_mod, &flow_mods_aux);
    control_command_register(OFP_WIRE_DUMP_FLOWS, "BR [FILTER]", 1, 2,
                             cmd_dump_flows, NULL);
    control_command_register(OFP_WIRE_DUMP_PORTS, "BR [PORT]", 1, 2,
                             cmd_dump_ports, NULL);
    control_command_register(OFP_WIRE_SHOW, "BR", 1, 1, cmd_show, NULL);
}
