/*
 * poll-loop: the event loop of every Skiff control plane.
 *
 * A daemon's main loop calls each module's foo_run(), which does whatever
 * work is ready without blocking, then each module's foo_wait(), which
 * registers the events that would give it more work, then poll_block():
 *
 *     for (;;) {
 *         control_server_run(server);
 *         control_server_wait(server);
 *         poll_block();
 *     }
 *
 * poll_block() sleeps until a registered file descriptor is ready, the
 * earliest registered timer expires, or poll_immediate_wake() was called,
 * and then forgets every registration: each loop iteration registers anew.
 * Waking up is only a hint; foo_run() must cope with nothing being ready.
 *
 * State is per thread, so each thread can run its own loop.
 */
#ifndef SKIFF_POLL_LOOP_H
#define SKIFF_POLL_LOOP_H 1

#include <poll.h>

/* Wakes the next poll_block() when FD has any of EVENTS (POLLIN, POLLOUT).
 * Registering the same fd again adds to its events. */
void poll_fd_wait(int fd, short events);

/* Wakes the next poll_block() after MSEC milliseconds (0 or less: at once). */
void poll_timer_wait(long long int msec);

/* Wakes the next poll_block() at monotonic time WHEN (see time_msec()).
 * LLONG_MAX means never. */
void poll_timer_wait_until(long long int when);

/* Makes the next poll_block() return at once. */
void poll_immediate_wake(void);

/* Sleeps until one of the registered events, then clears them all. */
void poll_block(void);

#endif /* poll-loop.h */
