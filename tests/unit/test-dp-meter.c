/* Unit tests for datapath/dp-meter: srTCM and trTCM policing with a fake
 * TSC clock and rates computed by hand. */
#include "unit.h"

#include <errno.h>

#include <rte_cycles.h>

#include "dp-eal.h"
#include "dp-meter.h"

static struct rte_mempool *pool;

#define PKT_LEN 1000

static int
setup(void **state)
{
    if (dp_eal_start("test-dp-meter")) {
        return -1;
    }
    pool = dp_eal_pool("dp_meter_test", 255);
    return pool ? 0 : -1;
}

/* N packets of PKT_LEN bytes. */
static void
alloc_pkts(struct rte_mbuf **pkts, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        pkts[i] = rte_pktmbuf_alloc(pool);
        assert_non_null(pkts[i]);
        assert_non_null(rte_pktmbuf_append(pkts[i], PKT_LEN));
    }
}

static void
free_pkts(struct rte_mbuf **pkts, size_t n)
{
    rte_pktmbuf_free_bulk(pkts, n);
}

/* Polices N packets with meter ID at NOW; returns how many passed and
 * checks that PASS agrees. */
static size_t
police(struct dp_meter_table *t, uint32_t id, size_t n, uint64_t now)
{
    struct rte_mbuf *pkts[64];
    bool pass[64];
    assert_true(n <= 64);
    alloc_pkts(pkts, n);
    size_t n_pass = dp_meter_police(t, id, pkts, n, now, pass);
    size_t check = 0;
    for (size_t i = 0; i < n; i++) {
        check += pass[i];
    }
    assert_int_equal(check, n_pass);
    free_pkts(pkts, n);
    return n_pass;
}

static void
test_config_errors(void **state)
{
    assert_null(dp_meter_table_create(0));
    assert_null(dp_meter_table_create((1u << 20) + 1));

    struct dp_meter_table *t = dp_meter_table_create(8);
    assert_non_null(t);
    assert_int_equal(dp_meter_table_max(t), 8);

    struct dp_meter_config sr = {
        .type = DP_METER_SRTCM, .cir = 1000000, .cbs = 10000, .ebs = 0,
    };
    struct dp_meter_config bad;

    assert_int_equal(dp_meter_set(t, 8, &sr), EINVAL);
    assert_int_equal(dp_meter_del(t, 8), EINVAL);
    assert_int_equal(dp_meter_get(t, 8, NULL, NULL), EINVAL);
    assert_int_equal(dp_meter_del(t, 3), ENOENT);
    assert_int_equal(dp_meter_get(t, 3, NULL, NULL), ENOENT);
    assert_int_equal(dp_meter_clear_stats(t, 3), ENOENT);

    assert_int_equal(dp_meter_set(t, 3, &sr), 0);

    /* Bad configs change nothing. */
    bad = sr;
    bad.cir = 0;
    assert_int_equal(dp_meter_set(t, 3, &bad), EINVAL);
    bad = sr;
    bad.cbs = 0;
    assert_int_equal(dp_meter_set(t, 3, &bad), EINVAL);
    bad = (struct dp_meter_config) {
        .type = DP_METER_TRTCM, .cir = 2000, .pir = 1000,
        .cbs = 100, .pbs = 100,
    };
    assert_int_equal(dp_meter_set(t, 3, &bad), EINVAL);
    bad.pir = 3000;
    bad.pbs = 0;
    assert_int_equal(dp_meter_set(t, 3, &bad), EINVAL);
    bad = sr;
    bad.type = 7;
    assert_int_equal(dp_meter_set(t, 3, &bad), EINVAL);

    struct dp_meter_config got;
    assert_int_equal(dp_meter_get(t, 3, &got, NULL), 0);
    assert_memory_equal(&got, &sr, sizeof sr);

    assert_int_equal(dp_meter_del(t, 3), 0);
    assert_int_equal(dp_meter_get(t, 3, NULL, NULL), ENOENT);
    dp_meter_table_destroy(t);
}

/* srTCM: a burst drains the committed bucket, then the excess one; the
 * committed bucket refills at CIR. */
