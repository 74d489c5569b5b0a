/* Unit tests for lib/db-file: databases kept in db-log files: creation
 * from a schema, commits written and replayed, the record format, damage,
 * compaction and the lock. */
#include "unit.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>

#include "db-error.h"
#include "db-execute.h"
#include "db-file.h"
#include "db-log.h"
#include "db-monitor.h"
#include "db-schema.h"
#include "db.h"
#include "dynamic-string.h"
#include "timeval.h"
#include "uuid.h"
#include "vlog.h"

static char *tmp_dir;
static char *log_name;          /* vlog's file. */
static char *schema_path;       /* SMALL_SCHEMA, written by setup(). */

/* A small schema: a root table with scalars, a set, a map, strong
 * references to a non-root table, a weak reference and an ephemeral
 * column. */
static const char SMALL_SCHEMA[] =
    "{\"name\": \"Test\", \"version\": \"1.2.3\", \"tables\": {"
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
    "    \"friend\": {\"type\": {\"key\": {\"type\": \"uuid\","
    "                                      \"refTable\": \"Root\","
    "                                      \"refType\": \"weak\"},"
    "                            \"min\": 0, \"max\": 1}},"
    "    \"status\": {\"type\": \"string\", \"ephemeral\": true}}},"
    "  \"Child\": {\"columns\": {"
    "    \"name\": {\"type\": \"string\"},"
    "    \"weight\": {\"type\": \"real\"}}}}}";

/* ---- Helpers. ---- */

/* Returns TMP_DIR/NAME; the caller frees it. */
static char *
tmp_file(const char *name)
{
    return xasprintf("%s/%s", tmp_dir, name);
}

/* Makes PATH hold exactly the N bytes at DATA. */
static void
spew(const char *path, const void *data, size_t n)
{
    FILE *file = fopen(path, "wb");
    assert_non_null(file);
    assert_int_equal(fwrite(data, 1, n, file), n);
    assert_int_equal(fclose(file), 0);
}

static off_t
file_size(const char *path)
{
    struct stat s;
    assert_int_equal(stat(path, &s), 0);
    return s.st_size;
}

static struct json_object *
parse(const char *text)
{
    struct json_object *json = json_tokener_parse(text);
    if (!json) {
        fail_msg("does not parse: %s", text);
    }
    return json;
}

static void
assert_json_equal(const struct json_object *have, const char *want_text)
{
    struct json_object *want = parse(want_text);
    if (!json_object_equal((struct json_object *) have, want)) {
        fail_msg("%s != %s",
                 json_object_to_json_string((struct json_object *) have),
                 want_text);
    }
    json_object_put(want);
}

/* Opens PATH (creating it from SCHEMA if it is new), which must work. */
static struct db *
open_db(const char *path, const char *schema, struct db_file **filep)
{
    struct db_file *file;
    struct db *db;
    struct db_error *error = db_file_open(path, schema, &db, &file);
    if (error) {
        char *s = db_error_to_string(error);
        fail_msg("db_file_open(%s): %s", path, s);
    }
    assert_non_null(db);
    assert_non_null(file);
    if (filep) {
        *filep = file;
    }
    return db;
}

/* Opens PATH, which must fail with an error whose details contain WANT. */
static void
expect_open_error(const char *path, const char *schema, const char *want)
{
    struct db_file *file = (struct db_file *) 1;
    struct db *db = (struct db *) 1;
    struct db_error *error = db_file_open(path, schema, &db, &file);
    assert_non_null(error);
    assert_null(db);
    assert_null(file);
    char *s = db_error_to_string(error);
    if (!strstr(s, want)) {
        fail_msg("error \"%s\" lacks \"%s\"", s, want);
    }
    free(s);
    db_error_destroy(error);
}

/* Runs the operations OPS (a JSON array's text) on DB; every one must
 * succeed.  Returns the results (the caller puts them). */
static struct json_object *
transact(struct db *db, const char *ops_text)
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

/* Like transact(), but for operations whose commit must fail: returns the
 * last result's "error". */
