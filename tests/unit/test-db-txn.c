/* test-db-txn: transactions on the in-memory database: commit and abort,
 * reference counting, garbage collection, weak references, unique
 * indexes, maxRows, _version, replicas. */
#include "unit.h"

#include <json-c/json.h>

#include "db-data.h"
#include "db-error.h"
#include "db-schema.h"
#include "db-txn.h"
#include "db.h"
#include "uuid.h"

/* Root rows are the root set: they refer to Kids (non-root, so garbage
 * collected) strongly, to other Roots strongly and to Pets weakly.
 * Holder's "pet" must keep one weak reference; Limited holds at most two
 * rows. */
static const char schema_text[] =
    "{\"name\": \"Txn\", \"version\": \"1.0.0\", \"tables\": {"
    " \"Root\": {\"isRoot\": true, \"indexes\": [[\"name\"]],"
    "  \"columns\": {"
    "   \"name\": {\"type\": \"string\"},"
    "   \"n\": {\"type\": \"integer\"},"
    "   \"kids\": {\"type\": {\"key\": {\"type\": \"uuid\","
    "                                 \"refTable\": \"Kid\"},"
    "                        \"min\": 0, \"max\": \"unlimited\"}},"
    "   \"kid_map\": {\"type\": {\"key\": \"string\","
    "                           \"value\": {\"type\": \"uuid\","
    "                                      \"refTable\": \"Kid\"},"
    "                           \"min\": 0, \"max\": \"unlimited\"}},"
    "   \"other\": {\"type\": {\"key\": {\"type\": \"uuid\","
    "                                  \"refTable\": \"Root\"},"
    "                         \"min\": 0, \"max\": 1}},"
    "   \"pets\": {\"type\": {\"key\": {\"type\": \"uuid\","
    "                                 \"refTable\": \"Pet\","
    "                                 \"refType\": \"weak\"},"
    "                        \"min\": 0, \"max\": \"unlimited\"}},"
    "   \"pet_map\": {\"type\": {\"key\": \"string\","
    "                           \"value\": {\"type\": \"uuid\","
    "                                      \"refTable\": \"Pet\","
    "                                      \"refType\": \"weak\"},"
    "                           \"min\": 0, \"max\": \"unlimited\"}}}},"
    " \"Kid\": {\"columns\": {"
    "   \"n\": {\"type\": \"integer\"},"
    "   \"child\": {\"type\": {\"key\": {\"type\": \"uuid\","
    "                                  \"refTable\": \"Kid\"},"
    "                         \"min\": 0, \"max\": 1}}}},"
    " \"Pet\": {\"isRoot\": true, \"indexes\": [[\"species\", \"name\"]],"
    "  \"columns\": {\"species\": {\"type\": \"string\"},"
    "               \"name\": {\"type\": \"string\"}}},"
    " \"Holder\": {\"isRoot\": true, \"columns\": {"
    "   \"pet\": {\"type\": {\"key\": {\"type\": \"uuid\","
    "                                \"refTable\": \"Pet\","
    "                                \"refType\": \"weak\"}}},"
    "   \"n\": {\"type\": \"integer\"}}},"
    " \"Limited\": {\"isRoot\": true, \"maxRows\": 2,"
    "  \"columns\": {\"x\": {\"type\": \"integer\"}}}"
    "}}";

static struct db *db;
static struct db_txn *txn;

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

static struct db_table *
get_table(const char *name)
{
    struct db_table *table = db_get_table(db, name);
    if (!table) {
        fail_msg("no table %s", name);
    }
    return table;
}

