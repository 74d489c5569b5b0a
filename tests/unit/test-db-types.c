/* Unit tests for lib/db-types (column types of RFC 7047 section 3.2) and
 * lib/db-error (the errors they report). */
#include "unit.h"

#include <float.h>
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

/* Parses TEXT as a type, which must succeed, into *TYPE. */
static void
type_from_text(struct db_type *type, const char *text)
{
    struct json_object *json = parse_json(text);
    struct db_error *error = db_type_from_json(type, json);

    if (error) {
        char *s = db_error_to_string(error);
        fail_msg("%s: %s", text, s);
    }
    assert_true(db_type_is_valid(type));
    json_object_put(json);
}

/* Parses TEXT as a type, writes it back, and checks that the result is
 * EXPECTED and reads back as the same type. */
static void
check_type_round_trip(const char *text, const char *expected)
{
    struct db_type type, again;

    type_from_text(&type, text);
    struct json_object *json = db_type_to_json(&type);
    assert_string_equal(json_text(json), expected);

    struct db_error *error = db_type_from_json(&again, json);
    assert_null(error);
    struct json_object *json2 = db_type_to_json(&again);
    assert_string_equal(json_text(json2), expected);

    json_object_put(json2);
    json_object_put(json);
    db_type_destroy(&again);
    db_type_destroy(&type);
}

/* Parsing TEXT as a type must fail with TAG, with details containing each
 * of the NULL-terminated NEEDLES. */
static void
check_type_error(const char *text, const char *tag, ...)
{
    struct json_object *json = parse_json(text);
    struct db_type type;
    struct db_error *error = db_type_from_json(&type, json);
    va_list args;

    if (!error) {
        fail_msg("%s: parsed, but should have failed", text);
    }
    assert_string_equal(error->tag, tag);
    va_start(args, tag);
    for (const char *needle; (needle = va_arg(args, const char *)); ) {
        assert_contains(error->details, needle);
    }
    va_end(args);

    db_type_destroy(&type);     /* Harmless after an error. */
    db_error_destroy(error);
    json_object_put(json);
}

static void
test_atomic_type_names(void **state)
{
    (void) state;
    for (int i = DB_TYPE_INTEGER; i < DB_N_TYPES; i++) {
        const char *name = db_atomic_type_to_string(i);
        assert_int_equal(db_atomic_type_from_string(name), i);
    }
    assert_string_equal(db_atomic_type_to_string(DB_TYPE_INTEGER),
                        "integer");
    assert_string_equal(db_atomic_type_to_string(DB_TYPE_REAL), "real");
    assert_string_equal(db_atomic_type_to_string(DB_TYPE_BOOLEAN),
                        "boolean");
    assert_string_equal(db_atomic_type_to_string(DB_TYPE_STRING), "string");
    assert_string_equal(db_atomic_type_to_string(DB_TYPE_UUID), "uuid");
    assert_int_equal(db_atomic_type_from_string("void"), DB_TYPE_VOID);
    assert_int_equal(db_atomic_type_from_string("Integer"), DB_TYPE_VOID);
    assert_int_equal(db_atomic_type_from_string("int"), DB_TYPE_VOID);
    assert_int_equal(db_atomic_type_from_string(""), DB_TYPE_VOID);
}

static void
test_short_forms(void **state)
{
    static const char *const names[] = {
        "integer", "real", "boolean", "string", "uuid"
    };

    (void) state;
    for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
        char *text = xasprintf("\"%s\"", names[i]);
        struct db_type type;

        type_from_text(&type, text);
        assert_int_equal(type.key.type, db_atomic_type_from_string(names[i]));
        assert_int_equal(type.value.type, DB_TYPE_VOID);
        assert_int_equal(type.n_min, 1);
        assert_int_equal(type.n_max, 1);
        assert_true(db_type_is_scalar(&type));
        assert_false(db_base_type_has_constraints(&type.key));
        db_type_destroy(&type);

        check_type_round_trip(text, text);

        /* The same as a key object, and as a base type object. */
        char *obj = xasprintf("{\"key\": %s}", text);
        check_type_round_trip(obj, text);
        free(obj);
        obj = xasprintf("{\"key\": {\"type\": %s}, \"min\": 1, \"max\": 1}",
                        text);
        check_type_round_trip(obj, text);
        free(obj);
        free(text);
    }
}

