/* Unit tests for lib/poll-loop, lib/timer.h and lib/timeval.
 *
 * Timing: a poll() timeout never ends early, so "waited at least N ms" is
 * exact.  "Woke promptly" only asserts well under a fallback timer that is
 * far longer (QUICK_MSEC against FALLBACK_MSEC), so a loaded machine does
 * not make these tests flaky. */
#include "unit.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "poll-loop.h"
#include "timer.h"
#include "timeval.h"

#define WAIT_MSEC 60            /* A short timer we measure. */
#define QUICK_MSEC 5000         /* "Promptly" means sooner than this. */
#define FALLBACK_MSEC 20000     /* Ends a wait that should not happen. */

/* Forgets anything an earlier test left registered. */
static int
reset_loop(void **state)
{
    poll_immediate_wake();
    poll_block();
    return 0;
}

/* Runs poll_block() and returns how long it took. */
static long long int
timed_block(void)
{
    long long int start = time_msec();
    poll_block();
    return time_msec() - start;
}

static void
assert_quick(long long int elapsed)
{
    if (elapsed >= QUICK_MSEC) {
        fail_msg("poll_block() took %lld ms", elapsed);
    }
}

static void
assert_waited(long long int elapsed, long long int msec)
{
    if (elapsed < msec) {
        fail_msg("poll_block() returned after %lld ms, before %lld ms",
                 elapsed, msec);
    }
}

static void
make_pipe(int fds[2])
{
    assert_int_equal(pipe(fds), 0);
}

static void
close_pipe(const int fds[2])
{
    close(fds[0]);
    close(fds[1]);
}

/* ---- Wake-ups. ---- */

static void
test_immediate_wake(void **state)
{
    poll_timer_wait(FALLBACK_MSEC);
    poll_immediate_wake();
    assert_quick(timed_block());

    /* Immediate wake overrides a later, longer timer too. */
    poll_immediate_wake();
    poll_timer_wait(FALLBACK_MSEC);
    assert_quick(timed_block());
}

static void
test_immediate_wake_is_cleared(void **state)
{
    poll_immediate_wake();
    poll_block();
    /* The next iteration must really wait for its timer. */
    poll_timer_wait(WAIT_MSEC);
    assert_waited(timed_block(), WAIT_MSEC);
}

static void
test_fd_ready(void **state)
{
    int fds[2];
    make_pipe(fds);
    assert_int_equal(write(fds[1], "x", 1), 1);

    poll_fd_wait(fds[0], POLLIN);
    poll_timer_wait(FALLBACK_MSEC);
    assert_quick(timed_block());
    close_pipe(fds);
}

static void
test_fd_not_ready_waits(void **state)
{
    int fds[2];
    make_pipe(fds);
    poll_fd_wait(fds[0], POLLIN);       /* Nothing to read. */
    poll_timer_wait(WAIT_MSEC);
    assert_waited(timed_block(), WAIT_MSEC);
    close_pipe(fds);
}

struct delayed_write {
    int fd;
    long long int delay;
};

static void *
delayed_write_main(void *dw_)
{
    struct delayed_write *dw = dw_;
    time_sleep_msec(dw->delay);
    (void) write_fully(dw->fd, "y", 1);
    return NULL;
}

static void
test_fd_becomes_ready(void **state)
{
    int fds[2];
    pthread_t thread;
    make_pipe(fds);

    struct delayed_write dw = { fds[1], WAIT_MSEC };
    long long int start = time_msec();
    assert_int_equal(pthread_create(&thread, NULL, delayed_write_main, &dw),
                     0);
    poll_fd_wait(fds[0], POLLIN);
    poll_timer_wait(FALLBACK_MSEC);
    poll_block();
    long long int elapsed = time_msec() - start;
    pthread_join(thread, NULL);

    assert_waited(elapsed, WAIT_MSEC);
    assert_quick(elapsed);
    char c;
    assert_int_equal(read(fds[0], &c, 1), 1);
    assert_int_equal(c, 'y');
    close_pipe(fds);
}

static void
test_fd_registration_is_cleared(void **state)
{
    int fds[2];
    make_pipe(fds);
    assert_int_equal(write(fds[1], "x", 1), 1);

    poll_fd_wait(fds[0], POLLIN);
    poll_block();
    /* Still readable, but no longer registered: the timer decides. */
    poll_timer_wait(WAIT_MSEC);
    assert_waited(timed_block(), WAIT_MSEC);
    close_pipe(fds);
}

static void
test_same_fd_ors_events(void **state)
{
    /* An empty pipe's write end is writable, never readable.  Whichever
     * order the two registrations come in, POLLOUT must count. */
    int fds[2];
    make_pipe(fds);

    poll_fd_wait(fds[1], POLLOUT);
    poll_fd_wait(fds[1], POLLIN);
    poll_timer_wait(FALLBACK_MSEC);
    assert_quick(timed_block());

    poll_fd_wait(fds[1], POLLIN);
    poll_fd_wait(fds[1], POLLOUT);
    poll_timer_wait(FALLBACK_MSEC);
    assert_quick(timed_block());
    close_pipe(fds);
}

