/* vsctl-generic: skiff-vsctl's database commands (list, find, get, set,
 * add, remove, clear, create, destroy, wait-until). */
#include <config.h>

#include "vsctl.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "db-error.h"
#include "db-schema.h"

/* Names of tables and columns. */

/* Name characters compare without regard to case, and '-' is the same as
 * '_' ("other-config" names other_config). */
static int
fold_char(char c)
{
    return c == '-' ? '_' : tolower((unsigned char) c);
}

/* 2 if S is NAME (as fold_char() compares), 1 if S is a prefix of NAME,
 * else 0. */
static int
name_match(const char *name, const char *s)
{
    for (; *s; name++, s++) {
        if (!*name || fold_char(*name) != fold_char(*s)) {
            return 0;
        }
    }
    return *name ? 1 : 2;
}

/* A search for S among names offered one at a time. */
struct name_search {
    const char *s;
    size_t exact;               /* Index of the exact match, or SIZE_MAX. */
    size_t prefix;              /* Index of the last prefix match. */
    size_t n_prefixes;
    struct ds matches;          /* Names that match, for messages. */
};

static void
name_search_init(struct name_search *search, const char *s)
{
    search->s = s;
    search->exact = SIZE_MAX;
    search->n_prefixes = 0;
    ds_init(&search->matches);
}

static void
name_search_offer(struct name_search *search, const char *name, size_t i)
{
    int match = *search->s ? name_match(name, search->s) : 0;
    if (match == 2) {
        search->exact = i;
    } else if (match == 1) {
        search->prefix = i;
        search->n_prefixes++;
        ds_put_format(&search->matches, "%s%s",
                      search->matches.length ? ", " : "", name);
    }
}

/* Returns the match's index, or SIZE_MAX after reporting that WHAT
 * ("table", "column of Bridge") has none or several. */
static size_t
name_search_finish(struct name_search *search, struct vsctl_ctx *ctx,
                   const char *what)
{
    size_t i = search->exact;
    if (i == SIZE_MAX && search->n_prefixes == 1) {
        i = search->prefix;
    } else if (i == SIZE_MAX && !search->n_prefixes) {
        vsctl_error(ctx, "no %s named \"%s\"", what, search->s);
    } else if (i == SIZE_MAX) {
        vsctl_error(ctx, "\"%s\" could name more than one %s (%s)",
                    search->s, what, ds_cstr(&search->matches));
    }
    ds_destroy(&search->matches);
    return i;
}

/* Finds the table NAME names: its name or a unique prefix of it. */
static int
find_table(struct vsctl_ctx *ctx, const char *name, struct db_table **tablep)
{
    const struct db_schema *schema = ctx->db->schema;
    struct name_search search;

    name_search_init(&search, name);
    for (size_t i = 0; i < schema->n_tables; i++) {
        name_search_offer(&search, schema->tables[i]->name, i);
    }
    size_t i = name_search_finish(&search, ctx, "table");
    *tablep = i == SIZE_MAX ? NULL : ctx->db->tables[i];
    return !*tablep;
}

/* Finds TABLE's column that NAME names (a unique prefix will do). */
static int
find_column(struct vsctl_ctx *ctx, const struct db_table *table,
            const char *name, const struct db_column **columnp)
{
    const struct db_table_schema *ts = table->schema;
    struct name_search search;

    name_search_init(&search, name);
    for (size_t i = 0; i < ts->n_columns; i++) {
        name_search_offer(&search, ts->columns[i]->name, i);
    }
    char *what = xasprintf("column in table %s", ts->name);
    size_t i = name_search_finish(&search, ctx, what);
    free(what);
    *columnp = i == SIZE_MAX ? NULL : ts->columns[i];
    return !*columnp;
}

/* Records. */

/* How the rows of TABLE may be named, besides by uuid.  Either the row
 * whose COLUMN is the name, or the row that row VIA's column REF refers to,
 * where VIA is the row of VIA_TABLE whose VIA_COLUMN is the name (or, if
 * VIA_COLUMN is NULL, the table's one row, named "."). */
struct record_name {
    const char *table;
    const char *column;
    const char *via_table;
    const char *via_column;
    const char *ref;
};

static const struct record_name record_names[] = {
    { "Open_vSwitch", NULL, "Open_vSwitch", NULL, NULL },
    { "Bridge", "name", NULL, NULL, NULL },
    { "Port", "name", NULL, NULL, NULL },
    { "Interface", "name", NULL, NULL, NULL },
    { "Mirror", "name", NULL, NULL, NULL },
    { "Manager", "target", NULL, NULL, NULL },
    { "Controller", "target", NULL, NULL, NULL },
    { "Controller", NULL, "Bridge", "name", "controller" },
    { "NetFlow", NULL, "Bridge", "name", "netflow" },
    { "QoS", NULL, "Port", "name", "qos" },
    { "SSL", NULL, "Open_vSwitch", NULL, "ssl" },
};

/* The column that names TABLE's rows, or NULL. */
static const char *
name_column(const struct db_table *table)
{
    for (size_t i = 0; i < ARRAY_SIZE(record_names); i++) {
        if (!strcmp(record_names[i].table, table->schema->name)
            && record_names[i].column) {
            return record_names[i].column;
        }
    }
    return NULL;
}

