/* Unit tests for ofproto/mac-learning: learning, VLANs, moves, aging,
 * the size limit and flushing. */
#include "unit.h"

#include "dynamic-string.h"
#include "ofproto/mac-learning.h"

static struct eth_addr
mac(int n)
{
    struct eth_addr a = { { 0x02, 0, 0, 0, n >> 8, n & 0xff } };
    return a;
}

static void
test_learn_lookup_vlans(void **state)
{
    struct mac_learning *ml = mac_learning_create(300, 100);
    uint32_t port;

    (void) state;
    assert_false(mac_learning_lookup(ml, 10, mac(1), 0, &port));
    assert_int_equal(mac_learning_learn(ml, 10, mac(1), 3, 0),
                     MAC_LEARNING_NEW);
    assert_true(mac_learning_lookup(ml, 10, mac(1), 5, &port));
    assert_int_equal(port, 3);
    /* Per VLAN: the same MAC in another VLAN is another entry. */
    assert_false(mac_learning_lookup(ml, 20, mac(1), 5, &port));
    assert_int_equal(mac_learning_learn(ml, 20, mac(1), 4, 0),
                     MAC_LEARNING_NEW);
    assert_true(mac_learning_lookup(ml, 20, mac(1), 5, &port));
    assert_int_equal(port, 4);
    assert_true(mac_learning_lookup(ml, 10, mac(1), 5, &port));
    assert_int_equal(port, 3);
    assert_int_equal(mac_learning_count(ml), 2);
    assert_int_equal(mac_learning_learn(ml, 10, mac(1), 3, 10),
                     MAC_LEARNING_REFRESHED);

    /* Multicast sources are never learned. */
    struct eth_addr mc = { { 0x01, 0, 0x5e, 0, 0, 1 } };
    mac_learning_learn(ml, 10, mc, 3, 0);
    assert_false(mac_learning_lookup(ml, 10, mc, 0, &port));
    assert_int_equal(mac_learning_count(ml), 2);
    mac_learning_destroy(ml);
}

static void
test_move(void **state)
{
    struct mac_learning *ml = mac_learning_create(300, 100);
    uint32_t port;

    (void) state;
    mac_learning_learn(ml, 0, mac(7), 1, 0);
    assert_int_equal(mac_learning_learn(ml, 0, mac(7), 2, 100),
                     MAC_LEARNING_MOVED);
    assert_true(mac_learning_lookup(ml, 0, mac(7), 100, &port));
    assert_int_equal(port, 2);
    assert_int_equal(mac_learning_count(ml), 1);
    mac_learning_destroy(ml);
}

static void
test_aging(void **state)
{
    struct mac_learning *ml = mac_learning_create(10, 100);
    uint32_t port;

    (void) state;
    mac_learning_learn(ml, 0, mac(1), 1, 0);
    mac_learning_learn(ml, 0, mac(2), 1, 5000);
    assert_true(mac_learning_lookup(ml, 0, mac(1), 9999, &port));
    /* Aged at exactly the aging time, even before expire() runs. */
    assert_false(mac_learning_lookup(ml, 0, mac(1), 10000, &port));
    assert_int_equal(mac_learning_expire(ml, 10000), 1);
    assert_int_equal(mac_learning_count(ml), 1);
    /* Refreshing keeps an entry alive. */
    mac_learning_learn(ml, 0, mac(2), 1, 14000);
    assert_int_equal(mac_learning_expire(ml, 20000), 0);
    assert_true(mac_learning_lookup(ml, 0, mac(2), 23999, &port));
    assert_int_equal(mac_learning_expire(ml, 24000), 1);
    assert_int_equal(mac_learning_count(ml), 0);

    /* A relearned aged entry counts as new. */
    mac_learning_learn(ml, 0, mac(3), 1, 0);
    assert_int_equal(mac_learning_learn(ml, 0, mac(3), 1, 60000),
                     MAC_LEARNING_NEW);

    /* A shorter aging time applies to entries already there. */
    mac_learning_set_aging(ml, 1);
    assert_int_equal(mac_learning_get_aging(ml), 1);
    assert_false(mac_learning_lookup(ml, 0, mac(3), 61000, &port));
    mac_learning_destroy(ml);
}

static void
test_limit(void **state)
{
    struct mac_learning *ml = mac_learning_create(300, 3);
    uint32_t port;

    (void) state;
    for (int i = 1; i <= 3; i++) {
        mac_learning_learn(ml, 0, mac(i), i, i);
    }
    /* Refresh 1, so 2 is now the least recently seen. */
    mac_learning_learn(ml, 0, mac(1), 1, 10);
    mac_learning_learn(ml, 0, mac(4), 4, 11);
    assert_int_equal(mac_learning_count(ml), 3);
    assert_false(mac_learning_lookup(ml, 0, mac(2), 12, &port));
    assert_true(mac_learning_lookup(ml, 0, mac(1), 12, &port));
    assert_true(mac_learning_lookup(ml, 0, mac(3), 12, &port));
    assert_true(mac_learning_lookup(ml, 0, mac(4), 12, &port));

    /* Shrinking drops the oldest. */
    mac_learning_set_max(ml, 1);
    assert_int_equal(mac_learning_count(ml), 1);
    assert_true(mac_learning_lookup(ml, 0, mac(4), 12, &port));
    mac_learning_destroy(ml);
}

static void
test_flush_and_format(void **state)
{
    struct mac_learning *ml = mac_learning_create(300, 100);

    (void) state;
    mac_learning_learn(ml, 10, mac(1), 1, 0);
    mac_learning_learn(ml, 20, mac(2), 2, 1000);
    mac_learning_learn(ml, 20, mac(3), 2, 2000);

    struct ds s = DS_EMPTY_INITIALIZER;
    mac_learning_format(ml, &s, 5000, NULL, NULL);
    assert_string_equal(ds_cstr(&s),
                        " port  VLAN  MAC                Age\n"
                        "    1    10  02:00:00:00:00:01     5\n"
                        "    2    20  02:00:00:00:00:02     4\n"
                        "    2    20  02:00:00:00:00:03     3\n");
    ds_destroy(&s);

    assert_int_equal(mac_learning_flush(ml, 2), 2);
    assert_int_equal(mac_learning_count(ml), 1);
    assert_int_equal(mac_learning_flush(ml, UINT32_MAX), 1);
    assert_int_equal(mac_learning_count(ml), 0);
    mac_learning_destroy(ml);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_learn_lookup_vlans),
        cmocka_unit_test(test_move),
        cmocka_unit_test(test_aging),
        cmocka_unit_test(test_limit),
        cmocka_unit_test(test_flush_and_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
