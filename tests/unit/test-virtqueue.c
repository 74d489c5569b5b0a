/* Unit tests for vmm/virtqueue: the split-ring walker against crafted
 * rings in a fake guest memory.  Every bad chain must be refused without
 * touching memory outside the guest, and the queue must go on working. */
#include "unit.h"

#include <errno.h>
#include <sys/mman.h>

#include "vmm/guest-mem.h"
#include "vmm/virtqueue.h"

#define MEM_SIZE (1u << 20)
#define QSIZE 8
#define DESC 0x1000
#define AVAIL 0x2000
#define USED 0x3000
#define INDIRECT 0x4000

struct fixture {
    uint8_t *ram;
    struct guest_mem mem;
    struct virtqueue q;
    uint16_t avail_idx;
};

static int
setup(void **state)
{
    struct fixture *f = xzalloc(sizeof *f);
    f->ram = xzalloc(MEM_SIZE);
    guest_mem_init_buffer(&f->mem, f->ram, MEM_SIZE);
    assert_int_equal(virtqueue_init(&f->q, &f->mem, QSIZE, DESC, AVAIL,
                                    USED), 0);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fixture *f = *state;
    free(f->ram);
    free(f);
    return 0;
}

static void
set_desc(uint8_t *table, int i, uint64_t addr, uint32_t len, uint16_t flags,
         uint16_t next)
{
    uint8_t *d = table + 16 * i;
    memcpy(d, &addr, 8);
    memcpy(d + 8, &len, 4);
    memcpy(d + 12, &flags, 2);
    memcpy(d + 14, &next, 2);
}

static void
desc(struct fixture *f, int i, uint64_t addr, uint32_t len, uint16_t flags,
     uint16_t next)
{
    set_desc(f->ram + DESC, i, addr, len, flags, next);
}

/* Makes HEAD available. */
static void
offer(struct fixture *f, uint16_t head)
{
    memcpy(f->ram + AVAIL + 4 + 2 * (f->avail_idx % QSIZE), &head, 2);
    f->avail_idx++;
    memcpy(f->ram + AVAIL + 2, &f->avail_idx, 2);
}

static void
test_good_chain(void **state)
{
    struct fixture *f = *state;
    struct virtq_chain chain;

    assert_int_equal(virtqueue_pop(&f->q, &f->mem, &chain), EAGAIN);

    desc(f, 0, 0x10000, 16, VIRTQ_DESC_F_NEXT, 3);
    desc(f, 3, 0x20000, 512, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 5);
    desc(f, 5, 0x30000, 1, VIRTQ_DESC_F_WRITE, 0);
    offer(f, 0);
    assert_int_equal(virtqueue_pop(&f->q, &f->mem, &chain), 0);
    assert_int_equal(chain.head, 0);
    assert_int_equal(chain.n_iov, 3);
    assert_int_equal(chain.n_readable, 1);
    assert_int_equal(chain.readable_len, 16);
    assert_int_equal(chain.writable_len, 513);
    assert_ptr_equal(chain.iov[0].base, f->ram + 0x10000);
    assert_ptr_equal(chain.iov[1].base, f->ram + 0x20000);
    assert_true(chain.iov[2].write);
    assert_int_equal(virtqueue_pop(&f->q, &f->mem, &chain), EAGAIN);

    /* Reading and writing across buffers. */
    memcpy(f->ram + 0x10000, "0123456789abcdef", 16);
    char buf[8];
    assert_int_equal(virtq_chain_read(&chain, 12, buf, 8), 4);
    assert_memory_equal(buf, "cdef", 4);
    uint8_t data[513];
    memset(data, 0x77, sizeof data);
    assert_int_equal(virtq_chain_write(&chain, 0, data, sizeof data), 513);
    assert_int_equal(f->ram[0x30000], 0x77);

    virtqueue_push(&f->q, &f->mem, chain.head, 513);
    uint16_t used_idx;
    uint32_t id, len;
    memcpy(&used_idx, f->ram + USED + 2, 2);
    memcpy(&id, f->ram + USED + 4, 4);
    memcpy(&len, f->ram + USED + 8, 4);
    assert_int_equal(used_idx, 1);
    assert_int_equal(id, 0);
    assert_int_equal(len, 513);
}

/* Offers HEAD and expects the walker to refuse it, then checks that a
 * good chain still goes through. */
static void
expect_bad(struct fixture *f, uint16_t head)
{
    struct virtq_chain chain;

    offer(f, head);
    assert_int_equal(virtqueue_pop(&f->q, &f->mem, &chain), EINVAL);
    assert_int_equal(chain.head, head);
    assert_int_equal(chain.n_iov, 0);
    assert_false(f->q.broken);

    desc(f, 7, 0x10000, 64, 0, 0);
    offer(f, 7);
    assert_int_equal(virtqueue_pop(&f->q, &f->mem, &chain), 0);
    assert_int_equal(chain.head, 7);
    assert_int_equal(chain.n_iov, 1);
}

