/* Unit tests for lib/ofp-parse: flow text, its errors, dump-flows lines. */
#include "unit.h"

#include <arpa/inet.h>

#include "dynamic-string.h"
#include "ofp-parse.h"

/* Parses TEXT for CMD (no port names), fails the test on error. */
static void
parse_ok(struct ofp_flow_mod *fm, const char *text,
         enum ofp_flow_mod_command cmd)
{
    char *error = ofp_parse_flow_mod(fm, text, cmd, NULL, NULL);
    if (error) {
        fail_msg("\"%s\": unexpected error: %s", text, error);
    }
}

static bool
flow_mods_equal(const struct ofp_flow_mod *a, const struct ofp_flow_mod *b)
{
    return a->command == b->command && a->table_id == b->table_id
           && a->priority == b->priority && a->cookie == b->cookie
           && a->cookie_mask == b->cookie_mask
           && a->idle_timeout == b->idle_timeout
           && a->hard_timeout == b->hard_timeout
           && a->out_port == b->out_port
           && match_equal(&a->match, &b->match)
           && ofpacts_equal(a->ofpacts, a->ofpacts_len, b->ofpacts,
                            b->ofpacts_len);
}

/* TEXT parses, formats as CANONICAL, and CANONICAL parses back to the same
 * flow mod (and formats the same again). */
static void
check_round_trip(enum ofp_flow_mod_command cmd, const char *text,
                 const char *canonical)
{
    struct ofp_flow_mod fm, fm2;
    struct ds ds = DS_EMPTY_INITIALIZER;

    parse_ok(&fm, text, cmd);
    ofp_flow_mod_format(&ds, &fm, NULL);
    if (strcmp(ds_cstr(&ds), canonical)) {
        fail_msg("\"%s\" formats as \"%s\", expected \"%s\"", text,
                 ds_cstr(&ds), canonical);
    }
    parse_ok(&fm2, canonical, cmd);
    if (!flow_mods_equal(&fm, &fm2)) {
        fail_msg("\"%s\" does not parse back to the same flow", canonical);
    }
    ds_clear(&ds);
    ofp_flow_mod_format(&ds, &fm2, NULL);
    assert_string_equal(ds_cstr(&ds), canonical);
    ds_destroy(&ds);
    ofp_flow_mod_uninit(&fm);
    ofp_flow_mod_uninit(&fm2);
}

struct round_trip {
    const char *text;
    const char *canonical;
};

