/* test-db-mutation: parsing and applying "mutate" mutations. */
#include "unit.h"

#include <json-c/json.h>

#include "db-data.h"
#include "db-error.h"
#include "db-mutation.h"
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
    "  \"set_int\": {\"type\": {\"key\": \"integer\", \"min\": 0,"
    "                           \"max\": \"unlimited\"}},"
    "  \"set_real\": {\"type\": {\"key\": \"real\", \"min\": 0,"
    "                            \"max\": \"unlimited\"}},"
    "  \"set_str\": {\"type\": {\"key\": \"string\", \"min\": 0,"
    "                           \"max\": \"unlimited\"}},"
    "  \"set_1_3\": {\"type\": {\"key\": \"integer\", \"min\": 1,"
    "                           \"max\": 3}},"
    "  \"map\": {\"type\": {\"key\": \"string\", \"value\": \"integer\","
    "                       \"min\": 0, \"max\": \"unlimited\"}},"
    "  \"map_1_2\": {\"type\": {\"key\": \"integer\", \"value\": \"string\","
    "                           \"min\": 1, \"max\": 2}},"
    "  \"vlan\": {\"type\": {\"key\": {\"type\": \"integer\","
    "                                 \"minInteger\": 0,"
    "                                 \"maxInteger\": 4095}}},"
    "  \"ratio\": {\"type\": {\"key\": {\"type\": \"real\","
    "                                  \"minReal\": -1.5,"
    "                                  \"maxReal\": 1.5}}},"
    "  \"prio\": {\"type\": {\"key\": {\"type\": \"integer\","
    "                \"enum\": [\"set\", [1, 2, 4, 8]]}}},"
    "  \"set_prio\": {\"type\": {\"key\": {\"type\": \"integer\","
    "                \"enum\": [\"set\", [1, 2, 4, 8]]},"
    "                \"min\": 0, \"max\": \"unlimited\"}},"
    "  \"names\": {\"type\": {\"key\": {\"type\": \"string\","
    "                                  \"minLength\": 1,"
    "                                  \"maxLength\": 3},"
    "                         \"min\": 0, \"max\": \"unlimited\"}},"
    "  \"imm\": {\"type\": \"integer\", \"mutable\": false},"
    "  \"imm_set\": {\"type\": {\"key\": \"integer\", \"min\": 0,"
    "                           \"max\": \"unlimited\"},"
    "                \"mutable\": false}"
    " }}}}";

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

/* Parses VALUE as a datum of COLUMN's type. */
static void
parse_datum(const struct db_column *column, const char *value,
            struct db_datum *datum)
{
    struct json_object *json = parse_json(value);
    struct db_error *error = db_datum_from_json(datum, &column->type, json,
                                                NULL);
    if (error) {
        fail_msg("%s: %s: %s", value, error->tag, error->details);
    }
    json_object_put(json);
}

/* Sets ROW's column NAME to the datum in JSON text VALUE. */
static void
set_field(const char *name, const char *value)
{
    const struct db_column *column = find_column(name);
    struct db_datum datum;

    parse_datum(column, value, &datum);
    db_datum_swap(&datum, &row->fields[column->index]);
    db_datum_destroy(&datum, &column->type);
}

