/* db-monitor: monitors and their update notifications. */
#include <config.h>

#include "db-monitor.h"

#include <stdlib.h>
#include <string.h>

#include "db-error.h"
#include "db-txn.h"
#include "db.h"
#include "util.h"

struct monitor_table {
    struct db_table *table;
    const struct db_column **columns;
    size_t n_columns;
    bool initial, insert, delete, modify;
};

struct db_monitor {
    struct db_replica up;
    struct db *db;
    struct monitor_table *tables;
    size_t n_tables;
    db_monitor_send_func *send;
    void *aux;
};

static const struct db_replica_class monitor_class;

static struct json_object *
member(const struct json_object *object, const char *name)
{
    struct json_object *value;
    return json_object_object_get_ex(object, name, &value) ? value : NULL;
}

static struct db_error *
parse_select(const struct json_object *json, struct monitor_table *mt)
{
    mt->initial = mt->insert = mt->delete = mt->modify = true;
    if (!json) {
        return NULL;
    }
    if (!json_object_is_type(json, json_type_object)) {
        return db_syntax_error(json, "\"select\" must be an object");
    }
    json_object_object_foreach((struct json_object *) json, key, value) {
        bool *flag = (!strcmp(key, "initial") ? &mt->initial
                      : !strcmp(key, "insert") ? &mt->insert
                      : !strcmp(key, "delete") ? &mt->delete
                      : !strcmp(key, "modify") ? &mt->modify : NULL);
        if (!flag || !json_object_is_type(value, json_type_boolean)) {
            return db_syntax_error(json, "bad \"select\" member \"%s\"",
                                   key);
        }
        *flag = json_object_get_boolean(value);
    }
    return NULL;
}

static struct db_error *
parse_columns(const struct json_object *json, struct monitor_table *mt)
{
    const struct db_table_schema *ts = mt->table->schema;
    if (!json) {
        /* Every column but "_uuid" (RFC 7047 4.1.5). */
        mt->n_columns = ts->n_columns - DB_COL_VERSION;
        mt->columns = xcalloc(mt->n_columns + 1, sizeof *mt->columns);
        for (size_t i = 0; i < mt->n_columns; i++) {
            mt->columns[i] = ts->columns[i + DB_COL_VERSION];
        }
        return NULL;
    }
    if (!json_object_is_type(json, json_type_array)) {
        return db_syntax_error(json, "\"columns\" must be an array");
    }
    size_t n = json_object_array_length(json);
    mt->columns = xcalloc(n + 1, sizeof *mt->columns);
    for (size_t i = 0; i < n; i++) {
        struct json_object *name = json_object_array_get_idx(json, i);
        const struct db_column *c = NULL;
        if (json_object_is_type(name, json_type_string)) {
            c = db_table_schema_find_column(ts,
                                            json_object_get_string(name));
        }
        if (!c) {
            return db_syntax_error(name, "no such column in table %s",
                                   ts->name);
        }
        for (size_t j = 0; j < mt->n_columns; j++) {
            if (mt->columns[j] == c) {
                return db_syntax_error(name, "column listed twice");
            }
        }
        mt->columns[mt->n_columns++] = c;
    }
    return NULL;
}

static struct db_error *
parse_request(const struct json_object *json, struct monitor_table *mt)
{
    if (json_object_is_type(json, json_type_array)) {
        /* An array of requests: only one per table is supported. */
        if (json_object_array_length(json) != 1) {
            return db_error_create("not supported", "one monitor request "
                                   "per table");
        }
        json = json_object_array_get_idx(json, 0);
    }
    if (!json_object_is_type(json, json_type_object)) {
        return db_syntax_error(json, "a monitor request must be an "
                               "object");
    }
    json_object_object_foreach((struct json_object *) json, key, value) {
        (void) value;
        if (strcmp(key, "columns") && strcmp(key, "select")) {
            return db_syntax_error(json, "unknown member \"%s\" in monitor "
                                   "request", key);
        }
    }
    struct db_error *error = parse_columns(member(json, "columns"), mt);
    return error ? error : parse_select(member(json, "select"), mt);
}

static struct json_object *
row_json(const struct db_row *row, const struct monitor_table *mt,
         const bool *only_changed)
{
    struct json_object *json = json_object_new_object();
    for (size_t i = 0; i < mt->n_columns; i++) {
        const struct db_column *c = mt->columns[i];
        if (!only_changed || only_changed[c->index]) {
            json_object_object_add(json, c->name,
                                   db_datum_to_json(&row->fields[c->index],
                                                    &c->type));
        }
    }
    return json;
}

static void
add_update(struct json_object *updates, const struct monitor_table *mt,
           const struct uuid *uuid, struct json_object *old,
           struct json_object *new)
{
    const char *name = mt->table->schema->name;
    struct json_object *rows;
    char s[UUID_LEN + 1];