static bool
datum_is_string(const struct db_datum *d, const char *s)
{
    return d->n == 1 && !strcmp(d->keys[0].string, s);
}

/* Sets *ROWP to the one row of TABLE whose string COLUMN is NAME, or NULL
 * if there is none.  Several are an error. */
static int
find_by_column(struct vsctl_ctx *ctx, const struct db_table *table,
               const char *column, const char *name,
               const struct db_row **rowp)
{
    const struct db_column *c;
    const struct db_row *row;

    c = db_table_schema_find_column(table->schema, column);
    *rowp = NULL;
    DB_TABLE_FOR_EACH_ROW (row, table) {
        if (c && datum_is_string(&row->fields[c->index], name)) {
            if (*rowp) {
                return vsctl_error(ctx, "more than one row in table %s has "
                                   "%s \"%s\" (name it by uuid)",
                                   table->schema->name, column, name);
            }
            *rowp = row;
        }
    }
    return 0;
}

/* Looks NAME up as RN says (RN->via_table). */
static int
find_via(struct vsctl_ctx *ctx, const struct db_table *table,
         const struct record_name *rn, const char *name,
         const struct db_row **rowp)
{
    struct db_table *via = db_get_table(ctx->db, rn->via_table);
    const struct db_row *via_row = NULL;

    *rowp = NULL;
    if (!via) {
        return 0;
    } else if (!rn->via_column) {
        if (strcmp(name, ".")) {
            return 0;
        }
        DB_TABLE_FOR_EACH_ROW (via_row, via) {
            break;
        }
    } else if (find_by_column(ctx, via, rn->via_column, name, &via_row)) {
        return 1;
    }
    if (!via_row || !rn->ref) {
        *rowp = via_row;
        return 0;
    }

    const struct db_column *c = vsctl_column(via_row, rn->ref);
    const struct db_datum *d = c ? &via_row->fields[c->index] : NULL;
    if (d && d->n > 1) {
        return vsctl_error(ctx, "%s \"%s\" has %u %s rows (name one by "
                           "uuid)", rn->via_table, name, d->n,
                           table->schema->name);
    } else if (d && d->n == 1) {
        *rowp = db_table_find_row(table, &d->keys[0].uuid);
    }
    return 0;
}

static bool
is_uuid_prefix(const char *s)
{
    size_t n = strspn(s, "0123456789abcdefABCDEF-");
    return n >= 4 && !s[n] && n < UUID_LEN;
}

/* A row of TABLE whose uuid starts with PREFIX (case-insensitively). */
static int
find_by_uuid_prefix(struct vsctl_ctx *ctx, const struct db_table *table,
                    const char *prefix, const struct db_row **rowp)
{
    const struct db_row *row;

    *rowp = NULL;
    DB_TABLE_FOR_EACH_ROW (row, table) {
        char s[UUID_LEN + 1];
        uuid_to_string(db_row_get_uuid(row), s);
        if (!strncasecmp(s, prefix, strlen(prefix))) {
            if (*rowp) {
                return vsctl_error(ctx, "more than one row in table %s has "
                                   "a uuid that starts with %s",
                                   table->schema->name, prefix);
            }
            *rowp = row;
        }
    }
    return 0;
}

/* Finds the row of TABLE that ID names: a uuid (or its first 4 or more
 * digits), an "@name" from --id, or a name (see record_names).  *ROWP is
 * NULL if there is none. */
static int
find_row(struct vsctl_ctx *ctx, const struct db_table *table,
         const char *id, const struct db_row **rowp)
{
    struct uuid uuid;

    *rowp = NULL;
    if (id[0] == '@') {
        struct vsctl_symbol *symbol = vsctl_symbol_find(ctx, id);
        *rowp = symbol ? db_table_find_row(table, &symbol->uuid) : NULL;
        return 0;
    } else if (uuid_from_string(&uuid, id)) {
        *rowp = db_table_find_row(table, &uuid);
        return 0;
    }
    for (size_t i = 0; i < ARRAY_SIZE(record_names) && !*rowp; i++) {
        const struct record_name *rn = &record_names[i];
        if (strcmp(rn->table, table->schema->name)) {
            continue;
        }
        int error = (rn->column
                     ? find_by_column(ctx, table, rn->column, id, rowp)
                     : find_via(ctx, table, rn, id, rowp));
        if (error) {
            return error;
        }
    }
    if (!*rowp && is_uuid_prefix(id)) {
        return find_by_uuid_prefix(ctx, table, id, rowp);
    }
    return 0;
}

/* Like find_row(), but a missing row is an error unless MAY_BE_MISSING. */
static int
get_row(struct vsctl_ctx *ctx, const struct db_table *table, const char *id,
        bool may_be_missing, const struct db_row **rowp)
{
    if (find_row(ctx, table, id, rowp)) {
        return 1;
    } else if (!*rowp && !may_be_missing) {
        return vsctl_error(ctx, "no row \"%s\" in table %s", id,
                           table->schema->name);
    }
    return 0;
}

