/* fuzz-dp-actions: libFuzzer target for action list validation and the
 * text form. */

/* The input is used twice.  As bytes (copied to an 8-byte aligned
 * buffer): dp_actions_validate() must not read outside them, and a list it
 * accepts must print to text that parses back to the same bytes.  Any list,
 * valid or not, must print without a fault.  As text: dp_actions_parse()
 * must either fail, leaving the list untouched, or produce a valid list
 * that prints and parses back to the same bytes.
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dp-actions.h"
#include "dynamic-string.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(bool ok)
{
    if (!ok) {
        abort();
    }
}

/* Prints the SIZE bytes at LIST, parses the text back and compares. */
static void
check_round_trip(const void *list, size_t size)
{
    struct dp_actions back = { NULL, 0, 0 };
    struct ds ds = DS_EMPTY_INITIALIZER;

    dp_actions_format(&ds, list, size);
    char *error = dp_actions_parse(ds_cstr(&ds), &back);
    check(!error);
    check(back.size == size && (!size || !memcmp(back.data, list, size)));
    dp_actions_uninit(&back);
    ds_destroy(&ds);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096) {
        return 0;
    }

    uint64_t *aligned = malloc(size + 8);
    memcpy(aligned, data, size);
    if (!dp_actions_validate(aligned, size)) {
        check_round_trip(aligned, size);
    } else {
        struct ds ds = DS_EMPTY_INITIALIZER;
        dp_actions_format(&ds, aligned, size);
        ds_destroy(&ds);
    }
    free(aligned);

    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    struct dp_actions list = { NULL, 0, 0 };
    char *error = dp_actions_parse(text, &list);
    if (error) {
        check(!list.size);
        free(error);
    } else {
        check(!dp_actions_validate(list.data, list.size));
        check_round_trip(list.data, list.size);
    }
    dp_actions_uninit(&list);
    free(text);
    return 0;
}
