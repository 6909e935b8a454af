meta:
  id: vmlinux_lineinfo_v1
  title: Linux kernel CONFIG_KALLSYMS_LINEINFO vmlinux tables, v1 delta-compressed layout (lineinfo_* symbols)
  application: Linux kernel (CONFIG_KALLSYMS_LINEINFO), vmlinux
  license: MIT
  ks-version: 0.11
  -lineinfo-layout: vmlinux-v1
  endian:
    switch-on: _root.is_le
    cases:
      true: le
      false: be
doc: |
  The source-line tables of vmlinux as emitted by revision v1 patch 3/3 of the
  CONFIG_KALLSYMS_LINEINFO series (delta compression). In vmlinux they are a run of global
  symbols in `.rodata`, not a section of their own; this parser reads the "table image": the
  bytes of that `.rodata` contribution starting at symbol `lineinfo_num_entries` (4-byte
  aligned) up to the end of whatever range the caller extracted.

  Symbols in image order: `lineinfo_num_entries`, `lineinfo_num_files`, `lineinfo_num_blocks`
  (u4 each), `lineinfo_block_addrs` (u4[B]), `lineinfo_block_offsets` (u4[B]), `lineinfo_data`
  (the compressed stream, u1[D]), zero padding to a 4-byte boundary (`.balign 4`),
  `lineinfo_file_offsets` (u4[F]), `lineinfo_filenames` (NUL-terminated strings). This
  revision stores neither the stream size nor the name-table size: the stream ends where its
  last block's last entry ends (the kernel decodes the last block with no end bound), and the
  name table is the rest of the image.

  The stream is therefore parsed sequentially, block after block; the block encoding is the
  same as in the v1 module layout (64 entries per block, entry 0 = ULEB128 file_id, ULEB128
  line; later entries = ULEB128 addr_delta, ULEB128 zigzag(file_delta), ULEB128
  zigzag(line_delta)). `block_offsets` must start at 0 and increase strictly (LI-BLK-001/002);
  block i + 1 is read at `block_offsets[i + 1]`, and the entries of block i must end at or
  before it (LI-STR-001). Bytes between the end of block i's entries and the next block are
  kept as block i's `slack` (LI-STR-004 is only a SHOULD).

  Integers are in the target's byte order (parameter `is_le`); LEB128 bytes are byte-order
  neutral. Every count is validated against the image size before it sizes anything:
  `num_entries` by the 2 stream bytes every entry needs at least, `num_blocks` must equal
  ceil(num_entries / 64) (LI-HDR-004) and fit, every `block_offsets` value must leave room for
  a block before `file_offsets`; a varint is at most 5 bytes and below 2^32 (LI-STR-002).
  Semantic rules are left to the validator.
doc-ref:
  - 'https://lore.kernel.org/lkml/20260303182103.3523438-1-sashal@kernel.org/ (v1 series, patch 3/3 "kallsyms: delta-compress lineinfo tables for ~2.7x size reduction")'
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
      Number of line entries N. Every entry takes at least 2 stream bytes (entry 0 of a
      block: two varints; later entries: three), so 2 * N must fit after the three counts.
    valid:
      max: (_io.size - 12) / 2
  - id: num_files
    type: u4
    -orig-id: lineinfo_num_files
    doc: Number of files F (entries of `file_offsets`).
    valid:
      max: (_io.size - 12 - 2 * num_entries) / 4
  - id: num_blocks
    type: u4
    -orig-id: lineinfo_num_blocks
    doc: |
      Number of blocks B; must be ceil(N / 64) (LI-HDR-004), and the two u4 arrays of the
      block index (8 * B bytes) must fit next to the minimal stream and `file_offsets`.
    valid:
      expr: _ == (num_entries + 63) / 64 and 8 * _ <= _io.size - 12 - 2 * num_entries - 4 * num_files
  - id: block_addrs
    type: u4
    repeat: expr
    repeat-expr: num_blocks
    -orig-id: lineinfo_block_addrs
    doc: Address offset (from `_text`) of the first entry of each block.
  - id: block_offsets
    type: u4
    repeat: expr
    repeat-expr: num_blocks
    -orig-id: lineinfo_block_offsets
    doc: |
      Byte offset of each block inside `lineinfo_data`. Validated: the first is 0, they
      increase strictly, and each leaves room for a block (2 bytes) and `file_offsets` before
      the end of the image.
    valid:
      expr: '(_index == 0 ? _ == 0 : _ > block_offsets[_index - 1]) and _ + 2 <= _io.size - 12 - 8 * num_blocks - 4 * num_files'
  - id: stream
    type: compressed_stream
    -orig-id: lineinfo_data
    doc: The compressed entry stream, parsed block by block (its size is not stored).
  - id: file_offsets_pad
    size: (4 - _io.pos % 4) % 4
    doc: Zero padding to the next 4-byte boundary of the image (`.balign 4`, no symbol).
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
instances:
  ofs_data:
    value: 12 + 8 * num_blocks
    doc: Offset of `lineinfo_data` (the stream) from the start of the image.
types:
  compressed_stream:
    doc: |
      The stream, read sequentially as `num_blocks` blocks. It has no size of its own, so it
      shares the image's stream: positions below are offsets from the start of the image.
    seq:
      - id: blocks
        type: block(_index)
        repeat: expr
        repeat-expr: _root.num_blocks
        doc: One parsed block per entry of the block index.
  block:
    doc: |
      One block of at most 64 entries, starting at `block_offsets[block_index]` in the stream.
      Its first entry's address is `block_addrs[block_index]` and is not stored; the rest are
      deltas from the entry before. The entries must end at or before the next block's
      offset (checked after each entry, so a broken block fails early); the last block has no
      end bound (the kernel reads it with `data_end = UINT_MAX`).
    params:
      - id: block_index
        type: u4
        doc: Index of this block (0 .. num_blocks - 1).
    seq:
      - id: first
        type: first_entry
        doc: Entry 0 of the block.
        valid:
          expr: _io.pos <= end_pos
      - id: deltas
        type: delta_entry(_index)
        repeat: expr
        repeat-expr: num_entries - 1
        doc: Entries 1 .. n-1 of the block.
        valid:
          expr: _io.pos <= end_pos
      - id: slack
        size: 'block_index + 1 < _root.num_blocks ? end_pos - _io.pos : 0'
        doc: |
          Bytes between this block's last entry and the next block (LI-STR-004 says there are
          none); always empty for the last block.
    instances:
      end_pos:
        value: 'block_index + 1 < _root.num_blocks ? _root.ofs_data + _root.block_offsets[block_index + 1] : _io.size'
        doc: |
          Image offset where this block's byte range ends: the next block's start, or the end
          of the image for the last block.
      num_entries:
        value: '_root.num_entries - 64 * block_index < 64 ? _root.num_entries - 64 * block_index : 64'
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
      a final run of bytes without terminator is returned as is. Names are
      referenced by byte offset (`file_offsets`), not by position in `names`.
    instances:
      names:
        pos: 0
        type: strz
        encoding: UTF-8
        eos-error: false
        repeat: eos
        doc: The names in table order (lazy; each takes at least one byte, so the count is bounded).
