# expect: ok
# argv: a TCP port the host listens on at 127.0.0.1. Every connection attempt must fail; the only
# network interface visible must be lo.
import socket
import sys

host_port = int(sys.argv[1])


def tcp(host, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(3)
    try:
        s.connect((host, port))
        print(f"tcp {host}:{port} CONNECTED")
    except OSError as e:
        print(f"tcp {host}:{port} failed {type(e).__name__}")
    finally:
        s.close()


def udp(host, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.sendto(b"x", (host, port))
        print(f"udp {host}:{port} SENT")
    except OSError as e:
        print(f"udp {host}:{port} failed {type(e).__name__}")
    finally:
        s.close()


tcp("127.0.0.1", host_port)
tcp("1.1.1.1", 443)
tcp("8.8.8.8", 53)
udp("8.8.8.8", 53)
try:
    socket.getaddrinfo("repo.maven.apache.org", 443)
    print("dns RESOLVED")
except OSError as e:
    print(f"dns failed {type(e).__name__}")
with open("/proc/net/dev") as f:
    ifaces = sorted(l.split(":")[0].strip() for l in f.read().splitlines()[2:])
print("interfaces " + ",".join(ifaces))
print("if_nameindex " + ",".join(sorted(n for _, n in socket.if_nameindex())))
