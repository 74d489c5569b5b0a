/* stream-ssl: "ssl:" and "pssl:" streams, TLS over TCP with OpenSSL. */
#include <config.h>

#include "stream-ssl.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "poll-loop.h"
#include "socket-util.h"
#include "stream-fd.h"
#include "stream-provider.h"
#include "stream-tcp.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(stream_ssl);

/* The context every new TLS stream uses; replaced as a whole by
 * stream_ssl_configure(), while streams already open keep their own
 * reference to the old one. */
static SSL_CTX *ctx;

enum ssl_state {
    SSL_TCP_CONNECTING,     /* Waiting for TCP connect() to finish. */
    SSL_HANDSHAKING,        /* TLS handshake under way. */
    SSL_OPEN                /* Ready for data. */
};

struct ssl_stream {
    struct stream up;
    int fd;
    SSL *ssl;
    bool server;
    enum ssl_state state;
    short rx_want;          /* Poll event SSL_read() last waited for. */
    short tx_want;          /* Poll event SSL_write() last waited for. */
};

static const struct stream_class ssl_stream_ops;

static struct ssl_stream *
ssl_stream_cast(const struct stream *stream)
{
    return CONTAINER_OF(stream, struct ssl_stream, up);
}

/* Appends OpenSSL's queued error strings to a message, and clears them. */
static const char *
openssl_errors(char *buf, size_t size)
{
    unsigned long e;
    size_t used = 0;
    buf[0] = '\0';
    while ((e = ERR_get_error()) != 0) {
        if (used + 3 < size) {
            if (used) {
                strcpy(buf + used, "; ");
                used += 2;
            }
            ERR_error_string_n(e, buf + used, size - used);
            used += strlen(buf + used);
        }
    }
    return buf[0] ? buf : "no detail from OpenSSL";
}

static int
check_readable(const char *what, const char *file)
{
    if (!file || !*file) {
        VLOG_ERR("TLS: no %s file given", what);
        return EINVAL;
    }
    if (access(file, R_OK) < 0) {
        int error = errno;
        VLOG_ERR("TLS: %s file %s: %s", what, file, strerror(error));
        return error;
    }
    return 0;
}

