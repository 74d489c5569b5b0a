/* Unit tests for lib/vlog: levels, settings, output, rotation, rate
 * limits. */
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <regex.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dirs.h"
#include "dynamic-string.h"
#include "timeval.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(test_vlog);

/* A second module, registered by main(). */
static struct vlog_module other_module = {
    .name = "test_other",
    .levels = { VLL_WARN, VLL_OFF, VLL_INFO },
    .min_level = VLL_INFO,
};

/* The temporary directory of the running test. */
static char *tmp_dir;

/* ---- Helpers. ---- */

static char *
tmp_path(const char *name)
{
    return xasprintf("%s/%s", tmp_dir, name);
}

/* Returns the whole file (empty if missing); the caller frees it. */
static char *
slurp(const char *path)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    FILE *f = fopen(path, "r");
    if (f) {
        char buf[4096];
        size_t n;
        while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
            ds_put_buffer(&s, buf, n);
        }
        fclose(f);
    }
    return ds_steal_cstr(&s);
}

static size_t
count_matches(const char *text, const char *needle)
{
    size_t n = 0;
    for (const char *p = text; (p = strstr(p, needle)); p++) {
        n++;
    }
    return n;
}

static size_t
count_in_file(const char *path, const char *needle)
{
    char *text = slurp(path);
    size_t n = count_matches(text, needle);
    free(text);
    return n;
}

static void
set_all_levels(enum vlog_level console, enum vlog_level syslog_,
               enum vlog_level file)
{
    vlog_set_levels(NULL, VLF_CONSOLE, console);
    vlog_set_levels(NULL, VLF_SYSLOG, syslog_);
    vlog_set_levels(NULL, VLF_FILE, file);
}

/* Opens "<tmp>/NAME" as the log file and returns its path. */
static char *
open_log(const char *name)
{
    char *path = tmp_path(name);
    assert_int_equal(vlog_set_log_file(path), 0);
    assert_string_equal(vlog_get_log_file(), path);
    return path;
}

static void
check_levels(const struct vlog_module *m, int console, int syslog_,
             int file)
{
    if (m->levels[VLF_CONSOLE] != console
        || m->levels[VLF_SYSLOG] != syslog_
        || m->levels[VLF_FILE] != file) {
        fail_msg("%s: levels %d/%d/%d, expected %d/%d/%d", m->name,
                 m->levels[VLF_CONSOLE], m->levels[VLF_SYSLOG],
                 m->levels[VLF_FILE], console, syslog_, file);
    }
}

static int
setup(void **state)
{
    tmp_dir = unit_mkdtemp();
    /* Quiet console, no syslog; the file level as documented. */
    set_all_levels(VLL_OFF, VLL_OFF, VLL_INFO);
    return 0;
}

static int
teardown(void **state)
{
    vlog_close_log_file();
    unit_rmdir_r(tmp_dir);
    free(tmp_dir);
    tmp_dir = NULL;
    return 0;
}

/* ---- Names. ---- */

static void
test_level_strings(void **state)
{
    static const char *names[] = { "OFF", "EMER", "ERR", "WARN", "INFO",
                                   "DBG" };
    assert_int_equal(ARRAY_SIZE(names), VLL_N_LEVELS);
    for (int i = 0; i < VLL_N_LEVELS; i++) {
        assert_string_equal(vlog_level_to_string(i), names[i]);
        assert_int_equal(vlog_level_from_string(names[i]), i);
    }
    assert_int_equal(vlog_level_from_string("warn"), VLL_WARN);
    assert_int_equal(vlog_level_from_string("Dbg"), VLL_DBG);
    assert_int_equal(vlog_level_from_string("warning"), -1);
    assert_int_equal(vlog_level_from_string("debug"), -1);
    assert_int_equal(vlog_level_from_string("war"), -1);
    assert_int_equal(vlog_level_from_string(""), -1);
    assert_string_equal(vlog_level_to_string(VLL_N_LEVELS), "?");
}

