/* kvm-vcpu: one virtual CPU; see kvm-vcpu.h. */
#include <config.h>

#include "kvm-vcpu.h"

#include <errno.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kvm-vm.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(kvm_vcpu);

#define KVM_VCPU_KICK_SIGNAL SIGUSR1
#define KVM_VCPU_MAX_CPUID 256

/* MSR numbers (Intel SDM volume 4). */
#define MSR_IA32_SYSENTER_CS 0x174
#define MSR_IA32_SYSENTER_ESP 0x175
#define MSR_IA32_SYSENTER_EIP 0x176
#define MSR_IA32_MISC_ENABLE 0x1a0
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_CSTAR 0xc0000083
#define MSR_SYSCALL_MASK 0xc0000084
#define MSR_KERNEL_GS_BASE 0xc0000102
#define MSR_IA32_TSC 0x10
#define MISC_ENABLE_FAST_STRING 1

static int
kvm_vcpu_fail(char **errorp, int error, int index, const char *what)
{
    *errorp = xasprintf("vCPU %d: %s: %s", index, what, strerror(error));
    return error;
}

static void
kvm_vcpu_fix_cpuid(struct kvm_cpuid2 *cpuid, int index, int n_vcpus)
{
    for (uint32_t i = 0; i < cpuid->nent; i++) {
        struct kvm_cpuid_entry2 *e = &cpuid->entries[i];
        switch (e->function) {
        case 1:
            e->ecx |= 1u << 31;                 /* Hypervisor present. */
            e->ebx &= 0x0000ffffu;
            e->ebx |= (uint32_t) index << 24;   /* Initial APIC ID. */
            e->ebx |= (uint32_t) (n_vcpus > 255 ? 255 : n_vcpus) << 16;
            if (n_vcpus > 1) {
                e->edx |= 1u << 28;             /* HTT: the count is valid. */
            }
            break;
        case 4:
            /* Cores per package minus one in 31:26; one thread per cache
             * sharing group. */
            e->eax &= 0x3ff;
            e->eax |= (uint32_t) (n_vcpus - 1) << 26;
            break;
        case 0xb:
            /* Level 0: SMT, one thread; level 1: core, N per package. */
            e->edx = (uint32_t) index;
            if (e->index == 0) {
                e->eax = 0;
                e->ebx = 1;
                e->ecx = 0x100;
            } else if (e->index == 1) {
                uint32_t shift = 0;
                while ((1 << shift) < n_vcpus) {
                    shift++;
                }
                e->eax = shift;
                e->ebx = (uint32_t) n_vcpus;
                e->ecx = 0x201;
            } else {
                e->eax = e->ebx = 0;
                e->ecx = e->index;
            }
            break;
        default:
            break;
        }
    }
}

static int
kvm_vcpu_setup_cpuid(struct kvm_vcpu *vcpu, int n_vcpus, char **errorp)
{
    size_t size = sizeof(struct kvm_cpuid2)
                  + KVM_VCPU_MAX_CPUID * sizeof(struct kvm_cpuid_entry2);
    struct kvm_cpuid2 *cpuid = xzalloc(size);
    int error = 0;

    cpuid->nent = KVM_VCPU_MAX_CPUID;
    if (ioctl(vcpu->vm->kvm_fd, KVM_GET_SUPPORTED_CPUID, cpuid) < 0) {
        error = kvm_vcpu_fail(errorp, errno, vcpu->index,
                              "KVM_GET_SUPPORTED_CPUID failed");
    } else {
        kvm_vcpu_fix_cpuid(cpuid, vcpu->index, n_vcpus);
        if (ioctl(vcpu->fd, KVM_SET_CPUID2, cpuid) < 0) {
            error = kvm_vcpu_fail(errorp, errno, vcpu->index,
                                  "KVM_SET_CPUID2 failed");
        }
    }
    free(cpuid);
    return error;
}