/* Resolves the command's TABLE (argv[1]) and, if it has one, RECORD
 * (argv[2]).  With --if-exists, a missing record leaves *ROWP NULL. */
static int
get_table_row(struct vsctl_ctx *ctx, const struct vsctl_command *cmd,
              struct db_table **tablep, const struct db_row **rowp)
{
    if (find_table(ctx, cmd->argv[1], tablep)) {
        return 1;
    }
    return get_row(ctx, *tablep, cmd->argv[2], cmd->if_exists, rowp);
}

static bool
row_is_new(const struct db_row *row)
{
    return row->txn_row && !row->txn_row->old;
}

/* Errors. */

/* Puts PREFIX (printf-style) and ": " before the recorded error. */
static int PRINTF_FORMAT(2, 3)
prefix_error(struct vsctl_ctx *ctx, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    char *prefix = xvasprintf(format, args);
    va_end(args);

    char *error = ctx->error;
    ctx->error = NULL;
    vsctl_error(ctx, "%s: %s", prefix, error ? error : "error");
    free(error);
    free(prefix);
    return 1;
}


/* Types derived from a column's. */

/* TYPE with any number of elements. */
static struct db_type
any_number_of(const struct db_type *type)
{
    struct db_type t = *type;
    t.n_min = 0;
    t.n_max = DB_N_MAX_UNLIMITED;
    return t;
}

/* A set of map TYPE's keys. */
static struct db_type
keys_of(const struct db_type *type)
{
    struct db_type t = any_number_of(type);
    memset(&t.value, 0, sizeof t.value);
    t.value.type = DB_TYPE_VOID;
    return t;
}

/* One value of map TYPE. */
static struct db_type
value_of(const struct db_type *type)
{
    struct db_type t = { .key = type->value, .n_min = 1, .n_max = 1 };
    t.value.type = DB_TYPE_VOID;
    return t;
}

/* Arguments that name a column. */

/* "COLUMN[:KEY]" as an argument names it. */
struct column_key {
    const struct db_column *column;
    bool has_key;
    union db_atom key;          /* If has_key: of the column's key type. */
};

static void
column_key_destroy(struct column_key *ck)
{
    if (ck->has_key) {
        db_atom_destroy(&ck->key, ck->column->type.key.type);
        ck->has_key = false;
    }
}

/* Parses "COLUMN[:KEY]" of TABLE at the start of ARG; it ends at the end
 * of ARG or at one of STOP.  *ENDP is set to where it ended. */
static int
parse_column_key(struct vsctl_ctx *ctx, const struct db_table *table,
                 const char *arg, const char *stop, struct column_key *ck,
                 const char **endp)
{
    size_t n = 0;
    while (arg[n] && arg[n] != ':' && !strchr(stop, arg[n])) {
        n++;
    }
    char *name = xstrndup(arg, n);
    int error = find_column(ctx, table, name, &ck->column);
    free(name);
    ck->has_key = false;
    *endp = arg + n;
    if (error || arg[n] != ':') {
        return error;
    }

    const struct db_type *type = &ck->column->type;
    if (!db_type_is_map(type)) {
        return vsctl_error(ctx, "%s: column %s is not a map, so it has no "
                           "keys", arg, ck->column->name);
    }
    if (vsctl_parse_atom(ctx, &type->key, arg + n + 1, stop, &ck->key,
                         endp)) {
        return prefix_error(ctx, "%s: key", ck->column->name);
    }
    ck->has_key = true;
    return 0;
}

/* Checks that a command may change COLUMN of ROW. */
static int
check_writable(struct vsctl_ctx *ctx, const struct db_row *row,
               const struct db_column *column)
{
    if (column->index < DB_N_BUILTIN_COLUMNS) {
        return vsctl_error(ctx, "column %s of table %s cannot be changed",
                           column->name, row->table->schema->name);
    } else if (!column->mutable && !row_is_new(row)) {
        return vsctl_error(ctx, "column %s of table %s is immutable: it "
                           "can only be set when the row is created",
                           column->name, row->table->schema->name);
    }
    return 0;
}

/* Applies "KEY=VALUE" (VALUE_TEXT is the value) to map column CK of ROW. */
static int
set_key(struct vsctl_ctx *ctx, struct db_row *row,
        const struct column_key *ck, const char *value_text)
{
    const struct db_type *type = &ck->column->type;
    struct db_type vtype = value_of(type);
    struct db_type ktype = keys_of(type);
    struct db_datum value, key, pair, new;

    if (vsctl_parse_datum(ctx, &vtype, value_text, &value)) {
        return 1;
    }
    db_datum_init_single(&key, &ktype, &ck->key, NULL);
    db_datum_init_single(&pair, type, &ck->key, &value.keys[0]);
    db_datum_clone(&new, &row->fields[ck->column->index], type);
    db_datum_subtract(&new, type, &key, &ktype);
    db_datum_union(&new, &pair, type);
    db_datum_destroy(&value, &vtype);
    db_datum_destroy(&key, &ktype);
    db_datum_destroy(&pair, type);

    struct db_error *error = db_datum_check(&new, type);
    if (error) {
        db_datum_destroy(&new, type);
        return vsctl_db_error(ctx, error);
    }
    vsctl_set(row, ck->column->name, &new);
    return 0;
}

