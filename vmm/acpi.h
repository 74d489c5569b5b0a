/*
 * acpi: the minimal ACPI tables (ACPI 6.x) a stock kernel needs to find
 * the machine's CPUs and devices.
 *
 *   RSDP   revision 2, at the start of the tables (in 0xe0000-0xfffff,
 *          where a guest searches for it)
 *   XSDT   -> FADT, MADT
 *   FADT   revision 6, hardware-reduced ACPI; X_DSDT -> DSDT
 *   MADT   one enabled local APIC per vCPU (APIC ID = index), the IOAPIC
 *          at GSI 0, the PIT's IRQ 0 routed to GSI 2, LINT1 as NMI
 *   DSDT   \_SB.COM1 (PNP0501, ports 0x3f8-0x3ff, IRQ 4) and one device
 *          V000, V001... (_HID "LNRO0005", virtio-mmio) per entry of
 *          config->mmio with its memory range and interrupt
 */
#ifndef SKIFF_VMM_ACPI_H
#define SKIFF_VMM_ACPI_H 1

#include <stddef.h>
#include <stdint.h>

struct guest_mem;

#define ACPI_MAX_MMIO 16
#define ACPI_AREA_SIZE 0x20000      /* 0xe0000 up to 1 MiB. */

struct acpi_mmio_device {
    uint64_t base;
    uint64_t size;
    uint32_t irq;
};

struct acpi_config {
    int n_cpus;
    int n_mmio;
    struct acpi_mmio_device mmio[ACPI_MAX_MMIO];
};

/* The tables as built for guest-physical address BASE: each table's
 * offset in BUF and size. */
enum acpi_table { ACPI_RSDP, ACPI_XSDT, ACPI_FADT, ACPI_MADT, ACPI_DSDT,
                  ACPI_N_TABLES };
struct acpi_tables {
    uint8_t buf[ACPI_AREA_SIZE];
    size_t offset[ACPI_N_TABLES];
    size_t size[ACPI_N_TABLES];
};

/* Builds the tables for BASE into *T.  Returns 0 or EINVAL (a bad
 * CONFIG) with *ERRORP saying why. */
int acpi_build(const struct acpi_config *, uint64_t base,
               struct acpi_tables *t, char **errorp);

/* Builds the tables and writes them to guest memory at GPA; *RSDPP gets
 * the RSDP's address.  Returns 0 or a positive errno value. */
int acpi_write(const struct acpi_config *, const struct guest_mem *,
               uint64_t gpa, uint64_t *rsdpp, char **errorp);

/* Writes each table to DIR as SIG.dat (RSDP.dat, XSDT.dat, FACP.dat,
 * APIC.dat, DSDT.dat), for "iasl -d".  Returns 0 or a positive errno
 * value. */
int acpi_dump(const struct acpi_config *, const char *dir, char **errorp);

#endif /* acpi.h */
