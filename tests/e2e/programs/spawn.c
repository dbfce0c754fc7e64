// Child processes, compared line by line with a native run: posix_spawn and posix_spawnp
// (file actions, a missing program, envp), vfork with dup2/close and execve in the child (the
// parent's fds untouched), an execve that fails after vfork, children that end by a signal
// (their own, or the parent's kill), waitpid with WNOHANG and ECHILD, waitid, SIGCHLD to the
// parent, the parent's handlers kept across a spawn, system and popen, the child's cwd, and
// close-on-exec fds left behind by the exec while the others are inherited.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

extern char** environ;

// ---- a watchdog: no test hangs (SIGALRM ends the program, unless a test waits for it) ------

static volatile sig_atomic_t alarm_soft;  // a test's own timeout: only note that it fired
static volatile sig_atomic_t alarm_fired;
static void on_alarm(int sig) {
  (void)sig;
  if (alarm_soft) {
    alarm_fired = 1;
    return;
  }
  static const char msg[] = "watchdog: a test did not finish in time\n";
  ssize_t w = write(2, msg, sizeof msg - 1);
  (void)w;
  _exit(3);
}
enum { kWatchdogSeconds = 20 };

// ---- helpers ------------------------------------------------------------------------------

// Reads fd to end of file (or until cap - 1 bytes), NUL-terminates; returns the byte count.
static size_t read_all(int fd, char* buf, size_t cap) {
  size_t got = 0;
  while (got + 1 < cap) {
    ssize_t r = read(fd, buf + got, cap - 1 - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    got += (size_t)r;
  }
  buf[got] = '\0';
  return got;
}

static pid_t wait_for(pid_t pid, int* status) {
  pid_t r;
  do r = waitpid(pid, status, 0);
  while (r < 0 && errno == EINTR);
  return r;
}

// posix_spawn (or posix_spawnp) with stdout into a pipe; the output lands in out. Returns
// posix_spawn's result; *status is the child's wait status (-1 if no child).
static int spawn_capture(int use_path, const char* file, char* const argv[], char* const envp[],
                         char* out, size_t cap, int* status) {
  int p[2];
  out[0] = '\0';
  *status = -1;
  if (pipe2(p, O_CLOEXEC) != 0) return errno;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, p[1], 1);
  pid_t pid;
  int rc = use_path ? posix_spawnp(&pid, file, &fa, NULL, argv, envp)
                    : posix_spawn(&pid, file, &fa, NULL, argv, envp);
  posix_spawn_file_actions_destroy(&fa);
  close(p[1]);
  if (rc == 0) {
    read_all(p[0], out, cap);
    if (wait_for(pid, status) != pid) *status = -1;
  }
  close(p[0]);
  return rc;
}

// posix_spawn without redirections; returns the wait status, or -1.
static int spawn_status(const char* path, char* const argv[]) {
  pid_t pid;
  if (posix_spawn(&pid, path, NULL, NULL, argv, environ) != 0) return -1;
  int st;
  return wait_for(pid, &st) == pid ? st : -1;
}

static int exited_with(int st, int code) { return st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == code; }
static int killed_by(int st, int sig) { return st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == sig; }

// ---- 1-3: posix_spawn, posix_spawnp, a missing program -------------------------------------

static void test_posix_spawn(void) {
  char out[256];
  int st;
  char* echo_argv[] = {"echo", "spawned", "echo", NULL};
  int rc = spawn_capture(0, "/bin/echo", echo_argv, environ, out, sizeof out, &st);
  CHECK(rc == 0, "posix_spawn /bin/echo with stdout dup2'ed into a pipe");
  CHECK(strcmp(out, "spawned echo\n") == 0, "the parent reads the child's output from the pipe");
  CHECK(exited_with(st, 0), "waitpid: exit status 0");

  char* sh_argv[] = {"sh", "-c", "exit 7", NULL};
  rc = spawn_capture(1, "sh", sh_argv, environ, out, sizeof out, &st);
  CHECK(rc == 0, "posix_spawnp finds sh on PATH");
  CHECK(exited_with(st, 7), "sh -c 'exit 7': WEXITSTATUS 7");

  char* missing_argv[] = {"missing", NULL};
  pid_t pid;
  rc = posix_spawn(&pid, "/nonexistent-cocoon-dir/missing", NULL, NULL, missing_argv, environ);
  CHECK(rc == ENOENT, "posix_spawn of a missing path: ENOENT");
  rc = posix_spawnp(&pid, "nonexistent-cocoon-program", NULL, NULL, missing_argv, environ);
  CHECK(rc == ENOENT, "posix_spawnp of a name on no PATH entry: ENOENT");
  errno = 0;
  CHECK(waitpid(-1, &st, WNOHANG) == -1 && errno == ECHILD, "and no child was left to wait for");
}

