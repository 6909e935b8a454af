/**
 * `lineinfo fuzz`: the generators make valid sections of every layout and byte order, replayable
 * and shrinkable through their decision streams; every targeted mutator breaks the rule it names
 * (the validator says so); the oracle reports nothing against correct decoders and finds each
 * planted bug quickly; the minimiser shrinks a planted bug to a few dozen bytes; runs are
 * deterministic for any number of jobs; the CLI obeys its options and exit codes.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { RULES } from '../tools/rules/catalogue.js';
import { breakerFor } from '../tools/mutate/rule-breakers.js';
import { layoutById, LAYOUTS } from '../tools/revisions/registry.js';
import { checkModuleContainer } from '../tools/validate/container-rules.js';
import { checkAgainstDwarf } from '../tools/validate/dwarf-crosscheck.js';
import { CaseFactory } from '../tools/fuzz/case-gen.js';
import { Decisions } from '../tools/fuzz/decisions.js';
import { examineSync } from '../tools/fuzz/engine.js';
import { fastGuardedSection, FastViewPool, GuardViolation, guardedSection } from '../tools/format/guarded-bytes.js';
import { MUTATORS, mutatorByName } from '../tools/fuzz/mutators.js';
import { Reference } from '../tools/fuzz/oracle.js';
import { ensureShape, generateTable, SIZE_CLASSES } from '../tools/fuzz/table-gen.js';
import { loadTarget, parseTarget } from '../tools/fuzz/targets.js';
import type { LoadedTarget } from '../tools/fuzz/targets.js';
import { runFuzz } from '../tools/fuzz/fuzz.js';
import { REPO } from './support/cli.js';
import { lineinfoAsync } from './support/run-async.js';
import { tempDir } from './support/tmp.js';

const FIXTURES = join(REPO, 'test/fixtures/fuzz');
const fixture = (name: string): string => `module:${join(FIXTURES, name)}`;
const PLANTED = ['no-file-offsets-bound', 'no-data-end-clamp', 'no-nul-check', 'u32-size-check', 'unbounded-last-block', 'no-empty-check'];

function factoryFor(target: LoadedTarget, seed: number): CaseFactory {
  return new CaseFactory({ seed, layouts: LAYOUTS.filter((l) => target.layouts.includes(l.id)), endians: ['le', 'be'] });
}

/** in-process: index of the first case that is a finding, or -1 */
function firstFinding(target: LoadedTarget, seed: number, limit: number): { index: number; category: string; mutator: string } {
  const f = factoryFor(target, seed);
  for (let i = 0; i < limit; i++) {
    const c = f.make(i).case;
    const ex = examineSync(target, c);
    if (ex.verdict) return { index: i, category: ex.verdict.category, mutator: c.mutator };
  }
  return { index: -1, category: '', mutator: '' };
}

