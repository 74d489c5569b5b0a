/* The test guest's virtio-mmio transport and split virtqueues. */

#include "virtio.h"

/* Register offsets of the virtio-mmio transport, version 2. */
#define VMMIO_MAGIC 0x000
#define VMMIO_VERSION 0x004
#define VMMIO_DEVICE_ID 0x008
#define VMMIO_DEVICE_FEATURES 0x010
#define VMMIO_DEVICE_FEATURES_SEL 0x014
#define VMMIO_DRIVER_FEATURES 0x020
#define VMMIO_DRIVER_FEATURES_SEL 0x024
#define VMMIO_QUEUE_SEL 0x030
#define VMMIO_QUEUE_NUM_MAX 0x034
#define VMMIO_QUEUE_NUM 0x038
#define VMMIO_QUEUE_READY 0x044
#define VMMIO_QUEUE_NOTIFY 0x050
#define VMMIO_STATUS 0x070
#define VMMIO_QUEUE_DESC_LOW 0x080
#define VMMIO_QUEUE_DESC_HIGH 0x084
#define VMMIO_QUEUE_DRIVER_LOW 0x090
#define VMMIO_QUEUE_DRIVER_HIGH 0x094
#define VMMIO_QUEUE_DEVICE_LOW 0x0a0
#define VMMIO_QUEUE_DEVICE_HIGH 0x0a4
#define VMMIO_CONFIG 0x100

#define VMMIO_MAGIC_VALUE 0x74726976    /* "virt" */

/* Device status bits. */
#define STATUS_ACKNOWLEDGE 1
#define STATUS_DRIVER 2
#define STATUS_DRIVER_OK 4
#define STATUS_FEATURES_OK 8
#define STATUS_FAILED 0x80

#define VIRTQ_USED_F_NO_NOTIFY 1

int
virtio_probe(uint64_t base)
{
    uint32_t magic = mmio_read32(base + VMMIO_MAGIC);
    if (magic != VMMIO_MAGIC_VALUE) {
        con_printf("virtio: 0x%lx: no virtio-mmio device (magic 0x%x)\n",
                   base, magic);
        return -1;
    }
    uint32_t version = mmio_read32(base + VMMIO_VERSION);
    if (version != 2) {
        con_printf("virtio: 0x%lx: version %u, not 2\n", base, version);
        return -1;
    }
    return (int) mmio_read32(base + VMMIO_DEVICE_ID);
}

static uint64_t
virtio_device_features(uintptr_t base)
{
    mmio_write32(base + VMMIO_DEVICE_FEATURES_SEL, 1);
    uint64_t features = (uint64_t) mmio_read32(base + VMMIO_DEVICE_FEATURES)
                        << 32;
    mmio_write32(base + VMMIO_DEVICE_FEATURES_SEL, 0);
    return features | mmio_read32(base + VMMIO_DEVICE_FEATURES);
}

int
virtio_start(struct virtio_dev *dev, uint64_t base, uint32_t irq,
             uint64_t wanted)
{
    dev->base = base;
    dev->irq = irq;
    dev->device_id = mmio_read32(base + VMMIO_DEVICE_ID);

    mmio_write32(base + VMMIO_STATUS, 0);
    for (int i = 0; mmio_read32(base + VMMIO_STATUS); i++) {
        if (i >= 1000) {
            con_printf("virtio: 0x%lx: device does not reset\n", base);
            return -1;
        }
        cpu_relax();
    }
    mmio_write32(base + VMMIO_STATUS, STATUS_ACKNOWLEDGE);
    mmio_write32(base + VMMIO_STATUS, STATUS_ACKNOWLEDGE | STATUS_DRIVER);

    uint64_t offered = virtio_device_features(base);
    wanted |= UINT64_C(1) << VIRTIO_F_VERSION_1;
    if (!(offered & (UINT64_C(1) << VIRTIO_F_VERSION_1))) {
        con_printf("virtio: 0x%lx: no VIRTIO_F_VERSION_1 (features 0x%lx)\n",
                   base, offered);
        mmio_write32(base + VMMIO_STATUS, STATUS_FAILED);
        return -1;
    }
    dev->features = offered & wanted;

    mmio_write32(base + VMMIO_DRIVER_FEATURES_SEL, 0);
    mmio_write32(base + VMMIO_DRIVER_FEATURES, (uint32_t) dev->features);
    mmio_write32(base + VMMIO_DRIVER_FEATURES_SEL, 1);
    mmio_write32(base + VMMIO_DRIVER_FEATURES,
                 (uint32_t) (dev->features >> 32));
    mmio_write32(base + VMMIO_STATUS,
                 STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK);
    if (!(mmio_read32(base + VMMIO_STATUS) & STATUS_FEATURES_OK)) {
        con_printf("virtio: 0x%lx: features 0x%lx refused\n", base,
                   dev->features);
        mmio_write32(base + VMMIO_STATUS, STATUS_FAILED);
        return -1;
    }
    return 0;
}

