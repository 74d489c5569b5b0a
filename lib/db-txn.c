/* db-txn: transactions: changes, reference counting, garbage collection,
 * weak references, unique indexes, commit and abort. */
#include <config.h>

#include "db-txn.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "db-error.h"
#include "dynamic-string.h"
#include "hash.h"
#include "util.h"

struct db_txn *
db_txn_create(struct db *db)
{
    struct db_txn *txn = xzalloc(sizeof *txn);
    if (db->txn) {
        abort();    /* One transaction at a time. */
    }
    txn->db = db;
    hmap_init(&txn->rows);
    db->txn = txn;
    return txn;
}

static struct db_txn_row *
txn_row_create(struct db_txn *txn, struct db_row *old, struct db_row *new)
{
    struct db_txn_row *tr = xzalloc(sizeof *tr);
    tr->old = old;
    tr->new = new;
    if (old) {
        old->txn_row = tr;
    }
    if (new) {
        new->txn_row = tr;
    }
    hmap_insert(&txn->rows, &tr->node,
                uuid_hash(db_row_get_uuid(old ? old : new)));
    return tr;
}

static void
txn_row_free(struct db_txn *txn, struct db_txn_row *tr)
{
    hmap_remove(&txn->rows, &tr->node);
    free(tr->changed);
    free(tr);
}

struct db_row *
db_txn_row_insert(struct db_txn *txn, struct db_table *table,
                  const struct uuid *uuid)
{
    struct db_row *row = db_row_create(table);
    row->fields[DB_COL_UUID].keys[0].uuid = *uuid;
    uuid_generate(&row->fields[DB_COL_VERSION].keys[0].uuid);
    hmap_insert(&table->rows, &row->node, uuid_hash(uuid));
    txn_row_create(txn, NULL, row);
    return row;
}

struct db_row *
db_txn_row_modify(struct db_txn *txn, const struct db_row *row_)
{
    struct db_row *row = (struct db_row *) row_;
    if (row->txn_row) {
        return row;             /* Already this transaction's copy. */
    }
    struct db_row *new = db_row_clone(row);
    new->n_refs = row->n_refs;
    hmap_remove(&row->table->rows, &row->node);
    hmap_insert(&row->table->rows, &new->node, row->node.hash);
    txn_row_create(txn, row, new);
    return new;
}

void
db_txn_row_delete(struct db_txn *txn, const struct db_row *row_)
{
    struct db_row *row = (struct db_row *) row_;
    struct db_txn_row *tr = row->txn_row;

    /* References to the row from here on are counted against the
     * transaction's record of it. */
    long int refs = (long int) row->n_refs;
    hmap_remove(&row->table->rows, &row->node);
    if (!tr) {
        tr = txn_row_create(txn, row, NULL);
        tr->deleted_refs = refs;
        return;
    }
    /* ROW is this transaction's copy. */
    tr->new = NULL;
    db_row_destroy(row);
    if (tr->old) {
        tr->deleted_refs = refs;
    } else {
        txn_row_free(txn, tr);  /* Inserted and deleted: nothing left. */
    }
}

void
db_txn_add_comment(struct db_txn *txn, const char *text)
{
    char *comment = (txn->comment ? xasprintf("%s\n%s", txn->comment, text)
                     : xstrdup(text));
    free(txn->comment);
    txn->comment = comment;
}

static void
txn_free(struct db_txn *txn)
{
    struct db_txn_row *tr;
    HMAP_FOR_EACH_SAFE (tr, node, &txn->rows) {
        txn_row_free(txn, tr);
    }
    hmap_destroy(&txn->rows);
    txn->db->txn = NULL;
    free(txn->comment);
    free(txn);
}

void
db_txn_abort(struct db_txn *txn)
{
    if (!txn) {
        return;
    }
    struct db_txn_row *tr;
    HMAP_FOR_EACH (tr, node, &txn->rows) {
        if (tr->new) {
            hmap_remove(&tr->new->table->rows, &tr->new->node);
            db_row_destroy(tr->new);
        }
        if (tr->old) {
            hmap_insert(&tr->old->table->rows, &tr->old->node,
                        tr->old->node.hash);
            tr->old->txn_row = NULL;
        }
    }
    txn_free(txn);
}

