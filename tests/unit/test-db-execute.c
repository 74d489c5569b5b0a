/* test-db-execute: the operations of RFC 7047 "transact" requests (section
 * 5.2), JSON in and JSON out. */
#include "unit.h"

#include <limits.h>

#include <json-c/json.h>

#include "db-error.h"
#include "db-execute.h"
#include "db-schema.h"
#include "db-txn.h"
#include "db.h"
#include "dynamic-string.h"
#include "uuid.h"

/* T is the root table; K rows live while a T refers to them. */
static const char schema_text[] =
    "{\"name\": \"Exec\", \"version\": \"1.0.0\", \"tables\": {"
    " \"T\": {\"isRoot\": true, \"indexes\": [[\"name\"]],"
    "  \"columns\": {"
    "   \"name\": {\"type\": \"string\"},"
    "   \"n\": {\"type\": \"integer\"},"
    "   \"r\": {\"type\": \"real\"},"
    "   \"b\": {\"type\": \"boolean\"},"
    "   \"tags\": {\"type\": {\"key\": \"string\", \"min\": 0,"
    "                        \"max\": \"unlimited\"}},"
    "   \"map\": {\"type\": {\"key\": \"string\", \"value\": \"integer\","
    "                       \"min\": 0, \"max\": \"unlimited\"}},"
    "   \"fixed\": {\"type\": \"integer\", \"mutable\": false},"
    "   \"ref\": {\"type\": {\"key\": {\"type\": \"uuid\","
    "                                \"refTable\": \"T\"},"
    "                       \"min\": 0, \"max\": 1}},"
    "   \"kids\": {\"type\": {\"key\": {\"type\": \"uuid\","
    "                                 \"refTable\": \"K\"},"
    "                        \"min\": 0, \"max\": \"unlimited\"}}}},"
    " \"K\": {\"columns\": {\"v\": {\"type\": \"integer\"}}}"
    "}}";

static struct db *db;

/* A replica that remembers the last commit it was offered. */
struct test_replica {
    struct db_replica up;
    int n_commits;
    bool durable;
    char *comment;
};

static struct test_replica *replica;

static struct db_error *
test_replica_commit(struct db_replica *replica_, const struct db_txn *txn,
                    bool durable)
{
    struct test_replica *r = CONTAINER_OF(replica_, struct test_replica,
                                          up);
    r->n_commits++;
    r->durable = durable;
    free(r->comment);
    r->comment = txn->comment ? xstrdup(txn->comment) : NULL;
    return NULL;
}

static void
test_replica_destroy(struct db_replica *replica_)
{
    struct test_replica *r = CONTAINER_OF(replica_, struct test_replica,
                                          up);
    free(r->comment);
    free(r);
}

static const struct db_replica_class test_replica_class = {
    test_replica_commit,
    test_replica_destroy,
};

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
    replica = xzalloc(sizeof *replica);
    replica->up.class = &test_replica_class;
    db_add_replica(db, &replica->up);
    return 0;
}

static int
teardown(void **state)
{
    (void) state;
    db_destroy(db);             /* Destroys the replica too. */
    db = NULL;
    replica = NULL;
    return 0;
}

/* Runs the operations in OPS_TEXT for SESSION (may be NULL) as if the
 * request had waited ELAPSED ms.  Returns the result, or NULL if the
 * request must wait (then *RETRY says for how long). */
static struct json_object *
execute(const char *ops_text, const struct db_session_info *session,
        long long int elapsed, long long int *retry)
{
    struct json_object *ops = parse_json(ops_text);
    struct json_object *result;

    *retry = -12345;
    assert_null(db->txn);
    result = db_execute(db, session, ops, elapsed, retry);
    assert_null(db->txn);
    if (result) {
        assert_true(json_object_is_type(result, json_type_array));
        assert_int_equal(*retry, -12345);   /* Untouched. */
    }
    json_object_put(ops);
    return result;
}

static char * PRINTF_FORMAT(1, 0)
vformat(const char *format, va_list args)
{
    return xvasprintf(format, args);
}

/* Runs the operations in printf-style FORMAT, which must not wait, and
 * returns the result. */
static struct json_object * PRINTF_FORMAT(1, 2)
transact(const char *format, ...)
{
    va_list args;
    long long int retry;

    va_start(args, format);
    char *text = vformat(format, args);
    va_end(args);
    struct json_object *result = execute(text, NULL, 0, &retry);
    if (!result) {
        fail_msg("%s: waits", text);
    }
    free(text);
    return result;
}

/* Checks that RESULT is the JSON in printf-style FORMAT, and puts it. */
static void PRINTF_FORMAT(2, 3)
assert_result(struct json_object *result, const char *format, ...)
{
    va_list args;

    va_start(args, format);
    char *text = vformat(format, args);
    va_end(args);
    struct json_object *expected = parse_json(text);
    if (!json_object_equal(result, expected)) {
        fail_msg("result %s\nexpected %s", json_text(result),
                 json_text(expected));
    }
    json_object_put(expected);
    json_object_put(result);
    free(text);
}

/* Checks that RESULT has N elements, that element I is an error with TAG
 * whose details contain each of the NULL-ended strings that follow, and
 * that every element after it is null.  Puts RESULT. */
static void
assert_error(struct json_object *result, size_t i, size_t n,
             const char *tag, ...)
{
    va_list args;

    if (json_object_array_length(result) != n) {
        fail_msg("%s: %zu elements, expected %zu", json_text(result),
                 json_object_array_length(result), n);
    }
    struct json_object *error = json_object_array_get_idx(result, i);
    struct json_object *t, *details;
    if (!json_object_object_get_ex(error, "error", &t)
        || strcmp(json_object_get_string(t), tag)) {
        fail_msg("%s: element %zu is not a \"%s\" error", json_text(result),
                 i, tag);
    }
    if (json_object_object_length(error) != 2
        || !json_object_object_get_ex(error, "details", &details)
        || !json_object_is_type(details, json_type_string)) {
        fail_msg("%s: error %zu lacks details or has extra members",
                 json_text(result), i);
    }
    va_start(args, tag);
    for (const char *s; (s = va_arg(args, const char *)); ) {
        if (!strstr(json_object_get_string(details), s)) {
            fail_msg("%s: details lack \"%s\"", json_text(result), s);
        }
    }
    va_end(args);
    for (size_t j = i + 1; j < n; j++) {
        if (json_object_array_get_idx(result, j)) {
            fail_msg("%s: element %zu is not null", json_text(result), j);
        }
    }
    json_object_put(result);
}

/* The uuid in element I ({"uuid": ["uuid", UUID]}) of RESULT. */
static struct uuid
result_uuid(struct json_object *result, size_t i)
{
    struct json_object *element = json_object_array_get_idx(result, i);
    struct json_object *u;
    struct uuid uuid;

    if (!json_object_object_get_ex(element, "uuid", &u)
        || json_object_array_length(u) != 2
        || strcmp(json_object_get_string(json_object_array_get_idx(u, 0)),
                  "uuid")
        || !uuid_from_string(&uuid, json_object_get_string(
                                 json_object_array_get_idx(u, 1)))) {
        fail_msg("%s: element %zu is not an insert's result",
                 json_text(result), i);
    }
    return uuid;
}

/* ["uuid", "..."] for UUID, in one of a few static buffers. */
static const char *
U(const struct uuid *uuid)
{
    static char buffers[8][64];
    static size_t next;
    char *s = buffers[next++ % ARRAY_SIZE(buffers)];
    snprintf(s, sizeof buffers[0], "[\"uuid\", \""UUID_FMT"\"]",
             UUID_ARGS(uuid));
    return s;
}

/* Inserts a T row with the columns in the JSON object ROW and returns its
 * uuid. */