static void
virtio_write64(uintptr_t low, uintptr_t high, uint64_t value)
{
    mmio_write32(low, (uint32_t) value);
    mmio_write32(high, (uint32_t) (value >> 32));
}

int
virtio_queue_init(struct virtio_dev *dev, struct virtq *q, uint16_t index,
                  uint16_t max)
{
    uintptr_t base = dev->base;

    mmio_write32(base + VMMIO_QUEUE_SEL, index);
    if (mmio_read32(base + VMMIO_QUEUE_READY)) {
        con_printf("virtio: 0x%lx: queue %u already in use\n",
                   (uint64_t) base, index);
        return -1;
    }
    uint32_t num_max = mmio_read32(base + VMMIO_QUEUE_NUM_MAX);
    if (!num_max) {
        con_printf("virtio: 0x%lx: no queue %u\n", (uint64_t) base, index);
        return -1;
    }
    uint16_t size = max;
    while (size > num_max) {
        size /= 2;
    }
    if (!size) {
        con_printf("virtio: 0x%lx: queue %u is too small\n",
                   (uint64_t) base, index);
        return -1;
    }

    memset(q, 0, sizeof *q);
    q->size = size;
    q->index = index;
    q->base = base;

    mmio_write32(base + VMMIO_QUEUE_NUM, size);
    virtio_write64(base + VMMIO_QUEUE_DESC_LOW, base + VMMIO_QUEUE_DESC_HIGH,
                   (uintptr_t) q->desc);
    virtio_write64(base + VMMIO_QUEUE_DRIVER_LOW,
                   base + VMMIO_QUEUE_DRIVER_HIGH, (uintptr_t) &q->avail);
    virtio_write64(base + VMMIO_QUEUE_DEVICE_LOW,
                   base + VMMIO_QUEUE_DEVICE_HIGH, (uintptr_t) &q->used);
    mmio_write32(base + VMMIO_QUEUE_READY, 1);
    return 0;
}

int
virtio_ready(struct virtio_dev *dev)
{
    mmio_write32(dev->base + VMMIO_STATUS,
                 STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK
                 | STATUS_DRIVER_OK);
    uint32_t status = mmio_read32(dev->base + VMMIO_STATUS);
    if (!(status & STATUS_DRIVER_OK) || status & STATUS_FAILED) {
        con_printf("virtio: 0x%lx: device refused DRIVER_OK (status "
                   "0x%x)\n", (uint64_t) dev->base, status);
        return -1;
    }
    return 0;
}

uint8_t
virtio_config8(const struct virtio_dev *dev, uint32_t offset)
{
    return mmio_read8(dev->base + VMMIO_CONFIG + offset);
}

uint32_t
virtio_config32(const struct virtio_dev *dev, uint32_t offset)
{
    return mmio_read32(dev->base + VMMIO_CONFIG + offset);
}

void
virtq_add(struct virtq *q, uint16_t head)
{
    q->avail.ring[q->avail_idx & (q->size - 1)] = head;
    barrier();                  /* the entry before the index */
    q->avail_idx++;
    *(volatile uint16_t *) &q->avail.idx = q->avail_idx;
}

void
virtq_kick(struct virtq *q)
{
    full_barrier();             /* the index before reading the flags */
    if (!(*(volatile uint16_t *) &q->used.flags & VIRTQ_USED_F_NO_NOTIFY)) {
        mmio_write32(q->base + VMMIO_QUEUE_NOTIFY, q->index);
    }
}

bool
virtq_get(struct virtq *q, uint32_t *id, uint32_t *len)
{
    if (*(volatile uint16_t *) &q->used.idx == q->last_used) {
        return false;
    }
    barrier();                  /* the index before the entry */
    const volatile struct virtq_used_elem *e
        = &q->used.ring[q->last_used & (q->size - 1)];
    *id = e->id;
    *len = e->len;
    q->last_used++;
    return true;
}