    if (!json_object_object_get_ex(updates, name, &rows)) {
        rows = json_object_new_object();
        json_object_object_add(updates, name, rows);
    }
    struct json_object *update = json_object_new_object();
    if (old) {
        json_object_object_add(update, "old", old);
    }
    if (new) {
        json_object_object_add(update, "new", new);
    }
    uuid_to_string(uuid, s);
    json_object_object_add(rows, s, update);
}

static struct json_object *
initial_contents(const struct db_monitor *m)
{
    struct json_object *updates = json_object_new_object();
    for (size_t t = 0; t < m->n_tables; t++) {
        const struct monitor_table *mt = &m->tables[t];
        const struct db_row *row;
        if (!mt->initial) {
            continue;
        }
        DB_TABLE_FOR_EACH_ROW (row, mt->table) {
            add_update(updates, mt, db_row_get_uuid(row), NULL,
                       row_json(row, mt, NULL));
        }
    }
    return updates;
}

static void
free_tables(struct db_monitor *m)
{
    for (size_t t = 0; t < m->n_tables; t++) {
        free(m->tables[t].columns);
    }
    free(m->tables);
}

struct db_error *
db_monitor_create(struct db *db, const struct json_object *requests,
                  db_monitor_send_func *send, void *aux,
                  struct db_monitor **monitorp,
                  struct json_object **initialp)
{
    *monitorp = NULL;
    *initialp = NULL;
    if (!json_object_is_type(requests, json_type_object)) {
        return db_syntax_error(requests, "monitor requests must be an "
                               "object");
    }

    struct db_monitor *m = xzalloc(sizeof *m);
    m->tables = xcalloc(json_object_object_length(requests) + 1,
                        sizeof *m->tables);
    json_object_object_foreach((struct json_object *) requests, name,
                               value) {
        struct monitor_table *mt = &m->tables[m->n_tables++];
        struct db_error *error = NULL;
        mt->table = db_get_table(db, name);
        if (!mt->table) {
            error = db_syntax_error(requests, "no table named \"%s\"",
                                    name);
        } else {
            error = parse_request(value, mt);
        }
        if (error) {
            free_tables(m);
            free(m);
            return error;
        }
    }
    m->up.class = &monitor_class;
    m->db = db;
    m->send = send;
    m->aux = aux;
    db_add_replica(db, &m->up);
    *initialp = initial_contents(m);
    *monitorp = m;
    return NULL;
}

void
db_monitor_destroy(struct db_monitor *m)
{
    if (m) {
        db_remove_replica(m->db, &m->up);
        free_tables(m);
        free(m);
    }
}

struct change_ctx {
    const struct db_monitor *monitor;
    struct json_object *updates;
};

static const struct monitor_table *
find_table(const struct db_monitor *m, const struct db_table *table)
{
    for (size_t t = 0; t < m->n_tables; t++) {
        if (m->tables[t].table == table) {
            return &m->tables[t];
        }
    }
    return NULL;
}

static bool
watched_change(const struct monitor_table *mt, const bool *changed)
{
    for (size_t i = 0; i < mt->n_columns; i++) {
        if (changed[mt->columns[i]->index]) {
            return true;
        }
    }
    return false;
}

static bool
collect_change(const struct db_row *old, const struct db_row *new,
               const bool *changed, void *ctx_)
{
    struct change_ctx *ctx = ctx_;
    const struct db_row *row = new ? new : old;
    const struct monitor_table *mt = find_table(ctx->monitor, row->table);

    if (!mt) {
        return true;
    }
    if (!old && mt->insert) {
        add_update(ctx->updates, mt, db_row_get_uuid(row), NULL,
                   row_json(new, mt, NULL));
    } else if (!new && mt->delete) {
        add_update(ctx->updates, mt, db_row_get_uuid(row),
                   row_json(old, mt, NULL), NULL);
    } else if (old && new && mt->modify && watched_change(mt, changed)) {
        add_update(ctx->updates, mt, db_row_get_uuid(row),
                   row_json(old, mt, changed), row_json(new, mt, NULL));
    }
    return true;
}

static struct db_error *
monitor_commit(struct db_replica *replica, const struct db_txn *txn,
               bool durable)
{
    struct db_monitor *m = CONTAINER_OF(replica, struct db_monitor, up);
    struct change_ctx ctx = {
        .monitor = m,
        .updates = json_object_new_object(),
    };
    db_txn_for_each_change(txn, collect_change, &ctx);
    if (json_object_object_length(ctx.updates)) {
        m->send(ctx.updates, m->aux);
    } else {
        json_object_put(ctx.updates);
    }
    return NULL;
}

static void
monitor_destroy_replica(struct db_replica *replica)
{
    struct db_monitor *m = CONTAINER_OF(replica, struct db_monitor, up);
    free_tables(m);
    free(m);
}

static const struct db_replica_class monitor_class = {
    .commit = monitor_commit,
    .destroy = monitor_destroy_replica,
};
