/* db-file: databases on disk: replay, logging commits, compaction. */
#include <config.h>

#include "db-file.h"

#include <errno.h>
#include <string.h>

#include "db-data.h"
#include "db-error.h"
#include "db-log.h"
#include "db-schema.h"
#include "db-txn.h"
#include "db.h"
#include "timeval.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(db_file);

/* Compaction happens no earlier than this size. */
#define MIN_COMPACT_SIZE (4 * 1024 * 1024)

struct db_file {
    struct db_replica up;
    struct db_log *log;
    struct db *db;
    off_t snapshot_size;        /* File size after the last compaction. */
};

static const struct db_replica_class db_file_class;

static struct db_error *
log_error(const char *what, const struct db_log *log, int error)
{
    return db_error_create("I/O error", "%s %s: %s", what,
                           db_log_get_name(log), strerror(error));
}

/* Applies one row of a transaction record. */
static struct db_error *
replay_row(struct db_txn *txn, struct db_table *table, const char *uuid_s,
           struct json_object *json)
{
    struct uuid uuid;
    if (!uuid_from_string(&uuid, uuid_s)) {
        return db_error_create("syntax error", "bad row uuid \"%s\"",
                               uuid_s);
    }
    struct db_row *row = db_table_find_row(table, &uuid);
    if (json_object_is_type(json, json_type_null)) {
        if (!row) {
            return db_error_create("syntax error", "deletes missing row "
                                   "%s", uuid_s);
        }
        db_txn_row_delete(txn, row);
        return NULL;
    }
    if (!json_object_is_type(json, json_type_object)) {
        return db_syntax_error(json, "row %s must be an object or null",
                               uuid_s);
    }
    row = (row ? db_txn_row_modify(txn, row)
           : db_txn_row_insert(txn, table, &uuid));
    json_object_object_foreach(json, name, value) {
        const struct db_column *c = db_table_schema_find_column(
            table->schema, name);
        if (!c || c->index < DB_N_BUILTIN_COLUMNS) {
            return db_error_create("syntax error", "unknown column %s",
                                   name);
        }
        struct db_datum datum;
        struct db_error *error = db_datum_from_json(&datum, &c->type, value,
                                                    NULL);
        if (error) {
            return error;
        }
        db_datum_swap(&row->fields[c->index], &datum);
        db_datum_destroy(&datum, &c->type);
    }
    return NULL;
}

static struct db_error *
replay_table(struct db_txn *txn, struct db *db, const char *name,
             struct json_object *rows)
{
    struct db_table *table = db_get_table(db, name);
    if (!table) {
        return db_error_create("syntax error", "unknown table %s", name);
    }
    if (!json_object_is_type(rows, json_type_object)) {
        return db_syntax_error(rows, "table %s must be an object", name);
    }
    json_object_object_foreach(rows, uuid, row) {
        struct db_error *error = replay_row(txn, table, uuid, row);
        if (error) {
            return error;
        }
    }
    return NULL;
}

static struct db_error *
replay_record(struct db *db, struct json_object *record)
{
    if (!json_object_is_type(record, json_type_object)) {
        return db_syntax_error(record, "a transaction record must be an "
                               "object");
    }
    struct db_txn *txn = db_txn_create(db);
    json_object_object_foreach(record, name, value) {
        if (name[0] == '_') {
            continue;           /* "_date", "_comment". */
        }
        struct db_error *error = replay_table(txn, db, name, value);
        if (error) {
            db_txn_abort(txn);
            return error;
        }
    }
    return db_txn_commit(txn, false);
}

static struct db_error *
read_schema(struct db_log *log, const char *schema_path,
            struct db_schema **schemap, bool *createdp)
{
    struct json_object *record;
    int err = db_log_read(log, &record);
    struct db_error *error;

