/* test-db-schema: parsing, validating, writing and comparing database
 * schemas (RFC 7047 section 3.2). */
#include "unit.h"

#include <limits.h>

#include <json-c/json.h>

#include "db-data.h"
#include "db-error.h"
#include "db-schema.h"

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

/* Parses schema TEXT, which must be valid. */
static struct db_schema *
parse_schema(const char *text)
{
    struct json_object *json = parse_json(text);
    struct db_schema *schema = (void *) 1;
    struct db_error *error = db_schema_from_json(json, &schema);

    json_object_put(json);
    if (error) {
        char *s = db_error_to_string(error);
        fail_msg("%s: %s", text, s);
    }
    assert_non_null(schema);
    return schema;
}

/* Parsing schema TEXT must fail with TAG, with details containing each of
 * the NULL-ended strings that follow. */
static void
assert_schema_error(const char *text, const char *tag, ...)
{
    struct json_object *json = parse_json(text);
    struct db_schema *schema = (void *) 1;
    struct db_error *error = db_schema_from_json(json, &schema);
    va_list args;

    json_object_put(json);
    if (!error) {
        db_schema_destroy(schema);
        fail_msg("%s: parsed, but should have failed", text);
    }
    assert_null(schema);
    if (strcmp(error->tag, tag)) {
        fail_msg("%s: tag \"%s\" (%s), expected \"%s\"", text, error->tag,
                 error->details ? error->details : "(null)", tag);
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

static struct db_table_schema *
get_table(const struct db_schema *schema, const char *name)
{
    struct db_table_schema *table = db_schema_find_table(schema, name);
    if (!table) {
        fail_msg("no table %s", name);
    }
    return table;
}

static const struct db_column *
get_column(const struct db_table_schema *table, const char *name)
{
    const struct db_column *column = db_table_schema_find_column(table,
                                                                 name);
    if (!column) {
        fail_msg("no column %s in table %s", name, table->name);
    }
    return column;
}

/* Checks that SCHEMA survives db_schema_to_json() and back, and that
 * writing it twice gives the same JSON. */
static void
check_round_trip(const struct db_schema *schema)
{
    struct json_object *json = db_schema_to_json(schema);
    struct db_schema *again;
    struct db_error *error = db_schema_from_json(json, &again);

    if (error) {
        char *s = db_error_to_string(error);
        fail_msg("%s: %s", json_object_to_json_string(json), s);
    }
    assert_true(db_schema_equals(schema, again));
    assert_true(db_schema_equals(again, schema));

    struct json_object *json2 = db_schema_to_json(again);
    if (!json_object_equal(json, json2)) {
        fail_msg("%s became %s", json_object_to_json_string(json),
                 json_object_to_json_string(json2));
    }
    json_object_put(json2);
    json_object_put(json);
    db_schema_destroy(again);
}

static const char minimal_text[] =
    "{\"name\": \"Min\", \"version\": \"0.1.2\", \"tables\": {"
    " \"T\": {\"columns\": {\"c\": {\"type\": \"integer\"}}}}}";

static void
test_minimal(void **state)
{
    (void) state;
    struct db_schema *schema = parse_schema(minimal_text);

    assert_string_equal(schema->name, "Min");
    assert_string_equal(schema->version, "0.1.2");
    assert_null(schema->cksum);
    assert_int_equal(schema->n_tables, 1);

    struct db_table_schema *t = schema->tables[0];
    assert_string_equal(t->name, "T");
    assert_int_equal(t->index, 0);
    assert_true(t->is_root);        /* No table is marked root. */
    assert_int_equal(t->max_rows, UINT_MAX);
    assert_int_equal(t->n_indexes, 0);
    assert_int_equal(t->n_columns, DB_N_BUILTIN_COLUMNS + 1);

    const struct db_column *c = t->columns[DB_N_BUILTIN_COLUMNS];
    assert_string_equal(c->name, "c");
    assert_int_equal(c->index, DB_N_BUILTIN_COLUMNS);
    assert_true(db_type_is_scalar(&c->type));
    assert_int_equal(c->type.key.type, DB_TYPE_INTEGER);
    assert_true(c->mutable);
    assert_true(c->persistent);

    check_round_trip(schema);
    db_schema_destroy(schema);
    db_schema_destroy(NULL);
}

/* "_uuid" and "_version" are scalar uuid columns at indexes 0 and 1 in
 * every table, immutable and persistent. */
static void
test_builtin_columns(void **state)
{
    static const char text[] =
        "{\"name\": \"B\", \"version\": \"1.0.0\", \"tables\": {"
        " \"A\": {\"columns\": {\"x\": {\"type\": \"string\"},"
        "                      \"y\": {\"type\": \"boolean\"}}},"
        " \"Z\": {\"columns\": {\"z\": {\"type\": \"real\"}}}}}";
    static const char *const names[] = { "_uuid", "_version" };

    (void) state;
    struct db_schema *schema = parse_schema(text);
    for (size_t t = 0; t < schema->n_tables; t++) {
        const struct db_table_schema *table = schema->tables[t];
        for (size_t i = 0; i < DB_N_BUILTIN_COLUMNS; i++) {
            const struct db_column *c = table->columns[i];
            assert_string_equal(c->name, names[i]);
            assert_int_equal(c->index, i);
            assert_ptr_equal(get_column(table, names[i]), c);
            assert_true(db_type_is_scalar(&c->type));
            assert_int_equal(c->type.key.type, DB_TYPE_UUID);
            assert_false(db_base_type_is_ref(&c->type.key));
            assert_false(c->mutable);
            assert_true(c->persistent);
        }
    }
    assert_int_equal(DB_COL_UUID, 0);
    assert_int_equal(DB_COL_VERSION, 1);

    /* The builtins are never written out. */
    struct json_object *json = db_schema_to_json(schema);
    struct json_object *expected = parse_json(
        "{\"name\": \"B\", \"version\": \"1.0.0\", \"tables\": {"
        " \"A\": {\"columns\": {\"x\": {\"type\": \"string\"},"
        "                      \"y\": {\"type\": \"boolean\"}}},"
        " \"Z\": {\"columns\": {\"z\": {\"type\": \"real\"}}}}}");
    assert_true(json_object_equal(json, expected));
    json_object_put(expected);
    json_object_put(json);
    db_schema_destroy(schema);
}

static const char full_text[] =
    "{\"name\": \"Full_1\", \"version\": \"10.20.30\", \"cksum\": \"123 45\","
    " \"tables\": {"
    "  \"Root\": {\"isRoot\": true, \"maxRows\": 3,"
    "   \"columns\": {"
    "    \"name\": {\"type\": \"string\", \"mutable\": false},"
    "    \"vlan\": {\"type\": {\"key\": {\"type\": \"integer\","
    "                                 \"minInteger\": 0,"
    "                                 \"maxInteger\": 4095}}},"
    "    \"ratio\": {\"type\": {\"key\": {\"type\": \"real\","
    "                                  \"minReal\": 0.5}}},"
    "    \"color\": {\"type\": {\"key\": {\"type\": \"string\","
    "                 \"enum\": [\"set\", [\"red\", \"blue\"]]},"
    "                 \"min\": 0, \"max\": 2}},"
    "    \"label\": {\"type\": {\"key\": {\"type\": \"string\","
    "                                  \"minLength\": 1,"
    "                                  \"maxLength\": 8}}},"
    "    \"stats\": {\"type\": {\"key\": \"string\", \"value\": \"integer\","
    "                         \"min\": 0, \"max\": \"unlimited\"},"
    "              \"ephemeral\": true},"
    "    \"kids\": {\"type\": {\"key\": {\"type\": \"uuid\","
    "                                 \"refTable\": \"Kid\"},"
    "                        \"min\": 0, \"max\": \"unlimited\"}},"
    "    \"pets\": {\"type\": {\"key\": {\"type\": \"uuid\","
    "                                 \"refTable\": \"Pet\","
    "                                 \"refType\": \"weak\"},"
    "                        \"min\": 0, \"max\": \"unlimited\"}},"
    "    \"by_name\": {\"type\": {\"key\": \"string\","
    "                           \"value\": {\"type\": \"uuid\","
    "                                      \"refTable\": \"Kid\","
    "                                      \"refType\": \"strong\"},"
    "                           \"min\": 0, \"max\": \"unlimited\"}},"
    "    \"flag\": {\"type\": \"boolean\", \"mutable\": true,"
    "              \"ephemeral\": false},"
    "    \"id\": {\"type\": \"uuid\"}"
    "   },"
    "   \"indexes\": [[\"name\"], [\"vlan\", \"label\"]]},"
    "  \"Kid\": {\"isRoot\": false, \"columns\": {"
    "    \"n\": {\"type\": \"integer\"},"
    "    \"pet\": {\"type\": {\"key\": {\"type\": \"uuid\","
    "                                \"refTable\": \"Pet\"},"
    "                       \"min\": 0, \"max\": 1}}}},"
    "  \"Pet\": {\"columns\": {\"species\": {\"type\": \"string\"}},"
    "           \"indexes\": []}"
    " }}";

/* Every member of every level of a schema. */
static void
test_full(void **state)
{
    (void) state;
    struct db_schema *schema = parse_schema(full_text);

    assert_string_equal(schema->name, "Full_1");
    assert_string_equal(schema->version, "10.20.30");
    assert_string_equal(schema->cksum, "123 45");
    assert_int_equal(schema->n_tables, 3);

    struct db_table_schema *root = get_table(schema, "Root");
    struct db_table_schema *kid = get_table(schema, "Kid");
    struct db_table_schema *pet = get_table(schema, "Pet");

    assert_true(root->is_root);
    assert_false(kid->is_root);
    assert_false(pet->is_root);
    assert_int_equal(root->max_rows, 3);
    assert_int_equal(kid->max_rows, UINT_MAX);
    assert_int_equal(pet->n_indexes, 0);

    /* Columns keep schema order after the builtins. */
    static const char *const order[] = {
        "name", "vlan", "ratio", "color", "label", "stats", "kids", "pets",
        "by_name", "flag", "id",
    };
    assert_int_equal(root->n_columns, DB_N_BUILTIN_COLUMNS
                     + ARRAY_SIZE(order));
    for (size_t i = 0; i < ARRAY_SIZE(order); i++) {
        const struct db_column *c = root->columns[DB_N_BUILTIN_COLUMNS + i];
        assert_string_equal(c->name, order[i]);
        assert_int_equal(c->index, DB_N_BUILTIN_COLUMNS + i);
        assert_ptr_equal(get_column(root, order[i]), c);
    }

    const struct db_column *name = get_column(root, "name");
    assert_false(name->mutable);
    assert_true(name->persistent);
    assert_int_equal(name->type.key.type, DB_TYPE_STRING);

    const struct db_column *vlan = get_column(root, "vlan");
    assert_true(db_type_is_scalar(&vlan->type));
    assert_int_equal(vlan->type.key.integer.min, 0);
    assert_int_equal(vlan->type.key.integer.max, 4095);

    const struct db_column *ratio = get_column(root, "ratio");
    assert_true(ratio->type.key.real.min == 0.5);

    const struct db_column *color = get_column(root, "color");
    assert_int_equal(color->type.n_min, 0);
    assert_int_equal(color->type.n_max, 2);
    assert_non_null(color->type.key.enum_);
    assert_int_equal(color->type.key.enum_->n, 2);

    const struct db_column *label = get_column(root, "label");
    assert_int_equal(label->type.key.string.min_len, 1);
    assert_int_equal(label->type.key.string.max_len, 8);

    const struct db_column *stats = get_column(root, "stats");
    assert_false(stats->persistent);
    assert_true(stats->mutable);
    assert_true(db_type_is_map(&stats->type));
    assert_int_equal(stats->type.n_max, DB_N_MAX_UNLIMITED);

    /* References resolve to the tables of the same schema. */
    const struct db_column *kids = get_column(root, "kids");
    assert_true(db_base_type_is_strong_ref(&kids->type.key));
    assert_ptr_equal(kids->type.key.uuid.ref_table, kid);
    assert_string_equal(kids->type.key.uuid.ref_table_name, "Kid");

    const struct db_column *pets = get_column(root, "pets");
    assert_true(db_base_type_is_weak_ref(&pets->type.key));
    assert_ptr_equal(pets->type.key.uuid.ref_table, pet);

    const struct db_column *by_name = get_column(root, "by_name");
    assert_false(db_base_type_is_ref(&by_name->type.key));
    assert_true(db_base_type_is_strong_ref(&by_name->type.value));
    assert_ptr_equal(by_name->type.value.uuid.ref_table, kid);

    const struct db_column *id = get_column(root, "id");
    assert_false(db_base_type_is_ref(&id->type.key));
    assert_null(id->type.key.uuid.ref_table);

    const struct db_column *kpet = get_column(kid, "pet");
    assert_true(db_type_is_optional(&kpet->type));
    assert_ptr_equal(kpet->type.key.uuid.ref_table, pet);

    const struct db_column *flag = get_column(root, "flag");
    assert_true(flag->mutable);
    assert_true(flag->persistent);

    /* Unique indexes, by column. */
    assert_int_equal(root->n_indexes, 2);
    assert_int_equal(root->indexes[0].n_columns, 1);
    assert_ptr_equal(root->indexes[0].columns[0], name);
    assert_int_equal(root->indexes[1].n_columns, 2);
    assert_ptr_equal(root->indexes[1].columns[0], vlan);
    assert_ptr_equal(root->indexes[1].columns[1], label);

    check_round_trip(schema);
    db_schema_destroy(schema);
}

/* db_schema_to_json() writes only what differs from the defaults. */
static void
test_to_json(void **state)
{
    static const char text[] =
        "{\"name\": \"W\", \"version\": \"1.2.3\", \"tables\": {"
        " \"A\": {\"isRoot\": true, \"maxRows\": 5, \"indexes\": [[\"i\"]],"
        "  \"columns\": {"
        "   \"i\": {\"type\": \"integer\", \"mutable\": true,"
        "           \"ephemeral\": false},"
        "   \"e\": {\"type\": {\"key\": \"string\", \"min\": 0},"
        "           \"ephemeral\": true, \"mutable\": false},"
        "   \"r\": {\"type\": {\"key\": {\"type\": \"uuid\","
        "                               \"refTable\": \"B\","
        "                               \"refType\": \"strong\"},"
        "                     \"min\": 1, \"max\": 1}}}},"
        " \"B\": {\"isRoot\": false, \"indexes\": [],"
        "  \"columns\": {\"s\": {\"type\": {\"key\": \"string\","
        "                                  \"max\": 1}}}}}}";
    static const char expected_text[] =
        "{\"name\": \"W\", \"version\": \"1.2.3\", \"tables\": {"
        " \"A\": {\"isRoot\": true, \"maxRows\": 5, \"indexes\": [[\"i\"]],"
        "  \"columns\": {"
        "   \"i\": {\"type\": \"integer\"},"
        "   \"e\": {\"type\": {\"key\": \"string\", \"min\": 0},"
        "           \"ephemeral\": true, \"mutable\": false},"
        "   \"r\": {\"type\": {\"key\": {\"type\": \"uuid\","
        "                               \"refTable\": \"B\"}}}}},"
        " \"B\": {\"columns\": {\"s\": {\"type\": \"string\"}}}}}";

    (void) state;
    struct db_schema *schema = parse_schema(text);
    struct json_object *json = db_schema_to_json(schema);
    struct json_object *expected = parse_json(expected_text);
    if (!json_object_equal(json, expected)) {
        fail_msg("wrote %s", json_object_to_json_string(json));
    }
    json_object_put(expected);
    json_object_put(json);
    check_round_trip(schema);
    db_schema_destroy(schema);
}

/* A schema that marks no table as root makes every table root; once one
 * is marked, the others are not. */
static void
test_is_root(void **state)
{
    struct db_schema *schema;

    (void) state;
    schema = parse_schema(
        "{\"name\": \"R\", \"version\": \"1.0.0\", \"tables\": {"
        " \"A\": {\"columns\": {\"a\": {\"type\": \"integer\"}}},"
        " \"B\": {\"columns\": {\"b\": {\"type\": \"integer\"}}}}}");
    assert_true(get_table(schema, "A")->is_root);
    assert_true(get_table(schema, "B")->is_root);
    check_round_trip(schema);
    db_schema_destroy(schema);

    /* "isRoot": false everywhere counts as marking none. */
    schema = parse_schema(
        "{\"name\": \"R\", \"version\": \"1.0.0\", \"tables\": {"
        " \"A\": {\"isRoot\": false,"
        "        \"columns\": {\"a\": {\"type\": \"integer\"}}},"
        " \"B\": {\"isRoot\": false,"
        "        \"columns\": {\"b\": {\"type\": \"integer\"}}}}}");
    assert_true(get_table(schema, "A")->is_root);
    assert_true(get_table(schema, "B")->is_root);
    db_schema_destroy(schema);

    schema = parse_schema(
        "{\"name\": \"R\", \"version\": \"1.0.0\", \"tables\": {"
        " \"A\": {\"columns\": {\"a\": {\"type\": \"integer\"}}},"
        " \"B\": {\"isRoot\": true,"
        "        \"columns\": {\"b\": {\"type\": \"integer\"}}},"
        " \"C\": {\"isRoot\": false,"
        "        \"columns\": {\"c\": {\"type\": \"integer\"}}}}}");
    assert_false(get_table(schema, "A")->is_root);
    assert_true(get_table(schema, "B")->is_root);
    assert_false(get_table(schema, "C")->is_root);
    check_round_trip(schema);
    db_schema_destroy(schema);

    /* Every table marked root: the same as marking none. */
    struct db_schema *all = parse_schema(
        "{\"name\": \"R\", \"version\": \"1.0.0\", \"tables\": {"
        " \"A\": {\"isRoot\": true,"
        "        \"columns\": {\"a\": {\"type\": \"integer\"}}},"
        " \"B\": {\"isRoot\": true,"
        "        \"columns\": {\"b\": {\"type\": \"integer\"}}}}}");
    struct db_schema *none = parse_schema(
        "{\"name\": \"R\", \"version\": \"1.0.0\", \"tables\": {"
        " \"A\": {\"columns\": {\"a\": {\"type\": \"integer\"}}},"
        " \"B\": {\"columns\": {\"b\": {\"type\": \"integer\"}}}}}");
    assert_true(db_schema_equals(all, none));
    check_round_trip(all);
    db_schema_destroy(all);
    db_schema_destroy(none);
}

static void
test_max_rows(void **state)
{
    static const char *const bad[] = {
        "0", "-1", "\"1\"", "1.5", "true", "null", "[1]", "4294967296",
    };
    char text[256];

    (void) state;
    struct db_schema *schema = parse_schema(
        "{\"name\": \"M\", \"version\": \"1.0.0\", \"tables\": {"
        " \"A\": {\"maxRows\": 1,"
        "        \"columns\": {\"a\": {\"type\": \"integer\"}}},"
        " \"B\": {\"maxRows\": 4294967294,"
        "        \"columns\": {\"b\": {\"type\": \"integer\"}}}}}");
    assert_int_equal(get_table(schema, "A")->max_rows, 1);
    assert_int_equal(get_table(schema, "B")->max_rows, 4294967294u);
    check_round_trip(schema);
    db_schema_destroy(schema);

    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        snprintf(text, sizeof text,
                 "{\"name\": \"M\", \"version\": \"1.0.0\", \"tables\": {"
                 " \"A\": {\"maxRows\": %s,"
                 "        \"columns\": {\"a\": {\"type\": \"integer\"}}}}}",
                 bad[i]);
        assert_schema_error(text, "syntax error", "table \"A\"", "maxRows",
                            NULL);
    }
}

static void
test_bad_schema(void **state)
{
    (void) state;
    assert_schema_error("[]", "syntax error", "JSON object", NULL);
    assert_schema_error("\"x\"", "syntax error", "JSON object", NULL);
    assert_schema_error("null", "syntax error", "JSON object", NULL);
    assert_schema_error(
        "{\"name\": \"S\", \"version\": \"1.0.0\", \"tables\": {},"
        " \"extra\": 1}", "syntax error", "unknown member \"extra\"", NULL);
    assert_schema_error("{\"version\": \"1.0.0\", \"tables\": {}}",
                        "syntax error", "\"name\"", NULL);
    assert_schema_error("{\"name\": \"S\", \"version\": \"1.0.0\"}",
                        "syntax error", "\"tables\"", NULL);
    assert_schema_error(
        "{\"name\": \"S\", \"version\": \"1.0.0\", \"tables\": []}",
        "syntax error", "\"tables\"", NULL);
    assert_schema_error(
        "{\"name\": \"S\", \"version\": \"1.0.0\", \"tables\": {},"
        " \"cksum\": 5}", "syntax error", "\"cksum\"", NULL);

    /* No tables at all is a valid, if useless, schema. */
    struct db_schema *schema = parse_schema(
        "{\"name\": \"S\", \"version\": \"1.0.0\", \"tables\": {}}");
    assert_int_equal(schema->n_tables, 0);
    assert_null(db_schema_find_table(schema, "S"));
    check_round_trip(schema);
    db_schema_destroy(schema);
}

static void
test_bad_name(void **state)
{
    static const char *const bad[] = {
        "\"\"", "\"1abc\"", "\"a-b\"", "\"a b\"", "\"a.b\"", "5", "null",
        "[\"x\"]", "\"caf\\u00e9\"",
    };
    static const char *const good[] = { "a", "A_1", "Open_vSwitch" };
    char text[256];

    (void) state;
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        snprintf(text, sizeof text, "{\"name\": %s, \"version\": \"1.0.0\","
                 " \"tables\": {}}", bad[i]);
        assert_schema_error(text, "syntax error", "\"name\"", NULL);
    }
    for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
        snprintf(text, sizeof text, "{\"name\": \"%s\", "
                 "\"version\": \"1.0.0\", \"tables\": {}}", good[i]);
        struct db_schema *schema = parse_schema(text);
        assert_string_equal(schema->name, good[i]);
        db_schema_destroy(schema);
    }
}

