/* stream-unix: "unix:PATH" and "punix:PATH" streams. */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dirs.h"
#include "socket-util.h"
#include "stream-fd.h"
#include "stream-provider.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(stream_unix);

static int
unix_open(const char *name, char *suffix, struct stream **streamp)
{
    if (!*suffix) {
        VLOG_WARN("%s: missing socket path", name);
        return EINVAL;
    }
    char *path = skiff_rundir_file(suffix);
    int fd;
    int error = unix_open_active(path, &fd);
    if (error) {
        VLOG_DBG("%s: connect failed (%s)", path, strerror(error));
    } else {
        *streamp = new_fd_stream(name, fd, 0);
    }
    free(path);
    return error;
}

const struct stream_class unix_stream_class = {
    .name = "unix",
    .open = unix_open,
};

static int
punix_listen(const char *name, char *suffix, struct pstream **pstreamp)
{
    if (!*suffix) {
        VLOG_WARN("%s: missing socket path", name);
        return EINVAL;
    }
    char *path = skiff_rundir_file(suffix);
    int fd;
    int error = unix_open_passive(path, &fd);
    if (error) {
        VLOG_WARN("%s: cannot listen (%s)", path, strerror(error));
    } else {
        *pstreamp = new_fd_pstream(name, fd, NULL, path);
    }
    free(path);
    return error;
}

const struct pstream_class punix_pstream_class = {
    .name = "punix",
    .listen = punix_listen,
};
