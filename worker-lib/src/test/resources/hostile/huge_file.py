# expect: ok
# Writes 1 GB to the workspace and to /tmp, 1 MB at a time; both must stop at the size cap.
# The files stay: the test looks at what reached the host.
import errno

chunk = b"\0" * (1 << 20)
for path in ("big.bin", "/tmp/big.bin"):
    written = 0
    try:
        with open(path, "wb") as f:
            for _ in range(1024):
                f.write(chunk)
                f.flush()
                written += len(chunk)
        print(f"{path} WROTE_ALL {written}")
    except OSError as e:
        print(f"{path} failed {errno.errorcode.get(e.errno, e.errno)} after {written // (1 << 20)} MB")
