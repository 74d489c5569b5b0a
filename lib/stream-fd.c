/* stream-fd: streams over a socket file descriptor (unix and tcp). */
#include <config.h>

#include "stream-fd.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "poll-loop.h"
#include "socket-util.h"
#include "stream-provider.h"
#include "util.h"

struct fd_stream {
    struct stream up;
    int fd;
};

static const struct stream_class fd_stream_class;

static struct fd_stream *
fd_stream_cast(const struct stream *stream)
{
    return CONTAINER_OF(stream, struct fd_stream, up);
}

struct stream *
new_fd_stream(const char *name, int fd, int connect_status)
{
    struct fd_stream *s = xmalloc(sizeof *s);
    stream_init(&s->up, &fd_stream_class, name, connect_status);
    s->fd = fd;
    return &s->up;
}

int
fd_stream_get_fd(const struct stream *stream)
{
    return fd_stream_cast(stream)->fd;
}

static void
fd_close(struct stream *stream)
{
    struct fd_stream *s = fd_stream_cast(stream);
    close(s->fd);
    free(s);
}

static int
fd_connect(struct stream *stream)
{
    return check_connection_completion(fd_stream_cast(stream)->fd);
}

static ssize_t
fd_recv(struct stream *stream, void *buffer, size_t n)
{
    ssize_t r;
    do {
        r = recv(fd_stream_cast(stream)->fd, buffer, n, 0);
    } while (r < 0 && errno == EINTR);
    return r >= 0 ? r : errno == EWOULDBLOCK ? -EAGAIN : -errno;
}

static ssize_t
fd_send(struct stream *stream, const void *buffer, size_t n)
{
    ssize_t r;
    do {
        r = send(fd_stream_cast(stream)->fd, buffer, n, MSG_NOSIGNAL);
    } while (r < 0 && errno == EINTR);
    return r >= 0 ? r : errno == EWOULDBLOCK ? -EAGAIN : -errno;
}

static void
fd_wait(struct stream *stream, enum stream_wait_type type)
{
    int fd = fd_stream_cast(stream)->fd;
    poll_fd_wait(fd, type == STREAM_RECV ? POLLIN : POLLOUT);
}

/* Only reached through new_fd_stream(): the unix and tcp kinds open their
 * sockets and wrap them, so 'open' is theirs. */
static const struct stream_class fd_stream_class = {
    .name = "fd",
    .close = fd_close,
    .connect = fd_connect,
    .recv = fd_recv,
    .send = fd_send,
    .wait = fd_wait,
};

struct fd_pstream {
    struct pstream up;
    int fd;
    char *(*accept_name)(const struct sockaddr_storage *);
    char *unlink_path;
};

static const struct pstream_class fd_pstream_class;

static struct fd_pstream *
fd_pstream_cast(const struct pstream *pstream)
{
    return CONTAINER_OF(pstream, struct fd_pstream, up);
}

struct pstream *
new_fd_pstream(const char *name, int fd,
               char *(*accept_name)(const struct sockaddr_storage *),
               const char *unlink_path)
{
    struct fd_pstream *ps = xmalloc(sizeof *ps);
    pstream_init(&ps->up, &fd_pstream_class, name);
    ps->fd = fd;
    ps->accept_name = accept_name;
    ps->unlink_path = unlink_path ? xstrdup(unlink_path) : NULL;
    return &ps->up;
}

int
fd_accept(int listen_fd, int *fdp, struct sockaddr_storage *ss)
{
    socklen_t len = sizeof *ss;
    int fd;
    do {
        fd = accept4(listen_fd, (struct sockaddr *) ss, &len,
                     SOCK_NONBLOCK | SOCK_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        return errno == EWOULDBLOCK ? EAGAIN : errno;
    }
    *fdp = fd;
    return 0;
}

static int
pfd_accept(struct pstream *pstream, struct stream **streamp)
{
    struct fd_pstream *ps = fd_pstream_cast(pstream);
    struct sockaddr_storage ss;
    int fd;
    int error = fd_accept(ps->fd, &fd, &ss);
    if (error) {
        return error;
    }
    char *name = (ps->accept_name ? ps->accept_name(&ss)
                  : xasprintf("%s#%d", pstream->name, fd));
    *streamp = new_fd_stream(name, fd, 0);
    free(name);
    return 0;
}

static void
pfd_wait(struct pstream *pstream)
{
    poll_fd_wait(fd_pstream_cast(pstream)->fd, POLLIN);
}

static void
pfd_close(struct pstream *pstream)
{
    struct fd_pstream *ps = fd_pstream_cast(pstream);
    close(ps->fd);
    if (ps->unlink_path) {
        unlink(ps->unlink_path);
        free(ps->unlink_path);
    }
    free(ps);
}

static const struct pstream_class fd_pstream_class = {
    .name = "pfd",
    .accept = pfd_accept,
    .wait = pfd_wait,
    .close = pfd_close,
};