// ---- 4-5: vfork ---------------------------------------------------------------------------

static int same_file(int rc_a, const struct stat* a, int rc_b, const struct stat* b) {
  if (rc_a != rc_b) return 0;
  return rc_a != 0 || (a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_mode == b->st_mode);
}

static void test_vfork_cat(void) {
  int in[2], out[2];  // in: parent -> child's stdin; out: child's stdout -> parent
  CHECK(pipe(in) == 0 && pipe(out) == 0, "two pipes for the child's stdin and stdout");
  struct stat s0, s1, t0, t1;
  int r0 = fstat(0, &s0), r1 = fstat(1, &s1);

  char* const cat_argv[] = {"cat", NULL};
  pid_t pid = vfork();
  if (pid == 0) {
    // The child: its own fd table (vfork shares memory, not fds).
    if (dup2(in[0], 0) < 0 || dup2(out[1], 1) < 0) _exit(126);
    close(in[0]);
    close(in[1]);
    close(out[0]);
    close(out[1]);
    execve("/bin/cat", cat_argv, environ);
    _exit(127);
  }
  CHECK(pid > 0, "vfork");
  int fds_ok = fcntl(in[0], F_GETFD) != -1 && fcntl(in[1], F_GETFD) != -1 &&
               fcntl(out[0], F_GETFD) != -1 && fcntl(out[1], F_GETFD) != -1;
  CHECK(fds_ok, "the child's close of the four pipe ends left the parent's open");
  int t0r = fstat(0, &t0), t1r = fstat(1, &t1);
  CHECK(same_file(r0, &s0, t0r, &t0) && same_file(r1, &s1, t1r, &t1),
        "the child's dup2 onto fds 0 and 1 left the parent's stdin and stdout as they were");
  close(in[0]);
  close(out[1]);
  CHECK(write(in[1], "hello\n", 6) == 6, "the parent writes to the child's stdin");
  close(in[1]);
  char buf[64];
  read_all(out[0], buf, sizeof buf);
  close(out[0]);
  CHECK(strcmp(buf, "hello\n") == 0, "and reads it back from cat's stdout, then end of file");
  int st;
  CHECK(pid > 0 && wait_for(pid, &st) == pid && exited_with(st, 0), "vfork + execve /bin/cat: exit status 0");
}

static void test_vfork_exec_fails(void) {
  int p[2];
  CHECK(pipe2(p, O_CLOEXEC) == 0, "a close-on-exec pipe for the child's errno");
  char* const argv[] = {"missing", NULL};
  pid_t pid = vfork();
  if (pid == 0) {
    execve("/nonexistent-cocoon-dir/missing", argv, environ);
    int e = errno;
    ssize_t w = write(p[1], &e, sizeof e);
    (void)w;
    _exit(127);
  }
  CHECK(pid > 0, "vfork");
  close(p[1]);
  int e = 0;
  ssize_t r = read(p[0], &e, sizeof e);
  close(p[0]);
  CHECK(r == (ssize_t)sizeof e && e == ENOENT, "the child's failed execve reports ENOENT through the pipe");
  int st;
  CHECK(pid > 0 && wait_for(pid, &st) == pid && exited_with(st, 127), "and its _exit(127) gives WEXITSTATUS 127");
}

// ---- 6-9: signals that end children, kill, WNOHANG, ECHILD, waitid -------------------------

