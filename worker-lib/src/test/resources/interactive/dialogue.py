import time

t = time.monotonic()
while time.monotonic() - t < 1.0:  # computes for a second before asking anything
    pass
print("ready")
n = int(input("Number? "))
print("Double:", 2 * n)
a = int(input("A? "))
b = int(input("B? "))
print("Sum:", a + b)
