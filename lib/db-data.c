/* db-data: atoms and datums of the database, and their JSON forms. */
#include <config.h>

#include "db-data.h"

#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "db-error.h"
#include "dynamic-string.h"
#include "hash.h"
#include "utf8.h"
#include "util.h"

static void NO_RETURN
bad_type(enum db_atomic_type type)
{
    skiff_error(0, "db-data: atomic type %d used where it has no atoms",
                (int) type);
    abort();
}

/* Atoms. */

void
db_atom_init_default(union db_atom *atom, enum db_atomic_type type)
{
    switch (type) {
    case DB_TYPE_INTEGER:
        atom->integer = 0;
        break;
    case DB_TYPE_REAL:
        atom->real = 0.0;
        break;
    case DB_TYPE_BOOLEAN:
        atom->boolean = false;
        break;
    case DB_TYPE_STRING:
        atom->string = xstrdup("");
        break;
    case DB_TYPE_UUID:
        uuid_zero(&atom->uuid);
        break;
    case DB_TYPE_VOID:
    case DB_N_TYPES:
    default:
        bad_type(type);
    }
}

bool
db_atom_is_default(const union db_atom *atom, enum db_atomic_type type)
{
    switch (type) {
    case DB_TYPE_INTEGER:
        return atom->integer == 0;
    case DB_TYPE_REAL:
        return atom->real == 0.0;
    case DB_TYPE_BOOLEAN:
        return !atom->boolean;
    case DB_TYPE_STRING:
        return atom->string[0] == '\0';
    case DB_TYPE_UUID:
        return uuid_is_zero(&atom->uuid);
    case DB_TYPE_VOID:
    case DB_N_TYPES:
    default:
        bad_type(type);
    }
}

void
db_atom_clone(union db_atom *dst, const union db_atom *src,
              enum db_atomic_type type)
{
    if (type == DB_TYPE_STRING) {
        dst->string = xstrdup(src->string);
    } else {
        *dst = *src;
    }
}

void
db_atom_destroy(union db_atom *atom, enum db_atomic_type type)
{
    if (type == DB_TYPE_STRING) {
        free(atom->string);
        atom->string = NULL;
    }
}

int
db_atom_compare_3way(const union db_atom *a, const union db_atom *b,
                     enum db_atomic_type type)
{
    switch (type) {
    case DB_TYPE_INTEGER:
        return (a->integer > b->integer) - (a->integer < b->integer);
    case DB_TYPE_REAL:
        return (a->real > b->real) - (a->real < b->real);
    case DB_TYPE_BOOLEAN:
        return (int) a->boolean - (int) b->boolean;
    case DB_TYPE_STRING: {
        int cmp = strcmp(a->string, b->string);
        return (cmp > 0) - (cmp < 0);
    }
    case DB_TYPE_UUID:
        return uuid_compare_3way(&a->uuid, &b->uuid);
    case DB_TYPE_VOID:
    case DB_N_TYPES:
    default:
        bad_type(type);
    }
}

bool
db_atom_equals(const union db_atom *a, const union db_atom *b,
               enum db_atomic_type type)
{
    return !db_atom_compare_3way(a, b, type);
}

static uint32_t
hash_uint64(uint64_t x, uint32_t basis)
{
    return hash_finish(hash_add(hash_add(basis, (uint32_t) x),
                                (uint32_t) (x >> 32)), 8);
}

uint32_t
db_atom_hash(const union db_atom *atom, enum db_atomic_type type,
             uint32_t basis)
{
    switch (type) {
    case DB_TYPE_INTEGER:
        return hash_uint64((uint64_t) atom->integer, basis);
    case DB_TYPE_REAL: {
        /* -0.0 equals 0.0, so both must hash alike. */
        double real = atom->real == 0.0 ? 0.0 : atom->real;
        uint64_t bits;

        memcpy(&bits, &real, sizeof bits);
        return hash_uint64(bits, basis);
    }
    case DB_TYPE_BOOLEAN:
        return hash_int(atom->boolean, basis);
    case DB_TYPE_STRING:
        return hash_string(atom->string, basis);
    case DB_TYPE_UUID:
        return hash_int(uuid_hash(&atom->uuid), basis);
    case DB_TYPE_VOID:
    case DB_N_TYPES:
    default:
        bad_type(type);
    }
}

/* Symbol tables. */

static pthread_once_t symbol_basis_once = PTHREAD_ONCE_INIT;
static uint32_t symbol_basis;

/* Symbol names come from clients, so their hashes use a random basis. */
static void
init_symbol_basis(void)
{
    struct uuid uuid;

    uuid_generate(&uuid);
    symbol_basis = uuid.parts[0];
}