static char *
transact_error(struct db *db, const char *ops_text)
{
    struct json_object *ops = parse(ops_text);
    long long int retry;
    struct json_object *results = db_execute(db, NULL, ops, 0, &retry);
    assert_non_null(results);
    size_t n = json_object_array_length(results);
    struct json_object *last = json_object_array_get_idx(results, n - 1);
    struct json_object *tag;
    assert_true(json_object_object_get_ex(last, "error", &tag));
    char *s = xstrdup(json_object_get_string(tag));
    json_object_put(results);
    json_object_put(ops);
    return s;
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

/* Inserts one row with ROW_TEXT into TABLE and returns its uuid. */
static char *
insert(struct db *db, const char *table, const char *row_text)
{
    char *ops = xasprintf("[{\"op\":\"insert\",\"table\":\"%s\","
                          "\"row\":%s}]", table, row_text);
    struct json_object *results = transact(db, ops);
    char *uuid = result_uuid(results, 0);
    json_object_put(results);
    free(ops);
    return uuid;
}

/* Every row of every table: {"TABLE": {"UUID": ROW, ...}, ...}. */
static struct json_object *
dump_db(const struct db *db)
{
    struct json_object *dump = json_object_new_object();
    for (size_t t = 0; t < db->schema->n_tables; t++) {
        const struct db_table *table = db->tables[t];
        struct json_object *rows = json_object_new_object();
        const struct db_row *row;
        DB_TABLE_FOR_EACH_ROW (row, table) {
            char s[UUID_LEN + 1];
            uuid_to_string(db_row_get_uuid(row), s);
            json_object_object_add(rows, s, db_row_to_json(row, NULL, 0));
        }
        json_object_object_add(dump, table->schema->name, rows);
    }
    return dump;
}

static void
assert_dump_equal(const struct json_object *a, const struct json_object *b)
{
    if (!json_object_equal((struct json_object *) a,
                           (struct json_object *) b)) {
        fail_msg("databases differ:\n%s\n%s",
                 json_object_to_json_string((struct json_object *) a),
                 json_object_to_json_string((struct json_object *) b));
    }
}

/* The row of TABLE with UUID_S as JSON (the caller puts it), or NULL. */
static struct json_object *
get_row(const struct db *db, const char *table, const char *uuid_s)
{
    struct uuid uuid;
    assert_true(uuid_from_string(&uuid, uuid_s));
    const struct db_table *t = db_get_table(db, table);
    assert_non_null(t);
    const struct db_row *row = db_table_find_row(t, &uuid);
    return row ? db_row_to_json(row, NULL, 0) : NULL;
}

/* Member NAME of the row of TABLE with UUID_S, as compact JSON text. */
static void
assert_column(const struct db *db, const char *table, const char *uuid_s,
              const char *name, const char *want)
{
    struct json_object *row = get_row(db, table, uuid_s);
    struct json_object *value;
    if (!row) {
        fail_msg("%s has no row %s", table, uuid_s);
    }
    assert_true(json_object_object_get_ex(row, name, &value));
    assert_json_equal(value, want);
    json_object_put(row);
}

static size_t
count_rows(const struct db *db, const char *table)
{
    const struct db_table *t = db_get_table(db, table);
    assert_non_null(t);
    return db_table_count_rows(t);
}

/* Reads every record of PATH (which no writable log may hold open) into
 * a JSON array (the caller puts it). */
static struct json_object *
read_records(const char *path)
{
    struct db_log *log;
    struct json_object *records = json_object_new_array();
    assert_int_equal(db_log_open(path, DB_LOG_READ_ONLY, &log), 0);
    for (;;) {
        struct json_object *record;
        assert_int_equal(db_log_read(log, &record), 0);
        if (!record) {
            break;
        }
        json_object_array_add(records, record);
    }
    db_log_close(log);
    return records;
}

/* Writes a database file at PATH holding the records given as JSON
 * texts, the first being the schema. */
static void
write_records(const char *path, const char *const *texts, size_t n)
{
    struct db_log *log;
    assert_int_equal(db_log_open(path, DB_LOG_CREATE, &log), 0);
    assert_int_equal(db_log_read(log, &(struct json_object *) { NULL }), 0);
    for (size_t i = 0; i < n; i++) {
        struct json_object *record = parse(texts[i]);
        assert_int_equal(db_log_write(log, record), 0);
        json_object_put(record);
    }
    assert_int_equal(db_log_commit(log), 0);
    db_log_close(log);
}

/* ---- Tests. ---- */

/* A new file is created from the schema file; its one record is the
 * schema, and reopening it without a schema gives the same database. */
static void
test_create_from_schema(void **state)
{
    (void) state;
    char *path = tmp_file("create.db");
    struct db_file *file;
    struct db *db = open_db(path, schema_path, &file);

    assert_string_equal(db->schema->name, "Test");
    assert_string_equal(db->schema->version, "1.2.3");
    assert_int_equal(count_rows(db, "Root"), 0);
    assert_int_equal(count_rows(db, "Child"), 0);
    assert_string_equal(db_file_get_name(file), path);
    assert_int_equal(db_file_get_size(file), file_size(path));
    struct json_object *schema_json = db_schema_to_json(db->schema);
    db_destroy(db);

    struct json_object *records = read_records(path);
    assert_int_equal(json_object_array_length(records), 1);
    assert_true(json_object_equal(json_object_array_get_idx(records, 0),
                                  schema_json));
    json_object_put(records);

    /* Reopened without a schema path: the file's schema. */
    db = open_db(path, NULL, NULL);
    struct json_object *again = db_schema_to_json(db->schema);
    assert_true(json_object_equal(again, schema_json));
    json_object_put(again);
    db_destroy(db);

    /* An empty file is created from the schema too. */
    char *empty = tmp_file("empty-create.db");
    spew(empty, "", 0);
    db = open_db(empty, schema_path, NULL);
    assert_string_equal(db->schema->name, "Test");
    db_destroy(db);

    json_object_put(schema_json);
    free(empty);
    free(path);
}

/* The real schema of the switch: create, commit, reopen. */
static void
test_vswitch_schema(void **state)
{
    (void) state;
    const char *srcdir = getenv("srcdir");
    char *schema = xasprintf("%s/vswitchd/vswitch.schema.json",
                             srcdir && *srcdir ? srcdir : ".");
    char *path = tmp_file("conf.db");
    struct db *db = open_db(path, schema, NULL);

    assert_string_equal(db->schema->name, "Open_vSwitch");
    struct json_object *results = transact(
        db, "[{\"op\":\"insert\",\"table\":\"Interface\","
        "      \"row\":{\"name\":\"eth0\"},\"uuid-name\":\"i\"},"
        "    {\"op\":\"insert\",\"table\":\"Port\",\"uuid-name\":\"p\","
        "      \"row\":{\"name\":\"eth0\","
        "               \"interfaces\":[\"named-uuid\",\"i\"]}},"
        "    {\"op\":\"insert\",\"table\":\"Bridge\",\"uuid-name\":\"b\","
        "      \"row\":{\"name\":\"br0\",\"ports\":[\"named-uuid\",\"p\"]}},"
        "    {\"op\":\"insert\",\"table\":\"Open_vSwitch\","
        "      \"row\":{\"next_cfg\":1,"
        "               \"bridges\":[\"named-uuid\",\"b\"]}}]");
    json_object_put(results);
    struct json_object *before = dump_db(db);
    db_destroy(db);

    db = open_db(path, schema, NULL);
    struct json_object *after = dump_db(db);
    assert_dump_equal(before, after);
    assert_int_equal(count_rows(db, "Bridge"), 1);
    assert_int_equal(count_rows(db, "Port"), 1);
    assert_int_equal(count_rows(db, "Interface"), 1);
    db_destroy(db);

    json_object_put(before);
    json_object_put(after);
    free(path);
    free(schema);
}

/* Inserts, modifications and deletions of every kind of column come back
 * after reopening. */
static void
test_replay(void **state)
{
    (void) state;
    char *path = tmp_file("replay.db");
    struct db *db = open_db(path, schema_path, NULL);

    struct json_object *results = transact(
        db, "[{\"op\":\"insert\",\"table\":\"Child\",\"uuid-name\":\"c1\","
        "      \"row\":{\"name\":\"c1\",\"weight\":1.5}},"
        "    {\"op\":\"insert\",\"table\":\"Child\",\"uuid-name\":\"c2\","
        "      \"row\":{\"name\":\"c2\",\"weight\":-2.25}},"
        "    {\"op\":\"insert\",\"table\":\"Root\",\"uuid-name\":\"r\","
        "      \"row\":{\"name\":\"a\",\"count\":7,"
        "        \"tags\":[\"set\",[\"x\",\"y\"]],"
        "        \"options\":[\"map\",[[\"k1\",\"v1\"],[\"k2\",\"v2\"]]],"
        "        \"children\":[\"set\",[[\"named-uuid\",\"c1\"],"
        "                               [\"named-uuid\",\"c2\"]]]}}]");
    char *c1 = result_uuid(results, 0);
    char *c2 = result_uuid(results, 1);
    char *a = result_uuid(results, 2);
    json_object_put(results);
    char *b = insert(db, "Root", "{\"name\":\"b\",\"count\":-1}");
    char *gone = insert(db, "Root", "{\"name\":\"gone\"}");

    /* Modify: a scalar, a set and a map by mutation, a weak reference. */
    char *ops = xasprintf(
        "[{\"op\":\"update\",\"table\":\"Root\","
        "  \"where\":[[\"_uuid\",\"==\",[\"uuid\",\"%s\"]]],"
        "  \"row\":{\"count\":8,\"friend\":[\"uuid\",\"%s\"]}},"
        " {\"op\":\"mutate\",\"table\":\"Root\","
        "  \"where\":[[\"_uuid\",\"==\",[\"uuid\",\"%s\"]]],"
        "  \"mutations\":[[\"tags\",\"delete\",\"x\"],"
        "                 [\"tags\",\"insert\",\"z\"],"
        "                 [\"options\",\"insert\","
        "                  [\"map\",[[\"k3\",\"v3\"]]]],"
        "                 [\"options\",\"delete\",[\"set\",[\"k1\"]]]]},"
        " {\"op\":\"delete\",\"table\":\"Root\","
        "  \"where\":[[\"_uuid\",\"==\",[\"uuid\",\"%s\"]]]}]",
        a, b, a, gone);
    json_object_put(transact(db, ops));
    free(ops);

    struct json_object *before = dump_db(db);
    db_destroy(db);

    db = open_db(path, schema_path, NULL);
    struct json_object *after = dump_db(db);
    assert_dump_equal(before, after);
    assert_int_equal(count_rows(db, "Root"), 2);
    assert_int_equal(count_rows(db, "Child"), 2);
    assert_column(db, "Root", a, "count", "8");
    assert_column(db, "Root", a, "tags", "[\"set\",[\"y\",\"z\"]]");
    assert_column(db, "Root", a, "options",
                  "[\"map\",[[\"k2\",\"v2\"],[\"k3\",\"v3\"]]]");
    char *want = xasprintf("[\"uuid\",\"%s\"]", b);
    assert_column(db, "Root", a, "friend", want);
    free(want);
    assert_column(db, "Child", c1, "name", "\"c1\"");
    assert_column(db, "Root", b, "count", "-1");
    assert_column(db, "Child", c2, "weight", "-2.25");
    assert_null(get_row(db, "Root", gone));

    /* Deleting the weak reference's target clears it, durably. */
    ops = xasprintf("[{\"op\":\"delete\",\"table\":\"Root\","
                    "  \"where\":[[\"_uuid\",\"==\",[\"uuid\",\"%s\"]]]}]",
                    b);
    json_object_put(transact(db, ops));
    free(ops);
    db_destroy(db);
    db = open_db(path, NULL, NULL);
    assert_column(db, "Root", a, "friend", "[\"set\",[]]");
    assert_null(get_row(db, "Root", b));
    db_destroy(db);

    json_object_put(before);
    json_object_put(after);
    free(a);
    free(b);
    free(c1);
    free(c2);
    free(gone);
    free(path);
}

/* Rows of a non-root table that lose their last reference are deleted,
 * and stay deleted after reopening. */
static void
test_garbage_collection(void **state)
{
    (void) state;
    char *path = tmp_file("gc.db");
    struct db *db = open_db(path, schema_path, NULL);

    struct json_object *results = transact(
        db, "[{\"op\":\"insert\",\"table\":\"Child\",\"uuid-name\":\"c1\","
        "      \"row\":{\"name\":\"c1\"}},"
        "    {\"op\":\"insert\",\"table\":\"Child\",\"uuid-name\":\"c2\","
        "      \"row\":{\"name\":\"c2\"}},"
        "    {\"op\":\"insert\",\"table\":\"Root\",\"uuid-name\":\"r1\","
        "      \"row\":{\"name\":\"r1\","
        "               \"children\":[\"named-uuid\",\"c1\"]}},"
        "    {\"op\":\"insert\",\"table\":\"Root\","
        "      \"row\":{\"name\":\"r2\","
        "               \"children\":[\"named-uuid\",\"c2\"]}}]");
    char *c1 = result_uuid(results, 0);
    char *c2 = result_uuid(results, 1);
    char *r1 = result_uuid(results, 2);
    char *r2 = result_uuid(results, 3);
    json_object_put(results);
    /* A child that nothing refers to never makes it into the database. */
    json_object_put(transact(db, "[{\"op\":\"insert\",\"table\":\"Child\","
                             "\"row\":{\"name\":\"orphan\"}}]"));
    assert_int_equal(count_rows(db, "Child"), 2);

    /* r1 drops its reference; r2 is deleted.  Both children go. */
    char *ops = xasprintf(
        "[{\"op\":\"update\",\"table\":\"Root\","
        "  \"where\":[[\"_uuid\",\"==\",[\"uuid\",\"%s\"]]],"
        "  \"row\":{\"children\":[\"set\",[]]}},"
        " {\"op\":\"delete\",\"table\":\"Root\","
        "  \"where\":[[\"_uuid\",\"==\",[\"uuid\",\"%s\"]]]}]", r1, r2);
    json_object_put(transact(db, ops));
    free(ops);
    assert_int_equal(count_rows(db, "Child"), 0);
    db_destroy(db);

    db = open_db(path, schema_path, NULL);
    assert_int_equal(count_rows(db, "Root"), 1);
    assert_int_equal(count_rows(db, "Child"), 0);
    assert_null(get_row(db, "Child", c1));
    assert_null(get_row(db, "Child", c2));
    assert_column(db, "Root", r1, "children", "[\"set\",[]]");
    db_destroy(db);

    free(c1);
    free(c2);
    free(r1);
    free(r2);
    free(path);
}

/* Ephemeral columns are not written: after reopening they have their
 * default values, and a transaction that changes only them writes no
 * record. */
static void
test_ephemeral(void **state)
{
    (void) state;
    char *path = tmp_file("ephemeral.db");
    struct db_file *file;
    struct db *db = open_db(path, schema_path, &file);

    char *r = insert(db, "Root", "{\"name\":\"r\",\"status\":\"up\"}");
    assert_column(db, "Root", r, "status", "\"up\"");
    off_t size = db_file_get_size(file);

    char *ops = xasprintf("[{\"op\":\"update\",\"table\":\"Root\","
                          "  \"where\":[[\"_uuid\",\"==\","
                          "              [\"uuid\",\"%s\"]]],"
                          "  \"row\":{\"status\":\"down\"}}]", r);
    json_object_put(transact(db, ops));
    free(ops);
    assert_column(db, "Root", r, "status", "\"down\"");
    assert_int_equal(db_file_get_size(file), size);
    assert_int_equal(file_size(path), size);
    db_destroy(db);

    struct json_object *records = read_records(path);
    assert_int_equal(json_object_array_length(records), 2);
    struct json_object *tables = json_object_array_get_idx(records, 1);
    struct json_object *rows, *row;
    assert_true(json_object_object_get_ex(tables, "Root", &rows));
    assert_true(json_object_object_get_ex(rows, r, &row));
    assert_json_equal(row, "{\"name\":\"r\"}");
    json_object_put(records);

    db = open_db(path, schema_path, NULL);
    assert_column(db, "Root", r, "name", "\"r\"");
    assert_column(db, "Root", r, "status", "\"\"");
    db_destroy(db);

    free(r);
    free(path);
}

/* Each commit is one record: {"TABLE": {"UUID": ROW or null}, "_date":
 * ..., "_comment": ...}, with only what changed. */
static void
test_record_format(void **state)
{
    (void) state;
    char *path = tmp_file("format.db");
    struct db *db = open_db(path, schema_path, NULL);
    long long int t0 = time_wall_msec();

    struct json_object *results = transact(
        db, "[{\"op\":\"insert\",\"table\":\"Root\","
        "      \"row\":{\"name\":\"r\",\"tags\":\"t\"}},"
        "    {\"op\":\"insert\",\"table\":\"Root\",\"row\":{}},"
        "    {\"op\":\"comment\",\"comment\":\"first\"},"
        "    {\"op\":\"comment\",\"comment\":\"second\"}]");
    char *r = result_uuid(results, 0);
    char *blank = result_uuid(results, 1);
    json_object_put(results);

    char *ops = xasprintf("[{\"op\":\"update\",\"table\":\"Root\","
                          "  \"where\":[[\"_uuid\",\"==\","
                          "              [\"uuid\",\"%s\"]]],"
                          "  \"row\":{\"count\":3,\"name\":\"r\"}}]", r);
    json_object_put(transact(db, ops));
    free(ops);
    ops = xasprintf("[{\"op\":\"delete\",\"table\":\"Root\","
                    "  \"where\":[[\"_uuid\",\"==\",[\"uuid\",\"%s\"]]]}]",
                    r);
    json_object_put(transact(db, ops));
    free(ops);
    long long int t1 = time_wall_msec();
    db_destroy(db);

    struct json_object *records = read_records(path);
    assert_int_equal(json_object_array_length(records), 4);

    /* The inserts: non-default columns only, and the comment. */
    char *want = xasprintf("{\"Root\":{\"%s\":{\"name\":\"r\","
                           "\"tags\":\"t\"},\"%s\":{}},"
                           "\"_comment\":\"first\\nsecond\"}", r, blank);
    struct json_object *record = json_object_array_get_idx(records, 1);
    struct json_object *date;
    assert_true(json_object_object_get_ex(record, "_date", &date));
    assert_true(json_object_is_type(date, json_type_int));
    assert_true(json_object_get_int64(date) >= t0);
    assert_true(json_object_get_int64(date) <= t1);
    json_object_object_del(record, "_date");
    assert_json_equal(record, want);
    free(want);

    /* The update: only the column that changed; no comment member. */
    want = xasprintf("{\"Root\":{\"%s\":{\"count\":3}}}", r);
    record = json_object_array_get_idx(records, 2);
    assert_true(json_object_object_get_ex(record, "_date", &date));
    json_object_object_del(record, "_date");
    assert_json_equal(record, want);
    free(want);

    /* The delete: null. */
    want = xasprintf("{\"Root\":{\"%s\":null}}", r);
    record = json_object_array_get_idx(records, 3);
    json_object_object_del(record, "_date");
    assert_json_equal(record, want);
    free(want);
    json_object_put(records);

    free(r);
    free(blank);
    free(path);
}

/* A transaction that fails writes nothing. */
static void
test_failed_commit_writes_nothing(void **state)
{
    (void) state;
    char *path = tmp_file("failed.db");
    struct db_file *file;
    struct db *db = open_db(path, schema_path, &file);
    off_t size = db_file_get_size(file);

    /* A strong reference to a row that does not exist. */
    char *tag = transact_error(
        db, "[{\"op\":\"insert\",\"table\":\"Root\",\"row\":{\"children\":"
        "   [\"uuid\",\"7c8b4cd2-4f44-4c19-b1c5-2f1e2cbb0c7a\"]}}]");
    assert_string_equal(tag, "referential integrity violation");
    free(tag);
    assert_int_equal(db_file_get_size(file), size);
    assert_int_equal(file_size(path), size);
    assert_int_equal(count_rows(db, "Root"), 0);
    db_destroy(db);
    free(path);
}

/* A torn last record (a crash while writing) loses only that
 * transaction; later commits follow the last good record. */
static void
test_torn_tail(void **state)
{
    (void) state;
    char *path = tmp_file("torn.db");
    struct db *db = open_db(path, schema_path, NULL);

    char *a = insert(db, "Root", "{\"name\":\"a\"}");
    char *b = insert(db, "Root", "{\"name\":\"b\"}");
    off_t good = file_size(path);
    char *c = insert(db, "Root", "{\"name\":\"c\"}");
    off_t full = file_size(path);
    assert_true(full > good + 20);
    db_destroy(db);

    assert_int_equal(truncate(path, full - 10), 0);
    struct db_file *file;
    db = open_db(path, schema_path, &file);
    assert_int_equal(count_rows(db, "Root"), 2);
    assert_column(db, "Root", a, "name", "\"a\"");
    assert_column(db, "Root", b, "name", "\"b\"");
    assert_null(get_row(db, "Root", c));
    assert_int_equal(db_file_get_size(file), good);

    char *d = insert(db, "Root", "{\"name\":\"d\"}");
    struct json_object *before = dump_db(db);
    db_destroy(db);

    db = open_db(path, NULL, NULL);
    struct json_object *after = dump_db(db);
    assert_dump_equal(before, after);
    assert_int_equal(count_rows(db, "Root"), 3);
    db_destroy(db);

    json_object_put(before);
    json_object_put(after);
    free(a);
    free(b);
    free(c);
    free(d);
    free(path);
}

/* A file that is not a database, and an empty or missing one without a
 * schema, are refused with errors that say so. */
static void
test_bad_files(void **state)
{
    (void) state;
    char *path = tmp_file("notes.txt");
    const char text[] = "these are not the records you are looking for\n";
    spew(path, text, strlen(text));
    expect_open_error(path, schema_path, "is not a Skiff database file");
    expect_open_error(path, NULL, path);
    /* The file is left alone. */
    assert_int_equal(file_size(path), (off_t) strlen(text));
    free(path);

    path = tmp_file("empty.db");
    spew(path, "", 0);
    expect_open_error(path, NULL,
                      "is empty and no schema was given to create it");
    free(path);

    path = tmp_file("missing.db");
    expect_open_error(path, NULL,
                      "is empty and no schema was given to create it");
    free(path);

    /* A crash during the very first write leaves the start of a header:
     * that is an empty database, which a schema creates. */
    path = tmp_file("torn-first.db");
    spew(path, "SKIFFDB 12", 10);
    expect_open_error(path, NULL,
                      "is empty and no schema was given to create it");
    struct db *db = open_db(path, schema_path, NULL);
    assert_string_equal(db->schema->name, "Test");
    db_destroy(db);
    db = open_db(path, NULL, NULL);
    db_destroy(db);
    free(path);

    /* A schema file that does not exist, or is not a schema. */
    path = tmp_file("no-schema.db");
    char *schema = tmp_file("nonexistent.schema");
    expect_open_error(path, schema, schema);
    free(schema);
    schema = tmp_file("bad.schema");
    spew(schema, "{\"name\": 5}", 11);
    expect_open_error(path, schema, "syntax error");
    free(schema);
    free(path);

    /* A first record that is not a schema. */
    path = tmp_file("bad-schema-record.db");
    const char *records[] = { "{\"tables\": 7}" };
    write_records(path, records, 1);
    expect_open_error(path, schema_path, "schema in");
    free(path);
}

static void
count_updates(struct json_object *updates, void *n_)
{
    int *n = n_;
    (*n)++;
    json_object_put(updates);
}

/* A commit that cannot be written fails as a whole: the database, the
 * file and the monitors see nothing of it, and later commits work. */
static void
test_write_failure(void **state)
{
    (void) state;
    char *path = tmp_file("full.db");
    struct db_file *file;
    struct db *db = open_db(path, schema_path, &file);
    off_t size = db_file_get_size(file);

    int n_updates = 0;
    struct db_monitor *monitor;
    struct json_object *initial;
    struct json_object *requests = parse("{\"Root\":{}}");
    assert_null(db_monitor_create(db, requests, count_updates, &n_updates,
                                  &monitor, &initial));
    json_object_put(requests);
    json_object_put(initial);

    /* A file size limit makes the write fail with EFBIG. */
    char *big = xmalloc(1001);
    memset(big, 'x', 1000);
    big[1000] = '\0';
    char *ops = xasprintf("[{\"op\":\"insert\",\"table\":\"Root\","
                          "  \"row\":{\"name\":\"%s\"}}]", big);
    struct rlimit old, limit;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    limit = old;
    limit.rlim_cur = (rlim_t) size + 10;
    void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &limit), 0);
    char *tag = transact_error(db, ops);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, old_handler);

    assert_string_equal(tag, "I/O error");
    free(tag);
    assert_int_equal(count_rows(db, "Root"), 0);
    assert_int_equal(db_file_get_size(file), size);
    assert_int_equal(file_size(path), size);
    assert_int_equal(n_updates, 0);

    /* The same commit works once there is room. */
    json_object_put(transact(db, ops));
    assert_int_equal(count_rows(db, "Root"), 1);
    assert_int_equal(n_updates, 1);
    db_monitor_destroy(monitor);
    db_destroy(db);

    db = open_db(path, NULL, NULL);
    assert_int_equal(count_rows(db, "Root"), 1);
    db_destroy(db);
    free(ops);
    free(big);
    free(path);
}

