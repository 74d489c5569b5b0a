/* Unit tests for ofproto's flow tables: OpenFlow 1.3 flow_mod semantics
 * (strict and not), filters, all-or-nothing batches, and idle and hard
 * timeouts under a clock the test controls. */
#include "unit.h"

#include <errno.h>

#include "dynamic-string.h"
#include "ofp-parse.h"
#include "ofproto/ofproto-private.h"
#include "ofproto/rcu.h"

static long long fake_now;

static long long int
fake_clock(void)
{
    return fake_now;
}

static int
setup(void **state)
{
    struct ofproto *p;
    fake_now = 1000000;
    ofproto_set_clock(fake_clock);
    assert_int_equal(ofproto_create("br0", &p), 0);
    *state = p;
    return 0;
}

static int
teardown(void **state)
{
    ofproto_destroy(*state);
    ofproto_set_clock(NULL);
    return 0;
}

/* Applies TEXT as a flow mod of COMMAND; returns the error or 0. */
static int
mod(struct ofproto *p, enum ofp_flow_mod_command command, const char *text)
{
    struct ofp_flow_mod fm;
    char *error = ofp_parse_flow_mod(&fm, text, command, NULL, NULL);
    if (error) {
        fail_msg("%s: %s", text, error);
    }
    int retval = ofproto_flow_mod(p, &fm, &error);
    free(error);
    ofp_flow_mod_uninit(&fm);
    return retval;
}

/* The flows as "--no-stats" dump-flows lines, one per line. */
static char *
dump(struct ofproto *p, const char *filter)
{
    struct ofp_flow_mod fm;
    struct ofp_flow_stats *stats;
    size_t n;

    if (filter) {
        char *error = ofp_parse_flow_mod(&fm, filter, OFP_FLOW_QUERY, NULL,
                                         NULL);
        assert_null(error);
    }
    ofproto_dump_flows(p, filter ? &fm : NULL, &stats, &n);
    struct ds s = DS_EMPTY_INITIALIZER;
    for (size_t i = 0; i < n; i++) {
        ofp_flow_stats_format(&s, &stats[i], NULL, false);
        ds_put_char(&s, '\n');
    }
    free(stats);
    if (filter) {
        ofp_flow_mod_uninit(&fm);
    }
    return ds_steal_cstr(&s);
}

#define ASSERT_DUMP(P, FILTER, EXPECTED)                \
    do {                                                \
        char *d_ = dump(P, FILTER);                     \
        assert_string_equal(d_, EXPECTED);              \
        free(d_);                                       \
    } while (0)

static void
test_default_flow(void **state)
{
    struct ofproto *p = *state;
    ASSERT_DUMP(p, NULL, "priority=0 actions=NORMAL\n");
    assert_int_equal(ofproto_n_flows(p), 1);
}

static void
test_add_replaces_same_match_and_priority(void **state)
{
    struct ofproto *p = *state;
    assert_int_equal(mod(p, OFP_FLOW_ADD,
                         "priority=5,in_port=1 actions=output:2"), 0);

    /* Count a packet, then replace: counters stay, actions change. */
    struct flow f;
    memset(&f, 0, sizeof f);
    f.in_port = 1;
    int lock = rcu_read_lock();
    struct rule *r = ofproto_rule_lookup(p, 0, &f, NULL);
    assert_non_null(r);
    ofproto_rule_credit(r, 100, fake_now);
    rcu_read_unlock(lock);

    fake_now += 5000;
    assert_int_equal(mod(p, OFP_FLOW_ADD,
                         "priority=5,in_port=1 actions=output:3"), 0);
    assert_int_equal(mod(p, OFP_FLOW_ADD,
                         "priority=6,in_port=1 actions=output:4"), 0);
    ASSERT_DUMP(p, NULL,
                "priority=6,in_port=1 actions=output:4\n"
                "priority=5,in_port=1 actions=output:3\n"
                "priority=0 actions=NORMAL\n");

    struct ofp_flow_stats *stats;
    size_t n;
    ofproto_dump_flows(p, NULL, &stats, &n);
    assert_int_equal(n, 3);
    assert_int_equal(stats[1].n_packets, 1);
    assert_int_equal(stats[1].n_bytes, 100);
    assert_int_equal(stats[1].duration_sec, 0);     /* Reset. */
    free(stats);
}

