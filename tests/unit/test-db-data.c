/* Unit tests for lib/db-data: atoms and datums (RFC 7047 section 5.1). */
#include "unit.h"

#include <limits.h>
#include <math.h>

#include "db-data.h"
#include "db-error.h"
#include "db-types.h"
#include "dynamic-string.h"

static struct json_object *
parse_json(const char *text)
{
    enum json_tokener_error error;
    struct json_object *json = json_tokener_parse_verbose(text, &error);
    if (error != json_tokener_success) {
        fail_msg("bad JSON in test: %s", text);
    }
    return json;
}

static const char *
json_text(struct json_object *json)
{
    return json_object_to_json_string_ext(json, JSON_C_TO_STRING_PLAIN);
}

static void
assert_contains(const char *s, const char *needle)
{
    if (!s || !strstr(s, needle)) {
        fail_msg("\"%s\" does not contain \"%s\"", s ? s : "(null)", needle);
    }
}

/* Checks that ERROR has TAG and details containing each of the
 * NULL-terminated strings in ARGS, then frees it. */
static void
check_error_valist(struct db_error *error, const char *what,
                   const char *tag, va_list args)
{
    if (!error) {
        fail_msg("%s: succeeded, but should have failed", what);
    }
    if (strcmp(error->tag, tag)) {
        fail_msg("%s: error \"%s\" (%s), expected \"%s\"", what, error->tag,
                 error->details ? error->details : "", tag);
    }
    for (const char *needle; (needle = va_arg(args, const char *)); ) {
        assert_contains(error->details, needle);
    }
    db_error_destroy(error);
}

static void
type_from_text(struct db_type *type, const char *text)
{
    struct json_object *json = parse_json(text);
    struct db_error *error = db_type_from_json(type, json);

    if (error) {
        fail_msg("%s: %s", text, error->details);
    }
    json_object_put(json);
}

/* Parses TEXT as a datum of TYPE, which must succeed. */
static void
datum_from_text(struct db_datum *datum, const struct db_type *type,
                const char *text, struct db_symbol_table *symtab)
{
    struct json_object *json = parse_json(text);
    struct db_error *error = db_datum_from_json(datum, type, json, symtab);

    if (error) {
        fail_msg("%s: %s: %s", text, error->tag, error->details);
    }
    assert_null(db_datum_check(datum, type));
    json_object_put(json);
}

/* Parsing JSON_TEXT as a datum of the type TYPE_TEXT must fail with TAG
 * and details containing each NULL-terminated needle that follows. */
static void
check_datum_error(const char *type_text, const char *json_text_,
                  struct db_symbol_table *symtab, const char *tag, ...)
{
    struct json_object *json = parse_json(json_text_);
    struct db_datum datum;
    struct db_type type;
    va_list args;

    type_from_text(&type, type_text);
    struct db_error *error = db_datum_from_json(&datum, &type, json, symtab);
    assert_int_equal(datum.n, 0);      /* Left empty on error. */
    va_start(args, tag);
    check_error_valist(error, json_text_, tag, args);
    va_end(args);
    db_type_destroy(&type);
    json_object_put(json);
}

/* Like check_datum_error(), for a JSON value built by the caller (for
 * strings that JSON text cannot carry); takes JSON. */
static void
check_datum_error_json(const char *type_text, struct json_object *json,
                       const char *tag, ...)
{
    struct db_datum datum;
    struct db_type type;
    va_list args;

    type_from_text(&type, type_text);
    struct db_error *error = db_datum_from_json(&datum, &type, json, NULL);
    va_start(args, tag);
    check_error_valist(error, "(built JSON)", tag, args);
    va_end(args);
    db_type_destroy(&type);
    json_object_put(json);
}

/* Parses IN as a datum of the type TYPE_TEXT and checks that it is
 * written back as OUT, and that OUT reads back as an equal datum. */
static void
check_datum_round_trip(const char *type_text, const char *in,
                       const char *out)
{
    struct db_datum datum, again;
    struct db_type type;

    type_from_text(&type, type_text);
    datum_from_text(&datum, &type, in, NULL);

    struct json_object *json = db_datum_to_json(&datum, &type);
    if (strcmp(json_text(json), out)) {
        fail_msg("%s: wrote %s, expected %s", in, json_text(json), out);
    }
    struct db_error *error = db_datum_from_json(&again, &type, json, NULL);
    assert_null(error);
    assert_true(db_datum_equals(&datum, &again, &type));
    assert_int_equal(db_datum_compare_3way(&datum, &again, &type), 0);
    assert_int_equal(db_datum_hash(&datum, &type, 0),
                     db_datum_hash(&again, &type, 0));

    json_object_put(json);
    db_datum_destroy(&again, &type);
    db_datum_destroy(&datum, &type);
    db_type_destroy(&type);
}

/* Returns DATUM as text; the caller frees it. */
static char *
datum_to_cstr(const struct db_datum *datum, const struct db_type *type)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    db_datum_to_string(datum, type, &s);
    return ds_steal_cstr(&s);
}

static void
check_to_string(const char *type_text, const char *json_text_,
                const char *expected)
{
    struct db_datum datum;
    struct db_type type;

    type_from_text(&type, type_text);
    datum_from_text(&datum, &type, json_text_, NULL);
    char *s = datum_to_cstr(&datum, &type);
    if (strcmp(s, expected)) {
        fail_msg("%s: printed %s, expected %s", json_text_, s, expected);
    }
    free(s);
    db_datum_destroy(&datum, &type);
    db_type_destroy(&type);
}

/* Atoms. */

static void
test_atom_round_trips(void **state)
{
    static const char *const cases[][3] = {
        /* Type, JSON in, JSON out. */
        { "integer", "0", "0" },
        { "integer", "-1", "-1" },
        { "integer", "4095", "4095" },
        { "integer", "9223372036854775807", "9223372036854775807" },
        { "integer", "-9223372036854775808", "-9223372036854775808" },
        { "real", "0", "0.0" },
        { "real", "5", "5.0" },
        { "real", "-7", "-7.0" },
        { "real", "2.5", "2.5" },
        { "real", "0.1", "0.1" },
        { "real", "-0.0", "-0.0" },
        { "real", "1e300", "1e+300" },
        { "real", "1.7976931348623157e308", "1.7976931348623157e+308" },
        { "real", "4.9e-324", "4.94065645841247e-324" },
        { "real", "0.30000000000000004", "0.30000000000000004" },
        { "real", "9223372036854775807", "9.223372036854776e+18" },
        { "real", "12345678901234567890", "1.2345678901234567e+19" },
        { "boolean", "true", "true" },
        { "boolean", "false", "false" },
        { "string", "\"\"", "\"\"" },
        { "string", "\"hello\"", "\"hello\"" },
        { "string", "\"a \\\"quoted\\\" \\\\ word\"",
          "\"a \\\"quoted\\\" \\\\ word\"" },
        { "string", "\"tab\\tnewline\\n\"", "\"tab\\tnewline\\n\"" },
        { "string", "\"\\u00e9t\\u00e9\"", "\"\xc3\xa9t\xc3\xa9\"" },
        { "string", "\"\xe2\x82\xac\"", "\"\xe2\x82\xac\"" },
        { "string", "\"\\ud83d\\ude00\"", "\"\xf0\x9f\x98\x80\"" },
        { "uuid", "[\"uuid\", \"01234567-89ab-cdef-0123-456789abcdef\"]",
          "[\"uuid\",\"01234567-89ab-cdef-0123-456789abcdef\"]" },
        { "uuid", "[\"uuid\", \"01234567-89AB-CDEF-0123-456789ABCDEF\"]",
          "[\"uuid\",\"01234567-89ab-cdef-0123-456789abcdef\"]" },
    };

    (void) state;
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct db_base_type base;
        union db_atom atom, again;

        db_base_type_init(&base, db_atomic_type_from_string(cases[i][0]));
        struct json_object *json = parse_json(cases[i][1]);
        struct db_error *error = db_atom_from_json(&atom, &base, json, NULL);
        if (error) {
            fail_msg("%s: %s", cases[i][1], error->details);
        }
        json_object_put(json);

        json = db_atom_to_json(&atom, base.type);
        if (strcmp(json_text(json), cases[i][2])) {
            fail_msg("%s: wrote %s, expected %s", cases[i][1],
                     json_text(json), cases[i][2]);
        }
        assert_null(db_atom_from_json(&again, &base, json, NULL));
        assert_true(db_atom_equals(&atom, &again, base.type));
        assert_int_equal(db_atom_hash(&atom, base.type, 7),
                         db_atom_hash(&again, base.type, 7));
        json_object_put(json);

        union db_atom clone;
        db_atom_clone(&clone, &atom, base.type);
        db_atom_destroy(&atom, base.type);
        assert_true(db_atom_equals(&clone, &again, base.type));
        db_atom_destroy(&clone, base.type);
        db_atom_destroy(&again, base.type);
        db_base_type_destroy(&base);
    }
}

