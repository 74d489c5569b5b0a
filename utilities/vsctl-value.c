/* vsctl-value: skiff-vsctl's syntax for database values on the command
 * line: strings, numbers, booleans, uuids and @names, sets and maps. */
#include <config.h>

#include "vsctl.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "db-error.h"

struct parser {
    struct vsctl_ctx *ctx;
    const char *text;           /* All of it, for messages. */
    const char *p;              /* Where parsing is. */
};

static void
skip_spaces(struct parser *p)
{
    while (isspace((unsigned char) *p->p)) {
        p->p++;
    }
}

static int
hex_value(char c)
{
    return (c >= '0' && c <= '9' ? c - '0'
            : c >= 'a' && c <= 'f' ? c - 'a' + 10
            : c >= 'A' && c <= 'F' ? c - 'A' + 10
            : -1);
}

/* Reads up to MAX digits of BASE (8 or 16) at *PP into *VALUE; returns how
 * many it read. */
static int
read_digits(const char **pp, int base, int max, unsigned int *value)
{
    int n;

    *value = 0;
    for (n = 0; n < max; n++) {
        int d = hex_value((*pp)[n]);
        if (d < 0 || d >= base) {
            break;
        }
        *value = *value * (unsigned int) base + (unsigned int) d;
    }
    *pp += n;
    return n;
}

static void
put_utf8(struct ds *out, unsigned int c)
{
    if (c < 0x80) {
        ds_put_char(out, (char) c);
    } else if (c < 0x800) {
        ds_put_char(out, (char) (0xc0 | (c >> 6)));
        ds_put_char(out, (char) (0x80 | (c & 0x3f)));
    } else {
        ds_put_char(out, (char) (0xe0 | (c >> 12)));
        ds_put_char(out, (char) (0x80 | ((c >> 6) & 0x3f)));
        ds_put_char(out, (char) (0x80 | (c & 0x3f)));
    }
}

/* Decodes the escape sequence after a backslash at *PP into OUT.  Returns
 * NULL or what is wrong. */
static const char *
decode_escape(const char **pp, struct ds *out)
{
    static const char pairs[] = "\"\"\\\\''??a\ab\bf\fn\nr\rt\tv\v";
    char c = **pp;
    unsigned int value;

    if (!c) {
        return "ends in a backslash";
    }
    (*pp)++;
    for (const char *q = pairs; *q; q += 2) {
        if (c == q[0]) {
            ds_put_char(out, q[1]);
            return NULL;
        }
    }
    if (c == 'x' && read_digits(pp, 16, 2, &value)) {
        /* One byte. */
    } else if (c >= '0' && c <= '7') {
        (*pp)--;
        read_digits(pp, 8, 3, &value);
        if (value > 0xff) {
            return "has an octal escape above \\377";
        }
    } else if (c == 'u' && read_digits(pp, 16, 4, &value) == 4) {
        if (value >= 0xd800 && value < 0xe000) {
            return "has a \\u escape for a UTF-16 surrogate";
        } else if (value) {
            put_utf8(out, value);
            return NULL;
        }
    } else {
        return "has an unknown escape sequence";
    }
    if (!value) {
        return "contains a null byte";
    }
    ds_put_char(out, (char) value);
    return NULL;
}

/* Decodes the double-quoted string at P (C escapes allowed) into *TEXTP. */
static int
read_quoted(struct parser *p, char **textp)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    const char *start = p->p++;
    const char *problem = NULL;

    while (!problem && *p->p != '"') {
        if (!*p->p) {
            problem = "lacks its closing quote";
        } else if (*p->p == '\\') {
            p->p++;
            problem = decode_escape(&p->p, &s);
        } else {
            ds_put_char(&s, *p->p++);
        }
    }
    if (problem) {
        ds_destroy(&s);
        return vsctl_error(p->ctx, "%s: string %s", start, problem);
    }
    p->p++;
    *textp = ds_steal_cstr(&s);
    if (!*textp) {
        *textp = xstrdup("");
    }
    return 0;
}

