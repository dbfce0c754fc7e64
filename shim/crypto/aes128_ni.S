// AES-128 with AES-NI: key expansion, one-block encryption and CBC-MAC chaining.
//
//   void cocoon_aes128_expand_key_ni(const uint8_t key[16], uint8_t round_keys[176]);
//   void cocoon_aes128_encrypt_ni(const uint8_t round_keys[176], const uint8_t in[16], uint8_t out[16]);
//   void cocoon_aes128_cbc_mac_ni(const uint8_t round_keys[176], uint8_t state[16],
//                                 const uint8_t* data, size_t nblocks);   // nblocks > 0
//
// SysV ABI. The shim calls these on the program's thread with the program's vector registers
// live, so each routine saves every XMM register it uses (movdqu to the stack, no alignment
// assumption) and restores it before returning. Only legacy-SSE encodings are used, which leave
// the upper YMM/ZMM bits alone. The round keys are the FIPS 197 schedule in byte order, the same
// format as the portable code in aes128.cpp.

        .text

// One step of the key schedule. xmm1 holds round key i-1 as words w0..w3; on exit it holds
// round key i, also stored at \off(%rsi).
//   t  = SubWord(RotWord(w3)) ^ Rcon       (AESKEYGENASSIST, dword 3, broadcast)
//   w4 = w0 ^ t, w5 = w1 ^ w4, w6 = w2 ^ w5, w7 = w3 ^ w6
// The running XOR w0, w0^w1, w0^w1^w2, w0^w1^w2^w3 is built with three byte shifts.
.macro EXPAND_ROUND rcon, off
        aeskeygenassist $\rcon, %xmm1, %xmm2
        pshufd  $0xff, %xmm2, %xmm2
        movdqa  %xmm1, %xmm3
        pslldq  $4, %xmm3
        pxor    %xmm3, %xmm1
        pslldq  $4, %xmm3
        pxor    %xmm3, %xmm1
        pslldq  $4, %xmm3
        pxor    %xmm3, %xmm1
        pxor    %xmm2, %xmm1
        movdqu  %xmm1, \off(%rsi)
.endm

        .globl  cocoon_aes128_expand_key_ni
        .hidden cocoon_aes128_expand_key_ni
        .type   cocoon_aes128_expand_key_ni, @function
        .balign 16
cocoon_aes128_expand_key_ni:
        sub     $(3*16), %rsp
        movdqu  %xmm1, 0*16(%rsp)
        movdqu  %xmm2, 1*16(%rsp)
        movdqu  %xmm3, 2*16(%rsp)

        movdqu  (%rdi), %xmm1
        movdqu  %xmm1, 0(%rsi)
        EXPAND_ROUND 0x01, 16
        EXPAND_ROUND 0x02, 32
        EXPAND_ROUND 0x04, 48
        EXPAND_ROUND 0x08, 64
        EXPAND_ROUND 0x10, 80
        EXPAND_ROUND 0x20, 96
        EXPAND_ROUND 0x40, 112
        EXPAND_ROUND 0x80, 128
        EXPAND_ROUND 0x1b, 144
        EXPAND_ROUND 0x36, 160

        movdqu  0*16(%rsp), %xmm1
        movdqu  1*16(%rsp), %xmm2
        movdqu  2*16(%rsp), %xmm3
        add     $(3*16), %rsp
        ret
        .size   cocoon_aes128_expand_key_ni, .-cocoon_aes128_expand_key_ni

        .globl  cocoon_aes128_encrypt_ni
        .hidden cocoon_aes128_encrypt_ni
        .type   cocoon_aes128_encrypt_ni, @function
        .balign 16
