// SHA-256 compression with the x86 SHA extensions (SHA256RNDS2 / SHA256MSG1 / SHA256MSG2).
//
//   void cocoon_sha256_blocks_shani(uint32_t state[8], const uint8_t* data, size_t nblocks);
//   SysV ABI: rdi = state (a..h), rsi = data, rdx = nblocks (> 0).
//   void cocoon_sha256_blocks_shani_copy(uint32_t state[8], const uint8_t* src, size_t nblocks,
//                                        uint8_t* dst);
//   The same, and each 16 bytes loaded from src are stored to dst (rcx) from the register
//   they are hashed from: src is read once, so what dst gets is what was hashed even if src
//   changes meanwhile (the shim hashes file data as it copies it out of the host's window).
//
// The shim runs on the program's thread with the program's vector registers live, so this
// routine saves every XMM register it uses (xmm0-xmm10) on the stack with movdqu on entry and
// restores them before returning. It only uses legacy-SSE encodings, which leave the upper
// YMM/ZMM bits untouched. No other state is modified besides rax and the flags (and rsi/rdx,
// and rcx for the copy, which are argument registers).
//
// Register use:
//   xmm0        WK pairs (implicit operand of SHA256RNDS2)
//   xmm1 / xmm2 working state as ABEF / CDGH (the layout SHA256RNDS2 wants)
//   xmm3..xmm6  four message words each, rotating: W[4q..4q+3] for quad q
//   xmm7        byte-swap mask (message words are big-endian)
//   xmm8 / xmm9 state at the start of the block (for the final addition)
//   xmm10       scratch
//   rax         address of the round constants

        .section .rodata
        .balign 16
.Lsha256_k:
        .long 0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5
        .long 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5
        .long 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3
        .long 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174
        .long 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc
        .long 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da
        .long 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7
        .long 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967
        .long 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13
        .long 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85
        .long 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3
        .long 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070
        .long 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5
        .long 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3
        .long 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208
        .long 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
.Lsha256_bswap_mask:
        // pshufb control that reverses the bytes of each 32-bit lane
        .byte 3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12

        .text

// Four rounds 4q..4q+3 with message words in \msg: xmm0 = W + K, two SHA256RNDS2 of two
// rounds each. After the first, xmm2 holds ABEF and the old ABEF in xmm1 is exactly the CDGH
// of the next two rounds, so the two registers swap roles and are back in place afterwards.
.macro ROUNDS4 msg, q
        movdqa  \msg, %xmm0
        paddd   (16*\q)(%rax), %xmm0
        sha256rnds2 %xmm1, %xmm2
        pshufd  $0x0e, %xmm0, %xmm0
        sha256rnds2 %xmm2, %xmm1
.endm

// Message schedule for quad q (FIPS 180-4 §6.2.2 step 1), in place of quad q-4:
//   \w4 = W[q-4] quad (overwritten with W[q]), \w3 = quad q-3, \w2 = quad q-2, \w1 = quad q-1.
// W[t] = s1(W[t-2]) + W[t-7] + s0(W[t-15]) + W[t-16].
.macro SCHEDULE_ROUNDS4 w4, w3, w2, w1, q
        sha256msg1 \w3, \w4          // W[t-16] + s0(W[t-15])
        movdqa  \w1, %xmm10
        palignr $4, \w2, %xmm10      // W[t-7] for the four t
        paddd   %xmm10, \w4
        sha256msg2 \w1, \w4          // + s1(W[t-2])
        ROUNDS4 \w4, \q
.endm

// The whole routine; \copy = 1 also stores each block to rcx as it is loaded.
.macro SHA256_BLOCKS copy
        sub     $(11*16), %rsp
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

        lea     .Lsha256_k(%rip), %rax
        movdqa  .Lsha256_bswap_mask(%rip), %xmm7

        // state a..h in memory order -> ABEF (A in the top lane) and CDGH
        movdqu  0(%rdi), %xmm1             // lanes low->high: a b c d
        movdqu  16(%rdi), %xmm2            //                  e f g h
        pshufd  $0xb1, %xmm1, %xmm1        // b a d c
        pshufd  $0x1b, %xmm2, %xmm2        // h g f e
        movdqa  %xmm1, %xmm10
        palignr $8, %xmm2, %xmm1           // f e b a  = ABEF
        pblendw $0xf0, %xmm10, %xmm2       // h g d c  = CDGH

        test    %rdx, %rdx
        jz      .Ldone\@

