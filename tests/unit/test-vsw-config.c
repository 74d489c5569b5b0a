/* test-vsw-config: reading the switch's desired state from a database with
 * the real schema. */
#include "unit.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "db-error.h"
#include "db-execute.h"
#include "db-schema.h"
#include "cpu-mask.h"
#include "db.h"
#include "util.h"
#include "uuid.h"
#include "vswitchd/vsw-config.h"

static struct db *
create_db(void)
{
    const char *srcdir = getenv("srcdir");
    char *path = xasprintf("%s/vswitchd/vswitch.schema.json",
                           srcdir && *srcdir ? srcdir : ".");
    struct db_schema *schema;
    struct db_error *error = db_schema_from_file(path, &schema);

    if (error) {
        fail_msg("%s: cannot read the schema", path);
    }
    free(path);
    return db_create(schema);
}

static void
transact(struct db *db, const char *ops_text)
{
    struct json_object *ops = json_tokener_parse(ops_text);
    long long int retry;
    struct json_object *results;

    assert_non_null(ops);
    results = db_execute(db, NULL, ops, 0, &retry);
    assert_non_null(results);
    for (size_t i = 0; i < json_object_array_length(results); i++) {
        struct json_object *r = json_object_array_get_idx(results, i);
        if (!r || json_object_object_get_ex(r, "error", NULL)) {
            fail_msg("%s failed: %s", ops_text,
                     json_object_to_json_string(results));
        }
    }
    json_object_put(results);
    json_object_put(ops);
}

/* One bridge "br0" with ports p1 (access, tag 10), p2 (trunk 20,30) and
 * the bridge's own internal port; p2's interface is vhost-user. */
static const char two_ports[] =
    "[{\"op\":\"insert\",\"table\":\"Interface\",\"uuid-name\":\"i0\","
    " \"row\":{\"name\":\"br0\",\"type\":\"internal\"}},"
    "{\"op\":\"insert\",\"table\":\"Interface\",\"uuid-name\":\"i1\","
    " \"row\":{\"name\":\"p1\",\"ofport_request\":7,"
    "          \"options\":[\"map\",[[\"k\",\"v\"]]]}},"
    "{\"op\":\"insert\",\"table\":\"Interface\",\"uuid-name\":\"i2\","
    " \"row\":{\"name\":\"p2\",\"type\":\"dpdkvhostuser\"}},"
    "{\"op\":\"insert\",\"table\":\"Port\",\"uuid-name\":\"p0\","
    " \"row\":{\"name\":\"br0\",\"interfaces\":[\"named-uuid\",\"i0\"]}},"
    "{\"op\":\"insert\",\"table\":\"Port\",\"uuid-name\":\"p1\","
    " \"row\":{\"name\":\"p1\",\"tag\":10,"
    "          \"interfaces\":[\"named-uuid\",\"i1\"]}},"
    "{\"op\":\"insert\",\"table\":\"Port\",\"uuid-name\":\"p2\","
    " \"row\":{\"name\":\"p2\",\"trunks\":[\"set\",[20,30]],"
    "          \"interfaces\":[\"named-uuid\",\"i2\"]}},"
    "{\"op\":\"insert\",\"table\":\"Bridge\",\"uuid-name\":\"b\","
    " \"row\":{\"name\":\"br0\",\"datapath_type\":\"netdev\","
    "          \"other_config\":[\"map\",[[\"mac-aging-time\",\"60\"]]],"
    "          \"ports\":[\"set\",[[\"named-uuid\",\"p2\"],"
    "                            [\"named-uuid\",\"p1\"],"
    "                            [\"named-uuid\",\"p0\"]]]}},"
    "{\"op\":\"insert\",\"table\":\"Open_vSwitch\","
    " \"row\":{\"next_cfg\":3,\"bridges\":[\"named-uuid\",\"b\"],"
    "          \"other_config\":[\"map\",[[\"pmd-cpu-mask\",\"0x2\"],"
    "                                    [\"pmd-maxsleep\",\"500\"]]]}}]";

static void
test_empty(void **state)
{
    (void) state;
    struct db *db = create_db();
    struct vsw_config cfg;

    vsw_config_read(&cfg, db);
    assert_false(cfg.has_root);
    assert_int_equal(cfg.n_bridges, 0);
    assert_int_equal(cfg.pmd_maxsleep, VSW_DEFAULT_PMD_MAXSLEEP);
    vsw_config_destroy(&cfg);
    db_destroy(db);
}

