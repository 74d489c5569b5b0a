/*
 * rcu: read-copy-update for the slow path's tables.
 *
 * Readers (the datapath's PMD threads asking the slow path about a packet)
 * never block and never take a lock: they bracket their use of shared
 * objects with rcu_read_lock() / rcu_read_unlock() and only read.  Writers
 * (the control thread: flow_mods, port changes) build a new object,
 * publish it with one atomic pointer store, and then either call
 * rcu_synchronize(), which waits until every reader that could still see
 * the old object has left its read-side section, or hand the old object to
 * rcu_postpone(), whose callback runs after such a wait at the next
 * rcu_synchronize() or rcu_run().
 *
 * The scheme is a two-counter "sleepable RCU": a global epoch bit selects
 * which of two reader counters a new reader increments; a grace period
 * flips the bit and waits for the other counter to drain, twice, so that
 * every reader that began before the grace period has ended.  Every
 * operation is sequentially consistent, which is what makes this correct:
 * a reader increments its counter before it loads any published pointer.
 *
 * Read-side sections may nest in one thread only if the inner one uses the
 * index returned by its own rcu_read_lock().  Writers must be serialized
 * by the caller; rcu_synchronize() must not be called inside a read-side
 * section (it would wait for itself).
 */
#ifndef SKIFF_OFPROTO_RCU_H
#define SKIFF_OFPROTO_RCU_H 1

/* Enters a read-side section; returns the index to give to
 * rcu_read_unlock(). */
int rcu_read_lock(void);
void rcu_read_unlock(int index);

/* Waits until every read-side section that began before this call has
 * ended, then runs the postponed callbacks registered before this call. */
void rcu_synchronize(void);

/* Runs FUNC(ARG) after a later grace period (at the next rcu_synchronize()
 * or rcu_run()).  Thread-safe. */
void rcu_postpone(void (*func)(void *), void *arg);

/* Runs a grace period if callbacks are waiting. */
void rcu_run(void);

#endif /* rcu.h */