static void
test_modify_strict_and_not(void **state)
{
    struct ofproto *p = *state;
    mod(p, OFP_FLOW_ADD, "priority=10,in_port=1 actions=output:2");
    mod(p, OFP_FLOW_ADD, "priority=20,in_port=1,tcp actions=output:2");
    mod(p, OFP_FLOW_ADD, "priority=10,in_port=2 actions=output:1");

    /* Non-strict: every flow at least as specific, any priority. */
    assert_int_equal(mod(p, OFP_FLOW_MODIFY, "in_port=1 actions=drop"), 0);
    ASSERT_DUMP(p, NULL,
                "priority=20,tcp,in_port=1 actions=drop\n"
                "priority=10,in_port=1 actions=drop\n"
                "priority=10,in_port=2 actions=output:1\n"
                "priority=0 actions=NORMAL\n");

    /* Strict: same match and priority only. */
    assert_int_equal(mod(p, OFP_FLOW_MODIFY_STRICT,
                         "priority=10,in_port=1 actions=output:7"), 0);
    assert_int_equal(mod(p, OFP_FLOW_MODIFY_STRICT,
                         "priority=11,in_port=2 actions=output:7"), 0);
    ASSERT_DUMP(p, NULL,
                "priority=20,tcp,in_port=1 actions=drop\n"
                "priority=10,in_port=1 actions=output:7\n"
                "priority=10,in_port=2 actions=output:1\n"
                "priority=0 actions=NORMAL\n");

    /* OpenFlow 1.3: a modify that selects nothing adds nothing. */
    assert_int_equal(mod(p, OFP_FLOW_MODIFY, "in_port=9 actions=drop"), 0);
    assert_int_equal(ofproto_n_flows(p), 4);

    /* The catch-all modify changes everything, including NORMAL. */
    assert_int_equal(mod(p, OFP_FLOW_MODIFY, "actions=output:5"), 0);
    ASSERT_DUMP(p, "out_port=5",
                "priority=20,tcp,in_port=1 actions=output:5\n"
                "priority=10,in_port=1 actions=output:5\n"
                "priority=10,in_port=2 actions=output:5\n"
                "priority=0 actions=output:5\n");
}

static void
test_delete_filters(void **state)
{
    struct ofproto *p = *state;
    mod(p, OFP_FLOW_ADD, "cookie=0x11,priority=10,in_port=1 actions=output:2");
    mod(p, OFP_FLOW_ADD, "cookie=0x12,priority=20,in_port=1,tcp "
        "actions=output:3");
    mod(p, OFP_FLOW_ADD, "table=3,cookie=0x21,in_port=1 actions=output:2");

    /* Cookie filter. */
    assert_int_equal(mod(p, OFP_FLOW_DELETE, "cookie=0x10/0xf0"), 0);
    ASSERT_DUMP(p, NULL,
                "priority=0 actions=NORMAL\n"
                "cookie=0x21, table=3, in_port=1 actions=output:2\n");

    mod(p, OFP_FLOW_ADD, "priority=10,in_port=1 actions=output:2");
    mod(p, OFP_FLOW_ADD, "priority=20,in_port=1,tcp actions=output:3");
    /* out_port filter, every table. */
    assert_int_equal(mod(p, OFP_FLOW_DELETE, "out_port=2"), 0);
    ASSERT_DUMP(p, NULL,
                "priority=20,tcp,in_port=1 actions=output:3\n"
                "priority=0 actions=NORMAL\n");

    /* Strict needs the same priority. */
    assert_int_equal(mod(p, OFP_FLOW_DELETE_STRICT,
                         "priority=21,in_port=1,tcp"), 0);
    assert_int_equal(ofproto_n_flows(p), 2);
    assert_int_equal(mod(p, OFP_FLOW_DELETE_STRICT,
                         "priority=20,in_port=1,tcp"), 0);
    assert_int_equal(ofproto_n_flows(p), 1);

    /* Non-strict in_port=1 does not delete the catch-all. */
    mod(p, OFP_FLOW_ADD, "priority=20,in_port=1,tcp actions=output:3");
    assert_int_equal(mod(p, OFP_FLOW_DELETE, "in_port=1"), 0);
    ASSERT_DUMP(p, NULL, "priority=0 actions=NORMAL\n");
    assert_int_equal(mod(p, OFP_FLOW_DELETE, ""), 0);
    assert_int_equal(ofproto_n_flows(p), 0);
}

static void
test_dump_filter_and_order(void **state)
{
    struct ofproto *p = *state;
    mod(p, OFP_FLOW_ADD, "table=2,priority=5,udp actions=drop");
    mod(p, OFP_FLOW_ADD, "table=1,priority=7,ip actions=goto_table:2");
    mod(p, OFP_FLOW_ADD, "table=1,priority=9,tcp actions=goto_table:2");
    ASSERT_DUMP(p, "table=1",
                "table=1, priority=9,tcp actions=goto_table:2\n"
                "table=1, priority=7,ip actions=goto_table:2\n");
    ASSERT_DUMP(p, "ip",
                "table=1, priority=9,tcp actions=goto_table:2\n"
                "table=1, priority=7,ip actions=goto_table:2\n"
                "table=2, priority=5,udp actions=drop\n");
}