static const struct round_trip match_cases[] = {
    {"actions=drop", "actions=drop"},
    {"in_port=1,actions=output:2", "in_port=1 actions=output:2"},
    {"in_port=LOCAL actions=drop", "in_port=LOCAL actions=drop"},
    {"in_port=local,actions=drop", "in_port=LOCAL actions=drop"},
    {"metadata=0x5/0xff,actions=drop", "metadata=0x5/0xff actions=drop"},
    {"metadata=7,actions=drop", "metadata=0x7 actions=drop"},
    {"dl_src=00:11:22:aa:bb:cc,actions=drop",
     "dl_src=00:11:22:aa:bb:cc actions=drop"},
    {"eth_src=00:11:22:AA:BB:CC,actions=drop",
     "dl_src=00:11:22:aa:bb:cc actions=drop"},
    {"dl_dst=01:00:00:00:00:00/01:00:00:00:00:00,actions=drop",
     "dl_dst=01:00:00:00:00:00/01:00:00:00:00:00 actions=drop"},
    {"eth_dst=ff:ff:ff:ff:ff:ff,actions=drop",
     "dl_dst=ff:ff:ff:ff:ff:ff actions=drop"},
    {"dl_type=0x88cc,actions=drop", "dl_type=0x88cc actions=drop"},
    {"eth_type=2048,actions=drop", "ip actions=drop"},
    {"dl_type=0x86dd,actions=drop", "ipv6 actions=drop"},
    {"dl_type=0x0806,actions=drop", "arp actions=drop"},
    {"dl_vlan=10,actions=drop", "dl_vlan=10 actions=drop"},
    {"dl_vlan=0xffff,actions=drop", "vlan_tci=0x0000 actions=drop"},
    {"dl_vlan_pcp=3,actions=drop", "dl_vlan_pcp=3 actions=drop"},
    {"dl_vlan_pcp=3,dl_vlan=4095,actions=drop",
     "dl_vlan=4095,dl_vlan_pcp=3 actions=drop"},
    {"vlan_tci=0x1000/0x1000,actions=drop",
     "vlan_tci=0x1000/0x1000 actions=drop"},
    {"vlan_tci=0x0000,actions=drop", "vlan_tci=0x0000 actions=drop"},
    {"vlan_tci=0x700a,actions=drop",
     "dl_vlan=10,dl_vlan_pcp=3 actions=drop"},
    {"vlan_tci=0x0fff/0x0fff,actions=drop",
     "vlan_tci=0x0fff/0x0fff actions=drop"},
    {"vlan_vid=0x100a,actions=drop", "dl_vlan=10 actions=drop"},
    {"vlan_pcp=5,actions=drop", "dl_vlan_pcp=5 actions=drop"},
    {"ip,nw_src=10.0.0.1,actions=drop", "ip,nw_src=10.0.0.1 actions=drop"},
    {"ip,ip_src=10.0.0.1/24,actions=drop",
     "ip,nw_src=10.0.0.0/24 actions=drop"},
    {"ip,nw_dst=10.1.2.3/255.255.0.0,actions=drop",
     "ip,nw_dst=10.1.0.0/16 actions=drop"},
    {"ip,nw_dst=10.1.2.3/255.0.255.0,actions=drop",
     "ip,nw_dst=10.0.2.0/255.0.255.0 actions=drop"},
    {"ip,nw_dst=0.0.0.0/0,actions=drop", "ip actions=drop"},
    {"ip,nw_proto=89,actions=drop", "ip,nw_proto=89 actions=drop"},
    {"ip,nw_proto=6,actions=drop", "tcp actions=drop"},
    {"ipv6,ip_proto=17,actions=drop", "udp6 actions=drop"},
    {"ip,nw_tos=32,actions=drop", "ip,nw_tos=32 actions=drop"},
    {"ip,ip_dscp=8,actions=drop", "ip,nw_tos=32 actions=drop"},
    {"ip,ip_ecn=3,actions=drop", "ip,nw_ecn=3 actions=drop"},
    {"ip,nw_tos=252,nw_ecn=1,actions=drop",
     "ip,nw_tos=252,nw_ecn=1 actions=drop"},
    {"ipv6,nw_ttl=64,actions=drop", "ipv6,nw_ttl=64 actions=drop"},
    {"tcp,tp_src=80,tp_dst=0x1000/0xf000,actions=drop",
     "tcp,tp_src=80,tp_dst=0x1000/0xf000 actions=drop"},
    {"udp,udp_src=53,actions=drop", "udp,tp_src=53 actions=drop"},
    {"sctp,sctp_dst=9,actions=drop", "sctp,tp_dst=9 actions=drop"},
    {"tcp6,tcp_dst=22,actions=drop", "tcp6,tp_dst=22 actions=drop"},
    {"tcp,tcp_flags=+syn-ack,actions=drop",
     "tcp,tcp_flags=+syn-ack actions=drop"},
    {"tcp,tcp_flags=0x012,actions=drop",
     "tcp,tcp_flags=syn|ack actions=drop"},
    {"tcp,tcp_flags=ack|fin,actions=drop",
     "tcp,tcp_flags=fin|ack actions=drop"},
    {"tcp,tcp_flags=ns,actions=drop", "tcp,tcp_flags=ns actions=drop"},
    {"tcp,tcp_flags=0,actions=drop", "tcp,tcp_flags=0 actions=drop"},
    {"tcp,tcp_flags=0xfff,actions=drop",
     "tcp,tcp_flags=0xfff actions=drop"},
    {"tcp,tcp_flags=0x2/0x2,actions=drop",
     "tcp,tcp_flags=+syn actions=drop"},
    {"tcp,tcp_flags=0x800/0x800,actions=drop",
     "tcp,tcp_flags=0x800/0x800 actions=drop"},
    {"ipv6,ipv6_src=2001:db8::1,actions=drop",
     "ipv6,ipv6_src=2001:db8::1 actions=drop"},
    {"ipv6,ipv6_dst=2001:db8:1::/32,actions=drop",
     "ipv6,ipv6_dst=2001:db8::/32 actions=drop"},
    {"ipv6,ipv6_dst=::1/::ffff,actions=drop",
     "ipv6,ipv6_dst=::1/::ffff actions=drop"},
    {"icmp,icmp_type=8,icmp_code=0,actions=drop",
     "icmp,icmp_type=8,icmp_code=0 actions=drop"},
    {"icmp6,icmpv6_type=135,actions=drop",
     "icmp6,icmp_type=135 actions=drop"},
    {"arp,arp_op=1,arp_spa=10.0.0.1,arp_tpa=10.0.0.0/8,"
     "arp_sha=00:00:00:00:00:01,arp_tha=00:00:00:00:00:02,actions=drop",
     "arp,arp_spa=10.0.0.1,arp_tpa=10.0.0.0/8,arp_op=1,"
     "arp_sha=00:00:00:00:00:01,arp_tha=00:00:00:00:00:02 actions=drop"},
    {"arp,nw_src=10.0.0.1,actions=drop", "arp,arp_spa=10.0.0.1 actions=drop"},
    {"nw_src=10.0.0.1,ip,actions=drop", "ip,nw_src=10.0.0.1 actions=drop"},
    {"tcp,in_port=1,dl_vlan=10,nw_src=10.0.0.0/24,tp_dst=80,"
     "actions=output:2",
     "tcp,in_port=1,dl_vlan=10,nw_src=10.0.0.0/24,tp_dst=80 "
     "actions=output:2"},
    {"  priority=5 in_port=1 ,, actions=output:1",
     "priority=5,in_port=1 actions=output:1"},
    {"table=3,priority=0,cookie=0x10,idle_timeout=10,hard_timeout=20,"
     "actions=drop",
     "table=3,priority=0,cookie=0x10,idle_timeout=10,hard_timeout=20 "
     "actions=drop"},
    {"priority=32768,table=0,cookie=0,actions=drop", "actions=drop"},
    {"priority=65535,actions=drop", "priority=65535 actions=drop"},
};

static void
test_match_round_trips(void **state)
{
    (void) state;
    for (size_t i = 0; i < ARRAY_SIZE(match_cases); i++) {
        check_round_trip(OFP_FLOW_ADD, match_cases[i].text,
                         match_cases[i].canonical);
    }
}

