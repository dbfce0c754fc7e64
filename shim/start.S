/* The single entry point of cocoon-shim (ELF e_entry == TCS.OENTRY).
 *
 *  - Started by the kernel (execve): every GPR is zero. This is the first role, the
 *    enclave process's untrusted runtime (urts_main), which builds ELRANGE.
 *  - Entered by the untrusted runtime (the simulation's EENTER) with %rdi = ENTER_MAGIC,
 *    %rsi = launch config, %rdx = untrusted window, %rcx = exit notice page (or 0): this is
 *    the copy inside ELRANGE, and it continues in enclave_entry.
 */
#define ENTER_MAGIC 0x4e45455245544e45   /* "ENTEREEN" */
    .text
    .globl cocoon_shim_start
    .type cocoon_shim_start, @function
cocoon_shim_start:
    movabs $ENTER_MAGIC, %rax
    cmp %rax, %rdi
    je 1f
    xor %ebp, %ebp
    mov %rsp, %rdi            /* initial stack: argc, argv, envp, auxv */
    and $-16, %rsp
    call urts_main
    ud2
1:  mov %rsi, %rdi
    mov %rdx, %rsi
    mov %rcx, %rdx
    and $-16, %rsp
    call enclave_entry
    ud2
    .size cocoon_shim_start, .-cocoon_shim_start

/* urts_enter(entry, config, window, exit_notice): jump into the enclave copy (no return). */
    .globl urts_enter
    .type urts_enter, @function
urts_enter:
    mov %rdi, %rax
    movabs $ENTER_MAGIC, %rdi
    mov %rsi, %r8
    mov %rdx, %rdx
    mov %r8, %rsi
    jmp *%rax
    .size urts_enter, .-urts_enter

/* switch_stack_and_call(stack_top, fn, arg): continue on another stack, never return. */
    .globl switch_stack_and_call
    .type switch_stack_and_call, @function
switch_stack_and_call:
    mov %rdi, %rsp
    and $-16, %rsp
    mov %rdx, %rdi
    xor %ebp, %ebp
    call *%rsi
    ud2
    .size switch_stack_and_call, .-switch_stack_and_call

/* The restorer the shim's host signal handlers return through. */
    .globl shim_sigreturn_restorer
    .type shim_sigreturn_restorer, @function
shim_sigreturn_restorer:
    mov $15, %eax
    syscall
    ud2
    .size shim_sigreturn_restorer, .-shim_sigreturn_restorer
    .section .note.GNU-stack, "", @progbits
