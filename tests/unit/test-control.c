/* Tests for lib/control.c and lib/control-client.c: a control server in a
 * thread of the test, clients over real unix and tcp sockets. */
#include "unit.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <unistd.h>

#include "control-client.h"
#include "control.h"
#include "daemon.h"
#include "dirs.h"
#include "jsonrpc.h"
#include "poll-loop.h"
#include "stream.h"
#include "timeval.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(test_control);

static char *tmpdir;

/* A control server run by its own thread. */
struct server_thread {
    struct control_server *server;
    pthread_t thread;
    atomic_bool stop;
    int wake[2];
};

static void *
server_main(void *st_)
{
    struct server_thread *st = st_;
    while (!atomic_load(&st->stop)) {
        control_server_run(st->server);
        control_server_wait(st->server);
        poll_fd_wait(st->wake[0], POLLIN);
        poll_block();
    }
    return NULL;
}

static struct server_thread *
server_start(struct control_server *server)
{
    struct server_thread *st = xzalloc(sizeof *st);
    st->server = server;
    atomic_init(&st->stop, false);
    assert_int_equal(pipe(st->wake), 0);
    assert_int_equal(pthread_create(&st->thread, NULL, server_main, st), 0);
    return st;
}

static void
server_stop(struct server_thread *st)
{
    atomic_store(&st->stop, true);
    assert_int_equal(write(st->wake[1], "", 1), 1);
    pthread_join(st->thread, NULL);
    control_server_destroy(st->server);
    close(st->wake[0]);
    close(st->wake[1]);
    free(st);
}

static struct server_thread *
start_default(void)
{
    struct control_server *server;
    assert_int_equal(control_server_create("test.ctl", &server), 0);
    return server_start(server);
}

/* Runs COMMAND with ARGS on the server at test.ctl. */
static int
run_command(const char *command, int argc, char *argv[], char **result,
            char **error)
{
    struct jsonrpc *rpc;
    char *open_error;
    int rc = control_client_open("unix:test.ctl", 5000, &rpc,
                                &open_error);
    if (rc) {
        fail_msg("cannot connect: %s", open_error);
    }
    rc = control_client_transact(rpc, command, argc, argv, 5000, result,
                                 error);
    jsonrpc_close(rpc);
    return rc;
}

/* Expects COMMAND to fail with an error containing WANT. */
static void
expect_error(const char *command, int argc, char *argv[], const char *want)
{
    char *result, *error;
    assert_int_equal(run_command(command, argc, argv, &result, &error), 0);
    assert_null(result);
    assert_non_null(error);
    if (!strstr(error, want)) {
        fail_msg("error \"%s\" lacks \"%s\"", error, want);
    }
    free(error);
}

/* Expects COMMAND to succeed with exactly WANT. */
static void
expect_result(const char *command, int argc, char *argv[], const char *want)
{
    char *result, *error;
    assert_int_equal(run_command(command, argc, argv, &result, &error), 0);
    if (error) {
        fail_msg("%s failed: %s", command, error);
    }
    assert_string_equal(result, want);
    free(result);
}

static void
cmd_join(struct control_conn *conn, int argc, const char *argv[], void *aux)
{
    char *s = xstrdup("");
    for (int i = 1; i < argc; i++) {
        char *t = xasprintf("%s%s%s", s, i > 1 ? "," : "", argv[i]);
        free(s);
        s = t;
    }
    assert_string_equal(aux, "join-aux");
    control_command_reply(conn, s);
    free(s);
}

static void
cmd_fail(struct control_conn *conn, int argc, const char *argv[], void *aux)
{
    control_command_reply_error(conn, "it went wrong");
}

static void
cmd_silent(struct control_conn *conn, int argc, const char *argv[],
           void *aux)
{
    /* A buggy command that forgets to answer. */
}

static void
cmd_twice(struct control_conn *conn, int argc, const char *argv[], void *aux)
{
    control_command_reply(conn, "first");
    control_command_reply(conn, "second");
}

static int
setup(void **state)
{
    tmpdir = unit_mkdtemp();
    skiff_set_rundir(tmpdir);
    control_command_register("t/join", "[A [B [C]]]", 0, 3, cmd_join,
                             "join-aux");
    control_command_register("t/two", "A B", 2, 2, cmd_join, "join-aux");
    control_command_register("t/fail", "", 0, 0, cmd_fail, NULL);
    control_command_register("t/silent", "", 0, 0, cmd_silent, NULL);
    control_command_register("t/twice", "", 0, 0, cmd_twice, NULL);
    return 0;
}

