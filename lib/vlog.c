/* vlog: module registry, level settings, formatting and output. */
#include <config.h>

#include "vlog.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "dirs.h"
#include "dynamic-string.h"
#include "timeval.h"

static const char *const level_names[VLL_N_LEVELS] = {
    "OFF", "EMER", "ERR", "WARN", "INFO", "DBG",
};

static const int syslog_priorities[VLL_N_LEVELS] = {
    LOG_DEBUG, LOG_ALERT, LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG,
};

static const char *const destination_names[VLF_N_DESTINATIONS] = {
    "console", "syslog", "file",
};

/* All modules, sorted by name.  Modules register from constructors
 * before main(), so the list needs no lock for insertion; 'mutex' guards
 * level changes against output and the log file. */
static struct list modules = LIST_INITIALIZER(&modules);
static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;

static char *log_file_name;
static int log_fd = -1;
static bool syslog_opened;
static unsigned int msg_num;

const char *
vlog_level_to_string(enum vlog_level level)
{
    return level < VLL_N_LEVELS ? level_names[level] : "?";
}

int
vlog_level_from_string(const char *s)
{
    for (int i = 0; i < VLL_N_LEVELS; i++) {
        if (!strcasecmp(s, level_names[i])) {
            return i;
        }
    }
    return -1;
}

const char *
vlog_destination_to_string(enum vlog_destination dest)
{
    return dest < VLF_N_DESTINATIONS ? destination_names[dest] : "?";
}

int
vlog_destination_from_string(const char *s)
{
    for (int i = 0; i < VLF_N_DESTINATIONS; i++) {
        if (!strcasecmp(s, destination_names[i])) {
            return i;
        }
    }
    return -1;
}

static void
update_min_level(struct vlog_module *module)
{
    module->min_level = VLL_OFF;
    for (int d = 0; d < VLF_N_DESTINATIONS; d++) {
        /* The file only counts once there is one to write to. */
        if (d == VLF_FILE && log_fd < 0) {
            continue;
        }
        module->min_level = MAX(module->min_level, module->levels[d]);
    }
}

/* Keeps 'modules' sorted by name, so that vlog/list reads like an index. */
void
vlog_insert_module(struct vlog_module *module)
{
    struct vlog_module *next;
    LIST_FOR_EACH (next, node, &modules) {
        if (strcmp(next->name, module->name) > 0) {
            list_insert(&next->node, &module->node);
            update_min_level(module);
            return;
        }
    }
    list_push_back(&modules, &module->node);
    update_min_level(module);
}

struct vlog_module *
vlog_module_from_name(const char *name)
{
    struct vlog_module *module;
    LIST_FOR_EACH (module, node, &modules) {
        if (!strcasecmp(module->name, name)) {
            return module;
        }
    }
    return NULL;
}

static void
update_all_min_levels(void)
{
    struct vlog_module *module;
    LIST_FOR_EACH (module, node, &modules) {
        update_min_level(module);
    }
}

static void
set_module_levels(struct vlog_module *module, enum vlog_destination dest,
                  enum vlog_level level)
{
    if (dest == VLF_N_DESTINATIONS) {
        for (int d = 0; d < VLF_N_DESTINATIONS; d++) {
            module->levels[d] = level;
        }
    } else {
        module->levels[dest] = level;
    }
    update_min_level(module);
}

void
vlog_set_levels(struct vlog_module *module, enum vlog_destination dest,
                enum vlog_level level)
{
    pthread_mutex_lock(&mutex);
    if (module) {
        set_module_levels(module, dest, level);
    } else {
        LIST_FOR_EACH (module, node, &modules) {
            set_module_levels(module, dest, level);
        }
    }
    pthread_mutex_unlock(&mutex);
}

struct level_setting {
    struct vlog_module *module;     /* NULL: every module. */
    int dest;                       /* VLF_N_DESTINATIONS: all. */
    int level;
};