/* The transaction's rows, copied into an array, so that walking them is
 * safe while new ones are added. */
static struct db_txn_row **
snapshot(const struct db_txn *txn, size_t *n)
{
    struct db_txn_row **rows = xcalloc(hmap_count(&txn->rows) + 1,
                                       sizeof *rows);
    struct db_txn_row *tr;
    *n = 0;
    HMAP_FOR_EACH (tr, node, &txn->rows) {
        rows[(*n)++] = tr;
    }
    return rows;
}

static struct db_txn_row *
find_txn_row(const struct db_txn *txn, const struct db_table *table,
             const struct uuid *uuid)
{
    struct db_txn_row *tr;
    HMAP_FOR_EACH_WITH_HASH (tr, node, uuid_hash(uuid), &txn->rows) {
        const struct db_row *row = tr->old ? tr->old : tr->new;
        if (row->table == table && uuid_equals(db_row_get_uuid(row), uuid)) {
            return tr;
        }
    }
    return NULL;
}

/* Adds DELTA to the strong reference count of the row with UUID in
 * TABLE.  FROM and COLUMN name the referring row, for the error. */
static struct db_error *
adjust_ref(struct db_txn *txn, struct db_table *table,
           const struct uuid *uuid, int delta, const struct db_row *from,
           const struct db_column *column)
{
    struct db_row *target = db_table_find_row(table, uuid);
    if (target) {
        target = db_txn_row_modify(txn, target);
        target->n_refs += delta;
        return NULL;
    }
    struct db_txn_row *tr = find_txn_row(txn, table, uuid);
    if (tr && tr->old && !tr->new) {
        tr->deleted_refs += delta;
        if (delta < 0) {
            return NULL;
        }
    } else if (delta < 0) {
        return NULL;            /* Inserted and deleted in this txn. */
    }
    return db_error_create("referential integrity violation",
                           "table %s column %s row "UUID_FMT" references "
                           "nonexistent row "UUID_FMT" in table %s",
                           from->table->schema->name, column->name,
                           UUID_ARGS(db_row_get_uuid(from)),
                           UUID_ARGS(uuid), table->schema->name);
}

static struct db_table *
ref_table(const struct db_row *row, const struct db_base_type *base)
{
    return row->table->db->tables[base->uuid.ref_table->index];
}

/* Adjusts by DELTA the count of every row ROW strongly references. */
static struct db_error *
adjust_row_refs(struct db_txn *txn, const struct db_row *row, int delta)
{
    const struct db_table_schema *ts = row->table->schema;
    for (size_t c = DB_N_BUILTIN_COLUMNS; c < ts->n_columns; c++) {
        const struct db_column *column = ts->columns[c];
        const struct db_datum *d = &row->fields[c];
        const struct db_base_type *key = &column->type.key;
        const struct db_base_type *value = &column->type.value;
        struct db_error *error;

        for (unsigned int i = 0; i < d->n; i++) {
            if (db_base_type_is_strong_ref(key)
                && (error = adjust_ref(txn, ref_table(row, key),
                                       &d->keys[i].uuid, delta, row,
                                       column))) {
                return error;
            }
            if (db_base_type_is_strong_ref(value)
                && (error = adjust_ref(txn, ref_table(row, value),
                                       &d->values[i].uuid, delta, row,
                                       column))) {
                return error;
            }
        }
    }
    return NULL;
}

static struct db_error *
update_ref_counts(struct db_txn *txn)
{
    size_t n;
    struct db_txn_row **rows = snapshot(txn, &n);
    struct db_error *error = NULL;

    for (size_t i = 0; i < n && !error; i++) {
        if (rows[i]->old) {
            error = adjust_row_refs(txn, rows[i]->old, -1);
        }
    }
    for (size_t i = 0; i < n && !error; i++) {
        if (rows[i]->new) {
            error = adjust_row_refs(txn, rows[i]->new, +1);
        }
    }
    free(rows);
    return error;
}

