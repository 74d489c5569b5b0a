/* Unit tests for lib/hash: determinism, sensitivity, distribution.
 *
 * Every input here is fixed, so the statistical checks give the same
 * answer on every run; their bounds are loose enough for any decent hash
 * and tight enough to catch a broken one (a constant, a lost byte, a
 * basis that is ignored). */
#include "unit.h"

#include "hash.h"

static void
test_rotl(void **state)
{
    assert_int_equal(hash_rotl(0x80000001u, 1), 0x00000003u);
    assert_int_equal(hash_rotl(0x12345678u, 8), 0x34567812u);
    assert_int_equal(hash_rotl(0x12345678u, 31), 0x091a2b3cu);
}

static void
test_deterministic(void **state)
{
    const char *keys[] = { "", "a", "br0", "vhost-user-1", "0123456789" };
    for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
        uint32_t h = hash_string(keys[i], 0);
        assert_int_equal(h, hash_string(keys[i], 0));
        assert_int_equal(h, hash_bytes(keys[i], strlen(keys[i]), 0));
        /* A copy elsewhere in memory hashes the same. */
        char *copy = xstrdup(keys[i]);
        assert_int_equal(h, hash_string(copy, 0));
        free(copy);
    }
    assert_int_equal(hash_int(12345, 7), hash_int(12345, 7));
    int x;
    assert_int_equal(hash_pointer(&x, 3), hash_pointer(&x, 3));
}

/* The hash does not depend on the buffer's alignment. */
static void
test_alignment(void **state)
{
    char buf[64];
    const char *key = "alignment-independent key";
    size_t len = strlen(key);
    uint32_t h = hash_bytes(key, len, 99);
    for (size_t off = 0; off < 8; off++) {
        memset(buf, 0xee, sizeof buf);
        memcpy(buf + off, key, len);
        assert_int_equal(hash_bytes(buf + off, len, 99), h);
    }
}

static void
test_basis_sensitivity(void **state)
{
    const char *keys[] = { "", "x", "port", "a longer key of 23 byte" };
    const uint32_t bases[] = { 0, 1, 2, 0x80000000u, 0xdeadbeefu };
    for (size_t k = 0; k < ARRAY_SIZE(keys); k++) {
        for (size_t i = 0; i < ARRAY_SIZE(bases); i++) {
            for (size_t j = i + 1; j < ARRAY_SIZE(bases); j++) {
                assert_int_not_equal(hash_string(keys[k], bases[i]),
                                     hash_string(keys[k], bases[j]));
            }
        }
    }
    assert_int_not_equal(hash_int(5, 0), hash_int(5, 1));
    int x;
    assert_int_not_equal(hash_pointer(&x, 0), hash_pointer(&x, 1));
}

/* For every length 0..7 (each tail length, with and without a full
 * word before it): bytes past the end are ignored, every byte inside
 * matters, and the length itself matters. */
static void
check_length(size_t n)
{
    uint8_t buf[16];
    memset(buf, 0x5c, sizeof buf);
    uint32_t h = hash_bytes(buf, n, 0);

    /* Changing bytes beyond N changes nothing. */
    for (size_t i = n; i < sizeof buf; i++) {
        buf[i] ^= 0xff;
    }
    assert_int_equal(hash_bytes(buf, n, 0), h);

    /* Flipping any single bit inside changes the hash. */
    for (size_t i = 0; i < n; i++) {
        for (int bit = 0; bit < 8; bit++) {
            buf[i] ^= (uint8_t) (1u << bit);
            assert_int_not_equal(hash_bytes(buf, n, 0), h);
            buf[i] ^= (uint8_t) (1u << bit);
        }
    }
}

static void
test_all_lengths(void **state)
{
    for (size_t n = 0; n < 16; n++) {
        check_length(n);
    }
}

static void
test_zero_bytes_of_each_length(void **state)
{
    /* Runs of zero bytes differ only in length: all must differ. */
    static const uint8_t zeros[16];
    uint32_t seen[16];
    for (size_t n = 0; n < 16; n++) {
        seen[n] = hash_bytes(zeros, n, 0);
        for (size_t m = 0; m < n; m++) {
            assert_int_not_equal(seen[m], seen[n]);
        }
    }
    /* Same for a nonzero basis. */
    for (size_t n = 1; n < 8; n++) {
        assert_int_not_equal(hash_bytes(zeros, n, 77),
                             hash_bytes(zeros, n - 1, 77));
    }
}

static int
compare_u32(const void *a_, const void *b_)
{
    uint32_t a = *(const uint32_t *) a_, b = *(const uint32_t *) b_;
    return a < b ? -1 : a > b;
}

