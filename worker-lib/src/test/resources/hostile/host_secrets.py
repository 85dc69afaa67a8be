# expect: ok
# Prints, as JSON, everything of the host it can see: environment, credentials, private files.
import json
import os


def attempt(fn):
    try:
        return {"ok": fn()}
    except OSError as e:
        return {"error": type(e).__name__}


def status():
    out = {}
    with open("/proc/self/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            out[k] = v.split()
    return out


def cmdlines():
    out = []
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                with open(f"/proc/{p}/cmdline", "rb") as f:
                    out.append(f.read().replace(b"\0", b" ").decode(errors="replace"))
            except OSError:
                pass
    return out


st = status()
print(json.dumps({
    "env": dict(os.environ),
    "cwd": os.getcwd(),
    "uid": st["Uid"], "gid": st["Gid"], "groups": st.get("Groups", []),
    "capEff": st["CapEff"][0], "capPrm": st["CapPrm"][0], "capBnd": st["CapBnd"][0],
    "capInh": st["CapInh"][0], "capAmb": st["CapAmb"][0],
    "noNewPrivs": st["NoNewPrivs"][0],
    "root": attempt(lambda: os.listdir("/root")),
    "home": attempt(lambda: os.listdir("/home")),
    "shadow": attempt(lambda: open("/etc/shadow").read(64)),
    "sshHostKeys": attempt(lambda: os.listdir("/etc/ssh")),
    "processes": cmdlines(),
}))
