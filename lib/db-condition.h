/*
 * db-condition: "where" clauses of RFC 7047 operations (section 5.1).
 *
 * A condition is a list of clauses [column, function, value], all of which
 * must hold for a row to match ("_uuid" and "_version" may be tested too).
 * Functions:
 *   "<" "<=" ">" ">="   integer and real columns that hold one value or
 *                       none (scalar or optional); the value is one
 *                       number; an optional column with no value matches
 *                       nothing;
 *   "==" "!="           any column; the value has the column's type;
 *   "includes"          the column's value contains every element of the
 *                       value (for a map, every key-value pair);
 *   "excludes"          the column's value contains none of them.
 * The value always has the column's type, constraints (enum, ranges)
 * included, with RFC 7047's relaxations of the element count: "includes"
 * may have fewer elements than the column's minimum, and "excludes" any
 * number of elements.
 *
 * Errors: an unknown column or function, or a function that does not fit
 * the column's type, is a "syntax error"; a value is reported as
 * db_datum_from_json() reports it (wrong type: "syntax error"; wrong count,
 * duplicates or outside the constraints: "constraint violation").
 * Details name the column and function.
 */
#ifndef SKIFF_DB_CONDITION_H
#define SKIFF_DB_CONDITION_H 1

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "db-data.h"
#include "db-types.h"
#include "util.h"

struct db_column;
struct db_error;
struct db_row;
struct db_table_schema;

enum db_function {
    DB_F_LT,
    DB_F_LE,
    DB_F_EQ,
    DB_F_NE,
    DB_F_GE,
    DB_F_GT,
    DB_F_INCLUDES,
    DB_F_EXCLUDES
};

const char *db_function_to_string(enum db_function);

struct db_clause {
    enum db_function function;
    const struct db_column *column;
    struct db_type type;            /* Of 'arg'. */
    struct db_datum arg;
};

struct db_condition {
    struct db_clause *clauses;
    size_t n_clauses;
};

#define DB_CONDITION_INITIALIZER { NULL, 0 }

/* Parses a JSON array of clauses for TABLE.  Errors ("syntax error",
 * "constraint violation") name the bad clause or column.  On error
 * *condition is empty. */
struct db_error *db_condition_from_json(const struct db_table_schema *,
                                        const struct json_object *,
                                        struct db_symbol_table *,
                                        struct db_condition *)
    WARN_UNUSED_RESULT;
void db_condition_destroy(struct db_condition *);

/* True if ROW satisfies every clause (an empty condition matches all). */
bool db_condition_evaluate(const struct db_condition *,
                           const struct db_row *);

/* If CONDITION pins the row's uuid ("_uuid" "==" a uuid, or "_uuid"
 * "includes" one uuid), returns it, so the caller can look the row up
 * instead of scanning (the row must still be checked with
 * db_condition_evaluate() against the other clauses); else NULL.  The
 * uuid is owned by CONDITION. */
const struct uuid *db_condition_get_uuid(const struct db_condition *);

#endif /* db-condition.h */
