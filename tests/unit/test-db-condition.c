/* test-db-condition: parsing and evaluating "where" clauses. */
#include "unit.h"

#include <json-c/json.h>

#include "db-condition.h"
#include "db-data.h"
#include "db-error.h"
#include "db-schema.h"
#include "db.h"

static const char schema_text[] =
    "{\"name\": \"Test\", \"version\": \"1.0.0\", \"tables\": {"
    " \"T\": {\"columns\": {"
    "  \"int\": {\"type\": \"integer\"},"
    "  \"real\": {\"type\": \"real\"},"
    "  \"bool\": {\"type\": \"boolean\"},"
    "  \"str\": {\"type\": \"string\"},"
    "  \"uuid\": {\"type\": \"uuid\"},"
    "  \"opt_int\": {\"type\": {\"key\": \"integer\", \"min\": 0}},"
    "  \"opt_real\": {\"type\": {\"key\": \"real\", \"min\": 0}},"
    "  \"opt_str\": {\"type\": {\"key\": \"string\", \"min\": 0}},"
    "  \"set_int\": {\"type\": {\"key\": \"integer\", \"min\": 0,"
    "                           \"max\": \"unlimited\"}},"
    "  \"set_str\": {\"type\": {\"key\": \"string\", \"min\": 0,"
    "                           \"max\": \"unlimited\"}},"
    "  \"set_1_3\": {\"type\": {\"key\": \"integer\", \"min\": 1,"
    "                           \"max\": 3}},"
    "  \"map\": {\"type\": {\"key\": \"string\", \"value\": \"integer\","
    "                       \"min\": 0, \"max\": \"unlimited\"}},"
    "  \"vlan\": {\"type\": {\"key\": {\"type\": \"integer\","
    "                                 \"minInteger\": 0,"
    "                                 \"maxInteger\": 4095}}},"
    "  \"color\": {\"type\": {\"key\": {\"type\": \"string\","
    "                \"enum\": [\"set\", [\"red\", \"green\"]]}}},"
    "  \"imm\": {\"type\": \"integer\", \"mutable\": false}"
    " }}}}";

static const char *const uuid_a = "a7a9f1b2-0d3c-4e5f-8a9b-0c1d2e3f4a5b";
static const char *const uuid_b = "00000000-1111-4222-8333-444444444444";

static struct db *db;
static struct db_table *table;
static struct db_row *row;

static struct json_object *
parse_json(const char *text)
{
    struct json_object *json = json_tokener_parse(text);
    if (!json) {
        fail_msg("bad JSON in test: %s", text);
    }
    return json;
}

static const struct db_column *
find_column(const char *name)
{
    const struct db_column *column
        = db_table_schema_find_column(table->schema, name);
    assert_non_null(column);
    return column;
}

/* Sets ROW's column NAME to the datum in JSON text VALUE. */
static void
set_field(const char *name, const char *value)
{
    const struct db_column *column = find_column(name);
    struct json_object *json = parse_json(value);
    struct db_datum datum;
    struct db_error *error = db_datum_from_json(&datum, &column->type, json,
                                                NULL);
    if (error) {
        fail_msg("%s: %s", value, error->details);
    }
    db_datum_swap(&datum, &row->fields[column->index]);
    db_datum_destroy(&datum, &column->type);
    json_object_put(json);
}

static int
setup(void **state)
{
    struct json_object *json = parse_json(schema_text);
    struct db_schema *schema;
    struct db_error *error = db_schema_from_json(json, &schema);

    (void) state;
    json_object_put(json);
    if (error) {
        fail_msg("schema: %s: %s", error->tag, error->details);
    }
    db = db_create(schema);
    table = db_get_table(db, "T");
    assert_non_null(table);
    row = db_row_create(table);
    return 0;
}

static int
teardown(void **state)
{
    (void) state;
    db_row_destroy(row);
    db_destroy(db);
    row = NULL;
    table = NULL;
    db = NULL;
    return 0;
}

