/*
 * db-mutation: the "mutations" of RFC 7047's mutate operation (section
 * 5.2.4).
 *
 * A mutation is [column, mutator, value]:
 *   "+=" "-=" "*=" "/=" "%="   integer or real columns, scalar or set (not
 *                              maps; "%=" integers only); the value is
 *                              one number of the column's key type,
 *                              without the column's constraints, applied
 *                              to every element ("/" truncates toward
 *                              zero, "%" has the dividend's sign);
 *   "insert"                   sets and maps: adds the value's elements
 *                              (for a map, the pairs whose keys are not
 *                              already present); the value has the
 *                              column's type but may have fewer elements
 *                              than its minimum;
 *   "delete"                   sets and maps: removes the value's
 *                              elements; the value may have any number
 *                              of elements, and for a map is either a
 *                              map (removes matching pairs) or a set of
 *                              keys (removes those keys).
 * Scalar columns take only arithmetic (RFC 7047 section 5.1).  The column
 * must be mutable and not "_uuid" or "_version".
 *
 * Parsing errors: an unknown column or mutator, or a mutator that does not
 * fit the column's type, is a "syntax error"; a read-only column a
 * "constraint violation"; a value as db_datum_from_json() reports it.
 *
 * Applying mutations checks each one's result: division by zero is a
 * "domain error"; an integer result outside int64_t or a real one beyond
 * DBL_MAX a "range error"; a result outside the column's constraints or
 * element counts, or arithmetic that makes two elements of a set equal
 * (e.g. {1, 2} "*=" 0), a "constraint violation".  Details name the
 * column.  On error the row is unchanged.
 */
#ifndef SKIFF_DB_MUTATION_H
#define SKIFF_DB_MUTATION_H 1

#include <stddef.h>

#include <json-c/json.h>

#include "db-data.h"
#include "db-types.h"
#include "util.h"

struct db_column;
struct db_error;
struct db_row;
struct db_table_schema;

enum db_mutator {
    DB_M_ADD,
    DB_M_SUB,
    DB_M_MUL,
    DB_M_DIV,
    DB_M_MOD,
    DB_M_INSERT,
    DB_M_DELETE
};

const char *db_mutator_to_string(enum db_mutator);

struct db_mutation {
    const struct db_column *column;
    enum db_mutator mutator;
    struct db_type type;            /* Of 'arg'. */
    struct db_datum arg;
};

struct db_mutation_set {
    struct db_mutation *mutations;
    size_t n_mutations;
};

#define DB_MUTATION_SET_INITIALIZER { NULL, 0 }

struct db_error *db_mutation_set_from_json(const struct db_table_schema *,
                                           const struct json_object *,
                                           struct db_symbol_table *,
                                           struct db_mutation_set *)
    WARN_UNUSED_RESULT;
void db_mutation_set_destroy(struct db_mutation_set *);

/* Applies every mutation, in order, to ROW (a row of the table the set was
 * parsed for, which the caller may change).  Each mutation sees the
 * results of the ones before it, and each result is checked on its own,
 * so a later mutation cannot repair an earlier one's violation.  Only
 * ROW's fields change; the caller keeps indexes and "_version" up to
 * date.  On error, ROW is as it was. */
struct db_error *db_mutation_set_execute(const struct db_mutation_set *,
                                         struct db_row *row)
    WARN_UNUSED_RESULT;

#endif /* db-mutation.h */