static void
test_defaults(void **state)
{
    struct db_type type;

    (void) state;
    type_from_text(&type, "{\"key\": \"integer\"}");
    assert_int_equal(type.n_min, 1);
    assert_int_equal(type.n_max, 1);
    assert_int_equal(type.key.integer.min, INT64_MIN);
    assert_int_equal(type.key.integer.max, INT64_MAX);
    assert_null(type.key.enum_);
    db_type_destroy(&type);

    type_from_text(&type, "\"real\"");
    assert_true(type.key.real.min == -DBL_MAX);
    assert_true(type.key.real.max == DBL_MAX);
    db_type_destroy(&type);

    type_from_text(&type, "\"string\"");
    assert_int_equal(type.key.string.min_len, 0);
    assert_int_equal(type.key.string.max_len, UINT_MAX);
    db_type_destroy(&type);

    type_from_text(&type, "\"uuid\"");
    assert_null(type.key.uuid.ref_table_name);
    assert_false(db_base_type_is_ref(&type.key));
    db_type_destroy(&type);

    type_from_text(&type, "{\"key\": {\"type\": \"uuid\", "
                   "\"refTable\": \"Port\"}}");
    assert_string_equal(type.key.uuid.ref_table_name, "Port");
    assert_int_equal(type.key.uuid.ref_type, DB_REF_STRONG);
    assert_true(db_base_type_is_strong_ref(&type.key));
    assert_false(db_base_type_is_weak_ref(&type.key));
    db_type_destroy(&type);
}

static void
test_counts_and_shapes(void **state)
{
    struct db_type type;

    (void) state;
    type_from_text(&type, "{\"key\": \"string\", \"min\": 0}");
    assert_true(db_type_is_optional(&type));
    assert_true(db_type_is_set(&type));
    assert_false(db_type_is_scalar(&type));
    assert_false(db_type_is_map(&type));
    db_type_destroy(&type);

    type_from_text(&type, "{\"key\": \"uuid\", \"min\": 0, "
                   "\"max\": \"unlimited\"}");
    assert_int_equal(type.n_min, 0);
    assert_int_equal(type.n_max, DB_N_MAX_UNLIMITED);
    assert_true(db_type_is_set(&type));
    assert_false(db_type_is_optional(&type));
    db_type_destroy(&type);

    type_from_text(&type, "{\"key\": \"integer\", \"max\": 4}");
    assert_int_equal(type.n_min, 1);
    assert_int_equal(type.n_max, 4);
    assert_true(db_type_is_set(&type));
    db_type_destroy(&type);

    type_from_text(&type, "{\"key\": \"string\", \"value\": \"integer\", "
                   "\"min\": 0, \"max\": \"unlimited\"}");
    assert_true(db_type_is_map(&type));
    assert_false(db_type_is_set(&type));
    assert_int_equal(type.value.type, DB_TYPE_INTEGER);
    db_type_destroy(&type);

    /* A one-element map is still a map, not a scalar. */
    type_from_text(&type, "{\"key\": \"string\", \"value\": \"string\"}");
    assert_true(db_type_is_map(&type));
    assert_false(db_type_is_scalar(&type));
    db_type_destroy(&type);

    /* The largest finite maximum. */
    char *text = xasprintf("{\"key\": \"integer\", \"max\": %u}",
                           UINT_MAX - 1);
    type_from_text(&type, text);
    assert_int_equal(type.n_max, UINT_MAX - 1);
    db_type_destroy(&type);
    free(text);
}

