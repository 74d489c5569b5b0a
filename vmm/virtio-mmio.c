/* virtio-mmio: the version 2 transport; see virtio-mmio.h. */
#include <config.h>

#include "virtio-mmio.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "io-bus.h"
#include "kvm-vm.h"
#include "poll-loop.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(virtio_mmio);

#define VIRTIO_MMIO_WINDOW 0x1000
#define VIRTIO_MMIO_MAGIC 0x74726976        /* "virt" */
#define VIRTIO_MMIO_VENDOR 0x46464b53       /* "SKFF" */
#define VIRTIO_STATUS_NEEDS_RESET 64

/* Register offsets. */
enum {
    REG_MAGIC = 0x000,
    REG_VERSION = 0x004,
    REG_DEVICE_ID = 0x008,
    REG_VENDOR_ID = 0x00c,
    REG_DEVICE_FEATURES = 0x010,
    REG_DEVICE_FEATURES_SEL = 0x014,
    REG_DRIVER_FEATURES = 0x020,
    REG_DRIVER_FEATURES_SEL = 0x024,
    REG_QUEUE_SEL = 0x030,
    REG_QUEUE_NUM_MAX = 0x034,
    REG_QUEUE_NUM = 0x038,
    REG_QUEUE_READY = 0x044,
    REG_QUEUE_NOTIFY = 0x050,
    REG_INTERRUPT_STATUS = 0x060,
    REG_INTERRUPT_ACK = 0x064,
    REG_STATUS = 0x070,
    REG_QUEUE_DESC_LOW = 0x080,
    REG_QUEUE_DESC_HIGH = 0x084,
    REG_QUEUE_DRIVER_LOW = 0x090,
    REG_QUEUE_DRIVER_HIGH = 0x094,
    REG_QUEUE_DEVICE_LOW = 0x0a0,
    REG_QUEUE_DEVICE_HIGH = 0x0a4,
    REG_SHM_LEN_LOW = 0x0b0,
    REG_SHM_LEN_HIGH = 0x0b4,
    REG_SHM_BASE_LOW = 0x0b8,
    REG_SHM_BASE_HIGH = 0x0bc,
    REG_CONFIG_GENERATION = 0x0fc,
    REG_CONFIG = 0x100,
};

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);

int
virtio_mmio_create(struct kvm_vm *vm, const struct virtio_mmio_ops *ops,
                   void *dev, uint64_t base, uint32_t irq, int n_queues,
                   uint16_t queue_max, uint64_t features,
                   uint32_t config_size, struct virtio_mmio **mp)
{
    struct virtio_mmio *m = xzalloc(sizeof *m);
    int error = 0;

    m->ops = ops;
    m->dev = dev;
    m->vm = vm;
    m->base = base;
    m->irq = irq;
    m->n_queues = n_queues;
    m->queue_max = queue_max;
    m->device_features = features | (1ULL << VIRTIO_F_VERSION_1);
    m->config_size = config_size;
    m->call_fd = -1;
    pthread_mutex_init(&m->mutex, NULL);
    for (int i = 0; i < VIRTIO_MMIO_MAX_QUEUES; i++) {
        m->queues[i].kick_fd = -1;
    }
    if (n_queues < 1 || n_queues > VIRTIO_MMIO_MAX_QUEUES
        || config_size > VIRTIO_MMIO_WINDOW - REG_CONFIG) {
        error = EINVAL;
        goto out;
    }

    m->call_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (m->call_fd < 0) {
        error = errno;
        goto out;
    }
    error = kvm_vm_irqfd(vm, m->call_fd, irq, true);
    if (error) {
        close(m->call_fd);
        m->call_fd = -1;
        goto out;
    }
    for (int i = 0; i < n_queues; i++) {
        int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (fd < 0) {
            error = errno;
            goto out;
        }
        m->queues[i].kick_fd = fd;
        error = kvm_vm_ioeventfd(vm, fd, base + REG_QUEUE_NOTIFY, 4, i, true);
        if (error) {
            close(fd);
            m->queues[i].kick_fd = -1;
            goto out;
        }
    }

out:
    if (error) {
        m->ops = NULL;          /* The device frees its own state. */
        virtio_mmio_destroy(m);
        return error;
    }
    *mp = m;
    return 0;
}

