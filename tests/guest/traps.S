/* Exception entry stubs of the test guest: one 16-byte stub per vector
 * 0-31, each leaving the vector and an error code (0 where the CPU pushes
 * none) on the stack for idt_trap() in idt.c. */

        .text
        .balign 16
        .globl trap_stubs
trap_stubs:
        .set    vector, 0
        .rept   32
        .balign 16
        .if     vector == 8 || (vector >= 10 && vector <= 14) \
                || vector == 17 || vector == 21 || vector == 29 \
                || vector == 30
        .else
        pushq   $0
        .endif
        pushq   $vector
        jmp     trap_common
        .set    vector, vector + 1
        .endr

trap_common:
        movq    %rsp, %rdi
        call    idt_trap
1:      cli
        hlt
        jmp     1b

        .section .note.GNU-stack, "", @progbits
