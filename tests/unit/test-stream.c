/* Tests for lib/stream*.c and lib/socket-util.c over real sockets: unix,
 * tcp and TLS (with certificates made by the openssl command). */
#include "unit.h"

#include <errno.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "poll-loop.h"
#include "socket-util.h"
#include "stream-ssl.h"
#include "stream.h"
#include "timeval.h"

static char *tmpdir;

static int
setup_dir(void **state)
{
    tmpdir = unit_mkdtemp();
    setenv("SKIFF_RUNDIR", tmpdir, 1);
    return 0;
}

static int
teardown_dir(void **state)
{
    unit_rmdir_r(tmpdir);
    free(tmpdir);
    return 0;
}

/* Accepts one connection on PSTREAM, waiting up to 5 s. */
static struct stream *
accept_one(struct pstream *pstream)
{
    long long int deadline = time_msec() + 5000;
    struct stream *stream;
    int error;
    while ((error = pstream_accept(pstream, &stream)) == EAGAIN) {
        assert_true(time_msec() < deadline);
        pstream_wait(pstream);
        poll_timer_wait_until(deadline);
        poll_block();
    }
    assert_int_equal(error, 0);
    return stream;
}

/* Drives both ends' connect until both are done and returns their
 * results.  A side that fails is closed at once (so that the other sees
 * the connection end) and its pointer set to NULL. */
static void
connect_both(struct stream **a, struct stream **b, int *ea, int *eb)
{
    long long int deadline = time_msec() + 10000;
    *ea = *eb = EAGAIN;
    while (*ea == EAGAIN || *eb == EAGAIN) {
        assert_true(time_msec() < deadline);
        if (*a && *ea == EAGAIN) {
            *ea = stream_connect(*a);
        }
        if (*b && *eb == EAGAIN) {
            *eb = stream_connect(*b);
        }
        if (*ea != EAGAIN && *ea && *a) {
            stream_close(*a);
            *a = NULL;
        }
        if (*eb != EAGAIN && *eb && *b) {
            stream_close(*b);
            *b = NULL;
        }
        if (*a && *ea == EAGAIN) {
            stream_connect_wait(*a);
        }
        if (*b && *eb == EAGAIN) {
            stream_connect_wait(*b);
        }
        poll_timer_wait(100);
        poll_block();
    }
}

/* Sends N bytes of a pattern from A to B and checks they arrive intact,
 * with both sides non-blocking (so sends are partial). */
static void
transfer(struct stream *a, struct stream *b, size_t n)
{
    char *out = xmalloc(n), *in = xmalloc(n);
    size_t sent = 0, received = 0;
    long long int deadline = time_msec() + 20000;

    for (size_t i = 0; i < n; i++) {
        out[i] = (char) (i * 7 + i / 251);
    }
    while (received < n) {
        assert_true(time_msec() < deadline);
        if (sent < n) {
            ssize_t r = stream_send(a, out + sent, n - sent);
            assert_true(r >= 0 || r == -EAGAIN);
            sent += r > 0 ? (size_t) r : 0;
        }
        ssize_t r = stream_recv(b, in + received, n - received);
        assert_true(r > 0 || r == -EAGAIN);
        received += r > 0 ? (size_t) r : 0;
        stream_run(a);
        stream_run(b);
        if (sent < n) {
            stream_send_wait(a);
        }
        stream_recv_wait(b);
        stream_run_wait(a);
        stream_run_wait(b);
        poll_timer_wait(100);
        poll_block();
    }
    assert_memory_equal(in, out, n);
    free(out);
    free(in);
}

/* Reads from S until end of stream (0) or an error, which it returns. */
static ssize_t
recv_until_closed(struct stream *s)
{
    long long int deadline = time_msec() + 5000;
    char buf[64];
    ssize_t r;
    while ((r = stream_recv(s, buf, sizeof buf)) == -EAGAIN
           || r > 0) {
        assert_true(time_msec() < deadline);
        stream_recv_wait(s);
        poll_timer_wait(100);
        poll_block();
    }
    return r;
}

