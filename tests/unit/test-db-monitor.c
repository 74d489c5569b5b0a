/* Unit tests for lib/db-monitor: a monitor's initial contents and the
 * table-updates it sends after each commit. */
#include "unit.h"

#include <json-c/json.h>

#include "db-error.h"
#include "db-execute.h"
#include "db-monitor.h"
#include "db-schema.h"
#include "db.h"
#include "vlog.h"

/* A root table with scalars, a set, a map, strong references to a
 * non-root table and an ephemeral column. */
static const char SCHEMA[] =
    "{\"name\": \"Test\", \"version\": \"1.0.0\", \"tables\": {"
    "  \"Root\": {\"isRoot\": true, \"columns\": {"
    "    \"name\": {\"type\": \"string\"},"
    "    \"count\": {\"type\": \"integer\"},"
    "    \"tags\": {\"type\": {\"key\": \"string\", \"min\": 0,"
    "                          \"max\": \"unlimited\"}},"
    "    \"options\": {\"type\": {\"key\": \"string\", \"value\": \"string\","
    "                             \"min\": 0, \"max\": \"unlimited\"}},"
    "    \"children\": {\"type\": {\"key\": {\"type\": \"uuid\","
    "                                        \"refTable\": \"Child\"},"
    "                              \"min\": 0, \"max\": \"unlimited\"}},"
    "    \"status\": {\"type\": \"string\", \"ephemeral\": true}}},"
    "  \"Child\": {\"columns\": {"
    "    \"name\": {\"type\": \"string\"},"
    "    \"weight\": {\"type\": \"integer\"}}}}}";

/* What a monitor sent: a JSON array of table-updates. */
struct sink {
    struct json_object *sent;
};

static struct db *db;

/* ---- Helpers. ---- */

static struct json_object *
parse(const char *text)
{
    struct json_object *json = json_tokener_parse(text);
    if (!json) {
        fail_msg("does not parse: %s", text);
    }
    return json;
}

/* Removes every "_version" member from the objects in JSON (default
 * monitors carry each row's _version, which tests cannot predict) and
 * returns how many it removed. */
static int
strip_versions(struct json_object *json)
{
    int n = 0;
    if (json_object_is_type(json, json_type_object)) {
        if (json_object_object_get_ex(json, "_version", NULL)) {
            json_object_object_del(json, "_version");
            n++;
        }
        json_object_object_foreach(json, key, value) {
            (void) key;
            n += strip_versions(value);
        }
    }
    return n;
}

/* Compares HAVE, less its "_version" members, with WANT_TEXT. */
static void
assert_json_equal(const struct json_object *have, const char *want_text)
{
    struct json_object *want = parse(want_text);
    struct json_object *copy = NULL;
    json_object_deep_copy((struct json_object *) have, &copy, NULL);
    strip_versions(copy);
    if (!json_object_equal(copy, want)) {
        fail_msg("%s != %s", json_object_to_json_string(copy), want_text);
    }
    json_object_put(copy);
    json_object_put(want);
}

static void
sink_send(struct json_object *updates, void *sink_)
{
    struct sink *sink = sink_;
    assert_non_null(updates);
    json_object_array_add(sink->sent, updates);
}

static void
sink_init(struct sink *sink)
{
    sink->sent = json_object_new_array();
}

static void
sink_destroy(struct sink *sink)
{
    json_object_put(sink->sent);
}

/* Asserts that SINK got exactly one table-updates, WANT, and forgets
 * it. */
static void
expect_update(struct sink *sink, const char *want)
{
    if (json_object_array_length(sink->sent) != 1) {
        fail_msg("expected one update, got %s",
                 json_object_to_json_string(sink->sent));
    }
    assert_json_equal(json_object_array_get_idx(sink->sent, 0), want);
    json_object_put(sink->sent);
    sink->sent = json_object_new_array();
}

static void
expect_no_update(const struct sink *sink)
{
    if (json_object_array_length(sink->sent)) {
        fail_msg("expected no update, got %s",
                 json_object_to_json_string(sink->sent));
    }
}

/* Creates a monitor for REQUESTS that sends to SINK, which must work, and
 * returns it with its initial contents in *INITIALP. */
