/* A program whose syscalls are `syscall` instructions in its own code (no libc at all):
 * write(1, "raw syscall ok\n"), getpid twice (the second from the same, by then rewritten,
 * site), then exit(3). Every one must reach the shim. */
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
    mov $60, %eax
    mov $3, %edi
    syscall
    .section .rodata
msg: .ascii "raw syscall ok\n"
    .set len, . - msg
    .section .note.GNU-stack, "", @progbits