static void
test_many_fds(void **state)
{
    /* More fds than the first allocation; only the last is ready. */
    enum { N = 40 };
    int fds[N][2];
    for (size_t i = 0; i < N; i++) {
        make_pipe(fds[i]);
        poll_fd_wait(fds[i][0], POLLIN);
    }
    assert_int_equal(write(fds[N - 1][1], "z", 1), 1);
    poll_timer_wait(FALLBACK_MSEC);
    assert_quick(timed_block());

    /* None ready: the timer decides. */
    for (size_t i = 0; i + 1 < N; i++) {
        poll_fd_wait(fds[i][0], POLLIN);
    }
    poll_timer_wait(WAIT_MSEC);
    assert_waited(timed_block(), WAIT_MSEC);
    for (size_t i = 0; i < N; i++) {
        close_pipe(fds[i]);
    }
}

/* ---- Timers. ---- */

static void
test_timer_on_time(void **state)
{
    poll_timer_wait(WAIT_MSEC);
    long long int elapsed = timed_block();
    assert_waited(elapsed, WAIT_MSEC);
    assert_quick(elapsed);

    poll_timer_wait_until(time_msec() + WAIT_MSEC);
    elapsed = timed_block();
    assert_waited(elapsed, WAIT_MSEC);
    assert_quick(elapsed);
}

static void
test_earliest_timer_wins(void **state)
{
    poll_timer_wait(FALLBACK_MSEC);
    poll_timer_wait(WAIT_MSEC);
    long long int elapsed = timed_block();
    assert_waited(elapsed, WAIT_MSEC);
    assert_quick(elapsed);

    poll_timer_wait(WAIT_MSEC);
    poll_timer_wait(FALLBACK_MSEC);
    poll_timer_wait_until(LLONG_MAX);
    elapsed = timed_block();
    assert_waited(elapsed, WAIT_MSEC);
    assert_quick(elapsed);
}

static void
test_timer_zero_and_past(void **state)
{
    poll_timer_wait(FALLBACK_MSEC);
    poll_timer_wait(0);
    assert_quick(timed_block());

    poll_timer_wait(FALLBACK_MSEC);
    poll_timer_wait(-5);
    assert_quick(timed_block());

    poll_timer_wait(FALLBACK_MSEC);
    poll_timer_wait_until(time_msec() - 1000);
    assert_quick(timed_block());

    poll_timer_wait(FALLBACK_MSEC);
    poll_timer_wait(LLONG_MIN);
    assert_quick(timed_block());
}

static void
test_huge_timers_do_not_wrap(void **state)
{
    /* Overflowing "now + msec" would put these in the past. */
    poll_timer_wait(LLONG_MAX);
    poll_timer_wait(LLONG_MAX - 1);
    poll_timer_wait(LLONG_MAX / 2 + 12345);
    poll_timer_wait(WAIT_MSEC);
    long long int elapsed = timed_block();
    assert_waited(elapsed, WAIT_MSEC);
    assert_quick(elapsed);
}

static void
test_far_timer_clamps(void **state)
{
    /* A timer beyond INT_MAX ms must not become a short (or negative)
     * poll() timeout.  4 * INT_MAX + 100 truncated to int is 96. */
    int fds[2];
    pthread_t thread;
    make_pipe(fds);
    struct delayed_write dw = { fds[1], 300 };

    long long int start = time_msec();
    assert_int_equal(pthread_create(&thread, NULL, delayed_write_main, &dw),
                     0);
    poll_timer_wait(4LL * INT_MAX + 100);
    poll_fd_wait(fds[0], POLLIN);
    poll_block();
    long long int elapsed = time_msec() - start;
    pthread_join(thread, NULL);
    assert_waited(elapsed, 300);
    close_pipe(fds);
}

struct thread_wait {
    long long int elapsed;
};

static void *
thread_wait_main(void *tw_)
{
    struct thread_wait *tw = tw_;
    poll_timer_wait(WAIT_MSEC);
    tw->elapsed = timed_block();
    return NULL;
}

static void
test_state_is_per_thread(void **state)
{
    /* An immediate wake in this thread does not wake another thread. */
    poll_immediate_wake();
    struct thread_wait tw = { -1 };
    pthread_t thread;
    assert_int_equal(pthread_create(&thread, NULL, thread_wait_main, &tw),
                     0);
    pthread_join(thread, NULL);
    assert_waited(tw.elapsed, WAIT_MSEC);

    /* ...and is still pending here. */
    poll_timer_wait(FALLBACK_MSEC);
    assert_quick(timed_block());
}

/* ---- timer.h. ---- */

static void
test_timer_duration(void **state)
{
    struct timer t;
    timer_set_duration(&t, FALLBACK_MSEC);
    assert_false(timer_expired(&t));
    long long int left = timer_msecs_until_expired(&t);
    assert_true(left > 0 && left <= FALLBACK_MSEC);

    timer_set_duration(&t, 0);
    assert_true(timer_expired(&t));
    assert_int_equal(timer_msecs_until_expired(&t), 0);

    timer_set_duration(&t, -100);
    assert_true(timer_expired(&t));
    assert_int_equal(timer_msecs_until_expired(&t), 0);
}

