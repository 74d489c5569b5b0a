/*
 * dynamic-string: a growable, always NUL-terminated string ("ds").
 *
 *     struct ds s = DS_EMPTY_INITIALIZER;
 *     ds_put_format(&s, "%d ports", n);
 *     puts(ds_cstr(&s));
 *     ds_destroy(&s);
 *
 * ds_cstr() never returns NULL, even for a string that never grew.
 */
#ifndef SKIFF_DYNAMIC_STRING_H
#define SKIFF_DYNAMIC_STRING_H 1

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include "util.h"

struct ds {
    char *string;       /* NULL until something is put; else NUL-ended. */
    size_t length;      /* Bytes in use, not counting the NUL. */
    size_t allocated;   /* Capacity, not counting the NUL. */
};

#define DS_EMPTY_INITIALIZER { NULL, 0, 0 }

void ds_init(struct ds *);
void ds_destroy(struct ds *);
void ds_clear(struct ds *);
void ds_truncate(struct ds *, size_t new_length);
void ds_reserve(struct ds *, size_t min_length);

/* Returns space for N more bytes at the end and counts them as used; the
 * caller fills them in. */
char *ds_put_uninit(struct ds *, size_t n);

void ds_put_char(struct ds *, char);
void ds_put_char_multiple(struct ds *, char, size_t n);
void ds_put_buffer(struct ds *, const char *, size_t n);
void ds_put_cstr(struct ds *, const char *);
void ds_put_format(struct ds *, const char *, ...) PRINTF_FORMAT(2, 3);
void ds_put_format_valist(struct ds *, const char *, va_list)
    PRINTF_FORMAT(2, 0);

/* Removes trailing white space (ds_chomp: only trailing C). */
void ds_strip_trailing_space(struct ds *);
void ds_chomp(struct ds *, int c);

char *ds_cstr(struct ds *);
const char *ds_cstr_ro(const struct ds *);

/* Returns the string, which the caller must free, and leaves DS empty. */
char *ds_steal_cstr(struct ds *);

int ds_last(const struct ds *);     /* Last byte, or EOF when empty. */

#endif /* dynamic-string.h */
