package dev.sandpit.worker.process;

import dev.sandpit.worker.sandbox.KernFile;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Tells from outside the sandbox, through /proc, whether a thread of the run is blocked waiting
 * for stdin: in {@code read}/{@code readv} of fd 0, in {@code poll}/{@code select} with fd 0 in its
 * read set, or in an {@code epoll_wait} without timeout whose epoll set holds fd 0 (Node.js). The
 * answer is a key {@code tid:reads} where {@code reads} is the thread's count of completed read
 * syscalls: it stays the same for one blocked read and changes with the next one, so a read is
 * requested exactly once, even when the program asks again right after an answer.
 *
 * <p>One probe per run (used by its monitor thread only): it keeps each thread's
 * {@code /proc/<tid>/syscall} open for the run, and skips the sandbox's own supervisor processes
 * (named by the backend) instead of reading their poll sets on every look. A thread is told apart
 * by its name the first time it is seen waiting in poll/select/epoll — not when first seen, since
 * a sandbox that is still starting runs its launcher shell under the supervisor's future pid.
 */
final class InputProbe implements AutoCloseable {
  private final Set<String> supervisorNames;
  /** Per thread: its syscall file and whether it is a supervisor (null: not known yet). */
  private final Map<Long, Task> threads = new HashMap<>();

  private static final class Task {
    final KernFile syscall;
    Boolean supervisor;

    Task(long tid) {
      syscall = new KernFile(Path.of("/proc", Long.toString(tid), "syscall"));
    }
  }

  InputProbe(Set<String> supervisorNames) {
    this.supervisorNames = supervisorNames;
  }

  private static final int READ = 0, READV = 19, POLL = 7, PPOLL = 271, SELECT = 23, PSELECT6 = 270,
      EPOLL_WAIT = 232, EPOLL_PWAIT = 281, EPOLL_PWAIT2 = 441;
  /** /proc/<tid>/syscall: the number and at least the first four arguments. */
  private static final int SYSCALL_FIELDS = 5;
  /** The per-thread cache is pruned when it holds more than this many entries per live thread, plus the slack. */
  private static final int KNOWN_THREADS_PER_TASK = 4, KNOWN_THREADS_SLACK = 64;
  /** A poll over more descriptors than this is not read (not a prompt's). */
  private static final int MAX_POLL_FDS = 4096;
  /** struct pollfd: int fd, short events, short revents. */
  private static final int POLLFD_BYTES = 8, POLLFD_EVENTS_OFFSET = 4;
  private static final short POLLIN = 0x1;
  /** The first word of an fd_set (stdin is its lowest bit). */
  private static final int FD_SET_WORD_BYTES = 8;
  private static final String TGID = "Tgid:";
  private static final String SYSCR = "syscr:";

  /** The key of a blocked stdin read among {@code tids}, or null when none is blocked on stdin. */
  String blockedOnStdin(long[] tids) {
    if (threads.size() > KNOWN_THREADS_PER_TASK * tids.length + KNOWN_THREADS_SLACK) forgetGone(tids);
    for (long tid : tids) {
      Task t = threads.computeIfAbsent(tid, Task::new);
      if (t.supervisor == Boolean.TRUE) continue;
      String sc = t.syscall.readAscii();
      if (sc == null || sc.isEmpty() || !Character.isDigit(sc.charAt(0))) continue;
      String[] f = sc.trim().split(" ");
      if (f.length < SYSCALL_FIELDS) continue;
      int nr;
      try {
        nr = Integer.parseInt(f[0]);
      } catch (NumberFormatException e) {
        continue;
      }
      long a0 = hex(f[1]), a1 = hex(f[2]), a3 = hex(f[4]);
      if (nr != READ && nr != READV && t.supervisor == null) {
        String comm = comm(tid);
        t.supervisor = comm != null && supervisorNames.contains(comm);
        if (t.supervisor) continue;
      }
      boolean waiting = switch (nr) {
        case READ, READV -> a0 == 0;
        case POLL, PPOLL -> pollWatchesStdin(tid, a0, a1);
        case SELECT, PSELECT6 -> a0 > 0 && selectWatchesStdin(tid, a1);
        case EPOLL_WAIT, EPOLL_PWAIT -> (int) a3 == -1 && epollWatchesStdin(tid, a0);
        case EPOLL_PWAIT2 -> a3 == 0 && epollWatchesStdin(tid, a0);
        default -> false;
      };
      if (waiting) return tid + ":" + reads(tid);
    }
    return null;
  }

