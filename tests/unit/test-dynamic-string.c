/* Unit tests for lib/dynamic-string. */
#include "unit.h"

#include "dynamic-string.h"

/* Checks that DS holds exactly the LEN bytes at EXPECTED, NUL-terminated,
 * within its capacity. */
static void
check_ds(const struct ds *ds, const char *expected, size_t len)
{
    assert_int_equal(ds->length, len);
    assert_true(ds->allocated >= ds->length);
    if (!ds->string) {
        assert_int_equal(len, 0);
        assert_string_equal(ds_cstr_ro(ds), "");
        return;
    }
    assert_memory_equal(ds->string, expected, len);
    assert_int_equal(ds->string[len], '\0');
    assert_ptr_equal(ds_cstr_ro(ds), ds->string);
}

static void
check_ds_str(const struct ds *ds, const char *expected)
{
    check_ds(ds, expected, strlen(expected));
}

static void
test_init_and_empty(void **state)
{
    struct ds a = DS_EMPTY_INITIALIZER;
    struct ds b;
    memset(&b, 0xff, sizeof b);
    ds_init(&b);

    check_ds(&a, "", 0);
    check_ds(&b, "", 0);
    assert_null(b.string);
    assert_string_equal(ds_cstr_ro(&a), "");
    assert_int_equal(ds_last(&a), EOF);

    /* ds_cstr() on a string that never grew gives "", never NULL. */
    char *s = ds_cstr(&a);
    assert_non_null(s);
    assert_string_equal(s, "");
    check_ds(&a, "", 0);
    ds_destroy(&a);
    ds_destroy(&b);
    check_ds(&a, "", 0);
    assert_null(a.string);
}

static void
test_put_char_growth(void **state)
{
    enum { N = 5000 };
    char *expected = xmalloc(N);
    struct ds ds = DS_EMPTY_INITIALIZER;

    for (size_t i = 0; i < N; i++) {
        expected[i] = (char) ('a' + i % 26);
        ds_put_char(&ds, expected[i]);
        assert_int_equal(ds_last(&ds), expected[i]);
        if (i < 100 || i % 499 == 0) {
            check_ds(&ds, expected, i + 1);
        }
    }
    check_ds(&ds, expected, N);
    ds_destroy(&ds);
    free(expected);
}

static void
test_put_buffer_sizes(void **state)
{
    /* Chunks of every size up to 300 bytes, embedded NULs included. */
    struct ds ds = DS_EMPTY_INITIALIZER;
    size_t total = 0;
    char *expected = xmalloc(300 * 301 / 2 + 1);
    char chunk[300];

    for (size_t n = 0; n <= 300; n++) {
        for (size_t i = 0; i < n; i++) {
            chunk[i] = (char) ((n + i) % 7 ? 'A' + (n + i) % 26 : '\0');
        }
        ds_put_buffer(&ds, chunk, n);
        if (n) {
            memcpy(expected + total, chunk, n);
        }
        total += n;
        check_ds(&ds, expected, total);
    }
    ds_destroy(&ds);
    free(expected);
}

static void
test_put_cstr_and_multiple(void **state)
{
    struct ds ds = DS_EMPTY_INITIALIZER;
    ds_put_cstr(&ds, "");
    check_ds(&ds, "", 0);
    ds_put_cstr(&ds, "br0");
    ds_put_char_multiple(&ds, '-', 3);
    ds_put_char_multiple(&ds, 'x', 0);
    ds_put_cstr(&ds, "eth1");
    check_ds_str(&ds, "br0---eth1");

    ds_put_char_multiple(&ds, '=', 1000);
    assert_int_equal(ds.length, 1010);
    for (size_t i = 10; i < 1010; i++) {
        assert_int_equal(ds.string[i], '=');
    }
    assert_int_equal(ds.string[1010], '\0');
    ds_destroy(&ds);
}

static void
test_put_uninit(void **state)
{
    struct ds ds = DS_EMPTY_INITIALIZER;
    ds_put_cstr(&ds, "ab");
    char *p = ds_put_uninit(&ds, 3);
    assert_ptr_equal(p, ds.string + 2);
    assert_int_equal(ds.length, 5);
    assert_int_equal(ds.string[5], '\0');
    memcpy(p, "cde", 3);
    check_ds_str(&ds, "abcde");

    p = ds_put_uninit(&ds, 0);
    assert_ptr_equal(p, ds.string + 5);
    check_ds_str(&ds, "abcde");

    /* A large one moves the buffer; the old bytes come along. */
    p = ds_put_uninit(&ds, 10000);
    memset(p, 'z', 10000);
    assert_int_equal(ds.length, 10005);
    assert_memory_equal(ds.string, "abcde", 5);
    assert_int_equal(ds.string[10004], 'z');
    assert_int_equal(ds.string[10005], '\0');
    ds_destroy(&ds);
}

