/* fuzz-flow: libFuzzer target for the packet parser and flow_format(). */

/* The input is a packet.  flow_extract() must not read outside it (the
 * sanitizers check), must be deterministic, must leave the padding zero
 * and report layout offsets inside the packet, in order.  The key is then
 * printed exactly and under a mask taken from the input's bytes.
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dynamic-string.h"
#include "flow.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(bool ok)
{
    if (!ok) {
        abort();
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct flow flow, again;
    struct flow_layout l, l2;
    struct flow_wildcards wc;

    int status = flow_extract(data, size, &flow, &l);
    check(!(status & ~(FLOW_PARSE_TRUNCATED | FLOW_PARSE_MALFORMED)));
    check(!flow.pad0 && !flow.pad1 && !flow.metadata && !flow.in_port);
    for (size_t i = 0; i < sizeof flow.pad2; i++) {
        check(!flow.pad2[i]);
    }

    /* Offsets inside the packet and in layer order. */
    const uint16_t *ofs = &l.l2_5_ofs;
    uint16_t last = 0;
    for (int i = 0; i < 4; i++) {
        if (ofs[i] != FLOW_OFS_NONE) {
            check(ofs[i] <= size && ofs[i] >= last);
            last = ofs[i];
        }
    }
    check(l.l4_ofs == FLOW_OFS_NONE || l.l3_ofs != FLOW_OFS_NONE);
    check((l.l4_ofs == FLOW_OFS_NONE) == (l.l7_ofs == FLOW_OFS_NONE));

    check(flow_extract(data, size, &again, &l2) == status);
    check(flow_equal(&flow, &again));
    check(!memcmp(&l, &l2, sizeof l));

    /* A mask from the input's bytes. */
    for (size_t i = 0; i < sizeof wc.masks; i++) {
        ((uint8_t *) &wc.masks)[i] = size ? data[(i * 7) % size] : 0;
    }
    struct ds ds = DS_EMPTY_INITIALIZER;
    flow_format(&ds, &flow, NULL);
    ds_put_char(&ds, ' ');
    flow_format(&ds, &flow, &wc);
    check(flow_equal_in_mask(&flow, &again, &wc));
    check(flow_hash_in_mask(&flow, &wc, 1) == flow_hash_in_mask(&again,
                                                                 &wc, 1));
    ds_destroy(&ds);
    return 0;
}
