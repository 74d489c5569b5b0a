/* acpi: the ACPI tables; see acpi.h. */
#include <config.h>

#include "acpi.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aml.h"
#include "boot-linux.h"
#include "guest-mem.h"
#include "kvm-vm.h"
#include "serial.h"
#include "unaligned-le.h"
#include "util.h"

#define ACPI_HEADER_SIZE 36
#define ACPI_OEM_ID "SKIFF "
#define ACPI_OEM_TABLE_ID "SKIFFVMM"
#define ACPI_CREATOR_ID "SKIF"

#define FADT_SIZE 276
#define FADT_FLAGS 112
#define FADT_IAPC_BOOT_ARCH 109
#define FADT_MINOR_VERSION 131
#define FADT_X_DSDT 140
#define FADT_HYPERVISOR_ID 268
#define FADT_HW_REDUCED_ACPI (1u << 20)
#define FADT_BOOT_VGA_NOT_PRESENT (1u << 2)
#define FADT_BOOT_CMOS_RTC_NOT_PRESENT (1u << 5)

static uint8_t
acpi_checksum(const uint8_t *p, size_t n)
{
    uint8_t sum = 0;
    for (size_t i = 0; i < n; i++) {
        sum = (uint8_t) (sum + p[i]);
    }
    return (uint8_t) -sum;
}

/* Fills the common header of the table of SIZE bytes at P and its
 * checksum (call after the body is written). */
static void
acpi_header(uint8_t *p, const char *sig, size_t size, uint8_t revision)
{
    memcpy(p, sig, 4);
    le_put32(p + 4, (uint32_t) size);
    p[8] = revision;
    p[9] = 0;
    memcpy(p + 10, ACPI_OEM_ID, 6);
    memcpy(p + 16, ACPI_OEM_TABLE_ID, 8);
    le_put32(p + 24, 1);
    memcpy(p + 28, ACPI_CREATOR_ID, 4);
    le_put32(p + 32, 1);
    p[9] = acpi_checksum(p, size);
}

static size_t
acpi_build_fadt(uint8_t *p, uint64_t dsdt)
{
    memset(p, 0, FADT_SIZE);
    le_put32(p + 40, (uint32_t) dsdt);             /* DSDT (32-bit). */
    le_put16(p + FADT_IAPC_BOOT_ARCH, FADT_BOOT_VGA_NOT_PRESENT
                                   | FADT_BOOT_CMOS_RTC_NOT_PRESENT);
    le_put32(p + FADT_FLAGS, FADT_HW_REDUCED_ACPI);
    p[FADT_MINOR_VERSION] = 3;
    le_put64(p + FADT_X_DSDT, dsdt);
    memcpy(p + FADT_HYPERVISOR_ID, "SKIFFVMM", 8);
    acpi_header(p, "FACP", FADT_SIZE, 6);
    return FADT_SIZE;
}

static size_t
acpi_build_madt(uint8_t *p, int n_cpus)
{
    size_t n = ACPI_HEADER_SIZE;

    le_put32(p + n, (uint32_t) KVM_VM_LAPIC_ADDR);
    le_put32(p + n + 4, 1);                        /* PCAT_COMPAT: 8259s. */
    n += 8;
    for (int i = 0; i < n_cpus; i++) {
        p[n] = 0;                               /* Processor local APIC. */
        p[n + 1] = 8;
        p[n + 2] = (uint8_t) i;                 /* ACPI processor UID. */
        p[n + 3] = (uint8_t) i;                 /* APIC ID. */
        le_put32(p + n + 4, 1);                    /* Enabled. */
        n += 8;
    }
    p[n] = 1;                                   /* I/O APIC. */
    p[n + 1] = 12;
    p[n + 2] = (uint8_t) n_cpus;                /* Its ID, after the CPUs'. */
    p[n + 3] = 0;
    le_put32(p + n + 4, (uint32_t) KVM_VM_IOAPIC_ADDR);
    le_put32(p + n + 8, 0);                        /* GSI base. */
    n += 12;
    p[n] = 2;                                   /* Source override. */
    p[n + 1] = 10;
    p[n + 2] = 0;                               /* ISA. */
    p[n + 3] = 0;                               /* IRQ 0 (PIT)... */
    le_put32(p + n + 4, 2);                        /* ... is GSI 2. */
    le_put16(p + n + 8, 0);                        /* Bus defaults. */
    n += 10;
    p[n] = 4;                                   /* Local APIC NMI. */
    p[n + 1] = 6;
    p[n + 2] = 0xff;                            /* All processors. */
    le_put16(p + n + 3, 0);
    p[n + 5] = 1;                               /* LINT1. */
    n += 6;
    acpi_header(p, "APIC", n, 5);
    return n;
}

