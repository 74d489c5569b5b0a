/* virtio-blk: a raw-image block device; see virtio-blk.h. */
#include <config.h>

#include "virtio-blk.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "kvm-vm.h"
#include "util.h"
#include "virtio-mmio.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(virtio_blk);

#define VIRTIO_ID_BLOCK 2
#define VIRTIO_BLK_F_RO 5
#define VIRTIO_BLK_F_FLUSH 9

#define VIRTIO_BLK_T_IN 0
#define VIRTIO_BLK_T_OUT 1
#define VIRTIO_BLK_T_FLUSH 4
#define VIRTIO_BLK_T_GET_ID 8

#define VIRTIO_BLK_S_OK 0
#define VIRTIO_BLK_S_IOERR 1
#define VIRTIO_BLK_S_UNSUPP 2

#define VIRTIO_BLK_ID_BYTES 20
#define VIRTIO_BLK_QUEUE_MAX 256
#define VIRTIO_BLK_CONFIG_SIZE 8    /* Capacity only. */
#define SECTOR 512

struct virtio_blk {
    int fd;
    char *path;
    bool readonly;
    uint64_t sectors;
    uint64_t n_requests;
    uint64_t n_errors;
};

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);

char *
virtio_blk_parse(const char *arg, struct virtio_blk_options *o)
{
    memset(o, 0, sizeof *o);
    const char *comma = strchr(arg, ',');
    size_t len = comma ? (size_t) (comma - arg) : strlen(arg);
    if (!len) {
        return xstrdup("the image path is empty");
    }
    if (len >= sizeof o->path_buf) {
        return xstrdup("the image path is too long");
    }
    memcpy(o->path_buf, arg, len);
    o->path = o->path_buf;
    while (comma) {
        const char *opt = comma + 1;
        comma = strchr(opt, ',');
        size_t n = comma ? (size_t) (comma - opt) : strlen(opt);
        if (n == 2 && !strncmp(opt, "ro", 2)) {
            o->readonly = true;
        } else {
            return xasprintf("unknown option \"%.*s\" (only \"ro\")",
                             (int) n, opt);
        }
    }
    return NULL;
}

static void
virtio_blk_config_read(struct virtio_mmio *m, uint32_t offset, uint8_t *data,
                       uint32_t len)
{
    struct virtio_blk *b = m->dev;
    uint8_t config[VIRTIO_BLK_CONFIG_SIZE];
    for (int i = 0; i < 8; i++) {
        config[i] = (uint8_t) (b->sectors >> (8 * i));
    }
    memcpy(data, config + offset, len);
}

/* Reads or writes the data buffers of CHAIN (the iovs FIRST to LAST - 1,
 * LEN bytes in all) at byte OFFSET of the image. */
static uint8_t
virtio_blk_rw(struct virtio_blk *b, const struct virtq_chain *chain,
              int first, int last, uint64_t len, uint64_t offset,
              bool write)
{
    struct iovec iov[VIRTQ_MAX_IOV];
    int n = 0;

    for (int i = first; i < last; i++) {
        iov[n].iov_base = chain->iov[i].base;
        iov[n].iov_len = chain->iov[i].len;
        n++;
    }
    while (len) {
        ssize_t done = write ? pwritev(b->fd, iov, n, (off_t) offset)
                             : preadv(b->fd, iov, n, (off_t) offset);
        if (done <= 0) {
            if (done < 0 && errno == EINTR) {
                continue;
            }
            VLOG_WARN_RL(&rl, "%s: %s at byte %llu: %s", b->path,
                         write ? "write" : "read",
                         (unsigned long long) offset,
                         done < 0 ? strerror(errno) : "end of file");
            return VIRTIO_BLK_S_IOERR;
        }
        len -= (uint64_t) done;
        offset += (uint64_t) done;
        /* Skip what was done. */
        size_t skip = (size_t) done;
        int k = 0;
        while (k < n && skip >= iov[k].iov_len) {
            skip -= iov[k].iov_len;
            k++;
        }
        if (k < n) {
            iov[k].iov_base = (uint8_t *) iov[k].iov_base + skip;
            iov[k].iov_len -= skip;
        }
        memmove(iov, iov + k, (size_t) (n - k) * sizeof *iov);
        n -= k;
    }
    return VIRTIO_BLK_S_OK;
}