/* ROW's column NAME holds the datum in JSON text VALUE. */
static void
assert_field(const char *name, const char *value)
{
    const struct db_column *column = find_column(name);
    struct db_datum expected;

    parse_datum(column, value, &expected);
    if (!db_datum_equals(&row->fields[column->index], &expected,
                         &column->type)) {
        struct json_object *json = db_datum_to_json(
            &row->fields[column->index], &column->type);
        fail_msg("column %s is %s, expected %s", name,
                 json_object_to_json_string(json), value);
    }
    db_datum_destroy(&expected, &column->type);
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
parse(const char *text, struct db_mutation_set *set)
{
    struct json_object *json = parse_json(text);
    struct db_error *error = db_mutation_set_from_json(table->schema, json,
                                                       NULL, set);
    json_object_put(json);
    return error;
}

/* Parses mutations TEXT, which must be valid, and applies them to ROW. */
static struct db_error *
mutate(const char *text)
{
    struct db_mutation_set set;
    struct db_error *error = parse(text, &set);

    if (error) {
        fail_msg("%s: %s: %s", text, error->tag, error->details);
    }
    error = db_mutation_set_execute(&set, row);
    db_mutation_set_destroy(&set);
    return error;
}

static void
mutate_ok(const char *text)
{
    struct db_error *error = mutate(text);
    if (error) {
        fail_msg("%s: %s: %s", text, error->tag, error->details);
    }
}

/* ERROR is nonnull, has TAG, and its details mention each string of
 * ARGS; then it is freed. */
static void
check_error(const char *text, struct db_error *error, const char *tag,
            va_list args)
{
    if (!error) {
        fail_msg("%s: succeeded, but should have failed", text);
    }
    if (strcmp(error->tag, tag)) {
        fail_msg("%s: tag \"%s\" (%s), expected \"%s\"", text, error->tag,
                 error->details, tag);
    }
    for (const char *s; (s = va_arg(args, const char *)); ) {
        if (!error->details || !strstr(error->details, s)) {
            fail_msg("%s: details \"%s\" lack \"%s\"", text,
                     error->details ? error->details : "(null)", s);
        }
    }
    db_error_destroy(error);
}

/* Parsing TEXT fails with TAG, and the details mention each of the
 * NULL-ended strings that follow. */
static void
assert_parse_error(const char *text, const char *tag, ...)
{
    struct db_mutation_set set = { (void *) 1, 99 };
    struct db_error *error = parse(text, &set);
    va_list args;

    if (!error) {
        db_mutation_set_destroy(&set);
    }
    va_start(args, tag);
    check_error(text, error, tag, args);
    va_end(args);
    assert_null(set.mutations);
    assert_int_equal(set.n_mutations, 0);
}

/* Applying TEXT fails with TAG, naming the strings that follow, and leaves
 * every column of ROW as it was. */
static void
assert_mutate_error(const char *text, const char *tag, ...)
{
    struct db_row *before = db_row_clone(row);
    struct db_error *error = mutate(text);
    va_list args;

    va_start(args, tag);
    check_error(text, error, tag, args);
    va_end(args);
    for (size_t i = 0; i < table->schema->n_columns; i++) {
        const struct db_column *column = table->schema->columns[i];
        if (!db_datum_equals(&before->fields[i], &row->fields[i],
                             &column->type)) {
            fail_msg("%s: column %s changed", text, column->name);
        }
    }
    db_row_destroy(before);
}

static void
test_mutator_names(void **state)
{
    (void) state;
    assert_string_equal(db_mutator_to_string(DB_M_ADD), "+=");
    assert_string_equal(db_mutator_to_string(DB_M_SUB), "-=");
    assert_string_equal(db_mutator_to_string(DB_M_MUL), "*=");
    assert_string_equal(db_mutator_to_string(DB_M_DIV), "/=");
    assert_string_equal(db_mutator_to_string(DB_M_MOD), "%=");
    assert_string_equal(db_mutator_to_string(DB_M_INSERT), "insert");
    assert_string_equal(db_mutator_to_string(DB_M_DELETE), "delete");
}

static void
test_integer_arithmetic(void **state)
{
    (void) state;
    set_field("int", "17");
    mutate_ok("[[\"int\", \"+=\", 3]]");
    assert_field("int", "20");
    mutate_ok("[[\"int\", \"-=\", 25]]");
    assert_field("int", "-5");
    mutate_ok("[[\"int\", \"*=\", -6]]");
    assert_field("int", "30");
    mutate_ok("[[\"int\", \"/=\", 4]]");
    assert_field("int", "7");
    mutate_ok("[[\"int\", \"%=\", 4]]");
    assert_field("int", "3");

    /* Division truncates toward zero; the remainder takes the dividend's
     * sign. */
    set_field("int", "-7");
    mutate_ok("[[\"int\", \"/=\", 2]]");
    assert_field("int", "-3");
    set_field("int", "-7");
    mutate_ok("[[\"int\", \"%=\", 3]]");
    assert_field("int", "-1");
    set_field("int", "7");
    mutate_ok("[[\"int\", \"%=\", -3]]");
    assert_field("int", "1");

    /* In order, each seeing the one before. */
    set_field("int", "1");
    mutate_ok("[[\"int\", \"+=\", 2], [\"int\", \"*=\", 10], "
              "[\"int\", \"-=\", 1]]");
    assert_field("int", "29");
}

static void
test_integer_overflow(void **state)
{
    (void) state;
    set_field("int", "9223372036854775807");
    assert_mutate_error("[[\"int\", \"+=\", 1]]", "range error", "int",
                        "9223372036854775807", NULL);
    assert_mutate_error("[[\"int\", \"*=\", 2]]", "range error", "int",
                        NULL);
    assert_mutate_error("[[\"int\", \"-=\", -1]]", "range error", "int",
                        NULL);
    mutate_ok("[[\"int\", \"+=\", 0]]");
    mutate_ok("[[\"int\", \"*=\", -1]]");
    assert_field("int", "-9223372036854775807");
    mutate_ok("[[\"int\", \"-=\", 1]]");
    assert_field("int", "-9223372036854775808");

    assert_mutate_error("[[\"int\", \"-=\", 1]]", "range error", "int",
                        "-9223372036854775808", NULL);
    assert_mutate_error("[[\"int\", \"+=\", -1]]", "range error", "int",
                        NULL);
    assert_mutate_error("[[\"int\", \"*=\", -1]]", "range error", "int",
                        NULL);
    assert_mutate_error("[[\"int\", \"*=\", 3]]", "range error", "int",
                        NULL);
    assert_mutate_error("[[\"int\", \"/=\", -1]]", "range error", "int",
                        NULL);
    mutate_ok("[[\"int\", \"/=\", 1]]");
    mutate_ok("[[\"int\", \"%=\", -1]]");
    assert_field("int", "0");

    set_field("int", "4294967296");
    assert_mutate_error("[[\"int\", \"*=\", 4294967296]]", "range error",
                        "int", NULL);
    mutate_ok("[[\"int\", \"*=\", 2147483647]]");
    assert_field("int", "9223372032559808512");
}

static void
test_division_by_zero(void **state)
{
    (void) state;
    set_field("int", "5");
    assert_mutate_error("[[\"int\", \"/=\", 0]]", "domain error", "int",
                        "division by zero", NULL);
    assert_mutate_error("[[\"int\", \"%=\", 0]]", "domain error", "int",
                        NULL);
    set_field("real", "5.5");
    assert_mutate_error("[[\"real\", \"/=\", 0.0]]", "domain error", "real",
                        NULL);
    /* A set with no elements has nothing to divide. */
    mutate_ok("[[\"set_int\", \"/=\", 0]]");
    assert_field("set_int", "[\"set\", []]");
}

static void
test_real_arithmetic(void **state)
{
    (void) state;
    set_field("real", "2.5");
    mutate_ok("[[\"real\", \"+=\", 0.25]]");
    assert_field("real", "2.75");
    mutate_ok("[[\"real\", \"-=\", 4.0]]");
    assert_field("real", "-1.25");
    mutate_ok("[[\"real\", \"*=\", -2.0]]");
    assert_field("real", "2.5");
    mutate_ok("[[\"real\", \"/=\", 8.0]]");
    assert_field("real", "0.3125");

    set_field("real", "1e308");
    assert_mutate_error("[[\"real\", \"*=\", 10.0]]", "range error", "real",
                        NULL);
    assert_mutate_error("[[\"real\", \"+=\", 1e308]]", "range error",
                        "real", NULL);
    assert_mutate_error("[[\"real\", \"/=\", 1e-10]]", "range error",
                        "real", NULL);
    mutate_ok("[[\"real\", \"/=\", 2.0]]");
    assert_field("real", "5e307");
}

static void
test_set_arithmetic(void **state)
{
    (void) state;
    set_field("set_int", "[\"set\", [1, 2, 3]]");
    mutate_ok("[[\"set_int\", \"+=\", 10]]");
    assert_field("set_int", "[\"set\", [11, 12, 13]]");
    /* Negating reverses the order; the set stays sorted. */
    mutate_ok("[[\"set_int\", \"*=\", -1]]");
    assert_field("set_int", "[\"set\", [-13, -12, -11]]");
    mutate_ok("[[\"set_int\", \"%=\", 5]]");
    assert_field("set_int", "[\"set\", [-3, -2, -1]]");

    /* Two elements that become equal: the set would have a duplicate. */
    assert_mutate_error("[[\"set_int\", \"*=\", 0]]",
                        "constraint violation", "set_int", NULL);
    assert_mutate_error("[[\"set_int\", \"/=\", 5]]",
                        "constraint violation", "set_int", NULL);

    set_field("set_int", "[\"set\", [1, 9223372036854775807]]");
    assert_mutate_error("[[\"set_int\", \"+=\", 1]]", "range error",
                        "set_int", NULL);

    set_field("set_real", "[\"set\", [-1.5, 0.5, 2.0]]");
    mutate_ok("[[\"set_real\", \"*=\", -2.0]]");
    assert_field("set_real", "[\"set\", [-4.0, -1.0, 3.0]]");
    set_field("set_real", "[\"set\", [-1.0, 1.0]]");
    assert_mutate_error("[[\"set_real\", \"*=\", 0.0]]",
                        "constraint violation", "set_real", NULL);

    /* An empty optional column stays empty. */
    mutate_ok("[[\"opt_int\", \"+=\", 1]]");
    assert_field("opt_int", "[\"set\", []]");
    set_field("opt_int", "4");
    mutate_ok("[[\"opt_int\", \"-=\", 5]]");
    assert_field("opt_int", "-1");
}

/* The value of arithmetic ignores the column's constraints; the result
 * must meet them. */
static void
test_arithmetic_constraints(void **state)
{
    (void) state;
    set_field("vlan", "0");
    mutate_ok("[[\"vlan\", \"*=\", 10000]]");
    assert_field("vlan", "0");
    mutate_ok("[[\"vlan\", \"+=\", 4095]]");
    assert_field("vlan", "4095");
    assert_mutate_error("[[\"vlan\", \"+=\", 1]]", "constraint violation",
                        "vlan", "4096", NULL);
    mutate_ok("[[\"vlan\", \"-=\", 4095]]");
    assert_mutate_error("[[\"vlan\", \"-=\", 1]]", "constraint violation",
                        "vlan", NULL);
    /* Checked after each mutation, not only at the end. */
    assert_mutate_error("[[\"vlan\", \"+=\", 5000], [\"vlan\", \"-=\", 5000]]",
                        "constraint violation", "vlan", NULL);

    set_field("ratio", "1.0");
    mutate_ok("[[\"ratio\", \"+=\", 0.5]]");
    assert_field("ratio", "1.5");
    assert_mutate_error("[[\"ratio\", \"*=\", -2.0]]",
                        "constraint violation", "ratio", NULL);

    set_field("prio", "1");
    mutate_ok("[[\"prio\", \"*=\", 8]]");
    assert_field("prio", "8");
    assert_mutate_error("[[\"prio\", \"-=\", 1]]", "constraint violation",
                        "prio", "7", NULL);

    set_field("set_prio", "[\"set\", [1, 2, 4]]");
    mutate_ok("[[\"set_prio\", \"*=\", 2]]");
    assert_field("set_prio", "[\"set\", [2, 4, 8]]");
    assert_mutate_error("[[\"set_prio\", \"*=\", 2]]",
                        "constraint violation", "set_prio", "16", NULL);
}

static void
test_insert(void **state)
{
    (void) state;
    set_field("set_int", "[\"set\", [1, 2]]");
    mutate_ok("[[\"set_int\", \"insert\", [\"set\", [2, 3]]]]");
    assert_field("set_int", "[\"set\", [1, 2, 3]]");
    mutate_ok("[[\"set_int\", \"insert\", 0]]");
    assert_field("set_int", "[\"set\", [0, 1, 2, 3]]");
    mutate_ok("[[\"set_int\", \"insert\", [\"set\", []]]]");
    assert_field("set_int", "[\"set\", [0, 1, 2, 3]]");

    mutate_ok("[[\"set_str\", \"insert\", [\"set\", [\"b\", \"a\"]]]]");
    assert_field("set_str", "[\"set\", [\"a\", \"b\"]]");

    /* A key already in the map keeps its value. */
    set_field("map", "[\"map\", [[\"a\", 1]]]");
    mutate_ok("[[\"map\", \"insert\", [\"map\", [[\"a\", 9], [\"b\", 2]]]]]");
    assert_field("map", "[\"map\", [[\"a\", 1], [\"b\", 2]]]");

    /* Into an optional column. */
    mutate_ok("[[\"opt_int\", \"insert\", 5]]");
    assert_field("opt_int", "5");
    mutate_ok("[[\"opt_int\", \"insert\", 5]]");
    assert_field("opt_int", "5");
}

static void
test_delete(void **state)
{
    (void) state;
    set_field("set_int", "[\"set\", [1, 2, 3]]");
    mutate_ok("[[\"set_int\", \"delete\", [\"set\", [1, 7]]]]");
    assert_field("set_int", "[\"set\", [2, 3]]");
    mutate_ok("[[\"set_int\", \"delete\", 3]]");
    assert_field("set_int", "[\"set\", [2]]");
    mutate_ok("[[\"set_int\", \"delete\", [\"set\", []]]]");
    assert_field("set_int", "[\"set\", [2]]");

    /* From a map: by key (a set of keys, or one key alone)... */
    set_field("map", "[\"map\", [[\"a\", 1], [\"b\", 2], [\"c\", 3]]]");
    mutate_ok("[[\"map\", \"delete\", [\"set\", [\"a\", \"x\"]]]]");
    assert_field("map", "[\"map\", [[\"b\", 2], [\"c\", 3]]]");
    mutate_ok("[[\"map\", \"delete\", \"c\"]]");
    assert_field("map", "[\"map\", [[\"b\", 2]]]");

    /* ...or by key-value pair. */
    set_field("map", "[\"map\", [[\"a\", 1], [\"b\", 2]]]");
    mutate_ok("[[\"map\", \"delete\", "
              "[\"map\", [[\"a\", 1], [\"b\", 99]]]]]");
    assert_field("map", "[\"map\", [[\"b\", 2]]]");

    set_field("opt_int", "5");
    mutate_ok("[[\"opt_int\", \"delete\", 6]]");
    assert_field("opt_int", "5");
    mutate_ok("[[\"opt_int\", \"delete\", 5]]");
    assert_field("opt_int", "[\"set\", []]");
}

/* Insert and delete must leave the column with an allowed number of
 * elements; the value itself is relaxed as RFC 7047 says. */
static void
test_counts(void **state)
{
    (void) state;
    set_field("set_1_3", "[\"set\", [1, 2]]");
    mutate_ok("[[\"set_1_3\", \"insert\", [\"set\", []]]]");
    mutate_ok("[[\"set_1_3\", \"insert\", 3]]");
    assert_field("set_1_3", "[\"set\", [1, 2, 3]]");
    assert_mutate_error("[[\"set_1_3\", \"insert\", 4]]",
                        "constraint violation", "set_1_3", NULL);
    mutate_ok("[[\"set_1_3\", \"delete\", [\"set\", [2, 3, 4, 5, 6]]]]");
    assert_field("set_1_3", "1");
    assert_mutate_error("[[\"set_1_3\", \"delete\", 1]]",
                        "constraint violation", "set_1_3", NULL);
    /* Delete then insert, in one operation, passes through an empty set:
     * each mutation's result must be valid. */
    assert_mutate_error("[[\"set_1_3\", \"delete\", 1], "
                        "[\"set_1_3\", \"insert\", 2]]",
                        "constraint violation", "set_1_3", NULL);
    mutate_ok("[[\"set_1_3\", \"insert\", 2], [\"set_1_3\", \"delete\", 1]]");
    assert_field("set_1_3", "2");

    set_field("opt_int", "1");
    assert_mutate_error("[[\"opt_int\", \"insert\", 2]]",
                        "constraint violation", "opt_int", NULL);

    set_field("map_1_2", "[\"map\", [[1, \"a\"]]]");
    mutate_ok("[[\"map_1_2\", \"insert\", [\"map\", [[2, \"b\"]]]]]");
    assert_mutate_error("[[\"map_1_2\", \"insert\", [\"map\", [[3, \"c\"]]]]]",
                        "constraint violation", "map_1_2", NULL);
    mutate_ok("[[\"map_1_2\", \"delete\", [\"set\", [1, 5, 6, 7]]]]");
    assert_field("map_1_2", "[\"map\", [[2, \"b\"]]]");
    assert_mutate_error("[[\"map_1_2\", \"delete\", [\"map\", [[2, \"b\"]]]]]",
                        "constraint violation", "map_1_2", NULL);
    /* The wrong value: nothing deleted, nothing wrong. */
    mutate_ok("[[\"map_1_2\", \"delete\", [\"map\", [[2, \"x\"]]]]]");
    assert_field("map_1_2", "[\"map\", [[2, \"b\"]]]");
}

/* The value of insert and delete has the column's constraints.  A value
 * of the wrong type is a "syntax error"; one with the wrong number of
 * elements, or a duplicate, a "constraint violation" (as db-data reports
 * them). */
static void
test_insert_delete_values(void **state)
{
    (void) state;
    mutate_ok("[[\"names\", \"insert\", [\"set\", [\"a\", \"abc\"]]]]");
    assert_field("names", "[\"set\", [\"a\", \"abc\"]]");
    assert_parse_error("[[\"names\", \"insert\", \"abcd\"]]",
                       "constraint violation", "names", NULL);
    assert_parse_error("[[\"names\", \"insert\", \"\"]]",
                       "constraint violation", "names", NULL);
    assert_parse_error("[[\"set_prio\", \"insert\", 3]]",
                       "constraint violation", "set_prio", NULL);
    /* Insert's value may not have more than the column's maximum. */
    assert_parse_error("[[\"set_1_3\", \"insert\", "
                       "[\"set\", [1, 2, 3, 4]]]]",
                       "constraint violation", "set_1_3", NULL);
    assert_parse_error("[[\"set_int\", \"insert\", \"x\"]]", "syntax error",
                       "set_int", NULL);
    assert_parse_error("[[\"set_int\", \"delete\", [\"set\", [1, 1]]]]",
                       "constraint violation", "set_int", NULL);
    assert_parse_error("[[\"map\", \"insert\", [\"set\", [\"a\"]]]]",
                       "syntax error", "map", NULL);
    assert_parse_error("[[\"map\", \"delete\", [\"map\", [[\"a\", \"b\"]]]]]",
                       "syntax error", "map", NULL);
    assert_parse_error("[[\"map\", \"delete\", [\"set\", [1]]]]",
                       "syntax error", "map", NULL);
}

static void
test_read_only_columns(void **state)
{
    (void) state;
    assert_parse_error("[[\"imm\", \"+=\", 1]]", "constraint violation",
                       "imm", NULL);
    assert_parse_error("[[\"imm_set\", \"insert\", 1]]",
                       "constraint violation", "imm_set", NULL);
    assert_parse_error("[[\"_uuid\", \"insert\", [\"uuid\", "
                       "\"00000000-0000-4000-8000-000000000000\"]]]",
                       "constraint violation", "_uuid", NULL);
    assert_parse_error("[[\"_version\", \"delete\", [\"uuid\", "
                       "\"00000000-0000-4000-8000-000000000000\"]]]",
                       "constraint violation", "_version", NULL);
    assert_parse_error("[[\"int\", \"+=\", 1], [\"imm\", \"-=\", 1]]",
                       "constraint violation", "imm", NULL);
}

static void
test_syntax_errors(void **state)
{
    (void) state;
    assert_parse_error("{}", "syntax error", NULL);
    assert_parse_error("[\"int\", \"+=\", 1]", "syntax error", NULL);
    assert_parse_error("[[\"int\", \"+=\"]]", "syntax error", NULL);
    assert_parse_error("[[\"int\", \"+=\", 1, 2]]", "syntax error", NULL);
    assert_parse_error("[[null, \"+=\", 1]]", "syntax error", NULL);
    assert_parse_error("[[\"nosuch\", \"+=\", 1]]", "syntax error",
                       "nosuch", NULL);
    assert_parse_error("[[\"int\", \"^=\", 1]]", "syntax error", "int",
                       "\"^=\"", NULL);
    assert_parse_error("[[\"int\", \"add\", 1]]", "syntax error", "add",
                       NULL);
    assert_parse_error("[[\"int\", 1, 1]]", "syntax error", "int", NULL);
    assert_parse_error("[[\"int\", \"+=\", 1], [\"nosuch\", \"+=\", 1]]",
                       "syntax error", "nosuch", NULL);
    assert_parse_error("[[\"int\", \"+=\", \"1\"]]", "syntax error", "int",
                       NULL);
    assert_parse_error("[[\"int\", \"+=\", 1.5]]", "syntax error", "int",
                       NULL);
    /* Arithmetic takes exactly one number. */
    assert_parse_error("[[\"int\", \"+=\", [\"set\", [1, 2]]]]",
                       "constraint violation", "int", NULL);
    assert_parse_error("[[\"set_int\", \"+=\", [\"set\", []]]]",
                       "constraint violation", "set_int", NULL);
}

/* Which mutators go with which column types (RFC 7047 section 5.1). */
static void
test_mutator_type_mismatch(void **state)
{
    static const char *const cases[][3] = {
        { "[[\"real\", \"%=\", 2.0]]", "real", "%=" },
        { "[[\"set_real\", \"%=\", 2.0]]", "set_real", "%=" },
        { "[[\"bool\", \"+=\", true]]", "bool", "+=" },
        { "[[\"str\", \"+=\", \"a\"]]", "str", "+=" },
        { "[[\"set_str\", \"*=\", \"a\"]]", "set_str", "*=" },
        { "[[\"uuid\", \"-=\", [\"uuid\", "
          "\"00000000-0000-4000-8000-000000000000\"]]]", "uuid", "-=" },
        { "[[\"map\", \"+=\", 1]]", "map", "+=" },
        { "[[\"map_1_2\", \"/=\", 1]]", "map_1_2", "/=" },
        /* Insert and delete are for sets and maps, not scalars. */
        { "[[\"int\", \"insert\", 1]]", "int", "insert" },
        { "[[\"str\", \"delete\", \"a\"]]", "str", "delete" },
        { "[[\"bool\", \"insert\", true]]", "bool", "insert" },
    };

    (void) state;
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        char *quoted = xasprintf("\"%s\"", cases[i][2]);
        assert_parse_error(cases[i][0], "syntax error", cases[i][1], quoted,
                           NULL);
        free(quoted);
    }
}