  /** Drops the files of threads that ended (a program that keeps starting threads). */
  private void forgetGone(long[] tids) {
    Set<Long> live = new HashSet<>();
    for (long t : tids) live.add(t);
    threads.entrySet().removeIf(e -> {
      if (live.contains(e.getKey())) return false;
      e.getValue().syscall.close();
      return true;
    });
  }

  @Override
  public void close() {
    for (Task t : threads.values()) t.syscall.close();
    threads.clear();
  }

  /** The name of a process or thread ({@code /proc/<id>/comm}), or null when it is gone. */
  static String comm(long id) {
    String c = read(Path.of("/proc", Long.toString(id), "comm"));
    return c == null ? null : c.trim();
  }

  private static boolean pollWatchesStdin(long tid, long fdsAddr, long nfds) {
    if (nfds <= 0 || nfds > MAX_POLL_FDS) return false;
    ByteBuffer b = mem(tid, fdsAddr, (int) nfds * POLLFD_BYTES);
    if (b == null) return false;
    for (int i = 0; i < nfds; i++) {
      int fd = b.getInt(i * POLLFD_BYTES);
      short events = b.getShort(i * POLLFD_BYTES + POLLFD_EVENTS_OFFSET);
      if (fd == 0 && (events & POLLIN) != 0) return true;
    }
    return false;
  }

  private static boolean selectWatchesStdin(long tid, long readfdsAddr) {
    if (readfdsAddr == 0) return false;
    ByteBuffer b = mem(tid, readfdsAddr, FD_SET_WORD_BYTES);
    return b != null && (b.getLong(0) & 1L) != 0;
  }

  private static boolean epollWatchesStdin(long tid, long epfd) {
    String info = read(Path.of("/proc", Long.toString(tid), "fdinfo", Long.toString(epfd)));
    if (info == null) return false;
    for (String line : info.split("\n")) {
      if (line.startsWith("tfd:")) {
        String[] parts = line.trim().split("\\s+");
        if (parts.length > 1 && parts[1].equals("0")) return true;
      }
    }
    return false;
  }

  /** Completed read syscalls of this thread (not its whole process). */
  private static String reads(long tid) {
    String status = read(Path.of("/proc", Long.toString(tid), "status"));
    String tgid = Long.toString(tid);
    if (status != null) {
      for (String line : status.split("\n")) {
        if (line.startsWith(TGID)) tgid = line.substring(TGID.length()).trim();
      }
    }
    String io = read(Path.of("/proc", tgid, "task", Long.toString(tid), "io"));
    if (io == null) return "?";
    for (String line : io.split("\n")) {
      if (line.startsWith(SYSCR)) return line.substring(SYSCR.length()).trim();
    }
    return "?";
  }

  private static ByteBuffer mem(long tid, long addr, int len) {
    try (RandomAccessFile f = new RandomAccessFile("/proc/" + tid + "/mem", "r")) {
      byte[] buf = new byte[len];
      f.seek(addr);
      f.readFully(buf);
      return ByteBuffer.wrap(buf).order(ByteOrder.LITTLE_ENDIAN);
    } catch (IOException e) {
      return null;
    }
  }

  private static long hex(String s) {
    try {
      return Long.parseUnsignedLong(s.startsWith("0x") ? s.substring(2) : s, 16);
    } catch (NumberFormatException e) {
      return -2;
    }
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      return null;
    }
  }
}
