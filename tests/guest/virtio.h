/* The test guest's virtio-mmio transport (version 2, virtio 1.x only)
 * and split virtqueues, driven by polling: the guest never takes an
 * interrupt, it reads the used rings.
 *
 * A driver probes the device, negotiates features, sets up its queues
 * with memory it owns, then marks the device ready.  Each queue has at
 * most VIRTQ_MAX entries; buffers are guest-physical addresses (the guest
 * runs identity-mapped). */

#ifndef VIRTIO_H
#define VIRTIO_H 1

#include "guest.h"

#define VIRTIO_ID_NET 1
#define VIRTIO_ID_BLK 2

#define VIRTIO_F_VERSION_1 32

#define VIRTQ_MAX 32            /* entries per queue */

#define VIRTQ_DESC_F_NEXT 1
#define VIRTQ_DESC_F_WRITE 2

struct virtq_desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
};

struct virtq_avail {
    uint16_t flags;
    uint16_t idx;
    uint16_t ring[VIRTQ_MAX];
    uint16_t used_event;
};

struct virtq_used_elem {
    uint32_t id;
    uint32_t len;
};

struct virtq_used {
    uint16_t flags;
    uint16_t idx;
    struct virtq_used_elem ring[VIRTQ_MAX];
    uint16_t avail_event;
};

struct virtq {
    struct virtq_desc desc[VIRTQ_MAX] __attribute__((aligned(16)));
    struct virtq_avail avail __attribute__((aligned(2)));
    struct virtq_used used __attribute__((aligned(4)));
    uint16_t size;              /* entries in use, a power of 2 */
    uint16_t index;             /* the queue's number in the device */
    uint16_t avail_idx;         /* next avail.idx to publish */
    uint16_t last_used;         /* next used entry to read */
    uintptr_t base;             /* the device's registers */
};

struct virtio_dev {
    uintptr_t base;
    uint32_t irq;
    uint32_t device_id;
    uint64_t features;          /* negotiated */
};

/* Reads the device at 'base': returns its device ID (0: no device), or
 * -1 after printing what is wrong (not virtio-mmio, not version 2). */
int virtio_probe(uint64_t base);

/* Resets the device and negotiates 'wanted' features (VERSION_1 is added
 * and required).  Returns 0 or -1 after printing why. */
int virtio_start(struct virtio_dev *dev, uint64_t base, uint32_t irq,
                 uint64_t wanted);

/* Sets up queue 'index' with 'q', at most 'max' entries (a power of 2 no
 * more than VIRTQ_MAX).  Returns 0 or -1 after printing why. */
int virtio_queue_init(struct virtio_dev *dev, struct virtq *q,
                      uint16_t index, uint16_t max);

/* Sets DRIVER_OK; returns 0, or -1 if the device refused. */
int virtio_ready(struct virtio_dev *dev);

/* Reads byte 'offset' of the device-specific configuration. */
uint8_t virtio_config8(const struct virtio_dev *dev, uint32_t offset);
uint32_t virtio_config32(const struct virtio_dev *dev, uint32_t offset);

/* Makes descriptor chain 'head' available (not yet notified). */
void virtq_add(struct virtq *q, uint16_t head);

/* Tells the device about new buffers, unless it asked not to be told. */
void virtq_kick(struct virtq *q);

/* Takes the next used entry: true with '*id' and '*len' set, or false if
 * there is none. */
bool virtq_get(struct virtq *q, uint32_t *id, uint32_t *len);

#endif /* virtio.h */
