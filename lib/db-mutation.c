/* db-mutation: parsing and applying the mutations of "mutate" (RFC 7047). */
#include <config.h>

#include "db-mutation.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "db-error.h"
#include "db-schema.h"
#include "db.h"
#include "util.h"

static const char *const mutator_names[] = {
    [DB_M_ADD] = "+=",
    [DB_M_SUB] = "-=",
    [DB_M_MUL] = "*=",
    [DB_M_DIV] = "/=",
    [DB_M_MOD] = "%=",
    [DB_M_INSERT] = "insert",
    [DB_M_DELETE] = "delete",
};

const char *
db_mutator_to_string(enum db_mutator mutator)
{
    return ((size_t) mutator < ARRAY_SIZE(mutator_names)
            ? mutator_names[mutator] : "<unknown mutator>");
}

static bool
mutator_from_string(const char *s, enum db_mutator *mutator)
{
    for (size_t i = 0; i < ARRAY_SIZE(mutator_names); i++) {
        if (!strcmp(s, mutator_names[i])) {
            *mutator = i;
            return true;
        }
    }
    return false;
}

static bool
mutator_is_arithmetic(enum db_mutator mutator)
{
    return mutator != DB_M_INSERT && mutator != DB_M_DELETE;
}

/* The type as its schema JSON, for error messages; the caller frees it. */
static char *
type_to_string(const struct db_type *type)
{
    struct json_object *json = db_type_to_json(type);
    char *s = xstrdup(json_object_to_json_string_ext(json,
                                                     JSON_C_TO_STRING_PLAIN));
    json_object_put(json);
    return s;
}

/* RFC 7047: arithmetic applies to integer and real columns and sets of
 * them ("%=" to integers only); "insert" and "delete" to sets and maps.
 * Nothing applies to a map's values or to scalar booleans, strings and
 * uuids. */
static bool
mutator_fits_type(enum db_mutator mutator, const struct db_type *type)
{
    if (!mutator_is_arithmetic(mutator)) {
        return !db_type_is_scalar(type);
    }
    return (!db_type_is_map(type)
            && (type->key.type == DB_TYPE_INTEGER
                || (type->key.type == DB_TYPE_REAL && mutator != DB_M_MOD)));
}

/* Checks that COLUMN may be changed by MUTATOR. */
static struct db_error *
check_mutator(const struct db_column *column, enum db_mutator mutator,
              const struct json_object *json)
{
    if (column->index < DB_N_BUILTIN_COLUMNS) {
        return db_error_create("constraint violation", "column \"%s\" is "
                               "maintained by the database and cannot be "
                               "mutated", column->name);
    }
    if (!column->mutable) {
        return db_error_create("constraint violation", "column \"%s\" is "
                               "not mutable (it is set only on insert)",
                               column->name);
    }
    if (!mutator_fits_type(mutator, &column->type)) {
        char *s = type_to_string(&column->type);
        struct db_error *error = db_syntax_error(
            json, "mutator \"%s\" cannot be applied to column \"%s\" of "
            "type %s", db_mutator_to_string(mutator), column->name, s);
        free(s);
        return error;
    }
    return NULL;
}

/* Parses the column and mutator of mutation JSON (already known to be a
 * 3-element array) and checks that they go together. */
static struct db_error *
parse_column_and_mutator(const struct db_table_schema *table,
                         const struct json_object *json,
                         const struct db_column **columnp,
                         enum db_mutator *mutatorp)
{
    struct json_object *name = json_object_array_get_idx(json, 0);
    struct json_object *mutator = json_object_array_get_idx(json, 1);

    if (!json_object_is_type(name, json_type_string)) {
        return db_syntax_error(json, "a mutation's column must be a string");
    }
    *columnp = db_table_schema_find_column(table,
                                           json_object_get_string(name));
    if (!*columnp) {
        return db_syntax_error(json, "no column \"%s\" in table %s",
                               json_object_get_string(name), table->name);
    }
    if (!json_object_is_type(mutator, json_type_string)
        || !mutator_from_string(json_object_get_string(mutator),
                                mutatorp)) {
        return db_syntax_error(json, "column \"%s\": %s is not a mutator "
                               "(one of += -= *= /= %%= insert delete)",
                               (*columnp)->name,
                               json_object_to_json_string_ext(
                                   mutator, JSON_C_TO_STRING_PLAIN));
    }
    return check_mutator(*columnp, *mutatorp, json);
}

/* True if JSON is written as a map: ["map", [...]]. */
static bool
json_is_map(const struct json_object *json)
{
    struct json_object *tag;

    return (json_object_is_type(json, json_type_array)
            && json_object_array_length(json) == 2
            && (tag = json_object_array_get_idx(json, 0))
            && json_object_is_type(tag, json_type_string)
            && !strcmp(json_object_get_string(tag), "map"));
}