static void
test_loop(void **state)
{
    struct fixture *f = *state;
    desc(f, 0, 0x10000, 16, VIRTQ_DESC_F_NEXT, 1);
    desc(f, 1, 0x10000, 16, VIRTQ_DESC_F_NEXT, 0);
    expect_bad(f, 0);
    desc(f, 2, 0x10000, 16, VIRTQ_DESC_F_NEXT, 2);     /* Self-loop. */
    expect_bad(f, 2);
}

static void
test_out_of_range(void **state)
{
    struct fixture *f = *state;

    desc(f, 0, MEM_SIZE - 10, 100, 0, 0);       /* Runs past the end. */
    expect_bad(f, 0);
    desc(f, 0, MEM_SIZE, 1, 0, 0);              /* Starts at the end. */
    expect_bad(f, 0);
    desc(f, 0, 0xffffffffffffff00ULL, 0x200, 0, 0);    /* Wraps. */
    expect_bad(f, 0);
    desc(f, 0, 0x10000, 16, VIRTQ_DESC_F_NEXT, QSIZE); /* Next too big. */
    expect_bad(f, 0);
    expect_bad(f, QSIZE + 3);                   /* Head too big. */
    expect_bad(f, 0xffff);
}

static void
test_order(void **state)
{
    struct fixture *f = *state;
    desc(f, 0, 0x10000, 16, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 1);
    desc(f, 1, 0x10000, 16, 0, 0);              /* Readable after. */
    expect_bad(f, 0);
}

static void
test_indirect(void **state)
{
    struct fixture *f = *state;
    uint8_t *table = f->ram + INDIRECT;
    struct virtq_chain chain;

    set_desc(table, 0, 0x10000, 16, VIRTQ_DESC_F_NEXT, 1);
    set_desc(table, 1, 0x11000, 100, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE,
             2);
    set_desc(table, 2, 0x12000, 1, VIRTQ_DESC_F_WRITE, 0);
    desc(f, 4, INDIRECT, 3 * 16, VIRTQ_DESC_F_INDIRECT, 0);
    offer(f, 4);
    assert_int_equal(virtqueue_pop(&f->q, &f->mem, &chain), 0);
    assert_int_equal(chain.n_iov, 3);
    assert_int_equal(chain.writable_len, 101);

    /* Length not a multiple of 16, zero, or past the end of memory. */
    desc(f, 4, INDIRECT, 3 * 16 + 1, VIRTQ_DESC_F_INDIRECT, 0);
    expect_bad(f, 4);
    desc(f, 4, INDIRECT, 0, VIRTQ_DESC_F_INDIRECT, 0);
    expect_bad(f, 4);
    desc(f, 4, MEM_SIZE - 16, 32, VIRTQ_DESC_F_INDIRECT, 0);
    expect_bad(f, 4);
    /* Indirect with NEXT, or after another buffer. */
    desc(f, 4, INDIRECT, 48, VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_NEXT, 5);
    desc(f, 5, 0x10000, 16, 0, 0);
    expect_bad(f, 4);
    desc(f, 5, 0x10000, 16, VIRTQ_DESC_F_NEXT, 4);
    desc(f, 4, INDIRECT, 48, VIRTQ_DESC_F_INDIRECT, 0);
    expect_bad(f, 5);
    /* Nested. */
    set_desc(table, 2, INDIRECT, 48, VIRTQ_DESC_F_INDIRECT, 0);
    expect_bad(f, 4);
    /* A loop inside the table, and a next past its end. */
    set_desc(table, 2, 0x12000, 1, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT,
             0);
    expect_bad(f, 4);
    set_desc(table, 2, 0x12000, 1, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT,
             3);
    expect_bad(f, 4);
}

static void
test_too_long(void **state)
{
    struct fixture *f = *state;
    uint8_t *table = f->ram + INDIRECT;
    int n = VIRTQ_MAX_IOV + 1;

    for (int i = 0; i < n; i++) {
        set_desc(table, i, 0x10000, 8,
                 i < n - 1 ? VIRTQ_DESC_F_NEXT : 0, (uint16_t) (i + 1));
    }
    desc(f, 4, INDIRECT, (uint32_t) n * 16, VIRTQ_DESC_F_INDIRECT, 0);
    expect_bad(f, 4);

    /* A table longer than allowed. */
    desc(f, 4, INDIRECT, (VIRTQ_MAX_INDIRECT + 1) * 16,
         VIRTQ_DESC_F_INDIRECT, 0);
    expect_bad(f, 4);
}