static struct db_error *
parse(const char *text, struct db_symbol_table *symtab,
      struct db_condition *condition)
{
    struct json_object *json = parse_json(text);
    struct db_error *error = db_condition_from_json(table->schema, json,
                                                    symtab, condition);
    json_object_put(json);
    return error;
}

/* Parses condition TEXT, which must be valid, and evaluates it on ROW. */
static bool
matches(const char *text)
{
    struct db_condition condition;
    struct db_error *error = parse(text, NULL, &condition);

    if (error) {
        fail_msg("%s: %s: %s", text, error->tag, error->details);
    }
    bool result = db_condition_evaluate(&condition, row);
    db_condition_destroy(&condition);
    return result;
}

#define assert_match(TEXT) assert_true(matches(TEXT))
#define assert_no_match(TEXT) assert_false(matches(TEXT))

/* Parsing condition TEXT fails with TAG, and the details mention each of
 * the NULL-ended strings that follow. */
static void
assert_parse_error(const char *text, const char *tag, ...)
{
    struct db_condition condition = { (void *) 1, 99 };
    struct db_error *error = parse(text, NULL, &condition);
    va_list args;

    if (!error) {
        db_condition_destroy(&condition);
        fail_msg("%s: parsed, but should have failed", text);
    }
    assert_null(condition.clauses);
    assert_int_equal(condition.n_clauses, 0);
    if (strcmp(error->tag, tag)) {
        fail_msg("%s: tag \"%s\" (%s), expected \"%s\"", text, error->tag,
                 error->details, tag);
    }
    va_start(args, tag);
    for (const char *s; (s = va_arg(args, const char *)); ) {
        if (!error->details || !strstr(error->details, s)) {
            fail_msg("%s: details \"%s\" lack \"%s\"", text,
                     error->details ? error->details : "(null)", s);
        }
    }
    va_end(args);
    db_error_destroy(error);
}

static void
test_function_names(void **state)
{
    (void) state;
    assert_string_equal(db_function_to_string(DB_F_LT), "<");
    assert_string_equal(db_function_to_string(DB_F_LE), "<=");
    assert_string_equal(db_function_to_string(DB_F_EQ), "==");
    assert_string_equal(db_function_to_string(DB_F_NE), "!=");
    assert_string_equal(db_function_to_string(DB_F_GE), ">=");
    assert_string_equal(db_function_to_string(DB_F_GT), ">");
    assert_string_equal(db_function_to_string(DB_F_INCLUDES), "includes");
    assert_string_equal(db_function_to_string(DB_F_EXCLUDES), "excludes");
}

static void
test_integer(void **state)
{
    (void) state;
    set_field("int", "5");
    assert_match("[[\"int\", \"<\", 6]]");
    assert_no_match("[[\"int\", \"<\", 5]]");
    assert_match("[[\"int\", \"<=\", 5]]");
    assert_no_match("[[\"int\", \"<=\", 4]]");
    assert_match("[[\"int\", \"==\", 5]]");
    assert_no_match("[[\"int\", \"==\", -5]]");
    assert_match("[[\"int\", \"!=\", 4]]");
    assert_no_match("[[\"int\", \"!=\", 5]]");
    assert_match("[[\"int\", \">=\", 5]]");
    assert_no_match("[[\"int\", \">=\", 6]]");
    assert_match("[[\"int\", \">\", 4]]");
    assert_no_match("[[\"int\", \">\", 5]]");
    assert_match("[[\"int\", \"includes\", 5]]");
    assert_no_match("[[\"int\", \"includes\", 6]]");
    assert_match("[[\"int\", \"excludes\", 6]]");
    assert_no_match("[[\"int\", \"excludes\", 5]]");

    set_field("int", "-9223372036854775808");
    assert_match("[[\"int\", \"<\", 9223372036854775807]]");
    assert_match("[[\"int\", \"<=\", -9223372036854775808]]");
    assert_no_match("[[\"int\", \">\", -9223372036854775808]]");
}

