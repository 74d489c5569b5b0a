/* skiff-vmm: runs one KVM virtual machine.
 *
 * Everything that can fail is checked before the first vCPU runs: the
 * command line (exit 2), then the kernel and initrd files, KVM, guest
 * memory, the devices and their sockets (exit 1).  The VM ends with
 * status 0 when the guest resets the machine (i8042), on SIGTERM or
 * SIGINT, the console's escape key or the API's "shutdown", and with
 * status 1 when the guest or KVM fails. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "acpi.h"
#include "api.h"
#include "boot-linux.h"
#include "daemon.h"
#include "dynamic-string.h"
#include "i8042.h"
#include "poll-loop.h"
#include "serial.h"
#include "util.h"
#include "virtio-blk.h"
#include "virtio-mmio.h"
#include "virtio-net.h"
#include "vlog.h"
#include "vmm.h"

VLOG_DEFINE_THIS_MODULE(skiff_vmm);

#define VMM_MAX_FILE (512ULL << 20)
#define VMM_MAX_DISKS 8
#define VMM_MAX_NETS 8

struct vmm_options {
    const char *kernel;
    const char *initrd;
    const char *cmdline;
    const char *console;
    const char *api;
    const char *name;
    const char *dump_acpi;
    int cpus;
    uint64_t memory;
    int n_disks;
    struct virtio_blk_options disks[VMM_MAX_DISKS];
    int n_nets;
    struct virtio_net_options nets[VMM_MAX_NETS];
};

static void
usage(void)
{
    printf("%s: runs one KVM virtual machine\n"
           "usage: %s --kernel FILE [OPTIONS]\n"
           "  --kernel FILE          bzImage to boot (64-bit boot protocol "
           "2.12+)\n"
           "  --initrd FILE          initial ramdisk\n"
           "  --cmdline STRING       kernel command line\n"
           "  --cpus N               vCPUs, 1 to %d (default 1)\n"
           "  --memory SIZE          guest RAM, e.g. 256M or 2G (default "
           "256M; a bare number is MiB)\n"
           "  --net vhost-user=PATH[,mac=MAC][,server]\n"
           "                         virtio-net served by a vhost-user "
           "backend (repeatable)\n"
           "  --disk PATH[,ro]       virtio-blk disk on a raw image "
           "(repeatable)\n"
           "  --console stdio|file:PATH|socket:PATH|none\n"
           "                         the serial console (default stdio; "
           "Ctrl-A x quits)\n"
           "  --api PATH             JSON-RPC API socket\n"
           "  --name NAME            the VM's name\n"
           "  --dump-acpi DIR        write the ACPI tables to DIR and exit\n"
           "  -v, --verbose[=SPEC]   --log-file[=FILE]\n"
           "  -h, --help             this help\n",
           get_program_name(), get_program_name(), KVM_VM_MAX_VCPUS);
}

/* Parses SIZE: a number with an optional K, M, G suffix (KiB, MiB, GiB;
 * "B" and "iB" are allowed after it); a bare number is MiB. */
static int
parse_size(const char *s, uint64_t *sizep)
{
    char *end;
    errno = 0;
    if (!*s || *s == '-' || *s == '+') {
        return EINVAL;
    }
    unsigned long long n = strtoull(s, &end, 10);
    if (errno || end == s) {
        return EINVAL;
    }
    int shift = 20;
    switch (*end) {
    case 'k': case 'K': shift = 10; end++; break;
    case 'm': case 'M': shift = 20; end++; break;
    case 'g': case 'G': shift = 30; end++; break;
    case '\0': break;
    default: return EINVAL;
    }
    if (*end == 'i') {
        end++;
    }
    if (*end == 'B' && end[-1] != *s) {
        end++;
    }
    if (*end || n > (UINT64_MAX >> shift)) {
        return EINVAL;
    }
    *sizep = (uint64_t) n << shift;
    return 0;
}

