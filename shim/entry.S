/* Syscall entry of the shim.
 *
 * Reached by a `call` from a rewritten call site's stub, or from shim_trap_stub after a
 * Syscall User Dispatch trap. On entry: %rax = syscall number, arguments in %rdi %rsi %rdx
 * %r10 %r8 %r9 (the syscall ABI), the program's stack below its red zone. Like the real
 * instruction, only %rax (result), %rcx and %r11 change; flags are not preserved.
 * Per-thread data is reached through %gs (see shim/thread.hpp for the offsets).
 */
#define T_STACK_TOP 8
#define T_SAVED_RSP 16
#define T_IN_SHIM 24

    .text
    .globl shim_syscall_entry
    .type shim_syscall_entry, @function
shim_syscall_entry:
    mov %rsp, %gs:T_SAVED_RSP
    mov %gs:T_STACK_TOP, %rsp
    movq $1, %gs:T_IN_SHIM
    sub $8, %rsp
    push %r9
    push %r8
    push %r10
    push %rdx
    push %rsi
    push %rdi
    push %rax
    mov %rsp, %rdi
    call shim_dispatch
    pop %rcx
    pop %rdi
    pop %rsi
    pop %rdx
    pop %r10
    pop %r8
    pop %r9
    movq $0, %gs:T_IN_SHIM
    mov %gs:T_SAVED_RSP, %rsp
    ret
    .size shim_syscall_entry, .-shim_syscall_entry

/* Where a trapped syscall resumes: the SIGSYS handler pushed the address after the
 * `syscall` instruction 128 bytes below the program's %rsp (past its red zone). */
    .globl shim_trap_stub
    .type shim_trap_stub, @function
shim_trap_stub:
    call shim_syscall_entry
    pop %r11
    lea 128(%rsp), %rsp
    jmp *%r11
    .size shim_trap_stub, .-shim_trap_stub

/* enter_program(entry, sp): start the program at its entry with the initial stack. The ABI
 * wants %rdx = 0 (no atexit function) and all other registers zero. */
    .globl enter_program
    .type enter_program, @function
enter_program:
    mov %rsi, %rsp
    mov %rdi, %r11
    xor %eax, %eax
    xor %ebx, %ebx
    xor %ecx, %ecx
    xor %edx, %edx
    xor %esi, %esi
    xor %edi, %edi
    xor %ebp, %ebp
    xor %r8d, %r8d
    xor %r9d, %r9d
    xor %r10d, %r10d
    xor %r12d, %r12d
    xor %r13d, %r13d
    xor %r14d, %r14d
    xor %r15d, %r15d
    movq $0, %gs:T_IN_SHIM
    jmp *%r11
    .size enter_program, .-enter_program
    .section .note.GNU-stack, "", @progbits
