/*
 * sandpit-helper: the bwrap backend's launcher and init in one small static binary (BwrapSandbox
 * compiles it when the executor starts, if a C compiler is there; else the shell + setpriv chain
 * below does the same thing). Every sandbox start ran /bin/sh and setpriv as root and /bin/sh again
 * inside: three dynamic execs, ~2.5 ms of CPU per run on 2 cores, which throughput pays.
 *
 *   sandpit-helper launch UID -- CMD ARGS...      (root side; environment: SANDPIT_CGROUPS, SANDPIT_SECCOMP)
 *     the shell launcher's work: write its pid into each cgroup directory of SANDPIT_CGROUPS
 *     (space-separated; required), open SANDPIT_SECCOMP (required) as fd 3 for bwrap --seccomp 3,
 *     close every descriptor above 3; then
 *     setpriv's: no supplementary groups, empty bounding set, uid and gid UID (real, effective,
 *     saved), no capabilities in any set (ambient and inheritable included), no new privileges;
 *     it checks all of that took before it execs CMD. Any failure: exit 126 before CMD runs.
 *     Every signal's disposition is reset to the default and the signal mask cleared before the exec.
 *
 *   sandpit-helper init                             (inside the sandbox, on its stdin)
 *     Sandbox.INIT's work: read one line from stdin a byte at a time (so nothing after it is
 *     taken from the program), then exec it. The line is what CommandLine writes and nothing
 *     else is accepted: "export NAME='value'; " any number of times, then "exec" and the argv,
 *     each word single-quoted with ' written as '\''. No line (EOF): exit 125, as the shell.
 *     A bad line: exit 125. A program that cannot be executed: 127 (not found) or 126, as dash.
 *     The program starts with every signal at its default disposition and none blocked.
 *     Line and argv have no limit of their own (the kernel's: E2BIG, 126, as the shell).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>


static void fail(int code, const char *what) {
  dprintf(2, "sandpit-helper: %s: %s\n", what, errno ? strerror(errno) : "failed");
  _exit(code);
}

/*
 * Every signal back to its default disposition and none blocked. A disposition of "ignored" and the
 * blocked mask survive execve: a worker started from bash's `cmd &` ignores SIGINT and SIGQUIT, and
 * without this every program it runs would too (no KeyboardInterrupt, no SIGINT handler, Stop
 * falling through to SIGKILL). Done on both sides, so neither bwrap nor the program inherits them.
 */
static void default_signals(void) {
  /* the kernel's own call, not the C library's: glibc refuses signals 32 and 33 (it keeps them for
     itself), yet a JVM's children start with both ignored and would hand that on to the program */
  struct {
    void (*handler)(int);
    unsigned long flags;
    void (*restorer)(void);
    unsigned long mask;
  } dfl = {SIG_DFL, 0, NULL, 0};
  for (int sig = 1; sig <= 64; sig++) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    syscall(SYS_rt_sigaction, sig, &dfl, NULL, sizeof dfl.mask);
  }
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
}

static int capset_all(__u32 value) {
  struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct d[2] = {{value, value, value}, {value, value, value}};
  return (int) syscall(SYS_capset, &h, d);
}

static int caps_empty(void) {
  struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct d[2];
  if (syscall(SYS_capget, &h, d) != 0) return 0;
  for (int i = 0; i < 2; i++) {
    if (d[i].effective || d[i].permitted || d[i].inheritable) return 0;
  }
  return 1;
}