static void
test_round_trips(void **state)
{
    static const char *const cases[][2] = {
        { "{\"key\": \"string\", \"min\": 0}",
          "{\"key\":\"string\",\"min\":0}" },
        { "{\"key\": \"uuid\", \"min\": 0, \"max\": \"unlimited\"}",
          "{\"key\":\"uuid\",\"min\":0,\"max\":\"unlimited\"}" },
        { "{\"max\": 7, \"key\": \"boolean\"}",
          "{\"key\":\"boolean\",\"max\":7}" },
        { "{\"key\": \"string\", \"value\": \"string\", \"min\": 0, "
          "\"max\": \"unlimited\"}",
          "{\"key\":\"string\",\"value\":\"string\",\"min\":0,"
          "\"max\":\"unlimited\"}" },
        { "{\"key\": {\"type\": \"integer\", \"minInteger\": 0, "
          "\"maxInteger\": 4095}}",
          "{\"key\":{\"type\":\"integer\",\"minInteger\":0,"
          "\"maxInteger\":4095}}" },
        { "{\"key\": {\"type\": \"integer\", \"minInteger\": -5}}",
          "{\"key\":{\"type\":\"integer\",\"minInteger\":-5}}" },
        { "{\"key\": {\"type\": \"integer\", "
          "\"maxInteger\": 9223372036854775806}}",
          "{\"key\":{\"type\":\"integer\","
          "\"maxInteger\":9223372036854775806}}" },
        { "{\"key\": {\"type\": \"real\", \"minReal\": 0, "
          "\"maxReal\": 2.5}}",
          "{\"key\":{\"type\":\"real\",\"minReal\":0.0,"
          "\"maxReal\":2.5}}" },
        { "{\"key\": {\"type\": \"real\", \"maxReal\": 0.1}}",
          "{\"key\":{\"type\":\"real\",\"maxReal\":0.1}}" },
        { "{\"key\": {\"type\": \"string\", \"minLength\": 1, "
          "\"maxLength\": 15}}",
          "{\"key\":{\"type\":\"string\",\"minLength\":1,"
          "\"maxLength\":15}}" },
        { "{\"key\": {\"type\": \"string\", \"maxLength\": 0}}",
          "{\"key\":{\"type\":\"string\",\"maxLength\":0}}" },
        { "{\"key\": {\"type\": \"uuid\", \"refTable\": \"Port\"}, "
          "\"min\": 0, \"max\": \"unlimited\"}",
          "{\"key\":{\"type\":\"uuid\",\"refTable\":\"Port\"},\"min\":0,"
          "\"max\":\"unlimited\"}" },
        { "{\"key\": {\"type\": \"uuid\", \"refTable\": \"Port\", "
          "\"refType\": \"strong\"}}",
          "{\"key\":{\"type\":\"uuid\",\"refTable\":\"Port\"}}" },
        { "{\"key\": {\"type\": \"uuid\", \"refTable\": \"Mirror\", "
          "\"refType\": \"weak\"}}",
          "{\"key\":{\"type\":\"uuid\",\"refTable\":\"Mirror\","
          "\"refType\":\"weak\"}}" },
        { "{\"key\": {\"type\": \"string\", \"enum\": "
          "[\"set\", [\"secure\", \"standalone\"]]}, \"min\": 0}",
          "{\"key\":{\"type\":\"string\",\"enum\":"
          "[\"set\",[\"secure\",\"standalone\"]]},\"min\":0}" },
        /* A one-element enum as an atom alone. */
        { "{\"key\": {\"type\": \"string\", \"enum\": \"only\"}}",
          "{\"key\":{\"type\":\"string\",\"enum\":\"only\"}}" },
        { "{\"key\": {\"type\": \"string\", \"enum\": "
          "[\"set\", [\"only\"]]}}",
          "{\"key\":{\"type\":\"string\",\"enum\":\"only\"}}" },
        /* Enum elements come out sorted. */
        { "{\"key\": {\"type\": \"integer\", \"enum\": "
          "[\"set\", [3, 1, 2]]}}",
          "{\"key\":{\"type\":\"integer\",\"enum\":[\"set\",[1,2,3]]}}" },
        { "{\"key\": {\"type\": \"boolean\", \"enum\": true}}",
          "{\"key\":{\"type\":\"boolean\",\"enum\":true}}" },
        { "{\"key\": {\"type\": \"real\", \"enum\": "
          "[\"set\", [1.5, -2]]}}",
          "{\"key\":{\"type\":\"real\",\"enum\":[\"set\",[-2.0,1.5]]}}" },
        { "{\"key\": {\"type\": \"uuid\", \"enum\": [\"uuid\", "
          "\"01234567-89ab-cdef-0123-456789abcdef\"]}}",
          "{\"key\":{\"type\":\"uuid\",\"enum\":[\"uuid\","
          "\"01234567-89ab-cdef-0123-456789abcdef\"]}}" },
        { "{\"key\": {\"type\": \"string\", \"enum\": "
          "[\"set\", [\"in\", \"out\"]]}, \"value\": {\"type\": "
          "\"integer\", \"minInteger\": 1}, \"min\": 0, \"max\": 2}",
          "{\"key\":{\"type\":\"string\",\"enum\":[\"set\",[\"in\","
          "\"out\"]]},\"value\":{\"type\":\"integer\",\"minInteger\":1},"
          "\"min\":0,\"max\":2}" },
    };

    (void) state;
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        check_type_round_trip(cases[i][0], cases[i][1]);
    }
}

static void
test_base_type_json(void **state)
{
    struct db_base_type base;
    struct json_object *json;
    struct db_error *error;

    (void) state;
    json = parse_json("{\"type\": \"integer\", \"minInteger\": 1}");
    error = db_base_type_from_json(&base, json);
    assert_null(error);
    assert_int_equal(base.type, DB_TYPE_INTEGER);
    assert_int_equal(base.integer.min, 1);
    assert_true(db_base_type_has_constraints(&base));
    assert_true(db_base_type_is_valid(&base));
    json_object_put(json);
    json = db_base_type_to_json(&base);
    assert_string_equal(json_text(json),
                        "{\"type\":\"integer\",\"minInteger\":1}");
    json_object_put(json);
    db_base_type_destroy(&base);

    json = parse_json("\"boolean\"");
    error = db_base_type_from_json(&base, json);
    assert_null(error);
    assert_int_equal(base.type, DB_TYPE_BOOLEAN);
    json_object_put(json);
    json = db_base_type_to_json(&base);
    assert_string_equal(json_text(json), "\"boolean\"");
    json_object_put(json);
    db_base_type_destroy(&base);

    /* A type object is not a base type. */
    json = parse_json("{\"key\": \"integer\"}");
    error = db_base_type_from_json(&base, json);
    assert_non_null(error);
    assert_string_equal(error->tag, "syntax error");
    assert_contains(error->details, "unknown member \"key\"");
    db_base_type_destroy(&base);
    db_error_destroy(error);
    json_object_put(json);
}