static struct db_monitor *
create_monitor(const char *requests_text, struct sink *sink,
               struct json_object **initialp)
{
    struct json_object *requests = parse(requests_text);
    struct db_monitor *monitor;
    struct json_object *initial;
    struct db_error *error = db_monitor_create(db, requests, sink_send, sink,
                                               &monitor, &initial);
    if (error) {
        char *s = db_error_to_string(error);
        fail_msg("%s: %s", requests_text, s);
    }
    assert_non_null(monitor);
    assert_non_null(initial);
    json_object_put(requests);
    if (initialp) {
        *initialp = initial;
    } else {
        json_object_put(initial);
    }
    return monitor;
}

/* Runs OPS (a JSON array's text) on the database; each must succeed.
 * Returns the results (the caller puts them). */
static struct json_object *
transact(const char *ops_text)
{
    struct json_object *ops = parse(ops_text);
    long long int retry;
    struct json_object *results = db_execute(db, NULL, ops, 0, &retry);
    assert_non_null(results);
    for (size_t i = 0; i < json_object_array_length(results); i++) {
        struct json_object *r = json_object_array_get_idx(results, i);
        if (!r || json_object_object_get_ex(r, "error", NULL)) {
            fail_msg("%s failed: %s", ops_text,
                     json_object_to_json_string(results));
        }
    }
    json_object_put(ops);
    return results;
}

/* Like transact(), for formatted operations that return nothing useful. */
static void
transactf(const char *format, ...) PRINTF_FORMAT(1, 2);
static void
transactf(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    char *ops = xvasprintf(format, args);
    va_end(args);
    json_object_put(transact(ops));
    free(ops);
}

/* The uuid that the insert at RESULTS[I] created (the caller frees it). */
static char *
result_uuid(const struct json_object *results, size_t i)
{
    struct json_object *r = json_object_array_get_idx(results, i);
    struct json_object *uuid;
    assert_true(json_object_object_get_ex(r, "uuid", &uuid));
    return xstrdup(json_object_get_string(
                       json_object_array_get_idx(uuid, 1)));
}

/* Inserts a Root row with ROW_TEXT and returns its uuid. */
static char *
insert_root(const char *row_text)
{
    char *ops = xasprintf("[{\"op\":\"insert\",\"table\":\"Root\","
                          "\"row\":%s}]", row_text);
    struct json_object *results = transact(ops);
    char *uuid = result_uuid(results, 0);
    json_object_put(results);
    free(ops);
    return uuid;
}

/* A Root row as a monitor of every column shows it, with NAME and COUNT
 * and the other columns at their defaults. */
static char *
root_json(const char *name, int count)
{
    return xasprintf("{\"name\":\"%s\",\"count\":%d,\"tags\":[\"set\",[]],"
                     "\"options\":[\"map\",[]],\"children\":[\"set\",[]],"
                     "\"status\":\"\"}", name, count);
}

/* ---- Tests. ---- */

/* By default a monitor watches every column of its tables and its initial
 * contents are every row ("new" only); tables not asked for, and tables
 * without rows, are left out. */
/* A monitor of all columns carries every column but _uuid: _version
 * too (RFC 7047 4.1.5), the row's current one, and a modification's
 * "old" holds the previous _version. */
static void
test_version_column(void **state)
{
    (void) state;
    char *a = insert_root("{\"name\":\"a\"}");
    struct sink sink;
    struct json_object *initial;
    struct uuid uuid;
    sink_init(&sink);

    struct db_monitor *m = create_monitor("{\"Root\":{}}", &sink, &initial);
    assert_true(uuid_from_string(&uuid, a));
    const struct db_row *row = db_table_find_row(db_get_table(db, "Root"),
                                                 &uuid);
    char version[UUID_LEN + 1];
    uuid_to_string(db_row_get_version(row), version);
    char *want = xasprintf("[\"uuid\",\"%s\"]", version);
    struct json_object *v = json_object_object_get(json_object_object_get(
        json_object_object_get(json_object_object_get(initial, "Root"), a),
        "new"), "_version");
    assert_non_null(v);
    struct json_object *wanted = parse(want);
    assert_true(json_object_equal(v, wanted));
    json_object_put(wanted);
    assert_int_equal(strip_versions(initial), 1);
    json_object_put(initial);
    free(want);
    db_monitor_destroy(m);
    sink_destroy(&sink);
    free(a);
}