static uint32_t
hash_symbol_name(const char *name)
{
    pthread_once(&symbol_basis_once, init_symbol_basis);
    return hash_string(name, symbol_basis);
}

void
db_symbol_table_init(struct db_symbol_table *symtab)
{
    hmap_init(&symtab->symbols);
}

void
db_symbol_table_destroy(struct db_symbol_table *symtab)
{
    struct db_symbol *symbol;

    HMAP_FOR_EACH_SAFE (symbol, node, &symtab->symbols) {
        hmap_remove(&symtab->symbols, &symbol->node);
        free(symbol->name);
        free(symbol);
    }
    hmap_destroy(&symtab->symbols);
}

struct db_symbol *
db_symbol_table_get(const struct db_symbol_table *symtab, const char *name)
{
    struct db_symbol *symbol;

    HMAP_FOR_EACH_WITH_HASH (symbol, node, hash_symbol_name(name),
                             &symtab->symbols) {
        if (!strcmp(symbol->name, name)) {
            return symbol;
        }
    }
    return NULL;
}

struct db_symbol *
db_symbol_table_insert(struct db_symbol_table *symtab, const char *name)
{
    struct db_symbol *symbol = db_symbol_table_get(symtab, name);

    if (!symbol) {
        symbol = xzalloc(sizeof *symbol);
        symbol->name = xstrdup(name);
        uuid_generate(&symbol->uuid);
        symbol->created = false;
        hmap_insert(&symtab->symbols, &symbol->node,
                    hash_symbol_name(name));
    }
    return symbol;
}

/* UTF-8. */

/* Atoms from and to JSON. */

/* Writes the shortest text that reads back as REAL, always with a '.' or
 * an exponent so that it reads as a real, into BUF. */
static void
format_real(double real, char buf[32])
{
    for (int precision = 15; precision <= 17; precision++) {
        snprintf(buf, 32, "%.*g", precision, real);
        if (strtod(buf, NULL) == real) {
            break;
        }
    }
    if (!strpbrk(buf, ".eE")) {
        strcat(buf, ".0");
    }
}

/* Appends a description of ATOM for error messages: JSON for a string
 * (quoted, shortened), the plain text form otherwise. */
static void
describe_atom(const union db_atom *atom, enum db_atomic_type type,
              struct ds *s)
{
    if (type == DB_TYPE_STRING) {
        struct json_object *json = json_object_new_string(atom->string);
        char *excerpt = db_json_excerpt(json);

        ds_put_cstr(s, excerpt);
        free(excerpt);
        json_object_put(json);
    } else {
        db_atom_to_string(atom, type, s);
    }
}

static struct db_error *
parse_integer(union db_atom *atom, const struct json_object *json)
{
    if (json_object_is_type(json, json_type_int)) {
        int64_t x = json_object_get_int64(json);
        if (x != INT64_MAX || json_object_get_uint64(json) <= INT64_MAX) {
            atom->integer = x;
            return NULL;
        }
        return db_syntax_error(json, "integer out of range");
    }
    return db_syntax_error(json, "expected integer");
}

static struct db_error *
parse_real(union db_atom *atom, const struct json_object *json)
{
    if (json_object_is_type(json, json_type_int)
        || json_object_is_type(json, json_type_double)) {
        atom->real = json_object_get_double(json);
        if (isfinite(atom->real)) {
            return NULL;
        }
        return db_syntax_error(json, "real number out of range");
    }
    return db_syntax_error(json, "expected real number");
}

static struct db_error *
parse_boolean(union db_atom *atom, const struct json_object *json)
{
    if (json_object_is_type(json, json_type_boolean)) {
        atom->boolean = json_object_get_boolean(json);
        return NULL;
    }
    return db_syntax_error(json, "expected boolean");
}

static struct db_error *
parse_string(union db_atom *atom, const struct json_object *json)
{
    if (!json_object_is_type(json, json_type_string)) {
        return db_syntax_error(json, "expected string");
    }

    const char *s = json_object_get_string((struct json_object *) json);
    size_t len = json_object_get_string_len(json);
    if (memchr(s, '\0', len)) {
        return db_syntax_error(json, "string contains a NUL character");
    } else if (utf8_length(s, len) == SIZE_MAX) {
        return db_syntax_error(json, "string is not valid UTF-8");
    }
    atom->string = xmemdup(s, len + 1);
    return NULL;
}

/* If JSON is a 2-element array whose first element is a string, returns
 * that string and sets *SECOND to the second element; else NULL. */
