/*
 * cpu-mask: CPU sets written as hexadecimal masks ("0x6", "6", "0XF0"), as
 * pmd-cpu-mask and dpdk-lcore-mask are.
 */
#ifndef SKIFF_CPU_MASK_H
#define SKIFF_CPU_MASK_H 1

#include <stddef.h>
#include <stdint.h>

/* Parses S into N_WORDS 64-bit words, CPU i in bit i % 64 of word i / 64.
 * Returns 0, or EINVAL if S is not hexadecimal digits (after an optional
 * "0x"), has more digits than the words hold, or names no CPU. */
int cpu_mask_parse(const char *s, uint64_t *words, size_t n_words);

#endif /* cpu-mask.h */
