/*
 * dp-dpdk: starting DPDK's environment layer (EAL) once per process.
 *
 * The datapath needs EAL before it can make a mempool or a port.  The
 * defaults make it run anywhere (DESIGN.md section 5):
 *   - hugepages with "--in-memory" when the system has free ones, else
 *     "--no-huge --no-shconf" (EAL refuses --in-memory with --no-huge);
 *     either way no shared files are left under /var/run/dpdk;
 *   - no PCI scan ("--no-pci") unless the caller asks for one (a "dpdk"
 *     port on a real NIC needs it);
 *   - the main lcore on the given core (default: core 0);
 *   - "--file-prefix" so that several DPDK processes coexist;
 *   - "--no-telemetry": the control socket (skiff-appctl) serves counters.
 * Anything else (memory size, log levels, "-d" driver plugins) comes from
 * the caller's extra arguments, appended last.
 *
 * EAL cannot be started twice in a process or stopped and started again:
 * dp_dpdk_init() succeeds once and then returns EALREADY.
 *
 * Not thread-safe: call from the main thread before making any datapath.
 */
#ifndef SKIFF_DP_DPDK_H
#define SKIFF_DP_DPDK_H 1

#include <stdbool.h>

struct dp_dpdk_config {
    const char *file_prefix;    /* NULL: "skiff-<pid>". */
    int main_lcore;             /* Core of the main thread (default 0). */
    unsigned int mem_mb;        /* "-m"; 0: 512 without hugepages, else
                                 * EAL's default. */
    bool pci;                   /* Scan the PCI bus. */
    const char *extra_args;     /* Space-separated further EAL arguments,
                                 * or NULL. */
};

#define DP_DPDK_CONFIG_DEFAULT { NULL, 0, 0, false, NULL }

/* Starts EAL.  Returns 0, EALREADY if it already runs, EINVAL for a bad
 * setting (logged, naming it), or another positive errno value from EAL
 * (logged). */
int dp_dpdk_init(const struct dp_dpdk_config *);

bool dp_dpdk_is_initialized(void);

/* Releases EAL's resources at process exit, after every datapath was
 * destroyed, and removes EAL's empty run-time directory
 * (/var/run/dpdk/PREFIX).  EAL cannot be started again afterwards. */
void dp_dpdk_cleanup(void);

/* True if the system has free hugepages (what dp_dpdk_init() decides
 * from). */
bool dp_dpdk_have_hugepages(void);

#endif /* dp-dpdk.h */
