# expect: ok
# Double fork + setsid, ignores every catchable signal, closes its stdio, keeps working after the
# program "ends". Nothing of it may survive the run.
import os
import signal
import time

r, w = os.pipe()
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        for s in (signal.SIGHUP, signal.SIGINT, signal.SIGTERM, signal.SIGQUIT, signal.SIGUSR1):
            signal.signal(s, signal.SIG_IGN)
        os.write(w, str(os.getpid()).encode())
        os.close(w)
        devnull = os.open("/dev/null", os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        while True:
            with open("heartbeat", "a") as f:
                f.write(".")
            time.sleep(0.05)
    os._exit(0)
os.close(w)
print("daemon " + os.read(r, 32).decode() + " started", flush=True)
os.wait()