/* Sets TYPE to what the value of a mutation with MUTATOR on COLUMN must be
 * (RFC 7047 section 5.1):
 *   - arithmetic: one number of the column's key type, with none of the
 *     column's constraints (the result is checked instead);
 *   - "insert": the column's type, but it may have fewer elements than the
 *     column's minimum;
 *   - "delete": the column's type with any number of elements; for a map,
 *     also a set of keys (VALUE tells which one the client wrote). */
static void
mutation_type_init(struct db_type *type, const struct db_column *column,
                   enum db_mutator mutator, const struct json_object *value)
{
    if (mutator_is_arithmetic(mutator)) {
        db_type_init_scalar(type, column->type.key.type);
        return;
    }

    db_type_clone(type, &column->type);
    type->n_min = 0;
    if (mutator == DB_M_DELETE) {
        type->n_max = DB_N_MAX_UNLIMITED;
        if (db_type_is_map(type) && !json_is_map(value)) {
            db_base_type_destroy(&type->value);
            db_base_type_init(&type->value, DB_TYPE_VOID);
        }
    }
}

static struct db_error *
mutation_from_json(const struct db_table_schema *table,
                   const struct json_object *json,
                   struct db_symbol_table *symtab,
                   struct db_mutation *m)
{
    struct db_error *error;

    if (!json_object_is_type(json, json_type_array)
        || json_object_array_length(json) != 3) {
        return db_syntax_error(json, "a mutation must be a 3-element array "
                               "[column, mutator, value]");
    }
    error = parse_column_and_mutator(table, json, &m->column, &m->mutator);
    if (error) {
        return error;
    }

    struct json_object *value = json_object_array_get_idx(json, 2);
    mutation_type_init(&m->type, m->column, m->mutator, value);
    error = db_datum_from_json(&m->arg, &m->type, value, symtab);
    if (error) {
        db_error_prefix(error, "column \"%s\" mutator \"%s\"",
                        m->column->name, db_mutator_to_string(m->mutator));
        db_type_destroy(&m->type);
        return error;
    }
    return NULL;
}

static void
mutation_destroy(struct db_mutation *m)
{
    db_datum_destroy(&m->arg, &m->type);
    db_type_destroy(&m->type);
}

struct db_error *
db_mutation_set_from_json(const struct db_table_schema *table,
                          const struct json_object *json,
                          struct db_symbol_table *symtab,
                          struct db_mutation_set *set)
{
    set->mutations = NULL;
    set->n_mutations = 0;
    if (!json_object_is_type(json, json_type_array)) {
        return db_syntax_error(json, "\"mutations\" must be an array of "
                               "mutations");
    }

    size_t n = json_object_array_length(json);
    set->mutations = xcalloc(n ? n : 1, sizeof *set->mutations);
    for (size_t i = 0; i < n; i++) {
        struct db_error *error = mutation_from_json(
            table, json_object_array_get_idx(json, i), symtab,
            &set->mutations[i]);
        if (error) {
            db_mutation_set_destroy(set);
            return error;
        }
        set->n_mutations++;
    }
    return NULL;
}

void
db_mutation_set_destroy(struct db_mutation_set *set)
{
    for (size_t i = 0; i < set->n_mutations; i++) {
        mutation_destroy(&set->mutations[i]);
    }
    free(set->mutations);
    set->mutations = NULL;
    set->n_mutations = 0;
}

/* Sets *X to *X MUTATOR ARG, or returns a "domain error" (division by
 * zero) or "range error" (a result outside int64_t) and leaves *X. */
static struct db_error *
mutate_integer(enum db_mutator mutator, int64_t *x, int64_t arg)
{
    const char *op = db_mutator_to_string(mutator);
    bool overflow = false;
    int64_t r = 0;

    if ((mutator == DB_M_DIV || mutator == DB_M_MOD) && arg == 0) {
        return db_error_create("domain error", "%"PRId64" %s 0: division "
                               "by zero", *x, op);
    }
    switch (mutator) {
    case DB_M_ADD:
        overflow = __builtin_add_overflow(*x, arg, &r);
        break;
    case DB_M_SUB:
        overflow = __builtin_sub_overflow(*x, arg, &r);
        break;
    case DB_M_MUL:
        overflow = __builtin_mul_overflow(*x, arg, &r);
        break;
    case DB_M_DIV:
        overflow = *x == INT64_MIN && arg == -1;
        r = overflow ? 0 : *x / arg;
        break;
    case DB_M_MOD:
        /* INT64_MIN % -1 is 0, but C leaves it undefined. */
        r = arg == -1 ? 0 : *x % arg;
        break;
    case DB_M_INSERT:
    case DB_M_DELETE:
        abort();
    }
    if (overflow) {
        return db_error_create("range error", "%"PRId64" %s %"PRId64" is "
                               "outside the 64-bit integer range",
                               *x, op, arg);
    }
    *x = r;
    return NULL;
}

