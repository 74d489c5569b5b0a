/* poll-loop: per-thread poll(2) registrations. */
#include <config.h>

#include "poll-loop.h"

#include <errno.h>
#include <limits.h>
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
        state.allocated = state.allocated ? state.allocated * 2 : 16;
        state.fds = xrealloc(state.fds, state.allocated * sizeof *state.fds);
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