static struct uuid
insert_row(const char *row)
{
    struct json_object *result = transact(
        "[{\"op\": \"insert\", \"table\": \"T\", \"row\": %s}]", row);
    assert_int_equal(json_object_array_length(result), 1);
    struct uuid uuid = result_uuid(result, 0);
    json_object_put(result);
    return uuid;
}

static size_t
count(const char *table)
{
    return db_table_count_rows(db_get_table(db, table));
}

/* The whole database as JSON, to compare states exactly. */
static struct json_object *
dump(void)
{
    struct json_object *json = json_object_new_object();
    for (size_t t = 0; t < db->schema->n_tables; t++) {
        const struct db_table *table = db->tables[t];
        const struct db_table_schema *ts = table->schema;
        struct json_object *rows = json_object_new_object();
        const struct db_row *row;
        DB_TABLE_FOR_EACH_ROW (row, table) {
            char uuid[UUID_LEN + 1];
            uuid_to_string(db_row_get_uuid(row), uuid);
            json_object_object_add(
                rows, uuid, db_row_to_json(
                    row, (const struct db_column **) ts->columns,
                    ts->n_columns));
        }
        json_object_object_add(json, ts->name, rows);
    }
    return json;
}

static void
assert_unchanged(struct json_object *before)
{
    struct json_object *after = dump();
    if (!json_object_equal(before, after)) {
        fail_msg("database changed:\nbefore: %s\nafter: %s",
                 json_text(before), json_text(after));
    }
    json_object_put(after);
}

/* Selects the T row with UUID and checks that its COLUMNS (a JSON array)
 * are the object in printf-style FORMAT. */
static void PRINTF_FORMAT(3, 4)
assert_row(const struct uuid *uuid, const char *columns,
           const char *format, ...)
{
    va_list args;

    va_start(args, format);
    char *expected = vformat(format, args);
    va_end(args);
    struct json_object *result = transact(
        "[{\"op\": \"select\", \"table\": \"T\", \"where\": "
        "[[\"_uuid\", \"==\", %s]], \"columns\": %s}]", U(uuid), columns);
    assert_result(result, "[{\"rows\": [%s]}]", expected);
    free(expected);
}

/* Checks that ELEMENT, a select's result, has exactly the rows in the
 * JSON array EXPECTED, in any order. */
static void
assert_rows(struct json_object *element, const char *expected_text)
{
    struct json_object *expected = parse_json(expected_text);
    struct json_object *rows;
    size_t n = json_object_array_length(expected);
    bool *used = xcalloc(n + 1, sizeof *used);

    if (json_object_object_length(element) != 1
        || !json_object_object_get_ex(element, "rows", &rows)
        || !json_object_is_type(rows, json_type_array)
        || json_object_array_length(rows) != n) {
        fail_msg("%s, expected rows %s", json_text(element), expected_text);
    }
    for (size_t i = 0; i < n; i++) {
        struct json_object *row = json_object_array_get_idx(rows, i);
        size_t j;
        for (j = 0; j < n; j++) {
            if (!used[j] && json_object_equal(
                    row, json_object_array_get_idx(expected, j))) {
                used[j] = true;
                break;
            }
        }
        if (j == n) {
            fail_msg("%s, expected rows %s", json_text(element),
                     expected_text);
        }
    }
    free(used);
    json_object_put(expected);
}

/* Operations. */

static void
test_insert(void **state)
{
    (void) state;
    struct json_object *result = transact(
        "[{\"op\": \"insert\", \"table\": \"T\","
        "  \"row\": {\"name\": \"a\", \"n\": 5, \"r\": 1.5, \"b\": true,"
        "            \"tags\": [\"set\", [\"x\", \"y\"]],"
        "            \"map\": [\"map\", [[\"k\", 1]]]}}]");
    assert_int_equal(json_object_array_length(result), 1);
    assert_int_equal(json_object_object_length(
                         json_object_array_get_idx(result, 0)), 1);
    struct uuid a = result_uuid(result, 0);
    json_object_put(result);
    assert_int_equal(replica->n_commits, 1);
    assert_int_equal(count("T"), 1);

    assert_row(&a, "[\"name\", \"n\", \"r\", \"b\", \"tags\", \"map\", "
               "\"fixed\", \"ref\", \"kids\", \"_uuid\"]",
               "{\"name\": \"a\", \"n\": 5, \"r\": 1.5, \"b\": true,"
               " \"tags\": [\"set\", [\"x\", \"y\"]],"
               " \"map\": [\"map\", [[\"k\", 1]]], \"fixed\": 0,"
               " \"ref\": [\"set\", []], \"kids\": [\"set\", []],"
               " \"_uuid\": %s}", U(&a));

    /* Columns left out take their defaults. */
    struct uuid b = insert_row("{}");
    assert_row(&b, "[\"name\", \"n\", \"r\", \"b\", \"tags\", \"map\"]",
               "{\"name\": \"\", \"n\": 0, \"r\": 0.0, \"b\": false,"
               " \"tags\": [\"set\", []], \"map\": [\"map\", []]}");

    /* Immutable columns can be set by an insert. */
    struct uuid c = insert_row("{\"name\": \"c\", \"fixed\": 7}");
    assert_row(&c, "[\"fixed\"]", "{\"fixed\": 7}");

    /* Several inserts in one request, each with its own uuid. */
    result = transact(
        "[{\"op\": \"insert\", \"table\": \"T\","
        "  \"row\": {\"name\": \"d\"}},"
        " {\"op\": \"insert\", \"table\": \"T\","
        "  \"row\": {\"name\": \"e\"}}]");
    struct uuid d = result_uuid(result, 0);
    struct uuid e = result_uuid(result, 1);
    assert_false(uuid_equals(&d, &e));
    json_object_put(result);
    assert_int_equal(count("T"), 5);
}

static void
test_insert_named_uuids(void **state)
{
    (void) state;
    /* A forward reference, and references both ways. */
    struct json_object *result = transact(
        "[{\"op\": \"insert\", \"table\": \"T\", \"uuid-name\": \"first\","
        "  \"row\": {\"name\": \"a\","
        "            \"ref\": [\"named-uuid\", \"second\"]}},"
        " {\"op\": \"insert\", \"table\": \"T\", \"uuid-name\": \"second\","
        "  \"row\": {\"name\": \"b\","
        "            \"ref\": [\"named-uuid\", \"first\"],"
        "            \"kids\": [\"set\", [[\"named-uuid\", \"kid\"]]]}},"
        " {\"op\": \"insert\", \"table\": \"K\", \"uuid-name\": \"kid\","
        "  \"row\": {\"v\": 1}},"
        " {\"op\": \"select\", \"table\": \"T\", \"where\": "
        "  [[\"ref\", \"==\", [\"named-uuid\", \"first\"]]],"
        "  \"columns\": [\"name\"]}]");
    struct uuid a = result_uuid(result, 0);
    struct uuid b = result_uuid(result, 1);
    struct uuid k = result_uuid(result, 2);
    struct json_object *select = json_object_array_get_idx(result, 3);
    struct json_object *expected = parse_json(
        "{\"rows\": [{\"name\": \"b\"}]}");
    assert_true(json_object_equal(select, expected));
    json_object_put(expected);
    json_object_put(result);

    assert_row(&a, "[\"ref\"]", "{\"ref\": %s}", U(&b));
    assert_row(&b, "[\"ref\", \"kids\"]", "{\"ref\": %s, \"kids\": %s}",
               U(&a), U(&k));
    assert_int_equal(count("K"), 1);
    assert_int_equal(db_table_find_row(db_get_table(db, "K"), &k)->n_refs,
                     1);
}

