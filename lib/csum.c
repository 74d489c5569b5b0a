/*
 * csum: Internet checksum helpers.  See csum.h for the byte order rules.
 */
#include <config.h>

#include "csum.h"

#include <arpa/inet.h>
#include <string.h>

uint32_t
csum_add(uint32_t sum, const void *data_, size_t n)
{
    const uint8_t *data = data_;
    uint64_t acc = sum;

    /* 32-bit loads into a 64-bit accumulator: the carries collect in the
     * high half and are folded back at the end. */
    for (; n >= 4; n -= 4, data += 4) {
        uint32_t w;
        memcpy(&w, data, sizeof w);
        acc += w;
    }
    if (n >= 2) {
        uint16_t w;
        memcpy(&w, data, sizeof w);
        acc += w;
        n -= 2;
        data += 2;
    }
    if (n) {
        /* The odd byte is the first of a word whose second byte is 0. */
        uint8_t last[2] = { data[0], 0 };
        uint16_t w;
        memcpy(&w, last, sizeof w);
        acc += w;
    }
    acc = (acc & 0xffffffff) + (acc >> 32);
    acc = (acc & 0xffffffff) + (acc >> 32);
    acc = (acc & 0xffff) + (acc >> 16);
    acc = (acc & 0xffff) + (acc >> 16);
    acc = (acc & 0xffff) + (acc >> 16);
    return (uint32_t) acc;
}

uint32_t
csum_pseudo_ipv4(be32 src, be32 dst, uint8_t proto, uint16_t l4_len)
{
    uint32_t sum = 0;
    be16 w[2] = { htons(proto), htons(l4_len) };

    sum = csum_add(sum, &src, sizeof src);
    sum = csum_add(sum, &dst, sizeof dst);
    return csum_add(sum, w, sizeof w);
}

uint32_t
csum_pseudo_ipv6(const struct in6_addr *src, const struct in6_addr *dst,
                 uint8_t proto, uint32_t l4_len)
{
    uint32_t sum = 0;
    be32 w[2] = { htonl(l4_len), htonl(proto) };

    sum = csum_add(sum, src, sizeof *src);
    sum = csum_add(sum, dst, sizeof *dst);
    return csum_add(sum, w, sizeof w);
}

/* HC' = ~(~HC + ~m + m'), with the sum of the 16-bit words of M and M'
 * already taken as OLD_SUM and NEW_SUM. */
static be16
csum_update(be16 csum, uint32_t old_sum, uint32_t new_sum)
{
    uint32_t sum = (uint16_t) ~csum;
    old_sum = (old_sum & 0xffff) + (old_sum >> 16);
    old_sum = (old_sum & 0xffff) + (old_sum >> 16);
    sum += (uint16_t) ~old_sum;
    sum += new_sum;
    return csum_finish(sum);
}

be16
csum_update16(be16 csum, be16 old, be16 new)
{
    return csum_update(csum, old, new);
}

be16
csum_update32(be16 csum, be32 old, be32 new)
{
    return csum_update(csum, csum_add(0, &old, sizeof old),
                       csum_add(0, &new, sizeof new));
}

be16
csum_update128(be16 csum, const struct in6_addr *old,
               const struct in6_addr *new)
{
    return csum_update(csum, csum_add(0, old, sizeof *old),
                       csum_add(0, new, sizeof *new));
}