static const struct round_trip action_cases[] = {
    {"output:2", "output:2"},
    {"2", "output:2"},
    {"output:4294967040", "output:4294967040"},
    {"in_port", "IN_PORT"},
    {"normal", "NORMAL"},
    {"NORMAL", "NORMAL"},
    {"flood", "FLOOD"},
    {"all", "ALL"},
    {"local", "LOCAL"},
    {"output:LOCAL", "LOCAL"},
    {"controller", "CONTROLLER:65535"},
    {"controller:128", "CONTROLLER:128"},
    {"CONTROLLER:100", "CONTROLLER:100"},
    {"controller(max_len=64)", "CONTROLLER:64"},
    {"drop", "drop"},
    {"", "drop"},
    {"mod_vlan_vid:10", "mod_vlan_vid:10"},
    {"mod_vlan_pcp:7", "mod_vlan_pcp:7"},
    {"strip_vlan", "strip_vlan"},
    {"pop_vlan", "pop_vlan"},
    {"push_vlan:0x8100", "push_vlan:0x8100"},
    {"push_vlan:0x88a8", "push_vlan:0x88a8"},
    {"set_field:10.0.0.1->nw_src", "set_field:10.0.0.1->nw_src"},
    {"set_field:10.0.0.1/8->ip_dst", "set_field:10.0.0.0/8->nw_dst"},
    {"set_field:00:11:22:33:44:55->eth_dst",
     "set_field:00:11:22:33:44:55->dl_dst"},
    {"set_field:0x1000/0xf000->tp_dst", "set_field:0x1000/0xf000->tp_dst"},
    {"set_field:443->tcp_dst", "set_field:443->tp_dst"},
    {"set_field:100->vlan_vid", "set_field:100->vlan_vid"},
    {"set_field:0x1064->vlan_vid", "set_field:4196->vlan_vid"},
    {"set_field:5->vlan_pcp", "set_field:5->vlan_pcp"},
    {"set_field:0x5/0xf->metadata", "set_field:0x5/0xf->metadata"},
    {"set_field:2001:db8::1->ipv6_src", "set_field:2001:db8::1->ipv6_src"},
    {"set_field:48->ip_dscp", "set_field:48->ip_dscp"},
    {"set_field:2->arp_op", "set_field:2->arp_op"},
    {"mod_dl_src:00:11:22:33:44:55", "mod_dl_src:00:11:22:33:44:55"},
    {"mod_dl_dst:aa:bb:cc:dd:ee:ff", "mod_dl_dst:aa:bb:cc:dd:ee:ff"},
    {"mod_nw_src:1.2.3.4", "mod_nw_src:1.2.3.4"},
    {"mod_nw_dst:4.3.2.1", "mod_nw_dst:4.3.2.1"},
    {"mod_nw_tos:16", "mod_nw_tos:16"},
    {"mod_tp_src:1", "mod_tp_src:1"},
    {"mod_tp_dst:65535", "mod_tp_dst:65535"},
    {"dec_ttl", "dec_ttl"},
    {"resubmit:3", "resubmit:3"},
    {"resubmit:in_port", "resubmit:IN_PORT"},
    {"resubmit(,2)", "resubmit(,2)"},
    {"resubmit(1,2)", "resubmit(1,2)"},
    {"resubmit(1)", "resubmit:1"},
    {"set_queue:5", "set_queue:5"},
    {"note:01.02.ab", "note:01.02.ab"},
    {"note:0102", "note:01.02"},
    {"note:", "note:"},
    {"clear_actions", "clear_actions"},
    {"write_actions(output:1,mod_vlan_vid:3)",
     "write_actions(output:1,mod_vlan_vid:3)"},
    {"write_actions()", "write_actions()"},
    {"write_metadata:0x1/0xff", "write_metadata:0x1/0xff"},
    {"write_metadata:2", "write_metadata:0x2"},
    {"goto_table:1", "goto_table:1"},
    {"goto_table:254", "goto_table:254"},
    {"output:1, clear_actions, write_actions(output:2), "
     "write_metadata:0x1/0x1, goto_table:2",
     "output:1,clear_actions,write_actions(output:2),"
     "write_metadata:0x1/0x1,goto_table:2"},
    {"mod_vlan_vid:5 output:1 output:2",
     "mod_vlan_vid:5,output:1,output:2"},
};

static void
test_action_round_trips(void **state)
{
    (void) state;
    for (size_t i = 0; i < ARRAY_SIZE(action_cases); i++) {
        char *text = xasprintf("in_port=1,actions=%s",
                               action_cases[i].text);
        char *canonical = xasprintf("in_port=1 actions=%s",
                                    action_cases[i].canonical);
        check_round_trip(OFP_FLOW_ADD, text, canonical);
        free(text);
        free(canonical);
    }
}

static void
test_command_round_trips(void **state)
{
    (void) state;
    check_round_trip(OFP_FLOW_MODIFY, "in_port=1,actions=output:3",
                     "in_port=1 actions=output:3");
    check_round_trip(OFP_FLOW_MODIFY_STRICT,
                     "table=2,priority=7,cookie=0x1/0xff,tcp,"
                     "actions=goto_table:3",
                     "table=2,priority=7,cookie=0x1/0xff,tcp "
                     "actions=goto_table:3");
    check_round_trip(OFP_FLOW_DELETE, "", "");
    check_round_trip(OFP_FLOW_DELETE, "table=1,out_port=2,in_port=1",
                     "table=1,out_port=2,in_port=1");
    check_round_trip(OFP_FLOW_DELETE_STRICT,
                     "priority=5,cookie=0x10/-1,dl_vlan=3",
                     "priority=5,cookie=0x10/0xffffffffffffffff,dl_vlan=3");
    check_round_trip(OFP_FLOW_QUERY, "out_port=LOCAL,table=255",
                     "out_port=LOCAL");
}