static void
test_enum_contents(void **state)
{
    struct db_type type;

    (void) state;
    type_from_text(&type, "{\"key\": {\"type\": \"string\", \"enum\": "
                   "[\"set\", [\"b\", \"a\", \"c\"]]}}");
    assert_non_null(type.key.enum_);
    assert_int_equal(type.key.enum_->n, 3);
    assert_string_equal(type.key.enum_->keys[0].string, "a");
    assert_string_equal(type.key.enum_->keys[1].string, "b");
    assert_string_equal(type.key.enum_->keys[2].string, "c");
    assert_null(type.key.enum_->values);
    assert_true(db_base_type_has_constraints(&type.key));
    db_type_destroy(&type);

    /* An enum of references keeps its table. */
    type_from_text(&type, "{\"key\": {\"type\": \"uuid\", \"refTable\": "
                   "\"T\", \"enum\": [\"uuid\", "
                   "\"01234567-89ab-cdef-0123-456789abcdef\"]}}");
    assert_int_equal(type.key.enum_->n, 1);
    assert_true(db_base_type_is_ref(&type.key));
    db_type_destroy(&type);
}

static void
test_clone(void **state)
{
    static const char *const texts[] = {
        "{\"key\": {\"type\": \"string\", \"enum\": [\"set\", [\"x\", "
        "\"y\"]]}, \"value\": {\"type\": \"uuid\", \"refTable\": "
        "\"Bridge\", \"refType\": \"weak\"}, \"min\": 0, \"max\": 3}",
        "{\"key\": {\"type\": \"real\", \"minReal\": -1.5}}",
        "\"uuid\"",
    };

    (void) state;
    for (size_t i = 0; i < ARRAY_SIZE(texts); i++) {
        struct db_type type, clone;

        type_from_text(&type, texts[i]);
        db_type_clone(&clone, &type);
        db_type_destroy(&type);     /* The clone owns its own memory. */
        assert_true(db_type_is_valid(&clone));

        struct db_type again;
        type_from_text(&again, texts[i]);
        struct json_object *a = db_type_to_json(&clone);
        struct json_object *b = db_type_to_json(&again);
        assert_string_equal(json_text(a), json_text(b));
        json_object_put(a);
        json_object_put(b);
        db_type_destroy(&again);
        db_type_destroy(&clone);
    }
}

static void
test_init_scalar(void **state)
{
    struct db_type type;

    (void) state;
    for (int t = DB_TYPE_INTEGER; t < DB_N_TYPES; t++) {
        db_type_init_scalar(&type, t);
        assert_true(db_type_is_valid(&type));
        assert_true(db_type_is_scalar(&type));
        assert_false(db_base_type_has_constraints(&type.key));
        struct json_object *json = db_type_to_json(&type);
        char *expected = xasprintf("\"%s\"", db_atomic_type_to_string(t));
        assert_string_equal(json_text(json), expected);
        free(expected);
        json_object_put(json);
        db_type_destroy(&type);
    }

    db_type_init_scalar(&type, DB_TYPE_VOID);
    assert_false(db_type_is_valid(&type));
}

