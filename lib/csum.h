/*
 * csum: the Internet checksum (RFC 1071) and its incremental update
 * (RFC 1624), for IPv4 headers and TCP, UDP and ICMP checksums.
 *
 * Byte order: a one's complement sum is the same whichever byte order its
 * 16-bit words are added in (RFC 1071, section 2(B)), so these functions
 * add packet memory in host order and every checksum they take or return
 * is a be16 exactly as it sits in the packet: store it with memcpy(), no
 * htons().  Old and new field values are also given as they sit in the
 * packet (be16, be32, 16-byte IPv6 addresses).
 *
 * Partial sums (uint32_t) may be chained: csum_add(csum_add(0, a, n), b, m)
 * sums A then B as one buffer provided N is even; only the last piece may
 * have an odd length.  csum_finish() folds a partial sum and complements
 * it.
 *
 * UDP: a computed checksum of 0 is sent as 0xffff, and an IPv4 UDP
 * checksum of 0 means "none" and must not be updated; the callers handle
 * both (csum_udp_fixup()).  SCTP uses CRC32c and none of this.
 */
#ifndef SKIFF_CSUM_H
#define SKIFF_CSUM_H 1

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#include "packets.h"

/* Adds the N bytes at DATA to the partial sum SUM. */
uint32_t csum_add(uint32_t sum, const void *data, size_t n);

/* Folds SUM to 16 bits and complements it: the checksum to store. */
static inline be16
csum_finish(uint32_t sum)
{
    sum = (sum & 0xffff) + (sum >> 16);
    sum = (sum & 0xffff) + (sum >> 16);
    return (be16) ~sum;
}

/* The checksum of the N bytes at DATA (e.g. an IPv4 header whose checksum
 * field is zero; over a header with its checksum in place, 0 means
 * correct). */
static inline be16
csum(const void *data, size_t n)
{
    return csum_finish(csum_add(0, data, n));
}

/* Partial sums of the pseudo-headers of RFC 9293 / RFC 768 (IPv4) and RFC
 * 8200 section 8.1 (IPv6).  PROTO is the transport protocol and L4_LEN the
 * transport header plus payload length, in host order. */
uint32_t csum_pseudo_ipv4(be32 src, be32 dst, uint8_t proto,
                          uint16_t l4_len);
uint32_t csum_pseudo_ipv6(const struct in6_addr *src,
                          const struct in6_addr *dst, uint8_t proto,
                          uint32_t l4_len);

/* The checksum CSUM after a 16-bit field covered by it changes from OLD
 * to NEW (RFC 1624, equation 3).  The result equals recomputing the
 * checksum except when all the covered data becomes zero (0x0000 instead
 * of 0xffff), which no IP header or pseudo-header can be. */
be16 csum_update16(be16 csum, be16 old, be16 new);

/* Likewise for a 32-bit field (an IPv4 address) and a 128-bit one (an
 * IPv6 address). */
be16 csum_update32(be16 csum, be32 old, be32 new);
be16 csum_update128(be16 csum, const struct in6_addr *old,
                    const struct in6_addr *new);

/* A UDP checksum as it must be sent: 0 becomes 0xffff. */
static inline be16
csum_udp_fixup(be16 csum)
{
    return csum ? csum : (be16) 0xffff;
}

#endif /* csum.h */
