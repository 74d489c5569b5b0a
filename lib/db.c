/* db: in-memory tables and rows, unique indexes, replicas. */
#include <config.h>

#include "db.h"

#include <stdlib.h>
#include <string.h>

#include "db-error.h"
#include "hash.h"
#include "util.h"

struct db *
db_create(struct db_schema *schema)
{
    struct db *db = xzalloc(sizeof *db);
    db->schema = schema;
    list_init(&db->replicas);
    db->tables = xcalloc(schema->n_tables ? schema->n_tables : 1,
                         sizeof *db->tables);
    for (size_t i = 0; i < schema->n_tables; i++) {
        struct db_table *table = xzalloc(sizeof *table);
        table->schema = schema->tables[i];
        table->db = db;
        hmap_init(&table->rows);
        size_t n = table->schema->n_indexes;
        table->indexes = xcalloc(n ? n : 1, sizeof *table->indexes);
        for (size_t j = 0; j < n; j++) {
            hmap_init(&table->indexes[j]);
        }
        db->tables[i] = table;
    }
    return db;
}

static void
table_destroy(struct db_table *table)
{
    struct db_row *row;
    DB_TABLE_FOR_EACH_ROW_SAFE (row, table) {
        hmap_remove(&table->rows, &row->node);
        db_row_destroy(row);
    }
    hmap_destroy(&table->rows);
    /* The index nodes lived in the rows just freed. */
    for (size_t j = 0; j < table->schema->n_indexes; j++) {
        hmap_destroy(&table->indexes[j]);
    }
    free(table->indexes);
    free(table);
}

void
db_destroy(struct db *db)
{
    if (!db) {
        return;
    }
    struct db_replica *replica;
    LIST_FOR_EACH_SAFE (replica, node, &db->replicas) {
        list_remove(&replica->node);
        if (replica->class->destroy) {
            replica->class->destroy(replica);
        }
    }
    for (size_t i = 0; i < db->schema->n_tables; i++) {
        table_destroy(db->tables[i]);
    }
    free(db->tables);
    db_schema_destroy(db->schema);
    free(db);
}

struct db_table *
db_get_table(const struct db *db, const char *name)
{
    const struct db_table_schema *ts = db_schema_find_table(db->schema,
                                                            name);
    return ts ? db->tables[ts->index] : NULL;
}

struct db_row *
db_table_find_row(const struct db_table *table, const struct uuid *uuid)
{
    struct db_row *row;
    HMAP_FOR_EACH_WITH_HASH (row, node, uuid_hash(uuid), &table->rows) {
        if (uuid_equals(db_row_get_uuid(row), uuid)) {
            return row;
        }
    }
    return NULL;
}

size_t
db_table_count_rows(const struct db_table *table)
{
    return hmap_count(&table->rows);
}

const struct db_datum *
db_row_get(const struct db_row *row, const char *column)
{
    static const struct db_datum empty;
    const struct db_column *c
        = db_table_schema_find_column(row->table->schema, column);

    return c ? &row->fields[c->index] : &empty;
}

const char *
db_row_get_string(const struct db_row *row, const char *column)
{
    const struct db_datum *d = db_row_get(row, column);

    return d->n ? d->keys[0].string : NULL;
}

static struct db_row *
row_alloc(struct db_table *table)
{
    const struct db_table_schema *ts = table->schema;
    struct db_row *row = xzalloc(sizeof *row
                                 + ts->n_columns * sizeof *row->fields);
    row->table = table;
    row->index_nodes = xcalloc(ts->n_indexes ? ts->n_indexes : 1,
                               sizeof *row->index_nodes);
    for (size_t i = 0; i < ts->n_indexes; i++) {
        row->index_nodes[i].row = row;
    }
    return row;
}

struct db_row *
db_row_create(struct db_table *table)
{
    struct db_row *row = row_alloc(table);
    for (size_t i = 0; i < table->schema->n_columns; i++) {
        db_datum_init_default(&row->fields[i],
                              &table->schema->columns[i]->type);
    }
    return row;
}

struct db_row *
db_row_clone(const struct db_row *old)
{
    struct db_row *row = row_alloc(old->table);
    for (size_t i = 0; i < old->table->schema->n_columns; i++) {
        db_datum_clone(&row->fields[i], &old->fields[i],
                       &old->table->schema->columns[i]->type);
    }
    return row;
}

void
db_row_destroy(struct db_row *row)
{
    if (row) {
        for (size_t i = 0; i < row->table->schema->n_columns; i++) {
            db_datum_destroy(&row->fields[i],
                             &row->table->schema->columns[i]->type);
        }
        free(row->index_nodes);
        free(row);
    }
}

uint32_t
db_row_hash_columns(const struct db_row *row,
                    const struct db_index_schema *index, uint32_t basis)
{
    uint32_t hash = basis;
    for (size_t i = 0; i < index->n_columns; i++) {
        const struct db_column *c = index->columns[i];
        hash = db_datum_hash(&row->fields[c->index], &c->type, hash);
    }
    return hash;
}

bool
db_row_equal_columns(const struct db_row *a, const struct db_row *b,
                     const struct db_index_schema *index)
{
    for (size_t i = 0; i < index->n_columns; i++) {
        const struct db_column *c = index->columns[i];
        if (!db_datum_equals(&a->fields[c->index], &b->fields[c->index],
                             &c->type)) {
            return false;
        }
    }
    return true;
}

struct json_object *
db_row_to_json(const struct db_row *row, const struct db_column **columns,
               size_t n_columns)
{
    const struct db_table_schema *ts = row->table->schema;
    struct json_object *json = json_object_new_object();

    if (!columns) {
        for (size_t i = DB_N_BUILTIN_COLUMNS; i < ts->n_columns; i++) {
            const struct db_column *c = ts->columns[i];
            json_object_object_add(json, c->name,
                                   db_datum_to_json(&row->fields[i],
                                                    &c->type));
        }
        return json;
    }
    for (size_t i = 0; i < n_columns; i++) {
        const struct db_column *c = columns[i];
        json_object_object_add(json, c->name,
                               db_datum_to_json(&row->fields[c->index],
                                                &c->type));
    }
    return json;
}

void
db_add_replica(struct db *db, struct db_replica *replica)
{
    list_push_back(&db->replicas, &replica->node);
}

void
db_remove_replica(struct db *db, struct db_replica *replica)
{
    list_remove(&replica->node);
}
