/**
 * The later revisions' layouts and kernel lookups with exact expected answers on crafted
 * sections: what each revision's kernel does differently (symbol bound, data_end clamp, name
 * bound, u32 size checks, the SLEB128 reader).
 */
import { expect } from 'chai';
import type { Endian } from '../tools/format/endian.js';
import type { LineTable } from '../tools/model/line-table.js';
import type { LookupAnswer } from '../tools/revisions/layout.js';
import { layoutById } from '../tools/revisions/registry.js';

/** The worked example of spec/FORMAT.md: three entries in two files. */
const EXAMPLE: LineTable = {
  files: ['fs/a.c', 'mm/b.c'],
  entries: [
    { offset: 0x10, fileId: 0, line: 10 },
    { offset: 0x13, fileId: 1, line: 5 },
    { offset: 0x19, fileId: 0, line: 12 },
  ],
};

/** 70 entries over two blocks, block 1 far from block 0. */
const TWO_BLOCKS: LineTable = {
  files: ['a.c', 'b.c'],
  entries: Array.from({ length: 70 }, (_, i) => ({ offset: (i < 64 ? 0x100 : 0x10_0000) + 4 * i, fileId: i % 2, line: 100 + i })),
};

function u32(bytes: Uint8Array, at: number, endian: Endian = 'le'): number {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(at, endian === 'le');
}

function setU32(bytes: Uint8Array, at: number, value: number, endian: Endian = 'le'): Uint8Array {
  const out = Uint8Array.from(bytes);
  new DataView(out.buffer).setUint32(at, value >>> 0, endian === 'le');
  return out;
}

function hit(a: LookupAnswer): { file: string; line: number; entryOffset: number } | string {
  return a.kind === 'hit' ? { file: a.file, line: a.line, entryOffset: a.entryOffset } : a.kind;
}

