/* Memory and string helpers of the test guest (the compiler may call the
 * mem* functions for structure copies even in freestanding code). */

#include "guest.h"

/* The copies and fills are string instructions, not loops, so that the
 * compiler cannot turn them back into calls to themselves. */
void *
memcpy(void *dst, const void *src, size_t n)
{
    void *d = dst;

    __asm__ volatile("rep movsb"
                     : "+D"(d), "+S"(src), "+c"(n) : : "memory");
    return dst;
}

void *
memmove(void *dst, const void *src, size_t n)
{
    if ((uintptr_t) dst <= (uintptr_t) src
        || (uintptr_t) dst >= (uintptr_t) src + n) {
        return memcpy(dst, src, n);
    }

    /* Overlapping with 'dst' above 'src': copy from the end down. */
    void *d = (uint8_t *) dst + n - 1;
    const void *s = (const uint8_t *) src + n - 1;
    __asm__ volatile("std; rep movsb; cld"
                     : "+D"(d), "+S"(s), "+c"(n) : : "memory", "cc");
    return dst;
}

void *
memset(void *dst, int c, size_t n)
{
    void *d = dst;

    __asm__ volatile("rep stosb"
                     : "+D"(d), "+c"(n) : "a"(c) : "memory");
    return dst;
}

int
memcmp(const void *a_, const void *b_, size_t n)
{
    const uint8_t *a = a_;
    const uint8_t *b = b_;

    for (size_t i = 0; i < n; i++) {
        if (a[i] != b[i]) {
            return a[i] < b[i] ? -1 : 1;
        }
    }
    return 0;
}

size_t
strlen(const char *s)
{
    size_t n = 0;

    while (s[n]) {
        n++;
    }
    return n;
}

int
strcmp(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return (unsigned char) *a - (unsigned char) *b;
}