describe('fuzz: valid-section generators and decision streams', () => {
  const none = [mutatorByName('none')!];

  for (const layout of LAYOUTS) {
    for (const endian of ['le', 'be'] as const) {
      it(`${layout.id}/${endian}: generated sections are valid, sized from empty to thousands of entries`, () => {
        const f = new CaseFactory({ seed: 11, layouts: [layout], endians: [endian], mutators: none, maxEntries: 20_000 });
        const sizes: number[] = [];
        for (let i = 0; i < 400; i++) {
          const c = f.make(i).case;
          const ref = new Reference(layout, endian, c.bytes);
          expect(ref.valid, `case ${i}: ${ref.model.findings.filter((x) => x.rule.startsWith('LI')).map((x) => `${x.rule} ${x.message}`).join('; ')}`).to.equal(true);
          expect(ref.model.entries.length).to.equal(c.tableEntries);
          sizes.push(c.tableEntries);
        }
        expect(Math.min(...sizes)).to.be.lessThan(3);
        expect(sizes.filter((n) => n <= 64).length).to.be.greaterThan(300); // biased to small tables
        expect(Math.max(...sizes)).to.be.greaterThan(64);
      });
    }
  }

  it('the size classes reach 10^6 entries, and such a table encodes to a valid section', function () {
    this.timeout(120_000);
    expect(SIZE_CLASSES[SIZE_CLASSES.length - 1]!.max).to.equal(1_000_000);
    const giant = SIZE_CLASSES.find((c) => c.name === 'giant')!;
    const t = generateTable(Decisions.seeded(3, 99, 0), { ...giant, min: 1_000_000 });
    expect(t.entries.length).to.be.within(900_000, 1_000_000);
    expect(t.files.length).to.be.greaterThan(100);
    const v1 = layoutById('v1');
    expect(new Reference(v1, 'le', v1.encode(t, 'le')).valid).to.equal(true);
  });

  it('a case is a pure function of (seed, case index), and of its recorded decisions', () => {
    const a = new CaseFactory({ seed: 5, layouts: LAYOUTS, endians: ['le', 'be'] });
    const b = new CaseFactory({ seed: 5, layouts: LAYOUTS, endians: ['le', 'be'] });
    for (let i = 0; i < 300; i++) {
      const x = a.make(i).case;
      const y = b.make(i, true);
      expect(Buffer.from(y.case.bytes).equals(Buffer.from(x.bytes)), `case ${i}`).to.equal(true);
      expect(y.case.queries).to.deep.equal(x.queries);
      const z = b.fromDecisions(y.decisions!).case;
      expect(Buffer.from(z.bytes).equals(Buffer.from(x.bytes)), `case ${i} from decisions`).to.equal(true);
      expect([z.mutator, z.layout.id, z.endian]).to.deep.equal([x.mutator, x.layout.id, x.endian]);
    }
    const other = new CaseFactory({ seed: 6, layouts: LAYOUTS, endians: ['le', 'be'] });
    const differ = Array.from({ length: 50 }, (_, i) => !Buffer.from(other.make(i).case.bytes).equals(Buffer.from(a.make(i).case.bytes))).filter(Boolean).length;
    expect(differ).to.be.greaterThan(40);
  });

  it('no mutator writes into a cached section: 4000 cases over the tiny tables (each cached section reused many times) equal the same cases built uncached', () => {
    const cached = new CaseFactory({ seed: 9, layouts: LAYOUTS, endians: ['le', 'be'], maxEntries: 4 });
    const uncached = new CaseFactory({ seed: 9, layouts: LAYOUTS, endians: ['le', 'be'], maxEntries: 4 });
    const mutators = new Set<string>();
    for (let i = 0; i < 4000; i++) {
      const x = cached.make(i).case;
      const y = uncached.make(i, true).case;
      mutators.add(x.mutator);
      expect(Buffer.from(x.bytes).equals(Buffer.from(y.bytes)), `case ${i} (${x.mutator})`).to.equal(true);
    }
    expect(mutators.size, 'most mutators ran').to.be.greaterThan(40);
  });

  it('rule breakers handed out again from a cached section (those that draw no decision) make what they make uncached', () => {
    const breakers = MUTATORS.filter((m) => m.name.startsWith('break:'));
    const a = new CaseFactory({ seed: 3, layouts: LAYOUTS, endians: ['le', 'be'], mutators: breakers });
    const b = new CaseFactory({ seed: 3, layouts: LAYOUTS, endians: ['le', 'be'], mutators: breakers });
    const same = (x: ReturnType<CaseFactory['make']>['case'], y: ReturnType<CaseFactory['make']>['case'], what: string) => {
      expect(Buffer.from(y.bytes).equals(Buffer.from(x.bytes)), what).to.equal(true);
      expect([y.mutator, y.rule, y.description, y.layout.id, y.endian], what).to.deep.equal([x.mutator, x.rule, x.description, x.layout.id, x.endian]);
      expect([y.symbols, y.container, y.dwarfTable], what).to.deep.equal([x.symbols, x.container, x.dwarfTable]);
      expect(y.queries, what).to.deep.equal(x.queries);
    };
    const first = Array.from({ length: 600 }, (_, i) => a.make(i).case);
    const copies = first.map((c) => Uint8Array.from(c.bytes));
    for (let i = 0; i < first.length; i++) {
      const again = a.make(i).case; // the same cached section: a breaker that drew nothing is not run again
      const fresh = b.make(i, true).case; // recording bypasses every cache
      same(first[i]!, again, `case ${i} again`);
      same(first[i]!, fresh, `case ${i} uncached`);
      expect(Buffer.from(first[i]!.bytes).equals(Buffer.from(copies[i]!)), `case ${i} untouched`).to.equal(true);
    }
  });

  it('shrunk decision streams (zeroed, truncated) still give valid sections', () => {
    const f = new CaseFactory({ seed: 9, layouts: LAYOUTS, endians: ['le', 'be'], mutators: [mutatorByName('none')!] });
    for (let i = 0; i < 100; i++) {
      const { decisions } = f.make(i, true);
      for (const edit of [
        { table: [], case: decisions!.case },
        { table: decisions!.table.map(() => 0), case: decisions!.case },
        { table: decisions!.table.slice(0, decisions!.table.length >> 1), case: decisions!.case.map(() => 0) },
      ]) {
        const c = f.fromDecisions(edit).case;
        expect(new Reference(c.layout, c.endian, c.bytes).valid, `case ${i}`).to.equal(true);
      }
    }
  });
});