static void
test_real(void **state)
{
    (void) state;
    set_field("real", "2.5");
    assert_match("[[\"real\", \"<\", 2.75]]");
    assert_no_match("[[\"real\", \"<\", 2.5]]");
    assert_match("[[\"real\", \"<=\", 2.5]]");
    assert_match("[[\"real\", \"==\", 2.5]]");
    assert_no_match("[[\"real\", \"==\", 2.25]]");
    assert_match("[[\"real\", \"!=\", -2.5]]");
    assert_match("[[\"real\", \">=\", 2.5]]");
    assert_match("[[\"real\", \">\", -1e300]]");
    assert_no_match("[[\"real\", \">\", 1e300]]");
    assert_match("[[\"real\", \"includes\", 2.5]]");
    assert_match("[[\"real\", \"excludes\", 3.5]]");
}

/* "<" and friends on an optional column: false while it is empty. */
static void
test_optional(void **state)
{
    static const char *const relational[] = {
        "[[\"opt_int\", \"<\", 0]]", "[[\"opt_int\", \"<=\", 0]]",
        "[[\"opt_int\", \">\", 0]]", "[[\"opt_int\", \">=\", 0]]",
        "[[\"opt_real\", \"<\", 0.5]]", "[[\"opt_real\", \">\", 0.5]]",
    };

    (void) state;
    for (size_t i = 0; i < ARRAY_SIZE(relational); i++) {
        assert_no_match(relational[i]);
    }
    assert_match("[[\"opt_int\", \"==\", [\"set\", []]]]");
    assert_no_match("[[\"opt_int\", \"==\", 0]]");
    assert_match("[[\"opt_int\", \"!=\", 0]]");
    assert_match("[[\"opt_int\", \"excludes\", 0]]");
    assert_no_match("[[\"opt_int\", \"includes\", 0]]");
    assert_match("[[\"opt_int\", \"includes\", [\"set\", []]]]");

    set_field("opt_int", "7");
    set_field("opt_real", "0.5");
    assert_match("[[\"opt_int\", \"<\", 8]]");
    assert_no_match("[[\"opt_int\", \"<\", 7]]");
    assert_match("[[\"opt_int\", \">=\", 7]]");
    assert_match("[[\"opt_real\", \"<=\", 0.5]]");
    assert_no_match("[[\"opt_real\", \">\", 0.5]]");
    assert_match("[[\"opt_int\", \"==\", [\"set\", [7]]]]");
    assert_no_match("[[\"opt_int\", \"==\", [\"set\", []]]]");
    assert_match("[[\"opt_int\", \"includes\", 7]]");

    set_field("opt_str", "\"x\"");
    assert_match("[[\"opt_str\", \"==\", \"x\"]]");
    assert_match("[[\"opt_str\", \"excludes\", \"y\"]]");
}

static void
test_boolean_string_uuid(void **state)
{
    char text[256];

    (void) state;
    set_field("bool", "true");
    assert_match("[[\"bool\", \"==\", true]]");
    assert_no_match("[[\"bool\", \"==\", false]]");
    assert_match("[[\"bool\", \"!=\", false]]");
    assert_match("[[\"bool\", \"includes\", true]]");
    assert_match("[[\"bool\", \"excludes\", false]]");
    assert_no_match("[[\"bool\", \"excludes\", true]]");

    set_field("str", "\"eth0\"");
    assert_match("[[\"str\", \"==\", \"eth0\"]]");
    assert_no_match("[[\"str\", \"==\", \"eth1\"]]");
    assert_match("[[\"str\", \"!=\", \"eth1\"]]");
    assert_match("[[\"str\", \"includes\", \"eth0\"]]");
    assert_no_match("[[\"str\", \"excludes\", \"eth0\"]]");

    snprintf(text, sizeof text, "[\"uuid\", \"%s\"]", uuid_a);
    set_field("uuid", text);
    snprintf(text, sizeof text, "[[\"uuid\", \"==\", [\"uuid\", \"%s\"]]]",
             uuid_a);
    assert_match(text);
    snprintf(text, sizeof text, "[[\"uuid\", \"!=\", [\"uuid\", \"%s\"]]]",
             uuid_b);
    assert_match(text);
    snprintf(text, sizeof text,
             "[[\"uuid\", \"excludes\", [\"uuid\", \"%s\"]]]", uuid_a);
    assert_no_match(text);
}