/* Replay errors name the file and the record. */
static void
test_replay_errors(void **state)
{
    (void) state;
    struct db_schema *schema;
    struct db_error *error = db_schema_from_file(schema_path, &schema);
    assert_null(error);
    struct json_object *schema_json = db_schema_to_json(schema);
    db_schema_destroy(schema);
    const char *schema_text = json_object_to_json_string(schema_json);
    const char *good = "{\"Root\":{\"2d5ed6cc-3f2e-4c69-8d36-d8fcd1f5c0a1\":"
                       "{\"name\":\"a\"}},\"_date\":0}";
    static const struct {
        const char *record;
        unsigned int number;
        const char *words;
    } cases[] = {
        { "{\"Nope\":{}}", 3, "unknown table Nope" },
        { "{\"Root\":{\"2d5ed6cc-3f2e-4c69-8d36-d8fcd1f5c0a1\":"
          "{\"bogus\":1}}}", 3, "unknown column bogus" },
        { "{\"Root\":{\"2d5ed6cc-3f2e-4c69-8d36-d8fcd1f5c0a1\":"
          "{\"_uuid\":[\"uuid\",\"2d5ed6cc-3f2e-4c69-8d36-d8fcd1f5c0a1\"]}}}",
          3, "unknown column _uuid" },
        { "{\"Root\":{\"not-a-uuid\":{}}}", 3, "bad row uuid" },
        { "{\"Root\":{\"0b1f1a43-1111-4e0a-9a55-1c2f6b6f1e11\":null}}", 3,
          "deletes missing row" },
        { "{\"Root\":{\"2d5ed6cc-3f2e-4c69-8d36-d8fcd1f5c0a1\":5}}", 3,
          "must be an object or null" },
        { "{\"Root\":[]}", 3, "must be an object" },
        { "[1,2]", 3, "must be an object" },
        { "{\"Root\":{\"2d5ed6cc-3f2e-4c69-8d36-d8fcd1f5c0a1\":"
          "{\"count\":\"many\"}}}", 3, "syntax error" },
        { "{\"Root\":{\"2d5ed6cc-3f2e-4c69-8d36-d8fcd1f5c0a1\":"
          "{\"children\":[\"uuid\","
          "\"0b1f1a43-1111-4e0a-9a55-1c2f6b6f1e11\"]}}}", 3,
          "referential integrity violation" },
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        char *name = xasprintf("replay-error-%zu.db", i);
        char *path = tmp_file(name);
        const char *texts[] = { schema_text, good, cases[i].record };
        write_records(path, texts, 3);
        char *want = xasprintf("%s: record %u: ", path, cases[i].number);
        expect_open_error(path, schema_path, want);
        expect_open_error(path, schema_path, cases[i].words);
        free(want);
        free(path);
        free(name);
    }

    /* The record number counts the schema as record 1. */
    char *path = tmp_file("record-two.db");
    const char *texts[] = { schema_text, "{\"Nope\":{}}" };
    write_records(path, texts, 2);
    char *want = xasprintf("%s: record 2: unknown table Nope", path);
    expect_open_error(path, NULL, want);
    free(want);
    free(path);

    json_object_put(schema_json);
}

