/*
 * kvm-vm: one KVM virtual machine and its vCPU threads.
 *
 * kvm_vm_create() opens /dev/kvm and makes the VM with an in-kernel
 * interrupt controller (PIC + IOAPIC + local APICs) and PIT, the TSS and
 * identity-map pages placed in the device hole, and the guest's RAM
 * regions.  Devices then register on the port and MMIO buses, the boot
 * CPU gets its registers (kvm_vcpu_setup_boot()) and kvm_vm_start()
 * starts one thread per vCPU.  Every step before kvm_vm_start() can fail
 * without any guest code having run.
 *
 * A vCPU thread runs KVM_RUN, hands port and MMIO exits to the buses, and
 * parks while the VM is paused.  When the guest resets (i8042), shuts
 * down, or fails, a thread calls kvm_vm_request_exit(): the main loop sees
 * kvm_vm_exit_fd() readable and calls kvm_vm_stop().
 */
#ifndef SKIFF_VMM_KVM_VM_H
#define SKIFF_VMM_KVM_VM_H 1

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "io-bus.h"

struct guest_mem;
struct kvm_run;

#define KVM_VM_MAX_VCPUS 64

/* Addresses in the hole below 4 GiB. */
#define KVM_VM_IOAPIC_ADDR 0xFEC00000ULL
#define KVM_VM_LAPIC_ADDR 0xFEE00000ULL
#define KVM_VM_IDENTITY_MAP_ADDR 0xFEFFC000ULL
#define KVM_VM_TSS_ADDR 0xFEFFD000ULL

struct kvm_vcpu {
    struct kvm_vm *vm;
    int index;
    int fd;
    struct kvm_run *run;
    size_t run_size;
    pthread_t thread;
    bool started;
    bool parked;                /* Waiting while paused (under vm->mutex). */
};

struct kvm_vm {
    int kvm_fd;
    int vm_fd;
    struct guest_mem *mem;
    struct io_bus pio;
    struct io_bus mmio;

    int n_vcpus;
    struct kvm_vcpu vcpus[KVM_VM_MAX_VCPUS];

    pthread_mutex_t mutex;
    pthread_cond_t cond;
    bool paused;                /* Under mutex. */
    bool stopping;              /* Under mutex. */
    bool exit_requested;        /* Set under mutex, read atomically. */
    int exit_status;            /* Under mutex: the process's exit code. */
    int exit_fd;                /* eventfd, readable once exit requested. */
};

/* Creates the VM with N_VCPUS vCPUs over MEM.  Returns 0 or a positive
 * errno value after filling *ERRORP with a message for the user. */
int kvm_vm_create(struct kvm_vm *, struct guest_mem *, int n_vcpus,
                  char **errorp);
void kvm_vm_destroy(struct kvm_vm *);

/* Sets the boot CPU's registers for the 64-bit Linux boot protocol:
 * long mode with CR3 = PML4, the flat code and data selectors, RIP =
 * ENTRY, RSI = ZERO_PAGE.  Returns 0 or a positive errno value. */
int kvm_vcpu_setup_boot(struct kvm_vcpu *, uint64_t pml4, uint64_t gdt,
                        uint16_t gdt_limit, uint64_t entry,
                        uint64_t zero_page);

/* Starts the vCPU threads.  Returns 0 or a positive errno value. */
int kvm_vm_start(struct kvm_vm *);

/* Called by any thread: ends the VM with process exit code STATUS (the
 * first request wins). */
void kvm_vm_request_exit(struct kvm_vm *, int status);
int kvm_vm_exit_fd(const struct kvm_vm *);
int kvm_vm_exit_status(struct kvm_vm *);

/* Stops and joins every vCPU thread. */
void kvm_vm_stop(struct kvm_vm *);

/* Pause parks every vCPU (returning once all are parked); resume lets
 * them run again. */
void kvm_vm_pause(struct kvm_vm *);
void kvm_vm_resume(struct kvm_vm *);
bool kvm_vm_is_paused(struct kvm_vm *);

/* Interrupts: drives legacy line IRQ to LEVEL; binds eventfd FD to GSI
 * (irqfd); makes a guest write of LEN bytes at MMIO address ADDR (equal
 * to DATAMATCH if DATAMATCH >= 0) signal eventfd FD (ioeventfd).
 * Each returns 0 or a positive errno value. */
int kvm_vm_irq_line(struct kvm_vm *, uint32_t irq, int level);
int kvm_vm_irqfd(struct kvm_vm *, int fd, uint32_t gsi, bool assign);
int kvm_vm_ioeventfd(struct kvm_vm *, int fd, uint64_t addr, uint32_t len,
                     int64_t datamatch, bool assign);

#endif /* kvm-vm.h */
