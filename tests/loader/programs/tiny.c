/* A libc-free program for the fuzz corpus and parse tests: exits with status 7. It has a
 * .data, a .bss and a TLS segment (never touched: nothing sets up %fs here). */
__attribute__((used)) __thread int tiny_tls = 3;
int tiny_data = 5;
int tiny_bss[64];

void _start(void) {
  int status = tiny_data + 2 + tiny_bss[63];
  __asm__ volatile("mov $60, %%eax\n\tsyscall" ::"D"(status) : "rax", "rcx", "r11", "memory");
  for (;;) {
  }
}