static void
test_timer_expired_and_infinite(void **state)
{
    struct timer t;
    timer_set_expired(&t);
    assert_true(timer_expired(&t));
    assert_int_equal(timer_msecs_until_expired(&t), 0);

    timer_set_infinite(&t);
    assert_false(timer_expired(&t));
    assert_int_equal(timer_msecs_until_expired(&t), LLONG_MAX);

    /* A huge duration saturates to "never" instead of wrapping. */
    timer_set_duration(&t, LLONG_MAX);
    assert_false(timer_expired(&t));
    assert_int_equal(timer_msecs_until_expired(&t), LLONG_MAX);
    timer_set_duration(&t, LLONG_MAX - 5);
    assert_false(timer_expired(&t));
}

static void
test_timer_wait(void **state)
{
    struct timer t;

    /* After waking for a timer, the timer reads as expired: a loop
     * would otherwise spin. */
    timer_set_duration(&t, WAIT_MSEC);
    timer_wait(&t);
    poll_timer_wait(FALLBACK_MSEC);
    long long int elapsed = timed_block();
    assert_true(timer_expired(&t));
    assert_waited(elapsed, WAIT_MSEC);
    assert_quick(elapsed);

    timer_set_expired(&t);
    timer_wait(&t);
    poll_timer_wait(FALLBACK_MSEC);
    assert_quick(timed_block());

    timer_set_infinite(&t);
    timer_wait(&t);
    poll_timer_wait(WAIT_MSEC);
    assert_waited(timed_block(), WAIT_MSEC);
}

/* ---- timeval. ---- */

static void
test_time_msec_monotonic(void **state)
{
    long long int prev = time_msec();
    assert_true(prev >= 0);
    for (int i = 0; i < 100000; i++) {
        long long int now = time_msec();
        assert_true(now >= prev);
        prev = now;
    }
}

static void
test_time_sleep(void **state)
{
    long long int start = time_msec();
    time_sleep_msec(WAIT_MSEC);
    long long int elapsed = time_msec() - start;
    assert_true(elapsed >= WAIT_MSEC);
    assert_true(elapsed < QUICK_MSEC);

    start = time_msec();
    time_sleep_msec(0);
    time_sleep_msec(-1);
    assert_true(time_msec() - start < QUICK_MSEC);

    /* Sleeps of over a second use both fields of the timespec. */
    start = time_msec();
    time_sleep_msec(1001);
    assert_true(time_msec() - start >= 1001);
}

static void
on_sigusr1(int sig)
{
    (void) sig;
}

struct pester {
    pthread_t target;
};

static void *
pester_main(void *p_)
{
    struct pester *p = p_;
    for (int i = 0; i < 10; i++) {
        time_sleep_msec(10);
        pthread_kill(p->target, SIGUSR1);
    }
    return NULL;
}

static void
test_time_sleep_resumes_after_signal(void **state)
{
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigusr1;         /* No SA_RESTART. */
    sigemptyset(&sa.sa_mask);
    assert_int_equal(sigaction(SIGUSR1, &sa, &old), 0);

    struct pester p = { pthread_self() };
    pthread_t thread;
    long long int start = time_msec();
    assert_int_equal(pthread_create(&thread, NULL, pester_main, &p), 0);
    time_sleep_msec(300);
    long long int elapsed = time_msec() - start;
    pthread_join(thread, NULL);
    sigaction(SIGUSR1, &old, NULL);
    assert_true(elapsed >= 300);
}

static void
test_time_wall_msec(void **state)
{
    long long int wall = time_wall_msec();
    long long int secs = (long long int) time(NULL);
    /* Within a few seconds of time(): right units, right clock. */
    assert_true(wall / 1000 >= secs - 5 && wall / 1000 <= secs + 5);
}

#define TEST(NAME) cmocka_unit_test_setup(NAME, reset_loop)

int
main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(test_immediate_wake),
        TEST(test_immediate_wake_is_cleared),
        TEST(test_fd_ready),
        TEST(test_fd_not_ready_waits),
        TEST(test_fd_becomes_ready),
        TEST(test_fd_registration_is_cleared),
        TEST(test_same_fd_ors_events),
        TEST(test_many_fds),
        TEST(test_timer_on_time),
        TEST(test_earliest_timer_wins),
        TEST(test_timer_zero_and_past),
        TEST(test_huge_timers_do_not_wrap),
        TEST(test_far_timer_clamps),
        TEST(test_state_is_per_thread),
        TEST(test_timer_duration),
        TEST(test_timer_expired_and_infinite),
        TEST(test_timer_wait),
        TEST(test_time_msec_monotonic),
        TEST(test_time_sleep),
        TEST(test_time_sleep_resumes_after_signal),
        TEST(test_time_wall_msec),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
