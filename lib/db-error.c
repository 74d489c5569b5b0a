/* db-error: RFC 7047 errors of the database engine. */
#include <config.h>

#include "db-error.h"

#include <stdlib.h>
#include <string.h>

#include "dynamic-string.h"
#include "utf8.h"
#include "util.h"

/* How many characters of JSON text an error's details quote at most. */
#define EXCERPT_MAX_CHARS 80

static struct db_error *
error_create_valist(const char *tag, const char *details_fmt, va_list args)
    PRINTF_FORMAT(2, 0);

static struct db_error *
error_create_valist(const char *tag, const char *details_fmt, va_list args)
{
    struct db_error *error = xmalloc(sizeof *error);
    error->tag = xstrdup(tag);
    error->details = details_fmt ? xvasprintf(details_fmt, args) : NULL;
    return error;
}

struct db_error *
db_error_create(const char *tag, const char *details_fmt, ...)
{
    va_list args;

    va_start(args, details_fmt);
    struct db_error *error = error_create_valist(tag, details_fmt, args);
    va_end(args);
    return error;
}

struct db_error *
db_syntax_error(const struct json_object *json, const char *details_fmt,
                ...)
{
    char *excerpt = db_json_excerpt(json);
    struct ds details = DS_EMPTY_INITIALIZER;

    ds_put_cstr(&details, excerpt);
    free(excerpt);
    if (details_fmt) {
        va_list args;

        ds_put_cstr(&details, ": ");
        va_start(args, details_fmt);
        ds_put_format_valist(&details, details_fmt, args);
        va_end(args);
    }

    struct db_error *error = db_error_create("syntax error", NULL);
    error->details = ds_steal_cstr(&details);
    return error;
}

void
db_error_destroy(struct db_error *error)
{
    if (error) {
        free(error->tag);
        free(error->details);
        free(error);
    }
}

struct db_error *
db_error_clone(const struct db_error *error)
{
    if (!error) {
        return NULL;
    }

    struct db_error *clone = xmalloc(sizeof *clone);
    clone->tag = xstrdup(error->tag);
    clone->details = error->details ? xstrdup(error->details) : NULL;
    return clone;
}

void
db_error_prefix(struct db_error *error, const char *prefix_fmt, ...)
{
    va_list args;

    va_start(args, prefix_fmt);
    char *prefix = xvasprintf(prefix_fmt, args);
    va_end(args);

    char *details = (error->details
                     ? xasprintf("%s: %s", prefix, error->details)
                     : xstrdup(prefix));
    free(prefix);
    free(error->details);
    error->details = details;
}

struct json_object *
db_error_to_json(const struct db_error *error)
{
    struct json_object *json = json_object_new_object();

    json_object_object_add(json, "error",
                           json_object_new_string(error->tag));
    if (error->details) {
        json_object_object_add(json, "details",
                               json_object_new_string(error->details));
    }
    return json;
}

char *
db_error_to_string(const struct db_error *error)
{
    return (error->details
            ? xasprintf("%s: %s", error->tag, error->details)
            : xstrdup(error->tag));
}

char *
db_json_excerpt(const struct json_object *json)
{
    /* json-c caches the text inside the object, hence the cast. */
    const char *text = json_object_to_json_string_ext(
        (struct json_object *) json,
        JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
    const unsigned char *p = (const unsigned char *) text;
    size_t n = strlen(text);
    struct ds s = DS_EMPTY_INITIALIZER;
    size_t n_chars = 0;

    while (n > 0) {
        if (n_chars == EXCERPT_MAX_CHARS - 3) {
            /* Cut here, unless the rest would fit in place of "...". */
            size_t rest = 0;
            for (size_t i = 0; i < n && rest <= 3; i++) {
                rest += (p[i] & 0xc0) != 0x80;
            }
            if (rest > 3) {
                ds_put_cstr(&s, "...");
                break;
            }
        }

        size_t len = utf8_sequence_length(p, n);
        if (len) {
            ds_put_buffer(&s, (const char *) p, len);
        } else {
            ds_put_format(&s, "\\x%02x", *p);
            len = 1;
        }
        p += len;
        n -= len;
        n_chars++;
    }
    return ds_steal_cstr(&s);
}
