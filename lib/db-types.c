/* db-types: column types of RFC 7047 and their JSON forms. */
#include <config.h>

#include "db-types.h"

#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "db-data.h"
#include "db-error.h"
#include "util.h"

static const char *const atomic_type_names[DB_N_TYPES] = {
    [DB_TYPE_VOID] = "void",
    [DB_TYPE_INTEGER] = "integer",
    [DB_TYPE_REAL] = "real",
    [DB_TYPE_BOOLEAN] = "boolean",
    [DB_TYPE_STRING] = "string",
    [DB_TYPE_UUID] = "uuid",
};

const char *
db_atomic_type_to_string(enum db_atomic_type type)
{
    return (unsigned int) type < DB_N_TYPES ? atomic_type_names[type] : "?";
}

enum db_atomic_type
db_atomic_type_from_string(const char *s)
{
    for (int i = DB_TYPE_VOID + 1; i < DB_N_TYPES; i++) {
        if (!strcmp(s, atomic_type_names[i])) {
            return i;
        }
    }
    return DB_TYPE_VOID;
}

/* RFC 7047 <id>: [a-zA-Z_][a-zA-Z0-9_]*. */
static bool
is_id(const char *s)
{
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')
          || *s == '_')) {
        return false;
    }
    for (s++; *s; s++) {
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')
              || (*s >= '0' && *s <= '9') || *s == '_')) {
            return false;
        }
    }
    return true;
}

/* The type of an "enum" of BASE: a set of one or more of BASE's atoms.
 * Its key shares BASE's members (without the enum), so it must not be
 * destroyed. */
static struct db_type
enum_type(const struct db_base_type *base)
{
    struct db_type type;

    type.key = *base;
    type.key.enum_ = NULL;
    db_base_type_init(&type.value, DB_TYPE_VOID);
    type.n_min = 1;
    type.n_max = DB_N_MAX_UNLIMITED;
    return type;
}

void
db_base_type_init(struct db_base_type *base, enum db_atomic_type type)
{
    memset(base, 0, sizeof *base);
    base->type = type;
    base->enum_ = NULL;
    switch (type) {
    case DB_TYPE_INTEGER:
        base->integer.min = INT64_MIN;
        base->integer.max = INT64_MAX;
        break;
    case DB_TYPE_REAL:
        base->real.min = -DBL_MAX;
        base->real.max = DBL_MAX;
        break;
    case DB_TYPE_STRING:
        base->string.min_len = 0;
        base->string.max_len = UINT_MAX;
        break;
    case DB_TYPE_UUID:
        base->uuid.ref_table_name = NULL;
        base->uuid.ref_table = NULL;
        base->uuid.ref_type = DB_REF_STRONG;
        break;
    case DB_TYPE_VOID:
    case DB_TYPE_BOOLEAN:
    case DB_N_TYPES:
    default:
        break;
    }
}

void
db_base_type_clone(struct db_base_type *dst, const struct db_base_type *src)
{
    *dst = *src;
    if (src->enum_) {
        struct db_type type = enum_type(src);

        dst->enum_ = xmalloc(sizeof *dst->enum_);
        db_datum_clone(dst->enum_, src->enum_, &type);
    }
    if (src->type == DB_TYPE_UUID && src->uuid.ref_table_name) {
        dst->uuid.ref_table_name = xstrdup(src->uuid.ref_table_name);
    }
}

void
db_base_type_destroy(struct db_base_type *base)
{
    if (base->enum_) {
        struct db_type type = enum_type(base);

        db_datum_destroy(base->enum_, &type);
        free(base->enum_);
        base->enum_ = NULL;
    }
    if (base->type == DB_TYPE_UUID) {
        free(base->uuid.ref_table_name);
        base->uuid.ref_table_name = NULL;
    }
}