static void
acpi_dsdt_aml(struct aml *a, const struct acpi_config *cfg)
{
    aml_open_scope(a, "\\_SB");

    aml_open_device(a, "COM1");
    aml_name(a, "_HID");
    aml_eisaid(a, "PNP0501");
    aml_name(a, "_UID");
    aml_integer(a, 0);
    aml_name(a, "_CRS");
    aml_open_buffer(a);
    aml_res_io(a, SERIAL_COM1_PORT, 8);
    aml_res_irq_noflags(a, SERIAL_COM1_IRQ);
    aml_res_end_tag(a);
    aml_close(a);
    aml_close(a);

    for (int i = 0; i < cfg->n_mmio; i++) {
        const struct acpi_mmio_device *d = &cfg->mmio[i];
        char name[5] = { 'V', (char) ('0' + i / 100),
                         (char) ('0' + i / 10 % 10), (char) ('0' + i % 10),
                         '\0' };
        aml_open_device(a, name);
        aml_name(a, "_HID");
        aml_string(a, "LNRO0005");
        aml_name(a, "_UID");
        aml_integer(a, (uint64_t) i);
        aml_name(a, "_CCA");
        aml_integer(a, 1);                      /* Cache-coherent DMA. */
        aml_name(a, "_CRS");
        aml_open_buffer(a);
        aml_res_memory32_fixed(a, (uint32_t) d->base, (uint32_t) d->size);
        aml_res_interrupt(a, d->irq);
        aml_res_end_tag(a);
        aml_close(a);
        aml_close(a);
    }
    aml_close(a);
}

static size_t
acpi_align(size_t n)
{
    return (n + 15) & ~(size_t) 15;
}

int
acpi_build(const struct acpi_config *cfg, uint64_t base,
           struct acpi_tables *t, char **errorp)
{
    *errorp = NULL;
    if (cfg->n_cpus < 1 || cfg->n_cpus > 254
        || cfg->n_mmio < 0 || cfg->n_mmio > ACPI_MAX_MMIO) {
        *errorp = xasprintf("%d CPUs and %d devices: too many",
                            cfg->n_cpus, cfg->n_mmio);
        return EINVAL;
    }
    for (int i = 0; i < cfg->n_mmio; i++) {
        const struct acpi_mmio_device *d = &cfg->mmio[i];
        if (d->base + d->size > UINT32_MAX || d->irq > 23) {
            *errorp = xasprintf("device %d at 0x%llx IRQ %u is outside "
                                "what the tables describe", i,
                                (unsigned long long) d->base, d->irq);
            return EINVAL;
        }
    }
    memset(t, 0, sizeof *t);

    struct aml a;
    aml_init(&a);
    acpi_dsdt_aml(&a, cfg);
    size_t dsdt_size = ACPI_HEADER_SIZE + a.code.length;