describe('fuzz: structure-aware mutators', () => {
  it('every MUST rule has a mutator that targets it on every layout it applies to', () => {
    for (const rule of RULES.filter((r) => r.level === 'MUST')) {
      for (const id of rule.layouts) {
        const m = MUTATORS.filter((x) => x.rule === rule.id && x.layouts.includes(id));
        expect(m.length, `${rule.id} on ${id}`).to.be.greaterThan(0);
      }
    }
    expect(new Set(MUTATORS.map((m) => m.name)).size).to.equal(MUTATORS.length);
  });

  // Every mutator that names a rule for its output: the validator flags that rule.
  for (const m of MUTATORS) {
    it(`${m.name}: its targeted outputs break the rule they name`, function () {
      this.timeout(120_000);
      let targeted = 0;
      for (const id of m.layouts) {
        const layout = layoutById(id);
        for (const endian of ['le', 'be'] as const) {
          const tries = m.name === 'break:LI-HDR-005' ? 1 : 25;
          for (let i = 0; i < tries; i++) {
            const table = ensureShape(generateTable(Decisions.seeded(21, 16, i), SIZE_CLASSES[i % 3]!), m.shape ?? { key: 'any' });
            const valid = layout.encode(table, endian);
            const model = layout.read(valid, endian);
            const partner = layout.encode(generateTable(Decisions.seeded(22, 16, i), SIZE_CLASSES[0]!), endian);
            const r = m.apply({ layout, endian, table, valid, structure: model, d: Decisions.seeded(23, 1, i), partner: () => partner });
            if (!r) continue;
            if (m.rule !== null) expect(r.rule === m.rule || r.rule === null, `${m.name}: ${r.rule}`).to.equal(true);
            if (!r.rule) continue;
            targeted++;
            const got = layout.read(r.bytes, endian, r.symbols);
            const rules = [...got.findings, ...(r.container ? checkModuleContainer(got, r.container) : []), ...(r.dwarfTable ? checkAgainstDwarf(got, r.dwarfTable) : [])].map((x) => x.rule);
            expect(rules, `${id}/${endian} case ${i}: ${r.description}`).to.include(r.rule);
          }
        }
      }
      if (m.rule !== null) expect(targeted, 'no targeted output at all').to.be.greaterThan(0);
    });
  }

  // Regression: with two blocks, block_offsets[1] is vmlinux-v1's last block offset, which also
  // locates the stream's end; moved to 0 or far past the image it still breaks LI-BLK-002.
  it('the LI-BLK-002 breaker is flagged on 2-block vmlinux-v1 tables (block_offsets[1] = 0 and far past)', () => {
    const layout = layoutById('vmlinux-v1');
    const breaker = breakerFor('LI-BLK-002')!;
    for (const n of [65, 100, 128]) {
      const table = { files: ['a/x.c', 'b/y.c'], entries: Array.from({ length: n }, (_, i) => ({ offset: 4 * i, fileId: i % 2, line: 1 + i })) };
      for (const endian of ['le', 'be'] as const) {
        for (const r of [0.1, 0.9]) {
          const broken = breaker.make({ layout, endian, table, random: () => r })!;
          const rules = layout.read(broken.bytes, endian).findings.map((f) => f.rule);
          expect(rules, `${n} entries, ${endian}: ${broken.description}`).to.include('LI-BLK-002');
        }
      }
    }
  });
});