static void
test_is_valid(void **state)
{
    struct db_type type;

    (void) state;
    db_type_init_scalar(&type, DB_TYPE_INTEGER);
    type.key.integer.min = 5;
    type.key.integer.max = 4;
    assert_false(db_type_is_valid(&type));
    type.key.integer.max = 5;
    assert_true(db_type_is_valid(&type));

    type.n_min = 2;
    type.n_max = 3;
    assert_false(db_type_is_valid(&type));
    type.n_min = 0;
    type.n_max = 0;
    assert_false(db_type_is_valid(&type));
    type.n_max = DB_N_MAX_UNLIMITED;
    assert_true(db_type_is_valid(&type));

    db_type_init_scalar(&type, DB_TYPE_REAL);
    type.key.real.min = 2.0;
    type.key.real.max = 1.0;
    assert_false(db_type_is_valid(&type));
    type.key.real.max = INFINITY;
    type.key.real.min = 0;
    assert_false(db_type_is_valid(&type));

    db_type_init_scalar(&type, DB_TYPE_STRING);
    type.key.string.min_len = 3;
    type.key.string.max_len = 2;
    assert_false(db_type_is_valid(&type));

    db_type_init_scalar(&type, DB_TYPE_UUID);
    type.key.uuid.ref_table_name = (char *) "not an id";
    assert_false(db_type_is_valid(&type));
    type.key.uuid.ref_table_name = (char *) "Port";
    assert_true(db_type_is_valid(&type));
    type.key.uuid.ref_type = 7;
    assert_false(db_type_is_valid(&type));

    /* An enum together with a range breaks RFC 7047's exclusion. */
    type_from_text(&type, "{\"key\": {\"type\": \"integer\", "
                   "\"enum\": [\"set\", [1, 2]]}}");
    assert_true(db_type_is_valid(&type));
    type.key.integer.max = 10;
    assert_false(db_type_is_valid(&type));
    type.key.integer.max = INT64_MAX;
    db_type_destroy(&type);
}

static void
test_type_errors(void **state)
{
    (void) state;

    /* Not a type at all. */
    check_type_error("5", "syntax error", "5", "expected a type", NULL);
    check_type_error("null", "syntax error", "null", NULL);
    check_type_error("[\"integer\"]", "syntax error", "[\"integer\"]",
                     NULL);
    check_type_error("\"int\"", "syntax error", "\"int\"",
                     "unknown atomic type", NULL);
    check_type_error("\"void\"", "syntax error", "\"void\"",
                     "unknown atomic type", NULL);
    check_type_error("\"\"", "syntax error", "\"\"", NULL);

    /* Members of a type object. */
    check_type_error("{\"key\": \"integer\", \"kye\": 1}", "syntax error",
                     "unknown member \"kye\"", NULL);
    check_type_error("{\"key\": \"integer\", \"type\": \"integer\"}",
                     "syntax error", "unknown member \"type\"", NULL);
    check_type_error("{\"type\": \"integer\"}", "syntax error",
                     "unknown member \"type\"", NULL);
    check_type_error("{}", "syntax error", "missing \"key\"", NULL);
    check_type_error("{\"value\": \"integer\"}", "syntax error",
                     "missing \"key\"", NULL);
    check_type_error("{\"key\": 5}", "syntax error", "5",
                     "unknown atomic type", NULL);
    check_type_error("{\"key\": \"integer\", \"value\": \"map\"}",
                     "syntax error", "\"map\"", NULL);
    check_type_error("{\"key\": \"integer\", \"value\": \"void\"}",
                     "syntax error", "\"void\"", NULL);

    /* min and max. */
    check_type_error("{\"key\": \"integer\", \"min\": 2}", "syntax error",
                     "\"min\":2", "\"min\" must be an integer between 0 "
                     "and 1", NULL);
    check_type_error("{\"key\": \"integer\", \"min\": -1}", "syntax error",
                     "\"min\":-1", NULL);
    check_type_error("{\"key\": \"integer\", \"min\": \"0\"}",
                     "syntax error", "\"min\":\"0\"", NULL);
    check_type_error("{\"key\": \"integer\", \"min\": 0.0}",
                     "syntax error", "\"min\":0.0", NULL);
    check_type_error("{\"key\": \"integer\", \"min\": true}",
                     "syntax error", "\"min\":true", NULL);
    check_type_error("{\"key\": \"integer\", \"max\": 0}", "syntax error",
                     "\"max\":0", NULL);
    check_type_error("{\"key\": \"integer\", \"min\": 0, \"max\": 0}",
                     "syntax error", "\"max\":0", NULL);
    check_type_error("{\"key\": \"integer\", \"max\": -3}", "syntax error",
                     "\"max\":-3", NULL);
    check_type_error("{\"key\": \"integer\", \"max\": \"many\"}",
                     "syntax error", "\"max\":\"many\"", "\"unlimited\"",
                     NULL);
    check_type_error("{\"key\": \"integer\", \"max\": \"Unlimited\"}",
                     "syntax error", "\"max\":\"Unlimited\"", NULL);
    check_type_error("{\"key\": \"integer\", \"max\": 2.5}",
                     "syntax error", "\"max\":2.5", NULL);
    check_type_error("{\"key\": \"integer\", \"max\": 4294967295}",
                     "syntax error", "\"max\":4294967295", NULL);
    check_type_error("{\"key\": \"integer\", "
                     "\"max\": 18446744073709551615}",
                     "syntax error", "18446744073709551615", NULL);
}