void
virtio_mmio_destroy(struct virtio_mmio *m)
{
    if (!m) {
        return;
    }
    if (m->ops && m->ops->destroy) {
        m->ops->destroy(m);
    }
    for (int i = 0; i < VIRTIO_MMIO_MAX_QUEUES; i++) {
        int fd = m->queues[i].kick_fd;
        if (fd >= 0) {
            kvm_vm_ioeventfd(m->vm, fd, m->base + REG_QUEUE_NOTIFY, 4, i,
                             false);
            close(fd);
        }
    }
    if (m->call_fd >= 0) {
        kvm_vm_irqfd(m->vm, m->call_fd, m->irq, false);
        close(m->call_fd);
    }
    pthread_mutex_destroy(&m->mutex);
    free(m);
}

void
virtio_mmio_interrupt(struct virtio_mmio *m, uint32_t why)
{
    uint64_t one = 1;
    m->interrupt_status |= why;
    ssize_t n = write(m->call_fd, &one, sizeof one);
    (void) n;
}

static void
virtio_mmio_reset(struct virtio_mmio *m)
{
    if (m->ops->reset) {
        m->ops->reset(m);
    }
    m->status = 0;
    m->driver_features = 0;
    m->device_features_sel = m->driver_features_sel = 0;
    m->interrupt_status = 0;
    m->queue_sel = 0;
    for (int i = 0; i < m->n_queues; i++) {
        struct virtio_mmio_queue *q = &m->queues[i];
        q->num = 0;
        q->ready = false;
        q->desc = q->driver = q->device = 0;
        memset(&q->vq, 0, sizeof q->vq);
    }
}

static struct virtio_mmio_queue *
virtio_mmio_sel_queue(struct virtio_mmio *m)
{
    return m->queue_sel < (uint32_t) m->n_queues
           ? &m->queues[m->queue_sel] : NULL;
}

static uint32_t
virtio_mmio_read_reg(struct virtio_mmio *m, uint64_t reg)
{
    struct virtio_mmio_queue *q = virtio_mmio_sel_queue(m);

    switch (reg) {
    case REG_MAGIC:
        return VIRTIO_MMIO_MAGIC;
    case REG_VERSION:
        return 2;
    case REG_DEVICE_ID:
        return m->ops->device_id;
    case REG_VENDOR_ID:
        return VIRTIO_MMIO_VENDOR;
    case REG_DEVICE_FEATURES:
        return m->device_features_sel < 2
               ? (uint32_t) (m->device_features
                             >> (32 * m->device_features_sel)) : 0;
    case REG_QUEUE_NUM_MAX:
        return q ? m->queue_max : 0;
    case REG_QUEUE_READY:
        return q ? q->ready : 0;
    case REG_INTERRUPT_STATUS:
        return m->interrupt_status
               | (m->always_vring_int ? VIRTIO_MMIO_INT_VRING : 0);
    case REG_STATUS:
        return m->status;
    case REG_CONFIG_GENERATION:
        return m->config_generation;
    case REG_SHM_LEN_LOW:
    case REG_SHM_LEN_HIGH:
    case REG_SHM_BASE_LOW:
    case REG_SHM_BASE_HIGH:
        return UINT32_MAX;          /* No shared memory regions. */
    default:
        return 0;
    }
}

static void
virtio_mmio_set_features(struct virtio_mmio *m, uint32_t v)
{
    if (m->status & VIRTIO_STATUS_FEATURES_OK
        || m->driver_features_sel >= 2) {
        return;
    }
    int shift = 32 * (int) m->driver_features_sel;
    m->driver_features &= ~((uint64_t) UINT32_MAX << shift);
    m->driver_features |= (uint64_t) v << shift;
}

