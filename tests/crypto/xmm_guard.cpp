#include "xmm_guard.hpp"

namespace cocoon::test {

__attribute__((noinline)) void call_with_xmm_pattern(const void* fn, std::uint64_t a0,
                                                     std::uint64_t a1, std::uint64_t a2,
                                                     std::uint64_t a3, XmmFrame& frame, std::uint8_t seed) {
  for (int r = 0; r < 16; ++r)
    for (int b = 0; b < 16; ++b) {
      frame.before[r][b] = static_cast<std::uint8_t>(seed + r * 17 + b * 5 + (r ^ b));
      frame.after[r][b] = 0;
    }
  XmmFrame* f = &frame;
  // r12 keeps the caller's rsp; the call happens on a 16-byte aligned stack below any red zone.
  asm volatile(
      "movdqu 0*16(%[f]), %%xmm0\n\t"
      "movdqu 1*16(%[f]), %%xmm1\n\t"
      "movdqu 2*16(%[f]), %%xmm2\n\t"
      "movdqu 3*16(%[f]), %%xmm3\n\t"
      "movdqu 4*16(%[f]), %%xmm4\n\t"
      "movdqu 5*16(%[f]), %%xmm5\n\t"
      "movdqu 6*16(%[f]), %%xmm6\n\t"
      "movdqu 7*16(%[f]), %%xmm7\n\t"
      "movdqu 8*16(%[f]), %%xmm8\n\t"
      "movdqu 9*16(%[f]), %%xmm9\n\t"
      "movdqu 10*16(%[f]), %%xmm10\n\t"
      "movdqu 11*16(%[f]), %%xmm11\n\t"
      "movdqu 12*16(%[f]), %%xmm12\n\t"
      "movdqu 13*16(%[f]), %%xmm13\n\t"
      "movdqu 14*16(%[f]), %%xmm14\n\t"
      "movdqu 15*16(%[f]), %%xmm15\n\t"
      "mov %%rsp, %%r12\n\t"
      "sub $128, %%rsp\n\t"
      "and $-16, %%rsp\n\t"
      "call *%[fn]\n\t"
      "mov %%r12, %%rsp\n\t"
      "movdqu %%xmm0, 256+0*16(%[f])\n\t"
      "movdqu %%xmm1, 256+1*16(%[f])\n\t"
      "movdqu %%xmm2, 256+2*16(%[f])\n\t"
      "movdqu %%xmm3, 256+3*16(%[f])\n\t"
      "movdqu %%xmm4, 256+4*16(%[f])\n\t"
      "movdqu %%xmm5, 256+5*16(%[f])\n\t"
      "movdqu %%xmm6, 256+6*16(%[f])\n\t"
      "movdqu %%xmm7, 256+7*16(%[f])\n\t"
      "movdqu %%xmm8, 256+8*16(%[f])\n\t"
      "movdqu %%xmm9, 256+9*16(%[f])\n\t"
      "movdqu %%xmm10, 256+10*16(%[f])\n\t"
      "movdqu %%xmm11, 256+11*16(%[f])\n\t"
      "movdqu %%xmm12, 256+12*16(%[f])\n\t"
      "movdqu %%xmm13, 256+13*16(%[f])\n\t"
      "movdqu %%xmm14, 256+14*16(%[f])\n\t"
      "movdqu %%xmm15, 256+15*16(%[f])\n\t"
      : "+D"(a0), "+S"(a1), "+d"(a2), "+c"(a3), [fn] "+a"(fn)
      : [f] "b"(f)
      : "r8", "r9", "r10", "r11", "r12", "memory", "cc", "xmm0", "xmm1", "xmm2", "xmm3",
        "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13",
        "xmm14", "xmm15");
}

bool avx_usable() {
  std::uint32_t eax, ebx, ecx, edx;
  asm volatile("cpuid" : "=a"(eax), "=b"(ebx), "=c"(ecx), "=d"(edx) : "a"(1), "c"(0));
  const bool osxsave = (ecx >> 27) & 1, avx = (ecx >> 28) & 1;
  if (!osxsave || !avx) return false;
  std::uint32_t xcr0_lo, xcr0_hi;
  asm volatile("xgetbv" : "=a"(xcr0_lo), "=d"(xcr0_hi) : "c"(0));
  return (xcr0_lo & 0x6) == 0x6;  // SSE and AVX state enabled
}

__attribute__((noinline)) void call_with_ymm_pattern(const void* fn, std::uint64_t a0,
                                                     std::uint64_t a1, std::uint64_t a2,
                                                     std::uint64_t a3, YmmFrame& frame,
                                                     std::uint8_t seed) {
  for (int r = 0; r < 16; ++r)
    for (int b = 0; b < 32; ++b) {
      frame.before[r][b] = static_cast<std::uint8_t>(seed + r * 29 + b * 3 + (r ^ b));
      frame.after[r][b] = 0;
    }
  YmmFrame* f = &frame;
  asm volatile(
      "vmovdqu 0*32(%[f]), %%ymm0\n\t"
      "vmovdqu 1*32(%[f]), %%ymm1\n\t"
      "vmovdqu 2*32(%[f]), %%ymm2\n\t"
      "vmovdqu 3*32(%[f]), %%ymm3\n\t"
      "vmovdqu 4*32(%[f]), %%ymm4\n\t"
      "vmovdqu 5*32(%[f]), %%ymm5\n\t"
      "vmovdqu 6*32(%[f]), %%ymm6\n\t"
      "vmovdqu 7*32(%[f]), %%ymm7\n\t"
      "vmovdqu 8*32(%[f]), %%ymm8\n\t"
      "vmovdqu 9*32(%[f]), %%ymm9\n\t"
      "vmovdqu 10*32(%[f]), %%ymm10\n\t"
      "vmovdqu 11*32(%[f]), %%ymm11\n\t"
      "vmovdqu 12*32(%[f]), %%ymm12\n\t"
      "vmovdqu 13*32(%[f]), %%ymm13\n\t"
      "vmovdqu 14*32(%[f]), %%ymm14\n\t"
      "vmovdqu 15*32(%[f]), %%ymm15\n\t"
      "mov %%rsp, %%r12\n\t"
      "sub $128, %%rsp\n\t"
      "and $-32, %%rsp\n\t"
      "call *%[fn]\n\t"
      "mov %%r12, %%rsp\n\t"
      "vmovdqu %%ymm0, 512+0*32(%[f])\n\t"
      "vmovdqu %%ymm1, 512+1*32(%[f])\n\t"
      "vmovdqu %%ymm2, 512+2*32(%[f])\n\t"
      "vmovdqu %%ymm3, 512+3*32(%[f])\n\t"
      "vmovdqu %%ymm4, 512+4*32(%[f])\n\t"
      "vmovdqu %%ymm5, 512+5*32(%[f])\n\t"
      "vmovdqu %%ymm6, 512+6*32(%[f])\n\t"
      "vmovdqu %%ymm7, 512+7*32(%[f])\n\t"
      "vmovdqu %%ymm8, 512+8*32(%[f])\n\t"
      "vmovdqu %%ymm9, 512+9*32(%[f])\n\t"
      "vmovdqu %%ymm10, 512+10*32(%[f])\n\t"
      "vmovdqu %%ymm11, 512+11*32(%[f])\n\t"
      "vmovdqu %%ymm12, 512+12*32(%[f])\n\t"
      "vmovdqu %%ymm13, 512+13*32(%[f])\n\t"
      "vmovdqu %%ymm14, 512+14*32(%[f])\n\t"
      "vmovdqu %%ymm15, 512+15*32(%[f])\n\t"
      "vzeroupper\n\t"
      : "+D"(a0), "+S"(a1), "+d"(a2), "+c"(a3), [fn] "+a"(fn)
      : [f] "b"(f)
      : "r8", "r9", "r10", "r11", "r12", "memory", "cc", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4",
        "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14",
        "xmm15");
}

}  // namespace cocoon::test