static void
test_bad_version(void **state)
{
    static const char *const bad[] = {
        "\"\"", "\"1\"", "\"1.0\"", "\"1.0.0.0\"", "\"1.0.x\"",
        "\"a.b.c\"", "\" 1.0.0\"", "\"1.0.0 \"", "\"-1.0.0\"",
        "\"+1.0.0\"", "\"1.0.0x\"", "\"1..0\"", "\"1.0.\"", "\"1.-1.0\"",
        "1", "1.0", "null", "[\"1.0.0\"]", "\"4294967296.0.0\"",
    };
    static const char *const good[] = { "0.0.0", "1.2.3", "10.200.3000" };
    char text[256];

    (void) state;
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        snprintf(text, sizeof text, "{\"name\": \"S\", \"version\": %s, "
                 "\"tables\": {}}", bad[i]);
        assert_schema_error(text, "syntax error", "\"version\"", NULL);
    }
    assert_schema_error("{\"name\": \"S\", \"tables\": {}}",
                        "syntax error", "\"version\"", NULL);
    for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
        snprintf(text, sizeof text, "{\"name\": \"S\", \"version\": \"%s\","
                 " \"tables\": {}}", good[i]);
        struct db_schema *schema = parse_schema(text);
        assert_string_equal(schema->version, good[i]);
        db_schema_destroy(schema);
    }
}