static void
test_initial_all_columns(void **state)
{
    (void) state;
    char *a = insert_root("{\"name\":\"a\",\"count\":1,"
                          "\"tags\":[\"set\",[\"x\",\"y\"]],"
                          "\"options\":[\"map\",[[\"k\",\"v\"]]],"
                          "\"status\":\"up\"}");
    char *b = insert_root("{\"name\":\"b\"}");
    struct sink sink;
    struct json_object *initial;
    sink_init(&sink);

    struct db_monitor *m = create_monitor("{\"Root\":{},\"Child\":{}}",
                                          &sink, &initial);
    char *b_json = root_json("b", 0);
    char *want = xasprintf(
        "{\"Root\":{\"%s\":{\"new\":{\"name\":\"a\",\"count\":1,"
        "\"tags\":[\"set\",[\"x\",\"y\"]],"
        "\"options\":[\"map\",[[\"k\",\"v\"]]],"
        "\"children\":[\"set\",[]],\"status\":\"up\"}},"
        "\"%s\":{\"new\":%s}}}", a, b, b_json);
    assert_json_equal(initial, want);
    expect_no_update(&sink);
    json_object_put(initial);
    free(want);
    db_monitor_destroy(m);

    /* The request may also be an array of one request. */
    m = create_monitor("{\"Root\":[{\"columns\":[\"name\"]}]}", &sink,
                       &initial);
    want = xasprintf("{\"Root\":{\"%s\":{\"new\":{\"name\":\"a\"}},"
                     "\"%s\":{\"new\":{\"name\":\"b\"}}}}", a, b);
    assert_json_equal(initial, want);
    json_object_put(initial);
    free(want);
    db_monitor_destroy(m);

    /* An empty database: nothing at all. */
    m = create_monitor("{\"Child\":{}}", &sink, &initial);
    assert_json_equal(initial, "{}");
    json_object_put(initial);
    db_monitor_destroy(m);

    free(b_json);
    free(a);
    free(b);
    sink_destroy(&sink);
}

/* "columns" chooses the columns, in the initial contents and after. */
static void
test_initial_chosen_columns(void **state)
{
    (void) state;
    char *a = insert_root("{\"name\":\"a\",\"count\":5}");
    struct sink sink;
    struct json_object *initial;
    sink_init(&sink);

    struct db_monitor *m = create_monitor(
        "{\"Root\":{\"columns\":[\"count\",\"_uuid\"]}}", &sink, &initial);
    char *want = xasprintf("{\"Root\":{\"%s\":{\"new\":{\"count\":5,"
                           "\"_uuid\":[\"uuid\",\"%s\"]}}}}", a, a);
    assert_json_equal(initial, want);
    json_object_put(initial);
    free(want);

    char *b = insert_root("{\"name\":\"b\",\"count\":6}");
    want = xasprintf("{\"Root\":{\"%s\":{\"new\":{\"count\":6,"
                     "\"_uuid\":[\"uuid\",\"%s\"]}}}}", b, b);
    expect_update(&sink, want);
    free(want);

    db_monitor_destroy(m);
    sink_destroy(&sink);
    free(a);
    free(b);
}

/* "select": {"initial": false} leaves out the rows that exist, but later
 * changes are still sent. */
static void
test_initial_false(void **state)
{
    (void) state;
    char *a = insert_root("{\"name\":\"a\"}");
    struct sink sink;
    struct json_object *initial;
    sink_init(&sink);

    struct db_monitor *m = create_monitor(
        "{\"Root\":{\"columns\":[\"name\"],\"select\":{\"initial\":false}}}",
        &sink, &initial);
    assert_json_equal(initial, "{}");
    json_object_put(initial);

    char *b = insert_root("{\"name\":\"b\"}");
    char *want = xasprintf("{\"Root\":{\"%s\":{\"new\":{\"name\":\"b\"}}}}",
                           b);
    expect_update(&sink, want);
    free(want);

    db_monitor_destroy(m);
    sink_destroy(&sink);
    free(a);
    free(b);
}

/* Inserts send "new", deletes "old", modifications "old" with the
 * changed columns and "new" with all of them. */
