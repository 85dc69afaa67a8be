# expect: stopped (the test stops it once run B is done)
# Run A: puts argv[1] in its workspace and in /tmp, in its environment, then waits on stdin.
import os
import sys

secret = sys.argv[1]
with open("secret.txt", "w") as f:
    f.write(secret)
with open("/tmp/secret.txt", "w") as f:
    f.write(secret)
os.environ["SECRET"] = secret
print("READY " + os.getcwd(), flush=True)
input()