static void
test_names(void **state)
{
    assert_true(stream_verify_name("unix:/x"));
    assert_true(stream_verify_name("tcp:1.2.3.4:5"));
    assert_true(stream_verify_name("ssl:1.2.3.4:5"));
    assert_false(stream_verify_name("punix:/x"));
    assert_false(stream_verify_name("unix"));
    assert_false(stream_verify_name("udp:1.2.3.4:5"));
    assert_true(pstream_verify_name("punix:/x"));
    assert_true(pstream_verify_name("ptcp:0"));
    assert_true(pstream_verify_name("pssl:0"));
    assert_false(pstream_verify_name("tcp:1.2.3.4:5"));

    struct stream *s = (struct stream *) 1;
    struct pstream *ps = (struct pstream *) 1;
    assert_int_equal(stream_open("udp:1.2.3.4:5", &s), EAFNOSUPPORT);
    assert_null(s);
    assert_int_equal(pstream_open("pudp:5", &ps), EAFNOSUPPORT);
    assert_null(ps);
    assert_int_equal(stream_open("unix:", &s), EINVAL);
    assert_int_equal(pstream_open("punix:", &ps), EINVAL);
}

static void
test_inet_parse(void **state)
{
    struct sockaddr_storage ss;
    assert_int_equal(inet_parse_active("127.0.0.1:80", &ss), 0);
    assert_int_equal(ss.ss_family, AF_INET);
    assert_int_equal(ss_get_port(&ss), 80);
    assert_int_equal(inet_parse_active("[::1]:6640", &ss), 0);
    assert_int_equal(ss.ss_family, AF_INET6);
    assert_int_equal(ss_get_port(&ss), 6640);

    const char *bad_active[] = {
        "127.0.0.1", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536",
        "127.0.0.1:x", "localhost:80", ":80", "[::1:80", "::1:80",
        "1.2.3:80", "127.0.0.1:-1", "127.0.0.1:+5",
    };
    for (size_t i = 0; i < ARRAY_SIZE(bad_active); i++) {
        assert_int_equal(inet_parse_active(bad_active[i], &ss), EINVAL);
    }

    assert_int_equal(inet_parse_passive("0", &ss), 0);
    assert_int_equal(ss_get_port(&ss), 0);
    assert_int_equal(inet_parse_passive("6640:127.0.0.1", &ss), 0);
    assert_int_equal(ss_get_port(&ss), 6640);
    assert_int_equal(inet_parse_passive("6640:[::1]", &ss), 0);
    assert_int_equal(ss.ss_family, AF_INET6);
    const char *bad_passive[] = { "", "x", "65536", "1:host", "1:[::1" };
    for (size_t i = 0; i < ARRAY_SIZE(bad_passive); i++) {
        assert_int_equal(inet_parse_passive(bad_passive[i], &ss), EINVAL);
    }
}

static void
test_unix_round_trip(void **state)
{
    struct pstream *ps;
    assert_int_equal(pstream_open("punix:rt.sock", &ps), 0);
    char *path = xasprintf("%s/rt.sock", tmpdir);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0660);

    struct stream *client;
    assert_int_equal(stream_open_block("unix:rt.sock", 5000, &client), 0);
    assert_string_equal(stream_get_name(client), "unix:rt.sock");
    struct stream *server = accept_one(ps);
    assert_null(stream_get_peer_id(server));

    transfer(client, server, 1 << 20);
    transfer(server, client, 12345);

    stream_close(client);
    assert_int_equal(recv_until_closed(server), 0);
    stream_close(server);
    pstream_close(ps);
    /* Closing the listener removes its socket file. */
    assert_int_equal(stat(path, &st), -1);
    assert_int_equal(errno, ENOENT);
    free(path);
}

