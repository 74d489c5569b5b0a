/* dirs: the run directory. */
#include <config.h>

#include "dirs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

static char *rundir;

void
skiff_set_rundir(const char *dir)
{
    free(rundir);
    rundir = dir ? xstrdup(dir) : NULL;
}

const char *
skiff_rundir(void)
{
    if (!rundir) {
        const char *env = getenv("SKIFF_RUNDIR");
        const char *xdg = getenv("XDG_RUNTIME_DIR");
        if (env && *env) {
            rundir = xstrdup(env);
        } else if (!geteuid()) {
            rundir = xstrdup("/run/skiff");
        } else if (xdg && *xdg) {
            rundir = xasprintf("%s/skiff", xdg);
        } else {
            rundir = xasprintf("/tmp/skiff-%u", (unsigned int) geteuid());
        }
    }
    return rundir;
}

const char *
skiff_dbdir(void)
{
    static char *dbdir;
    if (!dbdir) {
        const char *env = getenv("SKIFF_DBDIR");
        const char *home = getenv("HOME");
        if (env && *env) {
            dbdir = xstrdup(env);
        } else if (!geteuid()) {
            dbdir = xstrdup("/var/lib/skiff");
        } else if (home && *home) {
            dbdir = xasprintf("%s/.local/share/skiff", home);
        } else {
            dbdir = xstrdup(skiff_rundir());
        }
    }
    return dbdir;
}

int
skiff_rundir_create(void)
{
    char *path = xstrdup(skiff_rundir());
    int error = 0;

    /* Create each missing component in turn, like "mkdir -p". */
    for (char *p = path + 1; ; p++) {
        if (*p == '/' || *p == '\0') {
            char saved = *p;
            *p = '\0';
            if (mkdir(path, 0755) < 0 && errno != EEXIST) {
                error = errno;
                break;
            }
            *p = saved;
            if (!saved) {
                break;
            }
        }
    }
    if (!error) {
        struct stat s;
        if (stat(path, &s) < 0) {
            error = errno;
        } else if (!S_ISDIR(s.st_mode)) {
            error = ENOTDIR;
        }
    }
    free(path);
    return error;
}

char *
skiff_rundir_file(const char *name)
{
    return (name[0] == '/' ? xstrdup(name)
            : xasprintf("%s/%s", skiff_rundir(), name));
}
