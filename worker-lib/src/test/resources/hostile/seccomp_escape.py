# expect: ok
# Calls syscalls a sandboxed program has no business with; prints "<name> <rc> <errno>" for each.
import ctypes
import errno

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long


def report(name, rc):
    err = ctypes.get_errno() if rc == -1 else 0
    print(f"{name} {rc} {errno.errorcode.get(err, err)}", flush=True)


CLONE_NEWNS, CLONE_NEWUSER, CLONE_NEWNET = 0x00020000, 0x10000000, 0x40000000
report("unshare_user", libc.unshare(CLONE_NEWUSER))
report("unshare_mount", libc.unshare(CLONE_NEWNS))
report("unshare_net", libc.unshare(CLONE_NEWNET))
report("mount", libc.mount(b"none", b"/tmp", b"tmpfs", 0, None))
report("umount", libc.umount2(b"/proc", 2))
report("ptrace", libc.ptrace(0, 0, None, None))  # PTRACE_TRACEME
report("keyctl", libc.syscall(250, 0, 0, 0, 0, 0))
report("bpf", libc.syscall(321, 0, 0, 0))
report("perf_event_open", libc.syscall(298, 0, 0, -1, -1, 0))
report("userfaultfd", libc.syscall(323, 0))
report("io_uring_setup", libc.syscall(425, 1, None))
report("setns", libc.syscall(308, 0, 0))
report("kexec_load", libc.syscall(246, 0, 0, None, 0))
report("init_module", libc.syscall(175, None, 0, b""))
report("x32_getpid", libc.syscall(0x40000000 + 39))