static void
test_atom_values(void **state)
{
    struct db_datum datum;
    struct db_type type;

    (void) state;
    db_type_init_scalar(&type, DB_TYPE_INTEGER);
    datum_from_text(&datum, &type, "-42", NULL);
    assert_int_equal(datum.n, 1);
    assert_int_equal(datum.keys[0].integer, -42);
    assert_null(datum.values);
    db_datum_destroy(&datum, &type);

    db_type_init_scalar(&type, DB_TYPE_REAL);
    datum_from_text(&datum, &type, "3", NULL);
    assert_true(datum.keys[0].real == 3.0);
    db_datum_destroy(&datum, &type);

    db_type_init_scalar(&type, DB_TYPE_BOOLEAN);
    datum_from_text(&datum, &type, "true", NULL);
    assert_true(datum.keys[0].boolean);
    db_datum_destroy(&datum, &type);

    db_type_init_scalar(&type, DB_TYPE_STRING);
    datum_from_text(&datum, &type, "\"br0\"", NULL);
    assert_string_equal(datum.keys[0].string, "br0");
    db_datum_destroy(&datum, &type);

    db_type_init_scalar(&type, DB_TYPE_UUID);
    datum_from_text(&datum, &type,
                    "[\"uuid\", \"00000001-0002-0003-0004-000000000005\"]",
                    NULL);
    assert_int_equal(datum.keys[0].uuid.parts[0], 1);
    assert_int_equal(datum.keys[0].uuid.parts[1], 0x00020003);
    assert_int_equal(datum.keys[0].uuid.parts[2], 0x00040000);
    assert_int_equal(datum.keys[0].uuid.parts[3], 5);
    db_datum_destroy(&datum, &type);
}

static void
test_atom_syntax_errors(void **state)
{
    static const char *const cases[][3] = {
        /* Type, JSON, what the details must name. */
        { "\"integer\"", "1.5", "1.5: expected integer" },
        { "\"integer\"", "1.0", "1.0: expected integer" },
        { "\"integer\"", "\"5\"", "\"5\": expected integer" },
        { "\"integer\"", "true", "true: expected integer" },
        { "\"integer\"", "null", "null: expected integer" },
        { "\"integer\"", "{}", "{}: expected integer" },
        { "\"integer\"", "9223372036854775808",
          "9223372036854775808: integer out of range" },
        { "\"integer\"", "18446744073709551615",
          "18446744073709551615: integer out of range" },
        { "\"real\"", "\"1.5\"", "\"1.5\": expected real" },
        { "\"real\"", "false", "false: expected real" },
        { "\"real\"", "1e999", "1e999: real number out of range" },
        { "\"real\"", "-1e999", "-1e999: real number out of range" },
        { "\"boolean\"", "1", "1: expected boolean" },
        { "\"boolean\"", "\"true\"", "\"true\": expected boolean" },
        { "\"string\"", "5", "5: expected string" },
        { "\"string\"", "null", "null: expected string" },
        { "\"string\"", "[\"set\", [5]]", "5: expected string" },
        { "\"uuid\"", "\"01234567-89ab-cdef-0123-456789abcdef\"",
          "\"01234567-89ab-cdef-0123-456789abcdef\": expected" },
        { "\"uuid\"", "[\"uuid\"]", "[\"uuid\"]: expected" },
        { "\"uuid\"", "[\"uuid\", 5]", "[\"uuid\",5]: expected" },
        { "\"uuid\"", "[\"uid\", \"01234567-89ab-cdef-0123-456789abcdef\"]",
          "[\"uid\"," },
        { "\"uuid\"", "[\"uuid\", \"x\", \"y\"]", "[\"uuid\",\"x\",\"y\"]" },
        { "\"uuid\"", "[5, \"01234567-89ab-cdef-0123-456789abcdef\"]",
          "[5," },
        { "\"uuid\"", "[\"uuid\", \"not-a-uuid\"]",
          "\"not-a-uuid\": not a valid UUID" },
        { "\"uuid\"", "[\"uuid\", \"01234567-89ab-cdef-0123-456789abcdefa\"]",
          "\"01234567-89ab-cdef-0123-456789abcdefa\": not a valid "
          "UUID" },
        { "\"uuid\"", "[\"uuid\", \"\"]", "\"\": not a valid UUID" },
        { "\"uuid\"", "[\"named-uuid\", \"row\"]",
          "[\"named-uuid\",\"row\"]: named-uuid is not allowed here" },
    };

    (void) state;
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        check_datum_error(cases[i][0], cases[i][1], NULL, "syntax error",
                          cases[i][2], NULL);
    }

    /* A long bad value is named, shortened. */
    struct ds s = DS_EMPTY_INITIALIZER;
    ds_put_cstr(&s, "[\"uuid\", \"");
    ds_put_char_multiple(&s, '0', 1000);
    ds_put_cstr(&s, "\"]");
    struct json_object *json = parse_json(ds_cstr(&s));
    struct db_base_type base;
    union db_atom atom;
    db_base_type_init(&base, DB_TYPE_UUID);
    struct db_error *error = db_atom_from_json(&atom, &base, json, NULL);
    assert_non_null(error);
    assert_string_equal(error->tag, "syntax error");
    assert_contains(error->details, "\"0000000000");
    assert_contains(error->details, "...: not a valid UUID");
    assert_true(strlen(error->details) < 200);
    db_error_destroy(error);
    json_object_put(json);
    ds_destroy(&s);
}

/* Strings must be UTF-8 without NUL. */
static void
test_string_encoding(void **state)
{
    static const char *const bad[][2] = {
        { "\xff", "\\xff" },
        { "a\x80", "a\\x80" },                      /* Lone continuation. */
        { "\xc0\xaf", "\\xc0\\xaf" },               /* Overlong '/'. */
        { "\xe0\x80\xaf", "\\xe0\\x80\\xaf" },      /* Overlong, 3 bytes. */
        { "\xed\xa0\x80", "\\xed\\xa0\\x80" },      /* Surrogate. */
        { "\xf4\x90\x80\x80", "\\xf4\\x90" },       /* Past U+10FFFF. */
        { "\xe2\x82", "\\xe2\\x82" },               /* Cut short. */
        { "\xe2\x82x", "\\xe2\\x82x" },
    };

    (void) state;
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        check_datum_error_json("\"string\"",
                               json_object_new_string(bad[i][0]),
                               "syntax error", "not valid UTF-8", bad[i][1],
                               NULL);
    }

    /* An escaped NUL. */
    check_datum_error("\"string\"", "\"a\\u0000b\"", NULL, "syntax error",
                      "\"a\\u0000b\"", "NUL", NULL);
    check_datum_error_json("\"string\"", json_object_new_string_len("x\0", 2),
                           "syntax error", "NUL", NULL);

    /* The largest code point and the edges of the ranges are fine. */
    static const char *const good[] = {
        "\xf4\x8f\xbf\xbf", "\xed\x9f\xbf", "\xee\x80\x80", "\xc2\x80",
        "\xe0\xa0\x80", "\xf0\x90\x80\x80", "\x7f",
    };
    struct db_type type;
    db_type_init_scalar(&type, DB_TYPE_STRING);
    for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
        struct json_object *json = json_object_new_string(good[i]);
        struct db_datum datum;

        assert_null(db_datum_from_json(&datum, &type, json, NULL));
        assert_string_equal(datum.keys[0].string, good[i]);
        db_datum_destroy(&datum, &type);
        json_object_put(json);
    }
}

static void
test_integer_range(void **state)
{
    static const char *const type =
        "{\"key\": {\"type\": \"integer\", \"minInteger\": -10, "
        "\"maxInteger\": 4095}}";
    struct db_datum datum;
    struct db_type t;

    (void) state;
    type_from_text(&t, type);
    datum_from_text(&datum, &t, "-10", NULL);
    db_datum_destroy(&datum, &t);
    datum_from_text(&datum, &t, "4095", NULL);
    db_datum_destroy(&datum, &t);
    datum_from_text(&datum, &t, "0", NULL);
    db_datum_destroy(&datum, &t);
    db_type_destroy(&t);

    check_datum_error(type, "4096", NULL, "constraint violation",
                      "4096 is greater than the maximum allowed value 4095",
                      NULL);
    check_datum_error(type, "-11", NULL, "constraint violation",
                      "-11 is less than the minimum allowed value -10",
                      NULL);
    check_datum_error(type, "-9223372036854775808", NULL,
                      "constraint violation", "-9223372036854775808",
                      NULL);
    check_datum_error("{\"key\": {\"type\": \"integer\", \"minInteger\": "
                      "1}, \"min\": 0, \"max\": \"unlimited\"}",
                      "[\"set\", [5, 0, 7]]", NULL, "constraint violation",
                      "0 is less than the minimum allowed value 1", NULL);
}

static void
test_real_range(void **state)
{
    static const char *const type =
        "{\"key\": {\"type\": \"real\", \"minReal\": -1.5, "
        "\"maxReal\": 100}}";
    struct db_datum datum;
    struct db_type t;

    (void) state;
    type_from_text(&t, type);
    datum_from_text(&datum, &t, "-1.5", NULL);
    db_datum_destroy(&datum, &t);
    datum_from_text(&datum, &t, "100", NULL);
    db_datum_destroy(&datum, &t);
    datum_from_text(&datum, &t, "99.99", NULL);
    db_datum_destroy(&datum, &t);
    db_type_destroy(&t);

    check_datum_error(type, "100.5", NULL, "constraint violation",
                      "100.5 is greater than the maximum allowed value "
                      "100.0", NULL);
    check_datum_error(type, "101", NULL, "constraint violation",
                      "101.0 is greater than", NULL);
    check_datum_error(type, "-1.6", NULL, "constraint violation",
                      "-1.6 is less than the minimum allowed value -1.5",
                      NULL);
}

