/* Unit tests for lib/dp-actions: builders, validation, text form. */
#include "unit.h"

#include <arpa/inet.h>
#include <errno.h>

#include "dp-actions.h"
#include "dynamic-string.h"

static char *
format(const struct dp_actions *a)
{
    struct ds ds = DS_EMPTY_INITIALIZER;
    dp_actions_format(&ds, a->data, a->size);
    return ds_steal_cstr(&ds);
}

/* Parses TEXT, checks that it is valid and prints as WANT (TEXT if NULL),
 * and that WANT parses back to the same bytes. */
static void
check_round_trip(const char *text, const char *want)
{
    struct dp_actions a = { NULL, 0, 0 }, b = { NULL, 0, 0 };
    char *error = dp_actions_parse(text, &a);
    if (error) {
        fail_msg("\"%s\": %s", text, error);
    }
    assert_int_equal(dp_actions_validate(a.data, a.size), 0);
    char *s = format(&a);
    assert_string_equal(s, want ? want : text);

    error = dp_actions_parse(s, &b);
    assert_null(error);
    assert_int_equal(a.size, b.size);
    if (a.size) {
        assert_memory_equal(a.data, b.data, a.size);
    }
    free(s);
    dp_actions_uninit(&a);
    dp_actions_uninit(&b);
}

static void
test_build(void **state)
{
    (void) state;
    struct dp_actions a;
    dp_actions_init(&a);

    dp_actions_put_push_vlan(&a, htons(ETH_TYPE_VLAN_8021Q),
                             htons(VLAN_CFI | 3 << VLAN_PCP_SHIFT | 10));
    dp_actions_put_output(&a, 2);
    size_t ofs = dp_actions_start_nested(&a, DP_ACTION_CLONE);
    dp_actions_put_pop_vlan(&a);
    dp_actions_put_truncate(&a, 64);
    dp_actions_put_output(&a, 3);
    dp_actions_end_nested(&a, ofs);
    dp_actions_put_set_vlan(&a, htons(0xffff), htons(VLAN_VID_MASK));
    dp_actions_put_police(&a, 7);
    dp_actions_put_userspace(&a, 0x1122334455667788ULL);

    assert_int_equal(a.size, 16 + 8 + (8 + 8 + 8 + 8) + 16 + 8 + 16);
    assert_int_equal(dp_actions_validate(a.data, a.size), 0);
    char *s = format(&a);
    assert_string_equal(s, "push_vlan(tpid=0x8100,vid=10,pcp=3),output:2,"
                        "clone(pop_vlan,truncate(64),output:3),"
                        "set_vlan(vid=4095),police(7),"
                        "userspace(cookie=0x1122334455667788)");
    free(s);

    /* Walking the records. */
    int n = 0;
    DP_ACTIONS_FOR_EACH (act, a.data, a.size) {
        assert_int_equal(act->len % DP_ACTION_ALIGN, 0);
        if (act->type == DP_ACTION_CLONE) {
            assert_int_equal(dp_action_payload_len(act), 24);
        }
        n++;
    }
    assert_int_equal(n, 6);

    /* Set actions through dp_actions_put(). */
    dp_actions_clear(&a);
    assert_int_equal(a.size, 0);
    s = format(&a);
    assert_string_equal(s, "drop");
    free(s);
    struct dp_action_set_l4 l4 = {
        .src = htons(80), .src_mask = htons(0xffff),
    };
    dp_actions_put(&a, DP_ACTION_SET_L4, 0, &l4, sizeof l4);
    struct dp_action_set_ipv4 ip4 = {
        .ttl = 63, .ttl_mask = 0xff,
        .dst = htonl(0x0a000000), .dst_mask = htonl(0xff000000),
    };
    dp_actions_put(&a, DP_ACTION_SET_IPV4, 0, &ip4, sizeof ip4);
    assert_int_equal(dp_actions_validate(a.data, a.size), 0);
    s = format(&a);
    assert_string_equal(s, "set(l4(src=80)),"
                        "set(ipv4(dst=10.0.0.0/255.0.0.0,ttl=63))");
    free(s);

    /* An oversized nested list gets length 0, which validation
     * rejects. */
    dp_actions_clear(&a);
    ofs = dp_actions_start_nested(&a, DP_ACTION_CLONE);
    for (int i = 0; i < 9000; i++) {
        dp_actions_put_output(&a, i);
    }
    dp_actions_end_nested(&a, ofs);
    assert_int_equal(dp_actions_validate(a.data, a.size), EINVAL);
    dp_actions_uninit(&a);
    assert_null(a.data);
}