static int launch(int argc, char **argv) {
  if (argc < 5 || strcmp(argv[3], "--") != 0) {
    errno = EINVAL;
    fail(126, "usage: launch UID -- CMD...");
  }
  long uid = 0;
  const char *d = argv[2];
  if (*d == '\0' || strlen(d) > 9) uid = -1;
  for (; uid >= 0 && *d; d++) uid = *d >= '0' && *d <= '9' ? uid * 10 + (*d - '0') : -1;
  if (uid <= 0) {
    errno = EINVAL;
    fail(126, "bad uid (digits only, not 0)");
  }

  const char *cgroups = getenv("SANDPIT_CGROUPS");
  const char *seccomp = getenv("SANDPIT_SECCOMP");
  errno = EINVAL;
  if (!cgroups || strspn(cgroups, " ") == strlen(cgroups)) fail(126, "SANDPIT_CGROUPS names no cgroup");
  if (!seccomp || !*seccomp) fail(126, "SANDPIT_SECCOMP names no filter");
  {
    char pid[24];
    int n = snprintf(pid, sizeof pid, "%d\n", getpid());
    const char *p = cgroups;
    while (*p) {
      while (*p == ' ') p++;
      const char *q = p;
      while (*q && *q != ' ') q++;
      if (q > p) {
        char path[4096];
        if (snprintf(path, sizeof path, "%.*s/cgroup.procs", (int) (q - p), p) >= (int) sizeof path) fail(126, "cgroup path");
        int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0 || write(fd, pid, (size_t) n) != n) fail(126, path);
        close(fd);
      }
      p = q;
    }
  }
  {
    int fd = open(seccomp, O_RDONLY);
    if (fd < 0) fail(126, seccomp);
    if (fd != 3) {
      if (dup2(fd, 3) != 3) fail(126, "dup2");
      close(fd);
    }
  }

  // nothing of the worker's but the filter reaches the sandbox (the JVM closes them too)
  if (syscall(SYS_close_range, 4U, ~0U, 0U) != 0) {
    for (int fd = 4; fd < 65536; fd++) close(fd);
  }

  if (setgroups(0, NULL) != 0) fail(126, "setgroups");
  for (int cap = 0; cap <= 63; cap++) {
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL) fail(126, "drop the bounding set");
  }
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) fail(126, "clear ambient capabilities");
  if (setresgid((gid_t) uid, (gid_t) uid, (gid_t) uid) != 0) fail(126, "setresgid");
  if (setresuid((uid_t) uid, (uid_t) uid, (uid_t) uid) != 0) fail(126, "setresuid");
  if (capset_all(0) != 0) fail(126, "capset");
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) fail(126, "no_new_privs");

  // what must hold before anything of the caller's runs
  uid_t r, e, s;
  gid_t gr, ge, gs;
  errno = EPERM;
  if (getresuid(&r, &e, &s) != 0 || r != (uid_t) uid || e != (uid_t) uid || s != (uid_t) uid) fail(126, "uid did not change");
  if (getresgid(&gr, &ge, &gs) != 0 || gr != (gid_t) uid || ge != (gid_t) uid || gs != (gid_t) uid) fail(126, "gid did not change");
  if (getgroups(0, NULL) != 0) fail(126, "supplementary groups remain");
  if (!caps_empty()) fail(126, "capabilities remain");
  for (int cap = 0; cap <= 63; cap++) {
    int in = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
    if (in < 0) break; /* past the kernel's last capability */
    if (in != 0) fail(126, "bounding set remains");
  }
  if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1) fail(126, "no_new_privs did not take");

  default_signals();
  execv(argv[4], argv + 4);
  fail(126, argv[4]);
  return 126;
}

/* One single-quoted word of CommandLine at *pp ('...' runs joined by \'), unquoted into out; 0 when malformed. */
static int word(char **pp, char **out) {
  char *p = *pp, *w = p, *start = p; /* w trails p: every segment drops two quotes or a backslash */
  if (*p != '\'' && *p != '\\') return 0;
  while (*p && *p != ' ' && *p != ';') {
    if (*p == '\'') {
      p++;
      while (*p && *p != '\'') *w++ = *p++;
      if (*p != '\'') return 0;
      p++;
    } else if (*p == '\\' && p[1] == '\'') {
      *w++ = '\'';
      p += 2;
    } else {
      return 0;
    }
  }
  *w = '\0';
  *out = start;
  *pp = p;
  return 1;
}

static void *grow(void *p, size_t *cap, size_t elem) {
  size_t n = *cap ? *cap * 2 : 256;
  void *q = realloc(p, n * elem);
  if (!q) _exit(125);
  *cap = n;
  return q;
}

static int init(void) {
  char *line = NULL;
  size_t n = 0, cap = 0;
  for (;;) {
    char c;
    ssize_t got = read(0, &c, 1);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) _exit(125);
    if (c == '\n') break;
    if (c == '\0') _exit(125);
    if (n + 1 >= cap) line = grow(line, &cap, 1);
    line[n++] = c;
  }
  if (n + 1 >= cap) line = grow(line, &cap, 1);
  line[n] = '\0';

  char **args = NULL;
  size_t nargs = 0, argcap = 0;
  char *p = line;
  while (strncmp(p, "export ", 7) == 0) {
    p += 7;
    char *name = p;
    while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || *p == '_' || (p > name && *p >= '0' && *p <= '9')) p++;
    if (p == name || *p != '=') _exit(125);
    *p++ = '\0';
    char *value;
    if (!word(&p, &value) || *p != ';' || p[1] != ' ') _exit(125);
    *p = '\0';
    if (setenv(name, value, 1) != 0) _exit(125);
    p += 2;
  }
  if (strncmp(p, "exec", 4) != 0) _exit(125);
  p += 4;
  while (*p == ' ') {
    p++;
    if (nargs + 1 >= argcap) args = grow(args, &argcap, sizeof *args);
    if (!word(&p, &args[nargs])) _exit(125);
    nargs++;
  }
  if (*p != '\0' || nargs == 0) _exit(125);
  args[nargs] = NULL;
  default_signals();
  execvp(args[0], args);
  // dash: a name it could not find (or reach) is 127, anything else 126
  int e = errno;
  int code = e == ENOENT || e == ENOTDIR || e == ELOOP || e == ENAMETOOLONG ? 127 : 126;
  dprintf(2, "sandpit: %s: %s\n", args[0], strerror(e));
  _exit(code);
}

int main(int argc, char **argv) {
  if (argc >= 2 && strcmp(argv[1], "launch") == 0) return launch(argc, argv);
  if (argc == 2 && strcmp(argv[1], "init") == 0) return init();
  dprintf(2, "usage: sandpit-helper launch UID -- CMD... | sandpit-helper init\n");
  return 2;
}
