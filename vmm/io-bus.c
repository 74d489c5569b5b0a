/* io-bus: port and MMIO dispatch; see io-bus.h. */
#include <config.h>

#include "io-bus.h"

#include <errno.h>
#include <string.h>

int
io_bus_register(struct io_bus *bus, uint64_t base, uint64_t size,
                io_bus_func *func, void *aux)
{
    if (!size || base + size < base) {
        return EINVAL;
    }
    for (int i = 0; i < bus->n; i++) {
        const struct io_bus_range *r = &bus->ranges[i];
        if (base < r->base + r->size && r->base < base + size) {
            return EEXIST;
        }
    }
    if (bus->n >= IO_BUS_MAX_RANGES) {
        return ENOSPC;
    }
    bus->ranges[bus->n++] = (struct io_bus_range) {
        .base = base, .size = size, .func = func, .aux = aux,
    };
    return 0;
}

bool
io_bus_access(const struct io_bus *bus, uint64_t addr, uint8_t *data,
              uint32_t len, bool is_write)
{
    if (!is_write) {
        memset(data, 0xff, len);
    }
    for (int i = 0; i < bus->n; i++) {
        const struct io_bus_range *r = &bus->ranges[i];
        if (addr >= r->base && addr - r->base < r->size
            && len <= r->size - (addr - r->base)) {
            r->func(r->aux, addr - r->base, data, len, is_write);
            return true;
        }
    }
    return false;
}
