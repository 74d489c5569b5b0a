/* Unit tests for lib/util: allocation, parsing, options, fd helpers. */
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include "timeval.h"

/* ---- Allocation. ---- */

static void
test_xmalloc_zero_size(void **state)
{
    /* A zero-byte request still returns a distinct, freeable block. */
    void *a = xmalloc(0);
    void *b = xmalloc(0);
    assert_non_null(a);
    assert_non_null(b);
    assert_ptr_not_equal(a, b);
    free(a);
    free(b);
}

static void
test_xcalloc_zeroes(void **state)
{
    unsigned char *p = xcalloc(100, 3);
    for (size_t i = 0; i < 300; i++) {
        assert_int_equal(p[i], 0);
    }
    free(p);
    free(xcalloc(0, 10));
    free(xcalloc(10, 0));

    char *z = xzalloc(64);
    for (size_t i = 0; i < 64; i++) {
        assert_int_equal(z[i], 0);
    }
    free(z);
    free(xzalloc(0));
}

static void
test_xrealloc_keeps_contents(void **state)
{
    char *p = xrealloc(NULL, 4);
    memcpy(p, "abcd", 4);
    p = xrealloc(p, 100000);
    assert_memory_equal(p, "abcd", 4);
    p = xrealloc(p, 2);
    assert_memory_equal(p, "ab", 2);
    p = xrealloc(p, 0);     /* Still a valid block. */
    assert_non_null(p);
    free(p);
}

static void
test_xmemdup_xstrdup(void **state)
{
    const char bytes[] = { 'a', '\0', 'b', '\0', 'c' };
    char *copy = xmemdup(bytes, sizeof bytes);
    assert_ptr_not_equal(copy, bytes);
    assert_memory_equal(copy, bytes, sizeof bytes);
    free(copy);
    free(xmemdup(NULL, 0));

    char *s = xstrdup("hello");
    assert_string_equal(s, "hello");
    free(s);
    s = xstrdup("");
    assert_string_equal(s, "");
    free(s);
}

static void
test_xstrndup(void **state)
{
    char *s = xstrndup("hello", 3);
    assert_string_equal(s, "hel");
    free(s);

    s = xstrndup("hi", 10);       /* N past the end: whole string. */
    assert_string_equal(s, "hi");
    free(s);

    s = xstrndup("hi", 0);
    assert_string_equal(s, "");
    free(s);

    /* Must not read past N, even without a terminator. */
    char *raw = xmalloc(3);
    memcpy(raw, "xyz", 3);
    s = xstrndup(raw, 3);
    assert_string_equal(s, "xyz");
    free(s);
    free(raw);
}

static void
test_xasprintf(void **state)
{
    char *s = xasprintf("%d-%s-%c", 42, "x", 'y');
    assert_string_equal(s, "42-x-y");
    free(s);

    s = xasprintf("%s", "");
    assert_string_equal(s, "");
    free(s);

    /* Output much longer than any small internal buffer. */
    s = xasprintf("%5000d|", 7);
    assert_int_equal(strlen(s), 5001);
    assert_string_equal(s + 4999, "7|");
    assert_int_equal(s[0], ' ');
    free(s);
}

/* ---- Number parsing. ---- */

#define SENTINEL_LL 0x5a5a5a5aLL

static void
check_llong(const char *s, int base, long long int min, long long int max,
            int expected_error, long long int expected)
{
    long long int value = SENTINEL_LL;
    int error = str_to_llong(s, base, min, max, &value);
    if (error != expected_error) {
        fail_msg("str_to_llong(\"%s\", %d): got %d, expected %d",
                 s ? s : "(null)", base, error, expected_error);
    }
    /* On failure, *value stays untouched. */
    assert_int_equal(value, error ? SENTINEL_LL : expected);
}