/* Wraps TABLES (the members of "tables") in a schema. */
static char *
schema_with(const char *tables)
{
    return xasprintf("{\"name\": \"S\", \"version\": \"1.0.0\", "
                     "\"tables\": {%s}}", tables);
}

static void
assert_tables_error(const char *tables, const char *tag, const char *a,
                    const char *b)
{
    char *text = schema_with(tables);
    assert_schema_error(text, tag, a, b, NULL);
    free(text);
}

static void
test_bad_tables(void **state)
{
    (void) state;
    assert_tables_error("\"_T\": {\"columns\": {\"a\": {\"type\": "
                        "\"integer\"}}}", "syntax error", "\"_T\"",
                        "table name");
    assert_tables_error("\"1T\": {\"columns\": {\"a\": {\"type\": "
                        "\"integer\"}}}", "syntax error", "\"1T\"",
                        "table name");
    assert_tables_error("\"a-b\": {\"columns\": {\"a\": {\"type\": "
                        "\"integer\"}}}", "syntax error", "\"a-b\"",
                        "table name");
    assert_tables_error("\"T\": []", "syntax error", "table \"T\"",
                        "object");
    assert_tables_error("\"T\": {\"columns\": {\"a\": {\"type\": "
                        "\"integer\"}}, \"mutable\": false}",
                        "syntax error", "table \"T\"",
                        "unknown member \"mutable\"");
    assert_tables_error("\"T\": {}", "syntax error", "table \"T\"",
                        "\"columns\"");
    assert_tables_error("\"T\": {\"columns\": {}}", "syntax error",
                        "table \"T\"", "\"columns\"");
    assert_tables_error("\"T\": {\"columns\": [\"a\"]}", "syntax error",
                        "table \"T\"", "\"columns\"");
    assert_tables_error("\"T\": {\"isRoot\": 1, \"columns\": {\"a\": "
                        "{\"type\": \"integer\"}}}", "syntax error",
                        "table \"T\"", "\"isRoot\"");
    /* A good table before a bad one: nothing leaks. */
    assert_tables_error("\"A\": {\"columns\": {\"a\": {\"type\": "
                        "\"integer\"}}}, \"B\": 7", "syntax error",
                        "table \"B\"", "object");
}