static void
test_insert_modify_delete(void **state)
{
    (void) state;
    struct sink sink;
    sink_init(&sink);
    struct db_monitor *m = create_monitor("{\"Root\":{}}", &sink, NULL);

    char *a = insert_root("{\"name\":\"a\",\"count\":1}");
    char *a1 = root_json("a", 1);
    char *want = xasprintf("{\"Root\":{\"%s\":{\"new\":%s}}}", a, a1);
    expect_update(&sink, want);
    free(want);

    transactf("[{\"op\":\"update\",\"table\":\"Root\","
              "  \"where\":[[\"_uuid\",\"==\",[\"uuid\",\"%s\"]]],"
              "  \"row\":{\"count\":2,\"name\":\"a\","
              "           \"tags\":[\"set\",[\"t\"]]}}]", a);
    want = xasprintf("{\"Root\":{\"%s\":{"
                     "\"old\":{\"count\":1,\"tags\":[\"set\",[]]},"
                     "\"new\":{\"name\":\"a\",\"count\":2,\"tags\":\"t\","
                     "\"options\":[\"map\",[]],\"children\":[\"set\",[]],"
                     "\"status\":\"\"}}}}", a);
    expect_update(&sink, want);
    free(want);

    /* A modification that changes nothing sends nothing. */
    transactf("[{\"op\":\"update\",\"table\":\"Root\","
              "  \"where\":[[\"_uuid\",\"==\",[\"uuid\",\"%s\"]]],"
              "  \"row\":{\"count\":2}}]", a);
    expect_no_update(&sink);

    transactf("[{\"op\":\"delete\",\"table\":\"Root\","
              "  \"where\":[[\"_uuid\",\"==\",[\"uuid\",\"%s\"]]]}]", a);
    want = xasprintf("{\"Root\":{\"%s\":{"
                     "\"old\":{\"name\":\"a\",\"count\":2,\"tags\":\"t\","
                     "\"options\":[\"map\",[]],\"children\":[\"set\",[]],"
                     "\"status\":\"\"}}}}", a);
    expect_update(&sink, want);
    free(want);

    /* Inserted and changed in one transaction: one "new", the final row;
     * inserted and deleted in one: nothing. */
    struct json_object *results = transact(
        "[{\"op\":\"insert\",\"table\":\"Root\",\"row\":{\"name\":\"b\"}},"
        " {\"op\":\"update\",\"table\":\"Root\","
        "  \"where\":[[\"name\",\"==\",\"b\"]],\"row\":{\"count\":9}}]");
    char *b = result_uuid(results, 0);
    json_object_put(results);
    char *b9 = root_json("b", 9);
    want = xasprintf("{\"Root\":{\"%s\":{\"new\":%s}}}", b, b9);
    expect_update(&sink, want);
    free(want);
    json_object_put(transact(
        "[{\"op\":\"insert\",\"table\":\"Root\",\"row\":{\"name\":\"c\"}},"
        " {\"op\":\"delete\",\"table\":\"Root\","
        "  \"where\":[[\"name\",\"==\",\"c\"]]}]"));
    expect_no_update(&sink);

    db_monitor_destroy(m);
    sink_destroy(&sink);
    free(a);
    free(a1);
    free(b);
    free(b9);
}

/* A commit that changes only columns a monitor does not watch sends it
 * nothing; ephemeral columns are watched like any other. */
static void
test_unwatched_columns(void **state)
{
    (void) state;
    char *a = insert_root("{\"name\":\"a\"}");
    struct sink sink;
    sink_init(&sink);
    struct db_monitor *m = create_monitor(
        "{\"Root\":{\"columns\":[\"name\",\"status\"]}}", &sink, NULL);

    transactf("[{\"op\":\"update\",\"table\":\"Root\","
              "  \"where\":[[\"_uuid\",\"==\",[\"uuid\",\"%s\"]]],"
              "  \"row\":{\"count\":7,\"tags\":\"x\"}}]", a);
    expect_no_update(&sink);

    transactf("[{\"op\":\"update\",\"table\":\"Root\","
              "  \"where\":[[\"_uuid\",\"==\",[\"uuid\",\"%s\"]]],"
              "  \"row\":{\"count\":8,\"status\":\"up\"}}]", a);
    char *want = xasprintf("{\"Root\":{\"%s\":{\"old\":{\"status\":\"\"},"
                           "\"new\":{\"name\":\"a\",\"status\":\"up\"}}}}",
                           a);
    expect_update(&sink, want);
    free(want);

    /* Changes to a table the monitor does not watch: nothing. */
    json_object_put(transact(
        "[{\"op\":\"insert\",\"table\":\"Child\",\"uuid-name\":\"c\","
        "  \"row\":{\"name\":\"c\"}},"
        " {\"op\":\"insert\",\"table\":\"Root\",\"uuid-name\":\"r\","
        "  \"row\":{\"children\":[\"named-uuid\",\"c\"]}},"
        " {\"op\":\"delete\",\"table\":\"Root\","
        "  \"where\":[[\"_uuid\",\"==\",[\"named-uuid\",\"r\"]]]}]"));
    expect_no_update(&sink);

    db_monitor_destroy(m);
    sink_destroy(&sink);
    free(a);
}