static void
test_destination_strings(void **state)
{
    static const char *names[] = { "console", "syslog", "file" };
    for (int i = 0; i < VLF_N_DESTINATIONS; i++) {
        assert_string_equal(vlog_destination_to_string(i), names[i]);
        assert_int_equal(vlog_destination_from_string(names[i]), i);
    }
    assert_int_equal(vlog_destination_from_string("FILE"), VLF_FILE);
    assert_int_equal(vlog_destination_from_string("Console"), VLF_CONSOLE);
    assert_int_equal(vlog_destination_from_string("stderr"), -1);
    assert_int_equal(vlog_destination_from_string(""), -1);
    assert_string_equal(vlog_destination_to_string(VLF_N_DESTINATIONS),
                        "?");
}

static void
test_module_from_name(void **state)
{
    assert_ptr_equal(vlog_module_from_name("test_vlog"), &this_module);
    assert_ptr_equal(vlog_module_from_name("TEST_VLOG"), &this_module);
    assert_ptr_equal(vlog_module_from_name("test_other"), &other_module);
    assert_null(vlog_module_from_name("test"));
    assert_null(vlog_module_from_name("no_such_module"));
}

/* ---- Setting levels. ---- */

static void
test_set_levels(void **state)
{
    set_all_levels(VLL_INFO, VLL_INFO, VLL_INFO);
    vlog_set_levels(&this_module, VLF_SYSLOG, VLL_ERR);
    check_levels(&this_module, VLL_INFO, VLL_ERR, VLL_INFO);
    check_levels(&other_module, VLL_INFO, VLL_INFO, VLL_INFO);

    vlog_set_levels(&other_module, VLF_N_DESTINATIONS, VLL_EMER);
    check_levels(&other_module, VLL_EMER, VLL_EMER, VLL_EMER);
    check_levels(&this_module, VLL_INFO, VLL_ERR, VLL_INFO);

    vlog_set_levels(NULL, VLF_FILE, VLL_DBG);
    check_levels(&this_module, VLL_INFO, VLL_ERR, VLL_DBG);
    check_levels(&other_module, VLL_EMER, VLL_EMER, VLL_DBG);

    vlog_set_levels(NULL, VLF_N_DESTINATIONS, VLL_WARN);
    check_levels(&this_module, VLL_WARN, VLL_WARN, VLL_WARN);
    check_levels(&other_module, VLL_WARN, VLL_WARN, VLL_WARN);
}

static void
test_min_level_counts_file_only_when_open(void **state)
{
    set_all_levels(VLL_WARN, VLL_OFF, VLL_DBG);
    /* No log file: DBG for the file must not make DBG "enabled". */
    assert_int_equal(this_module.min_level, VLL_WARN);
    assert_false(vlog_is_enabled(&this_module, VLL_INFO));
    assert_true(vlog_is_enabled(&this_module, VLL_WARN));

    char *path = open_log("min.log");
    assert_int_equal(this_module.min_level, VLL_DBG);
    assert_true(VLOG_IS_DBG_ENABLED());

    vlog_close_log_file();
    assert_null(vlog_get_log_file());
    assert_int_equal(this_module.min_level, VLL_WARN);
    assert_false(VLOG_IS_DBG_ENABLED());

    vlog_set_levels(&this_module, VLF_SYSLOG, VLL_INFO);
    assert_int_equal(this_module.min_level, VLL_INFO);
    free(path);
}

/* Applies SPEC from a baseline of INFO everywhere and checks the result
 * for both test modules. */
static void
check_spec(const char *spec, const int this_levels[3],
           const int other_levels[3])
{
    set_all_levels(VLL_INFO, VLL_INFO, VLL_INFO);
    char *error = vlog_set_levels_from_string(spec);
    if (error) {
        fail_msg("\"%s\": %s", spec, error);
    }
    check_levels(&this_module, this_levels[0], this_levels[1],
                 this_levels[2]);
    check_levels(&other_module, other_levels[0], other_levels[1],
                 other_levels[2]);
}

#define L3(A, B, C) ((const int[]) { VLL_##A, VLL_##B, VLL_##C })

