/* db-execute: the operations of a "transact" request. */
#include <config.h>

#include "db-execute.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "db-condition.h"
#include "db-data.h"
#include "db-error.h"
#include "db-mutation.h"
#include "db-txn.h"
#include "db.h"
#include "util.h"

struct exec_ctx {
    struct db *db;
    struct db_txn *txn;
    struct db_symbol_table symtab;
    const struct db_session_info *session;
    bool durable;
    long long int elapsed_msec;
    long long int retry_msec;       /* Earliest wait timeout. */
    bool blocked;                   /* A "wait" does not hold yet. */
};

typedef struct db_error *op_func(struct exec_ctx *,
                                 const struct json_object *op,
                                 struct json_object **resultp);

/* Member lookup and checks. */

static struct json_object *
member(const struct json_object *op, const char *name)
{
    struct json_object *value;
    return json_object_object_get_ex(op, name, &value) ? value : NULL;
}

/* Checks that OP has exactly the members in REQUIRED (all) and OPTIONAL
 * (any), besides "op", none of them null (member() could not tell null
 * from absent). */
static struct db_error *
check_members(const struct json_object *op, const char *const required[],
              const char *const optional[])
{
    for (size_t i = 0; required[i]; i++) {
        if (!json_object_object_get_ex(op, required[i], NULL)) {
            return db_syntax_error(op, "\"%s\" operation lacks \"%s\"",
                                   json_object_get_string(member(op, "op")),
                                   required[i]);
        }
    }
    json_object_object_foreach((struct json_object *) op, key, value) {
        bool known = !strcmp(key, "op");
        for (size_t i = 0; !known && required[i]; i++) {
            known = !strcmp(key, required[i]);
        }
        for (size_t i = 0; !known && optional && optional[i]; i++) {
            known = !strcmp(key, optional[i]);
        }
        if (!known) {
            return db_syntax_error(op, "unknown member \"%s\" in \"%s\" "
                                   "operation", key,
                                   json_object_get_string(member(op, "op")));
        }
        if (!value) {
            return db_syntax_error(op, "member \"%s\" of \"%s\" operation "
                                   "is null", key,
                                   json_object_get_string(member(op, "op")));
        }
    }
    return NULL;
}

static struct db_error *
get_table(struct exec_ctx *ctx, const struct json_object *op,
          struct db_table **tablep)
{
    struct json_object *name = member(op, "table");
    if (!json_object_is_type(name, json_type_string)) {
        return db_syntax_error(name, "\"table\" must be a table name");
    }
    *tablep = db_get_table(ctx->db, json_object_get_string(name));
    if (!*tablep) {
        return db_syntax_error(name, "no table named \"%s\"",
                               json_object_get_string(name));
    }
    return NULL;
}

static const struct db_column *
find_column(const struct db_table *table, const char *name)
{
    return db_table_schema_find_column(table->schema, name);
}

/* How parse_row_into() treats columns a client may not always set. */
enum row_use {
    ROW_INSERT,         /* Immutable columns may be set; builtins not. */
    ROW_UPDATE,         /* Neither immutable nor builtin columns. */
    ROW_MATCH           /* A "wait" row: any column, _version included. */
};

/* Parses "row" object ROW into writable DST, column by column. */
static struct db_error *
parse_row_into(struct exec_ctx *ctx, struct db_table *table,
               const struct json_object *row, enum row_use use,
               struct db_row *dst)
{
    if (!json_object_is_type(row, json_type_object)) {
        return db_syntax_error(row, "\"row\" must be an object");
    }
    json_object_object_foreach((struct json_object *) row, name, value) {
        const struct db_column *c = find_column(table, name);
        if (!c) {
            return db_syntax_error(row, "no column \"%s\" in table %s",
                                   name, table->schema->name);
        }
        if (use != ROW_MATCH
            && (c->index < DB_N_BUILTIN_COLUMNS
                || (use == ROW_UPDATE && !c->mutable))) {
            return db_error_create("constraint violation", "column %s of "
                                   "table %s cannot be %s", name,
                                   table->schema->name,
                                   use == ROW_INSERT ? "set" : "changed");
        }
        struct db_datum datum;
        struct db_error *error = db_datum_from_json(&datum, &c->type, value,
                                                    &ctx->symtab);
        if (error) {
            db_error_prefix(error, "column %s", name);
            return error;
        }
        db_datum_swap(&dst->fields[c->index], &datum);
        db_datum_destroy(&datum, &c->type);
    }
    return NULL;
}

