/* socket-util: address parsing and socket set-up for streams. */
#include <config.h>

#include "socket-util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "util.h"

/* Splits "ADDRESS" (numeric IPv4, or IPv6 in brackets) off the front of S
 * into SS with PORT.  Returns 0 or EINVAL. */
static int
parse_address(const char *s, uint16_t port, struct sockaddr_storage *ss)
{
    memset(ss, 0, sizeof *ss);
    if (s[0] == '[') {
        size_t len = strlen(s);
        if (len < 3 || s[len - 1] != ']') {
            return EINVAL;
        }
        char *addr = xstrndup(s + 1, len - 2);
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *) ss;
        int ok = inet_pton(AF_INET6, addr, &sin6->sin6_addr);
        free(addr);
        if (ok != 1) {
            return EINVAL;
        }
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons(port);
    } else {
        struct sockaddr_in *sin = (struct sockaddr_in *) ss;
        if (inet_pton(AF_INET, s, &sin->sin_addr) != 1) {
            return EINVAL;
        }
        sin->sin_family = AF_INET;
        sin->sin_port = htons(port);
    }
    return 0;
}

static int
parse_port(const char *s, unsigned int min, uint16_t *port)
{
    unsigned int x;
    if (!*s || str_to_uint(s, 10, 65535, &x) || x < min
        || s[0] < '0' || s[0] > '9') {
        return EINVAL;
    }
    *port = (uint16_t) x;
    return 0;
}

int
inet_parse_active(const char *target, struct sockaddr_storage *ss)
{
    const char *colon = strrchr(target, ':');
    if (!colon || colon == target) {
        return EINVAL;
    }
    uint16_t port;
    if (parse_port(colon + 1, 1, &port)) {
        return EINVAL;
    }
    char *host = xstrndup(target, (size_t) (colon - target));
    int error = parse_address(host, port, ss);
    free(host);
    return error;
}

int
inet_parse_passive(const char *target, struct sockaddr_storage *ss)
{
    const char *colon = strchr(target, ':');
    char *port_s = colon ? xstrndup(target, (size_t) (colon - target))
                         : xstrdup(target);
    uint16_t port;
    int error = parse_port(port_s, 0, &port);
    free(port_s);
    if (!error) {
        error = parse_address(colon ? colon + 1 : "0.0.0.0", port, ss);
    }
    return error;
}

socklen_t
ss_length(const struct sockaddr_storage *ss)
{
    switch (ss->ss_family) {
    case AF_INET:
        return sizeof(struct sockaddr_in);
    case AF_INET6:
        return sizeof(struct sockaddr_in6);
    default:
        return sizeof *ss;
    }
}

uint16_t
ss_get_port(const struct sockaddr_storage *ss)
{
    switch (ss->ss_family) {
    case AF_INET:
        return ntohs(((const struct sockaddr_in *) ss)->sin_port);
    case AF_INET6:
        return ntohs(((const struct sockaddr_in6 *) ss)->sin6_port);
    default:
        return 0;
    }
}

static int
new_socket(int domain, int style, int *fdp)
{
    int fd = socket(domain, style | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return errno;
    }
    *fdp = fd;
    return 0;
}

int
inet_open_active(int style, const struct sockaddr_storage *ss, int *fdp)
{
    int fd = -1;
    int error = new_socket(ss->ss_family, style, &fd);
    if (error) {
        return error;
    }
    if (style == SOCK_STREAM) {
        int on = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    }
    if (connect(fd, (const struct sockaddr *) ss, ss_length(ss)) < 0) {
        error = errno == EINPROGRESS ? EAGAIN : errno;
        if (error != EAGAIN) {
            close(fd);
            return error;
        }
    }
    *fdp = fd;
    return error;
}

int
inet_open_passive(int style, const struct sockaddr_storage *ss, int *fdp,
                  uint16_t *portp)
{
    int fd = -1;
    int error = new_socket(ss->ss_family, style, &fd);
    if (error) {
        return error;
    }

    int on = 1;
    struct sockaddr_storage bound;
    socklen_t len = sizeof bound;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) < 0
        || bind(fd, (const struct sockaddr *) ss, ss_length(ss)) < 0
        || (style == SOCK_STREAM && listen(fd, 64) < 0)
        || getsockname(fd, (struct sockaddr *) &bound, &len) < 0) {
        error = errno;
        close(fd);
        return error;
    }
    *fdp = fd;
    *portp = ss_get_port(&bound);
    return 0;
}

static int
make_unix_addr(const char *path, struct sockaddr_un *sun)
{
    memset(sun, 0, sizeof *sun);
    sun->sun_family = AF_UNIX;
    if (strlen(path) >= sizeof sun->sun_path) {
        return ENAMETOOLONG;
    }
    strcpy(sun->sun_path, path);
    return 0;
}

int
unix_open_active(const char *path, int *fdp)
{
    struct sockaddr_un sun;
    int error = make_unix_addr(path, &sun);
    int fd = -1;
    if (error || (error = new_socket(AF_UNIX, SOCK_STREAM, &fd))) {
        return error;
    }
    /* A unix connect() completes or fails at once (EAGAIN: backlog full,
     * which we report as a failure to be retried by the caller). */
    if (connect(fd, (struct sockaddr *) &sun, sizeof sun) < 0) {
        error = errno;
        close(fd);
        return error;
    }
    *fdp = fd;
    return 0;
}

int
unix_open_passive(const char *path, int *fdp)
{
    struct sockaddr_un sun;
    int error = make_unix_addr(path, &sun);
    if (error) {
        return error;
    }

    /* A socket file nobody listens on is left over from a crash. */
    int probe;
    if (!unix_open_active(path, &probe)) {
        close(probe);
        return EADDRINUSE;
    }
    struct stat st;
    if (!lstat(path, &st) && S_ISSOCK(st.st_mode)) {
        unlink(path);
    }

    int fd = -1;
    error = new_socket(AF_UNIX, SOCK_STREAM, &fd);
    if (error) {
        return error;
    }
    if (bind(fd, (struct sockaddr *) &sun, sizeof sun) < 0) {
        error = errno;
        goto out_close;
    }
    if (chmod(path, 0660) < 0 || listen(fd, 64) < 0) {
        error = errno;
        goto out_unlink;
    }
    *fdp = fd;
    return 0;

out_unlink:
    unlink(path);
out_close:
    close(fd);
    return error;
}

int
check_connection_completion(int fd)
{
    struct pollfd pfd = { .fd = fd, .events = POLLOUT };
    int n;
    do {
        n = poll(&pfd, 1, 0);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        return errno;
    }
    if (n == 0) {
        return EAGAIN;
    }
    int error = 0;
    socklen_t len = sizeof error;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) < 0) {
        return errno;
    }
    return error;
}