static void test_signals_and_waits(void) {
  char* term_argv[] = {"sh", "-c", "kill -TERM $$", NULL};
  int st = spawn_status("/bin/sh", term_argv);
  CHECK(killed_by(st, SIGTERM), "sh -c 'kill -TERM $$': WIFSIGNALED, WTERMSIG SIGTERM");
  CHECK(st != -1 && !WIFEXITED(st), "and not WIFEXITED");

  char* sleep_argv[] = {"sleep", "30", NULL};
  pid_t pid;
  CHECK(posix_spawn(&pid, "/bin/sleep", NULL, NULL, sleep_argv, environ) == 0, "posix_spawn /bin/sleep 30");
  CHECK(kill(pid, 0) == 0, "kill(pid, 0): the child exists");
  CHECK(kill(pid, SIGKILL) == 0, "kill(pid, SIGKILL)");
  CHECK(wait_for(pid, &st) == pid && killed_by(st, SIGKILL), "waitpid: WTERMSIG SIGKILL");
  errno = 0;
  CHECK(kill(pid, 0) == -1 && errno == ESRCH, "once reaped, kill(pid, 0): ESRCH");

  CHECK(posix_spawn(&pid, "/bin/sleep", NULL, NULL, sleep_argv, environ) == 0, "another /bin/sleep 30");
  CHECK(waitpid(-1, &st, WNOHANG) == 0, "waitpid(-1, WNOHANG) while it runs: 0");
  CHECK(waitpid(pid, &st, WNOHANG) == 0, "waitpid(pid, WNOHANG) while it runs: 0");
  kill(pid, SIGTERM);
  CHECK(waitpid(-1, &st, 0) == pid && killed_by(st, SIGTERM), "after SIGTERM, waitpid(-1) reaps it: WTERMSIG SIGTERM");
  errno = 0;
  CHECK(waitpid(-1, &st, 0) == -1 && errno == ECHILD, "waitpid(-1) with no children: ECHILD");
  errno = 0;
  CHECK(waitpid(pid, &st, WNOHANG) == -1 && errno == ECHILD, "waitpid of the reaped pid: ECHILD");

  pid = vfork();
  if (pid == 0) _exit(3);
  CHECK(pid > 0, "vfork, and the child _exits with 3");
  siginfo_t si;
  memset(&si, 0, sizeof si);
  int rc;
  do rc = waitid(P_PID, (id_t)pid, &si, WEXITED);
  while (rc < 0 && errno == EINTR);
  CHECK(rc == 0, "waitid(P_PID, pid, WEXITED)");
  CHECK(si.si_signo == SIGCHLD && si.si_pid == pid, "si_signo SIGCHLD, si_pid the child's");
  CHECK(si.si_code == CLD_EXITED && si.si_status == 3, "si_code CLD_EXITED, si_status 3");

  char* true_argv[] = {"true", NULL};
  CHECK(posix_spawn(&pid, "/bin/true", NULL, NULL, true_argv, environ) == 0, "posix_spawn /bin/true");
  memset(&si, 0, sizeof si);
  do rc = waitid(P_ALL, 0, &si, WEXITED | WNOWAIT);
  while (rc < 0 && errno == EINTR);
  CHECK(rc == 0 && si.si_pid == pid && si.si_code == CLD_EXITED && si.si_status == 0,
        "waitid(P_ALL, WNOWAIT) sees it exit with 0");
  CHECK(wait_for(pid, &st) == pid && exited_with(st, 0), "and waitpid still reaps it afterwards");
}

// ---- 10: SIGCHLD ---------------------------------------------------------------------------

static volatile sig_atomic_t chld_count;
static void on_sigchld(int sig) { (void)sig; chld_count++; }

