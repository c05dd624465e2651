#!/usr/bin/python3
"""facts.py CONSOLE SYSTEM.MAP [KEY=VALUE...] : print facts.env for one dump.

Facts come from the guest's own console: every "KINSPECT_FACT k=v ..." line the
guest init, kinspect-panic or the csd module printed, plus the kernel's panic
message and its "CPU: n PID: n Comm: c" line. KEY=VALUE arguments (what the host
knows: scenario, package version) are added first. kaslr is derived by comparing
the guest's _stext address with the unrandomized one in System.map. Values that
are not plain words are single-quoted, so the file can be sourced by sh."""
import re
import shlex
import sys

SAFE = re.compile(r"^[A-Za-z0-9_.,:/+@%-]*$")


def main():
    console, sysmap, extra = sys.argv[1], sys.argv[2], sys.argv[3:]
    facts = {}
    for kv in extra:
        k, _, v = kv.partition("=")
        facts[k] = v
    text = open(console, encoding="utf-8", errors="replace").read().replace("\r", "")
    # Facts before a kdump capture kernel's boot belong to the crashed kernel;
    # keep the first value of a key, except capture_* which only the capture sets.
    for line in text.splitlines():
        m = re.search(r"KINSPECT_FACT (.*)$", line)
        if not m:
            continue
        for tok in re.findall(r'(\w+)=("[^"]*"|\S*)', m.group(1)):
            k, v = tok[0], tok[1].strip('"')
            facts.setdefault(k, v)
    m = re.search(r"Kernel panic - not syncing: (.*)", text)
    if m:
        facts["panic_msg"] = m.group(1).strip()
        rest = text[m.end():]
        c = re.search(r"CPU: (\d+) PID: (\d+) Comm: (\S+)", rest)
        if c:
            facts["console_panic_cpu"], facts["console_panic_pid"], facts["console_panic_comm"] = c.groups()
    stext = None
    for line in open(sysmap):
        a, t, name = line.split()[:3]
        if name == "_stext":
            stext = int(a, 16)
            break
    if "stext_addr" in facts and stext is not None:
        off = int(facts["stext_addr"], 16) - stext
        facts["link_stext_addr"] = hex(stext)
        facts["kaslr_offset"] = hex(off)
        facts["kaslr"] = "on" if off else "off"
    for k, v in facts.items():
        print(f"{k}={v if SAFE.match(v) else shlex.quote(v)}")


if __name__ == "__main__":
    main()
