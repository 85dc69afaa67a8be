# expect: ok
# Tries to leave something behind for the next run of its slot, in the ways a root-side clean-up
# that walks the tree by path gets wrong (issue 12). argv[1] names the attack; each prints
# "left <attack>" once it is in place. The next run in the slot must find nothing of it.
import os
import socket
import stat
import sys
import time

attack = sys.argv[1]
LONG = "d" * 250


def deep(levels, wide=0):
    """levels nested directories with 250-character names, by relative steps (the path is far past PATH_MAX)."""
    top = os.open(".", os.O_RDONLY)
    for i in range(levels):
        os.mkdir(LONG)
        os.chdir(LONG)
        for j in range(wide):
            with open(f"f{j}", "w") as f:
                f.write("x")
            os.mkdir(f"w{j}")
        with open("secret.txt", "w") as f:
            f.write(f"level {i}")
    os.fchdir(top)


def write_tmp():
    for d in ("/tmp", "/dev/shm"):
        try:
            with open(os.path.join(d, "left.txt"), "w") as f:
                f.write("left")
        except OSError:
            pass


write_tmp()
with open("victim.py", "w") as f:  # the next run's main file, already there (Workspace.write is CREATE_NEW)
    f.write("print('planted')\n")

if attack == "deep":
    deep(24)
elif attack == "deep_wide":
    deep(30, wide=40)
elif attack == "odd_names":
    for name in (b"\x1b]52;c;cGxhbnRlZA==\x07", b"\xff\xfe\xfd", b"a\nb\rc\td", b"\x01\x02\x7f", b"-rf", b" ", b"x" * 255):
        fd = os.open(name, os.O_CREAT | os.O_WRONLY, 0o644)
        os.write(fd, b"odd")
        os.close(fd)
    os.mkdir(b"\xc3\x28dir")
    os.symlink(b"/etc/passwd", b"\xc3\x28dir/\xe2\x82")
elif attack == "chmod_root":
    os.chmod(".", 0)
elif attack == "chmod_nested":
    os.makedirs("a/b/c/d")
    for d in ("a/b/c/d", "a/b/c", "a/b", "a"):
        with open(os.path.join(d, "f"), "w") as f:
            f.write("x")
        os.chmod(d, 0)
    os.chmod("victim.py", 0)
elif attack == "chattr":
    import fcntl
    import struct
    FS_IOC_SETFLAGS = 0x40086602
    results = []
    for target in (".", "victim.py"):
        fd = os.open(target, os.O_RDONLY)
        try:  # immutable | append-only: refused without CAP_LINUX_IMMUTABLE, which the sandbox lacks
            fcntl.ioctl(fd, FS_IOC_SETFLAGS, struct.pack("i", 0x10 | 0x20))
            results.append(target + ": set")
        except OSError as e:
            results.append(target + ": " + type(e).__name__)
        os.close(fd)
    os.chmod("victim.py", stat.S_IRUSR)
    print(results, file=sys.stderr)
elif attack == "fifo_socket":
    os.mkfifo("fifo")
    os.mkfifo("victim.py.fifo")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind("sock")
    s.listen()
    os.mkdir("subdir")
    os.mkfifo("subdir/fifo")
elif attack == "fd_daemon":
    # the run's file, open in a daemon that outlives the program: passed over a socket, then closed here
    a, b = socket.socketpair()
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            msg, fds, _, _ = socket.recv_fds(b, 16, 1)
            devnull = os.open("/dev/null", os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(devnull, fd)
            while True:
                os.write(fds[0], b"still here\n")
                time.sleep(0.02)
        os._exit(0)
    os.wait()
    fd = os.open("held.txt", os.O_CREAT | os.O_WRONLY | os.O_APPEND, 0o644)
    socket.send_fds(a, [b"fd"], [fd])
    os.close(fd)
    os.unlink("held.txt")  # open but unlinked: no name left, the daemon still writes
    with open("held2.txt", "w") as f:
        f.write("x")
else:
    sys.exit("unknown attack " + attack)
print("left " + attack, flush=True)