/* Compaction shrinks the file, keeps every row, and later commits follow
 * it. */
static void
test_compact(void **state)
{
    (void) state;
    char *path = tmp_file("compact.db");
    struct db_file *file;
    struct db *db = open_db(path, schema_path, &file);

    json_object_put(transact(
        db, "[{\"op\":\"insert\",\"table\":\"Child\",\"uuid-name\":\"c\","
        "      \"row\":{\"name\":\"c\",\"weight\":0.5}},"
        "    {\"op\":\"insert\",\"table\":\"Root\","
        "      \"row\":{\"name\":\"keep\",\"status\":\"up\","
        "        \"options\":[\"map\",[[\"a\",\"b\"]]],"
        "        \"children\":[\"named-uuid\",\"c\"]}}]"));
    char *r = insert(db, "Root", "{\"name\":\"counter\"}");
    for (int i = 1; i <= 100; i++) {
        char *ops = xasprintf("[{\"op\":\"update\",\"table\":\"Root\","
                              "  \"where\":[[\"_uuid\",\"==\","
                              "              [\"uuid\",\"%s\"]]],"
                              "  \"row\":{\"count\":%d}}]", r, i);
        json_object_put(transact(db, ops));
        free(ops);
    }
    off_t before_size = db_file_get_size(file);
    struct json_object *before = dump_db(db);

    struct db_error *error = db_file_compact(file);
    assert_null(error);
    off_t after_size = db_file_get_size(file);
    assert_true(after_size < before_size / 4);
    assert_int_equal(file_size(path), after_size);
    struct json_object *same = dump_db(db);
    assert_dump_equal(before, same);
    json_object_put(same);

    /* A later commit goes after the snapshot. */
    char *ops = xasprintf("[{\"op\":\"update\",\"table\":\"Root\","
                          "  \"where\":[[\"_uuid\",\"==\","
                          "              [\"uuid\",\"%s\"]]],"
                          "  \"row\":{\"count\":1000}}]", r);
    json_object_put(transact(db, ops));
    free(ops);
    assert_true(db_file_get_size(file) > after_size);
    struct json_object *expected = dump_db(db);
    db_destroy(db);

    /* The file: the schema, the snapshot, the later commit. */
    struct json_object *records = read_records(path);
    assert_int_equal(json_object_array_length(records), 3);
    struct json_object *snapshot = json_object_array_get_idx(records, 1);
    struct json_object *comment;
    assert_true(json_object_object_get_ex(snapshot, "_comment", &comment));
    assert_string_equal(json_object_get_string(comment), "compacted");
    json_object_put(records);

    /* Reopened: the same rows, except the ephemeral column. */
    db = open_db(path, NULL, NULL);
    struct json_object *after = dump_db(db);
    struct json_object *rows;
    assert_true(json_object_object_get_ex(expected, "Root", &rows));
    json_object_object_foreach(rows, uuid, row) {
        (void) uuid;
        json_object_object_add(row, "status", json_object_new_string(""));
    }
    assert_dump_equal(expected, after);
    assert_column(db, "Root", r, "count", "1000");
    assert_int_equal(count_rows(db, "Child"), 1);

    /* A second compaction of the compacted file works too. */
    struct db_file *file2;
    db_destroy(db);
    db = open_db(path, NULL, &file2);
    error = db_file_compact(file2);
    assert_null(error);
    struct json_object *again = dump_db(db);
    assert_dump_equal(after, again);
    db_destroy(db);

    json_object_put(again);
    json_object_put(after);
    json_object_put(expected);
    json_object_put(before);
    free(r);
    free(path);
}

