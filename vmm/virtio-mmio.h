/*
 * virtio-mmio: the virtio-mmio transport, version 2 (virtio 1.x only:
 * VIRTIO_F_VERSION_1 must be negotiated), one 4 KiB register window per
 * device.
 *
 * Every register the guest writes is checked: queue settings only while
 * the queue is not ready, a queue size that is a power of two up to the
 * device's maximum, ring areas aligned and inside guest RAM (checked when
 * the guest sets QueueReady; a bad queue stays not ready), features only
 * among those offered, accesses of the wrong width ignored.
 *
 * Notifications go through KVM: each queue has an ioeventfd on the
 * QueueNotify register (matching the queue index), and the device's
 * interrupt is an irqfd on its GSI.  A device served by the VMM (virtio-
 * blk) has its kick fds polled by the main loop, which calls ops->notify;
 * a device served elsewhere (vhost-user) hands the fds to its backend.
 *
 * Registers are served on the vCPU threads and the device's queues on the
 * main thread; struct virtio_mmio's mutex serializes them.
 */
#ifndef SKIFF_VMM_VIRTIO_MMIO_H
#define SKIFF_VMM_VIRTIO_MMIO_H 1

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "virtqueue.h"

struct json_object;
struct kvm_vm;
struct virtio_mmio;

#define VIRTIO_MMIO_MAX_QUEUES 8
#define VIRTIO_F_VERSION_1 32
#define VIRTIO_MMIO_INT_VRING 1
#define VIRTIO_MMIO_INT_CONFIG 2

/* Device status bits. */
#define VIRTIO_STATUS_ACKNOWLEDGE 1
#define VIRTIO_STATUS_DRIVER 2
#define VIRTIO_STATUS_DRIVER_OK 4
#define VIRTIO_STATUS_FEATURES_OK 8
#define VIRTIO_STATUS_FAILED 128

/* What a device type provides.  Every callback runs with the device's
 * mutex held. */
struct virtio_mmio_ops {
    const char *name;           /* "blk", "net". */
    uint32_t device_id;
    /* Reads or writes LEN bytes of device configuration at OFFSET (already
     * checked to be inside config_size). */
    void (*config_read)(struct virtio_mmio *, uint32_t offset,
                        uint8_t *data, uint32_t len);
    /* The guest set DRIVER_OK (NULL: nothing to do).  Returns 0 or a
     * positive errno value, after which the device sets
     * DEVICE_NEEDS_RESET in its status. */
    int (*activate)(struct virtio_mmio *);
    /* The guest reset the device (NULL: nothing to do). */
    void (*reset)(struct virtio_mmio *);
    /* Queue Q was kicked (devices served by the VMM). */
    void (*notify)(struct virtio_mmio *, int q);
    /* Main-loop work and wait (NULL: none). */
    void (*run)(struct virtio_mmio *);
    void (*wait)(struct virtio_mmio *);
    /* Adds the device's own members to OBJ, for "info" (NULL: none). */
    void (*describe)(struct virtio_mmio *, struct json_object *obj);
    void (*destroy)(struct virtio_mmio *);
};

struct virtio_mmio_queue {
    uint16_t num;               /* Size the driver chose. */
    bool ready;
    uint64_t desc, driver, device;
    struct virtqueue vq;        /* Valid while ready. */
    int kick_fd;                /* ioeventfd on QueueNotify. */
};

struct virtio_mmio {
    const struct virtio_mmio_ops *ops;
    void *dev;                  /* The device's own state. */
    struct kvm_vm *vm;
    uint64_t base;
    uint32_t irq;
    int call_fd;                /* irqfd on IRQ. */

    pthread_mutex_t mutex;      /* Guards everything below. */
    uint64_t device_features;
    uint64_t driver_features;
    uint32_t device_features_sel;
    uint32_t driver_features_sel;
    uint32_t status;
    uint32_t interrupt_status;
    bool always_vring_int;      /* InterruptStatus always says "vring". */
    uint32_t config_generation;
    uint32_t config_size;
    int n_queues;
    uint16_t queue_max;
    uint32_t queue_sel;
    struct virtio_mmio_queue queues[VIRTIO_MMIO_MAX_QUEUES];
};

/* Creates a device of type OPS at BASE with interrupt IRQ and N_QUEUES
 * queues of at most QUEUE_MAX descriptors, offering FEATURES (to which
 * VIRTIO_F_VERSION_1 is added).  Creates the kick and call eventfds and
 * binds them in KVM.  Returns 0 or a positive errno value. */
int virtio_mmio_create(struct kvm_vm *, const struct virtio_mmio_ops *,
                       void *dev, uint64_t base, uint32_t irq,
                       int n_queues, uint16_t queue_max, uint64_t features,
                       uint32_t config_size, struct virtio_mmio **);

/* Registers the device's window on the VM's MMIO bus. */
int virtio_mmio_attach(struct virtio_mmio *);

void virtio_mmio_run(struct virtio_mmio *);
void virtio_mmio_wait(struct virtio_mmio *);
void virtio_mmio_destroy(struct virtio_mmio *);   /* Accepts NULL. */

/* For devices, with the mutex held: raise the interrupt for used
 * buffers or a configuration change. */
void virtio_mmio_interrupt(struct virtio_mmio *, uint32_t why);

/* A new JSON object describing the device (type, window, IRQ, status and
 * the device's own members), for "info". */
struct json_object *virtio_mmio_describe(struct virtio_mmio *);

#endif /* virtio-mmio.h */
