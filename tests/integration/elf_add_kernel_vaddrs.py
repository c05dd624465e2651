#!/usr/bin/python3
"""elf_add_kernel_vaddrs.py IN OUT : copy an arm64 physical-only ELF vmcore
(QEMU dump-guest-memory) adding PT_LOADs for the page of swapper_pg_dir at
its kernel-image address (paddr + kimage_voffset) and for the linear map
(PAGE_OFFSET + paddr - PHYS_OFFSET), with values from the dump's own
VMCOREINFO. Only that one image page is added: drgn trusts PT_LOAD vaddrs,
and mapping all of RAM at kimage_voffset would also "map" the vmalloc
addresses above the image, wrongly.

drgn 0.0.22 cannot read arm64 dumps that hold only physical addresses
("recursive address translation", drgn issue #592): it reads swapper_pg_dir
through its virtual address. With the image mapped in the program headers it
walks the page tables itself, so it can serve as the arm64 oracle."""
import re
import struct
import sys

EHDR, PHDR = 64, 56
PT_LOAD, PT_NOTE = 1, 4


def main():
    src, dst = sys.argv[1], sys.argv[2]
    with open(src, "rb") as f:
        data_ehdr = f.read(EHDR)
        phoff = struct.unpack_from("<Q", data_ehdr, 32)[0]
        phnum = struct.unpack_from("<H", data_ehdr, 56)[0]
        f.seek(phoff)
        phdrs = [struct.unpack("<IIQQQQQQ", f.read(PHDR)) for _ in range(phnum)]
        notes = b""
        for p in phdrs:
            if p[0] == PT_NOTE:
                f.seek(p[2])
                notes += f.read(p[5])
    text = notes.decode("latin-1")
    def number(key):
        m = re.search(r"NUMBER\(" + key + r"\)=(0x[0-9a-f]+|-?\d+)", text)
        if not m:
            sys.exit(f"{src}: VMCOREINFO has no NUMBER({key})")
        return int(m.group(1), 0)
    kimage_voffset = number("kimage_voffset") & (2**64 - 1)
    m = re.search(r"SYMBOL\(swapper_pg_dir\)=([0-9a-f]+)", text)
    if not m:
        sys.exit(f"{src}: VMCOREINFO has no SYMBOL(swapper_pg_dir)")
    pgdir_pa = (int(m.group(1), 16) - kimage_voffset) & (2**64 - 1)
    page = int(re.search(r"PAGESIZE=(\d+)", text).group(1))
    phys_offset = number("PHYS_OFFSET")
    va_bits = number("VA_BITS")
    # The VA size the CPU runs (Linux 5.9+ exports TCR_EL1.T1SZ): a 52-bit
    # kernel on a CPU without LPA2/LVA puts its linear map at -(1 << 48).
    m = re.search(r"NUMBER\(TCR_EL1_T1SZ\)=(0x[0-9a-f]+|\d+)", text)
    if m:
        va_bits = 64 - int(m.group(1), 0)
    page_offset = (2**64 - (1 << va_bits))  # linear map at the bottom since 5.4
    loads = [p for p in phdrs if p[0] == PT_LOAD]
    new = [p for p in phdrs if p[0] == PT_NOTE]
    body = EHDR + PHDR * (len(new) + len(loads) + 1)
    body = (body + 4095) & ~4095
    out = []
    for p in new:  # notes keep their bytes, moved after the new table
        out.append(p)
    for (t, fl, off, va, pa, fsz, msz, al) in loads:
        # PHYS_OFFSET is negative on kernels that randomize the linear map
        # (5.10's KASLR): the linear address wraps, as in the kernel.
        out.append((t, fl, off + body, (page_offset + (pa - phys_offset)) & (2**64 - 1), pa, fsz, msz, al))
        if pa <= pgdir_pa < pa + fsz:
            out.append((t, fl, off + body + (pgdir_pa - pa), pgdir_pa + kimage_voffset, pgdir_pa,
                        page, page, al))
    ehdr = bytearray(data_ehdr)
    struct.pack_into("<Q", ehdr, 32, EHDR)
    struct.pack_into("<Q", ehdr, 40, 0)
    struct.pack_into("<H", ehdr, 56, len(out))
    struct.pack_into("<HH", ehdr, 60, 0, 0)
    with open(dst, "wb") as o, open(src, "rb") as f:
        o.write(ehdr)
        for p in out:
            if p[0] == PT_NOTE:
                p = (p[0], p[1], p[2] + body, p[3], p[4], p[5], p[6], p[7])
            o.write(struct.pack("<IIQQQQQQ", *p))
        o.seek(body)
        while True:
            chunk = f.read(1 << 24)
            if not chunk:
                break
            o.write(chunk)


if __name__ == "__main__":
    main()
