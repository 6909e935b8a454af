/**
 * Encode -> structural read -> lookups, for every registered layout and both byte orders, over
 * 200 tables (edge cases + seeded random ones). Lookups are checked three ways: the kernel-
 * faithful algorithm, the strict reference lookup, and a brute-force oracle written here.
 * Also: normaliseEntries against the generator's documented rules, with hand-made cases.
 */
import { expect } from 'chai';
import { ENDIANS } from '../tools/format/endian.js';
import type { Endian } from '../tools/format/endian.js';
import { strictLookup } from '../tools/lookup/strict-lookup.js';
import { normaliseEntries } from '../tools/model/line-table.js';
import type { Entry, LineTable } from '../tools/model/line-table.js';
import type { Layout, LookupAnswer, LookupQuery, SectionModel } from '../tools/revisions/layout.js';
import { LAYOUTS } from '../tools/revisions/registry.js';
import { ruleById } from '../tools/rules/catalogue.js';
import { bruteLookup, layoutLookup, messyRows, queryOffsets, referenceNormalise } from './support/oracle.js';
import type { OracleAnswer } from './support/oracle.js';
import { standardTables } from './support/table-set.js';
import type { NamedTable } from './support/table-set.js';

const TABLES: NamedTable[] = standardTables(200);

function mustFindings(model: SectionModel): string[] {
  return model.findings.filter((f) => ruleById(f.rule).level === 'MUST').map((f) => `${f.rule} ${f.field}: ${f.message}`);
}

function plain(entries: readonly Entry[]): Entry[] {
  return entries.map((e) => ({ offset: e.offset, fileId: e.fileId, line: e.line }));
}

function describeAnswer(a: LookupAnswer | OracleAnswer): string {
  return JSON.stringify(a);
}

const utf8 = new TextEncoder();

function checkAnswer(actual: LookupAnswer, expected: OracleAnswer, what: string, bytes: Uint8Array): void {
  if (expected.kind === 'hit') {
    const got = actual.kind === 'hit' ? { kind: actual.kind, file: actual.file, line: actual.line, fileId: actual.fileId, entryOffset: actual.entryOffset } : actual;
    if (JSON.stringify(got) !== JSON.stringify(expected)) {
      expect.fail(`${what}: expected ${describeAnswer(expected)}, got ${describeAnswer(actual)}`);
    }
    // where the answer says the name is, the section holds it, NUL-terminated
    const nameAt = (actual as { nameAt?: unknown }).nameAt;
    if (typeof nameAt === 'number') {
      const name = utf8.encode(expected.file);
      const at = bytes.subarray(nameAt, nameAt + name.length + 1);
      if (!(at.length === name.length + 1 && at[name.length] === 0 && name.every((b, i) => at[i] === b))) {
        expect.fail(`${what}: nameAt ${nameAt} does not point at "${expected.file}\\0"`);
      }
    }
  } else if (actual.kind !== 'miss') {
    expect.fail(`${what}: expected no annotation, got ${describeAnswer(actual)}`);
  }
}

/** Symbol starts to try with a query: none, 0, the query itself, around the nearest entry. */
function symbolStarts(t: LineTable, q: number): (number | undefined)[] {
  const starts: (number | undefined)[] = [undefined, 0, q];
  const hit = bruteLookup(t, q);
  if (hit.kind === 'hit') {
    starts.push(hit.entryOffset);
    if (hit.entryOffset < 0xffff_ffff) starts.push(hit.entryOffset + 1);
    if (hit.entryOffset > 0) starts.push(hit.entryOffset - 1);
  }
  if (q < 0xffff_ffff) starts.push(q + 1);
  return starts;
}