static void
test_bad_columns(void **state)
{
    (void) state;
    assert_tables_error("\"T\": {\"columns\": {\"_a\": {\"type\": "
                        "\"integer\"}}}", "syntax error", "table \"T\"",
                        "\"_a\" is not a valid column name");
    assert_tables_error("\"T\": {\"columns\": {\"_uuid\": {\"type\": "
                        "\"uuid\"}}}", "syntax error", "table \"T\"",
                        "\"_uuid\"");
    assert_tables_error("\"T\": {\"columns\": {\"a\": {\"type\": "
                        "\"integer\"}, \"9a\": {\"type\": \"integer\"}}}",
                        "syntax error", "table \"T\"", "\"9a\"");
    assert_tables_error("\"T\": {\"columns\": {\"a b\": {\"type\": "
                        "\"integer\"}}}", "syntax error", "table \"T\"",
                        "\"a b\"");
    assert_tables_error("\"T\": {\"columns\": {\"a\": \"integer\"}}",
                        "syntax error", "table \"T\"",
                        "column \"a\" must be an object");
    assert_tables_error("\"T\": {\"columns\": {\"a\": {}}}",
                        "syntax error", "table \"T\": column \"a\"",
                        "\"type\"");
    assert_tables_error("\"T\": {\"columns\": {\"a\": {\"type\": "
                        "\"integer\", \"default\": 0}}}", "syntax error",
                        "table \"T\": column \"a\"",
                        "unknown member \"default\"");
    assert_tables_error("\"T\": {\"columns\": {\"a\": {\"type\": "
                        "\"int\"}}}", "syntax error",
                        "table \"T\": column \"a\"", "int");
    assert_tables_error("\"T\": {\"columns\": {\"a\": {\"type\": "
                        "{\"key\": \"string\", \"min\": 2}}}}",
                        "syntax error", "table \"T\": column \"a\"", "min");
    assert_tables_error("\"T\": {\"columns\": {\"a\": {\"type\": "
                        "\"integer\", \"ephemeral\": \"yes\"}}}",
                        "syntax error", "table \"T\": column \"a\"",
                        "\"ephemeral\"");
    assert_tables_error("\"T\": {\"columns\": {\"a\": {\"type\": "
                        "\"integer\", \"mutable\": 0}}}",
                        "syntax error", "table \"T\": column \"a\"",
                        "\"mutable\"");
    /* A good column before a bad one: nothing leaks. */
    assert_tables_error("\"T\": {\"columns\": {\"a\": {\"type\": "
                        "{\"key\": \"string\", \"value\": \"string\","
                        " \"min\": 0, \"max\": \"unlimited\"}},"
                        " \"b\": {\"type\": \"nothing\"}}}",
                        "syntax error", "column \"b\"", "nothing");
}