static void
test_set_levels_from_string(void **state)
{
    check_spec("test_vlog:console:dbg", L3(DBG, INFO, INFO),
               L3(INFO, INFO, INFO));
    check_spec("test_vlog:file:off", L3(INFO, INFO, OFF),
               L3(INFO, INFO, INFO));
    check_spec("test_other:syslog:emer", L3(INFO, INFO, INFO),
               L3(INFO, EMER, INFO));
    check_spec("console:err", L3(ERR, INFO, INFO), L3(ERR, INFO, INFO));
    check_spec("test_vlog:warn", L3(WARN, WARN, WARN),
               L3(INFO, INFO, INFO));
    check_spec("off", L3(OFF, OFF, OFF), L3(OFF, OFF, OFF));
    check_spec("ANY:ANY:err", L3(ERR, ERR, ERR), L3(ERR, ERR, ERR));
    check_spec("ANY:file:warn", L3(INFO, INFO, WARN),
               L3(INFO, INFO, WARN));
    check_spec("test_other:ANY:emer", L3(INFO, INFO, INFO),
               L3(EMER, EMER, EMER));
    check_spec("ANY:warn", L3(WARN, WARN, WARN), L3(WARN, WARN, WARN));
}

static void
test_set_levels_from_string_forms(void **state)
{
    /* Order, case and separators do not matter. */
    check_spec("dbg:file:test_vlog", L3(INFO, INFO, DBG),
               L3(INFO, INFO, INFO));
    check_spec("TEST_VLOG:Console:WARN", L3(WARN, INFO, INFO),
               L3(INFO, INFO, INFO));
    check_spec("test_vlog console err", L3(ERR, INFO, INFO),
               L3(INFO, INFO, INFO));
    check_spec(" test_vlog\t:: syslog:warn ", L3(INFO, WARN, INFO),
               L3(INFO, INFO, INFO));
    /* A left-out level means dbg. */
    check_spec("test_other", L3(INFO, INFO, INFO), L3(DBG, DBG, DBG));
    check_spec("test_vlog:file", L3(INFO, INFO, DBG), L3(INFO, INFO, INFO));
}

/* Applies a bad SPEC and checks that the error names WORD and that no
 * module's levels changed. */
static void
check_bad_spec(const char *spec, const char *word)
{
    set_all_levels(VLL_INFO, VLL_OFF, VLL_WARN);
    vlog_set_levels(&this_module, VLF_CONSOLE, VLL_ERR);
    char *before = vlog_get_levels();

    char *error = vlog_set_levels_from_string(spec);
    if (!error) {
        fail_msg("\"%s\" was accepted", spec);
    }
    if (!strstr(error, word)) {
        fail_msg("\"%s\": error \"%s\" does not name \"%s\"",
                 spec, error, word);
    }
    char *after = vlog_get_levels();
    assert_string_equal(before, after);
    free(after);
    free(before);
    free(error);
}

static void
test_set_levels_from_string_errors(void **state)
{
    check_bad_spec("nosuchmodule", "nosuchmodule");
    check_bad_spec("test_vlog:console:bogus", "bogus");
    check_bad_spec("bogus:test_vlog:console:dbg", "bogus");
    /* A good start must not be applied when a later word is bad. */
    check_bad_spec("ANY:ANY:dbg:junk", "junk");
    check_bad_spec("test_vlog:warn:dbg", "dbg");
    check_bad_spec("test_vlog:console:file", "file");
    check_bad_spec("test_vlog:test_other:dbg", "test_other");
    check_bad_spec("ANY:ANY:ANY", "ANY");
    check_bad_spec("test_vlog:ANY:ANY", "ANY");
    check_bad_spec("test_vlog:ANY:console:dbg", "console");
    check_bad_spec("console:ANY:ANY", "ANY");
    check_bad_spec("warning", "warning");
    /* Nothing at all is not "everything at dbg". */
    check_bad_spec("", "empty");
    check_bad_spec(" :: ", "empty");
}

static void
test_set_levels_from_strings(void **state)
{
    const char *good[] = { "test_vlog:console:dbg", "test_other:file:off" };
    set_all_levels(VLL_INFO, VLL_INFO, VLL_INFO);
    char *error = vlog_set_levels_from_strings(2, good);
    assert_null(error);
    check_levels(&this_module, VLL_DBG, VLL_INFO, VLL_INFO);
    check_levels(&other_module, VLL_INFO, VLL_INFO, VLL_OFF);

    /* All or nothing: a bad second spec stops the good first one. */
    const char *mixed[] = { "test_vlog:file:emer", "test_other:wrong" };
    char *before = vlog_get_levels();
    error = vlog_set_levels_from_strings(2, mixed);
    assert_non_null(error);
    assert_non_null(strstr(error, "wrong"));
    char *after = vlog_get_levels();
    assert_string_equal(before, after);
    free(error);
    free(before);
    free(after);

    assert_null(vlog_set_levels_from_strings(0, NULL));
}