/* The rows of TABLE that satisfy CONDITION, in an array the caller
 * frees (safe to modify the rows while walking it). */
static struct db_row **
find_rows(const struct db_table *table, const struct db_condition *cond,
          size_t *n)
{
    const struct uuid *uuid = db_condition_get_uuid(cond);
    struct db_row **rows;
    struct db_row *row;

    *n = 0;
    if (uuid) {
        rows = xmalloc(sizeof *rows);
        row = db_table_find_row(table, uuid);
        if (row && db_condition_evaluate(cond, row)) {
            rows[(*n)++] = row;
        }
        return rows;
    }
    rows = xcalloc(db_table_count_rows(table) + 1, sizeof *rows);
    DB_TABLE_FOR_EACH_ROW (row, table) {
        if (db_condition_evaluate(cond, row)) {
            rows[(*n)++] = row;
        }
    }
    return rows;
}

static struct db_error *
parse_where(struct exec_ctx *ctx, const struct db_table *table,
            const struct json_object *op, struct db_condition *cond)
{
    return db_condition_from_json(table->schema, member(op, "where"),
                                  &ctx->symtab, cond);
}

static struct json_object *
count_result(size_t n)
{
    struct json_object *result = json_object_new_object();
    json_object_object_add(result, "count", json_object_new_int64(n));
    return result;
}

/* The operations. */

static struct db_error *
op_insert(struct exec_ctx *ctx, const struct json_object *op,
          struct json_object **resultp)
{
    static const char *const required[] = { "table", "row", NULL };
    static const char *const optional[] = { "uuid-name", NULL };
    struct db_table *table;
    struct db_error *error;
    struct uuid uuid;

    if ((error = check_members(op, required, optional))
        || (error = get_table(ctx, op, &table))) {
        return error;
    }
    struct json_object *name = member(op, "uuid-name");
    if (name) {
        const char *s = json_object_get_string(name);
        if (!json_object_is_type(name, json_type_string) || !*s) {
            return db_syntax_error(name, "\"uuid-name\" must be a name");
        }
        struct db_symbol *symbol = db_symbol_table_insert(&ctx->symtab, s);
        if (symbol->created) {
            return db_error_create("duplicate uuid-name", "\"%s\" names "
                                   "two inserted rows", s);
        }
        symbol->created = true;
        uuid = symbol->uuid;
    } else {
        uuid_generate(&uuid);
    }
    if (db_table_find_row(table, &uuid)) {
        return db_error_create("duplicate uuid", "table %s already has a "
                               "row "UUID_FMT, table->schema->name,
                               UUID_ARGS(&uuid));
    }

    struct db_row *row = db_txn_row_insert(ctx->txn, table, &uuid);
    error = parse_row_into(ctx, table, member(op, "row"), ROW_INSERT, row);
    if (error) {
        return error;       /* The transaction is aborted as a whole. */
    }
    struct json_object *result = json_object_new_object();
    json_object_object_add(result, "uuid",
                           db_atom_to_json(&row->fields[DB_COL_UUID]
                                           .keys[0], DB_TYPE_UUID));
    *resultp = result;
    return NULL;
}