static void
test_defaults(void **state)
{
    struct ofp_flow_mod fm;
    (void) state;

    parse_ok(&fm, "actions=drop", OFP_FLOW_ADD);
    assert_int_equal(fm.command, OFP_FLOW_ADD);
    assert_int_equal(fm.table_id, 0);
    assert_int_equal(fm.priority, OFP_DEFAULT_PRIORITY);
    assert_int_equal(fm.out_port, OFPP_ANY);
    assert_true(match_is_catchall(&fm.match));
    assert_null(fm.ofpacts);
    assert_int_equal(fm.ofpacts_len, 0);
    ofp_flow_mod_uninit(&fm);

    parse_ok(&fm, "in_port=2", OFP_FLOW_DELETE);
    assert_int_equal(fm.table_id, OFP_TABLE_ALL);
    assert_int_equal(fm.cookie_mask, 0);
    ofp_flow_mod_uninit(&fm);

    parse_ok(&fm, "table=4,cookie=0xf0/0xff00,idle_timeout=5,"
             "hard_timeout=6,priority=9,in_port=2,actions=output:1",
             OFP_FLOW_MODIFY_STRICT);
    assert_int_equal(fm.table_id, 4);
    assert_int_equal(fm.priority, 9);
    assert_true(fm.cookie == 0 && fm.cookie_mask == 0xff00);
    assert_int_equal(fm.idle_timeout, 5);
    assert_int_equal(fm.hard_timeout, 6);
    assert_int_equal(fm.match.flow.in_port, 2);
    ofp_flow_mod_uninit(&fm);
}

/* Errors. */

struct error_case {
    enum ofp_flow_mod_command cmd;
    const char *text;
    const char *token;          /* Where the error points. */
    const char *message;        /* Before " (column N)". */
};