describe('fuzz: oracle and in-process targets', () => {
  /** a fast view from a pool whose only free copy of this length held other bytes */
  const recycled = (bytes: Uint8Array): Uint8Array => {
    const pool = new FastViewPool();
    pool.giveBack(pool.take(new Uint8Array(bytes.length).fill(0xee)));
    return pool.take(bytes);
  };
  for (const [name, make] of [['exact (Proxy)', guardedSection], ['fast', fastGuardedSection], ['recycled fast', recycled]] as const) {
    it(`the ${name} guarded view throws GuardViolation outside the section and behaves like a Uint8Array inside`, () => {
      const g = make(Uint8Array.of(1, 2, 0, 4));
      expect(g[0]).to.equal(1);
      expect(g[3]).to.equal(4);
      expect(g.length).to.equal(4);
      expect(g).to.be.instanceOf(Uint8Array);
      expect(g.indexOf(0)).to.equal(2);
      expect(g.at(-1)).to.equal(4);
      expect([...g.subarray(1, 3)]).to.deep.equal([2, 0]);
      expect([...g]).to.deep.equal([1, 2, 0, 4]);
      expect(new DataView(g.buffer, g.byteOffset, g.byteLength).getUint16(0, true)).to.equal(0x201);
      expect(g.buffer.byteLength).to.equal(4);
      expect(new TextDecoder().decode(g.subarray(0, 2))).to.equal('\x01\x02');
      for (const bad of [4, 5, -1, 1e9, 1.5, NaN, Infinity]) expect(() => g[bad as number], String(bad)).to.throw(GuardViolation);
      expect(() => g.at(4)).to.throw(GuardViolation);
      expect(() => {
        g[4] = 1;
      }).to.throw(GuardViolation);
      expect(4 in g).to.equal(false);
      expect(() => new DataView(g.buffer).getUint32(2)).to.throw(RangeError);
      const v = (() => {
        try {
          g[7];
        } catch (e) {
          return e as GuardViolation;
        }
        return null;
      })();
      expect(v?.offset).to.equal(7);
      expect(v?.sectionSize).to.equal(4);
    });
  }

  it('FastViewPool recycles a given-back copy for the next section of its length only, and drops copies past its budget', () => {
    const pool = new FastViewPool(8);
    const a = pool.take(Uint8Array.of(1, 2, 3));
    const bufferA = a.buffer;
    pool.giveBack(a);
    const b = pool.take(Uint8Array.of(7, 8, 9));
    expect(b.buffer, 'same length: the copy is reused').to.equal(bufferA);
    expect([...b]).to.deep.equal([7, 8, 9]);
    expect(new Uint8Array(b.buffer)).to.deep.equal(Uint8Array.of(7, 8, 9));
    const c = pool.take(Uint8Array.of(7, 8, 9));
    expect(c.buffer, 'taken already: a fresh copy').to.not.equal(bufferA);
    pool.giveBack(b);
    expect(pool.take(Uint8Array.of(1, 2)).buffer, 'other length: a fresh copy').to.not.equal(bufferA);
    pool.giveBack(pool.take(new Uint8Array(6))); // 3 + 6 bytes > 8: the free copies are dropped
    expect(pool.take(Uint8Array.of(4, 5, 6)).buffer).to.not.equal(bufferA);
    pool.giveBack(Uint8Array.of(1, 2, 3)); // not a view: ignored
    expect(() => pool.take(Uint8Array.of(1, 2, 3))[3]).to.throw(GuardViolation);
  });

  it('the guarded views record the first violation in a GuardState, even when the decoder swallows it', () => {
    for (const make of [guardedSection, fastGuardedSection]) {
      const state = { violation: null as GuardViolation | null };
      const g = make(Uint8Array.of(1, 2), state);
      try {
        g[5];
      } catch {
        // a decoder that swallows it
      }
      expect(state.violation?.offset).to.equal(5);
    }
  });

  it('builtin:reference in the fuzz loop answers exactly as conformance/reference-decoders.ts', async () => {
    const { referenceDecoder } = await import('../conformance/reference-decoders.js');
    const t = await loadTarget(parseTarget('builtin:reference'));
    const f = factoryFor(t, 5);
    for (let i = 0; i < 3000; i++) {
      const c = f.make(i).case;
      const dc = { section: c.bytes, endian: c.endian, layout: c.layout.id, queries: c.queries };
      const fast = t.runSync!(dc);
      let want: unknown;
      try {
        want = referenceDecoder.decode(guardedSection(c.bytes), c.endian, c.layout.id, c.queries);
      } catch (e) {
        want = (e as Error).name;
      }
      expect(fast.kind === 'answers' ? fast.answers : fast.kind, `case ${i}`).to.deep.equal(want);
      if (fast.kind === 'answers' && 'reference' in fast) {
        const fresh = c.layout.read(c.bytes, c.endian);
        expect(fast.reference.model.findings.map((x) => x.rule), `case ${i}`).to.deep.equal(fresh.findings.map((x) => x.rule));
        expect(fast.reference.valid).to.equal(fresh.decoded && !fresh.findings.some((x) => RULES.find((r) => r.id === x.rule)!.level === 'MUST'));
      }
    }
  });

  for (const spec of ['builtin:reference', fixture('careful.mjs'), 'builtin:kaitai']) {
    it(`${spec.replace(REPO, '')}: no finding in 4000 cases`, async () => {
      const t = await loadTarget(parseTarget(spec));
      const r = firstFinding(t, 17, 4000);
      expect(r.index, `${r.category} by ${r.mutator}`).to.equal(-1);
    });
  }

  it('builtin:kernel-v1: the v1 kernel algorithm reads outside malformed sections (its W7, W8, W10-W12)', async () => {
    const t = await loadTarget(parseTarget('builtin:kernel-v1'));
    const f = factoryFor(t, 3);
    const categories = new Set<string>();
    for (let i = 0; i < 3000; i++) {
      const ex = examineSync(t, f.make(i).case);
      if (ex.verdict) categories.add(ex.verdict.category);
    }
    expect([...categories]).to.include.members(['out-of-bounds', 'unsafe-answer']);
    expect(categories.has('wrong-answer'), 'kernel-v1 answers valid sections as the reference does').to.equal(false);
  });

  for (const [name, category] of [['wrong-answer.mjs', 'wrong-answer'], ['throws.mjs', 'exception']] as const) {
    it(`${name}: reported as ${category}`, async () => {
      const t = await loadTarget(parseTarget(fixture(name)));
      const f = factoryFor(t, 1);
      const seen = new Set<string>();
      for (let i = 0; i < 3000 && !seen.has(category); i++) {
        const v = examineSync(t, f.make(i).case).verdict;
        if (v) seen.add(v.category);
      }
      expect([...seen]).to.include(category);
    });
  }

  const timeToFind: Record<string, number> = {};
  for (const bug of PLANTED) {
    it(`planted bug "${bug}" is found within 20,000 cases`, async function () {
      this.timeout(300_000);
      const t = await loadTarget(parseTarget(fixture(`planted-${bug}.mjs`)));
      const r = firstFinding(t, 1, 20_000);
      timeToFind[bug] = r.index;
      expect(r.index, bug).to.be.within(0, 19_999);
    });
  }
  after(() => {
    if (Object.keys(timeToFind).length) console.log(`      cases to the first finding (seed 1): ${JSON.stringify(timeToFind)}`);
  });
});

