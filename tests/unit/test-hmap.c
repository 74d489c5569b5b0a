/* Unit tests for lib/hmap: the intrusive hash map. */
#include "unit.h"

#include "hash.h"
#include "hmap.h"

struct element {
    int value;
    struct hmap_node node;
};

typedef uint32_t hash_func(int value);

static uint32_t
hash_identity(int value)
{
    return (uint32_t) value;
}

static uint32_t
hash_constant(int value)
{
    (void) value;
    return 0x12345678u;
}

/* Only four distinct hashes, which differ in their high bits, so they
 * share buckets at every map size. */
static uint32_t
hash_high_bits(int value)
{
    return (uint32_t) (value % 4) << 28;
}

static uint32_t
hash_good(int value)
{
    return hash_int((uint32_t) value, 0);
}

/* Finds the element with VALUE, comparing keys among same-hash nodes. */
static struct element *
find(const struct hmap *map, int value, hash_func *hash)
{
    struct element *e;
    HMAP_FOR_EACH_WITH_HASH (e, node, hash(value), map) {
        if (e->value == value) {
            return e;
        }
    }
    return NULL;
}

/* The bucket array is a power of two and holds at most two nodes per
 * bucket after any insertion. */
static void
check_shape(const struct hmap *map)
{
    size_t n_buckets = map->mask + 1;
    assert_int_equal(n_buckets & map->mask, 0);
    if (n_buckets == 1) {
        assert_ptr_equal(map->buckets, &map->one);
    }
}

/* Checks that MAP holds exactly the elements of ELEMS[0..N-1] whose
 * PRESENT flag is set: each once in iteration, each findable by hash and
 * contained; absent ones neither findable nor contained. */
static void
check_map(const struct hmap *map, struct element *elems,
          const bool *present, size_t n, hash_func *hash)
{
    unsigned char *seen = xzalloc(n);
    size_t n_present = 0, n_iter = 0;
    struct element *e;

    HMAP_FOR_EACH (e, node, map) {
        assert_true(e >= elems && e < elems + n);
        size_t i = (size_t) (e - elems);
        assert_true(present[i]);
        assert_int_equal(seen[i]++, 0);
        assert_int_equal(e->node.hash, hash(e->value));
        n_iter++;
    }
    for (size_t i = 0; i < n; i++) {
        n_present += present[i];
        assert_ptr_equal(find(map, (int) i, hash),
                         present[i] ? &elems[i] : NULL);
        if (present[i]) {
            assert_true(hmap_contains(map, &elems[i].node));
        }
    }
    assert_int_equal(n_iter, n_present);
    assert_int_equal(hmap_count(map), n_present);
    assert_int_equal(hmap_is_empty(map), n_present == 0);
    assert_int_equal(hmap_first(map) == NULL, n_present == 0);
    check_shape(map);
    free(seen);
}

static struct element *
make_elements(size_t n)
{
    struct element *elems = xcalloc(n ? n : 1, sizeof *elems);
    for (size_t i = 0; i < n; i++) {
        elems[i].value = (int) i;
    }
    return elems;
}

static void
test_empty(void **state)
{
    struct hmap a = HMAP_INITIALIZER(&a);
    struct hmap b;
    hmap_init(&b);

    assert_true(hmap_is_empty(&a));
    assert_int_equal(hmap_count(&b), 0);
    assert_null(hmap_first(&a));
    assert_null(hmap_first(&b));
    assert_null(hmap_first_with_hash(&a, 0));
    assert_null(hmap_first_with_hash(&b, 12345));
    check_shape(&a);
    check_shape(&b);

    struct element *e;
    int n = 0;
    HMAP_FOR_EACH (e, node, &a) {
        n++;
    }
    assert_int_equal(n, 0);
    hmap_destroy(&a);
    hmap_destroy(&b);
    hmap_destroy(NULL);
}