/* Reads one atom's text: a quoted string (decoded; *QUOTED true) or
 * characters up to white space, a double quote or one of DELIMS. */
static int
read_token(struct parser *p, const char *delims, char **textp,
           bool *quoted)
{
    skip_spaces(p);
    *quoted = *p->p == '"';
    if (*quoted) {
        return read_quoted(p, textp);
    }

    size_t n = 0;
    while (p->p[n] && !isspace((unsigned char) p->p[n])
           && p->p[n] != '"' && !strchr(delims, p->p[n])) {
        n++;
    }
    if (!n) {
        return (*p->p
                ? vsctl_error(p->ctx, "\"%s\": expected a value at \"%s\"",
                              p->text, p->p)
                : vsctl_error(p->ctx, "\"%s\": missing a value", p->text));
    }
    *textp = xstrndup(p->p, n);
    p->p += n;
    return 0;
}

static int
uuid_atom_from_text(struct vsctl_ctx *ctx, const char *text,
                    union db_atom *atom)
{
    if (text[0] == '@' && text[1]) {
        /* A name that a later command's --id may yet define. */
        struct vsctl_symbol *symbol = vsctl_symbol_find(ctx, text);
        if (!symbol) {
            symbol = vsctl_symbol_create(ctx, text);
        }
        atom->uuid = symbol->uuid;
    } else if (!uuid_from_string(&atom->uuid, text)) {
        return vsctl_error(ctx, "\"%s\" is not a uuid or an @name", text);
    }
    return 0;
}

/* Converts TEXT to an atom of TYPE. */
static int
atom_from_text(struct vsctl_ctx *ctx, enum db_atomic_type type,
               const char *text, bool quoted, union db_atom *atom)
{
    char *end;

    errno = 0;
    switch (type) {
    case DB_TYPE_STRING:
        atom->string = xstrdup(text);
        return 0;
    case DB_TYPE_INTEGER:
        atom->integer = strtoll(text, &end, 10);
        if (quoted || end == text || *end || errno) {
            return vsctl_error(ctx, "\"%s\" is not an integer", text);
        }
        return 0;
    case DB_TYPE_REAL:
        atom->real = strtod(text, &end);
        if (quoted || *end || end == text || !isfinite(atom->real)) {
            return vsctl_error(ctx, "\"%s\" is not a real number", text);
        }
        return 0;
    case DB_TYPE_BOOLEAN:
        atom->boolean = !strcmp(text, "true");
        if (quoted || (!atom->boolean && strcmp(text, "false"))) {
            return vsctl_error(ctx, "\"%s\" is not true or false", text);
        }
        return 0;
    case DB_TYPE_UUID:
        return (quoted
                ? vsctl_error(ctx, "\"%s\" is not a uuid or an @name", text)
                : uuid_atom_from_text(ctx, text, atom));
    case DB_TYPE_VOID:
    case DB_N_TYPES:
    default:
        abort();
    }
}

/* Parses one atom of BASE's type, stopping at one of DELIMS, and checks
 * BASE's constraints. */
static int
parse_atom(struct parser *p, const struct db_base_type *base,
           const char *delims, union db_atom *atom)
{
    char *text = NULL;
    bool quoted;

    if (read_token(p, delims, &text, &quoted)) {
        return 1;
    }
    int error = atom_from_text(p->ctx, base->type, text, quoted, atom);
    free(text);
    if (error) {
        return error;
    }

    struct db_error *db_error = db_atom_check_constraints(atom, base);
    if (db_error) {
        db_atom_destroy(atom, base->type);
        return vsctl_db_error(p->ctx, db_error);
    }
    return 0;
}

/* Parses "KEY=VALUE" of map TYPE into DATUM; the value ends at one of
 * VALUE_DELIMS. */