static void
virtio_mmio_set_status(struct virtio_mmio *m, uint32_t v)
{
    if (!v) {
        virtio_mmio_reset(m);
        return;
    }
    v &= 0xff;
    if ((v & VIRTIO_STATUS_FEATURES_OK)
        && !(m->status & VIRTIO_STATUS_FEATURES_OK)) {
        /* Only offered features, and a virtio 1.x driver. */
        if (m->driver_features & ~m->device_features
            || !(m->driver_features & (1ULL << VIRTIO_F_VERSION_1))) {
            VLOG_WARN_RL(&rl, "%s at 0x%llx: refused driver features "
                         "0x%llx", m->ops->name,
                         (unsigned long long) m->base,
                         (unsigned long long) m->driver_features);
            v &= ~(uint32_t) VIRTIO_STATUS_FEATURES_OK;
        }
    }
    if ((v & VIRTIO_STATUS_DRIVER_OK) && !(v & VIRTIO_STATUS_FEATURES_OK)) {
        /* Virtio 1.x: no driver runs without negotiated features. */
        VLOG_WARN_RL(&rl, "%s at 0x%llx: DRIVER_OK without FEATURES_OK "
                     "ignored", m->ops->name, (unsigned long long) m->base);
        v &= ~(uint32_t) VIRTIO_STATUS_DRIVER_OK;
    }
    bool driver_ok = (v & VIRTIO_STATUS_DRIVER_OK)
                     && !(m->status & VIRTIO_STATUS_DRIVER_OK);
    m->status = v;
    if (driver_ok && m->ops->activate) {
        int error = m->ops->activate(m);
        if (error) {
            m->status |= VIRTIO_STATUS_NEEDS_RESET;
            virtio_mmio_interrupt(m, VIRTIO_MMIO_INT_CONFIG);
        }
    }
}

static void
virtio_mmio_set_ready(struct virtio_mmio *m, struct virtio_mmio_queue *q,
                      uint32_t v)
{
    if (!v) {
        q->ready = false;
        return;
    }
    if (q->ready) {
        return;
    }
    if (q->num > m->queue_max
        || virtqueue_init(&q->vq, m->vm->mem, q->num, q->desc, q->driver,
                          q->device)) {
        VLOG_WARN_RL(&rl, "%s at 0x%llx: queue %u refused: size %u, "
                     "areas 0x%llx 0x%llx 0x%llx", m->ops->name,
                     (unsigned long long) m->base, m->queue_sel, q->num,
                     (unsigned long long) q->desc,
                     (unsigned long long) q->driver,
                     (unsigned long long) q->device);
        return;
    }
    q->ready = true;
}

static void
virtio_mmio_set_addr(uint64_t *addr, uint32_t v, bool high)
{
    if (high) {
        *addr = (*addr & UINT32_MAX) | (uint64_t) v << 32;
    } else {
        *addr = (*addr & ~(uint64_t) UINT32_MAX) | v;
    }
}

static void
virtio_mmio_write_reg(struct virtio_mmio *m, uint64_t reg, uint32_t v)
{
    struct virtio_mmio_queue *q = virtio_mmio_sel_queue(m);
    bool q_writable = q && !q->ready;

    switch (reg) {
    case REG_DEVICE_FEATURES_SEL:
        m->device_features_sel = v;
        break;
    case REG_DRIVER_FEATURES:
        virtio_mmio_set_features(m, v);
        break;
    case REG_DRIVER_FEATURES_SEL:
        m->driver_features_sel = v;
        break;
    case REG_QUEUE_SEL:
        m->queue_sel = v;
        break;
    case REG_QUEUE_NUM:
        if (q_writable) {
            q->num = v <= m->queue_max ? (uint16_t) v : 0;
        }
        break;
    case REG_QUEUE_READY:
        if (q) {
            virtio_mmio_set_ready(m, q, v);
        }
        break;
    case REG_QUEUE_NOTIFY:
        /* Normally caught by the ioeventfd; a mismatch lands here. */
        if (v < (uint32_t) m->n_queues && m->ops->notify) {
            m->ops->notify(m, (int) v);
        }
        break;
    case REG_INTERRUPT_ACK:
        m->interrupt_status &= ~v;
        break;
    case REG_STATUS:
        virtio_mmio_set_status(m, v);
        break;
    case REG_QUEUE_DESC_LOW:
    case REG_QUEUE_DESC_HIGH:
        if (q_writable) {
            virtio_mmio_set_addr(&q->desc, v, reg == REG_QUEUE_DESC_HIGH);
        }
        break;
    case REG_QUEUE_DRIVER_LOW:
    case REG_QUEUE_DRIVER_HIGH:
        if (q_writable) {
            virtio_mmio_set_addr(&q->driver, v,
                                 reg == REG_QUEUE_DRIVER_HIGH);
        }
        break;
    case REG_QUEUE_DEVICE_LOW:
    case REG_QUEUE_DEVICE_HIGH:
        if (q_writable) {
            virtio_mmio_set_addr(&q->device, v,
                                 reg == REG_QUEUE_DEVICE_HIGH);
        }
        break;
    default:
        VLOG_DBG_RL(&rl, "%s: write of 0x%x to read-only or unknown "
                    "register 0x%llx", m->ops->name, v,
                    (unsigned long long) reg);
        break;
    }
}

