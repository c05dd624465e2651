#!/usr/bin/env python3
"""Open-to-first-answer: how long kinspect, crash and drgn take to open the
same vmlinux + vmcore and print `p jiffies`, in one run, with the ratios.

  bench/startup.py [--sample x86_64-sysrq | --vmlinux V --vmcore D] [--runs 3]

cold: kinspect with an empty index cache (it indexes the DWARF and writes
      the cache); warm: the cache from the cold run is there. crash and drgn
      keep no cache between runs, so each is timed the same way twice.
The OS page cache is warm for everyone (the files are read once first), so
the numbers compare work done, not disk speed. Every tool's answer is
checked to be the same number.
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
DRGN_PYTHON = "/usr/bin/python3"  # Debian's python3-drgn; a pyenv python has none

DRGN_SCRIPT = r"""
import sys, drgn
prog = drgn.Program()
prog.set_core_dump(sys.argv[2])
prog.load_debug_info([sys.argv[1]])
# jiffies is a linker alias of jiffies_64 with only a DWARF declaration, so
# drgn's variable lookup cannot find it; read it through its symbol as crash does.
sym = prog.symbol("jiffies")
print(drgn.Object(prog, "volatile unsigned long", address=sym.address).value_())
"""


def sample_paths(name):
    base = os.environ.get("KINSPECT_DUMPS", os.path.expanduser("~/.cache/kinspect/dumps"))
    kv = {}
    with open(os.path.join(base, name, "paths.env")) as f:
        for line in f:
            if "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                kv[k] = v
    return kv


def run(cmd, stdin, env=None):
    t0 = time.monotonic()
    p = subprocess.run(cmd, input=stdin, capture_output=True, text=True, env=env)
    dt = time.monotonic() - t0
    return dt, p.stdout, p.stderr, p.returncode


def number_after(text, pattern):
    m = re.search(pattern, text)
    return int(m.group(1)) if m else None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sample", default="x86_64-sysrq")
    ap.add_argument("--vmlinux")
    ap.add_argument("--vmcore")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--kinspect", default=os.environ.get("KINSPECT",
                    os.path.join(REPO, os.environ.get("KINSPECT_BUILD_DIR", "build"), "commands", "kinspect")))
    ap.add_argument("--no-crash", action="store_true")
    ap.add_argument("--no-drgn", action="store_true")
    args = ap.parse_args()

    vmlinux, vmcore = args.vmlinux, args.vmcore
    if not (vmlinux and vmcore):
        paths = sample_paths(args.sample)
        vmlinux = vmlinux or paths["VMLINUX"]
        vmcore = vmcore or paths.get("VMCORE_MDF_ZLIB") or paths["VMCORE_QEMU_ELF"]
    for f in (vmlinux, vmcore, args.kinspect):
        if not os.path.exists(f):
            sys.exit(f"missing {f}")
    # Warm the OS page cache for everyone.
    for f in (vmlinux, vmcore):
        with open(f, "rb") as fh:
            while fh.read(1 << 24):
                pass

    results = {}  # (tool, mode) -> [seconds]
    answers = {}

    def record(tool, mode, dt, value):
        results.setdefault((tool, mode), []).append(dt)
        answers.setdefault(tool, set()).add(value)

    cache_root = tempfile.mkdtemp(prefix="kinspect-bench-")
    try:
        for i in range(args.runs):
            env = dict(os.environ, XDG_CACHE_HOME=cache_root)
            shutil.rmtree(os.path.join(cache_root, "kinspect"), ignore_errors=True)
            for mode in ("cold", "warm"):
                dt, out, err, rc = run([args.kinspect, "-s", vmlinux, vmcore], "p jiffies\n", env)
                v = number_after(out, r"jiffies = \$\d+ = (\d+)")
                if rc != 0 or v is None:
                    sys.exit(f"kinspect failed ({rc}):\n{out}\n{err}")
                record("kinspect", mode, dt, v)
            if not args.no_crash:
                for mode in ("cold", "warm"):
                    dt, out, err, rc = run(["crash", "-s", vmlinux, vmcore], "p jiffies\nq\n")
                    v = number_after(out, r"jiffies = \$\d+ = (\d+)")
                    if v is None:
                        sys.exit(f"crash failed ({rc}):\n{out}\n{err}")
                    record("crash", mode, dt, v)
            if not args.no_drgn:
                for mode in ("cold", "warm"):
                    dt, out, err, rc = run([DRGN_PYTHON, "-c", DRGN_SCRIPT, vmlinux, vmcore], "")
                    v = number_after(out, r"^(\d+)\s*$")
                    if rc != 0 or v is None:
                        sys.exit(f"drgn failed ({rc}):\n{out}\n{err}")
                    record("drgn", mode, dt, v)
    finally:
        shutil.rmtree(cache_root, ignore_errors=True)

    values = set().union(*answers.values())
    print(f"vmlinux: {vmlinux} ({os.path.getsize(vmlinux) >> 20} MB)")
    print(f"vmcore:  {vmcore} ({os.path.getsize(vmcore) >> 20} MB)")
    print(f"answer:  p jiffies = {', '.join(str(v) for v in sorted(values))}"
          + ("" if len(values) == 1 else "   <-- TOOLS DISAGREE"))
    print(f"runs:    {args.runs} (median seconds; cpus: {os.cpu_count()}, load: {os.getloadavg()[0]:.2f})")
    print()
    print(f"{'':10}{'cold':>10}{'warm':>10}")
    med = {k: statistics.median(v) for k, v in results.items()}
    for tool in ("kinspect", "crash", "drgn"):
        if (tool, "cold") in med:
            print(f"{tool:10}{med[(tool, 'cold')]:>10.3f}{med[(tool, 'warm')]:>10.3f}")
    print()
    for other, target in (("crash", 20.0), ("drgn", 1.0)):
        if (other, "cold") not in med:
            continue
        rc = med[(other, "cold")] / med[("kinspect", "cold")]
        rw = med[(other, "warm")] / med[("kinspect", "warm")]
        ok = "ok" if rw >= target else "BELOW TARGET"
        print(f"{other}/kinspect: cold {rc:6.1f}x   warm {rw:6.1f}x   (target >= {target:g}x warm: {ok})")
    return 0 if len(values) == 1 else 1


if __name__ == "__main__":
    sys.exit(main())
