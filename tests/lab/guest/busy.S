/*
 * busy.S - the lab's guest: a multiboot (v1) kernel for QEMU -kernel that
 * keeps its one vCPU busy and dirties guest memory for ever, so that a live
 * migration has pages to copy again and again.  No disk, no devices.
 *
 * It writes one dword in each 4 KiB page of [16 MiB, 16 MiB + DIRTY_BYTES)
 * (the guest needs 16 MiB + DIRTY_BYTES of RAM or more), then starts over.
 * Assembled with -DIDLE it is the idle guest instead: it halts its vCPU
 * with interrupts off, so it uses no cpu at all.
 */
#define MB_MAGIC 0x1BADB002
#define MB_FLAGS 0x00010000          /* bit 16: load addresses in the header */
#define DIRTY_START 0x01000000
#define DIRTY_BYTES 0x02000000       /* 32 MiB */

    .text
    .code32
    .globl _start
    .align 4
header:
    .long MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)
    .long header                     /* header_addr */
    .long header                     /* load_addr */
    .long 0                          /* load_end_addr: the whole file */
    .long 0                          /* bss_end_addr: none */
    .long _start                     /* entry_addr */
_start:
    cli
#ifdef IDLE
idle:
    hlt
    jmp idle
#endif
    xor %eax, %eax
pass:
    inc %eax                         /* pass number: each pass writes new values */
    mov $DIRTY_START, %edi
page:
    mov %eax, (%edi)
    add $4096, %edi
    cmp $(DIRTY_START + DIRTY_BYTES), %edi
    jb page
    jmp pass
