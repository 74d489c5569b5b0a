/*
 * utf8: checking and counting UTF-8 text (RFC 3629).
 *
 * Well-formed means: no overlong forms, no surrogates (U+D800 to U+DFFF),
 * nothing past U+10FFFF.
 */
#ifndef SKIFF_UTF8_H
#define SKIFF_UTF8_H 1

#include <stddef.h>

/* The length (1 to 4) of the well-formed sequence that starts the N > 0
 * bytes at S, or 0 if they do not start with one. */
size_t utf8_sequence_length(const unsigned char *s, size_t n);

/* The number of characters in the N bytes at S, or SIZE_MAX if they are
 * not well-formed UTF-8. */
size_t utf8_length(const char *s, size_t n);

#endif /* utf8.h */
