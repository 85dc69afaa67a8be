# expect: timeout
# Uses no CPU and never ends.
import time

print("sleeping", flush=True)
while True:
    time.sleep(3600)