static struct db_error *
parse_columns(const struct db_table *table, const struct json_object *json,
              const struct db_column ***columnsp, size_t *n)
{
    const struct db_table_schema *ts = table->schema;
    if (!json) {
        *columnsp = xcalloc(ts->n_columns, sizeof **columnsp);
        for (size_t i = 0; i < ts->n_columns; i++) {
            (*columnsp)[i] = ts->columns[i];
        }
        *n = ts->n_columns;
        return NULL;
    }
    if (!json_object_is_type(json, json_type_array)) {
        return db_syntax_error(json, "\"columns\" must be an array");
    }
    *n = json_object_array_length(json);
    *columnsp = xcalloc(*n + 1, sizeof **columnsp);
    for (size_t i = 0; i < *n; i++) {
        struct json_object *name = json_object_array_get_idx(json, i);
        const struct db_column *c = NULL;
        if (json_object_is_type(name, json_type_string)) {
            c = find_column(table, json_object_get_string(name));
        }
        if (!c) {
            free(*columnsp);
            *columnsp = NULL;
            return db_syntax_error(name, "no such column in table %s",
                                   ts->name);
        }
        (*columnsp)[i] = c;
    }
    return NULL;
}

static struct db_error *
op_select(struct exec_ctx *ctx, const struct json_object *op,
          struct json_object **resultp)
{
    static const char *const required[] = { "table", "where", NULL };
    static const char *const optional[] = { "columns", NULL };
    struct db_condition cond = DB_CONDITION_INITIALIZER;
    const struct db_column **columns = NULL;
    struct db_table *table;
    struct db_error *error;
    size_t n_columns;

    if ((error = check_members(op, required, optional))
        || (error = get_table(ctx, op, &table))
        || (error = parse_where(ctx, table, op, &cond))
        || (error = parse_columns(table, member(op, "columns"), &columns,
                                  &n_columns))) {
        db_condition_destroy(&cond);
        return error;
    }
    size_t n;
    struct db_row **rows = find_rows(table, &cond, &n);
    struct json_object *array = json_object_new_array();
    for (size_t i = 0; i < n; i++) {
        json_object_array_add(array, db_row_to_json(rows[i], columns,
                                                    n_columns));
    }
    *resultp = json_object_new_object();
    json_object_object_add(*resultp, "rows", array);
    free(rows);
    free(columns);
    db_condition_destroy(&cond);
    return NULL;
}

static struct db_error *
op_update(struct exec_ctx *ctx, const struct json_object *op,
          struct json_object **resultp)
{
    static const char *const required[] = { "table", "where", "row", NULL };
    struct db_condition cond = DB_CONDITION_INITIALIZER;
    struct db_table *table;
    struct db_error *error;

    if ((error = check_members(op, required, NULL))
        || (error = get_table(ctx, op, &table))
        || (error = parse_where(ctx, table, op, &cond))) {
        db_condition_destroy(&cond);
        return error;
    }
    /* Parse the new values once, into a scratch row. */
    struct db_row *values = db_row_create(table);
    error = parse_row_into(ctx, table, member(op, "row"), ROW_UPDATE,
                           values);
    size_t n = 0;
    struct db_row **rows = error ? NULL : find_rows(table, &cond, &n);
    for (size_t i = 0; i < n; i++) {
        struct db_row *row = db_txn_row_modify(ctx->txn, rows[i]);
        json_object_object_foreach((struct json_object *)
                                   member(op, "row"), name, value) {
            const struct db_column *c = find_column(table, name);
            (void) value;
            db_datum_destroy(&row->fields[c->index], &c->type);
            db_datum_clone(&row->fields[c->index],
                           &values->fields[c->index], &c->type);
        }
    }
    if (!error) {
        *resultp = count_result(n);
    }
    free(rows);
    db_row_destroy(values);
    db_condition_destroy(&cond);
    return error;
}

static struct db_error *
op_mutate(struct exec_ctx *ctx, const struct json_object *op,
          struct json_object **resultp)
{
    static const char *const required[] = {
        "table", "where", "mutations", NULL
    };
    struct db_condition cond = DB_CONDITION_INITIALIZER;
    struct db_mutation_set mutations = DB_MUTATION_SET_INITIALIZER;
    struct db_table *table;
    struct db_error *error;

