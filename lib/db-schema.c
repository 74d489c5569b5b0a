/* db-schema: parsing, validating and writing database schemas. */
#include <config.h>

#include "db-schema.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "db-error.h"
#include "util.h"

/* An RFC 7047 <id>: a letter or '_', then letters, digits and '_'. */
static bool
is_id(const char *s)
{
    if (!isalpha((unsigned char) s[0]) && s[0] != '_') {
        return false;
    }
    for (s++; *s; s++) {
        if (!isalnum((unsigned char) *s) && *s != '_') {
            return false;
        }
    }
    return true;
}

/* Checks that OBJECT has only members named in ALLOWED (NULL-ended), none
 * of them null (get_member() could not tell null from absent). */
static struct db_error *
check_members(const struct json_object *object, const char *what,
              const char *const allowed[])
{
    json_object_object_foreach((struct json_object *) object, key, value) {
        size_t i;
        if (!value) {
            return db_syntax_error(object, "%s member \"%s\" is null",
                                   what, key);
        }
        for (i = 0; allowed[i]; i++) {
            if (!strcmp(key, allowed[i])) {
                break;
            }
        }
        if (!allowed[i]) {
            return db_syntax_error(object, "%s has unknown member \"%s\"",
                                   what, key);
        }
    }
    return NULL;
}

static struct json_object *
get_member(const struct json_object *object, const char *name)
{
    struct json_object *value;
    return (json_object_object_get_ex(object, name, &value) ? value : NULL);
}

static struct db_error *
get_bool(const struct json_object *object, const char *name, bool dflt,
         bool *value)
{
    struct json_object *j = get_member(object, name);
    if (!j) {
        *value = dflt;
    } else if (!json_object_is_type(j, json_type_boolean)) {
        return db_syntax_error(j, "\"%s\" must be true or false", name);
    } else {
        *value = json_object_get_boolean(j);
    }
    return NULL;
}

static struct db_column *
column_create(const char *name, unsigned int index)
{
    struct db_column *column = xzalloc(sizeof *column);
    column->name = xstrdup(name);
    column->index = index;
    column->mutable = true;
    column->persistent = true;
    return column;
}

static void
column_destroy(struct db_column *column)
{
    if (column) {
        free(column->name);
        db_type_destroy(&column->type);
        free(column);
    }
}

static struct db_column *
builtin_column(const char *name, unsigned int index)
{
    struct db_column *column = column_create(name, index);
    db_type_init_scalar(&column->type, DB_TYPE_UUID);
    column->mutable = false;
    return column;
}

static struct db_error *
column_from_json(const char *name, unsigned int index,
                 const struct json_object *json, struct db_column **columnp)
{
    static const char *const members[] = {
        "type", "ephemeral", "mutable", NULL
    };
    struct db_error *error;
    bool ephemeral;

    *columnp = NULL;
    if (!json_object_is_type(json, json_type_object)) {
        return db_syntax_error(json, "column \"%s\" must be an object",
                               name);
    }
    if ((error = check_members(json, "column", members))) {
        goto out_prefix;
    }
    struct json_object *type = get_member(json, "type");
    if (!type) {
        error = db_syntax_error(json, "missing \"type\"");
        goto out_prefix;
    }

    struct db_column *column = column_create(name, index);
    if ((error = db_type_from_json(&column->type, type))
        || (error = get_bool(json, "ephemeral", false, &ephemeral))
        || (error = get_bool(json, "mutable", true, &column->mutable))) {
        column_destroy(column);
        goto out_prefix;
    }
    column->persistent = !ephemeral;
    *columnp = column;
    return NULL;

out_prefix:
    db_error_prefix(error, "column \"%s\"", name);
    return error;
}

static void
table_destroy(struct db_table_schema *table)
{
    if (!table) {
        return;
    }
    for (size_t i = 0; i < table->n_columns; i++) {
        column_destroy(table->columns[i]);
    }
    free(table->columns);
    for (size_t i = 0; i < table->n_indexes; i++) {
        free(table->indexes[i].columns);
    }
    free(table->indexes);
    free(table->name);
    free(table);
}

const struct db_column *
db_table_schema_find_column(const struct db_table_schema *table,
                            const char *name)
{
    for (size_t i = 0; i < table->n_columns; i++) {
        if (!strcmp(table->columns[i]->name, name)) {
            return table->columns[i];
        }
    }
    return NULL;
}

