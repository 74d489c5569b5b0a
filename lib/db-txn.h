/*
 * db-txn: transactions on an in-memory database.
 *
 * One transaction at a time changes a database.  While it runs, the
 * database's tables show its changes: rows it inserted are there, rows it
 * deleted are gone, and a row it modifies is replaced by a private copy
 * that it may write freely.  db_txn_abort() puts everything back.
 *
 * db_txn_commit() then makes the changes whole and checks them:
 *   1. strong references must name existing rows, and a row still
 *      strongly referenced cannot be deleted ("referential integrity
 *      violation");
 *   2. rows of non-root tables that nothing references any more are
 *      deleted (garbage collection), which may free further rows;
 *   3. weak references to rows that no longer exist are removed, after
 *      which the column must still hold at least its minimum number of
 *      elements ("constraint violation");
 *   4. unique indexes and each table's maxRows hold ("constraint
 *      violation");
 *   5. every replica accepts the commit (the file makes it durable);
 * and only then do the changes take effect, with a new _version for every
 * changed row.  On any error the database is as before the transaction.
 */
#ifndef SKIFF_DB_TXN_H
#define SKIFF_DB_TXN_H 1

#include <stdbool.h>

#include "db.h"
#include "util.h"

struct db_error;

struct db_txn_row {
    struct hmap_node node;      /* In the transaction's 'rows', by uuid. */
    struct db_row *old;         /* The committed row, or NULL if inserted. */
    struct db_row *new;         /* Its current version, NULL if deleted. */
    bool *changed;              /* Per column, computed by the commit. */
    bool any_change;            /* Some column changed, or inserted or
                                 * deleted (not just a reference count). */
    long int deleted_refs;      /* For a deleted row: strong references
                                 * still pointing at it. */
};

struct db_txn {
    struct db *db;
    struct hmap rows;           /* Of struct db_txn_row. */
    char *comment;              /* From "comment" operations, or NULL. */
};

/* Starts a transaction on DB, which must have none under way. */
struct db_txn *db_txn_create(struct db *);

/* Inserts a row with default values and uuid UUID (which must be new to
 * TABLE) and returns it, writable until the commit. */
struct db_row *db_txn_row_insert(struct db_txn *, struct db_table *,
                                 const struct uuid *);

/* Returns a writable version of ROW (a row of the transaction's database
 * as the tables show it now). */
struct db_row *db_txn_row_modify(struct db_txn *, const struct db_row *);

/* Deletes ROW (as the tables show it now). */
void db_txn_row_delete(struct db_txn *, const struct db_row *);

/* Adds TEXT to the transaction's comment. */
void db_txn_add_comment(struct db_txn *, const char *text);

/* Checks and commits (see above); frees the transaction either way.
 * DURABLE is passed to the replicas. */
struct db_error *db_txn_commit(struct db_txn *, bool durable)
    WARN_UNUSED_RESULT;

/* Undoes every change and frees the transaction.  Accepts NULL. */
void db_txn_abort(struct db_txn *);

/* Calls CB for each row the transaction inserted (OLD NULL), deleted (NEW
 * NULL) or modified (CHANGED says which columns), until CB returns false.
 * Valid in a replica's commit callback. */
typedef bool db_txn_change_cb(const struct db_row *old,
                              const struct db_row *new,
                              const bool *changed, void *aux);
void db_txn_for_each_change(const struct db_txn *, db_txn_change_cb *,
                            void *aux);

#endif /* db-txn.h */