/* Finds MODULE's row in TABLE and checks its three level columns. */
static void
check_table_row(const char *table, const char *module, const char *console,
                const char *syslog_, const char *file)
{
    char *needle = xasprintf("\n%s ", module);
    const char *row = strstr(table, needle);
    assert_non_null(row);
    assert_null(strstr(row + 1, needle));       /* Listed once. */
    free(needle);

    char name[64], c[16], s[16], f[16];
    assert_int_equal(sscanf(row, "%63s %15s %15s %15s", name, c, s, f), 4);
    assert_string_equal(name, module);
    assert_string_equal(c, console);
    assert_string_equal(s, syslog_);
    assert_string_equal(f, file);
}

static void
test_get_levels(void **state)
{
    vlog_set_levels(&this_module, VLF_CONSOLE, VLL_DBG);
    vlog_set_levels(&this_module, VLF_SYSLOG, VLL_OFF);
    vlog_set_levels(&this_module, VLF_FILE, VLL_WARN);
    vlog_set_levels(&other_module, VLF_N_DESTINATIONS, VLL_EMER);

    char *table = vlog_get_levels();
    /* A header naming the columns in order, then one row per module. */
    const char *console = strstr(table, "console");
    const char *syslog_ = strstr(table, "syslog");
    const char *file = strstr(table, "file");
    assert_true(console && syslog_ && file);
    assert_true(console < syslog_ && syslog_ < file);
    assert_true(file < strchr(table, '\n'));

    check_table_row(table, "test_vlog", "DBG", "OFF", "WARN");
    check_table_row(table, "test_other", "EMER", "EMER", "EMER");
    assert_int_equal(table[strlen(table) - 1], '\n');

    /* Rows are sorted by module name, whatever the registration order. */
    char *prev = NULL;
    char *copy = xstrdup(table);
    char *save = NULL;
    int rows = 0;
    strtok_r(copy, "\n", &save);       /* The two header lines. */
    strtok_r(NULL, "\n", &save);
    for (char *line = strtok_r(NULL, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        line[strcspn(line, " ")] = '\0';
        if (prev) {
            assert_true(strcmp(prev, line) < 0);
        }
        prev = line;
        rows++;
    }
    assert_true(rows >= 2);
    free(copy);
    free(table);
}

static void
test_set_verbosity(void **state)
{
    set_all_levels(VLL_OFF, VLL_OFF, VLL_OFF);
    vlog_set_verbosity(NULL);
    check_levels(&this_module, VLL_DBG, VLL_OFF, VLL_OFF);
    check_levels(&other_module, VLL_DBG, VLL_OFF, VLL_OFF);

    set_all_levels(VLL_OFF, VLL_OFF, VLL_OFF);
    vlog_set_verbosity("");
    check_levels(&this_module, VLL_DBG, VLL_OFF, VLL_OFF);

    vlog_set_verbosity("test_other:file:err");
    check_levels(&other_module, VLL_DBG, VLL_OFF, VLL_ERR);
}

/* The child exits through vlog's exit(2).  Under LeakSanitizer, a leak
 * left by an earlier failed test would turn that status into 1. */
static void
test_set_verbosity_bad_spec_exits(void **state)
{
    char *err_path = tmp_path("stderr");
    fflush(stderr);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (!pid) {
        int fd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        dup2(fd, STDERR_FILENO);
        vlog_set_verbosity("test_vlog:bogus_word");
        _exit(0);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 2);
    assert_int_equal(count_in_file(err_path, "bogus_word"), 1);
    free(err_path);
}

/* ---- Output. ---- */

static const char *line_pattern =
    "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z"
    "\\|([0-9]{5})\\|([a-z_]+)\\|(EMER|ERR|WARN|INFO|DBG)\\|(.*)$";

/* Checks that LINE (without its newline) has the log line format, and
 * returns its sequence number. */
static unsigned int
check_line_format(const char *line, const char *module, const char *level,
                  const char *message)
{
    regex_t re;
    regmatch_t m[5];
    assert_int_equal(regcomp(&re, line_pattern, REG_EXTENDED), 0);
    if (regexec(&re, line, ARRAY_SIZE(m), m, 0)) {
        regfree(&re);
        fail_msg("bad log line: \"%s\"", line);
    }
    regfree(&re);

    char *field = xstrndup(line + m[2].rm_so, m[2].rm_eo - m[2].rm_so);
    assert_string_equal(field, module);
    free(field);
    field = xstrndup(line + m[3].rm_so, m[3].rm_eo - m[3].rm_so);
    assert_string_equal(field, level);
    free(field);
    assert_string_equal(line + m[4].rm_so, message);
    return (unsigned int) strtoul(line + m[1].rm_so, NULL, 10);
}

/* Splits TEXT into lines in place; returns how many. */
static size_t
split_lines(char *text, char **lines, size_t max)
{
    size_t n = 0;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line && n < max;
         line = strtok_r(NULL, "\n", &save)) {
        lines[n++] = line;
    }
    return n;
}

