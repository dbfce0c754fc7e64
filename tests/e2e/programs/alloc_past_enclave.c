// Allocates 1 MiB blocks (touching them) until malloc fails, then reports how far it got.
// Inside a 256 MiB enclave this must end with malloc returning NULL, not a crash.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void) {
  size_t mib = 0;
  for (;;) {
    char* p = malloc(1 << 20);
    if (!p) break;
    memset(p, 0xA5, 1 << 20);
    if (++mib > (1u << 20)) return 2;  // 1 TiB: the range was never enforced
  }
  printf("malloc failed cleanly after %zu MiB\n", mib);
  return 0;
}