static int
teardown(void **state)
{
    unit_rmdir_r(tmpdir);
    free(tmpdir);
    return 0;
}

static void
test_builtins(void **state)
{
    struct server_thread *st = start_default();
    char *result, *error;

    assert_int_equal(run_command("list-commands", 0, NULL, &result, &error),
                     0);
    assert_null(error);
    const char *names[] = {
        "list-commands", "version", "vlog/list", "vlog/set", "vlog/reopen",
        "exit", "t/join", "t/two", "t/fail",
    };
    for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
        char *line = xasprintf("\n  %s ", names[i]);
        if (!strstr(result, line)) {
            fail_msg("list-commands lacks %s:\n%s", names[i], result);
        }
        free(line);
    }
    assert_non_null(strstr(result, "t/join                   [A [B [C]]]"));
    /* Sorted by name. */
    assert_true(strstr(result, "  exit") < strstr(result, "  version"));
    free(result);

    char *want = xasprintf("test-control (Skiff) %s", SKIFF_PACKAGE_VERSION);
    expect_result("version", 0, NULL, want);
    free(want);

    assert_int_equal(run_command("vlog/list", 0, NULL, &result, &error), 0);
    assert_non_null(strstr(result, "console"));
    assert_non_null(strstr(result, "\ntest_control "));
    free(result);
    server_stop(st);
}

static void
test_arguments(void **state)
{
    struct server_thread *st = start_default();
    char *abc[] = { "a", "b", "c", "d" };

    expect_result("t/join", 0, NULL, "");
    expect_result("t/join", 3, abc, "a,b,c");
    expect_error("t/join", 4, abc, "\"t/join\" takes at most 3 arguments");
    expect_error("t/two", 1, abc, "\"t/two\" needs at least 2 arguments");
    expect_result("t/two", 2, abc, "a,b");
    expect_error("version", 1, abc, "takes at most 0 arguments");
    expect_error("no/such", 0, NULL, "\"no/such\" is not a valid command");
    expect_error("t/fail", 0, NULL, "it went wrong");
    expect_error("t/silent", 0, NULL, "\"t/silent\" did not answer");

    /* A second answer is dropped; the connection carries on. */
    expect_result("t/twice", 0, NULL, "first");
    expect_result("t/join", 1, abc, "a");
    server_stop(st);
}

/* Sends REQUEST over a raw JSON-RPC connection and returns the answer. */
static struct jsonrpc_msg *
raw_transact(struct jsonrpc *rpc, const char *method,
             struct json_object *params)
{
    struct jsonrpc_msg *reply;
    assert_int_equal(jsonrpc_transact_block(rpc,
                                            jsonrpc_create_request(method,
                                                                   params),
                                            &reply, 5000), 0);
    return reply;
}

static void
test_bad_requests(void **state)
{
    struct server_thread *st = start_default();
    struct stream *stream;
    assert_int_equal(stream_open_block("unix:test.ctl", 5000, &stream), 0);
    struct jsonrpc *rpc = jsonrpc_open(stream);

    struct json_object *params = json_object_new_array();
    json_object_array_add(params, json_object_new_string("ok"));
    json_object_array_add(params, json_object_new_int(5));
    struct jsonrpc_msg *reply = raw_transact(rpc, "t/join", params);
    assert_int_equal(reply->type, JSONRPC_ERROR);
    assert_string_equal(json_object_get_string(reply->error),
                        "argument 2 of \"t/join\" is not a string");
    jsonrpc_msg_destroy(reply);

    /* A notification gets no answer and does not disturb the next
     * request. */
    assert_int_equal(jsonrpc_send_block(rpc,
                                        jsonrpc_create_notify("t/join",
                                                              NULL),
                                        5000), 0);
    reply = raw_transact(rpc, "t/join", NULL);
    assert_int_equal(reply->type, JSONRPC_REPLY);
    assert_string_equal(json_object_get_string(reply->result), "");
    jsonrpc_msg_destroy(reply);

    jsonrpc_close(rpc);
    server_stop(st);
}