cocoon_aes128_encrypt_ni:
        sub     $(2*16), %rsp
        movdqu  %xmm0, 0*16(%rsp)
        movdqu  %xmm1, 1*16(%rsp)

        movdqu  (%rsi), %xmm0
        movdqu  0(%rdi), %xmm1
        pxor    %xmm1, %xmm0
        .irp off, 16, 32, 48, 64, 80, 96, 112, 128, 144
        movdqu  \off(%rdi), %xmm1
        aesenc  %xmm1, %xmm0
        .endr
        movdqu  160(%rdi), %xmm1
        aesenclast %xmm1, %xmm0
        movdqu  %xmm0, (%rdx)

        movdqu  0*16(%rsp), %xmm0
        movdqu  1*16(%rsp), %xmm1
        add     $(2*16), %rsp
        ret
        .size   cocoon_aes128_encrypt_ni, .-cocoon_aes128_encrypt_ni

// CBC-MAC chaining: state = E(state ^ block) for each 16-byte block.
//   xmm0 state, xmm1..xmm11 round keys 0..10, xmm12 message block.
        .globl  cocoon_aes128_cbc_mac_ni
        .hidden cocoon_aes128_cbc_mac_ni
        .type   cocoon_aes128_cbc_mac_ni, @function
        .balign 16
cocoon_aes128_cbc_mac_ni:
        sub     $(13*16), %rsp
        movdqu  %xmm0,  0*16(%rsp)
        movdqu  %xmm1,  1*16(%rsp)
        movdqu  %xmm2,  2*16(%rsp)
        movdqu  %xmm3,  3*16(%rsp)
        movdqu  %xmm4,  4*16(%rsp)
        movdqu  %xmm5,  5*16(%rsp)
        movdqu  %xmm6,  6*16(%rsp)
        movdqu  %xmm7,  7*16(%rsp)
        movdqu  %xmm8,  8*16(%rsp)
        movdqu  %xmm9,  9*16(%rsp)
        movdqu  %xmm10, 10*16(%rsp)
        movdqu  %xmm11, 11*16(%rsp)
        movdqu  %xmm12, 12*16(%rsp)

        movdqu  0(%rdi), %xmm1
        movdqu  16(%rdi), %xmm2
        movdqu  32(%rdi), %xmm3
        movdqu  48(%rdi), %xmm4
        movdqu  64(%rdi), %xmm5
        movdqu  80(%rdi), %xmm6
        movdqu  96(%rdi), %xmm7
        movdqu  112(%rdi), %xmm8
        movdqu  128(%rdi), %xmm9
        movdqu  144(%rdi), %xmm10
        movdqu  160(%rdi), %xmm11
        movdqu  (%rsi), %xmm0
        test    %rcx, %rcx
        jz      .Lcbc_done
.Lcbc_block:
        movdqu  (%rdx), %xmm12
        pxor    %xmm12, %xmm0
        pxor    %xmm1, %xmm0
        aesenc  %xmm2, %xmm0
        aesenc  %xmm3, %xmm0
        aesenc  %xmm4, %xmm0
        aesenc  %xmm5, %xmm0
        aesenc  %xmm6, %xmm0
        aesenc  %xmm7, %xmm0
        aesenc  %xmm8, %xmm0
        aesenc  %xmm9, %xmm0
        aesenc  %xmm10, %xmm0
        aesenclast %xmm11, %xmm0
        add     $16, %rdx
        dec     %rcx
        jnz     .Lcbc_block
        movdqu  %xmm0, (%rsi)
.Lcbc_done:

        movdqu  0*16(%rsp), %xmm0
        movdqu  1*16(%rsp), %xmm1
        movdqu  2*16(%rsp), %xmm2
        movdqu  3*16(%rsp), %xmm3
        movdqu  4*16(%rsp), %xmm4
        movdqu  5*16(%rsp), %xmm5
        movdqu  6*16(%rsp), %xmm6
        movdqu  7*16(%rsp), %xmm7
        movdqu  8*16(%rsp), %xmm8
        movdqu  9*16(%rsp), %xmm9
        movdqu  10*16(%rsp), %xmm10
        movdqu  11*16(%rsp), %xmm11
        movdqu  12*16(%rsp), %xmm12
        add     $(13*16), %rsp
        ret
        .size   cocoon_aes128_cbc_mac_ni, .-cocoon_aes128_cbc_mac_ni

        .section .note.GNU-stack, "", @progbits