describe('revision v2 layouts', () => {
  it('v2: the worked example has no padding (24 + 8 + 8 is aligned) and equals v1 byte for byte', () => {
    const v1 = layoutById('v1').encode(EXAMPLE, 'le');
    const v2 = layoutById('v2').encode(EXAMPLE, 'le');
    expect(Buffer.from(v2).equals(Buffer.from(v1))).to.equal(true);
    expect(v2.length).to.equal(62);
  });

  it('v2: a 9-byte stream is followed by 3 zero bytes before file_offsets[]', () => {
    const t: LineTable = { ...EXAMPLE, entries: [...EXAMPLE.entries.slice(0, 2), { offset: 0x99, fileId: 0, line: 12 }] };
    const b = layoutById('v2').encode(t, 'le');
    expect(u32(b, 16)).to.equal(9); // data_size
    expect(b.length).to.equal(24 + 8 + 9 + 3 + 8 + 14);
    expect([...b.subarray(41, 44)]).to.deep.equal([0, 0, 0]);
    expect(u32(b, 44)).to.equal(0);
    expect(u32(b, 48)).to.equal(7);
    const m = layoutById('v2').read(b, 'le');
    expect(m.findings.filter((f) => f.rule !== 'LI-FIL-004')).to.deep.equal([]);
    expect(layoutById('v1').read(b, 'le').findings.map((f) => f.rule)).to.include('LI-ALN-001');
  });

  it('v2: no symbol-start check (v1 misses where v2 answers the previous entry)', () => {
    for (const [id, want] of [['v1', 'miss'], ['v2', { file: 'mm/b.c', line: 5, entryOffset: 0x13 }]] as const) {
      const l = layoutById(id);
      const a = l.lookupKernel(l.encode(EXAMPLE, 'le'), 'le', { offset: 0x17, symbolStart: 0x15 });
      expect(hit(a), id).to.deep.equal(want);
    }
  });

  it('v2: data_end of a block is the next block offset, not clamped to data_size (W11): endless varints run past the section', () => {
    const l = layoutById('v2');
    const b = l.encode(TWO_BLOCKS, 'le');
    const n = u32(b, 12); // num_blocks
    expect(n).to.equal(2);
    const offsetsAt = 24 + 4 * n;
    const dataAt = 24 + 8 * n;
    const block1 = u32(b, offsetsAt + 4);
    const bad = setU32(b, offsetsAt + 4, 0xffff_fff0);
    bad.fill(0x80, dataAt, dataAt + block1);
    const a = l.lookupKernel(bad, 'le', { offset: 0x200 });
    expect(a.kind).to.equal('fault');
    expect((a as { offset: number }).offset).to.equal(bad.length);
    expect(l.read(bad, 'le').findings.map((f) => f.rule)).to.include('LI-BLK-002');
  });

  it('v2: the u32 size check with the rounded file-table offset wraps (W10)', () => {
    const l = layoutById('v2');
    const b = l.encode(EXAMPLE, 'le');
    // names start at 48; filenames_size = 2^32 - 48 makes the end wrap to 0
    const bad = setU32(setU32(b, 8, 2 ** 32 - 48), 40, 100);
    const a = l.lookupKernel(bad, 'le', { offset: 0x10 });
    expect(a.kind).to.equal('fault');
    expect(l.read(bad, 'le').findings.map((f) => f.rule)).to.include('LI-LAY-001');
  });

  it('vmlinux-v2: symbols at the documented image offsets', () => {
    const b = layoutById('vmlinux-v2').encode(EXAMPLE, 'be');
    // counts 12, block index 8, data_size 4, data 8 (ends at 32), file_offsets 8, filenames_size 4, names 14
    expect(b.length).to.equal(12 + 8 + 4 + 8 + 8 + 4 + 14);
    expect(u32(b, 20, 'be')).to.equal(8);
    expect(u32(b, 40, 'be')).to.equal(14);
    expect(Buffer.from(b.subarray(44)).toString('latin1')).to.equal('fs/a.c\0mm/b.c\0');
    const m = layoutById('vmlinux-v2').read(b, 'be');
    expect(m.header.map((h) => [h.name, h.offset])).to.deep.equal([
      ['lineinfo_num_entries', 0], ['lineinfo_num_files', 4], ['lineinfo_num_blocks', 8], ['lineinfo_data_size', 20], ['lineinfo_filenames_size', 40],
    ]);
  });

  it('vmlinux-v2: name offsets are bounded by lineinfo_filenames_size (vmlinux-v1 reads 4 GiB away, W8)', () => {
    for (const [id, want] of [['vmlinux-v1', 'fault'], ['vmlinux-v2', 'miss']] as const) {
      const l = layoutById(id);
      const b = l.encode(EXAMPLE, 'le');
      const fo = l.read(b, 'le').regions.find((r) => r.name === 'lineinfo_file_offsets')!.offset;
      expect(l.lookupKernel(setU32(b, fo, 0xffff_fff0), 'le', { offset: 0x10 }).kind, id).to.equal(want);
    }
  });

  it('vmlinux-v2: the last block ends at lineinfo_data_size (vmlinux-v1 reads it unbounded, W7)', () => {
    const l = layoutById('vmlinux-v2');
    const b = Uint8Array.from(l.encode(EXAMPLE, 'le'));
    b.fill(0x80, 24, 32); // the whole stream: continuation bytes
    const a = l.lookupKernel(b, 'le', { offset: 0x19 });
    // entry 0's varints are cut at data_end = 8: file 0, line 0 from partial reads; later reads return 0
    expect(hit(a)).to.deep.equal({ file: 'fs/a.c', line: 0, entryOffset: 0x10 });
  });
});