static void
test_vlog_commands(void **state)
{
    struct server_thread *st = start_default();
    struct vlog_module *m = vlog_module_from_name("test_control");
    assert_non_null(m);

    char *set_dbg[] = { "test_control:file:dbg" };
    expect_result("vlog/set", 1, set_dbg, "");
    assert_int_equal(m->levels[VLF_FILE], VLL_DBG);

    /* All or nothing: the good first spec is not applied either. */
    char *mixed[] = { "test_control:file:warn", "test_control:file:loud" };
    expect_error("vlog/set", 2, mixed, "\"loud\"");
    assert_int_equal(m->levels[VLF_FILE], VLL_DBG);
    expect_error("vlog/set", 0, NULL, "needs at least 1 argument");

    expect_error("vlog/reopen", 0, NULL, "no log file is set");
    char *log = xasprintf("%s/test.log", tmpdir);
    assert_int_equal(vlog_set_log_file(log), 0);
    expect_result("vlog/reopen", 0, NULL, "");
    vlog_close_log_file();
    free(log);
    server_stop(st);
}

static void
test_default_path(void **state)
{
    struct control_server *server;
    assert_int_equal(control_server_create(NULL, &server), 0);
    char *want = xasprintf("%s/test-control.%ld.ctl", tmpdir,
                           (long) getpid());
    assert_string_equal(control_server_get_path(server), want);
    struct stat st;
    assert_int_equal(stat(want, &st), 0);
    assert_true(S_ISSOCK(st.st_mode));
    assert_int_equal(st.st_mode & 0777, 0660);
    char *listener = xasprintf("punix:%s", want);
    assert_string_equal(control_server_get_listener(server, 0), listener);
    assert_null(control_server_get_listener(server, 1));
    assert_null(control_server_get_listener(server, -1));

    /* The client finds the socket from the daemon's pidfile. */
    char *pidfile = xasprintf("%s/test-control.pid", tmpdir);
    daemon_set_pidfile(pidfile);
    daemonize_start();
    struct server_thread *th = server_start(server);
    struct jsonrpc *rpc;
    char *error, *result;
    assert_int_equal(control_client_open("test-control", 5000, &rpc,
                                         &error), 0);
    assert_int_equal(control_client_transact(rpc, "t/join", 0, NULL, 5000,
                                             &result, &error), 0);
    assert_string_equal(result, "");
    free(result);
    jsonrpc_close(rpc);
    server_stop(th);

    /* Destroying the server removes its socket. */
    assert_int_equal(stat(want, &st), -1);
    assert_int_equal(errno, ENOENT);
    free(want);
    free(listener);
    free(pidfile);
}

static void
test_remote_only(void **state)
{
    struct control_server *server;
    assert_int_equal(control_server_create("none", &server), 0);
    assert_null(control_server_get_path(server));
    assert_int_equal(control_server_add_remote(server, "bogus:1"),
                     EAFNOSUPPORT);
    assert_int_equal(control_server_add_remote(server, "ptcp:99999"),
                     EINVAL);
    assert_int_equal(control_server_add_remote(server, "ptcp:0:127.0.0.1"),
                     0);
    const char *name = control_server_get_listener(server, 0);
    assert_non_null(name);
    unsigned int port;
    assert_int_equal(sscanf(name, "ptcp:%u:127.0.0.1", &port), 1);

    struct server_thread *st = server_start(server);
    char *target = xasprintf("tcp:127.0.0.1:%u", port);
    struct jsonrpc *rpc;
    char *error, *result;
    char *args[] = { "x", "y" };
    assert_int_equal(control_client_open(target, 5000, &rpc, &error), 0);
    assert_int_equal(control_client_transact(rpc, "t/two", 2, args, 5000,
                                             &result, &error), 0);
    assert_string_equal(result, "x,y");
    free(result);
    jsonrpc_close(rpc);
    server_stop(st);
    free(target);
}

static void
test_create_errors(void **state)
{
    struct control_server *server = (struct control_server *) 1;
    char *file = xasprintf("%s/plain-file", tmpdir);
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    fclose(f);

    char *below = xasprintf("%s/run", file);
    skiff_set_rundir(below);
    assert_int_equal(control_server_create(NULL, &server), ENOTDIR);
    assert_null(server);
    skiff_set_rundir(tmpdir);

    char *long_name = xmalloc(200);
    memset(long_name, 'n', 199);
    long_name[199] = '\0';
    assert_int_equal(control_server_create(long_name, &server),
                     ENAMETOOLONG);
    free(long_name);
    free(file);
    free(below);
}

