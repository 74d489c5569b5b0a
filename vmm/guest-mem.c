/* guest-mem: the guest's RAM; see guest-mem.h. */
#include <config.h>

#include "guest-mem.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static void
guest_mem_set_regions(struct guest_mem *mem)
{
    uint64_t low = mem->size < GUEST_MEM_HOLE_START
                   ? mem->size : GUEST_MEM_HOLE_START;

    mem->n_regions = 1;
    mem->regions[0] = (struct guest_mem_region) {
        .gpa = 0, .size = low, .fd_offset = 0, .hva = mem->base,
    };
    if (mem->size > low) {
        mem->n_regions = 2;
        mem->regions[1] = (struct guest_mem_region) {
            .gpa = GUEST_MEM_HIGH_START, .size = mem->size - low,
            .fd_offset = low, .hva = mem->base + low,
        };
    }
}

int
guest_mem_create(struct guest_mem *mem, const char *name, uint64_t size)
{
    memset(mem, 0, sizeof *mem);
    mem->fd = -1;
    if (size < GUEST_MEM_MIN || size > GUEST_MEM_MAX
        || size % (2ULL << 20)) {
        return EINVAL;
    }

    int fd = memfd_create(name, MFD_CLOEXEC);
    if (fd < 0) {
        return errno;
    }
    if (ftruncate(fd, (off_t) size) < 0) {
        int error = errno;
        close(fd);
        return error;
    }
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) {
        int error = errno;
        close(fd);
        return error;
    }
    madvise(p, size, MADV_DONTDUMP);
    mem->fd = fd;
    mem->size = size;
    mem->base = p;
    guest_mem_set_regions(mem);
    return 0;
}

void
guest_mem_init_buffer(struct guest_mem *mem, void *buf, uint64_t size)
{
    memset(mem, 0, sizeof *mem);
    mem->fd = -1;
    mem->size = size;
    mem->base = buf;
    mem->n_regions = 1;
    mem->regions[0] = (struct guest_mem_region) {
        .gpa = 0, .size = size, .fd_offset = 0, .hva = buf,
    };
}

void
guest_mem_destroy(struct guest_mem *mem)
{
    if (mem->fd >= 0) {
        munmap(mem->base, mem->size);
        close(mem->fd);
    }
    memset(mem, 0, sizeof *mem);
    mem->fd = -1;
}

void *
guest_mem_ptr(const struct guest_mem *mem, uint64_t gpa, uint64_t len)
{
    for (int i = 0; i < mem->n_regions; i++) {
        const struct guest_mem_region *r = &mem->regions[i];
        if (gpa >= r->gpa && gpa - r->gpa <= r->size
            && len <= r->size - (gpa - r->gpa)) {
            return r->hva + (gpa - r->gpa);
        }
    }
    return NULL;
}

int
guest_mem_read(const struct guest_mem *mem, uint64_t gpa, void *dst,
               size_t len)
{
    const void *p = guest_mem_ptr(mem, gpa, len);
    if (!p) {
        return EFAULT;
    }
    memcpy(dst, p, len);
    return 0;
}

int
guest_mem_write(const struct guest_mem *mem, uint64_t gpa, const void *src,
                size_t len)
{
    void *p = guest_mem_ptr(mem, gpa, len);
    if (!p) {
        return EFAULT;
    }
    memcpy(p, src, len);
    return 0;
}

uint64_t
guest_mem_low_size(const struct guest_mem *mem)
{
    return mem->regions[0].size;
}
