/*
 * virtqueue: the device side of a virtio 1.x split ring, for devices the
 * VMM serves itself (virtio-blk).
 *
 * The guest is untrusted.  virtqueue_pop() walks one descriptor chain and
 * checks every address and length it meets against guest memory before
 * anything uses it:
 *   - the avail index may run at most the ring's size ahead of the device;
 *     more breaks the queue (EFAULT: the guest must reset the device);
 *   - a head or next index must be below the ring's size;
 *   - a chain may visit at most as many descriptors as its table holds
 *     (so a loop ends) and yield at most VIRTQ_MAX_IOV buffers;
 *   - each buffer [addr, addr + len) must lie wholly in guest RAM (sums
 *     that wrap are refused); the total length must fit 32 bits;
 *   - an indirect table (VIRTQ_DESC_F_INDIRECT) must be a whole number of
 *     16-byte descriptors in guest RAM, not nested, not chained with NEXT,
 *     with at most VIRTQ_MAX_INDIRECT entries;
 *   - device-writable buffers come after every readable one.
 * A chain that breaks a rule is consumed and reported (EINVAL, with its
 * head) so that the device completes it with nothing written; memory
 * outside guest RAM is never read or written.
 *
 * Not thread-safe: the caller serializes access to a queue.
 */
#ifndef SKIFF_VMM_VIRTQUEUE_H
#define SKIFF_VMM_VIRTQUEUE_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct guest_mem;

#define VIRTQ_MAX_SIZE 32768
#define VIRTQ_MAX_IOV 256
#define VIRTQ_MAX_INDIRECT 1024

#define VIRTQ_DESC_F_NEXT 1
#define VIRTQ_DESC_F_WRITE 2
#define VIRTQ_DESC_F_INDIRECT 4

struct virtqueue {
    uint16_t size;              /* Descriptors in the ring (power of 2). */
    uint64_t desc_gpa;          /* Descriptor table. */
    uint64_t avail_gpa;         /* Driver area. */
    uint64_t used_gpa;          /* Device area. */
    uint16_t last_avail;        /* Next avail entry to take. */
    uint16_t used_idx;          /* Next used entry to fill. */
    bool broken;                /* Set on EFAULT until reset. */
};

struct virtq_iov {
    void *base;                 /* In guest memory, checked. */
    uint32_t len;
    bool write;                 /* Device-writable. */
};

struct virtq_chain {
    uint16_t head;
    int n_iov;
    int n_readable;             /* The first n_readable iovs. */
    uint32_t readable_len;      /* Sum of the readable lengths. */
    uint32_t writable_len;      /* Sum of the writable lengths. */
    struct virtq_iov iov[VIRTQ_MAX_IOV];
};

/* Sets Q up for SIZE descriptors at the given addresses after checking
 * that SIZE is a power of two from 1 to VIRTQ_MAX_SIZE, each area is
 * aligned as the specification asks (16, 2, 4) and lies in guest memory.
 * Returns 0 or EINVAL (Q unchanged). */
int virtqueue_init(struct virtqueue *, const struct guest_mem *,
                   uint16_t size, uint64_t desc, uint64_t avail,
                   uint64_t used);

/* Takes the next available chain into *CHAIN.  Returns 0, EAGAIN when
 * there is none, EINVAL for a bad chain (consumed; CHAIN->head is its
 * head, to complete with length 0), or EFAULT when the ring itself is
 * broken. */
int virtqueue_pop(struct virtqueue *, const struct guest_mem *,
                  struct virtq_chain *);

/* Completes chain HEAD with LEN bytes written. */
void virtqueue_push(struct virtqueue *, const struct guest_mem *,
                    uint16_t head, uint32_t len);

/* Whether the driver asked for no interrupts (VIRTQ_AVAIL_F_NO_INTERRUPT). */
bool virtqueue_no_interrupt(const struct virtqueue *,
                            const struct guest_mem *);

/* Copies up to LEN bytes from the chain's readable buffers, starting
 * OFFSET bytes into them; returns the bytes copied. */
size_t virtq_chain_read(const struct virtq_chain *, size_t offset,
                        void *dst, size_t len);
/* Copies up to LEN bytes into the chain's writable buffers, starting
 * OFFSET bytes into them; returns the bytes copied. */
size_t virtq_chain_write(const struct virtq_chain *, size_t offset,
                         const void *src, size_t len);

#endif /* virtqueue.h */