.Lblock\@:
        movdqa  %xmm1, %xmm8
        movdqa  %xmm2, %xmm9

        movdqu  0(%rsi), %xmm3
        movdqu  16(%rsi), %xmm4
        movdqu  32(%rsi), %xmm5
        movdqu  48(%rsi), %xmm6
.if \copy
        movdqu  %xmm3, 0(%rcx)
        movdqu  %xmm4, 16(%rcx)
        movdqu  %xmm5, 32(%rcx)
        movdqu  %xmm6, 48(%rcx)
        add     $64, %rcx
.endif
        pshufb  %xmm7, %xmm3
        pshufb  %xmm7, %xmm4
        pshufb  %xmm7, %xmm5
        pshufb  %xmm7, %xmm6

        ROUNDS4 %xmm3, 0
        ROUNDS4 %xmm4, 1
        ROUNDS4 %xmm5, 2
        ROUNDS4 %xmm6, 3
        SCHEDULE_ROUNDS4 %xmm3, %xmm4, %xmm5, %xmm6, 4
        SCHEDULE_ROUNDS4 %xmm4, %xmm5, %xmm6, %xmm3, 5
        SCHEDULE_ROUNDS4 %xmm5, %xmm6, %xmm3, %xmm4, 6
        SCHEDULE_ROUNDS4 %xmm6, %xmm3, %xmm4, %xmm5, 7
        SCHEDULE_ROUNDS4 %xmm3, %xmm4, %xmm5, %xmm6, 8
        SCHEDULE_ROUNDS4 %xmm4, %xmm5, %xmm6, %xmm3, 9
        SCHEDULE_ROUNDS4 %xmm5, %xmm6, %xmm3, %xmm4, 10
        SCHEDULE_ROUNDS4 %xmm6, %xmm3, %xmm4, %xmm5, 11
        SCHEDULE_ROUNDS4 %xmm3, %xmm4, %xmm5, %xmm6, 12
        SCHEDULE_ROUNDS4 %xmm4, %xmm5, %xmm6, %xmm3, 13
        SCHEDULE_ROUNDS4 %xmm5, %xmm6, %xmm3, %xmm4, 14
        SCHEDULE_ROUNDS4 %xmm6, %xmm3, %xmm4, %xmm5, 15

        paddd   %xmm8, %xmm1
        paddd   %xmm9, %xmm2
        add     $64, %rsi
        dec     %rdx
        jnz     .Lblock\@

.Ldone\@:
        // ABEF / CDGH -> a..h in memory order
        pshufd  $0x1b, %xmm1, %xmm1        // a b e f
        pshufd  $0xb1, %xmm2, %xmm2        // g h c d
        movdqa  %xmm1, %xmm10
        pblendw $0xf0, %xmm2, %xmm1        // a b c d
        palignr $8, %xmm10, %xmm2          // e f g h
        movdqu  %xmm1, 0(%rdi)
        movdqu  %xmm2, 16(%rdi)

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
        add     $(11*16), %rsp
        ret
.endm

        .globl  cocoon_sha256_blocks_shani
        .hidden cocoon_sha256_blocks_shani
        .type   cocoon_sha256_blocks_shani, @function
        .balign 32
cocoon_sha256_blocks_shani:
        SHA256_BLOCKS 0
        .size   cocoon_sha256_blocks_shani, .-cocoon_sha256_blocks_shani

        .globl  cocoon_sha256_blocks_shani_copy
        .hidden cocoon_sha256_blocks_shani_copy
        .type   cocoon_sha256_blocks_shani_copy, @function
        .balign 32
cocoon_sha256_blocks_shani_copy:
        SHA256_BLOCKS 1
        .size   cocoon_sha256_blocks_shani_copy, .-cocoon_sha256_blocks_shani_copy

        .section .note.GNU-stack, "", @progbits