static void
test_file_format(void **state)
{
    char *path = open_log("format.log");
    vlog_set_levels(&this_module, VLF_FILE, VLL_DBG);
    VLOG_INFO("hello %d", 42);
    VLOG_DBG("trailing newline is dropped\n");
    VLOG_ERR("pipes | stay %s", "as-is");

    char *text = slurp(path);
    /* Each line ends in one newline: none from the message is kept. */
    assert_int_equal(count_matches(text, "\n"), 3);
    assert_null(strstr(text, "\n\n"));
    assert_int_equal(text[strlen(text) - 1], '\n');
    char *lines[8];
    size_t n = split_lines(text, lines, ARRAY_SIZE(lines));
    assert_int_equal(n, 3);
    unsigned int a = check_line_format(lines[0], "test_vlog", "INFO",
                                       "hello 42");
    unsigned int b = check_line_format(lines[1], "test_vlog", "DBG",
                                       "trailing newline is dropped");
    unsigned int c = check_line_format(lines[2], "test_vlog", "ERR",
                                       "pipes | stay as-is");
    assert_int_equal(b, a + 1);
    assert_int_equal(c, b + 1);
    free(text);
    free(path);
}

static void
test_timestamp_is_utc(void **state)
{
    /* With a local zone 5 hours off UTC, the stamp must still be UTC. */
    char *old_tz = getenv("TZ") ? xstrdup(getenv("TZ")) : NULL;
    setenv("TZ", "XST5", 1);
    tzset();

    char *path = open_log("utc.log");
    time_t before = time(NULL);
    VLOG_INFO("what time is it");
    time_t after = time(NULL);
    char *text = slurp(path);

    struct tm tm;
    memset(&tm, 0, sizeof tm);
    assert_int_equal(sscanf(text, "%4d-%2d-%2dT%2d:%2d:%2d",
                            &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                            &tm.tm_hour, &tm.tm_min, &tm.tm_sec), 6);
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    time_t stamp = timegm(&tm);
    assert_true(stamp >= before - 1 && stamp <= after + 1);

    if (old_tz) {
        setenv("TZ", old_tz, 1);
        free(old_tz);
    } else {
        unsetenv("TZ");
    }
    tzset();
    free(text);
    free(path);
}

/* Redirects stderr (the console destination) into a file. */
struct capture {
    int saved_fd;
    char *path;
};