static void
test_insert_errors(void **state)
{
    (void) state;
    insert_row("{\"name\": \"a\"}");
    struct json_object *before = dump();
    int n_commits = replica->n_commits;

    /* Two inserts with one uuid-name. */
    assert_error(transact(
        "[{\"op\": \"insert\", \"table\": \"T\", \"uuid-name\": \"x\","
        "  \"row\": {\"name\": \"b\"}},"
        " {\"op\": \"insert\", \"table\": \"T\", \"uuid-name\": \"x\","
        "  \"row\": {\"name\": \"c\"}},"
        " {\"op\": \"comment\", \"comment\": \"never\"}]"),
        1, 3, "duplicate uuid-name", "\"x\"", NULL);

    /* A named-uuid that no insert defines: the error comes after the
     * operations' results. */
    struct json_object *result = transact(
        "[{\"op\": \"insert\", \"table\": \"T\","
        "  \"row\": {\"name\": \"b\","
        "            \"ref\": [\"named-uuid\", \"nowhere\"]}}]");
    result_uuid(result, 0);
    assert_error(result, 1, 2, "syntax error", "\"nowhere\"", NULL);

    /* Bad rows. */
    assert_error(transact(
        "[{\"op\": \"insert\", \"table\": \"T\", \"row\": {\"zz\": 1}}]"),
        0, 1, "syntax error", "no column \"zz\"", NULL);
    assert_error(transact(
        "[{\"op\": \"insert\", \"table\": \"T\", \"row\": {\"n\": \"5\"}}]"),
        0, 1, "syntax error", "column n", NULL);
    assert_error(transact(
        "[{\"op\": \"insert\", \"table\": \"T\", \"row\": {\"tags\": "
        "[\"set\", [\"x\", \"x\"]]}}]"),
        0, 1, "constraint violation", "tags", NULL);
    assert_error(transact(
        "[{\"op\": \"insert\", \"table\": \"T\", \"row\": {\"_uuid\": "
        "[\"uuid\", \"00000000-0000-4000-8000-000000000000\"]}}]"),
        0, 1, "constraint violation", "_uuid", NULL);
    assert_error(transact(
        "[{\"op\": \"insert\", \"table\": \"T\", \"row\": {\"_version\": "
        "[\"uuid\", \"00000000-0000-4000-8000-000000000000\"]}}]"),
        0, 1, "constraint violation", "_version", NULL);
    assert_error(transact(
        "[{\"op\": \"insert\", \"table\": \"T\", \"row\": [1]}]"),
        0, 1, "syntax error", "\"row\" must be an object", NULL);
    assert_error(transact(
        "[{\"op\": \"insert\", \"table\": \"Nope\", \"row\": {}}]"),
        0, 1, "syntax error", "no table named \"Nope\"", NULL);
    assert_error(transact(
        "[{\"op\": \"insert\", \"table\": 5, \"row\": {}}]"),
        0, 1, "syntax error", "\"table\"", NULL);
    assert_error(transact("[{\"op\": \"insert\", \"table\": \"T\"}]"),
                 0, 1, "syntax error", "lacks \"row\"", NULL);
    assert_error(transact("[{\"op\": \"insert\", \"row\": {}}]"),
                 0, 1, "syntax error", "lacks \"table\"", NULL);
    assert_error(transact(
        "[{\"op\": \"insert\", \"table\": \"T\", \"row\": {},"
        "  \"uuid-name\": 5}]"),
        0, 1, "syntax error", "uuid-name", NULL);
    assert_error(transact(
        "[{\"op\": \"insert\", \"table\": \"T\", \"row\": {},"
        "  \"uuid-name\": \"\"}]"),
        0, 1, "syntax error", "uuid-name", NULL);
    /* A named-uuid needs a name. */
    assert_error(transact(
        "[{\"op\": \"insert\", \"table\": \"T\", \"row\": {\"ref\": "
        "[\"named-uuid\", 5]}}]"),
        0, 1, "syntax error", "ref", NULL);

    assert_int_equal(replica->n_commits, n_commits);
    assert_unchanged(before);
    json_object_put(before);
}

static void
test_select(void **state)
{
    (void) state;
    struct uuid a = insert_row("{\"name\": \"a\", \"n\": 1, \"r\": 0.5, "
                               "\"tags\": [\"set\", [\"x\", \"y\"]], "
                               "\"map\": [\"map\", [[\"k\", 1]]]}");
    struct uuid b = insert_row("{\"name\": \"b\", \"n\": 2, \"b\": true, "
                               "\"tags\": \"y\"}");
    struct uuid c = insert_row("{\"name\": \"c\", \"n\": 3, \"r\": 2.5}");
    int n_commits = replica->n_commits;

    static const struct {
        const char *where;
        const char *names;      /* One letter per row. */
    } cases[] = {
        { "[]", "abc" },
        { "[[\"n\", \"<\", 2]]", "a" },
        { "[[\"n\", \"<=\", 2]]", "ab" },
        { "[[\"n\", \"==\", 2]]", "b" },
        { "[[\"n\", \"!=\", 2]]", "ac" },
        { "[[\"n\", \">=\", 2]]", "bc" },
        { "[[\"n\", \">\", 2]]", "c" },
        { "[[\"r\", \"<\", 1.0]]", "ab" },
        { "[[\"b\", \"==\", true]]", "b" },
        { "[[\"name\", \"==\", \"c\"]]", "c" },
        { "[[\"tags\", \"includes\", \"y\"]]", "ab" },
        { "[[\"tags\", \"includes\", [\"set\", [\"x\", \"y\"]]]]",
          "a" },
        { "[[\"tags\", \"excludes\", \"x\"]]", "bc" },
        { "[[\"tags\", \"==\", [\"set\", []]]]", "c" },
        { "[[\"map\", \"includes\", [\"map\", [[\"k\", 1]]]]]", "a" },
        { "[[\"map\", \"excludes\", [\"map\", [[\"k\", 1]]]]]",
          "bc" },
        { "[[\"n\", \">\", 1], [\"n\", \"<\", 3]]", "b" },
        { "[[\"n\", \">\", 3]]", "" },
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct json_object *result = transact(
            "[{\"op\": \"select\", \"table\": \"T\", \"where\": %s,"
            "  \"columns\": [\"name\"]}]", cases[i].where);
        struct ds rows = DS_EMPTY_INITIALIZER;
        ds_put_char(&rows, '[');
        for (const char *p = cases[i].names; *p; p++) {
            ds_put_format(&rows, "%s{\"name\": \"%c\"}",
                          p == cases[i].names ? "" : ", ", *p);
        }
        ds_put_char(&rows, ']');
        assert_int_equal(json_object_array_length(result), 1);
        assert_rows(json_object_array_get_idx(result, 0), ds_cstr(&rows));
        ds_destroy(&rows);
        json_object_put(result);
    }

    /* By _uuid, with and without further clauses. */
    assert_result(transact(
        "[{\"op\": \"select\", \"table\": \"T\", \"where\": "
        "[[\"_uuid\", \"==\", %s]], \"columns\": [\"name\", \"n\"]}]",
        U(&b)), "[{\"rows\": [{\"name\": \"b\", \"n\": 2}]}]");
    assert_result(transact(
        "[{\"op\": \"select\", \"table\": \"T\", \"where\": "
        "[[\"n\", \">\", 0], [\"_uuid\", \"==\", %s]],"
        " \"columns\": [\"name\"]}]", U(&c)),
        "[{\"rows\": [{\"name\": \"c\"}]}]");
    assert_result(transact(
        "[{\"op\": \"select\", \"table\": \"T\", \"where\": "
        "[[\"_uuid\", \"==\", %s], [\"n\", \"==\", 2]],"
        " \"columns\": [\"name\"]}]", U(&c)), "[{\"rows\": []}]");
    assert_result(transact(
        "[{\"op\": \"select\", \"table\": \"T\", \"where\": "
        "[[\"_uuid\", \"includes\", %s]], \"columns\": [\"name\"]}]",
        U(&a)), "[{\"rows\": [{\"name\": \"a\"}]}]");
    assert_result(transact(
        "[{\"op\": \"select\", \"table\": \"T\", \"where\": "
        "[[\"_uuid\", \"==\", [\"uuid\", "
        "\"00000000-0000-4000-8000-000000000000\"]]],"
        " \"columns\": [\"name\"]}]"), "[{\"rows\": []}]");
    assert_result(transact(
        "[{\"op\": \"select\", \"table\": \"T\", \"where\": "
        "[[\"_uuid\", \"!=\", %s]], \"columns\": []}]", U(&a)),
        "[{\"rows\": [{}, {}]}]");

    /* Without "columns": every column, _uuid and _version included. */
    struct json_object *result = transact(
        "[{\"op\": \"select\", \"table\": \"T\", \"where\": "
        "[[\"_uuid\", \"==\", %s]]}]", U(&a));
    struct json_object *rows, *row, *value;
    assert_true(json_object_object_get_ex(
                    json_object_array_get_idx(result, 0), "rows", &rows));
    assert_int_equal(json_object_array_length(rows), 1);
    row = json_object_array_get_idx(rows, 0);
    assert_int_equal(json_object_object_length(row), 11);
    assert_true(json_object_object_get_ex(row, "_uuid", &value));
    struct json_object *expected = parse_json(U(&a));
    assert_true(json_object_equal(value, expected));
    json_object_put(expected);
    assert_true(json_object_object_get_ex(row, "_version", &value));
    assert_true(json_object_object_get_ex(row, "kids", &value));
    json_object_put(result);

    /* A select sees the operations before it. */
    n_commits = replica->n_commits;
    result = transact(
        "[{\"op\": \"insert\", \"table\": \"T\", \"row\": {\"name\": \"d\","
        "  \"n\": 4}},"
        " {\"op\": \"delete\", \"table\": \"T\", \"where\": "
        "  [[\"name\", \"==\", \"c\"]]},"
        " {\"op\": \"update\", \"table\": \"T\", \"where\": "
        "  [[\"name\", \"==\", \"b\"]], \"row\": {\"n\": 20}},"
        " {\"op\": \"select\", \"table\": \"T\", \"where\": "
        "  [[\"n\", \">=\", 3]], \"columns\": [\"name\", \"n\"]},"
        " {\"op\": \"abort\"}]");
    assert_rows(json_object_array_get_idx(result, 3),
                "[{\"name\": \"d\", \"n\": 4}, {\"name\": \"b\", \"n\": 20}]");
    assert_error(result, 4, 5, "aborted", NULL);
    assert_int_equal(replica->n_commits, n_commits);
    assert_int_equal(count("T"), 3);
}