/* "select" chooses which kinds of change are sent. */
static void
test_select_flags(void **state)
{
    (void) state;
    static const char *const requests[] = {
        "{\"Root\":{\"columns\":[\"count\"],\"select\":{\"insert\":false}}}",
        "{\"Root\":{\"columns\":[\"count\"],\"select\":{\"delete\":false}}}",
        "{\"Root\":{\"columns\":[\"count\"],\"select\":{\"modify\":false}}}",
        "{\"Root\":{\"columns\":[\"count\"],\"select\":{\"initial\":true,"
        "  \"insert\":true,\"delete\":true,\"modify\":true}}}",
        "{\"Root\":{\"columns\":[\"count\"],\"select\":{\"initial\":false,"
        "  \"insert\":false,\"delete\":false,\"modify\":false}}}",
    };
    enum { N = ARRAY_SIZE(requests) };
    struct sink sinks[N];
    struct db_monitor *monitors[N];
    for (size_t i = 0; i < N; i++) {
        sink_init(&sinks[i]);
        monitors[i] = create_monitor(requests[i], &sinks[i], NULL);
    }

    char *a = insert_root("{\"count\":1}");
    char *insert = xasprintf("{\"Root\":{\"%s\":{\"new\":{\"count\":1}}}}",
                             a);
    expect_no_update(&sinks[0]);
    expect_update(&sinks[1], insert);
    expect_update(&sinks[2], insert);
    expect_update(&sinks[3], insert);
    expect_no_update(&sinks[4]);

    transactf("[{\"op\":\"update\",\"table\":\"Root\","
              "  \"where\":[[\"_uuid\",\"==\",[\"uuid\",\"%s\"]]],"
              "  \"row\":{\"count\":2}}]", a);
    char *modify = xasprintf("{\"Root\":{\"%s\":{\"old\":{\"count\":1},"
                             "\"new\":{\"count\":2}}}}", a);
    expect_update(&sinks[0], modify);
    expect_update(&sinks[1], modify);
    expect_no_update(&sinks[2]);
    expect_update(&sinks[3], modify);
    expect_no_update(&sinks[4]);

    transactf("[{\"op\":\"delete\",\"table\":\"Root\","
              "  \"where\":[[\"_uuid\",\"==\",[\"uuid\",\"%s\"]]]}]", a);
    char *delete = xasprintf("{\"Root\":{\"%s\":{\"old\":{\"count\":2}}}}",
                             a);
    expect_update(&sinks[0], delete);
    expect_no_update(&sinks[1]);
    expect_update(&sinks[2], delete);
    expect_update(&sinks[3], delete);
    expect_no_update(&sinks[4]);

    for (size_t i = 0; i < N; i++) {
        db_monitor_destroy(monitors[i]);
        sink_destroy(&sinks[i]);
    }
    free(insert);
    free(modify);
    free(delete);
    free(a);
}

/* One commit that touches several watched tables is one update with each
 * table; rows deleted by garbage collection are sent as deletes. */
