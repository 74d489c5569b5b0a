/*
 * vmm: the state of one skiff-vmm process, shared by its main loop
 * (skiff-vmm.c) and its API (api.c).
 *
 * The guest's physical address map:
 *   [0, min(RAM, 3 GiB))       RAM (see guest-mem.h)
 *   0xd0000000 + 4 KiB * i     virtio-mmio device i, IRQ from VMM_IRQS
 *   0xfec00000                 IOAPIC
 *   0xfee00000                 local APICs
 *   [4 GiB, ...)               the rest of RAM
 * Ports: COM1 0x3f8 (IRQ 4), i8042 0x60 and 0x64, the PIT (in KVM).
 */
#ifndef SKIFF_VMM_VMM_H
#define SKIFF_VMM_VMM_H 1

#include <stdint.h>

#include "guest-mem.h"
#include "kvm-vm.h"

struct serial;
struct virtio_mmio;

#define VMM_MMIO_BASE 0xd0000000ULL
#define VMM_MMIO_SIZE 0x1000ULL
#define VMM_MAX_DEVICES 16

struct vmm {
    const char *name;
    struct guest_mem mem;
    struct kvm_vm vm;
    struct serial *serial;
    int n_devices;
    struct virtio_mmio *devices[VMM_MAX_DEVICES];
};

/* The IRQ (and GSI) of virtio-mmio device I (< VMM_MAX_DEVICES). */
uint32_t vmm_device_irq(int i);

#endif /* vmm.h */