static void
test_bridge_ports(void **state)
{
    (void) state;
    struct db *db = create_db();
    struct vsw_config cfg;

    transact(db, two_ports);
    vsw_config_read(&cfg, db);
    assert_true(cfg.has_root);
    assert_int_equal(cfg.next_cfg, 3);
    assert_string_equal(cfg.pmd_cpu_mask, "0x2");
    assert_int_equal(cfg.pmd_maxsleep, 500);
    assert_null(cfg.dpdk_lcore_mask);
    assert_int_equal(cfg.n_problems, 0);
    assert_int_equal(cfg.n_bridges, 1);

    const struct vsw_bridge_cfg *br = vsw_config_find_bridge(&cfg, "br0");
    assert_non_null(br);
    assert_string_equal(br->datapath_type, "netdev");
    assert_int_equal(br->mac_aging_time, 60);
    assert_int_equal(br->mac_table_size, VSW_DEFAULT_MAC_TABLE_SIZE);
    assert_int_equal(br->n_ports, 3);
    /* Name order, whatever the set's order. */
    assert_string_equal(br->ports[0]->name, "br0");
    assert_string_equal(br->ports[1]->name, "p1");
    assert_string_equal(br->ports[2]->name, "p2");

    const struct vsw_port_cfg *p1 = br->ports[1];
    assert_int_equal(vlan_port_mode(&p1->vlan), VLAN_MODE_ACCESS);
    assert_int_equal(p1->vlan.tag, 10);
    assert_int_equal(p1->n_ifaces, 1);
    assert_int_equal(p1->ifaces[0]->type, VSW_IFACE_SYSTEM);
    assert_int_equal(p1->ifaces[0]->ofport_request, 7);
    assert_string_equal(smap_get(&p1->ifaces[0]->options, "k"), "v");
    assert_null(p1->ifaces[0]->error);

    const struct vsw_port_cfg *p2 = br->ports[2];
    assert_int_equal(vlan_port_mode(&p2->vlan), VLAN_MODE_TRUNK);
    assert_int_equal(p2->vlan.tag, -1);
    assert_true(p2->vlan.has_trunks);
    assert_true(vlan_bitmap_has(&p2->vlan.trunks, 20));
    assert_true(vlan_bitmap_has(&p2->vlan.trunks, 30));
    assert_false(vlan_bitmap_has(&p2->vlan.trunks, 10));
    assert_false(p2->vlan.has_cvlans);
    assert_int_equal(p2->ifaces[0]->type, VSW_IFACE_VHOSTUSER);
    assert_int_equal(br->ports[0]->ifaces[0]->type, VSW_IFACE_INTERNAL);

    vsw_config_destroy(&cfg);
    db_destroy(db);
}

/* Bad values: defaults kept, each named in a problem. */
static void
test_bad_values(void **state)
{
    (void) state;
    struct db *db = create_db();
    struct vsw_config cfg;

    transact(db, two_ports);
    transact(db,
        "[{\"op\":\"update\",\"table\":\"Open_vSwitch\",\"where\":[],"
        " \"row\":{\"other_config\":[\"map\",["
        "   [\"pmd-cpu-mask\",\"0xg1\"],[\"dpdk-lcore-mask\",\"0\"],"
        "   [\"pmd-maxsleep\",\"10001\"],"
        "   [\"dpdk-socket-mem\",\"1024,,0\"]]]}},"
        "{\"op\":\"update\",\"table\":\"Bridge\",\"where\":[],"
        " \"row\":{\"other_config\":[\"map\",["
        "   [\"mac-aging-time\",\"soon\"],[\"flow-limit\",\"0\"]]]}},"
        "{\"op\":\"update\",\"table\":\"Interface\","
        " \"where\":[[\"name\",\"==\",\"p2\"]],"
        " \"row\":{\"type\":\"warp-drive\"}}]");
    vsw_config_read(&cfg, db);
    assert_null(cfg.pmd_cpu_mask);
    assert_null(cfg.dpdk_lcore_mask);
    assert_null(cfg.dpdk_socket_mem);
    assert_int_equal(cfg.pmd_maxsleep, VSW_DEFAULT_PMD_MAXSLEEP);
    assert_int_equal(cfg.n_problems, 6);

    const char *expect[] = { "0xg1", "dpdk-lcore-mask=\"0\"", "10001",
                             "1024,,0", "soon", "flow-limit=\"0\"" };
    for (size_t i = 0; i < ARRAY_SIZE(expect); i++) {
        bool found = false;
        for (size_t j = 0; j < cfg.n_problems; j++) {
            found |= strstr(cfg.problems[j], expect[i]) != NULL;
        }
        if (!found) {
            fail_msg("no problem names %s", expect[i]);
        }
    }

    const struct vsw_bridge_cfg *br = cfg.bridges[0];
    assert_int_equal(br->mac_aging_time, VSW_DEFAULT_MAC_AGING_TIME);
    assert_int_equal(br->flow_limit, VSW_DEFAULT_FLOW_LIMIT);

    const struct vsw_iface_cfg *p2 = vsw_bridge_find_port(br, "p2")
                                     ->ifaces[0];
    assert_int_equal(p2->type, VSW_IFACE_UNKNOWN);
    assert_non_null(p2->error);
    assert_non_null(strstr(p2->error, "warp-drive"));
    /* The other interfaces are unaffected. */
    assert_null(vsw_bridge_find_port(br, "p1")->ifaces[0]->error);

    vsw_config_destroy(&cfg);
    db_destroy(db);
}

