/* vsctl-commit: turns the commands' changes to the private copy into
 * RFC 7047 operations, commits them, and waits for skiff-vswitchd. */
#include <config.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db-idl.h"
#include "poll-loop.h"
#include "timeval.h"
#include "vlog.h"
#include "vsctl.h"

VLOG_DEFINE_THIS_MODULE(vsctl_commit);

/* A row the chain inserts: its placeholder uuid, its uuid-name, and the
 * index of its insert among the operations. */
struct inserted {
    struct hmap_node node;      /* In struct ops's 'by_uuid'. */
    struct uuid uuid;
    char name[40];
    size_t op_index;
};

struct ops {
    struct json_object *array;
    struct inserted *inserted;
    size_t n_inserted;
    struct hmap by_uuid;        /* Of 'inserted', by uuid. */
};

static const struct inserted *
find_inserted(const struct ops *ops, const char *uuid_s)
{
    struct uuid uuid;
    const struct inserted *ins;
    if (!uuid_from_string(&uuid, uuid_s)) {
        return NULL;
    }
    HMAP_FOR_EACH_WITH_HASH (ins, node, uuid_hash(&uuid), &ops->by_uuid) {
        if (uuid_equals(&ins->uuid, &uuid)) {
            return ins;
        }
    }
    return NULL;
}

/* Rewrites ["uuid", U] for rows the chain inserts as ["named-uuid", N]. */
static void
name_inserted_uuids(const struct ops *ops, struct json_object *json)
{
    if (json_object_is_type(json, json_type_array)) {
        size_t n = json_object_array_length(json);
        struct json_object *tag = json_object_array_get_idx(json, 0);
        struct json_object *value = json_object_array_get_idx(json, 1);
        const struct inserted *ins = NULL;
        if (n == 2 && json_object_is_type(tag, json_type_string)
            && !strcmp(json_object_get_string(tag), "uuid")
            && json_object_is_type(value, json_type_string)) {
            ins = find_inserted(ops, json_object_get_string(value));
        }
        if (ins) {
            json_object_array_put_idx(json, 0,
                                      json_object_new_string("named-uuid"));
            json_object_array_put_idx(json, 1,
                                      json_object_new_string(ins->name));
            return;
        }
        for (size_t i = 0; i < n; i++) {
            name_inserted_uuids(ops, json_object_array_get_idx(json, i));
        }
    } else if (json_object_is_type(json, json_type_object)) {
        json_object_object_foreach(json, key, value) {
            (void) key;
            name_inserted_uuids(ops, value);
        }
    }
}

static struct json_object *
uuid_json(const struct uuid *uuid)
{
    union db_atom atom = { .uuid = *uuid };
    return db_atom_to_json(&atom, DB_TYPE_UUID);
}

/* [["_uuid", "==", ["uuid", U]]] */
static struct json_object *
where_uuid(const struct db_row *row)
{
    struct json_object *clause = json_object_new_array();
    json_object_array_add(clause, json_object_new_string("_uuid"));
    json_object_array_add(clause, json_object_new_string("=="));
    json_object_array_add(clause, uuid_json(db_row_get_uuid(row)));
    struct json_object *where = json_object_new_array();
    json_object_array_add(where, clause);
    return where;
}

static struct json_object *
new_op(const char *name, const struct db_row *row)
{
    struct json_object *op = json_object_new_object();
    json_object_object_add(op, "op", json_object_new_string(name));
    json_object_object_add(op, "table", json_object_new_string(
                               row->table->schema->name));
    return op;
}

/* A wait that OLD's row still has OLD's _version. */
static struct json_object *
verify_op(const struct db_row *old)
{
    struct json_object *op = new_op("wait", old);
    struct json_object *columns = json_object_new_array();
    struct json_object *row = json_object_new_object();
    struct json_object *rows = json_object_new_array();

    json_object_object_add(op, "where", where_uuid(old));
    json_object_array_add(columns, json_object_new_string("_version"));
    json_object_object_add(op, "columns", columns);
    json_object_object_add(op, "until", json_object_new_string("=="));
    json_object_object_add(row, "_version",
                           uuid_json(db_row_get_version(old)));
    json_object_array_add(rows, row);
    json_object_object_add(op, "rows", rows);
    json_object_object_add(op, "timeout", json_object_new_int(0));
    return op;
}

/* The user columns of NEW that differ from OLD (all non-default ones if
 * OLD is NULL), as a row object. */
