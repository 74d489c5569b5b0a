/* Unit tests for vmm/boot-linux: the bzImage loader refuses malformed
 * setup headers, naming the bad field, and lays out a good image as the
 * boot protocol says. */
#include "unit.h"

#include <errno.h>

#include "vmm/boot-linux.h"
#include "vmm/guest-mem.h"

#define IMAGE_SIZE 8192
#define MEM_SIZE (32u << 20)

static void
put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t) v;
    p[1] = (uint8_t) (v >> 8);
}

static void
put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t) v);
    put16(p + 2, (uint16_t) (v >> 16));
}

static uint32_t
get32(const uint8_t *p)
{
    return (uint32_t) (p[0] | p[1] << 8 | p[2] << 16 | (uint32_t) p[3] << 24);
}

static uint64_t
get64(const uint8_t *p)
{
    return get32(p) | (uint64_t) get32(p + 4) << 32;
}

/* A valid image: 2 setup sectors + 1 KiB... of protected-mode code whose
 * first bytes are 0x11 and whose byte 0x200 is 0x22. */
static uint8_t *
make_image(void)
{
    uint8_t *img = xzalloc(IMAGE_SIZE);
    img[0x1f1] = 3;                         /* Setup: 4 sectors. */
    put16(img + 0x1fe, 0xaa55);
    img[0x200] = 0xeb;
    img[0x201] = 0x268 - 0x202;
    memcpy(img + 0x202, "HdrS", 4);
    put16(img + 0x206, 0x020f);
    img[0x211] = 0x01;                      /* LOADED_HIGH. */
    put32(img + 0x22c, 0x7fffffff);         /* initrd_addr_max. */
    put32(img + 0x230, 0x200000);           /* kernel_alignment. */
    img[0x234] = 1;                         /* Relocatable. */
    put16(img + 0x236, 0x01);               /* XLF_KERNEL_64. */
    put32(img + 0x238, 255);                /* cmdline_size. */
    put32(img + 0x258, 0x1000000);          /* pref_address 16 MiB. */
    put32(img + 0x260, 0x10000);            /* init_size. */
    img[2048] = 0x11;
    img[2048 + 0x200] = 0x22;
    return img;
}

/* Parses IMG and expects failure with ERROR and a message holding
 * SUBSTRING. */
static void
expect_refused(const uint8_t *img, size_t size, int error,
               const char *substring)
{
    struct boot_linux_header hdr;
    char *msg = NULL;
    assert_int_equal(boot_linux_parse(img, size, &hdr, &msg), error);
    assert_non_null(msg);
    if (!strstr(msg, substring)) {
        fail_msg("message \"%s\" lacks \"%s\"", msg, substring);
    }
    free(msg);
}

static void
test_good_header(void **state)
{
    (void) state;
    uint8_t *img = make_image();
    struct boot_linux_header hdr;
    char *msg = NULL;

    assert_int_equal(boot_linux_parse(img, IMAGE_SIZE, &hdr, &msg), 0);
    assert_null(msg);
    assert_int_equal(hdr.version, 0x020f);
    assert_int_equal(hdr.kernel_offset, 2048);
    assert_int_equal(hdr.kernel_size, IMAGE_SIZE - 2048);
    assert_int_equal(hdr.cmdline_size, 255);
    free(img);
}

static void
test_refusals(void **state)
{
    (void) state;
    uint8_t *img = make_image();

    expect_refused(img, 512, ENOEXEC, "too short");

    put16(img + 0x1fe, 0x1234);
    expect_refused(img, IMAGE_SIZE, ENOEXEC, "0x1234");
    put16(img + 0x1fe, 0xaa55);

    memcpy(img + 0x202, "HdrX", 4);
    expect_refused(img, IMAGE_SIZE, ENOEXEC, "HdrS");
    memcpy(img + 0x202, "HdrS", 4);

    put16(img + 0x206, 0x020b);
    expect_refused(img, IMAGE_SIZE, EINVAL, "2.11");
    put16(img + 0x206, 0x020f);

    img[0x211] = 0;
    expect_refused(img, IMAGE_SIZE, EINVAL, "LOADED_HIGH");
    img[0x211] = 1;

    put16(img + 0x236, 0x02);
    expect_refused(img, IMAGE_SIZE, EINVAL, "XLF_KERNEL_64");
    put16(img + 0x236, 0x01);

    img[0x1f1] = 20;                        /* Setup past the end. */
    expect_refused(img, IMAGE_SIZE, EINVAL, "setup_sects 20");
    img[0x1f1] = 3;

    img[0x201] = 0x10;                      /* Header ends too soon. */
    expect_refused(img, IMAGE_SIZE, EINVAL, "jump");
    img[0x201] = 0x268 - 0x202;

    put32(img + 0x230, 0x3000);             /* Not a power of two. */
    expect_refused(img, IMAGE_SIZE, EINVAL, "kernel_alignment 0x3000");
    put32(img + 0x230, 0x200000);

    free(img);
}

