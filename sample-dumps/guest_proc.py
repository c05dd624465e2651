#!/usr/bin/python3
"""guest_proc.py CONSOLE OUTDIR : write each "KINSPECT_PROC_BEGIN NAME" ...
"KINSPECT_PROC_END NAME" block the guest printed (guest/ground-truth.sh) to
OUTDIR/NAME without the leading slash, e.g. OUTDIR/proc/meminfo or
OUTDIR/proc/123/maps. Console lines end in \\r\\n; the files get \\n. Kernel
messages that interleave with a block are dropped when they look like printk
lines ("[    1.234567] ...")."""
import os
import re
import sys

PRINTK = re.compile(r"^\[\s*\d+\.\d+\] ")


def main():
    console, outdir = sys.argv[1], sys.argv[2]
    text = open(console, encoding="utf-8", errors="replace").read().replace("\r", "")
    name, lines, count = None, [], 0
    for line in text.split("\n"):
        if name is None:
            if line.startswith("KINSPECT_PROC_BEGIN "):
                name, lines = line[len("KINSPECT_PROC_BEGIN "):].strip(), []
            continue
        if line == "KINSPECT_PROC_END " + name:
            path = os.path.join(outdir, name.lstrip("/"))
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write("".join(l + "\n" for l in lines))
            name, count = None, count + 1
            continue
        if not PRINTK.match(line):
            lines.append(line)
    print(f"guest_proc: {count} blocks in {outdir}", file=sys.stderr)


if __name__ == "__main__":
    main()
