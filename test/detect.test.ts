/**
 * Layout and byte-order detection on raw files (module sections and vmlinux table images):
 * the right answer for real tables, `alsoFits` when the bytes are ambiguous, and
 * --revision/--endian overriding detection.
 */
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENDIANS } from '../tools/format/endian.js';
import type { Endian } from '../tools/format/endian.js';
import type { LoadedTable } from '../tools/input/load-input.js';
import { resolveLayout } from '../tools/input/resolve-layout.js';
import type { LineTable } from '../tools/model/line-table.js';
import { LAYOUT_TRAITS } from '../tools/revisions/layout-id.js';
import type { LayoutId } from '../tools/revisions/layout-id.js';
import { noteCount, warningCount } from '../tools/revisions/detect.js';
import { LAYOUTS, layoutById } from '../tools/revisions/registry.js';
import { validator } from '../tools/schemas/json-schemas.js';
import { lineinfo } from './support/cli.js';
import { stderrLines } from './support/cli-expect.js';
import { randomTable } from './support/random-tables.js';
import { standardTables, tableWithEntries } from './support/table-set.js';
import { tempDir } from './support/tmp.js';

interface DumpJson {
  layout: string;
  endian: Endian;
  detected: boolean;
  container: string;
  alsoFits: { layout: string; endian: Endian }[];
  entries: { offset: number; file: number; line: number }[];
}

function raw(bytes: Uint8Array): LoadedTable {
  return { file: 'raw.bin', container: null, bytes, fileOffset: 0, source: 'raw', sectionName: null, endian: null };
}

function dumpJson(args: string[]): { status: number | null; json: DumpJson; stderr: string } {
  const r = lineinfo(['dump', ...args, '--json']);
  const json = JSON.parse(r.stdout) as DumpJson;
  const v = validator('section-dump');
  if (!v(json)) expect.fail(`dump --json does not match the schema: ${JSON.stringify(v.errors?.slice(0, 3))}`);
  return { status: r.status, json, stderr: r.stderr };
}

/** (layout, byte order) pairs 24 zero bytes fit: every layout whose fixed header is that small (not v3's 48). */
const FIT_24 = LAYOUTS.filter((l) => l.headerSize <= 24).flatMap((l) => ENDIANS.map((e) => `${l.id}/${e}`));

/**
 * Every layout (registry order) whose encoding of `table` is exactly `bytes`: layouts that share
 * their bytes with an earlier one always (v7 and v5), others on some tables (v1 and v2 when the
 * stream ends on a multiple of 4, so that v2's padding before the file table is empty).
 */
function sameBytes(table: LineTable, endian: Endian, bytes: Uint8Array): string[] {
  const b = Buffer.from(bytes);
  return LAYOUTS.filter((l) => b.equals(Buffer.from(l.encode(table, endian)))).map((l) => l.id);
}

/**
 * Layouts that share their bytes with an earlier one (traits.sameBytesAs, e.g. v7 and v5) cannot
 * be told apart: detection answers the earliest and lists the others as also fitting.
 */
function canonical(id: LayoutId): LayoutId {
  return (LAYOUT_TRAITS[id].sameBytesAs as LayoutId | undefined) ?? id;
}
function twins(id: LayoutId): LayoutId[] {
  const c = canonical(id);
  return LAYOUTS.map((l) => l.id).filter((x) => x !== c && canonical(x) === c);
}

