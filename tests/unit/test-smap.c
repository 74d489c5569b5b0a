/* test-smap: the string-to-string map. */
#include "unit.h"

#include <stdlib.h>
#include <string.h>

#include "smap.h"
#include "util.h"

static void
test_replace_get_remove(void **state)
{
    (void) state;
    struct smap s;

    smap_init(&s);
    assert_true(smap_is_empty(&s));
    assert_null(smap_get(&s, "a"));
    assert_string_equal(smap_get_def(&s, "a", "dflt"), "dflt");

    smap_replace(&s, "a", "1");
    smap_replace(&s, "b", "2");
    smap_replace(&s, "a", "3");         /* Replaces, does not add. */
    assert_int_equal(smap_count(&s), 2);
    assert_string_equal(smap_get(&s, "a"), "3");
    assert_string_equal(smap_get(&s, "b"), "2");

    assert_true(smap_remove(&s, "a"));
    assert_false(smap_remove(&s, "a"));
    assert_null(smap_get(&s, "a"));
    assert_int_equal(smap_count(&s), 1);
    smap_destroy(&s);
}

static void
test_clone_equal_sorted(void **state)
{
    (void) state;
    struct smap a, b;
    char key[16], value[16];

    smap_init(&a);
    for (int i = 99; i >= 0; i--) {
        snprintf(key, sizeof key, "k%02d", i);
        snprintf(value, sizeof value, "v%d", i);
        smap_replace(&a, key, value);
    }
    smap_clone(&b, &a);
    assert_true(smap_equal(&a, &b));
    smap_replace(&b, "k50", "other");
    assert_false(smap_equal(&a, &b));
    smap_remove(&b, "k50");
    assert_false(smap_equal(&a, &b));   /* Different counts. */

    const struct smap_node **sorted = smap_sorted(&a);
    for (size_t i = 0; i < 100; i++) {
        snprintf(key, sizeof key, "k%02zu", i);
        assert_string_equal(sorted[i]->key, key);
    }
    free(sorted);

    smap_clear(&a);
    assert_true(smap_is_empty(&a));
    assert_null(smap_sorted(&a));
    smap_destroy(&a);
    smap_destroy(&b);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_replace_get_remove),
        cmocka_unit_test(test_clone_equal_sorted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