static void
test_unix_errors(void **state)
{
    struct stream *s;
    struct pstream *ps, *ps2;

    assert_int_equal(stream_open("unix:nobody.sock", &s), ENOENT);

    /* A live listener keeps its path; a stale socket file is replaced. */
    assert_int_equal(pstream_open("punix:busy.sock", &ps), 0);
    assert_int_equal(pstream_open("punix:busy.sock", &ps2), EADDRINUSE);
    pstream_close(ps);

    char *path = xasprintf("%s/stale.sock", tmpdir);
    assert_int_equal(pstream_open("punix:stale.sock", &ps), 0);
    int fd;
    assert_int_equal(unix_open_active(path, &fd), 0);
    close(fd);
    /* Simulate a crash: a socket file with no listener behind it. */
    char *moved = xasprintf("%s/moved.sock", tmpdir);
    assert_int_equal(rename(path, moved), 0);
    pstream_close(ps);
    assert_int_equal(rename(moved, path), 0);
    assert_int_equal(stream_open("unix:stale.sock", &s), ECONNREFUSED);
    assert_int_equal(pstream_open("punix:stale.sock", &ps), 0);
    assert_int_equal(stream_open_block("unix:stale.sock", 5000, &s), 0);
    stream_close(s);
    pstream_close(ps);

    /* A path too long for sockaddr_un. */
    char longname[200];
    memset(longname, 'x', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    char *name = xasprintf("punix:%s", longname);
    assert_int_equal(pstream_open(name, &ps), ENAMETOOLONG);
    free(name);
    free(path);
    free(moved);
}

static void
test_tcp(void **state)
{
    struct pstream *ps;
    assert_int_equal(pstream_open("ptcp:0:127.0.0.1", &ps), 0);
    uint16_t port = pstream_get_port(ps);
    assert_true(port > 0);
    char *want = xasprintf("ptcp:%u:127.0.0.1", port);
    assert_string_equal(pstream_get_name(ps), want);

    char *target = xasprintf("tcp:127.0.0.1:%u", port);
    struct stream *client;
    assert_int_equal(stream_open_block(target, 5000, &client), 0);
    struct stream *server = accept_one(ps);
    assert_true(str_starts_with(stream_get_name(server), "tcp:127.0.0.1:"));
    transfer(client, server, 300000);
    transfer(server, client, 1);

    stream_close(server);
    assert_int_equal(recv_until_closed(client), 0);
    stream_close(client);
    pstream_close(ps);

    /* Nobody listens there any more. */
    assert_int_equal(stream_open_block(target, 5000, &client),
                     ECONNREFUSED);
    assert_null(client);
    assert_int_equal(stream_open("tcp:127.0.0.1", &client), EINVAL);
    assert_int_equal(pstream_open("ptcp:99999", &ps), EINVAL);
    free(want);
    free(target);
}

static void
test_tcp_send_after_peer_closed(void **state)
{
    struct pstream *ps;
    assert_int_equal(pstream_open("ptcp:0:127.0.0.1", &ps), 0);
    char *target = xasprintf("tcp:127.0.0.1:%u", pstream_get_port(ps));
    struct stream *client;
    assert_int_equal(stream_open_block(target, 5000, &client), 0);
    stream_close(accept_one(ps));

    /* Writing to a closed peer fails with an error, not a signal. */
    char buf[4096] = { 0 };
    ssize_t r = 0;
    long long int deadline = time_msec() + 5000;
    while (r >= 0 || r == -EAGAIN) {
        assert_true(time_msec() < deadline);
        r = stream_send(client, buf, sizeof buf);
        if (r == -EAGAIN) {
            time_sleep_msec(10);
        }
    }
    assert_true(r == -EPIPE || r == -ECONNRESET);
    stream_close(client);
    pstream_close(ps);
    free(target);
}

/* TLS. */

static char *pki;

static void
run(const char *cmd)
{
    char *full = xasprintf("cd '%s' && { %s; } >/dev/null 2>&1", pki, cmd);
    int rc = system(full);
    free(full);
    if (rc) {
        fail_msg("command failed: %s", cmd);
    }
}

static void
make_ca(const char *name)
{
    char *cmd = xasprintf("openssl req -x509 -newkey rsa:2048 -nodes "
                          "-days 2 -subj /CN=%s -keyout %s-key.pem "
                          "-out %s-cert.pem", name, name, name);
    run(cmd);
    free(cmd);
}

static void
make_cert(const char *name, const char *ca)
{
    char *cmd = xasprintf("openssl req -newkey rsa:2048 -nodes "
                          "-subj /CN=%s -keyout %s-key.pem -out %s-req.pem "
                          "&& openssl x509 -req -in %s-req.pem -days 2 "
                          "-CA %s-cert.pem -CAkey %s-key.pem "
                          "-CAcreateserial -out %s-cert.pem",
                          name, name, name, name, ca, ca, name);
    run(cmd);
    free(cmd);
}

static char *
pki_file(const char *name, const char *kind)
{
    return xasprintf("%s/%s-%s.pem", pki, name, kind);
}

static int
configure_as(const char *name, const char *ca)
{
    char *key = pki_file(name, "key");
    char *cert = pki_file(name, "cert");
    char *ca_cert = pki_file(ca, "cert");
    int error = stream_ssl_configure(key, cert, ca_cert);
    free(key);
    free(cert);
    free(ca_cert);
    return error;
}

static int
setup_pki(void **state)
{
    setup_dir(state);
    pki = xasprintf("%s/pki", tmpdir);
    char *cmd = xasprintf("mkdir -p '%s'", pki);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    make_ca("ca");
    make_cert("alice", "ca");
    make_cert("bob", "ca");
    make_ca("rogue");
    make_cert("mallory", "rogue");
    return 0;
}

static int
teardown_pki(void **state)
{
    free(pki);
    return teardown_dir(state);
}

static void
test_ssl_unconfigured(void **state)
{
    /* Runs before any stream_ssl_configure() in this process. */
    struct stream *s;
    struct pstream *ps;
    assert_false(stream_ssl_is_configured());
    assert_int_equal(stream_open("ssl:127.0.0.1:1", &s), ENOPROTOOPT);
    assert_int_equal(pstream_open("pssl:0:127.0.0.1", &ps), ENOPROTOOPT);
}

static void
test_ssl_configure_errors(void **state)
{
    char *key = pki_file("alice", "key");
    char *cert = pki_file("alice", "cert");
    char *ca = pki_file("ca", "cert");
    char *other_key = pki_file("bob", "key");
    char *missing = pki_file("nobody", "key");

    assert_int_equal(stream_ssl_configure(missing, cert, ca), ENOENT);
    assert_int_equal(stream_ssl_configure(key, missing, ca), ENOENT);
    assert_int_equal(stream_ssl_configure(key, cert, missing), ENOENT);
    assert_int_equal(stream_ssl_configure("", cert, ca), EINVAL);
    assert_int_equal(stream_ssl_configure(other_key, cert, ca), EPROTO);
    /* A certificate where a key belongs, and the other way round. */
    assert_int_equal(stream_ssl_configure(cert, cert, ca), EPROTO);
    assert_int_equal(stream_ssl_configure(key, key, ca), EPROTO);
    assert_false(stream_ssl_is_configured());

    assert_int_equal(stream_ssl_configure(key, cert, ca), 0);
    assert_true(stream_ssl_is_configured());
    /* A failed reconfiguration keeps the working settings. */
    assert_int_equal(stream_ssl_configure(other_key, cert, ca), EPROTO);
    assert_true(stream_ssl_is_configured());

    struct stream_ssl_options none = { NULL, NULL, NULL };
    assert_int_equal(stream_ssl_options_apply(&none), 0);
    struct stream_ssl_options half = { key, NULL, ca };
    assert_int_equal(stream_ssl_options_apply(&half), EINVAL);
    struct stream_ssl_options bad = { missing, cert, ca };
    assert_int_equal(stream_ssl_options_apply(&bad), ENOENT);

    free(key);
    free(cert);
    free(ca);
    free(other_key);
    free(missing);
}

/* Opens a TLS listener as SERVER and a client as CLIENT (each trusting
 * its CA), runs both handshakes, and returns both results. */
static void
ssl_pair(const char *server_name, const char *server_ca,
         const char *client_name, const char *client_ca,
         struct stream **serverp, struct stream **clientp,
         int *server_error, int *client_error)
{
    struct pstream *ps;
    assert_int_equal(configure_as(server_name, server_ca), 0);
    assert_int_equal(pstream_open("pssl:0:127.0.0.1", &ps), 0);
    assert_true(str_starts_with(pstream_get_name(ps), "pssl:"));

    /* The listener's streams keep the context they were made with, so the
     * client can switch to its own credentials now. */
    assert_int_equal(configure_as(client_name, client_ca), 0);
    char *target = xasprintf("ssl:127.0.0.1:%u", pstream_get_port(ps));
    assert_int_equal(stream_open(target, clientp), 0);
    assert_int_equal(configure_as(server_name, server_ca), 0);
    *serverp = accept_one(ps);
    connect_both(serverp, clientp, server_error, client_error);
    pstream_close(ps);
    free(target);
}

static void
test_ssl_round_trip(void **state)
{
    struct stream *server, *client;
    int se, ce;
    ssl_pair("alice", "ca", "bob", "ca", &server, &client, &se, &ce);
    assert_int_equal(se, 0);
    assert_int_equal(ce, 0);
    assert_non_null(stream_get_peer_id(server));
    assert_non_null(strstr(stream_get_peer_id(server), "CN=bob"));
    assert_non_null(strstr(stream_get_peer_id(client), "CN=alice"));

    transfer(client, server, 1 << 20);
    transfer(server, client, 4321);

    stream_close(client);
    assert_int_equal(recv_until_closed(server), 0);
    stream_close(server);
}

/* Reads from S (which completed its handshake) until the peer's refusal
 * shows: the stream ends or fails. */
static void
expect_refused(struct stream *s)
{
    if (s) {
        assert_true(recv_until_closed(s) <= 0);
        stream_close(s);
    }
}

static void
test_ssl_untrusted_client(void **state)
{
    struct stream *server, *client;
    int se, ce;
    ssl_pair("alice", "ca", "mallory", "ca", &server, &client, &se, &ce);
    /* The server rejects mallory's certificate.  A TLS 1.3 client may
     * finish before the server's verdict arrives; its connection then
     * ends on first use. */
    assert_int_equal(se, EPROTO);
    assert_null(server);
    expect_refused(client);
}

static void
test_ssl_untrusted_server(void **state)
{
    struct stream *server, *client;
    int se, ce;
    ssl_pair("mallory", "ca", "bob", "ca", &server, &client, &se, &ce);
    /* Bob does not trust the rogue CA that signed the server's cert. */
    assert_int_equal(ce, EPROTO);
    assert_null(client);
    expect_refused(server);
}

static void
test_ssl_open_block(void **state)
{
    /* A listener that never accepts: TCP connects (the kernel queues it)
     * but the handshake cannot finish, so the wait must time out. */
    struct pstream *ps;
    assert_int_equal(configure_as("alice", "ca"), 0);
    assert_int_equal(pstream_open("pssl:0:127.0.0.1", &ps), 0);
    char *target = xasprintf("ssl:127.0.0.1:%u", pstream_get_port(ps));
    struct stream *s;
    long long int start = time_msec();
    assert_int_equal(stream_open_block(target, 300, &s), ETIMEDOUT);
    assert_null(s);
    assert_true(time_msec() - start >= 300);
    pstream_close(ps);
    free(target);
}

static void
test_ssl_plain_peer(void **state)
{
    struct pstream *ps;
    assert_int_equal(configure_as("alice", "ca"), 0);
    assert_int_equal(pstream_open("pssl:0:127.0.0.1", &ps), 0);
    char *target = xasprintf("tcp:127.0.0.1:%u", pstream_get_port(ps));
    struct stream *plain;
    assert_int_equal(stream_open_block(target, 5000, &plain), 0);
    const char junk[] = "GET / HTTP/1.0\r\n\r\n";
    assert_int_equal(stream_send(plain, junk, sizeof junk - 1),
                     sizeof junk - 1);

    struct stream *server = accept_one(ps);
    long long int deadline = time_msec() + 5000;
    int error;
    while ((error = stream_connect(server)) == EAGAIN) {
        assert_true(time_msec() < deadline);
        stream_connect_wait(server);
        poll_timer_wait(100);
        poll_block();
    }
    assert_int_equal(error, EPROTO);
    /* The failure sticks. */
    assert_int_equal(stream_connect(server), EPROTO);
    char buf[8];
    assert_int_equal(stream_recv(server, buf, sizeof buf), -EPROTO);
    stream_close(server);
    stream_close(plain);
    pstream_close(ps);
    free(target);
}

int
main(void)
{
    const struct CMUnitTest plain_tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_inet_parse),
        cmocka_unit_test(test_unix_round_trip),
        cmocka_unit_test(test_unix_errors),
        cmocka_unit_test(test_tcp),
        cmocka_unit_test(test_tcp_send_after_peer_closed),
    };
    const struct CMUnitTest ssl_tests[] = {
        cmocka_unit_test(test_ssl_unconfigured),
        cmocka_unit_test(test_ssl_configure_errors),
        cmocka_unit_test(test_ssl_round_trip),
        cmocka_unit_test(test_ssl_untrusted_client),
        cmocka_unit_test(test_ssl_untrusted_server),
        cmocka_unit_test(test_ssl_open_block),
        cmocka_unit_test(test_ssl_plain_peer),
    };
    set_program_name("test-stream");
    int failures = cmocka_run_group_tests_name("stream", plain_tests,
                                               setup_dir, teardown_dir);
    failures += cmocka_run_group_tests_name("stream-ssl", ssl_tests,
                                            setup_pki, teardown_pki);
    return failures;
}
