/*
 * db-data: values of the database: atoms and datums (RFC 7047 section
 * 5.1).
 *
 * An atom is one integer, real, boolean, string or uuid.  A datum is the
 * value of one column in one row: a set of keys, or a map from keys to
 * values, kept sorted by key with no duplicate keys, so that equal datums
 * are equal element by element.  A scalar column's datum has one key.
 *
 * JSON forms:
 *   atoms:  5   2.5   true   "text"   ["uuid", "550e8400-..."]
 *           ["named-uuid", "name"]   (only within a transaction)
 *   sets:   an atom alone (a one-element set), or ["set", [atom...]]
 *   maps:   ["map", [[key, value]...]]
 *
 * Untrusted JSON is validated completely by the from_json functions:
 * types, the column's constraints (enum, ranges, lengths), element counts
 * (min/max), duplicate keys.  Errors name the bad value.  A datum's
 * memory is owned by the datum; the atoms' strings are owned by their
 * datum too.
 */
#ifndef SKIFF_DB_DATA_H
#define SKIFF_DB_DATA_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "db-types.h"
#include "hmap.h"
#include "util.h"
#include "uuid.h"

struct db_error;
struct ds;

union db_atom {
    int64_t integer;
    double real;
    bool boolean;
    char *string;
    struct uuid uuid;
};

/* The default atom of TYPE: 0, 0.0, false, "", or the all-zero uuid. */
void db_atom_init_default(union db_atom *, enum db_atomic_type);
bool db_atom_is_default(const union db_atom *, enum db_atomic_type);
void db_atom_clone(union db_atom *dst, const union db_atom *src,
                   enum db_atomic_type);
void db_atom_destroy(union db_atom *, enum db_atomic_type);
int db_atom_compare_3way(const union db_atom *, const union db_atom *,
                         enum db_atomic_type);
bool db_atom_equals(const union db_atom *, const union db_atom *,
                    enum db_atomic_type);
uint32_t db_atom_hash(const union db_atom *, enum db_atomic_type,
                      uint32_t basis);

/* Named uuids in a transaction ("uuid-name" of an insert and the
 * ["named-uuid", NAME] atoms that refer to it). */
struct db_symbol {
    struct hmap_node node;      /* In struct db_symbol_table, by name. */
    char *name;
    struct uuid uuid;
    bool created;               /* Defined by an insert's uuid-name. */
};

struct db_symbol_table {
    struct hmap symbols;
};

void db_symbol_table_init(struct db_symbol_table *);
void db_symbol_table_destroy(struct db_symbol_table *);
struct db_symbol *db_symbol_table_get(const struct db_symbol_table *,
                                      const char *name);
/* Returns NAME's symbol, adding it with a fresh uuid if new. */
struct db_symbol *db_symbol_table_insert(struct db_symbol_table *,
                                         const char *name);

/* Parses an atom of BASE's type from JSON and checks BASE's constraints.
 * SYMTAB resolves ["named-uuid", NAME] (NULL: named uuids are not allowed
 * here).  On error, *atom is left uninitialized. */
struct db_error *db_atom_from_json(union db_atom *,
                                   const struct db_base_type *base,
                                   const struct json_object *,
                                   struct db_symbol_table *symtab)
    WARN_UNUSED_RESULT;
struct json_object *db_atom_to_json(const union db_atom *,
                                    enum db_atomic_type);

/* Checks BASE's constraints (enum, range, length) on ATOM, whose type
 * must be BASE's. */
struct db_error *db_atom_check_constraints(const union db_atom *,
                                           const struct db_base_type *)
    WARN_UNUSED_RESULT;

/* Appends ATOM as text, as a person would type it: 5, 2.5, true, a bare
 * word or a quoted string, a uuid.  A string is bare if it is made of
 * letters, digits and "_-./:" only and cannot be read as a number or a
 * boolean; otherwise it is quoted as in JSON.  A real always has a '.' or
 * an exponent ("3.0"). */
void db_atom_to_string(const union db_atom *, enum db_atomic_type,
                       struct ds *);

struct db_datum {
    unsigned int n;             /* Number of elements. */
    union db_atom *keys;        /* n keys, sorted, unique. */
    union db_atom *values;      /* n values for a map, else NULL. */
};

