# expect: output_limit
# Writes without end as fast as it can.
import os

line = b"A" * 4095 + b"\n"
while True:
    os.write(1, line)