/* db_file_compact_if_needed() leaves a small file alone and compacts one
 * that has grown past its threshold. */
static void
test_compact_if_needed(void **state)
{
    (void) state;
    char *path = tmp_file("grow.db");
    struct db_file *file;
    struct db *db = open_db(path, schema_path, &file);
    char *r = insert(db, "Root", "{\"name\":\"r\"}");

    off_t size = db_file_get_size(file);
    db_file_compact_if_needed(file);
    assert_int_equal(db_file_get_size(file), size);

    /* Five 1 MiB values, each replacing the last. */
    size_t len = 1024 * 1024;
    char *big = xmalloc(len + 1);
    for (int i = 0; i < 5; i++) {
        memset(big, 'a' + i, len);
        big[len] = '\0';
        char *ops = xasprintf("[{\"op\":\"update\",\"table\":\"Root\","
                              "  \"where\":[[\"_uuid\",\"==\","
                              "              [\"uuid\",\"%s\"]]],"
                              "  \"row\":{\"name\":\"%s\"}}]", r, big);
        json_object_put(transact(db, ops));
        free(ops);
    }
    size = db_file_get_size(file);
    assert_true(size > 5 * (off_t) len);
    db_file_compact_if_needed(file);
    off_t compacted = db_file_get_size(file);
    assert_true(compacted < 2 * (off_t) len);
    assert_int_equal(file_size(path), compacted);

    /* Right after compaction, nothing more to do. */
    db_file_compact_if_needed(file);
    assert_int_equal(db_file_get_size(file), compacted);
    db_destroy(db);

    db = open_db(path, NULL, NULL);
    struct json_object *row = get_row(db, "Root", r);
    struct json_object *name;
    assert_true(json_object_object_get_ex(row, "name", &name));
    assert_int_equal(json_object_get_string_len(name), len);
    assert_int_equal(json_object_get_string(name)[0], 'e');
    json_object_put(row);
    db_destroy(db);

    free(big);
    free(r);
    free(path);
}