/* Deletes unreferenced rows of non-root tables until none is left. */
static struct db_error *
collect_garbage(struct db_txn *txn)
{
    bool again = true;
    while (again) {
        size_t n;
        struct db_txn_row **rows = snapshot(txn, &n);
        again = false;
        for (size_t i = 0; i < n; i++) {
            struct db_row *row = rows[i]->new;
            if (row && !row->table->schema->is_root && !row->n_refs) {
                struct db_error *error = adjust_row_refs(txn, row, -1);
                if (error) {
                    free(rows);
                    return error;
                }
                db_txn_row_delete(txn, row);
                again = true;
            }
        }
        free(rows);
    }
    return NULL;
}

static struct db_error *
check_deleted_refs(const struct db_txn *txn)
{
    struct db_txn_row *tr;
    HMAP_FOR_EACH (tr, node, &txn->rows) {
        if (tr->old && !tr->new && tr->deleted_refs > 0) {
            return db_error_create(
                "referential integrity violation",
                "cannot delete %s row "UUID_FMT" because of %ld remaining "
                "reference(s)", tr->old->table->schema->name,
                UUID_ARGS(db_row_get_uuid(tr->old)), tr->deleted_refs);
        }
    }
    return NULL;
}

/* True if the row with UUID exists now in the table BASE refers to. */
static bool
ref_exists(const struct db_row *row, const struct db_base_type *base,
           const struct uuid *uuid)
{
    return db_table_find_row(ref_table(row, base), uuid) != NULL;
}

/* Drops from ROW's column C the weak references to rows that do not
 * exist.  Returns an error if the column falls below its minimum. */
static struct db_error *
drop_dangling(struct db_txn *txn, struct db_row **rowp,
              const struct db_column *column)
{
    const struct db_type *type = &column->type;
    bool weak_key = db_base_type_is_weak_ref(&type->key);
    bool weak_value = db_base_type_is_weak_ref(&type->value);
    const struct db_datum *d = &(*rowp)->fields[column->index];
    unsigned int i;

    for (i = 0; i < d->n; i++) {
        if ((weak_key && !ref_exists(*rowp, &type->key, &d->keys[i].uuid))
            || (weak_value
                && !ref_exists(*rowp, &type->value, &d->values[i].uuid))) {
            break;
        }
    }
    if (i == d->n) {
        return NULL;
    }

    struct db_row *row = db_txn_row_modify(txn, *rowp);
    struct db_datum *datum = &row->fields[column->index];
    struct db_datum kept;
    db_datum_init_empty(&kept);
    for (i = 0; i < datum->n; i++) {
        if ((!weak_key || ref_exists(row, &type->key, &datum->keys[i].uuid))
            && (!weak_value
                || ref_exists(row, &type->value,
                              &datum->values[i].uuid))) {
            db_datum_add_unsafe(&kept, &datum->keys[i],
                                weak_value || db_type_is_map(type)
                                ? &datum->values[i] : NULL);
        } else {
            db_atom_destroy(&datum->keys[i], type->key.type);
            if (db_type_is_map(type)) {
                db_atom_destroy(&datum->values[i], type->value.type);
            }
        }
    }
    /* The kept atoms moved into KEPT; free only the arrays. */
    free(datum->keys);
    free(datum->values);
    *datum = kept;
    *rowp = row;
    if (datum->n < type->n_min) {
        return db_error_create("constraint violation",
                               "deleting weak references leaves column %s "
                               "of %s row "UUID_FMT" with fewer than %u "
                               "element(s)", column->name,
                               row->table->schema->name,
                               UUID_ARGS(db_row_get_uuid(row)),
                               type->n_min);
    }
    return NULL;
}

static bool
column_has_weak_ref(const struct db_column *column)
{
    return (db_base_type_is_weak_ref(&column->type.key)
            || db_base_type_is_weak_ref(&column->type.value));
}

/* True if some committed row of a table that COLUMN's weak references
 * point to was deleted by the transaction. */
static bool
weak_target_deleted(const struct db_txn *txn, const struct db_column *column)
{
    struct db_txn_row *tr;
    HMAP_FOR_EACH (tr, node, &txn->rows) {
        if (tr->old && !tr->new) {
            const struct db_table_schema *ts = tr->old->table->schema;
            const struct db_type *t = &column->type;
            if ((db_base_type_is_weak_ref(&t->key)
                 && t->key.uuid.ref_table == ts)
                || (db_base_type_is_weak_ref(&t->value)
                    && t->value.uuid.ref_table == ts)) {
                return true;
            }
        }
    }
    return false;
}

