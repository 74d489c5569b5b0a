/*
 * i8042: just enough of the PC keyboard controller for the guest to reset
 * the machine: a write of 0xfe (pulse the reset line) to port 0x64 ends the
 * VM with exit status 0.  Reads of ports 0x60 and 0x64 return 0 (no data,
 * input buffer empty), so a guest polling for the controller never waits.
 */
#ifndef SKIFF_VMM_I8042_H
#define SKIFF_VMM_I8042_H 1

struct kvm_vm;

/* Registers ports 0x60 and 0x64.  Returns 0 or a positive errno value. */
int i8042_attach(struct kvm_vm *);

#endif /* i8042.h */
