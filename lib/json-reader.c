/* json-reader: incremental framing of a byte stream into JSON values. */
#include <config.h>

#include "json-reader.h"

#include <assert.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/*
 * Security model: every byte comes from an untrusted peer.
 *
 * json-c's tokener builds the values, but even in strict mode it lets
 * through some things RFC 8259 forbids (NaN, Infinity, "1.", "-01", raw
 * control characters in strings), it treats a NUL byte as the end of the
 * input, and its UTF-8 check fails on a character split between two
 * reads.  So each byte first passes a small lexer, which also finds
 * where a value ends, tracks the nesting depth and counts the value's size.
 * The tokener only ever sees the bytes of one value, from its opening
 * bracket to its closing one, and never a byte the lexer refused.
 */

/* Where the lexer is inside a value. */
enum lex_state {
    LEX_TOKENS,         /* Between tokens (or inside a literal). */
    LEX_STRING,         /* Inside a string. */
    LEX_ESCAPE,         /* Just after a backslash in a string. */
    LEX_MINUS,          /* Number: after '-'. */
    LEX_ZERO,           /* Number: integer part is "0". */
    LEX_INT,            /* Number: in the integer part (not "0"). */
    LEX_DOT,            /* Number: after '.'. */
    LEX_FRAC,           /* Number: in the fraction. */
    LEX_EXP_MARK,       /* Number: after 'e' or 'E'. */
    LEX_EXP_SIGN,       /* Number: after the exponent's sign. */
    LEX_EXP,            /* Number: in the exponent. */
};

struct json_reader {
    struct json_tokener *tok;
    size_t max_size;
    int max_depth;

    /* The value being read. */
    bool in_value;              /* Its first byte has been consumed. */
    enum lex_state lex;
    int depth;                  /* Open objects and arrays. */
    int utf8_left;              /* Continuation bytes still expected. */
    unsigned char utf8_lo;      /* Range of the next continuation byte. */
    unsigned char utf8_hi;
    size_t size;                /* Bytes consumed so far. */

    unsigned long long offset;  /* Bytes consumed since creation. */
    struct json_object *value;  /* Completed, not yet taken. */
    char *error;                /* Non-NULL: final error. */
};

struct json_reader *
json_reader_create(size_t max_size, int max_depth)
{
    assert(max_size > 0 && max_size <= INT_MAX);
    assert(max_depth > 0 && max_depth < INT_MAX);

    struct json_reader *r = xzalloc(sizeof *r);
    /* json-c counts a scalar inside the innermost container as one more
     * level; our own lexer enforces MAX_DEPTH on containers. */
    r->tok = json_tokener_new_ex(max_depth + 1);
    if (!r->tok) {
        skiff_fatal(0, "json_tokener_new_ex: out of memory");
    }
    json_tokener_set_flags(r->tok, JSON_TOKENER_STRICT);
    r->max_size = max_size;
    r->max_depth = max_depth;
    return r;
}

void
json_reader_destroy(struct json_reader *r)
{
    if (r) {
        json_tokener_free(r->tok);
        json_object_put(r->value);
        free(r->error);
        free(r);
    }
}

static bool
is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool
is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/* Advances the number lexer over C.  Returns the new state, LEX_TOKENS if
 * C is not part of the number (and the number was complete, so C must be
 * lexed as the next token), or -1 if the number is malformed. */
static int
lex_number(enum lex_state state, unsigned char c)
{
    bool e = c == 'e' || c == 'E';

    switch (state) {
    case LEX_MINUS:
        return c == '0' ? LEX_ZERO : is_digit(c) ? LEX_INT : -1;
    case LEX_ZERO:
        return c == '.' ? LEX_DOT : e ? LEX_EXP_MARK
               : is_digit(c) ? -1 : LEX_TOKENS;
    case LEX_INT:
        return is_digit(c) ? LEX_INT : c == '.' ? LEX_DOT
               : e ? LEX_EXP_MARK : LEX_TOKENS;
    case LEX_DOT:
        return is_digit(c) ? LEX_FRAC : -1;
    case LEX_FRAC:
        return is_digit(c) ? LEX_FRAC : e ? LEX_EXP_MARK : LEX_TOKENS;
    case LEX_EXP_MARK:
        return c == '+' || c == '-' ? LEX_EXP_SIGN
               : is_digit(c) ? LEX_EXP : -1;
    case LEX_EXP_SIGN:
    case LEX_EXP:
        return is_digit(c) ? LEX_EXP : state == LEX_EXP ? LEX_TOKENS : -1;
    case LEX_TOKENS:
    case LEX_STRING:
    case LEX_ESCAPE:
    default:
        abort();
    }
}