    size_t off = 0;
    t->offset[ACPI_RSDP] = off;
    t->size[ACPI_RSDP] = 36;
    off = acpi_align(off + 36);
    t->offset[ACPI_XSDT] = off;
    t->size[ACPI_XSDT] = ACPI_HEADER_SIZE + 2 * 8;
    off = acpi_align(off + t->size[ACPI_XSDT]);
    t->offset[ACPI_FADT] = off;
    t->size[ACPI_FADT] = FADT_SIZE;
    off = acpi_align(off + FADT_SIZE);
    t->offset[ACPI_MADT] = off;
    size_t madt_max = ACPI_HEADER_SIZE + 8 + 8 * (size_t) cfg->n_cpus + 28;
    off = acpi_align(off + madt_max);
    t->offset[ACPI_DSDT] = off;
    t->size[ACPI_DSDT] = dsdt_size;
    if (off + dsdt_size > ACPI_AREA_SIZE) {
        aml_destroy(&a);
        *errorp = xstrdup("the ACPI tables do not fit");
        return EINVAL;
    }

    uint8_t *dsdt = t->buf + t->offset[ACPI_DSDT];
    memcpy(dsdt + ACPI_HEADER_SIZE, a.code.string, a.code.length);
    aml_destroy(&a);
    acpi_header(dsdt, "DSDT", dsdt_size, 2);

    t->size[ACPI_MADT] = acpi_build_madt(t->buf + t->offset[ACPI_MADT],
                                         cfg->n_cpus);
    acpi_build_fadt(t->buf + t->offset[ACPI_FADT],
                    base + t->offset[ACPI_DSDT]);

    uint8_t *xsdt = t->buf + t->offset[ACPI_XSDT];
    le_put64(xsdt + ACPI_HEADER_SIZE, base + t->offset[ACPI_FADT]);
    le_put64(xsdt + ACPI_HEADER_SIZE + 8, base + t->offset[ACPI_MADT]);
    acpi_header(xsdt, "XSDT", t->size[ACPI_XSDT], 1);

    uint8_t *rsdp = t->buf + t->offset[ACPI_RSDP];
    memcpy(rsdp, "RSD PTR ", 8);
    memcpy(rsdp + 9, ACPI_OEM_ID, 6);
    rsdp[15] = 2;                               /* ACPI 2.0+. */
    le_put32(rsdp + 20, 36);
    le_put64(rsdp + 24, base + t->offset[ACPI_XSDT]);
    rsdp[8] = acpi_checksum(rsdp, 20);
    rsdp[32] = acpi_checksum(rsdp, 36);
    return 0;
}

int
acpi_write(const struct acpi_config *cfg, const struct guest_mem *mem,
           uint64_t gpa, uint64_t *rsdpp, char **errorp)
{
    struct acpi_tables *t = xmalloc(sizeof *t);
    int error = acpi_build(cfg, gpa, t, errorp);
    if (!error) {
        size_t end = t->offset[ACPI_DSDT] + t->size[ACPI_DSDT];
        if (guest_mem_write(mem, gpa, t->buf, end)) {
            *errorp = xstrdup("no guest memory for the ACPI tables");
            error = EFAULT;
        }
        *rsdpp = gpa + t->offset[ACPI_RSDP];
    }
    free(t);
    return error;
}

int
acpi_dump(const struct acpi_config *cfg, const char *dir, char **errorp)
{
    static const char *const names[ACPI_N_TABLES] = {
        "RSDP", "XSDT", "FACP", "APIC", "DSDT",
    };
    struct acpi_tables *t = xmalloc(sizeof *t);
    int error = acpi_build(cfg, BOOT_LINUX_ACPI_START, t, errorp);

    for (int i = 0; !error && i < ACPI_N_TABLES; i++) {
        char *file = xasprintf("%s/%s.dat", dir, names[i]);
        int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        error = fd < 0 ? errno
                : write_fully(fd, t->buf + t->offset[i], t->size[i]);
        if (error) {
            *errorp = xasprintf("%s: %s", file, strerror(error));
        }
        if (fd >= 0) {
            close(fd);
        }
        free(file);
    }
    free(t);
    return error;
}
