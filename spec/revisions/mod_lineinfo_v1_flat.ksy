meta:
  id: mod_lineinfo_v1_flat
  title: Linux kernel CONFIG_KALLSYMS_LINEINFO module table, v1 flat layout (.mod_lineinfo)
  application: Linux kernel (CONFIG_KALLSYMS_LINEINFO_MODULES), loadable module .ko files
  license: MIT
  ks-version: 0.11
  -lineinfo-layout: v1-flat
  endian:
    switch-on: _root.is_le
    cases:
      true: le
      false: be
doc: |
  Contents of the `.mod_lineinfo` ELF section of a loadable kernel module, as emitted by the
  first revision (v1, patch 2/3) of the CONFIG_KALLSYMS_LINEINFO series: a 16-byte header,
  then three parallel arrays describing N line entries (address offset from the module's
  `.text`, file id, line number), the file-offset table and the concatenated file names.

  The section carries no magic and no byte-order mark: every integer is stored in the byte
  order of the target the module was built for. The byte order is therefore a parameter of
  this parser (`is_le`), and `meta/endian` switches on it.

  Every count is checked (`valid`) against the size of the section before any array or sized
  field uses it, so the generated parser rejects a hostile header with a validation error
  instead of attempting a huge allocation. The checks are exactly the layout rule LI-LAY-001
  of spec/FORMAT.md (all arrays and the name table lie inside the section, computed without
  32-bit wrap-around). Semantic rules (sorted addresses, file ids below `num_files`,
  `reserved` being 0, NUL termination, ...) are left to the validator; this description only
  fixes where each byte belongs.
doc-ref:
  - 'https://lore.kernel.org/lkml/20260303182103.3523438-1-sashal@kernel.org/ (v1 series, patch 2/3 "kallsyms: extend lineinfo to loadable modules")'
  - spec/FORMAT.md
params:
  - id: is_le
    type: bool
    doc: |
      True when the section comes from a little-endian target (ELF EI_DATA = ELFDATA2LSB),
      false for big-endian targets.
seq:
  - id: header
    type: header
    -orig-id: mod_lineinfo_header
  - id: addrs
    type: u4
    repeat: expr
    repeat-expr: header.num_entries
    -orig-id: addrs
    doc: |
      Address of each entry as an offset from the start of the module's `.text` (sorted
      ascending by the generator).
  - id: file_ids
    type: u2
    repeat: expr
    repeat-expr: header.num_entries
    -orig-id: file_ids
    doc: Index into `file_offsets` of each entry's source file.
  - id: file_ids_pad
    size: (header.num_entries % 2) * 2
    doc: |
      Two zero bytes when `num_entries` is odd, so that `lines` starts on a 4-byte boundary
      (no kernel identifier; the kernel computes the offset of `lines` rounded up to 4).
  - id: lines
    type: u4
    repeat: expr
    repeat-expr: header.num_entries
    -orig-id: lines
    doc: Source line number of each entry.
  - id: file_offsets
    type: u4
    repeat: expr
    repeat-expr: header.num_files
    -orig-id: file_offsets
    doc: Byte offset of each file's NUL-terminated name inside `filenames`.
  - id: filenames
    size: header.filenames_size
    type: filename_table
    -orig-id: filenames
    doc: |
      Exactly `filenames_size` bytes of concatenated NUL-terminated file names. The bytes
      themselves are `_raw_filenames`.
  - id: trailing
    size-eos: true
    doc: |
      Bytes after the name table (rule LI-LAY-002: there should be none). Not part of the
      format; kept so that every byte of the section belongs to some field.
types:
  header:
    doc: |
      `struct mod_lineinfo_header`, 16 bytes. Each count is validated against the section
      size, in field order, so that the arrays it sizes are known to fit before they are read.
    -orig-id: mod_lineinfo_header
    seq:
      - id: num_entries
        type: u4
        -orig-id: num_entries
        doc: |
          Number of line entries N. Each takes 10 bytes (u4 addr, u2 file id, u4 line), so
          10 * N must fit after the header.
        valid:
          max: (_io.size - 16) / 10
      - id: num_files
        type: u4
        -orig-id: num_files
        doc: Number of files F (entries of `file_offsets`).
        valid:
          max: (_io.size - 16 - 10 * num_entries - (num_entries % 2) * 2) / 4
      - id: filenames_size
        type: u4
        -orig-id: filenames_size
        doc: Total bytes of concatenated file names S.
        valid:
          max: _io.size - 16 - 10 * num_entries - (num_entries % 2) * 2 - 4 * num_files
      - id: reserved
        type: u4
        -orig-id: reserved
        doc: Padding, must be 0 (rule LI-HDR-002; not enforced by this parser).
  filename_table:
    doc: |
      The name table: NUL-terminated file names, back to back. `names` splits it at every NUL;
      a final name without terminator (rule LI-FIL-002 violated) is returned as is. Names are
      referenced by byte offset (`file_offsets`), not by position in `names`.
    instances:
      names:
        pos: 0
        type: strz
        encoding: UTF-8
        eos-error: false
        repeat: eos
        doc: The names in table order (lazy; each takes at least one byte, so the count is bounded).