static const char *
parse_tagged_pair(const struct json_object *json,
                  const struct json_object **second)
{
    if (!json_object_is_type(json, json_type_array)
        || json_object_array_length(json) != 2) {
        return NULL;
    }

    const struct json_object *first = json_object_array_get_idx(json, 0);
    if (!json_object_is_type(first, json_type_string)) {
        return NULL;
    }
    *second = json_object_array_get_idx(json, 1);
    return json_object_get_string((struct json_object *) first);
}

static struct db_error *
parse_uuid(union db_atom *atom, const struct json_object *json,
           struct db_symbol_table *symtab)
{
    const struct json_object *arg = NULL;
    const char *tag = parse_tagged_pair(json, &arg);
    const char *text = (json_object_is_type(arg, json_type_string)
                        ? json_object_get_string((struct json_object *) arg)
                        : NULL);

    if (!tag || !text
        || (strcmp(tag, "uuid") && strcmp(tag, "named-uuid"))) {
        return db_syntax_error(json, "expected [\"uuid\", <uuid>] or "
                               "[\"named-uuid\", <name>]");
    } else if (!strcmp(tag, "uuid")) {
        if (!uuid_from_string(&atom->uuid, text)) {
            return db_syntax_error(arg, "not a valid UUID");
        }
    } else if (!symtab) {
        return db_syntax_error(json, "named-uuid is not allowed here");
    } else if (!text[0]) {
        return db_syntax_error(json, "named-uuid needs a name");
    } else {
        atom->uuid = db_symbol_table_insert(symtab, text)->uuid;
    }
    return NULL;
}

/* Parses JSON as an atom of TYPE, without checking any constraint. */
static struct db_error *
parse_atom(union db_atom *atom, enum db_atomic_type type,
           const struct json_object *json, struct db_symbol_table *symtab)
{
    switch (type) {
    case DB_TYPE_INTEGER:
        return parse_integer(atom, json);
    case DB_TYPE_REAL:
        return parse_real(atom, json);
    case DB_TYPE_BOOLEAN:
        return parse_boolean(atom, json);
    case DB_TYPE_STRING:
        return parse_string(atom, json);
    case DB_TYPE_UUID:
        return parse_uuid(atom, json, symtab);
    case DB_TYPE_VOID:
    case DB_N_TYPES:
    default:
        return db_syntax_error(json, "no value expected here");
    }
}

struct db_error *
db_atom_from_json(union db_atom *atom, const struct db_base_type *base,
                  const struct json_object *json,
                  struct db_symbol_table *symtab)
{
    struct db_error *error = parse_atom(atom, base->type, json, symtab);

    if (!error) {
        error = db_atom_check_constraints(atom, base);
        if (error) {
            db_atom_destroy(atom, base->type);
        }
    }
    return error;
}

struct json_object *
db_atom_to_json(const union db_atom *atom, enum db_atomic_type type)
{
    switch (type) {
    case DB_TYPE_INTEGER:
        return json_object_new_int64(atom->integer);
    case DB_TYPE_REAL: {
        char buf[32];

        format_real(atom->real, buf);
        return json_object_new_double_s(atom->real, buf);
    }
    case DB_TYPE_BOOLEAN:
        return json_object_new_boolean(atom->boolean);
    case DB_TYPE_STRING:
        return json_object_new_string(atom->string);
    case DB_TYPE_UUID: {
        char text[UUID_LEN + 1];
        struct json_object *json = json_object_new_array();

        uuid_to_string(&atom->uuid, text);
        json_object_array_add(json, json_object_new_string("uuid"));
        json_object_array_add(json, json_object_new_string(text));
        return json;
    }
    case DB_TYPE_VOID:
    case DB_N_TYPES:
    default:
        bad_type(type);
    }
}

/* Constraints. */

static struct db_error *
constraint_violation(const union db_atom *atom, enum db_atomic_type type,
                     const char *format, ...)
    PRINTF_FORMAT(3, 4);

/* Returns a "constraint violation" whose details are ATOM's description
 * followed by the formatted text. */
static struct db_error *
constraint_violation(const union db_atom *atom, enum db_atomic_type type,
                     const char *format, ...)
{
    struct ds details = DS_EMPTY_INITIALIZER;
    va_list args;

    describe_atom(atom, type, &details);
    va_start(args, format);
    ds_put_format_valist(&details, format, args);
    va_end(args);

    struct db_error *error = db_error_create("constraint violation", "%s",
                                             ds_cstr(&details));
    ds_destroy(&details);
    return error;
}