static void
capture_start(struct capture *c)
{
    c->path = tmp_path("console.txt");
    int fd = open(c->path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    fflush(stderr);
    c->saved_fd = dup(STDERR_FILENO);
    assert_true(c->saved_fd >= 0);
    assert_int_equal(dup2(fd, STDERR_FILENO), STDERR_FILENO);
    close(fd);
}

/* Restores stderr and returns what was written to it. */
static char *
capture_end(struct capture *c)
{
    fflush(stderr);
    dup2(c->saved_fd, STDERR_FILENO);
    close(c->saved_fd);
    char *text = slurp(c->path);
    free(c->path);
    return text;
}

static void
test_filtering_per_destination(void **state)
{
    char *path = open_log("filter.log");
    vlog_set_levels(&this_module, VLF_CONSOLE, VLL_WARN);
    vlog_set_levels(&this_module, VLF_FILE, VLL_INFO);

    struct capture c;
    capture_start(&c);
    VLOG_DBG("msg-dbg");
    VLOG_INFO("msg-info");
    VLOG_WARN("msg-warn");
    VLOG_ERR("msg-err");
    vlog_set_levels(&this_module, VLF_FILE, VLL_OFF);
    VLOG_EMER("msg-emer");
    vlog(&other_module, VLL_INFO, "msg-other");
    char *console = capture_end(&c);
    char *file = slurp(path);

    assert_int_equal(count_matches(file, "msg-dbg"), 0);
    assert_int_equal(count_matches(file, "msg-info"), 1);
    assert_int_equal(count_matches(file, "msg-warn"), 1);
    assert_int_equal(count_matches(file, "msg-err"), 1);
    assert_int_equal(count_matches(file, "msg-emer"), 0);
    assert_int_equal(count_matches(file, "msg-other"), 1);

    assert_int_equal(count_matches(console, "msg-dbg"), 0);
    assert_int_equal(count_matches(console, "msg-info"), 0);
    assert_int_equal(count_matches(console, "msg-warn"), 1);
    assert_int_equal(count_matches(console, "msg-err"), 1);
    assert_int_equal(count_matches(console, "msg-emer"), 1);
    assert_int_equal(count_matches(console, "msg-other"), 0);

    /* Console lines are the file's format after "PROGRAM|". */
    char *prefix = xasprintf("%s|", get_program_name());
    assert_true(str_starts_with(console, prefix));
    char *line = console + strlen(prefix);
    *strchr(line, '\n') = '\0';
    check_line_format(line, "test_vlog", "WARN", "msg-warn");
    free(prefix);
    free(console);
    free(file);
    free(path);
}

static void
test_off_and_bad_levels_never_log(void **state)
{
    char *path = open_log("off.log");
    vlog_set_levels(&this_module, VLF_FILE, VLL_DBG);
    vlog(&this_module, VLL_OFF, "never-off");
    vlog(&this_module, VLL_N_LEVELS, "never-bad");
    vlog(&this_module, VLL_DBG, "yes-dbg");
    assert_int_equal(count_in_file(path, "never"), 0);
    assert_int_equal(count_in_file(path, "yes-dbg"), 1);
    free(path);
}

/* ---- Log files. ---- */

static void
test_reopen_after_rotation(void **state)
{
    char *path = open_log("rot.log");
    char *rotated = tmp_path("rot.log.1");

    VLOG_INFO("line-one");
    assert_int_equal(rename(path, rotated), 0);
    VLOG_INFO("line-two");          /* Still the renamed file. */
    assert_int_equal(vlog_reopen_log_file(), 0);
    VLOG_INFO("line-three");        /* A fresh file under the name. */
    assert_string_equal(vlog_get_log_file(), path);

    assert_int_equal(count_in_file(rotated, "line-one"), 1);
    assert_int_equal(count_in_file(rotated, "line-two"), 1);
    assert_int_equal(count_in_file(rotated, "line-three"), 0);
    assert_int_equal(count_in_file(path, "line-one"), 0);
    assert_int_equal(count_in_file(path, "line-three"), 1);
    free(rotated);
    free(path);
}

static void
test_reopen_failure_keeps_file(void **state)
{
    char *dir = tmp_path("sub");
    char *moved = tmp_path("sub2");
    assert_int_equal(mkdir(dir, 0700), 0);
    char *path = tmp_path("sub/x.log");
    assert_int_equal(vlog_set_log_file(path), 0);

    /* The file's directory goes away: reopening fails, logging goes on
     * to the file already open. */
    assert_int_equal(rename(dir, moved), 0);
    assert_int_equal(vlog_reopen_log_file(), ENOENT);
    VLOG_INFO("still-here");
    char *moved_file = tmp_path("sub2/x.log");
    assert_int_equal(count_in_file(moved_file, "still-here"), 1);
    assert_string_equal(vlog_get_log_file(), path);

    free(moved_file);
    free(path);
    free(moved);
    free(dir);
}

static void
test_reopen_without_file(void **state)
{
    vlog_close_log_file();
    assert_int_equal(vlog_reopen_log_file(), 0);
    assert_null(vlog_get_log_file());
}

static void
test_set_log_file_failure_keeps_old(void **state)
{
    char *path = open_log("keep.log");
    char *blocker = tmp_path("not-a-dir");
    FILE *f = fopen(blocker, "w");
    assert_non_null(f);
    fclose(f);

    char *bad = tmp_path("not-a-dir/x.log");
    assert_int_equal(vlog_set_log_file(bad), ENOTDIR);
    assert_string_equal(vlog_get_log_file(), path);
    VLOG_INFO("after-failure");
    assert_int_equal(count_in_file(path, "after-failure"), 1);

    assert_int_equal(vlog_set_log_file("/nonexistent-skiff-dir/x.log"),
                     ENOENT);
    assert_string_equal(vlog_get_log_file(), path);
    free(bad);
    free(blocker);
    free(path);
}

static void
test_set_log_file_switches(void **state)
{
    char *first = open_log("first.log");
    VLOG_INFO("to-first");
    char *second = open_log("second.log");
    VLOG_INFO("to-second");

    assert_int_equal(count_in_file(first, "to-first"), 1);
    assert_int_equal(count_in_file(first, "to-second"), 0);
    assert_int_equal(count_in_file(second, "to-second"), 1);

    /* An existing file is appended to, not truncated. */
    char *again = open_log("first.log");
    VLOG_INFO("to-first-again");
    assert_int_equal(count_in_file(first, "to-first"), 2);
    free(again);
    free(second);
    free(first);
}

static void
test_set_log_file_default_name(void **state)
{
    skiff_set_rundir(tmp_dir);
    assert_int_equal(vlog_set_log_file(NULL), 0);
    char *expected = xasprintf("%s/%s.log", tmp_dir, get_program_name());
    assert_string_equal(vlog_get_log_file(), expected);
    VLOG_INFO("default-name");
    assert_int_equal(count_in_file(expected, "default-name"), 1);

    assert_int_equal(vlog_set_log_file(""), 0);
    assert_string_equal(vlog_get_log_file(), expected);
    skiff_set_rundir(NULL);
    free(expected);
}

static void
test_close_log_file(void **state)
{
    char *path = open_log("close.log");
    vlog_close_log_file();
    assert_null(vlog_get_log_file());
    VLOG_INFO("after-close");
    assert_int_equal(count_in_file(path, "after-close"), 0);
    vlog_close_log_file();          /* Twice is harmless. */
    free(path);
}

/* ---- Rate limits. ---- */

static void
test_rate_limit_burst(void **state)
{
    /* One message a minute: nothing refills during the test. */
    struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);
    char *path = open_log("burst.log");

    long long int start = time_msec();
    for (int i = 0; i < 20; i++) {
        VLOG_WARN_RL(&rl, "burst-msg %d", i);
    }
    long long int elapsed = time_msec() - start;
    size_t passed = count_in_file(path, "burst-msg");
    assert_true(passed >= 5);
    assert_true(passed <= 5 + (size_t) (elapsed / 60000));
    /* The first ones pass, the rest are dropped. */
    assert_int_equal(count_in_file(path, "burst-msg 4\n"), 1);
    if (elapsed < 60000) {
        assert_int_equal(count_in_file(path, "burst-msg 5\n"), 0);
    }
    assert_int_equal(count_in_file(path, "dropped"), 0);
    free(path);
}

