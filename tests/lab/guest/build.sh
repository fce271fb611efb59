#!/usr/bin/env bash
# tests/lab/guest/build.sh OUTDIR - assembles busy.S into OUTDIR/busy.elf, a
# multiboot kernel loaded at 1 MiB (binutils: as, ld).  Prints the path.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: build.sh OUTDIR}
mkdir -p "$out"
# gcc -E for the #defines (as alone has no preprocessor); plain cpp if no gcc
if command -v gcc >/dev/null; then
    gcc -E -P -x assembler-with-cpp "$here/busy.S" -o "$out/busy.s"
else
    cpp -P "$here/busy.S" -o "$out/busy.s"
fi
as --32 -o "$out/busy.o" "$out/busy.s"
ld -m elf_i386 -Ttext 0x100000 -e _start -o "$out/busy.elf" "$out/busy.o"
echo "$out/busy.elf"
