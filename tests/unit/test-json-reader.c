/* test-json-reader: framing, limits and errors of the JSON reader. */
#include "unit.h"

#include <json-c/json.h>

#include "json-reader.h"

#define MAX_VALUES 8

/* What feeding a buffer produced. */
struct outcome {
    struct json_object *values[MAX_VALUES];
    size_t n_values;
    char *error;                /* Copy of the final error, or NULL. */
    bool partial;
};

static void
outcome_destroy(struct outcome *o)
{
    for (size_t i = 0; i < o->n_values; i++) {
        json_object_put(o->values[i]);
    }
    free(o->error);
    memset(o, 0, sizeof *o);
}

/* Feeds DATA (N bytes) to R in pieces of CHUNK bytes, taking each value as
 * it completes, until the data runs out or R fails. */
static void
feed_chunks(struct json_reader *r, const char *data, size_t n, size_t chunk,
            struct outcome *o)
{
    size_t ofs = 0;

    memset(o, 0, sizeof *o);
    while (ofs < n) {
        size_t len = MIN(chunk, n - ofs);
        size_t used = json_reader_feed(r, data + ofs, len);
        struct json_object *value = json_reader_take(r);

        assert_true(used <= len);
        if (value) {
            assert_true(o->n_values < MAX_VALUES);
            o->values[o->n_values++] = value;
            /* It stopped right after the value's closing bracket. */
            assert_true(used > 0);
            assert_true(data[ofs + used - 1] == '}'
                        || data[ofs + used - 1] == ']');
        } else if (json_reader_get_error(r)) {
            assert_true(used < len);
            break;
        } else {
            assert_int_equal(used, len);
        }
        ofs += used;
    }
    if (json_reader_get_error(r)) {
        o->error = xstrdup(json_reader_get_error(r));
    }
    o->partial = json_reader_is_partial(r);
}

static void
feed_text(const char *text, size_t chunk, struct outcome *o)
{
    struct json_reader *r = json_reader_create(JSON_READER_DEFAULT_MAX_SIZE,
                                               JSON_READER_DEFAULT_MAX_DEPTH);
    feed_chunks(r, text, strlen(text), chunk, o);
    json_reader_destroy(r);
}

/* json-c's own whole-buffer parse of TEXT, for comparison. */
static struct json_object *
parse_whole(const char *text)
{
    struct json_object *json = json_tokener_parse(text);

    assert_non_null(json);
    return json;
}

static void
assert_json_equal(struct json_object *a, struct json_object *b)
{
    if (!json_object_equal(a, b)) {
        fail_msg("%s != %s", json_object_to_json_string(a),
                 json_object_to_json_string(b));
    }
}

static void
test_single_object(void **state)
{
    (void) state;
    const char *text = "{\"a\":1,\"b\":[true,false,null,\"x\",2.5]}";
    struct json_reader *r = json_reader_create(JSON_READER_DEFAULT_MAX_SIZE,
                                               JSON_READER_DEFAULT_MAX_DEPTH);

    assert_null(json_reader_take(r));
    assert_false(json_reader_is_partial(r));
    assert_int_equal(json_reader_feed(r, text, strlen(text)), strlen(text));
    assert_null(json_reader_get_error(r));
    assert_false(json_reader_is_partial(r));

    struct json_object *value = json_reader_take(r);
    assert_non_null(value);
    assert_null(json_reader_take(r));

    struct json_object *expected = parse_whole(text);
    assert_json_equal(value, expected);
    json_object_put(expected);
    json_object_put(value);
    json_reader_destroy(r);
}

/* Documents whose values must not depend on how the bytes are split. */
static const char *const valid_docs[] = {
    "{}",
    "[]",
    "{\"method\":\"echo\",\"params\":[1,-2,3.5e-3,1E+2,0,-0.25],\"id\":7}",
    "[\"caf\xc3\xa9\",\"\xe2\x82\xac\",\"\xf0\x9f\x98\x80\",\"\xed\x9f\xbf\"]",
    "[\"\\u00e9\\ud83d\\ude00\\n\\t\\\"\\\\\\/\\b\\f\\r\"]",
    "{\"a\":{\"b\":{\"c\":[[[{}]]]}},\"d\":\"}]\\\"{[\"}",
    "[1.5,2e10,-0,0.0,18446744073709551615,-9223372036854775808]",
    " \t\r\n[ true , false , null ]",
    "[\"\\u0000 embedded\"]",
};