/* True if BASE has a range or length constraint (which "enum" excludes). */
static bool
has_bounds(const struct db_base_type *base)
{
    switch (base->type) {
    case DB_TYPE_INTEGER:
        return (base->integer.min != INT64_MIN
                || base->integer.max != INT64_MAX);
    case DB_TYPE_REAL:
        return base->real.min != -DBL_MAX || base->real.max != DBL_MAX;
    case DB_TYPE_STRING:
        return base->string.min_len != 0 || base->string.max_len != UINT_MAX;
    case DB_TYPE_VOID:
    case DB_TYPE_BOOLEAN:
    case DB_TYPE_UUID:
    case DB_N_TYPES:
    default:
        return false;
    }
}

static bool
bounds_are_valid(const struct db_base_type *base)
{
    switch (base->type) {
    case DB_TYPE_INTEGER:
        return base->integer.min <= base->integer.max;
    case DB_TYPE_REAL:
        return (isfinite(base->real.min) && isfinite(base->real.max)
                && base->real.min <= base->real.max);
    case DB_TYPE_STRING:
        return base->string.min_len <= base->string.max_len;
    case DB_TYPE_UUID:
        return ((base->uuid.ref_type == DB_REF_STRONG
                 || base->uuid.ref_type == DB_REF_WEAK)
                && (!base->uuid.ref_table_name
                    || is_id(base->uuid.ref_table_name)));
    case DB_TYPE_VOID:
    case DB_TYPE_BOOLEAN:
        return true;
    case DB_N_TYPES:
    default:
        return false;
    }
}

static bool
enum_is_valid(const struct db_base_type *base)
{
    struct db_type type = enum_type(base);
    struct db_error *error = db_datum_check(base->enum_, &type);

    db_error_destroy(error);
    return !error && !has_bounds(base);
}

bool
db_base_type_is_valid(const struct db_base_type *base)
{
    if ((unsigned int) base->type >= DB_N_TYPES) {
        return false;
    } else if (base->type == DB_TYPE_VOID) {
        return !base->enum_;
    }
    return bounds_are_valid(base) && (!base->enum_ || enum_is_valid(base));
}

bool
db_base_type_has_constraints(const struct db_base_type *base)
{
    return (base->enum_ || has_bounds(base)
            || db_base_type_is_ref(base));
}

bool
db_base_type_is_ref(const struct db_base_type *base)
{
    return base->type == DB_TYPE_UUID && base->uuid.ref_table_name;
}

bool
db_base_type_is_strong_ref(const struct db_base_type *base)
{
    return (db_base_type_is_ref(base)
            && base->uuid.ref_type == DB_REF_STRONG);
}

bool
db_base_type_is_weak_ref(const struct db_base_type *base)
{
    return db_base_type_is_ref(base) && base->uuid.ref_type == DB_REF_WEAK;
}

/* Parsing JSON. */

/* json-c's getters are not all const-correct; this casts for them. */
static struct json_object *
json_nonconst(const struct json_object *json)
{
    return (struct json_object *) json;
}

static struct json_object *
get_member(const struct json_object *object, const char *name)
{
    struct json_object *member;
    return json_object_object_get_ex(object, name, &member) ? member : NULL;
}

/* Returns a syntax error naming the first member of OBJECT that is not one
 * of the N names in ALLOWED, or NULL. */
static struct db_error *
check_members(const struct json_object *object,
              const char *const allowed[], size_t n)
{
    json_object_object_foreach (json_nonconst(object), name, value) {
        size_t i;

        (void) value;
        for (i = 0; i < n; i++) {
            if (!strcmp(name, allowed[i])) {
                break;
            }
        }
        if (i == n) {
            /* The name is shortened if long, as JSON is in details. */
            struct json_object *name_json = json_object_new_string(name);
            char *excerpt = db_json_excerpt(name_json);
            struct db_error *error = db_syntax_error(
                object, "unknown member %s", excerpt);

            free(excerpt);
            json_object_put(name_json);
            return error;
        }
    }
    return NULL;
}

