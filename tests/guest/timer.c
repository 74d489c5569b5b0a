/* The test guest's clock: the TSC, its rate measured once against the
 * count of channel 2 of the 8254 PIT (1,193,182 Hz) over 10 ms (the most
 * precise of five runs), or, without a PIT, taken from CPUID leaf 0x16
 * (processor base frequency). */

#include "guest.h"

#define PIT_HZ 1193182
#define PIT_CH2 0x42
#define PIT_CMD 0x43
#define PIT_GATE_PORT 0x61      /* bit 0: gate 2, bit 1: speaker */
#define CALIBRATE_MS 10
#define CALIBRATE_RUNS 5
#define FALLBACK_KHZ 2000000    /* when there is no PIT to measure with */

static uint64_t tsc_per_ms = FALLBACK_KHZ;

static void
cpuid(uint32_t leaf, uint32_t *eax, uint32_t *ebx)
{
    uint32_t ecx = 0, edx;

    __asm__ volatile("cpuid"
                     : "=a"(*eax), "=b"(*ebx), "+c"(ecx), "=d"(edx)
                     : "a"(leaf));
}

/* Without a PIT: the base frequency in MHz from CPUID, or a guess. */
static void
timer_init_without_pit(void)
{
    uint32_t max, mhz, ebx;

    cpuid(0, &max, &ebx);
    if (max >= 0x16) {
        cpuid(0x16, &mhz, &ebx);
        if (mhz & 0xffff) {
            tsc_per_ms = (uint64_t) (mhz & 0xffff) * 1000;
            con_printf("timer: no PIT, tsc %lu kHz from CPUID\n",
                       tsc_per_ms);
            return;
        }
    }
    con_printf("timer: no PIT, assuming tsc %lu kHz\n", tsc_per_ms);
}

/* Latches channel 2's count; '*before' and '*after' are the TSC just
 * before and after the latch command, so the latch happened between. */
static uint16_t
pit_latch(uint64_t *before, uint64_t *after)
{
    *before = rdtsc();
    outb(PIT_CMD, 0x80);        /* latch channel 2 */
    *after = rdtsc();
    uint8_t lo = inb(PIT_CH2);
    uint8_t hi = inb(PIT_CH2);
    return (uint16_t) (hi << 8 | lo);
}

/* Measures the TSC against CALIBRATE_MS of PIT counts.  Returns the TSC
 * ticks per ms and in '*error' how far off it may be (the time the two
 * latch commands took, which a preempted vCPU stretches), or 0 if the
 * PIT does not count. */
static uint64_t
timer_calibrate_once(uint64_t *error)
{
    uint32_t want = PIT_HZ * CALIBRATE_MS / 1000;
    uint8_t gate = inb(PIT_GATE_PORT) & ~0x03;
    uint64_t a0, b0, a1, b1;

    outb(PIT_GATE_PORT, gate | 0x01);
    outb(PIT_CMD, 0xb0);        /* channel 2, low then high byte, mode 0 */
    outb(PIT_CH2, 0xff);
    outb(PIT_CH2, 0xff);

    uint16_t c0 = pit_latch(&a0, &b0);
    uint32_t elapsed = 0;
    for (long i = 0; i < 1000000 && elapsed < want; i++) {
        uint16_t c = pit_latch(&a1, &b1);
        if (c > c0 || (c == c0 && i >= 1000)) {
            break;              /* not counting down: no PIT */
        }
        elapsed = c0 - c;
    }
    outb(PIT_GATE_PORT, gate);
    if (elapsed < want) {
        return 0;
    }

    uint64_t ticks = (a1 + b1) / 2 - (a0 + b0) / 2;
    *error = (b1 - a1) + (b0 - a0);
    return ticks * PIT_HZ / ((uint64_t) elapsed * 1000);
}

/* Keeps the run with the smallest uncertainty. */
void
timer_init(void)
{
    uint64_t best = 0, best_error = 0;

    for (int i = 0; i < CALIBRATE_RUNS; i++) {
        uint64_t error;
        uint64_t rate = timer_calibrate_once(&error);
        if (!rate) {
            timer_init_without_pit();
            return;
        }
        if (!best || error < best_error) {
            best = rate;
            best_error = error;
        }
    }
    tsc_per_ms = best;
    con_printf("timer: tsc %lu kHz\n", tsc_per_ms);
}

uint64_t
timer_ms(void)
{
    return rdtsc() / tsc_per_ms;
}

void
timer_delay_ms(uint64_t ms)
{
    uint64_t end = timer_ms() + ms;

    while (timer_ms() < end) {
        cpu_relax();
    }
}