static void
test_every_chunk_size(void **state)
{
    (void) state;
    for (size_t i = 0; i < ARRAY_SIZE(valid_docs); i++) {
        const char *text = valid_docs[i];
        struct json_object *expected = parse_whole(text);

        for (size_t chunk = 1; chunk <= strlen(text); chunk++) {
            struct outcome o;

            feed_text(text, chunk, &o);
            if (o.error) {
                fail_msg("\"%s\" in pieces of %zu: %s", text, chunk,
                         o.error);
            }
            assert_int_equal(o.n_values, 1);
            assert_false(o.partial);
            assert_json_equal(o.values[0], expected);
            outcome_destroy(&o);
        }
        json_object_put(expected);
    }
}

static void
test_several_values_in_one_buffer(void **state)
{
    (void) state;
    const char *parts[] = { "{\"a\":1}", "[2]", "{\"b\":[3,\"]\"]}", "[]" };
    const char *text = "{\"a\":1}[2]  {\"b\":[3,\"]\"]}\n\r\t[] \n";
    struct json_reader *r = json_reader_create(JSON_READER_DEFAULT_MAX_SIZE,
                                               JSON_READER_DEFAULT_MAX_DEPTH);
    size_t len = strlen(text), ofs = 0;

    for (size_t i = 0; i < ARRAY_SIZE(parts); i++) {
        size_t used = json_reader_feed(r, text + ofs, len - ofs);
        struct json_object *value = json_reader_take(r);
        struct json_object *expected = parse_whole(parts[i]);
        const char *end = strstr(text + ofs, parts[i]) + strlen(parts[i]);

        /* It consumed exactly through the end of this value. */
        assert_ptr_equal(text + ofs + used, end);
        assert_non_null(value);
        assert_json_equal(value, expected);
        json_object_put(value);
        json_object_put(expected);
        ofs += used;
    }
    /* Trailing white space is consumed and leaves nothing partial. */
    assert_int_equal(json_reader_feed(r, text + ofs, len - ofs), len - ofs);
    assert_null(json_reader_take(r));
    assert_false(json_reader_is_partial(r));
    assert_null(json_reader_get_error(r));
    json_reader_destroy(r);
}

static void
test_split_everywhere(void **state)
{
    (void) state;
    const char *text = "[1,\"two\"] {\"three\":[3.0]}\n[\"\xc3\xa9\"]";
    size_t len = strlen(text);

    for (size_t chunk = 1; chunk <= len; chunk++) {
        struct outcome o;

        feed_text(text, chunk, &o);
        assert_null(o.error);
        assert_int_equal(o.n_values, 3);
        assert_false(o.partial);

        struct json_object *second = o.values[1], *three;
        assert_true(json_object_object_get_ex(second, "three", &three));
        assert_int_equal(json_object_array_length(three), 1);
        assert_string_equal(json_object_get_string(
                                json_object_array_get_idx(o.values[2], 0)),
                            "\xc3\xa9");
        outcome_destroy(&o);
    }
}

static void
test_white_space_only(void **state)
{
    (void) state;
    struct json_reader *r = json_reader_create(100, 4);

    assert_int_equal(json_reader_feed(r, " \n\t\r", 4), 4);
    assert_null(json_reader_take(r));
    assert_false(json_reader_is_partial(r));
    assert_null(json_reader_get_error(r));
    assert_int_equal(json_reader_feed(r, "", 0), 0);
    assert_false(json_reader_is_partial(r));
    json_reader_destroy(r);
}

static void
test_partial(void **state)
{
    (void) state;
    struct json_reader *r = json_reader_create(100, 4);

    assert_int_equal(json_reader_feed(r, "  {\"a\":", 7), 7);
    assert_true(json_reader_is_partial(r));
    assert_null(json_reader_take(r));
    assert_int_equal(json_reader_feed(r, "[1", 2), 2);
    assert_true(json_reader_is_partial(r));
    assert_int_equal(json_reader_feed(r, "]}", 2), 2);
    assert_false(json_reader_is_partial(r));

    struct json_object *value = json_reader_take(r);
    assert_non_null(value);
    json_object_put(value);
    json_reader_destroy(r);
}

