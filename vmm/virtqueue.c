/* virtqueue: the split-ring descriptor walker; see virtqueue.h. */
#include <config.h>

#include "virtqueue.h"

#include <errno.h>
#include <string.h>

#include "guest-mem.h"

#define VIRTQ_DESC_SIZE 16
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1

struct virtq_desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
};

static uint64_t
virtq_avail_size(uint16_t size)
{
    return 6 + 2 * (uint64_t) size;
}

static uint64_t
virtq_used_size(uint16_t size)
{
    return 6 + 8 * (uint64_t) size;
}

int
virtqueue_init(struct virtqueue *q, const struct guest_mem *mem,
               uint16_t size, uint64_t desc, uint64_t avail, uint64_t used)
{
    if (!size || size > VIRTQ_MAX_SIZE || (size & (size - 1))
        || desc % 16 || avail % 2 || used % 4
        || !guest_mem_ptr(mem, desc, (uint64_t) size * VIRTQ_DESC_SIZE)
        || !guest_mem_ptr(mem, avail, virtq_avail_size(size))
        || !guest_mem_ptr(mem, used, virtq_used_size(size))) {
        return EINVAL;
    }
    memset(q, 0, sizeof *q);
    q->size = size;
    q->desc_gpa = desc;
    q->avail_gpa = avail;
    q->used_gpa = used;
    return 0;
}

static uint16_t
load16(const void *p)
{
    uint16_t v;
    __atomic_load((const uint16_t *) p, &v, __ATOMIC_ACQUIRE);
    return v;
}

/* Reads descriptor I of the table at TABLE (already checked to hold
 * more than I entries). */
static void
virtq_read_desc(const uint8_t *table, uint32_t i, struct virtq_desc *d)
{
    memcpy(d, table + (size_t) i * VIRTQ_DESC_SIZE, sizeof *d);
}

/* Adds buffer D to CHAIN.  Returns 0 or EINVAL. */
static int
virtq_add_buffer(struct virtq_chain *chain, const struct guest_mem *mem,
                 const struct virtq_desc *d)
{
    bool write = d->flags & VIRTQ_DESC_F_WRITE;
    void *p = guest_mem_ptr(mem, d->addr, d->len);

    if (!p || chain->n_iov >= VIRTQ_MAX_IOV) {
        return EINVAL;
    }
    if (!write && chain->n_iov > chain->n_readable) {
        return EINVAL;              /* Readable after writable. */
    }
    uint32_t *sum = write ? &chain->writable_len : &chain->readable_len;
    if (d->len > UINT32_MAX - chain->readable_len - chain->writable_len) {
        return EINVAL;
    }
    *sum += d->len;
    chain->iov[chain->n_iov++] = (struct virtq_iov) {
        .base = p, .len = d->len, .write = write,
    };
    if (!write) {
        chain->n_readable++;
    }
    return 0;
}

/* Walks the indirect table described by D. */
static int
virtq_walk_indirect(struct virtq_chain *chain, const struct guest_mem *mem,
                    const struct virtq_desc *d)
{
    if (d->flags & VIRTQ_DESC_F_NEXT || !d->len || d->len % VIRTQ_DESC_SIZE
        || d->len / VIRTQ_DESC_SIZE > VIRTQ_MAX_INDIRECT) {
        return EINVAL;
    }
    uint32_t n = d->len / VIRTQ_DESC_SIZE;
    const uint8_t *table = guest_mem_ptr(mem, d->addr, d->len);
    if (!table) {
        return EINVAL;
    }

    uint32_t i = 0;
    for (uint32_t seen = 0; ; seen++) {
        struct virtq_desc e;
        if (seen >= n || i >= n) {
            return EINVAL;
        }
        virtq_read_desc(table, i, &e);
        if (e.flags & VIRTQ_DESC_F_INDIRECT) {
            return EINVAL;
        }
        int error = virtq_add_buffer(chain, mem, &e);
        if (error) {
            return error;
        }
        if (!(e.flags & VIRTQ_DESC_F_NEXT)) {
            return 0;
        }
        i = e.next;
    }
}

static int
virtq_walk(const struct virtqueue *q, const struct guest_mem *mem,
           struct virtq_chain *chain)
{
    const uint8_t *table = guest_mem_ptr(mem, q->desc_gpa,
                                         (uint64_t) q->size
                                         * VIRTQ_DESC_SIZE);
    uint32_t i = chain->head;

