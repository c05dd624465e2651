#!/usr/bin/env python3
"""One command, one table: kinspect against crash and drgn on the same dumps.

  bench/bench.py [--samples x86_64-kdump,x86_64-sysrq] [--runs 3] [--crash-runs 1]
                 [--no-crash] [--no-drgn]

For each sample (sample-dumps/paths.sh layout, $KINSPECT_CACHE honoured):
  open cold   `p jiffies` from a fresh process; kinspect with an empty index
              cache (it indexes the DWARF and writes the cache)
  open warm   the same with kinspect's index cache from the cold run; crash
              and drgn keep no cache, so their warm run is another cold one
  foreach bt  every task's stack, every frame named: kinspect `foreach bt`,
              crash `foreach bt`, drgn stack_trace() of every task with each
              frame's symbol looked up
Each cell is the median wall time over the runs, the median CPU time
(user + system: what the tool costs on a shared machine) and the largest
peak RSS (ru_maxrss of the process). The OS page cache is warm for everyone
(the files are read once first). The answers of `p jiffies` are checked to
agree and the number of stacks walked is printed for each tool.
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
DRGN_PYTHON = "/usr/bin/python3"  # Debian's python3-drgn 0.0.22

DRGN_JIFFIES = r"""
import sys, drgn
prog = drgn.Program()
prog.set_core_dump(sys.argv[2])
prog.load_debug_info([sys.argv[1]])
# jiffies is a linker alias of jiffies_64 with only a DWARF declaration, so
# drgn's variable lookup cannot find it; read it through its symbol as crash does.
sym = prog.symbol("jiffies")
print(drgn.Object(prog, "volatile unsigned long", address=sym.address).value_())
"""

# drgn's equivalent of foreach bt: unwind every task and name every frame.
DRGN_FOREACH_BT = r"""
import sys, drgn
from drgn.helpers.linux.pid import for_each_task
prog = drgn.Program()
prog.set_core_dump(sys.argv[2])
prog.load_debug_info([sys.argv[1]])
stacks = frames = 0
for task in for_each_task(prog):
    try:
        trace = prog.stack_trace(task)
    except Exception:
        continue
    stacks += 1
    for f in trace:
        try:
            name = f.name or prog.symbol(f.pc).name
        except (LookupError, ValueError):
            name = None
        frames += 1
print("stacks", stacks, "frames", frames)
"""


def sample_paths(name):
    cache = os.environ.get("KINSPECT_CACHE", os.path.expanduser("~/.cache/kinspect"))
    kv = {}
    with open(os.path.join(cache, "dumps", name, "paths.env")) as f:
        for line in f:
            if "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                kv[k] = v
    return kv


WRAP = os.path.join(HERE, "peak_rss.py")


def measured(cmd, stdin, env=None):
    """Runs cmd through peak_rss.py, which prints the child's ru_maxrss."""
    t0 = time.monotonic()
    p = subprocess.run([sys.executable, WRAP] + cmd, input=stdin, capture_output=True, text=True, env=env)
    dt = time.monotonic() - t0
    m = re.search(r"^PEAK_RSS_KB (\d+) CPU_S ([0-9.]+) RC (-?\d+)$", p.stderr, re.M)
    if not m:
        sys.exit(f"cannot measure {cmd}: {p.stderr}")
    err = p.stderr[:m.start()] + p.stderr[m.end():]
    return dt, float(m.group(2)), int(m.group(1)) / 1024.0, p.stdout, err, int(m.group(3))


def number_after(text, pattern):
    m = re.search(pattern, text, re.M)
    return int(m.group(1)) if m else None


class Cell:
    def __init__(self):
        self.wall, self.cpu, self.rss = [], [], []

    def add(self, wall, cpu, rss):
        self.wall.append(wall)
        self.cpu.append(cpu)
        self.rss.append(rss)

    def text(self):
        if not self.wall:
            return "-"
        return f"{statistics.median(self.wall):.2f}s {statistics.median(self.cpu):.2f}c {max(self.rss):.0f}M"