function runLookups(layout: Layout, endian: Endian, nt: NamedTable): number {
  const t = nt.table;
  const bytes = layout.encode(t, endian);
  const model = layout.read(bytes, endian);
  const queries = queryOffsets(t, nt.seed, t.files.length > 10_000 ? 10 : 120);
  let checked = 0;
  queries.forEach((q, qi) => {
    // every query without a symbol start; a third of them with every symbol-start variant
    const starts = qi % 3 === 0 ? symbolStarts(t, q) : [undefined];
    for (const symbolStart of starts) {
      const query: LookupQuery = symbolStart === undefined ? { offset: q } : { offset: q, symbolStart };
      const expected = layoutLookup(layout, t, q, symbolStart);
      const what = `${layout.id}/${endian} ${nt.label}: offset 0x${q.toString(16)}${symbolStart === undefined ? '' : ` symbol start 0x${symbolStart.toString(16)}`}`;
      checkAnswer(layout.lookupKernel(bytes, endian, query), expected, `lookupKernel ${what}`, bytes);
      checkAnswer(strictLookup(model, query), expected, `strictLookup ${what}`, bytes);
      checked++;
    }
  });
  return checked;
}

describe('round trip: encode -> read -> lookup', function () {
  it('the table set covers the edge cases the brief asks for', function () {
    const sizes = new Set(TABLES.map((t) => t.table.entries.length));
    for (const n of [0, 1, 64, 65, 128]) expect(sizes.has(n), `a table with ${n} entries`).to.equal(true);
    expect(TABLES.some((t) => t.table.files.length === 1 && t.table.entries.length > 100)).to.equal(true);
    expect(TABLES.some((t) => t.table.files.length >= 1000)).to.equal(true);
    expect(TABLES).to.have.length(200);
    // the tables are valid generator output: strictly increasing offsets, ids in range
    for (const nt of TABLES) {
      nt.table.entries.forEach((e, i, a) => {
        if (i > 0) expect(e.offset, nt.label).to.be.greaterThan(a[i - 1]!.offset);
        expect(e.fileId, nt.label).to.be.below(nt.table.files.length);
      });
    }
  });

  for (const layout of LAYOUTS) {
    for (const endian of ENDIANS) {
      describe(`${layout.id}, ${endian}`, function () {
        it('decodes every table back to its entries and files, with no MUST finding', function () {
          for (const nt of TABLES) {
            const bytes = layout.encode(nt.table, endian);
            const model = layout.read(bytes, endian);
            const where = `${layout.id}/${endian} ${nt.label}`;
            expect(mustFindings(model), where).to.deep.equal([]);
            expect(model.decoded, where).to.equal(true);
            expect(model.layout, where).to.equal(layout.id);
            expect(model.size, where).to.equal(bytes.length);
            const decoded = plain(model.entries);
            if (JSON.stringify(decoded) !== JSON.stringify(nt.table.entries)) {
              const i = decoded.findIndex((e, k) => JSON.stringify(e) !== JSON.stringify(nt.table.entries[k]));
              expect.fail(`${where}: entries differ (${decoded.length} vs ${nt.table.entries.length}); first at ${i}: ${JSON.stringify(decoded[i])} vs ${JSON.stringify(nt.table.entries[i])}`);
            }
            expect(model.files.map((f) => f.name), where).to.deep.equal(nt.table.files);
            expect(model.files.map((f) => f.id), where).to.deep.equal(nt.table.files.map((_, i) => i));
          }
        });

        it('the other byte order does not decode the same bytes to the same table', function () {
          const other: Endian = endian === 'le' ? 'be' : 'le';
          for (const nt of TABLES.filter((x) => x.table.entries.length >= 2)) {
            const bytes = layout.encode(nt.table, endian);
            const model = layout.read(bytes, other);
            const same = model.decoded && mustFindings(model).length === 0 && JSON.stringify(plain(model.entries)) === JSON.stringify(nt.table.entries);
            expect(same, `${nt.label} read as ${other}`).to.equal(false);
          }
        });

        it('kernel lookup == strict lookup == brute-force oracle for every table', function () {
          let checked = 0;
          for (const nt of TABLES) checked += runLookups(layout, endian, nt);
          expect(checked).to.be.greaterThan(10_000);
        });
      });
    }
  }
});

