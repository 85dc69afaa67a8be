package dev.sandpit.worker.sandbox;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A classic-BPF seccomp program (the format bwrap's {@code --seccomp FD} loads): kills any
 * non-x86_64 syscall ABI (no 32-bit bypass), refuses x32, and answers EPERM to the syscalls an
 * untrusted program has no use for (kernel modules, mounts, keyrings, ptrace and cross-process
 * memory access, bpf, perf, io_uring, user namespaces, clock changes, reboot...).
 */
public final class SeccompFilter {
  private SeccompFilter() {}

  private static final int AUDIT_ARCH_X86_64 = 0xC000003E;
  private static final int RET_KILL_PROCESS = 0x80000000;
  private static final int RET_ERRNO_EPERM = 0x00050000 | 1;
  private static final int RET_ALLOW = 0x7FFF0000;
  private static final short LD_W_ABS = 0x20;
  private static final short JEQ_K = 0x15;
  private static final short JGE_K = 0x35;
  private static final short RET_K = 0x06;

  private static final int PTRACE = 101;

  /** x86_64 numbers of refused syscalls. */
  public static final int[] DENIED = {
    101, // ptrace
    310, 311, // process_vm_readv/writev
    248, 249, 250, // add_key, request_key, keyctl
    165, 166, 155, // mount, umount2, pivot_root
    167, 168, 169, // swapon, swapoff, reboot
    170, 171, // sethostname, setdomainname
    175, 176, 313, // init_module, delete_module, finit_module
    246, 320, // kexec_load, kexec_file_load
    321, 298, 323, // bpf, perf_event_open, userfaultfd
    272, 308, // unshare, setns
    163, 179, // acct, quotactl
    303, 304, // name_to_handle_at, open_by_handle_at
    212, 227, 164, 159, 305, // lookup_dcookie, clock_settime, settimeofday, adjtimex, clock_adjtime
    172, 173, // iopl, ioperm
    425, 426, 427, // io_uring_*
    300, // fanotify_init
    428, 429, 430, 431, 432, 433, 442, // open_tree, move_mount, fsopen, fsconfig, fsmount, fspick, mount_setattr
    103, 153, 134, 156, // syslog, vhangup, uselib, _sysctl
  };

  public static byte[] program() {
    return program(false);
  }

  /**
   * The filter; with {@code allowPtrace} ptrace is let through (and only ptrace: cross-process
   * memory access stays refused). That variant is for programs built with a leak-checking
   * sanitizer: LeakSanitizer stops the program's threads with ptrace to scan their stacks. The
   * sandbox keeps a run's processes under their own uid and pid namespace with no new privileges,
   * so ptrace only reaches the run's own processes, and since Linux 4.8 seccomp checks a syscall
   * again after a tracer changed it, so tracing cannot get around this filter.
   */
  public static byte[] program(boolean allowPtrace) {
    int[] denied = allowPtrace ? Arrays.stream(DENIED).filter(nr -> nr != PTRACE).toArray() : DENIED;
    List<int[]> ins = new ArrayList<>(); // {code, jt, jf, k}
    ins.add(new int[] {LD_W_ABS, 0, 0, 4}); // arch
    ins.add(new int[] {JEQ_K, 1, 0, AUDIT_ARCH_X86_64});
    ins.add(new int[] {RET_K, 0, 0, RET_KILL_PROCESS});
    ins.add(new int[] {LD_W_ABS, 0, 0, 0}); // nr
    int firstCheck = ins.size();
    int checks = 1 + denied.length;
    int denyIndex = firstCheck + checks + 1; // after the checks comes ALLOW, then DENY
    ins.add(new int[] {JGE_K, denyIndex - (firstCheck + 1), 0, 0x40000000}); // x32
    for (int nr : denied) {
      int i = ins.size();
      ins.add(new int[] {JEQ_K, denyIndex - (i + 1), 0, nr});
    }
    ins.add(new int[] {RET_K, 0, 0, RET_ALLOW});
    ins.add(new int[] {RET_K, 0, 0, RET_ERRNO_EPERM});
    ByteBuffer b = ByteBuffer.allocate(ins.size() * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (int[] in : ins) {
      if (in[1] > 255 || in[2] > 255) throw new IllegalStateException("jump too far");
      b.putShort((short) in[0]).put((byte) in[1]).put((byte) in[2]).putInt(in[3]);
    }
    return b.array();
  }
}