static size_t
gcd(size_t a, size_t b)
{
    while (b) {
        size_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* A stride of at least 7 that visits all of 0..N-1 modulo N. */
static size_t
coprime_step(size_t n)
{
    size_t step = 7;
    while (n && gcd(step, n) != 1) {
        step++;
    }
    return step;
}

/* Inserts and removes with hash functions from perfect to all-colliding,
 * checking the whole map after each step. */
static void
run_insert_remove(size_t n, hash_func *hash)
{
    struct element *elems = make_elements(n);
    bool *present = xcalloc(n ? n : 1, sizeof *present);
    struct hmap map;
    hmap_init(&map);

    for (size_t i = 0; i < n; i++) {
        hmap_insert(&map, &elems[i].node, hash(elems[i].value));
        present[i] = true;
        assert_true(map.n <= 2 * (map.mask + 1));
        check_map(&map, elems, present, n, hash);
    }
    /* Remove in a scrambled order that still visits every element. */
    size_t step = coprime_step(n);
    for (size_t k = 0; k < n; k++) {
        size_t i = (k * step + 3) % n;
        assert_true(present[i]);
        hmap_remove(&map, &elems[i].node);
        present[i] = false;
        check_map(&map, elems, present, n, hash);
    }
    hmap_destroy(&map);
    free(present);
    free(elems);
}

static void
test_insert_remove_collisions(void **state)
{
    hash_func *funcs[] = { hash_identity, hash_constant, hash_high_bits,
                           hash_good };
    for (size_t f = 0; f < ARRAY_SIZE(funcs); f++) {
        for (size_t n = 0; n <= 40; n++) {
            run_insert_remove(n, funcs[f]);
        }
    }
}

static void
test_same_bucket_other_hash(void **state)
{
    struct element a = { .value = 1 }, b = { .value = 2 }, c = { .value = 3 };
    struct hmap map = HMAP_INITIALIZER(&map);
    uint32_t h1 = 5, h2 = 5 | 0x80000000u;  /* Same bucket, any size. */

    hmap_insert(&map, &a.node, h1);
    hmap_insert(&map, &b.node, h2);
    hmap_insert(&map, &c.node, h1);

    /* Walking hash H1 skips the H2 node between its two nodes. */
    struct hmap_node *node = hmap_first_with_hash(&map, h1);
    assert_non_null(node);
    struct hmap_node *next = hmap_next_with_hash(node);
    assert_non_null(next);
    assert_null(hmap_next_with_hash(next));
    assert_int_equal(node->hash, h1);
    assert_int_equal(next->hash, h1);
    assert_true((node == &a.node && next == &c.node)
                || (node == &c.node && next == &a.node));

    assert_ptr_equal(hmap_first_with_hash(&map, h2), &b.node);
    assert_null(hmap_next_with_hash(&b.node));
    assert_null(hmap_first_with_hash(&map, 6));
    hmap_destroy(&map);
}

static void
test_growth_many_sizes(void **state)
{
    static const size_t sizes[] = { 100, 257, 1000, 4096, 10000 };
    for (size_t s = 0; s < ARRAY_SIZE(sizes); s++) {
        size_t n = sizes[s];
        struct element *elems = make_elements(n);
        bool *present = xcalloc(n, sizeof *present);
        struct hmap map = HMAP_INITIALIZER(&map);

        for (size_t i = 0; i < n; i++) {
            hmap_insert(&map, &elems[i].node, hash_good(elems[i].value));
            present[i] = true;
            assert_true(map.n <= 2 * (map.mask + 1));
            if (i % 97 == 0) {
                check_map(&map, elems, present, n, hash_good);
            }
        }
        check_map(&map, elems, present, n, hash_good);
        /* Not wastefully large either: at least one node per 2 buckets. */
        assert_true(map.mask + 1 <= n);
        hmap_destroy(&map);
        free(present);
        free(elems);
    }
}

static void
test_for_each_safe_remove_all(void **state)
{
    enum { N = 500 };
    struct hmap map = HMAP_INITIALIZER(&map);
    for (int i = 0; i < N; i++) {
        struct element *e = xmalloc(sizeof *e);
        e->value = i;
        hmap_insert(&map, &e->node, hash_high_bits(i));
    }

    struct element *e;
    unsigned char seen[N] = { 0 };
    size_t n = 0;
    HMAP_FOR_EACH_SAFE (e, node, &map) {
        assert_int_equal(seen[e->value]++, 0);
        hmap_remove(&map, &e->node);
        free(e);        /* ASan catches a later touch of E. */
        n++;
    }
    assert_int_equal(n, N);
    assert_true(hmap_is_empty(&map));
    assert_null(hmap_first(&map));
    hmap_destroy(&map);
}

static void
test_for_each_safe_remove_some(void **state)
{
    enum { N = 300 };
    struct element *elems = make_elements(N);
    bool present[N];
    struct hmap map = HMAP_INITIALIZER(&map);
    for (size_t i = 0; i < N; i++) {
        hmap_insert(&map, &elems[i].node, hash_good(elems[i].value));
        present[i] = true;
    }

    struct element *e;
    size_t visited = 0;
    HMAP_FOR_EACH_SAFE (e, node, &map) {
        visited++;
        if (e->value % 3) {
            hmap_remove(&map, &e->node);
            present[e->value] = false;
        }
    }
    assert_int_equal(visited, N);
    check_map(&map, elems, present, N, hash_good);
    hmap_destroy(&map);
    free(elems);
}

static void
test_shrink(void **state)
{
    enum { N = 1000 };
    struct element *elems = make_elements(N);
    bool present[N];
    struct hmap map = HMAP_INITIALIZER(&map);
    for (size_t i = 0; i < N; i++) {
        hmap_insert(&map, &elems[i].node, hash_good(elems[i].value));
        present[i] = true;
    }
    size_t big = map.mask + 1;

    for (size_t i = 3; i < N; i++) {
        hmap_remove(&map, &elems[i].node);
        present[i] = false;
    }
    assert_int_equal(map.mask + 1, big);    /* Removal never shrinks. */
    hmap_shrink(&map);
    assert_true(map.mask + 1 < big);
    assert_true(map.mask + 1 <= 4);
    check_map(&map, elems, present, N, hash_good);

    /* Down to nothing. */
    for (size_t i = 0; i < 3; i++) {
        hmap_remove(&map, &elems[i].node);
        present[i] = false;
    }
    hmap_shrink(&map);
    hmap_shrink(&map);
    check_map(&map, elems, present, N, hash_good);

    /* Still usable, and grows again. */
    for (size_t i = 0; i < N; i++) {
        hmap_insert(&map, &elems[i].node, hash_good(elems[i].value));
        present[i] = true;
    }
    check_map(&map, elems, present, N, hash_good);
    hmap_shrink(&map);      /* Full: nothing to do. */
    check_map(&map, elems, present, N, hash_good);
    hmap_destroy(&map);
    free(elems);
}

static void
test_shrink_to_one_bucket(void **state)
{
    struct element *elems = make_elements(64);
    bool present[64] = { false };
    struct hmap map = HMAP_INITIALIZER(&map);
    for (size_t i = 0; i < 64; i++) {
        hmap_insert(&map, &elems[i].node, hash_good(elems[i].value));
    }
    for (size_t i = 1; i < 64; i++) {
        hmap_remove(&map, &elems[i].node);
    }
    present[0] = true;
    hmap_shrink(&map);
    check_map(&map, elems, present, 64, hash_good);
    assert_int_equal(map.mask, 0);
    assert_ptr_equal(map.buckets, &map.one);
    hmap_destroy(&map);
    free(elems);
}

/* Fills MAP with elements FIRST..FIRST+N-1 of ELEMS. */
static void
fill(struct hmap *map, struct element *elems, bool *present,
     size_t first, size_t n)
{
    for (size_t i = first; i < first + n; i++) {
        hmap_insert(map, &elems[i].node, hash_good(elems[i].value));
        present[i] = true;
    }
}

static void
run_swap(size_t n_a, size_t n_b)
{
    size_t n = n_a + n_b + 1;
    struct element *elems = make_elements(n);
    bool *in_a = xcalloc(n, sizeof *in_a);
    bool *in_b = xcalloc(n, sizeof *in_b);
    struct hmap a = HMAP_INITIALIZER(&a);
    struct hmap b = HMAP_INITIALIZER(&b);

    fill(&a, elems, in_a, 0, n_a);
    fill(&b, elems, in_b, n_a, n_b);
    hmap_swap(&a, &b);
    check_map(&a, elems, in_b, n, hash_good);
    check_map(&b, elems, in_a, n, hash_good);

    /* Each map stays independent after the swap: an insertion into one
     * is not seen by the other (the single-bucket case shares nothing). */
    size_t extra = n - 1;
    hmap_insert(&a, &elems[extra].node, hash_good(elems[extra].value));
    in_b[extra] = true;
    check_map(&a, elems, in_b, n, hash_good);
    check_map(&b, elems, in_a, n, hash_good);

    hmap_swap(&a, &b);
    check_map(&a, elems, in_a, n, hash_good);
    check_map(&b, elems, in_b, n, hash_good);
    hmap_destroy(&a);       /* ASan: must not free a built-in bucket. */
    hmap_destroy(&b);
    free(in_a);
    free(in_b);
    free(elems);
}

static void
test_swap(void **state)
{
    /* 0-2 nodes keep the single built-in bucket; more grow. */
    static const size_t sizes[] = { 0, 1, 2, 3, 50 };
    for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
        for (size_t j = 0; j < ARRAY_SIZE(sizes); j++) {
            run_swap(sizes[i], sizes[j]);
        }
    }
}

static void
test_swap_single_bucket_pointers(void **state)
{
    struct element x = { .value = 1 };
    struct hmap a = HMAP_INITIALIZER(&a);
    struct hmap b = HMAP_INITIALIZER(&b);
    hmap_insert(&a, &x.node, 1);

    hmap_swap(&a, &b);
    assert_ptr_equal(a.buckets, &a.one);
    assert_ptr_equal(b.buckets, &b.one);
    assert_true(hmap_is_empty(&a));
    assert_ptr_equal(hmap_first(&b), &x.node);

    /* Removing from B must not disturb A, and vice versa. */
    hmap_remove(&b, &x.node);
    hmap_insert(&a, &x.node, 1);
    assert_true(hmap_is_empty(&b));
    assert_null(hmap_first(&b));
    assert_ptr_equal(hmap_first(&a), &x.node);
    hmap_destroy(&a);
    hmap_destroy(&b);
}

static void
test_clear(void **state)
{
    enum { N = 200 };
    struct element *elems = make_elements(N);
    bool present[N] = { false };
    struct hmap map = HMAP_INITIALIZER(&map);

    hmap_clear(&map);       /* Clearing an empty map is fine. */
    check_map(&map, elems, present, N, hash_good);

    fill(&map, elems, present, 0, N);
    hmap_clear(&map);
    memset(present, 0, sizeof present);
    check_map(&map, elems, present, N, hash_good);
    for (size_t i = 0; i < N; i++) {
        assert_false(hmap_contains(&map, &elems[i].node));
    }

    /* The same nodes can go back in. */
    fill(&map, elems, present, 0, N / 2);
    check_map(&map, elems, present, N, hash_good);
    hmap_destroy(&map);

    /* A single-bucket map clears too. */
    struct hmap small = HMAP_INITIALIZER(&small);
    hmap_insert(&small, &elems[0].node, 1);
    hmap_clear(&small);
    assert_null(hmap_first(&small));
    assert_null(hmap_first_with_hash(&small, 1));
    hmap_destroy(&small);
    free(elems);
}

static void
test_contains(void **state)
{
    struct element in1 = { .value = 1 }, in2 = { .value = 2 };
    struct element out = { .value = 3 }, other = { .value = 4 };
    struct hmap map = HMAP_INITIALIZER(&map);
    struct hmap map2 = HMAP_INITIALIZER(&map2);

    hmap_insert(&map, &in1.node, 42);
    hmap_insert(&map, &in2.node, 42);
    hmap_insert(&map2, &other.node, 42);
    out.node.hash = 42;     /* Same hash, but never inserted. */
    out.node.next = NULL;

    assert_true(hmap_contains(&map, &in1.node));
    assert_true(hmap_contains(&map, &in2.node));
    assert_false(hmap_contains(&map, &out.node));
    assert_false(hmap_contains(&map, &other.node));
    assert_false(hmap_contains(&map2, &in1.node));

    hmap_remove(&map, &in1.node);
    assert_false(hmap_contains(&map, &in1.node));
    assert_true(hmap_contains(&map, &in2.node));
    hmap_destroy(&map);
    hmap_destroy(&map2);
}

static void
test_iteration_once(void **state)
{
    /* Many sizes, with nodes chained in buckets and empty buckets
     * between them. */
    for (size_t n = 1; n <= 2000; n = n * 3 + 1) {
        struct element *elems = make_elements(n);
        bool *present = xcalloc(n, sizeof *present);
        struct hmap map = HMAP_INITIALIZER(&map);
        for (size_t i = 0; i < n; i++) {
            hmap_insert(&map, &elems[i].node, hash_identity((int) i) * 3);
            present[i] = true;
        }
        unsigned int *visits = xcalloc(n, sizeof *visits);
        for (struct hmap_node *node = hmap_first(&map); node;
             node = hmap_next(&map, node)) {
            visits[CONTAINER_OF(node, struct element, node)->value]++;
        }
        for (size_t i = 0; i < n; i++) {
            assert_int_equal(visits[i], 1);
        }
        free(visits);
        hmap_destroy(&map);
        free(present);
        free(elems);
    }
}

static void
test_duplicate_keys(void **state)
{
    /* The map does not compare keys: two elements with equal values both
     * stay, and both are found by hash. */
    struct element a = { .value = 9 }, b = { .value = 9 };
    struct hmap map = HMAP_INITIALIZER(&map);
    hmap_insert(&map, &a.node, hash_good(9));
    hmap_insert(&map, &b.node, hash_good(9));
    assert_int_equal(hmap_count(&map), 2);

    int n = 0;
    struct element *e;
    HMAP_FOR_EACH_WITH_HASH (e, node, hash_good(9), &map) {
        assert_true(e == &a || e == &b);
        n++;
    }
    assert_int_equal(n, 2);
    hmap_destroy(&map);
}

static void
test_expand_keeps_contents(void **state)
{
    enum { N = 100 };
    struct element *elems = make_elements(N);
    bool present[N] = { false };
    struct hmap map = HMAP_INITIALIZER(&map);
    fill(&map, elems, present, 0, N);
    size_t buckets = map.mask + 1;
    hmap_expand(&map);      /* Already the right size. */
    assert_int_equal(map.mask + 1, buckets);
    check_map(&map, elems, present, N, hash_good);
    hmap_destroy(&map);
    free(elems);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_insert_remove_collisions),
        cmocka_unit_test(test_same_bucket_other_hash),
        cmocka_unit_test(test_growth_many_sizes),
        cmocka_unit_test(test_for_each_safe_remove_all),
        cmocka_unit_test(test_for_each_safe_remove_some),
        cmocka_unit_test(test_shrink),
        cmocka_unit_test(test_shrink_to_one_bucket),
        cmocka_unit_test(test_swap),
        cmocka_unit_test(test_swap_single_bucket_pointers),
        cmocka_unit_test(test_clear),
        cmocka_unit_test(test_contains),
        cmocka_unit_test(test_iteration_once),
        cmocka_unit_test(test_duplicate_keys),
        cmocka_unit_test(test_expand_keeps_contents),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
