/**
 * The sectioned layouts v5 and v7 at the byte level: exact kernel answers across several
 * descriptors, the first covering descriptor answering without fall-through, zero anchors
 * skipped, u64 address arithmetic, v7's min_offset bound, and the two generator defects the
 * validator must name (W22 descriptors at offset 4, W23 table label before `.balign`).
 */
import { expect } from 'chai';
import { strictLookup } from '../tools/lookup/strict-lookup.js';
import type { Layout, LookupAnswer, LookupQuery } from '../tools/revisions/layout.js';
import { moduleV5, moduleV7 } from '../tools/revisions/module-v5.js';
import { DEFAULT_ANCHOR, encodeBlob, PLAIN_TABLE_SIZE } from '../tools/revisions/sectioned-blob.js';
import type { BlobInput } from '../tools/revisions/sectioned-blob.js';

const TEXT = 0xffff_ffff_c000_1000n;
const EXIT = 0xffff_ffff_c000_9000n;

/** `.text` with three entries, `.exit.text` with two; the module's two files in both tables. */
const BLOB: BlobInput = {
  files: ['drivers/foo/main.c', 'include/linux/bar.h'],
  sections: [
    { name: '.text', size: 0x200, anchor: TEXT, entries: [
      { offset: 0x0, fileId: 0, line: 10 }, { offset: 0x40, fileId: 1, line: 200 }, { offset: 0x100, fileId: 0, line: 12 }] },
    { name: '.exit.text', size: 0x30, anchor: EXIT, entries: [
      { offset: 0x4, fileId: 0, line: 99 }, { offset: 0x20, fileId: 1, line: 7 }] },
  ],
};

function answer(a: LookupAnswer): string {
  return a.kind === 'hit' ? `${a.file}:${a.line}` : a.kind;
}

/** The kernel algorithm and the strict reference lookup, which must agree on valid blobs. */
function both(layout: Layout, bytes: Uint8Array, endian: 'le' | 'be', q: LookupQuery): string {
  const kernel = answer(layout.lookupKernel(bytes, endian, q));
  const strict = answer(strictLookup(layout.read(bytes, endian), q));
  expect(kernel, `kernel vs strict for ${JSON.stringify(q, (_, v) => (typeof v === 'bigint' ? `0x${v.toString(16)}` : v))}`).to.equal(strict);
  return kernel;
}