static SSL_CTX *
new_context(const char *key_file, const char *cert_file,
            const char *ca_file)
{
    char errs[512];
    SSL_CTX *c = SSL_CTX_new(TLS_method());
    if (!c) {
        VLOG_ERR("TLS: cannot create a context: %s",
                 openssl_errors(errs, sizeof errs));
        return NULL;
    }
    SSL_CTX_set_min_proto_version(c, TLS1_2_VERSION);
    SSL_CTX_set_mode(c, SSL_MODE_ENABLE_PARTIAL_WRITE
                        | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    SSL_CTX_set_options(c, SSL_OP_IGNORE_UNEXPECTED_EOF);
    SSL_CTX_set_verify(c, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
                       NULL);

    /* The key first: then a certificate that does not match it is caught
     * by SSL_CTX_check_private_key() with a clear message. */
    if (SSL_CTX_use_PrivateKey_file(c, key_file, SSL_FILETYPE_PEM) != 1) {
        VLOG_ERR("TLS: private key file %s: %s", key_file,
                 openssl_errors(errs, sizeof errs));
        goto out_free;
    }
    if (SSL_CTX_use_certificate_chain_file(c, cert_file) != 1) {
        VLOG_ERR("TLS: certificate file %s: %s", cert_file,
                 openssl_errors(errs, sizeof errs));
        goto out_free;
    }
    if (SSL_CTX_check_private_key(c) != 1) {
        VLOG_ERR("TLS: private key %s does not match certificate %s",
                 key_file, cert_file);
        ERR_clear_error();
        goto out_free;
    }
    if (SSL_CTX_load_verify_locations(c, ca_file, NULL) != 1) {
        VLOG_ERR("TLS: CA certificate file %s: %s", ca_file,
                 openssl_errors(errs, sizeof errs));
        goto out_free;
    }
    STACK_OF(X509_NAME) *cas = SSL_load_client_CA_file(ca_file);
    if (cas) {
        SSL_CTX_set_client_CA_list(c, cas);
    }
    return c;

out_free:
    SSL_CTX_free(c);
    return NULL;
}

int
stream_ssl_configure(const char *key_file, const char *cert_file,
                     const char *ca_file)
{
    int error;
    if ((error = check_readable("private key", key_file))
        || (error = check_readable("certificate", cert_file))
        || (error = check_readable("CA certificate", ca_file))) {
        return error;
    }

    SSL_CTX *c = new_context(key_file, cert_file, ca_file);
    if (!c) {
        return EPROTO;
    }
    SSL_CTX_free(ctx);
    ctx = c;

    /* A peer that goes away must not kill the process with SIGPIPE when
     * OpenSSL writes to its socket.  Leave a handler the program set. */
    struct sigaction old;
    if (!sigaction(SIGPIPE, NULL, &old) && old.sa_handler == SIG_DFL) {
        signal(SIGPIPE, SIG_IGN);
    }
    return 0;
}

bool
stream_ssl_is_configured(void)
{
    return ctx != NULL;
}

int
stream_ssl_options_apply(const struct stream_ssl_options *o)
{
    if (!o->private_key && !o->certificate && !o->ca_cert) {
        return 0;
    }
    if (!o->private_key || !o->certificate || !o->ca_cert) {
        skiff_error(0, "TLS needs all of --private-key, --certificate and "
                    "--ca-cert (missing --%s)",
                    !o->private_key ? "private-key"
                    : !o->certificate ? "certificate" : "ca-cert");
        return EINVAL;
    }
    int error = stream_ssl_configure(o->private_key, o->certificate,
                                     o->ca_cert);
    if (error) {
        skiff_error(error, "cannot set up TLS (see the log for the file "
                    "at fault)");
    }
    return error;
}

static int
require_configured(const char *name)
{
    if (!ctx) {
        VLOG_WARN("%s: TLS is not set up (give --private-key, "
                  "--certificate and --ca-cert)", name);
        return ENOPROTOOPT;
    }
    return 0;
}

/* Creates the stream and its TLS state from the context in force now, so
 * that a later stream_ssl_configure() does not change it.  Takes FD. */
static int
new_ssl_stream(const char *name, int fd, bool server, int tcp_status,
               struct stream **streamp)
{
    char errs[256];
    SSL *ssl = SSL_new(ctx);
    if (!ssl || SSL_set_fd(ssl, fd) != 1) {
        VLOG_ERR("%s: cannot start TLS: %s", name,
                 openssl_errors(errs, sizeof errs));
        SSL_free(ssl);
        close(fd);
        return EPROTO;
    }
    if (server) {
        SSL_set_accept_state(ssl);
    } else {
        SSL_set_connect_state(ssl);
    }

    struct ssl_stream *s = xzalloc(sizeof *s);
    stream_init(&s->up, &ssl_stream_ops, name, EAGAIN);
    s->fd = fd;
    s->ssl = ssl;
    s->server = server;
    s->state = tcp_status == EAGAIN ? SSL_TCP_CONNECTING : SSL_HANDSHAKING;
    s->rx_want = POLLIN;
    s->tx_want = POLLOUT;
    *streamp = &s->up;
    return 0;
}

static int
ssl_open(const char *name, char *suffix, struct stream **streamp)
{
    int error = require_configured(name);
    int fd;
    if (error) {
        return error;
    }
    error = tcp_open_socket(name, suffix, &fd);
    if (error && error != EAGAIN) {
        return error;
    }
    return new_ssl_stream(name, fd, false, error, streamp);
}

/* Turns an SSL_get_error() result into a poll event to wait for (0 if
 * the error is not a "try again"). */
static short
want_event(int ssl_error)
{
    return (ssl_error == SSL_ERROR_WANT_READ ? POLLIN
            : ssl_error == SSL_ERROR_WANT_WRITE ? POLLOUT : 0);
}

static void
record_peer(struct ssl_stream *s)
{
    X509 *peer = SSL_get1_peer_certificate(s->ssl);
    if (peer) {
        char *subject = X509_NAME_oneline(X509_get_subject_name(peer),
                                          NULL, 0);
        if (subject) {
            s->up.peer_id = xstrdup(subject);
            OPENSSL_free(subject);
        }
        X509_free(peer);
    }
}

static int
ssl_connect(struct stream *stream)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(10, 20);
    struct ssl_stream *s = ssl_stream_cast(stream);
    char errs[512];
    int error;

    if (s->state == SSL_TCP_CONNECTING) {
        error = check_connection_completion(s->fd);
        if (error) {
            return error;
        }
        s->state = SSL_HANDSHAKING;
    }

    int r = SSL_do_handshake(s->ssl);
    if (r == 1) {
        s->state = SSL_OPEN;
        record_peer(s);
        return 0;
    }
    int ssl_error = SSL_get_error(s->ssl, r);
    s->rx_want = want_event(ssl_error);
    if (s->rx_want) {
        return EAGAIN;
    }
    if (ssl_error == SSL_ERROR_SYSCALL && errno) {
        error = errno;
        VLOG_WARN_RL(&rl, "%s: TLS handshake failed: %s", stream->name,
                     strerror(error));
        ERR_clear_error();
        return error;
    }
    VLOG_WARN_RL(&rl, "%s: TLS handshake failed: %s", stream->name,
                 openssl_errors(errs, sizeof errs));
    return EPROTO;
}

/* Maps a failed SSL_read()/SSL_write() to a return value: -EAGAIN (with
 * *want set), 0 for a clean end of stream, or another -errno. */