/* A file open in one process cannot be opened by another (fcntl locks
 * belong to the process, so the second opener is a child). */
static void
test_second_open_fails(void **state)
{
    (void) state;
    char *path = tmp_file("locked.db");
    struct db *db = open_db(path, schema_path, NULL);

    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (!pid) {
        struct db_file *file;
        struct db *db2;
        struct db_error *error = db_file_open(path, schema_path, &db2,
                                              &file);
        int status = 1;
        if (error) {
            char *s = db_error_to_string(error);
            status = (strstr(s, "another process is using it")
                      && strstr(s, path) && !db2 && !file) ? 0 : 2;
        }
        _exit(status);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);

    /* Once closed, another process may open it. */
    db_destroy(db);
    fflush(NULL);
    pid = fork();
    assert_true(pid >= 0);
    if (!pid) {
        struct db_file *file;
        struct db *db2;
        struct db_error *error = db_file_open(path, schema_path, &db2,
                                              &file);
        _exit(error ? 1 : 0);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    free(path);
}

static int
setup(void **state)
{
    (void) state;
    tmp_dir = unit_mkdtemp();
    log_name = tmp_file("test.log");
    assert_int_equal(vlog_set_log_file(log_name), 0);
    vlog_set_levels(NULL, VLF_CONSOLE, VLL_OFF);
    schema_path = tmp_file("test.schema");
    spew(schema_path, SMALL_SCHEMA, strlen(SMALL_SCHEMA));
    return 0;
}

static int
teardown(void **state)
{
    (void) state;
    vlog_close_log_file();
    unit_rmdir_r(tmp_dir);
    free(tmp_dir);
    free(log_name);
    free(schema_path);
    return 0;
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_from_schema),
        cmocka_unit_test(test_vswitch_schema),
        cmocka_unit_test(test_replay),
        cmocka_unit_test(test_garbage_collection),
        cmocka_unit_test(test_ephemeral),
        cmocka_unit_test(test_record_format),
        cmocka_unit_test(test_failed_commit_writes_nothing),
        cmocka_unit_test(test_torn_tail),
        cmocka_unit_test(test_write_failure),
        cmocka_unit_test(test_bad_files),
        cmocka_unit_test(test_replay_errors),
        cmocka_unit_test(test_compact),
        cmocka_unit_test(test_compact_if_needed),
        cmocka_unit_test(test_second_open_fails),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