/* A value not yet taken blocks further input. */
static void
test_feed_before_take(void **state)
{
    (void) state;
    struct json_reader *r = json_reader_create(100, 4);

    assert_int_equal(json_reader_feed(r, "[1][2]", 6), 3);
    assert_int_equal(json_reader_feed(r, "[2]", 3), 0);

    struct json_object *value = json_reader_take(r);
    assert_int_equal(json_object_get_int(json_object_array_get_idx(value,
                                                                   0)), 1);
    json_object_put(value);
    assert_int_equal(json_reader_feed(r, "[2]", 3), 3);
    value = json_reader_take(r);
    assert_int_equal(json_object_get_int(json_object_array_get_idx(value,
                                                                   0)), 2);
    json_object_put(value);
    json_reader_destroy(r);
}

struct bad_doc {
    const char *text;
    size_t len;                 /* 0: strlen(text). */
    size_t bad_byte;            /* Offset of the byte at fault. */
    const char *what;
};

#define BAD(TEXT, BYTE, WHAT) { TEXT, 0, BYTE, WHAT }
#define BAD_N(TEXT, BYTE, WHAT) { TEXT, sizeof TEXT - 1, BYTE, WHAT }

static const struct bad_doc bad_docs[] = {
    /* Only objects and arrays at the top level. */
    BAD("1", 0, "top-level value is not an object or array"),
    BAD("  \"x\"", 2, "top-level value is not an object or array"),
    BAD("\ntrue", 1, "top-level value is not an object or array"),
    BAD("null", 0, "top-level value is not an object or array"),
    BAD("{}x", 2, "top-level value is not an object or array"),
    BAD("{}}", 2, "top-level value is not an object or array"),
    /* Bare words and other extensions. */
    BAD("[nul]", 4, "null expected"),
    BAD("[True]", 1, "unexpected character"),
    BAD("[tRue]", 2, "unexpected character"),
    BAD("[NaN]", 1, "unexpected character"),
    BAD("[Infinity]", 1, "unexpected character"),
    BAD("[-Infinity]", 2, "malformed number"),
    BAD("[nan]", 2, "null expected"),
    BAD("[undefined]", 1, "unexpected character"),
    BAD("[1,]", 3, "unexpected character"),
    BAD("{\"a\":1,}", 7, "unexpected character"),
    BAD("[/*c*/1]", 1, "unexpected character"),
    BAD("[1]//c", 3, "top-level value is not an object or array"),
    BAD("['a']", 1, "unexpected character"),
    BAD("{a:1}", 1, "quoted object property name expected"),
    BAD("\f[]", 0, "top-level value is not an object or array"),
    BAD("[\v1]", 1, "unexpected character"),
    /* Numbers outside the RFC 8259 grammar. */
    BAD("[01]", 2, "malformed number"),
    BAD("[-01]", 3, "malformed number"),
    BAD("[00]", 2, "malformed number"),
    BAD("[1.]", 3, "malformed number"),
    BAD("[1.e5]", 3, "malformed number"),
    BAD("[.5]", 1, "unexpected character"),
    BAD("[+1]", 1, "unexpected character"),
    BAD("[-]", 2, "malformed number"),
    BAD("[1e]", 3, "malformed number"),
    BAD("[1e+]", 4, "malformed number"),
    BAD("[0x10]", 2, "unexpected character"),
    BAD("[1.5.3]", 4, "unexpected character"),
    /* Strings. */
    BAD("[\"a\tb\"]", 3, "unescaped control character in string"),
    BAD("[\"a\nb\"]", 3, "unescaped control character in string"),
    BAD_N("[\"a\0b\"]", 3, "unescaped control character in string"),
    BAD_N("[1,\0]", 3, "unexpected character"),
    BAD_N("\0", 0, "top-level value is not an object or array"),
    BAD("[\"\\x\"]", 3, "invalid escape"),
    BAD("[\"\\u12G4\"]", 6, "invalid string sequence"),
    BAD("[\"\xff\"]", 2, "invalid UTF-8"),
    BAD("[\"\xc0\xaf\"]", 2, "invalid UTF-8"),
    BAD("[\"\xe0\x80\xaf\"]", 3, "invalid UTF-8"),
    BAD("[\"\xed\xa0\x80\"]", 3, "invalid UTF-8"),
    BAD("[\"\xf4\x90\x80\x80\"]", 3, "invalid UTF-8"),
    BAD("[\"\xc3\"]", 3, "invalid UTF-8"),
    BAD("[\"\xa9\"]", 2, "invalid UTF-8"),
    BAD("[\xc3\xa9]", 1, "unexpected character"),
    /* Structure. */
    BAD("[}", 1, "unexpected character"),
    BAD("{\"a\" 1}", 5, "object property name separator ':' expected"),
    BAD("{1:2}", 1, "quoted object property name expected"),
    BAD("[1 2]", 3, "array value separator ',' expected"),
    BAD("{\"a\":1 \"b\":2}", 7, "object value separator ',' expected"),
    /* A problem in a later value counts from the start of the stream. */
    BAD("{} [1,]", 6, "unexpected character"),
    BAD("[[]]\n[01]", 7, "malformed number"),
};