static struct db_error *
parse_columns(struct db_table_schema *table, const struct json_object *json)
{
    if (!json || !json_object_is_type(json, json_type_object)
        || !json_object_object_length(json)) {
        return db_syntax_error(json, "table \"%s\" needs a nonempty "
                               "\"columns\" object", table->name);
    }
    size_t n = DB_N_BUILTIN_COLUMNS + json_object_object_length(json);
    table->columns = xcalloc(n, sizeof *table->columns);
    table->columns[DB_COL_UUID] = builtin_column("_uuid", DB_COL_UUID);
    table->columns[DB_COL_VERSION] = builtin_column("_version",
                                                    DB_COL_VERSION);
    table->n_columns = DB_N_BUILTIN_COLUMNS;

    json_object_object_foreach((struct json_object *) json, name, value) {
        if (!is_id(name) || name[0] == '_') {
            return db_syntax_error(json, "\"%s\" is not a valid column "
                                   "name (names start with a letter)",
                                   name);
        }
        struct db_error *error = column_from_json(name, table->n_columns,
                                                  value,
                                                  &table->columns[
                                                      table->n_columns]);
        if (error) {
            return error;
        }
        table->n_columns++;
    }
    return NULL;
}

static struct db_error *
parse_index(struct db_table_schema *table, const struct json_object *json,
            struct db_index_schema *index)
{
    size_t n = json_object_is_type(json, json_type_array)
               ? json_object_array_length(json) : 0;
    if (!n) {
        return db_syntax_error(json, "an index must be a nonempty array "
                               "of column names");
    }
    index->columns = xcalloc(n, sizeof *index->columns);
    for (size_t i = 0; i < n; i++) {
        struct json_object *name = json_object_array_get_idx(json, i);
        const struct db_column *column = NULL;
        if (json_object_is_type(name, json_type_string)) {
            column = db_table_schema_find_column(
                table, json_object_get_string(name));
        }
        if (!column) {
            return db_syntax_error(name, "index names no column of table "
                                   "\"%s\"", table->name);
        }
        if (!column->persistent) {
            return db_error_create("syntax error", "index column \"%s\" "
                                   "is ephemeral", column->name);
        }
        index->columns[index->n_columns++] = column;
    }
    return NULL;
}

static struct db_error *
parse_indexes(struct db_table_schema *table, const struct json_object *json)
{
    if (!json) {
        return NULL;
    }
    if (!json_object_is_type(json, json_type_array)) {
        return db_syntax_error(json, "\"indexes\" must be an array");
    }
    size_t n = json_object_array_length(json);
    table->indexes = xcalloc(n, sizeof *table->indexes);
    for (size_t i = 0; i < n; i++) {
        struct db_error *error = parse_index(
            table, json_object_array_get_idx(json, i),
            &table->indexes[table->n_indexes++]);
        if (error) {
            return error;
        }
    }
    return NULL;
}

static struct db_error *
parse_max_rows(struct db_table_schema *table, const struct json_object *json)
{
    table->max_rows = UINT_MAX;
    if (json) {
        int64_t x = json_object_get_int64(json);
        if (!json_object_is_type(json, json_type_int) || x < 1
            || x > UINT_MAX) {
            return db_syntax_error(json, "\"maxRows\" must be a positive "
                                   "integer");
        }
        table->max_rows = (unsigned int) x;
    }
    return NULL;
}

/* Parses TABLE's schema.  *HAS_IS_ROOT is set if "isRoot" is true. */
static struct db_error *
table_from_json(const char *name, const struct json_object *json,
                struct db_table_schema **tablep, bool *has_is_root)
{
    static const char *const members[] = {
        "columns", "maxRows", "isRoot", "indexes", NULL
    };
    struct db_table_schema *table = xzalloc(sizeof *table);
    struct db_error *error;

    table->name = xstrdup(name);
    if (!json_object_is_type(json, json_type_object)) {
        error = db_syntax_error(json, "table \"%s\" must be an object",
                                name);
    } else if (!(error = check_members(json, "table", members))
               && !(error = parse_columns(table,
                                          get_member(json, "columns")))
               && !(error = parse_max_rows(table,
                                           get_member(json, "maxRows")))
               && !(error = get_bool(json, "isRoot", false,
                                     &table->is_root))) {
        error = parse_indexes(table, get_member(json, "indexes"));
    }
    if (error) {
        db_error_prefix(error, "table \"%s\"", name);
        table_destroy(table);
        *tablep = NULL;
        return error;
    }
    *has_is_root = table->is_root;
    *tablep = table;
    return NULL;
}

static int
compare_table_names(const void *a_, const void *b_)
{
    const struct db_table_schema *const *a = a_, *const *b = b_;
    return strcmp((*a)->name, (*b)->name);
}