describe('revision v3 layouts', () => {
  it('v3: the worked example under the 48-byte offset/size header', () => {
    const b = layoutById('v3').encode(EXAMPLE, 'le');
    // stream 00 0a | 03 01 7b | 06 7f 07 (SLEB128: file +1, line -5; file -1, line +7)
    const header = Array.from({ length: 12 }, (_, i) => u32(b, 4 * i));
    expect(header).to.deep.equal([3, 1, 2, 48, 8, 56, 8, 64, 8, 72, 14, 0]);
    expect([...b.subarray(56, 64)]).to.deep.equal([0x00, 0x0a, 0x03, 0x01, 0x7b, 0x06, 0x7f, 0x07]);
    expect(b.length).to.equal(86);
    expect(layoutById('v3').read(b, 'le').findings).to.deep.equal([]);
  });

  it('v2 does not clamp a block end to data_size, v3 does: the same crafted section faults in v2 and answers in v3', () => {
    const craft = (id: 'v2' | 'v3'): Uint8Array => {
      const l = layoutById(id);
      const b = l.encode(TWO_BLOCKS, 'le');
      const m = l.read(b, 'le');
      const offs = m.regions.find((r) => r.name === 'block_offsets')!.offset;
      const data = m.regions.find((r) => r.name === 'data')!.offset;
      const block1 = u32(b, offs + 4);
      const out = setU32(b, offs + 4, 0xffff_fff0);
      out.fill(0x80, data, data + block1);
      return out;
    };
    const v2 = craft('v2');
    expect(layoutById('v2').lookupKernel(v2, 'le', { offset: 0x200 })).to.deep.include({ kind: 'fault', offset: v2.length });
    // v3: block 0 is read up to data_size; its first varint swallows the 0x80 run and ends in
    // block 1's bytes, so the (wrong, but in-bounds) answer comes from there
    expect(hit(layoutById('v3').lookupKernel(craft('v3'), 'le', { offset: 0x200 }))).to.deep.equal({ file: 'b.c', line: 169, entryOffset: 0x114 });
    for (const id of ['v2', 'v3'] as const) expect(layoutById(id).read(craft(id), 'le').findings.map((f) => f.rule), id).to.include('LI-BLK-002');
  });

  it('v3: an offset+size pair that wraps in u32 passes the kernel check but breaks LI-LAY-001', () => {
    const l = layoutById('v3');
    const b = l.encode(EXAMPLE, 'le');
    // filenames_offset 72 + filenames_size (2^32 - 72) = 0 mod 2^32: accepted, names intact
    const wrapped = setU32(b, 40, 2 ** 32 - 72);
    expect(hit(l.lookupKernel(wrapped, 'le', { offset: 0x13 }))).to.deep.equal({ file: 'mm/b.c', line: 5, entryOffset: 0x13 });
    const m = l.read(wrapped, 'le');
    const f = m.findings.find((x) => x.rule === 'LI-LAY-001')!;
    expect(f.message).to.match(/wraps to 0x0, which the kernel's check accepts/);
    // and the same wrap on the block index sends the kernel 4 GiB away
    const far = setU32(setU32(b, 12, 0xffff_fff0), 16, 8 + 0x10);
    expect(l.lookupKernel(far, 'le', { offset: 0x13 })).to.deep.include({ kind: 'fault', offset: 0xffff_fff0 });
    expect(l.read(far, 'le').findings.map((x) => x.rule)).to.include('LI-LAY-001');
  });

  it('v3: blocks_size / files_size below the counts: the kernel wrapper and LI-OFS-001 reject it', () => {
    const l = layoutById('v3');
    const b = setU32(l.encode(EXAMPLE, 'le'), 32, 4); // files_size 4 < 2 files * 4
    expect(l.lookupKernel(b, 'le', { offset: 0x13 })).to.deep.equal({ kind: 'miss', reason: 'files_size below num_files * 4' });
    expect(l.read(b, 'le').findings.map((x) => x.rule)).to.include('LI-OFS-001');
  });

  it('SLEB128: large negative deltas (5 bytes, fifth byte 0x7x: the v3-v6 signed-shift overflow, W21) decode to the exact lines', () => {
    const t: LineTable = {
      files: ['k.c'],
      entries: [
        { offset: 0x10, fileId: 0, line: 0x7000_0000 },
        { offset: 0x20, fileId: 0, line: 0x1000_0001 }, // delta -0x5fffffff
        { offset: 0x30, fileId: 0, line: 3 }, // delta -0x0ffffffe
        { offset: 0x40, fileId: 0, line: 0xffff_fff0 }, // delta -0x13 as int32 (wraps)
      ],
    };
    for (const id of ['v3', 'vmlinux-v3'] as const) {
      const l = layoutById(id);
      const b = l.encode(t, 'be');
      const data = l.read(b, 'be').regions.find((r) => r.name === 'data' || r.name === 'lineinfo_data')!;
      const stream = [...b.subarray(data.offset, data.offset + data.size)];
      // entry 0: 00, 80 80 80 80 07; entry 1: 10 00 81 80 80 80 7a; entry 2: 10 00 82 80 80 80 7f; entry 3: 10 00 6d
      expect(stream, id).to.deep.equal([0x00, 0x80, 0x80, 0x80, 0x80, 0x07, 0x10, 0x00, 0x81, 0x80, 0x80, 0x80, 0x7a, 0x10, 0x00, 0x82, 0x80, 0x80, 0x80, 0x7f, 0x10, 0x00, 0x6d]);
      const lines = [0x10, 0x20, 0x30, 0x40].map((o) => hit(l.lookupKernel(b, 'be', { offset: o })));
      expect(lines.map((a) => (typeof a === 'string' ? a : a.line)), id).to.deep.equal([0x7000_0000, 0x1000_0001, 3, 0xffff_fff0]);
    }
  });

  it('vmlinux-v3: the last block is clamped like the others and no symbol start applies', () => {
    const l = layoutById('vmlinux-v3');
    const b = l.encode(EXAMPLE, 'le');
    expect(hit(l.lookupKernel(b, 'le', { offset: 0x18, symbolStart: 0x16 }))).to.deep.equal({ file: 'mm/b.c', line: 5, entryOffset: 0x13 });
    expect(hit(layoutById('vmlinux-v1').lookupKernel(layoutById('vmlinux-v1').encode(EXAMPLE, 'le'), 'le', { offset: 0x18, symbolStart: 0x16 }))).to.equal('miss');
  });
});

describe('revision v7 vmlinux layout', () => {
  // lineinfo_kunit's test_lineinfo_search_min_offset: entries at 0 and 0x40 of the same file:line
  const SAME: LineTable = { files: ['kernel/x.c'], entries: [{ offset: 0, fileId: 0, line: 10 }, { offset: 0x40, fileId: 0, line: 10 }] };

  it('the stream is 00 0a 40 00 00 and the bytes are vmlinux-v3\'s', () => {
    const b7 = layoutById('vmlinux-v7').encode(SAME, 'le');
    expect(Buffer.from(b7).equals(Buffer.from(layoutById('vmlinux-v3').encode(SAME, 'le')))).to.equal(true);
    expect([...b7.subarray(24, 29)]).to.deep.equal([0x00, 0x0a, 0x40, 0x00, 0x00]);
  });

  it('min_offset 0x40 hits, min_offset 0x60 misses; vmlinux-v3 (no bound) hits both', () => {
    for (const endian of ['le', 'be'] as const) {
      const v7 = layoutById('vmlinux-v7');
      const b = v7.encode(SAME, endian);
      expect(hit(v7.lookupKernel(b, endian, { offset: 0x70, symbolStart: 0x40 }))).to.deep.equal({ file: 'kernel/x.c', line: 10, entryOffset: 0x40 });
      expect(v7.lookupKernel(b, endian, { offset: 0x70, symbolStart: 0x60 })).to.deep.equal({ kind: 'miss', reason: 'nearest entry 0x40 is before the symbol start 0x60 (min_offset)' });
      expect(hit(v7.lookupKernel(b, endian, { offset: 0x70 }))).to.deep.equal({ file: 'kernel/x.c', line: 10, entryOffset: 0x40 });
      const v3 = layoutById('vmlinux-v3');
      expect(hit(v3.lookupKernel(b, endian, { offset: 0x70, symbolStart: 0x60 }))).to.deep.equal({ file: 'kernel/x.c', line: 10, entryOffset: 0x40 });
    }
  });

  it('aliases resolve to the layouts that carry those revisions\' bytes', async () => {
    const { resolveLayoutName } = await import('../tools/revisions/layout-id.js');
    expect(['v4', 'vmlinux-v4', 'vmlinux-v5', 'vmlinux-v6', 'v6'].map(resolveLayoutName)).to.deep.equal(['v3', 'vmlinux-v3', 'vmlinux-v3', 'vmlinux-v3', 'v5']);
  });
});