/* Parses SPEC into *SETTING.  Returns NULL or an error message. */
static char *
parse_level_setting(const char *spec, struct level_setting *setting)
{
    struct vlog_module *module = NULL;
    int dest = VLF_N_DESTINATIONS;
    int level = -1;
    bool have_module = false, have_dest = false;
    char *copy = xstrdup(spec);
    char *save = NULL;
    char *error = NULL;

    if (!spec[strspn(spec, ": \t")]) {
        free(copy);
        return xstrdup("empty log level setting");
    }
    for (char *word = strtok_r(copy, ": \t", &save); word;
         word = strtok_r(NULL, ": \t", &save)) {
        int x;
        if (!strcasecmp(word, "ANY")) {
            /* "ANY" is first a module, then a destination. */
            if (!have_module) {
                have_module = true;
            } else if (!have_dest) {
                have_dest = true;
            } else {
                error = xasprintf("\"%s\": too many \"ANY\" words", spec);
                break;
            }
        } else if ((x = vlog_level_from_string(word)) >= 0) {
            if (level >= 0) {
                error = xasprintf("\"%s\": more than one level", spec);
                break;
            }
            level = x;
        } else if ((x = vlog_destination_from_string(word)) >= 0) {
            if (have_dest) {
                error = xasprintf("\"%s\": more than one destination",
                                  spec);
                break;
            }
            dest = x;
            have_dest = true;
        } else if (vlog_module_from_name(word)) {
            if (module) {
                error = xasprintf("\"%s\": more than one module", spec);
                break;
            }
            module = vlog_module_from_name(word);
            have_module = true;
        } else {
            error = xasprintf("unknown module, destination or level "
                              "\"%s\"", word);
            break;
        }
    }
    free(copy);

    setting->module = module;
    setting->dest = dest;
    setting->level = level >= 0 ? level : VLL_DBG;
    return error;
}

char *
vlog_set_levels_from_string(const char *spec)
{
    return vlog_set_levels_from_strings(1, &spec);
}

char *
vlog_set_levels_from_strings(int n, const char *specs[])
{
    struct level_setting *settings = xcalloc(n, sizeof *settings);
    char *error = NULL;

    for (int i = 0; i < n && !error; i++) {
        error = parse_level_setting(specs[i], &settings[i]);
    }
    for (int i = 0; i < n && !error; i++) {
        vlog_set_levels(settings[i].module, settings[i].dest,
                        settings[i].level);
    }
    free(settings);
    return error;
}

void
vlog_set_verbosity(const char *spec)
{
    if (!spec || !*spec) {
        vlog_set_levels(NULL, VLF_CONSOLE, VLL_DBG);
        return;
    }
    char *error = vlog_set_levels_from_string(spec);
    if (error) {
        fprintf(stderr, "%s: --verbose: %s\n", get_program_name(), error);
        free(error);
        exit(2);
    }
}

char *
vlog_get_levels(void)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    struct vlog_module *module;

    ds_put_format(&s, "%-16s  %-7s %-7s %-7s\n",
                  "", "console", "syslog", "file");
    ds_put_format(&s, "%-16s  %-7s %-7s %-7s\n",
                  "", "-------", "------", "----");
    pthread_mutex_lock(&mutex);
    LIST_FOR_EACH (module, node, &modules) {
        ds_put_format(&s, "%-16s  %-7s %-7s %-7s\n", module->name,
                      level_names[module->levels[VLF_CONSOLE]],
                      level_names[module->levels[VLF_SYSLOG]],
                      level_names[module->levels[VLF_FILE]]);
    }
    pthread_mutex_unlock(&mutex);
    return ds_steal_cstr(&s);
}