/* A port in two bridges belongs to the first by name; the other leaves it
 * out and says so. */
static void
test_shared_port(void **state)
{
    (void) state;
    struct db *db = create_db();
    struct vsw_config cfg;

    transact(db, two_ports);
    transact(db,
        "[{\"op\":\"insert\",\"table\":\"Bridge\",\"uuid-name\":\"b1\","
        " \"row\":{\"name\":\"br1\"}},"
        "{\"op\":\"mutate\",\"table\":\"Open_vSwitch\",\"where\":[],"
        " \"mutations\":[[\"bridges\",\"insert\","
        "                 [\"named-uuid\",\"b1\"]]]}]");
    /* br1 also lists p1. */
    const struct db_table *ports = db_get_table(db, "Port");
    const struct db_row *row;
    char *ops = NULL;
    DB_TABLE_FOR_EACH_ROW (row, ports) {
        if (!strcmp(db_row_get_string(row, "name"), "p1")) {
            char uuid[UUID_LEN + 1];
            uuid_to_string(db_row_get_uuid(row), uuid);
            ops = xasprintf(
                "[{\"op\":\"update\",\"table\":\"Bridge\","
                " \"where\":[[\"name\",\"==\",\"br1\"]],"
                " \"row\":{\"ports\":[\"uuid\",\"%s\"]}}]", uuid);
        }
    }
    assert_non_null(ops);
    transact(db, ops);
    free(ops);

    vsw_config_read(&cfg, db);
    assert_int_equal(cfg.n_bridges, 2);
    assert_int_equal(cfg.bridges[0]->n_ports, 3);
    assert_int_equal(cfg.bridges[1]->n_ports, 0);
    assert_int_equal(cfg.n_problems, 1);
    assert_non_null(strstr(cfg.problems[0], "port p1 is in bridge br0"));
    vsw_config_destroy(&cfg);
    db_destroy(db);
}

static void
test_cpu_mask(void **state)
{
    (void) state;
    uint64_t bits[4];

    assert_int_equal(cpu_mask_parse("0x3", bits, 4), 0);
    assert_true(bits[0] == 3 && !bits[1]);
    assert_int_equal(cpu_mask_parse("F0", bits, 4), 0);
    assert_true(bits[0] == 0xf0);
    assert_int_equal(cpu_mask_parse("0X10000000000000000", bits, 4), 0);
    assert_true(bits[0] == 0 && bits[1] == 1);
    assert_int_equal(cpu_mask_parse("0x", bits, 4), EINVAL);
    assert_int_equal(cpu_mask_parse("0x0", bits, 4), EINVAL);
    assert_int_equal(cpu_mask_parse("12z", bits, 4), EINVAL);
    assert_int_equal(cpu_mask_parse("-1", bits, 4), EINVAL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_bridge_ports),
        cmocka_unit_test(test_bad_values),
        cmocka_unit_test(test_shared_port),
        cmocka_unit_test(test_cpu_mask),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