static int
kvm_vcpu_setup_msrs(struct kvm_vcpu *vcpu, char **errorp)
{
    static const struct { uint32_t index; uint64_t data; } init[] = {
        { MSR_IA32_SYSENTER_CS, 0 },
        { MSR_IA32_SYSENTER_ESP, 0 },
        { MSR_IA32_SYSENTER_EIP, 0 },
        { MSR_STAR, 0 },
        { MSR_LSTAR, 0 },
        { MSR_CSTAR, 0 },
        { MSR_SYSCALL_MASK, 0 },
        { MSR_KERNEL_GS_BASE, 0 },
        { MSR_IA32_TSC, 0 },
        { MSR_IA32_MISC_ENABLE, MISC_ENABLE_FAST_STRING },
    };
    size_t n = ARRAY_SIZE(init);
    struct kvm_msrs *msrs = xzalloc(sizeof *msrs
                                    + n * sizeof(struct kvm_msr_entry));
    for (size_t i = 0; i < n; i++) {
        msrs->entries[i].index = init[i].index;
        msrs->entries[i].data = init[i].data;
    }
    msrs->nmsrs = (uint32_t) n;
    /* KVM sets MSRs in order and returns how many it set; an MSR this
     * host lacks is not fatal for booting, so only log a short count. */
    int set = ioctl(vcpu->fd, KVM_SET_MSRS, msrs);
    free(msrs);
    if (set < 0) {
        return kvm_vcpu_fail(errorp, errno, vcpu->index,
                             "KVM_SET_MSRS failed");
    }
    if ((size_t) set != n) {
        VLOG_DBG("vCPU %d: KVM set %d of %zu boot MSRs", vcpu->index, set, n);
    }
    return 0;
}

static int
kvm_vcpu_setup_fpu(struct kvm_vcpu *vcpu, char **errorp)
{
    struct kvm_fpu fpu;
    memset(&fpu, 0, sizeof fpu);
    fpu.fcw = 0x37f;
    fpu.mxcsr = 0x1f80;
    if (ioctl(vcpu->fd, KVM_SET_FPU, &fpu) < 0) {
        return kvm_vcpu_fail(errorp, errno, vcpu->index, "KVM_SET_FPU failed");
    }
    return 0;
}

int
kvm_vcpu_create(struct kvm_vm *vm, int index, int n_vcpus,
                struct kvm_vcpu *vcpu, char **errorp)
{
    memset(vcpu, 0, sizeof *vcpu);
    vcpu->vm = vm;
    vcpu->index = index;
    vcpu->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, (unsigned long) index);
    if (vcpu->fd < 0) {
        return kvm_vcpu_fail(errorp, errno, index, "KVM_CREATE_VCPU failed");
    }
    int size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (size < (int) sizeof(struct kvm_run)) {
        close(vcpu->fd);
        return kvm_vcpu_fail(errorp, size < 0 ? errno : EINVAL, index,
                             "KVM_GET_VCPU_MMAP_SIZE failed");
    }
    vcpu->run = mmap(NULL, (size_t) size, PROT_READ | PROT_WRITE,
                     MAP_SHARED, vcpu->fd, 0);
    if (vcpu->run == MAP_FAILED) {
        int error = errno;
        close(vcpu->fd);
        return kvm_vcpu_fail(errorp, error, index, "mmap of kvm_run failed");
    }
    vcpu->run_size = (size_t) size;

    int error = kvm_vcpu_setup_cpuid(vcpu, n_vcpus, errorp);
    if (!error) {
        error = kvm_vcpu_setup_msrs(vcpu, errorp);
    }
    if (!error) {
        error = kvm_vcpu_setup_fpu(vcpu, errorp);
    }
    if (error) {
        munmap(vcpu->run, vcpu->run_size);
        close(vcpu->fd);
        vcpu->fd = -1;
    }
    return error;
}

void
kvm_vcpu_destroy(struct kvm_vcpu *vcpu)
{
    if (vcpu->fd >= 0) {
        munmap(vcpu->run, vcpu->run_size);
        close(vcpu->fd);
        vcpu->fd = -1;
    }
}

