/* Test program run by the loader tests: checks what the loader and initial_stack gave it and
 * exits with 42 when everything is right, or with a code naming the first thing wrong.
 * Prints its argv and one environment variable so the test can check them too. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>

static char zeroed[200000];      /* .bss, several pages: must be zero */
static int initialized = 1234;   /* .data */
static __thread int tls_value = 77;

int main(int argc, char** argv) {
  printf("argc=%d", argc);
  for (int i = 0; i < argc; ++i) printf(" argv[%d]=%s", i, argv[i]);
  const char* env = getenv("COCOON_LOADER_TEST");
  printf(" env=%s\n", env ? env : "(unset)");
  fflush(stdout);
  if (argc != 3 || strcmp(argv[1], "first arg") != 0 || strcmp(argv[2], "second") != 0) return 10;
  if (env == NULL || strcmp(env, "env-ok") != 0) return 11;
  const unsigned char* rnd = (const unsigned char*)getauxval(AT_RANDOM);
  if (rnd == NULL || rnd[0] != 0xA0 || rnd[15] != 0xAF) return 12;
  if (getauxval(AT_PAGESZ) != 4096) return 13;
  const char* platform = (const char*)getauxval(AT_PLATFORM);
  if (platform == NULL || strcmp(platform, "x86_64") != 0) return 14;
  const char* execfn = (const char*)getauxval(AT_EXECFN);
  if (execfn == NULL || strcmp(execfn, "/test/check_args") != 0) return 15;
  for (size_t i = 0; i < sizeof zeroed; ++i)
    if (zeroed[i] != 0) return 16;
  if (initialized != 1234) return 17;
  if (tls_value != 77) return 18;
  tls_value += argc;  /* written, so the compiler keeps it in a real TLS segment */
  if (tls_value != 80) return 19;
  zeroed[sizeof zeroed - 1] = 1;  /* bss is writable */
  return 42;
}
