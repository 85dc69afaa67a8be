# expect: ok
# Run B: argv = uid of run A, host path of the workspace root (ws/), host path of run A's
# workspace. Tries every way it can think of to reach run A's files and prints what it finds.
import os
import sys

other_uid, host_ws_root, host_ws = sys.argv[1], sys.argv[2], sys.argv[3]
tried = 0


def show(path):
    global tried
    tried += 1
    try:
        if os.path.isdir(path):
            names = os.listdir(path)
            print(f"LIST {path}: {names}")
            for n in names:
                if n in ("secret.txt", other_uid):
                    show(os.path.join(path, n))
        else:
            with open(path, "rb") as f:
                print(f"READ {path}: {f.read(4096)!r}")
    except OSError as e:
        print(f"DENIED {path}: {type(e).__name__}")


here = os.getcwd()
for p in [here + "/../" + other_uid, here + "/../" + other_uid + "/secret.txt", here + "/..",
          "/work/../" + other_uid + "/secret.txt", host_ws_root, host_ws, host_ws + "/secret.txt",
          host_ws_root + "/" + other_uid + "/secret.txt", "/tmp", "/tmp/secret.txt",
          "/home", "/var/lib/sandpit/ws/" + other_uid + "/secret.txt"]:
    show(p)
pids = [p for p in os.listdir("/proc") if p.isdigit()]
print(f"PIDS {len(pids)}")
for pid in pids:
    for leaf in ("environ", "cmdline", "cwd/secret.txt", "root/tmp/secret.txt", "root/work/secret.txt"):
        show(f"/proc/{pid}/{leaf}")
print(f"TRIED {tried}")