static void
test_set(void **state)
{
    (void) state;
    set_field("set_int", "[\"set\", [3, 1, 2]]");
    assert_match("[[\"set_int\", \"==\", [\"set\", [1, 2, 3]]]]");
    assert_no_match("[[\"set_int\", \"==\", [\"set\", [1, 2]]]]");
    assert_match("[[\"set_int\", \"!=\", [\"set\", [1, 2]]]]");
    assert_no_match("[[\"set_int\", \"!=\", [\"set\", [2, 3, 1]]]]");
    assert_match("[[\"set_int\", \"includes\", [\"set\", [1, 3]]]]");
    assert_match("[[\"set_int\", \"includes\", 2]]");
    assert_match("[[\"set_int\", \"includes\", [\"set\", []]]]");
    assert_no_match("[[\"set_int\", \"includes\", [\"set\", [1, 4]]]]");
    assert_match("[[\"set_int\", \"excludes\", [\"set\", [4, 5]]]]");
    assert_match("[[\"set_int\", \"excludes\", [\"set\", []]]]");
    assert_no_match("[[\"set_int\", \"excludes\", [\"set\", [3, 4]]]]");

    set_field("set_str", "[\"set\", []]");
    assert_match("[[\"set_str\", \"==\", [\"set\", []]]]");
    assert_no_match("[[\"set_str\", \"includes\", \"a\"]]");
    assert_match("[[\"set_str\", \"excludes\", \"a\"]]");
}

/* "includes" may have fewer elements than the column's minimum, and
 * "excludes" also more than its maximum; "==" and "!=" neither (RFC 7047
 * section 5.1). */
static void
test_relaxed_counts(void **state)
{
    (void) state;
    set_field("set_1_3", "[\"set\", [1, 2]]");
    assert_match("[[\"set_1_3\", \"includes\", [\"set\", []]]]");
    assert_match("[[\"set_1_3\", \"excludes\", [\"set\", []]]]");
    assert_match("[[\"set_1_3\", \"excludes\", [\"set\", [3, 4, 5, 6]]]]");
    assert_no_match("[[\"set_1_3\", \"excludes\", [\"set\", [2, 4, 5, 6]]]]");
    assert_match("[[\"set_1_3\", \"includes\", [\"set\", [1, 2]]]]");
    assert_match("[[\"set_1_3\", \"==\", [\"set\", [1, 2]]]]");

    assert_parse_error("[[\"set_1_3\", \"==\", [\"set\", []]]]",
                       "constraint violation", "set_1_3", NULL);
    assert_parse_error("[[\"set_1_3\", \"!=\", [\"set\", [1, 2, 3, 4]]]]",
                       "constraint violation", "set_1_3", NULL);
    assert_parse_error("[[\"set_1_3\", \"includes\", "
                       "[\"set\", [1, 2, 3, 4]]]]",
                       "constraint violation", "set_1_3", NULL);
    assert_parse_error("[[\"int\", \"==\", [\"set\", [1, 2]]]]",
                       "constraint violation", "int", NULL);
    assert_parse_error("[[\"int\", \"==\", [\"set\", []]]]",
                       "constraint violation", "int", NULL);
}

