/* Embeds the built cocoon-shim ELF (path given by COCOON_SHIM_PATH) into host tools. */
    .section .rodata.cocoon_shim, "a"
    .balign 4096
    .globl cocoon_shim_image_begin
cocoon_shim_image_begin:
    .incbin COCOON_SHIM_PATH
    .globl cocoon_shim_image_end
cocoon_shim_image_end:
    .section .note.GNU-stack, "", @progbits