static void
test_base_type_errors(void **state)
{
    (void) state;

    check_type_error("{\"key\": {\"type\": \"integer\", \"color\": 1}}",
                     "syntax error", "unknown member \"color\"", NULL);
    check_type_error("{\"key\": {\"type\": \"integer\", \"min\": 0}}",
                     "syntax error", "unknown member \"min\"", NULL);
    check_type_error("{\"key\": {\"minInteger\": 0}}", "syntax error",
                     "missing \"type\"", NULL);
    check_type_error("{\"key\": {\"type\": \"float\"}}", "syntax error",
                     "\"float\"", "unknown atomic type", NULL);
    check_type_error("{\"key\": {\"type\": [\"integer\"]}}",
                     "syntax error", "[\"integer\"]", NULL);
    check_type_error("{\"key\": {\"type\": {\"type\": \"integer\"}}}",
                     "syntax error", "unknown atomic type", NULL);

    /* Constraints for another type. */
    check_type_error("{\"key\": {\"type\": \"string\", \"minInteger\": 0}}",
                     "syntax error", "\"minInteger\" is not allowed for "
                     "type string", NULL);
    check_type_error("{\"key\": {\"type\": \"integer\", \"maxReal\": 0}}",
                     "syntax error", "\"maxReal\" is not allowed for type "
                     "integer", NULL);
    check_type_error("{\"key\": {\"type\": \"real\", \"maxLength\": 3}}",
                     "syntax error", "\"maxLength\"", NULL);
    check_type_error("{\"key\": {\"type\": \"string\", \"refTable\": "
                     "\"T\"}}", "syntax error", "\"refTable\" is not "
                     "allowed for type string", NULL);
    check_type_error("{\"key\": {\"type\": \"boolean\", \"refType\": "
                     "\"weak\"}}", "syntax error", "\"refType\"", NULL);
    check_type_error("{\"key\": {\"type\": \"boolean\", \"minInteger\": "
                     "0}}", "syntax error", "\"minInteger\"", NULL);

}

static void
test_bounds_errors(void **state)
{
    (void) state;

    /* Integer bounds. */
    check_type_error("{\"key\": {\"type\": \"integer\", \"minInteger\": 5, "
                     "\"maxInteger\": 4}}", "syntax error",
                     "minInteger 5 exceeds maxInteger 4", NULL);
    check_type_error("{\"key\": {\"type\": \"integer\", \"minInteger\": "
                     "1.5}}", "syntax error", "\"minInteger\":1.5", NULL);
    check_type_error("{\"key\": {\"type\": \"integer\", \"maxInteger\": "
                     "\"7\"}}", "syntax error", "\"maxInteger\":\"7\"",
                     NULL);
    check_type_error("{\"key\": {\"type\": \"integer\", \"maxInteger\": "
                     "9223372036854775808}}", "syntax error",
                     "9223372036854775808", NULL);

    /* Real bounds. */
    check_type_error("{\"key\": {\"type\": \"real\", \"minReal\": 2, "
                     "\"maxReal\": 1.5}}", "syntax error",
                     "minReal 2 exceeds maxReal 1.5", NULL);
    check_type_error("{\"key\": {\"type\": \"real\", \"minReal\": \"0\"}}",
                     "syntax error", "\"minReal\":\"0\"", NULL);
    check_type_error("{\"key\": {\"type\": \"real\", \"maxReal\": 1e999}}",
                     "syntax error", "\"maxReal\"", "finite", NULL);

    /* String lengths. */
    check_type_error("{\"key\": {\"type\": \"string\", \"minLength\": 3, "
                     "\"maxLength\": 2}}", "syntax error",
                     "minLength 3 exceeds maxLength 2", NULL);
    check_type_error("{\"key\": {\"type\": \"string\", \"minLength\": -1}}",
                     "syntax error", "\"minLength\":-1", NULL);
    check_type_error("{\"key\": {\"type\": \"string\", \"maxLength\": "
                     "4294967296}}", "syntax error", "4294967296", NULL);
    check_type_error("{\"key\": {\"type\": \"string\", \"maxLength\": "
                     "2.0}}", "syntax error", "\"maxLength\":2.0", NULL);

}

static void
test_ref_errors(void **state)
{
    (void) state;
    check_type_error("{\"key\": {\"type\": \"uuid\", \"refType\": "
                     "\"weak\"}}", "syntax error",
                     "\"refType\" requires \"refTable\"", NULL);
    check_type_error("{\"key\": {\"type\": \"uuid\", \"refTable\": \"T\", "
                     "\"refType\": \"soft\"}}", "syntax error",
                     "\"refType\":\"soft\"", "\"strong\" or \"weak\"",
                     NULL);
    check_type_error("{\"key\": {\"type\": \"uuid\", \"refTable\": \"T\", "
                     "\"refType\": 1}}", "syntax error", "\"refType\":1",
                     NULL);
    check_type_error("{\"key\": {\"type\": \"uuid\", \"refTable\": 5}}",
                     "syntax error", "\"refTable\":5", NULL);
    check_type_error("{\"key\": {\"type\": \"uuid\", \"refTable\": "
                     "\"two words\"}}", "syntax error", "\"two words\"",
                     NULL);
    check_type_error("{\"key\": {\"type\": \"uuid\", \"refTable\": \"\"}}",
                     "syntax error", "\"refTable\":\"\"", NULL);
    check_type_error("{\"key\": {\"type\": \"uuid\", \"refTable\": "
                     "\"9lives\"}}", "syntax error", "\"9lives\"", NULL);
}