    if ((error = check_members(op, required, NULL))
        || (error = get_table(ctx, op, &table))
        || (error = parse_where(ctx, table, op, &cond))
        || (error = db_mutation_set_from_json(table->schema,
                                              member(op, "mutations"),
                                              &ctx->symtab, &mutations))) {
        goto out;
    }
    size_t n;
    struct db_row **rows = find_rows(table, &cond, &n);
    for (size_t i = 0; i < n && !error; i++) {
        struct db_row *row = db_txn_row_modify(ctx->txn, rows[i]);
        error = db_mutation_set_execute(&mutations, row);
    }
    if (!error) {
        *resultp = count_result(n);
    }
    free(rows);
out:
    db_mutation_set_destroy(&mutations);
    db_condition_destroy(&cond);
    return error;
}

static struct db_error *
op_delete(struct exec_ctx *ctx, const struct json_object *op,
          struct json_object **resultp)
{
    static const char *const required[] = { "table", "where", NULL };
    struct db_condition cond = DB_CONDITION_INITIALIZER;
    struct db_table *table;
    struct db_error *error;

    if ((error = check_members(op, required, NULL))
        || (error = get_table(ctx, op, &table))
        || (error = parse_where(ctx, table, op, &cond))) {
        db_condition_destroy(&cond);
        return error;
    }
    size_t n;
    struct db_row **rows = find_rows(table, &cond, &n);
    for (size_t i = 0; i < n; i++) {
        db_txn_row_delete(ctx->txn, rows[i]);
    }
    *resultp = count_result(n);
    free(rows);
    db_condition_destroy(&cond);
    return NULL;
}

/* True if ROW's COLUMNS equal those of some row in OTHERS. */
static bool
row_in(const struct db_row *row, struct db_row **others, size_t n,
       const struct db_column **columns, size_t n_columns)
{
    for (size_t i = 0; i < n; i++) {
        size_t c;
        for (c = 0; c < n_columns; c++) {
            unsigned int idx = columns[c]->index;
            if (!db_datum_equals(&row->fields[idx], &others[i]->fields[idx],
                                 &columns[c]->type)) {
                break;
            }
        }
        if (c == n_columns) {
            return true;
        }
    }
    return false;
}

/* Parses the "rows" of a wait into scratch rows of TABLE. */
static struct db_error *
parse_wait_rows(struct exec_ctx *ctx, struct db_table *table,
                const struct json_object *json, struct db_row ***rowsp,
                size_t *n)
{
    if (!json_object_is_type(json, json_type_array)) {
        return db_syntax_error(json, "\"rows\" must be an array");
    }
    *n = json_object_array_length(json);
    *rowsp = xcalloc(*n + 1, sizeof **rowsp);
    for (size_t i = 0; i < *n; i++) {
        (*rowsp)[i] = db_row_create(table);
        struct db_error *error = parse_row_into(
            ctx, table, json_object_array_get_idx(json, i), ROW_MATCH,
            (*rowsp)[i]);
        if (error) {
            return error;
        }
    }
    return NULL;
}

static struct db_error *
parse_until(const struct json_object *json, bool *equal)
{
    const char *s = json_object_get_string((struct json_object *) json);
    if (!json_object_is_type(json, json_type_string)
        || (strcmp(s, "==") && strcmp(s, "!="))) {
        return db_syntax_error(json, "\"until\" must be \"==\" or \"!=\"");
    }
    *equal = !strcmp(s, "==");
    return NULL;
}

static struct db_error *
parse_timeout(const struct json_object *json, long long int *timeout)
{
    *timeout = LLONG_MAX;
    if (json) {
        if (!json_object_is_type(json, json_type_int)
            || json_object_get_int64(json) < 0) {
            return db_syntax_error(json, "\"timeout\" must be a "
                                   "nonnegative integer");
        }
        *timeout = json_object_get_int64(json);
    }
    return NULL;
}

/* Whether the rows matching the wait's condition, projected onto its
 * columns, are exactly WANT as sets. */
static bool
wait_rows_equal(struct db_row **have, size_t n_have, struct db_row **want,
                size_t n_want, const struct db_column **columns,
                size_t n_columns)
{
    for (size_t i = 0; i < n_have; i++) {
        if (!row_in(have[i], want, n_want, columns, n_columns)) {
            return false;
        }
    }
    for (size_t i = 0; i < n_want; i++) {
        if (!row_in(want[i], have, n_have, columns, n_columns)) {
            return false;
        }
    }
    return true;
}