static void
test_round_trips(void **state)
{
    (void) state;
    check_round_trip("drop", NULL);
    check_round_trip(" drop ", "drop");
    check_round_trip("output:0", NULL);
    check_round_trip("output:4294967294", NULL);
    check_round_trip("push_vlan(tpid=0x88a8,vid=4095,pcp=7),"
                     "push_vlan(tpid=0x8100,vid=0,pcp=0),output:1", NULL);
    check_round_trip("push_vlan(vid=5)",
                     "push_vlan(tpid=0x8100,vid=5,pcp=0)");
    check_round_trip("pop_vlan,pop_vlan", NULL);
    check_round_trip("set_vlan(vid=100,pcp=2)", NULL);
    check_round_trip("set_vlan(pcp=6)", NULL);
    check_round_trip("set_vlan(vid=0x13/0xf0)", "set_vlan(vid=16/0xf0)");
    check_round_trip("set(eth(src=00:11:22:33:44:55,"
                     "dst=01:00:00:00:00:00/01:00:00:00:00:00))", NULL);
    check_round_trip("set(eth(dst=AA:bb:cc:dd:ee:ff))",
                     "set(eth(dst=aa:bb:cc:dd:ee:ff))");
    check_round_trip("set(ipv4(src=10.1.2.3,dst=10.0.0.0/255.255.0.0,"
                     "tos=4/0xfc,ttl=1))", NULL);
    check_round_trip("set(ipv6(src=2001:db8::1,dst=fe80::/ffff::,"
                     "tclass=1,hlimit=255))", NULL);
    check_round_trip("set(l4(src=1,dst=65535))", NULL);
    check_round_trip("set(l4(dst=0x1234/0xff00))",
                     "set(l4(dst=4608/0xff00))");
    check_round_trip("truncate(14),police(0),police(4294967295),"
                     "userspace(cookie=0x0)", NULL);
    check_round_trip("userspace(cookie=18446744073709551615)",
                     "userspace(cookie=0xffffffffffffffff)");
    check_round_trip("clone(),clone(clone(clone(clone(output:1))))",
                     NULL);
    check_round_trip("clone(set(ipv4(ttl=2)),output:5),output:6", NULL);
    check_round_trip(" output:1 , pop_vlan ", "output:1,pop_vlan");
}

/* Parsing TEXT fails with a message containing WANT, and leaves a list
 * that already held something unchanged. */
static void
check_parse_error(const char *text, const char *want)
{
    struct dp_actions a = { NULL, 0, 0 };
    dp_actions_put_output(&a, 9);
    uint8_t before[8];
    memcpy(before, a.data, 8);

    char *error = dp_actions_parse(text, &a);
    if (!error) {
        fail_msg("\"%s\" parsed", text);
    }
    if (!strstr(error, want)) {
        fail_msg("\"%s\": error \"%s\" lacks \"%s\"", text, error, want);
    }
    assert_int_equal(a.size, 8);
    assert_memory_equal(a.data, before, 8);
    free(error);
    dp_actions_uninit(&a);
}

static void
test_parse_errors(void **state)
{
    (void) state;
    check_parse_error("frobnicate", "\"frobnicate\"");
    check_parse_error("output:2,bogus(1)", "\"bogus(1)\"");
    check_parse_error("output:x", "\"x\"");
    check_parse_error("output:", "output:");
    check_parse_error("output:-1", "\"-1\"");
    check_parse_error("output:4294967295", "\"4294967295\"");
    check_parse_error("output:99999999999", "\"99999999999\"");
    check_parse_error("output:1,,output:2", "empty action");
    check_parse_error("output:1,", "empty action");
    check_parse_error("clone(output:1", "unbalanced");
    check_parse_error("clone(output:1))", "unbalanced");
    check_parse_error("clone(output:1)x", "clone(output:1)x");
    check_parse_error("push_vlan(vid=4096)", "\"4096\"");
    check_parse_error("push_vlan(pcp=1)", "vid is required");
    check_parse_error("push_vlan(vid=1,tpid=0x0800)", "\"0x0800\"");
    check_parse_error("push_vlan(vid=1,vid=2)", "\"vid\" given twice");
    check_parse_error("push_vlan(vid=1/0xf)", "bad mask");
    check_parse_error("set_vlan()", "sets nothing");
    check_parse_error("set_vlan(tpid=0x8100)", "unknown key \"tpid\"");
    check_parse_error("set_vlan(pcp=8)", "\"8\"");
    check_parse_error("set(eth(src=00:11:22:33:44))", "\"00:11:22:33:44\"");
    check_parse_error("set(eth(src=00:11:22:33:44:55:66))",
                      "\"00:11:22:33:44:55:66\"");
    check_parse_error("set(eth(dst=00:11:22:33:44:55/zz))", "\"zz\"");
    check_parse_error("set(ipv4(src=10.0.0.256))", "\"10.0.0.256\"");
    check_parse_error("set(ipv4(ttl=256))", "\"256\"");
    check_parse_error("set(ipv4(hlimit=1))", "\"hlimit\"");
    check_parse_error("set(ipv6(src=1.2.3.4))", "\"1.2.3.4\"");
    check_parse_error("set(l4(src=65536))", "\"65536\"");
    check_parse_error("set(tcp(src=1))", "\"tcp\"");
    check_parse_error("set(l4(src))", "\"src\" is not key=value");
    check_parse_error("set(eth())", "set(eth())");
    check_parse_error("truncate(13)", "\"13\"");
    check_parse_error("truncate", "\"truncate\"");
    check_parse_error("police(x)", "\"x\"");
    check_parse_error("userspace(cookie=)", "cookie");
    check_parse_error("pop_vlan(1)", "\"pop_vlan(1)\"");
    check_parse_error("clone(clone(clone(clone(clone(output:1)))))",
                      "nested more than 4");
    check_parse_error("clone(output:1,nope)", "\"nope\"");
    check_parse_error("drop,output:1", "\"drop\"");
}

