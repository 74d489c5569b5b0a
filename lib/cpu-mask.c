/* cpu-mask: CPU sets written as hexadecimal masks. */
#include <config.h>

#include "cpu-mask.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>

int
cpu_mask_parse(const char *s, uint64_t *words, size_t n_words)
{
    size_t len;
    bool any = false;

    memset(words, 0, n_words * sizeof *words);
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        s += 2;
    }
    len = strlen(s);
    if (!len || len > n_words * 16) {
        return EINVAL;
    }
    for (size_t i = 0; i < len; i++) {
        char c = s[len - 1 - i];    /* i-th hex digit from the right. */
        unsigned int nibble;

        if (!isxdigit((unsigned char) c)) {
            return EINVAL;
        }
        nibble = isdigit((unsigned char) c) ? c - '0'
                                            : tolower((unsigned char) c)
                                              - 'a' + 10;
        words[i / 16] |= (uint64_t) nibble << (4 * (i % 16));
        any |= nibble != 0;
    }
    return any ? 0 : EINVAL;
}
