#!/usr/bin/python3
"""oracles.py DUMP_DIR VMLINUX : check which formats crash and drgn open.

For every vmcore.* in DUMP_DIR run `crash -s VMLINUX FILE` (commands "sys", "bt",
"q" on stdin; $ORACLE_CRASH replaces "crash", $ORACLE_CRASH_FILES limits the files) and drgn (API: release, task count, crashed thread) and write
  DUMP_DIR/oracles.env            crash_<fmt>=ok|fail, drgn_<fmt>=ok|fail, details
  DUMP_DIR/oracles/<file>.crash   crash's output
  DUMP_DIR/oracles/<file>.drgn    drgn's output
where <fmt> is the file name after "vmcore." with non-alphanumerics as "_"."""
import concurrent.futures
import json
import os
import re
import subprocess
import sys

# A foreign arch's crash (run under qemu-user) and the files to try it on.
CRASH = os.environ.get("ORACLE_CRASH", "crash").split()
CRASH_FILES = [f for f in os.environ.get("ORACLE_CRASH_FILES", "").split(",") if f]
# The python with the drgn to use (trixie's drgn 0.0.31 for trixie's kernel).
PYTHON = os.environ.get("ORACLE_PYTHON", "/usr/bin/python3").split()

DRGN = r'''
import json, sys, drgn
from drgn.helpers.linux.pid import for_each_task
p = drgn.Program()
p.set_core_dump(sys.argv[1])
p.load_debug_info([sys.argv[2]])
r = {"release": p["init_uts_ns"].name.release.string_().decode()}
r["tasks"] = sum(1 for _ in for_each_task(p))
try:
    t = p.crashed_thread()
    r["crashed_tid"] = t.tid
    r["crashed_stack"] = [f.name for f in t.stack_trace()][:8]
except Exception as e:
    r["crashed_error"] = str(e)
print(json.dumps(r))
'''


def fmt_id(name):
    return re.sub(r"[^A-Za-z0-9]", "_", name[len("vmcore."):])


def run_crash(path, vmlinux):
    if CRASH_FILES and os.path.basename(path) not in CRASH_FILES:
        return {"ok": False, "skipped": "not tried"}, "not tried\n"
    try:
        p = subprocess.run(CRASH + ["-s", vmlinux, path], input="sys\nbt\nq\n",
                           capture_output=True, text=True, timeout=900)
        out = p.stdout + p.stderr
        # "opens" = crash got as far as printing the system banner
        ok = re.search(r"^\s+RELEASE: \S", out, re.M)
    except subprocess.TimeoutExpired:
        out, ok, p = "timeout after 900s\n", False, None
    res = {"ok": bool(ok)}
    if p is not None and p.returncode != 0:
        res["exit"] = p.returncode
    for key in ("RELEASE", "CPUS", "TASKS", "PANIC"):
        m = re.search(rf"^\s+{key}: (.*)$", out, re.M)
        if m:
            res[key.lower()] = m.group(1).strip()
    return res, out


def run_drgn(path, vmlinux):
    try:
        p = subprocess.run(PYTHON + ["-c", DRGN, path, vmlinux],
                           capture_output=True, text=True, timeout=600)
        out = p.stdout + p.stderr
        res = json.loads(p.stdout.strip().splitlines()[-1]) if p.returncode == 0 else {}
        res["ok"] = p.returncode == 0
        if not res["ok"]:
            res["error"] = (p.stderr.strip().splitlines() or ["?"])[-1]
    except subprocess.TimeoutExpired:
        out, res = "timeout after 600s\n", {"ok": False, "error": "timeout"}
    return res, out


def q(v):
    v = str(v)
    return v if re.match(r"^[A-Za-z0-9_.,:/+@%-]*$", v) else "'" + v.replace("'", "'\\''") + "'"


def main():
    d, vmlinux = sys.argv[1], sys.argv[2]
    files = sorted(f for f in os.listdir(d) if f.startswith("vmcore."))
    os.makedirs(os.path.join(d, "oracles"), exist_ok=True)
    jobs = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as ex:
        for f in files:
            path = os.path.join(d, f)
            jobs[(f, "crash")] = ex.submit(run_crash, path, vmlinux)
            jobs[(f, "drgn")] = ex.submit(run_drgn, path, vmlinux)
    lines = []
    for f in files:
        for tool in ("crash", "drgn"):
            res, out = jobs[(f, tool)].result()
            with open(os.path.join(d, "oracles", f"{f}.{tool}"), "w") as o:
                o.write(out)
            k = f"{tool}_{fmt_id(f)}"
            lines.append(f"{k}={'ok' if res['ok'] else 'skipped' if 'skipped' in res else 'fail'}")
            for rk, rv in res.items():
                if rk not in ("ok", "skipped"):
                    if isinstance(rv, list):
                        rv = ",".join(str(x) for x in rv)
                    lines.append(f"{k}_{rk}={q(rv)}")
            st = "ok  " if res["ok"] else "-   " if "skipped" in res else "FAIL"
            print(f"  {tool:5} {f:28} {st} "
                  f"{res.get('tasks', '')} {res.get('error', '')}", file=sys.stderr)
    with open(os.path.join(d, "oracles.env"), "w") as o:
        o.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
