/*
 * guest-mem: the guest's RAM, one memfd mapped shared.
 *
 * RAM below 4 GiB ends at GUEST_MEM_HOLE_START (or sooner); the rest is
 * placed from 4 GiB up, leaving a hole for devices (virtio-mmio, IOAPIC,
 * local APIC).  The memfd's first "low" bytes back the low region and the
 * rest backs the high region, so a vhost-user backend can map both from
 * the same file descriptor.
 *
 * Every device reaches guest memory through guest_mem_ptr(), which checks
 * that [GPA, GPA + LEN) lies wholly inside one RAM region; a guest-given
 * address is never used any other way.
 */
#ifndef SKIFF_VMM_GUEST_MEM_H
#define SKIFF_VMM_GUEST_MEM_H 1

#include <stddef.h>
#include <stdint.h>

#define GUEST_MEM_HOLE_START 0xC0000000ULL  /* 3 GiB: devices above. */
#define GUEST_MEM_HIGH_START 0x100000000ULL /* 4 GiB. */
#define GUEST_MEM_MIN (16ULL << 20)
#define GUEST_MEM_MAX (64ULL << 30)

struct guest_mem_region {
    uint64_t gpa;               /* Guest-physical start. */
    uint64_t size;              /* Bytes; 0 for an unused region. */
    uint64_t fd_offset;         /* Offset of the region in the memfd. */
    uint8_t *hva;               /* Where it is mapped here. */
};

struct guest_mem {
    int fd;                     /* The memfd, -1 for memory not from one. */
    uint64_t size;              /* Total RAM bytes. */
    uint8_t *base;              /* The whole mapping (size bytes). */
    int n_regions;
    struct guest_mem_region regions[2];
};

/* Creates SIZE bytes of guest RAM (a multiple of 2 MiB between
 * GUEST_MEM_MIN and GUEST_MEM_MAX) in a memfd named NAME.  Returns 0 or a
 * positive errno value. */
int guest_mem_create(struct guest_mem *, const char *name, uint64_t size);

/* For tests: guest memory over a caller's buffer BUF of SIZE bytes at
 * guest-physical 0, with no memfd.  guest_mem_destroy() leaves BUF. */
void guest_mem_init_buffer(struct guest_mem *, void *buf, uint64_t size);

void guest_mem_destroy(struct guest_mem *);

/* Returns a host pointer to [GPA, GPA + LEN) if that range lies in one
 * region of guest RAM (LEN may be 0), otherwise NULL.  Wrapping sums are
 * refused. */
void *guest_mem_ptr(const struct guest_mem *, uint64_t gpa, uint64_t len);

/* Copies between guest memory and a host buffer; 0 or EFAULT when the
 * range is not wholly in guest RAM (nothing is copied then). */
int guest_mem_read(const struct guest_mem *, uint64_t gpa, void *dst,
                   size_t len);
int guest_mem_write(const struct guest_mem *, uint64_t gpa, const void *src,
                    size_t len);

/* Bytes of RAM below the hole (the low region's size). */
uint64_t guest_mem_low_size(const struct guest_mem *);

#endif /* guest-mem.h */
