/* dp-dpdk: EAL start with Skiff's defaults. */
#include <config.h>

#include "dp-dpdk.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>

#include "dynamic-string.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(dp_dpdk);

#define DP_DPDK_MAX_ARGS 64

static bool initialized;

bool
dp_dpdk_is_initialized(void)
{
    return initialized;
}

void
dp_dpdk_cleanup(void)
{
    if (initialized) {
        /* EAL leaves its (by now empty) run-time directory behind. */
        char *dir = xstrdup(rte_eal_get_runtime_dir());
        rte_eal_cleanup();
        rmdir(dir);
        free(dir);
        initialized = false;
    }
}

bool
dp_dpdk_have_hugepages(void)
{
    FILE *f = fopen("/proc/meminfo", "r");
    char line[128];
    long free_pages = 0;

    if (!f) {
        return false;
    }
    while (fgets(line, sizeof line, f)) {
        if (sscanf(line, "HugePages_Free: %ld", &free_pages) == 1) {
            break;
        }
    }
    fclose(f);
    return free_pages > 0;
}

struct dp_dpdk_argv {
    char *argv[DP_DPDK_MAX_ARGS + 1];
    int argc;
};

static int
argv_add(struct dp_dpdk_argv *a, char *arg)
{
    if (a->argc >= DP_DPDK_MAX_ARGS) {
        VLOG_ERR("more than %d EAL arguments", DP_DPDK_MAX_ARGS);
        free(arg);
        return E2BIG;
    }
    a->argv[a->argc++] = arg;
    return 0;
}

static void
argv_free(struct dp_dpdk_argv *a)
{
    for (int i = 0; i < a->argc; i++) {
        free(a->argv[i]);
    }
    a->argc = 0;
}

static int
build_argv(const struct dp_dpdk_config *c, struct dp_dpdk_argv *a)
{
    bool huge = dp_dpdk_have_hugepages();
    int error = 0;

    if (c->main_lcore < 0 || c->main_lcore >= 1024) {
        VLOG_ERR("main lcore %d out of range", c->main_lcore);
        return EINVAL;
    }
    error = argv_add(a, xstrdup(get_program_name()));
    error = error ? error : argv_add(a, xasprintf("-l%d", c->main_lcore));
    if (huge) {
        error = error ? error : argv_add(a, xstrdup("--in-memory"));
    } else {
        /* EAL refuses --in-memory with --no-huge (which implies its legacy
         * memory mode); --no-shconf likewise leaves no shared files. */
        error = error ? error : argv_add(a, xstrdup("--no-huge"));
        error = error ? error : argv_add(a, xstrdup("--no-shconf"));
    }
    if (!c->pci) {
        error = error ? error : argv_add(a, xstrdup("--no-pci"));
    }
    /* Skiff's own control socket serves the counters; EAL's telemetry
     * socket would only be left behind in the run-time directory. */
    error = error ? error : argv_add(a, xstrdup("--no-telemetry"));
    if (c->mem_mb || !huge) {
        error = error ? error
            : argv_add(a, xasprintf("-m%u", c->mem_mb ? c->mem_mb : 512));
    }
    error = error ? error
        : argv_add(a, c->file_prefix
                   ? xasprintf("--file-prefix=%s", c->file_prefix)
                   : xasprintf("--file-prefix=skiff-%ld", (long) getpid()));
    if (!error && c->extra_args) {
        char *copy = xstrdup(c->extra_args);
        char *save = NULL;
        for (char *tok = strtok_r(copy, " \t", &save); tok && !error;
             tok = strtok_r(NULL, " \t", &save)) {
            error = argv_add(a, xstrdup(tok));
        }
        free(copy);
    }
    return error;
}

int
dp_dpdk_init(const struct dp_dpdk_config *c)
{
    static const struct dp_dpdk_config defaults = DP_DPDK_CONFIG_DEFAULT;
    struct dp_dpdk_argv a = { .argc = 0 };
    char *eal_argv[DP_DPDK_MAX_ARGS + 1];
    int error;

    if (initialized) {
        return EALREADY;
    }
    error = build_argv(c ? c : &defaults, &a);
    if (error) {
        argv_free(&a);
        return error;
    }

    struct ds line = DS_EMPTY_INITIALIZER;
    for (int i = 0; i < a.argc; i++) {
        ds_put_format(&line, "%s%s", i ? " " : "", a.argv[i]);
    }
    VLOG_INFO("EAL arguments: %s", ds_cstr(&line));
    ds_destroy(&line);

    /* rte_eal_init() may permute its argv: give it a copy of the pointers
     * so that every string is still freed. */
    memcpy(eal_argv, a.argv, sizeof eal_argv);
    eal_argv[a.argc] = NULL;
    int n = rte_eal_init(a.argc, eal_argv);
    if (n < 0) {
        error = rte_errno > 0 ? rte_errno : EINVAL;
        VLOG_ERR("EAL initialization failed: %s", rte_strerror(rte_errno));
    } else {
        initialized = true;
    }
    argv_free(&a);
    return error;
}