static void
test_map(void **state)
{
    (void) state;
    set_field("map", "[\"map\", [[\"b\", 2], [\"a\", 1]]]");
    assert_match("[[\"map\", \"==\", [\"map\", [[\"a\", 1], [\"b\", 2]]]]]");
    assert_no_match("[[\"map\", \"==\", [\"map\", [[\"a\", 1]]]]]");
    assert_no_match("[[\"map\", \"==\", "
                    "[\"map\", [[\"a\", 1], [\"b\", 3]]]]]");
    assert_match("[[\"map\", \"!=\", [\"map\", [[\"a\", 1]]]]]");
    assert_match("[[\"map\", \"includes\", [\"map\", [[\"a\", 1]]]]]");
    assert_match("[[\"map\", \"includes\", [\"map\", []]]]");
    /* Pairs, not keys. */
    assert_no_match("[[\"map\", \"includes\", [\"map\", [[\"a\", 2]]]]]");
    assert_match("[[\"map\", \"excludes\", [\"map\", [[\"a\", 2]]]]]");
    assert_match("[[\"map\", \"excludes\", [\"map\", [[\"c\", 1]]]]]");
    assert_no_match("[[\"map\", \"excludes\", "
                    "[\"map\", [[\"c\", 3], [\"b\", 2]]]]]");
}

static void
test_constrained_columns(void **state)
{
    (void) state;
    set_field("vlan", "100");
    set_field("color", "\"green\"");
    assert_match("[[\"vlan\", \"<\", 4095]]");
    assert_match("[[\"vlan\", \">=\", 0]]");
    assert_match("[[\"color\", \"==\", \"green\"]]");
    assert_match("[[\"color\", \"!=\", \"red\"]]");
    assert_match("[[\"imm\", \"==\", 0]]");

    /* The value has the column's type, constraints included. */
    assert_parse_error("[[\"vlan\", \"<\", 4096]]", "constraint violation",
                       "vlan", NULL);
    assert_parse_error("[[\"color\", \"==\", \"blue\"]]",
                       "constraint violation", "color", NULL);
}

static void
test_several_clauses(void **state)
{
    (void) state;
    set_field("int", "5");
    set_field("str", "\"eth0\"");
    assert_match("[]");
    assert_match("[[\"int\", \">\", 1], [\"int\", \"<\", 10], "
                 "[\"str\", \"==\", \"eth0\"]]");
    assert_no_match("[[\"int\", \">\", 1], [\"int\", \"<\", 10], "
                    "[\"str\", \"==\", \"eth1\"]]");
    assert_no_match("[[\"int\", \">\", 5], [\"str\", \"==\", \"eth0\"]]");
}

static void
test_builtin_columns(void **state)
{
    char text[256];

    (void) state;
    snprintf(text, sizeof text, "[\"uuid\", \"%s\"]", uuid_a);
    set_field("_uuid", text);
    snprintf(text, sizeof text, "[\"uuid\", \"%s\"]", uuid_b);
    set_field("_version", text);

    snprintf(text, sizeof text, "[[\"_uuid\", \"==\", [\"uuid\", \"%s\"]]]",
             uuid_a);
    assert_match(text);
    snprintf(text, sizeof text, "[[\"_uuid\", \"==\", [\"uuid\", \"%s\"]]]",
             uuid_b);
    assert_no_match(text);
    snprintf(text, sizeof text,
             "[[\"_version\", \"==\", [\"uuid\", \"%s\"]]]", uuid_b);
    assert_match(text);
    snprintf(text, sizeof text,
             "[[\"_version\", \"!=\", [\"uuid\", \"%s\"]]]", uuid_b);
    assert_no_match(text);
    assert_parse_error("[[\"_uuid\", \"<\", [\"uuid\", "
                       "\"00000000-0000-4000-8000-000000000000\"]]]",
                       "syntax error", "_uuid", "<", NULL);
}