    *createdp = false;
    if (err) {
        return err == EPROTO
               ? db_error_create("I/O error", "%s is not a Skiff database "
                                 "file", db_log_get_name(log))
               : log_error("cannot read", log, err);
    }
    if (record) {
        error = db_schema_from_json(record, schemap);
        json_object_put(record);
        if (error) {
            db_error_prefix(error, "schema in %s", db_log_get_name(log));
        }
        return error;
    }

    /* A new database. */
    if (!schema_path) {
        return db_error_create("I/O error", "%s is empty and no schema "
                               "was given to create it",
                               db_log_get_name(log));
    }
    if ((error = db_schema_from_file(schema_path, schemap))) {
        return error;
    }
    struct json_object *json = db_schema_to_json(*schemap);
    err = db_log_write(log, json);
    json_object_put(json);
    if (err || (err = db_log_commit(log))) {
        db_schema_destroy(*schemap);
        *schemap = NULL;
        return log_error("cannot write", log, err);
    }
    *createdp = true;
    return NULL;
}

static struct db_error *
replay(struct db *db, struct db_log *log)
{
    for (unsigned long long n = 2; ; n++) {
        struct json_object *record;
        int err = db_log_read(log, &record);
        if (err) {
            return log_error("cannot read", log, err);
        }
        if (!record) {
            return NULL;
        }
        struct db_error *error = replay_record(db, record);
        json_object_put(record);
        if (error) {
            db_error_prefix(error, "%s: record %llu", db_log_get_name(log),
                            n);
            return error;
        }
    }
}

struct db_error *
db_file_open(const char *path, const char *schema_path, struct db **dbp,
             struct db_file **filep)
{
    struct db_log *log;
    struct db_schema *schema;
    struct db_error *error;
    bool created;

    *dbp = NULL;
    *filep = NULL;
    int err = db_log_open(path, DB_LOG_CREATE, &log);
    if (err) {
        return db_error_create("I/O error", "cannot open %s: %s", path,
                               err == EAGAIN ? "another process is using it"
                                             : strerror(err));
    }
    if ((error = read_schema(log, schema_path, &schema, &created))) {
        db_log_close(log);
        return error;
    }

    struct db *db = db_create(schema);
    if ((error = replay(db, log))) {
        db_destroy(db);
        db_log_close(log);
        return error;
    }
    struct db_file *file = xzalloc(sizeof *file);
    file->up.class = &db_file_class;
    file->log = log;
    file->db = db;
    file->snapshot_size = db_log_get_offset(log);
    db_add_replica(db, &file->up);
    VLOG_INFO("%s: %s database %s, %llu records", path,
              created ? "created" : "opened", schema->name,
              db_log_get_n_records(log));
    *dbp = db;
    *filep = file;
    return NULL;
}

/* Returns a JSON object of the persistent columns of NEW that CHANGED
 * (all non-default ones for an insert). */
static struct json_object *
row_to_record(const struct db_row *old, const struct db_row *new,
              const bool *changed)
{
    const struct db_table_schema *ts = new->table->schema;
    struct json_object *json = json_object_new_object();
    for (size_t c = DB_N_BUILTIN_COLUMNS; c < ts->n_columns; c++) {
        const struct db_column *column = ts->columns[c];
        if (!column->persistent
            || (old && !changed[c])
            || (!old && db_datum_is_default(&new->fields[c],
                                            &column->type))) {
            continue;
        }
        json_object_object_add(json, column->name,
                               db_datum_to_json(&new->fields[c],
                                                &column->type));
    }
    return json;
}

static bool
add_change(const struct db_row *old, const struct db_row *new,
           const bool *changed, void *record_)
{
    struct json_object *record = record_;
    const struct db_row *row = new ? new : old;
    const char *table = row->table->schema->name;
    struct json_object *row_json = new ? row_to_record(old, new, changed)
                                       : NULL;
    struct json_object *rows;
    char uuid[UUID_LEN + 1];

    if (old && new && !json_object_object_length(row_json)) {
        /* Only ephemeral columns changed: nothing to write. */
        json_object_put(row_json);
        return true;
    }
    if (!json_object_object_get_ex(record, table, &rows)) {
        rows = json_object_new_object();
        json_object_object_add(record, table, rows);
    }
    uuid_to_string(db_row_get_uuid(row), uuid);
    json_object_object_add(rows, uuid, row_json);
    return true;
}

