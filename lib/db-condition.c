/* db-condition: parsing and evaluating "where" clauses (RFC 7047). */
#include <config.h>

#include "db-condition.h"

#include <stdlib.h>
#include <string.h>

#include "db-error.h"
#include "db-schema.h"
#include "db.h"
#include "util.h"

static const char *const function_names[] = {
    [DB_F_LT] = "<",
    [DB_F_LE] = "<=",
    [DB_F_EQ] = "==",
    [DB_F_NE] = "!=",
    [DB_F_GE] = ">=",
    [DB_F_GT] = ">",
    [DB_F_INCLUDES] = "includes",
    [DB_F_EXCLUDES] = "excludes",
};

const char *
db_function_to_string(enum db_function function)
{
    return ((size_t) function < ARRAY_SIZE(function_names)
            ? function_names[function] : "<unknown function>");
}

static bool
function_from_string(const char *s, enum db_function *function)
{
    for (size_t i = 0; i < ARRAY_SIZE(function_names); i++) {
        if (!strcmp(s, function_names[i])) {
            *function = i;
            return true;
        }
    }
    return false;
}

static bool
function_is_relational(enum db_function function)
{
    return (function == DB_F_LT || function == DB_F_LE
            || function == DB_F_GE || function == DB_F_GT);
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

/* Checks that FUNCTION applies to COLUMN.  "<" "<=" ">=" ">" need a number
 * that is there or not (scalar or optional); the others apply to any
 * column. */
static struct db_error *
check_function(const struct db_column *column, enum db_function function,
               const struct json_object *json)
{
    const struct db_type *type = &column->type;

    if (!function_is_relational(function)
        || ((type->key.type == DB_TYPE_INTEGER
             || type->key.type == DB_TYPE_REAL)
            && !db_type_is_map(type) && type->n_max == 1)) {
        return NULL;
    }

    char *s = type_to_string(type);
    struct db_error *error = db_syntax_error(
        json, "function \"%s\" cannot be applied to column \"%s\" of type "
        "%s (only to integer or real columns holding at most one value)",
        db_function_to_string(function), column->name, s);
    free(s);
    return error;
}

/* Sets TYPE to what the value of a clause with FUNCTION on COLUMN must be
 * (RFC 7047 section 5.1): the column's type, except that "<" "<=" ">="
 * ">" take exactly one number, "includes" may have fewer elements than
 * the column's minimum, and "excludes" any number of elements. */
static void
clause_type_init(struct db_type *type, const struct db_column *column,
                 enum db_function function)
{
    db_type_clone(type, &column->type);
    switch (function) {
    case DB_F_LT:
    case DB_F_LE:
    case DB_F_GE:
    case DB_F_GT:
        type->n_min = 1;
        type->n_max = 1;
        break;
    case DB_F_EQ:
    case DB_F_NE:
        break;
    case DB_F_INCLUDES:
        type->n_min = 0;
        break;
    case DB_F_EXCLUDES:
        type->n_min = 0;
        type->n_max = DB_N_MAX_UNLIMITED;
        break;
    }
}

/* Parses the column and function of clause JSON (already known to be a
 * 3-element array). */
static struct db_error *
parse_column_and_function(const struct db_table_schema *table,
                          const struct json_object *json,
                          const struct db_column **columnp,
                          enum db_function *functionp)
{
    struct json_object *name = json_object_array_get_idx(json, 0);
    struct json_object *function = json_object_array_get_idx(json, 1);

    if (!json_object_is_type(name, json_type_string)) {
        return db_syntax_error(json, "a clause's column must be a string");
    }
    *columnp = db_table_schema_find_column(table,
                                           json_object_get_string(name));
    if (!*columnp) {
        return db_syntax_error(json, "no column \"%s\" in table %s",
                               json_object_get_string(name), table->name);
    }
    if (!json_object_is_type(function, json_type_string)
        || !function_from_string(json_object_get_string(function),
                                 functionp)) {
        return db_syntax_error(json, "column \"%s\": %s is not a function "
                               "(one of < <= == != >= > includes excludes)",
                               (*columnp)->name,
                               json_object_to_json_string_ext(
                                   function, JSON_C_TO_STRING_PLAIN));
    }
    return check_function(*columnp, *functionp, json);
}

static struct db_error *
clause_from_json(const struct db_table_schema *table,
                 const struct json_object *json,
                 struct db_symbol_table *symtab, struct db_clause *clause)
{
    struct db_error *error;

    if (!json_object_is_type(json, json_type_array)
        || json_object_array_length(json) != 3) {
        return db_syntax_error(json, "a clause must be a 3-element array "
                               "[column, function, value]");
    }
    error = parse_column_and_function(table, json, &clause->column,
                                      &clause->function);
    if (error) {
        return error;
    }

    clause_type_init(&clause->type, clause->column, clause->function);
    error = db_datum_from_json(&clause->arg, &clause->type,
                               json_object_array_get_idx(json, 2), symtab);
    if (error) {
        db_error_prefix(error, "column \"%s\" function \"%s\"",
                        clause->column->name,
                        db_function_to_string(clause->function));
        db_type_destroy(&clause->type);
        return error;
    }
    return NULL;
}

static void
clause_destroy(struct db_clause *clause)
{
    db_datum_destroy(&clause->arg, &clause->type);
    db_type_destroy(&clause->type);
}

struct db_error *
db_condition_from_json(const struct db_table_schema *table,
                       const struct json_object *json,
                       struct db_symbol_table *symtab,
                       struct db_condition *condition)
{
    condition->clauses = NULL;
    condition->n_clauses = 0;
    if (!json_object_is_type(json, json_type_array)) {
        return db_syntax_error(json, "a condition (\"where\") must be an "
                               "array of clauses");
    }

    size_t n = json_object_array_length(json);
    condition->clauses = xcalloc(n ? n : 1, sizeof *condition->clauses);
    for (size_t i = 0; i < n; i++) {
        struct db_error *error = clause_from_json(
            table, json_object_array_get_idx(json, i), symtab,
            &condition->clauses[i]);
        if (error) {
            db_condition_destroy(condition);
            return error;
        }
        condition->n_clauses++;
    }
    return NULL;
}

void
db_condition_destroy(struct db_condition *condition)
{
    for (size_t i = 0; i < condition->n_clauses; i++) {
        clause_destroy(&condition->clauses[i]);
    }
    free(condition->clauses);
    condition->clauses = NULL;
    condition->n_clauses = 0;
}

/* "<" "<=" ">=" ">": false if the column holds no value. */
static bool
evaluate_relational(const struct db_clause *clause,
                    const struct db_datum *field)
{
    if (field->n == 0) {
        return false;
    }

    int cmp = db_atom_compare_3way(&field->keys[0], &clause->arg.keys[0],
                                   clause->column->type.key.type);
    return (clause->function == DB_F_LT ? cmp < 0
            : clause->function == DB_F_LE ? cmp <= 0
            : clause->function == DB_F_GE ? cmp >= 0
            : cmp > 0);
}

static bool
clause_evaluate(const struct db_clause *clause, const struct db_row *row)
{
    const struct db_datum *field = &row->fields[clause->column->index];

    switch (clause->function) {
    case DB_F_LT:
    case DB_F_LE:
    case DB_F_GE:
    case DB_F_GT:
        return evaluate_relational(clause, field);
    case DB_F_EQ:
        return db_datum_equals(field, &clause->arg, &clause->column->type);
    case DB_F_NE:
        return !db_datum_equals(field, &clause->arg, &clause->column->type);
    case DB_F_INCLUDES:
        return db_datum_includes_all(&clause->arg, field, &clause->type);
    case DB_F_EXCLUDES:
        return db_datum_excludes_all(&clause->arg, field, &clause->type);
    }
    abort();
}

bool
db_condition_evaluate(const struct db_condition *condition,
                      const struct db_row *row)
{
    for (size_t i = 0; i < condition->n_clauses; i++) {
        if (!clause_evaluate(&condition->clauses[i], row)) {
            return false;
        }
    }
    return true;
}

const struct uuid *
db_condition_get_uuid(const struct db_condition *condition)
{
    for (size_t i = 0; i < condition->n_clauses; i++) {
        const struct db_clause *clause = &condition->clauses[i];
        if (clause->column->index == DB_COL_UUID
            && (clause->function == DB_F_EQ
                || clause->function == DB_F_INCLUDES)
            && clause->arg.n == 1) {
            return &clause->arg.keys[0].uuid;
        }
    }
    return NULL;
}
