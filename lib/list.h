/*
 * list: intrusive circular doubly linked list.
 *
 * A "struct list" is both the head of a list and the node embedded in each
 * element; the caller owns the elements and their memory.  An empty list's
 * head points to itself.  Nothing here allocates.
 *
 *     struct item { struct list node; int x; };
 *     struct list items = LIST_INITIALIZER(&items);
 *     list_push_back(&items, &item->node);
 *     LIST_FOR_EACH (item, node, &items) { ... }
 */
#ifndef SKIFF_LIST_H
#define SKIFF_LIST_H 1

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

struct list {
    struct list *prev;
    struct list *next;
};

#define LIST_INITIALIZER(LIST) { LIST, LIST }

static inline void
list_init(struct list *list)
{
    list->prev = list->next = list;
}

/* Inserts ELEM just before BEFORE. */
static inline void
list_insert(struct list *before, struct list *elem)
{
    elem->prev = before->prev;
    elem->next = before;
    before->prev->next = elem;
    before->prev = elem;
}

static inline void
list_push_front(struct list *list, struct list *elem)
{
    list_insert(list->next, elem);
}

static inline void
list_push_back(struct list *list, struct list *elem)
{
    list_insert(list, elem);
}

/* Removes ELEM from its list and returns the element that followed it. */
static inline struct list *
list_remove(struct list *elem)
{
    elem->prev->next = elem->next;
    elem->next->prev = elem->prev;
    return elem->next;
}

static inline bool
list_is_empty(const struct list *list)
{
    return list->next == list;
}

/* Removes and returns the first element; LIST must not be empty. */
static inline struct list *
list_pop_front(struct list *list)
{
    struct list *front = list->next;
    list_remove(front);
    return front;
}

static inline size_t
list_size(const struct list *list)
{
    size_t n = 0;
    for (const struct list *e = list->next; e != list; e = e->next) {
        n++;
    }
    return n;
}

/* The iteration macros' own variables, named after the line they are used
 * on so that loops can nest. */
#define LIST_POS__ SKIFF_CONCAT(list_pos_, __LINE__)
#define LIST_NEXT__ SKIFF_CONCAT(list_next_, __LINE__)

/* Iterates ITER over each element of LIST, where MEMBER is the name of the
 * struct list inside *ITER.  ITER must not be removed inside the loop (use
 * LIST_FOR_EACH_SAFE for that). */
#define LIST_FOR_EACH(ITER, MEMBER, LIST)                               \
    for (struct list *LIST_POS__ = (LIST)->next;                        \
         LIST_POS__ != (LIST)                                           \
         && ((ITER) = OBJECT_CONTAINING(LIST_POS__, ITER, MEMBER), 1);  \
         LIST_POS__ = LIST_POS__->next)

/* Like LIST_FOR_EACH, but ITER may be removed (and freed) in the body. */
#define LIST_FOR_EACH_SAFE(ITER, MEMBER, LIST)                          \
    for (struct list *LIST_POS__ = (LIST)->next,                        \
             *LIST_NEXT__ = LIST_POS__->next;                           \
         LIST_POS__ != (LIST)                                           \
         && ((ITER) = OBJECT_CONTAINING(LIST_POS__, ITER, MEMBER), 1);  \
         LIST_POS__ = LIST_NEXT__, LIST_NEXT__ = LIST_POS__->next)

#endif /* list.h */
