/* mkimage: makes the Skiff test guest's bzImage-format image out of its
 * flat binary (objcopy -O binary of the linked guest).
 *
 *     mkimage SETUP.BIN GUEST.BIN IMAGE
 *
 * The image is what the Linux x86 boot protocol calls a bzImage: a
 * real-mode setup area (boot sector plus setup sectors) holding the setup
 * header and the real-mode entry (SETUP.BIN, from setup.S, at offset
 * 0x1000), then the protected-mode part, here the binary itself, whose
 * offset 0 is the 32-bit entry and 0x200 the 64-bit entry.  The binary
 * tells its sizes in an info block at offset 0x1e0 (see head.S). */

#include <config.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unaligned-le.h"

#define SETUP_SECTS 8               /* setup sectors after the boot sector */
#define SETUP_SIZE ((SETUP_SECTS + 1) * 512)
#define LOAD_ADDRESS 0x100000       /* where the guest is linked */
#define BINARY_MAX (16 << 20)

/* The binary's info block. */
#define INFO_OFFSET 0x1e0
#define INFO_MAGIC "SKIFFIMG"

/* Setup header fields (offsets in the image file). */
#define HDR_SETUP_SECTS 0x1f1
#define HDR_SYSSIZE 0x1f4
#define HDR_BOOT_FLAG 0x1fe
#define HDR_JUMP 0x200
#define HDR_MAGIC 0x202
#define HDR_VERSION 0x206
#define HDR_KERNEL_VERSION 0x20e
#define HDR_LOADFLAGS 0x211
#define HDR_CODE32_START 0x214
#define HDR_INITRD_ADDR_MAX 0x22c
#define HDR_KERNEL_ALIGNMENT 0x230
#define HDR_RELOCATABLE 0x234
#define HDR_MIN_ALIGNMENT 0x235
#define HDR_XLOADFLAGS 0x236
#define HDR_CMDLINE_SIZE 0x238
#define HDR_PREF_ADDRESS 0x258
#define HDR_INIT_SIZE 0x260
#define HDR_KERNEL_INFO_OFFSET 0x268
#define HDR_END 0x26c
#define HDR_JUMP_NEAR 0x270         /* a near jump to the real-mode entry */
#define SETUP_CODE 0x1000           /* the real-mode entry, past the zero
                                     * page it fills in */
#define SETUP_CODE_MAX 0x180
#define VERSION_STRING 0x1180

#define BOOT_PROTOCOL 0x020f        /* 2.15 */
#define LOADED_HIGH 0x01
#define XLF_KERNEL_64 0x0001
#define CMDLINE_SIZE 4095           /* the guest keeps 4 KiB, NUL included */

static const char version_string[] = "skiff-test-guest";

/* Reads all of 'name' into a new buffer; returns its size or -1. */
static long
read_file(const char *name, uint8_t **bufp)
{
    FILE *f = fopen(name, "rb");
    if (!f) {
        fprintf(stderr, "mkimage: %s: %s\n", name, strerror(errno));
        return -1;
    }

    uint8_t *buf = malloc(BINARY_MAX + 1);
    size_t n = buf ? fread(buf, 1, BINARY_MAX + 1, f) : 0;
    int error = ferror(f);
    fclose(f);
    if (!buf || error) {
        fprintf(stderr, "mkimage: %s: read error\n", name);
        free(buf);
        return -1;
    }
    if (n > BINARY_MAX) {
        fprintf(stderr, "mkimage: %s: larger than %d bytes\n", name,
                BINARY_MAX);
        free(buf);
        return -1;
    }
    *bufp = buf;
    return (long) n;
}

/* Fills the setup area 'setup' for the binary 'bin' of 'size' bytes and
 * the real-mode entry 'code' of 'code_size' bytes.  Returns 0 or -1 after
 * saying what is wrong with the binaries. */