static void
test_rate_limit_dropped_summary(void **state)
{
    /* Ten a second, burst of two: a token every 100 ms. */
    struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(600, 2);
    char *path = open_log("summary.log");

    /* The summary goes wherever the rate-limited messages go, even where
     * INFO is filtered out. */
    vlog_set_levels(&this_module, VLF_FILE, VLL_WARN);

    /* Log until some messages were dropped since the last one passed;
     * count those exactly. */
    unsigned int pending = 0;
    for (int i = 0; i < 100000 && pending < 5; i++) {
        if (vlog_should_drop(&this_module, VLL_WARN, &rl)) {
            pending++;
        } else {
            pending = 0;
        }
    }
    assert_true(pending > 0);
    assert_int_equal(count_in_file(path, "dropped"), 0);

    /* Once a token is back, the next message passes after a summary. */
    time_sleep_msec(250);
    VLOG_WARN_RL(&rl, "after-refill");
    char *expected = xasprintf("|test_vlog|WARN|dropped %u log messages",
                               pending);
    assert_int_equal(count_in_file(path, expected), 1);
    assert_int_equal(count_in_file(path, "after-refill"), 1);

    /* Nothing was dropped since: no second summary. */
    time_sleep_msec(250);
    VLOG_WARN_RL(&rl, "after-refill");
    assert_int_equal(count_in_file(path, "dropped"), 1);
    assert_int_equal(count_in_file(path, "after-refill"), 2);
    free(expected);
    free(path);
}