/* Sets ROW's column as SETTING says, once parse_column_key() has parsed
 * its "COLUMN[:KEY]" into CK and END points to the "=". */
static int
set_value(struct vsctl_ctx *ctx, struct db_row *row, const char *setting,
          const struct column_key *ck, const char *end)
{
    struct db_datum datum;
    int error;

    if (ck->has_key) {
        error = set_key(ctx, row, ck, end + 1);
    } else {
        error = vsctl_parse_datum(ctx, &ck->column->type, end + 1, &datum);
        if (!error) {
            vsctl_set(row, ck->column->name, &datum);
        }
    }
    if (error) {
        /* Name the column (and key) whose value is wrong. */
        prefix_error(ctx, "%.*s", (int) (end - setting), setting);
    }
    return error;
}

int
vsctl_set_column(struct vsctl_ctx *ctx, struct db_row *row,
                 const char *setting)
{
    struct column_key ck;
    const char *end;
    int error = parse_column_key(ctx, row->table, setting, "=", &ck, &end);

    if (error) {
        return error;
    } else if (*end != '=') {
        error = vsctl_error(ctx, "\"%s\": expected COLUMN[:KEY]=VALUE",
                            setting);
    } else {
        error = (check_writable(ctx, row, ck.column)
                 || set_value(ctx, row, setting, &ck, end));
    }
    column_key_destroy(&ck);
    return error;
}

/* Lists of rows and columns for output. */

struct row_list {
    const struct db_row **rows;
    size_t n;
};

static void
row_list_add(struct row_list *list, const struct db_row *row)
{
    list->rows = xrealloc(list->rows, (list->n + 1) * sizeof *list->rows);
    list->rows[list->n++] = row;
}

struct sort_item {
    const struct db_row *row;
    const char *name;
};

static int
compare_sort_items(const void *a_, const void *b_)
{
    const struct sort_item *a = a_, *b = b_;
    int cmp = strcmp(a->name, b->name);
    return cmp ? cmp : uuid_compare_3way(db_row_get_uuid(a->row),
                                         db_row_get_uuid(b->row));
}

/* Adds every row of TABLE to LIST, by name (if its rows have names) and
 * then uuid, so that output is stable. */
static void
add_all_rows(const struct db_table *table, struct row_list *list)
{
    const char *column = name_column(table);
    size_t n = hmap_count(&table->rows);
    struct sort_item *items = xcalloc(n ? n : 1, sizeof *items);
    const struct db_row *row;
    size_t i = 0;

    DB_TABLE_FOR_EACH_ROW (row, table) {
        items[i].row = row;
        items[i++].name = column ? vsctl_get_string(row, column) : "";
    }
    qsort(items, n, sizeof *items, compare_sort_items);
    for (i = 0; i < n; i++) {
        row_list_add(list, items[i].row);
    }
    free(items);
}

static int
compare_column_names(const void *a_, const void *b_)
{
    const struct db_column *const *a = a_, *const *b = b_;
    return strcmp((*a)->name, (*b)->name);
}

/* _uuid, then the table's own columns in alphabetical order. */
static size_t
default_columns(const struct db_table *table, const struct db_column **cols)
{
    const struct db_table_schema *ts = table->schema;
    size_t n = 0;

    cols[n++] = ts->columns[DB_COL_UUID];
    for (size_t i = DB_N_BUILTIN_COLUMNS; i < ts->n_columns; i++) {
        cols[n++] = ts->columns[i];
    }
    qsort(&cols[1], n - 1, sizeof *cols, compare_column_names);
    return n;
}

/* The columns that --columns (the command's, else the global one) names,
 * or the default ones. */
static int
select_columns(struct vsctl_ctx *ctx, const struct vsctl_command *cmd,
               const struct db_table *table,
               const struct db_column ***colsp, size_t *n)
{
    const char *spec = cmd->columns;
    size_t max = table->schema->n_columns + (spec ? strlen(spec) : 0);
    const struct db_column **cols = xcalloc(max, sizeof *cols);

    *colsp = cols;
    *n = 0;
    if (!spec) {
        *n = default_columns(table, cols);
        return 0;
    }

    char *copy = xstrdup(spec);
    char *save = NULL;
    int error = 0;
    for (char *name = strtok_r(copy, ",", &save); name && !error;
         name = strtok_r(NULL, ",", &save)) {
        error = find_column(ctx, table, name, &cols[(*n)++]);
    }
    free(copy);
    if (!error && !*n) {
        error = vsctl_error(ctx, "--columns=%s names no columns", spec);
    }
    return error ? prefix_error(ctx, "--columns") : 0;
}

static int
put_rows(struct vsctl_ctx *ctx, struct vsctl_command *cmd,
         const struct db_table *table, const struct row_list *list)
{
    const struct db_column **cols;
    size_t n_cols;
    int error = select_columns(ctx, cmd, table, &cols, &n_cols);

    if (!error) {
        vsctl_put_rows(ctx, cmd, list->rows, list->n, cols, n_cols);
    }
    free(cols);
    return error;
}