static void
test_enum_errors(void **state)
{
    (void) state;

    /* Elements of the wrong type. */
    check_type_error("{\"key\": {\"type\": \"integer\", \"enum\": "
                     "[\"set\", [1, \"two\"]]}}", "syntax error",
                     "bad \"enum\"", "\"two\"", "expected integer", NULL);
    check_type_error("{\"key\": {\"type\": \"string\", \"enum\": 5}}",
                     "syntax error", "bad \"enum\"", "5", NULL);
    check_type_error("{\"key\": {\"type\": \"boolean\", \"enum\": "
                     "[\"set\", [true, 0]]}}", "syntax error", "0",
                     "expected boolean", NULL);
    check_type_error("{\"key\": {\"type\": \"real\", \"enum\": "
                     "[\"set\", [\"1.5\"]]}}", "syntax error", "\"1.5\"",
                     NULL);
    check_type_error("{\"key\": {\"type\": \"string\", \"enum\": "
                     "[\"map\", [[\"a\", \"b\"]]]}}", "syntax error",
                     "bad \"enum\"", NULL);

    /* Shapes and counts. */
    check_type_error("{\"key\": {\"type\": \"string\", \"enum\": "
                     "[\"set\", []]}}", "syntax error", "bad \"enum\"",
                     "0 elements", NULL);
    check_type_error("{\"key\": {\"type\": \"string\", \"enum\": "
                     "[\"set\", \"a\"]}}", "syntax error", "bad \"enum\"",
                     NULL);
    check_type_error("{\"key\": {\"type\": \"string\", \"enum\": "
                     "[\"set\", [\"a\", \"b\", \"a\"]]}}", "syntax error",
                     "\"a\": duplicate value", NULL);

    /* Named uuids mean nothing in a schema. */
    check_type_error("{\"key\": {\"type\": \"uuid\", \"enum\": "
                     "[\"named-uuid\", \"x\"]}}", "syntax error",
                     "named-uuid", NULL);

    /* RFC 7047: "enum" excludes range and length constraints. */
    check_type_error("{\"key\": {\"type\": \"integer\", \"enum\": 1, "
                     "\"minInteger\": 0}}", "syntax error",
                     "\"enum\" and \"minInteger\" are mutually exclusive",
                     NULL);
    check_type_error("{\"key\": {\"type\": \"real\", \"enum\": 1.5, "
                     "\"maxReal\": 2}}", "syntax error", "\"maxReal\"",
                     NULL);
    check_type_error("{\"key\": {\"type\": \"string\", \"enum\": \"abc\", "
                     "\"maxLength\": 2}}", "syntax error", "\"maxLength\"",
                     NULL);
}

/* Long JSON is cut in error details. */
static void
test_long_json_in_details(void **state)
{
    struct ds text = DS_EMPTY_INITIALIZER;

    (void) state;
    ds_put_cstr(&text, "{\"key\": \"integer\", \"");
    ds_put_char_multiple(&text, 'x', 300);
    ds_put_cstr(&text, "\": 1}");

    struct json_object *json = parse_json(ds_cstr(&text));
    struct db_type type;
    struct db_error *error = db_type_from_json(&type, json);
    assert_non_null(error);
    assert_string_equal(error->tag, "syntax error");
    assert_contains(error->details, "...");
    assert_contains(error->details, "{\"key\":\"integer\",\"xxx");
    /* The member is named, shortened too. */
    assert_contains(error->details, ": unknown member \"xxxxxxxx");
    assert_true(strlen(error->details) < 200);
    db_error_destroy(error);
    json_object_put(json);
    ds_destroy(&text);
}

/* lib/db-error. */