describe('fuzz: runs with worker threads', function () {
  this.timeout(300_000);
  let tmp: ReturnType<typeof tempDir>;
  before(() => (tmp = tempDir('fuzz')));
  after(() => tmp.remove());

  it('a seeded run is deterministic, and --jobs 1 and --jobs 2 run the same cases', async () => {
    const opts = { target: fixture('planted-no-nul-check.mjs'), seed: 7, runs: 3000, timeMs: null, minimize: false, outDir: null };
    const a = await runFuzz({ ...opts, jobs: 2 });
    const b = await runFuzz({ ...opts, jobs: 2 });
    const c = await runFuzz({ ...opts, jobs: 1 });
    for (const r of [a, b, c]) expect(r.cases).to.equal(3000);
    expect(b.digest).to.equal(a.digest);
    expect(c.digest).to.equal(a.digest);
    const keys = (r: typeof a) => r.findings.map((f) => `${f.key}@${f.caseIndex}`);
    expect(a.findings.length).to.be.greaterThan(0);
    expect(keys(b)).to.deep.equal(keys(a));
    expect(keys(c)).to.deep.equal(keys(a));
    const d = await runFuzz({ ...opts, seed: 8, jobs: 2 });
    expect(d.digest).to.not.equal(a.digest);
  });

  it('the minimiser shrinks the planted "forgets the file_offsets bound" bug to a few dozen bytes', async () => {
    const out = join(tmp.path, 'min');
    const r = await runFuzz({
      target: fixture('planted-no-file-offsets-bound.mjs'), seed: 1, runs: 1500, timeMs: null, jobs: 2, outDir: out, layouts: ['v1-flat'],
      minimizeBudget: { maxRuns: 5000, maxMs: 120_000 }, minimizeTotalMs: 600_000,
    });
    expect(r.findings.length).to.be.greaterThan(0);
    const sizes = r.findings.map((f) => f.size).sort((x, y) => x - y);
    console.log(`      minimised sizes (bytes): ${sizes.join(' ')} (from ${r.findings.map((f) => f.originalSize).sort((x, y) => x - y).join(' ')})`);
    expect(sizes[0]).to.be.at.most(64);
    expect(sizes[sizes.length >> 1]).to.be.at.most(64);
    for (const f of r.findings) expect(f.size).to.be.at.most(f.originalSize);
    // each saved reproducer still fails the same way when replayed
    const smallest = r.findings.find((f) => f.size === sizes[0])!;
    const saved = JSON.parse(readFileSync(smallest.file!, 'utf8')) as { category: string; queries: unknown[]; size: number; seed: number; caseIndex: number };
    expect(saved).to.include({ category: 'out-of-bounds', size: sizes[0], seed: 1 });
    expect(readFileSync(join(out, readdirSync(out).find((n) => n.endsWith('.bin') && smallest.file!.includes(n.replace(/\.bin$/, '')))!)).length).to.equal(sizes[0]);
  });

  it('a hanging decoder is reported as a hang, its worker replaced, and the run completes', async () => {
    const r = await runFuzz({ target: fixture('hang.mjs'), seed: 3, runs: 400, timeMs: null, jobs: 2, minimize: false, outDir: null, timeoutMs: 300 });
    expect(r.cases).to.equal(400);
    expect(r.restarts).to.be.greaterThan(0);
    expect(r.findings.map((f) => f.category)).to.include('hang');
  });

  it('a decoder that exhausts its heap is a memory finding, and the run completes', async () => {
    const r = await runFuzz({ target: fixture('memory.mjs'), seed: 1, runs: 150, timeMs: null, jobs: 2, minimize: false, outDir: null, memoryMb: 96, timeoutMs: 60_000, maxEntries: 200 });
    expect(r.cases).to.equal(150);
    expect(r.findings.map((f) => f.category)).to.include('memory');
  });

  it('--corpus seeds mutations with existing sections and saves new behaviour there', async () => {
    const dir = join(tmp.path, 'corpus');
    mkdirSync(dir);
    const v1 = layoutById('v1');
    const t = ensureShape(generateTable(Decisions.seeded(1, 16, 1), SIZE_CLASSES[2]!), { minEntries: 70 });
    writeFileSync(join(dir, 'seed-a.bin'), v1.encode(t, 'be'));
    writeFileSync(join(dir, 'seed-a.json'), JSON.stringify({ layout: 'v1', endian: 'be' }));
    const r = await runFuzz({ target: 'builtin:reference', seed: 2, runs: 800, timeMs: null, jobs: 2, outDir: null, corpusDir: dir, layouts: ['v1'] });
    expect(r.corpusLoaded).to.equal(1);
    expect(r.corpusSaved).to.be.greaterThan(0);
    expect(readdirSync(dir).filter((n) => n.endsWith('.bin')).length).to.equal(1 + r.corpusSaved);
  });
});

