/* kvm-vm: the KVM virtual machine; see kvm-vm.h. */
#include <config.h>

#include "kvm-vm.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "guest-mem.h"
#include "kvm-vcpu.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(kvm_vm);

static int
kvm_vm_fail(char **errorp, int error, const char *what)
{
    *errorp = xasprintf("%s: %s", what, strerror(error));
    return error;
}

static int
kvm_vm_set_memory(struct kvm_vm *vm, char **errorp)
{
    const struct guest_mem *mem = vm->mem;
    for (int i = 0; i < mem->n_regions; i++) {
        const struct guest_mem_region *r = &mem->regions[i];
        struct kvm_userspace_memory_region region = {
            .slot = (uint32_t) i,
            .guest_phys_addr = r->gpa,
            .memory_size = r->size,
            .userspace_addr = (uintptr_t) r->hva,
        };
        if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0) {
            return kvm_vm_fail(errorp, errno,
                               "KVM_SET_USER_MEMORY_REGION failed");
        }
    }
    return 0;
}

static int
kvm_vm_setup_chips(struct kvm_vm *vm, char **errorp)
{
    if (ioctl(vm->vm_fd, KVM_SET_TSS_ADDR,
              (unsigned long) KVM_VM_TSS_ADDR) < 0) {
        return kvm_vm_fail(errorp, errno, "KVM_SET_TSS_ADDR failed");
    }
    uint64_t map_addr = KVM_VM_IDENTITY_MAP_ADDR;
    if (ioctl(vm->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &map_addr) < 0) {
        return kvm_vm_fail(errorp, errno, "KVM_SET_IDENTITY_MAP_ADDR failed");
    }
    if (ioctl(vm->vm_fd, KVM_CREATE_IRQCHIP, 0) < 0) {
        return kvm_vm_fail(errorp, errno, "KVM_CREATE_IRQCHIP failed");
    }
    struct kvm_pit_config pit = { .flags = KVM_PIT_SPEAKER_DUMMY };
    if (ioctl(vm->vm_fd, KVM_CREATE_PIT2, &pit) < 0) {
        return kvm_vm_fail(errorp, errno, "KVM_CREATE_PIT2 failed");
    }
    return 0;
}

int
kvm_vm_create(struct kvm_vm *vm, struct guest_mem *mem, int n_vcpus,
              char **errorp)
{
    int error;

    memset(vm, 0, sizeof *vm);
    vm->kvm_fd = vm->vm_fd = vm->exit_fd = -1;
    vm->mem = mem;
    pthread_mutex_init(&vm->mutex, NULL);
    pthread_cond_init(&vm->cond, NULL);
    *errorp = NULL;

    if (n_vcpus < 1 || n_vcpus > KVM_VM_MAX_VCPUS) {
        return kvm_vm_fail(errorp, EINVAL, "bad vCPU count");
    }
    vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (vm->kvm_fd < 0) {
        return kvm_vm_fail(errorp, errno, "/dev/kvm");
    }
    int version = ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0);
    if (version != KVM_API_VERSION) {
        *errorp = xasprintf("/dev/kvm: API version %d, expected %d",
                            version, KVM_API_VERSION);
        return ENOTSUP;
    }
    int max = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);
    if (max > 0 && n_vcpus > max) {
        *errorp = xasprintf("%d vCPUs requested but KVM allows at most %d",
                            n_vcpus, max);
        return EINVAL;
    }
    vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
    if (vm->vm_fd < 0) {
        return kvm_vm_fail(errorp, errno, "KVM_CREATE_VM failed");
    }
    vm->exit_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (vm->exit_fd < 0) {
        return kvm_vm_fail(errorp, errno, "eventfd");
    }
    error = kvm_vm_setup_chips(vm, errorp);
    if (!error) {
        error = kvm_vm_set_memory(vm, errorp);
    }
    for (int i = 0; !error && i < n_vcpus; i++) {
        error = kvm_vcpu_create(vm, i, n_vcpus, &vm->vcpus[i], errorp);
        if (!error) {
            vm->n_vcpus++;
        }
    }
    return error;
}

void
kvm_vm_destroy(struct kvm_vm *vm)
{
    kvm_vm_stop(vm);
    for (int i = 0; i < vm->n_vcpus; i++) {
        kvm_vcpu_destroy(&vm->vcpus[i]);
    }
    if (vm->exit_fd >= 0) {
        close(vm->exit_fd);
    }
    if (vm->vm_fd >= 0) {
        close(vm->vm_fd);
    }
    if (vm->kvm_fd >= 0) {
        close(vm->kvm_fd);
    }
    vm->exit_fd = vm->vm_fd = vm->kvm_fd = -1;
    vm->n_vcpus = 0;
}

