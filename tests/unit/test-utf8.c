/* Tests for lib/utf8.c. */
#include "unit.h"

#include "utf8.h"

static void
test_sequence_lengths(void **state)
{
    static const struct {
        const char *bytes;
        size_t n;
        size_t want;
    } cases[] = {
        { "a", 1, 1 },
        { "\x7f", 1, 1 },
        { "\xc2\x80", 2, 2 },           /* U+0080, the first 2-byte. */
        { "\xdf\xbf", 2, 2 },
        { "\xe0\xa0\x80", 3, 3 },       /* U+0800. */
        { "\xed\x9f\xbf", 3, 3 },       /* U+D7FF, below surrogates. */
        { "\xee\x80\x80", 3, 3 },       /* U+E000, above them. */
        { "\xf0\x90\x80\x80", 4, 4 },   /* U+10000. */
        { "\xf4\x8f\xbf\xbf", 4, 4 },   /* U+10FFFF, the last. */
        { "\x80", 1, 0 },               /* A lone continuation byte. */
        { "\xc0\xaf", 2, 0 },           /* Overlong '/'. */
        { "\xc1\xbf", 2, 0 },
        { "\xe0\x9f\xbf", 3, 0 },       /* Overlong 3-byte. */
        { "\xed\xa0\x80", 3, 0 },       /* U+D800, a surrogate. */
        { "\xf0\x8f\xbf\xbf", 4, 0 },   /* Overlong 4-byte. */
        { "\xf4\x90\x80\x80", 4, 0 },   /* Past U+10FFFF. */
        { "\xf5\x80\x80\x80", 4, 0 },
        { "\xff", 1, 0 },
        { "\xc2", 1, 0 },               /* Cut short. */
        { "\xe2\x82", 2, 0 },
        { "\xe2\x28\xa1", 3, 0 },       /* Bad continuation. */
        { "\xf0\x90\x28\x80", 4, 0 },
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        size_t got = utf8_sequence_length(
            (const unsigned char *) cases[i].bytes, cases[i].n);
        if (got != cases[i].want) {
            fail_msg("case %zu: length %zu, wanted %zu", i, got,
                     cases[i].want);
        }
    }
}

static void
test_lengths(void **state)
{
    assert_int_equal(utf8_length("", 0), 0);
    assert_int_equal(utf8_length("abc", 3), 3);
    /* "héllo wörld €" in UTF-8: 13 characters in 17 bytes. */
    const char *s = "h\xc3\xa9llo w\xc3\xb6rld \xe2\x82\xac";
    assert_int_equal(utf8_length(s, strlen(s)), 13);
    /* A character cut by N. */
    assert_int_equal(utf8_length(s, 2), SIZE_MAX);
    assert_int_equal(utf8_length("a\xedz", 3), SIZE_MAX);
    /* NUL is a character like any other here. */
    assert_int_equal(utf8_length("a\0b", 3), 3);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sequence_lengths),
        cmocka_unit_test(test_lengths),
    };
    return cmocka_run_group_tests_name("utf8", tests, NULL, NULL);
}