static const struct uuid *
get_uuid(const char *text, struct db_condition *condition)
{
    struct db_error *error = parse(text, NULL, condition);
    if (error) {
        fail_msg("%s: %s", text, error->details);
    }
    return db_condition_get_uuid(condition);
}

static void
test_get_uuid(void **state)
{
    struct db_condition condition;
    const struct uuid *uuid;
    struct uuid expected;
    char text[256];

    (void) state;
    assert_true(uuid_from_string(&expected, uuid_a));

    assert_null(get_uuid("[]", &condition));
    db_condition_destroy(&condition);
    assert_null(get_uuid("[[\"int\", \"==\", 1]]", &condition));
    db_condition_destroy(&condition);

    snprintf(text, sizeof text, "[[\"_uuid\", \"!=\", [\"uuid\", \"%s\"]]]",
             uuid_a);
    assert_null(get_uuid(text, &condition));
    db_condition_destroy(&condition);

    snprintf(text, sizeof text,
             "[[\"_version\", \"==\", [\"uuid\", \"%s\"]]]", uuid_a);
    assert_null(get_uuid(text, &condition));
    db_condition_destroy(&condition);

    snprintf(text, sizeof text, "[[\"uuid\", \"==\", [\"uuid\", \"%s\"]]]",
             uuid_a);
    assert_null(get_uuid(text, &condition));
    db_condition_destroy(&condition);

    snprintf(text, sizeof text, "[[\"int\", \"<\", 3], "
             "[\"_uuid\", \"==\", [\"uuid\", \"%s\"]]]", uuid_a);
    uuid = get_uuid(text, &condition);
    assert_non_null(uuid);
    assert_true(uuid_equals(uuid, &expected));
    db_condition_destroy(&condition);

    snprintf(text, sizeof text,
             "[[\"_uuid\", \"includes\", [\"uuid\", \"%s\"]]]", uuid_a);
    uuid = get_uuid(text, &condition);
    assert_non_null(uuid);
    assert_true(uuid_equals(uuid, &expected));
    db_condition_destroy(&condition);

    assert_null(get_uuid("[[\"_uuid\", \"includes\", [\"set\", []]]]",
                         &condition));
    db_condition_destroy(&condition);
}

/* ["named-uuid", NAME] needs a symbol table that knows NAME. */
static void
test_named_uuid(void **state)
{
    static const char text[]
        = "[[\"uuid\", \"==\", [\"named-uuid\", \"row1\"]]]";
    struct db_symbol_table symtab;
    struct db_condition condition;
    struct db_error *error;
    char value[64];

    (void) state;
    error = parse(text, NULL, &condition);
    assert_non_null(error);
    db_error_destroy(error);

    db_symbol_table_init(&symtab);
    struct db_symbol *symbol = db_symbol_table_insert(&symtab, "row1");
    char uuid_text[UUID_LEN + 1];
    uuid_to_string(&symbol->uuid, uuid_text);
    snprintf(value, sizeof value, "[\"uuid\", \"%s\"]", uuid_text);
    set_field("uuid", value);

    error = parse(text, &symtab, &condition);
    assert_null(error);
    assert_true(db_condition_evaluate(&condition, row));
    db_condition_destroy(&condition);
    db_symbol_table_destroy(&symtab);
}

static void
test_syntax_errors(void **state)
{
    (void) state;
    assert_parse_error("{}", "syntax error", NULL);
    assert_parse_error("[\"int\", \"==\", 1]", "syntax error", NULL);
    assert_parse_error("[[\"int\", \"==\"]]", "syntax error", NULL);
    assert_parse_error("[[\"int\", \"==\", 1, 2]]", "syntax error", NULL);
    assert_parse_error("[{\"int\": 1}]", "syntax error", NULL);
    assert_parse_error("[[1, \"==\", 1]]", "syntax error", NULL);
    assert_parse_error("[[\"nosuch\", \"==\", 1]]", "syntax error",
                       "nosuch", NULL);
    assert_parse_error("[[\"int\", \"=\", 1]]", "syntax error", "int",
                       "\"=\"", NULL);
    assert_parse_error("[[\"int\", 3, 1]]", "syntax error", "int", NULL);
    assert_parse_error("[[\"int\", \"INCLUDES\", 1]]", "syntax error",
                       "INCLUDES", NULL);
    /* A bad clause after good ones: nothing is kept. */
    assert_parse_error("[[\"int\", \"==\", 1], [\"str\", \"==\", \"a\"], "
                       "[\"nosuch\", \"==\", 1]]",
                       "syntax error", "nosuch", NULL);
}

