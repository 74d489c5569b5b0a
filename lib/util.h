/*
 * util: small helpers every Skiff program uses.
 *
 * Memory: the x*() allocators never return NULL; when memory runs out they
 * print the program's name and abort, so callers need no NULL checks.
 *
 * Number parsing: the str_to_*() functions accept the whole string or
 * nothing.  They return 0 on success or a positive errno value (EINVAL for
 * text that is not a number, ERANGE for one outside the bounds) and leave
 * *value untouched on failure.
 */
#ifndef SKIFF_UTIL_H
#define SKIFF_UTIL_H 1

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#ifndef MIN
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#endif
#ifndef MAX
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#endif

/* Given POINTER to member MEMBER of a STRUCT, returns the struct. */
#define CONTAINER_OF(POINTER, STRUCT, MEMBER)                           \
    ((STRUCT *) (void *) ((char *) (POINTER) - offsetof(STRUCT, MEMBER)))

/* Like CONTAINER_OF, but takes the struct's type from OBJECT, so that it
 * can be used in iteration macros.  OBJECT is only used for its type. */
#define OBJECT_CONTAINING(POINTER, OBJECT, MEMBER)                      \
    ((__typeof__(OBJECT)) (void *)                                      \
     ((char *) (POINTER) - offsetof(__typeof__(*(OBJECT)), MEMBER)))

/* Pastes A and B together after expanding them (for names made with
 * __LINE__, so that nested iteration macros do not shadow each other). */
#define SKIFF_CONCAT(A, B) SKIFF_CONCAT__(A, B)
#define SKIFF_CONCAT__(A, B) A##B

#define PRINTF_FORMAT(FMT, ARG1) __attribute__((format(printf, FMT, ARG1)))
#define NO_RETURN __attribute__((noreturn))
#define WARN_UNUSED_RESULT __attribute__((warn_unused_result))

void *xmalloc(size_t size);
void *xcalloc(size_t count, size_t size);
void *xzalloc(size_t size);
void *xrealloc(void *p, size_t size);
void *xmemdup(const void *p, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *format, ...) PRINTF_FORMAT(1, 2);
char *xvasprintf(const char *format, va_list args) PRINTF_FORMAT(1, 0);

/* Program name, for messages.  set_program_name() takes argv[0] and keeps
 * its last path component. */
void set_program_name(const char *argv0);
const char *get_program_name(void);

/* Prints "PROGRAM: MESSAGE" (and ": strerror(err_no)" when err_no is
 * nonzero) on stderr and exits with status 1. */
void skiff_fatal(int err_no, const char *format, ...)
    PRINTF_FORMAT(2, 3) NO_RETURN;

/* For a bad command line: prints "PROGRAM: MESSAGE" and a pointer to
 * "PROGRAM --help" on stderr, and exits with status 2. */
void skiff_usage_error(const char *format, ...) PRINTF_FORMAT(1, 2) NO_RETURN;

/* Prints "PROGRAM: MESSAGE" (with strerror(err_no) when nonzero) on stderr
 * and continues. */
void skiff_error(int err_no, const char *format, ...) PRINTF_FORMAT(2, 3);

int str_to_llong(const char *s, int base, long long int min,
                 long long int max, long long int *value);
int str_to_int(const char *s, int base, int min, int max, int *value);
int str_to_uint(const char *s, int base, unsigned int max,
                unsigned int *value);

bool str_starts_with(const char *s, const char *prefix);

/* Builds a getopt() short option string from a getopt_long() option table.
 * The caller frees it. */
struct option;
char *long_options_to_short_options(const struct option *options);

/* The cases every program's getopt_long() loop shares: -h/--help prints
 * USAGE() and exits 0, -V/--version the version, and an unknown option
 * exits 2 pointing at --help.  SHORTS, the short options string of the
 * loop, is freed before exiting.  Keep SHORTS in a static variable: other
 * handlers (skiff_usage_error()) exit from the loop too, and LeakSanitizer
 * counts a string only a dead stack frame points to as leaked. */
#define STD_OPTION_HANDLERS(USAGE, SHORTS)                              \
        case 'h':                                                       \
            free(SHORTS);                                               \
            USAGE();                                                    \
            exit(0);                                                    \
        case 'V':                                                       \
            free(SHORTS);                                               \
            printf("%s (Skiff) %s\n", get_program_name(),               \
                   SKIFF_PACKAGE_VERSION);                              \
            exit(0);                                                    \
        case '?':                                                       \
            free(SHORTS);                                               \
            fprintf(stderr, "(\"%s --help\" for help)\n",               \
                    get_program_name());                                \
            exit(2);

/* Blocking I/O of exactly N bytes, looping over short transfers and EINTR.
 * Both return 0 or a positive errno value.  read_fully() stops early at end
 * of file, which is not an error: it sets *bytes_read to what it read. */
int read_fully(int fd, void *buf, size_t n, size_t *bytes_read);
int write_fully(int fd, const void *buf, size_t n);

/* Sets or clears O_NONBLOCK (set_nonblocking) and FD_CLOEXEC.  Return 0 or
 * a positive errno value. */
int set_nonblocking(int fd);
int set_cloexec(int fd);

#endif /* util.h */
