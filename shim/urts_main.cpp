// Placeholder entry while the untrusted runtime is written: exits with status 0.
extern "C" [[noreturn]] void urts_main(unsigned long* sp) {
  (void)sp;
  for (;;) asm volatile("mov $231, %%eax; xor %%edi, %%edi; syscall" ::: "rax", "rdi", "rcx", "r11", "memory");
}