static void test_sigchld(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_sigchld;
  sa.sa_flags = SA_RESTART;
  sigemptyset(&sa.sa_mask);
  CHECK(sigaction(SIGCHLD, &sa, NULL) == 0, "a SIGCHLD handler (SA_RESTART)");
  sigset_t block, orig;
  sigemptyset(&block);
  sigaddset(&block, SIGCHLD);
  sigprocmask(SIG_BLOCK, &block, &orig);

  char* true_argv[] = {"true", NULL};
  pid_t pid;
  CHECK(posix_spawn(&pid, "/bin/true", NULL, NULL, true_argv, environ) == 0, "posix_spawn /bin/true");
  alarm_fired = 0;
  alarm_soft = 1;
  alarm(5);
  sigset_t wait_mask = orig;
  sigdelset(&wait_mask, SIGCHLD);
  sigdelset(&wait_mask, SIGALRM);
  while (chld_count == 0 && !alarm_fired) sigsuspend(&wait_mask);
  alarm_soft = 0;
  alarm(kWatchdogSeconds);
  CHECK(chld_count == 1 && !alarm_fired, "the handler ran once, when the child exited (sigsuspend)");
  int st;
  CHECK(wait_for(pid, &st) == pid && exited_with(st, 0), "then waitpid reaps it: exit status 0");

  sigprocmask(SIG_SETMASK, &orig, NULL);
  sa.sa_handler = SIG_DFL;
  sigaction(SIGCHLD, &sa, NULL);
}

// ---- 11: the parent's handlers survive a spawn ----------------------------------------------

static volatile sig_atomic_t usr1_count;
static void on_usr1(int sig) { (void)sig; usr1_count++; }

static void test_handlers_kept(void) {
  struct sigaction sa, old;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_usr1;
  sigemptyset(&sa.sa_mask);
  CHECK(sigaction(SIGUSR1, &sa, NULL) == 0, "a SIGUSR1 handler");
  // The child's SIGUSR1 is back to the default action (exec resets handlers): it dies of it.
  char* usr1_argv[] = {"sh", "-c", "kill -USR1 $$", NULL};
  int st = spawn_status("/bin/sh", usr1_argv);
  CHECK(killed_by(st, SIGUSR1), "a spawned sh that sends itself SIGUSR1 dies of it");
  char* true_argv[] = {"true", NULL};
  st = spawn_status("/bin/true", true_argv);
  CHECK(exited_with(st, 0), "posix_spawn /bin/true: exit status 0");
  memset(&old, 0, sizeof old);
  CHECK(sigaction(SIGUSR1, NULL, &old) == 0 && old.sa_handler == on_usr1,
        "after the spawns the parent's SIGUSR1 handler is still installed");
  CHECK(raise(SIGUSR1) == 0 && usr1_count == 1, "raise(SIGUSR1) runs it");
  sa.sa_handler = SIG_DFL;
  sigaction(SIGUSR1, &sa, NULL);
}

// ---- 12: system and popen ------------------------------------------------------------------

static void test_system_popen(void) {
  int st = system("exit 5");
  CHECK(exited_with(st, 5), "system(\"exit 5\"): WEXITSTATUS 5");
  CHECK(system(NULL) != 0, "system(NULL): a shell is available");
  FILE* f = popen("echo popen-ok", "r");
  CHECK(f != NULL, "popen(\"echo popen-ok\", \"r\")");
  char buf[64] = "";
  if (f) {
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    st = pclose(f);
  } else {
    st = -1;
  }
  CHECK(strcmp(buf, "popen-ok\n") == 0, "popen: its output read back");
  CHECK(exited_with(st, 0), "pclose: exit status 0");

  f = popen("cat > /dev/null; exit 4", "w");
  CHECK(f != NULL, "popen(..., \"w\")");
  if (f) {
    fputs("into the child\n", f);
    st = pclose(f);
  } else {
    st = -1;
  }
  CHECK(exited_with(st, 4), "pclose of a writing popen: exit status 4");
}

// ---- 13: the child's environment and cwd ----------------------------------------------------

