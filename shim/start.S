/* Process entry of cocoon-shim (first role: the enclave process's untrusted loader). */
    .text
    .globl cocoon_shim_start
    .type cocoon_shim_start, @function
cocoon_shim_start:
    xor %ebp, %ebp
    mov %rsp, %rdi            /* initial stack: argc, argv, envp, auxv */
    and $-16, %rsp
    call urts_main
    ud2
    .size cocoon_shim_start, .-cocoon_shim_start
    .section .note.GNU-stack, "", @progbits
