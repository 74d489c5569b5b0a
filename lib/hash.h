/*
 * hash: fast non-cryptographic 32-bit hashes for hash tables.
 *
 * Not for untrusted keys where collisions could be forced: tables keyed by
 * outside input should pass a per-process random BASIS.
 */
#ifndef SKIFF_HASH_H
#define SKIFF_HASH_H 1

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline uint32_t
hash_rotl(uint32_t x, int k)
{
    return (x << k) | (x >> (32 - k));
}

/* Mixes one 32-bit word into HASH. */
static inline uint32_t
hash_add(uint32_t hash, uint32_t word)
{
    word *= 0xcc9e2d51;
    word = hash_rotl(word, 15);
    word *= 0x1b873593;
    hash ^= word;
    hash = hash_rotl(hash, 13);
    return hash * 5 + 0xe6546b64;
}

/* Final avalanche so that every input bit affects every output bit. */
static inline uint32_t
hash_finish(uint32_t hash, uint32_t n_bytes)
{
    hash ^= n_bytes;
    hash ^= hash >> 16;
    hash *= 0x85ebca6b;
    hash ^= hash >> 13;
    hash *= 0xc2b2ae35;
    hash ^= hash >> 16;
    return hash;
}

uint32_t hash_bytes(const void *p, size_t n, uint32_t basis);

static inline uint32_t
hash_string(const char *s, uint32_t basis)
{
    return hash_bytes(s, strlen(s), basis);
}

static inline uint32_t
hash_int(uint32_t x, uint32_t basis)
{
    return hash_finish(hash_add(basis, x), 4);
}

static inline uint32_t
hash_pointer(const void *p, uint32_t basis)
{
    uintptr_t x = (uintptr_t) p;
    return hash_finish(hash_add(hash_add(basis, (uint32_t) x),
                                (uint32_t) (x >> 16 >> 16)), 8);
}

#endif /* hash.h */
