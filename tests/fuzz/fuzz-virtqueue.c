/* libFuzzer target: vmm/virtqueue's descriptor walker.
 *
 * The input is a guest's memory: 64 KiB (shorter input is zero-padded),
 * holding a ring of 16 descriptors at 0x0, its avail ring at 0x100 and
 * its used ring at 0x200; the first byte picks how many chains to pop.
 * Every chain returned is read and written in full, so AddressSanitizer
 * catches any buffer that is not inside the guest memory. */
#include <config.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/guest-mem.h"
#include "vmm/virtqueue.h"

#define FUZZ_MEM (64 * 1024)
#define FUZZ_QSIZE 16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t scratch[64 * 1024];
    uint8_t *ram = calloc(1, FUZZ_MEM);
    struct guest_mem mem;
    struct virtqueue q;
    struct virtq_chain *chain = malloc(sizeof *chain);

    memcpy(ram, data, size < FUZZ_MEM ? size : FUZZ_MEM);
    guest_mem_init_buffer(&mem, ram, FUZZ_MEM);
    if (virtqueue_init(&q, &mem, FUZZ_QSIZE, 0x0, 0x100, 0x200)) {
        abort();
    }
    int rounds = size ? data[0] % 32 + 1 : 1;
    for (int i = 0; i < rounds; i++) {
        int error = virtqueue_pop(&q, &mem, chain);
        if (error == EAGAIN || error == EFAULT) {
            break;
        }
        if (!error) {
            size_t n = chain->readable_len < sizeof scratch
                       ? chain->readable_len : sizeof scratch;
            if (virtq_chain_read(chain, 0, scratch, n) != n) {
                abort();
            }
            n = chain->writable_len < sizeof scratch
                ? chain->writable_len : sizeof scratch;
            if (virtq_chain_write(chain, 0, scratch, n) != n) {
                abort();
            }
            for (int k = 0; k < chain->n_iov; k++) {
                uint8_t *p = chain->iov[k].base;
                if (p < ram || p + chain->iov[k].len > ram + FUZZ_MEM) {
                    abort();
                }
            }
        }
        virtqueue_push(&q, &mem, chain->head, 0);
    }
    free(chain);
    free(ram);
    return 0;
}