static struct db_error *
check_enum(const union db_atom *atom, const struct db_base_type *base)
{
    if (db_datum_find_key(base->enum_, atom, base->type) != UINT_MAX) {
        return NULL;
    }

    /* Names the allowed values too, unless there are very many. */
    struct db_type enum_type;
    struct ds allowed = DS_EMPTY_INITIALIZER;

    db_type_init_scalar(&enum_type, base->type);
    enum_type.n_min = 0;
    enum_type.n_max = DB_N_MAX_UNLIMITED;
    db_datum_to_string(base->enum_, &enum_type, &allowed);
    if (allowed.length > 200) {
        ds_truncate(&allowed, 0);
    }

    struct db_error *error = constraint_violation(
        atom, base->type, " is not one of the allowed values%s%s",
        allowed.length ? " " : "", ds_cstr(&allowed));
    ds_destroy(&allowed);
    return error;
}

static struct db_error *
check_integer(const union db_atom *atom, const struct db_base_type *base)
{
    if (atom->integer < base->integer.min) {
        return constraint_violation(atom, base->type, " is less than the "
                                    "minimum allowed value %"PRId64,
                                    base->integer.min);
    } else if (atom->integer > base->integer.max) {
        return constraint_violation(atom, base->type, " is greater than "
                                    "the maximum allowed value %"PRId64,
                                    base->integer.max);
    }
    return NULL;
}

static struct db_error *
check_real(const union db_atom *atom, const struct db_base_type *base)
{
    char bound[32];

    if (!isfinite(atom->real)) {
        return constraint_violation(atom, base->type, " is not a finite "
                                    "number");
    } else if (atom->real < base->real.min) {
        format_real(base->real.min, bound);
        return constraint_violation(atom, base->type, " is less than the "
                                    "minimum allowed value %s", bound);
    } else if (atom->real > base->real.max) {
        format_real(base->real.max, bound);
        return constraint_violation(atom, base->type, " is greater than "
                                    "the maximum allowed value %s", bound);
    }
    return NULL;
}

static struct db_error *
check_string(const union db_atom *atom, const struct db_base_type *base)
{
    size_t n_chars = utf8_length(atom->string, strlen(atom->string));

    if (n_chars == SIZE_MAX) {
        return constraint_violation(atom, base->type, " is not valid "
                                    "UTF-8");
    } else if (n_chars < base->string.min_len) {
        return constraint_violation(atom, base->type, " is %zu characters "
                                    "long, less than the minimum length "
                                    "%u", n_chars, base->string.min_len);
    } else if (n_chars > base->string.max_len) {
        return constraint_violation(atom, base->type, " is %zu characters "
                                    "long, more than the maximum length "
                                    "%u", n_chars, base->string.max_len);
    }
    return NULL;
}

struct db_error *
db_atom_check_constraints(const union db_atom *atom,
                          const struct db_base_type *base)
{
    if (base->enum_) {
        struct db_error *error = check_enum(atom, base);
        if (error) {
            return error;
        }
    }

    switch (base->type) {
    case DB_TYPE_INTEGER:
        return check_integer(atom, base);
    case DB_TYPE_REAL:
        return check_real(atom, base);
    case DB_TYPE_STRING:
        return check_string(atom, base);
    case DB_TYPE_BOOLEAN:
    case DB_TYPE_UUID:
        return NULL;
    case DB_TYPE_VOID:
    case DB_N_TYPES:
    default:
        bad_type(base->type);
    }
}

/* Atoms as text. */

/* True if S can be written without quotes: it is made of letters, digits,
 * and "_-./:" only, and it cannot be read as a number or a boolean (it
 * does not start with a digit, '-' or '.', and is not true or false). */
static bool
string_is_bare_word(const char *s)
{
    if (!*s || strchr("0123456789-.", *s)
        || !strcmp(s, "true") || !strcmp(s, "false")) {
        return false;
    }
    for (; *s; s++) {
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')
              || (*s >= '0' && *s <= '9') || strchr("_-./:", *s))) {
            return false;
        }
    }
    return true;
}

void
db_atom_to_string(const union db_atom *atom, enum db_atomic_type type,
                  struct ds *s)
{
    switch (type) {
    case DB_TYPE_INTEGER:
        ds_put_format(s, "%"PRId64, atom->integer);
        break;
    case DB_TYPE_REAL: {
        char buf[32];

        format_real(atom->real, buf);
        ds_put_cstr(s, buf);
        break;
    }
    case DB_TYPE_BOOLEAN:
        ds_put_cstr(s, atom->boolean ? "true" : "false");
        break;
    case DB_TYPE_STRING:
        if (string_is_bare_word(atom->string)) {
            ds_put_cstr(s, atom->string);
        } else {
            struct json_object *json = json_object_new_string(atom->string);
            ds_put_cstr(s, json_object_to_json_string_ext(
                            json, JSON_C_TO_STRING_NOSLASHESCAPE));
            json_object_put(json);
        }
        break;
    case DB_TYPE_UUID:
        ds_put_format(s, UUID_FMT, UUID_ARGS(&atom->uuid));
        break;
    case DB_TYPE_VOID:
    case DB_N_TYPES:
    default:
        bad_type(type);
    }
}