/* A member that is null is not taken for an absent one. */
static void
test_null_members(void **state)
{
    (void) state;
    assert_schema_error(
        "{\"name\": \"S\", \"version\": \"1.0.0\", \"tables\": {},"
        " \"cksum\": null}", "syntax error", "\"cksum\"", NULL);
    assert_tables_error("\"T\": {\"isRoot\": null, \"columns\": {\"a\": "
                        "{\"type\": \"integer\"}}}", "syntax error",
                        "table \"T\"", "\"isRoot\"");
    assert_tables_error("\"T\": {\"indexes\": null, \"columns\": {\"a\": "
                        "{\"type\": \"integer\"}}}", "syntax error",
                        "table \"T\"", "\"indexes\"");
    assert_tables_error("\"T\": {\"columns\": null}", "syntax error",
                        "table \"T\"", "\"columns\"");
    assert_tables_error("\"T\": {\"columns\": {\"a\": {\"type\": null}}}",
                        "syntax error", "column \"a\"", "\"type\"");
    assert_tables_error("\"T\": {\"columns\": {\"a\": {\"type\": "
                        "\"integer\", \"mutable\": null}}}",
                        "syntax error", "column \"a\"", "\"mutable\"");
    assert_tables_error("\"T\": {\"columns\": {\"a\": {\"type\": "
                        "\"integer\", \"ephemeral\": null}}}",
                        "syntax error", "column \"a\"", "\"ephemeral\"");
    assert_tables_error("\"T\": {\"columns\": {\"a\": null}}",
                        "syntax error", "column \"a\"", "object");
}