/* A record of TYPE with PAYLOAD of LEN bytes and arg ARG, alone in an
 * 8-byte aligned buffer; returns dp_actions_validate(). */
static int
validate_one(uint16_t type, uint16_t rec_len, uint32_t arg,
             const void *payload, size_t len, size_t size)
{
    uint64_t buf[32] = { 0 };
    struct dp_action a = { type, rec_len, arg };
    memcpy(buf, &a, sizeof a);
    if (len) {
        memcpy((uint8_t *) buf + sizeof a, payload, len);
    }
    return dp_actions_validate(buf, size);
}

static void
test_validate(void **state)
{
    (void) state;
    struct dp_action_vlan vlan = {
        .tpid = htons(ETH_TYPE_VLAN_8021Q), .tci = htons(VLAN_CFI | 1),
    };
    struct dp_action_userspace u = { .cookie = 1 };
    struct dp_action_set_l4 l4 = { .src = htons(1), .src_mask = 0xffff };

    assert_int_equal(dp_actions_validate(NULL, 0), 0);
    assert_int_equal(validate_one(DP_ACTION_OUTPUT, 8, 1, NULL, 0, 8), 0);

    /* Truncated records and bad lengths. */
    assert_int_equal(validate_one(DP_ACTION_OUTPUT, 8, 1, NULL, 0, 4),
                     EINVAL);
    assert_int_equal(validate_one(DP_ACTION_OUTPUT, 16, 1, NULL, 0, 8),
                     EINVAL);
    assert_int_equal(validate_one(DP_ACTION_OUTPUT, 0, 1, NULL, 0, 8),
                     EINVAL);
    assert_int_equal(validate_one(DP_ACTION_OUTPUT, 4, 1, NULL, 0, 8),
                     EINVAL);
    assert_int_equal(validate_one(DP_ACTION_USERSPACE, 12, 0, &u, 4, 16),
                     EINVAL);
    assert_int_equal(validate_one(DP_ACTION_USERSPACE, 16, 0, &u, 8, 12),
                     EINVAL);

    /* Unknown types. */
    assert_int_equal(validate_one(0, 8, 0, NULL, 0, 8), EINVAL);
    assert_int_equal(validate_one(DP_ACTION_CLONE + 1, 8, 0, NULL, 0, 8),
                     EINVAL);
    assert_int_equal(validate_one(0xffff, 8, 0, NULL, 0, 8), EINVAL);

    /* Wrong payload sizes. */
    assert_int_equal(validate_one(DP_ACTION_OUTPUT, 16, 1, NULL, 0, 16),
                     EINVAL);
    assert_int_equal(validate_one(DP_ACTION_PUSH_VLAN, 8, 0, NULL, 0, 8),
                     EINVAL);
    assert_int_equal(validate_one(DP_ACTION_PUSH_VLAN, 16, 0, &vlan,
                                  sizeof vlan, 16), 0);
    assert_int_equal(validate_one(DP_ACTION_PUSH_VLAN, 24, 0, &vlan,
                                  sizeof vlan, 24), EINVAL);
    assert_int_equal(validate_one(DP_ACTION_SET_L4, 16, 0, &l4, sizeof l4,
                                  16), 0);
    assert_int_equal(validate_one(DP_ACTION_SET_IPV6, 16, 0, &l4,
                                  sizeof l4, 16), EINVAL);

    /* Arguments. */
    assert_int_equal(validate_one(DP_ACTION_OUTPUT, 8, UINT32_MAX, NULL, 0,
                                  8), EINVAL);
    assert_int_equal(validate_one(DP_ACTION_TRUNCATE, 8, 13, NULL, 0, 8),
                     EINVAL);
    assert_int_equal(validate_one(DP_ACTION_POP_VLAN, 8, 1, NULL, 0, 8),
                     EINVAL);

    /* Payload contents. */
    vlan.tci = htons(1);                    /* No VLAN_CFI. */
    assert_int_equal(validate_one(DP_ACTION_PUSH_VLAN, 16, 0, &vlan,
                                  sizeof vlan, 16), EINVAL);
    vlan.tci = htons(VLAN_CFI | 1);
    vlan.tpid = htons(ETH_TYPE_IP);
    assert_int_equal(validate_one(DP_ACTION_PUSH_VLAN, 16, 0, &vlan,
                                  sizeof vlan, 16), EINVAL);
    struct dp_action_vlan set = { .tci = htons(5), .mask = htons(0xfff) };
    assert_int_equal(validate_one(DP_ACTION_SET_VLAN, 16, 0, &set,
                                  sizeof set, 16), 0);
    set.mask = htons(0xff0);                /* Value outside the mask. */
    assert_int_equal(validate_one(DP_ACTION_SET_VLAN, 16, 0, &set,
                                  sizeof set, 16), EINVAL);
    set.mask = htons(0xffff);               /* Touches VLAN_CFI. */
    assert_int_equal(validate_one(DP_ACTION_SET_VLAN, 16, 0, &set,
                                  sizeof set, 16), EINVAL);
    struct dp_action_set_l4 none = { 0, 0, 0, 0 };
    assert_int_equal(validate_one(DP_ACTION_SET_L4, 16, 0, &none,
                                  sizeof none, 16), EINVAL);
    uint8_t padded[16] = { 0 };
    memcpy(padded, &u, sizeof u);
    padded[8] = 1;                          /* Nonzero padding. */
    assert_int_equal(validate_one(DP_ACTION_USERSPACE, 24, 0, padded, 16,
                                  24), EINVAL);

    /* Misaligned. */
    uint64_t buf[2] = { 0 };
    struct dp_action out = { DP_ACTION_OUTPUT, 8, 1 };
    memcpy((uint8_t *) buf + 4, &out, sizeof out);
    assert_int_equal(dp_actions_validate((uint8_t *) buf + 4, 8), EINVAL);
}