/* An empty datum (valid where n_min is 0). */
void db_datum_init_empty(struct db_datum *);
/* The default datum of TYPE: empty if it may be, else one default key
 * (and value). */
void db_datum_init_default(struct db_datum *, const struct db_type *);
bool db_datum_is_default(const struct db_datum *, const struct db_type *);
/* A one-element datum holding a copy of KEY (and VALUE, if nonnull). */
void db_datum_init_single(struct db_datum *, const struct db_type *,
                          const union db_atom *key,
                          const union db_atom *value);
void db_datum_clone(struct db_datum *dst, const struct db_datum *src,
                    const struct db_type *);
void db_datum_destroy(struct db_datum *, const struct db_type *);
void db_datum_swap(struct db_datum *, struct db_datum *);

bool db_datum_equals(const struct db_datum *, const struct db_datum *,
                     const struct db_type *);
int db_datum_compare_3way(const struct db_datum *, const struct db_datum *,
                          const struct db_type *);
uint32_t db_datum_hash(const struct db_datum *, const struct db_type *,
                       uint32_t basis);

/* Index of KEY in DATUM, or UINT_MAX. */
unsigned int db_datum_find_key(const struct db_datum *,
                               const union db_atom *key,
                               enum db_atomic_type);
/* Index of the (KEY, VALUE) pair in a map DATUM, or UINT_MAX. */
unsigned int db_datum_find_key_value(const struct db_datum *,
                                     const union db_atom *key,
                                     const union db_atom *value,
                                     const struct db_type *);

/* True if every element of A is in B (for a map: every pair). */
bool db_datum_includes_all(const struct db_datum *a,
                           const struct db_datum *b,
                           const struct db_type *);
/* True if no element of A is in B (for a map: no pair). */
bool db_datum_excludes_all(const struct db_datum *a,
                           const struct db_datum *b,
                           const struct db_type *);

/* DST gains B's elements that it lacks; for a map, keys already in DST
 * keep their values (RFC 7047 "insert"). */
void db_datum_union(struct db_datum *dst, const struct db_datum *b,
                    const struct db_type *);
/* Removes from DST the elements of B.  B's type is B_TYPE: for a map DST,
 * a set B removes by key and a map B removes matching pairs (RFC 7047
 * "delete"). */
void db_datum_subtract(struct db_datum *dst, const struct db_type *dst_type,
                       const struct db_datum *b,
                       const struct db_type *b_type);

/* Adds KEY (taking it) and VALUE (taking it; NULL for a set) without
 * sorting; db_datum_sort_unique() must follow before the datum is used. */
void db_datum_add_unsafe(struct db_datum *, const union db_atom *key,
                         const union db_atom *value);
/* Sorts by key.  Returns an error naming a duplicate key, if any. */
struct db_error *db_datum_sort_unique(struct db_datum *,
                                      const struct db_type *)
    WARN_UNUSED_RESULT;

/* Parses JSON into a datum of TYPE and validates it fully (constraints,
 * counts, duplicates).  SYMTAB as for db_atom_from_json().  Wrong JSON
 * shapes and types are "syntax error"s; values outside the constraints,
 * duplicates and wrong counts ("3 elements but column allows at most 1")
 * are "constraint violation"s.  On error, *datum is empty. */
struct db_error *db_datum_from_json(struct db_datum *,
                                    const struct db_type *,
                                    const struct json_object *,
                                    struct db_symbol_table *symtab)
    WARN_UNUSED_RESULT;
/* A map as ["map", ...], a one-element set or scalar as the atom alone,
 * other sets as ["set", ...]. */
struct json_object *db_datum_to_json(const struct db_datum *,
                                     const struct db_type *);

/* Checks the element count against TYPE's n_min and n_max, and every
 * atom against TYPE's constraints. */
struct db_error *db_datum_check(const struct db_datum *,
                                const struct db_type *)
    WARN_UNUSED_RESULT;

/* Appends DATUM as text: "5", "[1, 2]", "{a=b, c=d}". */
void db_datum_to_string(const struct db_datum *, const struct db_type *,
                        struct ds *);

#endif /* db-data.h */
