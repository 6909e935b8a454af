meta:
  id: mod_lineinfo_v2
  title: Linux kernel CONFIG_KALLSYMS_LINEINFO module table, v2 layout (.mod_lineinfo, aligned file table)
  application: Linux kernel (CONFIG_KALLSYMS_LINEINFO_MODULES), loadable module .ko files
  license: MIT
  ks-version: 0.11
  -lineinfo-layout: v2
  endian:
    switch-on: _root.is_le
    cases:
      true: le
      false: be
doc: |
  Contents of the `.mod_lineinfo` ELF section of a loadable kernel module, as emitted by
  revision v2 of the CONFIG_KALLSYMS_LINEINFO series (2026-03-07): the 24-byte header of v1, a
  two-array block index, the compressed entry stream, zero padding to a multiple of 4
  (`.balign 4`), the file-offset table and the concatenated file names.

  Entries are grouped in blocks of 64 (the last block holds the rest). `block_addrs[i]` is the
  address offset of block i's first entry and `block_offsets[i]` where block i starts inside
  `data`. Inside a block, entry 0 is ULEB128(file_id), ULEB128(line); entries 1..n-1 are
  ULEB128(addr_delta), ULEB128(zigzag(file_delta)), ULEB128(zigzag(line_delta)), where
  zigzag(v) = (v << 1) ^ (v >> 31) on 32 bits and decodes as (v >> 1) ^ -(v & 1). Deltas
  restart in every block. Unlike v1, `file_offsets` starts at the next multiple of 4 after the
  stream (the generator emits `.balign 4`; the kernel rounds `data_off + data_size` up to 4).

  The byte order of every integer is the target's (there is no marker in the section), so it
  is the parameter `is_le`. LEB128 bytes are byte-order neutral.

  Hostile input: every count is validated against the section size, in field order, before
  any array or sized field uses it (rule LI-LAY-001, computed without 32-bit wrap-around), and
  `num_blocks` must equal ceil(num_entries / 64) (LI-HDR-004). The stream itself is parsed
  lazily by the `stream` instance; its parse enforces the stream layout rules it depends on:
  `block_offsets[0]` is 0 (LI-BLK-001), `block_offsets` increases strictly and stays below
  `data_size` (LI-BLK-002), every varint ends inside its block's byte range (LI-STR-001, an
  EOF error of the block substream) and no varint is longer than 5 bytes or above 2^32 - 1
  (LI-STR-002). Bytes a block does not use are exposed as its `slack` (LI-STR-004 is only a
  SHOULD). Semantic rules are left to the validator.
