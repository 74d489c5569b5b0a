/*
 * vlog: per-module logging with levels, destinations and rate limits.
 *
 * Each source file that logs names its module once:
 *
 *     VLOG_DEFINE_THIS_MODULE(stream);
 *     ...
 *     VLOG_WARN("%s: connection dropped", name);
 *
 *     static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);
 *     VLOG_WARN_RL(&rl, "%s: bad message", name);   (5/minute, burst 20)
 *
 * Every module has a level per destination (console = stderr, syslog,
 * file).  A message is written to each destination whose level admits it.
 * Levels change at run time with vlog_set_levels_from_string(), which
 * "skiff-appctl vlog/set" calls, and are listed by vlog_get_levels().
 *
 * Defaults: console WARN, syslog OFF, file INFO (once a file is set).
 *
 * Line format: "2026-11-23T15:30:00.123Z|00042|module|WARN|message".
 *
 * Thread-safe: messages from several threads are written whole.
 */
#ifndef SKIFF_VLOG_H
#define SKIFF_VLOG_H 1

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "list.h"
#include "util.h"

enum vlog_level {
    VLL_OFF,
    VLL_EMER,
    VLL_ERR,
    VLL_WARN,
    VLL_INFO,
    VLL_DBG,
    VLL_N_LEVELS
};

enum vlog_destination {
    VLF_CONSOLE,
    VLF_SYSLOG,
    VLF_FILE,
    VLF_N_DESTINATIONS
};

const char *vlog_level_to_string(enum vlog_level);
/* Returns the level named S (case-insensitive), or -1. */
int vlog_level_from_string(const char *s);
const char *vlog_destination_to_string(enum vlog_destination);
int vlog_destination_from_string(const char *s);

struct vlog_module {
    struct list node;               /* In the list of all modules. */
    const char *name;
    int levels[VLF_N_DESTINATIONS];
    int min_level;                  /* Most verbose of 'levels'. */
};

void vlog_insert_module(struct vlog_module *);
struct vlog_module *vlog_module_from_name(const char *name);

#define VLOG_DEFINE_THIS_MODULE(MODULE)                                 \
    static struct vlog_module this_module = {                           \
        .name = #MODULE,                                                \
        .levels = { VLL_WARN, VLL_OFF, VLL_INFO },                      \
        .min_level = VLL_INFO,                                          \
    };                                                                  \
    static void init_vlog_module_##MODULE(void)                         \
        __attribute__((constructor));                                   \
    static void init_vlog_module_##MODULE(void)                         \
    {                                                                   \
        vlog_insert_module(&this_module);                               \
    }                                                                   \
    struct vlog_dummy_##MODULE /* Eats the caller's semicolon. */

bool vlog_is_enabled(const struct vlog_module *, enum vlog_level);
void vlog(const struct vlog_module *, enum vlog_level, const char *, ...)
    PRINTF_FORMAT(3, 4);
void vlog_valist(const struct vlog_module *, enum vlog_level, const char *,
                 va_list) PRINTF_FORMAT(3, 0);

/* Token bucket: RATE messages per minute on average, BURST at once. */
struct vlog_rate_limit {
    unsigned int rate;
    unsigned int burst;
    uint64_t tokens;                /* One message costs 60,000. */
    long long int last_fill;        /* time_msec() of the last refill. */
    long long int first_dropped;    /* When dropping began. */
    unsigned int n_dropped;
    pthread_mutex_t mutex;
};

#define VLOG_RATE_LIMIT_INIT(RATE, BURST)                               \
    {                                                                   \
        .rate = (RATE), .burst = (BURST),                               \
        .tokens = (uint64_t) (BURST) * 60000, .last_fill = -1,          \
        .mutex = PTHREAD_MUTEX_INITIALIZER,                             \
    }

/* True if the message should be skipped because of RL (and counts it). */
bool vlog_should_drop(const struct vlog_module *, enum vlog_level,
                      struct vlog_rate_limit *);

