#!/usr/bin/env bash
# tests/lab/guest/build.sh OUTDIR - assembles busy.S into OUTDIR/busy.elf
# (keeps its vCPU busy and dirties memory) and OUTDIR/idle.elf (halts its
# vCPU), multiboot kernels loaded at 1 MiB (binutils: as, ld).  Prints the
# path of busy.elf; idle.elf is next to it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: build.sh OUTDIR}
mkdir -p "$out"
for kind in busy idle; do
    defs=
    [ $kind = idle ] && defs=-DIDLE
    # gcc -E for the #defines (as alone has no preprocessor); plain cpp if no gcc
    if command -v gcc >/dev/null; then
        gcc -E -P $defs -x assembler-with-cpp "$here/busy.S" -o "$out/$kind.s"
    else
        cpp -P $defs "$here/busy.S" -o "$out/$kind.s"
    fi
    as --32 -o "$out/$kind.o" "$out/$kind.s"
    ld -m elf_i386 -Ttext 0x100000 -e _start -o "$out/$kind.elf" "$out/$kind.o"
done
echo "$out/busy.elf"