static struct db_error *
op_wait(struct exec_ctx *ctx, const struct json_object *op,
        struct json_object **resultp)
{
    /* Without "columns", every column counts (as clients such as
     * ovs-vsctl expect when they wait for a table to be empty). */
    static const char *const required[] = {
        "table", "where", "until", "rows", NULL
    };
    static const char *const optional[] = { "columns", "timeout", NULL };
    struct db_condition cond = DB_CONDITION_INITIALIZER;
    const struct db_column **columns = NULL;
    struct db_row **want = NULL, **have = NULL;
    size_t n_columns = 0, n_want = 0, n_have = 0;
    long long int timeout;
    struct db_table *table;
    struct db_error *error;
    bool equal = true;

    if ((error = check_members(op, required, optional))
        || (error = get_table(ctx, op, &table))
        || (error = parse_where(ctx, table, op, &cond))
        || (error = parse_columns(table, member(op, "columns"), &columns,
                                  &n_columns))
        || (error = parse_until(member(op, "until"), &equal))
        || (error = parse_timeout(member(op, "timeout"), &timeout))
        || (error = parse_wait_rows(ctx, table, member(op, "rows"), &want,
                                    &n_want))) {
        goto out;
    }
    have = find_rows(table, &cond, &n_have);
    if (wait_rows_equal(have, n_have, want, n_want, columns, n_columns)
        == equal) {
        *resultp = json_object_new_object();
    } else if (ctx->elapsed_msec >= timeout) {
        error = db_error_create("timed out", "\"wait\" condition on table "
                                "%s did not hold within %lld ms",
                                table->schema->name, timeout);
    } else {
        ctx->blocked = true;
        ctx->retry_msec = MIN(ctx->retry_msec,
                              timeout == LLONG_MAX
                              ? LLONG_MAX : timeout - ctx->elapsed_msec);
        *resultp = json_object_new_object();
    }

out:
    for (size_t i = 0; want && i < n_want; i++) {
        db_row_destroy(want[i]);
    }
    free(want);
    free(have);
    free(columns);
    db_condition_destroy(&cond);
    return error;
}

static struct db_error *
op_commit(struct exec_ctx *ctx, const struct json_object *op,
          struct json_object **resultp)
{
    static const char *const required[] = { "durable", NULL };
    struct db_error *error = check_members(op, required, NULL);
    struct json_object *durable = member(op, "durable");
    if (error) {
        return error;
    }
    if (!json_object_is_type(durable, json_type_boolean)) {
        return db_syntax_error(durable, "\"durable\" must be true or "
                               "false");
    }
    ctx->durable = ctx->durable || json_object_get_boolean(durable);
    *resultp = json_object_new_object();
    return NULL;
}

static struct db_error *
op_abort(struct exec_ctx *ctx, const struct json_object *op,
         struct json_object **resultp)
{
    static const char *const none[] = { NULL };
    struct db_error *error = check_members(op, none, NULL);
    return error ? error : db_error_create("aborted", "aborted by request");
}

static struct db_error *
op_comment(struct exec_ctx *ctx, const struct json_object *op,
           struct json_object **resultp)
{
    static const char *const required[] = { "comment", NULL };
    struct db_error *error = check_members(op, required, NULL);
    struct json_object *comment = member(op, "comment");
    if (error) {
        return error;
    }
    if (!json_object_is_type(comment, json_type_string)) {
        return db_syntax_error(comment, "\"comment\" must be a string");
    }
    db_txn_add_comment(ctx->txn, json_object_get_string(comment));
    *resultp = json_object_new_object();
    return NULL;
}