static ssize_t
io_error(struct ssl_stream *s, int r, short *want, const char *op)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(10, 20);
    int ssl_error = SSL_get_error(s->ssl, r);
    char errs[256];

    *want = want_event(ssl_error);
    if (*want) {
        return -EAGAIN;
    }
    switch (ssl_error) {
    case SSL_ERROR_ZERO_RETURN:
        return 0;
    case SSL_ERROR_SYSCALL:
        if (errno) {
            int error = errno;
            ERR_clear_error();
            return -error;
        }
        return 0;
    default:
        VLOG_WARN_RL(&rl, "%s: TLS %s failed: %s", s->up.name, op,
                     openssl_errors(errs, sizeof errs));
        return -EPROTO;
    }
}

static ssize_t
ssl_recv(struct stream *stream, void *buffer, size_t n)
{
    struct ssl_stream *s = ssl_stream_cast(stream);
    int r = SSL_read(s->ssl, buffer, n > INT_MAX ? INT_MAX : (int) n);
    if (r > 0) {
        s->rx_want = POLLIN;
        return r;
    }
    return io_error(s, r, &s->rx_want, "read");
}

static ssize_t
ssl_send(struct stream *stream, const void *buffer, size_t n)
{
    struct ssl_stream *s = ssl_stream_cast(stream);
    int r = SSL_write(s->ssl, buffer, n > INT_MAX ? INT_MAX : (int) n);
    if (r > 0) {
        s->tx_want = POLLOUT;
        return r;
    }
    ssize_t result = io_error(s, r, &s->tx_want, "write");
    /* The peer hung up: for a writer that is an error, not EOF. */
    return result == 0 ? -EPIPE : result;
}

static void
ssl_wait(struct stream *stream, enum stream_wait_type type)
{
    struct ssl_stream *s = ssl_stream_cast(stream);

    switch (type) {
    case STREAM_CONNECT:
        poll_fd_wait(s->fd, s->state == SSL_TCP_CONNECTING
                            ? POLLOUT : s->rx_want ? s->rx_want : POLLIN);
        break;
    case STREAM_RECV:
        if (SSL_pending(s->ssl) > 0) {
            poll_immediate_wake();
        } else {
            poll_fd_wait(s->fd, s->rx_want ? s->rx_want : POLLIN);
        }
        break;
    case STREAM_SEND:
        poll_fd_wait(s->fd, s->tx_want ? s->tx_want : POLLOUT);
        break;
    }
}

static void
ssl_close(struct stream *stream)
{
    struct ssl_stream *s = ssl_stream_cast(stream);
    if (s->state == SSL_OPEN) {
        /* Best effort close_notify; never wait for the peer's. */
        SSL_shutdown(s->ssl);
    }
    SSL_free(s->ssl);
    ERR_clear_error();
    close(s->fd);
    free(s);
}

static const struct stream_class ssl_stream_ops = {
    .name = "ssl",
    .close = ssl_close,
    .connect = ssl_connect,
    .recv = ssl_recv,
    .send = ssl_send,
    .wait = ssl_wait,
};

/* The "ssl:" kind: opens connections with ssl_stream_ops. */
const struct stream_class ssl_stream_class = {
    .name = "ssl",
    .open = ssl_open,
};

struct pssl_pstream {
    struct pstream up;
    int fd;
};

static struct pssl_pstream *
pssl_cast(const struct pstream *pstream)
{
    return CONTAINER_OF(pstream, struct pssl_pstream, up);
}

static int
pssl_listen(const char *name, char *suffix, struct pstream **pstreamp)
{
    int error = require_configured(name);
    int fd;
    char *bound_name;
    uint16_t port;
    if (error) {
        return error;
    }
    error = tcp_listen_socket(name, suffix, "pssl", &fd, &bound_name,
                              &port);
    if (error) {
        return error;
    }
    struct pssl_pstream *ps = xmalloc(sizeof *ps);
    pstream_init(&ps->up, &pssl_pstream_class, bound_name);
    ps->up.port = port;
    ps->fd = fd;
    free(bound_name);
    *pstreamp = &ps->up;
    return 0;
}

static int
pssl_accept(struct pstream *pstream, struct stream **streamp)
{
    struct sockaddr_storage ss;
    int fd;
    int error = fd_accept(pssl_cast(pstream)->fd, &fd, &ss);
    if (error) {
        return error;
    }
    if (!ctx) {
        close(fd);
        return ENOPROTOOPT;
    }
    char *name = tcp_format_address("ssl", &ss);
    error = new_ssl_stream(name, fd, true, 0, streamp);
    free(name);
    return error;
}

static void
pssl_wait(struct pstream *pstream)
{
    poll_fd_wait(pssl_cast(pstream)->fd, POLLIN);
}

static void
pssl_close(struct pstream *pstream)
{
    struct pssl_pstream *ps = pssl_cast(pstream);
    close(ps->fd);
    free(ps);
}

const struct pstream_class pssl_pstream_class = {
    .name = "pssl",
    .listen = pssl_listen,
    .accept = pssl_accept,
    .wait = pssl_wait,
    .close = pssl_close,
};