static void
check_bad_doc(const struct bad_doc *bad, size_t chunk)
{
    size_t len = bad->len ? bad->len : strlen(bad->text);
    struct json_reader *r = json_reader_create(1000, 10);
    struct outcome o;

    feed_chunks(r, bad->text, len, chunk, &o);

    char *expected = xasprintf("JSON syntax error at byte %zu: %s",
                               bad->bad_byte, bad->what);
    if (!o.error || strcmp(o.error, expected)) {
        fail_msg("\"%s\" in pieces of %zu: got \"%s\", expected \"%s\"",
                 bad->text, chunk, o.error ? o.error : "(no error)",
                 expected);
    }
    free(expected);

    /* The error is final. */
    assert_false(o.partial);
    assert_int_equal(json_reader_feed(r, "[]", 2), 0);
    assert_null(json_reader_take(r));
    assert_non_null(json_reader_get_error(r));
    json_reader_destroy(r);
    outcome_destroy(&o);
}

static void
test_bad_docs(void **state)
{
    (void) state;
    for (size_t i = 0; i < ARRAY_SIZE(bad_docs); i++) {
        size_t len = bad_docs[i].len ? bad_docs[i].len
                                     : strlen(bad_docs[i].text);
        for (size_t chunk = 1; chunk <= len; chunk++) {
            check_bad_doc(&bad_docs[i], chunk);
        }
    }
}

/* Values completed before the bad byte are still delivered. */
static void
test_values_before_error(void **state)
{
    (void) state;
    const char *text = "[1] {\"a\":2} garbage";

    for (size_t chunk = 1; chunk <= strlen(text); chunk++) {
        struct outcome o;

        feed_text(text, chunk, &o);
        assert_int_equal(o.n_values, 2);
        assert_string_equal(o.error, "JSON syntax error at byte 12: "
                            "top-level value is not an object or array");
        outcome_destroy(&o);
    }
}

static char *
repeat(const char *s, size_t times)
{
    size_t len = strlen(s);
    char *buf = xmalloc(len * times + 1);

    for (size_t i = 0; i < times; i++) {
        memcpy(buf + i * len, s, len);
    }
    buf[len * times] = '\0';
    return buf;
}

/* N nested arrays, or objects, with a scalar in the innermost one. */
static char *
nested(size_t n, bool objects)
{
    char *open = repeat(objects ? "{\"a\":" : "[", n - 1);
    char *close = repeat(objects ? "}" : "]", n - 1);
    char *text = xasprintf("%s%s%s", open, objects ? "{\"b\":1}" : "[1]",
                           close);

    free(open);
    free(close);
    return text;
}

static void
check_depth(size_t depth, int max_depth, bool objects, bool ok)
{
    char *text = nested(depth, objects);
    struct json_reader *r = json_reader_create(1 << 20, max_depth);
    struct outcome o;

    feed_chunks(r, text, strlen(text), 7, &o);
    if (ok) {
        assert_null(o.error);
        assert_int_equal(o.n_values, 1);
    } else {
        char *expected = xasprintf("message nests deeper than %d levels",
                                   max_depth);
        assert_non_null(o.error);
        assert_string_equal(o.error, expected);
        assert_int_equal(o.n_values, 0);
        free(expected);
    }
    outcome_destroy(&o);
    json_reader_destroy(r);
    free(text);
}