static void
test_client_errors(void **state)
{
    struct jsonrpc *rpc;
    char *error;

    assert_int_equal(control_client_open("no-daemon", 1000, &rpc, &error),
                     ENOENT);
    assert_null(rpc);
    assert_non_null(strstr(error, "no-daemon.pid"));
    assert_non_null(strstr(error, "is no-daemon running?"));
    free(error);

    assert_int_equal(control_client_open("a:b", 1000, &rpc, &error),
                     EINVAL);
    assert_non_null(strstr(error, "\"a:b\""));
    free(error);

    assert_int_equal(control_client_open("/nonexistent/x.ctl", 1000, &rpc,
                                         &error), ENOENT);
    assert_non_null(strstr(error, "cannot connect to unix:/nonexistent"));
    free(error);

    /* A pidfile that names no live process. */
    char *pidfile = xasprintf("%s/ghost.pid", tmpdir);
    FILE *f = fopen(pidfile, "w");
    assert_non_null(f);
    fprintf(f, "999999\n");
    fclose(f);
    assert_int_equal(control_client_open("ghost", 1000, &rpc, &error),
                     ESRCH);
    assert_non_null(strstr(error, "stale"));
    free(error);
    free(pidfile);
}

static void
test_client_timeout(void **state)
{
    /* A listener nobody serves: the connection is queued by the kernel
     * but no answer ever comes. */
    struct pstream *ps;
    assert_int_equal(pstream_open("punix:mute.ctl", &ps), 0);
    struct jsonrpc *rpc;
    char *error, *result;
    assert_int_equal(control_client_open("unix:mute.ctl", 1000, &rpc,
                                         &error), 0);
    long long int start = time_msec();
    assert_int_equal(control_client_transact(rpc, "version", 0, NULL, 300,
                                             &result, &error), ETIMEDOUT);
    assert_true(time_msec() - start >= 300);
    assert_null(result);
    assert_null(error);
    jsonrpc_close(rpc);
    pstream_close(ps);
}

static struct jsonrpc *
open_raw(void)
{
    struct stream *stream;
    assert_int_equal(stream_open_block("unix:test.ctl", 5000, &stream), 0);
    return jsonrpc_open(stream);
}

static void
test_connection_limit(void **state)
{
    struct server_thread *st = start_default();
    enum { MAX = 64 };
    struct jsonrpc *rpcs[MAX];
    struct jsonrpc_msg *reply;

    for (int i = 0; i < MAX; i++) {
        rpcs[i] = open_raw();
        reply = raw_transact(rpcs[i], "version", NULL);
        assert_int_equal(reply->type, JSONRPC_REPLY);
        jsonrpc_msg_destroy(reply);
    }

    /* The server is full: one more client waits, unanswered... */
    struct jsonrpc *waiting = open_raw();
    assert_int_equal(jsonrpc_send_block(waiting,
                                        jsonrpc_create_request("version",
                                                               NULL),
                                        5000), 0);
    assert_int_equal(jsonrpc_recv_block(waiting, &reply, 300), ETIMEDOUT);

    /* ...until a connection closes and makes room. */
    jsonrpc_close(rpcs[0]);
    assert_int_equal(jsonrpc_recv_block(waiting, &reply, 5000), 0);
    assert_int_equal(reply->type, JSONRPC_REPLY);
    jsonrpc_msg_destroy(reply);

    jsonrpc_close(waiting);
    for (int i = 1; i < MAX; i++) {
        jsonrpc_close(rpcs[i]);
    }
    expect_result("t/join", 0, NULL, "");
    server_stop(st);
}

static void
test_exit(void **state)
{
    struct server_thread *st = start_default();
    assert_false(daemon_should_exit());
    expect_result("exit", 0, NULL, "");
    assert_true(daemon_should_exit());
    server_stop(st);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_builtins),
        cmocka_unit_test(test_arguments),
        cmocka_unit_test(test_bad_requests),
        cmocka_unit_test(test_vlog_commands),
        cmocka_unit_test(test_default_path),
        cmocka_unit_test(test_remote_only),
        cmocka_unit_test(test_create_errors),
        cmocka_unit_test(test_client_errors),
        cmocka_unit_test(test_client_timeout),
        cmocka_unit_test(test_connection_limit),
        cmocka_unit_test(test_exit),
    };
    set_program_name("test-control");
    return cmocka_run_group_tests_name("control", tests, setup, teardown);
}
