#!/usr/bin/python3
"""drgn_frame_vars.py VMLINUX VMCORE < "MODULE_FILE PC LOW HIGH": drgn 0.0.22
loads vmlinux and one module's debug file (relocated by drgn itself from the
dump's module list), finds the struct pt_regs in [LOW, HIGH) whose saved pc
is PC (the context an interrupt stopped; the highest such one), unwinds from it and prints each
frame (inlined calls are frames to drgn) and its variables, for comparing
module frames' variables with kinspect's:

  FRAME NAME inline|outer PC
  VAR NAME NUMBER        an integer or pointer value
  VAR NAME absent        optimized out here
  VAR NAME other         an aggregate
  VAR NAME error         drgn cannot evaluate it (0.0.22 has no
                         DW_OP_entry_value)"""
import sys

import drgn

lines = sys.stdin.read().split()
prog = drgn.Program()
prog.set_core_dump(sys.argv[2])
prog.load_debug_info([sys.argv[1], lines[0]])
pc, low, high = (int(w, 16) for w in lines[1:4])
pc_member = "ip" if prog.platform.arch == drgn.Architecture.X86_64 else "pc"
pc_offset = drgn.offsetof(prog.type("struct pt_regs"), pc_member)
words = prog.read(low, high - low)
regs = None
# Nearest the frame first: older copies of the pc may lie further down.
for off in range((high - low - 8) & ~7, -1, -8):
    if int.from_bytes(words[off:off + 8], "little") == pc and low + off - pc_offset >= low:
        regs = drgn.Object(prog, "struct pt_regs *", low + off - pc_offset)
        break
if regs is None:
    sys.exit("no pt_regs with pc %x in [%x, %x)" % (pc, low, high))
for frame in prog.stack_trace(regs):
    print("FRAME %s %s %x" % (frame.name, "inline" if frame.is_inline else "outer", frame.pc))
    try:
        names = frame.locals()
    except Exception:
        continue
    for name in names:
        try:
            v = frame[name]
        except Exception:
            print("VAR %s error" % name)
            continue
        t = v.type_
        while t.kind == drgn.TypeKind.TYPEDEF:
            t = t.type
        if v.absent_:
            print("VAR %s absent" % name)
        elif t.kind in (drgn.TypeKind.INT, drgn.TypeKind.BOOL, drgn.TypeKind.POINTER, drgn.TypeKind.ENUM):
            print("VAR %s %d" % (name, v.value_() & 0xFFFFFFFFFFFFFFFF))
        else:
            print("VAR %s other" % name)
