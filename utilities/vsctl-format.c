/* vsctl-format: how skiff-vsctl prints values and rows (list, find, get):
 * as "list", "table", "json" or "csv", or bare. */
#include <config.h>

#include "vsctl.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

/* One atom as it would be typed: uuids through vsctl_put_uuid(), so that
 * rows this chain inserts show their real uuids. */
static void
put_atom(struct ds *out, const union db_atom *atom, enum db_atomic_type type)
{
    if (type == DB_TYPE_UUID) {
        vsctl_put_uuid(out, &atom->uuid);
    } else {
        db_atom_to_string(atom, type, out);
    }
}

void
vsctl_put_datum(struct ds *out, const struct db_datum *datum,
                const struct db_type *type)
{
    bool map = db_type_is_map(type);

    /* A value that holds at most one element prints alone when present
     * ("tag: 5"), so that it reads back the same way. */
    if (!map && type->n_max == 1 && datum->n == 1) {
        put_atom(out, &datum->keys[0], type->key.type);
        return;
    }
    ds_put_char(out, map ? '{' : '[');
    for (unsigned int i = 0; i < datum->n; i++) {
        if (i) {
            ds_put_cstr(out, ", ");
        }
        put_atom(out, &datum->keys[i], type->key.type);
        if (map) {
            ds_put_char(out, '=');
            put_atom(out, &datum->values[i], type->value.type);
        }
    }
    ds_put_char(out, map ? '}' : ']');
}

/* An atom for --bare: strings as they are, without quotes. */
static void
put_bare_atom(struct ds *out, const union db_atom *atom,
              enum db_atomic_type type)
{
    if (type == DB_TYPE_STRING) {
        ds_put_cstr(out, atom->string);
    } else {
        put_atom(out, atom, type);
    }
}

/* A datum for --bare: its elements separated by spaces, "KEY=VALUE" for
 * a map's. */
static void
put_bare_datum(struct ds *out, const struct db_datum *datum,
               const struct db_type *type)
{
    for (unsigned int i = 0; i < datum->n; i++) {
        if (i) {
            ds_put_char(out, ' ');
        }
        put_bare_atom(out, &datum->keys[i], type->key.type);
        if (db_type_is_map(type)) {
            ds_put_char(out, '=');
            put_bare_atom(out, &datum->values[i], type->value.type);
        }
    }
}

/* The rows and columns to print. */
struct rows {
    const struct db_row *const *rows;
    size_t n_rows;
    const struct db_column *const *columns;
    size_t n_columns;
};

static const struct db_datum *
cell(const struct rows *r, size_t row, size_t column)
{
    return &r->rows[row]->fields[r->columns[column]->index];
}

static const struct db_type *
cell_type(const struct rows *r, size_t column)
{
    return &r->columns[column]->type;
}

/* "list": "COLUMN : VALUE" lines, a blank line between rows; --bare
 * leaves out the column names. */
static void
put_list(struct ds *out, const struct rows *r, bool bare)
{
    for (size_t i = 0; i < r->n_rows; i++) {
        if (i) {
            ds_put_char(out, '\n');
        }
        for (size_t j = 0; j < r->n_columns; j++) {
            if (bare) {
                put_bare_datum(out, cell(r, i, j), cell_type(r, j));
            } else {
                ds_put_format(out, "%-20s: ", r->columns[j]->name);
                vsctl_put_datum(out, cell(r, i, j), cell_type(r, j));
            }
            ds_put_char(out, '\n');
        }
    }
}

/* Appends one line of a "table": CELLS padded to WIDTHS. */
static void
put_table_line(struct ds *out, char **cells, const size_t *widths, size_t n)
{
    size_t start = out->length;
    for (size_t j = 0; j < n; j++) {
        ds_put_format(out, "%-*s ", (int) widths[j], cells[j]);
    }
    while (out->length > start && ds_last(out) == ' ') {
        ds_truncate(out, out->length - 1);
    }
    ds_put_char(out, '\n');
}

/* "table": a heading line, a line of dashes, then one line per row, the
 * columns aligned. */