static void
test_bad_ref_table(void **state)
{
    (void) state;
    assert_tables_error("\"T\": {\"columns\": {\"r\": {\"type\": "
                        "{\"key\": {\"type\": \"uuid\", "
                        "\"refTable\": \"Nowhere\"}}}}}",
                        "syntax error", "\"Nowhere\"", "column \"r\"");
    assert_tables_error("\"T\": {\"columns\": {\"r\": {\"type\": "
                        "{\"key\": \"string\", \"value\": {\"type\": "
                        "\"uuid\", \"refTable\": \"Gone\", "
                        "\"refType\": \"weak\"}, \"min\": 0, "
                        "\"max\": \"unlimited\"}}}}",
                        "syntax error", "\"Gone\"", "table \"T\"");
    /* Names are case-sensitive. */
    assert_tables_error("\"T\": {\"columns\": {\"r\": {\"type\": "
                        "{\"key\": {\"type\": \"uuid\", "
                        "\"refTable\": \"t\"}}}}}",
                        "syntax error", "\"t\"", "column \"r\"");

    /* A table may refer to itself. */
    char *text = schema_with("\"T\": {\"columns\": {\"next\": {\"type\": "
                             "{\"key\": {\"type\": \"uuid\", "
                             "\"refTable\": \"T\"}, \"min\": 0}}}}");
    struct db_schema *schema = parse_schema(text);
    struct db_table_schema *t = get_table(schema, "T");
    assert_ptr_equal(get_column(t, "next")->type.key.uuid.ref_table, t);
    check_round_trip(schema);
    db_schema_destroy(schema);
    free(text);
}

static void
test_bad_indexes(void **state)
{
    (void) state;
    assert_tables_error("\"T\": {\"columns\": {\"a\": {\"type\": "
                        "\"integer\"}}, \"indexes\": {}}", "syntax error",
                        "table \"T\"", "\"indexes\"");
    assert_tables_error("\"T\": {\"columns\": {\"a\": {\"type\": "
                        "\"integer\"}}, \"indexes\": [[]]}", "syntax error",
                        "table \"T\"", "index");
    assert_tables_error("\"T\": {\"columns\": {\"a\": {\"type\": "
                        "\"integer\"}}, \"indexes\": [\"a\"]}",
                        "syntax error", "table \"T\"", "index");
    assert_tables_error("\"T\": {\"columns\": {\"a\": {\"type\": "
                        "\"integer\"}}, \"indexes\": [[\"a\"], [\"b\"]]}",
                        "syntax error", "table \"T\"", "\"b\"");
    assert_tables_error("\"T\": {\"columns\": {\"a\": {\"type\": "
                        "\"integer\"}}, \"indexes\": [[\"a\", 5]]}",
                        "syntax error", "table \"T\"", "5");
    assert_tables_error("\"T\": {\"columns\": {\"a\": {\"type\": "
                        "\"integer\"}, \"e\": {\"type\": \"string\", "
                        "\"ephemeral\": true}}, "
                        "\"indexes\": [[\"a\", \"e\"]]}", "syntax error",
                        "table \"T\"", "\"e\" is ephemeral");
}

static void
test_find(void **state)
{
    (void) state;
    struct db_schema *schema = parse_schema(full_text);

    /* Tables are sorted by name and know their place. */
    for (size_t i = 0; i < schema->n_tables; i++) {
        struct db_table_schema *t = schema->tables[i];
        assert_int_equal(t->index, i);
        if (i) {
            assert_true(strcmp(schema->tables[i - 1]->name, t->name) < 0);
        }
        assert_ptr_equal(db_schema_find_table(schema, t->name), t);
    }
    assert_string_equal(schema->tables[0]->name, "Kid");
    assert_string_equal(schema->tables[1]->name, "Pet");
    assert_string_equal(schema->tables[2]->name, "Root");

    assert_null(db_schema_find_table(schema, "root"));
    assert_null(db_schema_find_table(schema, ""));
    assert_null(db_schema_find_table(schema, "A"));
    assert_null(db_schema_find_table(schema, "Zzz"));
    assert_null(db_schema_find_table(schema, "Kids"));

    const struct db_table_schema *root = get_table(schema, "Root");
    for (size_t i = 0; i < root->n_columns; i++) {
        assert_ptr_equal(db_table_schema_find_column(root,
                                                     root->columns[i]->name),
                         root->columns[i]);
    }
    assert_null(db_table_schema_find_column(root, "Name"));
    assert_null(db_table_schema_find_column(root, "species"));
    assert_null(db_table_schema_find_column(root, ""));
    assert_null(db_table_schema_find_column(root, "_uuid2"));
    db_schema_destroy(schema);
}

