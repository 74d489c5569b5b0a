/* stream-tcp: "tcp:HOST:PORT" and "ptcp:PORT[:ADDRESS]" streams. */
#include <config.h>

#include "stream-tcp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "socket-util.h"
#include "stream-fd.h"
#include "stream-provider.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(stream_tcp);

char *
tcp_format_address(const char *prefix, const struct sockaddr_storage *ss)
{
    char addr[INET6_ADDRSTRLEN];
    if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *sin6 = (const void *) ss;
        inet_ntop(AF_INET6, &sin6->sin6_addr, addr, sizeof addr);
        return xasprintf("%s:[%s]:%u", prefix, addr, ss_get_port(ss));
    }
    const struct sockaddr_in *sin = (const void *) ss;
    inet_ntop(AF_INET, &sin->sin_addr, addr, sizeof addr);
    return xasprintf("%s:%s:%u", prefix, addr, ss_get_port(ss));
}

int
tcp_open_socket(const char *name, const char *suffix, int *fdp)
{
    struct sockaddr_storage ss;
    if (inet_parse_active(suffix, &ss)) {
        VLOG_WARN("%s: bad address (expected IP:PORT or [IPv6]:PORT)",
                  name);
        return EINVAL;
    }
    int error = inet_open_active(SOCK_STREAM, &ss, fdp);
    if (error && error != EAGAIN) {
        VLOG_DBG("%s: connect failed (%s)", name, strerror(error));
    }
    return error;
}

int
tcp_listen_socket(const char *name, const char *suffix, const char *prefix,
                  int *fdp, char **bound_namep, uint16_t *portp)
{
    struct sockaddr_storage ss;
    if (inet_parse_passive(suffix, &ss)) {
        VLOG_WARN("%s: bad address (expected PORT[:IP] or PORT:[IPv6])",
                  name);
        return EINVAL;
    }
    int error = inet_open_passive(SOCK_STREAM, &ss, fdp, portp);
    if (error) {
        VLOG_WARN("%s: cannot listen (%s)", name, strerror(error));
        return error;
    }

    /* Name the listener by the port it really got, so that "ptcp:0"
     * shows which one. */
    char addr[INET6_ADDRSTRLEN];
    if (ss.ss_family == AF_INET6) {
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *) &ss)->sin6_addr,
                  addr, sizeof addr);
        *bound_namep = xasprintf("%s:%u:[%s]", prefix, *portp, addr);
    } else {
        inet_ntop(AF_INET, &((struct sockaddr_in *) &ss)->sin_addr,
                  addr, sizeof addr);
        *bound_namep = xasprintf("%s:%u:%s", prefix, *portp, addr);
    }
    return 0;
}

static int
tcp_open(const char *name, char *suffix, struct stream **streamp)
{
    int fd;
    int error = tcp_open_socket(name, suffix, &fd);
    if (error && error != EAGAIN) {
        return error;
    }
    *streamp = new_fd_stream(name, fd, error);
    return 0;
}

const struct stream_class tcp_stream_class = {
    .name = "tcp",
    .open = tcp_open,
};

static char *
tcp_accept_name(const struct sockaddr_storage *ss)
{
    return tcp_format_address("tcp", ss);
}

static int
ptcp_listen(const char *name, char *suffix, struct pstream **pstreamp)
{
    int fd;
    char *bound_name;
    uint16_t port;
    int error = tcp_listen_socket(name, suffix, "ptcp", &fd, &bound_name,
                                  &port);
    if (!error) {
        *pstreamp = new_fd_pstream(bound_name, fd, tcp_accept_name, NULL);
        (*pstreamp)->port = port;
        free(bound_name);
    }
    return error;
}

const struct pstream_class ptcp_pstream_class = {
    .name = "ptcp",
    .listen = ptcp_listen,
};
