# expect: timeout
# Burns CPU forever, prints nothing.
while True:
    pass
