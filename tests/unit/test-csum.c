/* Unit tests for lib/csum: RFC 1071 sums and RFC 1624 updates. */
#include "unit.h"

#include <arpa/inet.h>

#include "csum.h"

/* A slow reference: big-endian 16-bit words, odd byte padded, folded. */
static uint16_t
ref_sum(const uint8_t *p, size_t n)
{
    uint32_t sum = 0;
    for (size_t i = 0; i < n; i += 2) {
        sum += (uint32_t) p[i] << 8 | (i + 1 < n ? p[i + 1] : 0);
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return sum;
}

static uint16_t
stored(be16 csum)
{
    /* The checksum as the packet holds it, read as a big-endian number. */
    uint8_t b[2];
    memcpy(b, &csum, 2);
    return (uint16_t) (b[0] << 8 | b[1]);
}

static uint32_t rng_state = 12345;

static uint32_t
rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

/* RFC 1071 section 3's example: the bytes 00 01 f2 03 f4 f5 f6 f7 sum to
 * 0xddf2 (in big-endian words), so the checksum is 0x220d. */
static void
test_rfc1071_example(void **state)
{
    (void) state;
    const uint8_t data[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
    assert_int_equal(stored(csum(data, sizeof data)), 0x220d);

    /* With the checksum appended the sum checks: the result is 0. */
    uint8_t with[10];
    memcpy(with, data, 8);
    be16 c = csum(data, sizeof data);
    memcpy(with + 8, &c, 2);
    assert_int_equal(csum(with, sizeof with), 0);
}

/* A well-known IPv4 header (checksum b861). */
static void
test_ipv4_header(void **state)
{
    (void) state;
    uint8_t ip[20] = {
        0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
        0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7,
    };
    be16 c = csum(ip, sizeof ip);
    assert_int_equal(stored(c), 0xb861);
    memcpy(ip + 10, &c, 2);
    assert_int_equal(csum(ip, sizeof ip), 0);
}

/* Every length 0..300 and every alignment agrees with the reference, and
 * so do sums chained over even-length pieces. */
static void
test_lengths_and_alignments(void **state)
{
    (void) state;
    uint8_t buf[320];
    for (size_t i = 0; i < sizeof buf; i++) {
        buf[i] = rnd();
    }
    for (size_t align = 0; align < 8; align++) {
        for (size_t n = 0; n <= 300; n++) {
            uint16_t want = (uint16_t) ~ref_sum(buf + align, n);
            assert_int_equal(stored(csum(buf + align, n)), want);

            size_t cut = (n / 2) & ~(size_t) 1;
            uint32_t sum = csum_add(0, buf + align, cut);
            sum = csum_add(sum, buf + align + cut, n - cut);
            assert_int_equal(stored(csum_finish(sum)), want);
        }
    }
    /* All ones: large carries. */
    memset(buf, 0xff, sizeof buf);
    assert_int_equal(stored(csum(buf, 300)), 0x0000);
    memset(buf, 0, sizeof buf);
    assert_int_equal(stored(csum(buf, 300)), 0xffff);
}

/* A random "packet" with a checksum at offset 10, recomputed after a
 * field change, must equal the incremental update. */
static void
test_incremental_equals_full(void **state)
{
    (void) state;
    for (int iter = 0; iter < 20000; iter++) {
        uint8_t pkt[64];
        size_t n = 24 + rnd() % 40;
        for (size_t i = 0; i < n; i++) {
            pkt[i] = rnd();
        }
        if (iter % 7 == 0) {
            memset(pkt, 0, n);      /* Sums near zero. */
            pkt[rnd() % n] = rnd();
        }
        /* Byte 0 is never 0 and never changed, as in an IPv4 header: the
         * update differs from recomputation only for all-zero data. */
        pkt[0] |= 0x40;
        memset(pkt + 10, 0, 2);
        be16 c = csum(pkt, n);
        memcpy(pkt + 10, &c, 2);

        /* A 16-bit field at an even offset other than the checksum's. */
        size_t ofs = (rnd() % 2) ? 12 : 2 * (1 + rnd() % 4);
        be16 old16, new16 = rnd();
        memcpy(&old16, pkt + ofs, 2);
        memcpy(pkt + ofs, &new16, 2);
        c = csum_update16(c, old16, new16);
        memset(pkt + 10, 0, 2);
        assert_int_equal(c, csum(pkt, n));
        memcpy(pkt + 10, &c, 2);

        /* A 32-bit field (an address at offset 12 or 16). */
        ofs = 12 + 4 * (rnd() % 2);
        be32 old32, new32 = iter % 5 ? rnd() : 0;
        memcpy(&old32, pkt + ofs, 4);
        memcpy(pkt + ofs, &new32, 4);
        c = csum_update32(c, old32, new32);
        memset(pkt + 10, 0, 2);
        assert_int_equal(c, csum(pkt, n));
        memcpy(pkt + 10, &c, 2);

        /* A 128-bit field at offset 24, if there is room. */
        if (n < 40) {
            continue;
        }
        ofs = 24;
        struct in6_addr old6, new6;
        for (int i = 0; i < 16; i++) {
            new6.s6_addr[i] = rnd();
        }
        memcpy(&old6, pkt + ofs, 16);
        memcpy(pkt + ofs, &new6, 16);
        c = csum_update128(c, &old6, &new6);
        memset(pkt + 10, 0, 2);
        assert_int_equal(c, csum(pkt, n));
    }
}

/* The pseudo-header sums equal summing the pseudo-header bytes. */
static void
test_pseudo_headers(void **state)
{
    (void) state;
    uint8_t ph4[12] = { 10, 0, 0, 1, 192, 168, 1, 2, 0, 6, 0x05, 0xdc };
    be32 src, dst;
    memcpy(&src, ph4, 4);
    memcpy(&dst, ph4 + 4, 4);
    assert_int_equal(csum_finish(csum_pseudo_ipv4(src, dst, 6, 1500)),
                     csum(ph4, sizeof ph4));

    uint8_t ph6[40] = { 0 };
    struct in6_addr s6, d6;
    for (int i = 0; i < 16; i++) {
        ph6[i] = s6.s6_addr[i] = rnd();
        ph6[16 + i] = d6.s6_addr[i] = rnd();
    }
    ph6[33] = 0x01;         /* Length 0x00012345. */
    ph6[34] = 0x23;
    ph6[35] = 0x45;
    ph6[39] = 17;
    assert_int_equal(csum_finish(csum_pseudo_ipv6(&s6, &d6, 17, 0x12345)),
                     csum(ph6, sizeof ph6));

    /* A UDP segment verified with its pseudo-header sums to 0. */
    uint8_t udp[12] = { 0x04, 0xd2, 0x00, 0x35, 0x00, 0x0c, 0, 0,
                        'a', 'b', 'c', 'd' };
    be16 c = csum_finish(csum_add(csum_pseudo_ipv4(src, dst, 17, 12),
                                  udp, sizeof udp));
    c = csum_udp_fixup(c);
    memcpy(udp + 6, &c, 2);
    assert_int_equal(csum_finish(csum_add(csum_pseudo_ipv4(src, dst, 17,
                                                           12),
                                          udp, sizeof udp)), 0);
    assert_int_equal(csum_udp_fixup(0), 0xffff);
    assert_int_equal(csum_udp_fixup(htons(0x1234)), htons(0x1234));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc1071_example),
        cmocka_unit_test(test_ipv4_header),
        cmocka_unit_test(test_lengths_and_alignments),
        cmocka_unit_test(test_incremental_equals_full),
        cmocka_unit_test(test_pseudo_headers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
