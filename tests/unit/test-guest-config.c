/* Unit tests for the test guest's command-line parser (tests/guest/
 * config.c), built for the host: device entries in the kernel's form and
 * the guest's own, addresses, numbers, and bad values refused one by one
 * with a message naming them. */
#include "unit.h"

#include "../guest/config.h"

/* What the parser printed: config.c reports bad values on the guest's
 * console, here a buffer. */
static char console[4096];

void
con_printf(const char *fmt, ...)
{
    size_t n = strlen(console);
    va_list args;

    va_start(args, fmt);
    vsnprintf(console + n, sizeof console - n, fmt, args);
    va_end(args);
}

static void
parse(const char *cmdline, struct config *cfg)
{
    console[0] = '\0';
    config_parse(cmdline, cfg);
}

static void
test_kernel_device_form(void **state)
{
    struct config cfg;

    (void) state;
    parse("console=ttyS0 virtio_mmio.device=4K@0xd0000000:5 "
          "virtio_mmio.device=512@0xfeb00c00:11:2 quiet", &cfg);
    assert_string_equal(console, "");
    assert_int_equal(cfg.n_devices, 2);
    assert_int_equal(cfg.devices[0].base, 0xd0000000);
    assert_int_equal(cfg.devices[0].size, 4096);
    assert_int_equal(cfg.devices[0].irq, 5);
    assert_int_equal(cfg.devices[0].kind, CONFIG_ANY);
    assert_int_equal(cfg.devices[1].base, 0xfeb00c00);
    assert_int_equal(cfg.devices[1].size, 512);
    assert_int_equal(cfg.devices[1].irq, 11);
}

/* net= and virtio_mmio.device= for the same address make one device of
 * the more precise kind, whichever comes first. */
static void
test_device_named_twice(void **state)
{
    struct config cfg;

    (void) state;
    parse("virtio_mmio.device=4K@0xd0000000:5 net=mmio:4K@0xd0000000:5 "
          "blk=mmio:1M@0xd0100000:6 virtio_mmio.device=1M@0xd0100000:6",
          &cfg);
    assert_string_equal(console, "");
    assert_int_equal(cfg.n_devices, 2);
    assert_int_equal(cfg.devices[0].kind, CONFIG_NET);
    assert_int_equal(cfg.devices[1].kind, CONFIG_BLK);
    assert_int_equal(cfg.devices[1].size, 1 << 20);
}

static void
test_all_keys(void **state)
{
    struct config cfg;

    (void) state;
    parse("ip=10.0.0.1 mac=02:00:0A:0b:0c:ff ping=192.168.100.254 count=20 "
          "blktest=1 blksector=0x10 blkbad=1 exit=1 idle=500 crash=1", &cfg);
    assert_string_equal(console, "");
    assert_true(cfg.has_ip);
    assert_int_equal(cfg.ip, 0x0a000001);
    assert_true(cfg.has_mac);
    assert_memory_equal(cfg.mac, "\x02\x00\x0a\x0b\x0c\xff", 6);
    assert_true(cfg.has_ping);
    assert_int_equal(cfg.ping_ip, 0xc0a864fe);
    assert_int_equal(cfg.ping_count, 20);
    assert_true(cfg.blktest);
    assert_int_equal(cfg.blksector, 16);
    assert_true(cfg.blkbad);
    assert_true(cfg.exit);
    assert_int_equal(cfg.idle_ms, 500);
    assert_true(cfg.crash);
}

static void
test_defaults(void **state)
{
    struct config cfg;

    (void) state;
    parse("", &cfg);
    assert_int_equal(cfg.n_devices, 0);
    assert_false(cfg.has_ip);
    assert_false(cfg.has_ping);
    assert_int_equal(cfg.ping_count, 3);
    assert_false(cfg.exit);
    parse("   root=/dev/vda  exit  =1 ping", &cfg);
    assert_string_equal(console, "");
    assert_false(cfg.exit);
    assert_false(cfg.has_ping);
}