static void
virtio_mmio_io(void *m_, uint64_t offset, uint8_t *data, uint32_t len,
               bool is_write)
{
    struct virtio_mmio *m = m_;

    pthread_mutex_lock(&m->mutex);
    if (offset >= REG_CONFIG) {
        uint32_t off = (uint32_t) (offset - REG_CONFIG);
        if (off < m->config_size && len <= m->config_size - off) {
            if (!is_write && m->ops->config_read) {
                m->ops->config_read(m, off, data, len);
            }
        } else if (!is_write) {
            memset(data, 0, len);
        }
    } else if (len != 4 || offset % 4) {
        VLOG_WARN_RL(&rl, "%s: %u-byte access to register 0x%llx ignored",
                     m->ops->name, len, (unsigned long long) offset);
    } else if (is_write) {
        uint32_t v;
        memcpy(&v, data, 4);
        virtio_mmio_write_reg(m, offset, v);
    } else {
        uint32_t v = virtio_mmio_read_reg(m, offset);
        memcpy(data, &v, 4);
    }
    pthread_mutex_unlock(&m->mutex);
}

int
virtio_mmio_attach(struct virtio_mmio *m)
{
    return io_bus_register(&m->vm->mmio, m->base, VIRTIO_MMIO_WINDOW,
                           virtio_mmio_io, m);
}

void
virtio_mmio_run(struct virtio_mmio *m)
{
    pthread_mutex_lock(&m->mutex);
    if (m->ops->notify) {
        for (int i = 0; i < m->n_queues; i++) {
            uint64_t count;
            int fd = m->queues[i].kick_fd;
            if (fd >= 0 && read(fd, &count, sizeof count) == sizeof count) {
                m->ops->notify(m, i);
            }
        }
    }
    if (m->ops->run) {
        m->ops->run(m);
    }
    pthread_mutex_unlock(&m->mutex);
}

void
virtio_mmio_wait(struct virtio_mmio *m)
{
    pthread_mutex_lock(&m->mutex);
    if (m->ops->notify) {
        for (int i = 0; i < m->n_queues; i++) {
            if (m->queues[i].kick_fd >= 0) {
                poll_fd_wait(m->queues[i].kick_fd, POLLIN);
            }
        }
    }
    if (m->ops->wait) {
        m->ops->wait(m);
    }
    pthread_mutex_unlock(&m->mutex);
}

struct json_object *
virtio_mmio_describe(struct virtio_mmio *m)
{
    struct json_object *obj = json_object_new_object();
    char *base = xasprintf("0x%llx", (unsigned long long) m->base);

    pthread_mutex_lock(&m->mutex);
    json_object_object_add(obj, "type", json_object_new_string(m->ops->name));
    json_object_object_add(obj, "mmio", json_object_new_string(base));
    json_object_object_add(obj, "irq", json_object_new_int64(m->irq));
    json_object_object_add(obj, "status", json_object_new_int64(m->status));
    if (m->ops->describe) {
        m->ops->describe(m, obj);
    }
    pthread_mutex_unlock(&m->mutex);
    free(base);
    return obj;
}
