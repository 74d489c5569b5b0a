/* rcu: two-counter read-copy-update for the slow path's tables. */
#include <config.h>

#include "rcu.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "timeval.h"
#include "util.h"

static atomic_uint epoch;
static atomic_long readers[2];

/* Serializes grace periods and guards the postponed callbacks. */
static pthread_mutex_t rcu_mutex = PTHREAD_MUTEX_INITIALIZER;

struct rcu_cb {
    struct rcu_cb *next;
    void (*func)(void *);
    void *arg;
};
static struct rcu_cb *postponed;

int
rcu_read_lock(void)
{
    int index = atomic_load(&epoch) & 1;
    atomic_fetch_add(&readers[index], 1);
    return index;
}

void
rcu_read_unlock(int index)
{
    atomic_fetch_sub(&readers[index & 1], 1);
}

static void
rcu_flip_and_wait(void)
{
    unsigned int old = atomic_fetch_add(&epoch, 1) & 1;
    for (int i = 0; atomic_load(&readers[old]); i++) {
        if (i < 100) {
            sched_yield();
        } else {
            time_sleep_msec(1);
        }
    }
}

static void
rcu_grace_period(void)
{
    rcu_flip_and_wait();
    rcu_flip_and_wait();
}

void
rcu_synchronize(void)
{
    pthread_mutex_lock(&rcu_mutex);
    struct rcu_cb *cbs = postponed;
    postponed = NULL;
    rcu_grace_period();
    pthread_mutex_unlock(&rcu_mutex);

    while (cbs) {
        struct rcu_cb *next = cbs->next;
        cbs->func(cbs->arg);
        free(cbs);
        cbs = next;
    }
}

void
rcu_postpone(void (*func)(void *), void *arg)
{
    struct rcu_cb *cb = xmalloc(sizeof *cb);
    cb->func = func;
    cb->arg = arg;
    pthread_mutex_lock(&rcu_mutex);
    cb->next = postponed;
    postponed = cb;
    pthread_mutex_unlock(&rcu_mutex);
}

void
rcu_run(void)
{
    pthread_mutex_lock(&rcu_mutex);
    bool waiting = postponed != NULL;
    pthread_mutex_unlock(&rcu_mutex);
    if (waiting) {
        rcu_synchronize();
    }
}