static void
parse_options(int argc, char *argv[], struct vmm_options *o)
{
    enum {
        OPT_KERNEL = UCHAR_MAX + 1,
        OPT_INITRD,
        OPT_CMDLINE,
        OPT_CPUS,
        OPT_MEMORY,
        OPT_NET,
        OPT_DISK,
        OPT_CONSOLE,
        OPT_API,
        OPT_NAME,
        OPT_DUMP_ACPI,
        VLOG_OPTION_ENUMS,
    };
    static const struct option long_options[] = {
        {"kernel", required_argument, NULL, OPT_KERNEL},
        {"initrd", required_argument, NULL, OPT_INITRD},
        {"cmdline", required_argument, NULL, OPT_CMDLINE},
        {"cpus", required_argument, NULL, OPT_CPUS},
        {"memory", required_argument, NULL, OPT_MEMORY},
        {"net", required_argument, NULL, OPT_NET},
        {"disk", required_argument, NULL, OPT_DISK},
        {"console", required_argument, NULL, OPT_CONSOLE},
        {"api", required_argument, NULL, OPT_API},
        {"name", required_argument, NULL, OPT_NAME},
        {"dump-acpi", required_argument, NULL, OPT_DUMP_ACPI},
        {"help", no_argument, NULL, 'h'},
        VLOG_LONG_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    char *short_options = long_options_to_short_options(long_options);
    int c;

    memset(o, 0, sizeof *o);
    o->cpus = 1;
    o->memory = 256ULL << 20;
    o->console = "stdio";
    o->name = "vm";
    while ((c = getopt_long(argc, argv, short_options, long_options,
                            NULL)) != -1) {
        switch (c) {
        case OPT_KERNEL:
            o->kernel = optarg;
            break;
        case OPT_INITRD:
            o->initrd = optarg;
            break;
        case OPT_CMDLINE:
            o->cmdline = optarg;
            break;
        case OPT_CPUS:
            if (str_to_int(optarg, 10, 1, KVM_VM_MAX_VCPUS, &o->cpus)) {
                skiff_usage_error("--cpus \"%s\" is not a number from 1 to "
                                  "%d", optarg, KVM_VM_MAX_VCPUS);
            }
            break;
        case OPT_MEMORY:
            if (parse_size(optarg, &o->memory)) {
                skiff_usage_error("--memory \"%s\" is not a size (e.g. 256M "
                                  "or 1G)", optarg);
            }
            if (o->memory < GUEST_MEM_MIN || o->memory > GUEST_MEM_MAX
                || o->memory % (2ULL << 20)) {
                skiff_usage_error("--memory \"%s\" must be a multiple of "
                                  "2 MiB from %llu MiB to %llu GiB", optarg,
                                  GUEST_MEM_MIN >> 20, GUEST_MEM_MAX >> 30);
            }
            break;
        case OPT_NET: {
            if (o->n_nets >= VMM_MAX_NETS) {
                skiff_usage_error("at most %d --net options", VMM_MAX_NETS);
            }
            char *error = virtio_net_parse(optarg, &o->nets[o->n_nets]);
            if (error) {
                skiff_usage_error("--net \"%s\": %s", optarg, error);
            }
            o->n_nets++;
            break;
        }
        case OPT_DISK: {
            if (o->n_disks >= VMM_MAX_DISKS) {
                skiff_usage_error("at most %d --disk options",
                                  VMM_MAX_DISKS);
            }
            char *error = virtio_blk_parse(optarg,
                                           &o->disks[o->n_disks]);
            if (error) {
                skiff_usage_error("--disk \"%s\": %s", optarg, error);
            }
            o->n_disks++;
            break;
        }
        case OPT_CONSOLE:
            o->console = optarg;
            break;
        case OPT_API:
            o->api = optarg;
            break;
        case OPT_NAME:
            if (!*optarg || strlen(optarg) > 64) {
                skiff_usage_error("--name \"%s\" must have 1 to 64 "
                                  "characters", optarg);
            }
            o->name = optarg;
            break;
        case OPT_DUMP_ACPI:
            o->dump_acpi = optarg;
            break;
        case 'h':
            usage();
            exit(0);
        VLOG_OPTION_HANDLERS
        case '?':
            exit(2);
        default:
            abort();
        }
    }
    free(short_options);
    if (optind != argc) {
        skiff_usage_error("unexpected argument \"%s\"", argv[optind]);
    }
    if (!o->kernel && !o->dump_acpi) {
        skiff_usage_error("--kernel is required");
    }
    if (strcmp(o->console, "stdio") && strcmp(o->console, "none")
        && !(str_starts_with(o->console, "file:") && o->console[5])
        && !(str_starts_with(o->console, "socket:") && o->console[7])) {
        skiff_usage_error("bad --console \"%s\" (use stdio, file:PATH, "
                          "socket:PATH or none)", o->console);
    }
}

/* Reads all of FILE (at most VMM_MAX_FILE bytes); exits 1 on failure. */
static uint8_t *
read_file(const char *what, const char *file, size_t *sizep)
{
    int fd = open(file, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st)) {
        skiff_fatal(errno, "%s \"%s\"", what, file);
    }
    if (!S_ISREG(st.st_mode)) {
        skiff_fatal(0, "%s \"%s\" is not a regular file", what, file);
    }
    if ((uint64_t) st.st_size > VMM_MAX_FILE) {
        skiff_fatal(0, "%s \"%s\" is larger than %llu MiB", what, file,
                    VMM_MAX_FILE >> 20);
    }
    size_t size = (size_t) st.st_size;
    uint8_t *buf = xmalloc(size ? size : 1);
    size_t n;
    int error = read_fully(fd, buf, size, &n);
    close(fd);
    if (error || n != size) {
        skiff_fatal(error ? error : EIO, "reading %s \"%s\"", what, file);
    }
    *sizep = size;
    return buf;
}