static void
test_rate_limit_disabled_level(void **state)
{
    /* A message that no destination takes is skipped without using a
     * token or counting as dropped. */
    struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 1);
    vlog_set_levels(&this_module, VLF_N_DESTINATIONS, VLL_OFF);
    for (int i = 0; i < 10; i++) {
        assert_true(vlog_should_drop(&this_module, VLL_WARN, &rl));
    }
    assert_int_equal(rl.n_dropped, 0);

    char *path = open_log("disabled.log");
    vlog_set_levels(&this_module, VLF_FILE, VLL_INFO);
    VLOG_WARN_RL(&rl, "first-enabled");
    assert_int_equal(count_in_file(path, "first-enabled"), 1);
    assert_int_equal(count_in_file(path, "dropped"), 0);
    free(path);
}

/* ---- Threads. ---- */

enum { N_THREADS = 4, N_PER_THREAD = 300 };

static void *
log_thread_main(void *id_)
{
    int id = (int) (intptr_t) id_;
    for (int i = 0; i < N_PER_THREAD; i++) {
        VLOG_INFO("thread %d message %d with some padding to make it "
                  "longer than a few bytes", id, i);
    }
    return NULL;
}

static void
test_threads_write_whole_lines(void **state)
{
    char *path = open_log("threads.log");
    pthread_t threads[N_THREADS];
    for (int i = 0; i < N_THREADS; i++) {
        assert_int_equal(pthread_create(&threads[i], NULL, log_thread_main,
                                        (void *) (intptr_t) i), 0);
    }
    for (int i = 0; i < N_THREADS; i++) {
        pthread_join(threads[i], NULL);
    }

    char *text = slurp(path);
    size_t max = N_THREADS * N_PER_THREAD + 1;
    char **lines = xmalloc(max * sizeof *lines);
    size_t n = split_lines(text, lines, max);
    assert_int_equal(n, N_THREADS * N_PER_THREAD);

    /* Whole lines, numbered in the order they were written. */
    regex_t re;
    assert_int_equal(regcomp(&re, line_pattern, REG_EXTENDED), 0);
    unsigned int prev = 0;
    for (size_t i = 0; i < n; i++) {
        regmatch_t m[2];
        assert_int_equal(regexec(&re, lines[i], 2, m, 0), 0);
        assert_non_null(strstr(lines[i], "|test_vlog|INFO|thread "));
        unsigned int num = (unsigned int) strtoul(lines[i] + m[1].rm_so,
                                                  NULL, 10);
        if (i) {
            assert_int_equal(num, prev + 1);
        }
        prev = num;
    }
    regfree(&re);
    free(lines);
    free(text);
    free(path);
}

#define TEST(NAME) cmocka_unit_test_setup_teardown(NAME, setup, teardown)

int
main(void)
{
    set_program_name("test-vlog");
    vlog_insert_module(&other_module);

    const struct CMUnitTest tests[] = {
        TEST(test_level_strings),
        TEST(test_destination_strings),
        TEST(test_module_from_name),
        TEST(test_set_levels),
        TEST(test_min_level_counts_file_only_when_open),
        TEST(test_set_levels_from_string),
        TEST(test_set_levels_from_string_forms),
        TEST(test_set_levels_from_string_errors),
        TEST(test_set_levels_from_strings),
        TEST(test_get_levels),
        TEST(test_set_verbosity),
        TEST(test_set_verbosity_bad_spec_exits),
        TEST(test_file_format),
        TEST(test_timestamp_is_utc),
        TEST(test_filtering_per_destination),
        TEST(test_off_and_bad_levels_never_log),
        TEST(test_reopen_after_rotation),
        TEST(test_reopen_failure_keeps_file),
        TEST(test_reopen_without_file),
        TEST(test_set_log_file_failure_keeps_old),
        TEST(test_set_log_file_switches),
        TEST(test_set_log_file_default_name),
        TEST(test_close_log_file),
        TEST(test_rate_limit_burst),
        TEST(test_rate_limit_dropped_summary),
        TEST(test_rate_limit_disabled_level),
        TEST(test_threads_write_whole_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