static void
test_validate_nesting(void **state)
{
    (void) state;
    for (int depth = 1; depth <= DP_ACTIONS_MAX_DEPTH + 1; depth++) {
        struct dp_actions a = { NULL, 0, 0 };
        size_t ofs[8];
        for (int i = 0; i < depth; i++) {
            ofs[i] = dp_actions_start_nested(&a, DP_ACTION_CLONE);
        }
        dp_actions_put_output(&a, 1);
        for (int i = depth - 1; i >= 0; i--) {
            dp_actions_end_nested(&a, ofs[i]);
        }
        assert_int_equal(dp_actions_validate(a.data, a.size),
                         depth <= DP_ACTIONS_MAX_DEPTH ? 0 : EINVAL);

        /* A clone whose nested list runs past its record. */
        if (depth == 2) {
            struct dp_action *inner = (void *) (a.data + 8);
            inner->len = 24;
            assert_int_equal(dp_actions_validate(a.data, a.size), EINVAL);
        }
        dp_actions_uninit(&a);
    }
}

/* Every prefix of a valid list that cuts a record is rejected. */
static void
test_validate_truncated(void **state)
{
    (void) state;
    struct dp_actions a = { NULL, 0, 0 };
    char *error = dp_actions_parse("push_vlan(vid=3),clone(set(ipv6("
                                   "hlimit=3)),output:1),userspace("
                                   "cookie=1)", &a);
    assert_null(error);
    size_t boundaries[] = { 0, 16, 16 + 8 + 80 + 8, a.size };
    for (size_t len = 0; len <= a.size; len++) {
        uint8_t *copy = xmalloc(len ? len : 1);
        memcpy(copy, a.data, len);
        bool boundary = false;
        for (size_t i = 0; i < ARRAY_SIZE(boundaries); i++) {
            boundary |= len == boundaries[i];
        }
        assert_int_equal(dp_actions_validate(copy, len),
                         boundary ? 0 : EINVAL);
        free(copy);
    }
    dp_actions_uninit(&a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_build),
        cmocka_unit_test(test_round_trips),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_validate),
        cmocka_unit_test(test_validate_nesting),
        cmocka_unit_test(test_validate_truncated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
