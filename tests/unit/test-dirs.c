/* Unit tests for lib/dirs: the run directory. */
#include "unit.h"

#include <errno.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dirs.h"

/* Each test starts with no override and no $SKIFF_RUNDIR. */
static int
reset_rundir(void **state)
{
    unsetenv("SKIFF_RUNDIR");
    skiff_set_rundir(NULL);
    return 0;
}

static bool
is_dir(const char *path)
{
    struct stat s;
    return !stat(path, &s) && S_ISDIR(s.st_mode);
}

static void
touch(const char *path)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fclose(f);
}

static void
test_set_rundir(void **state)
{
    char buf[] = "/some/where";
    skiff_set_rundir(buf);
    assert_string_equal(skiff_rundir(), "/some/where");
    /* The directory is copied, not borrowed. */
    buf[1] = 'X';
    assert_string_equal(skiff_rundir(), "/some/where");

    skiff_set_rundir("/else");
    assert_string_equal(skiff_rundir(), "/else");
}

static void
test_env_rundir(void **state)
{
    setenv("SKIFF_RUNDIR", "/from/env", 1);
    skiff_set_rundir(NULL);
    assert_string_equal(skiff_rundir(), "/from/env");

    /* An explicit setting beats the environment. */
    skiff_set_rundir("/explicit");
    assert_string_equal(skiff_rundir(), "/explicit");

    /* Clearing the setting goes back to the environment. */
    setenv("SKIFF_RUNDIR", "/from/env2", 1);
    skiff_set_rundir(NULL);
    assert_string_equal(skiff_rundir(), "/from/env2");
}

static void
check_default_rundir(void)
{
    const char *xdg = getenv("XDG_RUNTIME_DIR");
    char *expected;
    if (!geteuid()) {
        expected = xstrdup("/run/skiff");
    } else if (xdg && *xdg) {
        expected = xasprintf("%s/skiff", xdg);
    } else {
        expected = xasprintf("/tmp/skiff-%u", (unsigned int) geteuid());
    }
    skiff_set_rundir(NULL);
    assert_string_equal(skiff_rundir(), expected);
    free(expected);
}

static void
test_default_rundir(void **state)
{
    /* An empty $SKIFF_RUNDIR counts as unset. */
    setenv("SKIFF_RUNDIR", "", 1);
    check_default_rundir();
    unsetenv("SKIFF_RUNDIR");
    check_default_rundir();

    char *old = getenv("XDG_RUNTIME_DIR");
    old = old ? xstrdup(old) : NULL;
    setenv("XDG_RUNTIME_DIR", "/xdg/run", 1);
    check_default_rundir();
    setenv("XDG_RUNTIME_DIR", "", 1);
    check_default_rundir();
    unsetenv("XDG_RUNTIME_DIR");
    check_default_rundir();
    if (old) {
        setenv("XDG_RUNTIME_DIR", old, 1);
        free(old);
    }
}

static void
test_create_nested(void **state)
{
    char *tmp = unit_mkdtemp();
    char *dir = xasprintf("%s/a/b/c", tmp);
    skiff_set_rundir(dir);

    assert_int_equal(skiff_rundir_create(), 0);
    assert_true(is_dir(dir));
    /* Again: already there is fine. */
    assert_int_equal(skiff_rundir_create(), 0);

    /* Through a trailing slash and a doubled one. */
    char *odd = xasprintf("%s/x//y/", tmp);
    skiff_set_rundir(odd);
    assert_int_equal(skiff_rundir_create(), 0);
    char *y = xasprintf("%s/x/y", tmp);
    assert_true(is_dir(y));

    free(y);
    free(odd);
    free(dir);
    unit_rmdir_r(tmp);
    free(tmp);
}

static void
test_create_relative(void **state)
{
    char cwd[PATH_MAX];
    assert_non_null(getcwd(cwd, sizeof cwd));
    char *tmp = unit_mkdtemp();
    assert_int_equal(chdir(tmp), 0);

    skiff_set_rundir("rel/run");
    int error = skiff_rundir_create();
    bool made = is_dir("rel/run");
    assert_int_equal(chdir(cwd), 0);

    assert_int_equal(error, 0);
    assert_true(made);
    unit_rmdir_r(tmp);
    free(tmp);
}

static void
test_create_file_in_the_way(void **state)
{
    char *tmp = unit_mkdtemp();
    char *file = xasprintf("%s/file", tmp);
    touch(file);

    /* A file where a parent directory should be. */
    char *below = xasprintf("%s/file/run", tmp);
    skiff_set_rundir(below);
    assert_int_equal(skiff_rundir_create(), ENOTDIR);

    /* A file where the run directory itself should be. */
    skiff_set_rundir(file);
    assert_int_equal(skiff_rundir_create(), ENOTDIR);

    free(below);
    free(file);
    unit_rmdir_r(tmp);
    free(tmp);
}

static void
test_create_name_too_long(void **state)
{
    char *tmp = unit_mkdtemp();
    char name[NAME_MAX + 2];
    memset(name, 'n', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    char *dir = xasprintf("%s/%s/sub", tmp, name);
    skiff_set_rundir(dir);
    assert_int_equal(skiff_rundir_create(), ENAMETOOLONG);
    free(dir);
    unit_rmdir_r(tmp);
    free(tmp);
}

static void
test_rundir_file(void **state)
{
    skiff_set_rundir("/run/dir");
    char *s = skiff_rundir_file("skiff-vswitchd.pid");
    assert_string_equal(s, "/run/dir/skiff-vswitchd.pid");
    free(s);

    s = skiff_rundir_file("sub/x.sock");
    assert_string_equal(s, "/run/dir/sub/x.sock");
    free(s);

    /* An absolute name stays as it is, as a copy. */
    const char *abs = "/elsewhere/x.ctl";
    s = skiff_rundir_file(abs);
    assert_string_equal(s, abs);
    assert_ptr_not_equal(s, abs);
    free(s);

    /* The run directory in effect now is the one used. */
    setenv("SKIFF_RUNDIR", "/env/dir", 1);
    skiff_set_rundir(NULL);
    s = skiff_rundir_file("a.log");
    assert_string_equal(s, "/env/dir/a.log");
    free(s);
}

#define TEST(NAME) cmocka_unit_test_setup(NAME, reset_rundir)

int
main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(test_set_rundir),
        TEST(test_env_rundir),
        TEST(test_default_rundir),
        TEST(test_create_nested),
        TEST(test_create_relative),
        TEST(test_create_file_in_the_way),
        TEST(test_create_name_too_long),
        TEST(test_rundir_file),
    };
    int failures = cmocka_run_group_tests(tests, NULL, NULL);
    skiff_set_rundir(NULL);
    return failures;
}