static struct db_error *
parse_atomic_type(enum db_atomic_type *type, const struct json_object *json)
{
    if (json_object_is_type(json, json_type_string)) {
        *type = db_atomic_type_from_string(
            json_object_get_string(json_nonconst(json)));
        if (*type != DB_TYPE_VOID) {
            return NULL;
        }
    }
    return db_syntax_error(json, "unknown atomic type (expected integer, "
                           "real, boolean, string, or uuid)");
}

/* Parses OBJECT's member NAME, if present, as an integer within MIN and
 * MAX into *VALUE; leaves *VALUE alone if it is absent. */
static struct db_error *
parse_int_member(const struct json_object *object, const char *name,
                 int64_t min, int64_t max, int64_t *value)
{
    const struct json_object *json = get_member(object, name);

    if (!json) {
        return NULL;
    }
    if (json_object_is_type(json, json_type_int)) {
        int64_t x = json_object_get_int64(json);
        bool too_big = (x == INT64_MAX
                        && json_object_get_uint64(json) > INT64_MAX);
        if (!too_big && x >= min && x <= max) {
            *value = x;
            return NULL;
        }
    }
    if (min == INT64_MIN && max == INT64_MAX) {
        return db_syntax_error(object, "\"%s\" must be a 64-bit integer",
                               name);
    }
    return db_syntax_error(object, "\"%s\" must be an integer between "
                           "%"PRId64" and %"PRId64, name, min, max);
}

/* Like parse_int_member(), for a finite real (a JSON integer or not). */
static struct db_error *
parse_real_member(const struct json_object *object, const char *name,
                  double *value)
{
    const struct json_object *json = get_member(object, name);

    if (!json) {
        return NULL;
    }
    if (json_object_is_type(json, json_type_int)
        || json_object_is_type(json, json_type_double)) {
        double x = json_object_get_double(json);
        if (isfinite(x)) {
            *value = x;
            return NULL;
        }
    }
    return db_syntax_error(object, "\"%s\" must be a finite number", name);
}

static struct db_error *
parse_integer_bounds(struct db_base_type *base,
                     const struct json_object *object)
{
    struct db_error *error;

    error = parse_int_member(object, "minInteger", INT64_MIN, INT64_MAX,
                             &base->integer.min);
    if (!error) {
        error = parse_int_member(object, "maxInteger", INT64_MIN, INT64_MAX,
                                 &base->integer.max);
    }
    if (!error && base->integer.min > base->integer.max) {
        error = db_syntax_error(object, "minInteger %"PRId64" exceeds "
                                "maxInteger %"PRId64, base->integer.min,
                                base->integer.max);
    }
    return error;
}

static struct db_error *
parse_real_bounds(struct db_base_type *base,
                  const struct json_object *object)
{
    struct db_error *error;

    error = parse_real_member(object, "minReal", &base->real.min);
    if (!error) {
        error = parse_real_member(object, "maxReal", &base->real.max);
    }
    if (!error && base->real.min > base->real.max) {
        error = db_syntax_error(object, "minReal %.17g exceeds maxReal %.17g",
                                base->real.min, base->real.max);
    }
    return error;
}

static struct db_error *
parse_string_bounds(struct db_base_type *base,
                    const struct json_object *object)
{
    int64_t min = 0, max = UINT_MAX;
    struct db_error *error;

    error = parse_int_member(object, "minLength", 0, UINT_MAX, &min);
    if (!error) {
        error = parse_int_member(object, "maxLength", 0, UINT_MAX, &max);
    }
    if (!error && min > max) {
        error = db_syntax_error(object, "minLength %"PRId64" exceeds "
                                "maxLength %"PRId64, min, max);
    }
    if (!error) {
        base->string.min_len = min;
        base->string.max_len = max;
    }
    return error;
}