uint32_t
vmm_device_irq(int i)
{
    /* Legacy IRQs the machine does not use, then IOAPIC-only GSIs. */
    static const uint32_t irqs[VMM_MAX_DEVICES] = {
        5, 6, 7, 9, 10, 11, 12, 14, 15, 16, 17, 18, 19, 20, 21, 22,
    };
    return irqs[i];
}

/* Adds " virtio_mmio.device=4K@ADDR:IRQ" for each device to CMDLINE. */
static char *
vmm_make_cmdline(const struct vmm *vmm, const char *cmdline)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    ds_put_cstr(&s, cmdline ? cmdline : "");
    for (int i = 0; i < vmm->n_devices; i++) {
        ds_put_format(&s, "%svirtio_mmio.device=4K@0x%llx:%u",
                      s.length ? " " : "",
                      VMM_MMIO_BASE + (unsigned long long) i * VMM_MMIO_SIZE,
                      vmm_device_irq(i));
    }
    return ds_steal_cstr(&s);
}

static void
vmm_acpi_devices(const struct vmm *vmm, struct acpi_config *acpi, int cpus)
{
    memset(acpi, 0, sizeof *acpi);
    acpi->n_cpus = cpus;
    acpi->n_mmio = vmm->n_devices;
    for (int i = 0; i < vmm->n_devices; i++) {
        acpi->mmio[i].base = VMM_MMIO_BASE + (uint64_t) i * VMM_MMIO_SIZE;
        acpi->mmio[i].size = VMM_MMIO_SIZE;
        acpi->mmio[i].irq = vmm_device_irq(i);
    }
}

static int
vmm_dump_acpi(const struct vmm_options *o)
{
    struct vmm vmm;
    struct acpi_config acpi;
    memset(&vmm, 0, sizeof vmm);
    vmm.n_devices = o->n_disks + o->n_nets;
    vmm_acpi_devices(&vmm, &acpi, o->cpus);
    char *error = NULL;
    int err = acpi_dump(&acpi, o->dump_acpi, &error);
    if (err) {
        skiff_fatal(0, "--dump-acpi \"%s\": %s", o->dump_acpi, error);
    }
    return 0;
}

