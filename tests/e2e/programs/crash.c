// Dies in the way named by argv[1]: segv (NULL write), abort, exit42, fpe.
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char** argv) {
  if (argc < 2) return 1;
  if (!strcmp(argv[1], "segv")) *(volatile int*)0 = 1;
  if (!strcmp(argv[1], "abort")) abort();
  if (!strcmp(argv[1], "exit42")) exit(42);
  if (!strcmp(argv[1], "term")) raise(SIGTERM);
  if (!strcmp(argv[1], "ignored")) {
    signal(SIGTERM, SIG_IGN);
    raise(SIGTERM);
    puts("survived an ignored SIGTERM");
    return 0;
  }
  return 1;
}