/* Any failing mutation leaves the whole row as it was, including columns
 * that earlier mutations of the same set changed. */
static void
test_row_unchanged_on_error(void **state)
{
    (void) state;
    set_field("int", "1");
    set_field("set_int", "[\"set\", [1, 2]]");
    set_field("map", "[\"map\", [[\"a\", 1]]]");
    set_field("vlan", "10");
    set_field("real", "1.0");

    assert_mutate_error("[[\"int\", \"+=\", 1], "
                        "[\"set_int\", \"insert\", 3], "
                        "[\"map\", \"delete\", \"a\"], "
                        "[\"vlan\", \"+=\", 5000]]",
                        "constraint violation", "vlan", NULL);
    assert_mutate_error("[[\"set_int\", \"delete\", 1], "
                        "[\"int\", \"*=\", 9223372036854775807], "
                        "[\"int\", \"*=\", 2]]",
                        "range error", "int", NULL);
    assert_mutate_error("[[\"real\", \"+=\", 1.0], "
                        "[\"set_int\", \"insert\", 5], "
                        "[\"set_int\", \"%=\", 0]]",
                        "domain error", "set_int", NULL);
    assert_field("int", "1");
    assert_field("set_int", "[\"set\", [1, 2]]");
    assert_field("map", "[\"map\", [[\"a\", 1]]]");

    /* An empty set of mutations changes nothing and succeeds. */
    mutate_ok("[]");
    assert_field("int", "1");

    /* And the same mutations without the failing one take effect. */
    mutate_ok("[[\"int\", \"+=\", 1], [\"set_int\", \"insert\", 3], "
              "[\"map\", \"delete\", \"a\"], [\"vlan\", \"+=\", 50]]");
    assert_field("int", "2");
    assert_field("set_int", "[\"set\", [1, 2, 3]]");
    assert_field("map", "[\"map\", []]");
    assert_field("vlan", "60");
}

#define TEST(NAME) cmocka_unit_test_setup_teardown(NAME, setup, teardown)

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mutator_names),
        TEST(test_integer_arithmetic),
        TEST(test_integer_overflow),
        TEST(test_division_by_zero),
        TEST(test_real_arithmetic),
        TEST(test_set_arithmetic),
        TEST(test_arithmetic_constraints),
        TEST(test_insert),
        TEST(test_delete),
        TEST(test_counts),
        TEST(test_insert_delete_values),
        TEST(test_read_only_columns),
        TEST(test_syntax_errors),
        TEST(test_mutator_type_mismatch),
        TEST(test_row_unchanged_on_error),
    };
    return cmocka_run_group_tests_name("db-mutation", tests, NULL, NULL);
}
