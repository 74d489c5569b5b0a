/* vsctl-core: skiff-vsctl's command registry and the helpers that let
 * commands read and change the private copy of the database. */
#include <config.h>

#include "vsctl.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "db-error.h"
#include "hash.h"

#define MAX_COMMANDS 128

static const struct vsctl_command_syntax *commands[MAX_COMMANDS];
static size_t n_commands;

void
vsctl_register_commands(const struct vsctl_command_syntax *syntaxes)
{
    for (; syntaxes->name; syntaxes++) {
        if (n_commands >= MAX_COMMANDS) {
            abort();
        }
        commands[n_commands++] = syntaxes;
    }
}

const struct vsctl_command_syntax *
vsctl_find_command(const char *name)
{
    for (size_t i = 0; i < n_commands; i++) {
        if (!strcmp(commands[i]->name, name)) {
            return commands[i];
        }
    }
    return NULL;
}

void
vsctl_put_usage(struct ds *out)
{
    for (size_t i = 0; i < n_commands; i++) {
        ds_put_format(out, "  %s %s\n", commands[i]->name,
                      commands[i]->arguments);
    }
}

int
vsctl_error(struct vsctl_ctx *ctx, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    free(ctx->error);
    ctx->error = xvasprintf(format, args);
    va_end(args);
    return 1;
}

int
vsctl_wait(struct vsctl_ctx *ctx, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    free(ctx->error);
    ctx->error = xvasprintf(format, args);
    va_end(args);
    return VSCTL_WAIT;
}

int
vsctl_db_error(struct vsctl_ctx *ctx, struct db_error *error)
{
    vsctl_error(ctx, "%s", error->details ? error->details : error->tag);
    db_error_destroy(error);
    return 1;
}

struct db_table *
vsctl_table(struct vsctl_ctx *ctx, const char *name)
{
    return db_get_table(ctx->db, name);
}

const struct db_column *
vsctl_column(const struct db_row *row, const char *name)
{
    return db_table_schema_find_column(row->table->schema, name);
}

const struct db_datum *
vsctl_get(const struct db_row *row, const char *column)
{
    const struct db_column *c = vsctl_column(row, column);
    if (!c) {
        abort();                /* A command named a column wrongly. */
    }
    return &row->fields[c->index];
}

const char *
vsctl_get_string(const struct db_row *row, const char *column)
{
    const struct db_datum *d = vsctl_get(row, column);
    return d->n ? d->keys[0].string : "";
}

const struct db_row *
vsctl_find_by_string(struct vsctl_ctx *ctx, const char *table_name,
                     const char *column, const char *value)
{
    struct db_table *table = vsctl_table(ctx, table_name);
    const struct db_row *row;
    if (!table) {
        return NULL;
    }
    DB_TABLE_FOR_EACH_ROW (row, table) {
        const struct db_datum *d = vsctl_get(row, column);
        if (d->n == 1 && !strcmp(d->keys[0].string, value)) {
            return row;
        }
    }
    return NULL;
}

struct db_row *
vsctl_modify(struct vsctl_ctx *ctx, const struct db_row *row)
{
    return db_txn_row_modify(ctx->txn, row);
}

struct db_row *
vsctl_insert(struct vsctl_ctx *ctx, const char *table_name)
{
    struct uuid uuid;
    uuid_generate(&uuid);
    return db_txn_row_insert(ctx->txn, vsctl_table(ctx, table_name), &uuid);
}

void
vsctl_delete(struct vsctl_ctx *ctx, const struct db_row *row)
{
    db_txn_row_delete(ctx->txn, row);
}

struct db_row *
vsctl_root(struct vsctl_ctx *ctx)
{
    struct db_table *table = vsctl_table(ctx, "Open_vSwitch");
    struct db_row *row;
    DB_TABLE_FOR_EACH_ROW (row, table) {
        return row;
    }
    return vsctl_insert(ctx, "Open_vSwitch");
}

void
vsctl_set(struct db_row *row, const char *column, struct db_datum *datum)
{
    const struct db_column *c = vsctl_column(row, column);
    db_datum_destroy(&row->fields[c->index], &c->type);
    row->fields[c->index] = *datum;
    db_datum_init_empty(datum);
}

void
vsctl_set_string(struct db_row *row, const char *column, const char *s)
{
    const struct db_column *c = vsctl_column(row, column);
    union db_atom atom = { .string = (char *) s };
    struct db_datum datum;
    db_datum_init_single(&datum, &c->type, &atom, NULL);
    vsctl_set(row, column, &datum);
}

/* A one-uuid set of COLUMN's type. */
static void
uuid_datum(const struct db_column *c, const struct uuid *uuid,
           struct db_datum *datum)
{
    union db_atom atom = { .uuid = *uuid };
    db_datum_init_single(datum, &c->type, &atom, NULL);
}

void
vsctl_add_uuid(struct db_row *row, const char *column,
               const struct uuid *uuid)
{
    const struct db_column *c = vsctl_column(row, column);
    struct db_datum one;
    uuid_datum(c, uuid, &one);
    db_datum_union(&row->fields[c->index], &one, &c->type);
    db_datum_destroy(&one, &c->type);
}

void
vsctl_remove_uuid(struct db_row *row, const char *column,
                  const struct uuid *uuid)
{
    const struct db_column *c = vsctl_column(row, column);
    struct db_datum one;
    uuid_datum(c, uuid, &one);
    db_datum_subtract(&row->fields[c->index], &c->type, &one, &c->type);
    db_datum_destroy(&one, &c->type);
}

struct vsctl_symbol *
vsctl_symbol_find(struct vsctl_ctx *ctx, const char *name)
{
    struct vsctl_symbol *symbol;
    HMAP_FOR_EACH_WITH_HASH (symbol, node, hash_string(name, 0),
                             &ctx->symbols) {
        if (!strcmp(symbol->name, name)) {
            return symbol;
        }
    }
    return NULL;
}

struct vsctl_symbol *
vsctl_symbol_create(struct vsctl_ctx *ctx, const char *name)
{
    struct vsctl_symbol *symbol = vsctl_symbol_find(ctx, name);
    if (!symbol) {
        symbol = xzalloc(sizeof *symbol);
        symbol->name = xstrdup(name);
        uuid_generate(&symbol->uuid);
        hmap_insert(&ctx->symbols, &symbol->node, hash_string(name, 0));
    }
    return symbol;
}

void
vsctl_put_uuid(struct ds *out, const struct uuid *uuid)
{
    ds_put_format(out, UUID_FMT, UUID_ARGS(uuid));
}