static void
test_string_length(void **state)
{
    static const char *const type =
        "{\"key\": {\"type\": \"string\", \"minLength\": 2, "
        "\"maxLength\": 3}}";
    static const char *const good[] = {
        "\"ab\"", "\"abc\"",
        "\"\xc3\xa9\xc3\xa9\xc3\xa9\"",             /* 3 chars, 6 bytes. */
        "\"\xe2\x82\xac\xe2\x82\xac\"",             /* 2 chars, 6 bytes. */
        "\"\xf0\x9f\x98\x80\xf0\x9f\x98\x80\"",     /* 2 chars, 8 bytes. */
        "\"a\\u0001\"",
    };
    struct db_type t;

    (void) state;
    type_from_text(&t, type);
    for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
        struct db_datum datum;
        datum_from_text(&datum, &t, good[i], NULL);
        db_datum_destroy(&datum, &t);
    }
    db_type_destroy(&t);

    check_datum_error(type, "\"a\"", NULL, "constraint violation",
                      "\"a\" is 1 characters long, less than the minimum "
                      "length 2", NULL);
    check_datum_error(type, "\"\"", NULL, "constraint violation",
                      "\"\" is 0 characters", NULL);
    check_datum_error(type, "\"abcd\"", NULL, "constraint violation",
                      "\"abcd\" is 4 characters long, more than the maximum "
                      "length 3", NULL);
    check_datum_error(type, "\"\xf0\x9f\x98\x80\"", NULL,
                      "constraint violation", "\"\xf0\x9f\x98\x80\" is 1 "
                      "characters", NULL);
    check_datum_error(type, "\"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\"", NULL,
                      "constraint violation", "is 4 characters", NULL);

    /* A long string is named, but shortened. */
    struct ds s = DS_EMPTY_INITIALIZER;
    ds_put_char(&s, '"');
    ds_put_char_multiple(&s, 'z', 500);
    ds_put_char(&s, '"');
    struct json_object *json = parse_json(ds_cstr(&s));
    struct db_datum datum;
    type_from_text(&t, type);
    struct db_error *error = db_datum_from_json(&datum, &t, json, NULL);
    assert_non_null(error);
    assert_string_equal(error->tag, "constraint violation");
    assert_contains(error->details, "\"zzzzzzzzzz");
    assert_contains(error->details, "...");
    assert_contains(error->details, "is 500 characters long");
    assert_true(strlen(error->details) < 200);
    db_error_destroy(error);
    db_type_destroy(&t);
    json_object_put(json);
    ds_destroy(&s);
}

static void
test_enum(void **state)
{
    static const char *const type =
        "{\"key\": {\"type\": \"string\", \"enum\": [\"set\", "
        "[\"secure\", \"standalone\"]]}, \"min\": 0}";
    struct db_datum datum;
    struct db_type t;

    (void) state;
    type_from_text(&t, type);
    datum_from_text(&datum, &t, "\"secure\"", NULL);
    db_datum_destroy(&datum, &t);
    datum_from_text(&datum, &t, "[\"set\", [\"standalone\"]]", NULL);
    db_datum_destroy(&datum, &t);
    datum_from_text(&datum, &t, "[\"set\", []]", NULL);
    db_datum_destroy(&datum, &t);
    db_type_destroy(&t);

    check_datum_error(type, "\"open\"", NULL, "constraint violation",
                      "\"open\" is not one of the allowed values "
                      "[secure, standalone]", NULL);
    check_datum_error(type, "\"Secure\"", NULL, "constraint violation",
                      "\"Secure\"", NULL);

    check_datum_error("{\"key\": {\"type\": \"integer\", \"enum\": "
                      "[\"set\", [1, 2, 4]]}}", "3", NULL,
                      "constraint violation", "3 is not one of the allowed "
                      "values [1, 2, 4]", NULL);
    check_datum_error("{\"key\": {\"type\": \"boolean\", \"enum\": true}}",
                      "false", NULL, "constraint violation",
                      "false is not one of the allowed values [true]", NULL);
    check_datum_error("{\"key\": {\"type\": \"real\", \"enum\": "
                      "[\"set\", [0.5, 1.5]]}}", "1", NULL,
                      "constraint violation", "1.0 is not one of", NULL);

    /* Enums constrain map values too. */
    check_datum_error("{\"key\": \"string\", \"value\": {\"type\": "
                      "\"string\", \"enum\": [\"set\", [\"on\", \"off\"]]}, "
                      "\"min\": 0, \"max\": \"unlimited\"}",
                      "[\"map\", [[\"a\", \"on\"], [\"b\", \"maybe\"]]]",
                      NULL, "constraint violation", "\"maybe\"", NULL);
}

static void
test_check_constraints(void **state)
{
    struct db_base_type base;
    union db_atom atom;
    struct db_error *error;

    (void) state;

    /* A string made in code is checked for UTF-8 too. */
    db_base_type_init(&base, DB_TYPE_STRING);
    atom.string = (char *) "bad\xff";
    error = db_atom_check_constraints(&atom, &base);
    assert_non_null(error);
    assert_string_equal(error->tag, "constraint violation");
    assert_contains(error->details, "\"bad\\xff\" is not valid UTF-8");
    db_error_destroy(error);
    atom.string = (char *) "good";
    assert_null(db_atom_check_constraints(&atom, &base));

    /* Reals must be finite. */
    db_base_type_init(&base, DB_TYPE_REAL);
    atom.real = NAN;
    error = db_atom_check_constraints(&atom, &base);
    assert_non_null(error);
    assert_string_equal(error->tag, "constraint violation");
    assert_contains(error->details, "not a finite number");
    db_error_destroy(error);
    atom.real = INFINITY;
    error = db_atom_check_constraints(&atom, &base);
    assert_non_null(error);
    db_error_destroy(error);

    /* Booleans and uuids without enums accept anything. */
    db_base_type_init(&base, DB_TYPE_BOOLEAN);
    atom.boolean = true;
    assert_null(db_atom_check_constraints(&atom, &base));
    db_base_type_init(&base, DB_TYPE_UUID);
    uuid_generate(&atom.uuid);
    assert_null(db_atom_check_constraints(&atom, &base));
}

/* Sets. */

static void
test_sets(void **state)
{
    static const char *const set = "{\"key\": \"integer\", \"min\": 0, "
        "\"max\": \"unlimited\"}";

    (void) state;
    /* An atom alone is a one-element set, written back the same way. */
    check_datum_round_trip(set, "5", "5");
    check_datum_round_trip(set, "[\"set\", [5]]", "5");
    check_datum_round_trip(set, "[\"set\", []]", "[\"set\",[]]");
    check_datum_round_trip(set, "[\"set\", [3, 1, 2]]",
                           "[\"set\",[1,2,3]]");
    check_datum_round_trip(set, "[\"set\", [-1, 9223372036854775807, "
                           "-9223372036854775808]]",
                           "[\"set\",[-9223372036854775808,-1,"
                           "9223372036854775807]]");
    check_datum_round_trip("{\"key\": \"string\", \"min\": 0, \"max\": 5}",
                           "[\"set\", [\"b\", \"a\", \"B\", \"\"]]",
                           "[\"set\",[\"\",\"B\",\"a\",\"b\"]]");
    check_datum_round_trip("{\"key\": \"boolean\", \"min\": 0, \"max\": 2}",
                           "[\"set\", [true, false]]",
                           "[\"set\",[false,true]]");
    check_datum_round_trip("{\"key\": \"real\", \"min\": 0, \"max\": 3}",
                           "[\"set\", [2.5, -1, 0]]",
                           "[\"set\",[-1.0,0.0,2.5]]");
    check_datum_round_trip("{\"key\": \"uuid\", \"min\": 0, \"max\": 2}",
                           "[\"set\", [[\"uuid\", "
                           "\"ffffffff-0000-4000-8000-000000000000\"], "
                           "[\"uuid\", "
                           "\"00000000-0000-4000-8000-000000000001\"]]]",
                           "[\"set\",[[\"uuid\","
                           "\"00000000-0000-4000-8000-000000000001\"],"
                           "[\"uuid\","
                           "\"ffffffff-0000-4000-8000-000000000000\"]]]");

    /* A scalar column accepts the set forms of one element. */
    check_datum_round_trip("\"integer\"", "[\"set\", [7]]", "7");

    /* An optional column: empty or one. */
    check_datum_round_trip("{\"key\": \"string\", \"min\": 0}",
                           "[\"set\", []]", "[\"set\",[]]");
    check_datum_round_trip("{\"key\": \"string\", \"min\": 0}", "\"x\"",
                           "\"x\"");
}

static void
test_set_errors(void **state)
{
    static const char *const set = "{\"key\": \"integer\", \"min\": 0, "
        "\"max\": \"unlimited\"}";

    (void) state;
    check_datum_error(set, "[\"set\", 5]", NULL, "syntax error",
                      "[\"set\",5]", "expected [\"set\"", NULL);
    check_datum_error(set, "[\"set\", {}]", NULL, "syntax error",
                      "[\"set\",{}]", NULL);
    check_datum_error(set, "[\"set\"]", NULL, "syntax error", "[\"set\"]",
                      "expected integer", NULL);
    check_datum_error(set, "[\"set\", [1], [2]]", NULL, "syntax error",
                      "[\"set\",[1],[2]]", NULL);
    check_datum_error(set, "[\"SET\", [1]]", NULL, "syntax error",
                      "[\"SET\",[1]]", NULL);
    check_datum_error(set, "[\"map\", [[1, 2]]]", NULL, "syntax error",
                      "[\"map\",[[1,2]]]", NULL);
    check_datum_error(set, "[1, 2]", NULL, "syntax error", "[1,2]", NULL);
    check_datum_error(set, "[\"set\", [1, \"2\", 3]]", NULL, "syntax error",
                      "\"2\": expected integer", NULL);
    check_datum_error(set, "[\"set\", [[1]]]", NULL, "syntax error",
                      "[1]: expected integer", NULL);
    check_datum_error(set, "{\"set\": [1]}", NULL, "syntax error",
                      "{\"set\":[1]}", NULL);
}