static void
test_str_to_llong_accepts(void **state)
{
    check_llong("0", 10, LLONG_MIN, LLONG_MAX, 0, 0);
    check_llong("123", 10, LLONG_MIN, LLONG_MAX, 0, 123);
    check_llong("-123", 10, LLONG_MIN, LLONG_MAX, 0, -123);
    check_llong("+7", 10, LLONG_MIN, LLONG_MAX, 0, 7);
    check_llong("9223372036854775807", 10, LLONG_MIN, LLONG_MAX,
                0, LLONG_MAX);
    check_llong("-9223372036854775808", 10, LLONG_MIN, LLONG_MAX,
                0, LLONG_MIN);
    /* The bounds themselves are inclusive. */
    check_llong("5", 10, 5, 9, 0, 5);
    check_llong("9", 10, 5, 9, 0, 9);
}

static void
test_str_to_llong_rejects(void **state)
{
    check_llong(NULL, 10, LLONG_MIN, LLONG_MAX, EINVAL, 0);
    check_llong("", 10, LLONG_MIN, LLONG_MAX, EINVAL, 0);
    check_llong("12x", 10, LLONG_MIN, LLONG_MAX, EINVAL, 0);
    check_llong("x12", 10, LLONG_MIN, LLONG_MAX, EINVAL, 0);
    check_llong("12 ", 10, LLONG_MIN, LLONG_MAX, EINVAL, 0);
    check_llong("1.5", 10, LLONG_MIN, LLONG_MAX, EINVAL, 0);
    check_llong("-", 10, LLONG_MIN, LLONG_MAX, EINVAL, 0);
    check_llong("+", 10, LLONG_MIN, LLONG_MAX, EINVAL, 0);
    check_llong(" ", 10, LLONG_MIN, LLONG_MAX, EINVAL, 0);
    check_llong("9223372036854775808", 10, LLONG_MIN, LLONG_MAX,
                ERANGE, 0);
    check_llong("-9223372036854775809", 10, LLONG_MIN, LLONG_MAX,
                ERANGE, 0);
    check_llong("99999999999999999999999", 10, 0, 10, ERANGE, 0);
    check_llong("4", 10, 5, 9, ERANGE, 0);
    check_llong("10", 10, 5, 9, ERANGE, 0);
    check_llong("-6", 10, -5, 5, ERANGE, 0);
    /* Malformed beats out of range. */
    check_llong("99999999999999999999999x", 10, 0, 10, EINVAL, 0);
}

static void
test_str_to_llong_bases(void **state)
{
    check_llong("ff", 16, 0, LLONG_MAX, 0, 255);
    check_llong("FF", 16, 0, LLONG_MAX, 0, 255);
    check_llong("0x1f", 16, 0, LLONG_MAX, 0, 31);
    check_llong("0x1f", 0, 0, LLONG_MAX, 0, 31);
    check_llong("017", 0, 0, LLONG_MAX, 0, 15);
    check_llong("017", 10, 0, LLONG_MAX, 0, 17);
    check_llong("17", 8, 0, LLONG_MAX, 0, 15);
    check_llong("101", 2, 0, LLONG_MAX, 0, 5);
    check_llong("z", 36, 0, LLONG_MAX, 0, 35);

    check_llong("ff", 10, 0, LLONG_MAX, EINVAL, 0);
    check_llong("0x", 16, 0, LLONG_MAX, EINVAL, 0);
    check_llong("08", 0, 0, LLONG_MAX, EINVAL, 0);
    check_llong("8", 8, 0, LLONG_MAX, EINVAL, 0);
    check_llong("2", 2, 0, LLONG_MAX, EINVAL, 0);
    check_llong("0x100", 16, 0, 255, ERANGE, 0);
    /* An invalid base rejects everything. */
    check_llong("1", 1, 0, LLONG_MAX, EINVAL, 0);
    check_llong("1", 37, 0, LLONG_MAX, EINVAL, 0);
}

