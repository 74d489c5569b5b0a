/* CPU exceptions in the test guest: each one is reported on the console,
 * then the guest shuts the machine down with a triple fault, so a fault
 * shows up as a line a test can read and a VMM that stops. */

#include "guest.h"

struct idt_gate {
    uint16_t offset_low;
    uint16_t selector;
    uint8_t ist;
    uint8_t type;
    uint16_t offset_mid;
    uint32_t offset_high;
    uint32_t reserved;
};

/* What traps.S leaves on the stack, then what the CPU pushed. */
struct idt_frame {
    uint64_t vector;
    uint64_t error;
    uint64_t rip;
    uint64_t cs;
    uint64_t rflags;
    uint64_t rsp;
    uint64_t ss;
};

#define IDT_CODE_SELECTOR 0x10
#define IDT_INTERRUPT_GATE 0x8e

extern const char trap_stubs[];
void idt_trap(const struct idt_frame *) __attribute__((noreturn));

static struct idt_gate idt[32] __attribute__((aligned(16)));

void
idt_init(void)
{
    for (size_t i = 0; i < ARRAY_SIZE(idt); i++) {
        uint64_t addr = (uintptr_t) &trap_stubs[i * 16];

        idt[i].offset_low = (uint16_t) addr;
        idt[i].selector = IDT_CODE_SELECTOR;
        idt[i].ist = 0;
        idt[i].type = IDT_INTERRUPT_GATE;
        idt[i].offset_mid = (uint16_t) (addr >> 16);
        idt[i].offset_high = (uint32_t) (addr >> 32);
        idt[i].reserved = 0;
    }

    struct __attribute__((packed)) {
        uint16_t limit;
        uint64_t base;
    } desc = { sizeof idt - 1, (uintptr_t) idt };
    __asm__ volatile("lidt %0" : : "m"(desc));
}

void
idt_trap(const struct idt_frame *f)
{
    uint64_t cr2;

    __asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
    con_printf("skiff-test-guest: exception %lu error 0x%lx at rip 0x%lx "
               "(cr2 0x%lx)\n", f->vector, f->error, f->rip, cr2);
    idt_triple_fault();
}

void
idt_triple_fault(void)
{
    /* With no IDT at all, any exception becomes a double fault, then a
     * triple fault: the machine shuts down. */
    struct __attribute__((packed)) {
        uint16_t limit;
        uint64_t base;
    } desc = { 0, 0 };
    __asm__ volatile("lidt %0; int3" : : "m"(desc));
    for (;;) {
        __asm__ volatile("cli; hlt");
    }
}
