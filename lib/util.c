/* util: allocation, messages, number parsing, fd helpers. */
#include <config.h>

#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char program_name[64] = "skiff";

static void NO_RETURN
out_of_memory(void)
{
    /* No allocation here: fputs on stderr is unbuffered. */
    fputs(program_name, stderr);
    fputs(": out of memory\n", stderr);
    abort();
}

void *
xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (!p) {
        out_of_memory();
    }
    return p;
}

void *
xcalloc(size_t count, size_t size)
{
    void *p = count && size ? calloc(count, size) : malloc(1);
    if (!p) {
        out_of_memory();
    }
    return p;
}

void *
xzalloc(size_t size)
{
    return xcalloc(1, size);
}

void *
xrealloc(void *old, size_t size)
{
    void *p = realloc(old, size ? size : 1);
    if (!p) {
        out_of_memory();
    }
    return p;
}

void *
xmemdup(const void *p, size_t size)
{
    void *copy = xmalloc(size);
    if (size) {
        memcpy(copy, p, size);
    }
    return copy;
}

char *
xstrdup(const char *s)
{
    return xmemdup(s, strlen(s) + 1);
}

char *
xstrndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *copy = xmalloc(len + 1);
    memcpy(copy, s, len);
    copy[len] = '\0';
    return copy;
}

char *
xvasprintf(const char *format, va_list args)
{
    va_list copy;
    va_copy(copy, args);
    int needed = vsnprintf(NULL, 0, format, copy);
    va_end(copy);
    if (needed < 0) {
        out_of_memory();
    }
    char *s = xmalloc((size_t) needed + 1);
    vsnprintf(s, (size_t) needed + 1, format, args);
    return s;
}

char *
xasprintf(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    char *s = xvasprintf(format, args);
    va_end(args);
    return s;
}

void
set_program_name(const char *argv0)
{
    const char *slash = strrchr(argv0, '/');
    const char *base = slash ? slash + 1 : argv0;
    /* libtool-style wrappers prefix "lt-"; show the real name. */
    if (str_starts_with(base, "lt-")) {
        base += 3;
    }
    snprintf(program_name, sizeof program_name, "%s", base);
}

const char *
get_program_name(void)
{
    return program_name;
}

static void
vreport(int err_no, const char *format, va_list args)
{
    fprintf(stderr, "%s: ", program_name);
    vfprintf(stderr, format, args);
    if (err_no) {
        fprintf(stderr, ": %s", strerror(err_no));
    }
    fputc('\n', stderr);
}

void
skiff_fatal(int err_no, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vreport(err_no, format, args);
    va_end(args);
    exit(EXIT_FAILURE);
}

void
skiff_usage_error(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vreport(0, format, args);
    va_end(args);
    fprintf(stderr, "(\"%s --help\" for help)\n", program_name);
    exit(2);
}

void
skiff_error(int err_no, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vreport(err_no, format, args);
    va_end(args);
}

int
str_to_llong(const char *s, int base, long long int min, long long int max,
             long long int *value)
{
    /* strtoll() leaves 'end' unset for a base it does not support. */
    if (!s || !*s || base < 0 || base == 1 || base > 36) {
        return EINVAL;
    }
    char *end;
    errno = 0;
    long long int x = strtoll(s, &end, base);
    if (*end != '\0' || end == s) {
        return EINVAL;
    }
    if (errno == ERANGE || x < min || x > max) {
        return ERANGE;
    }
    *value = x;
    return 0;
}

int
str_to_int(const char *s, int base, int min, int max, int *value)
{
    long long int x;
    int error = str_to_llong(s, base, min, max, &x);
    if (!error) {
        *value = (int) x;
    }
    return error;
}

int
str_to_uint(const char *s, int base, unsigned int max, unsigned int *value)
{
    /* strtoll() would accept a leading '-' (after any white space that
     * it skips); an unsigned value must not. */
    const char *p = s;
    while (p && isspace((unsigned char) *p)) {
        p++;
    }
    if (p && *p == '-') {
        return EINVAL;
    }
    long long int x;
    int error = str_to_llong(s, base, 0, max, &x);
    if (!error) {
        *value = (unsigned int) x;
    }
    return error;
}

bool
str_starts_with(const char *s, const char *prefix)
{
    return !strncmp(s, prefix, strlen(prefix));
}

char *
long_options_to_short_options(const struct option *options)
{
    size_t n = 0;
    for (const struct option *o = options; o->name; o++) {
        n++;
    }
    char *shorts = xmalloc(n * 3 + 1);
    char *p = shorts;
    for (const struct option *o = options; o->name; o++) {
        if (!o->flag && o->val > 0 && o->val <= UCHAR_MAX) {
            *p++ = (char) o->val;
            if (o->has_arg == required_argument) {
                *p++ = ':';
            } else if (o->has_arg == optional_argument) {
                *p++ = ':';
                *p++ = ':';
            }
        }
    }
    *p = '\0';
    return shorts;
}

int
read_fully(int fd, void *buf_, size_t n, size_t *bytes_read)
{
    char *buf = buf_;
    *bytes_read = 0;
    while (*bytes_read < n) {
        ssize_t r = read(fd, buf + *bytes_read, n - *bytes_read);
        if (r > 0) {
            *bytes_read += (size_t) r;
        } else if (r == 0) {
            return 0;
        } else if (errno != EINTR) {
            return errno;
        }
    }
    return 0;
}

int
write_fully(int fd, const void *buf_, size_t n)
{
    const char *buf = buf_;
    while (n > 0) {
        ssize_t r = write(fd, buf, n);
        if (r >= 0) {
            buf += r;
            n -= (size_t) r;
        } else if (errno != EINTR) {
            return errno;
        }
    }
    return 0;
}

int
set_nonblocking(int fd)
{
    int flags = fcntl(fd, F_GETFL, 0);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
        return errno;
    }
    return 0;
}

int
set_cloexec(int fd)
{
    int flags = fcntl(fd, F_GETFD, 0);
    if (flags < 0 || fcntl(fd, F_SETFD, flags | FD_CLOEXEC) < 0) {
        return errno;
    }
    return 0;
}