struct db_table_schema *
db_schema_find_table(const struct db_schema *schema, const char *name)
{
    size_t lo = 0, hi = schema->n_tables;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int cmp = strcmp(name, schema->tables[mid]->name);
        if (!cmp) {
            return schema->tables[mid];
        } else if (cmp < 0) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    return NULL;
}

static struct db_error *
resolve_ref(struct db_schema *schema, const struct db_table_schema *table,
            const struct db_column *column, struct db_base_type *base)
{
    if (base->type != DB_TYPE_UUID || !base->uuid.ref_table_name) {
        return NULL;
    }
    base->uuid.ref_table = db_schema_find_table(schema,
                                                base->uuid.ref_table_name);
    if (!base->uuid.ref_table) {
        return db_error_create("syntax error", "table \"%s\" column \"%s\" "
                               "refers to unknown table \"%s\"",
                               table->name, column->name,
                               base->uuid.ref_table_name);
    }
    return NULL;
}

static struct db_error *
resolve_refs(struct db_schema *schema)
{
    for (size_t t = 0; t < schema->n_tables; t++) {
        struct db_table_schema *table = schema->tables[t];
        for (size_t c = 0; c < table->n_columns; c++) {
            struct db_column *column = table->columns[c];
            struct db_error *error;
            if ((error = resolve_ref(schema, table, column,
                                     &column->type.key))
                || (error = resolve_ref(schema, table, column,
                                        &column->type.value))) {
                return error;
            }
        }
    }
    return NULL;
}

/* True if S is "x.y.z", three decimal numbers of at most 9 digits. */
static bool
is_version(const char *s)
{
    for (int part = 0; part < 3; part++) {
        size_t digits = strspn(s, "0123456789");
        if (!digits || digits > 9) {
            return false;
        }
        s += digits;
        if (part < 2 && *s++ != '.') {
            return false;
        }
    }
    return *s == '\0';
}

static struct db_error *
check_version(const struct json_object *json, char **versionp)
{
    if (!json || !json_object_is_type(json, json_type_string)
        || !is_version(json_object_get_string((struct json_object *) json))) {
        return db_syntax_error(json, "\"version\" must be a string "
                               "\"x.y.z\"");
    }
    *versionp = xstrdup(json_object_get_string((struct json_object *) json));
    return NULL;
}

static struct db_error *
parse_header(const struct json_object *json, struct db_schema *schema)
{
    static const char *const members[] = {
        "name", "version", "cksum", "tables", NULL
    };
    struct db_error *error = check_members(json, "schema", members);
    if (error) {
        return error;
    }
    struct json_object *name = get_member(json, "name");
    if (!name || !json_object_is_type(name, json_type_string)
        || !is_id(json_object_get_string(name))) {
        return db_syntax_error(name ? name : json, "the schema needs a "
                               "\"name\" that is an identifier");
    }
    schema->name = xstrdup(json_object_get_string(name));
    if ((error = check_version(get_member(json, "version"),
                               &schema->version))) {
        return error;
    }
    struct json_object *cksum = get_member(json, "cksum");
    if (cksum) {
        if (!json_object_is_type(cksum, json_type_string)) {
            return db_syntax_error(cksum, "\"cksum\" must be a string");
        }
        schema->cksum = xstrdup(json_object_get_string(cksum));
    }
    return NULL;
}

static struct db_error *
parse_tables(const struct json_object *tables, struct db_schema *schema)
{
    if (!tables || !json_object_is_type(tables, json_type_object)) {
        return db_syntax_error(tables, "the schema needs a \"tables\" "
                               "object");
    }
    size_t n = json_object_object_length(tables);
    bool any_root = false;
    schema->tables = xcalloc(n ? n : 1, sizeof *schema->tables);
    json_object_object_foreach((struct json_object *) tables, name, value) {
        bool is_root;
        if (!is_id(name) || name[0] == '_') {
            return db_syntax_error(tables, "\"%s\" is not a valid table "
                                   "name", name);
        }
        struct db_error *error = table_from_json(
            name, value, &schema->tables[schema->n_tables], &is_root);
        if (error) {
            return error;
        }
        schema->n_tables++;
        any_root = any_root || is_root;
    }
    qsort(schema->tables, schema->n_tables, sizeof *schema->tables,
          compare_table_names);
    for (size_t i = 0; i < schema->n_tables; i++) {
        schema->tables[i]->index = i;
        /* No table marked root: every table is a root table. */
        if (!any_root) {
            schema->tables[i]->is_root = true;
        }
    }
    return resolve_refs(schema);
}

struct db_error *
db_schema_from_json(const struct json_object *json,
                    struct db_schema **schemap)
{
    struct db_schema *schema = xzalloc(sizeof *schema);
    struct db_error *error;