#define VLOG(LEVEL, ...)                                                \
    do {                                                                \
        if (this_module.min_level >= (LEVEL)) {                         \
            vlog(&this_module, LEVEL, __VA_ARGS__);                     \
        }                                                               \
    } while (0)
#define VLOG_RL(RL, LEVEL, ...)                                         \
    do {                                                                \
        if (this_module.min_level >= (LEVEL)                            \
            && !vlog_should_drop(&this_module, LEVEL, RL)) {            \
            vlog(&this_module, LEVEL, __VA_ARGS__);                     \
        }                                                               \
    } while (0)

#define VLOG_EMER(...) VLOG(VLL_EMER, __VA_ARGS__)
#define VLOG_ERR(...) VLOG(VLL_ERR, __VA_ARGS__)
#define VLOG_WARN(...) VLOG(VLL_WARN, __VA_ARGS__)
#define VLOG_INFO(...) VLOG(VLL_INFO, __VA_ARGS__)
#define VLOG_DBG(...) VLOG(VLL_DBG, __VA_ARGS__)

#define VLOG_ERR_RL(RL, ...) VLOG_RL(RL, VLL_ERR, __VA_ARGS__)
#define VLOG_WARN_RL(RL, ...) VLOG_RL(RL, VLL_WARN, __VA_ARGS__)
#define VLOG_INFO_RL(RL, ...) VLOG_RL(RL, VLL_INFO, __VA_ARGS__)
#define VLOG_DBG_RL(RL, ...) VLOG_RL(RL, VLL_DBG, __VA_ARGS__)

#define VLOG_IS_DBG_ENABLED() vlog_is_enabled(&this_module, VLL_DBG)

/* Sets the level of MODULE (NULL: every module) at DESTINATION
 * (VLF_N_DESTINATIONS: every destination). */
void vlog_set_levels(struct vlog_module *, enum vlog_destination,
                     enum vlog_level);

/* Parses and applies a level setting made of words separated by spaces or
 * colons: a module name or "ANY", a destination ("console", "syslog",
 * "file" or "ANY"), a level ("off", "emer", "err", "warn", "info", "dbg").
 * Each word may be left out; what is left out means "any".  Returns NULL on
 * success or an error message (the caller frees it) naming the bad word,
 * in which case nothing changed. */
char *vlog_set_levels_from_string(const char *) WARN_UNUSED_RESULT;

/* Like vlog_set_levels_from_string() for N specs, all or nothing: if any
 * spec is bad, none is applied and the error names the bad word. */
char *vlog_set_levels_from_strings(int n, const char *specs[])
    WARN_UNUSED_RESULT;

/* Handles "-v" / "--verbose[=SPEC]" (SPEC as above; none: "ANY:dbg"
 * on the console).  Exits with status 2 on a bad SPEC. */
void vlog_set_verbosity(const char *spec);

/* A table of every module's levels; the caller frees it. */
char *vlog_get_levels(void);

/* Logs to FILE_NAME from now on (NULL: <rundir>/<program>.log).  Returns 0
 * or a positive errno value; on failure the previous file stays. */
int vlog_set_log_file(const char *file_name);
/* Reopens the current log file (after log rotation).  0 or errno. */
int vlog_reopen_log_file(void);
/* The log file's name, or NULL. */
const char *vlog_get_log_file(void);
void vlog_close_log_file(void);

/* Command-line options every program takes. */
#define VLOG_OPTION_ENUMS OPT_LOG_FILE
#define VLOG_LONG_OPTIONS                                               \
    {"verbose", optional_argument, NULL, 'v'},                          \
    {"log-file", optional_argument, NULL, OPT_LOG_FILE}
#define VLOG_OPTION_HANDLERS                                            \
    case 'v':                                                           \
        vlog_set_verbosity(optarg);                                     \
        break;                                                          \
    case OPT_LOG_FILE: {                                                \
        int vlog_error__ = vlog_set_log_file(optarg);                   \
        if (vlog_error__) {                                             \
            skiff_fatal(vlog_error__, "--log-file");                    \
        }                                                               \
        break;                                                          \
    }

#endif /* vlog.h */