static struct db_error *
parse_ref(struct db_base_type *base, const struct json_object *object)
{
    const struct json_object *table = get_member(object, "refTable");
    const struct json_object *ref_type = get_member(object, "refType");

    if (table) {
        if (!json_object_is_type(table, json_type_string)
            || !is_id(json_object_get_string(json_nonconst(table)))) {
            return db_syntax_error(object, "\"refTable\" must be a table "
                                   "name");
        }
        base->uuid.ref_table_name = xstrdup(
            json_object_get_string(json_nonconst(table)));
    }
    if (ref_type) {
        const char *s = (json_object_is_type(ref_type, json_type_string)
                         ? json_object_get_string(json_nonconst(ref_type))
                         : "");
        if (!table) {
            return db_syntax_error(object, "\"refType\" requires "
                                   "\"refTable\"");
        } else if (!strcmp(s, "weak")) {
            base->uuid.ref_type = DB_REF_WEAK;
        } else if (strcmp(s, "strong")) {
            return db_syntax_error(object, "\"refType\" must be \"strong\" "
                                   "or \"weak\"");
        }
    }
    return NULL;
}

/* The constraint members of a base type object, each with the one atomic
 * type that allows it and whether "enum" excludes it. */
struct constraint_member {
    const char *name;
    enum db_atomic_type type;
    bool excluded_by_enum;
};

static const struct constraint_member constraint_members[] = {
    { "minInteger", DB_TYPE_INTEGER, true },
    { "maxInteger", DB_TYPE_INTEGER, true },
    { "minReal", DB_TYPE_REAL, true },
    { "maxReal", DB_TYPE_REAL, true },
    { "minLength", DB_TYPE_STRING, true },
    { "maxLength", DB_TYPE_STRING, true },
    { "refTable", DB_TYPE_UUID, false },
    { "refType", DB_TYPE_UUID, false },
};

/* Checks that every constraint member present in OBJECT suits TYPE and,
 * if OBJECT has an "enum", that "enum" does not exclude it (RFC 7047:
 * "enum" is mutually exclusive with the range and length constraints). */
static struct db_error *
check_constraint_members(const struct json_object *object,
                         enum db_atomic_type type)
{
    bool has_enum = get_member(object, "enum") != NULL;

    for (size_t i = 0; i < ARRAY_SIZE(constraint_members); i++) {
        const struct constraint_member *m = &constraint_members[i];

        if (!get_member(object, m->name)) {
            continue;
        } else if (m->type != type) {
            return db_syntax_error(object, "\"%s\" is not allowed for type "
                                   "%s", m->name,
                                   db_atomic_type_to_string(type));
        } else if (has_enum && m->excluded_by_enum) {
            return db_syntax_error(object, "\"enum\" and \"%s\" are "
                                   "mutually exclusive", m->name);
        }
    }
    return NULL;
}

static struct db_error *
parse_enum(struct db_base_type *base, const struct json_object *object)
{
    const struct json_object *json = get_member(object, "enum");

    if (!json) {
        return NULL;
    }

    struct db_type type = enum_type(base);
    struct db_datum *datum = xmalloc(sizeof *datum);
    struct db_error *error = db_datum_from_json(datum, &type, json, NULL);
    if (error) {
        struct db_error *syntax = db_syntax_error(
            object, "bad \"enum\": %s",
            error->details ? error->details : error->tag);
        db_error_destroy(error);
        free(datum);
        return syntax;
    }
    base->enum_ = datum;
    return NULL;
}

static const char *const base_type_members[] = {
    "type", "enum", "minInteger", "maxInteger", "minReal", "maxReal",
    "minLength", "maxLength", "refTable", "refType",
};