static struct db_error *
drop_weak_refs_in_table(struct db_txn *txn, struct db_table *table)
{
    const struct db_table_schema *ts = table->schema;
    for (size_t c = DB_N_BUILTIN_COLUMNS; c < ts->n_columns; c++) {
        const struct db_column *column = ts->columns[c];
        if (!column_has_weak_ref(column)) {
            continue;
        }
        bool scan_all = weak_target_deleted(txn, column);
        struct db_row *row;
        DB_TABLE_FOR_EACH_ROW_SAFE (row, table) {
            if (scan_all || row->txn_row) {
                struct db_error *error = drop_dangling(txn, &row, column);
                if (error) {
                    return error;
                }
            }
        }
    }
    return NULL;
}

/* Removes weak references to rows that do not exist: in rows the
 * transaction changed, and anywhere that referred to rows it deleted. */
static struct db_error *
drop_weak_refs(struct db_txn *txn)
{
    struct db *db = txn->db;
    for (size_t t = 0; t < db->schema->n_tables; t++) {
        struct db_error *error = drop_weak_refs_in_table(txn,
                                                         db->tables[t]);
        if (error) {
            return error;
        }
    }
    return NULL;
}

static void
unindex_rows(struct db_txn *txn, bool old)
{
    struct db_txn_row *tr;
    HMAP_FOR_EACH (tr, node, &txn->rows) {
        struct db_row *row = old ? tr->old : tr->new;
        if (!row) {
            continue;
        }
        struct db_table *table = row->table;
        for (size_t j = 0; j < table->schema->n_indexes; j++) {
            struct hmap_node *node = &row->index_nodes[j].node;
            if (hmap_contains(&table->indexes[j], node)) {
                hmap_remove(&table->indexes[j], node);
            }
        }
    }
}

static void
reindex_old_rows(struct db_txn *txn)
{
    struct db_txn_row *tr;
    HMAP_FOR_EACH (tr, node, &txn->rows) {
        struct db_row *row = tr->old;
        for (size_t j = 0; row && j < row->table->schema->n_indexes; j++) {
            struct hmap_node *node = &row->index_nodes[j].node;
            hmap_insert(&row->table->indexes[j], node, node->hash);
        }
    }
}

/* Another row in index J of ROW's table with ROW's values, or NULL. */
static const struct db_row *
find_duplicate(const struct db_row *row, size_t j, uint32_t hash)
{
    const struct db_table *table = row->table;
    const struct db_index_schema *index = &table->schema->indexes[j];
    const struct db_index_node *in;
    HMAP_FOR_EACH_WITH_HASH (in, node, hash, &table->indexes[j]) {
        if (in->row != row && db_row_equal_columns(row, in->row, index)) {
            return in->row;
        }
    }
    return NULL;
}

static struct db_error *
index_conflict(const struct db_row *a, const struct db_row *b,
               const struct db_index_schema *index)
{
    struct ds values = DS_EMPTY_INITIALIZER;
    for (size_t i = 0; i < index->n_columns; i++) {
        const struct db_column *c = index->columns[i];
        ds_put_format(&values, "%s%s=", i ? ", " : "", c->name);
        db_datum_to_string(&a->fields[c->index], &c->type, &values);
    }
    struct db_error *error = db_error_create(
        "constraint violation", "transaction causes two rows of table %s "
        "("UUID_FMT" and "UUID_FMT") to have the same value of a unique "
        "index (%s)", a->table->schema->name,
        UUID_ARGS(db_row_get_uuid(a)), UUID_ARGS(db_row_get_uuid(b)),
        ds_cstr(&values));
    ds_destroy(&values);
    return error;
}

/* Moves the indexes from the old rows to the new ones, failing (with the
 * indexes as they were) on a duplicate. */
