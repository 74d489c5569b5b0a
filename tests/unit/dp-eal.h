/*
 * dp-eal.h: DPDK's EAL for unit tests that need mbufs or the TSC rate.
 *
 * dp_eal_start() starts EAL once per process without hugepages, PCI or
 * files shared with other processes (--no-shconf, and a file prefix unique
 * to the test and its PID), on lcore 0 only.  (EAL refuses --in-memory
 * with --no-huge, which implies its legacy memory mode.)  dp_eal_pool()
 * returns a small mbuf pool.  EAL cannot be stopped and started again in
 * one process, so tests call dp_eal_start() from their group setup and
 * never clean it up.
 */
#ifndef SKIFF_TESTS_DP_EAL_H
#define SKIFF_TESTS_DP_EAL_H 1

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_mbuf.h>

/* Starts EAL for test NAME (128 MiB of ordinary memory); returns 0, or
 * exits the test program with a message. */
static inline int
dp_eal_start(const char *name)
{
    static int started;
    if (started) {
        return 0;
    }

    char prefix[64];
    snprintf(prefix, sizeof prefix, "--file-prefix=skiff-%s-%ld", name,
             (long) getpid());
    char *argv[] = {
        (char *) name, "--no-huge", "--no-shconf", "--no-pci", "-l", "0",
        "-m", "128", prefix, "--log-level=error", NULL
    };
    int argc = sizeof argv / sizeof argv[0] - 1;
    if (rte_eal_init(argc, argv) < 0) {
        fprintf(stderr, "%s: rte_eal_init failed: %s\n", name,
                rte_strerror(rte_errno));
        exit(EXIT_FAILURE);
    }
    started = 1;
    return 0;
}

/* A pool of N mbufs with the default data room, named NAME. */
static inline struct rte_mempool *
dp_eal_pool(const char *name, unsigned int n)
{
    return rte_pktmbuf_pool_create(name, n, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
                                   SOCKET_ID_ANY);
}

#endif /* dp-eal.h */