static struct db_error *
parse_base_type_object(struct db_base_type *base,
                       const struct json_object *object)
{
    const struct json_object *type_json = get_member(object, "type");
    enum db_atomic_type type;
    struct db_error *error;

    error = check_members(object, base_type_members,
                          ARRAY_SIZE(base_type_members));
    if (error) {
        return error;
    } else if (!type_json) {
        return db_syntax_error(object, "missing \"type\"");
    }
    error = parse_atomic_type(&type, type_json);
    if (!error) {
        error = check_constraint_members(object, type);
    }
    if (error) {
        return error;
    }

    db_base_type_init(base, type);
    switch (type) {
    case DB_TYPE_INTEGER:
        error = parse_integer_bounds(base, object);
        break;
    case DB_TYPE_REAL:
        error = parse_real_bounds(base, object);
        break;
    case DB_TYPE_STRING:
        error = parse_string_bounds(base, object);
        break;
    case DB_TYPE_UUID:
        error = parse_ref(base, object);
        break;
    case DB_TYPE_VOID:
    case DB_TYPE_BOOLEAN:
    case DB_N_TYPES:
    default:
        break;
    }
    return error ? error : parse_enum(base, object);
}

struct db_error *
db_base_type_from_json(struct db_base_type *base,
                       const struct json_object *json)
{
    struct db_error *error;

    db_base_type_init(base, DB_TYPE_VOID);
    if (json_object_is_type(json, json_type_object)) {
        error = parse_base_type_object(base, json);
    } else {
        enum db_atomic_type type;

        error = parse_atomic_type(&type, json);
        if (!error) {
            db_base_type_init(base, type);
        }
    }

    if (error) {
        db_base_type_destroy(base);
        db_base_type_init(base, DB_TYPE_VOID);
    }
    return error;
}

/* Adds the members for BASE's bounds to OBJECT. */
static void
put_bounds(struct json_object *object, const struct db_base_type *base)
{
    switch (base->type) {
    case DB_TYPE_INTEGER:
        if (base->integer.min != INT64_MIN) {
            json_object_object_add(object, "minInteger",
                                   json_object_new_int64(base->integer.min));
        }
        if (base->integer.max != INT64_MAX) {
            json_object_object_add(object, "maxInteger",
                                   json_object_new_int64(base->integer.max));
        }
        break;
    case DB_TYPE_REAL:
        if (base->real.min != -DBL_MAX) {
            union db_atom atom = { .real = base->real.min };
            json_object_object_add(object, "minReal",
                                   db_atom_to_json(&atom, DB_TYPE_REAL));
        }
        if (base->real.max != DBL_MAX) {
            union db_atom atom = { .real = base->real.max };
            json_object_object_add(object, "maxReal",
                                   db_atom_to_json(&atom, DB_TYPE_REAL));
        }
        break;
    case DB_TYPE_STRING:
        if (base->string.min_len != 0) {
            json_object_object_add(
                object, "minLength",
                json_object_new_int64(base->string.min_len));
        }
        if (base->string.max_len != UINT_MAX) {
            json_object_object_add(
                object, "maxLength",
                json_object_new_int64(base->string.max_len));
        }
        break;
    case DB_TYPE_VOID:
    case DB_TYPE_BOOLEAN:
    case DB_TYPE_UUID:
    case DB_N_TYPES:
    default:
        break;
    }
}

struct json_object *
db_base_type_to_json(const struct db_base_type *base)
{
    const char *name = db_atomic_type_to_string(base->type);

    if (!db_base_type_has_constraints(base)) {
        return json_object_new_string(name);
    }

    struct json_object *object = json_object_new_object();
    json_object_object_add(object, "type", json_object_new_string(name));
    if (base->enum_) {
        struct db_type type = enum_type(base);
        json_object_object_add(object, "enum",
                               db_datum_to_json(base->enum_, &type));
    }
    put_bounds(object, base);
    if (db_base_type_is_ref(base)) {
        json_object_object_add(
            object, "refTable",
            json_object_new_string(base->uuid.ref_table_name));
        if (base->uuid.ref_type == DB_REF_WEAK) {
            json_object_object_add(object, "refType",
                                   json_object_new_string("weak"));
        }
    }
    return object;
}

/* Column types. */

void
db_type_init_scalar(struct db_type *type, enum db_atomic_type atomic)
{
    db_base_type_init(&type->key, atomic);
    db_base_type_init(&type->value, DB_TYPE_VOID);
    type->n_min = 1;
    type->n_max = 1;
}