describe('layouts v5 and v7 (sectioned blobs)', () => {
  for (const endian of ['le', 'be'] as const) {
    const { bytes } = encodeBlob(BLOB, endian);

    it(`${endian}: a valid two-table blob reads without findings, every table decoded`, () => {
      const m = moduleV5.read(bytes, endian);
      expect(m.findings).to.deep.equal([]);
      expect(m.tables?.map((t) => [t.anchor, t.size, t.entries.length])).to.deep.equal([[TEXT, 0x200, 3], [EXIT, 0x30, 2]]);
    });

    it(`${endian}: addresses resolve in the descriptor that covers them`, () => {
      const at = (address: bigint) => both(moduleV5, bytes, endian, { offset: 0, address });
      expect(at(TEXT)).to.equal('drivers/foo/main.c:10');
      expect(at(TEXT + 0x3fn)).to.equal('drivers/foo/main.c:10');
      expect(at(TEXT + 0x40n)).to.equal('include/linux/bar.h:200');
      expect(at(TEXT + 0x1ffn)).to.equal('drivers/foo/main.c:12');
      expect(at(TEXT + 0x200n)).to.equal('miss'); // past .text's size: no descriptor covers it
      expect(at(TEXT - 1n)).to.equal('miss');
      expect(at(EXIT + 0x3n)).to.equal('miss'); // before .exit.text's first entry
      expect(at(EXIT + 0x4n)).to.equal('drivers/foo/main.c:99');
      expect(at(EXIT + 0x2fn)).to.equal('include/linux/bar.h:7');
      expect(at(EXIT + 0x30n)).to.equal('miss');
    });

    it(`${endian}: offsets without an address are relative to descriptor 0's anchor`, () => {
      expect(both(moduleV5, bytes, endian, { offset: 0x40 })).to.equal('include/linux/bar.h:200');
      expect(both(moduleV5, bytes, endian, { offset: Number(EXIT - TEXT) + 0x20 })).to.equal('include/linux/bar.h:7');
    });

    it(`${endian}: v5 ignores the symbol start; v7 rejects an entry before it (min_offset)`, () => {
      // entries at 0 and 0x40 in .text; a symbol starting at 0x60 has no entry of its own
      const q = { offset: 0, address: TEXT + 0x80n, symbolAddress: TEXT + 0x60n };
      expect(both(moduleV5, bytes, endian, q)).to.equal('include/linux/bar.h:200');
      expect(both(moduleV7, bytes, endian, q)).to.equal('miss');
      expect(both(moduleV7, bytes, endian, { ...q, symbolAddress: TEXT + 0x40n })).to.equal('include/linux/bar.h:200');
      // a symbol start outside (before) the covered section gives min_offset 0
      expect(both(moduleV7, bytes, endian, { ...q, symbolAddress: TEXT - 0x10n })).to.equal('include/linux/bar.h:200');
    });

    it(`${endian}: the first covering descriptor answers, even with none; zero anchors are skipped`, () => {
      // .exit.text's descriptor also claims .text's range but comes first: .text's entries are never reached
      const shadow = encodeBlob({ ...BLOB, sections: [{ ...BLOB.sections[1]!, anchor: TEXT, size: 0x200 }, BLOB.sections[0]!] }, endian).bytes;
      expect(moduleV5.lookupKernel(shadow, endian, { offset: 0, address: TEXT + 0x2n }).kind).to.equal('miss');
      expect(answer(moduleV5.lookupKernel(shadow, endian, { offset: 0, address: TEXT + 0x100n }))).to.equal('include/linux/bar.h:7');
      expect(moduleV5.read(shadow, endian).findings.map((f) => f.rule)).to.include('LI-SEC-005');
      const unrelocated = encodeBlob({ ...BLOB, sections: BLOB.sections.map((s) => ({ ...s, anchor: 0n })) }, endian).bytes;
      expect(moduleV5.lookupKernel(unrelocated, endian, { offset: 0, address: 0x40n }).kind).to.equal('miss');
    });

    it(`${endian}: u64 addresses near 2^64 do not wrap into a section`, () => {
      const top = encodeBlob({ files: ['a/b.c'], sections: [{ name: '.text', size: 0x100, anchor: 0xffff_ffff_ffff_ff80n, entries: [{ offset: 0, fileId: 0, line: 1 }] }] }, endian).bytes;
      expect(answer(moduleV5.lookupKernel(top, endian, { offset: 0x7f }))).to.equal('a/b.c:1');
      // anchor + 0x80 wraps to 0: below the anchor, so not covered
      expect(moduleV5.lookupKernel(top, endian, { offset: 0x80 }).kind).to.equal('miss');
    });
  }

  it('W23: a table_offset into the padding is named, with where the header really is', () => {
    const files = ['a/b.c', 'c/dd.h']; // 13 name bytes: the first table ends unaligned
    const blob = { files, sections: BLOB.sections };
    const bad = encodeBlob(blob, 'le', { labelBeforeAlign: true });
    const m = moduleV5.read(bad.bytes, 'le');
    const f = m.findings.find((x) => x.rule === 'LI-SEC-002');
    expect(f?.message).to.match(new RegExp(`header is at 0x${bad.headerOffsets[1]!.toString(16)}.*W23`));
    // the kernel reads the shifted header: no annotation in .exit.text, .text still works
    expect(moduleV5.lookupKernel(bad.bytes, 'le', { offset: 0, address: EXIT + 0x4n }).kind).to.equal('miss');
    expect(answer(moduleV5.lookupKernel(bad.bytes, 'le', { offset: 0, address: TEXT + 0x40n }))).to.equal('c/dd.h:200');
    expect(strictLookup(m, { offset: 0x40 }).kind).to.equal('miss'); // a MUST rule is broken
  });

  it('W22: descriptors at offset 4 are reported as a 32-bit layout without __aligned(8), and nothing else', () => {
    const bad = encodeBlob(BLOB, 'le', { descriptorsAt4: true });
    const m = moduleV5.read(bad.bytes, 'le');
    expect(m.findings.map((f) => f.rule)).to.deep.equal(['LI-SEC-001']);
    expect(m.findings[0]!.message).to.match(/offset 4.*__aligned\(8\).*W22/);
  });

  it('hostile roots: huge num_sections and table offsets never fault and never allocate by count', () => {
    const base = encodeBlob(BLOB, 'le').bytes;
    for (const [at, v] of [[0, 0xffff_ffff], [0, 0x1000_0000], [20, 0xffff_fff0], [36, 0xffff_ffff], [20, 0]] as const) {
      const b = Uint8Array.from(base);
      new DataView(b.buffer).setUint32(at, v, true);
      const m = moduleV5.read(b, 'le');
      expect(m.findings.some((f) => f.rule.startsWith('LI-')), `u32 @${at} = ${v}`).to.equal(true);
      for (const address of [TEXT, TEXT + 0x40n, EXIT + 4n]) {
        expect(moduleV7.lookupKernel(b, 'le', { offset: 0, address }).kind).to.not.equal('fault');
      }
    }
  });

  it('a plain line table encodes as one .text table at the default anchor', () => {
    const bytes = moduleV7.encode({ files: ['x/y.c'], entries: [{ offset: 8, fileId: 0, line: 3 }] }, 'be');
    const m = moduleV7.read(bytes, 'be');
    expect(m.tables?.map((t) => [t.anchor, t.size])).to.deep.equal([[DEFAULT_ANCHOR, PLAIN_TABLE_SIZE]]);
    expect(answer(strictLookup(m, { offset: 8 }))).to.equal('x/y.c:3');
  });
});
