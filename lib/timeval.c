/* timeval: monotonic and wall clocks. */
#include <config.h>

#include "timeval.h"

#include <errno.h>
#include <time.h>

static long long int
clock_msec(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (long long int) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

long long int
time_msec(void)
{
    return clock_msec(CLOCK_MONOTONIC);
}

long long int
time_wall_msec(void)
{
    return clock_msec(CLOCK_REALTIME);
}

void
time_sleep_msec(long long int msec)
{
    struct timespec ts = {
        .tv_sec = msec / 1000,
        .tv_nsec = (msec % 1000) * 1000000,
    };
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
        continue;
    }
}