static void
test_srtcm(void **state)
{
    struct dp_meter_table *t = dp_meter_table_create(4);
    struct dp_meter_config cfg = {
        .type = DP_METER_SRTCM, .cir = 1000000, .cbs = 10 * PKT_LEN,
        .ebs = 5 * PKT_LEN,
    };
    uint64_t hz = rte_get_tsc_hz();

    assert_int_equal(dp_meter_set(t, 1, &cfg), 0);
    uint64_t t0 = rte_get_tsc_cycles();

    /* 10 green, 5 yellow, 5 red. */
    assert_int_equal(police(t, 1, 20, t0), 15);
    struct dp_meter_stats st;
    assert_int_equal(dp_meter_get(t, 1, NULL, &st), 0);
    assert_int_equal(st.packets[DP_METER_GREEN], 10);
    assert_int_equal(st.packets[DP_METER_YELLOW], 5);
    assert_int_equal(st.packets[DP_METER_RED], 5);
    assert_int_equal(st.bytes[DP_METER_RED], 5 * PKT_LEN);

    /* Same instant: nothing left. */
    assert_int_equal(police(t, 1, 3, t0), 0);

    /* 4 ms later: 4000 bytes more in the committed bucket. */
    assert_int_equal(police(t, 1, 10, t0 + hz * 4 / 1000 + hz / 100000), 4);

    /* Reconfiguring refills the buckets and keeps the stats. */
    assert_int_equal(dp_meter_set(t, 1, &cfg), 0);
    uint64_t t1 = rte_get_tsc_cycles();
    assert_int_equal(police(t, 1, 20, t1), 15);
    assert_int_equal(dp_meter_get(t, 1, NULL, &st), 0);
    assert_int_equal(st.packets[DP_METER_GREEN], 24);
    assert_int_equal(dp_meter_clear_stats(t, 1), 0);
    assert_int_equal(dp_meter_get(t, 1, NULL, &st), 0);
    assert_int_equal(st.packets[DP_METER_GREEN] + st.packets[DP_METER_RED],
                     0);

    dp_meter_table_destroy(t);
}

/* trTCM: red above the peak bucket, yellow above the committed one. */
static void
test_trtcm(void **state)
{
    struct dp_meter_table *t = dp_meter_table_create(4);
    struct dp_meter_config cfg = {
        .type = DP_METER_TRTCM, .cir = 1000000, .pir = 2000000,
        .cbs = 5 * PKT_LEN, .pbs = 10 * PKT_LEN,
    };

    assert_int_equal(dp_meter_set(t, 2, &cfg), 0);
    uint64_t t0 = rte_get_tsc_cycles();
    assert_int_equal(police(t, 2, 20, t0), 10);

    struct dp_meter_stats st;
    assert_int_equal(dp_meter_get(t, 2, NULL, &st), 0);
    assert_int_equal(st.packets[DP_METER_GREEN], 5);
    assert_int_equal(st.packets[DP_METER_YELLOW], 5);
    assert_int_equal(st.packets[DP_METER_RED], 10);
    dp_meter_table_destroy(t);
}

/* Over one simulated second at twice the committed rate, about CIR + CBS
 * bytes pass. */
static void
test_rate(void **state)
{
    struct dp_meter_table *t = dp_meter_table_create(1);
    struct dp_meter_config cfg = {
        .type = DP_METER_SRTCM, .cir = 1000000, .cbs = 10 * PKT_LEN,
    };
    uint64_t hz = rte_get_tsc_hz();

    assert_int_equal(dp_meter_set(t, 0, &cfg), 0);
    uint64_t t0 = rte_get_tsc_cycles();
    size_t passed = 0;
    /* One packet every 0.5 ms: 2 MB/s offered. */
    for (int i = 0; i < 2000; i++) {
        passed += police(t, 0, 1, t0 + hz * i / 2000);
    }
    /* 1 s at 1 MB/s plus the initial 10 kB, in 1000-byte packets. */
    assert_true(passed >= 1005);
    assert_true(passed <= 1011);
    dp_meter_table_destroy(t);
}

/* Unused and out-of-range ids pass everything. */
static void
test_unused_passes(void **state)
{
    struct dp_meter_table *t = dp_meter_table_create(2);
    uint64_t now = rte_get_tsc_cycles();
    assert_int_equal(police(t, 0, 10, now), 10);
    assert_int_equal(police(t, 5, 10, now), 10);

    struct dp_meter_config cfg = {
        .type = DP_METER_SRTCM, .cir = 1000, .cbs = PKT_LEN,
    };
    assert_int_equal(dp_meter_set(t, 0, &cfg), 0);
    assert_int_equal(police(t, 0, 10, rte_get_tsc_cycles()), 1);
    assert_int_equal(dp_meter_del(t, 0), 0);
    assert_int_equal(police(t, 0, 10, rte_get_tsc_cycles()), 10);
    dp_meter_table_destroy(t);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_errors),
        cmocka_unit_test(test_srtcm),
        cmocka_unit_test(test_trtcm),
        cmocka_unit_test(test_rate),
        cmocka_unit_test(test_unused_passes),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
