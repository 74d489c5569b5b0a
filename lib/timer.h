/*
 * timer: a deadline on the monotonic clock, for the poll loop.
 *
 *     struct timer t;
 *     timer_set_duration(&t, 5000);
 *     ...
 *     if (timer_expired(&t)) { ...; timer_set_duration(&t, 5000); }
 *     timer_wait(&t);     (in foo_wait())
 *
 * A timer set with timer_set_infinite() never expires.
 */
#ifndef SKIFF_TIMER_H
#define SKIFF_TIMER_H 1

#include <limits.h>
#include <stdbool.h>

#include "poll-loop.h"
#include "timeval.h"

struct timer {
    long long int t;    /* Expiry time (time_msec()), or LLONG_MAX. */
};

/* Expires MSEC milliseconds from now (saturating at never). */
static inline void
timer_set_duration(struct timer *timer, long long int msec)
{
    long long int now = time_msec();
    timer->t = msec >= LLONG_MAX - now ? LLONG_MAX : now + msec;
}

static inline void
timer_set_expired(struct timer *timer)
{
    timer->t = LLONG_MIN;
}

static inline void
timer_set_infinite(struct timer *timer)
{
    timer->t = LLONG_MAX;
}

static inline bool
timer_expired(const struct timer *timer)
{
    return time_msec() >= timer->t;
}

/* Milliseconds until expiry: 0 if expired, LLONG_MAX if never. */
static inline long long int
timer_msecs_until_expired(const struct timer *timer)
{
    if (timer->t == LLONG_MAX) {
        return LLONG_MAX;
    }
    /* Compare before subtracting: an expired timer's LLONG_MIN minus the
     * time would overflow. */
    long long int now = time_msec();
    return timer->t > now ? timer->t - now : 0;
}

/* Makes the next poll_block() wake when TIMER expires. */
static inline void
timer_wait(const struct timer *timer)
{
    poll_timer_wait_until(timer->t);
}

#endif /* timer.h */
