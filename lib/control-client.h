/*
 * control-client: the client side of a daemon's control socket.
 */
#ifndef SKIFF_CONTROL_CLIENT_H
#define SKIFF_CONTROL_CLIENT_H 1

struct jsonrpc;

/* Connects to TARGET, which is one of:
 *   - a stream name: "unix:PATH", "tcp:IP:PORT", "ssl:IP:PORT";
 *   - a path containing '/': a unix socket;
 *   - a daemon's name ("skiff-vswitchd"): its pid is read from
 *     <rundir>/NAME.pid and the socket is <rundir>/NAME.PID.ctl.
 * Waits up to TIMEOUT_MS (negative: forever) to connect.  Returns 0 and
 * *rpcp, or a positive errno value with *errorp (the caller frees it)
 * saying what failed, e.g. "cannot read pidfile /run/skiff/foo.pid (No
 * such file or directory): is foo running?".  For a daemon name, ENOENT
 * means no pidfile and ESRCH a stale one (no process holds it). */
int control_client_open(const char *target, int timeout_ms,
                        struct jsonrpc **rpcp, char **errorp);

/* Runs COMMAND with ARGC arguments ARGV.  Returns 0 if the daemon
 * answered; then exactly one of *resultp (the command succeeded) and
 * *errorp (it failed) is set, and the caller frees it.  Otherwise returns
 * a positive errno value and sets nothing: ETIMEDOUT, ECONNRESET (the
 * daemon hung up without answering), EPROTO, ... */
int control_client_transact(struct jsonrpc *, const char *command,
                            int argc, char *argv[], int timeout_ms,
                            char **resultp, char **errorp);

#endif /* control-client.h */
