/* i8042: the reset line of the keyboard controller; see i8042.h. */
#include <config.h>

#include "i8042.h"

#include "io-bus.h"
#include "kvm-vm.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(i8042);

#define I8042_DATA_PORT 0x60
#define I8042_COMMAND_PORT 0x64
#define I8042_CMD_RESET 0xfe

static void
i8042_io_data(void *vm_, uint64_t offset, uint8_t *data, uint32_t len,
              bool is_write)
{
    (void) vm_;
    (void) offset;
    (void) len;
    if (!is_write) {
        data[0] = 0;
    }
}

static void
i8042_io_cmd(void *vm_, uint64_t offset, uint8_t *data, uint32_t len,
             bool is_write)
{
    struct kvm_vm *vm = vm_;

    (void) offset;
    if (!is_write) {
        data[0] = 0;
    } else if (len == 1 && data[0] == I8042_CMD_RESET) {
        VLOG_INFO("the guest reset the machine (i8042): exiting");
        kvm_vm_request_exit(vm, 0);
    }
}

int
i8042_attach(struct kvm_vm *vm)
{
    /* Ports 0x61-0x63 belong to the PIT's speaker and others; register the
     * two ports separately. */
    int error = io_bus_register(&vm->pio, I8042_DATA_PORT, 1, i8042_io_data,
                                vm);
    if (!error) {
        error = io_bus_register(&vm->pio, I8042_COMMAND_PORT, 1,
                                i8042_io_cmd, vm);
    }
    return error;
}