/* Each bad value is named and changes nothing. */
static void
test_bad_values(void **state)
{
    static const char *const bad[] = {
        "ip=10.0.0.256", "ip=10.0.0", "ip=10.0.0.1.2", "ip=10..0.1",
        "ip=", "mac=02:00:00:00:00", "mac=02:00:00:00:00:0g",
        "mac=02:00:00:00:00:00:00", "count=abc", "count=1000001",
        "count=-1", "blktest=2", "blkbad=yes", "exit=2", "crash=0x2",
        "idle=99999999999", "blksector=0xffffffffffffffffff",
        "virtio_mmio.device=8K@0xfffff000:5",
        "virtio_mmio.device=0@0x1000:5",
        "virtio_mmio.device=4K@0xd0000000:256",
        "virtio_mmio.device=4K@0xd0000000",
        "virtio_mmio.device=4K@0xd0000000:5:",
        "virtio_mmio.device=4K@0xd0000000:5x",
        "virtio_mmio.device=4Q@0xd0000000:5",
        "net=4K@0xd0000000:5", "blk=pci:4K@0xd0000000:5",
    };

    (void) state;
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        struct config cfg;
        char expected[256];

        parse(bad[i], &cfg);
        snprintf(expected, sizeof expected,
                 "skiff-test-guest: bad value in %s\n", bad[i]);
        assert_string_equal(console, expected);
        assert_int_equal(cfg.n_devices, 0);
        assert_false(cfg.has_ip);
        assert_false(cfg.has_mac);
        assert_int_equal(cfg.ping_count, 3);
        assert_false(cfg.blktest);
        assert_false(cfg.blkbad);
        assert_false(cfg.exit);
        assert_false(cfg.crash);
        assert_int_equal(cfg.idle_ms, 0);
        assert_int_equal(cfg.blksector, 0);
    }
}

static void
test_too_many_devices(void **state)
{
    char cmdline[1024] = "";
    struct config cfg;

    (void) state;
    for (int i = 0; i <= CONFIG_MAX_DEVICES; i++) {
        size_t n = strlen(cmdline);
        snprintf(cmdline + n, sizeof cmdline - n,
                 " virtio_mmio.device=4K@0x%x:%d", 0xd0000000 + i * 0x1000,
                 5 + i);
    }
    parse(cmdline, &cfg);
    assert_int_equal(cfg.n_devices, CONFIG_MAX_DEVICES);
    assert_non_null(strstr(console, "ignoring 0xd0008000"));
}

/* A word too long for the parser is skipped whole, not cut short. */
static void
test_long_word(void **state)
{
    char cmdline[600];
    struct config cfg;

    (void) state;
    memset(cmdline, 'x', sizeof cmdline);
    memcpy(cmdline, "ip=10.0.0.1 ip=1", 16);
    memcpy(cmdline + sizeof cmdline - 1, "", 1);
    parse(cmdline, &cfg);
    assert_true(cfg.has_ip);
    assert_int_equal(cfg.ip, 0x0a000001);
}

static void
test_format_ip(void **state)
{
    char buf[16];

    (void) state;
    config_format_ip(0x0a000001, buf);
    assert_string_equal(buf, "10.0.0.1");
    config_format_ip(0xffffffff, buf);
    assert_string_equal(buf, "255.255.255.255");
    config_format_ip(0, buf);
    assert_string_equal(buf, "0.0.0.0");
    config_format_ip(0xc0a86405, buf);
    assert_string_equal(buf, "192.168.100.5");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kernel_device_form),
        cmocka_unit_test(test_device_named_twice),
        cmocka_unit_test(test_all_keys),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_bad_values),
        cmocka_unit_test(test_too_many_devices),
        cmocka_unit_test(test_long_word),
        cmocka_unit_test(test_format_ip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