static void
test_counts(void **state)
{
    (void) state;

    /* Scalars: exactly one. */
    check_datum_error("\"integer\"", "[\"set\", []]", NULL,
                      "constraint violation",
                      "0 elements but column requires at least 1", NULL);
    check_datum_error("\"integer\"", "[\"set\", [1, 2]]", NULL,
                      "constraint violation",
                      "2 elements but column allows at most 1", NULL);

    /* Optional: at most one. */
    check_datum_error("{\"key\": \"string\", \"min\": 0}",
                      "[\"set\", [\"a\", \"b\", \"c\"]]", NULL,
                      "constraint violation",
                      "3 elements but column allows at most 1", NULL);

    /* Bounded sets. */
    check_datum_error("{\"key\": \"integer\", \"max\": 3}",
                      "[\"set\", [1, 2, 3, 4]]", NULL,
                      "constraint violation",
                      "4 elements but column allows at most 3", NULL);
    check_datum_error("{\"key\": \"integer\", \"max\": 3}", "[\"set\", []]",
                      NULL, "constraint violation",
                      "0 elements but column requires at least 1", NULL);

    struct db_datum datum;
    struct db_type type;
    type_from_text(&type, "{\"key\": \"integer\", \"max\": 3}");
    datum_from_text(&datum, &type, "[\"set\", [1, 2, 3]]", NULL);
    db_datum_destroy(&datum, &type);
    datum_from_text(&datum, &type, "2", NULL);
    db_datum_destroy(&datum, &type);
    db_type_destroy(&type);

    /* Maps count pairs. */
    check_datum_error("{\"key\": \"string\", \"value\": \"string\", "
                      "\"max\": 2}",
                      "[\"map\", [[\"a\", \"1\"], [\"b\", \"2\"], "
                      "[\"c\", \"3\"]]]", NULL, "constraint violation",
                      "3 elements but column allows at most 2", NULL);
    check_datum_error("{\"key\": \"string\", \"value\": \"string\"}",
                      "[\"map\", []]", NULL, "constraint violation",
                      "0 elements but column requires at least 1", NULL);

    /* Unlimited really is. */
    struct ds s = DS_EMPTY_INITIALIZER;
    ds_put_cstr(&s, "[\"set\", [");
    for (int i = 0; i < 5000; i++) {
        ds_put_format(&s, "%s%d", i ? ", " : "", (i * 7919) % 5000);
    }
    ds_put_cstr(&s, "]]");
    type_from_text(&type, "{\"key\": \"integer\", \"min\": 0, "
                   "\"max\": \"unlimited\"}");
    datum_from_text(&datum, &type, ds_cstr(&s), NULL);
    assert_int_equal(datum.n, 5000);
    for (unsigned int i = 0; i < datum.n; i++) {
        assert_int_equal(datum.keys[i].integer, i);
    }
    db_datum_destroy(&datum, &type);
    db_type_destroy(&type);
    ds_destroy(&s);
}

static void
test_duplicates(void **state)
{
    (void) state;
    check_datum_error("{\"key\": \"integer\", \"max\": \"unlimited\"}",
                      "[\"set\", [1, 2, 1]]", NULL, "constraint violation",
                      "1: duplicate value in set", NULL);
    check_datum_error("{\"key\": \"string\", \"max\": \"unlimited\"}",
                      "[\"set\", [\"x\", \"y\", \"z\", \"y\"]]", NULL,
                      "constraint violation",
                      "\"y\": duplicate value in set", NULL);
    check_datum_error("{\"key\": \"boolean\", \"max\": \"unlimited\"}",
                      "[\"set\", [true, true]]", NULL,
                      "constraint violation", "true: duplicate", NULL);
    /* -0.0 equals 0.0. */
    check_datum_error("{\"key\": \"real\", \"max\": \"unlimited\"}",
                      "[\"set\", [0.0, -0.0]]", NULL,
                      "constraint violation", "duplicate value", NULL);
    check_datum_error("{\"key\": \"real\", \"max\": \"unlimited\"}",
                      "[\"set\", [2, 2.0]]", NULL, "constraint violation",
                      "2.0: duplicate value", NULL);
    check_datum_error("{\"key\": \"uuid\", \"max\": \"unlimited\"}",
                      "[\"set\", [[\"uuid\", "
                      "\"01234567-89ab-cdef-0123-456789abcdef\"], "
                      "[\"uuid\", "
                      "\"01234567-89AB-CDEF-0123-456789ABCDEF\"]]]", NULL,
                      "constraint violation",
                      "01234567-89ab-cdef-0123-456789abcdef: duplicate",
                      NULL);

    /* Duplicate map keys, with the same or other values. */
    check_datum_error("{\"key\": \"string\", \"value\": \"integer\", "
                      "\"max\": \"unlimited\"}",
                      "[\"map\", [[\"a\", 1], [\"b\", 2], [\"a\", 2]]]",
                      NULL, "constraint violation",
                      "\"a\": duplicate key in map", NULL);
    check_datum_error("{\"key\": \"string\", \"value\": \"integer\", "
                      "\"max\": \"unlimited\"}",
                      "[\"map\", [[\"a\", 1], [\"a\", 1]]]", NULL,
                      "constraint violation", "\"a\": duplicate key", NULL);

    /* Duplicates are reported even where the count is also wrong. */
    check_datum_error("\"integer\"", "[\"set\", [4, 4]]", NULL,
                      "constraint violation", "4: duplicate", NULL);
}

/* Maps. */

static void
test_maps(void **state)
{
    static const char *const map = "{\"key\": \"string\", \"value\": "
        "\"string\", \"min\": 0, \"max\": \"unlimited\"}";

    (void) state;
    check_datum_round_trip(map, "[\"map\", []]", "[\"map\",[]]");
    check_datum_round_trip(map, "[\"map\", [[\"k\", \"v\"]]]",
                           "[\"map\",[[\"k\",\"v\"]]]");
    check_datum_round_trip(map, "[\"map\", [[\"b\", \"1\"], [\"a\", \"2\"], "
                           "[\"c\", \"0\"]]]",
                           "[\"map\",[[\"a\",\"2\"],[\"b\",\"1\"],"
                           "[\"c\",\"0\"]]]");
    check_datum_round_trip("{\"key\": \"integer\", \"value\": {\"type\": "
                           "\"uuid\", \"refTable\": \"Queue\"}, \"min\": 0, "
                           "\"max\": \"unlimited\"}",
                           "[\"map\", [[2, [\"uuid\", "
                           "\"00000000-0000-0000-0000-000000000002\"]], "
                           "[1, [\"uuid\", "
                           "\"00000000-0000-0000-0000-000000000001\"]]]]",
                           "[\"map\",[[1,[\"uuid\","
                           "\"00000000-0000-0000-0000-000000000001\"]],"
                           "[2,[\"uuid\","
                           "\"00000000-0000-0000-0000-000000000002\"]]]]");
    /* A one-pair map is still written as a map. */
    check_datum_round_trip("{\"key\": \"boolean\", \"value\": \"real\"}",
                           "[\"map\", [[true, 1]]]",
                           "[\"map\",[[true,1.0]]]");

    struct db_datum datum;
    struct db_type type;
    type_from_text(&type, map);
    datum_from_text(&datum, &type, "[\"map\", [[\"y\", \"2\"], "
                    "[\"x\", \"1\"]]]", NULL);
    assert_int_equal(datum.n, 2);
    assert_string_equal(datum.keys[0].string, "x");
    assert_string_equal(datum.values[0].string, "1");
    assert_string_equal(datum.keys[1].string, "y");
    assert_string_equal(datum.values[1].string, "2");
    db_datum_destroy(&datum, &type);
    db_type_destroy(&type);
}