/* Serves CHAIN; returns the bytes written to its writable part. */
static uint32_t
virtio_blk_request(struct virtio_blk *b, const struct virtq_chain *chain)
{
    uint8_t hdr[16];
    uint32_t type;
    uint64_t sector;
    uint8_t status = VIRTIO_BLK_S_IOERR;
    uint32_t written = 0;

    if (!chain->writable_len
        || virtq_chain_read(chain, 0, hdr, sizeof hdr) != sizeof hdr) {
        VLOG_WARN_RL(&rl, "%s: request without header or status byte",
                     b->path);
        return 0;
    }
    memcpy(&type, hdr, 4);
    memcpy(&sector, hdr + 8, 8);
    b->n_requests++;

    /* The status byte is the writable part's last byte. */
    uint32_t data_in = chain->writable_len - 1;
    uint32_t data_out = chain->readable_len - (uint32_t) sizeof hdr;

    switch (type) {
    case VIRTIO_BLK_T_IN:
    case VIRTIO_BLK_T_OUT: {
        bool write = type == VIRTIO_BLK_T_OUT;
        uint64_t len = write ? data_out : data_in;
        if (write && b->readonly) {
            break;
        }
        if (len % SECTOR || sector > b->sectors
            || len / SECTOR > b->sectors - sector) {
            VLOG_WARN_RL(&rl, "%s: %s of %llu bytes at sector %llu is "
                         "outside the disk (%llu sectors) or not whole "
                         "sectors", b->path, write ? "write" : "read",
                         (unsigned long long) len,
                         (unsigned long long) sector,
                         (unsigned long long) b->sectors);
            break;
        }
        /* Data buffers: after the header (reads: the writable ones but
         * the status byte).  The header must be a buffer of its own for
         * a write, and the status byte one of its own for a read. */
        if (write) {
            if (chain->iov[0].len != sizeof hdr) {
                VLOG_WARN_RL(&rl, "%s: write header shares a buffer",
                             b->path);
                break;
            }
            status = virtio_blk_rw(b, chain, 1, chain->n_readable, len,
                                   sector * SECTOR, true);
        } else {
            if (chain->iov[chain->n_iov - 1].len != 1) {
                VLOG_WARN_RL(&rl, "%s: read status shares a buffer",
                             b->path);
                break;
            }
            status = virtio_blk_rw(b, chain, chain->n_readable,
                                   chain->n_iov - 1, len, sector * SECTOR,
                                   false);
            if (status == VIRTIO_BLK_S_OK) {
                written = (uint32_t) len;
            }
        }
        break;
    }
    case VIRTIO_BLK_T_FLUSH:
        status = fdatasync(b->fd) ? VIRTIO_BLK_S_IOERR : VIRTIO_BLK_S_OK;
        break;
    case VIRTIO_BLK_T_GET_ID: {
        char id[VIRTIO_BLK_ID_BYTES];
        const char *base = strrchr(b->path, '/');
        const char *name = base ? base + 1 : b->path;
        size_t name_len = strlen(name);
        memset(id, 0, sizeof id);
        memcpy(id, name, name_len < sizeof id ? name_len : sizeof id);
        size_t n = data_in < sizeof id ? data_in : sizeof id;
        written = (uint32_t) virtq_chain_write(chain, 0, id, n);
        status = VIRTIO_BLK_S_OK;
        break;
    }
    default:
        status = VIRTIO_BLK_S_UNSUPP;
        break;
    }
    if (status != VIRTIO_BLK_S_OK) {
        b->n_errors++;
    }
    virtq_chain_write(chain, chain->writable_len - 1, &status, 1);
    return written + 1;
}