/* Lexes C between tokens.  Returns NULL or what is wrong. */
static const char *
lex_token(struct json_reader *r, unsigned char c)
{
    if (c == '{' || c == '[') {
        r->depth++;
    } else if (c == '}' || c == ']') {
        r->depth--;
    } else if (c == '"') {
        r->lex = LEX_STRING;
    } else if (c == '-') {
        r->lex = LEX_MINUS;
    } else if (is_digit(c)) {
        r->lex = c == '0' ? LEX_ZERO : LEX_INT;
    } else if (!is_space(c) && (!c || !strchr(",:aeflnrstu", c))) {
        /* Letters other than those of true, false and null cannot start
         * or continue a token; the tokener checks the literals. */
        return "unexpected character";
    }
    return NULL;
}

/* Checks byte C of a string as UTF-8 (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF).  Returns false if it is invalid. */
static bool
lex_utf8(struct json_reader *r, unsigned char c)
{
    if (r->utf8_left) {
        if (c < r->utf8_lo || c > r->utf8_hi) {
            return false;
        }
        r->utf8_left--;
        r->utf8_lo = 0x80;
        r->utf8_hi = 0xbf;
        return true;
    }

    r->utf8_lo = 0x80;
    r->utf8_hi = 0xbf;
    if (c < 0x80) {
        return true;
    } else if (c >= 0xc2 && c <= 0xdf) {
        r->utf8_left = 1;
    } else if (c >= 0xe0 && c <= 0xef) {
        r->utf8_left = 2;
        r->utf8_lo = c == 0xe0 ? 0xa0 : 0x80;
        r->utf8_hi = c == 0xed ? 0x9f : 0xbf;
    } else if (c >= 0xf0 && c <= 0xf4) {
        r->utf8_left = 3;
        r->utf8_lo = c == 0xf0 ? 0x90 : 0x80;
        r->utf8_hi = c == 0xf4 ? 0x8f : 0xbf;
    } else {
        return false;
    }
    return true;
}

/* Lexes byte C of a string. */
static const char *
lex_string(struct json_reader *r, unsigned char c)
{
    if (!lex_utf8(r, c)) {
        return "invalid UTF-8";
    } else if (r->utf8_left || c >= 0x80) {
        return NULL;
    } else if (c == '"') {
        r->lex = LEX_TOKENS;
    } else if (c == '\\') {
        r->lex = LEX_ESCAPE;
    } else if (c < 0x20) {
        return "unescaped control character in string";
    }
    return NULL;
}

/* Lexes byte C of the current value.  Returns NULL or what is wrong. */
static const char *
lex_byte(struct json_reader *r, unsigned char c)
{
    switch (r->lex) {
    case LEX_STRING:
        return lex_string(r, c);
    case LEX_ESCAPE:
        /* The tokener checks the hex digits of a unicode escape. */
        r->lex = LEX_STRING;
        return c && strchr("\"\\/bfnrtu", c) ? NULL : "invalid escape";
    case LEX_TOKENS:
        return lex_token(r, c);
    case LEX_MINUS:
    case LEX_ZERO:
    case LEX_INT:
    case LEX_DOT:
    case LEX_FRAC:
    case LEX_EXP_MARK:
    case LEX_EXP_SIGN:
    case LEX_EXP:
    default: {
        int next = lex_number(r->lex, c);
        if (next < 0) {
            return "malformed number";
        }
        r->lex = next;
        return next == LEX_TOKENS ? lex_token(r, c) : NULL;
    }
    }
}

static void
set_error(struct json_reader *r, char *error)
{
    json_object_put(r->value);
    r->value = NULL;
    r->error = error;
}

static void
set_syntax_error(struct json_reader *r, unsigned long long offset,
                 const char *what)
{
    set_error(r, xasprintf("JSON syntax error at byte %llu: %s",
                           offset, what));
}