/* Conditions of "find" and "wait-until": COLUMN[:KEY] OP VALUE. */

enum cond_op {
    OP_EQ, OP_NE, OP_LT, OP_GT, OP_LE, OP_GE,
    OP_SET_EQ, OP_SET_NE, OP_SET_LT, OP_SET_GT, OP_SET_LE, OP_SET_GE,
    N_OPS
};

static const char *const op_names[N_OPS] = {
    "=", "!=", "<", ">", "<=", ">=",
    "{=}", "{!=}", "{<}", "{>}", "{<=}", "{>=}",
};

struct condition {
    struct column_key ck;
    enum cond_op op;
    struct db_type type;        /* VALUE's: the column's or its values'. */
    struct db_datum value;
};

/* The longest operator at S, or N_OPS. */
static enum cond_op
parse_op(const char *s, size_t *lenp)
{
    enum cond_op best = N_OPS;
    size_t best_len = 0;

    for (int op = 0; op < N_OPS; op++) {
        size_t len = strlen(op_names[op]);
        if (len > best_len && !strncmp(s, op_names[op], len)) {
            best = (enum cond_op) op;
            best_len = len;
        }
    }
    *lenp = best_len;
    return best;
}

static int
parse_condition(struct vsctl_ctx *ctx, const struct db_table *table,
                const char *arg, struct condition *c)
{
    const char *end;
    size_t len;

    if (parse_column_key(ctx, table, arg, "=!<>{", &c->ck, &end)) {
        return 1;
    }
    c->op = parse_op(end, &len);
    if (c->op == N_OPS) {
        column_key_destroy(&c->ck);
        return vsctl_error(ctx, "\"%s\": expected COLUMN[:KEY], then =, "
                           "!=, <, >, <=, >=, {=}, {!=}, {<}, {>}, {<=} or "
                           "{>=}, then a value", arg);
    }

    const struct db_type *type = &c->ck.column->type;
    struct db_type vtype = value_of(type);
    c->type = any_number_of(c->ck.has_key ? &vtype : type);
    if (vsctl_parse_datum(ctx, &c->type, end + len, &c->value)) {
        column_key_destroy(&c->ck);
        return prefix_error(ctx, "%.*s", (int) (end - arg), arg);
    }
    return 0;
}

static void
condition_destroy(struct condition *c)
{
    column_key_destroy(&c->ck);
    db_datum_destroy(&c->value, &c->type);
}

static bool
compare_datums(enum cond_op op, const struct db_datum *have,
               const struct db_datum *want, const struct db_type *type)
{
    bool equal = db_datum_equals(have, want, type);
    int cmp = db_datum_compare_3way(have, want, type);

    switch (op) {
    case OP_EQ:
    case OP_SET_EQ:
        return equal;
    case OP_NE:
    case OP_SET_NE:
        return !equal;
    case OP_LT:
        return cmp < 0;
    case OP_GT:
        return cmp > 0;
    case OP_LE:
        return cmp <= 0;
    case OP_GE:
        return cmp >= 0;
    case OP_SET_LT:
        return !equal && db_datum_includes_all(have, want, type);
    case OP_SET_GT:
        return !equal && db_datum_includes_all(want, have, type);
    case OP_SET_LE:
        return db_datum_includes_all(have, want, type);
    case OP_SET_GE:
        return db_datum_includes_all(want, have, type);
    case N_OPS:
    default:
        abort();
    }
}

/* Whether ROW meets C.  A map without C's key meets only != and {!=}. */
static bool
condition_holds(const struct condition *c, const struct db_row *row)
{
    const struct db_datum *d = &row->fields[c->ck.column->index];
    if (!c->ck.has_key) {
        return compare_datums(c->op, d, &c->value, &c->type);
    }

    unsigned int i = db_datum_find_key(d, &c->ck.key,
                                       c->ck.column->type.key.type);
    if (i == UINT_MAX) {
        return c->op == OP_NE || c->op == OP_SET_NE;
    }
    struct db_datum have = { .n = 1, .keys = &d->values[i] };
    return compare_datums(c->op, &have, &c->value, &c->type);
}

/* Parses the conditions ARGV[0..N). */
static int
parse_conditions(struct vsctl_ctx *ctx, const struct db_table *table,
                 char **argv, int n, struct condition **condsp)
{
    struct condition *conds = xcalloc(n ? (size_t) n : 1, sizeof *conds);

    for (int i = 0; i < n; i++) {
        if (parse_condition(ctx, table, argv[i], &conds[i])) {
            while (i-- > 0) {
                condition_destroy(&conds[i]);
            }
            free(conds);
            return 1;
        }
    }
    *condsp = conds;
    return 0;
}

static void
free_conditions(struct condition *conds, int n)
{
    for (int i = 0; i < n; i++) {
        condition_destroy(&conds[i]);
    }
    free(conds);
}

/* The commands. */