static int
make_setup(uint8_t *setup, const uint8_t *code, long code_size,
           const uint8_t *bin, long size, const char *name)
{
    if (code_size <= 0 || code_size > SETUP_CODE_MAX) {
        fprintf(stderr, "mkimage: real-mode entry of %ld bytes (at most "
                "%d)\n", code_size, SETUP_CODE_MAX);
        return -1;
    }
    if (size < INFO_OFFSET + 24
        || memcmp(bin + INFO_OFFSET, INFO_MAGIC, 8)) {
        fprintf(stderr, "mkimage: %s: no info block at offset 0x%x\n",
                name, INFO_OFFSET);
        return -1;
    }
    uint32_t image_size = le_get32(bin + INFO_OFFSET + 8);
    uint32_t init_size = le_get32(bin + INFO_OFFSET + 12);
    uint32_t kernel_info = le_get32(bin + INFO_OFFSET + 16);
    if (image_size != (uint32_t) size || init_size < image_size
        || kernel_info + 16 > image_size
        || memcmp(bin + kernel_info, "LToP", 4)) {
        fprintf(stderr, "mkimage: %s: info block does not match the "
                "binary (size %ld, image %u, init %u, kernel_info 0x%x)\n",
                name, size, image_size, init_size, kernel_info);
        return -1;
    }

    memset(setup, 0, SETUP_SIZE);
    setup[HDR_SETUP_SECTS] = SETUP_SECTS;
    le_put32(setup + HDR_SYSSIZE, (image_size + 15) / 16);
    le_put16(setup + HDR_BOOT_FLAG, 0xaa55);

    /* The real-mode entry: a short jump over the header, then a near
     * jump to the code. */
    setup[HDR_JUMP] = 0xeb;
    setup[HDR_JUMP + 1] = HDR_JUMP_NEAR - (HDR_JUMP + 2);
    setup[HDR_JUMP_NEAR] = 0xe9;
    le_put16(setup + HDR_JUMP_NEAR + 1, SETUP_CODE - (HDR_JUMP_NEAR + 3));
    memcpy(setup + SETUP_CODE, code, (size_t) code_size);

    memcpy(setup + VERSION_STRING, version_string, sizeof version_string);
    le_put16(setup + HDR_KERNEL_VERSION, VERSION_STRING - 0x200);

    memcpy(setup + HDR_MAGIC, "HdrS", 4);
    le_put16(setup + HDR_VERSION, BOOT_PROTOCOL);
    setup[HDR_LOADFLAGS] = LOADED_HIGH;
    le_put32(setup + HDR_CODE32_START, LOAD_ADDRESS);
    le_put32(setup + HDR_INITRD_ADDR_MAX, 0x7fffffff);
    le_put32(setup + HDR_KERNEL_ALIGNMENT, LOAD_ADDRESS);
    setup[HDR_RELOCATABLE] = 1;         /* the entry moves it to 1 MiB */
    setup[HDR_MIN_ALIGNMENT] = 12;
    le_put16(setup + HDR_XLOADFLAGS, XLF_KERNEL_64);
    le_put32(setup + HDR_CMDLINE_SIZE, CMDLINE_SIZE);
    le_put64(setup + HDR_PREF_ADDRESS, LOAD_ADDRESS);
    le_put32(setup + HDR_INIT_SIZE, init_size);
    le_put32(setup + HDR_KERNEL_INFO_OFFSET, kernel_info);
    return 0;
}

int
main(int argc, char *argv[])
{
    if (argc != 4) {
        fprintf(stderr, "usage: mkimage SETUP.BIN GUEST.BIN IMAGE\n");
        return 2;
    }

    uint8_t *code;
    long code_size = read_file(argv[1], &code);
    if (code_size < 0) {
        return 1;
    }
    uint8_t *bin;
    long size = read_file(argv[2], &bin);
    if (size < 0) {
        free(code);
        return 1;
    }

    uint8_t setup[SETUP_SIZE];
    int error = make_setup(setup, code, code_size, bin, size, argv[2]);
    free(code);
    if (error) {
        free(bin);
        return 1;
    }

    const char *image = argv[3];
    FILE *out = fopen(image, "wb");
    if (!out) {
        fprintf(stderr, "mkimage: %s: %s\n", image, strerror(errno));
        free(bin);
        return 1;
    }
    int ok = fwrite(setup, 1, sizeof setup, out) == sizeof setup
             && fwrite(bin, 1, (size_t) size, out) == (size_t) size;
    ok = !fclose(out) && ok;
    free(bin);
    if (!ok) {
        fprintf(stderr, "mkimage: %s: write error\n", image);
        remove(image);
        return 1;
    }
    return 0;
}
