/*
 * unaligned-le: little-endian integers at any byte address.
 *
 * For formats that are little-endian whatever the host (the Linux boot
 * protocol's setup header, ACPI tables, virtio registers): reads and
 * writes byte by byte, so neither alignment nor host byte order matters.
 */
#ifndef SKIFF_UNALIGNED_LE_H
#define SKIFF_UNALIGNED_LE_H 1

#include <stdint.h>

static inline uint16_t
le_get16(const uint8_t *p)
{
    return (uint16_t) (p[0] | p[1] << 8);
}

static inline uint32_t
le_get32(const uint8_t *p)
{
    return (uint32_t) le_get16(p) | (uint32_t) le_get16(p + 2) << 16;
}

static inline uint64_t
le_get64(const uint8_t *p)
{
    return (uint64_t) le_get32(p) | (uint64_t) le_get32(p + 4) << 32;
}

static inline void
le_put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t) v;
    p[1] = (uint8_t) (v >> 8);
}

static inline void
le_put32(uint8_t *p, uint32_t v)
{
    le_put16(p, (uint16_t) v);
    le_put16(p + 2, (uint16_t) (v >> 16));
}

static inline void
le_put64(uint8_t *p, uint64_t v)
{
    le_put32(p, (uint32_t) v);
    le_put32(p + 4, (uint32_t) (v >> 32));
}

#endif /* unaligned-le.h */