/* list TABLE [RECORD...] */
static int
cmd_list(struct vsctl_ctx *ctx, struct vsctl_command *cmd)
{
    struct row_list list = { NULL, 0 };
    struct db_table *table;
    int error = find_table(ctx, cmd->argv[1], &table);

    if (!error && cmd->argc == 2) {
        add_all_rows(table, &list);
    }
    for (int i = 2; !error && i < cmd->argc; i++) {
        const struct db_row *row;
        error = get_row(ctx, table, cmd->argv[i], cmd->if_exists, &row);
        if (!error && row) {
            row_list_add(&list, row);
        }
    }
    if (!error) {
        error = put_rows(ctx, cmd, table, &list);
    }
    free(list.rows);
    return error;
}

/* find TABLE [COLUMN[:KEY]OP VALUE...] */
static int
cmd_find(struct vsctl_ctx *ctx, struct vsctl_command *cmd)
{
    int n = cmd->argc - 2;
    struct db_table *table;
    struct condition *conds;

    if (find_table(ctx, cmd->argv[1], &table)
        || parse_conditions(ctx, table, cmd->argv + 2, n, &conds)) {
        return 1;
    }

    struct row_list all = { NULL, 0 }, found = { NULL, 0 };
    add_all_rows(table, &all);
    for (size_t i = 0; i < all.n; i++) {
        int j = 0;
        while (j < n && condition_holds(&conds[j], all.rows[i])) {
            j++;
        }
        if (j == n) {
            row_list_add(&found, all.rows[i]);
        }
    }
    int error = put_rows(ctx, cmd, table, &found);
    free(all.rows);
    free(found.rows);
    free_conditions(conds, n);
    return error;
}

/* "get --id=@name": names ROW for the rest of the chain. */
static int
define_get_id(struct vsctl_ctx *ctx, const char *id, const struct db_row *row)
{
    if (vsctl_symbol_find(ctx, id)) {
        return vsctl_error(ctx, "%s is used or defined before \"get "
                           "--id=%s\" defines it", id, id);
    }
    struct vsctl_symbol *symbol = vsctl_symbol_create(ctx, id);
    symbol->uuid = *db_row_get_uuid(row);
    symbol->created = true;
    return 0;
}

/* Prints ROW's COLUMN[:KEY] that ARG names. */
static int
get_one(struct vsctl_ctx *ctx, struct vsctl_command *cmd,
        const struct db_row *row, const char *arg)
{
    struct column_key ck;
    const char *end;

    if (parse_column_key(ctx, row->table, arg, "", &ck, &end)) {
        return 1;
    } else if (*end) {
        column_key_destroy(&ck);
        return vsctl_error(ctx, "\"%s\": unexpected \"%s\" after "
                           "COLUMN[:KEY]", arg, end);
    }

    const struct db_type *type = &ck.column->type;
    const struct db_datum *d = &row->fields[ck.column->index];
    int error = 0;
    if (!ck.has_key) {
        vsctl_put_datum(&cmd->output, d, type);
        ds_put_char(&cmd->output, '\n');
    } else {
        unsigned int i = db_datum_find_key(d, &ck.key, type->key.type);
        struct db_type vtype = value_of(type);
        struct db_datum value = { .n = 1, .keys = &d->values[i] };
        if (i != UINT_MAX) {
            vsctl_put_datum(&cmd->output, &value, &vtype);
            ds_put_char(&cmd->output, '\n');
        } else if (!cmd->if_exists) {
            struct ds key = DS_EMPTY_INITIALIZER;
            db_atom_to_string(&ck.key, type->key.type, &key);
            error = vsctl_error(ctx, "%s record \"%s\" has no key %s in "
                                "column %s", row->table->schema->name,
                                cmd->argv[2], ds_cstr(&key),
                                ck.column->name);
            ds_destroy(&key);
        }
    }
    column_key_destroy(&ck);
    return error;
}

/* get TABLE RECORD [COLUMN[:KEY]...] */
static int
cmd_get(struct vsctl_ctx *ctx, struct vsctl_command *cmd)
{
    struct db_table *table;
    const struct db_row *row;

    if (get_table_row(ctx, cmd, &table, &row)) {
        return 1;
    } else if (!row) {
        return 0;
    } else if (cmd->id && define_get_id(ctx, cmd->id, row)) {
        return 1;
    }
    for (int i = 3; i < cmd->argc; i++) {
        if (get_one(ctx, cmd, row, cmd->argv[i])) {
            return 1;
        }
    }
    return 0;
}

/* set TABLE RECORD COLUMN[:KEY]=VALUE... */
static int
cmd_set(struct vsctl_ctx *ctx, struct vsctl_command *cmd)
{
    struct db_table *table;
    const struct db_row *row;

    if (get_table_row(ctx, cmd, &table, &row)) {
        return 1;
    } else if (!row) {
        return 0;
    }
    struct db_row *w = vsctl_modify(ctx, row);
    for (int i = 3; i < cmd->argc; i++) {
        if (vsctl_set_column(ctx, w, cmd->argv[i])) {
            return 1;
        }
    }
    return 0;
}