static void
test_update(void **state)
{
    (void) state;
    struct uuid a = insert_row("{\"name\": \"a\", \"n\": 1, \"fixed\": 3}");
    struct uuid b = insert_row("{\"name\": \"b\", \"n\": 2}");
    struct uuid c = insert_row("{\"name\": \"c\", \"n\": 3}");

    assert_result(transact(
        "[{\"op\": \"update\", \"table\": \"T\", \"where\": "
        "[[\"n\", \">\", 1]], \"row\": {\"b\": true, \"tags\": \"u\"}}]"),
        "[{\"count\": 2}]");
    assert_row(&a, "[\"b\", \"tags\"]", "{\"b\": false, \"tags\": "
               "[\"set\", []]}");
    assert_row(&b, "[\"b\", \"tags\", \"n\"]", "{\"b\": true, \"tags\": "
               "\"u\", \"n\": 2}");
    assert_row(&c, "[\"b\", \"tags\"]", "{\"b\": true, \"tags\": \"u\"}");

    /* No match: a count of 0, and still a commit. */
    int n_commits = replica->n_commits;
    assert_result(transact(
        "[{\"op\": \"update\", \"table\": \"T\", \"where\": "
        "[[\"n\", \">\", 100]], \"row\": {\"n\": 0}}]"), "[{\"count\": 0}]");
    assert_int_equal(replica->n_commits, n_commits + 1);

    /* By _uuid, with an empty row. */
    assert_result(transact(
        "[{\"op\": \"update\", \"table\": \"T\", \"where\": "
        "[[\"_uuid\", \"==\", %s]], \"row\": {}}]", U(&a)),
        "[{\"count\": 1}]");
    assert_result(transact(
        "[{\"op\": \"update\", \"table\": \"T\", \"where\": [], "
        "\"row\": {\"ref\": %s}}]", U(&a)), "[{\"count\": 3}]");
    assert_row(&c, "[\"ref\"]", "{\"ref\": %s}", U(&a));

    struct json_object *before = dump();
    n_commits = replica->n_commits;

    /* Immutable and builtin columns cannot be updated. */
    assert_error(transact(
        "[{\"op\": \"update\", \"table\": \"T\", \"where\": [], "
        "\"row\": {\"n\": 9, \"fixed\": 4}}]"),
        0, 1, "constraint violation", "fixed", "cannot be changed", NULL);
    assert_error(transact(
        "[{\"op\": \"update\", \"table\": \"T\", \"where\": [], "
        "\"row\": {\"_uuid\": %s}}]", U(&a)),
        0, 1, "constraint violation", "_uuid", NULL);
    assert_error(transact(
        "[{\"op\": \"update\", \"table\": \"T\", \"where\": [], "
        "\"row\": {\"_version\": %s}}]", U(&a)),
        0, 1, "constraint violation", "_version", NULL);
    /* Even when no row matches. */
    assert_error(transact(
        "[{\"op\": \"update\", \"table\": \"T\", \"where\": "
        "[[\"n\", \">\", 100]], \"row\": {\"fixed\": 4}}]"),
        0, 1, "constraint violation", "fixed", NULL);

    /* Bad values, columns and members. */
    assert_error(transact(
        "[{\"op\": \"update\", \"table\": \"T\", \"where\": [], "
        "\"row\": {\"n\": 1.5}}]"), 0, 1, "syntax error", "column n", NULL);
    assert_error(transact(
        "[{\"op\": \"update\", \"table\": \"T\", \"where\": [], "
        "\"row\": {\"nope\": 1}}]"), 0, 1, "syntax error", "nope", NULL);
    assert_error(transact(
        "[{\"op\": \"update\", \"table\": \"T\", \"where\": [], "
        "\"row\": 7}]"), 0, 1, "syntax error", "\"row\"", NULL);
    assert_error(transact(
        "[{\"op\": \"update\", \"table\": \"T\", \"where\": {}, "
        "\"row\": {}}]"), 0, 1, "syntax error", NULL);
    assert_error(transact(
        "[{\"op\": \"update\", \"table\": \"T\", \"row\": {}}]"),
        0, 1, "syntax error", "lacks \"where\"", NULL);
    assert_error(transact(
        "[{\"op\": \"update\", \"table\": \"T\", \"where\": [], "
        "\"row\": {}, \"uuid-name\": \"x\"}]"),
        0, 1, "syntax error", "unknown member \"uuid-name\"", NULL);

    /* Breaking a unique index: the commit's error follows the results. */
    struct json_object *result = transact(
        "[{\"op\": \"update\", \"table\": \"T\", \"where\": "
        "[[\"name\", \"==\", \"b\"]], \"row\": {\"name\": \"a\"}}]");
    assert_int_equal(json_object_array_length(result), 2);
    struct json_object *expected = parse_json("{\"count\": 1}");
    assert_true(json_object_equal(json_object_array_get_idx(result, 0),
                                  expected));
    json_object_put(expected);
    assert_error(result, 1, 2, "constraint violation", "name=", NULL);

    assert_int_equal(replica->n_commits, n_commits);
    assert_unchanged(before);
    json_object_put(before);
}