static void
put_table(struct ds *out, const struct rows *r)
{
    size_t n_lines = r->n_rows + 2;
    size_t n = r->n_columns;
    char **cells = xcalloc(n_lines * n, sizeof *cells);
    size_t *widths = xcalloc(n ? n : 1, sizeof *widths);

    for (size_t j = 0; j < n; j++) {
        cells[j] = xstrdup(r->columns[j]->name);
        for (size_t i = 0; i < r->n_rows; i++) {
            struct ds s = DS_EMPTY_INITIALIZER;
            vsctl_put_datum(&s, cell(r, i, j), cell_type(r, j));
            cells[(i + 2) * n + j] = ds_steal_cstr(&s);
        }
        for (size_t i = 0; i < n_lines; i++) {
            if (i != 1) {
                widths[j] = MAX(widths[j], strlen(cells[i * n + j]));
            }
        }
        cells[n + j] = xmalloc(widths[j] + 1);
        memset(cells[n + j], '-', widths[j]);
        cells[n + j][widths[j]] = '\0';
    }
    for (size_t i = 0; i < n_lines; i++) {
        put_table_line(out, &cells[i * n], widths, n);
    }
    for (size_t i = 0; i < n_lines * n; i++) {
        free(cells[i]);
    }
    free(cells);
    free(widths);
}

/* "json": {"data": [[VALUE...]...], "headings": [COLUMN...]}, values as
 * RFC 7047 writes them. */
static void
put_json(struct ds *out, const struct rows *r)
{
    struct json_object *data = json_object_new_array();
    struct json_object *headings = json_object_new_array();

    for (size_t i = 0; i < r->n_rows; i++) {
        struct json_object *row = json_object_new_array();
        for (size_t j = 0; j < r->n_columns; j++) {
            json_object_array_add(row, db_datum_to_json(cell(r, i, j),
                                                         cell_type(r, j)));
        }
        json_object_array_add(data, row);
    }
    for (size_t j = 0; j < r->n_columns; j++) {
        json_object_array_add(headings,
                              json_object_new_string(r->columns[j]->name));
    }

    struct json_object *top = json_object_new_object();
    json_object_object_add(top, "data", data);
    json_object_object_add(top, "headings", headings);
    ds_put_cstr(out, json_object_to_json_string_ext(
                    top, JSON_C_TO_STRING_PLAIN
                    | JSON_C_TO_STRING_NOSLASHESCAPE));
    ds_put_char(out, '\n');
    json_object_put(top);
}

/* One CSV field: quoted, with quotes doubled, if it needs to be. */
static void
put_csv_field(struct ds *out, const char *s)
{
    if (!s[strcspn(s, ",\"\r\n")] && s[0] != ' '
        && (!s[0] || s[strlen(s) - 1] != ' ')) {
        ds_put_cstr(out, s);
        return;
    }
    ds_put_char(out, '"');
    for (; *s; s++) {
        if (*s == '"') {
            ds_put_char(out, '"');
        }
        ds_put_char(out, *s);
    }
    ds_put_char(out, '"');
}

/* "csv": a heading line, then one line per row. */
static void
put_csv(struct ds *out, const struct rows *r)
{
    for (size_t j = 0; j < r->n_columns; j++) {
        ds_put_cstr(out, j ? "," : "");
        put_csv_field(out, r->columns[j]->name);
    }
    ds_put_char(out, '\n');
    for (size_t i = 0; i < r->n_rows; i++) {
        for (size_t j = 0; j < r->n_columns; j++) {
            struct ds s = DS_EMPTY_INITIALIZER;
            vsctl_put_datum(&s, cell(r, i, j), cell_type(r, j));
            ds_put_cstr(out, j ? "," : "");
            put_csv_field(out, ds_cstr(&s));
            ds_destroy(&s);
        }
        ds_put_char(out, '\n');
    }
}

void
vsctl_put_rows(struct vsctl_ctx *ctx, struct vsctl_command *cmd,
               const struct db_row *const *rows, size_t n_rows,
               const struct db_column *const *columns, size_t n_columns)
{
    const struct rows r = { rows, n_rows, columns, n_columns };
    struct ds *out = &cmd->output;

    if (ctx->options->bare) {
        put_list(out, &r, true);
        return;
    }
    switch (ctx->options->format) {
    case VSCTL_FORMAT_LIST:
        put_list(out, &r, false);
        break;
    case VSCTL_FORMAT_TABLE:
        put_table(out, &r);
        break;
    case VSCTL_FORMAT_JSON:
        put_json(out, &r);
        break;
    case VSCTL_FORMAT_CSV:
        put_csv(out, &r);
        break;
    default:
        abort();
    }
}