static void
test_put_format_basic(void **state)
{
    struct ds ds = DS_EMPTY_INITIALIZER;
    ds_put_format(&ds, "%s", "");
    check_ds(&ds, "", 0);
    assert_non_null(ds.string);

    ds_put_format(&ds, "%d ports", 12);
    ds_put_format(&ds, ", %s=%#x", "mask", 255);
    ds_put_format(&ds, "%c", '!');
    check_ds_str(&ds, "12 ports, mask=0xff!");
    ds_destroy(&ds);
}

static void
test_put_format_long(void **state)
{
    /* Output far past the first allocation forces reallocation while
     * formatting; the arguments must be used again correctly. */
    struct ds ds = DS_EMPTY_INITIALIZER;
    char *big = xmalloc(20001);
    memset(big, 'q', 20000);
    big[20000] = '\0';

    ds_put_cstr(&ds, "start:");
    ds_put_format(&ds, "%s|%d|%s", big, 42, "end");
    assert_int_equal(ds.length, 6 + 20000 + 7);
    assert_memory_equal(ds.string, "start:", 6);
    assert_memory_equal(ds.string + 6, big, 20000);
    assert_string_equal(ds.string + 20006, "|42|end");

    ds_put_format(&ds, "%08d", 7);
    assert_string_equal(ds.string + 20006, "|42|end00000007");
    free(big);
    ds_destroy(&ds);
}

/* Appends a string of exactly N characters with ds_put_format(). */
static void
put_n_formatted(struct ds *ds, size_t n)
{
    ds_put_format(ds, "%.*s%s", (int) (n ? n - 1 : 0),
                  "0123456789012345678901234567890123456789", n ? "#" : "");
}

static void
test_put_format_boundaries(void **state)
{
    /* Output that fits the spare room exactly, one byte short of it, and
     * one byte over it. */
    for (int delta = -1; delta <= 1; delta++) {
        for (size_t pre = 0; pre < 24; pre++) {
            struct ds ds = DS_EMPTY_INITIALIZER;
            ds_put_char_multiple(&ds, 'p', pre);
            ds_reserve(&ds, pre + 1);
            size_t room = ds.allocated - ds.length;
            size_t n = room + (size_t) delta;
            if (n > 40) {
                ds_destroy(&ds);
                continue;
            }
            put_n_formatted(&ds, n);
            assert_int_equal(ds.length, pre + n);
            assert_int_equal(ds.string[ds.length], '\0');
            if (n) {
                assert_int_equal(ds_last(&ds), '#');
            }
            for (size_t i = 0; i < pre; i++) {
                assert_int_equal(ds.string[i], 'p');
            }
            ds_destroy(&ds);
        }
    }
}

static void
put_valist(struct ds *ds, const char *format, ...) PRINTF_FORMAT(2, 3);

static void
put_valist(struct ds *ds, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    ds_put_format_valist(ds, format, args);
    va_end(args);
}

static void
test_put_format_valist(void **state)
{
    struct ds ds = DS_EMPTY_INITIALIZER;
    put_valist(&ds, "%s-%u", "a", 1u);
    check_ds_str(&ds, "a-1");
    put_valist(&ds, "%300s", "r");
    assert_int_equal(ds.length, 303);
    assert_int_equal(ds_last(&ds), 'r');
    assert_int_equal(ds.string[3], ' ');
    ds_destroy(&ds);
}

static void
test_reserve(void **state)
{
    struct ds ds = DS_EMPTY_INITIALIZER;
    ds_reserve(&ds, 0);
    assert_non_null(ds.string);
    check_ds(&ds, "", 0);

    ds_put_cstr(&ds, "keep");
    ds_reserve(&ds, 1000);
    assert_true(ds.allocated >= 1000);
    check_ds_str(&ds, "keep");

    /* Reserving less than what is there changes nothing. */
    char *before = ds.string;
    size_t allocated = ds.allocated;
    ds_reserve(&ds, 2);
    assert_ptr_equal(ds.string, before);
    assert_int_equal(ds.allocated, allocated);

    /* Within the reserve, appending does not move the buffer. */
    ds_put_char_multiple(&ds, 'k', 996);
    assert_ptr_equal(ds.string, before);
    ds_destroy(&ds);
}

static void
test_clear(void **state)
{
    struct ds ds = DS_EMPTY_INITIALIZER;
    ds_clear(&ds);
    check_ds(&ds, "", 0);

    ds_put_cstr(&ds, "something long enough to allocate");
    size_t allocated = ds.allocated;
    ds_clear(&ds);
    check_ds(&ds, "", 0);
    assert_int_equal(ds.allocated, allocated);
    assert_int_equal(ds_last(&ds), EOF);
    ds_put_cstr(&ds, "again");
    check_ds_str(&ds, "again");
    ds_destroy(&ds);
}