/* Datums. */

void
db_datum_init_empty(struct db_datum *datum)
{
    datum->n = 0;
    datum->keys = NULL;
    datum->values = NULL;
}

void
db_datum_init_default(struct db_datum *datum, const struct db_type *type)
{
    if (type->n_min == 0) {
        db_datum_init_empty(datum);
        return;
    }

    datum->n = 1;
    datum->keys = xmalloc(sizeof *datum->keys);
    db_atom_init_default(&datum->keys[0], type->key.type);
    if (db_type_is_map(type)) {
        datum->values = xmalloc(sizeof *datum->values);
        db_atom_init_default(&datum->values[0], type->value.type);
    } else {
        datum->values = NULL;
    }
}

bool
db_datum_is_default(const struct db_datum *datum, const struct db_type *type)
{
    if (type->n_min == 0) {
        return datum->n == 0;
    }
    return (datum->n == 1
            && db_atom_is_default(&datum->keys[0], type->key.type)
            && (!db_type_is_map(type)
                || db_atom_is_default(&datum->values[0],
                                      type->value.type)));
}

void
db_datum_init_single(struct db_datum *datum, const struct db_type *type,
                     const union db_atom *key, const union db_atom *value)
{
    datum->n = 1;
    datum->keys = xmalloc(sizeof *datum->keys);
    db_atom_clone(&datum->keys[0], key, type->key.type);
    if (value) {
        datum->values = xmalloc(sizeof *datum->values);
        db_atom_clone(&datum->values[0], value, type->value.type);
    } else {
        datum->values = NULL;
    }
}

static union db_atom *
clone_atoms(const union db_atom *atoms, unsigned int n,
            enum db_atomic_type type)
{
    if (!atoms || !n) {
        return NULL;
    }

    union db_atom *clones = xmalloc(n * sizeof *clones);
    for (unsigned int i = 0; i < n; i++) {
        db_atom_clone(&clones[i], &atoms[i], type);
    }
    return clones;
}

void
db_datum_clone(struct db_datum *dst, const struct db_datum *src,
               const struct db_type *type)
{
    dst->n = src->n;
    dst->keys = clone_atoms(src->keys, src->n, type->key.type);
    dst->values = clone_atoms(src->values, src->n, type->value.type);
}

static void
destroy_atoms(union db_atom *atoms, unsigned int n, enum db_atomic_type type)
{
    if (atoms && type == DB_TYPE_STRING) {
        for (unsigned int i = 0; i < n; i++) {
            free(atoms[i].string);
        }
    }
    free(atoms);
}

void
db_datum_destroy(struct db_datum *datum, const struct db_type *type)
{
    destroy_atoms(datum->keys, datum->n, type->key.type);
    destroy_atoms(datum->values, datum->n, type->value.type);
    db_datum_init_empty(datum);
}

void
db_datum_swap(struct db_datum *a, struct db_datum *b)
{
    struct db_datum tmp = *a;
    *a = *b;
    *b = tmp;
}

bool
db_datum_equals(const struct db_datum *a, const struct db_datum *b,
                const struct db_type *type)
{
    return a->n == b->n && !db_datum_compare_3way(a, b, type);
}

/* Orders element by element (key, then value), then by count. */
int
db_datum_compare_3way(const struct db_datum *a, const struct db_datum *b,
                      const struct db_type *type)
{
    bool map = db_type_is_map(type);
    unsigned int n = MIN(a->n, b->n);

    for (unsigned int i = 0; i < n; i++) {
        int cmp = db_atom_compare_3way(&a->keys[i], &b->keys[i],
                                       type->key.type);
        if (!cmp && map) {
            cmp = db_atom_compare_3way(&a->values[i], &b->values[i],
                                       type->value.type);
        }
        if (cmp) {
            return cmp;
        }
    }
    return (a->n > b->n) - (a->n < b->n);
}