static struct json_object *
changed_columns(const struct db_row *old, const struct db_row *new)
{
    const struct db_table_schema *ts = new->table->schema;
    struct json_object *row = json_object_new_object();
    for (size_t c = DB_N_BUILTIN_COLUMNS; c < ts->n_columns; c++) {
        const struct db_type *type = &ts->columns[c]->type;
        if (old ? db_datum_equals(&old->fields[c], &new->fields[c], type)
                : db_datum_is_default(&new->fields[c], type)) {
            continue;
        }
        json_object_object_add(row, ts->columns[c]->name,
                               db_datum_to_json(&new->fields[c], type));
    }
    return row;
}

static void
add_op(struct ops *ops, struct json_object *op)
{
    json_object_array_add(ops->array, op);
}

static void
add_insert(struct ops *ops, const struct db_row *new)
{
    struct inserted *ins = &ops->inserted[ops->n_inserted++];
    struct json_object *op = new_op("insert", new);
    ins->uuid = *db_row_get_uuid(new);
    hmap_insert(&ops->by_uuid, &ins->node, uuid_hash(&ins->uuid));
    snprintf(ins->name, sizeof ins->name, "row%08x%08x%08x%08x",
             ins->uuid.parts[0], ins->uuid.parts[1], ins->uuid.parts[2],
             ins->uuid.parts[3]);
    ins->op_index = json_object_array_length(ops->array);
    json_object_object_add(op, "uuid-name",
                           json_object_new_string(ins->name));
    json_object_object_add(op, "row", changed_columns(NULL, new));
    add_op(ops, op);
}

static void
add_change(struct ops *ops, const struct db_txn_row *tr)
{
    if (!tr->old) {
        add_insert(ops, tr->new);
        return;
    }
    if (tr->new) {
        struct json_object *row = changed_columns(tr->old, tr->new);
        if (!json_object_object_length(row)) {
            json_object_put(row);       /* Read, not changed. */
            return;
        }
        add_op(ops, verify_op(tr->old));
        struct json_object *op = new_op("update", tr->old);
        json_object_object_add(op, "where", where_uuid(tr->old));
        json_object_object_add(op, "row", row);
        add_op(ops, op);
    } else {
        add_op(ops, verify_op(tr->old));
        struct json_object *op = new_op("delete", tr->old);
        json_object_object_add(op, "where", where_uuid(tr->old));
        add_op(ops, op);
    }
}

/* Builds the operations for CTX's changes (inserts first, so that the
 * server knows every named row before it is referred to). */
static void
build_ops(struct vsctl_ctx *ctx, struct ops *ops)
{
    const struct db_txn_row *tr;
    ops->array = json_object_new_array();
    ops->inserted = xcalloc(hmap_count(&ctx->txn->rows) + 1,
                            sizeof *ops->inserted);
    ops->n_inserted = 0;
    hmap_init(&ops->by_uuid);
    HMAP_FOR_EACH (tr, node, &ctx->txn->rows) {
        if (!tr->old && tr->new) {
            add_change(ops, tr);
        }
    }
    HMAP_FOR_EACH (tr, node, &ctx->txn->rows) {
        if (tr->old) {
            add_change(ops, tr);
        }
    }
    name_inserted_uuids(ops, ops->array);
}

static bool
needs_cfg_wait(const struct vsctl_ctx *ctx,
               const struct vsctl_command *cmds, size_t n)
{
    if (ctx->options->no_wait) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (!cmds[i].syntax->read_only) {
            return true;
        }
    }
    return false;
}

/* Asks skiff-vswitchd to reconfigure: next_cfg += 1, then reads it. */
static void
add_cfg_bump(struct ops *ops)
{
    add_op(ops, json_tokener_parse(
               "{\"op\":\"mutate\",\"table\":\"Open_vSwitch\",\"where\":[],"
               "\"mutations\":[[\"next_cfg\",\"+=\",1]]}"));
    add_op(ops, json_tokener_parse(
               "{\"op\":\"select\",\"table\":\"Open_vSwitch\",\"where\":[],"
               "\"columns\":[\"next_cfg\"]}"));
}

/* Replaces each inserted row's placeholder uuid in the outputs by the
 * uuid the server gave it. */
static void
fix_outputs(const struct ops *ops, const struct json_object *result,
            struct vsctl_command *cmds, size_t n)
{
    for (size_t i = 0; i < ops->n_inserted; i++) {
        const struct inserted *ins = &ops->inserted[i];
        struct json_object *r = json_object_array_get_idx(
            (struct json_object *) result, ins->op_index);
        struct json_object *uuid = json_object_object_get(r, "uuid");
        const char *real = json_object_get_string(
            json_object_array_get_idx(uuid, 1));
        char placeholder[UUID_LEN + 1];
        uuid_to_string(&ins->uuid, placeholder);
        for (size_t c = 0; real && c < n; c++) {
            char *p;
            if (!cmds[c].output.length) {
                continue;
            }
            while ((p = strstr(ds_cstr(&cmds[c].output), placeholder))) {
                memcpy(p, real, UUID_LEN);
            }
        }
    }
}