static void
virtio_blk_notify(struct virtio_mmio *m, int qi)
{
    struct virtio_blk *b = m->dev;
    struct virtio_mmio_queue *q = &m->queues[qi];
    struct virtq_chain *chain;
    bool used = false;

    if (!q->ready || !(m->status & VIRTIO_STATUS_DRIVER_OK)) {
        return;
    }
    chain = xmalloc(sizeof *chain);
    for (;;) {
        int error = virtqueue_pop(&q->vq, m->vm->mem, chain);
        if (error == EAGAIN) {
            break;
        } else if (error == EFAULT) {
            VLOG_WARN_RL(&rl, "%s: the guest broke its ring; the queue "
                         "stops until the device is reset", b->path);
            break;
        } else if (error) {
            VLOG_WARN_RL(&rl, "%s: bad descriptor chain at head %u "
                         "refused", b->path, chain->head);
            b->n_errors++;
            virtqueue_push(&q->vq, m->vm->mem, chain->head, 0);
        } else {
            uint32_t len = virtio_blk_request(b, chain);
            virtqueue_push(&q->vq, m->vm->mem, chain->head, len);
        }
        used = true;
    }
    free(chain);
    if (used) {
        virtio_mmio_interrupt(m, VIRTIO_MMIO_INT_VRING);
    }
}

static void
virtio_blk_describe(struct virtio_mmio *m, struct json_object *obj)
{
    struct virtio_blk *b = m->dev;
    json_object_object_add(obj, "path", json_object_new_string(b->path));
    json_object_object_add(obj, "readonly",
                           json_object_new_boolean(b->readonly));
    json_object_object_add(obj, "sectors",
                           json_object_new_int64((int64_t) b->sectors));
    json_object_object_add(obj, "requests",
                           json_object_new_int64((int64_t) b->n_requests));
    json_object_object_add(obj, "errors",
                           json_object_new_int64((int64_t) b->n_errors));
}

static void
virtio_blk_destroy(struct virtio_mmio *m)
{
    struct virtio_blk *b = m->dev;
    close(b->fd);
    free(b->path);
    free(b);
}

static const struct virtio_mmio_ops virtio_blk_ops = {
    .name = "blk",
    .device_id = VIRTIO_ID_BLOCK,
    .config_read = virtio_blk_config_read,
    .notify = virtio_blk_notify,
    .describe = virtio_blk_describe,
    .destroy = virtio_blk_destroy,
};

int
virtio_blk_create(struct kvm_vm *vm, const struct virtio_blk_options *o,
                  uint64_t base, uint32_t irq, struct virtio_mmio **mp,
                  char **errorp)
{
    int fd = open(o->path, (o->readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st)) {
        int error = errno;
        *errorp = xasprintf("%s", strerror(error));
        if (fd >= 0) {
            close(fd);
        }
        return error;
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        *errorp = xstrdup("not a regular file");
        return EINVAL;
    }
    if (st.st_size % SECTOR) {
        close(fd);
        *errorp = xasprintf("size %lld is not a whole number of 512-byte "
                            "sectors", (long long) st.st_size);
        return EINVAL;
    }

    struct virtio_blk *b = xzalloc(sizeof *b);
    b->fd = fd;
    b->path = xstrdup(o->path);
    b->readonly = o->readonly;
    b->sectors = (uint64_t) st.st_size / SECTOR;

    uint64_t features = (1ULL << VIRTIO_BLK_F_FLUSH)
                        | (o->readonly ? 1ULL << VIRTIO_BLK_F_RO : 0);
    int error = virtio_mmio_create(vm, &virtio_blk_ops, b, base, irq, 1,
                                   VIRTIO_BLK_QUEUE_MAX, features,
                                   VIRTIO_BLK_CONFIG_SIZE, mp);
    if (error) {
        *errorp = xasprintf("creating the device: %s", strerror(error));
        close(fd);
        free(b->path);
        free(b);
    }
    return error;
}