describe('normaliseEntries (the generator\'s rules)', function () {
  const E = (offset: number, fileId: number, line: number): Entry => ({ offset, fileId, line });

  it('drops line-0 rows', function () {
    expect(normaliseEntries([E(0, 0, 0), E(4, 0, 5), E(8, 1, 0)])).to.deep.equal([E(4, 0, 5)]);
    expect(normaliseEntries([E(0, 0, 0)])).to.deep.equal([]);
  });

  it('drops line-0 rows before de-duplicating, so they never win an offset', function () {
    // file 0 sorts first at offset 8, but its row has line 0: the file-1 row is kept
    expect(normaliseEntries([E(8, 1, 3), E(8, 0, 0)])).to.deep.equal([E(8, 1, 3)]);
  });

  it('keeps the lowest (file, line) among rows with equal offsets', function () {
    expect(normaliseEntries([E(8, 2, 1), E(8, 1, 9), E(8, 1, 3), E(8, 1, 4)])).to.deep.equal([E(8, 1, 3)]);
    expect(normaliseEntries([E(0, 3, 1), E(0, 0, 900), E(16, 5, 5), E(16, 5, 2)])).to.deep.equal([E(0, 0, 900), E(16, 5, 2)]);
  });

  it('sorts by offset numerically, including offsets above 2^31', function () {
    const rows = [E(0xffff_ffff, 0, 1), E(0x8000_0000, 0, 2), E(0x7fff_ffff, 0, 3), E(0x10, 0, 4), E(0x9, 0, 5)];
    expect(normaliseEntries(rows).map((e) => e.offset)).to.deep.equal([0x9, 0x10, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff]);
  });

  it('drops a row repeating the (file, line) of the previous kept row, but not a later repeat', function () {
    expect(normaliseEntries([E(0, 0, 5), E(4, 0, 5), E(8, 0, 6), E(12, 0, 5), E(16, 1, 5)])).to.deep.equal([
      E(0, 0, 5),
      E(8, 0, 6),
      E(12, 0, 5),
      E(16, 1, 5),
    ]);
  });

  it('compares with the last KEPT row: a dropped repeat does not block a later row at its offset', function () {
    // (4,0,1) repeats (0,0,1) and is dropped; (4,0,2) then has a new offset relative to the
    // last kept row (0) and is kept, exactly as the generator's walk does
    expect(normaliseEntries([E(4, 0, 2), E(0, 0, 1), E(4, 0, 1)])).to.deep.equal([E(0, 0, 1), E(4, 0, 2)]);
  });

  it('does not modify its input', function () {
    const rows = [E(8, 1, 3), E(0, 0, 0), E(4, 0, 1)];
    const copy = JSON.parse(JSON.stringify(rows)) as Entry[];
    normaliseEntries(rows);
    expect(rows).to.deep.equal(copy);
  });

  it('agrees with the reference walk on 300 messy random row sets, and is idempotent', function () {
    for (let seed = 1; seed <= 300; seed++) {
      const rows = messyRows(seed, 1 + (seed % 97) * 3, 1 + (seed % 5));
      const got = normaliseEntries(rows);
      expect(got, `seed ${seed}`).to.deep.equal(referenceNormalise(rows));
      expect(normaliseEntries(got), `seed ${seed} twice`).to.deep.equal(got);
      got.forEach((e, i) => {
        if (i === 0) return;
        const p = got[i - 1]!;
        expect(e.offset, `seed ${seed} strictly increasing`).to.be.greaterThan(p.offset);
        expect(e.fileId === p.fileId && e.line === p.line, `seed ${seed} consecutive repeat at ${i}`).to.equal(false);
        expect(e.line).to.be.greaterThan(0);
      });
    }
  });
});
