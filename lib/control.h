/*
 * control: every daemon's control socket ("skiff-appctl" talks to it).
 *
 * The server speaks JSON-RPC over a unix socket, by default
 * <rundir>/<program>.<pid>.ctl, and optionally over further listeners
 * (tcp, ssl).  A request's method is a command name "module/verb"; its
 * params are the command's arguments, all strings.  The reply's result is
 * the command's text output; a failed command answers with an error whose
 * value is the error text.
 *
 * Commands are registered once per process with control_command_register()
 * and served by every control server.  These come built in:
 *   list-commands            the commands and their usage
 *   version                  the program's name and version
 *   vlog/list                every log module's levels
 *   vlog/set SPEC...         change levels (see vlog.h)
 *   vlog/reopen              reopen the log file (after rotation)
 *   exit                     ask the daemon to exit (daemon_should_exit())
 *
 * A callback must answer exactly once, with control_command_reply() or
 * control_command_reply_error(), before it returns.
 */
#ifndef SKIFF_CONTROL_H
#define SKIFF_CONTROL_H 1

struct control_conn;
struct control_server;

/* ARGV[0] is the command's name and ARGV[1] to ARGV[ARGC - 1] its
 * arguments; the registration guarantees MIN_ARGS <= ARGC - 1 <=
 * MAX_ARGS. */
typedef void control_cb_func(struct control_conn *, int argc,
                             const char *argv[], void *aux);

/* Registers NAME (replacing an earlier registration of it).  USAGE
 * describes the arguments for list-commands ("" for none). */
void control_command_register(const char *name, const char *usage,
                              int min_args, int max_args,
                              control_cb_func *cb, void *aux);

/* BODY is the command's output (NULL means empty). */
void control_command_reply(struct control_conn *, const char *body);
void control_command_reply_error(struct control_conn *, const char *body);

/* Creates a server listening on PATH: NULL for the default path, an
 * absolute or run-dir-relative socket path, or "none" for no unix socket
 * (remotes only).  Returns 0 and *serverp or a positive errno value after
 * logging why.  The socket's mode is 0660 and it is removed on exit. */
int control_server_create(const char *path, struct control_server **serverp);

/* Also listens on NAME, a pstream name ("pssl:0:127.0.0.1").  Returns 0
 * or a positive errno value. */
int control_server_add_remote(struct control_server *, const char *name);

/* The unix socket's path, or NULL with "none". */
const char *control_server_get_path(const struct control_server *);

/* The names of the listeners, in order of creation, e.g. to find the port
 * of "pssl:0"; NULL past the end. */
const char *control_server_get_listener(const struct control_server *,
                                        int index);

void control_server_run(struct control_server *);
void control_server_wait(struct control_server *);

/* Sends what replies are still queued (waiting up to a second), closes
 * every connection and listener, and removes the socket.  Accepts NULL. */
void control_server_destroy(struct control_server *);

#endif /* control.h */