static struct db_error *
update_indexes(struct db_txn *txn)
{
    unindex_rows(txn, true);

    struct db_txn_row *tr;
    HMAP_FOR_EACH (tr, node, &txn->rows) {
        struct db_row *new = tr->new;
        for (size_t j = 0; new && j < new->table->schema->n_indexes; j++) {
            const struct db_index_schema *index
                = &new->table->schema->indexes[j];
            uint32_t hash = db_row_hash_columns(new, index, 0);
            const struct db_row *dup = find_duplicate(new, j, hash);
            if (dup) {
                struct db_error *error = index_conflict(new, dup, index);
                unindex_rows(txn, false);
                reindex_old_rows(txn);
                return error;
            }
            hmap_insert(&new->table->indexes[j], &new->index_nodes[j].node,
                        hash);
        }
    }
    return NULL;
}

static struct db_error *
check_max_rows(const struct db_txn *txn)
{
    struct db_txn_row *tr;
    HMAP_FOR_EACH (tr, node, &txn->rows) {
        const struct db_table *table = tr->new ? tr->new->table : NULL;
        if (table && hmap_count(&table->rows) > table->schema->max_rows) {
            return db_error_create("constraint violation",
                                   "transaction causes table %s to have "
                                   "%zu rows, more than its limit of %u",
                                   table->schema->name,
                                   hmap_count(&table->rows),
                                   table->schema->max_rows);
        }
    }
    return NULL;
}

/* Works out which columns each row changed and gives changed rows a new
 * _version. */
static void
compute_changes(struct db_txn *txn)
{
    struct db_txn_row *tr;
    HMAP_FOR_EACH (tr, node, &txn->rows) {
        const struct db_row *row = tr->new ? tr->new : tr->old;
        const struct db_table_schema *ts = row->table->schema;

        tr->changed = xcalloc(ts->n_columns, sizeof *tr->changed);
        tr->any_change = !tr->old || !tr->new;
        for (size_t c = DB_N_BUILTIN_COLUMNS; c < ts->n_columns; c++) {
            tr->changed[c] = (!tr->old || !tr->new
                              || !db_datum_equals(&tr->old->fields[c],
                                                  &tr->new->fields[c],
                                                  &ts->columns[c]->type));
            tr->any_change = tr->any_change || tr->changed[c];
        }
        if (tr->new && tr->old && tr->any_change) {
            uuid_generate(&tr->new->fields[DB_COL_VERSION].keys[0].uuid);
            tr->changed[DB_COL_VERSION] = true;
        }
    }
}

static struct db_error *
offer_to_replicas(struct db_txn *txn, bool durable)
{
    struct db_replica *replica;
    LIST_FOR_EACH (replica, node, &txn->db->replicas) {
        struct db_error *error = replica->class->commit(replica, txn,
                                                        durable);
        if (error) {
            return error;
        }
    }
    return NULL;
}

/* Frees the old versions; the new ones stay in their tables. */
static void
finish(struct db_txn *txn)
{
    struct db_txn_row *tr;
    HMAP_FOR_EACH (tr, node, &txn->rows) {
        db_row_destroy(tr->old);
        if (tr->new) {
            tr->new->txn_row = NULL;
        }
    }
    txn_free(txn);
}

struct db_error *
db_txn_commit(struct db_txn *txn, bool durable)
{
    struct db_error *error;

    if ((error = update_ref_counts(txn))
        || (error = collect_garbage(txn))
        || (error = check_deleted_refs(txn))
        || (error = drop_weak_refs(txn))
        || (error = check_max_rows(txn))
        || (error = update_indexes(txn))) {
        db_txn_abort(txn);
        return error;
    }
    compute_changes(txn);
    error = offer_to_replicas(txn, durable);
    if (error) {
        unindex_rows(txn, false);
        reindex_old_rows(txn);
        db_txn_abort(txn);
        return error;
    }
    finish(txn);
    return NULL;
}

void
db_txn_for_each_change(const struct db_txn *txn, db_txn_change_cb *cb,
                       void *aux)
{
    struct db_txn_row *tr;
    HMAP_FOR_EACH (tr, node, &txn->rows) {
        if (tr->any_change && !cb(tr->old, tr->new, tr->changed, aux)) {
            return;
        }
    }
}
