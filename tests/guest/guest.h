/* The Skiff test guest: a small freestanding program that boots through
 * the Linux x86 boot protocol, reports what it was given on COM1 and
 * drives virtio-mmio net and block devices.  See tests/guest/README.md.
 *
 * This header gathers what every file of the guest shares: port and MMIO
 * access, the console, the clock, a few string and memory helpers.  The
 * guest runs on one CPU with interrupts off and polls everything, so
 * nothing here is thread-safe or needs to be. */

#ifndef GUEST_H
#define GUEST_H 1

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

/* Port I/O. */
static inline void
outb(uint16_t port, uint8_t val)
{
    __asm__ volatile("outb %0, %1" : : "a"(val), "Nd"(port));
}

static inline uint8_t
inb(uint16_t port)
{
    uint8_t val;
    __asm__ volatile("inb %1, %0" : "=a"(val) : "Nd"(port));
    return val;
}

/* Memory-mapped registers. */
static inline uint32_t
mmio_read32(uintptr_t addr)
{
    return *(volatile uint32_t *) addr;
}

static inline uint8_t
mmio_read8(uintptr_t addr)
{
    return *(volatile uint8_t *) addr;
}

static inline void
mmio_write32(uintptr_t addr, uint32_t val)
{
    *(volatile uint32_t *) addr = val;
}

/* Orders the compiler's memory accesses; enough between stores that a
 * device reads (x86 keeps stores in order). */
static inline void
barrier(void)
{
    __asm__ volatile("" : : : "memory");
}

/* A full barrier: earlier stores are visible before later loads. */
static inline void
full_barrier(void)
{
    __asm__ volatile("lock; addl $0, (%%rsp)" : : : "memory", "cc");
}

static inline void
cpu_relax(void)
{
    __asm__ volatile("pause" : : : "memory");
}

static inline uint64_t
rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t) hi << 32) | lo;
}

/* lib.c: what the compiler may call, and string helpers. */
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);

/* console.c: COM1, a polled 16550.  con_printf() knows %s %c %d %u %x
 * with an optional 0 flag, width and l/ll length, and %%. */
void con_init(void);
void con_putc(char c);
void con_write(const char *s, size_t n);
void con_printf(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
void con_vprintf(const char *fmt, va_list args);

/* timer.c: a millisecond clock from the TSC, calibrated with the PIT. */
void timer_init(void);
uint64_t timer_ms(void);
void timer_delay_ms(uint64_t ms);

/* main.c: ends the machine through the i8042 reset line. */
void guest_exit(void) __attribute__((noreturn));

/* idt.c: catches CPU exceptions and reports them on the console before
 * shutting down; idt_triple_fault() shuts down at once. */
void idt_init(void);
void idt_triple_fault(void) __attribute__((noreturn));

#endif /* guest.h */