static void
test_map_errors(void **state)
{
    static const char *const map = "{\"key\": \"string\", \"value\": "
        "\"integer\", \"min\": 0, \"max\": \"unlimited\"}";

    (void) state;
    /* Wrong shape. */
    check_datum_error(map, "{\"a\": 1}", NULL, "syntax error",
                      "{\"a\":1}: expected [\"map\"", NULL);
    check_datum_error(map, "\"a\"", NULL, "syntax error", "\"a\"", NULL);
    check_datum_error(map, "[\"map\"]", NULL, "syntax error", "[\"map\"]",
                      NULL);
    check_datum_error(map, "[\"map\", {}]", NULL, "syntax error",
                      "[\"map\",{}]", NULL);
    check_datum_error(map, "[\"map\", [], []]", NULL, "syntax error",
                      "[\"map\",[],[]]", NULL);
    check_datum_error(map, "[\"set\", []]", NULL, "syntax error",
                      "[\"set\",[]]", NULL);
    check_datum_error(map, "[\"Map\", []]", NULL, "syntax error",
                      "[\"Map\",[]]", NULL);

    /* Wrong pair arity. */
    check_datum_error(map, "[\"map\", [[\"a\"]]]", NULL, "syntax error",
                      "[\"a\"]: expected a [key, value] pair", NULL);
    check_datum_error(map, "[\"map\", [[\"a\", 1, 2]]]", NULL,
                      "syntax error", "[\"a\",1,2]: expected a [key, value]",
                      NULL);
    check_datum_error(map, "[\"map\", [[]]]", NULL, "syntax error",
                      "[]: expected a [key, value]", NULL);
    check_datum_error(map, "[\"map\", [\"a\", 1]]", NULL, "syntax error",
                      "\"a\": expected a [key, value] pair", NULL);
    check_datum_error(map, "[\"map\", [[\"a\", 1], {\"b\": 2}]]", NULL,
                      "syntax error", "{\"b\":2}: expected a [key", NULL);

    /* Bad key or value type. */
    check_datum_error(map, "[\"map\", [[1, 1]]]", NULL, "syntax error",
                      "1: expected string", NULL);
    check_datum_error(map, "[\"map\", [[\"a\", 1], [\"b\", \"2\"]]]", NULL,
                      "syntax error", "\"2\": expected integer", NULL);
    check_datum_error(map, "[\"map\", [[\"a\", 1.5]]]", NULL, "syntax error",
                      "1.5: expected integer", NULL);
    check_datum_error(map, "[\"map\", [[null, 1]]]", NULL, "syntax error",
                      "null: expected string", NULL);

    /* Constraints on keys and values. */
    check_datum_error("{\"key\": {\"type\": \"string\", \"maxLength\": 1}, "
                      "\"value\": {\"type\": \"integer\", \"maxInteger\": "
                      "9}, \"max\": \"unlimited\"}",
                      "[\"map\", [[\"a\", 1], [\"bb\", 2]]]", NULL,
                      "constraint violation", "\"bb\" is 2 characters",
                      NULL);
    check_datum_error("{\"key\": {\"type\": \"string\", \"maxLength\": 1}, "
                      "\"value\": {\"type\": \"integer\", \"maxInteger\": "
                      "9}, \"max\": \"unlimited\"}",
                      "[\"map\", [[\"a\", 1], [\"b\", 20]]]", NULL,
                      "constraint violation", "20 is greater than", NULL);
}

/* Named uuids. */

static void
test_named_uuid(void **state)
{
    static const char type_text[] = "{\"key\": {\"type\": \"uuid\", "
        "\"refTable\": \"Port\"}, \"min\": 0, \"max\": \"unlimited\"}";
    struct db_symbol_table symtab;
    struct db_datum datum, datum2;
    struct db_type type;

    (void) state;
    db_symbol_table_init(&symtab);
    assert_null(db_symbol_table_get(&symtab, "row1"));

    /* A reference before any insert makes the symbol. */
    type_from_text(&type, type_text);
    datum_from_text(&datum, &type, "[\"named-uuid\", \"row1\"]", &symtab);
    struct db_symbol *symbol = db_symbol_table_get(&symtab, "row1");
    assert_non_null(symbol);
    assert_string_equal(symbol->name, "row1");
    assert_false(symbol->created);
    assert_false(uuid_is_zero(&symbol->uuid));
    assert_true(uuid_equals(&datum.keys[0].uuid, &symbol->uuid));

    /* The insert that defines it finds the same symbol. */
    struct db_symbol *defined = db_symbol_table_insert(&symtab, "row1");
    assert_ptr_equal(defined, symbol);
    defined->created = true;

    /* Later references resolve to the same uuid. */
    datum_from_text(&datum2, &type, "[\"set\", [[\"named-uuid\", \"row2\"], "
                    "[\"named-uuid\", \"row1\"]]]", &symtab);
    assert_int_equal(datum2.n, 2);
    assert_int_not_equal(db_datum_find_key(&datum2, &datum.keys[0],
                                           DB_TYPE_UUID), UINT_MAX);
    struct db_symbol *row2 = db_symbol_table_get(&symtab, "row2");
    assert_non_null(row2);
    assert_false(uuid_equals(&row2->uuid, &symbol->uuid));
    db_datum_destroy(&datum2, &type);

    /* Named uuids and literal uuids mix. */
    datum_from_text(&datum2, &type, "[\"set\", [[\"named-uuid\", \"row1\"], "
                    "[\"uuid\", \"01234567-89ab-cdef-0123-456789abcdef\"]]]",
                    &symtab);
    assert_int_equal(datum2.n, 2);
    db_datum_destroy(&datum2, &type);

    /* The same name twice is a duplicate. */
    check_datum_error(type_text, "[\"set\", [[\"named-uuid\", \"row1\"], "
                      "[\"named-uuid\", \"row1\"]]]", &symtab,
                      "constraint violation", "duplicate value", NULL);

    db_datum_destroy(&datum, &type);
    db_type_destroy(&type);
    db_symbol_table_destroy(&symtab);
}

static void
test_named_uuid_errors(void **state)
{
    static const char *const bad[][2] = {
        { "[\"named-uuid\", \"\"]", "needs a name" },
        { "[\"named-uuid\", 5]", "[\"named-uuid\",5]: expected" },
        { "[\"named-uuid\"]", "[\"named-uuid\"]: expected" },
        { "[\"named-uuid\", \"a\", \"b\"]", "[\"named-uuid\",\"a\",\"b\"]" },
    };
    struct db_symbol_table symtab;

    (void) state;
    db_symbol_table_init(&symtab);
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        check_datum_error("\"uuid\"", bad[i][0], &symtab, "syntax error",
                          bad[i][1], NULL);
    }

    /* Without a symbol table, named uuids are refused anywhere. */
    check_datum_error("{\"key\": \"string\", \"value\": \"uuid\"}",
                      "[\"map\", [[\"a\", [\"named-uuid\", \"x\"]]]]", NULL,
                      "syntax error", "[\"named-uuid\",\"x\"]",
                      "not allowed", NULL);
    db_symbol_table_destroy(&symtab);
}

static void
test_named_uuid_in_map(void **state)
{
    struct db_symbol_table symtab;
    struct db_datum datum;
    struct db_type type;

    (void) state;
    db_symbol_table_init(&symtab);
    type_from_text(&type, "{\"key\": \"uuid\", \"value\": \"uuid\", "
                   "\"max\": \"unlimited\"}");
    datum_from_text(&datum, &type, "[\"map\", [[[\"named-uuid\", \"k\"], "
                    "[\"named-uuid\", \"v\"]]]]", &symtab);
    assert_true(uuid_equals(&datum.keys[0].uuid,
                            &db_symbol_table_get(&symtab, "k")->uuid));
    assert_true(uuid_equals(&datum.values[0].uuid,
                            &db_symbol_table_get(&symtab, "v")->uuid));
    db_datum_destroy(&datum, &type);
    db_type_destroy(&type);
    db_symbol_table_destroy(&symtab);
}

static void
test_symbol_table_many(void **state)
{
    struct db_symbol_table symtab;

    (void) state;
    db_symbol_table_init(&symtab);
    for (int i = 0; i < 500; i++) {
        char *name = xasprintf("sym%d", i);
        struct db_symbol *symbol = db_symbol_table_insert(&symtab, name);
        assert_string_equal(symbol->name, name);
        free(name);
    }
    for (int i = 0; i < 500; i++) {
        char *name = xasprintf("sym%d", i);
        struct db_symbol *symbol = db_symbol_table_get(&symtab, name);
        assert_non_null(symbol);
        assert_ptr_equal(db_symbol_table_insert(&symtab, name), symbol);
        for (int j = 0; j < i; j += 37) {
            char *other = xasprintf("sym%d", j);
            assert_false(uuid_equals(
                             &symbol->uuid,
                             &db_symbol_table_get(&symtab, other)->uuid));
            free(other);
        }
        free(name);
    }
    assert_null(db_symbol_table_get(&symtab, "sym500"));
    assert_int_equal(hmap_count(&symtab.symbols), 500);
    db_symbol_table_destroy(&symtab);
}

/* Set operations. */

/* Parses A and B as datums of TYPE_TEXT, runs OP on copies, and checks
 * the result against EXPECTED (JSON text). */
enum set_op { OP_UNION, OP_SUBTRACT };

static void
check_set_op(const char *type_text, const char *b_type_text,
             enum set_op op, const char *a_text, const char *b_text,
             const char *expected)
{
    struct db_type type, b_type;
    struct db_datum a, b;

    type_from_text(&type, type_text);
    type_from_text(&b_type, b_type_text ? b_type_text : type_text);
    datum_from_text(&a, &type, a_text, NULL);
    datum_from_text(&b, &b_type, b_text, NULL);

    if (op == OP_UNION) {
        db_datum_union(&a, &b, &type);
    } else {
        db_datum_subtract(&a, &type, &b, &b_type);
    }
    db_datum_destroy(&b, &b_type);      /* A must not share B's memory. */

    struct json_object *json = db_datum_to_json(&a, &type);
    if (strcmp(json_text(json), expected)) {
        fail_msg("%s %s %s: got %s, expected %s", a_text,
                 op == OP_UNION ? "+" : "-", b_text, json_text(json),
                 expected);
    }
    /* Still sorted and unique. */
    struct db_datum again;
    assert_null(db_datum_from_json(&again, &type, json, NULL));
    assert_true(db_datum_equals(&a, &again, &type));
    for (unsigned int i = 1; i < a.n; i++) {
        assert_true(db_atom_compare_3way(&a.keys[i - 1], &a.keys[i],
                                         type.key.type) < 0);
    }

    db_datum_destroy(&again, &type);
    json_object_put(json);
    db_datum_destroy(&a, &type);
    db_type_destroy(&b_type);
    db_type_destroy(&type);
}

static const char int_set[] =
    "{\"key\": \"integer\", \"min\": 0, \"max\": \"unlimited\"}";
static const char str_set[] =
    "{\"key\": \"string\", \"min\": 0, \"max\": \"unlimited\"}";