doc-ref:
  - 'https://lore.kernel.org/lkml/20260307172022.460402-1-sashal@kernel.org/ (v2 series, patch 3/4 "kallsyms: delta-compress lineinfo tables for ~2.7x size reduction")'
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
  - id: block_addrs
    type: u4
    repeat: expr
    repeat-expr: header.num_blocks
    -orig-id: blk_addrs
    doc: Address offset (from the module's `.text`) of the first entry of each block.
  - id: block_offsets
    type: u4
    repeat: expr
    repeat-expr: header.num_blocks
    -orig-id: blk_offsets
    doc: |
      Byte offset of each block inside `data`. Validated: the first is 0, they increase
      strictly and all are below `data_size`, so the blocks are disjoint, non-empty ranges that
      tile `data` (the last one reaching its end).
    valid:
      expr: '_ < header.data_size and (_index == 0 ? _ == 0 : _ > block_offsets[_index - 1])'
  - id: data
    size: header.data_size
    -orig-id: data
    doc: The compressed entry stream, raw. Parsed form is the `stream` instance.
  - id: file_offsets_pad
    size: (4 - _io.pos % 4) % 4
    doc: Zero padding to the next multiple of 4 (`.balign 4`; rule LI-LAY-003 says zero).
  - id: file_offsets
    type: u4
    repeat: expr
    repeat-expr: header.num_files
    -orig-id: file_offsets
    doc: Byte offset of each file's NUL-terminated name inside `filenames` (4-aligned).
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
instances:
  ofs_data:
    value: 24 + 8 * header.num_blocks
    doc: Offset of `data` from the start of the section.
  stream:
    pos: ofs_data
    size: header.data_size
    type: compressed_stream
    doc: |
      `data` parsed as blocks of entries (lazy: touching it decodes the whole stream and may
      throw for a malformed stream even though the section itself parsed).
types:
  header:
    doc: |
      `struct mod_lineinfo_header`, 24 bytes. Each count is validated against the section
      size, in field order, so that everything it sizes is known to fit before it is read.
    -orig-id: mod_lineinfo_header
    seq:
      - id: num_entries
        type: u4
        -orig-id: num_entries
        doc: |
          Number of line entries N. Every entry takes at least 2 stream bytes (entry 0 of a
          block: two varints; later entries: three), so 2 * N must fit after the header.
        valid:
          max: (_io.size - 24) / 2
      - id: num_files
        type: u4
        -orig-id: num_files
        doc: Number of files F (entries of `file_offsets`).
        valid:
          max: (_io.size - 24) / 4
      - id: filenames_size
        type: u4
        -orig-id: filenames_size
        doc: Total bytes of concatenated file names S.
        valid:
          max: _io.size - 24 - 4 * num_files
      - id: num_blocks
        type: u4
        -orig-id: num_blocks
        doc: |
          Number of blocks B; must be ceil(N / 64) (LI-HDR-004), and the two u4 arrays of the
          block index (8 * B bytes) must fit.
        valid:
          expr: _ == (num_entries + 63) / 64 and 8 * _ <= _io.size - 24 - 4 * num_files - filenames_size
      - id: data_size
        type: u4
        -orig-id: data_size
        doc: Total bytes of the compressed data stream D.
        valid:
          max: _io.size - 24 - 8 * num_blocks - 4 * num_files - filenames_size
      - id: reserved
        type: u4
        -orig-id: reserved
        doc: Padding, must be 0 (rule LI-HDR-002; not enforced by this parser).
  compressed_stream:
    doc: |
      The stream, split into its blocks: block i is the byte range
      [block_offsets[i], block_offsets[i + 1]) (the last block runs to `data_size`), parsed as
      a substream so that no varint can run into the next block.
    seq:
      - id: blocks
        type: block(_index)
        size: '(_index + 1 < _root.header.num_blocks ? _root.block_offsets[_index + 1] : _root.header.data_size) - _root.block_offsets[_index]'
        repeat: expr
        repeat-expr: _root.header.num_blocks
        doc: One parsed block per entry of the block index.
  block:
    doc: |
      One block of at most 64 entries. Its first entry's address is `block_addrs[block_index]`
      and is not stored; the rest are deltas from the entry before.
    params:
      - id: block_index
        type: u4
        doc: Index of this block (0 .. num_blocks - 1).
    seq:
      - id: first
        type: first_entry
        doc: Entry 0 of the block.
      - id: deltas
        type: delta_entry(_index)
        repeat: expr
        repeat-expr: num_entries - 1
        doc: Entries 1 .. n-1 of the block.
      - id: slack
        size-eos: true
        doc: Bytes of the block's range after its last entry (LI-STR-004 says there are none).
    instances:
      num_entries:
        value: '_root.header.num_entries - 64 * block_index < 64 ? _root.header.num_entries - 64 * block_index : 64'
        doc: |
          Entries in this block: 64, or what remains for the last block (always 1..64 because
          num_blocks = ceil(num_entries / 64) is validated).
      addr:
        value: _root.block_addrs[block_index]
        doc: Address offset of entry 0 (from `block_addrs`).
  first_entry:
    doc: Entry 0 of a block; its address is the block's `block_addrs` value.
    seq:
      - id: file_id
        type: uleb128
        -orig-id: cur_file_id
        doc: File id of the entry.
      - id: line
        type: uleb128
        -orig-id: cur_line
        doc: Line number of the entry.
  delta_entry:
    doc: |
      Entry idx + 1 of a block, stored as differences from the entry before. The absolute
      values are computed as the kernel does, in unsigned 32-bit arithmetic (wrapping).
    params:
      - id: idx
        type: u1
        doc: Position in the block's `deltas` (0 .. 62); entry number in the block is idx + 1.
    seq:
      - id: addr_delta
        type: uleb128
        -orig-id: addr_delta
        doc: Address difference from the previous entry (at least 1 in a valid table).
      - id: file_delta_zz
        type: uleb128
        -orig-id: file_delta
        doc: Zigzag-encoded signed file id difference.
      - id: line_delta_zz
        type: uleb128
        -orig-id: line_delta
        doc: Zigzag-encoded signed line difference.
    # The running values refer to the same instance of the previous entry; KSC 0.11 cannot
    # infer the type of such a self-referential value instance (TypeUndecidedError), hence the
    # `.as<u4>` casts on the recursive references.
    instances:
      file_delta:
        value: 'file_delta_zz.value % 2 == 0 ? file_delta_zz.value / 2 : -((file_delta_zz.value + 1) / 2)'
        doc: Signed file id difference, zigzag-decoded ((v >> 1) ^ -(v & 1) as int32).
      line_delta:
        value: 'line_delta_zz.value % 2 == 0 ? line_delta_zz.value / 2 : -((line_delta_zz.value + 1) / 2)'
        doc: Signed line difference, zigzag-decoded ((v >> 1) ^ -(v & 1) as int32).
      addr:
        value: '((idx == 0 ? _parent.addr : _parent.deltas[idx - 1].addr.as<u4>) + addr_delta.value) % 4294967296'
        doc: Absolute address offset of this entry (u32, wrapping like the kernel's `cur_addr`).
      file_id:
        value: '((idx == 0 ? _parent.first.file_id.value : _parent.deltas[idx - 1].file_id.as<u4>) + file_delta) % 4294967296'
        doc: Absolute file id of this entry (u32, wrapping like the kernel's `cur_file_id`).
      line:
        value: '((idx == 0 ? _parent.first.line.value : _parent.deltas[idx - 1].line.as<u4>) + line_delta) % 4294967296'
        doc: Absolute line of this entry (u32, wrapping like the kernel's `cur_line`).
  uleb128:
    doc: |
      Unsigned LEB128 varint of at most 5 bytes holding a value below 2^32: 7 bits per byte,
      least significant group first, bit 7 set on every byte but the last. The fifth byte, if
      reached, must be at most 0x0f (no continuation bit, no bits above bit 31), so a run of
      0x80 bytes fails validation after 5 bytes instead of looping (LI-STR-002). Redundant
      (non-minimal) encodings are accepted (LI-STR-003 is only a SHOULD).
    seq:
      - id: groups
        type: u1
        repeat: until
        repeat-until: _ < 0x80
        valid:
          expr: _index < 4 or _ <= 0x0f
        doc: The encoded bytes, 1 to 5 of them.
    instances:
      len:
        value: groups.size
        doc: Encoded length in bytes (1..5).
      value:
        value: |
          (groups[0] & 0x7f)
          + (len >= 2 ? (groups[1] & 0x7f) * 0x80 : 0)
          + (len >= 3 ? (groups[2] & 0x7f) * 0x4000 : 0)
          + (len >= 4 ? (groups[3] & 0x7f) * 0x200000 : 0)
          + (len >= 5 ? groups[4] * 0x10000000 : 0)
        doc: The decoded value (0 .. 2^32 - 1), computed without 32-bit signed overflow.
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
