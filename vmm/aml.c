/* aml: an ACPI Machine Language encoder; see aml.h. */
#include <config.h>

#include "aml.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

#define AML_ZERO 0x00
#define AML_ONE 0x01
#define AML_NAME_OP 0x08
#define AML_BYTE_PREFIX 0x0a
#define AML_WORD_PREFIX 0x0b
#define AML_DWORD_PREFIX 0x0c
#define AML_STRING_PREFIX 0x0d
#define AML_QWORD_PREFIX 0x0e
#define AML_SCOPE_OP 0x10
#define AML_BUFFER_OP 0x11
#define AML_EXT_OP 0x5b
#define AML_DEVICE_OP 0x82
#define AML_ROOT_CHAR '\\'

/* The largest package length placeholder: 4 bytes hold 28 bits. */
#define AML_PKG_PLACEHOLDER 4

static void
aml_byte(struct aml *a, uint8_t b)
{
    ds_put_char(&a->code, (char) b);
}

static void
aml_le(struct aml *a, uint64_t v, int n)
{
    for (int i = 0; i < n; i++) {
        aml_byte(a, (uint8_t) (v >> (8 * i)));
    }
}

void
aml_init(struct aml *a)
{
    ds_init(&a->code);
    a->depth = 0;
}

void
aml_destroy(struct aml *a)
{
    ds_destroy(&a->code);
}

void
aml_name_string(struct aml *a, const char *name)
{
    if (*name == AML_ROOT_CHAR) {
        aml_byte(a, AML_ROOT_CHAR);
        name++;
    }
    size_t len = strlen(name);
    if (len < 1 || len > 4) {
        abort();
    }
    for (size_t i = 0; i < 4; i++) {
        aml_byte(a, (uint8_t) (i < len ? name[i] : '_'));
    }
}

void
aml_integer(struct aml *a, uint64_t v)
{
    if (v == 0) {
        aml_byte(a, AML_ZERO);
    } else if (v == 1) {
        aml_byte(a, AML_ONE);
    } else if (v <= UINT8_MAX) {
        aml_byte(a, AML_BYTE_PREFIX);
        aml_le(a, v, 1);
    } else if (v <= UINT16_MAX) {
        aml_byte(a, AML_WORD_PREFIX);
        aml_le(a, v, 2);
    } else if (v <= UINT32_MAX) {
        aml_byte(a, AML_DWORD_PREFIX);
        aml_le(a, v, 4);
    } else {
        aml_byte(a, AML_QWORD_PREFIX);
        aml_le(a, v, 8);
    }
}

void
aml_string(struct aml *a, const char *s)
{
    aml_byte(a, AML_STRING_PREFIX);
    ds_put_cstr(&a->code, s);
    aml_byte(a, 0);
}

void
aml_name(struct aml *a, const char *name)
{
    aml_byte(a, AML_NAME_OP);
    aml_name_string(a, name);
}

void
aml_eisaid(struct aml *a, const char *id)
{
    /* Three letters of 5 bits each, then four hex digits; stored
     * big-endian in a DWord. */
    uint32_t v = (uint32_t) ((id[0] - '@') & 0x1f) << 26
                 | (uint32_t) ((id[1] - '@') & 0x1f) << 21
                 | (uint32_t) ((id[2] - '@') & 0x1f) << 16;
    for (int i = 3; i < 7; i++) {
        char c = id[i];
        uint32_t d = c >= '0' && c <= '9' ? (uint32_t) (c - '0')
                     : (uint32_t) ((c | 0x20) - 'a' + 10);
        v |= (d & 0xf) << (4 * (6 - i));
    }
    aml_byte(a, AML_DWORD_PREFIX);
    aml_byte(a, (uint8_t) (v >> 24));
    aml_byte(a, (uint8_t) (v >> 16));
    aml_byte(a, (uint8_t) (v >> 8));
    aml_byte(a, (uint8_t) v);
}

static void
aml_open(struct aml *a)
{
    if (a->depth >= AML_MAX_DEPTH) {
        abort();
    }
    a->open[a->depth++] = a->code.length;
    for (int i = 0; i < AML_PKG_PLACEHOLDER; i++) {
        aml_byte(a, 0);
    }
}