static void
test_mutate(void **state)
{
    (void) state;
    struct uuid a = insert_row("{\"name\": \"a\", \"n\": 10, \"r\": 1.5, "
                               "\"tags\": [\"set\", [\"x\", \"y\"]], "
                               "\"map\": [\"map\", [[\"k\", 1], "
                               "[\"l\", 2]]]}");
    struct uuid b = insert_row("{\"name\": \"b\", \"n\": 20}");

    assert_result(transact(
        "[{\"op\": \"mutate\", \"table\": \"T\", \"where\": [], "
        "\"mutations\": [[\"n\", \"+=\", 5], [\"n\", \"*=\", 2]]}]"),
        "[{\"count\": 2}]");
    assert_row(&a, "[\"n\"]", "{\"n\": 30}");
    assert_row(&b, "[\"n\"]", "{\"n\": 50}");

    assert_result(transact(
        "[{\"op\": \"mutate\", \"table\": \"T\", \"where\": "
        "[[\"name\", \"==\", \"a\"]], \"mutations\": ["
        " [\"n\", \"-=\", 1], [\"n\", \"/=\", 4], [\"n\", \"%%=\", 5],"
        " [\"r\", \"*=\", 2.0],"
        " [\"tags\", \"insert\", [\"set\", [\"z\", \"x\"]]],"
        " [\"tags\", \"delete\", \"y\"],"
        " [\"map\", \"insert\", [\"map\", [[\"k\", 9], [\"m\", 3]]]],"
        " [\"map\", \"delete\", [\"set\", [\"l\"]]]]}]"),
        "[{\"count\": 1}]");
    assert_row(&a, "[\"n\", \"r\", \"tags\", \"map\"]",
               "{\"n\": 2, \"r\": 3.0, \"tags\": [\"set\", [\"x\", \"z\"]],"
               " \"map\": [\"map\", [[\"k\", 1], [\"m\", 3]]]}");

    /* No match. */
    assert_result(transact(
        "[{\"op\": \"mutate\", \"table\": \"T\", \"where\": "
        "[[\"n\", \"<\", 0]], \"mutations\": [[\"n\", \"+=\", 1]]}]"),
        "[{\"count\": 0}]");

    /* An update and a mutate of one row in one transaction. */
    assert_result(transact(
        "[{\"op\": \"update\", \"table\": \"T\", \"where\": "
        "[[\"_uuid\", \"==\", %s]], \"row\": {\"n\": 100}},"
        " {\"op\": \"mutate\", \"table\": \"T\", \"where\": "
        "[[\"_uuid\", \"==\", %s]], \"mutations\": [[\"n\", \"+=\", 1]]}]",
        U(&b), U(&b)), "[{\"count\": 1}, {\"count\": 1}]");
    assert_row(&b, "[\"n\"]", "{\"n\": 101}");

    struct json_object *before = dump();
    int n_commits = replica->n_commits;

    assert_error(transact(
        "[{\"op\": \"mutate\", \"table\": \"T\", \"where\": [], "
        "\"mutations\": [[\"n\", \"+=\", 1]]},"
        " {\"op\": \"mutate\", \"table\": \"T\", \"where\": [], "
        "\"mutations\": [[\"n\", \"/=\", 0]]}]"),
        1, 2, "domain error", "division by zero", NULL);
    assert_error(transact(
        "[{\"op\": \"mutate\", \"table\": \"T\", \"where\": [], "
        "\"mutations\": [[\"n\", \"+=\", 9223372036854775807]]}]"),
        0, 1, "range error", "64-bit", NULL);
    assert_error(transact(
        "[{\"op\": \"mutate\", \"table\": \"T\", \"where\": [], "
        "\"mutations\": [[\"fixed\", \"+=\", 1]]}]"),
        0, 1, "constraint violation", "fixed", NULL);
    assert_error(transact(
        "[{\"op\": \"mutate\", \"table\": \"T\", \"where\": [], "
        "\"mutations\": [[\"_uuid\", \"+=\", 1]]}]"),
        0, 1, "constraint violation", "_uuid", NULL);
    assert_error(transact(
        "[{\"op\": \"mutate\", \"table\": \"T\", \"where\": [], "
        "\"mutations\": [[\"nope\", \"+=\", 1]]}]"),
        0, 1, "syntax error", "nope", NULL);
    assert_error(transact(
        "[{\"op\": \"mutate\", \"table\": \"T\", \"where\": [], "
        "\"mutations\": [[\"n\", \"^=\", 1]]}]"),
        0, 1, "syntax error", "^=", NULL);
    assert_error(transact(
        "[{\"op\": \"mutate\", \"table\": \"T\", \"where\": [], "
        "\"mutations\": {}}]"), 0, 1, "syntax error", NULL);
    assert_error(transact(
        "[{\"op\": \"mutate\", \"table\": \"T\", \"where\": []}]"),
        0, 1, "syntax error", "lacks \"mutations\"", NULL);
    assert_error(transact(
        "[{\"op\": \"mutate\", \"table\": \"T\", \"where\": [], "
        "\"mutations\": [], \"row\": {}}]"),
        0, 1, "syntax error", "unknown member \"row\"", NULL);
    assert_int_equal(replica->n_commits, n_commits);
    assert_unchanged(before);
    json_object_put(before);
}

static void
test_delete(void **state)
{
    (void) state;
    struct uuid a = insert_row("{\"name\": \"a\", \"n\": 1}");
    insert_row("{\"name\": \"b\", \"n\": 2}");
    insert_row("{\"name\": \"c\", \"n\": 3}");
    struct uuid d = insert_row("{\"name\": \"d\", \"n\": 4}");

    assert_result(transact(
        "[{\"op\": \"delete\", \"table\": \"T\", \"where\": "
        "[[\"name\", \"==\", \"b\"]]}]"), "[{\"count\": 1}]");
    assert_int_equal(count("T"), 3);
    assert_result(transact(
        "[{\"op\": \"delete\", \"table\": \"T\", \"where\": "
        "[[\"name\", \"==\", \"b\"]]}]"), "[{\"count\": 0}]");
    assert_result(transact(
        "[{\"op\": \"delete\", \"table\": \"T\", \"where\": "
        "[[\"_uuid\", \"==\", %s]]}]", U(&d)), "[{\"count\": 1}]");
    assert_null(db_table_find_row(db_get_table(db, "T"), &d));

    /* A row another refers to stays, and so does everything else. */
    assert_result(transact(
        "[{\"op\": \"update\", \"table\": \"T\", \"where\": "
        "[[\"name\", \"==\", \"c\"]], \"row\": {\"ref\": %s}}]", U(&a)),
        "[{\"count\": 1}]");
    struct json_object *before = dump();
    int n_commits = replica->n_commits;
    struct json_object *result = transact(
        "[{\"op\": \"delete\", \"table\": \"T\", \"where\": "
        "[[\"_uuid\", \"==\", %s]]}]", U(&a));
    assert_int_equal(json_object_array_length(result), 2);
    assert_error(result, 1, 2, "referential integrity violation",
                 "cannot delete", "1 remaining", NULL);
    assert_error(transact(
        "[{\"op\": \"delete\", \"table\": \"T\"}]"),
        0, 1, "syntax error", "lacks \"where\"", NULL);
    assert_error(transact(
        "[{\"op\": \"delete\", \"table\": \"T\", \"where\": [], "
        "\"columns\": []}]"),
        0, 1, "syntax error", "unknown member \"columns\"", NULL);
    assert_error(transact(
        "[{\"op\": \"delete\", \"table\": \"T\", \"where\": "
        "[[\"n\", \"<\", \"x\"]]}]"), 0, 1, "syntax error", NULL);
    assert_int_equal(replica->n_commits, n_commits);
    assert_unchanged(before);
    json_object_put(before);

    /* Both together is fine; a K row goes with its last referrer. */
    result = transact(
        "[{\"op\": \"insert\", \"table\": \"K\", \"uuid-name\": \"k\","
        "  \"row\": {\"v\": 1}},"
        " {\"op\": \"update\", \"table\": \"T\", \"where\": [],"
        "  \"row\": {\"kids\": [\"named-uuid\", \"k\"]}}]");
    json_object_put(result);
    assert_int_equal(count("K"), 1);
    assert_result(transact(
        "[{\"op\": \"delete\", \"table\": \"T\", \"where\": []}]"),
        "[{\"count\": 2}]");
    assert_int_equal(count("T"), 0);
    assert_int_equal(count("K"), 0);
}