static struct db_error *
file_commit(struct db_replica *replica, const struct db_txn *txn,
            bool durable)
{
    struct db_file *file = CONTAINER_OF(replica, struct db_file, up);
    struct json_object *record = json_object_new_object();
    int err;

    db_txn_for_each_change(txn, add_change, record);
    if (!json_object_object_length(record)) {
        json_object_put(record);
        return NULL;            /* Nothing persistent changed. */
    }
    json_object_object_add(record, "_date",
                           json_object_new_int64(time_wall_msec()));
    if (txn->comment) {
        json_object_object_add(record, "_comment",
                               json_object_new_string(txn->comment));
    }
    err = db_log_write(file->log, record);
    json_object_put(record);
    /* Every commit is synced, durable or not: nothing committed may be
     * lost. */
    if (err || (err = db_log_commit(file->log))) {
        VLOG_ERR("%s: cannot write transaction: %s",
                 db_log_get_name(file->log), strerror(err));
        return log_error("cannot write", file->log, err);
    }
    return NULL;
}

static void
file_destroy(struct db_replica *replica)
{
    struct db_file *file = CONTAINER_OF(replica, struct db_file, up);
    db_log_close(file->log);
    free(file);
}

static const struct db_replica_class db_file_class = {
    .commit = file_commit,
    .destroy = file_destroy,
};

/* The whole database as one transaction record. */
static struct json_object *
snapshot_record(const struct db *db)
{
    struct json_object *record = json_object_new_object();
    for (size_t t = 0; t < db->schema->n_tables; t++) {
        struct db_table *table = db->tables[t];
        struct db_row *row;
        DB_TABLE_FOR_EACH_ROW (row, table) {
            add_change(NULL, row, NULL, record);
        }
    }
    json_object_object_add(record, "_date",
                           json_object_new_int64(time_wall_msec()));
    json_object_object_add(record, "_comment",
                           json_object_new_string("compacted"));
    return record;
}

struct db_error *
db_file_compact(struct db_file *file)
{
    struct db_log *new;
    int err = db_log_replace_start(file->log, &new);
    if (err) {
        return log_error("cannot compact", file->log, err);
    }
    struct json_object *schema = db_schema_to_json(file->db->schema);
    struct json_object *rows = snapshot_record(file->db);
    err = db_log_write(new, schema);
    if (!err) {
        err = db_log_write(new, rows);
    }
    json_object_put(schema);
    json_object_put(rows);
    if (err) {
        db_log_replace_abort(new);
        return log_error("cannot compact", file->log, err);
    }
    err = db_log_replace_commit(file->log, new);
    if (err) {
        return log_error("cannot compact", file->log, err);
    }
    file->snapshot_size = db_log_get_offset(file->log);
    VLOG_INFO("%s: compacted to %lld bytes", db_log_get_name(file->log),
              (long long int) file->snapshot_size);
    return NULL;
}

void
db_file_compact_if_needed(struct db_file *file)
{
    off_t size = db_log_get_offset(file->log);
    if (size >= MIN_COMPACT_SIZE && size / 4 > file->snapshot_size) {
        struct db_error *error = db_file_compact(file);
        if (error) {
            char *s = db_error_to_string(error);
            VLOG_WARN("%s", s);
            free(s);
            db_error_destroy(error);
        }
    }
}

off_t
db_file_get_size(const struct db_file *file)
{
    return db_log_get_offset(file->log);
}

const char *
db_file_get_name(const struct db_file *file)
{
    return db_log_get_name(file->log);
}