static const struct error_case error_cases[] = {
    {OFP_FLOW_ADD, "ip,in_port=1,nw_src=10.0.0.300,actions=drop",
     "10.0.0.300", "bad value \"10.0.0.300\" for nw_src"},
    {OFP_FLOW_ADD, "foo=1,actions=drop", "foo", "unknown field \"foo\""},
    {OFP_FLOW_ADD, "in_port=1,nw_src=10.0.0.1,actions=drop", "nw_src",
     "nw_src needs ip or arp in the match"},
    {OFP_FLOW_ADD, "ip,tp_dst=80,actions=drop", "tp_dst",
     "tp_dst needs tcp, udp or sctp (or tcp6...) in the match"},
    {OFP_FLOW_ADD, "ip,tcp_dst=80,actions=drop", "tcp_dst",
     "tcp_dst needs tcp, udp or sctp (or tcp6...) in the match"},
    {OFP_FLOW_ADD, "tcp,tcp_dst=http,actions=drop", "http",
     "bad value \"http\" for tcp_dst"},
    {OFP_FLOW_ADD, "icmp,tp_src=8,actions=drop", "tp_src",
     "tp_src needs tcp, udp or sctp (or tcp6...) in the match"},
    {OFP_FLOW_ADD, "tcp,icmp_type=8,actions=drop", "icmp_type",
     "icmp_type needs icmp or icmp6 in the match"},
    {OFP_FLOW_ADD, "udp,tcp_flags=+syn,actions=drop", "tcp_flags",
     "tcp_flags needs tcp or tcp6 in the match"},
    {OFP_FLOW_ADD, "ip,ipv6_src=::1,actions=drop", "ipv6_src",
     "ipv6_src needs ipv6 in the match"},
    {OFP_FLOW_ADD, "ip,arp_op=1,actions=drop", "arp_op",
     "arp_op needs arp in the match"},
    {OFP_FLOW_ADD, "nw_ttl=3,actions=drop", "nw_ttl",
     "nw_ttl needs ip or ipv6 in the match"},
    {OFP_FLOW_ADD, "tcp,tp_dst=80,udp,tcp_flags=+syn,actions=drop",
     "tcp_flags", "tcp_flags needs tcp or tcp6 in the match"},
    {OFP_FLOW_ADD, "in_port=1", "", "add-flow needs actions=..."},
    {OFP_FLOW_MODIFY, "in_port=1", "", "mod-flows needs actions=..."},
    {OFP_FLOW_DELETE, "in_port=1,actions=drop", "actions",
     "actions are not allowed in del-flows"},
    {OFP_FLOW_QUERY, "actions=drop", "actions",
     "actions are not allowed in dump-flows"},
    {OFP_FLOW_DELETE, "priority=5,in_port=1", "priority",
     "priority is not allowed in del-flows without --strict"},
    {OFP_FLOW_ADD, "cookie=1/1,actions=drop", "/1",
     "add-flow's cookie takes no mask"},
    {OFP_FLOW_DELETE, "cookie=1", "cookie",
     "cookie needs a mask in del-flows: cookie=VALUE/MASK"},
    {OFP_FLOW_ADD, "cookie=0x1g,actions=drop", "0x1g",
     "bad value \"0x1g\" for cookie"},
    {OFP_FLOW_ADD, "out_port=1,actions=drop", "out_port",
     "out_port is allowed only in del-flows and dump-flows"},
    {OFP_FLOW_DELETE, "idle_timeout=1", "idle_timeout",
     "idle_timeout is not allowed in del-flows"},
    {OFP_FLOW_ADD, "table=255,actions=drop", "255",
     "bad value \"255\" for table"},
    {OFP_FLOW_DELETE, "table=256", "256", "bad value \"256\" for table"},
    {OFP_FLOW_ADD, "table=,actions=drop", "table", "table needs a value"},
    {OFP_FLOW_ADD, "priority=65536,actions=drop", "65536",
     "bad value \"65536\" for priority"},
    {OFP_FLOW_ADD, "priority=-1,actions=drop", "-1",
     "bad value \"-1\" for priority"},
    {OFP_FLOW_ADD, "idle_timeout=70000,actions=drop", "70000",
     "bad value \"70000\" for idle_timeout"},
    {OFP_FLOW_ADD, "in_port=0,actions=drop", "0",
     "bad value \"0\" for in_port"},
    {OFP_FLOW_ADD, "in_port=p1,actions=drop", "p1",
     "bad value \"p1\" for in_port"},
    {OFP_FLOW_ADD, "in_port=ANY,actions=drop", "ANY",
     "bad value \"ANY\" for in_port"},
    {OFP_FLOW_ADD, "in_port,actions=drop", "in_port",
     "in_port needs a value (in_port=VALUE)"},
    {OFP_FLOW_ADD, "in_port:1,actions=drop", "in_port",
     "expected NAME=VALUE, found \"in_port:1\""},
    {OFP_FLOW_ADD, "dl_vlan=4096,actions=drop", "4096",
     "bad value \"4096\" for dl_vlan"},
    {OFP_FLOW_ADD, "dl_vlan_pcp=8,actions=drop", "8",
     "bad value \"8\" for dl_vlan_pcp"},
    {OFP_FLOW_ADD, "dl_vlan=1/1,actions=drop", "1/1",
     "bad value \"1/1\" for dl_vlan"},
    {OFP_FLOW_ADD, "ip,nw_tos=3,actions=drop", "3",
     "bad value \"3\" for nw_tos"},
    {OFP_FLOW_ADD, "ip,ip_dscp=64,actions=drop", "64",
     "bad value \"64\" for ip_dscp"},
    {OFP_FLOW_ADD, "ip,nw_src=10.0.0.1/33,actions=drop", "10.0.0.1/33",
     "bad value \"10.0.0.1/33\" for nw_src"},
    {OFP_FLOW_ADD, "ip,nw_src=10.0.0,actions=drop", "10.0.0",
     "bad value \"10.0.0\" for nw_src"},
    {OFP_FLOW_ADD, "dl_src=00:11:22:33:44,actions=drop", "00:11:22:33:44",
     "bad value \"00:11:22:33:44\" for dl_src"},
    {OFP_FLOW_ADD, "dl_src=00:11:22:33:44:5g,actions=drop",
     "00:11:22:33:44:5g", "bad value \"00:11:22:33:44:5g\" for dl_src"},
    {OFP_FLOW_ADD, "ipv6,ipv6_src=1::2::3,actions=drop", "1::2::3",
     "bad value \"1::2::3\" for ipv6_src"},
    {OFP_FLOW_ADD, "tcp,tcp_flags=+syn+foo,actions=drop", "+syn+foo",
     "bad value \"+syn+foo\" for tcp_flags"},
    {OFP_FLOW_ADD, "tcp,tcp_flags=syn|syn,actions=drop", "syn|syn",
     "bad value \"syn|syn\" for tcp_flags"},
    {OFP_FLOW_ADD, "tcp,tcp_flags=syn+ack,actions=drop", "syn+ack",
     "bad value \"syn+ack\" for tcp_flags"},
    {OFP_FLOW_ADD, "tcp,tcp_flags=syn|,actions=drop", "syn|",
     "bad value \"syn|\" for tcp_flags"},
    {OFP_FLOW_ADD, "tcp,tcp_flags=+syn|ack,actions=drop", "+syn|ack",
     "bad value \"+syn|ack\" for tcp_flags"},
    {OFP_FLOW_ADD, "tcp,tp_src=65536,actions=drop", "65536",
     "bad value \"65536\" for tp_src"},
    {OFP_FLOW_ADD, "metadata=0x1ffffffffffffffff,actions=drop",
     "0x1ffffffffffffffff",
     "bad value \"0x1ffffffffffffffff\" for metadata"},
    {OFP_FLOW_ADD, "dl_type=0x10000,actions=drop", "0x10000",
     "bad value \"0x10000\" for dl_type"},
    {OFP_FLOW_ADD, "dl_type=0x800/0xff,actions=drop", "0x800/0xff",
     "bad value \"0x800/0xff\" for dl_type"},
    {OFP_FLOW_ADD, "actions=output:0", "0", "bad value \"0\" for output"},
    {OFP_FLOW_ADD, "actions=output:ANY", "ANY",
     "bad value \"ANY\" for output"},
    {OFP_FLOW_ADD, "actions=output:4294967041", "4294967041",
     "bad value \"4294967041\" for output"},
    {OFP_FLOW_ADD, "actions=mod_vlan_vid:4096", "4096",
     "bad value \"4096\" for mod_vlan_vid"},
    {OFP_FLOW_ADD, "actions=mod_vlan_pcp:8", "8",
     "bad value \"8\" for mod_vlan_pcp"},
    {OFP_FLOW_ADD, "actions=push_vlan:0x0800", "0x0800",
     "bad value \"0x0800\" for push_vlan (0x8100 or 0x88a8)"},
    {OFP_FLOW_ADD, "actions=mod_nw_tos:5", "5",
     "bad value \"5\" for mod_nw_tos"},
    {OFP_FLOW_ADD, "actions=mod_nw_src:1.2.3", "1.2.3",
     "bad value \"1.2.3\" for mod_nw_src"},
    {OFP_FLOW_ADD, "actions=mod_dl_dst:1", "1",
     "bad value \"1\" for mod_dl_dst"},
    {OFP_FLOW_ADD, "actions=mod_tp_src:65536", "65536",
     "bad value \"65536\" for mod_tp_src"},
    {OFP_FLOW_ADD, "actions=goto_table:0", "0",
     "goto_table:0 must go to a later table than 0"},
    {OFP_FLOW_ADD, "table=5,actions=goto_table:3", "3",
     "goto_table:3 must go to a later table than 5"},
    {OFP_FLOW_ADD, "actions=goto_table:255", "255",
     "bad value \"255\" for goto_table"},
    {OFP_FLOW_ADD, "actions=goto_table:1,output:1", "output",
     "actions must come before goto_table"},
    {OFP_FLOW_ADD, "actions=goto_table:2,clear_actions", "clear_actions",
     "clear_actions must come before goto_table, each at most once"},
    {OFP_FLOW_ADD, "actions=write_metadata:1,write_metadata:2",
     "write_metadata:2",
     "write_metadata must come before write_metadata, each at most once"},
    {OFP_FLOW_ADD, "actions=clear_actions,dec_ttl", "dec_ttl",
     "actions must come before clear_actions"},
    {OFP_FLOW_ADD, "actions=write_actions(goto_table:1)", "goto_table",
     "goto_table is not allowed inside write_actions"},
    {OFP_FLOW_ADD, "actions=drop,output:1", "drop",
     "drop must be the only action"},
    {OFP_FLOW_ADD, "actions=frobnicate", "frobnicate",
     "unknown action \"frobnicate\""},
    {OFP_FLOW_ADD, "actions=output(1)", "output",
     "unknown action \"output\""},
    {OFP_FLOW_ADD, "actions=set_field:1->in_port", "in_port",
     "bad value \"in_port\" for set_field's field"},
    {OFP_FLOW_ADD, "actions=set_field:1->nosuch", "nosuch",
     "bad value \"nosuch\" for set_field's field"},
    {OFP_FLOW_ADD, "actions=set_field:10.0.0.1", "10.0.0.1",
     "bad value \"10.0.0.1\" for set_field (want VALUE->FIELD)"},
    {OFP_FLOW_ADD, "actions=set_field:8->vlan_pcp", "8",
     "bad value \"8\" for vlan_pcp"},
    {OFP_FLOW_ADD, "actions=set_field:4096->ip_dscp", "4096",
     "bad value \"4096\" for ip_dscp"},
    {OFP_FLOW_ADD, "actions=write_actions(output:1", "write_actions",
     "unbalanced quotes or parentheses in \"actions\""},
    {OFP_FLOW_ADD, "actions=output:1),output:2", "output:1)",
     "unbalanced quotes or parentheses in \"actions\""},
    {OFP_FLOW_ADD, "actions=resubmit(1,2)x", "x",
     "unbalanced quotes or parentheses in action \"resubmit\""},
    {OFP_FLOW_ADD, "actions=note:1", "1", "bad value \"1\" for note"},
    {OFP_FLOW_ADD, "actions=note:zz", "zz", "bad value \"zz\" for note"},
    {OFP_FLOW_ADD, "actions=resubmit(,255)", "255",
     "bad value \"255\" for resubmit table"},
    {OFP_FLOW_ADD, "actions=resubmit(x,1)", "x",
     "bad value \"x\" for resubmit port"},
    {OFP_FLOW_ADD, "actions=resubmit", "",
     "bad value \"\" for resubmit"},
    {OFP_FLOW_ADD, "actions=controller:70000", "70000",
     "bad value \"70000\" for controller max_len"},
    {OFP_FLOW_ADD, "actions=controller:", "",
     "bad value \"\" for controller max_len"},
    {OFP_FLOW_ADD, "actions=controller(max_len=q)", "q",
     "bad value \"q\" for controller max_len"},
    {OFP_FLOW_ADD, "actions=controller(len=1)", "len=1",
     "bad value \"len=1\" for controller"},
    {OFP_FLOW_ADD, "actions=write_metadata:0x1/0xg", "0x1/0xg",
     "bad value \"0x1/0xg\" for write_metadata"},
    {OFP_FLOW_ADD, "actions=set_queue:-1", "-1",
     "bad value \"-1\" for set_queue"},
};