static void
test_several_tables(void **state)
{
    (void) state;
    struct sink sink;
    sink_init(&sink);
    struct db_monitor *m = create_monitor(
        "{\"Root\":{\"columns\":[\"name\",\"children\"]},"
        " \"Child\":{\"columns\":[\"name\"]}}", &sink, NULL);

    struct json_object *results = transact(
        "[{\"op\":\"insert\",\"table\":\"Child\",\"uuid-name\":\"c\","
        "  \"row\":{\"name\":\"c\"}},"
        " {\"op\":\"insert\",\"table\":\"Root\","
        "  \"row\":{\"name\":\"r\",\"children\":[\"named-uuid\",\"c\"]}}]");
    char *c = result_uuid(results, 0);
    char *r = result_uuid(results, 1);
    json_object_put(results);
    char *want = xasprintf(
        "{\"Child\":{\"%s\":{\"new\":{\"name\":\"c\"}}},"
        " \"Root\":{\"%s\":{\"new\":{\"name\":\"r\","
        "                            \"children\":[\"uuid\",\"%s\"]}}}}",
        c, r, c);
    expect_update(&sink, want);
    free(want);

    /* Dropping the reference collects the child. */
    transactf("[{\"op\":\"update\",\"table\":\"Root\","
              "  \"where\":[[\"_uuid\",\"==\",[\"uuid\",\"%s\"]]],"
              "  \"row\":{\"children\":[\"set\",[]]}}]", r);
    want = xasprintf(
        "{\"Child\":{\"%s\":{\"old\":{\"name\":\"c\"}}},"
        " \"Root\":{\"%s\":{\"old\":{\"children\":[\"uuid\",\"%s\"]},"
        "                   \"new\":{\"name\":\"r\","
        "                            \"children\":[\"set\",[]]}}}}",
        c, r, c);
    expect_update(&sink, want);
    free(want);

    db_monitor_destroy(m);
    sink_destroy(&sink);
    free(c);
    free(r);
}

/* A transaction that fails or waits sends nothing. */
static void
test_failed_commit(void **state)
{
    (void) state;
    struct sink sink;
    sink_init(&sink);
    struct db_monitor *m = create_monitor("{\"Root\":{},\"Child\":{}}",
                                          &sink, NULL);

    /* A strong reference to a row that does not exist. */
    struct json_object *ops = parse(
        "[{\"op\":\"insert\",\"table\":\"Child\",\"row\":{}},"
        " {\"op\":\"insert\",\"table\":\"Root\",\"row\":{\"children\":"
        "   [\"uuid\",\"7c8b4cd2-4f44-4c19-b1c5-2f1e2cbb0c7a\"]}}]");
    long long int retry;
    struct json_object *results = db_execute(db, NULL, ops, 0, &retry);
    assert_non_null(results);
    assert_int_equal(json_object_array_length(results), 3);
    json_object_put(results);
    json_object_put(ops);
    expect_no_update(&sink);

    /* An operation that fails after an insert. */
    ops = parse("[{\"op\":\"insert\",\"table\":\"Root\",\"row\":{}},"
                " {\"op\":\"bogus\"}]");
    results = db_execute(db, NULL, ops, 0, &retry);
    assert_non_null(results);
    json_object_put(results);
    json_object_put(ops);
    expect_no_update(&sink);

    /* An insert followed by a "wait" that does not hold yet. */
    ops = parse("[{\"op\":\"insert\",\"table\":\"Root\",\"row\":{}},"
                " {\"op\":\"wait\",\"table\":\"Root\",\"where\":[],"
                "  \"columns\":[\"name\"],\"until\":\"==\","
                "  \"rows\":[{\"name\":\"never\"}]}]");
    assert_null(db_execute(db, NULL, ops, 0, &retry));
    json_object_put(ops);
    expect_no_update(&sink);
    assert_int_equal(db_table_count_rows(db_get_table(db, "Root")), 0);

    db_monitor_destroy(m);
    sink_destroy(&sink);
}

/* Bad requests are refused with errors that name the problem, and leave
 * nothing attached. */
