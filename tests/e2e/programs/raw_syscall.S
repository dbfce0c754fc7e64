/* A program whose syscalls are `syscall` instructions in its own code (no libc at all). Every
 * one must reach the shim, and after its first trap each site the shim can rewrite must keep
 * working from the rewritten code (--stats then shows no more traps from it):
 *   - write(1, "raw syscall ok\n"), then getpid twice from one `mov $39,%eax; syscall` site;
 *   - a site whose number comes in %rax at run time, like glibc's syscall(): its 5-byte
 *     `mov 0x8(%rsp),%r9` moves into the stub; getpid and getppid from it, twice each;
 *   - read(-1) twice from `mov $-1,%edi; xor %eax,%eax; syscall` (EBADF both times);
 *   - a site entered at its second instruction (kept in place by the rewrite): that path
 *     still traps and is served;
 * then exit(3), or exit(1) after "raw syscall FAIL" when a result is wrong. */
    .globl _start
    .text
_start:
    mov $1, %eax
    mov $1, %edi
    lea msg(%rip), %rsi
    mov $len, %edx
    syscall
    mov $2, %ebx
1:  mov $39, %eax
    syscall
    dec %ebx
    jnz 1b
    mov %rax, %r12              /* pid */

    mov $39, %edi
    call dynamic
    cmp %rax, %r12
    jne fail
    mov $110, %edi
    call dynamic
    mov %rax, %r13              /* ppid */
    cmp %rax, %r12
    je fail
    mov $39, %edi
    call dynamic
    cmp %rax, %r12
    jne fail
    mov $110, %edi
    call dynamic
    cmp %rax, %r13
    jne fail

    mov $2, %ebx
    nop
2:  mov $-1, %edi
    xor %eax, %eax
    syscall
    cmp $-9, %rax
    jne fail
    dec %ebx
    jnz 2b

    mov $39, %eax
    mov $2, %ebx
    jmp 4f                      /* first entry: at the second instruction */
3:  mov $39, %eax               /* the site's first instruction */
4:  mov %r12d, %edi
    syscall
    cmp %rax, %r12
    jne fail
    dec %ebx
    js 5f
    jz 3b                       /* second entry: from the (rewritten) start */
    mov $39, %eax
    jmp 4b                      /* third entry: at the second instruction again */
5:
    mov $60, %eax
    mov $3, %edi
    syscall

fail:
    mov $1, %eax
    mov $1, %edi
    lea failmsg(%rip), %rsi
    mov $failen, %edx
    syscall
    mov $60, %eax
    mov $1, %edi
    syscall

dynamic:                        /* long dynamic(long nr): the shape of glibc's syscall() */
    mov %rdi, %rax
    nop
    mov 0x8(%rsp), %r9
    syscall
    ret

    .section .rodata
msg: .ascii "raw syscall ok\n"
    .set len, . - msg
failmsg: .ascii "raw syscall FAIL\n"
    .set failen, . - failmsg
    .section .note.GNU-stack, "", @progbits