void
db_type_clone(struct db_type *dst, const struct db_type *src)
{
    db_base_type_clone(&dst->key, &src->key);
    db_base_type_clone(&dst->value, &src->value);
    dst->n_min = src->n_min;
    dst->n_max = src->n_max;
}

void
db_type_destroy(struct db_type *type)
{
    db_base_type_destroy(&type->key);
    db_base_type_destroy(&type->value);
}

bool
db_type_is_valid(const struct db_type *type)
{
    return (type->key.type != DB_TYPE_VOID
            && db_base_type_is_valid(&type->key)
            && db_base_type_is_valid(&type->value)
            && type->n_min <= 1
            && type->n_max >= 1);
}

static struct db_error *
parse_min(struct db_type *type, const struct json_object *object)
{
    int64_t n_min = 1;
    struct db_error *error = parse_int_member(object, "min", 0, 1, &n_min);

    type->n_min = n_min;
    return error;
}

static struct db_error *
parse_max(struct db_type *type, const struct json_object *object)
{
    const struct json_object *json = get_member(object, "max");

    if (json && json_object_is_type(json, json_type_string)) {
        if (strcmp(json_object_get_string(json_nonconst(json)),
                   "unlimited")) {
            return db_syntax_error(object, "\"max\" must be a positive "
                                   "integer or \"unlimited\"");
        }
        type->n_max = DB_N_MAX_UNLIMITED;
        return NULL;
    }

    int64_t n_max = 1;
    struct db_error *error = parse_int_member(object, "max", 1,
                                              DB_N_MAX_UNLIMITED - 1,
                                              &n_max);
    type->n_max = n_max;
    return error;
}

static const char *const type_members[] = { "key", "value", "min", "max" };

static struct db_error *
parse_type_object(struct db_type *type, const struct json_object *object)
{
    const struct json_object *key = get_member(object, "key");
    const struct json_object *value = get_member(object, "value");
    struct db_error *error;

    error = check_members(object, type_members, ARRAY_SIZE(type_members));
    if (error) {
        return error;
    } else if (!key) {
        return db_syntax_error(object, "missing \"key\"");
    }

    error = db_base_type_from_json(&type->key, key);
    if (!error && value) {
        error = db_base_type_from_json(&type->value, value);
    }
    if (!error) {
        error = parse_min(type, object);
    }
    if (!error) {
        error = parse_max(type, object);
    }
    return error;
}

struct db_error *
db_type_from_json(struct db_type *type, const struct json_object *json)
{
    struct db_error *error;

    db_type_init_scalar(type, DB_TYPE_VOID);
    if (json_object_is_type(json, json_type_object)) {
        error = parse_type_object(type, json);
    } else if (json_object_is_type(json, json_type_string)) {
        error = db_base_type_from_json(&type->key, json);
    } else {
        error = db_syntax_error(json, "expected a type (an atomic type name "
                                "or an object with \"key\")");
    }

    if (error) {
        db_type_destroy(type);
        db_type_init_scalar(type, DB_TYPE_VOID);
    }
    return error;
}

struct json_object *
db_type_to_json(const struct db_type *type)
{
    if (db_type_is_scalar(type)
        && !db_base_type_has_constraints(&type->key)) {
        return db_base_type_to_json(&type->key);
    }

    struct json_object *object = json_object_new_object();
    json_object_object_add(object, "key", db_base_type_to_json(&type->key));
    if (type->value.type != DB_TYPE_VOID) {
        json_object_object_add(object, "value",
                               db_base_type_to_json(&type->value));
    }
    if (type->n_min != 1) {
        json_object_object_add(object, "min",
                               json_object_new_int64(type->n_min));
    }
    if (type->n_max == DB_N_MAX_UNLIMITED) {
        json_object_object_add(object, "max",
                               json_object_new_string("unlimited"));
    } else if (type->n_max != 1) {
        json_object_object_add(object, "max",
                               json_object_new_int64(type->n_max));
    }
    return object;
}