describe('fuzz: CLI', function () {
  this.timeout(300_000);
  let tmp: ReturnType<typeof tempDir>;
  before(() => (tmp = tempDir('fuzz-cli')));
  after(() => tmp.remove());

  it('--runs N runs N cases; no findings exits 0 and writes nothing', async () => {
    const out = join(tmp.path, 'clean');
    const r = await lineinfoAsync(['fuzz', '--target', 'builtin:reference', '--runs', '1234', '--seed', '4', '--jobs', '2', '--out', out, '--json'], { timeoutMs: 120_000 });
    expect(r.status, r.stderr).to.equal(0);
    const j = JSON.parse(r.stdout) as { cases: number; findings: unknown[]; seed: number; jobs: number };
    expect(j).to.include({ cases: 1234, seed: 4, jobs: 2 });
    expect(j.findings).to.deep.equal([]);
    expect(existsSync(out)).to.equal(false);
    expect(r.stderr).to.equal(''); // no progress line when stderr is not a terminal
  });

  it('findings exit 1, are saved as .bin + .json in --out, and --replay reproduces them', async () => {
    const out = join(tmp.path, 'found');
    const r = await lineinfoAsync(['fuzz', '--target', fixture('planted-no-nul-check.mjs'), '--runs', '600', '--seed', '1', '--out', out, '--revision', 'v1-flat'], { timeoutMs: 240_000 });
    expect(r.status, r.stderr).to.equal(1);
    expect(r.stdout).to.match(/finding\(s\)/);
    const jsons = readdirSync(out).filter((n) => n.endsWith('.json'));
    expect(jsons.length).to.be.greaterThan(0);
    for (const n of jsons) expect(existsSync(join(out, n.replace(/\.json$/, '.bin')))).to.equal(true);
    const f = JSON.parse(readFileSync(join(out, jsons[0]!), 'utf8')) as Record<string, unknown>;
    for (const k of ['seed', 'caseIndex', 'layout', 'endian', 'mutator', 'rule', 'category', 'detail', 'queries']) expect(f, k).to.have.property(k);
    const rp = await lineinfoAsync(['fuzz', '--replay', join(out, jsons[0]!)], { timeoutMs: 60_000 });
    expect(rp.status, rp.stdout + rp.stderr).to.equal(1);
    expect(rp.stdout).to.include(`result: ${f.category as string}`);
    // the .bin alone, with the target given, replays too
    const bin = join(out, jsons[0]!.replace(/\.json$/, '.bin'));
    const rb = await lineinfoAsync(['fuzz', '--replay', bin, '--target', fixture('planted-no-nul-check.mjs')], { timeoutMs: 60_000 });
    expect(rb.status, rb.stdout + rb.stderr).to.equal(1);
    // and a correct decoder passes the same case
    const rc = await lineinfoAsync(['fuzz', '--replay', join(out, jsons[0]!), '--target', fixture('careful.mjs')], { timeoutMs: 60_000 });
    expect(rc.status, rc.stdout + rc.stderr).to.equal(0);
    expect(rc.stdout).to.include('result: no finding');
  });

  it('--time stops the run after the given duration', async () => {
    const r = await lineinfoAsync(['fuzz', '--target', 'builtin:reference', '--time', '2s', '--jobs', '1', '--json'], { timeoutMs: 120_000 });
    expect(r.status, r.stderr).to.equal(0);
    const j = JSON.parse(r.stdout) as { cases: number; elapsedMs: number };
    expect(j.cases).to.be.greaterThan(100);
    expect(j.elapsedMs).to.be.within(1900, 15_000);
  });

  for (const [what, args, message] of [
    ['no target', ['fuzz', '--runs', '10'], /--target/],
    ['an unknown builtin', ['fuzz', '--target', 'builtin:nope'], /unknown builtin/],
    ['a missing module', ['fuzz', '--target', 'module:does/not/exist.mjs'], /no such file/],
    ['a module that is not a decoder', ['fuzz', '--target', `module:${join(REPO, 'test/fixtures/fuzz/careful-base.mjs')}`, '--runs', '10'], /does not export a DecoderUnderTest/],
    ['a bad duration', ['fuzz', '--target', 'builtin:reference', '--time', 'soon'], /--time/],
    ['a bad revision', ['fuzz', '--target', 'builtin:reference', '--revision', 'v9'], /--revision/],
    ['an unknown option', ['fuzz', '--target', 'builtin:reference', '--frobnicate'], /frobnicate/],
    ['a missing replay file', ['fuzz', '--target', 'builtin:reference', '--replay', 'nope.json'], /no such file/],
  ] as const) {
    it(`exits 2 with one line on ${what}`, async () => {
      const r = await lineinfoAsync([...args], { timeoutMs: 60_000 });
      expect(r.status, r.stdout + r.stderr).to.equal(2);
      expect(r.stderr.trim().split('\n')).to.have.length(1);
      expect(r.stderr).to.match(message);
      expect(r.stderr).to.not.match(/internal error|\n\s+at /);
    });
  }

  it('external targets go through conformance/external (or say clearly that it is missing)', async () => {
    const external = existsSync(join(REPO, 'conformance/external/index.ts')) || existsSync(join(REPO, 'conformance/external/index.js'));
    const careful = join(REPO, 'conformance/decoders/careful.c');
    if (!external) {
      const r = await lineinfoAsync(['fuzz', '--target', 'exec:/bin/false', '--runs', '10'], { timeoutMs: 60_000 });
      expect(r.status).to.equal(2);
      expect(r.stderr).to.match(/conformance\/external/);
      return;
    }
    if (!existsSync(careful)) return;
    const r = await lineinfoAsync(['fuzz', '--target', `c:${careful}`, '--runs', '2000', '--seed', '1', '--jobs', '2', '--json', '--out', join(tmp.path, 'c')], { timeoutMs: 240_000 });
    expect([0, 1], r.stderr).to.include(r.status);
    const j = JSON.parse(r.stdout) as { cases: number };
    expect(j.cases).to.equal(2000);
  });
});
