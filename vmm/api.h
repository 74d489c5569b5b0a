/*
 * api: the VM's JSON-RPC API on a unix socket (--api PATH).
 *
 * It is a Skiff control server (see control.h: JSON-RPC 1.0, the method
 * is the command, the params its string arguments, the result its text),
 * so "skiff-appctl -t PATH COMMAND" drives it.  Commands:
 *   status     "running" or "paused"
 *   info       a JSON object: name, memory (MiB), vcpus, state, devices
 *   pause      parks every vCPU; replies once they are parked
 *   resume     lets them run again
 *   shutdown   ends the VM (exit status 0)
 */
#ifndef SKIFF_VMM_API_H
#define SKIFF_VMM_API_H 1

struct api;
struct vmm;

/* Listens on PATH.  Returns 0 or a positive errno value with *ERRORP
 * saying why. */
int api_create(struct vmm *, const char *path, struct api **,
               char **errorp);
void api_run(struct api *);
void api_wait(struct api *);
void api_destroy(struct api *);     /* Accepts NULL. */

#endif /* api.h */