def bench_sample(name, args, rows):
    paths = sample_paths(name)
    vmlinux = paths["VMLINUX"]
    vmcore = paths.get("VMCORE_MDF_ZLIB") or paths["VMCORE"]
    for f in (vmlinux, vmcore):
        if not os.path.exists(f):
            print(f"{name}: missing {f}, skipped", file=sys.stderr)
            return
    for f in (vmlinux, vmcore):
        with open(f, "rb") as fh:
            while fh.read(1 << 24):
                pass
    cells = {}  # (task, tool) -> Cell
    answers = {}
    notes = []

    def cell(task, tool):
        return cells.setdefault((task, tool), Cell())

    cache_root = tempfile.mkdtemp(prefix="kinspect-bench-")
    env = dict(os.environ, XDG_CACHE_HOME=cache_root)
    try:
        for i in range(args.runs):
            shutil.rmtree(os.path.join(cache_root, "kinspect"), ignore_errors=True)
            for task in ("open cold", "open warm"):
                dt, cpu, rss, out, err, rc = measured([args.kinspect, "-s", vmlinux, vmcore], "p jiffies\n", env)
                v = number_after(out, r"jiffies = \$\d+ = (\d+)")
                if rc != 0 or v is None:
                    sys.exit(f"kinspect failed ({rc}):\n{out}\n{err}")
                cell(task, "kinspect").add(dt, cpu, rss)
                answers.setdefault("kinspect", set()).add(v)
            dt, cpu, rss, out, err, rc = measured([args.kinspect, "-s", vmlinux, vmcore], "foreach bt\n", env)
            n = len(re.findall(r"^PID: ", out, re.M))
            if rc != 0 or n == 0:
                sys.exit(f"kinspect foreach bt failed ({rc}):\n{err}")
            cell("foreach bt", "kinspect").add(dt, cpu, rss)
            if i == 0:
                notes.append(f"kinspect foreach bt: {n} stacks, {len(re.findall(r'^ *#', out, re.M))} frames")
            if not args.no_drgn:
                for task in ("open cold", "open warm"):
                    dt, cpu, rss, out, err, rc = measured([DRGN_PYTHON, "-c", DRGN_JIFFIES, vmlinux, vmcore], "")
                    v = number_after(out, r"^(\d+)\s*$")
                    if rc != 0 or v is None:
                        sys.exit(f"drgn failed ({rc}):\n{out}\n{err}")
                    cell(task, "drgn").add(dt, cpu, rss)
                    answers.setdefault("drgn", set()).add(v)
                dt, cpu, rss, out, err, rc = measured([DRGN_PYTHON, "-c", DRGN_FOREACH_BT, vmlinux, vmcore], "")
                if rc != 0 or "stacks" not in out:
                    sys.exit(f"drgn foreach bt failed ({rc}):\n{err}")
                cell("foreach bt", "drgn").add(dt, cpu, rss)
                if i == 0:
                    notes.append("drgn stack_trace: " + out.strip())
            if not args.no_crash and i < args.crash_runs:
                for task in ("open cold", "open warm"):
                    dt, cpu, rss, out, err, rc = measured(["crash", "-s", vmlinux, vmcore], "p jiffies\nq\n")
                    v = number_after(out, r"jiffies = \$\d+ = (\d+)")
                    if v is None:
                        sys.exit(f"crash failed ({rc}):\n{out}\n{err}")
                    cell(task, "crash").add(dt, cpu, rss)
                    answers.setdefault("crash", set()).add(v)
                dt, cpu, rss, out, err, rc = measured(["crash", "-s", vmlinux, vmcore], "foreach bt\nq\n")
                cell("foreach bt", "crash").add(dt, cpu, rss)
                if i == 0:
                    notes.append(f"crash foreach bt: {len(re.findall(r'^PID: ', out, re.M))} stacks")
    finally:
        shutil.rmtree(cache_root, ignore_errors=True)
    values = set().union(*answers.values())
    if len(values) != 1:
        notes.append(f"p jiffies: TOOLS DISAGREE {answers}")
    for task in ("open cold", "open warm", "foreach bt"):
        rows.append((name, task, cells))
    return notes


def ratio(cells, task, other, what):
    a, b = cells.get((task, "kinspect")), cells.get((task, other))
    if not a or not b or not b.wall:
        return "-"
    get = {"wall": lambda c: statistics.median(c.wall), "cpu": lambda c: statistics.median(c.cpu),
           "rss": lambda c: max(c.rss)}[what]
    return f"{get(a) / get(b):.2f}"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--samples", default="x86_64-kdump,x86_64-sysrq")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--crash-runs", type=int, default=1, help="crash takes ~10x longer; fewer runs")
    ap.add_argument("--kinspect", default=os.environ.get("KINSPECT", os.path.join(
        REPO, os.environ.get("KINSPECT_BUILD_DIR", "build"), "commands", "kinspect")))
    ap.add_argument("--no-crash", action="store_true")
    ap.add_argument("--no-drgn", action="store_true")
    args = ap.parse_args()
    if not os.path.exists(args.kinspect):
        sys.exit(f"missing {args.kinspect}")
    rows, notes = [], []
    for name in args.samples.split(","):
        notes += bench_sample(name, args, rows) or []
    print(f"runs: {args.runs} (crash: {args.crash_runs}); cpus: {os.cpu_count()}; "
          f"load at end: {os.getloadavg()[0]:.2f}")
    print("cells: median wall s, median CPU (user+sys) s, peak RSS MB; ratios kinspect/other (< 1: kinspect better)")
    print()
    hdr = (f"{'sample':<15} {'task':<11} {'kinspect':>20} {'drgn 0.0.22':>20} {'crash':>20}"
           f" {'wall/drgn':>9} {'cpu/drgn':>8} {'rss/drgn':>8} {'wall/crash':>10}")
    print(hdr)
    print("-" * len(hdr))
    for name, task, cells in rows:
        c = lambda tool: cells.get((task, tool), Cell()).text()
        print(f"{name:<15} {task:<11} {c('kinspect'):>20} {c('drgn'):>20} {c('crash'):>20}"
              f" {ratio(cells, task, 'drgn', 'wall'):>9} {ratio(cells, task, 'drgn', 'cpu'):>8}"
              f" {ratio(cells, task, 'drgn', 'rss'):>8} {ratio(cells, task, 'crash', 'wall'):>10}")
    print()
    for n in notes:
        print(n)
    return 0


if __name__ == "__main__":
    sys.exit(main())
