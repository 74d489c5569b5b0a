/* The test guest's main program: reports what the loader and the
 * firmware tables say, then does what its command line asks. */

#include "blk.h"
#include "boot.h"
#include "config.h"
#include "net.h"
#include "virtio.h"

void guest_main(const uint8_t *zero_page);

/* From head.S and guest.lds. */
extern uint64_t boot_load_address;
extern uint32_t boot_entry_bits;
extern const char _text[];

static struct boot_info boot;
static struct config cfg;

void
guest_exit(void)
{
    con_printf("skiff-test-guest: exit\n");
    outb(0x64, 0xfe);           /* i8042: pulse the reset line */
    timer_delay_ms(100);
    con_printf("skiff-test-guest: the reset did not stop the machine\n");
    idt_triple_fault();
}

static const char *
kind_name(enum config_kind kind)
{
    return kind == CONFIG_NET ? "net" : kind == CONFIG_BLK ? "blk" : "any";
}

/* Starts each device of the command line: the first virtio-net, every
 * virtio-blk.  Returns true if a network device is up. */
static bool
start_devices(void)
{
    bool have_net = false;

    for (size_t i = 0; i < cfg.n_devices; i++) {
        const struct config_device *d = &cfg.devices[i];
        int id = virtio_probe(d->base);

        if (id < 0) {
            continue;
        } else if (id == 0) {
            con_printf("virtio: 0x%lx: no device behind it\n", d->base);
        } else if ((d->kind == CONFIG_NET && id != VIRTIO_ID_NET)
                   || (d->kind == CONFIG_BLK && id != VIRTIO_ID_BLK)) {
            con_printf("virtio: 0x%lx: device id %d is not %s\n", d->base,
                       id, kind_name(d->kind));
        } else if (id == VIRTIO_ID_NET && !have_net) {
            have_net = !net_init(d, &cfg);
        } else if (id == VIRTIO_ID_BLK) {
            blk_run(d, &cfg);
        } else {
            con_printf("virtio: 0x%lx: device id %d not used\n", d->base,
                       id);
        }
    }
    return have_net;
}

void
guest_main(const uint8_t *zero_page)
{
    con_init();
    idt_init();

    boot_read(zero_page, &boot);
    boot_report(&boot);
    if (boot_load_address == (uintptr_t) _text) {
        con_printf("boot: %u-bit entry at 0x%lx\n", boot_entry_bits,
                   boot_load_address);
    } else {
        con_printf("boot: %u-bit entry at 0x%lx, moved to 0x%lx\n",
                   boot_entry_bits, boot_load_address,
                   (uint64_t) (uintptr_t) _text);
    }
    int cpus = acpi_count_cpus(boot.rsdp);
    if (cpus > 0) {
        con_printf("cpus: %d\n", cpus);
    } else {
        con_printf("cpus: unknown\n");
    }

    config_parse(boot.cmdline, &cfg);
    if (cfg.crash) {
        __asm__ volatile("ud2");
    }
    timer_init();
    bool have_net = start_devices();
    if (cfg.has_ping) {
        net_ping(&cfg);
    }

    if (cfg.exit) {
        if (have_net && cfg.idle_ms) {
            net_idle(cfg.idle_ms);
        }
        guest_exit();
    }
    con_printf("skiff-test-guest: idle\n");
    if (have_net) {
        net_idle(0);
    }
    for (;;) {
        __asm__ volatile("cli; hlt");
    }
}