static int
open_log_file(const char *name, int *fdp)
{
    int fd = open(name, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (fd < 0) {
        return errno;
    }
    *fdp = fd;
    return 0;
}

int
vlog_set_log_file(const char *file_name)
{
    char *name = (file_name && *file_name
                  ? xstrdup(file_name)
                  : xasprintf("%s/%s.log", skiff_rundir(),
                              get_program_name()));
    int fd = -1;
    int error = open_log_file(name, &fd);
    if (error) {
        free(name);
        return error;
    }

    pthread_mutex_lock(&mutex);
    if (log_fd >= 0) {
        close(log_fd);
    }
    log_fd = fd;
    free(log_file_name);
    log_file_name = name;
    update_all_min_levels();
    pthread_mutex_unlock(&mutex);
    return 0;
}

int
vlog_reopen_log_file(void)
{
    pthread_mutex_lock(&mutex);
    int error = 0;
    if (log_file_name) {
        int fd = -1;
        error = open_log_file(log_file_name, &fd);
        if (!error) {
            close(log_fd);
            log_fd = fd;
        }
    }
    pthread_mutex_unlock(&mutex);
    return error;
}

const char *
vlog_get_log_file(void)
{
    return log_file_name;
}

void
vlog_close_log_file(void)
{
    pthread_mutex_lock(&mutex);
    if (log_fd >= 0) {
        close(log_fd);
        log_fd = -1;
    }
    free(log_file_name);
    log_file_name = NULL;
    update_all_min_levels();
    pthread_mutex_unlock(&mutex);
}

bool
vlog_is_enabled(const struct vlog_module *module, enum vlog_level level)
{
    return module->min_level >= (int) level;
}

static void
format_line(struct ds *s, const struct vlog_module *module,
            enum vlog_level level, unsigned int num, const char *format,
            va_list args)
{
    long long int now = time_wall_msec();
    time_t secs = (time_t) (now / 1000);
    struct tm tm;
    char stamp[32];

    gmtime_r(&secs, &tm);
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
    ds_put_format(s, "%s.%03dZ|%05u|%s|%s|", stamp, (int) (now % 1000),
                  num, module->name, level_names[level]);
    ds_put_format_valist(s, format, args);
    ds_chomp(s, '\n');
    ds_put_char(s, '\n');
}

void
vlog_valist(const struct vlog_module *module, enum vlog_level level,
            const char *format, va_list args)
{
    if (level == VLL_OFF || level >= VLL_N_LEVELS
        || !vlog_is_enabled(module, level)) {
        return;
    }

    struct ds line = DS_EMPTY_INITIALIZER;
    pthread_mutex_lock(&mutex);
    format_line(&line, module, level, ++msg_num, format, args);

    if (module->levels[VLF_CONSOLE] >= (int) level) {
        fputs(get_program_name(), stderr);
        fputc('|', stderr);
        fputs(ds_cstr(&line), stderr);
    }
    if (module->levels[VLF_FILE] >= (int) level && log_fd >= 0) {
        /* Nothing useful can be done if the log cannot be written. */
        (void) write_fully(log_fd, line.string, line.length);
    }
    if (module->levels[VLF_SYSLOG] >= (int) level) {
        if (!syslog_opened) {
            openlog(get_program_name(), LOG_NDELAY, LOG_DAEMON);
            syslog_opened = true;
        }
        syslog(syslog_priorities[level], "%s", ds_cstr(&line));
    }
    pthread_mutex_unlock(&mutex);
    ds_destroy(&line);
}

void
vlog(const struct vlog_module *module, enum vlog_level level,
     const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vlog_valist(module, level, format, args);
    va_end(args);
}

bool
vlog_should_drop(const struct vlog_module *module, enum vlog_level level,
                 struct vlog_rate_limit *rl)
{
    if (!vlog_is_enabled(module, level)) {
        return true;
    }

    long long int now = time_msec();
    unsigned int dropped = 0;
    long long int since = 0;
    bool drop;

    pthread_mutex_lock(&rl->mutex);
    uint64_t cap = (uint64_t) rl->burst * 60000;
    if (rl->last_fill >= 0 && now > rl->last_fill) {
        uint64_t add = (uint64_t) (now - rl->last_fill) * rl->rate;
        rl->tokens = add >= cap - MIN(rl->tokens, cap) ? cap
                                                       : rl->tokens + add;
    }
    rl->last_fill = now;
    drop = rl->tokens < 60000;
    if (drop) {
        if (!rl->n_dropped++) {
            rl->first_dropped = now;
        }
    } else {
        rl->tokens -= 60000;
        dropped = rl->n_dropped;
        since = rl->first_dropped;
        rl->n_dropped = 0;
    }
    pthread_mutex_unlock(&rl->mutex);

    if (dropped) {
        /* At the messages' own level, so that the summary reaches every
         * destination that showed them. */
        vlog(module, level, "dropped %u log messages in the last "
             "%lld seconds because of the rate limit",
             dropped, (now - since + 999) / 1000);
    }
    return drop;
}
