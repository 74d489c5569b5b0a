/* dynamic-string: growable strings. */
#include <config.h>

#include "dynamic-string.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

void
ds_init(struct ds *ds)
{
    ds->string = NULL;
    ds->length = 0;
    ds->allocated = 0;
}

void
ds_destroy(struct ds *ds)
{
    free(ds->string);
    ds_init(ds);
}

void
ds_clear(struct ds *ds)
{
    ds->length = 0;
    if (ds->string) {
        ds->string[0] = '\0';
    }
}

void
ds_truncate(struct ds *ds, size_t new_length)
{
    if (new_length < ds->length) {
        ds->length = new_length;
        ds->string[new_length] = '\0';
    }
}

void
ds_reserve(struct ds *ds, size_t min_length)
{
    if (min_length > ds->allocated || !ds->string) {
        size_t grown = ds->allocated + ds->allocated / 2 + 8;
        ds->allocated = MAX(min_length, grown);
        ds->string = xrealloc(ds->string, ds->allocated + 1);
        ds->string[ds->length] = '\0';
    }
}

char *
ds_put_uninit(struct ds *ds, size_t n)
{
    ds_reserve(ds, ds->length + n);
    char *p = &ds->string[ds->length];
    ds->length += n;
    ds->string[ds->length] = '\0';
    return p;
}

void
ds_put_char(struct ds *ds, char c)
{
    *ds_put_uninit(ds, 1) = c;
}

void
ds_put_char_multiple(struct ds *ds, char c, size_t n)
{
    memset(ds_put_uninit(ds, n), c, n);
}

void
ds_put_buffer(struct ds *ds, const char *s, size_t n)
{
    if (n) {
        memcpy(ds_put_uninit(ds, n), s, n);
    }
}

void
ds_put_cstr(struct ds *ds, const char *s)
{
    ds_put_buffer(ds, s, strlen(s));
}

void
ds_put_format_valist(struct ds *ds, const char *format, va_list args)
{
    va_list copy;
    va_copy(copy, args);
    size_t room = ds->string ? ds->allocated - ds->length + 1 : 0;
    int needed = vsnprintf(ds->string ? ds->string + ds->length : NULL,
                           room, format, copy);
    va_end(copy);
    if (needed < 0) {
        return;
    }
    if ((size_t) needed < room) {
        ds->length += (size_t) needed;
    } else {
        ds_reserve(ds, ds->length + (size_t) needed);
        room = ds->allocated - ds->length + 1;
        vsnprintf(ds->string + ds->length, room, format, args);
        ds->length += (size_t) needed;
    }
}

void
ds_put_format(struct ds *ds, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    ds_put_format_valist(ds, format, args);
    va_end(args);
}

void
ds_strip_trailing_space(struct ds *ds)
{
    while (ds->length && isspace((unsigned char) ds->string[ds->length - 1])) {
        ds->string[--ds->length] = '\0';
    }
}

void
ds_chomp(struct ds *ds, int c)
{
    if (ds->length && ds->string[ds->length - 1] == (char) c) {
        ds->string[--ds->length] = '\0';
    }
}

char *
ds_cstr(struct ds *ds)
{
    if (!ds->string) {
        ds_reserve(ds, 0);
    }
    return ds->string;
}

const char *
ds_cstr_ro(const struct ds *ds)
{
    return ds->string ? ds->string : "";
}

char *
ds_steal_cstr(struct ds *ds)
{
    char *s = ds_cstr(ds);
    ds_init(ds);
    return s;
}

int
ds_last(const struct ds *ds)
{
    return ds->length ? (unsigned char) ds->string[ds->length - 1] : EOF;
}