    *schemap = NULL;
    if (!json_object_is_type(json, json_type_object)) {
        error = db_syntax_error(json, "a schema must be a JSON object");
    } else if (!(error = parse_header(json, schema))) {
        error = parse_tables(get_member(json, "tables"), schema);
    }
    if (error) {
        db_schema_destroy(schema);
        return error;
    }
    *schemap = schema;
    return NULL;
}

struct db_error *
db_schema_from_file(const char *path, struct db_schema **schemap)
{
    *schemap = NULL;
    struct json_object *json = json_object_from_file(path);
    if (!json) {
        return db_error_create("I/O error", "cannot read schema file %s "
                               "(%s)", path, json_util_get_last_err()
                               ? json_util_get_last_err() : "unknown");
    }
    struct db_error *error = db_schema_from_json(json, schemap);
    json_object_put(json);
    if (error) {
        db_error_prefix(error, "%s", path);
    }
    return error;
}

void
db_schema_destroy(struct db_schema *schema)
{
    if (schema) {
        for (size_t i = 0; i < schema->n_tables; i++) {
            table_destroy(schema->tables[i]);
        }
        free(schema->tables);
        free(schema->name);
        free(schema->version);
        free(schema->cksum);
        free(schema);
    }
}

static struct json_object *
column_to_json(const struct db_column *column)
{
    struct json_object *json = json_object_new_object();
    json_object_object_add(json, "type", db_type_to_json(&column->type));
    if (!column->persistent) {
        json_object_object_add(json, "ephemeral",
                               json_object_new_boolean(true));
    }
    if (!column->mutable) {
        json_object_object_add(json, "mutable",
                               json_object_new_boolean(false));
    }
    return json;
}

static struct json_object *
table_to_json(const struct db_table_schema *table, bool all_root)
{
    struct json_object *json = json_object_new_object();
    struct json_object *columns = json_object_new_object();
    for (size_t i = DB_N_BUILTIN_COLUMNS; i < table->n_columns; i++) {
        json_object_object_add(columns, table->columns[i]->name,
                               column_to_json(table->columns[i]));
    }
    json_object_object_add(json, "columns", columns);
    if (table->max_rows != UINT_MAX) {
        json_object_object_add(json, "maxRows",
                               json_object_new_int64(table->max_rows));
    }
    if (table->is_root && !all_root) {
        json_object_object_add(json, "isRoot",
                               json_object_new_boolean(true));
    }
    if (table->n_indexes) {
        struct json_object *indexes = json_object_new_array();
        for (size_t i = 0; i < table->n_indexes; i++) {
            struct json_object *index = json_object_new_array();
            for (size_t j = 0; j < table->indexes[i].n_columns; j++) {
                json_object_array_add(index, json_object_new_string(
                                          table->indexes[i].columns[j]
                                          ->name));
            }
            json_object_array_add(indexes, index);
        }
        json_object_object_add(json, "indexes", indexes);
    }
    return json;
}

struct json_object *
db_schema_to_json(const struct db_schema *schema)
{
    struct json_object *json = json_object_new_object();
    bool all_root = true;
    for (size_t i = 0; i < schema->n_tables; i++) {
        all_root = all_root && schema->tables[i]->is_root;
    }

    json_object_object_add(json, "name",
                           json_object_new_string(schema->name));
    json_object_object_add(json, "version",
                           json_object_new_string(schema->version));
    if (schema->cksum) {
        json_object_object_add(json, "cksum",
                               json_object_new_string(schema->cksum));
    }
    struct json_object *tables = json_object_new_object();
    for (size_t i = 0; i < schema->n_tables; i++) {
        json_object_object_add(tables, schema->tables[i]->name,
                               table_to_json(schema->tables[i], all_root));
    }
    json_object_object_add(json, "tables", tables);
    return json;
}

struct db_schema *
db_schema_clone(const struct db_schema *schema)
{
    struct json_object *json = db_schema_to_json(schema);
    struct db_schema *clone;
    struct db_error *error = db_schema_from_json(json, &clone);
    json_object_put(json);
    if (error) {
        /* A schema always reparses from its own JSON. */
        char *s = db_error_to_string(error);
        skiff_fatal(0, "schema does not round-trip: %s", s);
    }
    return clone;
}

bool
db_schema_equals(const struct db_schema *a, const struct db_schema *b)
{
    struct json_object *ja = db_schema_to_json(a);
    struct json_object *jb = db_schema_to_json(b);
    bool equal = json_object_equal(ja, jb);
    json_object_put(ja);
    json_object_put(jb);
    return equal;
}