static void
vmm_setup(struct vmm *vmm, const struct vmm_options *o)
{
    size_t kernel_size, initrd_size = 0;
    uint8_t *kernel = read_file("kernel", o->kernel, &kernel_size);
    uint8_t *initrd = o->initrd ? read_file("initrd", o->initrd,
                                            &initrd_size) : NULL;
    char *error = NULL;
    int err;

    /* Check the image before anything else, for a clear message. */
    struct boot_linux_header hdr;
    if (boot_linux_parse(kernel, kernel_size, &hdr, &error)) {
        skiff_fatal(0, "kernel \"%s\": %s", o->kernel, error);
    }

    err = guest_mem_create(&vmm->mem, o->name, o->memory);
    if (err) {
        skiff_fatal(err, "cannot create %llu MiB of guest memory",
                    (unsigned long long) (o->memory >> 20));
    }
    if (kvm_vm_create(&vmm->vm, &vmm->mem, o->cpus, &error)) {
        skiff_fatal(0, "%s", error);
    }
    if (serial_create(&vmm->vm, o->console, &vmm->serial, &error)) {
        skiff_fatal(0, "%s", error);
    }
    for (int i = 0; i < o->n_disks; i++) {
        struct virtio_mmio *dev;
        uint64_t base = VMM_MMIO_BASE + (uint64_t) vmm->n_devices
                        * VMM_MMIO_SIZE;
        if (virtio_blk_create(&vmm->vm, &o->disks[i], base,
                              vmm_device_irq(vmm->n_devices), &dev,
                              &error)) {
            skiff_fatal(0, "--disk \"%s\": %s", o->disks[i].path, error);
        }
        vmm->devices[vmm->n_devices++] = dev;
    }
    for (int i = 0; i < o->n_nets; i++) {
        struct virtio_mmio *dev;
        uint64_t base = VMM_MMIO_BASE + (uint64_t) vmm->n_devices
                        * VMM_MMIO_SIZE;
        if (virtio_net_create(&vmm->vm, &o->nets[i], i, base,
                              vmm_device_irq(vmm->n_devices), &dev,
                              &error)) {
            skiff_fatal(0, "--net \"vhost-user=%s\": %s", o->nets[i].path,
                        error);
        }
        vmm->devices[vmm->n_devices++] = dev;
    }

    struct acpi_config acpi;
    uint64_t rsdp;
    vmm_acpi_devices(vmm, &acpi, o->cpus);
    if (acpi_write(&acpi, &vmm->mem, BOOT_LINUX_ACPI_START, &rsdp,
                   &error)) {
        skiff_fatal(0, "ACPI tables: %s", error);
    }

    char *cmdline = vmm_make_cmdline(vmm, o->cmdline);
    struct boot_linux_config cfg = {
        .kernel = kernel, .kernel_size = kernel_size,
        .initrd = initrd, .initrd_size = initrd_size,
        .cmdline = cmdline, .rsdp_addr = rsdp,
    };
    struct boot_linux_info info;
    if (boot_linux_load(&vmm->mem, &cfg, &info, &error)) {
        skiff_fatal(0, "kernel \"%s\": %s", o->kernel, error);
    }
    VLOG_INFO("kernel loaded at 0x%"PRIx64", entry 0x%"PRIx64
              ", command line \"%s\"", info.load_addr, info.entry, cmdline);
    free(cmdline);
    free(kernel);
    free(initrd);

    err = kvm_vcpu_setup_boot(&vmm->vm.vcpus[0], info.pml4, info.gdt,
                              info.gdt_limit, info.entry, info.zero_page);
    if (err) {
        skiff_fatal(err, "setting the boot vCPU's registers");
    }
    if ((err = serial_attach(vmm->serial)) || (err = i8042_attach(&vmm->vm))) {
        skiff_fatal(err, "registering devices");
    }
    for (int i = 0; i < vmm->n_devices; i++) {
        err = virtio_mmio_attach(vmm->devices[i]);
        if (err) {
            skiff_fatal(err, "registering virtio-mmio device %d", i);
        }
    }
}

int
main(int argc, char *argv[])
{
    struct vmm_options o;
    struct vmm vmm;
    struct api *api = NULL;

    set_program_name(argv[0]);
    parse_options(argc, argv, &o);
    if (o.dump_acpi) {
        return vmm_dump_acpi(&o);
    }

    memset(&vmm, 0, sizeof vmm);
    vmm.name = o.name;
    daemonize_start();
    vmm_setup(&vmm, &o);
    if (o.api) {
        char *error = NULL;
        if (api_create(&vmm, o.api, &api, &error)) {
            skiff_fatal(0, "--api \"%s\": %s", o.api, error);
        }
    }
    daemonize_complete();

    int err = kvm_vm_start(&vmm.vm);
    if (err) {
        skiff_fatal(err, "starting the vCPU threads");
    }
    while (!daemon_should_exit() && kvm_vm_exit_status(&vmm.vm) < 0) {
        serial_run(vmm.serial);
        for (int i = 0; i < vmm.n_devices; i++) {
            virtio_mmio_run(vmm.devices[i]);
        }
        if (api) {
            api_run(api);
        }

        serial_wait(vmm.serial);
        for (int i = 0; i < vmm.n_devices; i++) {
            virtio_mmio_wait(vmm.devices[i]);
        }
        if (api) {
            api_wait(api);
        }
        poll_fd_wait(kvm_vm_exit_fd(&vmm.vm), POLLIN);
        daemon_wait();
        poll_block();
    }

    int status = kvm_vm_exit_status(&vmm.vm);
    if (status < 0) {
        VLOG_INFO("stopping on a signal");
        status = 0;
    }
    kvm_vm_stop(&vmm.vm);
    api_destroy(api);
    for (int i = 0; i < vmm.n_devices; i++) {
        virtio_mmio_destroy(vmm.devices[i]);
    }
    serial_destroy(vmm.serial);
    kvm_vm_destroy(&vmm.vm);
    guest_mem_destroy(&vmm.mem);
    return status;
}