static void
test_bad_requests(void **state)
{
    (void) state;
    static const struct {
        const char *requests;
        const char *words;
    } cases[] = {
        { "[]", "monitor requests must be an object" },
        { "\"Root\"", "monitor requests must be an object" },
        { "{\"Nope\":{}}", "no table named \"Nope\"" },
        { "{\"Root\":{},\"Nope\":{}}", "no table named \"Nope\"" },
        { "{\"Root\":{\"columns\":[\"nope\"]}}", "no such column" },
        { "{\"Root\":{\"columns\":[5]}}", "no such column" },
        { "{\"Root\":{\"columns\":\"name\"}}", "must be an array" },
        { "{\"Root\":{\"columns\":[\"name\",\"count\",\"name\"]}}",
          "column listed twice" },
        { "{\"Root\":{\"select\":{\"bogus\":true}}}",
          "bad \"select\" member \"bogus\"" },
        { "{\"Root\":{\"select\":{\"insert\":1}}}",
          "bad \"select\" member \"insert\"" },
        { "{\"Root\":{\"select\":[true]}}", "must be an object" },
        { "{\"Root\":{\"where\":[]}}", "unknown member \"where\"" },
        { "{\"Root\":5}", "a monitor request must be an object" },
        { "{\"Root\":null}", "a monitor request must be an object" },
        { "{\"Root\":[{},{}]}", "one monitor request per table" },
        { "{\"Root\":[]}", "one monitor request per table" },
    };
    struct sink sink;
    sink_init(&sink);

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct json_object *requests = parse(cases[i].requests);
        struct db_monitor *monitor = (struct db_monitor *) 1;
        struct json_object *initial = (struct json_object *) 1;
        struct db_error *error = db_monitor_create(db, requests, sink_send,
                                                   &sink, &monitor,
                                                   &initial);
        if (!error) {
            fail_msg("%s: no error", cases[i].requests);
        }
        char *s = db_error_to_string(error);
        if (!strstr(s, cases[i].words)) {
            fail_msg("%s: error \"%s\" lacks \"%s\"", cases[i].requests, s,
                     cases[i].words);
        }
        assert_null(monitor);
        assert_null(initial);
        free(s);
        db_error_destroy(error);
        json_object_put(requests);
    }

    /* Nothing was left attached to the database. */
    free(insert_root("{}"));
    expect_no_update(&sink);
    sink_destroy(&sink);
}

/* A destroyed monitor is detached: it sends nothing more, while others
 * go on. */
static void
test_destroy_detaches(void **state)
{
    (void) state;
    struct sink s1, s2;
    sink_init(&s1);
    sink_init(&s2);
    struct db_monitor *m1 = create_monitor("{\"Root\":{\"columns\":"
                                           "[\"name\"]}}", &s1, NULL);
    struct db_monitor *m2 = create_monitor("{\"Root\":{\"columns\":"
                                           "[\"name\"]}}", &s2, NULL);

    char *a = insert_root("{\"name\":\"a\"}");
    char *want = xasprintf("{\"Root\":{\"%s\":{\"new\":{\"name\":\"a\"}}}}",
                           a);
    expect_update(&s1, want);
    expect_update(&s2, want);
    free(want);

    db_monitor_destroy(m1);
    db_monitor_destroy(NULL);
    char *b = insert_root("{\"name\":\"b\"}");
    want = xasprintf("{\"Root\":{\"%s\":{\"new\":{\"name\":\"b\"}}}}", b);
    expect_no_update(&s1);
    expect_update(&s2, want);
    free(want);

    db_monitor_destroy(m2);
    free(insert_root("{\"name\":\"c\"}"));
    expect_no_update(&s2);

    sink_destroy(&s1);
    sink_destroy(&s2);
    free(a);
    free(b);
}

/* Destroying the database frees the monitors still attached to it (the
 * leak checker would notice otherwise). */
static void
test_db_destroy_frees_monitors(void **state)
{
    (void) state;
    struct sink sink;
    sink_init(&sink);
    create_monitor("{\"Root\":{},\"Child\":{\"columns\":[\"name\"]}}",
                   &sink, NULL);
    create_monitor("{\"Root\":{\"select\":{\"initial\":false}}}", &sink,
                   NULL);
    db_destroy(db);
    db = NULL;
    sink_destroy(&sink);
}

static int
setup(void **state)
{
    (void) state;
    struct json_object *json = parse(SCHEMA);
    struct db_schema *schema;
    struct db_error *error = db_schema_from_json(json, &schema);
    json_object_put(json);
    if (error) {
        char *s = db_error_to_string(error);
        fail_msg("schema: %s", s);
    }
    db = db_create(schema);
    return 0;
}

static int
teardown(void **state)
{
    (void) state;
    db_destroy(db);
    db = NULL;
    return 0;
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_version_column, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_initial_all_columns, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_initial_chosen_columns, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_initial_false, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_insert_modify_delete, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_unwatched_columns, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_select_flags, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_several_tables, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_failed_commit, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_bad_requests, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_destroy_detaches, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_db_destroy_frees_monitors,
                                        setup, teardown),
    };
    vlog_set_levels(NULL, VLF_CONSOLE, VLL_OFF);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
