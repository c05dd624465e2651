#!/usr/bin/python3
"""triage_json_facts.py < triage.json: the facts of a `triage -j` document
as lines the triage test compares with the sample's facts and with drgn.

  panic CPU PID
  cpu CPU PID irqs=on|off|? csd=ADDR flags=0xN func=0xADDR target=CPU
  wait PID TYPE LOCKADDR owner=PID
  chain NODE NODE ...            (node ids mapped to pid:N, cpu:N, lock:ADDR)
  root NODE WAITERS deadlock=0|1
  cycle NODE NODE ...
  rpc PID TASK PROC_SYMBOL P_NAME PROG VERS XPRT STATE ADDRESS
  rcu GP_SEQ in_progress=0|1 cpus=CPU,...|- tasks=PID,...|- age_s=N stalled=0|1
"""
import json
import sys

doc = json.load(sys.stdin)
assert doc["schema"] == "kinspect-triage" and doc["version"] == 1
pid_of = {t["task"]: t["pid"] for t in doc["tasks"]}
for c in doc["cpus"]:
    if c["task"]:
        pid_of.setdefault(c["task"], c["pid"])

p = doc["panic"]
print(f"panic {p['cpu']} {p['pid']}")
for c in doc["cpus"]:
    irqs = "?" if c["irqs_enabled"] is None else ("on" if c["irqs_enabled"] else "off")
    line = f"cpu {c['cpu']} {c['pid']} irqs={irqs}"
    w = c["csd_wait"]
    if w:
        line += f" csd={w['csd']} flags={w['flags']:#x} func={w['func']} target={w['target_cpu']}"
    print(line)
for t in doc["tasks"]:
    l = t["lock"]
    if l and l["address"]:
        owner = pid_of.get(l["owner_task"], 0) if l["owner_task"] else 0
        print(f"wait {t['pid']} {l['type']} {l['address']} owner={owner}")
    r = t["rpc"]
    if r and r["rpc_task"]:
        print(f"rpc {t['pid']} {r['rpc_task']} {r['rpc_proc_symbol']} {r['p_name']} {r['program_number']} "
              f"{r['version']} {r['transport']} {r['transport_state']:#x} {r['address'].replace(' port ', ':')}")
g = doc["rcu"]
if "gp_seq" in g:
    cpus = ",".join(str(c["cpu"]) for c in g["blocking_cpus"]) or "-"
    tasks = ",".join(str(t["pid"]) for t in g["blocking_tasks"]) or "-"
    age = g["age_ns"] // 10**9 if g["age_ns"] is not None else "?"
    print(f"rcu {g['gp_seq']} in_progress={int(g['in_progress'])} cpus={cpus} tasks={tasks} age_s={age} "
          f"stalled={int(g['stalled'])}")


def node(n):
    kind, _, v = n.partition(":")
    return f"pid:{pid_of.get(v, v)}" if kind == "task" else n


for c in doc["graph"]["chains"]:
    print("chain " + " ".join(node(n) for n in c["nodes"]) + (" cycle" if c["cycle"] else ""))
for r in doc["graph"]["root_causes"]:
    print(f"root {node(r['node'])} {r['waiters']} deadlock={int(r['deadlock'])}")
for c in doc["graph"]["cycles"]:
    print("cycle " + " ".join(node(n) for n in c))