static void
test_load(void **state)
{
    (void) state;
    uint8_t *img = make_image();
    uint8_t *ram = xzalloc(MEM_SIZE);
    uint8_t initrd[5000];
    struct guest_mem mem;
    struct boot_linux_info info;
    char *msg = NULL;

    memset(initrd, 0x5a, sizeof initrd);
    guest_mem_init_buffer(&mem, ram, MEM_SIZE);
    struct boot_linux_config cfg = {
        .kernel = img, .kernel_size = IMAGE_SIZE,
        .initrd = initrd, .initrd_size = sizeof initrd,
        .cmdline = "console=ttyS0 x=1", .rsdp_addr = 0xe0000,
    };
    assert_int_equal(boot_linux_load(&mem, &cfg, &info, &msg), 0);

    /* Relocatable: at pref_address, entry + 0x200. */
    assert_int_equal(info.load_addr, 0x1000000);
    assert_int_equal(info.entry, 0x1000200);
    assert_int_equal(ram[info.load_addr], 0x11);
    assert_int_equal(ram[info.entry], 0x22);

    const uint8_t *zp = ram + info.zero_page;
    assert_memory_equal(zp + 0x202, "HdrS", 4);
    assert_int_equal(get32(zp + 0x228), BOOT_LINUX_CMDLINE);
    assert_string_equal((char *) ram + BOOT_LINUX_CMDLINE,
                        "console=ttyS0 x=1");
    assert_int_equal(get64(zp + 0x070), 0xe0000);
    assert_int_equal(zp[0x210], 0xff);

    /* The initrd: page-aligned, below RAM's end, after the kernel. */
    uint32_t initrd_addr = get32(zp + 0x218);
    assert_int_equal(initrd_addr, info.initrd_addr);
    assert_int_equal(initrd_addr % 4096, 0);
    assert_true(initrd_addr + sizeof initrd <= MEM_SIZE);
    assert_true(initrd_addr >= info.load_addr + 0x10000);
    assert_int_equal(get32(zp + 0x21c), sizeof initrd);
    assert_memory_equal(ram + initrd_addr, initrd, sizeof initrd);

    /* The e820 map ends with RAM from 1 MiB to the end. */
    int n = zp[0x1e8];
    assert_int_equal(n, 4);
    const uint8_t *last = zp + 0x2d0 + 20 * (n - 1);
    assert_int_equal(get64(last), 0x100000);
    assert_int_equal(get64(last + 8), MEM_SIZE - 0x100000);
    assert_int_equal(get32(last + 16), 1);

    /* The page tables map 2 MiB pages from 0. */
    assert_int_equal(get64(ram + info.pml4) & ~0xfffULL, info.pml4 + 0x1000);
    assert_int_equal(get64(ram + info.pml4 + 0x2000 + 8), 0x200000 | 0x83);
    free(ram);
    free(img);
}

static void
test_load_refusals(void **state)
{
    (void) state;
    uint8_t *img = make_image();
    uint8_t *ram = xzalloc(MEM_SIZE);
    struct guest_mem mem;
    struct boot_linux_info info;
    char *msg = NULL;
    char cmdline[300];

    guest_mem_init_buffer(&mem, ram, MEM_SIZE);
    memset(cmdline, 'a', sizeof cmdline - 1);
    cmdline[sizeof cmdline - 1] = '\0';
    struct boot_linux_config cfg = {
        .kernel = img, .kernel_size = IMAGE_SIZE, .cmdline = cmdline,
    };
    assert_int_equal(boot_linux_load(&mem, &cfg, &info, &msg), E2BIG);
    assert_non_null(strstr(msg, "at most 255"));
    free(msg);
    msg = NULL;

    /* An initrd that cannot fit under initrd_addr_max. */
    cfg.cmdline = "x";
    put32(img + 0x22c, 0x1010000 + 0x10000);
    static uint8_t big[1 << 20];
    cfg.initrd = big;
    cfg.initrd_size = sizeof big;
    assert_int_equal(boot_linux_load(&mem, &cfg, &info, &msg), ENOMEM);
    assert_non_null(strstr(msg, "initrd"));
    free(msg);
    msg = NULL;

    /* A kernel whose init_size exceeds RAM. */
    cfg.initrd = NULL;
    cfg.initrd_size = 0;
    put32(img + 0x260, MEM_SIZE);
    assert_int_equal(boot_linux_load(&mem, &cfg, &info, &msg), ENOMEM);
    assert_non_null(strstr(msg, "does not fit"));
    free(msg);
    free(ram);
    free(img);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_header),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_load),
        cmocka_unit_test(test_load_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