uint32_t
db_datum_hash(const struct db_datum *datum, const struct db_type *type,
              uint32_t basis)
{
    bool map = db_type_is_map(type);
    uint32_t hash = basis;

    for (unsigned int i = 0; i < datum->n; i++) {
        hash = db_atom_hash(&datum->keys[i], type->key.type, hash);
        if (map) {
            hash = db_atom_hash(&datum->values[i], type->value.type, hash);
        }
    }
    return hash_int(datum->n, hash);
}

unsigned int
db_datum_find_key(const struct db_datum *datum, const union db_atom *key,
                  enum db_atomic_type type)
{
    unsigned int lo = 0, hi = datum->n;

    while (lo < hi) {
        unsigned int mid = lo + (hi - lo) / 2;
        int cmp = db_atom_compare_3way(key, &datum->keys[mid], type);
        if (cmp < 0) {
            hi = mid;
        } else if (cmp > 0) {
            lo = mid + 1;
        } else {
            return mid;
        }
    }
    return UINT_MAX;
}

unsigned int
db_datum_find_key_value(const struct db_datum *datum,
                        const union db_atom *key,
                        const union db_atom *value,
                        const struct db_type *type)
{
    unsigned int i = db_datum_find_key(datum, key, type->key.type);

    if (i != UINT_MAX && value
        && !db_atom_equals(&datum->values[i], value, type->value.type)) {
        return UINT_MAX;
    }
    return i;
}

/* True if element I of A is also in B: its key, and for a map its value
 * too. */
static bool
element_is_in(const struct db_datum *a, unsigned int i,
              const struct db_datum *b, const struct db_type *type)
{
    const union db_atom *value = (db_type_is_map(type)
                                  ? &a->values[i] : NULL);
    return db_datum_find_key_value(b, &a->keys[i], value, type) != UINT_MAX;
}

bool
db_datum_includes_all(const struct db_datum *a, const struct db_datum *b,
                      const struct db_type *type)
{
    for (unsigned int i = 0; i < a->n; i++) {
        if (!element_is_in(a, i, b, type)) {
            return false;
        }
    }
    return true;
}

bool
db_datum_excludes_all(const struct db_datum *a, const struct db_datum *b,
                      const struct db_type *type)
{
    for (unsigned int i = 0; i < a->n; i++) {
        if (element_is_in(a, i, b, type)) {
            return false;
        }
    }
    return true;
}

/* Merges DST and B by key into new arrays; DST's elements move, B's are
 * copied, and where both have a key DST's element wins. */
void
db_datum_union(struct db_datum *dst, const struct db_datum *b,
               const struct db_type *type)
{
    if (!b->n) {
        return;
    }

    bool map = db_type_is_map(type);
    size_t max = (size_t) dst->n + b->n;
    union db_atom *keys = xmalloc(max * sizeof *keys);
    union db_atom *values = map ? xmalloc(max * sizeof *values) : NULL;
    unsigned int i = 0, j = 0, n = 0;

    while (i < dst->n || j < b->n) {
        int cmp = (i == dst->n ? 1
                   : j == b->n ? -1
                   : db_atom_compare_3way(&dst->keys[i], &b->keys[j],
                                          type->key.type));
        if (cmp <= 0) {
            keys[n] = dst->keys[i];
            if (map) {
                values[n] = dst->values[i];
            }
            i++;
            j += cmp == 0;
        } else {
            db_atom_clone(&keys[n], &b->keys[j], type->key.type);
            if (map) {
                db_atom_clone(&values[n], &b->values[j], type->value.type);
            }
            j++;
        }
        n++;
    }

    free(dst->keys);
    free(dst->values);
    dst->n = n;
    dst->keys = keys;
    dst->values = values;
}

void
db_datum_subtract(struct db_datum *dst, const struct db_type *dst_type,
                  const struct db_datum *b, const struct db_type *b_type)
{
    bool dst_map = db_type_is_map(dst_type);
    bool by_pair = dst_map && db_type_is_map(b_type);
    unsigned int n = 0;

    for (unsigned int i = 0; i < dst->n; i++) {
        unsigned int j = db_datum_find_key(b, &dst->keys[i],
                                           dst_type->key.type);
        bool remove = (j != UINT_MAX
                       && (!by_pair
                           || db_atom_equals(&dst->values[i], &b->values[j],
                                             dst_type->value.type)));
        if (remove) {
            db_atom_destroy(&dst->keys[i], dst_type->key.type);
            if (dst_map) {
                db_atom_destroy(&dst->values[i], dst_type->value.type);
            }
        } else {
            dst->keys[n] = dst->keys[i];
            if (dst_map) {
                dst->values[n] = dst->values[i];
            }
            n++;
        }
    }

    dst->n = n;
    if (!n) {
        free(dst->keys);
        free(dst->values);
        db_datum_init_empty(dst);
    }
}

