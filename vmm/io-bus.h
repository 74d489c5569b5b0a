/*
 * io-bus: dispatches the guest's port and MMIO accesses to devices.
 *
 * A bus is a short list of address ranges, each with a callback.  Ranges
 * are registered before any vCPU runs and never change afterwards, so the
 * vCPU threads look them up without a lock; each device locks its own
 * state inside its callback.
 */
#ifndef SKIFF_VMM_IO_BUS_H
#define SKIFF_VMM_IO_BUS_H 1

#include <stdbool.h>
#include <stdint.h>

#define IO_BUS_MAX_RANGES 40

/* Called for an access of LEN bytes (1, 2, 4 or 8) at OFFSET from the
 * range's base.  For a read the callback fills DATA (which the bus has
 * set to all ones); for a write DATA holds the bytes, little-endian. */
typedef void io_bus_func(void *aux, uint64_t offset, uint8_t *data,
                         uint32_t len, bool is_write);

struct io_bus_range {
    uint64_t base;
    uint64_t size;
    io_bus_func *func;
    void *aux;
};

struct io_bus {
    int n;
    struct io_bus_range ranges[IO_BUS_MAX_RANGES];
};

/* Returns 0, EEXIST if the range overlaps one already there, ENOSPC when
 * the bus is full, or EINVAL for an empty or wrapping range. */
int io_bus_register(struct io_bus *, uint64_t base, uint64_t size,
                    io_bus_func *, void *aux);

/* Performs the access; returns false (leaving DATA all ones for a read)
 * if no range holds all LEN bytes at ADDR. */
bool io_bus_access(const struct io_bus *, uint64_t addr, uint8_t *data,
                   uint32_t len, bool is_write);

#endif /* io-bus.h */