static void
test_str_to_int(void **state)
{
    int value = 77;
    assert_int_equal(str_to_int("-5", 10, -10, 10, &value), 0);
    assert_int_equal(value, -5);
    assert_int_equal(str_to_int("2147483647", 10, INT_MIN, INT_MAX,
                                &value), 0);
    assert_int_equal(value, INT_MAX);
    assert_int_equal(str_to_int("-2147483648", 10, INT_MIN, INT_MAX,
                                &value), 0);
    assert_int_equal(value, INT_MIN);

    value = 77;
    assert_int_equal(str_to_int("2147483648", 10, INT_MIN, INT_MAX,
                                &value), ERANGE);
    assert_int_equal(str_to_int("-2147483649", 10, INT_MIN, INT_MAX,
                                &value), ERANGE);
    assert_int_equal(str_to_int("11", 10, -10, 10, &value), ERANGE);
    assert_int_equal(str_to_int("", 10, -10, 10, &value), EINVAL);
    assert_int_equal(str_to_int("12x", 10, 0, 100, &value), EINVAL);
    assert_int_equal(str_to_int("0x10", 16, 0, 100, &value), 0);
    assert_int_equal(value, 16);
    value = 77;
    assert_int_equal(str_to_int("0x10", 10, 0, 100, &value), EINVAL);
    assert_int_equal(value, 77);
}

static void
check_uint(const char *s, int base, unsigned int max, int expected_error,
           unsigned int expected)
{
    unsigned int value = 0xa5a5a5a5u;
    int error = str_to_uint(s, base, max, &value);
    if (error != expected_error) {
        fail_msg("str_to_uint(\"%s\", %d): got %d, expected %d",
                 s ? s : "(null)", base, error, expected_error);
    }
    assert_int_equal(value, error ? 0xa5a5a5a5u : expected);
}

static void
test_str_to_uint(void **state)
{
    check_uint("0", 10, UINT_MAX, 0, 0);
    check_uint("4294967295", 10, UINT_MAX, 0, UINT_MAX);
    check_uint("+3", 10, UINT_MAX, 0, 3);
    check_uint("ffffffff", 16, UINT_MAX, 0, UINT_MAX);
    check_uint("0x10", 0, UINT_MAX, 0, 16);

    check_uint("4294967296", 10, UINT_MAX, ERANGE, 0);
    check_uint("100", 10, 99, ERANGE, 0);
    check_uint("-1", 10, UINT_MAX, EINVAL, 0);
    check_uint("-0", 10, UINT_MAX, EINVAL, 0);
    check_uint(" -1", 10, UINT_MAX, EINVAL, 0);
    check_uint("\t-1", 10, UINT_MAX, EINVAL, 0);
    check_uint("\n-1", 10, UINT_MAX, EINVAL, 0);
    check_uint("\v-1", 10, UINT_MAX, EINVAL, 0);
    check_uint("-4294967296", 10, UINT_MAX, EINVAL, 0);
    check_uint(NULL, 10, UINT_MAX, EINVAL, 0);
    check_uint("", 10, UINT_MAX, EINVAL, 0);
    check_uint("12x", 10, UINT_MAX, EINVAL, 0);
    check_uint("g", 16, UINT_MAX, EINVAL, 0);
}

static void
test_str_starts_with(void **state)
{
    assert_true(str_starts_with("hello", "he"));
    assert_true(str_starts_with("hello", "hello"));
    assert_true(str_starts_with("hello", ""));
    assert_true(str_starts_with("", ""));
    assert_false(str_starts_with("hello", "hello!"));
    assert_false(str_starts_with("hello", "eh"));
    assert_false(str_starts_with("", "a"));
}

/* ---- Options. ---- */

