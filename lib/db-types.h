/*
 * db-types: the column types of RFC 7047 (section 3.2).
 *
 * An atomic type is integer, real, boolean, string or uuid.  A base type
 * is an atomic type with constraints: a set of allowed values ("enum"),
 * an integer or real range, a string length range (in characters), or for
 * uuids a referenced table and whether references to it are strong or
 * weak.  A column type is a key base type, an optional value base type
 * (present for maps), and how many elements a value holds (min 0 or 1,
 * max 1 or more, or unlimited).
 *
 * JSON forms (schema files):
 *   "integer"
 *   {"type": "integer", "minInteger": 0, "maxInteger": 4095}
 *   {"key": "string", "value": "string", "min": 0, "max": "unlimited"}
 *   {"key": {"type": "uuid", "refTable": "Port", "refType": "weak"}}
 */
#ifndef SKIFF_DB_TYPES_H
#define SKIFF_DB_TYPES_H 1

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

#include "util.h"

struct db_datum;
struct db_error;
struct db_table_schema;

enum db_atomic_type {
    DB_TYPE_VOID,       /* No value: the "value" of a set or scalar. */
    DB_TYPE_INTEGER,    /* int64_t. */
    DB_TYPE_REAL,       /* double, finite. */
    DB_TYPE_BOOLEAN,
    DB_TYPE_STRING,     /* UTF-8, no NUL. */
    DB_TYPE_UUID,
    DB_N_TYPES
};

const char *db_atomic_type_to_string(enum db_atomic_type);
/* Returns the type named S or DB_TYPE_VOID. */
enum db_atomic_type db_atomic_type_from_string(const char *s);

enum db_ref_type {
    DB_REF_STRONG,      /* The referenced row cannot be deleted while
                         * referenced; non-root rows live while they are. */
    DB_REF_WEAK         /* References to deleted rows disappear. */
};

struct db_base_type {
    enum db_atomic_type type;

    /* If nonnull, the allowed values: a set (no values) of this type. */
    struct db_datum *enum_;

    union {
        struct {
            int64_t min;            /* INT64_MIN: no minimum. */
            int64_t max;            /* INT64_MAX: no maximum. */
        } integer;
        struct {
            double min;             /* -DBL_MAX: no minimum. */
            double max;             /* DBL_MAX: no maximum. */
        } real;
        struct {
            unsigned int min_len;   /* 0: no minimum. */
            unsigned int max_len;   /* UINT_MAX: no maximum. */
        } string;
        struct {
            char *ref_table_name;   /* NULL: not a reference. */
            struct db_table_schema *ref_table;  /* Resolved by schema. */
            enum db_ref_type ref_type;
        } uuid;
    };
};

#define DB_N_MAX_UNLIMITED UINT_MAX

struct db_type {
    struct db_base_type key;
    struct db_base_type value;      /* DB_TYPE_VOID unless a map. */
    unsigned int n_min;             /* 0 or 1. */
    unsigned int n_max;             /* >= 1, or DB_N_MAX_UNLIMITED. */
};

/* A base type of TYPE with no constraints. */
void db_base_type_init(struct db_base_type *, enum db_atomic_type);
/* Deep copy, except that the resolved ref_table pointer is shared. */
void db_base_type_clone(struct db_base_type *dst,
                        const struct db_base_type *src);
void db_base_type_destroy(struct db_base_type *);
bool db_base_type_is_valid(const struct db_base_type *);
bool db_base_type_has_constraints(const struct db_base_type *);
bool db_base_type_is_ref(const struct db_base_type *);
bool db_base_type_is_strong_ref(const struct db_base_type *);
bool db_base_type_is_weak_ref(const struct db_base_type *);

/* Parses a <base-type> of RFC 7047.  Constraint members must suit the
 * type ("minLength" only for strings, ...); "enum" excludes the range and
 * length members, as the RFC says, and must be a set of one or more atoms
 * of the type; unknown members are refused.  All errors are syntax errors
 * naming the bad JSON.  On error, *base holds nothing to free. */
struct db_error *db_base_type_from_json(struct db_base_type *,
                                        const struct json_object *)
    WARN_UNUSED_RESULT;
/* Writes the short form ("integer") when BASE has no constraints. */
struct json_object *db_base_type_to_json(const struct db_base_type *);

/* A scalar of TYPE (key TYPE, no value, exactly one). */
void db_type_init_scalar(struct db_type *, enum db_atomic_type);
void db_type_clone(struct db_type *dst, const struct db_type *src);
void db_type_destroy(struct db_type *);
bool db_type_is_valid(const struct db_type *);

static inline bool
db_type_is_scalar(const struct db_type *type)
{
    return (type->value.type == DB_TYPE_VOID
            && type->n_min == 1 && type->n_max == 1);
}

static inline bool
db_type_is_optional(const struct db_type *type)
{
    return type->n_min == 0 && type->n_max == 1;
}

static inline bool
db_type_is_map(const struct db_type *type)
{
    return type->value.type != DB_TYPE_VOID;
}

static inline bool
db_type_is_set(const struct db_type *type)
{
    return !db_type_is_map(type) && !db_type_is_scalar(type);
}

/* Parses a <type> of RFC 7047: an atomic type name, or an object with
 * "key" (required), "value", "min" (0 or 1, default 1) and "max" (a
 * positive integer or "unlimited", default 1).  Errors as for
 * db_base_type_from_json(); on error, *type holds nothing to free. */
struct db_error *db_type_from_json(struct db_type *,
                                   const struct json_object *)
    WARN_UNUSED_RESULT;
/* Writes the short forms where they suffice, so that a schema read and
 * written back reads as the same types. */
struct json_object *db_type_to_json(const struct db_type *);

#endif /* db-types.h */
