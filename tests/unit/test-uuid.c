/* Unit tests for lib/uuid: random UUIDs and their text form. */
#include "unit.h"

#include "uuid.h"

static void
test_generate_version_and_variant(void **state)
{
    (void) state;

    for (int i = 0; i < 1000; i++) {
        struct uuid uuid;
        char s[UUID_LEN + 1];

        uuid_generate(&uuid);
        assert_false(uuid_is_zero(&uuid));
        uuid_to_string(&uuid, s);
        assert_int_equal(s[14], '4');                    /* Version 4. */
        assert_non_null(strchr("89ab", s[19]));         /* Variant 10x. */
        assert_int_equal((uuid.parts[1] >> 12) & 0xf, 4);
        assert_int_equal(uuid.parts[2] >> 30, 2);
    }
}

/* 1000 random UUIDs are all distinct, and every free bit takes both
 * values somewhere among them. */
static void
test_generate_is_random(void **state)
{
    enum { N = 1000 };
    struct uuid *uuids = xcalloc(N, sizeof *uuids);
    uint32_t ones[4] = { 0, 0, 0, 0 }, zeros[4] = { 0, 0, 0, 0 };

    (void) state;
    for (int i = 0; i < N; i++) {
        uuid_generate(&uuids[i]);
        for (int j = 0; j < 4; j++) {
            ones[j] |= uuids[i].parts[j];
            zeros[j] |= ~uuids[i].parts[j];
        }
        for (int k = 0; k < i; k++) {
            assert_false(uuid_equals(&uuids[i], &uuids[k]));
        }
    }
    assert_int_equal(ones[0] & zeros[0], 0xffffffffu);
    assert_int_equal(ones[1] & zeros[1], 0xffff0fffu);
    assert_int_equal(ones[2] & zeros[2], 0x3fffffffu);
    assert_int_equal(ones[3] & zeros[3], 0xffffffffu);
    free(uuids);
}

static void
test_zero(void **state)
{
    struct uuid uuid;
    char s[UUID_LEN + 1];

    (void) state;
    uuid_generate(&uuid);
    uuid_zero(&uuid);
    assert_true(uuid_is_zero(&uuid));
    uuid_to_string(&uuid, s);
    assert_string_equal(s, "00000000-0000-0000-0000-000000000000");

    for (int i = 0; i < 4; i++) {
        uuid_zero(&uuid);
        uuid.parts[i] = 1;
        assert_false(uuid_is_zero(&uuid));
    }
}

static void
test_to_string_layout(void **state)
{
    struct uuid uuid = { { 0x01234567, 0x89abcdef, 0xfedcba98,
                           0x76543210 } };
    char s[UUID_LEN + 1];

    (void) state;
    uuid_to_string(&uuid, s);
    assert_string_equal(s, "01234567-89ab-cdef-fedc-ba9876543210");
    assert_int_equal(strlen(s), UUID_LEN);
}

static void
test_from_string_round_trip(void **state)
{
    (void) state;

    for (int i = 0; i < 100; i++) {
        struct uuid a, b;
        char s[UUID_LEN + 1];

        uuid_generate(&a);
        uuid_to_string(&a, s);
        assert_true(uuid_from_string(&b, s));
        assert_true(uuid_equals(&a, &b));
    }
}

static void
test_from_string_either_case(void **state)
{
    struct uuid lower, upper, mixed;

    (void) state;
    assert_true(uuid_from_string(&lower,
                                 "abcdef01-2345-4789-abcd-ef0123456789"));
    assert_true(uuid_from_string(&upper,
                                 "ABCDEF01-2345-4789-ABCD-EF0123456789"));
    assert_true(uuid_from_string(&mixed,
                                 "AbCdEf01-2345-4789-aBcD-eF0123456789"));
    assert_true(uuid_equals(&lower, &upper));
    assert_true(uuid_equals(&lower, &mixed));
    assert_int_equal(lower.parts[0], 0xabcdef01u);
    assert_int_equal(lower.parts[1], 0x23454789u);
    assert_int_equal(lower.parts[2], 0xabcdef01u);
    assert_int_equal(lower.parts[3], 0x23456789u);
}

static void
test_from_string_rejects(void **state)
{
    static const char *const bad[] = {
        "",
        "abcdef01-2345-4789-abcd-ef012345678",      /* 35 characters. */
        "abcdef01-2345-4789-abcd-ef01234567890",    /* 37 characters. */
        "abcdef0123-45-4789-abcd-ef0123456789",     /* Dash misplaced. */
        "abcdef01-2345-4789-abcdef-0123456789",
        "abcdef01+2345-4789-abcd-ef0123456789",     /* Not a dash. */
        "abcdef01-2345-4789-abcd-ef012345678g",     /* Not hex. */
        "abcdef01-2345-4789-abcd-ef012345678 ",
        " abcdef01-2345-4789-abcd-ef012345678",
        "abcdef01-2345-4789-abcd-ef01234567-9",     /* Extra dash. */
        "abcdef0112345147891abcd1ef0123456789",     /* No dashes. */
        "abcdef01-2345-4789-abcd-ef0123456789\n",
        "{abcdef01-2345-4789-abcd-ef0123456789}",
        "0xcdef01-2345-4789-abcd-ef0123456789",
        "abcdef01-2345-4789-abcd\0ef0123456789",
    };

    (void) state;
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        struct uuid uuid;

        uuid_generate(&uuid);
        assert_false(uuid_from_string(&uuid, bad[i]));
        assert_true(uuid_is_zero(&uuid));
    }
}

static void
test_compare_and_hash(void **state)
{
    struct uuid a, b, c;

    (void) state;
    assert_true(uuid_from_string(&a, "00000000-0000-0000-0000-000000000001"));
    assert_true(uuid_from_string(&b, "00000000-0000-0000-0000-000000000002"));
    assert_true(uuid_from_string(&c, "10000000-0000-0000-0000-000000000000"));
    assert_int_equal(uuid_compare_3way(&a, &b), -1);
    assert_int_equal(uuid_compare_3way(&b, &a), 1);
    assert_int_equal(uuid_compare_3way(&b, &c), -1);
    assert_int_equal(uuid_compare_3way(&a, &a), 0);

    /* Unsigned: a high first digit sorts last, as in text. */
    assert_true(uuid_from_string(&b, "f0000000-0000-0000-0000-000000000000"));
    assert_int_equal(uuid_compare_3way(&c, &b), -1);

    /* Equal UUIDs hash alike; these differ in hash too. */
    struct uuid a2 = a;
    assert_int_equal(uuid_hash(&a), uuid_hash(&a2));
    assert_int_not_equal(uuid_hash(&a), uuid_hash(&b));
    assert_int_not_equal(uuid_hash(&a), uuid_hash(&c));

    /* The order of random UUIDs agrees with the order of their text. */
    for (int i = 0; i < 200; i++) {
        char sa[UUID_LEN + 1], sb[UUID_LEN + 1];

        uuid_generate(&a);
        uuid_generate(&b);
        uuid_to_string(&a, sa);
        uuid_to_string(&b, sb);
        int cmp = strcmp(sa, sb);
        assert_int_equal(uuid_compare_3way(&a, &b),
                         (cmp > 0) - (cmp < 0));
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_generate_version_and_variant),
        cmocka_unit_test(test_generate_is_random),
        cmocka_unit_test(test_zero),
        cmocka_unit_test(test_to_string_layout),
        cmocka_unit_test(test_from_string_round_trip),
        cmocka_unit_test(test_from_string_either_case),
        cmocka_unit_test(test_from_string_rejects),
        cmocka_unit_test(test_compare_and_hash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