void
aml_open_scope(struct aml *a, const char *name)
{
    aml_byte(a, AML_SCOPE_OP);
    aml_open(a);
    aml_name_string(a, name);
}

void
aml_open_device(struct aml *a, const char *name)
{
    aml_byte(a, AML_EXT_OP);
    aml_byte(a, AML_DEVICE_OP);
    aml_open(a);
    aml_name_string(a, name);
}

void
aml_open_buffer(struct aml *a)
{
    aml_byte(a, AML_BUFFER_OP);
    aml_open(a);
    /* The buffer size, as a DWord filled in by aml_close(). */
    aml_byte(a, AML_DWORD_PREFIX);
    aml_le(a, 0, 4);
}

/* Encodes package length LEN (which counts the encoding itself) into
 * OUT; returns the number of bytes used. */
static int
aml_encode_pkglen(size_t contents, uint8_t out[4])
{
    for (int n = 1; n <= 4; n++) {
        size_t len = contents + (size_t) n;
        if (n == 1 && len < 0x40) {
            out[0] = (uint8_t) len;
            return 1;
        }
        if (n > 1 && len < ((size_t) 1 << (4 + 8 * (n - 1)))) {
            out[0] = (uint8_t) (((n - 1) << 6) | (len & 0xf));
            for (int i = 1; i < n; i++) {
                out[i] = (uint8_t) (len >> (4 + 8 * (i - 1)));
            }
            return n;
        }
    }
    abort();
}

void
aml_close(struct aml *a)
{
    size_t start = a->open[--a->depth];
    size_t body = start + AML_PKG_PLACEHOLDER;
    size_t contents = a->code.length - body;
    uint8_t *code = (uint8_t *) a->code.string;

    /* A buffer's size field is the first thing after its placeholder
     * (a DWord prefix and 4 bytes): fill it with the bytes that follow. */
    if (start > 0 && code[start - 1] == AML_BUFFER_OP
        && code[body] == AML_DWORD_PREFIX && contents >= 5) {
        uint32_t size = (uint32_t) (contents - 5);
        for (int i = 0; i < 4; i++) {
            code[body + 1 + i] = (uint8_t) (size >> (8 * i));
        }
    }

    uint8_t pkg[4];
    int n = aml_encode_pkglen(contents, pkg);
    memcpy(code + start, pkg, (size_t) n);
    memmove(code + start + n, code + body, contents);
    a->code.length -= (size_t) (AML_PKG_PLACEHOLDER - n);
    a->code.string[a->code.length] = '\0';
}

void
aml_res_io(struct aml *a, uint16_t base, uint8_t len)
{
    aml_byte(a, 0x47);              /* I/O port, 7 bytes. */
    aml_byte(a, 0x01);              /* 16-bit decode. */
    aml_le(a, base, 2);             /* Minimum. */
    aml_le(a, base, 2);             /* Maximum. */
    aml_byte(a, 1);                 /* Alignment. */
    aml_byte(a, len);
}

void
aml_res_irq_noflags(struct aml *a, unsigned int irq)
{
    aml_byte(a, 0x22);              /* IRQ, 2 bytes: edge, active high. */
    aml_le(a, 1u << irq, 2);
}

void
aml_res_memory32_fixed(struct aml *a, uint32_t base, uint32_t size)
{
    aml_byte(a, 0x86);
    aml_le(a, 9, 2);
    aml_byte(a, 0x01);              /* Read-write. */
    aml_le(a, base, 4);
    aml_le(a, size, 4);
}

void
aml_res_interrupt(struct aml *a, uint32_t irq)
{
    aml_byte(a, 0x89);              /* Extended interrupt. */
    aml_le(a, 6, 2);
    aml_byte(a, 0x03);              /* Consumer, edge, active high. */
    aml_byte(a, 1);                 /* One interrupt. */
    aml_le(a, irq, 4);
}

void
aml_res_end_tag(struct aml *a)
{
    aml_byte(a, 0x79);
    aml_byte(a, 0);                 /* Checksum 0: "treat as valid". */
}
