#!/usr/bin/python3
"""elf-phdr-fix.py IN OUT : copy an ELF64 vmcore, moving its program headers to
offset 0x40 right after the ELF header and dropping its section headers.

QEMU 7.2's dump-guest-memory writes section headers at 0x40 and the program
headers after them (e_phoff 0xc0); makedumpfile 1.7.2 assumes the program headers
follow the ELF header and fails with "Can't get the number of PT_LOAD". Segment
data offsets are unchanged: the new table ends before the old one did."""
import shutil
import struct
import sys

EHDR = 64


def main():
    src, dst = sys.argv[1], sys.argv[2]
    with open(src, "rb") as f:
        ehdr = bytearray(f.read(EHDR))
        if ehdr[:4] != b"\x7fELF" or ehdr[4] != 2 or ehdr[5] != 1:
            sys.exit(f"{src}: not a little-endian ELF64 file")
        phoff, shoff = struct.unpack_from("<QQ", ehdr, 32)
        phentsize, phnum = struct.unpack_from("<HH", ehdr, 54)
        if phnum == 0xFFFF:
            sys.exit(f"{src}: e_phnum is PN_XNUM, not supported")
        f.seek(phoff)
        phdrs = f.read(phentsize * phnum)
    if phoff == EHDR:
        shutil.copyfile(src, dst)
        return
    if phoff < EHDR:
        sys.exit(f"{src}: odd e_phoff {phoff:#x}")
    struct.pack_into("<Q", ehdr, 32, EHDR)     # e_phoff
    struct.pack_into("<Q", ehdr, 40, 0)        # e_shoff
    struct.pack_into("<HH", ehdr, 60, 0, 0)    # e_shnum, e_shstrndx
    shutil.copyfile(src, dst)
    with open(dst, "r+b") as f:
        f.write(ehdr)
        f.write(phdrs)
        # zero what is left of the old table between the new one and the notes
        gap = phoff + len(phdrs) - (EHDR + len(phdrs))
        f.write(b"\0" * gap)


if __name__ == "__main__":
    main()