void
db_datum_add_unsafe(struct db_datum *datum, const union db_atom *key,
                    const union db_atom *value)
{
    size_t n = (size_t) datum->n + 1;

    datum->keys = xrealloc(datum->keys, n * sizeof *datum->keys);
    datum->keys[datum->n] = *key;
    if (value) {
        datum->values = xrealloc(datum->values, n * sizeof *datum->values);
        datum->values[datum->n] = *value;
    }
    datum->n = n;
}

static int
compare_indexes(const void *a_, const void *b_, void *datum_and_type_)
{
    const unsigned int *a = a_, *b = b_;
    const void *const *datum_and_type = datum_and_type_;
    const struct db_datum *datum = datum_and_type[0];
    const struct db_type *type = datum_and_type[1];

    int cmp = db_atom_compare_3way(&datum->keys[*a], &datum->keys[*b],
                                   type->key.type);
    /* Ties by position keep the sort stable, hence deterministic. */
    return cmp ? cmp : (*a > *b) - (*a < *b);
}

/* Puts element INDEXES[i] of DATUM at position i, for each i. */
static void
permute(struct db_datum *datum, const unsigned int *indexes)
{
    union db_atom *keys = xmalloc(datum->n * sizeof *keys);
    union db_atom *values = (datum->values
                             ? xmalloc(datum->n * sizeof *values) : NULL);

    for (unsigned int i = 0; i < datum->n; i++) {
        keys[i] = datum->keys[indexes[i]];
        if (values) {
            values[i] = datum->values[indexes[i]];
        }
    }
    free(datum->keys);
    free(datum->values);
    datum->keys = keys;
    datum->values = values;
}

static bool
is_sorted(const struct db_datum *datum, const struct db_type *type)
{
    for (unsigned int i = 1; i < datum->n; i++) {
        if (db_atom_compare_3way(&datum->keys[i - 1], &datum->keys[i],
                                 type->key.type) >= 0) {
            return false;
        }
    }
    return true;
}

struct db_error *
db_datum_sort_unique(struct db_datum *datum, const struct db_type *type)
{
    if (datum->n < 2 || is_sorted(datum, type)) {
        return NULL;
    }

    unsigned int *indexes = xmalloc(datum->n * sizeof *indexes);
    const void *datum_and_type[2] = { datum, type };
    for (unsigned int i = 0; i < datum->n; i++) {
        indexes[i] = i;
    }
    qsort_r(indexes, datum->n, sizeof *indexes, compare_indexes,
            datum_and_type);
    permute(datum, indexes);
    free(indexes);

    for (unsigned int i = 1; i < datum->n; i++) {
        if (!db_atom_compare_3way(&datum->keys[i - 1], &datum->keys[i],
                                  type->key.type)) {
            const char *what = (db_type_is_map(type)
                                ? "duplicate key in map"
                                : "duplicate value in set");
            return constraint_violation(&datum->keys[i], type->key.type,
                                        ": %s", what);
        }
    }
    return NULL;
}

/* Datums from and to JSON. */

/* Parses the N atoms in the JSON array ELEMS into DATUM's keys, or each
 * [key, value] pair into its keys and values if PAIRS. */
static struct db_error *
parse_elements(struct db_datum *datum, const struct db_type *type,
               const struct json_object *elems, bool pairs,
               struct db_symbol_table *symtab)
{
    size_t n = json_object_array_length(elems);

    if (n > UINT_MAX - 1) {
        return db_error_create("syntax error", "%zu elements is too many",
                               n);
    }
    datum->keys = n ? xmalloc(n * sizeof *datum->keys) : NULL;
    datum->values = n && pairs ? xmalloc(n * sizeof *datum->values) : NULL;

    for (size_t i = 0; i < n; i++) {
        const struct json_object *elem = json_object_array_get_idx(elems, i);
        const struct json_object *key = elem, *value = NULL;
        struct db_error *error;

        if (pairs) {
            if (!json_object_is_type(elem, json_type_array)
                || json_object_array_length(elem) != 2) {
                return db_syntax_error(elem, "expected a [key, value] "
                                       "pair");
            }
            key = json_object_array_get_idx(elem, 0);
            value = json_object_array_get_idx(elem, 1);
        }

        error = db_atom_from_json(&datum->keys[i], &type->key, key, symtab);
        if (!error && pairs) {
            error = db_atom_from_json(&datum->values[i], &type->value,
                                      value, symtab);
            if (error) {
                db_atom_destroy(&datum->keys[i], type->key.type);
            }
        }
        if (error) {
            return error;
        }
        datum->n++;
    }
    return NULL;
}

