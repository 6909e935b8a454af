#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Rebuild the bundled example module from examples/hello/*.c:
#
#   examples/hello.o   the relocatable object (gcc -g -O2 -c, then ld -r), with DWARF; this is
#                      what an encoder reads to produce the .mod_lineinfo section bytes
#   examples/hello.ko  hello.o plus a .mod_lineinfo section holding SECTION_FILE's bytes
#
# Usage: examples/build-example.sh [SECTION_FILE [OUTPUT_KO]]
#   SECTION_FILE defaults to examples/hello.mod_lineinfo.bin. When it is not given and the default
#   does not exist, only hello.o is built. OUTPUT_KO defaults to examples/hello.ko.
#   HELLO_O=path overrides where the object is written (default examples/hello.o).
#   CC, LD and OBJCOPY may name a cross toolchain (e.g. CC=powerpc-linux-gnu-gcc).
#
# Paths are made reproducible: the source directory (DW_AT_comp_dir and file names in the DWARF)
# is mapped to /src/lineinfo-example, and the build happens in a temporary directory. The output
# is byte-identical between runs with the same toolchain; different compiler versions generate
# different code and line tables, so hello.o and the section bytes must be regenerated together.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
src="$here/hello"
CC="${CC:-gcc}"
LD="${LD:-ld}"
OBJCOPY="${OBJCOPY:-objcopy}"
prefix=/src/lineinfo-example

section_file="${1:-}"
explicit_section=1
if [[ -z "$section_file" ]]; then
  section_file="$here/hello.mod_lineinfo.bin"
  explicit_section=0
fi
out_ko="${2:-$here/hello.ko}"
out_o="${HELLO_O:-$here/hello.o}"

if [[ $explicit_section -eq 1 && ! -f "$section_file" ]]; then
  echo "build-example.sh: section file not found: $section_file" >&2
  exit 1
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

cflags=(
  -g -gdwarf-5 -O2
  -std=gnu11 -Wall -Wextra -Werror
  -ffreestanding -fno-pic -fno-common -fno-stack-protector
  -fno-asynchronous-unwind-tables -fno-unwind-tables
  "-ffile-prefix-map=$src=$prefix"
  "-fdebug-prefix-map=$src=$prefix"
  -frandom-seed=lineinfo-example
)

# Compile from inside the source directory with relative names, so the only absolute path the
# compiler records is the (mapped) working directory.
for unit in hello util; do
  (cd "$src" && "$CC" "${cflags[@]}" -c "$unit.c" -o "$tmp/$unit.o")
done
"$LD" -r -o "$tmp/combined.o" "$tmp/hello.o" "$tmp/util.o"
cp "$tmp/combined.o" "$out_o"
echo "built $out_o"

if [[ ! -f "$section_file" ]]; then
  echo "no section file ($section_file); skipped the .ko"
  exit 0
fi

# Two passes: binutils (checked with 2.40) ignores --set-section-alignment for a section created
# by --add-section in the same invocation, leaving it 1-byte aligned at an odd file offset.
"$OBJCOPY" \
  --add-section ".mod_lineinfo=$section_file" \
  --set-section-flags .mod_lineinfo=alloc,readonly \
  "$out_o" "$tmp/added.o"
"$OBJCOPY" --set-section-alignment .mod_lineinfo=4 "$tmp/added.o" "$tmp/hello.ko"

# Check the result: .mod_lineinfo is PROGBITS, aligned to 4 (field and file offset), full size.
READELF="${READELF:-readelf}"
line="$("$READELF" -S -W "$tmp/hello.ko" | sed -n 's/^ *\[ *[0-9]*\] \.mod_lineinfo  *//p')"
read -r type _addr off size _es rest <<<"$line"
al="${rest##* }"
if [[ "$type" != PROGBITS || "$al" != 4 || $((16#$off % 4)) -ne 0 || $((16#$size)) -ne $(wc -c <"$section_file") ]]; then
  echo "build-example.sh: unexpected .mod_lineinfo header: $line" >&2
  exit 1
fi
cp "$tmp/hello.ko" "$out_ko"
echo "built $out_ko (.mod_lineinfo: $(wc -c <"$section_file") bytes from $section_file)"