static void
test_errors(void **state)
{
    (void) state;
    for (size_t i = 0; i < ARRAY_SIZE(error_cases); i++) {
        const struct error_case *c = &error_cases[i];
        struct ofp_flow_mod fm;
        static const struct ofp_flow_mod zero;

        memset(&fm, 0x5a, sizeof fm);
        char *error = ofp_parse_flow_mod(&fm, c->text, c->cmd, NULL, NULL);
        if (!error) {
            fail_msg("\"%s\": parsed, expected \"%s\"", c->text, c->message);
        }
        /* The token's column: its last occurrence for "" (end of text),
         * else its first. */
        const char *at = *c->token ? strstr(c->text, c->token)
                                   : c->text + strlen(c->text);
        assert_non_null(at);
        char *expected = xasprintf("%s (column %zu)", c->message,
                                   (size_t) (at - c->text) + 1);
        if (strcmp(error, expected)) {
            fail_msg("\"%s\": error \"%s\", expected \"%s\"", c->text,
                     error, expected);
        }
        /* Nothing half-filled. */
        assert_memory_equal(&fm, &zero, sizeof fm);
        free(expected);
        free(error);
    }
}

static void
test_error_escapes_value(void **state)
{
    struct ofp_flow_mod fm;
    (void) state;

    char *error = ofp_parse_flow_mod(&fm, "ip,nw_src=1\x01\x7f\\,"
                                     "actions=drop", OFP_FLOW_ADD, NULL,
                                     NULL);
    assert_non_null(error);
    assert_string_equal(error, "bad value \"1\\x01\\x7f\\x5c\" for "
                        "nw_src (column 11)");
    free(error);

    error = ofp_parse_flow_mod(&fm, "in_port=1,\x1b[31m=1,actions=drop",
                               OFP_FLOW_ADD, NULL, NULL);
    assert_string_equal(error, "unknown field \"\\x1b[31m\" (column 11)");
    free(error);
    error = ofp_parse_flow_mod(&fm, "actions=\x7f\x01", OFP_FLOW_ADD, NULL,
                               NULL);
    assert_string_equal(error, "unknown action \"\\x7f\\x01\" (column 9)");
    free(error);

    /* A long bad value is cut. */
    struct ds ds = DS_EMPTY_INITIALIZER;
    ds_put_cstr(&ds, "ip,nw_src=");
    ds_put_char_multiple(&ds, '9', 200);
    ds_put_cstr(&ds, ",actions=drop");
    error = ofp_parse_flow_mod(&fm, ds_cstr(&ds), OFP_FLOW_ADD, NULL, NULL);
    assert_non_null(error);
    assert_non_null(strstr(error, "...\" for nw_src (column 11)"));
    assert_true(strlen(error) < 120);
    free(error);
    ds_destroy(&ds);
}