/* "<" "<=" ">=" ">" apply only to integer and real columns holding at most
 * one value. */
static void
test_function_type_mismatch(void **state)
{
    static const char *const cases[][2] = {
        { "[[\"str\", \"<\", \"a\"]]", "str" },
        { "[[\"bool\", \"<=\", true]]", "bool" },
        { "[[\"uuid\", \">\", [\"uuid\", "
          "\"00000000-0000-4000-8000-000000000000\"]]]", "uuid" },
        { "[[\"opt_str\", \">=\", \"a\"]]", "opt_str" },
        { "[[\"set_int\", \"<\", 1]]", "set_int" },
        { "[[\"set_1_3\", \">\", 1]]", "set_1_3" },
        { "[[\"map\", \"<\", [\"map\", [[\"a\", 1]]]]]", "map" },
    };

    (void) state;
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct json_object *json = parse_json(cases[i][0]);
        const char *function = json_object_get_string(
            json_object_array_get_idx(json_object_array_get_idx(json, 0),
                                      1));
        char *quoted = xasprintf("\"%s\"", function);
        assert_parse_error(cases[i][0], "syntax error", cases[i][1], quoted,
                           NULL);
        free(quoted);
        json_object_put(json);
    }
}

/* A value of the wrong type is a "syntax error"; one with the wrong number
 * of elements, or a duplicate, a "constraint violation" (as db-data
 * reports them). */
static void
test_value_type_mismatch(void **state)
{
    (void) state;
    assert_parse_error("[[\"int\", \"==\", \"5\"]]", "syntax error", "int",
                       NULL);
    assert_parse_error("[[\"int\", \"<\", 1.5]]", "syntax error", "int",
                       NULL);
    assert_parse_error("[[\"real\", \"<\", true]]", "syntax error", "real",
                       NULL);
    assert_parse_error("[[\"str\", \"==\", 1]]", "syntax error", "str",
                       NULL);
    assert_parse_error("[[\"opt_int\", \"<\", [\"set\", []]]]",
                       "constraint violation", "opt_int", NULL);
    assert_parse_error("[[\"opt_int\", \"<\", [\"set\", [1, 2]]]]",
                       "constraint violation", "opt_int", NULL);
    assert_parse_error("[[\"map\", \"==\", [\"set\", [\"a\"]]]]",
                       "syntax error", "map", NULL);
    assert_parse_error("[[\"set_int\", \"includes\", [\"set\", [1, 1]]]]",
                       "constraint violation", "set_int", NULL);
}

#define TEST(NAME) cmocka_unit_test_setup_teardown(NAME, setup, teardown)

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_function_names),
        TEST(test_integer),
        TEST(test_real),
        TEST(test_optional),
        TEST(test_boolean_string_uuid),
        TEST(test_set),
        TEST(test_relaxed_counts),
        TEST(test_map),
        TEST(test_constrained_columns),
        TEST(test_several_clauses),
        TEST(test_builtin_columns),
        TEST(test_get_uuid),
        TEST(test_named_uuid),
        TEST(test_syntax_errors),
        TEST(test_function_type_mismatch),
        TEST(test_value_type_mismatch),
    };
    return cmocka_run_group_tests_name("db-condition", tests, NULL, NULL);
}