static void
test_total_length_wraps(void **state)
{
    (void) state;
    /* 5 GiB of address space that is never touched. */
    uint64_t size = 5ULL << 30;
    uint8_t *ram = mmap(NULL, size, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (ram == MAP_FAILED) {
        skip();
    }
    struct guest_mem mem;
    struct virtqueue q;
    struct virtq_chain chain;
    guest_mem_init_buffer(&mem, ram, size);
    assert_int_equal(virtqueue_init(&q, &mem, QSIZE, DESC, AVAIL, USED), 0);
    set_desc(ram + DESC, 0, 0x100000, 0xc0000000u, VIRTQ_DESC_F_NEXT, 1);
    set_desc(ram + DESC, 1, 0x100000, 0xc0000000u, 0, 0);
    uint16_t one = 1, zero = 0;
    memcpy(ram + AVAIL + 4, &zero, 2);
    memcpy(ram + AVAIL + 2, &one, 2);
    assert_int_equal(virtqueue_pop(&q, &mem, &chain), EINVAL);
    munmap(ram, size);
}

/* Guest RAM in two pieces around the device hole below 4 GiB: buffers in
 * either piece are fine, buffers in or across the hole are not. */
static void
test_memory_hole(void **state)
{
    (void) state;
    struct guest_mem mem;
    struct virtqueue q;
    struct virtq_chain chain;
    uint64_t size = GUEST_MEM_HOLE_START + (512ULL << 20);

    if (guest_mem_create(&mem, "test-virtqueue", size)) {
        skip();
    }
    assert_int_equal(mem.n_regions, 2);
    assert_int_equal(mem.regions[1].gpa, GUEST_MEM_HIGH_START);
    assert_int_equal(virtqueue_init(&q, &mem, QSIZE, DESC, AVAIL, USED), 0);

    uint8_t *table = guest_mem_ptr(&mem, DESC, 16 * QSIZE);
    uint8_t *avail = guest_mem_ptr(&mem, AVAIL, 6 + 2 * QSIZE);
    assert_non_null(table);
    assert_non_null(avail);
    set_desc(table, 0, GUEST_MEM_HIGH_START + 0x1000, 0x1000, 0, 0);
    set_desc(table, 1, GUEST_MEM_HOLE_START - 0x1000, 0x2000, 0, 0);
    set_desc(table, 2, 0xd0000000, 4, 0, 0);
    set_desc(table, 3, GUEST_MEM_HIGH_START - 8, 16, 0, 0);
    set_desc(table, 4, GUEST_MEM_HIGH_START + (512ULL << 20) - 8, 16, 0, 0);
    for (uint16_t i = 0; i < 5; i++) {
        memcpy(avail + 4 + 2 * i, &i, 2);
    }
    uint16_t idx = 5;
    memcpy(avail + 2, &idx, 2);

    assert_int_equal(virtqueue_pop(&q, &mem, &chain), 0);
    assert_ptr_equal(chain.iov[0].base, mem.base + GUEST_MEM_HOLE_START
                                        + 0x1000);
    for (int i = 1; i < 5; i++) {
        assert_int_equal(virtqueue_pop(&q, &mem, &chain), EINVAL);
        assert_int_equal(chain.head, i);
    }
    assert_int_equal(virtqueue_pop(&q, &mem, &chain), EAGAIN);
    guest_mem_destroy(&mem);
}

static void
test_broken_ring(void **state)
{
    struct fixture *f = *state;
    struct virtq_chain chain;
    uint16_t idx = QSIZE + 1;                   /* Too far ahead. */

    memcpy(f->ram + AVAIL + 2, &idx, 2);
    assert_int_equal(virtqueue_pop(&f->q, &f->mem, &chain), EFAULT);
    assert_true(f->q.broken);
    assert_int_equal(virtqueue_pop(&f->q, &f->mem, &chain), EFAULT);
}

static void
test_init(void **state)
{
    struct fixture *f = *state;
    struct virtqueue q;

    assert_int_equal(virtqueue_init(&q, &f->mem, 0, DESC, AVAIL, USED),
                     EINVAL);
    assert_int_equal(virtqueue_init(&q, &f->mem, 6, DESC, AVAIL, USED),
                     EINVAL);
    assert_int_equal(virtqueue_init(&q, &f->mem, QSIZE, DESC + 8, AVAIL,
                                    USED), EINVAL);
    assert_int_equal(virtqueue_init(&q, &f->mem, QSIZE, DESC, AVAIL + 1,
                                    USED), EINVAL);
    assert_int_equal(virtqueue_init(&q, &f->mem, QSIZE, DESC, AVAIL,
                                    USED + 2), EINVAL);
    assert_int_equal(virtqueue_init(&q, &f->mem, QSIZE, MEM_SIZE - 64,
                                    AVAIL, USED), EINVAL);
    assert_int_equal(virtqueue_init(&q, &f->mem, QSIZE, DESC, AVAIL,
                                    MEM_SIZE - 16), EINVAL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_good_chain, setup, teardown),
        cmocka_unit_test_setup_teardown(test_loop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_out_of_range, setup, teardown),
        cmocka_unit_test_setup_teardown(test_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_indirect, setup, teardown),
        cmocka_unit_test_setup_teardown(test_too_long, setup, teardown),
        cmocka_unit_test(test_total_length_wraps),
        cmocka_unit_test(test_memory_hole),
        cmocka_unit_test_setup_teardown(test_broken_ring, setup, teardown),
        cmocka_unit_test_setup_teardown(test_init, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