/* hash_int() is a bijection for a fixed basis: no two inputs collide. */
static void
test_hash_int_no_collisions(void **state)
{
    enum { N = 200000 };
    uint32_t *h = xmalloc(N * sizeof *h);
    for (uint32_t i = 0; i < N; i++) {
        h[i] = hash_int(i * 4096u, 17);
    }
    qsort(h, N, sizeof *h, compare_u32);
    for (size_t i = 1; i < N; i++) {
        assert_int_not_equal(h[i - 1], h[i]);
    }
    free(h);
}

static void
test_hash_pointer_high_bits(void **state)
{
    /* Pointers that differ only above bit 31 hash differently. */
    if (sizeof(uintptr_t) < 8) {
        skip();
    }
    uintptr_t base = 0x1000;
    uintptr_t high = base + ((uintptr_t) 1 << 16 << 16);
    assert_int_not_equal(hash_pointer((void *) base, 0),
                         hash_pointer((void *) high, 0));
    assert_int_not_equal(hash_pointer((void *) base, 0),
                         hash_pointer((void *) (base + 8), 0));
}

/* Chi-square statistic of COUNTS over N_BUCKETS buckets holding N keys. */
static double
chi_square(const unsigned int *counts, size_t n_buckets, size_t n)
{
    double expected = (double) n / (double) n_buckets;
    double chi = 0;
    for (size_t i = 0; i < n_buckets; i++) {
        double d = counts[i] - expected;
        chi += d * d / expected;
    }
    return chi;
}

/* A uniform hash gives about N_BUCKETS - 1 (sd about 45 for 1024
 * buckets); bound at twice that. */
static void
check_uniform(const uint32_t *hashes, size_t n, int shift)
{
    enum { BUCKETS = 1024 };
    unsigned int counts[BUCKETS] = { 0 };
    for (size_t i = 0; i < n; i++) {
        counts[(hashes[i] >> shift) % BUCKETS]++;
    }
    double chi = chi_square(counts, BUCKETS, n);
    if (chi > 2.0 * BUCKETS) {
        fail_msg("chi-square %.1f over %d buckets (shift %d)",
                 chi, BUCKETS, shift);
    }
}

static void
test_distribution_strings(void **state)
{
    enum { N = 100000 };
    uint32_t *h = xmalloc(N * sizeof *h);
    for (size_t i = 0; i < N; i++) {
        char key[32];
        snprintf(key, sizeof key, "port%zu", i);
        h[i] = hash_string(key, 0);
    }
    check_uniform(h, N, 0);     /* Low bits: what hmap uses. */
    check_uniform(h, N, 22);    /* High bits. */
    free(h);
}

static void
test_distribution_ints(void **state)
{
    enum { N = 100000 };
    uint32_t *h = xmalloc(N * sizeof *h);
    for (uint32_t i = 0; i < N; i++) {
        /* Multiples of 1024 would all land in one bucket unhashed. */
        h[i] = hash_int(i << 10, 0);
    }
    check_uniform(h, N, 0);
    check_uniform(h, N, 22);
    free(h);
}

static int
popcount32(uint32_t x)
{
    int n = 0;
    for (; x; x &= x - 1) {
        n++;
    }
    return n;
}

/* Flipping one input bit flips about half the output bits. */
static void
test_avalanche(void **state)
{
    uint8_t key[12];
    long long int total = 0;
    int trials = 0;
    for (int k = 0; k < 64; k++) {
        for (size_t i = 0; i < sizeof key; i++) {
            key[i] = (uint8_t) (k * 37 + i * 11);
        }
        uint32_t h = hash_bytes(key, sizeof key, 0);
        for (size_t bit = 0; bit < sizeof key * 8; bit++) {
            key[bit / 8] ^= (uint8_t) (1u << (bit % 8));
            total += popcount32(h ^ hash_bytes(key, sizeof key, 0));
            key[bit / 8] ^= (uint8_t) (1u << (bit % 8));
            trials++;
        }
    }
    double mean = (double) total / trials;
    if (mean < 14.0 || mean > 18.0) {
        fail_msg("mean flipped bits %.2f, expected about 16", mean);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rotl),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_alignment),
        cmocka_unit_test(test_basis_sensitivity),
        cmocka_unit_test(test_all_lengths),
        cmocka_unit_test(test_zero_bytes_of_each_length),
        cmocka_unit_test(test_hash_int_no_collisions),
        cmocka_unit_test(test_hash_pointer_high_bits),
        cmocka_unit_test(test_distribution_strings),
        cmocka_unit_test(test_distribution_ints),
        cmocka_unit_test(test_avalanche),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
