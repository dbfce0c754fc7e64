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
#define T_DELIVERABLE 33

    .text
    .globl shim_syscall_entry
    .type shim_syscall_entry, @function
shim_syscall_entry:
    /* in_shim first: a host signal that finds in_shim == 0 with %rip in the shim's text
     * knows the thread is on the program's stack with the program's registers (see
     * shim/signals.cpp), so the stack switch must come after. */
    movq $1, %gs:T_IN_SHIM
    mov %rsp, %gs:T_SAVED_RSP
    mov %gs:T_STACK_TOP, %rsp
    cmp $56, %rax
    je .Lclone
    cmp $58, %rax
    je .Lclone
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
    jmp shim_leave

/* clone and vfork: the child resumes with every register of the caller, so the frame also
 * holds the callee-saved ones (struct CloneFrame in shim/thread.hpp). */
.Lclone:
    sub $8, %rsp
    push %r15
    push %r14
    push %r13
    push %r12
    push %rbp
    push %rbx
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
    pop %rbx
    pop %rbp
    pop %r12
    pop %r13
    pop %r14
    pop %r15
    jmp shim_leave
    .size shim_syscall_entry, .-shim_syscall_entry

/* Back to the program: its stack first, then in_shim = 0, then the check for a signal the
 * program must take now (set by the dispatcher or by a host signal that arrived while the
 * shim served the call). With one pending, ud2 traps into the shim's SIGILL handler, which
 * sees every program register (%rax = the result, %rcx = the syscall number) and builds the
 * program's signal frame as if the signal had arrived at shim_exit_ret. A host signal that
 * arrives from the `movq` on finds the program's state complete and is delivered directly. */
    .globl shim_leave
    .type shim_leave, @function
shim_leave:
    mov %gs:T_SAVED_RSP, %rsp
    movq $0, %gs:T_IN_SHIM
    .globl shim_exit_check
shim_exit_check:
    cmpb $0, %gs:T_DELIVERABLE
    jne shim_exit_trap
    .globl shim_exit_ret
shim_exit_ret:
    ret
    .globl shim_exit_trap
shim_exit_trap:
    ud2
    .size shim_leave, .-shim_leave

/* Where a trapped syscall resumes: the SIGSYS handler pushed the address after the
 * `syscall` instruction 128 bytes below the program's %rsp (past its red zone). */
    .globl shim_trap_stub
    .type shim_trap_stub, @function
shim_trap_stub:
    call shim_syscall_entry
    .globl shim_trap_stub_return
shim_trap_stub_return:
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
/* Copies to and from the program's memory after the shim checked the range: another thread
 * of the program may unmap it meanwhile, so a page fault at the marked instruction resumes
 * at the fault label (shim/signals.cpp) and the copy reports failure (the program gets
 * EFAULT, as from Linux) instead of the shim dying.
 * long shim_user_copy(dst, src, len) / shim_user_fill(dst, byte, len): 0, or -1. */
    .globl shim_user_copy
    .type shim_user_copy, @function
shim_user_copy:
    cld
    mov %rdx, %rcx
    .globl shim_user_copy_insn
shim_user_copy_insn:
    rep movsb
    xor %eax, %eax
    ret
    .size shim_user_copy, .-shim_user_copy

    .globl shim_user_fill
    .type shim_user_fill, @function
shim_user_fill:
    cld
    mov %rdx, %rcx
    mov %esi, %eax
    .globl shim_user_fill_insn
shim_user_fill_insn:
    rep stosb
    xor %eax, %eax
    ret
    .size shim_user_fill, .-shim_user_fill

/* long shim_user_strnlen(p, n): bytes before the first NUL in [p, p+n), n if none, -1 on a
 * fault (same recovery as above). */
    .globl shim_user_strnlen
    .type shim_user_strnlen, @function
shim_user_strnlen:
    cld
    mov %rsi, %rcx
    mov %rsi, %rdx
    xor %eax, %eax
    test %rcx, %rcx
    jz 1f
    .globl shim_user_strnlen_insn
shim_user_strnlen_insn:
    repne scasb
    jne 1f
    /* found: rcx counts what is left after the NUL */
    sub %rcx, %rdx
    lea -1(%rdx), %rax
    ret
1:  mov %rsi, %rax
    ret
    .size shim_user_strnlen, .-shim_user_strnlen

    .globl shim_user_access_fault
    .type shim_user_access_fault, @function
shim_user_access_fault:
    mov $-1, %rax
    ret
    .size shim_user_access_fault, .-shim_user_access_fault

/* long shim_host_clone(flags, stack_top, ptid, ctid, tls, fn, arg): the host clone of a
 * new enclave thread. The child starts on stack_top (its shim stack) and calls fn(arg),
 * which never returns. Returns the child's tid or -errno in the parent. */
    .globl shim_host_clone
    .type shim_host_clone, @function
shim_host_clone:
    mov 8(%rsp), %rax
    and $-16, %rsi
    sub $16, %rsi
    mov %r9, 0(%rsi)
    mov %rax, 8(%rsi)
    mov %rcx, %r10
    mov $56, %eax
    syscall
    test %rax, %rax
    jz 1f
    ret
1:  xor %ebp, %ebp
    pop %rax
    pop %rdi
    call *%rax
    ud2
    .size shim_host_clone, .-shim_host_clone

/* shim_resume_child(regs, rsp): a new thread leaves the shim the way its creator's clone
 * call does, with the creator's registers (regs: CloneFrame layout), %rax = 0, on a copy of
 * the return path placed on the program's new stack. */
    .globl shim_resume_child
    .type shim_resume_child, @function
shim_resume_child:
    mov %rsi, %r11
    mov 56(%rdi), %rbx
    mov 64(%rdi), %rbp
    mov 72(%rdi), %r12
    mov 80(%rdi), %r13
    mov 88(%rdi), %r14
    mov 96(%rdi), %r15
    mov 16(%rdi), %rsi
    mov 24(%rdi), %rdx
    mov 32(%rdi), %r10
    mov 40(%rdi), %r8
    mov 48(%rdi), %r9
    mov 8(%rdi), %rdi
    mov %r11, %rsp
    xor %eax, %eax
    xor %ecx, %ecx
    movq $0, %gs:T_IN_SHIM
    jmp shim_exit_check
    .size shim_resume_child, .-shim_resume_child

    .section .note.GNU-stack, "", @progbits