static struct db_error *
parse_map(struct db_datum *datum, const struct db_type *type,
          const struct json_object *json, struct db_symbol_table *symtab)
{
    const struct json_object *pairs = NULL;
    const char *tag = parse_tagged_pair(json, &pairs);

    if (!tag || strcmp(tag, "map")
        || !json_object_is_type(pairs, json_type_array)) {
        return db_syntax_error(json, "expected [\"map\", [[key, value], "
                               "...]]");
    }
    return parse_elements(datum, type, pairs, true, symtab);
}

static struct db_error *
parse_set(struct db_datum *datum, const struct db_type *type,
          const struct json_object *json, struct db_symbol_table *symtab)
{
    const struct json_object *elems = NULL;
    const char *tag = parse_tagged_pair(json, &elems);

    if (tag && !strcmp(tag, "set")) {
        if (!json_object_is_type(elems, json_type_array)) {
            return db_syntax_error(json, "expected [\"set\", [value, "
                                   "...]]");
        }
        return parse_elements(datum, type, elems, false, symtab);
    }

    /* An atom alone is a one-element set. */
    datum->keys = xmalloc(sizeof *datum->keys);
    struct db_error *error = db_atom_from_json(&datum->keys[0], &type->key,
                                               json, symtab);
    if (!error) {
        datum->n = 1;
    }
    return error;
}

static struct db_error *
check_count(const struct db_datum *datum, const struct db_type *type)
{
    if (datum->n < type->n_min) {
        return db_error_create("constraint violation", "%u elements but "
                               "column requires at least %u", datum->n,
                               type->n_min);
    } else if (datum->n > type->n_max) {
        return db_error_create("constraint violation", "%u elements but "
                               "column allows at most %u", datum->n,
                               type->n_max);
    }
    return NULL;
}

struct db_error *
db_datum_from_json(struct db_datum *datum, const struct db_type *type,
                   const struct json_object *json,
                   struct db_symbol_table *symtab)
{
    struct db_error *error;

    db_datum_init_empty(datum);
    error = (db_type_is_map(type)
             ? parse_map(datum, type, json, symtab)
             : parse_set(datum, type, json, symtab));
    if (!error) {
        error = db_datum_sort_unique(datum, type);
    }
    if (!error) {
        error = check_count(datum, type);
    }
    if (error) {
        db_datum_destroy(datum, type);
    }
    return error;
}

struct json_object *
db_datum_to_json(const struct db_datum *datum, const struct db_type *type)
{
    bool map = db_type_is_map(type);

    if (!map && datum->n == 1) {
        return db_atom_to_json(&datum->keys[0], type->key.type);
    }

    struct json_object *elems = json_object_new_array();
    for (unsigned int i = 0; i < datum->n; i++) {
        struct json_object *key = db_atom_to_json(&datum->keys[i],
                                                  type->key.type);
        if (map) {
            struct json_object *pair = json_object_new_array();
            json_object_array_add(pair, key);
            json_object_array_add(pair,
                                  db_atom_to_json(&datum->values[i],
                                                  type->value.type));
            json_object_array_add(elems, pair);
        } else {
            json_object_array_add(elems, key);
        }
    }

    struct json_object *json = json_object_new_array();
    json_object_array_add(json, json_object_new_string(map ? "map" : "set"));
    json_object_array_add(json, elems);
    return json;
}

struct db_error *
db_datum_check(const struct db_datum *datum, const struct db_type *type)
{
    struct db_error *error = check_count(datum, type);

    for (unsigned int i = 0; !error && i < datum->n; i++) {
        error = db_atom_check_constraints(&datum->keys[i], &type->key);
        if (!error && db_type_is_map(type)) {
            error = db_atom_check_constraints(&datum->values[i],
                                              &type->value);
        }
    }
    return error;
}

void
db_datum_to_string(const struct db_datum *datum, const struct db_type *type,
                   struct ds *s)
{
    bool map = db_type_is_map(type);

    if (db_type_is_scalar(type) && datum->n == 1) {
        db_atom_to_string(&datum->keys[0], type->key.type, s);
        return;
    }

    ds_put_char(s, map ? '{' : '[');
    for (unsigned int i = 0; i < datum->n; i++) {
        if (i) {
            ds_put_cstr(s, ", ");
        }
        db_atom_to_string(&datum->keys[i], type->key.type, s);
        if (map) {
            ds_put_char(s, '=');
            db_atom_to_string(&datum->values[i], type->value.type, s);
        }
    }
    ds_put_char(s, map ? '}' : ']');
}