static void
test_batch_all_or_nothing(void **state)
{
    struct ofproto *p = *state;
    struct ofp_flow_mod fms[3];
    char *error;

    assert_null(ofp_parse_flow_mod(&fms[0], "table=4,actions=output:1",
                                   OFP_FLOW_ADD, NULL, NULL));
    assert_null(ofp_parse_flow_mod(&fms[1], "priority=1,actions=drop",
                                   OFP_FLOW_ADD, NULL, NULL));
    /* goto_table:3 is fine for a modify of any table... except table 4
     * where fms[0] puts a flow, and table 4 is after 3. */
    assert_null(ofp_parse_flow_mod(&fms[2], "actions=goto_table:3",
                                   OFP_FLOW_MODIFY, NULL, NULL));
    uint64_t v = ofproto_version();

    /* The modify is checked against the flows that exist when checked:
     * table 0's NORMAL flow may go to table 3, so all three pass. */
    fms[0].table_id = 4;
    assert_int_equal(ofproto_flow_mods(p, fms, 2, &error), 0);
    assert_null(error);
    assert_true(ofproto_version() > v);
    assert_int_equal(ofproto_n_flows(p), 3);

    /* Now table 4 has a flow: goto_table:3 there is backwards, so the
     * batch fails as a whole and names the flow. */
    struct ofp_flow_mod batch[2];
    assert_null(ofp_parse_flow_mod(&batch[0], "table=5,actions=drop",
                                   OFP_FLOW_ADD, NULL, NULL));
    batch[1] = fms[2];
    v = ofproto_version();
    assert_int_equal(ofproto_flow_mods(p, batch, 2, &error), EINVAL);
    assert_non_null(error);
    assert_true(str_starts_with(error, "flow 2: "));
    free(error);
    assert_int_equal(ofproto_n_flows(p), 3);
    assert_int_equal(ofproto_version(), v);
    ASSERT_DUMP(p, "table=5", "");

    /* An add to "all tables" is refused. */
    batch[0].table_id = OFP_TABLE_ALL;
    assert_int_equal(ofproto_flow_mods(p, batch, 1, &error), EINVAL);
    free(error);

    for (int i = 0; i < 3; i++) {
        ofp_flow_mod_uninit(&fms[i]);
    }
    ofp_flow_mod_uninit(&batch[0]);
}

static void
test_timeouts(void **state)
{
    struct ofproto *p = *state;
    struct flow f;

    mod(p, OFP_FLOW_ADD, "priority=5,in_port=1,idle_timeout=10 "
        "actions=output:2");
    mod(p, OFP_FLOW_ADD, "priority=5,in_port=2,hard_timeout=30 "
        "actions=output:1");
    mod(p, OFP_FLOW_ADD, "priority=5,in_port=3,idle_timeout=5,"
        "hard_timeout=8 actions=output:1");
    assert_int_equal(ofproto_n_flows(p), 4);

    memset(&f, 0, sizeof f);
    for (int s = 1; s <= 40; s++) {
        fake_now += 1000;
        /* Packets on in_port 1 and 3 every 4 seconds, until second 20. */
        if (s % 4 == 0 && s <= 20) {
            int lock = rcu_read_lock();
            for (uint32_t port = 1; port <= 3; port += 2) {
                f.in_port = port;
                struct rule *r = ofproto_rule_lookup(p, 0, &f, NULL);
                if (r && r->cr.priority == 5) {
                    ofproto_rule_credit(r, 60, fake_now);
                }
            }
            rcu_read_unlock(lock);
        }
        ofproto_run();
        size_t n = ofproto_n_flows(p);
        if (s < 8) {
            assert_int_equal(n, 4);
        } else if (s < 30) {
            /* in_port=3 hit its hard timeout at 8 s though refreshed. */
            assert_int_equal(n, 3);
        } else {
            assert_int_equal(n, 1);
        }
        if (s == 29) {
            ASSERT_DUMP(p, NULL,
                        "idle_timeout=10, priority=5,in_port=1 "
                        "actions=output:2\n"
                        "hard_timeout=30, priority=5,in_port=2 "
                        "actions=output:1\n"
                        "priority=0 actions=NORMAL\n");
        }
    }
    /* in_port=1: last packet at 20 s, idle 10 s: gone at 30; in_port=2:
     * hard 30 s. */
    ASSERT_DUMP(p, NULL, "priority=0 actions=NORMAL\n");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_default_flow, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_add_replaces_same_match_and_priority, setup, teardown),
        cmocka_unit_test_setup_teardown(test_modify_strict_and_not, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_delete_filters, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_dump_filter_and_order, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_batch_all_or_nothing, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_timeouts, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
