meta:
  id: vmlinux_lineinfo_v1_flat
  title: Linux kernel CONFIG_KALLSYMS_LINEINFO vmlinux tables, v1 flat layout (lineinfo_* symbols)
  application: Linux kernel (CONFIG_KALLSYMS_LINEINFO), vmlinux
  license: MIT
  ks-version: 0.11
  -lineinfo-layout: vmlinux-v1-flat
  endian:
    switch-on: _root.is_le
    cases:
      true: le
      false: be
doc: |
  The source-line tables of vmlinux as emitted by revision v1 patch 1/3 (and the RFC) of the
  CONFIG_KALLSYMS_LINEINFO series. In vmlinux they are not a section of their own but a run of
  global symbols in `.rodata`; this parser reads the "table image": the bytes of that `.rodata`
  contribution starting at symbol `lineinfo_num_entries` (which is 4-byte aligned) up to the
  end of whatever range the caller extracted.

  Symbols in image order: `lineinfo_num_entries` (u4), `lineinfo_num_files` (u4),
  `lineinfo_addrs` (u4[N], offsets from `_text`), `lineinfo_file_ids` (u2[N]), zero padding to
  4-byte alignment, `lineinfo_lines` (u4[N]), `lineinfo_file_offsets` (u4[F]),
  `lineinfo_filenames` (NUL-terminated strings). There is no size for the name table in this
  revision: it is the rest of the image, so bytes the caller extracted past the last name
  belong to `filenames` too.

  Integers are in the target's byte order (parameter `is_le`). Each count is validated against
  the image size before it sizes anything (rule LI-LAY-001, computed without 32-bit
  wrap-around); semantic rules are left to the validator.
doc-ref:
  - 'https://lore.kernel.org/lkml/20260303182103.3523438-1-sashal@kernel.org/ (v1 series, patch 1/3 "kallsyms: embed source file:line info in kernel stack traces")'
  - spec/FORMAT.md
params:
  - id: is_le
    type: bool
    doc: True for a little-endian target (ELF EI_DATA = ELFDATA2LSB), false for big-endian.
seq:
  - id: num_entries
    type: u4
    -orig-id: lineinfo_num_entries
    doc: |
      Number of line entries N. Each takes 10 bytes (u4 addr, u2 file id, u4 line), so 10 * N
      must fit after the two counts.
    valid:
      max: (_io.size - 8) / 10
  - id: num_files
    type: u4
    -orig-id: lineinfo_num_files
    doc: Number of files F (entries of `file_offsets`).
    valid:
      max: (_io.size - 8 - 10 * num_entries - (num_entries % 2) * 2) / 4
  - id: addrs
    type: u4
    repeat: expr
    repeat-expr: num_entries
    -orig-id: lineinfo_addrs
    doc: Address of each entry as an offset from `_text` (sorted ascending by the generator).
  - id: file_ids
    type: u2
    repeat: expr
    repeat-expr: num_entries
    -orig-id: lineinfo_file_ids
    doc: Index into `file_offsets` of each entry's source file.
  - id: file_ids_pad
    size: (num_entries % 2) * 2
    doc: |
      Zero padding to the next 4-byte boundary before `lineinfo_lines` (2 bytes when N is odd;
      emitted by `.balign 4`, no symbol of its own).
  - id: lines
    type: u4
    repeat: expr
    repeat-expr: num_entries
    -orig-id: lineinfo_lines
    doc: Source line number of each entry.
  - id: file_offsets
    type: u4
    repeat: expr
    repeat-expr: num_files
    -orig-id: lineinfo_file_offsets
    doc: Byte offset of each file's NUL-terminated name inside `filenames`.
  - id: filenames
    size-eos: true
    type: filename_table
    -orig-id: lineinfo_filenames
    doc: |
      The rest of the image: concatenated NUL-terminated file names (plus anything the caller
      extracted beyond them). The bytes themselves are `_raw_filenames`.
types:
  filename_table:
    doc: |
      The name table: NUL-terminated file names, back to back. `names` splits it at every NUL;
      a final run of bytes without terminator is returned as is. Names are referenced by byte
      offset (`file_offsets`), not by position in `names`.
    instances:
      names:
        pos: 0
        type: strz
        encoding: UTF-8
        eos-error: false
        repeat: eos
        doc: The names in table order (lazy; each takes at least one byte, so the count is bounded).