static void
test_error_basics(void **state)
{
    struct db_error *error;
    char *s;

    (void) state;
    error = db_error_create("constraint violation", "%d is %s", 5, "bad");
    assert_string_equal(error->tag, "constraint violation");
    assert_string_equal(error->details, "5 is bad");

    s = db_error_to_string(error);
    assert_string_equal(s, "constraint violation: 5 is bad");
    free(s);

    struct json_object *json = db_error_to_json(error);
    assert_string_equal(json_text(json), "{\"error\":\"constraint "
                        "violation\",\"details\":\"5 is bad\"}");
    json_object_put(json);

    db_error_prefix(error, "column %s", "ports");
    assert_string_equal(error->details, "column ports: 5 is bad");

    struct db_error *clone = db_error_clone(error);
    assert_ptr_not_equal(clone, error);
    assert_string_equal(clone->tag, error->tag);
    assert_string_equal(clone->details, error->details);
    db_error_destroy(error);
    db_error_destroy(clone);

    /* No details. */
    error = db_error_create("not supported", NULL);
    assert_null(error->details);
    s = db_error_to_string(error);
    assert_string_equal(s, "not supported");
    free(s);
    json = db_error_to_json(error);
    assert_string_equal(json_text(json), "{\"error\":\"not supported\"}");
    json_object_put(json);
    clone = db_error_clone(error);
    assert_null(clone->details);
    db_error_destroy(clone);
    db_error_prefix(error, "op %d", 3);
    assert_string_equal(error->details, "op 3");
    db_error_destroy(error);

    db_error_destroy(NULL);
    assert_null(db_error_clone(NULL));
}

static void
test_syntax_error(void **state)
{
    struct json_object *json = parse_json("[\"set\", 5]");
    struct db_error *error;

    (void) state;
    error = db_syntax_error(json, "expected %s", "an array");
    assert_string_equal(error->tag, "syntax error");
    assert_string_equal(error->details, "[\"set\",5]: expected an array");
    db_error_destroy(error);

    error = db_syntax_error(json, NULL);
    assert_string_equal(error->details, "[\"set\",5]");
    db_error_destroy(error);

    /* A NULL json-c object is JSON's null. */
    error = db_syntax_error(NULL, "expected %s", "a string");
    assert_string_equal(error->details, "null: expected a string");
    db_error_destroy(error);
    json_object_put(json);
}

static void
test_json_excerpt(void **state)
{
    struct json_object *json;
    char *s;

    (void) state;

    /* Short: whole, compact, slashes not escaped. */
    json = parse_json("{\"a\": [1, 2], \"b\": \"x/y\"}");
    s = db_json_excerpt(json);
    assert_string_equal(s, "{\"a\":[1,2],\"b\":\"x/y\"}");
    free(s);
    json_object_put(json);

    /* Exactly 80 characters: whole. */
    struct ds str = DS_EMPTY_INITIALIZER;
    ds_put_char_multiple(&str, 'a', 78);
    json = json_object_new_string(ds_cstr(&str));
    s = db_json_excerpt(json);
    assert_int_equal(strlen(s), 80);
    assert_null(strstr(s, "..."));
    free(s);
    json_object_put(json);

    /* 81 characters: cut to 77 and "...". */
    ds_put_char(&str, 'a');
    json = json_object_new_string(ds_cstr(&str));
    s = db_json_excerpt(json);
    assert_int_equal(strlen(s), 80);
    assert_string_equal(s + 77, "...");
    assert_int_equal(s[0], '"');
    free(s);
    json_object_put(json);
    ds_destroy(&str);

    /* Multibyte characters count as one each and are never split. */
    ds_init(&str);
    for (int i = 0; i < 100; i++) {
        ds_put_cstr(&str, "\xc3\xa9");      /* U+00E9. */
    }
    json = json_object_new_string(ds_cstr(&str));
    s = db_json_excerpt(json);
    assert_int_equal(strlen(s), 1 + 76 * 2 + 3);
    assert_string_equal(s + 1 + 76 * 2, "...");
    free(s);
    json_object_put(json);
    ds_destroy(&str);

    /* Bytes that are not UTF-8 are shown escaped. */
    json = json_object_new_string("a\xff" "b\xc3");
    s = db_json_excerpt(json);
    assert_string_equal(s, "\"a\\xffb\\xc3\"");
    free(s);
    json_object_put(json);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_atomic_type_names),
        cmocka_unit_test(test_short_forms),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_counts_and_shapes),
        cmocka_unit_test(test_round_trips),
        cmocka_unit_test(test_base_type_json),
        cmocka_unit_test(test_enum_contents),
        cmocka_unit_test(test_clone),
        cmocka_unit_test(test_init_scalar),
        cmocka_unit_test(test_is_valid),
        cmocka_unit_test(test_type_errors),
        cmocka_unit_test(test_base_type_errors),
        cmocka_unit_test(test_bounds_errors),
        cmocka_unit_test(test_ref_errors),
        cmocka_unit_test(test_enum_errors),
        cmocka_unit_test(test_long_json_in_details),
        cmocka_unit_test(test_error_basics),
        cmocka_unit_test(test_syntax_error),
        cmocka_unit_test(test_json_excerpt),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
