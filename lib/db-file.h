/*
 * db-file: a database kept in a db-log file.
 *
 * The file's first record is the schema; each later record is one
 * committed transaction, as a JSON object:
 *
 *     {"TABLE": {"UUID": {"COLUMN": VALUE, ...} or null, ...}, ...,
 *      "_date": MILLISECONDS, "_comment": "TEXT"}
 *
 * A row object holds the row's persistent columns that the transaction
 * set (all non-default ones for a new row); null deletes the row.
 * Ephemeral columns are never written.
 *
 * Opening replays every record into a fresh database; a new (empty or
 * missing) file is created from a schema file.  From then on every commit
 * is written and synced to the file before it takes effect: nothing
 * committed is lost.  Compaction rewrites the file as the schema plus one
 * record holding every row.
 */
#ifndef SKIFF_DB_FILE_H
#define SKIFF_DB_FILE_H 1

#include <stdbool.h>
#include <sys/types.h>

#include "util.h"

struct db;
struct db_error;
struct db_file;

/* Opens the database file at PATH, creating it from the schema file
 * SCHEMA_PATH if it does not exist or is empty (SCHEMA_PATH may be NULL
 * if it must exist).  On success *dbp is the database and *filep the
 * file attached to it as a replica (freed with the database). */
struct db_error *db_file_open(const char *path, const char *schema_path,
                              struct db **dbp, struct db_file **filep)
    WARN_UNUSED_RESULT;

/* Rewrites the file as a snapshot.  On error the old file stays. */
struct db_error *db_file_compact(struct db_file *) WARN_UNUSED_RESULT;

/* Compacts if the file has grown to more than four times its size after
 * the last compaction (and past a minimum), logging any failure. */
void db_file_compact_if_needed(struct db_file *);

off_t db_file_get_size(const struct db_file *);
const char *db_file_get_name(const struct db_file *);

#endif /* db-file.h */
