# expect: runtime_error|timeout
# Every process forks forever and shrugs off the failures once the pids limit is hit, so the
# tree never shrinks by itself: only the run's end (wall limit, cgroup kill) removes it.
import os

print("forking", flush=True)
while True:
    try:
        os.fork()
    except OSError:
        pass