static int
parse_pair(struct parser *p, const struct db_type *type,
           const char *value_delims, struct db_datum *datum)
{
    union db_atom key, value;

    if (parse_atom(p, &type->key, "=,{}[]", &key)) {
        return 1;
    }
    skip_spaces(p);
    if (*p->p != '=') {
        db_atom_destroy(&key, type->key.type);
        return vsctl_error(p->ctx, "\"%s\": expected \"=\" at \"%s\" (a map "
                           "is written {KEY=VALUE, ...})", p->text, p->p);
    }
    p->p++;
    if (parse_atom(p, &type->value, value_delims, &value)) {
        db_atom_destroy(&key, type->key.type);
        return 1;
    }
    db_datum_add_unsafe(datum, &key, &value);
    return 0;
}

/* Parses one element of TYPE (an atom, or a pair for a map). */
static int
parse_element(struct parser *p, const struct db_type *type,
              const char *delims, struct db_datum *datum)
{
    if (db_type_is_map(type)) {
        return parse_pair(p, type, delims, datum);
    }

    union db_atom key;
    if (parse_atom(p, &type->key, delims, &key)) {
        return 1;
    }
    db_datum_add_unsafe(datum, &key, NULL);
    return 0;
}

/* Parses "[a, b]" or "{k=v, ...}" after its opening bracket. */
static int
parse_elements(struct parser *p, const struct db_type *type, char close,
               struct db_datum *datum)
{
    const char *delims = close == ']' ? ",]" : ",}";

    skip_spaces(p);
    if (*p->p == close) {
        p->p++;
        return 0;
    }
    for (;;) {
        if (parse_element(p, type, delims, datum)) {
            return 1;
        }
        skip_spaces(p);
        if (*p->p == close) {
            p->p++;
            return 0;
        } else if (*p->p != ',') {
            return vsctl_error(p->ctx, "\"%s\": expected \",\" or \"%c\" "
                               "at \"%s\"", p->text, close, p->p);
        }
        p->p++;
    }
}

static int
parse_datum__(struct parser *p, const struct db_type *type,
              struct db_datum *datum)
{
    bool map = db_type_is_map(type);

    skip_spaces(p);
    if (*p->p == (map ? '{' : '[')) {
        p->p++;
        return parse_elements(p, type, map ? '}' : ']', datum);
    } else if (!*p->p && !map && type->key.type == DB_TYPE_STRING) {
        union db_atom empty = { .string = xstrdup("") };
        db_datum_add_unsafe(datum, &empty, NULL);
        return 0;
    } else if (!*p->p) {
        return vsctl_error(p->ctx, "missing a value (\"%s\" is empty)",
                           map ? "{}" : "[]");
    }
    return parse_element(p, type, "", datum);
}

int
vsctl_parse_datum(struct vsctl_ctx *ctx, const struct db_type *type,
                  const char *text, struct db_datum *datum)
{
    struct parser p = { .ctx = ctx, .text = text, .p = text };
    struct db_error *error;

    db_datum_init_empty(datum);
    int retval = parse_datum__(&p, type, datum);
    if (!retval) {
        skip_spaces(&p);
        if (*p.p) {
            retval = vsctl_error(ctx, "\"%s\": unexpected \"%s\" after the "
                                 "value", text, p.p);
        }
    }
    if (!retval && ((error = db_datum_sort_unique(datum, type))
                    || (error = db_datum_check(datum, type)))) {
        retval = vsctl_db_error(ctx, error);
    }
    if (retval) {
        db_datum_destroy(datum, type);
        db_datum_init_empty(datum);
    }
    return retval;
}


int
vsctl_parse_atom(struct vsctl_ctx *ctx, const struct db_base_type *base,
                 const char *text, const char *stop, union db_atom *atom,
                 const char **endp)
{
    struct parser p = { .ctx = ctx, .text = text, .p = text };
    int error = parse_atom(&p, base, stop, atom);
    if (!error) {
        skip_spaces(&p);
        *endp = p.p;
    }
    return error;
}