static void
test_long_options_to_short(void **state)
{
    static int flag;
    const struct option options[] = {
        {"help", no_argument, NULL, 'h'},
        {"file", required_argument, NULL, 'f'},
        {"verbose", optional_argument, NULL, 'v'},
        {"long-only", required_argument, NULL, 1000},
        {"flagged", no_argument, &flag, 'x'},
        {"zero", no_argument, NULL, 0},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    char *s = long_options_to_short_options(options);
    assert_string_equal(s, "hf:v::V");
    free(s);
}

static void
test_long_options_empty(void **state)
{
    const struct option none[] = { {NULL, 0, NULL, 0} };
    char *s = long_options_to_short_options(none);
    assert_string_equal(s, "");
    free(s);

    /* The worst case: every option optional ("x::"). */
    const struct option all[] = {
        {"a", optional_argument, NULL, 'a'},
        {"b", optional_argument, NULL, 'b'},
        {NULL, 0, NULL, 0},
    };
    s = long_options_to_short_options(all);
    assert_string_equal(s, "a::b::");
    free(s);
}

/* ---- Program name. ---- */

static void
test_set_program_name(void **state)
{
    set_program_name("/usr/local/bin/skiff-vswitchd");
    assert_string_equal(get_program_name(), "skiff-vswitchd");
    set_program_name("skiff-dbd");
    assert_string_equal(get_program_name(), "skiff-dbd");
    set_program_name("./tests/.libs/lt-test-util");
    assert_string_equal(get_program_name(), "test-util");
    set_program_name("lt-skiff-ctl");
    assert_string_equal(get_program_name(), "skiff-ctl");
    /* Only a leading "lt-" of the last component counts. */
    set_program_name("/lt-dir/skiff-lt-x");
    assert_string_equal(get_program_name(), "skiff-lt-x");

    /* A very long name is cut, not overflowed. */
    char long_name[300];
    memset(long_name, 'n', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    set_program_name(long_name);
    assert_true(strlen(get_program_name()) < sizeof long_name - 1);
    assert_true(str_starts_with(long_name, get_program_name()));
    set_program_name("test-util");
}

/* ---- read_fully() and write_fully(). ---- */

static void
make_pipe(int fds[2])
{
    assert_int_equal(pipe(fds), 0);
}

static void
close_pipe(int fds[2])
{
    if (fds[0] >= 0) {
        close(fds[0]);
    }
    if (fds[1] >= 0) {
        close(fds[1]);
    }
}

static void
test_read_write_fully_basic(void **state)
{
    int fds[2];
    char buf[16];
    size_t n = 99;

    make_pipe(fds);
    assert_int_equal(write_fully(fds[1], "hello", 5), 0);
    assert_int_equal(read_fully(fds[0], buf, 5, &n), 0);
    assert_int_equal(n, 5);
    assert_memory_equal(buf, "hello", 5);

    /* Zero bytes: nothing to do, success. */
    assert_int_equal(write_fully(fds[1], buf, 0), 0);
    n = 99;
    assert_int_equal(read_fully(fds[0], buf, 0, &n), 0);
    assert_int_equal(n, 0);
    close_pipe(fds);
}

static void
test_read_fully_eof(void **state)
{
    int fds[2];
    char buf[16];
    size_t n = 99;

    make_pipe(fds);
    assert_int_equal(write_fully(fds[1], "abc", 3), 0);
    close(fds[1]);
    fds[1] = -1;
    /* End of file is not an error; *bytes_read says how much came. */
    assert_int_equal(read_fully(fds[0], buf, sizeof buf, &n), 0);
    assert_int_equal(n, 3);
    assert_memory_equal(buf, "abc", 3);
    n = 99;
    assert_int_equal(read_fully(fds[0], buf, sizeof buf, &n), 0);
    assert_int_equal(n, 0);
    close_pipe(fds);
}

struct chunk_writer {
    int fd;
    const char *data;
    size_t len;
    size_t chunk;
};

/* Writes the data a few bytes at a time with pauses, so that the reader
 * sees many short reads. */
static void *
chunk_writer_main(void *cw_)
{
    struct chunk_writer *cw = cw_;
    for (size_t i = 0; i < cw->len; i += cw->chunk) {
        size_t n = MIN(cw->chunk, cw->len - i);
        if (write_fully(cw->fd, cw->data + i, n)) {
            break;
        }
        time_sleep_msec(2);
    }
    return NULL;
}

static void
test_read_fully_short_reads(void **state)
{
    static const char msg[] = "the quick brown fox jumps over the dog";
    int fds[2];
    char buf[sizeof msg];
    size_t n = 0;
    pthread_t thread;

    make_pipe(fds);
    struct chunk_writer cw = { fds[1], msg, sizeof msg, 3 };
    assert_int_equal(pthread_create(&thread, NULL, chunk_writer_main, &cw),
                     0);
    assert_int_equal(read_fully(fds[0], buf, sizeof buf, &n), 0);
    assert_int_equal(n, sizeof msg);
    assert_memory_equal(buf, msg, sizeof msg);
    pthread_join(thread, NULL);
    close_pipe(fds);
}

struct drain {
    int fd;
    char *buf;
    size_t len;
    size_t got;
    int error;
};

static void *
drain_main(void *d_)
{
    struct drain *d = d_;
    d->error = read_fully(d->fd, d->buf, d->len, &d->got);
    return NULL;
}

static void
test_write_fully_large(void **state)
{
    /* Much more than a pipe holds, so write() must return short. */
    enum { SIZE = 1 << 20 };
    char *out = xmalloc(SIZE);
    char *in = xzalloc(SIZE);
    for (size_t i = 0; i < SIZE; i++) {
        out[i] = (char) (i * 7 + i / 251);
    }

    int fds[2];
    pthread_t thread;
    make_pipe(fds);
    struct drain d = { fds[0], in, SIZE, 0, -1 };
    assert_int_equal(pthread_create(&thread, NULL, drain_main, &d), 0);
    assert_int_equal(write_fully(fds[1], out, SIZE), 0);
    pthread_join(thread, NULL);
    assert_int_equal(d.error, 0);
    assert_int_equal(d.got, SIZE);
    assert_memory_equal(in, out, SIZE);

    close_pipe(fds);
    free(out);
    free(in);
}

static void
test_read_write_fully_errors(void **state)
{
    int fds[2];
    char buf[4];
    size_t n = 99;

    make_pipe(fds);
    /* Wrong direction on each end. */
    assert_int_equal(write_fully(fds[0], "x", 1), EBADF);
    assert_int_equal(read_fully(fds[1], buf, 1, &n), EBADF);
    assert_int_equal(n, 0);

    /* Nothing to read on a nonblocking pipe. */
    assert_int_equal(set_nonblocking(fds[0]), 0);
    assert_int_equal(read_fully(fds[0], buf, 1, &n), EAGAIN);

    /* Partial data, then EAGAIN: the count still says what arrived. */
    assert_int_equal(write_fully(fds[1], "ab", 2), 0);
    assert_int_equal(read_fully(fds[0], buf, 4, &n), EAGAIN);
    assert_int_equal(n, 2);

    /* Writing with no reader left. */
    void (*old)(int) = signal(SIGPIPE, SIG_IGN);
    close(fds[0]);
    fds[0] = -1;
    assert_int_equal(write_fully(fds[1], "x", 1), EPIPE);
    signal(SIGPIPE, old);
    close_pipe(fds);
}

static void
on_sigusr1(int sig)
{
    (void) sig;
}

struct interrupter {
    pthread_t target;
    int fd;
};

/* Interrupts the target's blocking read() several times, then writes. */
static void *
interrupter_main(void *it_)
{
    struct interrupter *it = it_;
    for (int i = 0; i < 10; i++) {
        time_sleep_msec(5);
        pthread_kill(it->target, SIGUSR1);
    }
    (void) write_fully(it->fd, "ok", 2);
    return NULL;
}

static void
test_read_fully_eintr(void **state)
{
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigusr1;     /* No SA_RESTART: read() fails. */
    sigemptyset(&sa.sa_mask);
    assert_int_equal(sigaction(SIGUSR1, &sa, &old), 0);

    int fds[2];
    make_pipe(fds);
    struct interrupter it = { pthread_self(), fds[1] };
    pthread_t thread;
    assert_int_equal(pthread_create(&thread, NULL, interrupter_main, &it),
                     0);
    char buf[2];
    size_t n = 0;
    assert_int_equal(read_fully(fds[0], buf, 2, &n), 0);
    assert_int_equal(n, 2);
    assert_memory_equal(buf, "ok", 2);
    pthread_join(thread, NULL);
    sigaction(SIGUSR1, &old, NULL);
    close_pipe(fds);
}

/* ---- fd flags. ---- */

static void
test_set_nonblocking(void **state)
{
    int fds[2];
    make_pipe(fds);
    assert_false(fcntl(fds[0], F_GETFL) & O_NONBLOCK);
    assert_int_equal(set_nonblocking(fds[0]), 0);
    assert_true(fcntl(fds[0], F_GETFL) & O_NONBLOCK);
    /* Idempotent, and the other end is untouched. */
    assert_int_equal(set_nonblocking(fds[0]), 0);
    assert_true(fcntl(fds[0], F_GETFL) & O_NONBLOCK);
    assert_false(fcntl(fds[1], F_GETFL) & O_NONBLOCK);

    /* Other status flags survive. */
    int fd = open("/dev/null", O_WRONLY | O_APPEND);
    assert_true(fd >= 0);
    assert_int_equal(set_nonblocking(fd), 0);
    assert_true(fcntl(fd, F_GETFL) & O_APPEND);
    close(fd);

    close_pipe(fds);
}

static void
test_set_cloexec(void **state)
{
    int fds[2];
    make_pipe(fds);
    assert_false(fcntl(fds[1], F_GETFD) & FD_CLOEXEC);
    assert_int_equal(set_cloexec(fds[1]), 0);
    assert_true(fcntl(fds[1], F_GETFD) & FD_CLOEXEC);
    assert_int_equal(set_cloexec(fds[1]), 0);
    assert_true(fcntl(fds[1], F_GETFD) & FD_CLOEXEC);
    assert_false(fcntl(fds[0], F_GETFD) & FD_CLOEXEC);
    close_pipe(fds);
}

static void
test_fd_helpers_ebadf(void **state)
{
    int fds[2];
    make_pipe(fds);
    int fd = fds[0];
    close_pipe(fds);
    assert_int_equal(set_nonblocking(fd), EBADF);
    assert_int_equal(set_cloexec(fd), EBADF);
    assert_int_equal(set_nonblocking(-1), EBADF);
    assert_int_equal(set_cloexec(-1), EBADF);

    char c;
    size_t n = 5;
    assert_int_equal(read_fully(fd, &c, 1, &n), EBADF);
    assert_int_equal(n, 0);
    assert_int_equal(write_fully(fd, "x", 1), EBADF);
}

/* ---- Macros. ---- */

struct outer {
    int a;
    double b;
    char c;
};

static void
test_container_of(void **state)
{
    struct outer o;
    assert_ptr_equal(CONTAINER_OF(&o.c, struct outer, c), &o);
    assert_ptr_equal(CONTAINER_OF(&o.a, struct outer, a), &o);
    struct outer *p = NULL;
    assert_ptr_equal(OBJECT_CONTAINING(&o.b, p, b), &o);

    int arr[7];
    assert_int_equal(ARRAY_SIZE(arr), 7);
    assert_int_equal(MIN(3, -2), -2);
    assert_int_equal(MAX(3, -2), 3);
}

int
main(void)
{
    set_program_name("test-util");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_xmalloc_zero_size),
        cmocka_unit_test(test_xcalloc_zeroes),
        cmocka_unit_test(test_xrealloc_keeps_contents),
        cmocka_unit_test(test_xmemdup_xstrdup),
        cmocka_unit_test(test_xstrndup),
        cmocka_unit_test(test_xasprintf),
        cmocka_unit_test(test_str_to_llong_accepts),
        cmocka_unit_test(test_str_to_llong_rejects),
        cmocka_unit_test(test_str_to_llong_bases),
        cmocka_unit_test(test_str_to_int),
        cmocka_unit_test(test_str_to_uint),
        cmocka_unit_test(test_str_starts_with),
        cmocka_unit_test(test_long_options_to_short),
        cmocka_unit_test(test_long_options_empty),
        cmocka_unit_test(test_set_program_name),
        cmocka_unit_test(test_read_write_fully_basic),
        cmocka_unit_test(test_read_fully_eof),
        cmocka_unit_test(test_read_fully_short_reads),
        cmocka_unit_test(test_write_fully_large),
        cmocka_unit_test(test_read_write_fully_errors),
        cmocka_unit_test(test_read_fully_eintr),
        cmocka_unit_test(test_set_nonblocking),
        cmocka_unit_test(test_set_cloexec),
        cmocka_unit_test(test_fd_helpers_ebadf),
        cmocka_unit_test(test_container_of),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