/* A "wait" on the T row named "a", whose n is 1. */
static struct json_object *
wait_for(const char *until, const char *rows, const char *timeout,
         long long int elapsed, long long int *retry)
{
    char *ops = xasprintf(
        "[{\"op\": \"wait\", \"table\": \"T\", \"where\": "
        "[[\"name\", \"==\", \"a\"]], \"columns\": [\"n\"], "
        "\"until\": \"%s\", \"rows\": %s%s%s}]", until, rows,
        timeout ? ", \"timeout\": " : "", timeout ? timeout : "");
    struct json_object *result = execute(ops, NULL, elapsed, retry);
    free(ops);
    return result;
}

static void
test_wait(void **state)
{
    long long int retry;

    (void) state;
    insert_row("{\"name\": \"a\", \"n\": 1}");
    insert_row("{\"name\": \"b\", \"n\": 2, \"fixed\": 5}");
    int n_commits = replica->n_commits;

    /* Conditions that hold. */
    assert_result(wait_for("==", "[{\"n\": 1}]", NULL, 0, &retry), "[{}]");
    assert_result(wait_for("!=", "[{\"n\": 2}]", NULL, 0, &retry), "[{}]");
    assert_result(wait_for("!=", "[]", "0", 0, &retry), "[{}]");
    assert_result(wait_for("==", "[{\"n\": 1}]", "0", 5000, &retry),
                  "[{}]");
    /* Columns left out of "columns" do not count. */
    assert_result(wait_for("==", "[{\"n\": 1, \"r\": 3.5}]", "0", 0,
                           &retry), "[{}]");

    /* Conditions that do not hold, with timeout 0: "timed out". */
    assert_error(wait_for("==", "[{\"n\": 2}]", "0", 0, &retry),
                 0, 1, "timed out", "T", NULL);
    assert_error(wait_for("!=", "[{\"n\": 1}]", "0", 0, &retry),
                 0, 1, "timed out", NULL);
    assert_error(wait_for("==", "[]", "0", 0, &retry), 0, 1, "timed out",
                 NULL);
    assert_error(wait_for("==", "[{\"n\": 1}, {\"n\": 2}]", "0", 0,
                          &retry), 0, 1, "timed out", NULL);

    /* A wait may match builtin columns: a row's _version (what clients
     * use to detect concurrent changes) and _uuid. */
    struct json_object *versions = transact(
        "[{\"op\": \"select\", \"table\": \"T\", \"where\": "
        "[[\"name\", \"==\", \"a\"]], \"columns\": [\"_version\"]}]");
    struct json_object *v = json_object_object_get(
        json_object_array_get_idx(json_object_object_get(
            json_object_array_get_idx(versions, 0), "rows"), 0),
        "_version");
    char *ops = xasprintf(
        "[{\"op\": \"wait\", \"table\": \"T\", \"where\": "
        "[[\"name\", \"==\", \"a\"]], \"columns\": [\"_version\"], "
        "\"until\": \"==\", \"rows\": [{\"_version\": %s}], "
        "\"timeout\": 0}]", json_object_to_json_string(v));
    assert_result(execute(ops, NULL, 0, &retry), "[{}]");
    free(ops);
    json_object_put(versions);
    assert_error(execute(
        "[{\"op\": \"wait\", \"table\": \"T\", \"where\": "
        "[[\"name\", \"==\", \"a\"]], \"columns\": [\"_version\"], "
        "\"until\": \"==\", \"rows\": [{\"_version\": [\"uuid\", "
        "\"00000000-0000-4000-8000-000000000000\"]}], \"timeout\": 0}]",
        NULL, 0, &retry), 0, 1, "timed out", NULL);

    /* No timeout: wait for a commit. */
    assert_null(wait_for("==", "[{\"n\": 2}]", NULL, 0, &retry));
    assert_true(retry == LLONG_MAX);
    assert_null(wait_for("==", "[{\"n\": 2}]", NULL, 1000000, &retry));
    assert_true(retry == LLONG_MAX);

    /* A timeout not reached yet: try again when it is. */
    assert_null(wait_for("==", "[{\"n\": 2}]", "1000", 0, &retry));
    assert_true(retry == 1000);
    assert_null(wait_for("==", "[{\"n\": 2}]", "1000", 400, &retry));
    assert_true(retry == 600);
    assert_null(wait_for("!=", "[{\"n\": 1}]", "1000", 999, &retry));
    assert_true(retry == 1);
    assert_error(wait_for("==", "[{\"n\": 2}]", "1000", 1000, &retry),
                 0, 1, "timed out", NULL);
    assert_error(wait_for("==", "[{\"n\": 2}]", "1000", 1500, &retry),
                 0, 1, "timed out", NULL);
    assert_int_equal(replica->n_commits, n_commits + 7);

    /* Two waits: the earlier timeout decides, and a waiting request
     * changes nothing. */
    struct json_object *before = dump();
    n_commits = replica->n_commits;
    assert_null(execute(
        "[{\"op\": \"insert\", \"table\": \"T\", \"row\": {\"name\": \"x\"}},"
        " {\"op\": \"wait\", \"table\": \"T\", \"where\": [], "
        "  \"columns\": [\"name\"], \"until\": \"==\", \"rows\": [],"
        "  \"timeout\": 1000},"
        " {\"op\": \"wait\", \"table\": \"K\", \"where\": [], "
        "  \"columns\": [\"v\"], \"until\": \"!=\", \"rows\": [],"
        "  \"timeout\": 500},"
        " {\"op\": \"comment\", \"comment\": \"waiting\"}]",
        NULL, 100, &retry));
    assert_true(retry == 400);
    assert_int_equal(replica->n_commits, n_commits);
    assert_unchanged(before);
    json_object_put(before);

    /* The condition is tested against the transaction so far. */
    assert_result(transact(
        "[{\"op\": \"update\", \"table\": \"T\", \"where\": "
        "[[\"name\", \"==\", \"a\"]], \"row\": {\"n\": 7}},"
        " {\"op\": \"wait\", \"table\": \"T\", \"where\": "
        "  [[\"name\", \"==\", \"a\"]], \"columns\": [\"n\"],"
        "  \"until\": \"==\", \"rows\": [{\"n\": 7}], \"timeout\": 0}]"),
        "[{\"count\": 1}, {}]");
    /* Several rows compare as a set; "rows" may set immutable columns. */
    assert_result(transact(
        "[{\"op\": \"wait\", \"table\": \"T\", \"where\": [], "
        "  \"columns\": [\"name\", \"fixed\"], \"until\": \"==\","
        "  \"rows\": [{\"name\": \"b\", \"fixed\": 5},"
        "            {\"name\": \"a\"}], \"timeout\": 0}]"), "[{}]");

    /* Malformed waits. */
    assert_error(wait_for("<", "[]", "0", 0, &retry), 0, 1,
                 "syntax error", "\"until\"", NULL);
    assert_error(wait_for("==", "[]", "-1", 0, &retry), 0, 1,
                 "syntax error", "\"timeout\"", NULL);
    assert_error(wait_for("==", "[]", "\"5\"", 0, &retry), 0, 1,
                 "syntax error", "\"timeout\"", NULL);
    assert_error(wait_for("==", "[]", "1.5", 0, &retry), 0, 1,
                 "syntax error", "\"timeout\"", NULL);
    assert_error(wait_for("==", "{}", "0", 0, &retry), 0, 1,
                 "syntax error", "\"rows\"", NULL);
    assert_error(wait_for("==", "[{\"zz\": 1}]", "0", 0, &retry), 0, 1,
                 "syntax error", "zz", NULL);
    assert_error(wait_for("==", "[5]", "0", 0, &retry), 0, 1,
                 "syntax error", "\"row\"", NULL);
    /* No "columns": every column counts.  T has rows, so "no rows" does
     * not hold and "not no rows" does. */
    assert_error(transact(
        "[{\"op\": \"wait\", \"table\": \"T\", \"where\": [], "
        "\"until\": \"==\", \"rows\": [], \"timeout\": 0}]"),
        0, 1, "timed out", NULL);
    assert_result(transact(
        "[{\"op\": \"wait\", \"table\": \"T\", \"where\": [], "
        "\"until\": \"!=\", \"rows\": [], \"timeout\": 0}]"), "[{}]");
    assert_result(transact(
        "[{\"op\": \"wait\", \"table\": \"T\", \"where\": "
        "[[\"name\", \"==\", \"none\"]], \"until\": \"==\", "
        "\"rows\": [], \"timeout\": 0}]"), "[{}]");
    assert_error(transact(
        "[{\"op\": \"wait\", \"table\": \"T\", \"where\": [], "
        "\"columns\": [\"nope\"], \"until\": \"==\", \"rows\": []}]"),
        0, 1, "syntax error", "nope", NULL);
    assert_error(transact(
        "[{\"op\": \"wait\", \"table\": \"T\", \"where\": [], "
        "\"columns\": [], \"until\": \"==\", \"rows\": [], "
        "\"durable\": true}]"),
        0, 1, "syntax error", "unknown member \"durable\"", NULL);
}