/* Port names. */

static void
test_port_names(void **state)
{
    struct ofp_port_map map;
    struct ofp_flow_mod fm;
    struct ds ds = DS_EMPTY_INITIALIZER;
    (void) state;

    ofp_port_map_init(&map);
    ofp_port_map_add(&map, "p1", 1);
    ofp_port_map_add(&map, "vm 2", 2);
    ofp_port_map_add(&map, "7", 3);
    ofp_port_map_add(&map, "x),(y", 4);

    char *error = ofp_parse_flow_mod(&fm, "in_port=p1,actions=output:\"vm 2\","
                                     "resubmit(\"7\",1),output:p1",
                                     OFP_FLOW_ADD, ofp_port_map_resolve, &map);
    assert_null(error);
    assert_int_equal(fm.match.flow.in_port, 1);
    ofp_flow_mod_format(&ds, &fm, &map);
    assert_string_equal(ds_cstr(&ds), "in_port=p1 actions=output:\"vm 2\","
                        "resubmit(\"7\",1),output:p1");
    ds_clear(&ds);
    ofp_flow_mod_format(&ds, &fm, NULL);
    assert_string_equal(ds_cstr(&ds), "in_port=1 actions=output:2,"
                        "resubmit(3,1),output:1");
    ofp_flow_mod_uninit(&fm);

    /* Quotes protect parentheses and commas. */
    error = ofp_parse_flow_mod(&fm, "in_port=\"x),(y\" actions="
                               "resubmit(\"x),(y\",2),output:\"x),(y\"",
                               OFP_FLOW_ADD, ofp_port_map_resolve, &map);
    assert_null(error);
    ds_clear(&ds);
    ofp_flow_mod_format(&ds, &fm, &map);
    assert_string_equal(ds_cstr(&ds), "in_port=\"x),(y\" actions="
                        "resubmit(\"x),(y\",2),output:\"x),(y\"");
    ofp_flow_mod_uninit(&fm);

    /* A number is a number even when a port is named like one. */
    error = ofp_parse_flow_mod(&fm, "in_port=7,actions=drop", OFP_FLOW_ADD,
                               ofp_port_map_resolve, &map);
    assert_null(error);
    assert_int_equal(fm.match.flow.in_port, 7);
    ofp_flow_mod_uninit(&fm);

    /* Unknown names. */
    error = ofp_parse_flow_mod(&fm, "in_port=p9,actions=drop", OFP_FLOW_ADD,
                               ofp_port_map_resolve, &map);
    assert_string_equal(error, "bad value \"p9\" for in_port (column 9)");
    free(error);
    error = ofp_parse_flow_mod(&fm, "actions=output:p9", OFP_FLOW_ADD,
                               ofp_port_map_resolve, &map);
    assert_string_equal(error, "bad value \"p9\" for output (column 16)");
    free(error);
    /* A bare word is never taken for a port name. */
    error = ofp_parse_flow_mod(&fm, "actions=p1", OFP_FLOW_ADD,
                               ofp_port_map_resolve, &map);
    assert_string_equal(error, "unknown action \"p1\" (column 9)");
    free(error);
    error = ofp_parse_flow_mod(&fm, "in_port=\"p1,actions=drop",
                               OFP_FLOW_ADD, ofp_port_map_resolve, &map);
    assert_non_null(error);
    assert_non_null(strstr(error, "unbalanced"));
    free(error);

    ds_destroy(&ds);
    ofp_port_map_destroy(&map);
}

