/*
 * sandpit-helper: the bwrap backend's launcher and init in one small static binary (BwrapSandbox
 * compiles it when the executor starts, if a C compiler is there; else the shell + setpriv chain
 * below does the same thing). Every sandbox start ran /bin/sh and setpriv as root and /bin/sh again
 * inside: three dynamic execs, ~2.5 ms of CPU per run on 2 cores, which throughput pays.
 *
 *   sandpit-helper launch UID -- CMD ARGS...      (root side; environment: SANDPIT_CGROUPS, SANDPIT_SECCOMP)
 *     the shell launcher's work: write its pid into each cgroup directory of SANDPIT_CGROUPS
 *     (space-separated), open SANDPIT_SECCOMP (if set) as fd 3 for bwrap --seccomp 3; then
 *     setpriv's: no supplementary groups, empty bounding set, uid and gid UID (real, effective,
 *     saved), no capabilities in any set (ambient and inheritable included), no new privileges;
 *     it checks all of that took before it execs CMD. Any failure: exit 126 before CMD runs.
 *
 *   sandpit-helper init                             (inside the sandbox, on its stdin)
 *     Sandbox.INIT's work: read one line from stdin a byte at a time (so nothing after it is
 *     taken from the program), then exec it. The line is what CommandLine writes and nothing
 *     else is accepted: "export NAME='value'; " any number of times, then "exec" and the argv,
 *     each word single-quoted with ' written as '\''. No line (EOF): exit 125, as the shell.
 *     A bad line: exit 125. A program that cannot be executed: 127 (not found) or 126.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_LINE (1 << 20)
#define MAX_ARGS 4096

static void fail(int code, const char *what) {
  dprintf(2, "sandpit-helper: %s: %s\n", what, errno ? strerror(errno) : "failed");
  _exit(code);
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
  char *end;
  errno = 0;
  long uid = strtol(argv[2], &end, 10);
  if (errno || *end || uid <= 0 || uid > 0x7fffffff) {
    errno = EINVAL;
    fail(126, "bad uid");
  }

  const char *cgroups = getenv("SANDPIT_CGROUPS");
  if (cgroups) {
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
  const char *seccomp = getenv("SANDPIT_SECCOMP");
  if (seccomp && *seccomp) {
    int fd = open(seccomp, O_RDONLY);
    if (fd < 0) fail(126, seccomp);
    if (fd != 3) {
      if (dup2(fd, 3) != 3) fail(126, "dup2");
      close(fd);
    }
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

static int init(void) {
  static char line[MAX_LINE + 1];
  size_t n = 0;
  for (;;) {
    char c;
    ssize_t got = read(0, &c, 1);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) _exit(125);
    if (c == '\n') break;
    if (n == MAX_LINE || c == '\0') _exit(125);
    line[n++] = c;
  }
  line[n] = '\0';

  static char *args[MAX_ARGS + 1];
  int nargs = 0;
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
    if (nargs == MAX_ARGS || !word(&p, &args[nargs])) _exit(125);
    nargs++;
  }
  if (*p != '\0') _exit(125);
  if (nargs == 0) _exit(125);
  args[nargs] = NULL;
  execvp(args[0], args);
  int code = errno == ENOENT ? 127 : 126;
  dprintf(2, "sandpit: %s: %s\n", args[0], strerror(errno));
  _exit(code);
}

int main(int argc, char **argv) {
  if (argc >= 2 && strcmp(argv[1], "launch") == 0) return launch(argc, argv);
  if (argc == 2 && strcmp(argv[1], "init") == 0) return init();
  dprintf(2, "usage: sandpit-helper launch UID -- CMD... | sandpit-helper init\n");
  return 2;
}