    if (!table) {
        return EFAULT;
    }
    for (uint32_t seen = 0; ; seen++) {
        struct virtq_desc d;
        int error;

        if (seen >= q->size || i >= q->size) {
            return EINVAL;
        }
        virtq_read_desc(table, i, &d);
        if (d.flags & VIRTQ_DESC_F_INDIRECT) {
            if (chain->n_iov) {
                return EINVAL;      /* Indirect must be the whole chain. */
            }
            error = virtq_walk_indirect(chain, mem, &d);
            return error;
        }
        error = virtq_add_buffer(chain, mem, &d);
        if (error) {
            return error;
        }
        if (!(d.flags & VIRTQ_DESC_F_NEXT)) {
            return 0;
        }
        i = d.next;
    }
}

int
virtqueue_pop(struct virtqueue *q, const struct guest_mem *mem,
              struct virtq_chain *chain)
{
    if (q->broken || !q->size) {
        return EFAULT;
    }
    const uint8_t *avail = guest_mem_ptr(mem, q->avail_gpa,
                                         virtq_avail_size(q->size));
    if (!avail) {
        q->broken = true;
        return EFAULT;
    }
    uint16_t avail_idx = load16(avail + 2);
    uint16_t pending = (uint16_t) (avail_idx - q->last_avail);
    if (!pending) {
        return EAGAIN;
    }
    if (pending > q->size) {
        q->broken = true;
        return EFAULT;
    }

    chain->head = load16(avail + 4 + 2 * (q->last_avail % q->size));
    chain->n_iov = chain->n_readable = 0;
    chain->readable_len = chain->writable_len = 0;
    q->last_avail++;

    int error = virtq_walk(q, mem, chain);
    if (error == EFAULT) {
        q->broken = true;
    } else if (error) {
        chain->n_iov = chain->n_readable = 0;
        chain->readable_len = chain->writable_len = 0;
    }
    return error;
}

void
virtqueue_push(struct virtqueue *q, const struct guest_mem *mem,
               uint16_t head, uint32_t len)
{
    uint8_t *used = guest_mem_ptr(mem, q->used_gpa,
                                  virtq_used_size(q->size));
    if (!used || !q->size) {
        q->broken = true;
        return;
    }
    uint8_t *elem = used + 4 + 8 * (size_t) (q->used_idx % q->size);
    uint32_t id = head;
    memcpy(elem, &id, 4);
    memcpy(elem + 4, &len, 4);
    q->used_idx++;
    __atomic_store_n((uint16_t *) (used + 2), q->used_idx, __ATOMIC_RELEASE);
}

bool
virtqueue_no_interrupt(const struct virtqueue *q,
                       const struct guest_mem *mem)
{
    const uint8_t *avail = guest_mem_ptr(mem, q->avail_gpa, 2);
    return avail && (load16(avail) & VIRTQ_AVAIL_F_NO_INTERRUPT);
}

size_t
virtq_chain_read(const struct virtq_chain *chain, size_t offset,
                 void *dst_, size_t len)
{
    uint8_t *dst = dst_;
    size_t done = 0;

    for (int i = 0; i < chain->n_readable && done < len; i++) {
        const struct virtq_iov *v = &chain->iov[i];
        if (offset >= v->len) {
            offset -= v->len;
            continue;
        }
        size_t n = v->len - offset;
        if (n > len - done) {
            n = len - done;
        }
        memcpy(dst + done, (uint8_t *) v->base + offset, n);
        done += n;
        offset = 0;
    }
    return done;
}

size_t
virtq_chain_write(const struct virtq_chain *chain, size_t offset,
                  const void *src_, size_t len)
{
    const uint8_t *src = src_;
    size_t done = 0;

    for (int i = chain->n_readable; i < chain->n_iov && done < len; i++) {
        const struct virtq_iov *v = &chain->iov[i];
        if (offset >= v->len) {
            offset -= v->len;
            continue;
        }
        size_t n = v->len - offset;
        if (n > len - done) {
            n = len - done;
        }
        memcpy((uint8_t *) v->base + offset, src + done, n);
        done += n;
        offset = 0;
    }
    return done;
}