/* Sets *X to *X MUTATOR ARG, or returns a "domain error" (division by
 * zero) or "range error" (a result beyond -DBL_MAX...DBL_MAX) and leaves
 * *X. */
static struct db_error *
mutate_real(enum db_mutator mutator, double *x, double arg)
{
    const char *op = db_mutator_to_string(mutator);
    double r;

    switch (mutator) {
    case DB_M_ADD:
        r = *x + arg;
        break;
    case DB_M_SUB:
        r = *x - arg;
        break;
    case DB_M_MUL:
        r = *x * arg;
        break;
    case DB_M_DIV:
        if (arg == 0) {
            return db_error_create("domain error", "%.17g %s 0: division "
                                   "by zero", *x, op);
        }
        r = *x / arg;
        break;
    case DB_M_MOD:
    case DB_M_INSERT:
    case DB_M_DELETE:
    default:
        abort();
    }
    if (!isfinite(r)) {
        return db_error_create("range error", "%.17g %s %.17g is outside "
                               "the range of a real", *x, op, arg);
    }
    *x = r;
    return NULL;
}

/* Turns ERROR, about the result of mutation M, into a "constraint
 * violation" naming M's column. */
static struct db_error *
result_error(struct db_error *error, const struct db_mutation *m)
{
    if (strcmp(error->tag, "constraint violation")) {
        struct db_error *cv = db_error_create("constraint violation", "%s",
                                              error->details
                                              ? error->details : error->tag);
        db_error_destroy(error);
        error = cv;
    }
    db_error_prefix(error, "column \"%s\" after \"%s\"", m->column->name,
                    db_mutator_to_string(m->mutator));
    return error;
}

/* Applies arithmetic mutation M to each element of DATUM.  Sets may come
 * out unsorted (e.g. "*=" -1) or with two equal elements (e.g. "*=" 0); the
 * latter is a "constraint violation" (RFC 7047 section 5.2.4). */
static struct db_error *
apply_arithmetic(const struct db_mutation *m, struct db_datum *datum)
{
    enum db_atomic_type type = m->column->type.key.type;
    const union db_atom *arg = &m->arg.keys[0];

    for (unsigned int i = 0; i < datum->n; i++) {
        union db_atom *x = &datum->keys[i];
        struct db_error *error
            = (type == DB_TYPE_INTEGER
               ? mutate_integer(m->mutator, &x->integer, arg->integer)
               : mutate_real(m->mutator, &x->real, arg->real));
        if (error) {
            db_error_prefix(error, "column \"%s\"", m->column->name);
            return error;
        }
    }
    if (datum->n > 1) {
        struct db_error *error = db_datum_sort_unique(datum,
                                                      &m->column->type);
        if (error) {
            return result_error(error, m);
        }
    }
    return NULL;
}

/* Applies M to DATUM, a copy of the column's value that the caller throws
 * away on error. */
static struct db_error *
mutation_apply(const struct db_mutation *m, struct db_datum *datum)
{
    const struct db_type *type = &m->column->type;
    struct db_error *error = NULL;

    if (mutator_is_arithmetic(m->mutator)) {
        error = apply_arithmetic(m, datum);
    } else if (m->mutator == DB_M_INSERT) {
        db_datum_union(datum, &m->arg, type);
    } else {
        db_datum_subtract(datum, type, &m->arg, &m->type);
    }
    if (!error) {
        error = db_datum_check(datum, type);
        if (error) {
            error = result_error(error, m);
        }
    }
    return error;
}

struct db_error *
db_mutation_set_execute(const struct db_mutation_set *set,
                        struct db_row *row)
{
    const struct db_table_schema *table = row->table->schema;
    struct db_datum *work = xcalloc(table->n_columns, sizeof *work);
    bool *copied = xcalloc(table->n_columns, sizeof *copied);
    struct db_error *error = NULL;

    /* Mutate copies of the columns, so that the row changes only if every
     * mutation succeeds. */
    for (size_t i = 0; i < set->n_mutations && !error; i++) {
        const struct db_mutation *m = &set->mutations[i];
        unsigned int idx = m->column->index;

        if (!copied[idx]) {
            db_datum_clone(&work[idx], &row->fields[idx], &m->column->type);
            copied[idx] = true;
        }
        error = mutation_apply(m, &work[idx]);
    }

    for (size_t idx = 0; idx < table->n_columns; idx++) {
        if (copied[idx]) {
            if (!error) {
                db_datum_swap(&work[idx], &row->fields[idx]);
            }
            db_datum_destroy(&work[idx], &table->columns[idx]->type);
        }
    }
    free(copied);
    free(work);
    return error;
}