static const char str_map[] =
    "{\"key\": \"string\", \"value\": \"string\", \"min\": 0, "
    "\"max\": \"unlimited\"}";

static void
test_union(void **state)
{
    (void) state;
    check_set_op(int_set, NULL, OP_UNION, "[\"set\", [1, 3]]",
                 "[\"set\", [2, 3, 4]]", "[\"set\",[1,2,3,4]]");
    check_set_op(int_set, NULL, OP_UNION, "[\"set\", []]",
                 "[\"set\", [2, 1]]", "[\"set\",[1,2]]");
    check_set_op(int_set, NULL, OP_UNION, "[\"set\", [5]]",
                 "[\"set\", []]", "5");
    check_set_op(int_set, NULL, OP_UNION, "[\"set\", []]",
                 "[\"set\", []]", "[\"set\",[]]");
    check_set_op(int_set, NULL, OP_UNION, "[\"set\", [1, 2]]",
                 "[\"set\", [1, 2]]", "[\"set\",[1,2]]");
    check_set_op(int_set, NULL, OP_UNION, "[\"set\", [10, 20]]",
                 "[\"set\", [1, 2]]", "[\"set\",[1,2,10,20]]");
    check_set_op(int_set, NULL, OP_UNION, "[\"set\", [1, 2]]",
                 "[\"set\", [10, 20]]", "[\"set\",[1,2,10,20]]");
    check_set_op(str_set, NULL, OP_UNION, "[\"set\", [\"b\", \"d\"]]",
                 "[\"set\", [\"a\", \"b\", \"c\", \"e\"]]",
                 "[\"set\",[\"a\",\"b\",\"c\",\"d\",\"e\"]]");

    /* Maps: keys already present keep their values. */
    check_set_op(str_map, NULL, OP_UNION,
                 "[\"map\", [[\"a\", \"1\"], [\"b\", \"2\"]]]",
                 "[\"map\", [[\"b\", \"9\"], [\"c\", \"3\"]]]",
                 "[\"map\",[[\"a\",\"1\"],[\"b\",\"2\"],[\"c\",\"3\"]]]");
    check_set_op(str_map, NULL, OP_UNION, "[\"map\", []]",
                 "[\"map\", [[\"x\", \"1\"]]]", "[\"map\",[[\"x\",\"1\"]]]");
    check_set_op(str_map, NULL, OP_UNION, "[\"map\", [[\"x\", \"1\"]]]",
                 "[\"map\", []]", "[\"map\",[[\"x\",\"1\"]]]");
}

static void
test_subtract(void **state)
{
    (void) state;
    check_set_op(int_set, NULL, OP_SUBTRACT, "[\"set\", [1, 2, 3, 4]]",
                 "[\"set\", [2, 4, 5]]", "[\"set\",[1,3]]");
    check_set_op(int_set, NULL, OP_SUBTRACT, "[\"set\", [1, 2]]",
                 "[\"set\", [1, 2]]", "[\"set\",[]]");
    check_set_op(int_set, NULL, OP_SUBTRACT, "[\"set\", []]",
                 "[\"set\", [1]]", "[\"set\",[]]");
    check_set_op(int_set, NULL, OP_SUBTRACT, "[\"set\", [1, 2]]",
                 "[\"set\", []]", "[\"set\",[1,2]]");
    check_set_op(int_set, NULL, OP_SUBTRACT, "[\"set\", [1, 2]]",
                 "[\"set\", [3]]", "[\"set\",[1,2]]");
    check_set_op(str_set, NULL, OP_SUBTRACT,
                 "[\"set\", [\"a\", \"b\", \"c\"]]", "\"b\"",
                 "[\"set\",[\"a\",\"c\"]]");

    /* A map minus a set of keys. */
    check_set_op(str_map, str_set, OP_SUBTRACT,
                 "[\"map\", [[\"a\", \"1\"], [\"b\", \"2\"], "
                 "[\"c\", \"3\"]]]",
                 "[\"set\", [\"a\", \"c\", \"z\"]]",
                 "[\"map\",[[\"b\",\"2\"]]]");
    check_set_op(str_map, str_set, OP_SUBTRACT,
                 "[\"map\", [[\"a\", \"1\"]]]", "[\"set\", []]",
                 "[\"map\",[[\"a\",\"1\"]]]");

    /* A map minus a map: only pairs that match in full. */
    check_set_op(str_map, NULL, OP_SUBTRACT,
                 "[\"map\", [[\"a\", \"1\"], [\"b\", \"2\"]]]",
                 "[\"map\", [[\"a\", \"1\"], [\"b\", \"3\"]]]",
                 "[\"map\",[[\"b\",\"2\"]]]");
    check_set_op(str_map, NULL, OP_SUBTRACT,
                 "[\"map\", [[\"a\", \"1\"], [\"b\", \"2\"]]]",
                 "[\"map\", [[\"a\", \"1\"], [\"b\", \"2\"]]]",
                 "[\"map\",[]]");
    check_set_op(str_map, NULL, OP_SUBTRACT,
                 "[\"map\", [[\"a\", \"1\"]]]",
                 "[\"map\", [[\"a\", \"2\"]]]", "[\"map\",[[\"a\",\"1\"]]]");
}

/* Checks db_datum_includes_all() and db_datum_excludes_all() of A and B,
 * datums of TYPE_TEXT. */
static void
check_includes_excludes(const char *type_text, const char *a_text,
                        const char *b_text, bool includes, bool excludes)
{
    struct db_datum a, b;
    struct db_type type;

    type_from_text(&type, type_text);
    datum_from_text(&a, &type, a_text, NULL);
    datum_from_text(&b, &type, b_text, NULL);
    if (db_datum_includes_all(&a, &b, &type) != includes) {
        fail_msg("includes(%s, %s) should be %d", a_text, b_text, includes);
    }
    if (db_datum_excludes_all(&a, &b, &type) != excludes) {
        fail_msg("excludes(%s, %s) should be %d", a_text, b_text, excludes);
    }
    db_datum_destroy(&a, &type);
    db_datum_destroy(&b, &type);
    db_type_destroy(&type);
}

static void
test_includes_excludes(void **state)
{
    (void) state;
    check_includes_excludes(int_set, "[\"set\", [1, 3]]",
                            "[\"set\", [1, 2, 3]]", true, false);
    check_includes_excludes(int_set, "[\"set\", [1, 4]]",
                            "[\"set\", [1, 2, 3]]", false, false);
    check_includes_excludes(int_set, "[\"set\", [4, 5]]",
                            "[\"set\", [1, 2, 3]]", false, true);
    check_includes_excludes(int_set, "[\"set\", []]",
                            "[\"set\", [1, 2, 3]]", true, true);
    check_includes_excludes(int_set, "[\"set\", []]", "[\"set\", []]",
                            true, true);
    check_includes_excludes(int_set, "1", "[\"set\", []]", false, true);
    check_includes_excludes(int_set, "[\"set\", [1, 2]]",
                            "[\"set\", [1, 2]]", true, false);
    check_includes_excludes(str_set, "\"b\"", "[\"set\", [\"a\", \"b\"]]",
                            true, false);

    /* Maps compare whole pairs. */
    check_includes_excludes(str_map, "[\"map\", [[\"a\", \"1\"]]]",
                            "[\"map\", [[\"a\", \"1\"], [\"b\", \"2\"]]]",
                            true, false);
    check_includes_excludes(str_map, "[\"map\", [[\"a\", \"2\"]]]",
                            "[\"map\", [[\"a\", \"1\"], [\"b\", \"2\"]]]",
                            false, true);
    check_includes_excludes(str_map, "[\"map\", [[\"a\", \"1\"], "
                            "[\"b\", \"3\"]]]",
                            "[\"map\", [[\"a\", \"1\"], [\"b\", \"2\"]]]",
                            false, false);
    check_includes_excludes(str_map, "[\"map\", []]",
                            "[\"map\", [[\"a\", \"1\"]]]", true, true);
}

/* Comparison and hashing. */

static void
test_atom_compare(void **state)
{
    union db_atom a, b;

    (void) state;
    a.integer = -5;
    b.integer = 3;
    assert_int_equal(db_atom_compare_3way(&a, &b, DB_TYPE_INTEGER), -1);
    assert_int_equal(db_atom_compare_3way(&b, &a, DB_TYPE_INTEGER), 1);
    a.integer = INT64_MIN;
    b.integer = INT64_MAX;
    assert_int_equal(db_atom_compare_3way(&a, &b, DB_TYPE_INTEGER), -1);

    /* Reals compare numerically: -0.0 == 0.0, and hash alike. */
    a.real = -0.0;
    b.real = 0.0;
    assert_int_equal(db_atom_compare_3way(&a, &b, DB_TYPE_REAL), 0);
    assert_true(db_atom_equals(&a, &b, DB_TYPE_REAL));
    assert_int_equal(db_atom_hash(&a, DB_TYPE_REAL, 1),
                     db_atom_hash(&b, DB_TYPE_REAL, 1));
    a.real = -1e300;
    b.real = 1e-300;
    assert_int_equal(db_atom_compare_3way(&a, &b, DB_TYPE_REAL), -1);

    a.boolean = false;
    b.boolean = true;
    assert_int_equal(db_atom_compare_3way(&a, &b, DB_TYPE_BOOLEAN), -1);
    assert_int_equal(db_atom_compare_3way(&b, &a, DB_TYPE_BOOLEAN), 1);
    assert_int_equal(db_atom_compare_3way(&a, &a, DB_TYPE_BOOLEAN), 0);

    a.string = (char *) "abc";
    b.string = (char *) "abd";
    assert_int_equal(db_atom_compare_3way(&a, &b, DB_TYPE_STRING), -1);
    b.string = (char *) "ab";
    assert_int_equal(db_atom_compare_3way(&a, &b, DB_TYPE_STRING), 1);
    b.string = (char *) "\xc3\xa9";     /* Bytes compare unsigned. */
    assert_int_equal(db_atom_compare_3way(&a, &b, DB_TYPE_STRING), -1);
    b.string = xstrdup("abc");
    assert_true(db_atom_equals(&a, &b, DB_TYPE_STRING));
    assert_int_equal(db_atom_hash(&a, DB_TYPE_STRING, 9),
                     db_atom_hash(&b, DB_TYPE_STRING, 9));
    free(b.string);

    assert_true(uuid_from_string(&a.uuid,
                                 "00000000-0000-0000-0000-000000000001"));
    assert_true(uuid_from_string(&b.uuid,
                                 "00000000-0000-0000-0001-000000000000"));
    assert_int_equal(db_atom_compare_3way(&a, &b, DB_TYPE_UUID), -1);

    /* Different values hash differently (for these, at least), and the
     * basis matters. */
    a.integer = 1;
    b.integer = 2;
    assert_int_not_equal(db_atom_hash(&a, DB_TYPE_INTEGER, 0),
                         db_atom_hash(&b, DB_TYPE_INTEGER, 0));
    assert_int_not_equal(db_atom_hash(&a, DB_TYPE_INTEGER, 0),
                         db_atom_hash(&a, DB_TYPE_INTEGER, 1));
}

