/*
 * kvm-vcpu: one virtual CPU and its thread (used by kvm-vm).
 *
 * kvm_vcpu_create() makes the vCPU with the CPUID that KVM supports (the
 * hypervisor bit set, the APIC ID equal to the vCPU's index, one thread
 * per core and one core per vCPU), boot-time MSRs and a reset FPU.  The
 * boot CPU gets its registers from kvm_vcpu_setup_boot() (kvm-vm.h); the
 * others wait in the in-kernel local APIC for the guest's INIT/SIPI.
 *
 * kvm_vcpu_kick() makes a running KVM_RUN return at once (the thread then
 * looks at the VM's pause and stop flags).
 */
#ifndef SKIFF_VMM_KVM_VCPU_H
#define SKIFF_VMM_KVM_VCPU_H 1

struct kvm_vm;
struct kvm_vcpu;

/* Creates vCPU INDEX of N_VCPUS in *VCPU.  Returns 0 or a positive errno
 * value after filling *ERRORP. */
int kvm_vcpu_create(struct kvm_vm *, int index, int n_vcpus,
                    struct kvm_vcpu *, char **errorp);
void kvm_vcpu_destroy(struct kvm_vcpu *);
int kvm_vcpu_start(struct kvm_vcpu *);
void kvm_vcpu_kick(struct kvm_vcpu *);
void kvm_vcpu_join(struct kvm_vcpu *);

#endif /* kvm-vcpu.h */