static void
test_commit(void **state)
{
    (void) state;
    assert_result(transact("[{\"op\": \"commit\", \"durable\": true}]"),
                  "[{}]");
    assert_int_equal(replica->n_commits, 1);
    assert_true(replica->durable);

    assert_result(transact("[{\"op\": \"commit\", \"durable\": false}]"),
                  "[{}]");
    assert_int_equal(replica->n_commits, 2);
    assert_false(replica->durable);

    /* No commit operation: not durable. */
    insert_row("{}");
    assert_false(replica->durable);

    /* Any durable commit makes the transaction durable. */
    assert_result(transact(
        "[{\"op\": \"commit\", \"durable\": true},"
        " {\"op\": \"commit\", \"durable\": false}]"), "[{}, {}]");
    assert_true(replica->durable);

    int n_commits = replica->n_commits;
    assert_error(transact("[{\"op\": \"commit\", \"durable\": \"yes\"}]"),
                 0, 1, "syntax error", "\"durable\"", NULL);
    assert_error(transact("[{\"op\": \"commit\", \"durable\": 1}]"),
                 0, 1, "syntax error", "\"durable\"", NULL);
    assert_error(transact("[{\"op\": \"commit\"}]"),
                 0, 1, "syntax error", "lacks \"durable\"", NULL);
    assert_error(transact("[{\"op\": \"commit\", \"durable\": true, "
                          "\"table\": \"T\"}]"),
                 0, 1, "syntax error", "unknown member \"table\"", NULL);
    assert_int_equal(replica->n_commits, n_commits);

    /* An empty request commits an empty transaction. */
    assert_result(transact("[]"), "[]");
    assert_int_equal(replica->n_commits, n_commits + 1);
}

static void
test_abort(void **state)
{
    (void) state;
    struct json_object *before = dump();
    assert_error(transact(
        "[{\"op\": \"insert\", \"table\": \"T\", \"row\": {\"name\": \"a\"}},"
        " {\"op\": \"abort\"},"
        " {\"op\": \"insert\", \"table\": \"T\","
        "  \"row\": {\"name\": \"b\"}}]"),
        1, 3, "aborted", NULL);
    assert_int_equal(replica->n_commits, 0);
    assert_int_equal(count("T"), 0);
    assert_unchanged(before);
    json_object_put(before);

    assert_error(transact("[{\"op\": \"abort\"}]"), 0, 1, "aborted", NULL);
    assert_error(transact("[{\"op\": \"abort\", \"why\": \"no\"}]"),
                 0, 1, "syntax error", "unknown member \"why\"", NULL);
    assert_int_equal(replica->n_commits, 0);
}

static void
test_comment(void **state)
{
    (void) state;
    assert_result(transact(
        "[{\"op\": \"comment\", \"comment\": \"hello\"}]"), "[{}]");
    assert_int_equal(replica->n_commits, 1);
    assert_string_equal(replica->comment, "hello");

    struct json_object *result = transact(
        "[{\"op\": \"comment\", \"comment\": \"one\"},"
        " {\"op\": \"insert\", \"table\": \"T\", \"row\": {}},"
        " {\"op\": \"comment\", \"comment\": \"two\"}]");
    assert_int_equal(json_object_array_length(result), 3);
    result_uuid(result, 1);
    struct json_object *empty = json_object_new_object();
    assert_true(json_object_equal(json_object_array_get_idx(result, 0),
                                  empty));
    assert_true(json_object_equal(json_object_array_get_idx(result, 2),
                                  empty));
    json_object_put(empty);
    json_object_put(result);
    assert_string_equal(replica->comment, "one\ntwo");

    /* No comment: none. */
    insert_row("{\"name\": \"z\"}");
    assert_null(replica->comment);

    assert_error(transact("[{\"op\": \"comment\", \"comment\": 5}]"),
                 0, 1, "syntax error", "\"comment\"", NULL);
    assert_error(transact("[{\"op\": \"comment\"}]"),
                 0, 1, "syntax error", "lacks \"comment\"", NULL);
    assert_int_equal(replica->n_commits, 3);
}

/* Session stand-in: owns the locks named in AUX (a NULL-ended array). */
static bool
has_lock(const char *name, void *aux)
{
    for (const char *const *p = aux; *p; p++) {
        if (!strcmp(*p, name)) {
            return true;
        }
    }
    return false;
}

static void
test_assert(void **state)
{
    static const char *const locks[] = { "mine", "also_mine", NULL };
    struct db_session_info session = { has_lock, (void *) locks };
    struct db_session_info no_callback = { NULL, NULL };
    long long int retry;

    (void) state;
    assert_result(execute("[{\"op\": \"assert\", \"lock\": \"mine\"}]",
                          &session, 0, &retry), "[{}]");
    assert_result(execute(
        "[{\"op\": \"assert\", \"lock\": \"also_mine\"},"
        " {\"op\": \"assert\", \"lock\": \"mine\"}]",
        &session, 0, &retry), "[{}, {}]");
    assert_int_equal(replica->n_commits, 2);

    assert_error(execute(
        "[{\"op\": \"assert\", \"lock\": \"mine\"},"
        " {\"op\": \"assert\", \"lock\": \"theirs\"},"
        " {\"op\": \"insert\", \"table\": \"T\", \"row\": {}}]",
        &session, 0, &retry), 1, 3, "not owner", "\"theirs\"", NULL);
    assert_error(execute("[{\"op\": \"assert\", \"lock\": \"mine\"}]",
                         NULL, 0, &retry), 0, 1, "not owner", "mine", NULL);
    assert_error(execute("[{\"op\": \"assert\", \"lock\": \"mine\"}]",
                         &no_callback, 0, &retry), 0, 1, "not owner", NULL);
    assert_error(execute("[{\"op\": \"assert\", \"lock\": 1}]",
                         &session, 0, &retry),
                 0, 1, "syntax error", "\"lock\"", NULL);
    assert_error(execute("[{\"op\": \"assert\"}]", &session, 0, &retry),
                 0, 1, "syntax error", "lacks \"lock\"", NULL);
    assert_int_equal(replica->n_commits, 2);
    assert_int_equal(count("T"), 0);
}

