/* utf8: UTF-8 well-formedness and length. */
#include <config.h>

#include "utf8.h"

#include <stdint.h>

size_t
utf8_sequence_length(const unsigned char *s, size_t n)
{
    unsigned char lo = 0x80, hi = 0xbf;
    size_t len;

    if (s[0] < 0x80) {
        return 1;
    } else if (s[0] >= 0xc2 && s[0] <= 0xdf) {
        len = 2;
    } else if (s[0] >= 0xe0 && s[0] <= 0xef) {
        len = 3;
        lo = s[0] == 0xe0 ? 0xa0 : 0x80;    /* No overlong forms. */
        hi = s[0] == 0xed ? 0x9f : 0xbf;    /* No surrogates. */
    } else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
        len = 4;
        lo = s[0] == 0xf0 ? 0x90 : 0x80;    /* No overlong forms. */
        hi = s[0] == 0xf4 ? 0x8f : 0xbf;    /* Nothing past U+10FFFF. */
    } else {
        return 0;
    }

    if (n < len || s[1] < lo || s[1] > hi) {
        return 0;
    }
    for (size_t i = 2; i < len; i++) {
        if (s[i] < 0x80 || s[i] > 0xbf) {
            return 0;
        }
    }
    return len;
}

size_t
utf8_length(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *) s;
    size_t n_chars = 0;

    while (n > 0) {
        size_t len = utf8_sequence_length(p, n);
        if (!len) {
            return SIZE_MAX;
        }
        p += len;
        n -= len;
        n_chars++;
    }
    return n_chars;
}
