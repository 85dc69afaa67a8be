# expect: memory_limit
# Allocates and touches 8 MB at a time until the cgroup's OOM killer steps in.
chunks = []
print("allocating", flush=True)
while True:
    chunks.append(b"\x01" * (8 << 20))
