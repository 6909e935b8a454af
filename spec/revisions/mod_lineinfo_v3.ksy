meta:
  id: mod_lineinfo_v3
  title: Linux kernel CONFIG_KALLSYMS_LINEINFO module table, v3/v4 layout (.mod_lineinfo, offset/size header)
  application: Linux kernel (CONFIG_KALLSYMS_LINEINFO_MODULES), loadable module .ko files
  license: MIT
  ks-version: 0.11
  -lineinfo-layout: v3
  endian:
    switch-on: _root.is_le
    cases:
      true: le
      false: be
doc: |
  Contents of the `.mod_lineinfo` ELF section of a loadable kernel module, as emitted by
  revisions v3 (2026-03-11) and v4 (2026-03-22, same bytes) of the CONFIG_KALLSYMS_LINEINFO
  series: a 48-byte header of counts and (offset, size) pairs relative to the section start
  (Vivian Wang's suggestion, "like FDT"), a `reserved` field, then at those offsets the block
  index (`block_addrs`, then `block_offsets` at `blocks_offset + 4 * num_blocks`), the
  compressed entry stream, zero padding to 4, the file-offset table and the names.

  The stream is v1's block stream with SLEB128 instead of zigzag for the file-id and line
  deltas: entry 0 of a block is ULEB128(file_id), ULEB128(line); entries 1..n-1 are
  ULEB128(addr_delta), SLEB128(file_delta), SLEB128(line_delta). The generator writes them
  with `.uleb128`/`.sleb128` and every offset and size as an assembler label difference.

  The byte order of every integer is the target's (parameter `is_le`). Hostile input: every
  count and (offset, size) pair is validated against the section size, in field order, before
  anything uses it (LI-LAY-001, without 32-bit wrap-around; the kernel's own check
  `offset + size > size` is u32 and can wrap, W10); `blocks_size` and `files_size` must hold
  what the counts need (LI-OFS-001); the stream layout rules LI-BLK-001/002 and LI-STR-001/002
  are enforced when `stream` is parsed. The generator's placement (LI-OFS-002..004) is not.
doc-ref:
  - 'https://lore.kernel.org/lkml/20260312030649.674699-1-sashal@kernel.org/ (v3 series, patch 3/4 "kallsyms: delta-compress lineinfo tables for ~2.7x size reduction"; v4 20260322131543.971079-1-sashal@kernel.org unchanged)'
  - spec/FORMAT.md
params:
  - id: is_le
    type: bool
    doc: |
      True when the section comes from a little-endian target (ELF EI_DATA = ELFDATA2LSB),
      false for big-endian targets.
seq:
  - id: before_filenames
    size: header.filenames_offset
    doc: |
      The bytes from the header's start to the name table: in the generator's placement the
      header, the block index, the stream, up to 3 bytes of zero padding and the file-offset
      table (read through the instances, which honour the header's offsets).
  - id: filenames
    size: header.filenames_size
    type: filename_table
    -orig-id: filenames
    doc: |
      Exactly `filenames_size` bytes of concatenated NUL-terminated file names, at
      `filenames_offset`. The bytes themselves are `_raw_filenames`.
instances:
  header:
    pos: 0
    type: header
    -orig-id: mod_lineinfo_header
    doc: |
      The 44-byte header at the start of the table. An instance rather than the first seq
      field so that the seq can reach the name table at any `filenames_offset`; the seq's
      first size reads it, so it is parsed and validated before anything else.
  block_addrs:
    pos: header.blocks_offset
    type: u4
    repeat: expr
    repeat-expr: header.num_blocks
    -orig-id: blk_addrs
    doc: |
      Offset (from the covered section's start) of the first entry of each block, at
      `blocks_offset`.
  block_offsets:
    pos: header.blocks_offset + 4 * header.num_blocks
    type: u4
    repeat: expr
    repeat-expr: header.num_blocks
    -orig-id: blk_offsets
    doc: |
      Byte offset of each block inside the stream, right after `block_addrs`. Validated: the
      first is 0, they increase strictly and all are below `data_size`, so the blocks are
      disjoint, non-empty ranges that tile the stream (the last one reaching its end).
    valid:
      expr: '_ < header.data_size and (_index == 0 ? _ == 0 : _ > block_offsets[_index - 1])'
  data:
    pos: header.data_offset
    size: header.data_size
    -orig-id: data
    doc: The compressed entry stream, raw. Parsed form is the `stream` instance.
  stream:
    pos: header.data_offset
    size: header.data_size
    type: compressed_stream
    doc: |
      The stream parsed as blocks of entries (lazy: touching it decodes the whole stream and
      may throw for a malformed stream even though the table itself parsed).
  file_offsets:
    pos: header.files_offset
    type: u4
    repeat: expr
    repeat-expr: header.num_files
    -orig-id: file_offsets
    doc: Byte offset of each file's NUL-terminated name inside `filenames`.
types:
  header:
    doc: |
      `struct mod_lineinfo_header`, 48 bytes. Offsets are relative to the section start (the
      header); `_io.size` is the section size. Each field is validated
      against it, in field order, so that everything it sizes is known to fit before it is read.
    -orig-id: mod_lineinfo_header
    seq:
      - id: num_entries
        type: u4
        -orig-id: num_entries
        doc: |
          Number of line entries N. Every entry takes at least 2 stream bytes (entry 0 of a
          block: two varints; later entries: three), so 2 * N bytes must fit.
        valid:
          max: _io.size / 2
      - id: num_blocks
        type: u4
        -orig-id: num_blocks
        doc: |
          Number of blocks B; must be ceil(N / 64) (LI-HDR-004), and the two u4 arrays of the
          block index (8 * B bytes) must fit.
        valid:
          expr: _ == (num_entries + 63) / 64 and 8 * _ <= _io.size
      - id: num_files
        type: u4
        -orig-id: num_files
        doc: Number of files F (entries of `file_offsets`), the whole module's file count.
        valid:
          max: _io.size / 4
      - id: blocks_offset
        type: u4
        -orig-id: blocks_offset
        doc: Offset of the block index (`block_addrs`) from the header; the generator writes 48.
        valid:
          max: _io.size
      - id: blocks_size
        type: u4
        -orig-id: blocks_size
        doc: |
          Bytes of the block index; must lie inside the section and hold the 8 * B bytes of
          `block_addrs` and `block_offsets` (the generator writes exactly 8 * B).
        valid:
          expr: _ <= _io.size - blocks_offset and _ >= 8 * num_blocks
      - id: data_offset
        type: u4
        -orig-id: data_offset
        doc: Offset of the stream from the header; the generator writes 48 + 8 * B.
        valid:
          max: _io.size
      - id: data_size
        type: u4
        -orig-id: data_size
        doc: Bytes of the compressed stream D.
        valid:
          max: _io.size - data_offset
      - id: files_offset
        type: u4
        -orig-id: files_offset
        doc: |
          Offset of `file_offsets` from the header; the generator puts it at the next multiple
          of 4  after the stream.
        valid:
          max: _io.size
      - id: files_size
        type: u4
        -orig-id: files_size
        doc: |
          Bytes of the file-offset table; must lie inside the section and hold 4 * F bytes (the
          generator writes exactly 4 * F).
        valid:
          expr: _ <= _io.size - files_offset and _ >= 4 * num_files
      - id: filenames_offset
        type: u4
        -orig-id: filenames_offset
        doc: |
          Offset of the name table from the header; the generator writes files_offset + 4 * F.
        valid:
          max: _io.size
      - id: filenames_size
        type: u4
        -orig-id: filenames_size
        doc: Total bytes of concatenated file names S.
        valid:
          max: _io.size - filenames_offset
      - id: reserved
        type: u4
        -orig-id: reserved
        doc: Must be 0 (rule LI-HDR-002; not enforced by this parser).
  compressed_stream:
    doc: |
      The stream, split into its blocks: block i is the byte range
      [block_offsets[i], block_offsets[i + 1]) (the last block runs to `data_size`), parsed as
      a substream so that no varint can run into the next block. `_parent` is the table.
    seq:
      - id: blocks
        type: block(_index)
        size: '(_index + 1 < _parent.header.num_blocks ? _parent.block_offsets[_index + 1] : _parent.header.data_size) - _parent.block_offsets[_index]'
        repeat: expr
        repeat-expr: _parent.header.num_blocks
        doc: One parsed block per entry of the block index.
  block:
    doc: |
      One block of at most 64 entries. Its first entry's offset is `block_addrs[block_index]`
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
        value: '_parent._parent.header.num_entries - 64 * block_index < 64 ? _parent._parent.header.num_entries - 64 * block_index : 64'
        doc: |
          Entries in this block: 64, or what remains for the last block (always 1..64 because
          num_blocks = ceil(num_entries / 64) is validated).
      addr:
        value: _parent._parent.block_addrs[block_index]
        doc: Offset of entry 0 from the covered section's start (from `block_addrs`).
  first_entry:
    doc: Entry 0 of a block; its offset is the block's `block_addrs` value.
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
        doc: Offset difference from the previous entry (at least 1 in a valid table).
      - id: file_delta
        type: sleb128
        -orig-id: file_delta
        doc: Signed file id difference (SLEB128).
      - id: line_delta
        type: sleb128
        -orig-id: line_delta
        doc: Signed line difference (SLEB128).
    # The running values refer to the same instance of the previous entry; KSC 0.11 cannot
    # infer the type of such a self-referential value instance (TypeUndecidedError), hence the
    # `.as<u4>` casts on the recursive references.
    instances:
      addr:
        value: '((idx == 0 ? _parent.addr : _parent.deltas[idx - 1].addr.as<u4>) + addr_delta.value) % 4294967296'
        doc: Absolute offset of this entry (u32, wrapping like the kernel's `cur_addr`).
      file_id:
        value: '((idx == 0 ? _parent.first.file_id.value : _parent.deltas[idx - 1].file_id.as<u4>) + file_delta.value) % 4294967296'
        doc: Absolute file id of this entry (u32, wrapping like the kernel's `cur_file_id`).
      line:
        value: '((idx == 0 ? _parent.first.line.value : _parent.deltas[idx - 1].line.as<u4>) + line_delta.value) % 4294967296'
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
  sleb128:
    doc: |
      Signed LEB128 varint of at most 5 bytes, read as the kernel's SLEB128 reader does:
      7 bits per byte, least significant group first, bit 7 set on every byte but the last,
      accumulated into 32 bits; when fewer than 32 bits were read (1 to 4 bytes) and bit 6 of
      the last byte (0x40) is set, the value is sign-extended. This is not zigzag. The fifth
      byte, if reached, must end the varint (no continuation bit), so a run of 0x80 bytes fails
      validation after 5 bytes instead of looping (LI-STR-002); its bits 4-6 are dropped, as the
      kernel's 32-bit reader drops them (the reference decoder does not reject them either).
      Redundant (non-minimal) encodings are accepted (LI-STR-003 is only a SHOULD).
    seq:
      - id: groups
        type: u1
        repeat: until
        repeat-until: _ < 0x80
        valid:
          expr: _index < 4 or _ < 0x80
        doc: The encoded bytes, 1 to 5 of them.
    instances:
      len:
        value: groups.size
        doc: Encoded length in bytes (1..5).
      bits:
        value: |
          (groups[0] & 0x7f)
          + (len >= 2 ? (groups[1] & 0x7f) * 0x80 : 0)
          + (len >= 3 ? (groups[2] & 0x7f) * 0x4000 : 0)
          + (len >= 4 ? (groups[3] & 0x7f) * 0x200000 : 0)
          + (len >= 5 ? (groups[4] & 0x0f) * 0x10000000 : 0)
        doc: |
          The low 32 bits the reader accumulates, before sign extension (0 .. 2^32 - 1),
          computed without 32-bit signed overflow.
      negative:
        value: 'len < 5 ? (groups[len - 1] & 0x40) != 0 : bits >= 0x80000000'
        doc: |
          Whether the value is negative: bit 6 of the last byte for 1 to 4 bytes (sign
          extension), bit 31 of the accumulated bits for 5 bytes (no sign extension; the 32 bits
          are taken as an int32).
      value:
        value: |
          bits - (negative ? (len == 1 ? 0x80 : len == 2 ? 0x4000 : len == 3 ? 0x200000 : len == 4 ? 0x10000000 : 4294967296) : 0)
        doc: The decoded value as an int32 (-2^31 .. 2^31 - 1), the kernel's result.
  filename_table:
    doc: |
      The name table: NUL-terminated file names, back to back. `names` splits it at every NUL;
      a final name without terminator (the kernel requires a NUL as the last byte) is returned
      as is. Names are referenced by byte offset (`file_offsets`), not by position in `names`.
    instances:
      names:
        pos: 0
        type: strz
        encoding: UTF-8
        eos-error: false
        repeat: eos
        doc: The names in table order (lazy; each takes at least one byte, so the count is bounded).
