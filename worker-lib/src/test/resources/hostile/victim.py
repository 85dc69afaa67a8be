# expect: ok
# The next run in a slot: it must find only its own file, and nothing in /tmp or /dev/shm.
import os

seen = []
for root, dirs, files in os.walk(b".", onerror=lambda e: seen.append("unreadable " + repr(e.filename))):
    for n in dirs + files:
        seen.append(os.path.relpath(os.path.join(root, n), b".").decode("utf-8", "backslashreplace"))
for d in ("/tmp", "/dev/shm"):
    for n in sorted(os.listdir(d)):
        seen.append(d + "/" + n)
with open("victim.out", "w") as f:
    f.write("mine")
print(sorted(seen))
