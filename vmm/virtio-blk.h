/*
 * virtio-blk: a block device on a raw image file, served by the VMM's main
 * (event) thread.
 *
 * Requests: read (VIRTIO_BLK_T_IN), write (T_OUT, refused with IOERR on a
 * read-only disk), flush (T_FLUSH, fdatasync), device id (T_GET_ID, the
 * image's file name, at most 20 bytes).  Each request is checked: a
 * 16-byte header in the readable part, a status byte at the end of the
 * writable part, a data length that is a whole number of 512-byte
 * sectors, and sectors inside the image.  A request that breaks a rule
 * completes with IOERR; a chain the walker refuses completes with nothing
 * written (see virtqueue.h).  The device never stops for a bad request.
 */
#ifndef SKIFF_VMM_VIRTIO_BLK_H
#define SKIFF_VMM_VIRTIO_BLK_H 1

#include <stdbool.h>
#include <stdint.h>

struct kvm_vm;
struct virtio_mmio;

struct virtio_blk_options {
    const char *path;           /* Points into the argument; see below. */
    char path_buf[4096];
    bool readonly;
};

/* Parses "PATH[,ro]".  Returns NULL or an error message (to free). */
char *virtio_blk_parse(const char *arg, struct virtio_blk_options *);

/* Opens the image and creates the device at BASE with interrupt IRQ.
 * Returns 0 or a positive errno value with *ERRORP saying why. */
int virtio_blk_create(struct kvm_vm *, const struct virtio_blk_options *,
                      uint64_t base, uint32_t irq, struct virtio_mmio **,
                      char **errorp);

#endif /* virtio-blk.h */