static int
remaining_ms(long long int deadline)
{
    if (deadline == LLONG_MAX) {
        return -1;
    }
    long long int left = deadline - time_msec();
    return left <= 0 ? 0 : left > INT_MAX ? INT_MAX : (int) left;
}

static long long int
current_cur_cfg(struct db_idl *idl)
{
    const struct db *db = db_idl_get_db(idl);
    const struct db_table *table = db ? db_get_table(db, "Open_vSwitch")
                                      : NULL;
    const struct db_row *row;
    if (table) {
        DB_TABLE_FOR_EACH_ROW (row, table) {
            const struct db_column *c = db_table_schema_find_column(
                table->schema, "cur_cfg");
            return c && row->fields[c->index].n
                   ? row->fields[c->index].keys[0].integer : 0;
        }
    }
    return 0;
}

/* Waits until skiff-vswitchd reports in cur_cfg that it has applied
 * NEXT_CFG. */
static int
wait_for_cfg(struct db_idl *idl, long long int next_cfg,
             long long int deadline)
{
    while (current_cur_cfg(idl) < next_cfg) {
        if (time_msec() >= deadline) {
            skiff_error(0, "timed out waiting for skiff-vswitchd to apply "
                        "the change (is it running? --no-wait skips this)");
            return 1;
        }
        db_idl_run(idl);
        db_idl_wait(idl);
        if (deadline != LLONG_MAX) {
            poll_timer_wait_until(deadline);
        }
        poll_block();
    }
    return 0;
}

static long long int
selected_next_cfg(const struct json_object *result, size_t index)
{
    struct json_object *r = json_object_array_get_idx(
        (struct json_object *) result, index);
    struct json_object *rows = json_object_object_get(r, "rows");
    struct json_object *row = json_object_array_get_idx(rows, 0);
    return json_object_get_int64(json_object_object_get(row, "next_cfg"));
}

/* True if ERROR (a transaction's error text) is a failed _version wait:
 * the waits are the chain's only operations with a zero timeout. */
static bool
is_conflict(const char *error)
{
    return error && str_starts_with(error, "timed out");
}

int
vsctl_commit(struct db_idl *idl, struct vsctl_ctx *ctx,
             struct vsctl_command *cmds, size_t n, long long int deadline,
             bool *try_again)
{
    struct ops ops;
    int status = 0;

    *try_again = false;
    build_ops(ctx, &ops);
    bool wait_cfg = (json_object_array_length(ops.array)
                     && needs_cfg_wait(ctx, cmds, n));
    if (wait_cfg) {
        add_cfg_bump(&ops);
    }

    struct db_idl_txn *txn = db_idl_txn_create(idl);
    size_t n_ops = json_object_array_length(ops.array);
    for (size_t i = 0; i < n_ops; i++) {
        db_idl_txn_add_op(txn, json_object_get(
                              json_object_array_get_idx(ops.array, i)));
    }
    enum db_idl_txn_status s = db_idl_txn_commit_block(
        txn, remaining_ms(deadline));
    switch (s) {
    case DB_IDL_TXN_SUCCESS:
        fix_outputs(&ops, db_idl_txn_get_result(txn), cmds, n);
        if (wait_cfg) {
            status = wait_for_cfg(idl, selected_next_cfg(
                                      db_idl_txn_get_result(txn), n_ops - 1),
                                  deadline);
        }
        break;
    case DB_IDL_TXN_UNCHANGED:
    case DB_IDL_TXN_UNCOMMITTED:
        break;
    case DB_IDL_TXN_TRY_AGAIN:
    case DB_IDL_TXN_NOT_CONNECTED:
        *try_again = time_msec() < deadline;
        if (!*try_again) {
            skiff_error(0, "timed out");
            status = 1;
        }
        break;
    case DB_IDL_TXN_INCOMPLETE:
        skiff_error(0, "timed out waiting for the database to answer");
        status = 1;
        break;
    case DB_IDL_TXN_ERROR:
        if (is_conflict(db_idl_txn_get_error(txn))) {
            /* One of our _version waits failed: another client changed a
             * row we read.  Run the chain again on the new contents. */
            *try_again = time_msec() < deadline;
            if (*try_again) {
                break;
            }
        }
        /* Fall through. */
    default:
        skiff_error(0, "transaction error: %s",
                    db_idl_txn_get_error(txn) ? db_idl_txn_get_error(txn)
                                              : "unknown");
        status = 1;
        break;
    }
    db_idl_txn_destroy(txn);
    json_object_put(ops.array);
    hmap_destroy(&ops.by_uuid);
    free(ops.inserted);
    return status;
}