/* Starts the next value with DATA[0] if it can: skips white space and
 * requires an object or an array.  Returns the bytes consumed. */
static size_t
start_value(struct json_reader *r, const char *data, size_t n)
{
    size_t i;

    for (i = 0; i < n && is_space(data[i]); i++) {
        continue;
    }
    r->offset += i;
    if (i < n && data[i] != '{' && data[i] != '[') {
        set_syntax_error(r, r->offset,
                         "top-level value is not an object or array");
    } else if (i < n) {
        r->in_value = true;
        r->lex = LEX_TOKENS;
        r->depth = 0;
        r->utf8_left = 0;
        r->size = 0;
    }
    return i;
}

/* Lexes DATA (N bytes, part of the current value).  Returns how many bytes
 * belong to the value: up to and including its last byte if it ends in
 * DATA, else up to (not including) the first bad byte, else N.  Sets
 * *ERRORP to the problem with the bad byte (the caller frees it), or NULL.
 */
static size_t
lex_value(struct json_reader *r, const char *data, size_t n,
          char **errorp)
{
    *errorp = NULL;
    for (size_t i = 0; i < n; i++) {
        const char *what;

        if (r->size >= r->max_size) {
            *errorp = xasprintf("message exceeds %zu bytes", r->max_size);
            return i;
        }
        what = lex_byte(r, (unsigned char) data[i]);
        if (what) {
            *errorp = xasprintf("JSON syntax error at byte %llu: %s",
                                r->offset + i, what);
            return i;
        }
        if (r->depth > r->max_depth) {
            *errorp = xasprintf("message nests deeper than %d levels",
                                r->max_depth);
            return i;
        }
        r->size++;
        if (!r->depth) {
            return i + 1;
        }
    }
    return n;
}

/* Passes DATA (N bytes of the current value, ending it if DONE) to the
 * tokener.  Returns false, with the reader in error, if it refused them.
 * N fits in an int because a value never exceeds max_size. */
static bool
tokenize(struct json_reader *r, const char *data, size_t n, bool done)
{
    struct json_object *obj;
    enum json_tokener_error jerr;
    size_t end;

    obj = json_tokener_parse_ex(r->tok, data, (int) n);
    jerr = json_tokener_get_error(r->tok);
    end = json_tokener_get_parse_end(r->tok);
    if (obj && done && end == n) {
        r->value = obj;
        return true;
    }
    json_object_put(obj);
    if (jerr == json_tokener_continue && !done) {
        return true;
    }
    if (jerr == json_tokener_success || jerr == json_tokener_continue) {
        /* The tokener and the lexer disagree on where the value ends,
         * which only mismatched brackets could cause. */
        jerr = json_tokener_error_parse_unexpected;
    }
    set_syntax_error(r, r->offset + MIN(end, n),
                     json_tokener_error_desc(jerr));
    return false;
}

/* Passes DATA (N bytes at most) to the current value.  Returns the bytes
 * consumed. */
static size_t
feed_value(struct json_reader *r, const char *data, size_t n)
{
    char *lex_error;
    size_t len = lex_value(r, data, n, &lex_error);
    bool done = !lex_error && !r->depth;

    /* An error the tokener finds in the bytes before the lexer's bad byte
     * comes first, so it is the one reported. */
    if (len && !tokenize(r, data, len, done)) {
        free(lex_error);
        return 0;
    }
    r->offset += len;
    if (lex_error) {
        set_error(r, lex_error);
    } else if (done) {
        r->in_value = false;
        json_tokener_reset(r->tok);
    }
    return len;
}

size_t
json_reader_feed(struct json_reader *r, const char *data, size_t n)
{
    size_t used = 0;

    if (r->error || r->value) {
        return 0;
    }
    if (!r->in_value) {
        used = start_value(r, data, n);
        if (r->error || used == n) {
            return used;
        }
    }
    return used + feed_value(r, data + used, n - used);
}

struct json_object *
json_reader_take(struct json_reader *r)
{
    struct json_object *value = r->value;

    r->value = NULL;
    return value;
}

const char *
json_reader_get_error(const struct json_reader *r)
{
    return r->error;
}

bool
json_reader_is_partial(const struct json_reader *r)
{
    return !r->error && r->in_value;
}