int
kvm_vm_start(struct kvm_vm *vm)
{
    for (int i = 0; i < vm->n_vcpus; i++) {
        int error = kvm_vcpu_start(&vm->vcpus[i]);
        if (error) {
            return error;
        }
    }
    return 0;
}

void
kvm_vm_request_exit(struct kvm_vm *vm, int status)
{
    pthread_mutex_lock(&vm->mutex);
    if (!vm->exit_requested) {
        vm->exit_status = status;
        __atomic_store_n(&vm->exit_requested, true, __ATOMIC_RELEASE);
        uint64_t one = 1;
        ssize_t n = write(vm->exit_fd, &one, sizeof one);
        (void) n;
    }
    pthread_mutex_unlock(&vm->mutex);
}

int
kvm_vm_exit_fd(const struct kvm_vm *vm)
{
    return vm->exit_fd;
}

int
kvm_vm_exit_status(struct kvm_vm *vm)
{
    pthread_mutex_lock(&vm->mutex);
    int status = vm->exit_requested ? vm->exit_status : -1;
    pthread_mutex_unlock(&vm->mutex);
    return status;
}

void
kvm_vm_stop(struct kvm_vm *vm)
{
    pthread_mutex_lock(&vm->mutex);
    vm->stopping = true;
    pthread_cond_broadcast(&vm->cond);
    pthread_mutex_unlock(&vm->mutex);
    for (int i = 0; i < vm->n_vcpus; i++) {
        kvm_vcpu_kick(&vm->vcpus[i]);
    }
    for (int i = 0; i < vm->n_vcpus; i++) {
        kvm_vcpu_join(&vm->vcpus[i]);
    }
}

void
kvm_vm_pause(struct kvm_vm *vm)
{
    pthread_mutex_lock(&vm->mutex);
    vm->paused = true;
    pthread_mutex_unlock(&vm->mutex);
    for (int i = 0; i < vm->n_vcpus; i++) {
        kvm_vcpu_kick(&vm->vcpus[i]);
    }
    pthread_mutex_lock(&vm->mutex);
    for (;;) {
        bool all = true;
        for (int i = 0; i < vm->n_vcpus; i++) {
            if (vm->vcpus[i].started && !vm->vcpus[i].parked) {
                all = false;
            }
        }
        if (all || vm->stopping) {
            break;
        }
        pthread_cond_wait(&vm->cond, &vm->mutex);
    }
    pthread_mutex_unlock(&vm->mutex);
}

void
kvm_vm_resume(struct kvm_vm *vm)
{
    pthread_mutex_lock(&vm->mutex);
    vm->paused = false;
    pthread_cond_broadcast(&vm->cond);
    pthread_mutex_unlock(&vm->mutex);
}

bool
kvm_vm_is_paused(struct kvm_vm *vm)
{
    pthread_mutex_lock(&vm->mutex);
    bool paused = vm->paused;
    pthread_mutex_unlock(&vm->mutex);
    return paused;
}

int
kvm_vm_irq_line(struct kvm_vm *vm, uint32_t irq, int level)
{
    struct kvm_irq_level line = { .irq = irq, .level = (uint32_t) level };
    return ioctl(vm->vm_fd, KVM_IRQ_LINE, &line) < 0 ? errno : 0;
}

int
kvm_vm_irqfd(struct kvm_vm *vm, int fd, uint32_t gsi, bool assign)
{
    struct kvm_irqfd irqfd = {
        .fd = (uint32_t) fd,
        .gsi = gsi,
        .flags = assign ? 0 : KVM_IRQFD_FLAG_DEASSIGN,
    };
    return ioctl(vm->vm_fd, KVM_IRQFD, &irqfd) < 0 ? errno : 0;
}

int
kvm_vm_ioeventfd(struct kvm_vm *vm, int fd, uint64_t addr, uint32_t len,
                 int64_t datamatch, bool assign)
{
    struct kvm_ioeventfd io = {
        .addr = addr,
        .len = len,
        .fd = fd,
    };
    if (datamatch >= 0) {
        io.datamatch = (uint64_t) datamatch;
        io.flags |= KVM_IOEVENTFD_FLAG_DATAMATCH;
    }
    if (!assign) {
        io.flags |= KVM_IOEVENTFD_FLAG_DEASSIGN;
    }
    return ioctl(vm->vm_fd, KVM_IOEVENTFD, &io) < 0 ? errno : 0;
}