static void test_env_cwd(void) {
  char out[256];
  int st;
  char* env_argv[] = {"env", NULL};
  char* envp[] = {"A=1", "B=two", NULL};
  int rc = spawn_capture(0, "/usr/bin/env", env_argv, envp, out, sizeof out, &st);
  CHECK(rc == 0 && strcmp(out, "A=1\nB=two\n") == 0, "/usr/bin/env with envp {A=1, B=two} prints exactly those");
  CHECK(exited_with(st, 0), "and exits with 0");

  char* empty_envp[] = {NULL};
  rc = spawn_capture(0, "/usr/bin/env", env_argv, empty_envp, out, sizeof out, &st);
  CHECK(rc == 0 && out[0] == '\0' && exited_with(st, 0), "with an empty envp, env prints nothing");

  char saved[4096];
  CHECK(getcwd(saved, sizeof saved) != NULL, "getcwd");
  CHECK(chdir("/usr/share") == 0, "chdir(\"/usr/share\")");
  char* pwd_argv[] = {"pwd", NULL};
  rc = spawn_capture(0, "/bin/pwd", pwd_argv, environ, out, sizeof out, &st);
  CHECK(rc == 0 && strcmp(out, "/usr/share\n") == 0 && exited_with(st, 0), "a spawned /bin/pwd prints /usr/share");
  CHECK(chdir(saved) == 0, "chdir back");
}

// ---- 14: close-on-exec -----------------------------------------------------------------------

static void test_cloexec(void) {
  int in[2], ce[2];
  CHECK(pipe2(in, O_CLOEXEC) == 0 && pipe2(ce, O_CLOEXEC) == 0, "two O_CLOEXEC pipes");
  CHECK(fcntl(in[1], F_SETFD, 0) == 0 && fcntl(in[1], F_GETFD) == 0, "FD_CLOEXEC cleared on the first's write end");
  CHECK(fcntl(ce[1], F_GETFD) == FD_CLOEXEC, "the second's write end keeps FD_CLOEXEC");
  CHECK(in[1] < 10 && ce[1] < 10, "both write ends are fds a shell redirection can name");

  char script[64];
  snprintf(script, sizeof script, "echo inherited >&%d", in[1]);
  char* argv1[] = {"sh", "-c", script, NULL};
  pid_t pid;
  int rc = posix_spawn(&pid, "/bin/sh", NULL, NULL, argv1, environ);
  close(in[1]);
  char buf[64];
  int st = -1;
  if (rc == 0) {
    read_all(in[0], buf, sizeof buf);
    wait_for(pid, &st);
  } else {
    buf[0] = '\0';
  }
  close(in[0]);
  CHECK(strcmp(buf, "inherited\n") == 0, "the child writes \"inherited\" through the inherited fd");
  CHECK(exited_with(st, 0), "and exits with 0");

  snprintf(script, sizeof script, "echo x >&%d", ce[1]);
  char* argv2[] = {"sh", "-c", script, NULL};
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  rc = posix_spawn(&pid, "/bin/sh", &fa, NULL, argv2, environ);
  posix_spawn_file_actions_destroy(&fa);
  close(ce[1]);
  st = -1;
  size_t n = 1;
  if (rc == 0) {
    n = read_all(ce[0], buf, sizeof buf);
    wait_for(pid, &st);
  }
  close(ce[0]);
  CHECK(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) != 0, "the close-on-exec fd is not in the child: sh fails");
  CHECK(n == 0, "and the read end gets end of file, nothing written");
}

// open() gets the lowest free fd number, before and after children (Cocoon's proxy keeps its
// own fds out of the program's numbers).
static void test_lowest_fd(const char* when) {
  int lowest = 0;
  while (fcntl(lowest, F_GETFD) != -1) ++lowest;
  int fd = open("/dev/null", O_RDONLY);
  CHECK(fd == lowest, "%s, open() gets the lowest free fd", when);
  close(fd);
}

int main(void) {
  // Fds 0-2 open (the harness gives /dev/null for stdin), so that no pipe below lands on them.
  for (int fd = 0; fd < 3; ++fd)
    if (fcntl(fd, F_GETFD) == -1) open("/dev/null", O_RDWR);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_alarm;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGALRM, &sa, NULL);
  alarm(kWatchdogSeconds);

  test_lowest_fd("at start");
  test_posix_spawn();
  test_vfork_cat();
  test_vfork_exec_fails();
  test_signals_and_waits();
  test_sigchld();
  test_handlers_kept();
  test_system_popen();
  test_env_cwd();
  test_cloexec();
  test_lowest_fd("after the children");

  alarm(0);
  errno = 0;
  int st;
  CHECK(waitpid(-1, &st, WNOHANG) == -1 && errno == ECHILD, "at the end no child is left");
  return checks_summary();
}