static struct db_error *
op_assert(struct exec_ctx *ctx, const struct json_object *op,
          struct json_object **resultp)
{
    static const char *const required[] = { "lock", NULL };
    struct db_error *error = check_members(op, required, NULL);
    struct json_object *lock = member(op, "lock");
    if (error) {
        return error;
    }
    if (!json_object_is_type(lock, json_type_string)) {
        return db_syntax_error(lock, "\"lock\" must be a lock name");
    }
    const char *name = json_object_get_string(lock);
    const struct db_session_info *s = ctx->session;
    if (!s || !s->has_lock || !s->has_lock(name, s->aux)) {
        return db_error_create("not owner", "this client does not hold "
                               "lock \"%s\"", name);
    }
    *resultp = json_object_new_object();
    return NULL;
}

static op_func *
find_op(const char *name)
{
    static const struct {
        const char *name;
        op_func *func;
    } ops[] = {
        { "insert", op_insert },
        { "select", op_select },
        { "update", op_update },
        { "mutate", op_mutate },
        { "delete", op_delete },
        { "wait", op_wait },
        { "commit", op_commit },
        { "abort", op_abort },
        { "comment", op_comment },
        { "assert", op_assert },
    };
    for (size_t i = 0; i < ARRAY_SIZE(ops); i++) {
        if (!strcmp(ops[i].name, name)) {
            return ops[i].func;
        }
    }
    return NULL;
}

static struct db_error *
execute_op(struct exec_ctx *ctx, const struct json_object *op,
           struct json_object **resultp)
{
    struct json_object *name = member(op, "op");
    op_func *func;

    *resultp = NULL;
    if (!json_object_is_type(op, json_type_object)) {
        return db_syntax_error(op, "an operation must be an object");
    }
    if (!json_object_is_type(name, json_type_string)) {
        return db_syntax_error(op, "an operation needs an \"op\" name");
    }
    func = find_op(json_object_get_string(name));
    if (!func) {
        return db_syntax_error(name, "unknown operation \"%s\"",
                               json_object_get_string(name));
    }
    return func(ctx, op, resultp);
}

/* A named uuid used but defined by no insert is an error. */
static struct db_error *
check_symbols(const struct exec_ctx *ctx)
{
    struct db_symbol *symbol;
    HMAP_FOR_EACH (symbol, node, &ctx->symtab.symbols) {
        if (!symbol->created) {
            return db_error_create("syntax error", "named-uuid \"%s\" is "
                                   "not the uuid-name of any insert",
                                   symbol->name);
        }
    }
    return NULL;
}

static void
add_error(struct json_object *results, struct db_error *error)
{
    json_object_array_add(results, db_error_to_json(error));
    db_error_destroy(error);
}

struct json_object *
db_execute(struct db *db, const struct db_session_info *session,
           const struct json_object *ops, long long int elapsed_msec,
           long long int *retry_msec)
{
    struct exec_ctx ctx = {
        .db = db,
        .session = session,
        .elapsed_msec = elapsed_msec,
        .retry_msec = LLONG_MAX,
    };
    struct json_object *results = json_object_new_array();
    struct db_error *error = NULL;
    size_t n = json_object_array_length(ops), i;

    db_symbol_table_init(&ctx.symtab);
    ctx.txn = db_txn_create(db);
    for (i = 0; i < n && !error; i++) {
        struct json_object *result;
        error = execute_op(&ctx, json_object_array_get_idx(ops, i),
                           &result);
        if (error) {
            add_error(results, error);
        } else {
            json_object_array_add(results, result);
        }
    }
    if (ctx.blocked) {
        db_txn_abort(ctx.txn);
        db_symbol_table_destroy(&ctx.symtab);
        json_object_put(results);
        *retry_msec = ctx.retry_msec;
        return NULL;
    }
    if (error) {
        for (; i < n; i++) {
            json_object_array_add(results, NULL);
        }
        db_txn_abort(ctx.txn);
    } else if ((error = check_symbols(&ctx))) {
        db_txn_abort(ctx.txn);
        add_error(results, error);
    } else if ((error = db_txn_commit(ctx.txn, ctx.durable))) {
        add_error(results, error);
    }
    db_symbol_table_destroy(&ctx.symtab);
    return results;
}