static void
test_clone_equals(void **state)
{
    (void) state;
    struct db_schema *schema = parse_schema(full_text);
    struct db_schema *clone = db_schema_clone(schema);

    assert_ptr_not_equal(clone, schema);
    assert_true(db_schema_equals(schema, clone));
    assert_string_equal(clone->cksum, "123 45");
    assert_int_equal(clone->n_tables, schema->n_tables);

    /* The clone's references point into the clone. */
    struct db_table_schema *root = get_table(clone, "Root");
    assert_ptr_equal(get_column(root, "kids")->type.key.uuid.ref_table,
                     get_table(clone, "Kid"));
    assert_ptr_equal(get_column(root, "pets")->type.key.uuid.ref_table,
                     get_table(clone, "Pet"));
    assert_false(get_column(root, "name")->mutable);
    assert_false(get_column(root, "stats")->persistent);
    assert_int_equal(root->max_rows, 3);
    assert_int_equal(root->n_indexes, 2);

    /* The clone outlives its original. */
    db_schema_destroy(schema);
    check_round_trip(clone);
    db_schema_destroy(clone);

    /* Any difference makes schemas unequal. */
    static const char base[] =
        "{\"name\": \"E\", \"version\": \"1.0.0\", \"tables\": {"
        " \"A\": {\"isRoot\": true, \"maxRows\": 2, \"indexes\": [[\"a\"]],"
        "  \"columns\": {\"a\": {\"type\": \"integer\"},"
        "               \"b\": {\"type\": \"string\"}}},"
        " \"B\": {\"columns\": {\"c\": {\"type\": \"integer\"}}}}}";
    static const char *const variants[] = {
        /* Other name. */
        "{\"name\": \"F\", \"version\": \"1.0.0\", \"tables\": {"
        " \"A\": {\"isRoot\": true, \"maxRows\": 2, \"indexes\": [[\"a\"]],"
        "  \"columns\": {\"a\": {\"type\": \"integer\"},"
        "               \"b\": {\"type\": \"string\"}}},"
        " \"B\": {\"columns\": {\"c\": {\"type\": \"integer\"}}}}}",
        /* Other version. */
        "{\"name\": \"E\", \"version\": \"1.0.1\", \"tables\": {"
        " \"A\": {\"isRoot\": true, \"maxRows\": 2, \"indexes\": [[\"a\"]],"
        "  \"columns\": {\"a\": {\"type\": \"integer\"},"
        "               \"b\": {\"type\": \"string\"}}},"
        " \"B\": {\"columns\": {\"c\": {\"type\": \"integer\"}}}}}",
        /* A cksum. */
        "{\"name\": \"E\", \"version\": \"1.0.0\", \"cksum\": \"1\","
        " \"tables\": {"
        " \"A\": {\"isRoot\": true, \"maxRows\": 2, \"indexes\": [[\"a\"]],"
        "  \"columns\": {\"a\": {\"type\": \"integer\"},"
        "               \"b\": {\"type\": \"string\"}}},"
        " \"B\": {\"columns\": {\"c\": {\"type\": \"integer\"}}}}}",
        /* No root marked: B becomes root. */
        "{\"name\": \"E\", \"version\": \"1.0.0\", \"tables\": {"
        " \"A\": {\"maxRows\": 2, \"indexes\": [[\"a\"]],"
        "  \"columns\": {\"a\": {\"type\": \"integer\"},"
        "               \"b\": {\"type\": \"string\"}}},"
        " \"B\": {\"columns\": {\"c\": {\"type\": \"integer\"}}}}}",
        /* Other maxRows. */
        "{\"name\": \"E\", \"version\": \"1.0.0\", \"tables\": {"
        " \"A\": {\"isRoot\": true, \"maxRows\": 3, \"indexes\": [[\"a\"]],"
        "  \"columns\": {\"a\": {\"type\": \"integer\"},"
        "               \"b\": {\"type\": \"string\"}}},"
        " \"B\": {\"columns\": {\"c\": {\"type\": \"integer\"}}}}}",
        /* Other index. */
        "{\"name\": \"E\", \"version\": \"1.0.0\", \"tables\": {"
        " \"A\": {\"isRoot\": true, \"maxRows\": 2, \"indexes\": [[\"b\"]],"
        "  \"columns\": {\"a\": {\"type\": \"integer\"},"
        "               \"b\": {\"type\": \"string\"}}},"
        " \"B\": {\"columns\": {\"c\": {\"type\": \"integer\"}}}}}",
        /* An immutable column. */
        "{\"name\": \"E\", \"version\": \"1.0.0\", \"tables\": {"
        " \"A\": {\"isRoot\": true, \"maxRows\": 2, \"indexes\": [[\"a\"]],"
        "  \"columns\": {\"a\": {\"type\": \"integer\"},"
        "               \"b\": {\"type\": \"string\", \"mutable\": false}}},"
        " \"B\": {\"columns\": {\"c\": {\"type\": \"integer\"}}}}}",
        /* An ephemeral column. */
        "{\"name\": \"E\", \"version\": \"1.0.0\", \"tables\": {"
        " \"A\": {\"isRoot\": true, \"maxRows\": 2, \"indexes\": [[\"a\"]],"
        "  \"columns\": {\"a\": {\"type\": \"integer\"},"
        "               \"b\": {\"type\": \"string\", \"ephemeral\": true}}},"
        " \"B\": {\"columns\": {\"c\": {\"type\": \"integer\"}}}}}",
        /* Another column type. */
        "{\"name\": \"E\", \"version\": \"1.0.0\", \"tables\": {"
        " \"A\": {\"isRoot\": true, \"maxRows\": 2, \"indexes\": [[\"a\"]],"
        "  \"columns\": {\"a\": {\"type\": \"integer\"},"
        "               \"b\": {\"type\": {\"key\": \"string\","
        "                                  \"min\": 0}}}},"
        " \"B\": {\"columns\": {\"c\": {\"type\": \"integer\"}}}}}",
        /* A column renamed. */
        "{\"name\": \"E\", \"version\": \"1.0.0\", \"tables\": {"
        " \"A\": {\"isRoot\": true, \"maxRows\": 2, \"indexes\": [[\"a\"]],"
        "  \"columns\": {\"a\": {\"type\": \"integer\"},"
        "               \"bb\": {\"type\": \"string\"}}},"
        " \"B\": {\"columns\": {\"c\": {\"type\": \"integer\"}}}}}",
        /* Another table. */
        "{\"name\": \"E\", \"version\": \"1.0.0\", \"tables\": {"
        " \"A\": {\"isRoot\": true, \"maxRows\": 2, \"indexes\": [[\"a\"]],"
        "  \"columns\": {\"a\": {\"type\": \"integer\"},"
        "               \"b\": {\"type\": \"string\"}}},"
        " \"B\": {\"columns\": {\"c\": {\"type\": \"integer\"}}},"
        " \"C\": {\"columns\": {\"c\": {\"type\": \"integer\"}}}}}",
    };
    struct db_schema *a = parse_schema(base);
    struct db_schema *a2 = parse_schema(base);
    assert_true(db_schema_equals(a, a2));
    assert_true(db_schema_equals(a, a));
    for (size_t i = 0; i < ARRAY_SIZE(variants); i++) {
        struct db_schema *b = parse_schema(variants[i]);
        if (db_schema_equals(a, b) || db_schema_equals(b, a)) {
            fail_msg("variant %zu equals the base schema", i);
        }
        check_round_trip(b);
        db_schema_destroy(b);
    }
    db_schema_destroy(a2);
    db_schema_destroy(a);
}