static void
kvm_vcpu_set_segment(struct kvm_segment *seg, uint16_t selector,
                     uint8_t type, bool code)
{
    memset(seg, 0, sizeof *seg);
    seg->base = 0;
    seg->limit = 0xffffffff;
    seg->selector = selector;
    seg->type = type;
    seg->present = 1;
    seg->dpl = 0;
    seg->db = code ? 0 : 1;
    seg->s = 1;
    seg->l = code ? 1 : 0;
    seg->g = 1;
}

int
kvm_vcpu_setup_boot(struct kvm_vcpu *vcpu, uint64_t pml4, uint64_t gdt,
                    uint16_t gdt_limit, uint64_t entry, uint64_t zero_page)
{
    struct kvm_sregs sregs;
    struct kvm_regs regs;

    if (ioctl(vcpu->fd, KVM_GET_SREGS, &sregs) < 0) {
        return errno;
    }
    kvm_vcpu_set_segment(&sregs.cs, 0x10, 0xb, true);
    kvm_vcpu_set_segment(&sregs.ds, 0x18, 0x3, false);
    sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;
    sregs.gdt.base = gdt;
    sregs.gdt.limit = gdt_limit;
    sregs.cr3 = pml4;
    sregs.cr4 = 1u << 5;                                /* PAE. */
    sregs.cr0 = (1u << 0) | (1u << 4) | (1u << 5) | (1u << 31);
    sregs.efer = (1u << 8) | (1u << 10);                /* LME, LMA. */
    if (ioctl(vcpu->fd, KVM_SET_SREGS, &sregs) < 0) {
        return errno;
    }

    memset(&regs, 0, sizeof regs);
    regs.rflags = 2;
    regs.rip = entry;
    regs.rsi = zero_page;
    if (ioctl(vcpu->fd, KVM_SET_REGS, &regs) < 0) {
        return errno;
    }
    return 0;
}

static void
kvm_vcpu_handle_io(struct kvm_vcpu *vcpu)
{
    struct kvm_run *run = vcpu->run;
    uint8_t *data = (uint8_t *) run + run->io.data_offset;
    bool is_write = run->io.direction == KVM_EXIT_IO_OUT;

    for (uint32_t i = 0; i < run->io.count; i++) {
        if (!io_bus_access(&vcpu->vm->pio, run->io.port, data,
                           run->io.size, is_write)) {
            static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
            VLOG_DBG_RL(&rl, "unhandled port %s 0x%x",
                        is_write ? "write" : "read", run->io.port);
        }
        data += run->io.size;
    }
}

static void
kvm_vcpu_handle_mmio(struct kvm_vcpu *vcpu)
{
    struct kvm_run *run = vcpu->run;
    uint32_t len = run->mmio.len;

    if (len > sizeof run->mmio.data) {
        return;
    }
    if (!io_bus_access(&vcpu->vm->mmio, run->mmio.phys_addr,
                       run->mmio.data, len, run->mmio.is_write)) {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
        VLOG_WARN_RL(&rl, "vCPU %d: unhandled MMIO %s at 0x%llx",
                     vcpu->index, run->mmio.is_write ? "write" : "read",
                     (unsigned long long) run->mmio.phys_addr);
    }
}

/* Returns false when the VM is stopping. */
static bool
kvm_vcpu_wait_runnable(struct kvm_vcpu *vcpu)
{
    struct kvm_vm *vm = vcpu->vm;
    bool run;

    pthread_mutex_lock(&vm->mutex);
    while (vm->paused && !vm->stopping) {
        if (!vcpu->parked) {
            vcpu->parked = true;
            pthread_cond_broadcast(&vm->cond);
        }
        pthread_cond_wait(&vm->cond, &vm->mutex);
    }
    vcpu->parked = false;
    run = !vm->stopping;
    pthread_mutex_unlock(&vm->mutex);
    return run;
}

