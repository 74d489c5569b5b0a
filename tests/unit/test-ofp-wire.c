/* Unit tests for lib/ofp-wire: the JSON of skiff-ofctl's commands. */
#include "unit.h"

#include "dynamic-string.h"
#include "ofp-wire.h"

static void
parse_ok(struct ofp_flow_mod *fm, const char *text,
         enum ofp_flow_mod_command cmd)
{
    char *error = ofp_parse_flow_mod(fm, text, cmd, NULL, NULL);
    if (error) {
        fail_msg("\"%s\": %s", text, error);
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

static const struct {
    enum ofp_flow_mod_command cmd;
    const char *text;
} flows[] = {
    {OFP_FLOW_ADD, "actions=drop"},
    {OFP_FLOW_ADD, "table=3,priority=7,cookie=0xffffffffffffffff,"
     "idle_timeout=1,hard_timeout=2,tcp,in_port=LOCAL,nw_src=10.0.0.0/8,"
     "tp_dst=80,actions=output:2,write_actions(output:3),goto_table:9"},
    {OFP_FLOW_MODIFY, "cookie=0x1/0x1,arp,arp_op=2,actions=NORMAL"},
    {OFP_FLOW_MODIFY_STRICT, "priority=0,actions=CONTROLLER:12"},
    {OFP_FLOW_DELETE, "out_port=5,dl_vlan=4"},
    {OFP_FLOW_DELETE_STRICT, "table=254,priority=9,ipv6,ipv6_src=::1/64"},
    {OFP_FLOW_QUERY, "table=1,cookie=0x10/0xf0"},
};

static void
test_flow_mod_round_trip(void **state)
{
    (void) state;
    for (size_t i = 0; i < ARRAY_SIZE(flows); i++) {
        struct ofp_flow_mod fm, fm2;
        parse_ok(&fm, flows[i].text, flows[i].cmd);
        char *json = ofp_wire_encode_flow_mod(&fm);
        char *error = ofp_wire_decode_flow_mod(json, &fm2);
        if (error) {
            fail_msg("%s: %s", json, error);
        }
        assert_true(flow_mods_equal(&fm, &fm2));
        free(json);
        ofp_flow_mod_uninit(&fm);
        ofp_flow_mod_uninit(&fm2);
    }
}

static void
test_flow_mod_shape(void **state)
{
    struct ofp_flow_mod fm;
    (void) state;

    parse_ok(&fm, "priority=100,tcp,in_port=1,tp_dst=80,actions=output:2",
             OFP_FLOW_ADD);
    char *json = ofp_wire_encode_flow_mod(&fm);
    assert_string_equal(json,
                        "{\"command\":\"add\",\"table_id\":0,"
                        "\"priority\":100,\"cookie\":\"0x0\","
                        "\"cookie_mask\":\"0x0\",\"idle_timeout\":0,"
                        "\"hard_timeout\":0,\"out_port\":4294967295,"
                        "\"match\":\"tcp,in_port=1,tp_dst=80\","
                        "\"actions\":\"output:2\"}");
    free(json);
    ofp_flow_mod_uninit(&fm);

    parse_ok(&fm, "", OFP_FLOW_DELETE);
    json = ofp_wire_encode_flow_mod(&fm);
    assert_non_null(strstr(json, "\"actions\":\"\""));
    assert_non_null(strstr(json, "\"command\":\"delete\""));
    assert_non_null(strstr(json, "\"table_id\":255"));
    free(json);
    ofp_flow_mod_uninit(&fm);
}

static void
test_flow_mods_array(void **state)
{
    struct ofp_flow_mod fms[ARRAY_SIZE(flows)];
    struct ofp_flow_mod *out;
    size_t n;
    (void) state;

    for (size_t i = 0; i < ARRAY_SIZE(flows); i++) {
        parse_ok(&fms[i], flows[i].text, flows[i].cmd);
    }
    char *json = ofp_wire_encode_flow_mods(fms, ARRAY_SIZE(flows));
    char *error = ofp_wire_decode_flow_mods(json, &out, &n);
    assert_null(error);
    assert_int_equal(n, ARRAY_SIZE(flows));
    for (size_t i = 0; i < n; i++) {
        assert_true(flow_mods_equal(&fms[i], &out[i]));
        ofp_flow_mod_uninit(&fms[i]);
    }
    ofp_wire_flow_mods_free(out, n);
    free(json);

    error = ofp_wire_decode_flow_mods("[]", &out, &n);
    assert_null(error);
    assert_int_equal(n, 0);
    ofp_wire_flow_mods_free(out, n);

    /* The bad one is named; nothing is returned. */
    error = ofp_wire_decode_flow_mods(
        "[{\"command\":\"add\",\"table_id\":0,\"priority\":1,"
        "\"cookie\":\"0x0\",\"cookie_mask\":\"0x0\",\"idle_timeout\":0,"
        "\"hard_timeout\":0,\"out_port\":4294967295,\"match\":\"\","
        "\"actions\":\"drop\"},"
        "{\"command\":\"add\",\"table_id\":0,\"priority\":1,"
        "\"cookie\":\"0x0\",\"cookie_mask\":\"0x0\",\"idle_timeout\":0,"
        "\"hard_timeout\":0,\"out_port\":4294967295,\"match\":\"\","
        "\"actions\":\"output:0\"}]", &out, &n);
    assert_string_equal(error, "flow 2: actions: bad value \"0\" for output "
                        "(column 8)");
    assert_null(out);
    assert_int_equal(n, 0);
    free(error);
}

static const char good_fm[] =
    "{\"command\":\"%s\",\"table_id\":%s,\"priority\":%s,"
    "\"cookie\":\"%s\",\"cookie_mask\":\"%s\",\"idle_timeout\":0,"
    "\"hard_timeout\":0,\"out_port\":%s,\"match\":\"%s\","
    "\"actions\":\"%s\"}";

static void
check_decode_error(const char *json, const char *expected)
{
    struct ofp_flow_mod fm;
    static const struct ofp_flow_mod zero;

    memset(&fm, 0x5a, sizeof fm);
    char *error = ofp_wire_decode_flow_mod(json, &fm);
    if (!error) {
        fail_msg("%s: decoded, expected \"%s\"", json, expected);
    }
    if (strcmp(error, expected)) {
        fail_msg("%s: error \"%s\", expected \"%s\"", json, error, expected);
    }
    assert_memory_equal(&fm, &zero, sizeof fm);
    free(error);
}

static void
test_flow_mod_decode_errors(void **state)
{
    char *json;
    (void) state;

    check_decode_error("", "bad JSON: unexpected end of data");
    check_decode_error("[1]", "JSON object expected");
    check_decode_error("{\"command\":\"add\"}", "missing member \"table_id\"");
    json = xasprintf(good_fm, "add", "0", "1", "0x0", "0x0", "1", "",
                     "drop");
    struct ofp_flow_mod fm;
    char *error = ofp_wire_decode_flow_mod(json, &fm);
    assert_null(error);
    ofp_flow_mod_uninit(&fm);
    /* One more member. */
    json[strlen(json) - 1] = '\0';
    char *json2 = xasprintf("%s,\"extra\":1}", json);
    check_decode_error(json2, "unknown member \"extra\"");
    free(json2);
    free(json);

    static const struct {
        const char *cmd, *table, *priority, *cookie, *mask, *out_port;
        const char *match, *actions, *error;
    } cases[] = {
        {"remove", "0", "1", "0x0", "0x0", "1", "", "",
         "unknown command \"remove\""},
        {"add", "255", "1", "0x0", "0x0", "1", "", "",
         "add needs a table_id below 255"},
        {"add", "256", "1", "0x0", "0x0", "1", "", "",
         "\"table_id\" out of range"},
        {"add", "-1", "1", "0x0", "0x0", "1", "", "",
         "\"table_id\" out of range"},
        {"add", "\"0\"", "1", "0x0", "0x0", "1", "", "",
         "\"table_id\" must be an integer"},
        {"add", "0", "65536", "0x0", "0x0", "1", "", "",
         "\"priority\" out of range"},
        {"add", "0", "1", "5", "0x0", "1", "", "",
         "\"cookie\" must be a 0x hex string"},
        {"add", "0", "1", "0x10000000000000000", "0x0", "1", "", "",
         "\"cookie\" must be a 0x hex string"},
        {"add", "0", "1", "0x1", "0x1", "1", "", "",
         "add takes no cookie_mask"},
        {"delete", "0", "1", "0x3", "0x1", "1", "", "",
         "cookie has bits outside cookie_mask"},
        {"add", "0", "1", "0x0", "0x0", "4294967296", "", "",
         "\"out_port\" out of range"},
        {"add", "0", "1", "0x0", "0x0", "1", "nw_src=1.2.3.4", "",
         "match: nw_src needs ip or arp in the match (column 1)"},
        {"add", "0", "1", "0x0", "0x0", "1", "in_port=p1", "",
         "match: bad value \"p1\" for in_port (column 9)"},
        {"add", "2", "1", "0x0", "0x0", "1", "", "goto_table:1",
         "actions: goto_table:1 must go to a later table than 2 "
         "(column 12)"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        json = xasprintf(good_fm, cases[i].cmd, cases[i].table,
                         cases[i].priority, cases[i].cookie, cases[i].mask,
                         cases[i].out_port, cases[i].match,
                         cases[i].actions);
        check_decode_error(json, cases[i].error);
        free(json);
    }
}

static void
test_flow_stats(void **state)
{
    struct ofp_flow_mod fm;
    struct ofp_flow_stats in[2], *out;
    size_t n;
    (void) state;

    parse_ok(&fm, "table=2,priority=9,udp,actions=output:1,goto_table:3",
             OFP_FLOW_ADD);
    memset(in, 0, sizeof in);
    in[0].table_id = 2;
    in[0].priority = 9;
    in[0].cookie = UINT64_MAX;
    in[0].duration_sec = 12;
    in[0].duration_nsec = 999999999;
    in[0].idle_timeout = 60;
    in[0].hard_timeout = 600;
    in[0].idle_age = 4;
    in[0].n_packets = 1000000;
    in[0].n_bytes = INT64_MAX;
    in[0].match = fm.match;
    in[0].ofpacts = fm.ofpacts;
    in[0].ofpacts_len = fm.ofpacts_len;
    match_init_catchall(&in[1].match);

    char *json = ofp_wire_encode_flow_stats(in, 2);
    char *error = ofp_wire_decode_flow_stats(json, &out, &n);
    assert_null(error);
    assert_int_equal(n, 2);
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(out[i].table_id, in[i].table_id);
        assert_int_equal(out[i].priority, in[i].priority);
        assert_true(out[i].cookie == in[i].cookie);
        assert_int_equal(out[i].duration_sec, in[i].duration_sec);
        assert_int_equal(out[i].duration_nsec, in[i].duration_nsec);
        assert_int_equal(out[i].idle_timeout, in[i].idle_timeout);
        assert_int_equal(out[i].hard_timeout, in[i].hard_timeout);
        assert_int_equal(out[i].idle_age, in[i].idle_age);
        assert_true(out[i].n_packets == in[i].n_packets);
        assert_true(out[i].n_bytes == in[i].n_bytes);
        assert_true(match_equal(&out[i].match, &in[i].match));
        assert_true(ofpacts_equal(out[i].ofpacts, out[i].ofpacts_len,
                                  in[i].ofpacts, in[i].ofpacts_len));
    }
    ofp_wire_flow_stats_free(out, n);
    free(json);

    error = ofp_wire_decode_flow_stats("{\"flows\":{}}", &out, &n);
    assert_string_equal(error, "\"flows\" must be an array");
    free(error);
    error = ofp_wire_decode_flow_stats("{\"flows\":[{}]}", &out, &n);
    assert_string_equal(error, "flow 1: missing member \"table_id\"");
    assert_null(out);
    free(error);
    error = ofp_wire_decode_flow_stats("{\"flow\":[]}", &out, &n);
    assert_string_equal(error, "missing member \"flows\"");
    free(error);
    ofp_flow_mod_uninit(&fm);
}

static void
test_port_stats(void **state)
{
    struct ofp_port_stats in[2], *out;
    size_t n;
    (void) state;

    memset(in, 0, sizeof in);
    in[0].port_no = 1;
    in[0].name = "p1";
    in[0].rx_packets = 1;
    in[0].rx_bytes = 2;
    in[0].rx_dropped = 3;
    in[0].rx_errors = 4;
    in[0].tx_packets = 5;
    in[0].tx_bytes = 6;
    in[0].tx_dropped = 7;
    in[0].tx_errors = 8;
    in[0].duration_sec = 9;
    in[1].port_no = OFPP_LOCAL;
    in[1].name = "br0";
    char *json = ofp_wire_encode_port_stats(in, 2);
    char *error = ofp_wire_decode_port_stats(json, &out, &n);
    assert_null(error);
    assert_int_equal(n, 2);
    assert_string_equal(out[0].name, "p1");
    assert_int_equal(out[0].port_no, 1);
    assert_true(out[0].rx_packets == 1 && out[0].rx_bytes == 2
                && out[0].rx_dropped == 3 && out[0].rx_errors == 4
                && out[0].tx_packets == 5 && out[0].tx_bytes == 6
                && out[0].tx_dropped == 7 && out[0].tx_errors == 8
                && out[0].duration_sec == 9);
    assert_int_equal(out[1].port_no, OFPP_LOCAL);
    assert_string_equal(out[1].name, "br0");
    ofp_wire_port_stats_free(out, n);
    free(json);

    error = ofp_wire_decode_port_stats("{\"ports\":[{\"port_no\":1}]}",
                                       &out, &n);
    assert_string_equal(error, "port 1: missing member \"name\"");
    free(error);
}

static void
test_bridge_desc(void **state)
{
    struct ofp_port_desc ports[2] = {
        { 1, "p1", { { 0xaa, 0, 0, 0, 0, 1 } }, true },
        { OFPP_LOCAL, "br0", { { 0xaa, 0, 0, 0, 0, 2 } }, false },
    };
    struct ofp_bridge_desc in = { "br0", 0x1a2b, 255, ports, 2 };
    struct ofp_bridge_desc out;
    (void) state;

    char *json = ofp_wire_encode_bridge_desc(&in);
    assert_non_null(strstr(json, "\"datapath_id\":\"0x0000000000001a2b\""));
    char *error = ofp_wire_decode_bridge_desc(json, &out);
    assert_null(error);
    assert_string_equal(out.name, "br0");
    assert_true(out.datapath_id == 0x1a2b);
    assert_int_equal(out.n_tables, 255);
    assert_int_equal(out.n_ports, 2);
    assert_string_equal(out.ports[0].name, "p1");
    assert_memory_equal(&out.ports[0].hw_addr, &ports[0].hw_addr, 6);
    assert_true(out.ports[0].link_up);
    assert_false(out.ports[1].link_up);
    assert_int_equal(out.ports[1].port_no, OFPP_LOCAL);

    struct ofp_port_map map;
    ofp_port_map_init(&map);
    ofp_wire_bridge_desc_to_port_map(&out, &map);
    uint32_t port;
    assert_true(ofp_port_map_resolve("br0", &port, &map));
    assert_int_equal(port, OFPP_LOCAL);
    ofp_port_map_destroy(&map);
    ofp_wire_bridge_desc_uninit(&out);
    free(json);

    error = ofp_wire_decode_bridge_desc(
        "{\"name\":\"b\",\"datapath_id\":\"0x1\",\"n_tables\":1,"
        "\"ports\":[{\"port_no\":1,\"name\":\"p\",\"hw_addr\":\"zz\","
        "\"link_up\":true}]}", &out);
    assert_string_equal(error, "port 1: \"hw_addr\" must be an Ethernet "
                        "address");
    assert_null(out.name);
    assert_null(out.ports);
    free(error);
    error = ofp_wire_decode_bridge_desc(
        "{\"name\":\"b\",\"datapath_id\":\"0x1\",\"n_tables\":1,"
        "\"ports\":[{\"port_no\":1,\"name\":\"p\","
        "\"hw_addr\":\"00:00:00:00:00:01\",\"link_up\":1}]}", &out);
    assert_string_equal(error, "port 1: \"link_up\" must be a boolean");
    free(error);
    error = ofp_wire_decode_bridge_desc("{\"name\":3}", &out);
    assert_non_null(error);
    free(error);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flow_mod_round_trip),
        cmocka_unit_test(test_flow_mod_shape),
        cmocka_unit_test(test_flow_mods_array),
        cmocka_unit_test(test_flow_mod_decode_errors),
        cmocka_unit_test(test_flow_stats),
        cmocka_unit_test(test_port_stats),
        cmocka_unit_test(test_bridge_desc),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