describe('layout and byte-order detection', function () {
  let dir: ReturnType<typeof tempDir>;
  before(() => {
    dir = tempDir('detect');
  });
  after(() => dir?.remove());

  it('in-process: tables of 3+ entries are detected exactly and unambiguously, for every layout and byte order', function () {
    let n = 0;
    let ties = 0;
    for (const nt of standardTables(200)) {
      if (nt.table.entries.length < 3) continue;
      for (const layout of LAYOUTS) {
        for (const endian of ENDIANS) {
          const bytes = layout.encode(nt.table, endian);
          const r = resolveLayout(raw(bytes), {});
          const where = `${nt.label} encoded as ${layout.id}/${endian}`;
          // Layouts that encode this table to the very same bytes cannot be told apart: the
          // earliest registered one is the answer, the others also fit.
          const same = sameBytes(nt.table, endian, bytes);
          const score = (id: string, e: Endian): [number, number] => {
            const m = layoutById(id as LayoutId).read(bytes, e);
            return [warningCount(m), noteCount(m)];
          };
          const truth = score(layout.id, endian);
          // A zigzag stream read as SLEB128 or the other way round (vmlinux-v2 and vmlinux-v3)
          // often decodes without errors or warnings (the notes then decide, and may pick the
          // wrong one), the other being listed. Nothing else may beat or tie with the true reading.
          const codingTwin = (id: string): boolean => {
            const a = LAYOUT_TRAITS[id as LayoutId];
            const t = layout.traits;
            return a.container === t.container && a.locate === t.locate && a.deltas !== t.deltas;
          };
          const tie = (id: string, e: Endian): boolean => codingTwin(id) && e === endian && score(id, e)[0] === truth[0];
          if (r.layout.id !== same[0]) {
            expect(tie(r.layout.id, r.endian), `${where}: detected as ${r.layout.id}/${r.endian}`).to.equal(true);
            ties++;
          } else {
            expect(`${r.layout.id}/${r.endian}`, where).to.equal(`${same[0]}/${endian}`);
          }
          expect(r.detected, where).to.equal(true);
          // Other layouts may read the bytes without breaking a MUST rule, but only with more
          // SHOULD warnings (v2's padding read as v1: a misaligned, garbled file table) or notes.
          const found = [r, ...r.alsoFits.map((a) => ({ layout: { id: a.layout }, endian: a.endian }))];
          expect(found.map((a) => `${a.layout.id}/${a.endian}`), where).to.include.members(same.map((id) => `${id}/${endian}`));
          for (const a of found) {
            if (same.includes(a.layout.id) && a.endian === endian) continue;
            if (tie(a.layout.id, a.endian)) continue;
            const [w, nn] = score(a.layout.id, a.endian);
            expect(w > truth[0] || (w === truth[0] && nn > truth[1]), `${where}: also fits ${a.layout.id}/${a.endian} (${w} warnings, ${nn} notes)`).to.equal(true);
          }
          n++;
        }
      }
    }
    expect(n).to.be.greaterThan(1000);
    expect(ties, 'zigzag/SLEB128 ties are the exception').to.be.below(n / 10);
  });

  it('in-process: whatever the table, the true layout is the answer or listed in alsoFits', function () {
    for (const nt of standardTables(200)) {
      for (const layout of LAYOUTS) {
        for (const endian of ENDIANS) {
          const r = resolveLayout(raw(layout.encode(nt.table, endian)), {});
          const found = [`${r.layout.id}/${r.endian}`, ...r.alsoFits.map((a) => `${a.layout}/${a.endian}`)];
          expect(found, `${nt.label} as ${layout.id}/${endian}`).to.include(`${layout.id}/${endian}`);
          expect(new Set(found).size, 'no pair reported twice').to.equal(found.length);
        }
      }
    }
  });

  describe('CLI on raw files', function () {
    const table: LineTable = tableWithEntries(31337, 150, 9);
    for (const layout of LAYOUTS) {
      for (const endian of ENDIANS) {
        it(`${layout.id} ${endian}: dump detects it (JSON and text)`, function () {
          const f = join(dir.path, `${layout.id}-${endian}.bin`);
          writeFileSync(f, layout.encode(table, endian));
          const { status, json } = dumpJson([f]);
          expect(status).to.equal(0);
          expect({ layout: json.layout, endian: json.endian, detected: json.detected, container: json.container }).to.deep.equal({
            layout: canonical(layout.id),
            endian,
            detected: true,
            container: layout.container,
          });
          expect(json.alsoFits).to.deep.equal(twins(layout.id).map((id) => ({ layout: id, endian })));
          expect(json.entries.map((e) => ({ offset: e.offset, fileId: e.file, line: e.line }))).to.deep.equal(table.entries);
          const text = lineinfo(['dump', f, '--summary']);
          expect(text.status).to.equal(0);
          expect(text.stdout).to.match(new RegExp(`^Layout: ${canonical(layout.id)} .*${endian === 'le' ? 'little' : 'big'}-endian, detected$`, 'm'));
          if (twins(layout.id).length === 0) expect(text.stdout).to.not.include('also fit');
        });
      }
    }
  });

  describe('ambiguous bytes', function () {
    it('an all-zero 24-byte buffer fits every layout whose header fits in 24 bytes, in both byte orders: alsoFits lists the others', function () {
      const f = join(dir.path, 'zero24.bin');
      writeFileSync(f, new Uint8Array(24));
      const { status, json } = dumpJson([f]);
      expect(status).to.equal(0);
      expect(json.detected).to.equal(true);
      expect(json.alsoFits.length).to.be.greaterThan(0);
      const reported = [`${json.layout}/${json.endian}`, ...json.alsoFits.map((a) => `${a.layout}/${a.endian}`)];
      expect(reported.sort()).to.deep.equal([...FIT_24].sort());
      const text = lineinfo(['dump', f]);
      expect(text.status).to.equal(0);
      expect(text.stdout).to.match(/also fit/);
      for (const a of json.alsoFits) expect(text.stdout).to.include(`${a.layout}/${a.endian}`);
    });

    it('a one-file empty v1 section also reads as a valid v1-flat section', function () {
      // v1: 24-byte header, no blocks, file_offsets [0], "a\0": as v1-flat the header's 4th word
      // (num_blocks = 0) is the reserved field, and the rest parses as an (empty-named) file table
      const table: LineTable = { files: ['a'], entries: [] };
      const bytes = layoutById('v1').encode(table, 'le');
      expect(bytes.length).to.equal(30);
      const f = join(dir.path, 'tiny-v1.bin');
      writeFileSync(f, bytes);
      const { status, json } = dumpJson([f]);
      expect(status).to.equal(0);
      const reported = [`${json.layout}/${json.endian}`, ...json.alsoFits.map((a) => `${a.layout}/${a.endian}`)];
      expect(reported).to.include.members(['v1/le', 'v1-flat/le']);
      expect(json.alsoFits.length).to.be.greaterThan(0);
      expect(lineinfo(['dump', f]).stdout).to.match(/also fit/);
    });

    it('a two-entry vmlinux-v1 image also fits vmlinux-v1-flat: the ambiguity is reported', function () {
      const table: LineTable = { files: ['dir0/sub/file_0.c'], entries: [{ offset: 1615, fileId: 0, line: 220 }, { offset: 1624, fileId: 0, line: 19803 }] };
      const f = join(dir.path, 'tiny-vmlinux-v1.bin');
      writeFileSync(f, layoutById('vmlinux-v1').encode(table, 'le'));
      const { status, json } = dumpJson([f]);
      expect(status).to.equal(0);
      const reported = [`${json.layout}/${json.endian}`, ...json.alsoFits.map((a) => `${a.layout}/${a.endian}`)];
      expect(reported).to.include.members(['vmlinux-v1/le', 'vmlinux-v1-flat/le']);
      expect(json.alsoFits.length).to.be.greaterThan(0);
      expect(lineinfo(['dump', f]).stdout).to.match(/also fit/);
      // and the override picks the intended reading
      const given = dumpJson([f, '--revision', 'vmlinux-v1']);
      expect(given.json.entries.map((e) => ({ offset: e.offset, fileId: e.file, line: e.line }))).to.deep.equal(table.entries);
    });
  });

  describe('--revision / --endian override detection', function () {
    const table = randomTable(777, 400);
    let v1le: string;
    let v1be: string;
    let zero: string;
    before(function () {
      v1le = join(dir.path, 'ov-v1-le.bin');
      v1be = join(dir.path, 'ov-v1-be.bin');
      zero = join(dir.path, 'ov-zero24.bin');
      writeFileSync(v1le, layoutById('v1').encode(table, 'le'));
      writeFileSync(v1be, layoutById('v1').encode(table, 'be'));
      writeFileSync(zero, new Uint8Array(24));
    });

    it('both given: used as given on ambiguous bytes, nothing else reported', function () {
      const { status, json } = dumpJson([zero, '--revision', 'vmlinux-v1', '--endian', 'be']);
      expect(status).to.equal(0);
      expect({ layout: json.layout, endian: json.endian, detected: json.detected, alsoFits: json.alsoFits }).to.deep.equal({
        layout: 'vmlinux-v1',
        endian: 'be',
        detected: false,
        alsoFits: [],
      });
      expect(lineinfo(['dump', zero, '--revision', 'vmlinux-v1', '--endian', 'be']).stdout).to.not.include('also fit');
    });

    it('both given: a wrong layout is used anyway, reported as a MUST violation (exit 2, JSON still printed)', function () {
      const r = dumpJson([v1le, '--revision', 'v1-flat', '--endian', 'le']);
      expect(r.json.layout).to.equal('v1-flat');
      expect(r.json.detected).to.equal(false);
      expect(r.status).to.equal(2);
      expect(stderrLines({ ...r, stdout: '', stdoutBytes: Buffer.alloc(0) })).to.have.length(1);
      const wrongEndian = dumpJson([v1le, '--revision', 'v1', '--endian', 'be']);
      expect(wrongEndian.json.endian).to.equal('be');
      expect(wrongEndian.status).to.equal(2);
    });

    it('--revision alone: the byte order is still detected', function () {
      const { status, json } = dumpJson([v1be, '--revision', 'v1']);
      expect(status).to.equal(0);
      expect({ layout: json.layout, endian: json.endian, detected: json.detected }).to.deep.equal({ layout: 'v1', endian: 'be', detected: true });
      const z = dumpJson([zero, '--revision', 'vmlinux-v1']);
      expect(z.json.layout).to.equal('vmlinux-v1');
      expect(z.json.alsoFits).to.deep.equal([{ layout: 'vmlinux-v1', endian: z.json.endian === 'le' ? 'be' : 'le' }]);
    });

    it('--endian alone: the layout is detected in that byte order only', function () {
      const { status, json } = dumpJson([v1be, '--endian', 'be']);
      expect(status).to.equal(0);
      expect({ layout: json.layout, endian: json.endian }).to.deep.equal({ layout: 'v1', endian: 'be' });
      const z = dumpJson([zero, '--endian', 'be']);
      expect(z.json.endian).to.equal('be');
      expect(z.json.alsoFits.every((a) => a.endian === 'be')).to.equal(true);
      expect(z.json.alsoFits.length).to.equal(FIT_24.length / 2 - 1);
    });

    it('lookup honours the same overrides', function () {
      const q = table.entries[5]!.offset;
      const want = `0x${q.toString(16)} ${table.files[table.entries[5]!.fileId]}:${table.entries[5]!.line}\n`;
      expect(lineinfo(['lookup', v1be, String(q)]).stdout).to.equal(want);
      expect(lineinfo(['lookup', v1be, String(q), '--revision', 'v1', '--endian', 'be']).stdout).to.equal(want);
      const wrong = lineinfo(['lookup', v1be, String(q), '--revision', 'v1', '--endian', 'le']);
      expect(wrong.status).to.equal(2);
      expect(stderrLines(wrong)).to.have.length(1);
    });
  });
});