static void
test_datum_compare_hash(void **state)
{
    static const char *const ordered[] = {
        /* Datums of str_map, in increasing order. */
        "[\"map\", []]",
        "[\"map\", [[\"a\", \"1\"]]]",
        "[\"map\", [[\"a\", \"1\"], [\"b\", \"1\"]]]",
        "[\"map\", [[\"a\", \"1\"], [\"c\", \"0\"]]]",
        "[\"map\", [[\"a\", \"2\"]]]",
        "[\"map\", [[\"b\", \"0\"]]]",
    };
    struct db_datum datums[ARRAY_SIZE(ordered)];
    struct db_type type;

    (void) state;
    type_from_text(&type, str_map);
    for (size_t i = 0; i < ARRAY_SIZE(ordered); i++) {
        datum_from_text(&datums[i], &type, ordered[i], NULL);
    }
    for (size_t i = 0; i < ARRAY_SIZE(ordered); i++) {
        for (size_t j = 0; j < ARRAY_SIZE(ordered); j++) {
            int cmp = db_datum_compare_3way(&datums[i], &datums[j], &type);
            int expected = (i > j) - (i < j);
            if (cmp != expected) {
                fail_msg("compare(%s, %s) = %d", ordered[i], ordered[j],
                         cmp);
            }
            assert_int_equal(db_datum_equals(&datums[i], &datums[j], &type),
                             i == j);
            if (i != j) {
                assert_int_not_equal(db_datum_hash(&datums[i], &type, 0),
                                     db_datum_hash(&datums[j], &type, 0));
            }
        }
    }

    /* Equal however they were written. */
    struct db_datum other;
    datum_from_text(&other, &type, "[\"map\", [[\"c\", \"0\"], "
                    "[\"a\", \"1\"]]]", NULL);
    assert_true(db_datum_equals(&other, &datums[3], &type));
    assert_int_equal(db_datum_hash(&other, &type, 5),
                     db_datum_hash(&datums[3], &type, 5));
    db_datum_destroy(&other, &type);

    for (size_t i = 0; i < ARRAY_SIZE(ordered); i++) {
        db_datum_destroy(&datums[i], &type);
    }
    db_type_destroy(&type);

}

static void
test_datum_compare_sets(void **state)
{
    struct db_type type;

    (void) state;

    /* Sets of reals: -0.0 and 0.0 are the same element. */
    struct db_datum a, b;
    type_from_text(&type, "{\"key\": \"real\", \"max\": \"unlimited\"}");
    datum_from_text(&a, &type, "[\"set\", [-0.0, 1]]", NULL);
    datum_from_text(&b, &type, "[\"set\", [1, 0]]", NULL);
    assert_true(db_datum_equals(&a, &b, &type));
    assert_int_equal(db_datum_hash(&a, &type, 0),
                     db_datum_hash(&b, &type, 0));
    db_datum_destroy(&a, &type);
    db_datum_destroy(&b, &type);
    db_type_destroy(&type);

    /* A set and a longer set that starts the same. */
    type_from_text(&type, int_set);
    datum_from_text(&a, &type, "[\"set\", [1, 2]]", NULL);
    datum_from_text(&b, &type, "[\"set\", [1, 2, 3]]", NULL);
    assert_int_equal(db_datum_compare_3way(&a, &b, &type), -1);
    assert_int_equal(db_datum_compare_3way(&b, &a, &type), 1);
    assert_false(db_datum_equals(&a, &b, &type));
    db_datum_destroy(&a, &type);
    db_datum_destroy(&b, &type);
    db_type_destroy(&type);
}

/* Text forms. */

static void
test_to_string(void **state)
{
    (void) state;
    check_to_string("\"integer\"", "-5", "-5");
    check_to_string("\"real\"", "2.5", "2.5");
    check_to_string("\"real\"", "3", "3.0");
    check_to_string("\"real\"", "0.1", "0.1");
    check_to_string("\"boolean\"", "true", "true");
    check_to_string("\"boolean\"", "false", "false");
    check_to_string("\"uuid\"",
                    "[\"uuid\", \"01234567-89AB-cdef-0123-456789abcdef\"]",
                    "01234567-89ab-cdef-0123-456789abcdef");

    /* Strings: bare words, else quoted. */
    check_to_string("\"string\"", "\"br0\"", "br0");
    check_to_string("\"string\"", "\"_x.y-z/w:1\"", "_x.y-z/w:1");
    check_to_string("\"string\"", "\"/var/run/skiff\"", "/var/run/skiff");
    check_to_string("\"string\"", "\"ptcp:6640\"", "ptcp:6640");
    check_to_string("\"string\"", "\"\"", "\"\"");
    check_to_string("\"string\"", "\"two words\"", "\"two words\"");
    check_to_string("\"string\"", "\"a,b\"", "\"a,b\"");
    check_to_string("\"string\"", "\"a=b\"", "\"a=b\"");
    check_to_string("\"string\"", "\"[x]\"", "\"[x]\"");
    check_to_string("\"string\"", "\"say \\\"hi\\\"\"",
                    "\"say \\\"hi\\\"\"");
    check_to_string("\"string\"", "\"line\\n\"", "\"line\\n\"");
    check_to_string("\"string\"", "\"\xc3\xa9t\xc3\xa9\"",
                    "\"\xc3\xa9t\xc3\xa9\"");
    /* Words that would read as something else. */
    check_to_string("\"string\"", "\"5\"", "\"5\"");
    check_to_string("\"string\"", "\"-1\"", "\"-1\"");
    check_to_string("\"string\"", "\".5\"", "\".5\"");
    check_to_string("\"string\"", "\"00:11:22:33:44:55\"",
                    "\"00:11:22:33:44:55\"");
    check_to_string("\"string\"", "\"true\"", "\"true\"");
    check_to_string("\"string\"", "\"false\"", "\"false\"");
    check_to_string("\"string\"", "\"truex\"", "truex");

    /* Sets and maps. */
    check_to_string(int_set, "[\"set\", [3, 1, 2]]", "[1, 2, 3]");
    check_to_string(int_set, "[\"set\", []]", "[]");
    check_to_string(int_set, "7", "[7]");
    check_to_string("{\"key\": \"string\", \"min\": 0}", "\"x\"", "[x]");
    check_to_string("{\"key\": \"string\", \"min\": 0}", "[\"set\", []]",
                    "[]");
    check_to_string(str_set, "[\"set\", [\"a b\", \"c\"]]",
                    "[\"a b\", c]");
    check_to_string(str_map, "[\"map\", [[\"b\", \"2\"], [\"a\", \"x y\"]]]",
                    "{a=\"x y\", b=\"2\"}");
    check_to_string(str_map, "[\"map\", []]", "{}");
    check_to_string("{\"key\": \"integer\", \"value\": \"boolean\"}",
                    "[\"map\", [[1, true]]]", "{1=true}");
}

/* Building datums in code. */