/* Handles one exit; returns false when the vCPU should stop. */
static bool
kvm_vcpu_handle_exit(struct kvm_vcpu *vcpu)
{
    struct kvm_run *run = vcpu->run;
    struct kvm_vm *vm = vcpu->vm;

    switch (run->exit_reason) {
    case KVM_EXIT_IO:
        kvm_vcpu_handle_io(vcpu);
        return true;
    case KVM_EXIT_MMIO:
        kvm_vcpu_handle_mmio(vcpu);
        return true;
    case KVM_EXIT_INTR:
        return true;
    case KVM_EXIT_HLT:
        VLOG_INFO("vCPU %d halted", vcpu->index);
        kvm_vm_request_exit(vm, 0);
        return false;
    case KVM_EXIT_SHUTDOWN:
        VLOG_ERR("vCPU %d: the guest shut down (triple fault)",
                 vcpu->index);
        kvm_vm_request_exit(vm, 1);
        return false;
    case KVM_EXIT_SYSTEM_EVENT:
        VLOG_INFO("vCPU %d: system event %u", vcpu->index,
                  run->system_event.type);
        kvm_vm_request_exit(vm, 0);
        return false;
    case KVM_EXIT_FAIL_ENTRY:
        VLOG_ERR("vCPU %d: entry failed, reason 0x%llx", vcpu->index,
                 (unsigned long long)
                 run->fail_entry.hardware_entry_failure_reason);
        kvm_vm_request_exit(vm, 1);
        return false;
    case KVM_EXIT_INTERNAL_ERROR:
        VLOG_ERR("vCPU %d: KVM internal error, suberror %u", vcpu->index,
                 run->internal.suberror);
        kvm_vm_request_exit(vm, 1);
        return false;
    default:
        VLOG_ERR("vCPU %d: unexpected exit reason %u", vcpu->index,
                 run->exit_reason);
        kvm_vm_request_exit(vm, 1);
        return false;
    }
}

static void *
kvm_vcpu_thread(void *vcpu_)
{
    struct kvm_vcpu *vcpu = vcpu_;

    while (kvm_vcpu_wait_runnable(vcpu)) {
        if (ioctl(vcpu->fd, KVM_RUN, 0) < 0) {
            int error = errno;
            vcpu->run->immediate_exit = 0;
            if (error == EINTR || error == EAGAIN) {
                continue;
            }
            VLOG_ERR("vCPU %d: KVM_RUN failed: %s", vcpu->index,
                     strerror(error));
            kvm_vm_request_exit(vcpu->vm, 1);
            break;
        }
        if (!kvm_vcpu_handle_exit(vcpu)) {
            break;
        }
        /* A device asked to end the VM (the i8042 reset): stop at once
         * rather than run on until the main loop stops us. */
        if (__atomic_load_n(&vcpu->vm->exit_requested, __ATOMIC_ACQUIRE)) {
            break;
        }
    }
    return NULL;
}

static void
kvm_vcpu_kick_handler(int sig)
{
    (void) sig;
}

int
kvm_vcpu_start(struct kvm_vcpu *vcpu)
{
    static bool installed;
    if (!installed) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = kvm_vcpu_kick_handler;
        sigemptyset(&sa.sa_mask);
        sigaction(KVM_VCPU_KICK_SIGNAL, &sa, NULL);
        installed = true;
    }
    int error = pthread_create(&vcpu->thread, NULL, kvm_vcpu_thread, vcpu);
    if (!error) {
        pthread_mutex_lock(&vcpu->vm->mutex);
        vcpu->started = true;
        pthread_mutex_unlock(&vcpu->vm->mutex);
    }
    return error;
}

void
kvm_vcpu_kick(struct kvm_vcpu *vcpu)
{
    pthread_mutex_lock(&vcpu->vm->mutex);
    bool started = vcpu->started;
    pthread_mutex_unlock(&vcpu->vm->mutex);
    if (started) {
        __atomic_store_n(&vcpu->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
        pthread_kill(vcpu->thread, KVM_VCPU_KICK_SIGNAL);
    }
}

void
kvm_vcpu_join(struct kvm_vcpu *vcpu)
{
    pthread_mutex_lock(&vcpu->vm->mutex);
    bool started = vcpu->started;
    vcpu->started = false;
    pthread_mutex_unlock(&vcpu->vm->mutex);
    if (started) {
        pthread_join(vcpu->thread, NULL);
    }
}