static void
test_truncate(void **state)
{
    struct ds ds = DS_EMPTY_INITIALIZER;
    ds_truncate(&ds, 0);
    ds_truncate(&ds, 10);
    check_ds(&ds, "", 0);

    ds_put_cstr(&ds, "abcdef");
    ds_truncate(&ds, 100);      /* Longer: no change. */
    check_ds_str(&ds, "abcdef");
    ds_truncate(&ds, 6);
    check_ds_str(&ds, "abcdef");
    ds_truncate(&ds, 3);
    check_ds_str(&ds, "abc");
    ds_put_char(&ds, 'X');
    check_ds_str(&ds, "abcX");
    ds_truncate(&ds, 0);
    check_ds(&ds, "", 0);
    ds_destroy(&ds);
}

static void
test_chomp(void **state)
{
    struct ds ds = DS_EMPTY_INITIALIZER;
    ds_chomp(&ds, '\n');
    check_ds(&ds, "", 0);

    ds_put_cstr(&ds, "line\n\n");
    ds_chomp(&ds, '\n');            /* Only one. */
    check_ds_str(&ds, "line\n");
    ds_chomp(&ds, 'x');             /* Not the last byte: no change. */
    check_ds_str(&ds, "line\n");
    ds_chomp(&ds, '\n');
    check_ds_str(&ds, "line");
    ds_chomp(&ds, 'e');
    check_ds_str(&ds, "lin");

    /* A byte above 127, passed as an int the way ds_last() returns it. */
    ds_put_char(&ds, '\xe9');
    ds_chomp(&ds, ds_last(&ds));
    check_ds_str(&ds, "lin");

    ds_clear(&ds);
    ds_put_char(&ds, ',');
    ds_chomp(&ds, ',');
    check_ds(&ds, "", 0);
    ds_destroy(&ds);
}

static void
test_strip_trailing_space(void **state)
{
    struct ds ds = DS_EMPTY_INITIALIZER;
    ds_strip_trailing_space(&ds);
    check_ds(&ds, "", 0);

    ds_put_cstr(&ds, "  keep leading  and inner \t\r\n\v\f ");
    ds_strip_trailing_space(&ds);
    check_ds_str(&ds, "  keep leading  and inner");
    ds_strip_trailing_space(&ds);
    check_ds_str(&ds, "  keep leading  and inner");

    ds_clear(&ds);
    ds_put_cstr(&ds, " \t \n");
    ds_strip_trailing_space(&ds);
    check_ds(&ds, "", 0);
    ds_destroy(&ds);
}

static void
test_steal(void **state)
{
    struct ds ds = DS_EMPTY_INITIALIZER;
    ds_put_format(&ds, "stolen %d", 1);
    char *s = ds_steal_cstr(&ds);
    assert_string_equal(s, "stolen 1");
    check_ds(&ds, "", 0);
    assert_null(ds.string);
    assert_int_equal(ds.allocated, 0);

    /* DS is reusable and independent of the stolen string. */
    ds_put_cstr(&ds, "new");
    assert_string_equal(s, "stolen 1");
    check_ds_str(&ds, "new");
    free(s);
    ds_destroy(&ds);

    /* Stealing from an empty string still gives a string to free. */
    s = ds_steal_cstr(&ds);
    assert_non_null(s);
    assert_string_equal(s, "");
    free(s);
}

static void
test_last(void **state)
{
    struct ds ds = DS_EMPTY_INITIALIZER;
    assert_int_equal(ds_last(&ds), EOF);
    ds_put_char(&ds, 'a');
    assert_int_equal(ds_last(&ds), 'a');
    ds_put_char(&ds, '\xff');       /* Not confused with EOF. */
    assert_int_equal(ds_last(&ds), 0xff);
    ds_put_char(&ds, '\0');
    assert_int_equal(ds_last(&ds), 0);
    ds_truncate(&ds, 0);
    assert_int_equal(ds_last(&ds), EOF);
    ds_destroy(&ds);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_and_empty),
        cmocka_unit_test(test_put_char_growth),
        cmocka_unit_test(test_put_buffer_sizes),
        cmocka_unit_test(test_put_cstr_and_multiple),
        cmocka_unit_test(test_put_uninit),
        cmocka_unit_test(test_put_format_basic),
        cmocka_unit_test(test_put_format_long),
        cmocka_unit_test(test_put_format_boundaries),
        cmocka_unit_test(test_put_format_valist),
        cmocka_unit_test(test_reserve),
        cmocka_unit_test(test_clear),
        cmocka_unit_test(test_truncate),
        cmocka_unit_test(test_chomp),
        cmocka_unit_test(test_strip_trailing_space),
        cmocka_unit_test(test_steal),
        cmocka_unit_test(test_last),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
