/**
 * The lookup-only read (readForLookup: Layout.read with ReadOptions.mustOnly, which stops at the
 * first MUST finding and skips SHOULD-only checks) that builtin:reference, the fuzz oracle and
 * the conformance reference decoder answer from. On thousands of seeded valid and malformed
 * sections of every layout and byte order (the fuzzer's own cases: rule breakers, integer edges,
 * varint, truncation, name, block, havoc and splice mutations), it must give exactly the verdict
 * of strictlyValid(read()) and, on valid sections, exactly strictLookup(read())'s answers.
 */
import { expect } from 'chai';
import { CaseFactory } from '../tools/fuzz/case-gen.js';
import { Decisions } from '../tools/fuzz/decisions.js';
import { fastGuardedSection } from '../tools/format/guarded-bytes.js';
import { lookupValid, readForLookup, strictLookup, strictlyValid } from '../tools/lookup/strict-lookup.js';
import type { Layout, LookupQuery } from '../tools/revisions/layout.js';
import { LAYOUTS } from '../tools/revisions/registry.js';

const CASES_PER_LAYOUT = 6000;

function extraQueries(d: Decisions, offsets: readonly number[]): LookupQuery[] {
  const out: LookupQuery[] = [{ offset: 0 }, { offset: 0xffff_ffff }];
  for (let i = 0; i < 6; i++) {
    const o = offsets.length > 0 && d.chance(0.8) ? offsets[d.below(offsets.length)]! + d.below(3) - 1 : d.u32();
    out.push(d.chance(0.3) ? { offset: o >>> 0, symbolStart: (o - d.below(8)) >>> 0 } : { offset: o >>> 0 });
  }
  return out;
}

/** Compares the fast path with the full read on one section; returns whether it was valid. */
function agree(layout: Layout, bytes: Uint8Array, endian: 'le' | 'be', queries: readonly LookupQuery[], what: string, symbols?: Readonly<Record<string, number>>): boolean {
  const full = layout.read(bytes, endian, symbols);
  const fast = readForLookup(layout, bytes, endian, symbols);
  const valid = strictlyValid(full);
  expect(fast !== null, `${what}: verdict (full read: ${full.findings.map((f) => f.rule).join(',') || 'no findings'}, decoded ${full.decoded})`).to.equal(valid);
  if (fast === null) return false;
  for (const q of queries) {
    expect(lookupValid(fast, q), `${what}: query ${JSON.stringify(q)}`).to.deep.equal(strictLookup(full, q));
  }
  return true;
}

describe('lookup-only reference read (readForLookup) = strictLookup(read())', function () {
  this.timeout(600_000);

  for (const layout of LAYOUTS) {
    it(`${layout.id}: ${CASES_PER_LAYOUT} seeded fuzz cases, same MUST verdict and answers`, () => {
      const factory = new CaseFactory({ seed: 0x5eed_0000 + layout.id.length, layouts: [layout], endians: ['le', 'be'], maxEntries: 5000 });
      let valid = 0;
      let malformed = 0;
      for (let i = 0; i < CASES_PER_LAYOUT; i++) {
        const c = factory.make(i).case;
        const d = Decisions.seeded(7, 3, i);
        // extra queries at the entries of an unmutated section
        const offsets = c.mutator === 'none' ? layout.read(c.bytes, c.endian).entries.map((e) => e.offset) : [];
        const queries: LookupQuery[] = [...c.queries.map((q) => (q.symbolStart === undefined ? { offset: q.offset } : { offset: q.offset, symbolStart: q.symbolStart })), ...extraQueries(d, offsets)];
        const what = `${layout.id}/${c.endian} case ${i} (${c.mutator}: ${c.description})`;
        if (agree(layout, c.bytes, c.endian, queries, what)) valid++;
        else malformed++;
        // vmlinux rule breakers may come with their symbol table
        if (c.symbols) agree(layout, c.bytes, c.endian, queries, `${what} with symbols`, c.symbols);
        // on the guarded view the reference target reads through
        if (i % 10 === 0) {
          const fast = readForLookup(layout, fastGuardedSection(c.bytes), c.endian);
          expect(fast === null, `${what}: verdict on the guarded view`).to.equal(readForLookup(layout, c.bytes, c.endian) === null);
        }
      }
      expect(valid, 'valid sections among the cases').to.be.greaterThan(CASES_PER_LAYOUT / 20);
      expect(malformed, 'malformed sections among the cases').to.be.greaterThan(CASES_PER_LAYOUT / 5);
    });
  }

  it('falls back to the full read for a layout that ignores the option', () => {
    const layout = LAYOUTS.find((l) => l.id === 'v1')!;
    const ignoring: Layout = { ...layout, read: (bytes, endian, symbols) => layout.read(bytes, endian, symbols) };
    const factory = new CaseFactory({ seed: 11, layouts: [layout], endians: ['le', 'be'], maxEntries: 2000 });
    for (let i = 0; i < 500; i++) {
      const c = factory.make(i).case;
      const a = readForLookup(ignoring, c.bytes, c.endian);
      const b = readForLookup(layout, c.bytes, c.endian);
      expect(a === null, `case ${i}`).to.equal(b === null);
      if (a && b) for (const q of c.queries) expect(lookupValid(a, q)).to.deep.equal(lookupValid(b, q));
    }
  });
});