/* One error: its element, then nulls; nothing is committed even by the
 * operations that succeeded before it. */
static void
test_result_shape(void **state)
{
    (void) state;
    insert_row("{\"name\": \"a\"}");
    struct json_object *before = dump();
    int n_commits = replica->n_commits;

    struct json_object *result = transact(
        "[{\"op\": \"insert\", \"table\": \"T\", \"row\": {\"name\": \"b\"}},"
        " {\"op\": \"update\", \"table\": \"T\", \"where\": [],"
        "  \"row\": {\"n\": 1}},"
        " {\"op\": \"select\", \"table\": \"T\", \"where\": [],"
        "  \"columns\": [\"bogus\"]},"
        " {\"op\": \"insert\", \"table\": \"T\", \"row\": {}},"
        " {\"op\": \"delete\", \"table\": \"T\", \"where\": []}]");
    result_uuid(result, 0);
    struct json_object *expected = parse_json("{\"count\": 2}");
    assert_true(json_object_equal(json_object_array_get_idx(result, 1),
                                  expected));
    json_object_put(expected);
    assert_error(result, 2, 5, "syntax error", "bogus", NULL);
    assert_int_equal(replica->n_commits, n_commits);
    assert_unchanged(before);

    /* An error in the first operation. */
    assert_error(transact(
        "[{\"op\": \"delete\", \"table\": \"X\", \"where\": []},"
        " {\"op\": \"delete\", \"table\": \"T\", \"where\": []}]"),
        0, 2, "syntax error", "\"X\"", NULL);

    /* A commit error is one more element, after all the results. */
    result = transact(
        "[{\"op\": \"insert\", \"table\": \"T\", \"row\": {\"name\": \"a\"}},"
        " {\"op\": \"comment\", \"comment\": \"dup\"}]");
    result_uuid(result, 0);
    assert_error(result, 2, 3, "constraint violation", "name=", NULL);

    /* A strong reference to nothing. */
    result = transact(
        "[{\"op\": \"insert\", \"table\": \"T\", \"row\": {\"kids\": "
        "[\"uuid\", \"00000000-0000-4000-8000-000000000001\"]}}]");
    result_uuid(result, 0);
    assert_error(result, 1, 2, "referential integrity violation",
                 "00000000-0000-4000-8000-000000000001", NULL);

    assert_int_equal(replica->n_commits, n_commits);
    assert_unchanged(before);
    json_object_put(before);
}

static void
test_malformed_operations(void **state)
{
    static const struct {
        const char *op;
        const char *tag;
        const char *details;
    } cases[] = {
        { "5", "syntax error", "must be an object" },
        { "[\"insert\"]", "syntax error", "must be an object" },
        { "null", "syntax error", "must be an object" },
        { "\"select\"", "syntax error", "must be an object" },
        { "{}", "syntax error", "\"op\"" },
        { "{\"table\": \"T\", \"where\": []}", "syntax error", "\"op\"" },
        { "{\"op\": 5}", "syntax error", "\"op\"" },
        { "{\"op\": null}", "syntax error", "\"op\"" },
        { "{\"op\": [\"select\"]}", "syntax error", "\"op\"" },
        { "{\"op\": \"frobnicate\"}", "syntax error",
          "unknown operation \"frobnicate\"" },
        { "{\"op\": \"SELECT\", \"table\": \"T\", \"where\": []}",
          "syntax error", "\"SELECT\"" },
        { "{\"op\": \"select\", \"table\": \"T\", \"where\": [],"
          " \"extra\": 1}", "syntax error", "unknown member \"extra\"" },
        { "{\"op\": \"select\", \"table\": \"T\"}", "syntax error",
          "lacks \"where\"" },
        { "{\"op\": \"select\", \"where\": []}", "syntax error",
          "lacks \"table\"" },
        { "{\"op\": \"select\", \"table\": [\"T\"], \"where\": []}",
          "syntax error", "\"table\"" },
        { "{\"op\": \"select\", \"table\": \"T\", \"where\": 5}",
          "syntax error", NULL },
        { "{\"op\": \"select\", \"table\": \"T\", \"where\": [],"
          " \"columns\": \"name\"}", "syntax error", "\"columns\"" },
        { "{\"op\": \"select\", \"table\": \"T\", \"where\": [],"
          " \"columns\": [5]}", "syntax error", "column" },
        { "{\"op\": \"select\", \"table\": \"T\", \"where\": "
          "[[\"nope\", \"==\", 1]]}", "syntax error", "nope" },
        { "{\"op\": \"select\", \"table\": \"T\", \"where\": "
          "[[\"n\", \"==\", \"one\"]]}", "syntax error", "n" },
        { "{\"op\": \"select\", \"table\": \"T\", \"where\": "
          "[[\"ref\", \"==\", [\"named-uuid\", 7]]]}", "syntax error",
          "ref" },
        { "{\"op\": \"insert\", \"table\": \"T\", \"row\": {},"
          " \"where\": []}", "syntax error", "unknown member \"where\"" },
        { "{\"op\": \"comment\", \"comment\": [\"x\"]}", "syntax error",
          "\"comment\"" },
    };
    long long int retry;

    (void) state;
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        char *ops = xasprintf("[{\"op\": \"comment\", \"comment\": \"x\"},"
                              " %s, {\"op\": \"abort\"}]", cases[i].op);
        struct json_object *result = execute(ops, NULL, 0, &retry);
        if (!result) {
            fail_msg("%s: waits", ops);
        }
        assert_error(result, 1, 3, cases[i].tag, cases[i].details, NULL);
        free(ops);
    }
    assert_int_equal(replica->n_commits, 0);
    assert_int_equal(count("T"), 0);
}

/* A member that is null is not taken for an absent one: a null "timeout"
 * would otherwise wait for ever. */
static void
test_null_members(void **state)
{
    static const char *const ops[] = {
        "{\"op\": \"wait\", \"table\": \"T\", \"where\": [],"
        " \"columns\": [\"n\"], \"until\": \"==\", \"rows\": [{\"n\": 1}],"
        " \"timeout\": null}",
        "{\"op\": \"select\", \"table\": \"T\", \"where\": [],"
        " \"columns\": null}",
        "{\"op\": \"insert\", \"table\": \"T\", \"row\": {},"
        " \"uuid-name\": null}",
        "{\"op\": \"insert\", \"table\": \"T\", \"row\": null}",
        "{\"op\": \"delete\", \"table\": null, \"where\": []}",
        "{\"op\": \"commit\", \"durable\": null}",
    };
    long long int retry;

    (void) state;
    for (size_t i = 0; i < ARRAY_SIZE(ops); i++) {
        char *text = xasprintf("[%s]", ops[i]);
        struct json_object *result = execute(text, NULL, 0, &retry);
        if (!result) {
            fail_msg("%s: waits", text);
        }
        assert_error(result, 0, 1, "syntax error", "null", NULL);
        free(text);
    }
    assert_int_equal(replica->n_commits, 0);
    assert_int_equal(count("T"), 0);
}

#define TEST(NAME) cmocka_unit_test_setup_teardown(NAME, setup, teardown)

int
main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(test_insert),
        TEST(test_insert_named_uuids),
        TEST(test_insert_errors),
        TEST(test_select),
        TEST(test_update),
        TEST(test_mutate),
        TEST(test_delete),
        TEST(test_wait),
        TEST(test_commit),
        TEST(test_abort),
        TEST(test_comment),
        TEST(test_assert),
        TEST(test_result_shape),
        TEST(test_malformed_operations),
        TEST(test_null_members),
    };
    return cmocka_run_group_tests_name("db-execute", tests, NULL, NULL);
}
