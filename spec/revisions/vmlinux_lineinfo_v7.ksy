meta:
  id: vmlinux_lineinfo_v7
  title: Linux kernel CONFIG_KALLSYMS_LINEINFO vmlinux tables, v7 layout (the bytes of v3 to v6; lookup with a symbol bound)
  application: Linux kernel (CONFIG_KALLSYMS_LINEINFO), vmlinux
  license: MIT
  ks-version: 0.11
  -lineinfo-layout: vmlinux-v7
  endian:
    switch-on: _root.is_le
    cases:
      true: le
      false: be
doc: |
  The source-line tables of vmlinux as emitted by revisions v3 to v7 of the
  CONFIG_KALLSYMS_LINEINFO series (2026-03-11 to 2026-07-09; the bytes never changed after v3,
  only the kernel's lookup did: this is vmlinux_lineinfo_v3.ksy under the layout id vmlinux-v7,
  whose lookup bounds the answer by the enclosing symbol's start). In vmlinux they are a run of global symbols in `.rodata`; this parser
  reads the "table image": the bytes starting at symbol `lineinfo_num_entries` (4-byte
  aligned) up to the end of whatever range the caller extracted.

  Symbols in image order: `lineinfo_num_entries`, `lineinfo_num_files`, `lineinfo_num_blocks`
  (u4 each), `lineinfo_block_addrs` (u4[B]), `lineinfo_block_offsets` (u4[B]),
  `lineinfo_data_size` (u4), `lineinfo_data` (the compressed stream, u1[D]), zero
  padding to a 4-byte boundary (`.balign 4`), `lineinfo_file_offsets` (u4[F]),
  `lineinfo_filenames_size` (u4), `lineinfo_filenames` (NUL-terminated strings).
  Unlike v1, both the stream and the name table have a stored size, so the stream is split
  into blocks exactly as in the module layout: block i is the byte range
  [block_offsets[i], block_offsets[i + 1]) of the stream, the last block runs to
  `data_size`. The block encoding is v1's with SLEB128 instead of zigzag for the file-id and
  line deltas (the generator writes `.uleb128`/`.sleb128` directives).

  Integers are in the target's byte order (parameter `is_le`); LEB128 bytes are byte-order
  neutral. Every count and size is validated against the image size before it sizes anything
  (rule LI-LAY-001, without 32-bit wrap-around); `num_blocks` must equal ceil(num_entries / 64)
  (LI-HDR-004); `block_offsets` must start at 0, increase strictly and stay below `data_size`
  (LI-BLK-001/002); a varint ends inside its block (LI-STR-001) and is at most 5 bytes and
  below 2^32 (LI-STR-002). Semantic rules are left to the validator.
doc-ref:
  - 'https://lore.kernel.org/lkml/20260312030649.674699-1-sashal@kernel.org/ (v3 series, patch 3/4 "kallsyms: delta-compress lineinfo tables for ~2.7x size reduction")'
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
      Number of line entries N. Every entry takes at least 2 stream bytes, so 2 * N must fit
      after the counts and the two size symbols.
    valid:
      max: (_io.size - 20) / 2
  - id: num_files
    type: u4
    -orig-id: lineinfo_num_files
    doc: Number of files F (entries of `file_offsets`).
    valid:
      max: (_io.size - 20 - 2 * num_entries) / 4
  - id: num_blocks
    type: u4
    -orig-id: lineinfo_num_blocks
    doc: |
      Number of blocks B; must be ceil(N / 64) (LI-HDR-004), and the block index (8 * B
      bytes) must fit next to the minimal stream and `file_offsets`.
    valid:
      expr: _ == (num_entries + 63) / 64 and 8 * _ <= _io.size - 20 - 2 * num_entries - 4 * num_files
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
      Byte offset of each block inside `lineinfo_data`. Validated after `data_size` (see
      `stream`): the first is 0, they increase strictly and all are below `data_size`.
  - id: data_size
    type: u4
    -orig-id: lineinfo_data_size
    doc: Size of the compressed stream D in bytes.
    valid:
      max: _io.size - 20 - 8 * num_blocks - 4 * num_files
  - id: data
    size: data_size
    -orig-id: lineinfo_data
    doc: The compressed entry stream, raw. Parsed form is the `stream` instance.
  - id: file_offsets_pad
    size: (4 - _io.pos % 4) % 4
    doc: Zero padding to the next 4-byte boundary of the image (`.balign 4`, no symbol).
  - id: file_offsets
    type: u4
    repeat: expr
    repeat-expr: num_files
    -orig-id: lineinfo_file_offsets
    doc: Byte offset of each file's NUL-terminated name inside `filenames`.
  - id: filenames_size
    type: u4
    -orig-id: lineinfo_filenames_size
    doc: Total bytes of concatenated file names S.
    valid:
      max: _io.size - _io.pos
  - id: filenames
    size: filenames_size
    type: filename_table
    -orig-id: lineinfo_filenames
    doc: |
      Exactly `filenames_size` bytes of concatenated NUL-terminated file names. The bytes
      themselves are `_raw_filenames`.
  - id: rest
    size-eos: true
    doc: Whatever the caller extracted after the name table (other `.rodata`); not read.
instances:
  ofs_data:
    value: 16 + 8 * num_blocks
    doc: Offset of `lineinfo_data` (the stream) from the start of the image.
  stream:
    pos: ofs_data
    size: data_size
    type: compressed_stream
    doc: |
      `lineinfo_data` parsed as blocks of entries (lazy: touching it decodes the whole stream
      and may throw for a malformed stream even though the image itself parsed).
types:
  compressed_stream:
    doc: |
      The stream, split into its blocks: block i is the byte range
      [block_offsets[i], block_offsets[i + 1]) (the last block runs to `data_size`), parsed as
      a substream so that no varint can run into the next block.
    seq:
      - id: check
        size: 0
        repeat: expr
        repeat-expr: _root.num_blocks
        valid:
          expr: '_root.block_offsets[_index] < _root.data_size and (_index == 0 ? _root.block_offsets[0] == 0 : _root.block_offsets[_index] > _root.block_offsets[_index - 1])'
        doc: |
          Validates `block_offsets` (first 0, strictly increasing, below `data_size`) before any
          block is sized from them.
      - id: blocks
        type: block(_index)
        size: '(_index + 1 < _root.num_blocks ? _root.block_offsets[_index + 1] : _root.data_size) - _root.block_offsets[_index]'
        repeat: expr
        repeat-expr: _root.num_blocks
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
        value: '_root.num_entries - 64 * block_index < 64 ? _root.num_entries - 64 * block_index : 64'
        doc: |
          Entries in this block: 64, or what remains for the last block (always 1..64 because
          num_blocks = ceil(num_entries / 64) is validated).
      addr:
        value: _root.block_addrs[block_index]
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