/* The row and writable column of "add", "remove" and "clear". */
static int
get_row_column(struct vsctl_ctx *ctx, struct vsctl_command *cmd,
               const char *name, const struct db_row **rowp,
               const struct db_column **columnp)
{
    struct db_table *table;

    *columnp = NULL;
    if (get_table_row(ctx, cmd, &table, rowp) || !*rowp) {
        return !!ctx->error;
    }
    return (find_column(ctx, table, name, columnp)
            || check_writable(ctx, *rowp, *columnp));
}

/* Checks NEW against COLUMN's type and stores it in ROW. */
static int
store_datum(struct vsctl_ctx *ctx, const struct db_row *row,
            const struct db_column *column, struct db_datum *new)
{
    struct db_error *error = db_datum_check(new, &column->type);
    if (error) {
        db_datum_destroy(new, &column->type);
        vsctl_db_error(ctx, error);
        return prefix_error(ctx, "%s", column->name);
    }
    vsctl_set(vsctl_modify(ctx, row), column->name, new);
    return 0;
}

/* add TABLE RECORD COLUMN [KEY=]VALUE... */
static int
cmd_add(struct vsctl_ctx *ctx, struct vsctl_command *cmd)
{
    const struct db_row *row;
    const struct db_column *column;

    if (get_row_column(ctx, cmd, cmd->argv[3], &row, &column) || !row) {
        return !!ctx->error;
    }

    const struct db_type *type = &column->type;
    struct db_type atype = any_number_of(type);
    struct db_datum new;
    db_datum_clone(&new, &row->fields[column->index], type);
    for (int i = 4; i < cmd->argc; i++) {
        struct db_datum add;
        if (vsctl_parse_datum(ctx, &atype, cmd->argv[i], &add)) {
            db_datum_destroy(&new, type);
            return prefix_error(ctx, "%s", column->name);
        }
        db_datum_union(&new, &add, type);
        db_datum_destroy(&add, &atype);
    }
    return store_datum(ctx, row, column, &new);
}

/* Parses what "remove" removes: values, or for a map KEY=VALUE pairs or
 * keys.  *RTYPE is set to the type of *DATUM. */
static int
parse_removal(struct vsctl_ctx *ctx, const struct db_type *type,
              const char *text, struct db_type *rtype,
              struct db_datum *datum)
{
    *rtype = any_number_of(type);
    if (!vsctl_parse_datum(ctx, rtype, text, datum)) {
        return 0;
    } else if (!db_type_is_map(type)) {
        return 1;
    }

    char *map_error = ctx->error;
    ctx->error = NULL;
    *rtype = keys_of(type);
    int error = vsctl_parse_datum(ctx, rtype, text, datum);
    if (error && strchr(text, '=')) {
        free(ctx->error);
        ctx->error = map_error;
    } else {
        free(map_error);
    }
    return error;
}

/* remove TABLE RECORD COLUMN KEY|VALUE|KEY=VALUE... */
static int
cmd_remove(struct vsctl_ctx *ctx, struct vsctl_command *cmd)
{
    const struct db_row *row;
    const struct db_column *column;

    if (get_row_column(ctx, cmd, cmd->argv[3], &row, &column) || !row) {
        return !!ctx->error;
    }

    const struct db_type *type = &column->type;
    struct db_datum new;
    db_datum_clone(&new, &row->fields[column->index], type);
    for (int i = 4; i < cmd->argc; i++) {
        struct db_type rtype;
        struct db_datum rm;
        if (parse_removal(ctx, type, cmd->argv[i], &rtype, &rm)) {
            db_datum_destroy(&new, type);
            return prefix_error(ctx, "%s", column->name);
        }
        db_datum_subtract(&new, type, &rm, &rtype);
        db_datum_destroy(&rm, &rtype);
    }
    return store_datum(ctx, row, column, &new);
}

/* clear TABLE RECORD COLUMN... */
static int
cmd_clear(struct vsctl_ctx *ctx, struct vsctl_command *cmd)
{
    for (int i = 3; i < cmd->argc; i++) {
        const struct db_row *row;
        const struct db_column *column;
        if (get_row_column(ctx, cmd, cmd->argv[i], &row, &column) || !row) {
            return !!ctx->error;
        } else if (column->type.n_min) {
            return vsctl_error(ctx, "column %s of table %s cannot be "
                               "cleared: it must hold at least %u value%s",
                               column->name, row->table->schema->name,
                               column->type.n_min,
                               column->type.n_min == 1 ? "" : "s");
        }
        struct db_datum empty;
        db_datum_init_empty(&empty);
        vsctl_set(vsctl_modify(ctx, row), column->name, &empty);
    }
    return 0;
}

/* A new row of TABLE, with the uuid that ID (if nonnull) stands for. */
static int
insert_row(struct vsctl_ctx *ctx, struct db_table *table, const char *id,
           struct db_row **rowp)
{
    if (!id) {
        *rowp = vsctl_insert(ctx, table->schema->name);
        return 0;
    }

    struct vsctl_symbol *symbol = vsctl_symbol_find(ctx, id);
    if (symbol && symbol->created) {
        return vsctl_error(ctx, "--id=%s: %s is defined more than once",
                           id, id);
    }
    symbol = symbol ? symbol : vsctl_symbol_create(ctx, id);
    symbol->created = true;
    *rowp = db_txn_row_insert(ctx->txn, table, &symbol->uuid);
    return 0;
}