static char *
srcdir_path(const char *file)
{
    const char *srcdir = getenv("srcdir");
    return xasprintf("%s/%s", srcdir && *srcdir ? srcdir : "..", file);
}

/* The schema skiff-dbd serves. */
static void
test_vswitch_schema(void **state)
{
    char *path = srcdir_path("vswitchd/vswitch.schema.json");
    struct db_schema *schema = (void *) 1;
    struct db_error *error;

    (void) state;
    error = db_schema_from_file(path, &schema);
    if (error) {
        char *s = db_error_to_string(error);
        fail_msg("%s: %s", path, s);
    }
    assert_string_equal(schema->name, "Open_vSwitch");
    assert_true(schema->n_tables >= 11);

    static const char *const tables[] = {
        "Bridge", "Controller", "Interface", "Manager", "Mirror",
        "NetFlow", "Open_vSwitch", "Port", "QoS", "Queue", "SSL",
    };
    for (size_t i = 0; i < ARRAY_SIZE(tables); i++) {
        get_table(schema, tables[i]);
    }

    struct db_table_schema *ovs = get_table(schema, "Open_vSwitch");
    assert_true(ovs->is_root);
    assert_int_equal(ovs->max_rows, 1);
    assert_false(get_column(ovs, "statistics")->persistent);
    assert_ptr_equal(get_column(ovs, "bridges")->type.key.uuid.ref_table,
                     get_table(schema, "Bridge"));

    struct db_table_schema *bridge = get_table(schema, "Bridge");
    assert_false(bridge->is_root);
    assert_false(get_column(bridge, "name")->mutable);
    assert_int_equal(bridge->n_indexes, 1);
    assert_ptr_equal(bridge->indexes[0].columns[0],
                     get_column(bridge, "name"));
    assert_ptr_equal(get_column(bridge, "ports")->type.key.uuid.ref_table,
                     get_table(schema, "Port"));
    assert_true(get_table(schema, "QoS")->is_root);
    assert_false(get_table(schema, "Port")->is_root);

    check_round_trip(schema);
    struct db_schema *clone = db_schema_clone(schema);
    assert_true(db_schema_equals(schema, clone));
    db_schema_destroy(clone);
    db_schema_destroy(schema);
    free(path);
}

static void
write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
}

static void
assert_file_error(const char *path, const char *tag, const char *a,
                  const char *b)
{
    struct db_schema *schema = (void *) 1;
    struct db_error *error = db_schema_from_file(path, &schema);

    if (!error) {
        fail_msg("%s: read, but should have failed", path);
    }
    assert_null(schema);
    if (strcmp(error->tag, tag)) {
        fail_msg("%s: tag \"%s\" (%s), expected \"%s\"", path, error->tag,
                 error->details ? error->details : "(null)", tag);
    }
    const char *needles[] = { path, a, b };
    for (size_t i = 0; i < ARRAY_SIZE(needles); i++) {
        if (needles[i]
            && (!error->details || !strstr(error->details, needles[i]))) {
            fail_msg("details \"%s\" lack \"%s\"",
                     error->details ? error->details : "(null)",
                     needles[i]);
        }
    }
    db_error_destroy(error);
}

static void
test_schema_files(void **state)
{
    char *dir = unit_mkdtemp();
    char *missing = xasprintf("%s/missing.json", dir);
    char *garbage = xasprintf("%s/garbage.json", dir);
    char *truncated = xasprintf("%s/truncated.json", dir);
    char *invalid = xasprintf("%s/invalid.json", dir);
    char *empty = xasprintf("%s/empty.json", dir);
    char *good = xasprintf("%s/good.json", dir);

    (void) state;
    assert_file_error(missing, "I/O error", NULL, NULL);
    assert_file_error(dir, "I/O error", NULL, NULL);

    write_file(garbage, "this is not JSON\n");
    assert_file_error(garbage, "I/O error", NULL, NULL);

    write_file(truncated, "{\"name\": \"S\", \"version\": \"1.0.0\", ");
    assert_file_error(truncated, "I/O error", NULL, NULL);

    write_file(empty, "");
    assert_file_error(empty, "I/O error", NULL, NULL);

    /* Good JSON, bad schema: the error names the file and the problem. */
    write_file(invalid, "{\"name\": \"S\", \"version\": \"1.0\", "
               "\"tables\": {}}\n");
    assert_file_error(invalid, "syntax error", "\"version\"", NULL);

    write_file(good, minimal_text);
    struct db_schema *schema;
    struct db_error *error = db_schema_from_file(good, &schema);
    assert_null(error);
    struct db_schema *expected = parse_schema(minimal_text);
    assert_true(db_schema_equals(schema, expected));
    db_schema_destroy(expected);
    db_schema_destroy(schema);

    unit_rmdir_r(dir);
    free(good);
    free(empty);
    free(invalid);
    free(truncated);
    free(garbage);
    free(missing);
    free(dir);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_minimal),
        cmocka_unit_test(test_builtin_columns),
        cmocka_unit_test(test_full),
        cmocka_unit_test(test_to_json),
        cmocka_unit_test(test_is_root),
        cmocka_unit_test(test_max_rows),
        cmocka_unit_test(test_bad_schema),
        cmocka_unit_test(test_bad_name),
        cmocka_unit_test(test_bad_version),
        cmocka_unit_test(test_bad_tables),
        cmocka_unit_test(test_bad_columns),
        cmocka_unit_test(test_null_members),
        cmocka_unit_test(test_bad_ref_table),
        cmocka_unit_test(test_bad_indexes),
        cmocka_unit_test(test_find),
        cmocka_unit_test(test_clone_equals),
        cmocka_unit_test(test_vswitch_schema),
        cmocka_unit_test(test_schema_files),
    };
    return cmocka_run_group_tests_name("db-schema", tests, NULL, NULL);
}
