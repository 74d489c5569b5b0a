/* poll-loop: per-thread poll(2) registrations. */
#include <config.h>

#include "poll-loop.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "timeval.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(poll_loop);

struct poll_state {
    struct pollfd *fds;
    size_t n_fds;
    size_t allocated;
    long long int deadline;     /* LLONG_MAX: no timer. */
};

static _Thread_local struct poll_state state = { .deadline = LLONG_MAX };

/* Frees a thread's fd array when the thread exits: the key's value is the
 * array, kept current as it grows. */
static pthread_key_t fds_key;
static pthread_once_t fds_key_once = PTHREAD_ONCE_INIT;

static void
create_fds_key(void)
{
    if (pthread_key_create(&fds_key, free)) {
        abort();
    }
}

static void
grow_fds(void)
{
    pthread_once(&fds_key_once, create_fds_key);
    state.allocated = state.allocated ? state.allocated * 2 : 16;
    state.fds = xrealloc(state.fds, state.allocated * sizeof *state.fds);
    pthread_setspecific(fds_key, state.fds);
}

void
poll_fd_wait(int fd, short events)
{
    for (size_t i = 0; i < state.n_fds; i++) {
        if (state.fds[i].fd == fd) {
            state.fds[i].events |= events;
            return;
        }
    }
    if (state.n_fds >= state.allocated) {
        grow_fds();
    }
    state.fds[state.n_fds++] = (struct pollfd) { .fd = fd, .events = events };
}

void
poll_timer_wait_until(long long int when)
{
    if (when < state.deadline) {
        state.deadline = when;
    }
}

void
poll_timer_wait(long long int msec)
{
    long long int now = time_msec();
    poll_timer_wait_until(msec <= 0 ? now
                          : msec >= LLONG_MAX - now ? LLONG_MAX
                          : now + msec);
}

void
poll_immediate_wake(void)
{
    state.deadline = LLONG_MIN;
}

void
poll_block(void)
{
    int timeout = -1;
    if (state.deadline != LLONG_MAX) {
        long long int now = time_msec();
        timeout = (state.deadline <= now ? 0
                   : state.deadline - now > INT_MAX ? INT_MAX
                   : (int) (state.deadline - now));
    }

    if (poll(state.fds, state.n_fds, timeout) < 0 && errno != EINTR) {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);
        VLOG_ERR_RL(&rl, "poll: %s", strerror(errno));
    }

    state.n_fds = 0;
    state.deadline = LLONG_MAX;
}
