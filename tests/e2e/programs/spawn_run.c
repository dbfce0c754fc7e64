// Spawns its arguments with posix_spawn and prints how the child ended ("exit N", "signal N",
// or "spawn: <error>"). Options first: --ignore-term (SIGTERM ignored in the parent, so also
// in the child), --pids (the child, sh -c 'echo $$ $PPID', must report the pid posix_spawn
// returned and this program's pid).
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

int main(int argc, char** argv) {
  int i = 1, pids = 0;
  for (; i < argc && strncmp(argv[i], "--", 2) == 0; ++i) {
    if (strcmp(argv[i], "--ignore-term") == 0) signal(SIGTERM, SIG_IGN);
    if (strcmp(argv[i], "--pids") == 0) pids = 1;
  }
  char* sh_pids[] = {"sh", "-c", "echo $$ $PPID", NULL};
  char** args = pids ? sh_pids : argv + i;
  const char* path = pids ? "/bin/sh" : argv[i];
  int out[2];
  if (pids && pipe(out) != 0) return 2;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  if (pids) posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  pid_t pid;
  fflush(stdout);
  int r = posix_spawn(&pid, path, &fa, NULL, args, environ);
  if (r != 0) {
    printf("spawn: %s\n", strerror(r));
    return 1;
  }
  if (pids) {
    close(out[1]);
    char buf[64] = "";
    ssize_t n = read(out[0], buf, sizeof buf - 1);
    long child = 0, parent = 0;
    if (n > 0) sscanf(buf, "%ld %ld", &child, &parent);
    printf("child's pid is posix_spawn's: %s\n", child == pid ? "yes" : "no");
    printf("child's parent is this program: %s\n", parent == getpid() ? "yes" : "no");
  }
  int st;
  if (waitpid(pid, &st, 0) != pid) return 3;
  if (WIFEXITED(st)) printf("exit %d\n", WEXITSTATUS(st));
  else printf("signal %d\n", WTERMSIG(st));
  return 0;
}