static void
test_defaults(void **state)
{
    (void) state;
    for (int t = DB_TYPE_INTEGER; t < DB_N_TYPES; t++) {
        struct db_datum datum;
        struct db_type type;

        db_type_init_scalar(&type, t);
        db_datum_init_default(&datum, &type);
        assert_int_equal(datum.n, 1);
        assert_true(db_datum_is_default(&datum, &type));
        assert_true(db_atom_is_default(&datum.keys[0], t));
        assert_null(db_datum_check(&datum, &type));

        /* A default atom reads back from its JSON. */
        struct json_object *json = db_datum_to_json(&datum, &type);
        struct db_datum again;
        assert_null(db_datum_from_json(&again, &type, json, NULL));
        assert_true(db_datum_is_default(&again, &type));
        db_datum_destroy(&again, &type);
        json_object_put(json);
        db_datum_destroy(&datum, &type);

        /* An optional column's default is empty. */
        type.n_min = 0;
        db_datum_init_default(&datum, &type);
        assert_int_equal(datum.n, 0);
        assert_true(db_datum_is_default(&datum, &type));
        db_datum_destroy(&datum, &type);
    }

    struct db_datum datum;
    struct db_type type;
    type_from_text(&type, "\"integer\"");
    datum_from_text(&datum, &type, "1", NULL);
    assert_false(db_datum_is_default(&datum, &type));
    db_datum_destroy(&datum, &type);
    db_type_destroy(&type);

    type_from_text(&type, "\"string\"");
    datum_from_text(&datum, &type, "\"x\"", NULL);
    assert_false(db_datum_is_default(&datum, &type));
    db_datum_destroy(&datum, &type);
    db_type_destroy(&type);

    /* A one-pair map's default has a default key and value. */
    type_from_text(&type, "{\"key\": \"string\", \"value\": \"integer\"}");
    db_datum_init_default(&datum, &type);
    assert_int_equal(datum.n, 1);
    assert_string_equal(datum.keys[0].string, "");
    assert_int_equal(datum.values[0].integer, 0);
    assert_true(db_datum_is_default(&datum, &type));
    datum.values[0].integer = 1;
    assert_false(db_datum_is_default(&datum, &type));
    db_datum_destroy(&datum, &type);
    db_type_destroy(&type);

    /* Not default: an optional column with a value. */
    type_from_text(&type, "{\"key\": \"integer\", \"min\": 0}");
    datum_from_text(&datum, &type, "0", NULL);
    assert_false(db_datum_is_default(&datum, &type));
    db_datum_destroy(&datum, &type);
    db_type_destroy(&type);
}

static void
test_single_clone_swap_find(void **state)
{
    struct db_datum a, b, c;
    struct db_type type;
    union db_atom key, value;

    (void) state;
    type_from_text(&type, str_map);
    key.string = (char *) "k";
    value.string = (char *) "v";
    db_datum_init_single(&a, &type, &key, &value);
    assert_int_equal(a.n, 1);
    assert_ptr_not_equal(a.keys[0].string, key.string);
    assert_string_equal(a.keys[0].string, "k");
    assert_string_equal(a.values[0].string, "v");

    db_datum_clone(&b, &a, &type);
    assert_true(db_datum_equals(&a, &b, &type));
    assert_ptr_not_equal(b.keys[0].string, a.keys[0].string);

    datum_from_text(&c, &type, "[\"map\", [[\"a\", \"1\"], [\"k\", \"v\"], "
                    "[\"z\", \"2\"]]]", NULL);
    assert_int_equal(db_datum_find_key(&c, &key, DB_TYPE_STRING), 1);
    assert_int_equal(db_datum_find_key_value(&c, &key, &value, &type), 1);
    value.string = (char *) "w";
    assert_int_equal(db_datum_find_key_value(&c, &key, &value, &type),
                     UINT_MAX);
    key.string = (char *) "m";
    assert_int_equal(db_datum_find_key(&c, &key, DB_TYPE_STRING), UINT_MAX);
    key.string = (char *) "a";
    assert_int_equal(db_datum_find_key(&c, &key, DB_TYPE_STRING), 0);
    key.string = (char *) "z";
    assert_int_equal(db_datum_find_key(&c, &key, DB_TYPE_STRING), 2);
    key.string = (char *) "zz";
    assert_int_equal(db_datum_find_key(&c, &key, DB_TYPE_STRING), UINT_MAX);
    assert_int_equal(db_datum_find_key(&a, &key, DB_TYPE_STRING), UINT_MAX);

    db_datum_swap(&a, &c);
    assert_int_equal(a.n, 3);
    assert_int_equal(c.n, 1);
    assert_true(db_datum_equals(&c, &b, &type));

    db_datum_destroy(&a, &type);
    db_datum_destroy(&b, &type);
    db_datum_destroy(&c, &type);

    /* Cloning an empty datum. */
    db_datum_init_empty(&a);
    db_datum_clone(&b, &a, &type);
    assert_int_equal(b.n, 0);
    assert_true(db_datum_equals(&a, &b, &type));
    db_datum_destroy(&b, &type);
    db_type_destroy(&type);

    /* A single set element. */
    db_type_init_scalar(&type, DB_TYPE_INTEGER);
    key.integer = 42;
    db_datum_init_single(&a, &type, &key, NULL);
    assert_int_equal(a.n, 1);
    assert_null(a.values);
    assert_int_equal(a.keys[0].integer, 42);
    db_datum_destroy(&a, &type);
}

static void
test_add_unsafe_sort_unique(void **state)
{
    struct db_datum datum;
    struct db_type type;
    struct db_error *error;

    (void) state;
    type_from_text(&type, str_map);
    db_datum_init_empty(&datum);
    static const char *const keys[] = { "d", "b", "a", "c", "e" };
    for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
        union db_atom key = { .string = xstrdup(keys[i]) };
        union db_atom value = { .string = xasprintf("%zu", i) };
        db_datum_add_unsafe(&datum, &key, &value);
    }
    assert_int_equal(datum.n, 5);
    assert_null(db_datum_sort_unique(&datum, &type));
    char *s = datum_to_cstr(&datum, &type);
    assert_string_equal(s, "{a=\"2\", b=\"1\", c=\"3\", d=\"0\", e=\"4\"}");
    free(s);

    /* A duplicate key is reported. */
    union db_atom key = { .string = xstrdup("c") };
    union db_atom value = { .string = xstrdup("9") };
    db_datum_add_unsafe(&datum, &key, &value);
    error = db_datum_sort_unique(&datum, &type);
    assert_non_null(error);
    assert_string_equal(error->tag, "constraint violation");
    assert_contains(error->details, "\"c\": duplicate key in map");
    db_error_destroy(error);
    db_datum_destroy(&datum, &type);
    db_type_destroy(&type);

    /* Sets; already sorted input stays as is. */
    type_from_text(&type, int_set);
    db_datum_init_empty(&datum);
    for (int i = 0; i < 100; i++) {
        union db_atom atom = { .integer = i * 2 };
        db_datum_add_unsafe(&datum, &atom, NULL);
    }
    assert_null(datum.values);
    assert_null(db_datum_sort_unique(&datum, &type));
    for (int i = 0; i < 100; i++) {
        assert_int_equal(datum.keys[i].integer, i * 2);
    }
    union db_atom atom = { .integer = 4 };
    db_datum_add_unsafe(&datum, &atom, NULL);
    error = db_datum_sort_unique(&datum, &type);
    assert_non_null(error);
    assert_contains(error->details, "4: duplicate value in set");
    db_error_destroy(error);
    db_datum_destroy(&datum, &type);
    db_type_destroy(&type);
}

static void
test_datum_check(void **state)
{
    struct db_datum datum;
    struct db_type type;
    struct db_error *error;

    (void) state;
    type_from_text(&type, "{\"key\": {\"type\": \"integer\", \"maxInteger\": "
                   "10}, \"value\": {\"type\": \"string\", \"minLength\": "
                   "1}, \"max\": 2}");
    db_datum_init_empty(&datum);
    error = db_datum_check(&datum, &type);
    assert_non_null(error);
    assert_string_equal(error->tag, "constraint violation");
    assert_contains(error->details, "0 elements but column requires at "
                    "least 1");
    db_error_destroy(error);

    union db_atom key = { .integer = 11 };
    union db_atom value = { .string = xstrdup("x") };
    db_datum_add_unsafe(&datum, &key, &value);
    error = db_datum_check(&datum, &type);
    assert_non_null(error);
    assert_contains(error->details, "11 is greater than");
    db_error_destroy(error);

    datum.keys[0].integer = 1;
    assert_null(db_datum_check(&datum, &type));
    datum.values[0].string[0] = '\0';
    error = db_datum_check(&datum, &type);
    assert_non_null(error);
    assert_contains(error->details, "\"\" is 0 characters long");
    db_error_destroy(error);
    datum.values[0].string[0] = 'x';

    for (int i = 2; i <= 3; i++) {
        key.integer = i;
        value.string = xstrdup("y");
        db_datum_add_unsafe(&datum, &key, &value);
    }
    error = db_datum_check(&datum, &type);
    assert_non_null(error);
    assert_contains(error->details, "3 elements but column allows at most 2");
    db_error_destroy(error);
    db_datum_destroy(&datum, &type);
    db_type_destroy(&type);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_atom_round_trips),
        cmocka_unit_test(test_atom_values),
        cmocka_unit_test(test_atom_syntax_errors),
        cmocka_unit_test(test_string_encoding),
        cmocka_unit_test(test_integer_range),
        cmocka_unit_test(test_real_range),
        cmocka_unit_test(test_string_length),
        cmocka_unit_test(test_enum),
        cmocka_unit_test(test_check_constraints),
        cmocka_unit_test(test_sets),
        cmocka_unit_test(test_set_errors),
        cmocka_unit_test(test_counts),
        cmocka_unit_test(test_duplicates),
        cmocka_unit_test(test_maps),
        cmocka_unit_test(test_map_errors),
        cmocka_unit_test(test_named_uuid),
        cmocka_unit_test(test_named_uuid_errors),
        cmocka_unit_test(test_named_uuid_in_map),
        cmocka_unit_test(test_symbol_table_many),
        cmocka_unit_test(test_union),
        cmocka_unit_test(test_subtract),
        cmocka_unit_test(test_includes_excludes),
        cmocka_unit_test(test_atom_compare),
        cmocka_unit_test(test_datum_compare_hash),
        cmocka_unit_test(test_datum_compare_sets),
        cmocka_unit_test(test_to_string),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_single_clone_swap_find),
        cmocka_unit_test(test_add_unsafe_sort_unique),
        cmocka_unit_test(test_datum_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