static const struct db_column *
get_column(const struct db_table *table, const char *name)
{
    const struct db_column *column
        = db_table_schema_find_column(table->schema, name);
    if (!column) {
        fail_msg("no column %s in %s", name, table->schema->name);
    }
    return column;
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

/* UUID as text, in one of a few static buffers. */
static const char *
S(const struct uuid *uuid)
{
    static char buffers[8][UUID_LEN + 1];
    static size_t next;
    char *s = buffers[next++ % ARRAY_SIZE(buffers)];
    uuid_to_string(uuid, s);
    return s;
}

/* Parses TEXT as a datum of COLUMN's type, which must succeed. */
static void
datum_from_text(struct db_datum *datum, const struct db_column *column,
                const char *text)
{
    struct json_object *json = parse_json(text);
    struct db_error *error = db_datum_from_json(datum, &column->type, json,
                                                NULL);
    if (error) {
        char *s = db_error_to_string(error);
        fail_msg("%s: %s: %s", column->name, text, s);
    }
    json_object_put(json);
}

/* Sets ROW's columns from the JSON object FIELDS. */
static void
set_fields(struct db_row *row, const char *fields)
{
    struct json_object *json = parse_json(fields);
    json_object_object_foreach(json, name, value) {
        const struct db_column *c = get_column(row->table, name);
        const char *text = json_object_to_json_string(value);
        struct db_datum datum;
        datum_from_text(&datum, c, text);
        db_datum_swap(&datum, &row->fields[c->index]);
        db_datum_destroy(&datum, &c->type);
    }
    json_object_put(json);
}

static char *
vformat(const char *format, va_list args)
{
    return xvasprintf(format, args);
}

/* Inserts a row into TABLE in the current transaction, with the columns
 * of the JSON object printf-style FORMAT.  Returns its uuid. */
static struct uuid PRINTF_FORMAT(2, 3)
insert(const char *table, const char *format, ...)
{
    struct uuid uuid;
    va_list args;

    uuid_generate(&uuid);
    struct db_row *row = db_txn_row_insert(txn, get_table(table), &uuid);
    assert_non_null(row);
    assert_ptr_equal(db_table_find_row(get_table(table), &uuid), row);
    va_start(args, format);
    char *fields = vformat(format, args);
    va_end(args);
    set_fields(row, fields);
    free(fields);
    return uuid;
}

static struct db_row *
find(const char *table, const struct uuid *uuid)
{
    return db_table_find_row(get_table(table), uuid);
}

static struct db_row *
get_row(const char *table, const struct uuid *uuid)
{
    struct db_row *row = find(table, uuid);
    if (!row) {
        fail_msg("no %s row %s", table, S(uuid));
    }
    return row;
}

/* Changes the columns in printf-style FORMAT of the row with UUID. */
static void PRINTF_FORMAT(3, 4)
modify(const char *table, const struct uuid *uuid, const char *format, ...)
{
    struct db_row *row = db_txn_row_modify(txn, get_row(table, uuid));
    va_list args;

    assert_ptr_equal(find(table, uuid), row);
    va_start(args, format);
    char *fields = vformat(format, args);
    va_end(args);
    set_fields(row, fields);
    free(fields);
}

static void
delete(const char *table, const struct uuid *uuid)
{
    db_txn_row_delete(txn, get_row(table, uuid));
    assert_null(find(table, uuid));
}

/* Checks that column COLUMN of the row with UUID holds the datum in JSON
 * printf-style FORMAT. */
static void PRINTF_FORMAT(4, 5)
assert_field(const char *table, const struct uuid *uuid,
             const char *column, const char *format, ...)
{
    const struct db_row *row = get_row(table, uuid);
    const struct db_column *c = get_column(row->table, column);
    struct db_datum datum;
    va_list args;

    va_start(args, format);
    char *text = vformat(format, args);
    va_end(args);
    datum_from_text(&datum, c, text);
    if (!db_datum_equals(&datum, &row->fields[c->index], &c->type)) {
        struct json_object *json = db_datum_to_json(&row->fields[c->index],
                                                    &c->type);
        fail_msg("%s row %s column %s is %s, expected %s", table, S(uuid),
                 column, json_object_to_json_string(json), text);
    }
    db_datum_destroy(&datum, &c->type);
    free(text);
}

static size_t
count(const char *table)
{
    return db_table_count_rows(get_table(table));
}

static struct uuid
version(const char *table, const struct uuid *uuid)
{
    return *db_row_get_version(get_row(table, uuid));
}

/* True if the row with UUID has version VERSION. */
static bool
has_version(const char *table, const struct uuid *uuid,
            const struct uuid *v)
{
    return uuid_equals(db_row_get_version(get_row(table, uuid)), v);
}

/* Strong references to ROW from every row of the database. */
static size_t
count_refs_to(const struct db_row *target)
{
    size_t n = 0;
    for (size_t t = 0; t < db->schema->n_tables; t++) {
        const struct db_table *table = db->tables[t];
        const struct db_table_schema *ts = table->schema;
        const struct db_row *row;
        DB_TABLE_FOR_EACH_ROW (row, table) {
            for (size_t c = DB_N_BUILTIN_COLUMNS; c < ts->n_columns; c++) {
                const struct db_type *type = &ts->columns[c]->type;
                const struct db_datum *d = &row->fields[c];
                for (unsigned int i = 0; i < d->n; i++) {
                    if (db_base_type_is_strong_ref(&type->key)
                        && type->key.uuid.ref_table == target->table->schema
                        && uuid_equals(&d->keys[i].uuid,
                                       db_row_get_uuid(target))) {
                        n++;
                    }
                    if (db_base_type_is_strong_ref(&type->value)
                        && type->value.uuid.ref_table
                           == target->table->schema
                        && uuid_equals(&d->values[i].uuid,
                                       db_row_get_uuid(target))) {
                        n++;
                    }
                }
            }
        }
    }
    return n;
}

static void
check_refs_exist(const struct db_row *row, const struct db_base_type *base,
                 const struct uuid *uuid, const char *column)
{
    if (db_base_type_is_ref(base)
        && !db_table_find_row(db->tables[base->uuid.ref_table->index],
                              uuid)) {
        fail_msg("%s row %s column %s refers to missing row %s",
                 row->table->schema->name, S(db_row_get_uuid(row)), column,
                 S(uuid));
    }
}

/* Checks everything that must hold between transactions: no transaction
 * is left, rows are findable, every row is in every index of its table
 * under the right hash and no two rows share an index value, reference
 * counts are right, no reference (strong or weak) dangles, every
 * non-root row is referenced, every datum is valid. */
static void
check_invariants(void)
{
    assert_null(db->txn);
    for (size_t t = 0; t < db->schema->n_tables; t++) {
        const struct db_table *table = db->tables[t];
        const struct db_table_schema *ts = table->schema;
        const struct db_row *row;

        for (size_t j = 0; j < ts->n_indexes; j++) {
            assert_int_equal(hmap_count(&table->indexes[j]),
                             hmap_count(&table->rows));
        }
        DB_TABLE_FOR_EACH_ROW (row, table) {
            const struct uuid *uuid = db_row_get_uuid(row);
            assert_ptr_equal(row->table, table);
            assert_null(row->txn_row);
            assert_ptr_equal(db_table_find_row(table, uuid), row);
            assert_false(uuid_is_zero(db_row_get_version(row)));
            for (size_t j = 0; j < ts->n_indexes; j++) {
                const struct db_index_schema *index = &ts->indexes[j];
                const struct hmap_node *node = &row->index_nodes[j].node;
                assert_ptr_equal(row->index_nodes[j].row, row);
                assert_true(hmap_contains(&table->indexes[j], node));
                assert_int_equal(node->hash,
                                 db_row_hash_columns(row, index, 0));
                const struct db_row *other;
                DB_TABLE_FOR_EACH_ROW (other, table) {
                    if (other != row) {
                        assert_false(db_row_equal_columns(row, other,
                                                          index));
                    }
                }
            }
            assert_int_equal(row->n_refs, count_refs_to(row));
            if (!ts->is_root) {
                assert_true(row->n_refs > 0);
            }
            for (size_t c = 0; c < ts->n_columns; c++) {
                const struct db_column *column = ts->columns[c];
                const struct db_datum *d = &row->fields[c];
                struct db_error *error = db_datum_check(d, &column->type);
                if (error) {
                    fail_msg("%s: %s", column->name, error->details);
                }
                for (unsigned int i = 0; i < d->n; i++) {
                    check_refs_exist(row, &column->type.key,
                                     &d->keys[i].uuid, column->name);
                    if (d->values) {
                        check_refs_exist(row, &column->type.value,
                                         &d->values[i].uuid, column->name);
                    }
                }
            }
        }
    }
}

/* The whole database as JSON: {table: {uuid: {"row": columns,
 * "_version": uuid, "refs": count}}}, to compare states exactly. */
static struct json_object *
dump(void)
{
    struct json_object *json = json_object_new_object();
    for (size_t t = 0; t < db->schema->n_tables; t++) {
        const struct db_table *table = db->tables[t];
        struct json_object *rows = json_object_new_object();
        const struct db_row *row;
        DB_TABLE_FOR_EACH_ROW (row, table) {
            struct json_object *r = json_object_new_object();
            json_object_object_add(r, "row", db_row_to_json(row, NULL, 0));
            json_object_object_add(r, "_version", json_object_new_string(
                                       S(db_row_get_version(row))));
            json_object_object_add(r, "refs",
                                   json_object_new_int64(row->n_refs));
            json_object_object_add(rows, S(db_row_get_uuid(row)), r);
        }
        json_object_object_add(json, table->schema->name, rows);
    }
    return json;
}

static void
assert_dump_equal(struct json_object *before)
{
    struct json_object *after = dump();
    if (!json_object_equal(before, after)) {
        fail_msg("database changed:\nbefore: %s\nafter: %s",
                 json_object_to_json_string(before),
                 json_object_to_json_string(after));
    }
    json_object_put(after);
}

static void
begin(void)
{
    assert_null(txn);
    txn = db_txn_create(db);
    assert_non_null(txn);
    assert_ptr_equal(db->txn, txn);
    assert_ptr_equal(txn->db, db);
}

static void
commit_ok(void)
{
    struct db_error *error = db_txn_commit(txn, false);
    txn = NULL;
    if (error) {
        char *s = db_error_to_string(error);
        fail_msg("commit failed: %s", s);
    }
    check_invariants();
}

/* Commits, which must fail with TAG and details that contain each of the
 * NULL-ended strings that follow. */
static void
commit_fails(const char *tag, ...)
{
    struct db_error *error = db_txn_commit(txn, false);
    va_list args;

    txn = NULL;
    if (!error) {
        fail_msg("commit succeeded, but should have failed with %s", tag);
    }
    if (strcmp(error->tag, tag)) {
        fail_msg("tag \"%s\" (%s), expected \"%s\"", error->tag,
                 error->details ? error->details : "(null)", tag);
    }
    va_start(args, tag);
    for (const char *s; (s = va_arg(args, const char *)); ) {
        if (!error->details || !strstr(error->details, s)) {
            fail_msg("details \"%s\" lack \"%s\"",
                     error->details ? error->details : "(null)", s);
        }
    }
    va_end(args);
    db_error_destroy(error);
    check_invariants();
}

static void
abort_txn(void)
{
    db_txn_abort(txn);
    txn = NULL;
    check_invariants();
}

/* A replica that records what it is offered. */
struct test_replica {
    struct db_replica up;
    struct db_error *fail;          /* Cloned and returned, if nonnull. */
    int n_commits;
    bool durable;
    char *comment;
    struct json_object *changes;    /* Of the last commit. */
    size_t stop_after;              /* Callback says stop after this many
                                     * changes (0: never). */
    bool *destroyed;
};

static struct test_replica *
test_replica_cast(struct db_replica *replica)
{
    return CONTAINER_OF(replica, struct test_replica, up);
}

/* {"kind": "insert"/"delete"/"modify", "table": NAME, "uuid": UUID,
 *  "changed": [column names]} */
static bool
record_change(const struct db_row *old, const struct db_row *new,
              const bool *changed, void *replica_)
{
    struct test_replica *replica = replica_;
    const struct db_row *row = new ? new : old;
    const struct db_table_schema *ts = row->table->schema;
    struct json_object *change = json_object_new_object();

    assert_true(old || new);
    assert_non_null(changed);
    if (old && new) {
        assert_ptr_equal(old->table, new->table);
        assert_true(uuid_equals(db_row_get_uuid(old), db_row_get_uuid(new)));
    }
    json_object_object_add(change, "kind", json_object_new_string(
                               !old ? "insert" : !new ? "delete"
                               : "modify"));
    json_object_object_add(change, "table", json_object_new_string(
                               ts->name));
    json_object_object_add(change, "uuid", json_object_new_string(
                               S(db_row_get_uuid(row))));
    struct json_object *columns = json_object_new_array();
    for (size_t c = 0; c < ts->n_columns; c++) {
        if (changed[c]) {
            json_object_array_add(columns, json_object_new_string(
                                      ts->columns[c]->name));
        }
    }
    json_object_object_add(change, "changed", columns);
    json_object_array_add(replica->changes, change);
    return !replica->stop_after
           || json_object_array_length(replica->changes)
              < replica->stop_after;
}

static struct db_error *
test_replica_commit(struct db_replica *replica_, const struct db_txn *t,
                    bool durable)
{
    struct test_replica *replica = test_replica_cast(replica_);

    assert_ptr_equal(t->db, db);
    assert_ptr_equal(db->txn, t);
    replica->n_commits++;
    replica->durable = durable;
    free(replica->comment);
    replica->comment = t->comment ? xstrdup(t->comment) : NULL;
    json_object_put(replica->changes);
    replica->changes = json_object_new_array();
    db_txn_for_each_change(t, record_change, replica);
    return replica->fail ? db_error_clone(replica->fail) : NULL;
}

static void
test_replica_destroy(struct db_replica *replica_)
{
    struct test_replica *replica = test_replica_cast(replica_);
    if (replica->destroyed) {
        *replica->destroyed = true;
    }
    db_error_destroy(replica->fail);
    free(replica->comment);
    json_object_put(replica->changes);
    free(replica);
}

static const struct db_replica_class test_replica_class = {
    test_replica_commit,
    test_replica_destroy,
};

static struct test_replica *
add_replica(void)
{
    struct test_replica *replica = xzalloc(sizeof *replica);
    replica->up.class = &test_replica_class;
    replica->changes = json_object_new_array();
    db_add_replica(db, &replica->up);
    return replica;
}

/* The change the replica saw for UUID, or NULL. */
static struct json_object *
find_change(const struct test_replica *replica, const struct uuid *uuid)
{
    size_t n = json_object_array_length(replica->changes);
    for (size_t i = 0; i < n; i++) {
        struct json_object *change = json_object_array_get_idx(
            replica->changes, i);
        struct json_object *u;
        if (json_object_object_get_ex(change, "uuid", &u)
            && !strcmp(json_object_get_string(u), S(uuid))) {
            return change;
        }
    }
    return NULL;
}

/* The replica saw change KIND of the row with UUID, with exactly the
 * columns in CHANGED (a JSON array) marked changed. */
static void
assert_change(const struct test_replica *replica, const struct uuid *uuid,
              const char *kind, const char *changed)
{
    struct json_object *change = find_change(replica, uuid);
    if (!change) {
        fail_msg("no change for %s in %s", S(uuid),
                 json_object_to_json_string(replica->changes));
    }
    struct json_object *k, *columns;
    assert_true(json_object_object_get_ex(change, "kind", &k));
    assert_string_equal(json_object_get_string(k), kind);
    assert_true(json_object_object_get_ex(change, "changed", &columns));
    struct json_object *expected = parse_json(changed);
    if (!json_object_equal(columns, expected)) {
        fail_msg("%s: changed %s, expected %s", S(uuid),
                 json_object_to_json_string(columns), changed);
    }
    json_object_put(expected);
}

static size_t
n_changes(const struct test_replica *replica)
{
    return json_object_array_length(replica->changes);
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
    txn = NULL;
    return 0;
}

static int
teardown(void **state)
{
    (void) state;
    db_txn_abort(txn);
    txn = NULL;
    db_destroy(db);
    db = NULL;
    return 0;
}

/* Tests. */

static void
test_insert_commit(void **state)
{
    (void) state;
    assert_null(db->txn);
    assert_int_equal(count("Root"), 0);

    begin();
    struct uuid a = insert("Root", "{\"name\": \"a\", \"n\": 1}");
    struct uuid b = insert("Root", "{\"name\": \"b\"}");
    const struct db_row *row = get_row("Root", &a);
    assert_true(uuid_equals(db_row_get_uuid(row), &a));
    assert_false(uuid_is_zero(db_row_get_version(row)));
    assert_int_equal(count("Root"), 2);
    commit_ok();

    assert_int_equal(count("Root"), 2);
    assert_field("Root", &a, "name", "\"a\"");
    assert_field("Root", &a, "n", "1");
    assert_field("Root", &b, "n", "0");
    assert_field("Root", &b, "kids", "[\"set\", []]");
    assert_null(find("Kid", &a));

    /* An empty transaction commits too. */
    struct json_object *before = dump();
    begin();
    commit_ok();
    assert_dump_equal(before);
    json_object_put(before);

    /* Aborting nothing is fine. */
    db_txn_abort(NULL);
}

/* Builds: Roots r1 (-> k1 -> k2) and r2 (-> k3, other: r1), Pets p1 and
 * p2 (r1 refers to both weakly), Holder h -> p2. */
struct base {
    struct uuid r1, r2, k1, k2, k3, p1, p2, h;
};

static void
build_base(struct base *b)
{
    begin();
    b->k2 = insert("Kid", "{\"n\": 2}");
    b->k1 = insert("Kid", "{\"n\": 1, \"child\": %s}", U(&b->k2));
    b->k3 = insert("Kid", "{\"n\": 3}");
    b->p1 = insert("Pet", "{\"species\": \"cat\", \"name\": \"tom\"}");
    b->p2 = insert("Pet", "{\"species\": \"dog\", \"name\": \"rex\"}");
    b->r1 = insert("Root", "{\"name\": \"r1\", \"kids\": %s, "
                   "\"pets\": [\"set\", [%s, %s]]}",
                   U(&b->k1), U(&b->p1), U(&b->p2));
    b->r2 = insert("Root", "{\"name\": \"r2\", \"kid_map\": "
                   "[\"map\", [[\"x\", %s]]], \"other\": %s}",
                   U(&b->k3), U(&b->r1));
    b->h = insert("Holder", "{\"pet\": %s}", U(&b->p2));
    commit_ok();

    assert_int_equal(get_row("Kid", &b->k1)->n_refs, 1);
    assert_int_equal(get_row("Kid", &b->k2)->n_refs, 1);
    assert_int_equal(get_row("Kid", &b->k3)->n_refs, 1);
    assert_int_equal(get_row("Root", &b->r1)->n_refs, 1);
    assert_int_equal(get_row("Root", &b->r2)->n_refs, 0);
    assert_int_equal(get_row("Pet", &b->p1)->n_refs, 0);   /* Weak. */
}

/* Aborting puts back exactly what was there: rows, values, versions,
 * reference counts, and the very same row objects. */
static void
test_abort_restores(void **state)
{
    struct base b;

    (void) state;
    build_base(&b);
    struct json_object *before = dump();
    struct db_row *r1 = get_row("Root", &b.r1);
    struct db_row *k3 = get_row("Kid", &b.k3);

    begin();
    struct uuid r3 = insert("Root", "{\"name\": \"r3\", \"kids\": %s}",
                            U(&b.k3));
    modify("Root", &b.r1, "{\"name\": \"renamed\", \"kids\": [\"set\", []]}");
    modify("Root", &b.r1, "{\"n\": 42}");
    assert_ptr_not_equal(get_row("Root", &b.r1), r1);
    delete("Kid", &b.k3);
    delete("Root", &b.r2);
    delete("Pet", &b.p1);
    /* Inserted then deleted, and modified then deleted. */
    struct uuid gone = insert("Limited", "{\"x\": 1}");
    delete("Limited", &gone);
    modify("Holder", &b.h, "{\"n\": 5}");
    delete("Holder", &b.h);
    assert_non_null(find("Root", &r3));
    abort_txn();

    assert_dump_equal(before);
    assert_null(find("Root", &r3));
    assert_ptr_equal(get_row("Root", &b.r1), r1);
    assert_ptr_equal(get_row("Kid", &b.k3), k3);
    assert_field("Root", &b.r1, "name", "\"r1\"");

    /* The indexes are as they were: "r1" is taken, "renamed" is free. */
    begin();
    insert("Root", "{\"name\": \"r1\"}");
    commit_fails("constraint violation", "r1", NULL);
    assert_dump_equal(before);
    begin();
    insert("Root", "{\"name\": \"renamed\"}");
    commit_ok();
    json_object_put(before);
}

static void
test_modify_delete_commit(void **state)
{
    struct base b;

    (void) state;
    build_base(&b);
    begin();
    modify("Root", &b.r2, "{\"n\": 7, \"name\": \"two\"}");
    delete("Holder", &b.h);
    commit_ok();
    assert_field("Root", &b.r2, "n", "7");
    assert_field("Root", &b.r2, "name", "\"two\"");
    assert_null(find("Holder", &b.h));
    assert_int_equal(count("Holder"), 0);

    /* Modifying twice in one transaction gives the same copy. */
    begin();
    struct db_row *row = db_txn_row_modify(txn, get_row("Root", &b.r2));
    assert_ptr_equal(db_txn_row_modify(txn, row), row);
    set_fields(row, "{\"n\": 8}");
    commit_ok();
    assert_field("Root", &b.r2, "n", "8");
}

static void
test_strong_ref_to_missing_row(void **state)
{
    struct base b;
    struct uuid nowhere;

    (void) state;
    build_base(&b);
    uuid_generate(&nowhere);
    struct json_object *before = dump();

    begin();
    struct uuid r = insert("Root", "{\"name\": \"x\", \"kids\": %s}",
                           U(&nowhere));
    commit_fails("referential integrity violation", "Root", "kids", S(&r),
                 S(&nowhere), "Kid", NULL);
    assert_dump_equal(before);

    /* In a map's values. */
    begin();
    modify("Root", &b.r2, "{\"kid_map\": [\"map\", [[\"y\", %s]]]}",
           U(&nowhere));
    commit_fails("referential integrity violation", "kid_map",
                 S(&nowhere), NULL);
    assert_dump_equal(before);

    /* To a row of a root table. */
    begin();
    modify("Root", &b.r2, "{\"other\": %s}", U(&nowhere));
    commit_fails("referential integrity violation", "other", S(&nowhere),
                 NULL);
    assert_dump_equal(before);

    /* To a row this transaction inserted and deleted. */
    begin();
    struct uuid k = insert("Kid", "{}");
    modify("Root", &b.r2, "{\"kids\": %s}", U(&k));
    delete("Kid", &k);
    commit_fails("referential integrity violation", S(&k), NULL);
    assert_dump_equal(before);

    /* To a committed row this transaction deleted. */
    begin();
    insert("Root", "{\"name\": \"x\", \"kids\": %s}", U(&b.k3));
    delete("Kid", &b.k3);
    commit_fails("referential integrity violation", S(&b.k3), NULL);
    assert_dump_equal(before);
    json_object_put(before);
}

static void
test_delete_referenced_row(void **state)
{
    struct base b;

    (void) state;
    build_base(&b);
    struct json_object *before = dump();

    /* r1 is referenced by r2's "other". */
    begin();
    delete("Root", &b.r1);
    commit_fails("referential integrity violation", "cannot delete",
                 "Root", S(&b.r1), "1 remaining", NULL);
    assert_dump_equal(before);

    /* A non-root row that is still referenced. */
    begin();
    delete("Kid", &b.k2);
    commit_fails("referential integrity violation", "Kid", S(&b.k2),
                 "1 remaining", NULL);
    assert_dump_equal(before);

    /* Two references. */
    begin();
    insert("Root", "{\"name\": \"r3\", \"other\": %s}", U(&b.r1));
    commit_ok();
    json_object_put(before);
    before = dump();
    assert_int_equal(get_row("Root", &b.r1)->n_refs, 2);
    begin();
    delete("Root", &b.r1);
    commit_fails("referential integrity violation", S(&b.r1),
                 "2 remaining", NULL);
    assert_dump_equal(before);

    /* Still refused if the referring row changes other columns. */
    begin();
    modify("Root", &b.r2, "{\"n\": 1}");
    delete("Root", &b.r1);
    commit_fails("referential integrity violation", S(&b.r1), NULL);
    assert_dump_equal(before);
    json_object_put(before);

    /* Dropping the references in the same transaction allows it, and r1's
     * kids go with it. */
    begin();
    modify("Root", &b.r2, "{\"other\": [\"set\", []]}");
    struct db_row *r3 = NULL;
    struct db_row *row;
    DB_TABLE_FOR_EACH_ROW (row, get_table("Root")) {
        if (!uuid_equals(db_row_get_uuid(row), &b.r1)
            && !uuid_equals(db_row_get_uuid(row), &b.r2)) {
            r3 = row;
        }
    }
    assert_non_null(r3);
    db_txn_row_delete(txn, r3);
    delete("Root", &b.r1);
    commit_ok();
    assert_int_equal(count("Root"), 1);
    assert_null(find("Kid", &b.k1));
    assert_null(find("Kid", &b.k2));
    assert_non_null(find("Kid", &b.k3));

    /* A row may refer to itself and still be deleted. */
    begin();
    modify("Root", &b.r2, "{\"other\": %s}", U(&b.r2));
    commit_ok();
    assert_int_equal(get_row("Root", &b.r2)->n_refs, 1);
    begin();
    delete("Root", &b.r2);
    commit_ok();
    assert_int_equal(count("Root"), 0);
    assert_int_equal(count("Kid"), 0);
}

static void
test_garbage_collection(void **state)
{
    struct base b;

    (void) state;
    build_base(&b);

    /* An unreferenced insert vanishes at commit, unseen by replicas. */
    struct test_replica *replica = add_replica();
    begin();
    struct uuid lone = insert("Kid", "{\"n\": 9}");
    struct uuid chain1 = insert("Kid", "{}");
    struct uuid chain2 = insert("Kid", "{\"child\": %s}", U(&chain1));
    commit_ok();
    assert_null(find("Kid", &lone));
    assert_null(find("Kid", &chain1));
    assert_null(find("Kid", &chain2));
    assert_int_equal(count("Kid"), 3);
    assert_int_equal(n_changes(replica), 0);

    /* Referenced in the same transaction: it stays. */
    begin();
    struct uuid k4 = insert("Kid", "{\"n\": 4}");
    modify("Root", &b.r2, "{\"kids\": %s}", U(&k4));
    commit_ok();
    assert_int_equal(get_row("Kid", &k4)->n_refs, 1);
    assert_change(replica, &k4, "insert", "[\"n\", \"child\"]");

    /* Dropping r1's reference to k1 frees k1 and then k2. */
    begin();
    modify("Root", &b.r1, "{\"kids\": [\"set\", []]}");
    commit_ok();
    assert_null(find("Kid", &b.k1));
    assert_null(find("Kid", &b.k2));
    assert_change(replica, &b.k1, "delete", "[\"n\", \"child\"]");
    assert_change(replica, &b.k2, "delete", "[\"n\", \"child\"]");
    assert_change(replica, &b.r1, "modify", "[\"_version\", \"kids\"]");
    assert_int_equal(n_changes(replica), 3);

    /* A row referenced twice survives losing one reference. */
    begin();
    modify("Root", &b.r1, "{\"kids\": %s}", U(&b.k3));
    commit_ok();
    assert_int_equal(get_row("Kid", &b.k3)->n_refs, 2);
    begin();
    modify("Root", &b.r2, "{\"kid_map\": [\"map\", []]}");
    commit_ok();
    assert_int_equal(get_row("Kid", &b.k3)->n_refs, 1);
    begin();
    modify("Root", &b.r1, "{\"kids\": [\"set\", []]}");
    commit_ok();
    assert_null(find("Kid", &b.k3));

    /* Two references from one row, dropped one at a time. */
    begin();
    struct uuid k5 = insert("Kid", "{}");
    modify("Root", &b.r1, "{\"kids\": %s, \"kid_map\": "
           "[\"map\", [[\"a\", %s], [\"b\", %s]]]}", U(&k5), U(&k5),
           U(&k5));
    commit_ok();
    assert_int_equal(get_row("Kid", &k5)->n_refs, 3);
    begin();
    modify("Root", &b.r1, "{\"kid_map\": [\"map\", [[\"b\", %s]]]}",
           U(&k5));
    commit_ok();
    assert_int_equal(get_row("Kid", &k5)->n_refs, 2);

    /* Deleting a root row frees the chain under it. */
    begin();
    struct uuid c3 = insert("Kid", "{}");
    struct uuid c2 = insert("Kid", "{\"child\": %s}", U(&c3));
    struct uuid c1 = insert("Kid", "{\"child\": %s}", U(&c2));
    struct uuid r3 = insert("Root", "{\"name\": \"r3\", \"kids\": %s}",
                            U(&c1));
    commit_ok();
    assert_int_equal(count("Kid"), 5);
    begin();
    delete("Root", &r3);
    commit_ok();
    assert_null(find("Kid", &c1));
    assert_null(find("Kid", &c2));
    assert_null(find("Kid", &c3));
    assert_int_equal(count("Kid"), 2);      /* k4 and k5. */
    assert_int_equal(n_changes(replica), 4);

    /* Garbage collection that then fails to commit takes nothing. */
    struct json_object *before = dump();
    begin();
    modify("Root", &b.r1, "{\"kids\": [\"set\", []], "
           "\"kid_map\": [\"map\", []]}");
    insert("Limited", "{}");
    insert("Limited", "{}");
    insert("Limited", "{}");
    commit_fails("constraint violation", "Limited", NULL);
    assert_dump_equal(before);
    assert_non_null(find("Kid", &k5));
    json_object_put(before);
}

static void
test_weak_references(void **state)
{
    struct base b;
    struct uuid nowhere;

    (void) state;
    build_base(&b);
    uuid_generate(&nowhere);
    struct test_replica *replica = add_replica();

    /* Deleting p1 drops it from r1, which the transaction did not touch;
     * r1 gets a new version and the replica sees the change. */
    struct uuid r1_version = version("Root", &b.r1);
    begin();
    delete("Pet", &b.p1);
    commit_ok();
    assert_field("Root", &b.r1, "pets", "%s", U(&b.p2));
    assert_false(has_version("Root", &b.r1, &r1_version));
    assert_change(replica, &b.p1, "delete", "[\"species\", \"name\"]");
    assert_change(replica, &b.r1, "modify", "[\"_version\", \"pets\"]");
    assert_int_equal(n_changes(replica), 2);

    /* A weak reference to a row that does not exist is dropped. */
    begin();
    struct uuid r3 = insert("Root", "{\"name\": \"r3\", "
                            "\"pets\": [\"set\", [%s, %s]]}",
                            U(&nowhere), U(&b.p2));
    commit_ok();
    assert_field("Root", &r3, "pets", "%s", U(&b.p2));

    /* To a row inserted in the same transaction: kept. */
    begin();
    struct uuid p3 = insert("Pet", "{\"species\": \"cat\", "
                            "\"name\": \"kit\"}");
    modify("Root", &r3, "{\"pets\": [\"set\", [%s, %s]], "
           "\"pet_map\": [\"map\", [[\"a\", %s], [\"b\", %s], "
           "[\"c\", %s]]]}", U(&p3), U(&b.p2), U(&p3), U(&b.p2),
           U(&nowhere));
    commit_ok();
    assert_field("Root", &r3, "pets", "[\"set\", [%s, %s]]", U(&p3),
                 U(&b.p2));
    assert_field("Root", &r3, "pet_map", "[\"map\", [[\"a\", %s], "
                 "[\"b\", %s]]]", U(&p3), U(&b.p2));

    /* Deleting p3 drops it from the set and from the map's values. */
    begin();
    delete("Pet", &p3);
    commit_ok();
    assert_field("Root", &r3, "pets", "%s", U(&b.p2));
    assert_field("Root", &r3, "pet_map", "[\"map\", [[\"b\", %s]]]",
                 U(&b.p2));
    assert_change(replica, &r3, "modify",
                  "[\"_version\", \"pets\", \"pet_map\"]");

    /* Holder needs its one weak reference: p2 cannot go alone. */
    struct json_object *before = dump();
    begin();
    delete("Pet", &b.p2);
    commit_fails("constraint violation", "Holder", "pet", S(&b.h), NULL);
    assert_dump_equal(before);

    /* Nor may a Holder point nowhere. */
    begin();
    insert("Holder", "{\"pet\": %s}", U(&nowhere));
    commit_fails("constraint violation", "Holder", "pet", NULL);
    assert_dump_equal(before);
    json_object_put(before);

    /* Repointing the Holder in the same transaction makes it fine. */
    begin();
    struct uuid p4 = insert("Pet", "{\"species\": \"owl\", "
                            "\"name\": \"hoot\"}");
    modify("Holder", &b.h, "{\"pet\": %s}", U(&p4));
    delete("Pet", &b.p2);
    commit_ok();
    assert_field("Holder", &b.h, "pet", "%s", U(&p4));
    assert_field("Root", &b.r1, "pets", "[\"set\", []]");
    assert_field("Root", &r3, "pets", "[\"set\", []]");
    assert_field("Root", &r3, "pet_map", "[\"map\", []]");

    /* A weak reference does not keep a row from being deleted, and a
     * row the transaction modifies loses its dangling ones too. */
    begin();
    modify("Root", &r3, "{\"pets\": %s, \"n\": 1}", U(&p4));
    struct uuid p5 = insert("Pet", "{\"species\": \"owl\", "
                            "\"name\": \"hoot2\"}");
    modify("Holder", &b.h, "{\"pet\": %s}", U(&p5));
    delete("Pet", &p4);
    commit_ok();
    assert_field("Root", &r3, "pets", "[\"set\", []]");
    assert_field("Root", &r3, "n", "1");
}

static void
test_unique_indexes(void **state)
{
    (void) state;
    begin();
    struct uuid a = insert("Root", "{\"name\": \"a\"}");
    struct uuid b = insert("Root", "{\"name\": \"b\"}");
    commit_ok();
    struct json_object *before = dump();

    /* Two new rows with one name. */
    begin();
    struct uuid x1 = insert("Root", "{\"name\": \"x\"}");
    struct uuid x2 = insert("Root", "{\"name\": \"x\"}");
    commit_fails("constraint violation", "Root", "unique index", "name=",
                 "x", NULL);
    (void) x1;
    (void) x2;
    assert_dump_equal(before);

    /* A new row with a committed row's name; the details name both. */
    begin();
    struct uuid a2 = insert("Root", "{\"name\": \"a\", \"n\": 2}");
    commit_fails("constraint violation", S(&a), S(&a2), "name=", NULL);
    assert_dump_equal(before);

    /* Renaming onto a committed name. */
    begin();
    modify("Root", &b, "{\"name\": \"a\"}");
    commit_fails("constraint violation", S(&a), S(&b), NULL);
    assert_dump_equal(before);
    json_object_put(before);

    /* Swapping two names in one transaction is fine... */
    begin();
    modify("Root", &a, "{\"name\": \"b\"}");
    modify("Root", &b, "{\"name\": \"a\"}");
    commit_ok();
    assert_field("Root", &a, "name", "\"b\"");
    assert_field("Root", &b, "name", "\"a\"");

    /* ...and the index follows: "a" now belongs to row b. */
    begin();
    insert("Root", "{\"name\": \"a\"}");
    commit_fails("constraint violation", S(&b), NULL);
    begin();
    insert("Root", "{\"name\": \"b\"}");
    commit_fails("constraint violation", S(&a), NULL);

    /* Deleting a row and inserting its name again in one transaction. */
    begin();
    delete("Root", &a);
    struct uuid c = insert("Root", "{\"name\": \"b\"}");
    commit_ok();
    assert_field("Root", &c, "name", "\"b\"");
    assert_int_equal(count("Root"), 2);

    /* Taking a name another row gives up in the same transaction. */
    begin();
    modify("Root", &b, "{\"name\": \"z\"}");
    modify("Root", &c, "{\"name\": \"a\"}");
    struct uuid d = insert("Root", "{\"name\": \"b\"}");
    commit_ok();
    assert_field("Root", &d, "name", "\"b\"");

    /* A row touched only for its reference count stays indexed, and still
     * conflicts. */
    begin();
    struct uuid e = insert("Root", "{\"name\": \"e\", \"other\": %s}",
                           U(&c));
    commit_ok();
    assert_int_equal(get_row("Root", &c)->n_refs, 1);
    before = dump();
    begin();
    insert("Root", "{\"name\": \"f\", \"other\": %s}", U(&c));
    insert("Root", "{\"name\": \"a\"}");
    commit_fails("constraint violation", S(&c), NULL);
    assert_dump_equal(before);
    json_object_put(before);
    (void) e;

    /* An index of two columns: only both together must be unique. */
    begin();
    insert("Pet", "{\"species\": \"cat\", \"name\": \"tom\"}");
    insert("Pet", "{\"species\": \"dog\", \"name\": \"tom\"}");
    insert("Pet", "{\"species\": \"cat\", \"name\": \"kit\"}");
    commit_ok();
    begin();
    insert("Pet", "{\"species\": \"cat\", \"name\": \"tom\"}");
    commit_fails("constraint violation", "Pet", "species=", "name=", "tom",
                 NULL);
    assert_int_equal(count("Pet"), 3);
}

static void
test_max_rows(void **state)
{
    (void) state;
    begin();
    struct uuid l1 = insert("Limited", "{\"x\": 1}");
    insert("Limited", "{\"x\": 2}");
    commit_ok();
    struct json_object *before = dump();

    begin();
    insert("Limited", "{\"x\": 3}");
    commit_fails("constraint violation", "Limited", "3 rows",
                 "limit of 2", NULL);
    assert_dump_equal(before);
    json_object_put(before);

    /* Replacing a row within the limit. */
    begin();
    delete("Limited", &l1);
    struct uuid l3 = insert("Limited", "{\"x\": 3}");
    commit_ok();
    assert_int_equal(count("Limited"), 2);
    assert_non_null(find("Limited", &l3));

    /* Modifying rows of a full table is fine. */
    begin();
    modify("Limited", &l3, "{\"x\": 4}");
    commit_ok();
}

static void
test_versions(void **state)
{
    struct base b;

    (void) state;
    build_base(&b);
    struct test_replica *replica = add_replica();
    struct uuid v_r1 = version("Root", &b.r1);
    struct uuid v_r2 = version("Root", &b.r2);
    struct uuid v_k1 = version("Kid", &b.k1);
    struct uuid v_k3 = version("Kid", &b.k3);
    struct uuid v_p1 = version("Pet", &b.p1);

    /* r2 changes; k3 only gains a reference; r1 is not touched. */
    begin();
    modify("Root", &b.r2, "{\"n\": 5}");
    struct uuid r3 = insert("Root", "{\"name\": \"r3\", \"kids\": %s}",
                            U(&b.k3));
    commit_ok();
    assert_false(has_version("Root", &b.r2, &v_r2));
    assert_false(has_version("Root", &r3,
                             db_row_get_version(get_row("Root", &b.r2))));
    assert_true(has_version("Kid", &b.k3, &v_k3));
    assert_int_equal(get_row("Kid", &b.k3)->n_refs, 2);
    assert_true(has_version("Root", &b.r1, &v_r1));
    assert_true(has_version("Kid", &b.k1, &v_k1));
    assert_true(has_version("Pet", &b.p1, &v_p1));
    assert_null(find_change(replica, &b.k3));
    assert_int_equal(n_changes(replica), 2);

    /* Writing the same values, or changing and changing back, is no
     * change. */
    v_r2 = version("Root", &b.r2);
    begin();
    modify("Root", &b.r1, "{\"name\": \"r1\", \"kids\": %s}", U(&b.k1));
    modify("Root", &b.r2, "{\"n\": 6}");
    modify("Root", &b.r2, "{\"n\": 5}");
    commit_ok();
    assert_true(has_version("Root", &b.r1, &v_r1));
    assert_true(has_version("Root", &b.r2, &v_r2));
    assert_int_equal(replica->n_commits, 2);
    assert_int_equal(n_changes(replica), 0);

    /* Each commit that changes a row gives it a new version. */
    begin();
    modify("Root", &b.r2, "{\"n\": 6}");
    commit_ok();
    struct uuid v2 = version("Root", &b.r2);
    assert_false(uuid_equals(&v_r2, &v2));
    begin();
    modify("Root", &b.r2, "{\"n\": 7}");
    commit_ok();
    assert_false(has_version("Root", &b.r2, &v2));
    assert_false(has_version("Root", &b.r2, &v_r2));
}

static void
test_replica_failure(void **state)
{
    struct base b;

    (void) state;
    build_base(&b);
    struct test_replica *good = add_replica();
    struct test_replica *bad = add_replica();
    bad->fail = db_error_create("I/O error", "disk full");
    struct json_object *before = dump();

    /* Every kind of change at once. */
    begin();
    modify("Root", &b.r1, "{\"name\": \"renamed\", \"kids\": %s}",
           U(&b.k3));
    struct uuid r3 = insert("Root", "{\"name\": \"new\", \"kids\": %s, "
                            "\"other\": %s}", U(&b.k3), U(&b.r2));
    modify("Root", &b.r2, "{\"kid_map\": [\"map\", []]}");
    delete("Holder", &b.h);
    delete("Pet", &b.p1);
    insert("Kid", "{\"n\": 99}");
    insert("Pet", "{\"species\": \"cat\", \"name\": \"tom2\"}");
    commit_fails("I/O error", "disk full", NULL);
    assert_int_equal(good->n_commits, 1);
    assert_int_equal(bad->n_commits, 1);
    /* The replicas saw the transaction whole: k1 and k2 collected, r1's
     * weak reference to p1 dropped. */
    assert_change(good, &b.k1, "delete", "[\"n\", \"child\"]");
    assert_change(good, &b.k2, "delete", "[\"n\", \"child\"]");
    assert_change(good, &b.r1, "modify",
                  "[\"_version\", \"name\", \"kids\", \"pets\"]");
    assert_change(good, &r3, "insert", "[\"name\", \"n\", \"kids\", "
                  "\"kid_map\", \"other\", \"pets\", \"pet_map\"]");
    assert_null(find_change(good, &b.k3));

    assert_dump_equal(before);
    assert_null(find("Root", &r3));
    assert_int_equal(count("Kid"), 3);

    /* The indexes are as before: "r1" is taken, "renamed" and "new" are
     * free.  (Index checks come before the replicas.) */
    begin();
    insert("Root", "{\"name\": \"r1\"}");
    commit_fails("constraint violation", S(&b.r1), NULL);
    assert_int_equal(bad->n_commits, 1);
    begin();
    insert("Pet", "{\"species\": \"cat\", \"name\": \"tom\"}");
    commit_fails("constraint violation", S(&b.p1), NULL);
    assert_dump_equal(before);

    db_error_destroy(bad->fail);
    bad->fail = NULL;
    begin();
    struct uuid n1 = insert("Root", "{\"name\": \"renamed\"}");
    struct uuid n2 = insert("Root", "{\"name\": \"new\"}");
    commit_ok();
    assert_int_equal(good->n_commits, 2);
    assert_int_equal(bad->n_commits, 2);
    assert_non_null(find("Root", &n1));
    assert_non_null(find("Root", &n2));
    json_object_put(before);

    /* A replica that fails alone, first in line. */
    db_remove_replica(db, &good->up);
    db_remove_replica(db, &bad->up);
    test_replica_destroy(&good->up);
    db_add_replica(db, &bad->up);
    bad->fail = db_error_create("I/O error", "again");
    before = dump();
    begin();
    delete("Root", &n1);
    commit_fails("I/O error", "again", NULL);
    assert_dump_equal(before);
    json_object_put(before);
}

/* What a replica is told: durability, comments, the changes. */
static void
test_replica_commit_info(void **state)
{
    struct base b;
    bool destroyed = false;

    (void) state;
    build_base(&b);
    struct test_replica *replica = add_replica();
    replica->destroyed = &destroyed;

    begin();
    modify("Root", &b.r1, "{\"n\": 1}");
    struct db_error *error = db_txn_commit(txn, true);
    txn = NULL;
    assert_null(error);
    assert_true(replica->durable);
    assert_null(replica->comment);

    begin();
    db_txn_add_comment(txn, "first");
    db_txn_add_comment(txn, "second");
    assert_string_equal(txn->comment, "first\nsecond");
    modify("Root", &b.r1, "{\"n\": 2}");
    commit_ok();
    assert_false(replica->durable);
    assert_string_equal(replica->comment, "first\nsecond");
    assert_int_equal(replica->n_commits, 2);

    /* Transactions that change nothing are still offered. */
    begin();
    db_txn_add_comment(txn, "nothing");
    commit_ok();
    assert_int_equal(replica->n_commits, 3);
    assert_string_equal(replica->comment, "nothing");
    assert_int_equal(n_changes(replica), 0);

    /* Not offered after removal. */
    db_remove_replica(db, &replica->up);
    begin();
    modify("Root", &b.r1, "{\"n\": 3}");
    commit_ok();
    assert_int_equal(replica->n_commits, 3);

    /* Destroying the database destroys the replicas still attached. */
    db_add_replica(db, &replica->up);
    db_destroy(db);
    db = NULL;
    assert_true(destroyed);
}

static void
test_for_each_change(void **state)
{
    struct base b;

    (void) state;
    build_base(&b);
    struct test_replica *replica = add_replica();

    begin();
    struct uuid x = insert("Root", "{\"name\": \"x\", \"other\": %s}",
                           U(&b.r2));
    delete("Holder", &b.h);
    modify("Root", &b.r1, "{\"n\": 3}");
    modify("Pet", &b.p1, "{\"name\": \"tom\"}");    /* No change. */
    commit_ok();
    assert_int_equal(n_changes(replica), 3);
    assert_change(replica, &x, "insert", "[\"name\", \"n\", \"kids\", "
                  "\"kid_map\", \"other\", \"pets\", \"pet_map\"]");
    assert_change(replica, &b.h, "delete", "[\"pet\", \"n\"]");
    assert_change(replica, &b.r1, "modify", "[\"_version\", \"n\"]");
    /* r2 gained a reference and p1 was rewritten unchanged: neither is a
     * change. */
    assert_null(find_change(replica, &b.r2));
    assert_null(find_change(replica, &b.p1));
    assert_int_equal(get_row("Root", &b.r2)->n_refs, 1);

    /* Modified then deleted: the replica sees the committed row go. */
    begin();
    modify("Root", &x, "{\"n\": 9}");
    delete("Root", &x);
    commit_ok();
    assert_int_equal(n_changes(replica), 1);
    assert_change(replica, &x, "delete", "[\"name\", \"n\", \"kids\", "
                  "\"kid_map\", \"other\", \"pets\", \"pet_map\"]");

    /* The callback can stop the walk. */
    replica->stop_after = 1;
    begin();
    modify("Root", &b.r1, "{\"n\": 4}");
    modify("Root", &b.r2, "{\"n\": 4}");
    modify("Kid", &b.k1, "{\"n\": 4}");
    commit_ok();
    assert_int_equal(n_changes(replica), 1);
    assert_field("Kid", &b.k1, "n", "4");
}

/* Enough rows that the tables' and indexes' hash maps grow, while commits
 * rewrite rows as they walk them. */
static void
test_many_rows(void **state)
{
    enum { N = 300 };
    struct uuid roots[N], kids[N];

    (void) state;
    begin();
    struct uuid pet = insert("Pet", "{\"name\": \"shared\"}");
    struct uuid pet2 = insert("Pet", "{\"name\": \"other\"}");
    for (size_t i = 0; i < N; i++) {
        kids[i] = insert("Kid", "{\"n\": %zu%s%s}", i, i ? ", \"child\": "
                         : "", i ? U(&kids[i - 1]) : "");
        roots[i] = insert("Root", "{\"name\": \"r%zu\", \"n\": %zu, "
                          "\"pets\": [\"set\", [%s, %s]]}",
                          i, i, U(&pet), U(&pet2));
    }
    modify("Root", &roots[0], "{\"kids\": %s}", U(&kids[N - 1]));
    commit_ok();
    assert_int_equal(count("Root"), N);
    assert_int_equal(count("Kid"), N);

    /* Every Root loses its weak reference to "shared". */
    struct test_replica *replica = add_replica();
    begin();
    delete("Pet", &pet);
    commit_ok();
    assert_int_equal(n_changes(replica), N + 1);
    for (size_t i = 0; i < N; i++) {
        assert_field("Root", &roots[i], "pets", "%s", U(&pet2));
    }

    /* Every Root takes the next one's name. */
    begin();
    for (size_t i = 0; i < N; i++) {
        modify("Root", &roots[i], "{\"name\": \"r%zu\"}", (i + 1) % N);
    }
    commit_ok();
    assert_field("Root", &roots[N - 1], "name", "\"r0\"");

    /* The same, once more, but a replica refuses it. */
    struct json_object *before = dump();
    replica->fail = db_error_create("I/O error", "refused");
    begin();
    for (size_t i = 0; i < N; i++) {
        modify("Root", &roots[i], "{\"name\": \"r%zu\"}", (i + 2) % N);
    }
    delete("Pet", &pet2);
    commit_fails("I/O error", "refused", NULL);
    assert_dump_equal(before);
    json_object_put(before);
    db_error_destroy(replica->fail);
    replica->fail = NULL;

    /* Dropping the one reference to the chain frees all of it. */
    begin();
    modify("Root", &roots[0], "{\"kids\": [\"set\", []]}");
    commit_ok();
    assert_int_equal(count("Kid"), 0);
    assert_int_equal(n_changes(replica), N + 1);
}

#define TEST(NAME) cmocka_unit_test_setup_teardown(NAME, setup, teardown)

int
main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(test_insert_commit),
        TEST(test_abort_restores),
        TEST(test_modify_delete_commit),
        TEST(test_strong_ref_to_missing_row),
        TEST(test_delete_referenced_row),
        TEST(test_garbage_collection),
        TEST(test_weak_references),
        TEST(test_unique_indexes),
        TEST(test_max_rows),
        TEST(test_versions),
        TEST(test_replica_failure),
        TEST(test_replica_commit_info),
        TEST(test_for_each_change),
        TEST(test_many_rows),
    };
    return cmocka_run_group_tests_name("db-txn", tests, NULL, NULL);
}
