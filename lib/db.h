/*
 * db: an in-memory database: tables of rows, and the replicas that follow
 * its commits.
 *
 * A row holds one datum per column of its table (DB_COL_UUID and
 * DB_COL_VERSION first).  Tables find rows by uuid and keep each unique
 * index of the schema.  Rows change only through transactions (db-txn.h):
 * while a transaction runs, the tables show its changes (so that later
 * operations of the same transaction see earlier ones), and aborting it
 * puts everything back.
 *
 * Replicas: a commit is offered to every replica attached to the database
 * (the file that makes it durable, the monitors of connected clients)
 * before it takes effect; a replica that fails the commit (a disk error)
 * aborts it.  See struct db_replica_class.
 *
 * Not thread-safe: one thread owns a database.
 */
#ifndef SKIFF_DB_H
#define SKIFF_DB_H 1

#include <stdbool.h>
#include <stddef.h>

#include "db-data.h"
#include "db-schema.h"
#include "hmap.h"
#include "list.h"
#include "uuid.h"

struct db_replica;
struct db_txn;
struct db_txn_row;

/* A row's place in one unique index of its table. */
struct db_index_node {
    struct hmap_node node;          /* In struct db_table's 'indexes[i]'. */
    struct db_row *row;
};

struct db_row {
    struct hmap_node node;          /* In its table's 'rows', by uuid. */
    struct db_table *table;
    struct db_txn_row *txn_row;     /* While a transaction changes it. */
    size_t n_refs;                  /* Strong references to this row. */
    struct db_index_node *index_nodes;  /* One per unique index. */
    struct db_datum fields[];       /* One per column, by index. */
};

static inline const struct uuid *
db_row_get_uuid(const struct db_row *row)
{
    return &row->fields[DB_COL_UUID].keys[0].uuid;
}

static inline const struct uuid *
db_row_get_version(const struct db_row *row)
{
    return &row->fields[DB_COL_VERSION].keys[0].uuid;
}

struct db_table {
    struct db_table_schema *schema;
    struct db *db;
    struct hmap rows;               /* Of struct db_row, by uuid hash. */
    struct hmap *indexes;           /* One per schema index, of the
                                     * committed rows' db_index_nodes, by
                                     * hash of the index's columns. */
};

struct db {
    struct db_schema *schema;
    struct db_table **tables;       /* Parallel to schema->tables. */
    struct list replicas;           /* Of struct db_replica. */
    struct db_txn *txn;             /* The transaction under way, if any. */
};

/* Creates an empty database with SCHEMA (which it takes). */
struct db *db_create(struct db_schema *schema);
void db_destroy(struct db *);              /* Accepts NULL. */

struct db_table *db_get_table(const struct db *, const char *name);
struct db_row *db_table_find_row(const struct db_table *,
                                 const struct uuid *);
size_t db_table_count_rows(const struct db_table *);

/* ROW's value of COLUMN, or an empty datum if its table has no such
 * column (a replica of a server whose schema is older than the
 * reader's).  The string of an optional string column, or NULL. */
const struct db_datum *db_row_get(const struct db_row *, const char *column);
const char *db_row_get_string(const struct db_row *, const char *column);

/* Rows (for db-txn; most callers go through a transaction). */
struct db_row *db_row_create(struct db_table *);   /* Default values. */
struct db_row *db_row_clone(const struct db_row *);
void db_row_destroy(struct db_row *);              /* Accepts NULL. */
uint32_t db_row_hash_columns(const struct db_row *,
                             const struct db_index_schema *,
                             uint32_t basis);
bool db_row_equal_columns(const struct db_row *, const struct db_row *,
                          const struct db_index_schema *);

/* The row's fields as a JSON object of COLUMNS (all user columns if
 * COLUMNS is NULL), for "select" and monitors. */
struct json_object *db_row_to_json(const struct db_row *,
                                   const struct db_column **columns,
                                   size_t n_columns);

#define DB_TABLE_FOR_EACH_ROW(ROW, TABLE) \
    HMAP_FOR_EACH (ROW, node, &(TABLE)->rows)
#define DB_TABLE_FOR_EACH_ROW_SAFE(ROW, TABLE) \
    HMAP_FOR_EACH_SAFE (ROW, node, &(TABLE)->rows)

/* A follower of the database's commits.
 *
 * 'commit' is offered each transaction before it takes effect, with
 * DURABLE saying whether the client asked for a durable commit.  It
 * returns NULL to accept or an error to abort the transaction (only the
 * replica that makes commits durable should ever fail).  It may walk the
 * transaction's changes with db_txn_for_each_change().
 * 'destroy' is called when the database is destroyed (may be NULL). */
struct db_replica_class {
    struct db_error *(*commit)(struct db_replica *, const struct db_txn *,
                               bool durable);
    void (*destroy)(struct db_replica *);
};

struct db_replica {
    struct list node;               /* In struct db's 'replicas'. */
    const struct db_replica_class *class;
};

void db_add_replica(struct db *, struct db_replica *);
void db_remove_replica(struct db *, struct db_replica *);

#endif /* db.h */