static void
test_depth_limit(void **state)
{
    (void) state;
    for (int max = 1; max <= 5; max++) {
        check_depth(max, max, false, true);
        check_depth(max, max, true, true);
        check_depth(max + 1, max, false, false);
        check_depth(max + 1, max, true, false);
    }
    check_depth(JSON_READER_DEFAULT_MAX_DEPTH,
                JSON_READER_DEFAULT_MAX_DEPTH, false, true);
    check_depth(JSON_READER_DEFAULT_MAX_DEPTH,
                JSON_READER_DEFAULT_MAX_DEPTH, true, true);
    check_depth(JSON_READER_DEFAULT_MAX_DEPTH + 1,
                JSON_READER_DEFAULT_MAX_DEPTH, false, false);
    /* Far too deep fails without building anything. */
    check_depth(100000, JSON_READER_DEFAULT_MAX_DEPTH, false, false);
}

/* A scalar in the innermost container does not count as a level. */
static void
test_depth_counts_containers(void **state)
{
    (void) state;
    struct outcome o;
    struct json_reader *r = json_reader_create(100, 2);
    const char *text = "[[1,\"x\",null]]{\"a\":{\"b\":true}}";

    feed_chunks(r, text, strlen(text), 1, &o);
    assert_null(o.error);
    assert_int_equal(o.n_values, 2);
    outcome_destroy(&o);
    json_reader_destroy(r);
}

static void
check_size(const char *text, size_t max_size, bool ok)
{
    for (size_t chunk = 1; chunk <= strlen(text); chunk++) {
        struct json_reader *r = json_reader_create(max_size, 8);
        struct outcome o;

        feed_chunks(r, text, strlen(text), chunk, &o);
        if (ok) {
            assert_null(o.error);
            assert_true(o.n_values > 0);
        } else {
            char *expected = xasprintf("message exceeds %zu bytes",
                                       max_size);
            assert_non_null(o.error);
            assert_string_equal(o.error, expected);
            free(expected);
        }
        outcome_destroy(&o);
        json_reader_destroy(r);
    }
}

static void
test_size_limit(void **state)
{
    (void) state;
    const char *text = "[1,2,3,45]";
    size_t len = strlen(text);

    check_size(text, len, true);
    check_size(text, len - 1, false);
    check_size(text, 1, false);
    /* White space around values does not count, and each value has the
     * whole allowance. */
    check_size("   [1,2,3,45]\n\n[1,2,3,45]  ", len, true);
    check_size("[1,2,3,45][1,2,3,456]", len, false);
    /* An unfinished value fails as soon as it passes the limit. */
    check_size("[\"abcdefghijklmnop", len, false);
}

static void
test_large_value(void **state)
{
    (void) state;
    size_t n = 1 << 20;
    char *body = repeat("x", n);
    char *text = xasprintf("[\"%s\"]", body);
    struct json_reader *r = json_reader_create(n + 4, 8);
    struct outcome o;

    feed_chunks(r, text, strlen(text), 4096, &o);
    assert_null(o.error);
    assert_int_equal(o.n_values, 1);
    assert_int_equal(json_object_get_string_len(
                         json_object_array_get_idx(o.values[0], 0)), n);
    outcome_destroy(&o);
    json_reader_destroy(r);

    r = json_reader_create(n + 3, 8);
    feed_chunks(r, text, strlen(text), 4096, &o);
    assert_non_null(o.error);
    assert_int_equal(o.n_values, 0);
    outcome_destroy(&o);
    json_reader_destroy(r);
    free(text);
    free(body);
}

/* Destroying a reader with a value not taken, or half a value, frees
 * everything (the sanitizer build checks). */
static void
test_destroy_with_pending(void **state)
{
    (void) state;
    struct json_reader *r = json_reader_create(100, 4);

    assert_int_equal(json_reader_feed(r, "[\"a\"]", 5), 5);
    json_reader_destroy(r);

    r = json_reader_create(100, 4);
    assert_int_equal(json_reader_feed(r, "[\"abc", 5), 5);
    assert_true(json_reader_is_partial(r));
    json_reader_destroy(r);
    json_reader_destroy(NULL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_single_object),
        cmocka_unit_test(test_every_chunk_size),
        cmocka_unit_test(test_several_values_in_one_buffer),
        cmocka_unit_test(test_split_everywhere),
        cmocka_unit_test(test_white_space_only),
        cmocka_unit_test(test_partial),
        cmocka_unit_test(test_feed_before_take),
        cmocka_unit_test(test_bad_docs),
        cmocka_unit_test(test_values_before_error),
        cmocka_unit_test(test_depth_limit),
        cmocka_unit_test(test_depth_counts_containers),
        cmocka_unit_test(test_size_limit),
        cmocka_unit_test(test_large_value),
        cmocka_unit_test(test_destroy_with_pending),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