/* create TABLE COLUMN[:KEY]=VALUE... */
static int
cmd_create(struct vsctl_ctx *ctx, struct vsctl_command *cmd)
{
    struct db_table *table;
    struct db_row *row = NULL;

    if (find_table(ctx, cmd->argv[1], &table)
        || insert_row(ctx, table, cmd->id, &row)) {
        return 1;
    }
    for (int i = 2; i < cmd->argc; i++) {
        if (vsctl_set_column(ctx, row, cmd->argv[i])) {
            return 1;
        }
    }
    /* The new row's uuid, --id or not, as ovs-vsctl prints it. */
    vsctl_put_uuid(&cmd->output, db_row_get_uuid(row));
    ds_put_char(&cmd->output, '\n');
    return 0;
}

/* destroy TABLE RECORD..., or destroy --all TABLE */
static int
cmd_destroy(struct vsctl_ctx *ctx, struct vsctl_command *cmd)
{
    struct row_list list = { NULL, 0 };
    struct db_table *table;
    int error = find_table(ctx, cmd->argv[1], &table);

    if (error) {
        return error;
    } else if (cmd->all && cmd->argc > 2) {
        return vsctl_error(ctx, "destroy --all takes a table but no "
                           "records");
    } else if (!cmd->all && cmd->argc == 2) {
        return vsctl_error(ctx, "destroy: name the records of table %s to "
                           "destroy, or give --all", table->schema->name);
    } else if (cmd->all) {
        add_all_rows(table, &list);
    }
    for (int i = 2; !error && i < cmd->argc; i++) {
        const struct db_row *row;
        error = get_row(ctx, table, cmd->argv[i], cmd->if_exists, &row);
        if (!error && row) {
            row_list_add(&list, row);
        }
    }
    /* Each row once, even if named twice. */
    for (size_t i = 0; !error && i < list.n; i++) {
        const struct db_row *row = list.rows[i];
        if (db_table_find_row(table, db_row_get_uuid(row)) == row) {
            vsctl_delete(ctx, row);
        }
    }
    free(list.rows);
    return error;
}

/* wait-until TABLE RECORD [COLUMN[:KEY]OP VALUE...]
 *
 * For now this checks once, against the contents just read, and fails if
 * the record is missing or a condition does not hold. */
static int
cmd_wait_until(struct vsctl_ctx *ctx, struct vsctl_command *cmd)
{
    int n = cmd->argc - 3;
    struct db_table *table;
    const struct db_row *row;
    struct condition *conds;

    if (find_table(ctx, cmd->argv[1], &table)
        || get_row(ctx, table, cmd->argv[2], true, &row)) {
        return 1;
    } else if (!row) {
        /* Not there yet: wait for the database to change. */
        return vsctl_wait(ctx, "no row \"%s\" in table %s yet",
                          cmd->argv[2], table->schema->name);
    } else if (parse_conditions(ctx, table, cmd->argv + 3, n, &conds)) {
        return 1;
    }

    int status = 0;
    for (int i = 0; !status && i < n; i++) {
        if (!condition_holds(&conds[i], row)) {
            status = vsctl_wait(ctx, "%s does not hold for %s record "
                                "\"%s\" yet", cmd->argv[3 + i],
                                table->schema->name, cmd->argv[2]);
        }
    }
    free_conditions(conds, n);
    return status;
}

static const struct vsctl_command_syntax generic_commands[] = {
    { "list", 1, INT_MAX, "TABLE [RECORD]...", "--if-exists,--columns",
      cmd_list, true },
    { "find", 1, INT_MAX, "TABLE [COLUMN[:KEY]=VALUE]...", "--columns",
      cmd_find, true },
    { "get", 2, INT_MAX, "TABLE RECORD [COLUMN[:KEY]]...",
      "--if-exists,--id", cmd_get, true },
    { "set", 3, INT_MAX, "TABLE RECORD COLUMN[:KEY]=VALUE...",
      "--if-exists", cmd_set, false },
    { "add", 4, INT_MAX, "TABLE RECORD COLUMN [KEY=]VALUE...",
      "--if-exists", cmd_add, false },
    { "remove", 4, INT_MAX, "TABLE RECORD COLUMN KEY|VALUE|KEY=VALUE...",
      "--if-exists", cmd_remove, false },
    { "clear", 3, INT_MAX, "TABLE RECORD COLUMN...", "--if-exists",
      cmd_clear, false },
    { "create", 1, INT_MAX, "TABLE [COLUMN[:KEY]=VALUE]...", "--id",
      cmd_create, false },
    { "destroy", 1, INT_MAX, "TABLE [RECORD]...", "--if-exists,--all",
      cmd_destroy, false },
    { "wait-until", 2, INT_MAX, "TABLE RECORD [COLUMN[:KEY]=VALUE]...", "",
      cmd_wait_until, true },
    { NULL, 0, 0, NULL, NULL, NULL, false },
};

void
vsctl_generic_init(void)
{
    vsctl_register_commands(generic_commands);
}
