/* Unit tests for lib/list.h: the intrusive doubly linked list. */
#include "unit.h"

#include "list.h"

struct item {
    int value;
    struct list node;
};

/* Checks that LIST holds exactly the N values in EXPECTED, in order, and
 * that its links are consistent in both directions. */
static void
check_list(const struct list *list, const int *expected, size_t n)
{
    struct item *item;
    size_t i = 0;

    LIST_FOR_EACH (item, node, list) {
        assert_true(i < n);
        assert_int_equal(item->value, expected[i]);
        assert_ptr_equal(item->node.next->prev, &item->node);
        assert_ptr_equal(item->node.prev->next, &item->node);
        i++;
    }
    assert_int_equal(i, n);
    assert_int_equal(list_size(list), n);
    assert_int_equal(list_is_empty(list), n == 0);

    /* Backward walk sees the reverse order. */
    const struct list *e = list->prev;
    for (i = n; i-- > 0; e = e->prev) {
        assert_ptr_not_equal(e, list);
        assert_int_equal(CONTAINER_OF(e, struct item, node)->value,
                         expected[i]);
    }
    assert_ptr_equal(e, list);
}

static void
make_items(struct item *items, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        items[i].value = (int) i;
    }
}

static void
test_empty(void **state)
{
    struct list a = LIST_INITIALIZER(&a);
    struct list b;
    list_init(&b);

    assert_true(list_is_empty(&a));
    assert_true(list_is_empty(&b));
    assert_ptr_equal(a.next, &a);
    assert_ptr_equal(a.prev, &a);
    assert_ptr_equal(b.next, &b);
    assert_ptr_equal(b.prev, &b);
    assert_int_equal(list_size(&a), 0);
    check_list(&b, NULL, 0);
}

static void
test_push_back_front(void **state)
{
    struct item items[4];
    struct list list = LIST_INITIALIZER(&list);
    make_items(items, 4);

    list_push_back(&list, &items[1].node);
    check_list(&list, (int[]) { 1 }, 1);
    list_push_back(&list, &items[2].node);
    list_push_front(&list, &items[0].node);
    list_push_back(&list, &items[3].node);
    check_list(&list, (int[]) { 0, 1, 2, 3 }, 4);
}

static void
test_insert(void **state)
{
    struct item items[5];
    struct list list = LIST_INITIALIZER(&list);
    make_items(items, 5);

    list_push_back(&list, &items[0].node);
    list_push_back(&list, &items[4].node);
    list_insert(&items[4].node, &items[2].node);
    list_insert(&items[2].node, &items[1].node);
    /* Inserting before the head appends. */
    list_insert(&list, &items[3].node);
    check_list(&list, (int[]) { 0, 1, 2, 4, 3 }, 5);
}

static void
test_remove(void **state)
{
    struct item items[4];
    struct list list = LIST_INITIALIZER(&list);
    make_items(items, 4);
    for (size_t i = 0; i < 4; i++) {
        list_push_back(&list, &items[i].node);
    }

    /* list_remove() returns what followed. */
    assert_ptr_equal(list_remove(&items[1].node), &items[2].node);
    check_list(&list, (int[]) { 0, 2, 3 }, 3);
    assert_ptr_equal(list_remove(&items[3].node), &list);
    check_list(&list, (int[]) { 0, 2 }, 2);
    assert_ptr_equal(list_remove(&items[0].node), &items[2].node);
    check_list(&list, (int[]) { 2 }, 1);
    assert_ptr_equal(list_remove(&items[2].node), &list);
    check_list(&list, NULL, 0);

    /* A removed element can join again. */
    list_push_front(&list, &items[3].node);
    list_push_front(&list, &items[1].node);
    check_list(&list, (int[]) { 1, 3 }, 2);
}

static void
test_pop_front(void **state)
{
    struct item items[3];
    struct list list = LIST_INITIALIZER(&list);
    make_items(items, 3);
    for (size_t i = 0; i < 3; i++) {
        list_push_back(&list, &items[i].node);
    }

    for (size_t i = 0; i < 3; i++) {
        struct list *e = list_pop_front(&list);
        assert_ptr_equal(e, &items[i].node);
        assert_int_equal(list_size(&list), 2 - i);
    }
    check_list(&list, NULL, 0);
}

static void
test_for_each_empty(void **state)
{
    struct list list = LIST_INITIALIZER(&list);
    struct item *item = NULL;
    int n = 0;

    LIST_FOR_EACH (item, node, &list) {
        n++;
    }
    assert_int_equal(n, 0);
    assert_null(item);      /* ITER is not touched on an empty list. */

    LIST_FOR_EACH_SAFE (item, node, &list) {
        n++;
    }
    assert_int_equal(n, 0);
}

static void
test_for_each_safe_remove_all(void **state)
{
    enum { N = 50 };
    struct list list = LIST_INITIALIZER(&list);
    for (int i = 0; i < N; i++) {
        struct item *item = xmalloc(sizeof *item);
        item->value = i;
        list_push_back(&list, &item->node);
    }

    struct item *item;
    int expected = 0;
    LIST_FOR_EACH_SAFE (item, node, &list) {
        assert_int_equal(item->value, expected++);
        list_remove(&item->node);
        free(item);     /* ASan catches any later use. */
    }
    assert_int_equal(expected, N);
    check_list(&list, NULL, 0);
}

static void
test_for_each_safe_remove_some(void **state)
{
    enum { N = 10 };
    struct item items[N];
    struct list list = LIST_INITIALIZER(&list);
    make_items(items, N);
    for (size_t i = 0; i < N; i++) {
        list_push_back(&list, &items[i].node);
    }

    struct item *item;
    LIST_FOR_EACH_SAFE (item, node, &list) {
        if (item->value % 3 == 0) {
            list_remove(&item->node);
        }
    }
    check_list(&list, (int[]) { 1, 2, 4, 5, 7, 8 }, 6);
}

static void
test_for_each_break(void **state)
{
    struct item items[5];
    struct list list = LIST_INITIALIZER(&list);
    make_items(items, 5);
    for (size_t i = 0; i < 5; i++) {
        list_push_back(&list, &items[i].node);
    }

    /* After a break, ITER is the element where the loop stopped. */
    struct item *item;
    LIST_FOR_EACH (item, node, &list) {
        if (item->value == 3) {
            break;
        }
    }
    assert_ptr_equal(item, &items[3]);
}

static void
test_move_between_lists(void **state)
{
    struct item items[6];
    struct list odd = LIST_INITIALIZER(&odd);
    struct list even = LIST_INITIALIZER(&even);
    struct list all = LIST_INITIALIZER(&all);
    make_items(items, 6);
    for (size_t i = 0; i < 6; i++) {
        list_push_back(&all, &items[i].node);
    }

    while (!list_is_empty(&all)) {
        struct item *item = CONTAINER_OF(list_pop_front(&all),
                                         struct item, node);
        list_push_front(item->value % 2 ? &odd : &even, &item->node);
    }
    check_list(&all, NULL, 0);
    check_list(&odd, (int[]) { 5, 3, 1 }, 3);
    check_list(&even, (int[]) { 4, 2, 0 }, 3);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_push_back_front),
        cmocka_unit_test(test_insert),
        cmocka_unit_test(test_remove),
        cmocka_unit_test(test_pop_front),
        cmocka_unit_test(test_for_each_empty),
        cmocka_unit_test(test_for_each_safe_remove_all),
        cmocka_unit_test(test_for_each_safe_remove_some),
        cmocka_unit_test(test_for_each_break),
        cmocka_unit_test(test_move_between_lists),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
