/*
 * timeval: clocks for timeouts and timestamps.
 *
 * time_msec() is monotonic (never jumps with the wall clock) and is what
 * every timeout and timer uses.  time_wall_msec() is the wall clock, for
 * log timestamps and for anything shown to a person.
 */
#ifndef SKIFF_TIMEVAL_H
#define SKIFF_TIMEVAL_H 1

long long int time_msec(void);
long long int time_wall_msec(void);

/* Sleeps MSEC milliseconds, resuming after signals. */
void time_sleep_msec(long long int msec);

#endif /* timeval.h */
