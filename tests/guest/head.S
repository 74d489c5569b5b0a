/* The test guest's entry points: offset 0 of the protected-mode part is
 * the 32-bit entry of the Linux x86 boot protocol, offset 0x200 the 64-bit
 * entry.  Both move the image to its link address (1 MiB) when a loader
 * put it elsewhere, load the guest's own GDT and identity page tables
 * (the first 4 GiB in 2 MiB pages), clear .bss, set up a stack and call
 * guest_main() with the zero page's address, leaving in boot_load_address
 * and boot_entry_bits where the image was loaded and which entry ran.
 *
 * 32-bit entry: protected mode, paging off, flat segments, %esi = zero
 * page.  64-bit entry: long mode, identity-mapped, %rsi = zero page.
 * Neither needs a stack from the loader: the 32-bit entry borrows the
 * zero page's scratch field for one call, as the protocol allows. */

#define BOOT_CS32   0x08
#define BOOT_CS64   0x10
#define BOOT_DS     0x18
#define BP_SCRATCH  0x1e4       /* boot_params.scratch */
#define MSR_EFER    0xc0000080
#define EFER_LME    (1 << 8)
#define CR0_PG      0x80000000
#define CR4_PAE     (1 << 5)
#define PTE_PRESENT 0x1
#define PTE_WRITE   0x2
#define PTE_LARGE   0x80

        .section .head.text, "ax"
        .code32
        .globl startup_32
startup_32:
        cli
        cld
        /* Find where we run: one call with the scratch field as stack. */
        leal    (BP_SCRATCH + 4)(%esi), %esp
        call    1f
1:      popl    %ebp
        subl    $(1b - startup_32), %ebp
        movl    %esi, %ebx              /* keep the zero page */
        movl    $startup_32, %edi
        cmpl    %edi, %ebp
        je      3f
        /* Move the image to its link address. */
        movl    %ebp, %esi
        movl    $_image_size, %ecx
        cmpl    %esi, %edi
        jb      2f
        leal    -1(%esi, %ecx), %esi
        leal    -1(%edi, %ecx), %edi
        std
2:      rep movsb
        cld
3:      movl    $4f, %eax
        jmp     *%eax
4:      lgdt    gdt_desc
        movl    $BOOT_DS, %eax
        movl    %eax, %ds
        movl    %eax, %es
        movl    %eax, %ss
        movl    $stack_top, %esp
        movl    %cr4, %eax
        orl     $CR4_PAE, %eax
        movl    %eax, %cr4
        movl    $pml4, %eax
        movl    %eax, %cr3
        movl    $MSR_EFER, %ecx
        rdmsr
        orl     $EFER_LME, %eax
        wrmsr
        movl    %cr0, %eax
        orl     $CR0_PG, %eax
        movl    %eax, %cr0
        movl    %ebx, %esi
        ljmp    $BOOT_CS64, $from_32

        /* What mkimage reads to fill in the setup header. */
        .org    0x1e0
        .ascii  "SKIFFIMG"
        .long   _image_size
        .long   _init_size
        .long   kernel_info - startup_32
        .long   0

        .org    0x200
        .code64
        .globl startup_64
startup_64:
        cli
        cld
        leaq    startup_32(%rip), %rbp
        movq    $startup_32, %rdi
        cmpq    %rdi, %rbp
        je      2f
        movq    %rsi, %rbx
        movq    %rbp, %rsi
        movq    $_image_size, %rcx
        cmpq    %rsi, %rdi
        jb      1f
        leaq    -1(%rsi, %rcx), %rsi
        leaq    -1(%rdi, %rcx), %rdi
        std
1:      rep movsb
        cld
        movq    %rbx, %rsi
2:      movq    $startup_64_moved, %rax
        jmp     *%rax

from_32:
        movl    %esi, %esi              /* upper halves are undefined */
        movl    %ebp, %ebp
        movl    $32, %r12d
        jmp     common_64

startup_64_moved:
        movl    $64, %r12d
        /* fall through */
common_64:
        lgdt    gdt_desc
        movl    $BOOT_DS, %eax
        movl    %eax, %ds
        movl    %eax, %es
        movl    %eax, %ss
        movl    %eax, %fs
        movl    %eax, %gs
        movq    $stack_top, %rsp
        pushq   $BOOT_CS64
        pushq   $1f
        lretq
1:      movq    $pml4, %rax
        movq    %rax, %cr3
        movq    %rsi, %rbx
        movq    $_bss_start, %rdi
        movq    $_bss_end, %rcx
        subq    %rdi, %rcx
        xorl    %eax, %eax
        rep stosb
        movq    %rbp, boot_load_address
        movl    %r12d, boot_entry_bits
        movq    %rbx, %rdi
        call    guest_main
2:      cli
        hlt
        jmp     2b

        .section .rodata
        .balign 8
gdt:
        .quad   0
        .quad   0x00cf9a000000ffff      /* 0x08: 32-bit code */
        .quad   0x00af9a000000ffff      /* 0x10: 64-bit code */
        .quad   0x00cf92000000ffff      /* 0x18: data */
gdt_end:
        .balign 8
        .word   0, 0, 0
gdt_desc:
        .word   gdt_end - gdt - 1
        .quad   gdt

        /* Boot protocol 2.15 kernel_info: magic, size, total size,
         * setup_type_max (no setup_data type is used). */
        .balign 4
kernel_info:
        .ascii  "LToP"
        .long   16
        .long   16
        .long   0

        /* Identity map of the first 4 GiB in 2 MiB pages. */
        .section .data
        .balign 4096
pml4:
        .quad   pdpt + PTE_PRESENT + PTE_WRITE
        .fill   511, 8, 0
pdpt:
        .quad   pd + 0x0000 + PTE_PRESENT + PTE_WRITE
        .quad   pd + 0x1000 + PTE_PRESENT + PTE_WRITE
        .quad   pd + 0x2000 + PTE_PRESENT + PTE_WRITE
        .quad   pd + 0x3000 + PTE_PRESENT + PTE_WRITE
        .fill   508, 8, 0
pd:
        .set    page, 0
        .rept   2048
        .quad   (page << 21) + PTE_PRESENT + PTE_WRITE + PTE_LARGE
        .set    page, page + 1
        .endr

        .section .bss
        .balign 8
        .globl boot_load_address, boot_entry_bits
boot_load_address:                      /* where the loader put us */
        .skip   8
boot_entry_bits:                        /* 32 or 64: the entry used */
        .skip   4
        .balign 16
stack:
        .skip   16384
stack_top:

        .section .note.GNU-stack, "", @progbits