static void
test_parse_match_and_actions(void **state)
{
    struct match match, expected;
    struct ofpacts ofpacts;
    (void) state;

    char *error = ofp_parse_match(&match, "in_port=1,dl_vlan=10,tcp", NULL,
                                  NULL);
    assert_null(error);
    match_init_catchall(&expected);
    match_set_in_port(&expected, 1);
    match_set_dl_vlan(&expected, 10);
    match_set_dl_type(&expected, htons(ETH_TYPE_IP));
    match_set_nw_proto(&expected, IP_PROTO_TCP);
    assert_true(match_equal(&match, &expected));

    error = ofp_parse_match(&match, "in_port=1,priority=3", NULL, NULL);
    assert_string_equal(error, "priority is not a match field (column 11)");
    assert_true(match_is_catchall(&match));
    free(error);
    error = ofp_parse_match(&match, "in_port=1 actions=drop", NULL, NULL);
    assert_string_equal(error, "actions are not allowed in a match "
                        "(column 11)");
    free(error);

    ofpacts_init(&ofpacts);
    error = ofp_parse_actions(&ofpacts, "output:1", 0, NULL, NULL);
    assert_null(error);
    size_t size = ofpacts.size;
    error = ofp_parse_actions(&ofpacts, "output:2,goto_table:1", 0, NULL,
                              NULL);
    assert_null(error);
    assert_true(ofpacts.size > size);
    size = ofpacts.size;
    /* An error leaves the list as it was. */
    error = ofp_parse_actions(&ofpacts, "output:3,bogus", 0, NULL, NULL);
    assert_string_equal(error, "unknown action \"bogus\" (column 10)");
    free(error);
    assert_int_equal(ofpacts.size, size);
    struct ds ds = DS_EMPTY_INITIALIZER;
    ofpacts_format(&ds, ofpacts.data, ofpacts.size, NULL);
    assert_string_equal(ds_cstr(&ds), "output:1,output:2,goto_table:1");
    ds_destroy(&ds);
    ofpacts_uninit(&ofpacts);
}

/* dump-flows lines. */

static void
test_flow_stats_format(void **state)
{
    struct ofp_flow_mod fm;
    struct ofp_flow_stats fs;
    struct ds ds = DS_EMPTY_INITIALIZER;
    (void) state;

    parse_ok(&fm, "priority=100,in_port=1,actions=output:2", OFP_FLOW_ADD);
    memset(&fs, 0, sizeof fs);
    fs.priority = fm.priority;
    fs.match = fm.match;
    fs.ofpacts = fm.ofpacts;
    fs.ofpacts_len = fm.ofpacts_len;
    fs.duration_sec = 1;
    fs.duration_nsec = 234567890;
    fs.idle_age = 1;
    ofp_flow_stats_format(&ds, &fs, NULL, true);
    assert_string_equal(ds_cstr(&ds),
                        "cookie=0x0, duration=1.234s, table=0, n_packets=0, "
                        "n_bytes=0, idle_age=1, priority=100,in_port=1 "
                        "actions=output:2");
    ds_clear(&ds);
    ofp_flow_stats_format(&ds, &fs, NULL, false);
    assert_string_equal(ds_cstr(&ds), "priority=100,in_port=1 "
                        "actions=output:2");

    /* Default priority and catch-all match; timeouts; table; cookie. */
    match_init_catchall(&fs.match);
    fs.priority = OFP_DEFAULT_PRIORITY;
    fs.table_id = 3;
    fs.cookie = 0xab;
    fs.idle_timeout = 10;
    fs.hard_timeout = 20;
    fs.n_packets = 5;
    fs.n_bytes = 300;
    fs.ofpacts_len = 0;
    ds_clear(&ds);
    ofp_flow_stats_format(&ds, &fs, NULL, true);
    assert_string_equal(ds_cstr(&ds),
                        "cookie=0xab, duration=1.234s, table=3, n_packets=5, "
                        "n_bytes=300, idle_timeout=10, hard_timeout=20, "
                        "idle_age=1, actions=drop");
    ds_clear(&ds);
    ofp_flow_stats_format(&ds, &fs, NULL, false);
    assert_string_equal(ds_cstr(&ds), "cookie=0xab, table=3, "
                        "idle_timeout=10, hard_timeout=20, actions=drop");
    fs.priority = 0;
    fs.cookie = 0;
    fs.table_id = 0;
    fs.idle_timeout = fs.hard_timeout = 0;
    ds_clear(&ds);
    ofp_flow_stats_format(&ds, &fs, NULL, false);
    assert_string_equal(ds_cstr(&ds), "priority=0 actions=drop");
    ds_destroy(&ds);
    ofp_flow_mod_uninit(&fm);
}

static void
test_command_names(void **state)
{
    enum ofp_flow_mod_command cmd;
    (void) state;

    for (int i = OFP_FLOW_ADD; i <= OFP_FLOW_QUERY; i++) {
        assert_true(ofp_flow_mod_command_from_string(
                        ofp_flow_mod_command_to_string(i), &cmd));
        assert_int_equal(cmd, i);
    }
    assert_false(ofp_flow_mod_command_from_string("remove", &cmd));
    assert_string_equal(ofp_flow_mod_command_to_string(99), "unknown");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_match_round_trips),
        cmocka_unit_test(test_action_round_trips),
        cmocka_unit_test(test_command_round_trips),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_error_escapes_value),
        cmocka_unit_test(test_port_names),
        cmocka_unit_test(test_parse_match_and_actions),
        cmocka_unit_test(test_flow_stats_format),
        cmocka_unit_test(test_command_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
