/* api: the VM's JSON-RPC API; see api.h. */
#include <config.h>

#include "api.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"
#include "serial.h"
#include "util.h"
#include "virtio-mmio.h"
#include "vmm.h"

struct api {
    struct vmm *vmm;
    struct control_server *server;
};

static void
api_status(struct control_conn *conn, int argc, const char *argv[],
           void *vmm_)
{
    struct vmm *vmm = vmm_;
    (void) argc;
    (void) argv;
    control_command_reply(conn, kvm_vm_is_paused(&vmm->vm)
                                ? "paused" : "running");
}

static void
api_info(struct control_conn *conn, int argc, const char *argv[],
         void *vmm_)
{
    struct vmm *vmm = vmm_;
    struct json_object *info = json_object_new_object();
    struct json_object *devices = json_object_new_array();
    (void) argc;
    (void) argv;

    json_object_object_add(info, "name", json_object_new_string(vmm->name));
    json_object_object_add(info, "state", json_object_new_string(
                               kvm_vm_is_paused(&vmm->vm)
                               ? "paused" : "running"));
    json_object_object_add(info, "memory_mib", json_object_new_int64(
                               (int64_t) (vmm->mem.size >> 20)));
    json_object_object_add(info, "vcpus",
                           json_object_new_int(vmm->vm.n_vcpus));
    json_object_object_add(info, "console", json_object_new_string(
                               serial_get_spec(vmm->serial)));
    for (int i = 0; i < vmm->n_devices; i++) {
        json_object_array_add(devices,
                              virtio_mmio_describe(vmm->devices[i]));
    }
    json_object_object_add(info, "devices", devices);
    control_command_reply(conn, json_object_to_json_string_ext(
                              info, JSON_C_TO_STRING_PLAIN
                              | JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(info);
}

static void
api_pause(struct control_conn *conn, int argc, const char *argv[],
          void *vmm_)
{
    struct vmm *vmm = vmm_;
    (void) argc;
    (void) argv;
    kvm_vm_pause(&vmm->vm);
    control_command_reply(conn, "paused");
}

static void
api_resume(struct control_conn *conn, int argc, const char *argv[],
           void *vmm_)
{
    struct vmm *vmm = vmm_;
    (void) argc;
    (void) argv;
    kvm_vm_resume(&vmm->vm);
    control_command_reply(conn, "running");
}

static void
api_shutdown(struct control_conn *conn, int argc, const char *argv[],
             void *vmm_)
{
    struct vmm *vmm = vmm_;
    (void) argc;
    (void) argv;
    kvm_vm_request_exit(&vmm->vm, 0);
    control_command_reply(conn, "shutting down");
}

int
api_create(struct vmm *vmm, const char *path, struct api **apip,
           char **errorp)
{
    struct api *api = xzalloc(sizeof *api);
    api->vmm = vmm;

    int error = control_server_create(path, &api->server);
    if (error) {
        *errorp = xasprintf("cannot listen: %s", strerror(error));
        free(api);
        return error;
    }
    control_command_register("status", "", 0, 0, api_status, vmm);
    control_command_register("info", "", 0, 0, api_info, vmm);
    control_command_register("pause", "", 0, 0, api_pause, vmm);
    control_command_register("resume", "", 0, 0, api_resume, vmm);
    control_command_register("shutdown", "", 0, 0, api_shutdown, vmm);
    *apip = api;
    return 0;
}

void
api_run(struct api *api)
{
    control_server_run(api->server);
}

void
api_wait(struct api *api)
{
    control_server_wait(api->server);
}

void
api_destroy(struct api *api)
{
    if (api) {
        control_server_destroy(api->server);
        free(api);
    }
}
