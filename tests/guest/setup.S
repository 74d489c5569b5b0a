/* The test guest's real-mode entry, for loaders that run the setup code
 * (boot protocol: entered at setup segment + 0x20 : 0, with %ds the setup
 * segment).  It uses the setup area as the zero page: fills in the e820
 * map from the BIOS, switches to protected mode with flat segments and
 * jumps to code32_start with %esi = the zero page, as the 32-bit entry
 * expects.  mkimage places it at offset 0x1000 of the image, past the
 * zero page, which is offset 0xe00 of the code segment. */

#define E820_TABLE 0x2d0
#define E820_ENTRIES 0x1e8
#define E820_MAX 128
#define CODE32_START 0x214
#define SMAP 0x534d4150

        .text
        .code16
        .globl setup16
setup16:
        cli
        cld
        movw    %ds, %ax
        movw    %ax, %es
        xorl    %ebx, %ebx
        movw    $E820_TABLE, %di
        xorw    %bp, %bp
1:      movl    $0xe820, %eax
        movl    $20, %ecx
        movl    $SMAP, %edx
        int     $0x15
        jc      2f
        cmpl    $SMAP, %eax
        jne     2f
        addw    $20, %di
        incw    %bp
        cmpw    $E820_MAX, %bp
        jae     2f
        testl   %ebx, %ebx
        jnz     1b
2:      movw    %bp, %ax
        movb    %al, %es:E820_ENTRIES

        cli
        xorl    %esi, %esi
        movw    %ds, %si
        shll    $4, %esi                /* the zero page */
        xorl    %ebx, %ebx
        movw    %cs, %bx
        shll    $4, %ebx                /* linear base of this code */
        leal    gdt16(%ebx), %eax
        movl    %eax, %cs:gdt16_desc + 2
        leal    pm32(%ebx), %eax
        movl    %eax, %cs:pm32_ptr
        lgdtl   %cs:gdt16_desc
        movl    %cr0, %eax
        orl     $1, %eax
        movl    %eax, %cr0
        ljmpl   *%cs:pm32_ptr

        .code32
pm32:
        movl    $0x18, %eax
        movl    %eax, %ds
        movl    %eax, %es
        movl    %eax, %fs
        movl    %eax, %gs
        movl    %eax, %ss
        movl    CODE32_START(%esi), %eax
        jmp     *%eax

        .balign 8
gdt16:
        .quad   0
        .quad   0
        .quad   0x00cf9a000000ffff      /* 0x10: flat 32-bit code */
        .quad   0x00cf92000000ffff      /* 0x18: flat data */
gdt16_desc:
        .word   gdt16_desc - gdt16 - 1
        .long   0
pm32_ptr:
        .long   0
        .word   0x10

        .section .note.GNU-stack, "", @progbits
