/*
 * db-schema: database schemas (RFC 7047 section 3.2).
 *
 * A schema names the database, gives its version, and defines its tables.
 * Each table has columns, whether it is a root table, a row limit, and
 * unique indexes (sets of columns whose values no two rows may share).
 *
 * Every table also has two columns the server maintains: "_uuid" (index
 * DB_COL_UUID) and "_version" (DB_COL_VERSION), both scalar uuids.  User
 * columns follow from index DB_N_BUILTIN_COLUMNS, in schema order.
 *
 * Rows of non-root tables exist only while some row refers to them with a
 * strong reference; unreferenced ones are garbage-collected at commit.  A
 * schema that marks no table as root is an old-style schema in which every
 * table is a root table (RFC 7047).
 */
#ifndef SKIFF_DB_SCHEMA_H
#define SKIFF_DB_SCHEMA_H 1

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "db-types.h"
#include "util.h"

struct db_error;

#define DB_COL_UUID 0
#define DB_COL_VERSION 1
#define DB_N_BUILTIN_COLUMNS 2

struct db_column {
    char *name;
    unsigned int index;             /* In its table's 'columns'. */
    struct db_type type;
    bool mutable;                   /* May be changed after insert. */
    bool persistent;                /* Written to disk ("ephemeral": no). */
};

/* A unique index: the set of columns it covers. */
struct db_index_schema {
    size_t n_columns;
    const struct db_column **columns;
};

struct db_table_schema {
    char *name;
    struct db_column **columns;     /* By index; builtins first. */
    size_t n_columns;
    bool is_root;
    unsigned int max_rows;          /* UINT_MAX: no limit. */
    struct db_index_schema *indexes;
    size_t n_indexes;
    unsigned int index;             /* In its schema's 'tables'. */
};

struct db_schema {
    char *name;
    char *version;                  /* "x.y.z". */
    char *cksum;                    /* May be NULL. */
    struct db_table_schema **tables;    /* Sorted by name. */
    size_t n_tables;
};

/* Parses and validates a schema.  References between tables are resolved
 * (db_base_type's ref_table).  On error, *schemap is NULL. */
struct db_error *db_schema_from_json(const struct json_object *,
                                     struct db_schema **schemap)
    WARN_UNUSED_RESULT;

/* Reads the schema file at PATH.  Errors name the file. */
struct db_error *db_schema_from_file(const char *path,
                                     struct db_schema **schemap)
    WARN_UNUSED_RESULT;

struct json_object *db_schema_to_json(const struct db_schema *);
struct db_schema *db_schema_clone(const struct db_schema *);
void db_schema_destroy(struct db_schema *);    /* Accepts NULL. */
bool db_schema_equals(const struct db_schema *, const struct db_schema *);

struct db_table_schema *db_schema_find_table(const struct db_schema *,
                                             const char *name);
const struct db_column *db_table_schema_find_column(
    const struct db_table_schema *, const char *name);

#endif /* db-schema.h */
